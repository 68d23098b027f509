"""No input breaks a handler: over 10,000 generated messages, commands (every command in the table) and button
presses (every callback prefix, with hostile payloads) go through the real dispatcher on a SQLite file. Unexpected
exceptions are counted by the dispatcher's own error handler (the one that answers 系统出错), never caught here."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from handlers import build_router, texts
from handlers.context import HandlerSettings
from handlers.messages import IncomingAttachment, IncomingMessage
from handlers.router import Dispatcher, parse_command
from storage.db import Database
from tests.conftest import SH, FrozenClock, register_cadre, register_supervisor

BATCH = 50  # messages per hypothesis example
EXAMPLES = 200  # 200 x 50 = 10,000 messages
ROUTER = build_router()
COMMANDS = tuple(c.name for c in ROUTER.commands)
SLOW = ("digest", "report", "export", "week", "cadres")  # draw a chart or a draft: drawn less often, still drawn
QUICK = tuple(name for name in COMMANDS if name not in SLOW)
PREFIXES = tuple(r.prefix for r in ROUTER.callbacks)
USERS = ("51001", "51002", "52001", "59999")  # a busy cadre, a cadre asking for reports, a supervisor, a stranger

# What breaks parsers: digits int() refuses or reads, numbers too long for a database integer, years out of
# range, noncharacters, NUL, lone surrogates, control and bidi characters, markup, giant tokens.
# fmt: off
HOSTILE = (
    "²", "١", "١٢", "①", "０", "٣٤", "𝟗", "-1", "+1", "0", "00", "1e9", "nan", "inf", "9" * 20, "9" * 10, "2147483648",
    "1.5", "#1", "＃2", "0000-01", "9999-12", "0000-01-01", "9999-12-31", "10000-01-01", "2026-13-01", "2026-02-30",
    "2026-07", "2026-07-01", "2026-07-15", "7月", "2月30日", "上周", "本月", "昨天", "明天", "至", "月度", "周", "中期",
    "期满", "依据", "docx", "xlsx", "md", "pdf", "30分钟后", "每周一", "9:00", "25:61", "每个工作日", "关", "3天",
    "22:00-08:00", "Asia/Shanghai", "Mars/Base", "../../etc/passwd", "王明", "李华", "石桥村", "done", "later",
    "party", "visit", "log", "back", "t", "k", "c", "+", "-", "s", "b", "\x00", "\ufffe", "\uffff", "\ud800",
    "\udfff", "\u202e", "\u200b", "\x1b[2J", "\r\n", "\t", "<b>", "%s", "{}", "{seq}", "'; DROP TABLE entries;--",
    "𠀀", "👍", "走访", "学习", "请假", "销假", "日志", "x" * 300, "长" * 3000,
)
# fmt: on


@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    db: Database
    dispatcher: Dispatcher
    clock: FrozenClock
    sent: int = 0
    broke: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # the commands and button prefixes sent  # the messages the dispatcher's error handler counted
    message_ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    path = tmp_path_factory.mktemp("fuzz") / "cadrelog.db"
    shutil.copy(sqlite_template, path)
    loop = asyncio.new_event_loop()
    db = Database(f"sqlite:///{path}")
    clock = FrozenClock(dt.datetime(2026, 7, 15, 10, 0, tzinfo=SH).astimezone(dt.UTC))
    dispatcher = Dispatcher(ROUTER, db.unit_of_work, clock, HandlerSettings())

    async def populate() -> None:
        await register_cadre(db, clock, "51001")
        await register_cadre(db, clock, "51002", name="赵刚")
        await register_supervisor(db, clock, "52001", cadres=("51001", "51002"))
        for user, text in (
            ("51001", "上午走访石桥村3户困难户，反映饮水问题，承诺下周回访"),
            ("51001", "请假 7月20日至7月22日 家中有事，已报张书记同意"),
            ("51002", "学习《乡村振兴促进法》第三章，写心得一篇"),
            ("51002", "明天上午到县里参加推进会"),
        ):
            await dispatcher.dispatch(_message(user, text, "m0-" + user + text[:2], clock()))

    loop.run_until_complete(populate())
    yield World(loop, db, dispatcher, clock)
    loop.run_until_complete(db.dispose())
    loop.close()


def _message(user: str, text: str, message_id: str | None, sent_at: dt.datetime, **fields: object) -> IncomingMessage:
    return IncomingMessage(
        channel="telegram",
        chat_id=user,
        user_id=user,
        user_name=str(fields.pop("user_name", "王明")),
        text=text,
        sent_at=sent_at,
        message_id=message_id,
        **fields,  # type: ignore[arg-type]
    )


hostile_char = st.characters(exclude_categories=())  # every code point, surrogates and noncharacters included
token = st.one_of(st.sampled_from(HOSTILE), st.text(hostile_char, max_size=8), st.integers(-(10**25), 10**25).map(str))
words = st.lists(token, max_size=4).map(" ".join)


@st.composite
def command(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    name = draw(st.sampled_from(SLOW if draw(st.integers(0, 19)) == 0 else QUICK))
    name = draw(st.sampled_from((name, name.upper(), name.capitalize())))
    suffix = draw(st.sampled_from(("", "", "", "@cadrelog_bot", "@otherbot")))
    return f"/{name}{suffix} {draw(words)}", {}


@st.composite
def button(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    prefix = draw(st.sampled_from((*PREFIXES, "", "zz")))
    args = draw(st.lists(token, max_size=4).map(":".join))
    return "", {"callback_data": f"{prefix}:{args}" if draw(st.booleans()) else prefix + args, "message_id": None}


@st.composite
def plain(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    text = draw(st.one_of(words, st.text(hostile_char, max_size=30), st.sampled_from(HOSTILE)))
    extra: dict[str, object] = {}
    if draw(st.integers(0, 9)) == 0:
        extra["edited"] = True
    if draw(st.integers(0, 9)) == 0:
        kind = draw(st.sampled_from(("photo", "document", "voice", "location")))
        extra["attachments"] = (
            IncomingAttachment(kind, file_id="f1", file_name=draw(st.text(hostile_char, max_size=10)))
            if kind != "location"
            else IncomingAttachment(kind, latitude=draw(st.floats()), longitude=draw(st.floats())),
        )
    return text, extra


message = st.tuples(
    st.sampled_from(USERS),
    st.one_of(command(), command(), button(), plain()),
    st.text(hostile_char, max_size=8),  # the sender's display name
)


def test_no_generated_input_breaks_the_dispatcher(world: World) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],  # the database lives on between examples: shrinking would replay into it
    )
    @given(batch=st.lists(message, min_size=BATCH, max_size=BATCH))
    def run(batch: list[tuple[str, tuple[str, dict[str, object]], str]]) -> None:
        chats: dict[str, list[tuple[str, str, dict[str, object]]]] = {}
        for user, (text, extra), name in batch:
            if user == "51001" and text.startswith(("/report", "/export")):
                user = "51002"  # reports compile over every entry: keep them on the cadre with few
            chats.setdefault(user, []).append((text, name, extra))

        async def chat(user: str, messages: list[tuple[str, str, dict[str, object]]]) -> None:
            """One user's messages in order, as a channel hands them over; users run side by side."""
            for text, name, extra in messages:
                fields = {"user_name": name, **extra}
                message_id = fields.pop("message_id", f"m{next(world.message_ids)}")
                if fields.get("edited"):
                    message_id = f"m{next(world.message_ids) % 500}"  # an edit of a message seen before, or not
                incoming = _message(
                    user, text, message_id if isinstance(message_id, str) else None, world.clock(), **fields
                )
                if (await world.dispatcher.dispatch(incoming)).text == texts.INTERNAL_ERROR:
                    world.broke.append(repr(incoming))  # to say which; the count is the error handler's
                world.sent += 1
                if incoming.callback_data is not None:
                    world.seen.add(incoming.callback_data.partition(":")[0])
                elif parsed := parse_command(incoming.text):
                    world.seen.add("/" + parsed[0])
                world.clock.advance(seconds=97)

        async def send_all() -> None:
            await asyncio.gather(*(chat(user, messages) for user, messages in chats.items()))

        world.loop.run_until_complete(send_all())
        assert world.dispatcher.unexpected_errors == 0, world.broke[:5]

    run()
    assert world.sent >= 10_000
    assert world.seen >= {f"/{name}" for name in COMMANDS} | set(PREFIXES)
