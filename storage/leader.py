"""Which instance runs the scheduler: on PostgreSQL, the one holding a session advisory lock on a dedicated
connection (its own NullPool engine, never returned to a pool). If that instance dies, PostgreSQL drops the
lock with the connection and the next instance to try takes it. SQLite deployments are single-instance:
there, the one process is always the leader.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import is_sqlite, normalise_url

logger = logging.getLogger(__name__)

LOCK_KEY = 0x636164726C6F67  # "cadrlog": one lock per database, taken by the scheduler's leader
# Let the server notice a vanished leader (no FIN, e.g. a machine lost) within about 25 seconds.
KEEPALIVES = ("SET tcp_keepalives_idle = 10", "SET tcp_keepalives_interval = 5", "SET tcp_keepalives_count = 3")


class SchedulerLeadership:
    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        self._url = normalise_url(url)
        self._key = key
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None

    @property
    def single_instance(self) -> bool:
        return is_sqlite(self._url)

    async def held(self) -> bool:
        """True if this instance leads now: it holds the lock (checked alive) or has just taken it."""
        if self.single_instance:
            return True
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except (DBAPIError, SQLAlchemyError, OSError):
                logger.warning("lost the scheduler lock's connection; trying to take the lock again")
                await self.release()
        return await self._try_take()

    async def _try_take(self) -> bool:
        engine = create_async_engine(self._url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            conn = await engine.connect()
        except (DBAPIError, SQLAlchemyError, OSError) as exc:
            logger.warning("cannot reach the database to take the scheduler lock: %s", type(exc).__name__)
            await engine.dispose()
            return False
        try:
            for statement in KEEPALIVES:
                await conn.execute(text(statement))
            taken = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})).scalar())
        except (DBAPIError, SQLAlchemyError, OSError):
            taken = False
        if not taken:
            await conn.close()
            await engine.dispose()
            return False
        self._engine, self._conn = engine, conn
        logger.info("this instance now runs the scheduler (PostgreSQL advisory lock taken)")
        return True

    async def release(self) -> None:
        """Give the lock up (closing the connection releases it on the server in any case)."""
        conn, engine = self._conn, self._engine
        self._conn = self._engine = None
        if conn is not None:
            with contextlib.suppress(DBAPIError, SQLAlchemyError, OSError):  # gone: the lock went with it
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            with contextlib.suppress(DBAPIError, SQLAlchemyError, OSError):
                await conn.close()
        if engine is not None:
            await engine.dispose()
