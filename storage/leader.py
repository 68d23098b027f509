"""Coordination of several instances on one PostgreSQL, through session advisory locks held on dedicated
connections (each its own NullPool engine, never returned to a pool): PostgreSQL drops an instance's locks with
its connection, so a dead instance (SIGKILL, OOM, a machine lost: TCP keepalives below) gives up everything it
held without anyone waiting for a lease to run out.

- `SchedulerLeadership`: the one instance that polls getUpdates and runs the scheduler holds one lock; the others
  try to take it every few seconds (`watch`).
- `ChatClaims`: an instance handles a chat's inbox rows only while it holds that chat's lock, so one chat's rows
  are handled by one instance at a time, in order; the same connection LISTENs for rows stored by the others.

SQLite deployments are single-instance: there, the one process always leads and needs no claims.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import zlib
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import is_sqlite, normalise_url

logger = logging.getLogger(__name__)

LOCK_KEY = 0x636164726C6F67  # "cadrlog": one lock per database, taken by the scheduler's leader
# Chat locks use PostgreSQL's other key space (two int4 keys: pg_locks.objsubid 2, never the leader's bigint):
# this namespace, and a hash of the chat. Two chats with one hash share a lock: harmless, they take turns.
CHAT_NAMESPACE = 0x63686174  # "chat"
NOTIFY_CHANNEL = "cadrelog_inbox"
# Let the server notice a vanished instance (no FIN, e.g. a machine lost) within about 25 seconds.
KEEPALIVES = ("SET tcp_keepalives_idle = 10", "SET tcp_keepalives_interval = 5", "SET tcp_keepalives_count = 3")
ERRORS = (DBAPIError, SQLAlchemyError, OSError)
# pg_stat_activity.application_name of the dedicated connections: which process holds what, for an operator
_WHO = f"{socket.gethostname()[:30]} pid {os.getpid()}"
LEADER_APPLICATION, CLAIMS_APPLICATION = "cadrelog leader", "cadrelog claims"
_PEERS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE :prefix"
)

# The keys in the order given, locked until `n` are taken (the executor stops pulling rows at the LIMIT).
_CLAIM = text("SELECT k FROM unnest(:keys) AS k WHERE pg_try_advisory_lock(:ns, k) LIMIT :n").bindparams(
    bindparam("keys", type_=ARRAY(Integer))
)
_RELEASE = text("SELECT count(*) FROM unnest(:keys) AS k WHERE pg_advisory_unlock(:ns, k)").bindparams(
    bindparam("keys", type_=ARRAY(Integer))
)


async def _dedicated(url: str, role: str) -> tuple[AsyncEngine, AsyncConnection]:
    """A connection of its own (autocommit, keepalives on), outside every pool, named for pg_stat_activity."""
    engine = create_async_engine(
        url,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"server_settings": {"application_name": f"{role} {_WHO}"}},
    )
    try:
        conn = await engine.connect()
        for statement in KEEPALIVES:
            await conn.execute(text(statement))
    except BaseException:
        await engine.dispose()
        raise
    return engine, conn


async def _close(engine: AsyncEngine | None, conn: AsyncConnection | None) -> None:
    if conn is not None:
        with contextlib.suppress(*ERRORS):
            await conn.close()
    if engine is not None:
        with contextlib.suppress(*ERRORS):
            await engine.dispose()


def chat_key(platform: str, chat: str) -> int:
    """The chat's lock key: a signed int4, the same in every process (crc32, not Python's salted hash)."""
    value = zlib.crc32(f"{platform}\x1f{chat}".encode())
    return value - (1 << 32) if value >= 1 << 31 else value


class SchedulerLeadership:
    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        self._url = normalise_url(url)
        self._key = key
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None
        self._lock = asyncio.Lock()  # one statement at a time on the connection (the watch and the ticks)
        self._leading = asyncio.Event()
        self._watch: asyncio.Task[None] | None = None

    @property
    def single_instance(self) -> bool:
        return is_sqlite(self._url)

    @property
    def leading(self) -> bool:
        """Whether this instance led when last checked."""
        return self.single_instance or self._leading.is_set()

    async def held(self) -> bool:
        """True if this instance leads now: it holds the lock (its connection checked alive) or has just taken
        it. The connection is kept while following too: a try is one statement, not a new connection."""
        if self.single_instance:
            return True
        async with self._lock:
            leading = self._leading.is_set()
            if self._conn is None:
                try:
                    self._engine, self._conn = await _dedicated(self._url, LEADER_APPLICATION)
                except ERRORS as exc:
                    logger.warning("cannot reach the database to take the leader lock: %s", type(exc).__name__)
                    return False
            try:
                if leading:
                    await self._conn.execute(text("SELECT 1"))
                    return True
                statement = text("SELECT pg_try_advisory_lock(:key)")
                taken = bool((await self._conn.execute(statement, {"key": self._key})).scalar())
            except ERRORS:
                if leading:
                    logger.warning("lost the leader lock's connection; trying to take the lock again")
                await self._drop()
                return False
            if taken:
                self._leading.set()
                logger.info("this instance now leads: it polls for updates and runs the scheduler (lock taken)")
            return taken

    async def wait_leading(self) -> None:
        """Return once this instance leads (at once on SQLite)."""
        if not self.single_instance:
            await self._leading.wait()

    def watch(self, every: float) -> None:
        """Check the lock every `every` seconds in the background: the leader that its connection is alive, the
        others whether the leader is gone (its lock with it) so that one of them takes over."""
        if self.single_instance or self._watch is not None:
            return
        self._watch = asyncio.create_task(self._watching(every))

    async def _watching(self, every: float) -> None:
        while True:
            try:
                await self.held()
            except Exception:  # never let the watch die: the next round tries again
                logger.exception("checking the leader lock failed")
            await asyncio.sleep(every)

    async def _drop(self) -> None:
        conn, engine = self._conn, self._engine
        self._conn = self._engine = None
        leading = self._leading.is_set()
        self._leading.clear()
        if conn is not None and leading:
            with contextlib.suppress(*ERRORS):  # gone: the lock went with it
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        await _close(engine, conn)

    async def release(self) -> None:
        """Stop watching and give the lock up (closing the connection releases it on the server in any case)."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        async with self._lock:
            await self._drop()


class ChatClaims:
    """The chats this instance handles now, each held by a session advisory lock on one dedicated connection,
    which also LISTENs for rows stored by the other instances. Used by one task at a time (the inbox's scanner):
    an asyncpg connection runs one statement at a time."""

    def __init__(self, url: str) -> None:
        self._url = normalise_url(url)
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None
        self._on_notify: Callable[[str], None] | None = None
        self._keys: dict[int, set[tuple[str, str]]] = {}  # lock key -> the chats held under it
        self.token = os.urandom(6).hex()  # this instance's notifications carry it, so it can skip its own

    def holds(self, chat: tuple[str, str]) -> bool:
        return chat in self._keys.get(chat_key(*chat), ())

    def chats(self) -> list[tuple[str, str]]:
        """The chats held now."""
        return [chat for chats in self._keys.values() for chat in chats]

    async def connect(self, on_notify: Callable[[str], None]) -> None:
        """Open the connection and listen; `on_notify` gets the payload of every notification."""
        self._on_notify = on_notify
        await self._connection()

    async def _connection(self) -> AsyncConnection:
        if self._conn is not None:
            return self._conn
        self._keys.clear()  # a new session holds nothing
        engine, conn = await _dedicated(self._url, CLAIMS_APPLICATION)
        try:
            raw = await conn.get_raw_connection()
            await raw.driver_connection.add_listener(NOTIFY_CHANNEL, self._notified)  # type: ignore[union-attr]
        except BaseException:
            await _close(engine, conn)
            raise
        self._engine, self._conn = engine, conn
        return conn

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if self._on_notify is not None and payload != self.token:
            self._on_notify(payload)

    async def peers(self) -> int:
        """How many instances share the chats now (their claims' connections, this one's included)."""
        conn = await self._connection()
        try:
            return int((await conn.execute(_PEERS, {"prefix": f"{CLAIMS_APPLICATION} %"})).scalar_one())
        except ERRORS:
            await self.lost()
            raise

    async def claim(self, chats: Sequence[tuple[str, str]], at_most: int) -> set[tuple[str, str]]:
        """Take the locks of these chats (not held yet) where no other instance holds them, in the order given,
        `at_most` of them: the chats taken."""
        wanted: dict[int, list[tuple[str, str]]] = {}
        for chat in chats:
            wanted.setdefault(chat_key(*chat), []).append(chat)
        taken: set[tuple[str, str]] = set()
        for key in [k for k in wanted if k in self._keys]:  # already ours (another chat with the same key)
            self._keys[key].update(wanted.pop(key))
            taken.update(self._keys[key])
        if wanted:
            conn = await self._connection()
            try:
                result = await conn.execute(_CLAIM, {"keys": list(wanted), "ns": CHAT_NAMESPACE, "n": at_most})
            except ERRORS:
                await self.lost()
                raise
            for key in result.scalars():
                self._keys[int(key)] = set(wanted[int(key)])
                taken.update(wanted[int(key)])
        return taken

    async def release(self, chats: Collection[tuple[str, str]]) -> None:
        """Let these chats go (a lock is released once none of its chats is held)."""
        free: list[int] = []
        for chat in chats:
            key = chat_key(*chat)
            held = self._keys.get(key)
            if held is None:
                continue
            held.discard(chat)
            if not held:
                del self._keys[key]
                free.append(key)
        if free and self._conn is not None:
            try:
                await self._conn.execute(_RELEASE, {"keys": free, "ns": CHAT_NAMESPACE})
            except ERRORS:
                await self.lost()
                raise

    async def lost(self) -> None:
        """The connection failed: its locks are gone on the server; the next claim connects again."""
        engine, conn = self._engine, self._conn
        self._engine = self._conn = None
        self._keys.clear()
        logger.warning("lost the chat claims' connection; the chats in hand are finished, then claimed again")
        await _close(engine, conn)

    async def close(self) -> None:
        """Release every chat (closing the connection does it on the server)."""
        engine, conn = self._engine, self._conn
        self._engine = self._conn = None
        self._keys.clear()
        await _close(engine, conn)
