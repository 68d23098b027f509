"""What channels share: splitting long text (characters or UTF-8 bytes), and the send pacer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.base import NumberedButtons, SendLimiter, WindowLimiter, chunk_text, read_bounded, utf8_size
from handlers.messages import Button, Reply


@given(st.text(alphabet=st.sampled_from("走访村a1\n😀 "), max_size=400), st.integers(min_value=8, max_value=60))
def test_chunks_stay_within_the_limit_and_lose_nothing_but_cut_newlines(text: str, limit: int) -> None:
    for size in (len, utf8_size):
        pieces = chunk_text(text, limit, size)
        if size(text) <= limit:
            assert pieces == [text]
            continue
        assert all(0 < size(p) <= limit for p in pieces)
        assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_chunks_prefer_line_breaks() -> None:
    text = "第一行内容\n" * 10
    three = "第一行内容\n第一行内容\n第一行内容"
    assert chunk_text(text, 20) == [three, three, three, "第一行内容\n"]  # cut at line breaks, which go
    assert all(utf8_size(p) <= 20 for p in chunk_text(text, 20, utf8_size))


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_pacer_spaces_sends_evenly_per_bot_and_per_chat_and_holds_after_429() -> None:
    time = FakeTime()
    limiter = SendLimiter(10, 1.0, clock=time.clock, sleep=time.sleep)
    for chat in ("a", "b", "c"):
        await limiter.acquire(chat)
    assert time.now == 0.2  # three chats, ten a second: 0, 0.1, 0.2
    await limiter.acquire("a")
    assert time.now == 1.0  # "a" again: a second after its first message
    limiter.hold(5)
    await limiter.wait_hold()  # a reply waits out the hold too, but is not paced
    assert time.now == 6.0
    await asyncio.gather(*(limiter.acquire(str(i)) for i in range(20)))
    assert abs(time.now - (6.0 + 1.9)) < 1e-9  # twenty more, evenly spaced


async def test_window_limiter_queues_beyond_the_limit() -> None:
    time = FakeTime()
    limiter = WindowLimiter(3, 60.0, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        await limiter.acquire("user")
    assert time.now == 0
    await limiter.acquire("user")
    assert time.now == 60.0  # the fourth waits for the first to leave the window
    await limiter.acquire("someone else")
    assert time.now == 60.0


def test_numbered_buttons() -> None:
    buttons = NumberedButtons()
    reply = Reply("已记 #1", buttons=((Button("改分类", "cm:1"), Button("撤销", "u:1")),))
    assert buttons.offer("u1", reply) == "[1] 改分类  [2] 撤销"
    assert buttons.press("u1", " 2 ") == "u:1" and buttons.press("u1", "3") is False
    assert buttons.press("u1", "走访东坪村") is None and buttons.press("u2", "1") is None
    assert buttons.offer("u1", Reply("好")) is None and buttons.press("u1", "1") is None


class TooLarge(Exception):
    pass


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.mark.parametrize(
    ("parts", "declared", "expected"),
    [
        ((b"abc", b"de"), "5", b"abcde"),  # exactly at the limit
        ((b"abc", b"de"), None, b"abcde"),
        ((), "", b""),
        ((b"ab",), "\u00b2", b"ab"),  # a declared length that is no number is not trusted, and the body is counted
        ((b"ab",), "\uff15", b"ab"),  # a fullwidth digit neither
        ((b"abc", b"def"), None, TooLarge),  # no declared length: refused as soon as the sixth byte arrives
        ((b"abc", b"def"), "3", TooLarge),  # a declared length that lies short
        ((b"ab",), "6", TooLarge),  # a declared length over the limit: refused before anything is read
        ((b"ab",), "9" * 40, TooLarge),
    ],
)
async def test_a_body_is_read_whole_but_never_past_its_limit(
    parts: tuple[bytes, ...], declared: str | None, expected: bytes | type[Exception]
) -> None:
    if isinstance(expected, bytes):
        assert await read_bounded(_chunks(*parts), declared, 5, TooLarge) == expected
    else:
        with pytest.raises(expected):
            await read_bounded(_chunks(*parts), declared, 5, TooLarge)
