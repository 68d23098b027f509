"""One person's bad data never stops the others (the scheduler tick), the SQLite file's modes, and no SQL parameter
of a failed statement in the log."""

from __future__ import annotations

import datetime as dt
import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.scheduler import ReminderScheduler, default_collectors
from handlers import admin, texts
from storage.db import Database
from storage.migrate import upgrade_to_head
from tests.conftest import SH, Chat, FrozenClock, register_cadre, register_supervisor
from tests.test_reminder_settings import Recorder


def local(clock: FrozenClock, *args: int) -> None:
    clock.now = dt.datetime(*args, tzinfo=SH).astimezone(dt.UTC)


async def _break_timezone(db: Database, external_id: str, zone: str = "Mars/Base") -> None:
    """What `admin add-cadre --timezone Mars/Base` stored before the command line checked it."""
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", external_id)
        assert person is not None
        await uow.people.set_timezone(person.id, zone)
        await uow.commit()


async def test_a_bad_time_zone_stops_nobody_else(
    db: Database, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    await register_cadre(db, clock, "51001")
    await register_cadre(db, clock, "51002", name="赵强")
    await register_supervisor(db, clock, "52001", cadres=("51001", "51002"))
    await _break_timezone(db, "51002")
    await _break_timezone(db, "52001", "../../etc/passwd")
    channel = Recorder()
    scheduler = ReminderScheduler(db, {"telegram": channel}, clock, collectors=default_collectors())
    local(clock, 2026, 7, 15, 20, 31)  # a Wednesday evening: the nudge is due for whoever logged nothing
    with caplog.at_level(logging.INFO):
        assert await scheduler.tick() == 1
        local(clock, 2026, 7, 16, 20, 31)  # and the next day, again: the tick goes on every time
        assert await scheduler.tick() == 1
    await scheduler.stop()
    assert [(chat, reply.text) for chat, reply in channel.sent] == [("51001", texts.NUDGE_EVENING)] * 2
    async with db.unit_of_work() as uow:
        listing = await admin.list_deliveries(uow, limit=10, outcome="failed", zone="Asia/Shanghai")
    assert texts.DELIVERY_BAD_TIMEZONE.format(zone="Mars/Base") in listing
    assert texts.DELIVERY_BAD_TIMEZONE.format(zone="../../etc/passwd") in listing
    assert listing.count("Mars/Base") == 2  # once a day, not once a tick
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the log (the console chat shows it)"


async def test_a_bad_time_zone_does_not_stop_his_own_reminders(chat: Chat, db: Database, clock: FrozenClock) -> None:
    await register_cadre(db, clock, "51001")
    await register_cadre(db, clock, "51002", name="赵强")
    other = Chat(chat.dispatcher, clock, user="51002")
    assert (await other.say("/remind 每天 10:30 看工作群")).text.startswith("⏰")
    assert (await chat.say("/remind 30分钟后 给石桥村回电话")).text.startswith("⏰")
    await _break_timezone(db, "51002")
    channel = Recorder()
    scheduler = ReminderScheduler(db, {"telegram": channel}, clock, collectors=default_collectors())
    clock.advance(minutes=31)
    await scheduler.tick()
    clock.advance(minutes=5)
    await scheduler.tick()  # his daily reminder moved on: it does not fire at every tick
    await scheduler.stop()
    own = sorted((chat_id, reply.text) for chat_id, reply in channel.sent if reply.text.startswith("⏰"))
    assert own == [
        ("51001", texts.REMINDER_MESSAGE.format(text="给石桥村回电话")),
        ("51002", texts.REMINDER_MESSAGE.format(text="看工作群")),
    ]


async def test_one_failing_collector_stops_no_other(
    db: Database, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    await register_cadre(db, clock, "51001")
    local(clock, 2026, 7, 15, 20, 31)

    async def broken(uow: object, now: dt.datetime, grace: object) -> list[object]:
        raise LookupError("a bug in one collector")

    channel = Recorder()
    collectors = (broken, *default_collectors())
    scheduler = ReminderScheduler(db, {"telegram": channel}, clock, collectors=collectors)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO):
        assert await scheduler.tick() == 1
    await scheduler.stop()
    assert {r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR} == {
        "collecting broken failed (LookupError); the other deliveries go on"
    }
    assert not [r for r in caplog.records if r.exc_info]


# -- privacy ---------------------------------------------------------------------------------------------------


def test_a_new_sqlite_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "data" / "cadrelog.db"
    upgrade_to_head(f"sqlite:///{path}")  # what `python bot.py` does first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


async def test_its_wal_files_are_private_too(tmp_path: Path, clock: FrozenClock) -> None:
    path = tmp_path / "data" / "cadrelog.db"
    db = Database(f"sqlite:///{path}")
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x TEXT)"))
        await conn.execute(text("INSERT INTO t VALUES ('上午走访东坪村')"))
    for suffix in ("", "-wal", "-shm"):
        assert stat.S_IMODE(Path(f"{path}{suffix}").stat().st_mode) == 0o600, suffix
    await db.dispose()


async def test_no_sql_parameter_of_a_failed_statement_reaches_the_log(
    chat: Chat, cadre: str, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "走访王某某家，身份证号110101199001011234"
    async with db.engine.begin() as conn:  # a real failure of the statement that stores an entry
        if db.engine.dialect.name == "sqlite":
            await conn.execute(
                text("CREATE TRIGGER refuse BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'refused'); END")
            )
        else:
            await conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ "
                    "LANGUAGE plpgsql"
                )
            )
            await conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON entries EXECUTE FUNCTION refuse()"))
    try:
        with caplog.at_level(logging.INFO):
            assert (await chat.say(secret)).text == texts.INTERNAL_ERROR
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(
                text("DROP TRIGGER refuse" + ("" if db.engine.dialect.name == "sqlite" else " ON entries"))
            )
            if db.engine.dialect.name != "sqlite":
                await conn.execute(text("DROP FUNCTION refuse()"))
    logged = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "") for r in caplog.records
    )
    assert "refused" in logged and "INSERT INTO entries" in logged  # the failure itself is logged …
    assert "110101199001011234" not in logged and "王某某" not in logged  # … without what he wrote
