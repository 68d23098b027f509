"""The durable inbox: every incoming update is stored (keyed by the platform's identity of the message) before
the platform is told it arrived, handled once, and its reply kept until it has been sent.

A row goes "new" (payload kept) -> "answered" (handled in the same transaction as the handler's effects; payload
removed, reply kept) -> "done" (reply sent; reply removed, key kept so that a redelivery does nothing) -> pruned
after the retention period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxRow

NEW, ANSWERED, DONE = "new", "answered", "done"
_INSERTS = {
    name: dialect.insert(InboxRow.__table__)
    .on_conflict_do_nothing(index_elements=["platform", "key"])
    .returning(InboxRow.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
# once per message: built once (statement construction costs more than its execution on SQLite)
_ANSWER = (
    update(InboxRow)
    .where(InboxRow.id == bindparam("row_id"), InboxRow.state == NEW)
    .values(state=ANSWERED, payload=None, replies=bindparam("replies"), handled_at=bindparam("now"))
)


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One update as received: its platform, its key there, its chat (for ordering) and what to handle."""

    platform: str
    key: str
    chat: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PendingMessage:
    id: int
    platform: str
    chat: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UnsentReply:
    id: int
    platform: str
    chat: str
    replies: dict[str, Any]


class InboxRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, items: Sequence[InboxItem], now: dt.datetime) -> int:
        """Store a batch in one statement; keys already stored are skipped. Return how many rows are new."""
        if not items:
            return 0
        unique = list({(i.platform, i.key): i for i in items}.values())
        values = [
            {
                "platform": i.platform,
                "key": i.key,
                "chat": i.chat,
                "state": NEW,
                "payload": i.payload,
                "received_at": now,
            }
            for i in unique
        ]
        dialect = self._s.bind.dialect.name if self._s.bind is not None else ""
        # executemany with RETURNING: SQLAlchemy sends it as one INSERT … VALUES (…), (…) … statement (its
        # "insertmanyvalues"), compiled once and cached, unlike a statement built with .values([...]) each time
        result = await self._s.execute(_INSERTS[dialect], values)
        return len(result.all())

    async def pending(self, platforms: Collection[str], limit: int, after: int = 0) -> list[PendingMessage]:
        """The oldest unhandled rows of these platforms, of ids above `after`."""
        stmt = (
            select(InboxRow.id, InboxRow.platform, InboxRow.chat, InboxRow.payload)
            .where(InboxRow.state == NEW, InboxRow.id > after, InboxRow.platform.in_(list(platforms)))
            .order_by(InboxRow.id)
            .limit(limit)
        )
        rows = (await self._s.execute(stmt)).all()
        return [PendingMessage(r.id, r.platform, r.chat, r.payload or {}) for r in rows]

    async def count_pending(self, platforms: Collection[str]) -> int:
        stmt = select(func.count()).where(InboxRow.state == NEW, InboxRow.platform.in_(list(platforms)))
        return int((await self._s.execute(stmt)).scalar_one())

    async def answer(self, row_id: int, replies: dict[str, Any], now: dt.datetime) -> bool:
        """Mark a row handled, with the reply to send; False if it was handled already (by another worker): the
        caller then rolls back, so the message has its effects once."""
        params = {"row_id": row_id, "replies": replies, "now": now}
        result = cast(CursorResult[Any], await self._s.execute(_ANSWER, params))
        return result.rowcount == 1

    async def unsent(self, platforms: Collection[str]) -> list[UnsentReply]:
        """Replies committed but not (known to be) sent: the process stopped in between."""
        stmt = (
            select(InboxRow.id, InboxRow.platform, InboxRow.chat, InboxRow.replies)
            .where(InboxRow.state == ANSWERED, InboxRow.platform.in_(list(platforms)))
            .order_by(InboxRow.id)
        )
        return [UnsentReply(r.id, r.platform, r.chat, r.replies or {}) for r in (await self._s.execute(stmt)).all()]

    async def sent(self, row_ids: Collection[int]) -> None:
        """The replies of these rows went out: forget them, keep the keys."""
        if row_ids:
            await self._s.execute(
                update(InboxRow).where(InboxRow.id.in_(list(row_ids))).values(state=DONE, replies=None)
            )

    async def prune(self, before: dt.datetime) -> int:
        """Forget the keys of rows handled before `before` (a redelivery that late is handled again)."""
        stmt = delete(InboxRow).where(InboxRow.state == DONE, InboxRow.handled_at < before)
        result = cast(CursorResult[Any], await self._s.execute(stmt))
        return max(result.rowcount, 0)
