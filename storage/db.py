"""Database: the async engine, its sessions and the unit of work."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
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
            # One writer at a time anyway: with one connection, units of work queue in the pool (asyncio)
            # instead of polling for the file lock, whose back-off sleeps showed as latency spikes.
            engine_kwargs.setdefault("pool_size", 1)
            engine_kwargs.setdefault("max_overflow", 0)
        if is_sqlite(self.url):
            engine_kwargs.setdefault("async_creator", _inline_sqlite_creator(self.url))
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
    cur.execute("PRAGMA busy_timeout=0")  # a locked file is waited for by InlineSqlite, without blocking the loop
    cur.close()


# -- SQLite in the event loop's thread ------------------------------------------------------------------------
# aiosqlite runs every call (cursor, execute, fetchall, close, commit) in a thread of its own and wakes the event
# loop for each result: about fourteen thread hops per message, which cost far more than SQLite's own work
# (0.07 ms a message, measured; bench/ingest.py). SQLite is a library call, not a network round trip: its calls
# here run in the loop's thread, through aiosqlite's interface (so SQLAlchemy's aiosqlite dialect is unchanged).
# A statement that finds the file locked (another process, or our other connection mid-transaction) is not
# waited for inside SQLite, which would block the loop and with it the transaction holding the lock: the call
# gives way to the loop and is tried again, as SQLite's busy handler would, until LOCK_TIMEOUT.
LOCK_TIMEOUT = 5.0  # seconds a statement waits for a locked database file before it fails
_LOCK_RETRY_FIRST, _LOCK_RETRY_MAX = 0.001, 0.01  # seconds between tries (doubling): an ack waits on them
_SQLITE_BUSY = 5  # not SQLITE_BUSY_SNAPSHOT (517): a stale read snapshot never gets the lock; it must roll back


class InlineSqlite(aiosqlite.Connection):
    """An aiosqlite connection whose calls run in the calling thread (no worker thread, no hop)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _Immediate()  # type: ignore[assignment]  # aiosqlite's queue, for what uses it directly

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        deadline, delay = 0.0, _LOCK_RETRY_FIRST
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != _SQLITE_BUSY:
                    raise
                now = time.monotonic()
                deadline = deadline or now + LOCK_TIMEOUT
                if now >= deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, _LOCK_RETRY_MAX)

    async def _connect(self) -> InlineSqlite:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Any:  # no worker thread to start
        return self._connect().__await__()

    def stop(self) -> asyncio.Future[Any] | None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        return None


class _Immediate:
    """Stands in for aiosqlite's queue to its worker thread: runs the call at once and settles its future."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to whoever awaits the future, as aiosqlite's thread does
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


def _inline_sqlite_creator(url: str) -> Callable[[], Any]:
    """SQLAlchemy's async_creator: the URL's sqlite3.connect arguments (file, uri=…), without sqlite3's own
    busy wait, usable from any thread (the pool hands a connection to one unit of work at a time)."""
    parsed = make_url(url)
    args, kwargs = parsed.get_dialect()().create_connect_args(parsed)
    options: dict[str, Any] = {**kwargs, "timeout": 0, "check_same_thread": False}
    database: str = args[0]

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **options)
        return connection

    async def connect() -> InlineSqlite:
        connection = InlineSqlite(connector)
        await connection
        return connection

    return connect
