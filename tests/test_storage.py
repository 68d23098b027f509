"""Repositories and migrations on real databases (SQLite files and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database, normalise_url
from storage.models import Base
from storage.repositories import DuplicateIdentity, DuplicateSource

NOW = dt.datetime(2026, 7, 15, 2, 0, tzinfo=dt.UTC)


async def make_person(db: Database, telegram_id: str = "51001") -> int:
    async with db.unit_of_work() as uow:
        person = await uow.people.add(name="王明", role="cadre", timezone="Asia/Shanghai", now=NOW)
        await uow.people.add_identity(person.id, "telegram", telegram_id, NOW)
        await uow.people.set_posting(person.id, NOW, host_unit="青山镇人民政府", start_date=dt.date(2026, 6, 1))
        await uow.commit()
        return person.id


async def add_entry(
    db: Database, person_id: int, text: str, day: dt.date, source: tuple[str, str, str] | None = None
) -> int:
    async with db.unit_of_work() as uow:
        entry = await uow.entries.add(
            person_id=person_id,
            kind="log",
            work_date=day,
            text=text,
            categories=["meeting"],
            facts={"places": []},
            details={},
            status="active",
            now=NOW,
            source=source,
        )
        await uow.commit()
        return entry.seq


async def test_people_and_postings(db: Database) -> None:
    person_id = await make_person(db)
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None and person.id == person_id
        assert person.posting is not None and person.posting.host_unit == "青山镇人民政府"
        assert person.posting.missing_fields() == ("position", "sending_unit", "end_date")
        with pytest.raises(DuplicateIdentity):
            await uow.people.add_identity(person_id, "telegram", "51001", NOW)
        assert await uow.people.by_identity("wecom", "51001") is None


async def test_entry_numbers_are_per_person(db: Database) -> None:
    first = await make_person(db, "51001")
    second = await make_person(db, "51002")
    assert [await add_entry(db, first, f"a{i}", dt.date(2026, 7, 1)) for i in range(3)] == [1, 2, 3]
    assert await add_entry(db, second, "b", dt.date(2026, 7, 1)) == 1
    async with db.unit_of_work() as uow:
        assert (await uow.entries.by_seq(second, 1)).text == "b"  # type: ignore[union-attr]
        assert await uow.entries.by_seq(second, 2) is None


async def test_duplicate_source_is_refused_and_transaction_survives(db: Database) -> None:
    person_id = await make_person(db)
    await add_entry(db, person_id, "first", dt.date(2026, 7, 1), source=("telegram", "51001", "9"))
    async with db.unit_of_work() as uow:
        with pytest.raises(DuplicateSource):
            await uow.entries.add(
                person_id=person_id,
                kind="log",
                work_date=dt.date(2026, 7, 1),
                text="again",
                categories=[],
                facts={},
                details={},
                status="active",
                now=NOW,
                source=("telegram", "51001", "9"),
            )
        # the savepoint rolled back only the duplicate: the session is still usable
        assert (await uow.entries.by_source("telegram", "51001", "9")).text == "first"  # type: ignore[union-attr]


async def test_update_keeps_revisions_and_utc_times(db: Database) -> None:
    person_id = await make_person(db)
    seq = await add_entry(db, person_id, "旧内容", dt.date(2026, 7, 1))
    later = NOW + dt.timedelta(hours=1)
    async with db.unit_of_work() as uow:
        updated = await uow.entries.update(person_id, seq, now=later, text="新内容")
        await uow.commit()
    assert updated.text == "新内容" and updated.original_text == "旧内容"
    assert updated.updated_at == later and updated.updated_at.tzinfo is not None
    async with db.unit_of_work() as uow:
        assert await uow.entries.revisions(updated.id) == ["旧内容"]


async def test_between_search_and_status(db: Database) -> None:
    person_id = await make_person(db)
    for day, text in ((1, "石桥村打井"), (2, "东坪村开会"), (3, "石桥村通水_100%")):
        await add_entry(db, person_id, text, dt.date(2026, 7, day))
    async with db.unit_of_work() as uow:
        assert [e.text for e in await uow.entries.between(person_id, dt.date(2026, 7, 2), dt.date(2026, 7, 3))] == [
            "东坪村开会",
            "石桥村通水_100%",
        ]
        found, total = await uow.entries.search(person_id, ["石桥村"], 10)
        assert total == 2 and [e.seq for e in found] == [3, 1]
        assert (await uow.entries.search(person_id, ["_100%"], 10))[1] == 1
        assert (await uow.entries.search(person_id, ["%"], 10))[1] == 1  # % is literal, not a wildcard
        await uow.entries.update(person_id, 1, now=NOW, status="deleted")
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert (await uow.entries.search(person_id, ["石桥村"], 10))[1] == 1
        assert await uow.entries.count_between(person_id, dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == 2


async def test_uncommitted_work_is_rolled_back(db: Database) -> None:
    person_id = await make_person(db)
    async with db.unit_of_work() as uow:
        await uow.entries.add(
            person_id=person_id,
            kind="log",
            work_date=dt.date(2026, 7, 1),
            text="never committed",
            categories=[],
            facts={},
            details={},
            status="active",
            now=NOW,
        )
    async with db.unit_of_work() as uow:
        assert await uow.entries.count_between(person_id, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 0


async def test_naive_datetimes_are_refused(db: Database) -> None:
    async with db.unit_of_work() as uow:
        with pytest.raises(Exception, match="naive datetime"):
            await uow.people.add(name="x", role="cadre", timezone="Asia/Shanghai", now=dt.datetime(2026, 7, 15))


async def test_conversations_expire(db: Database) -> None:
    person_id = await make_person(db)
    async with db.unit_of_work() as uow:
        await uow.conversations.set(person_id, "profile", {"field": "position"}, NOW + dt.timedelta(hours=1))
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert (await uow.conversations.get(person_id, NOW)).payload == {"field": "position"}  # type: ignore[union-attr]
        assert await uow.conversations.get(person_id, NOW + dt.timedelta(hours=2)) is None


async def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_async_engine(normalise_url(database_url))
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    await engine.dispose()
    assert diff == []


async def test_people_capturing_at_once_each_get_their_own_numbers(db: Database) -> None:
    people = [await make_person(db, str(51100 + i)) for i in range(8)]
    seqs = await asyncio.gather(
        *(
            add_entry(db, pid, f"第{n}条", dt.date(2026, 7, 1), ("telegram", str(pid), str(n)))
            for pid in people
            for n in range(3)
        )
    )
    assert sorted(seqs) == sorted([1, 2, 3] * 8)
    async with db.unit_of_work() as uow:
        for pid in people:
            assert [e.seq for e in await uow.entries.between(pid, dt.date(2026, 7, 1), dt.date(2026, 7, 1))] == [
                1,
                2,
                3,
            ]
