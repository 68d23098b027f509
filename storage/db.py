"""Database: the async engine, its sessions and the unit of work."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.uow import UnitOfWork

logger = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Give plain sqlite:// and postgresql:// URLs their async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder (0700) and the file (0600) of a SQLite database so a fresh clone needs no set-up and
    nobody else on the machine can read the records (SQLite gives its -wal and -shm files the file's mode)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:" and "mode=memory" not in url:
        path = Path(database)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # an empty file is an empty database
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class Database:
    """Own the engine; hand out one unit of work per message or job."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        ensure_sqlite_dir(self.url)
        # Every session ends its own transaction (commit, or rollback on close), so the pool need not roll
        # back again when a connection comes back: that would be one more round trip to the database thread.
        engine_kwargs.setdefault("pool_reset_on_return", None)
        # A failed statement's message must not carry its parameters (message texts, names) into the log.
        engine_kwargs.setdefault("hide_parameters", True)
        if is_sqlite(self.url) and make_url(self.url).database not in (None, "", ":memory:"):
            engine_kwargs.setdefault("connect_args", {"timeout": 30})
            # One writer at a time anyway: with one connection, units of work queue in the pool (asyncio)
            # instead of polling for the file lock, whose back-off sleeps showed as latency spikes.
            engine_kwargs.setdefault("pool_size", 1)
            engine_kwargs.setdefault("max_overflow", 0)
        self.engine: AsyncEngine = create_async_engine(self.url, **engine_kwargs)
        if is_sqlite(self.url):
            event.listen(self.engine.sync_engine, "connect", _sqlite_connect)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """Open a session; closing it without commit() rolls everything back."""
        async with self._sessions() as session:
            yield UnitOfWork(session)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # The sqlite3 module begins a transaction just before the first write, so reads run concurrently in
    # WAL mode and only writes queue for the file lock (busy_timeout). Its lazy BEGIN makes RELEASE
    # SAVEPOINT commit unfinished work, so storage/ never uses savepoints (begin_nested): duplicates are
    # skipped with INSERT … ON CONFLICT DO NOTHING instead. tests/test_architecture.py holds to that.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()
