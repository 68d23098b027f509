"""Due times computed ahead (timing/due.py, the due_times rows): the next time of each rule, and a scheduler tick
whose statement count does not grow with the number of cadres — for every kind of reminder, with 10 and with
1,000 other cadres in the database, every due reminder still sent once."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bench.scale import SilentChannel, StatementCounter, seed
from bot.scheduler import ReminderScheduler, default_collectors
from handlers import build_router, texts
from handlers.context import HandlerSettings
from handlers.messages import Reply
from handlers.router import Dispatcher
from storage.db import Database
from storage.models import DUE_STALE as STALE
from tests.conftest import SH, Chat, FrozenClock, register_cadre, register_supervisor
from timing.due import (
    next_digest,
    next_nudge,
    next_obligation,
    next_promise,
    quiet_end,
)
from timing.workdays import WorkCalendar

CAL = WorkCalendar({dt.date(2026, 10, 1): False, dt.date(2026, 10, 10): True})  # a holiday and a make-up Saturday


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH).astimezone(dt.UTC)


def test_nudge_times_skip_days_off_and_days_off_post() -> None:
    start, end = dt.date(2026, 6, 1), dt.date(2026, 11, 30)
    assert next_nudge(sh(2026, 7, 15, 10, 0), SH, CAL, start, end) == sh(2026, 7, 15, 20, 30)
    assert next_nudge(sh(2026, 7, 15, 20, 30), SH, CAL, start, end) == sh(2026, 7, 16, 8, 30)  # strictly after
    assert next_nudge(sh(2026, 7, 17, 21, 0), SH, CAL, start, end) == sh(2026, 7, 20, 8, 30)  # over the weekend
    assert next_nudge(sh(2026, 9, 30, 21, 0), SH, CAL, start, end) == sh(2026, 10, 8, 8, 30)  # the holidays
    assert next_nudge(sh(2026, 10, 9, 21, 0), SH, CAL, start, end) == sh(2026, 10, 10, 8, 30)  # make-up Saturday
    assert next_nudge(sh(2026, 5, 1, 9, 0), SH, CAL, start, end) == sh(2026, 6, 1, 8, 30)  # the posting's first day
    assert next_nudge(sh(2026, 11, 30, 21, 0), SH, CAL, start, end) is None  # after it: nothing, ever
    urumqi = ZoneInfo("Asia/Urumqi")  # his own clock, not the server's
    assert next_nudge(sh(2026, 7, 15, 21, 0), urumqi, CAL, start, end) == dt.datetime(
        2026, 7, 15, 20, 30, tzinfo=urumqi
    ).astimezone(dt.UTC)


def test_obligation_times_follow_the_posting_the_calendar_and_leave() -> None:
    start, end = dt.date(2026, 6, 1), dt.date(2026, 11, 30)
    mid = dt.date(2026, 8, 31)
    # Wednesday 15 July: the next is Friday's study check at 17:00
    assert next_obligation(sh(2026, 7, 15, 10, 0), SH, CAL, start, end, mid) == sh(2026, 7, 17, 17, 0)
    # a leave ending on Wednesday: 17:00 that day, and 09:00 the next (his supervisors)
    assert next_obligation(sh(2026, 7, 15, 10, 0), SH, CAL, start, end, mid, {dt.date(2026, 7, 15)}) == sh(
        2026, 7, 15, 17, 0
    )
    assert next_obligation(sh(2026, 7, 15, 17, 0), SH, CAL, start, end, mid, {dt.date(2026, 7, 15)}) == sh(
        2026, 7, 16, 9, 0
    )
    # 28 July is three working days before 31 July (the month's last): the 心得 prompt
    assert next_obligation(sh(2026, 7, 27, 18, 0), SH, CAL, start, end, mid) == sh(2026, 7, 28, 17, 0)
    # seven days before the midpoint, 09:00 (Monday 24 August)
    assert next_obligation(sh(2026, 8, 22, 0, 0), SH, CAL, start, end, mid) == sh(2026, 8, 24, 9, 0)
    assert next_obligation(sh(2026, 11, 30, 18, 0), SH, CAL, start, end, mid) is None


def test_promise_digest_and_quiet_times() -> None:
    days = {dt.date(2026, 7, 20), dt.date(2026, 7, 23)}
    assert next_promise(sh(2026, 7, 15, 10, 0), SH, days) == sh(2026, 7, 20, 9, 0)
    assert next_promise(sh(2026, 7, 20, 9, 0), SH, days) == sh(2026, 7, 23, 9, 0)
    assert next_promise(sh(2026, 7, 23, 9, 0), SH, days) is None
    assert next_promise(sh(2026, 7, 15, 10, 0), SH, set()) is None
    assert next_digest(sh(2026, 7, 15, 10, 0), SH, 0, dt.time(9, 0)) == sh(2026, 7, 20, 9, 0)
    assert next_digest(sh(2026, 7, 20, 8, 0), SH, 0, dt.time(9, 0)) == sh(2026, 7, 20, 9, 0)
    quiet = (dt.time(22, 0), dt.time(8, 0))
    assert quiet_end(sh(2026, 7, 15, 23, 0), SH, quiet) == sh(2026, 7, 16, 8, 0)
    assert quiet_end(sh(2026, 7, 16, 7, 0), SH, quiet) == sh(2026, 7, 16, 8, 0)


OTHERS_ZONE = "Asia/Kathmandu"  # UTC+5:45: the other cadres' rules never fall due in a measured minute


async def _world(tmp_path: Path, template: Path, others: int) -> tuple[Database, FrozenClock, Chat, Chat]:
    path = tmp_path / f"due-{others}.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    clock = FrozenClock(sh(2026, 7, 15, 10, 0))
    await seed(url, others, 0, today=dt.date(2026, 7, 15), zone=OTHERS_ZONE, now=clock())
    db = Database(url)
    await register_cadre(db, clock)
    await register_supervisor(db, clock)
    dispatcher = Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings())
    return db, clock, Chat(dispatcher, clock), Chat(dispatcher, clock, user="52001")


async def _walk(db: Database, clock: FrozenClock, cadre: Chat, boss: Chat) -> tuple[dict[str, int], dict[str, Any]]:
    """Drive one cadre and his supervisor through every kind of reminder; for each, the statements of the tick
    at which it falls due (a tick a few minutes before takes whatever else was due) and what it sent to them."""
    channel = SilentRecorder()
    scheduler = ReminderScheduler(db, {"telegram": channel}, clock, collectors=default_collectors())
    counter = StatementCounter(db.engine)
    statements: dict[str, int] = {}
    sent: dict[str, Any] = {}

    async def at(kind: str, *moment: int) -> None:
        clock.now = sh(*moment) - dt.timedelta(minutes=3)
        await scheduler.tick()  # settle: the others' rows, and ours computed ahead
        channel.texts.clear()
        clock.now = sh(*moment) + dt.timedelta(minutes=1)
        before = counter.count
        await scheduler.tick()
        statements[kind] = counter.count - before
        sent[kind] = sorted(channel.texts)
        channel.texts.clear()
        before = counter.count
        await scheduler.tick()  # the same minute again: nothing is due, nothing is sent twice
        statements[f"{kind} (again)"] = counter.count - before
        assert channel.texts == [], kind

    await at("idle", 2026, 7, 15, 11, 0)
    await cadre.say("走访东坪村3组李某某家，反映村道下雨天走不了，答应下周回访")  # a promise due Monday 20 July
    await cadre.say("/remind 明天 15:00 给石桥村回电话")
    await at("remind", 2026, 7, 16, 15, 0)
    await at("nudge", 2026, 7, 16, 20, 30)
    await at("catch-up", 2026, 7, 17, 8, 30)
    await at("study", 2026, 7, 17, 17, 0)
    await at("promise", 2026, 7, 20, 9, 0)  # with the Monday digest
    clock.now = sh(2026, 7, 20, 10, 0)
    await cadre.say("7月21日至7月22日请假2天，回原单位")
    await at("leave", 2026, 7, 22, 17, 0)
    await at("leave-not-back", 2026, 7, 23, 9, 0)
    await at("reflection", 2026, 7, 28, 17, 0)
    await at("month-end", 2026, 7, 31, 17, 0)  # with Friday's study check
    await at("term", 2026, 8, 24, 9, 0)  # seven days before the midpoint, with the digest
    clock.now = sh(2026, 8, 24, 10, 0)
    await boss.say("/comment 王明 1 这个问题要跟进")
    before = counter.count
    await scheduler.tick()
    statements["comment"] = counter.count - before
    sent["comment"] = sorted(channel.texts)
    counter.close()
    await scheduler.stop()
    return statements, sent


class SilentRecorder(SilentChannel):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.texts.append(f"{chat_id}:{reply.text.splitlines()[0][:24]}")
        return await super().send(chat_id, reply)


async def test_a_tick_costs_the_same_with_10_and_1000_cadres(tmp_path: Path, sqlite_template: Path) -> None:
    results = []
    for others in (10, 1000):
        db, clock, cadre, boss = await _world(tmp_path, sqlite_template, others)
        try:
            results.append(await _walk(db, clock, cadre, boss))
        finally:
            await db.dispose()
    (small, small_sent), (large, large_sent) = results
    assert small == large  # not one statement more for a hundred times the cadres
    assert small_sent == large_sent
    assert small["idle"] <= 10 and small["idle (again)"] <= 10
    for kind, count in small.items():
        assert count <= 40, (kind, count)
    first = texts.REMINDER_MESSAGE.format(text="给石桥村回电话")
    expected = {
        "remind": [f"51001:{first[:24]}"],
        "nudge": [f"51001:{texts.NUDGE_EVENING.splitlines()[0][:24]}"],
        "study": [f"51001:{texts.STUDY_NUDGE.format(done=0, target=1).splitlines()[0][:24]}"],
        "leave": [f"51001:{texts.LEAVE_LAST_DAY.splitlines()[0][:24]}"],
        "reflection": [f"51001:{texts.REFLECTION_PROMPT.splitlines()[0][:24]}"],
    }
    for kind, want in expected.items():
        assert small_sent[kind] == want, kind
    assert len(small_sent["catch-up"]) == 1 and small_sent["catch-up"][0].startswith("51001:")
    assert {t.split(":")[0] for t in small_sent["promise"]} == {"51001", "52001"}  # the promise, and the digest
    assert [t for t in small_sent["leave-not-back"] if t.startswith("52001:")]
    assert len(small_sent["month-end"]) == 2  # the month's figures, and Friday's study check
    assert {t.split(":")[0] for t in small_sent["term"]} == {"51001", "52001"}
    assert small_sent["comment"] and small_sent["comment"][0].startswith("51001:")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_changes_mark_the_rules_they_move(db: Database, clock: FrozenClock, chat: Chat) -> None:
    await register_cadre(db, clock)
    scheduler = ReminderScheduler(db, {}, clock, collectors=default_collectors())
    await scheduler.tick()
    async with db.unit_of_work() as uow:
        person = (await uow.people.all())[0]
        nudge = await uow.due.next_at(person.id, "nudge")
        duty = await uow.due.next_at(person.id, "obligation")
        promise = await uow.due.next_at(person.id, "promise")
    assert nudge == sh(2026, 7, 15, 20, 30) and duty == sh(2026, 7, 17, 17, 0) and promise is None
    await chat.say("走访东坪村3组李某某家，答应下周回访")  # a promise: the promise rule is looked at again
    async with db.unit_of_work() as uow:
        assert await uow.due.next_at(person.id, "promise") == STALE
        assert await uow.due.next_at(person.id, "nudge") == nudge  # an entry does not move the nudge's time
    await scheduler.tick()
    async with db.unit_of_work() as uow:
        assert await uow.due.next_at(person.id, "promise") == sh(2026, 7, 20, 9, 0)
    await chat.say("/timezone Asia/Urumqi")  # a setting that moves every time of his
    await scheduler.tick()
    async with db.unit_of_work() as uow:
        urumqi = ZoneInfo("Asia/Urumqi")
        # 10:00 in Shanghai is 08:00 in Urumqi: his morning offer at 08:30 is next
        assert await uow.due.next_at(person.id, "nudge") == dt.datetime(2026, 7, 15, 8, 30, tzinfo=urumqi).astimezone(
            dt.UTC
        )
    await chat.say("/quiet 20:00-21:00")  # the nudge at 20:30 waits for 21:00, and is looked at again then
    clock.now = dt.datetime(2026, 7, 15, 20, 31, tzinfo=urumqi).astimezone(dt.UTC)
    await scheduler.tick()
    async with db.unit_of_work() as uow:
        assert await uow.due.next_at(person.id, "nudge") == dt.datetime(2026, 7, 15, 21, 0, tzinfo=urumqi).astimezone(
            dt.UTC
        )
    await scheduler.stop()
