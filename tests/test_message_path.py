"""The light message path: SQLite's calls in the event loop's thread (storage/db.py InlineSqlite) and a plain
Telegram text update read from its JSON (bot/channels/telegram.py plain_text_incoming)."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from telegram import Bot, Update

import storage.db as db_module
from bot.channels.telegram import plain_text_incoming, to_incoming
from storage.db import Database, InlineSqlite
from storage.models import IdentityRow, PersonRow
from storage.plain import execute_plain

NOW = dt.datetime(2026, 7, 15, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "cadrelog.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


async def add_person(db: Database, name: str) -> int:
    async with db.unit_of_work() as uow:
        person = await uow.people.add(name=name, role="cadre", timezone="Asia/Shanghai", now=NOW)
        await uow.commit()
        return person.id


async def test_sqlite_runs_in_the_loops_thread(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        async with db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            assert isinstance(raw.driver_connection, InlineSqlite)
        threads = threading.active_count()
        person = await add_person(db, "王明")
        async with db.unit_of_work() as uow:
            found = await uow.people.get(person)
        assert found is not None and found.name == "王明"
        assert threading.active_count() == threads  # no driver thread started per connection
    finally:
        await db.dispose()


async def test_a_locked_file_is_waited_for_without_blocking_the_loop(sqlite_url: str) -> None:
    """Our other connection holds the write lock in an open transaction: the second writer must give way to the
    loop (else the first could never commit, and both would fail) and succeed once the lock is free."""
    first, second = Database(sqlite_url), Database(sqlite_url)
    try:
        holding = asyncio.Event()
        release = asyncio.Event()

        async def hold_lock() -> None:
            async with first.unit_of_work() as uow:
                await uow.people.add(name="甲", role="cadre", timezone="Asia/Shanghai", now=NOW)  # write lock taken
                holding.set()
                await release.wait()  # only the loop can set it: a blocked loop would never get here
                await uow.commit()

        holder = asyncio.create_task(hold_lock())
        await holding.wait()
        writer = asyncio.create_task(add_person(second, "乙"))
        started = time.monotonic()
        for _ in range(20):  # the writer is now retrying, and the loop keeps turning
            await asyncio.sleep(0)
        assert not writer.done()
        assert time.monotonic() - started < 1.0  # not one of SQLite's own busy waits (seconds, the loop blocked)
        release.set()
        await holder
        await writer
        async with second.unit_of_work() as uow:
            names = (await uow._session.execute(text("SELECT name FROM people ORDER BY id"))).scalars().all()
        assert names == ["甲", "乙"]
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_plain_statement_sees_what_the_session_has_not_flushed_yet(db: Database) -> None:
    """storage/plain.py runs the message path's statements on the session's connection, past the ORM's autoflush:
    objects added in the same unit of work must still be written first, as the ORM would have done."""
    async with db.unit_of_work() as uow:
        session = uow._session  # ORM objects added the way a repository adds them
        person = PersonRow(name="王明", role="cadre", timezone="Asia/Shanghai", active=True, created_at=NOW)
        session.add(person)
        await session.flush()
        session.add(IdentityRow(person_id=person.id, channel="telegram", external_id="51001", created_at=NOW))
        assert session.new  # not written yet
        found = await uow.people.by_identity("telegram", "51001")
        assert found is not None and found.id == person.id
        assert (await execute_plain(session, text("SELECT count(*) FROM identities"))).scalar() == 1
        await uow.commit()


async def test_a_lock_never_released_fails_after_the_timeout(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "LOCK_TIMEOUT", 0.05)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))  # another process's connection
    other.execute("BEGIN IMMEDIATE")
    db = Database(sqlite_url)
    try:
        loop_turns = 0

        async def count_turns() -> None:
            nonlocal loop_turns
            while True:
                loop_turns += 1
                await asyncio.sleep(0)

        counter = asyncio.create_task(count_turns())
        started = time.monotonic()
        with pytest.raises(Exception, match="database is locked"):
            await add_person(db, "丙")
        counter.cancel()
        assert loop_turns > 1  # the wait let other tasks run
        assert time.monotonic() - started < 1.0  # LOCK_TIMEOUT, not a wait inside SQLite
    finally:
        other.rollback()
        other.close()
        await db.dispose()
    db = Database(sqlite_url)  # and once the lock is gone, writing works
    try:
        assert await add_person(db, "丙") > 0
    finally:
        await db.dispose()


def _update(message: dict[str, Any], update_id: int = 1) -> dict[str, Any]:
    return {"update_id": update_id, "message": message}


def _message(text: Any = "上午走访东坪村3户", **fields: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 17,
        "date": 1784080000,
        "chat": {"id": 60001, "type": "private", "first_name": "明"},
        "from": {"id": 60001, "is_bot": False, "first_name": "明", "last_name": "王"},
        "text": text,
    }
    message.update(fields)
    return message


BOT = Bot("123456:TEST")


@pytest.mark.parametrize(
    "data",
    [
        _update(_message()),
        _update(_message("")),
        _update(_message("🙂 走访 \u200b\u202e 石桥村 \U0001f1e8\U0001f1f3 ｆｕｌｌ width")),
        _update(_message("长" * 5000)),
        _update(_message("/today@cadrelog_bot", entities=[{"type": "bot_command", "offset": 0, "length": 19}])),
        _update(_message(**{"from": {"id": 60002, "is_bot": False, "first_name": "明"}})),
        _update(_message(**{"from": {"id": 60002, "is_bot": False, "first_name": "明", "last_name": ""}})),
        _update(_message(chat={"id": -100123, "type": "supergroup", "title": "群"})),
        _update(_message(chat={"id": 9007199254740993, "type": "private"})),
    ],
)
def test_a_plain_text_update_reads_as_ptb_reads_it(data: dict[str, Any]) -> None:
    fast = plain_text_incoming(data)
    assert fast is not None
    assert fast == to_incoming(Update.de_json(data, BOT))


@pytest.mark.parametrize(
    "data",
    [
        {"update_id": 1, "edited_message": _message()},
        _update(_message(photo=[{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}], caption="图")),
        _update(_message(None, voice={"file_id": "a", "file_unique_id": "b", "duration": 3})),
        _update(_message(location={"latitude": 26.1, "longitude": 107.5})),
        {"update_id": 1, "callback_query": {"id": "1", "from": {"id": 1, "is_bot": False, "first_name": "x"}}},
        _update(_message(**{"from": None})),
        _update(_message(12345)),
        _update(_message(date="yesterday")),
        _update(_message(chat={"id": "60001", "type": "private"})),
        _update(_message(**{"from": {"id": 60001, "is_bot": False}})),
        {"update_id": 1},
        {"update_id": 1, "message": "text"},
        {"update_id": 1, "message": _message(), "edited_message": _message()},
    ],
)
def test_anything_else_is_left_to_ptb(data: dict[str, Any]) -> None:
    assert plain_text_incoming(data) is None
