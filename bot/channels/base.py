"""What every channel offers, and helpers they share: text chunking, a reply's parts, send pacing."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Protocol

from analysis.inputs import parse_int
from handlers.messages import Button, Document, Reply


class Channel(Protocol):
    name: str

    async def start(self) -> None:
        """Begin receiving messages; return once running."""

    async def stop(self) -> None:
        """Stop receiving and finish what is in hand."""

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a message unprompted (a reminder); return "sent", "blocked" or "failed"."""


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def chunk_text(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Split text into pieces of at most `limit` by `size` (characters for Telegram, UTF-8 bytes for WeCom:
    `size=utf8_size`), preferring line breaks and never cutting a character in two."""
    if size(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while size(rest) > limit:
        low, high = 0, len(rest)  # the longest prefix within the limit
        while low < high:
            middle = (low + high + 1) // 2
            if size(rest[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        cut = rest.rfind("\n", 0, low)
        if cut <= low // 2:
            cut = low
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    return [p for p in [*pieces, rest] if p]


def reply_parts(reply: Reply) -> list[str | Document]:
    """The messages a reply consists of, in sending order: its text, its picture (a Document whose type is
    image/*), its file, then any follow-up lines
    (so that a question asked after a report is the last thing the user sees)."""
    parts: list[str | Document] = [reply.text] if reply.text else []
    if reply.photo is not None:
        parts.append(reply.photo)
    if reply.document is not None:
        parts.append(reply.document)
    return parts + [t for t in reply.extra if t]


MAX_TRACKED_CHATS = 10_000


async def read_bounded(
    chunks: AsyncIterable[bytes], declared: str | None, limit: int, too_large: Callable[[], Exception]
) -> bytes:
    """A body read whole but never past `limit` bytes: refused on its declared length, or as soon as more arrives."""
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses; anything else is read and counted
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large()
    parts, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large()
        parts.append(chunk)
    return b"".join(parts)


class Leadership(Protocol):
    """Whether this instance leads (storage/leader.py): on several instances only the leader polls for updates."""

    async def wait_leading(self) -> None:
        """Return once this instance leads (at once on SQLite, where there is only one)."""


class SendLimiter:
    """Outgoing pacing shared by every send of one bot: unprompted messages (reminders, digests: Telegram's
    "bulk notifications") at an overall rate (about 30 a second) and at most one a second per chat; and a hold
    on everything, replies included, after a 429 (flood control applies to the whole bot).

    Each sender reserves the next free slot on a timeline and sleeps until it: evenly spaced, no burst (the
    platform's own bucket then stays full and never answers 429 for jitter), exact at any rate because the
    slots are absolute times, whatever the event loop's timer resolution."""

    def __init__(
        self,
        per_second: float = 30.0,
        chat_interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._spacing = 1.0 / per_second if per_second > 0 else 0.0
        self._chat_interval = chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._next_for_chat: dict[str, float] = {}
        self._held_until = 0.0

    async def wait_hold(self) -> None:
        """For a reply to a user: not paced (users' own traffic bounds it), but held after a 429 like all."""
        while (wait := self._held_until - self._clock()) > 0:
            await self._sleep(wait)

    async def acquire(self, chat: str | None = None) -> None:
        """Wait for the right to send one unprompted message (to `chat`, spaced from the last one to it, if
        given): reminders and digests go out at the platform's pace."""
        earliest = self._clock()
        if chat is not None and self._chat_interval > 0:
            earliest = max(earliest, self._next_for_chat.get(chat, 0.0))
            self._next_for_chat[chat] = earliest + self._chat_interval
            if len(self._next_for_chat) > MAX_TRACKED_CHATS:
                now = self._clock()
                self._next_for_chat = {c: t for c, t in self._next_for_chat.items() if t > now}
        while True:
            slot = max(earliest, self._next_slot, self._held_until)
            self._next_slot = slot + self._spacing
            if (wait := slot - self._clock()) > 0:
                await self._sleep(wait)
            if self._held_until <= slot:  # no 429 arrived while we waited for our slot
                return
            earliest = self._held_until

    def hold(self, seconds: float) -> None:
        """Stop every send for `seconds` (the platform said retry_after)."""
        self._held_until = max(self._held_until, self._clock() + seconds)


class WindowLimiter:
    """At most `limit` sends per `window` seconds for each key (WeCom: 30 a minute per member, 20 a minute per
    group robot). A send over the limit waits for room: queued, never dropped."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = {}

    async def acquire(self, key: str) -> None:
        while True:
            now = self._clock()
            sent = self._sent.setdefault(key, deque())
            while sent and now - sent[0] >= self._window:
                sent.popleft()
            if len(sent) < self._limit:
                sent.append(now)
                return
            await self._sleep(self._window - (now - sent[0]))


class NumberedButtons:
    """For channels without inline buttons (console, WeCom text): the last reply's buttons per chat, offered as
    numbers; a reply of a number presses the button."""

    def __init__(self) -> None:
        self._last: dict[str, list[Button]] = {}

    def offer(self, chat: str, reply: Reply) -> str | None:
        """Remember the reply's buttons; return the line that lists them (None when it has none)."""
        buttons = [b for row in reply.buttons for b in row]
        if not buttons:
            self._last.pop(chat, None)
            return None
        self._last[chat] = buttons
        return "  ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, start=1))

    def press(self, chat: str, text: str) -> str | bool | None:
        """The callback data a numeric answer presses; None if the text is not a choice; False if it is a
        number out of range."""
        choice = parse_int(text.strip(), max_digits=2)
        buttons = self._last.get(chat)
        if not buttons or choice is None:
            return None
        index = choice - 1
        return buttons[index].data if 0 <= index < len(buttons) else False
