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

from sqlalchemy import CursorResult, bindparam, delete, exists, func, select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import InboxRow
from storage.plain import execute_plain

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
    # no ORM objects of inbox rows are ever loaded: not evaluating the criteria against the session's objects
    # saves a third of the statement's cost
    .execution_options(synchronize_session=False)
)
_EARLIER = aliased(InboxRow, name="earlier")
# PostgreSQL (several instances): a row is only marked handled once no earlier row of its chat is unhandled. The
# chat claims (storage/leader.py) keep one chat on one instance; this keeps one chat's rows in order even if a
# claim was lost unnoticed (the claims' connection broken while rows were in hand): a row handled out of turn
# finds no row to mark, and its transaction is rolled back.
_ANSWER_IN_TURN = _ANSWER.where(
    ~exists().where(
        _EARLIER.platform == InboxRow.platform,
        _EARLIER.chat == InboxRow.chat,
        _EARLIER.state == NEW,
        _EARLIER.id < InboxRow.id,
    )
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
    replies: dict[str, Any] | None = None  # set for a row handled, its reply not (known to be) sent


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
        rows = (await execute_plain(self._s, stmt)).all()
        return [PendingMessage(r.id, r.platform, r.chat, r.payload or {}) for r in rows]

    async def waiting_chats(self, platforms: Collection[str], limit: int) -> list[tuple[str, str]]:
        """The chats with rows unhandled or unanswered, the longest waiting first (several instances: the chats
        an instance may claim)."""
        stmt = (
            select(InboxRow.platform, InboxRow.chat)
            .where(InboxRow.state.in_((NEW, ANSWERED)), InboxRow.platform.in_(list(platforms)))
            .group_by(InboxRow.platform, InboxRow.chat)
            .order_by(func.min(InboxRow.id))
            .limit(limit)
        )
        return [(str(r.platform), str(r.chat)) for r in (await self._s.execute(stmt)).all()]

    async def of_chats(
        self, chats: Collection[tuple[str, str]], limit: int, after: int = 0, unanswered: bool = True
    ) -> list[PendingMessage]:
        """These chats' unhandled rows of ids above `after`, oldest first, and with `unanswered` those handled
        but not (known to be) answered too: a chat's new owner sends the replies its last owner recorded but
        did not send."""
        if not chats:
            return []
        states = (NEW, ANSWERED) if unanswered else (NEW,)
        stmt = (
            select(InboxRow.id, InboxRow.platform, InboxRow.chat, InboxRow.payload, InboxRow.replies, InboxRow.state)
            .where(
                InboxRow.state.in_(states),
                InboxRow.id > after,
                tuple_(InboxRow.platform, InboxRow.chat).in_(list(chats)),
            )
            .order_by(InboxRow.id)
            .limit(limit)
        )
        return [_claimable(r) for r in (await self._s.execute(stmt)).all()]

    async def notify(self, channel: str, payload: str) -> None:
        """Tell the other instances (PostgreSQL LISTEN) that rows were stored; sent when the transaction commits."""
        await self._s.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload})

    async def count_pending(self, platforms: Collection[str]) -> int:
        stmt = select(func.count()).where(InboxRow.state == NEW, InboxRow.platform.in_(list(platforms)))
        return int((await execute_plain(self._s, stmt)).scalar_one())

    async def answer(self, row_id: int, replies: dict[str, Any], now: dt.datetime) -> bool:
        """Mark a row handled, with the reply to send; False if it was handled already (by another worker): the
        caller then rolls back, so the message has its effects once."""
        params = {"row_id": row_id, "replies": replies, "now": now}
        bind = self._s.bind
        statement = _ANSWER_IN_TURN if bind is not None and bind.dialect.name == "postgresql" else _ANSWER
        return (await execute_plain(self._s, statement, params)).rowcount == 1

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
            await execute_plain(
                self._s, update(InboxRow).where(InboxRow.id.in_(list(row_ids))).values(state=DONE, replies=None)
            )

    async def prune(self, before: dt.datetime) -> int:
        """Forget the keys of rows handled before `before` (a redelivery that late is handled again)."""
        stmt = delete(InboxRow).where(InboxRow.state == DONE, InboxRow.handled_at < before)
        result = cast(CursorResult[Any], await self._s.execute(stmt))
        return max(result.rowcount, 0)


def _claimable(row: Any) -> PendingMessage:
    replies = (row.replies or {}) if row.state == ANSWERED else None
    return PendingMessage(row.id, row.platform, row.chat, row.payload or {}, replies)
