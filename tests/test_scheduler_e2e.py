"""End to end through the fake Bot API with flood control on (30 a second bot-wide, 1 a second per chat):
a reminder set in chat arrives, a supervisor gets the digest text and its PNG, a comment reaches the cadre."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram import TelegramChannel
from bot.scheduler import ReminderScheduler
from handlers import build_router, texts
from handlers.context import HandlerSettings
from handlers.reminders import collect_due, collect_outbox
from handlers.router import Dispatcher
from handlers.supervision import collect_digests
from storage.db import Database
from tests.conftest import SH, register_cadre, register_supervisor
from tests.fake_telegram import FakeBotApi
from tests.test_telegram_e2e import say, wait_replies

CADRE, BOSS = 51001, 52001


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi().start()
    server.overall_per_second = 30
    server.per_chat_per_second = 1
    yield server
    server.stop()


class MovableClock:
    """The scheduler's clock: real time plus an offset the test moves (the bot's own clock stays real)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


@pytest.fixture
async def team(db: Database) -> None:
    real = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    today = real().astimezone(SH).date()
    await register_cadre(db, real, start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=120))
    await register_supervisor(db, real)


@pytest.fixture
def dispatcher(db: Database) -> Dispatcher:
    return Dispatcher(build_router(), db.unit_of_work, lambda: dt.datetime.now(dt.UTC), HandlerSettings())


@pytest.fixture
async def bot(api: FakeBotApi, dispatcher: Dispatcher, team: None) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(
        dispatcher, token=api.token, base_url=api.base_url, base_file_url=api.base_file_url, poll_timeout=1
    )
    await channel.start()
    yield channel
    await channel.stop()


async def test_reminder_set_in_chat_arrives(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    _, reply = await say(api, "/remind 30分钟后 给石桥村回电话", user=CADRE)
    assert reply["text"].startswith("⏰ 已设提醒 #1")
    clock = MovableClock()
    clock.offset = dt.timedelta(minutes=31)
    scheduler = ReminderScheduler(db, {"telegram": bot}, clock, collectors=[collect_due])
    try:
        # the reply went out a moment ago: the fake refuses a second message this second (429), we wait it out
        assert await scheduler.tick() == 1
    finally:
        await scheduler.stop()
    messages = await wait_replies(api, CADRE, 2)
    assert messages[-1]["text"] == "⏰ 提醒：给石桥村回电话"
    assert api.floods >= 1  # flood control answered, and was honoured: nothing lost
    async with db.unit_of_work() as uow:
        assert await uow.deliveries.by_outcome() == {"sent": 1}


async def test_supervisor_receives_digest_text_and_picture(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    # /cadre lists the digest's window, the seven days up to yesterday: the entry is yesterday's, whatever the hour
    await say(api, "昨天到东坪村走访3户困难户，了解春耕备耕情况", user=CADRE)
    await say(api, "/help", user=BOSS)  # the supervisor has talked to the bot (Telegram requires it)
    now = dt.datetime.now(SH)
    monday = now.date() + dt.timedelta(days=(7 - now.weekday()) % 7 or 7)
    clock = MovableClock()
    clock.offset = dt.datetime.combine(monday, dt.time(9, 1), tzinfo=SH) - now
    scheduler = ReminderScheduler(db, {"telegram": bot}, clock, collectors=[collect_digests])
    try:
        assert await scheduler.tick() == 1
        assert await scheduler.tick() == 0  # once
    finally:
        await scheduler.stop()
    text = (await wait_replies(api, BOSS, 2))[-1]["text"]
    assert text.startswith("📋 挂职干部周报") and "王明（青山镇人民政府 党委副书记）" in text
    [(chat, png)] = api.photos
    assert chat == BOSS and png.startswith(b"\x89PNG") and len(png) > 5000
    async with db.unit_of_work() as uow:
        assert await uow.deliveries.by_outcome() == {"sent": 1}


async def test_comment_reaches_the_cadre(
    api: FakeBotApi, bot: TelegramChannel, db: Database, dispatcher: Dispatcher
) -> None:
    # /cadre lists the digest's window, the seven days up to yesterday: the entry is yesterday's, whatever the hour
    await say(api, "昨天到东坪村走访3户困难户，了解春耕备耕情况", user=CADRE)
    _, listing = await say(api, "/cadre 王明", user=BOSS)
    assert "#1" in listing["text"]
    scheduler = ReminderScheduler(
        db, {"telegram": bot}, MovableClock(), collectors=[collect_outbox], every=dt.timedelta(hours=1)
    )
    dispatcher.on_outbox = scheduler.wake
    await scheduler.start()
    try:
        _, done = await say(api, "/comment 王明 1 走访扎实，注意回访", user=BOSS)
        assert done["text"] == texts.COMMENT_SENT.format(name="王明", seq=1)
        messages = await wait_replies(api, CADRE, 2)  # woken at once, not at the next hourly tick
    finally:
        await scheduler.stop()
    assert messages[-1]["text"].startswith("💬 李华点评了您")
    assert messages[-1]["text"].endswith("点评：走访扎实，注意回访")
