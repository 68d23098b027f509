"""Statements on the message path executed on the session's connection, not through the ORM.

`Session.execute` runs every statement that names a mapped class (select(PersonRow.id), update(InboxRow)) through
the ORM's execution machinery: autoflush, its compile state, ORM result loading or the bulk-update strategy. A
statement that only reads columns or changes rows by key needs none of it; on its connection (the session's
own, in the same transaction) it costs about 0.1 ms less (a third of an UPDATE's whole unit of work on SQLite),
and a message makes several. Objects added or changed in the session are flushed first, as the ORM would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["execute_plain"]


async def execute_plain(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> CursorResult[Any]:
    if session.new or session.dirty or session.deleted:
        await session.flush()  # what autoflush would have done: the statement sees the session's changes
    connection = await session.connection()
    return await connection.execute(statement, params)
