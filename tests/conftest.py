"""Fixtures: real databases (SQLite files; PostgreSQL via TEST_DATABASE_URL), a frozen clock, a chat helper."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from analysis.classify import warm_up
from handlers import admin, build_router
from handlers.context import HandlerSettings
from handlers.messages import IncomingAttachment, IncomingMessage, Reply
from handlers.router import Dispatcher
from storage.db import Database, normalise_url
from storage.migrate import upgrade_to_head
from storage.models import Base

SH = ZoneInfo("Asia/Shanghai")
PG_SKIP = (
    "PostgreSQL tests skipped: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run them "
    "(CI sets it and requires them)"
)


@pytest.fixture(scope="session", autouse=True)
def _jieba_ready() -> None:
    warm_up()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


def _pg_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the PostgreSQL tests: TEST_DATABASE_URL is not set")
        pytest.skip(PG_SKIP)
    return url


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A private database on the PostgreSQL test server, migrated once for the session."""
    url = _pg_url()
    assert url is not None
    name = f"cadrelog_test_{uuid.uuid4().hex[:10]}"
    _pg_admin(url, f'CREATE DATABASE "{name}"')
    scoped = make_url(normalise_url(url)).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(scoped)
    yield scoped
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_admin(url: str, sql: str) -> None:
    async def run() -> None:
        engine = create_async_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "cadrelog.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_schema_url")
    _truncate(url)
    return url


def _truncate(url: str) -> None:
    async def run() -> None:
        engine = create_async_engine(normalise_url(url))
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


class FrozenClock:
    """The current time, moved only by the test."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock() -> FrozenClock:
    # Wednesday 2026-07-15 10:00 in Shanghai: inside the test posting.
    return FrozenClock(dt.datetime(2026, 7, 15, 10, 0, tzinfo=SH).astimezone(dt.UTC))


@pytest.fixture
def dispatcher(db: Database, clock: FrozenClock) -> Dispatcher:
    return Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings())


class Chat:
    """Talk to the dispatcher as a user would: text in, Reply out."""

    def __init__(
        self, dispatcher: Dispatcher, clock: FrozenClock, user: str = "51001", channel: str = "telegram"
    ) -> None:
        self.dispatcher = dispatcher
        self.clock = clock
        self.user = user
        self.channel = channel
        self._ids = iter(range(1, 10**9))

    def message(self, text: str, **kwargs: object) -> IncomingMessage:
        fields: dict[str, object] = {
            "channel": self.channel,
            "chat_id": self.user,
            "user_id": self.user,
            "user_name": "王明",
            "text": text,
            "sent_at": self.clock(),
            "message_id": f"m{next(self._ids)}",
        }
        fields.update(kwargs)
        return IncomingMessage(**fields)  # type: ignore[arg-type]

    async def say(self, text: str, **kwargs: object) -> Reply:
        return await self.dispatcher.dispatch(self.message(text, **kwargs))

    async def press(self, data: str) -> Reply:
        return await self.dispatcher.dispatch(self.message("", callback_data=data, message_id=None))

    async def send_attachment(self, kind: str, caption: str = "", **fields: object) -> Reply:
        attachment = IncomingAttachment(kind=kind, **fields)  # type: ignore[arg-type]
        return await self.dispatcher.dispatch(self.message(caption, attachments=(attachment,)))


@pytest.fixture
def chat(dispatcher: Dispatcher, clock: FrozenClock) -> Chat:
    return Chat(dispatcher, clock)


async def register_cadre(
    db: Database,
    clock: Callable[[], dt.datetime],
    telegram_id: str = "51001",
    name: str = "王明",
    start: dt.date = dt.date(2026, 6, 1),
    end: dt.date = dt.date(2026, 11, 30),
) -> None:
    async with db.unit_of_work() as uow:
        await admin.add_cadre(
            uow,
            name=name,
            identities=[("telegram", telegram_id)],
            host_unit="青山镇人民政府",
            position="党委副书记",
            sending_unit="市审计局",
            start=start,
            end=end,
            timezone="Asia/Shanghai",
            now=clock(),
        )
        await uow.commit()


async def register_supervisor(
    db: Database, clock: Callable[[], dt.datetime], telegram_id: str = "52001", cadres: tuple[str, ...] = ("51001",)
) -> None:
    async with db.unit_of_work() as uow:
        await admin.add_supervisor(
            uow,
            name="李华",
            identities=[("telegram", telegram_id)],
            cadres=list(cadres),
            timezone="Asia/Shanghai",
            now=clock(),
        )
        await uow.commit()


@pytest.fixture
async def cadre(db: Database, clock: FrozenClock) -> str:
    await register_cadre(db, clock)
    return "51001"
