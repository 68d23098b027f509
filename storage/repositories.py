"""Repositories: intent-named async methods that speak in entities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any, cast

from sqlalchemy import (
    Insert,
    String,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast  # typing.cast is the plain name here
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.expression import ColumnElement

from storage.entities import (
    Attachment,
    AuditRecord,
    CommentNote,
    ConsoleSession,
    ConsoleUser,
    Conversation,
    Entry,
    EntryBrief,
    EntryMark,
    Identity,
    ImportedPlace,
    Invite,
    Person,
    Place,
    PlaceImport,
    Posting,
    Reminder,
)
from storage.models import (
    DUE_RULES,
    DUE_STALE,
    AttachmentRow,
    AuditRow,
    CalendarDayRow,
    CommentRow,
    ConsoleLoginFailureRow,
    ConsoleSessionRow,
    ConsoleUserRow,
    ConversationRow,
    DeliveryRow,
    DueRow,
    EntryRevisionRow,
    EntryRow,
    IdentityRow,
    InviteRow,
    PersonRow,
    PlaceRow,
    PostingRow,
    ReminderRow,
    ReportRow,
    SupervisionRow,
    UTCDateTime,
)
from storage.plain import execute_plain


class StorageError(Exception):
    """Base of the storage layer's expected failures."""


class DuplicateIdentity(StorageError):
    def __init__(self, channel: str, external_id: str) -> None:
        super().__init__(f"{channel}:{external_id} is already registered")
        self.channel = channel
        self.external_id = external_id


class DuplicateSource(StorageError):
    """The platform message was stored already (a redelivery)."""


def _posting(row: PostingRow) -> Posting:
    return Posting(
        id=row.id,
        host_unit=row.host_unit,
        position=row.position,
        sending_unit=row.sending_unit,
        start_date=row.start_date,
        end_date=row.end_date,
        batch=row.batch,
    )


def _person_fields(row: Any) -> dict[str, Any]:
    """A person's own columns, from an ORM row or a plain one."""
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "timezone": row.timezone,
        "active": row.active,
        "settings": dict(row.settings or {}),
    }


def _person(row: PersonRow) -> Person:
    return Person(**_person_fields(row), posting=_posting(row.postings[-1]) if row.postings else None)


def _attachment(row: AttachmentRow) -> Attachment:
    return Attachment(
        id=row.id,
        kind=row.kind,
        file_id=row.file_id,
        file_name=row.file_name,
        mime_type=row.mime_type,
        latitude=row.latitude,
        longitude=row.longitude,
        received_at=row.received_at,
    )


def _entry(row: Any, attachments: tuple[Attachment, ...] | None = None) -> Entry:
    return Entry(
        id=row.id,
        seq=row.seq,
        person_id=row.person_id,
        kind=row.kind,
        work_date=row.work_date,
        text=row.text,
        original_text=row.original_text,
        categories=tuple(row.categories or ()),
        categories_by_user=row.categories_by_user,
        kind_by_user=row.kind_by_user,
        facts=dict(row.facts or {}),
        details=dict(row.details or {}),
        status=row.status,
        latitude=row.latitude,
        longitude=row.longitude,
        created_at=row.created_at,
        updated_at=row.updated_at,
        attachments=attachments if attachments is not None else tuple(_attachment(a) for a in row.attachments),
        starred=bool(row.starred),
        excluded=bool(row.excluded),
    )


def _active_between(columns: Any, person_ids: Collection[int], start: dt.date, end: dt.date) -> Any:
    """SELECT `columns` of many people's active entries dated in [start, end], by person, date and number."""
    table = EntryRow.__table__
    return (
        select(*columns)
        .where(
            table.c.person_id.in_(list(person_ids)),
            table.c.status == "active",
            table.c.work_date >= start,
            table.c.work_date <= end,
        )
        .order_by(table.c.person_id, table.c.work_date, table.c.seq)
    )


_PROMISES = EntryRow.details["promises"].as_string()  # the array as JSON text, on SQLite and PostgreSQL
_HAS_PROMISES = and_(_PROMISES.is_not(None), _PROMISES != "[]")

# The statements of the capture path are built once; per message only their parameters change.
# Every message starts with this lookup: plain columns (no ORM identity map), the current posting joined in.
_CURRENT_POSTING = (
    select(func.max(PostingRow.id)).where(PostingRow.person_id == PersonRow.id).correlate(PersonRow).scalar_subquery()
)
_OTHER_IDENTITY = aliased(IdentityRow)
_BY_IDENTITY = (
    select(
        PersonRow.id,
        PersonRow.name,
        PersonRow.role,
        PersonRow.timezone,
        PersonRow.active,
        PersonRow.settings,
        IdentityRow.blocked_at,
        IdentityRow.last_seen_at,
        select(_OTHER_IDENTITY.id)
        .where(
            _OTHER_IDENTITY.person_id == PersonRow.id,
            _OTHER_IDENTITY.id != IdentityRow.id,
            _OTHER_IDENTITY.last_seen_at.is_not(None),
            or_(IdentityRow.last_seen_at.is_(None), _OTHER_IDENTITY.last_seen_at > IdentityRow.last_seen_at),
        )
        .exists()
        .label("seen_elsewhere_since"),
        PostingRow.id.label("posting_id"),
        PostingRow.host_unit,
        PostingRow.position,
        PostingRow.sending_unit,
        PostingRow.start_date,
        PostingRow.end_date,
        PostingRow.batch,
        ConversationRow.state.label("conversation"),
        ConversationRow.expires_at.label("conversation_expires"),
        select(AttachmentRow.id)
        .where(AttachmentRow.person_id == PersonRow.id, AttachmentRow.entry_id.is_(None))
        .exists()
        .label("loose_attachments"),
    )
    .join(IdentityRow, IdentityRow.person_id == PersonRow.id)
    .outerjoin(PostingRow, PostingRow.id == _CURRENT_POSTING)
    .outerjoin(ConversationRow, ConversationRow.person_id == PersonRow.id)
    .where(IdentityRow.channel == bindparam("channel"), IdentityRow.external_id == bindparam("external_id"))
)
_ADOPT_ORPHANS = (
    update(AttachmentRow)
    .where(
        AttachmentRow.person_id == bindparam("person"),
        AttachmentRow.entry_id.is_(None),
        AttachmentRow.received_at >= bindparam("since", type_=UTCDateTime()),
    )
    .values(entry_id=bindparam("entry"))
    .returning(AttachmentRow.id)
    .execution_options(synchronize_session=False)
)
_ENTRY_FIELDS = (
    "person_id",
    "kind",
    "work_date",
    "text",
    "original_text",
    "categories",
    "categories_by_user",
    "kind_by_user",
    "facts",
    "details",
    "status",
    "source_channel",
    "source_chat",
    "source_message",
    "created_at",
    "updated_at",
)


SOURCE_KEY = ("source_channel", "source_chat", "source_message")


def _insert_ignoring_duplicates(dialect: str, table: Any, key: tuple[str, ...]) -> Insert:
    """INSERT … ON CONFLICT (key) DO NOTHING: a duplicate of `key` is skipped without a savepoint (see
    storage/db.py); a clash on any other unique constraint still raises."""
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(key))
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(key))
    return insert(table)


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else ""


NUMBERING_LOCK = 1  # the first key of PostgreSQL advisory locks taken while numbering a person's rows


async def _lock_numbering(session: AsyncSession, person_id: int) -> None:
    """Hold, until the transaction ends, the right to number this person's rows (max + 1).

    Two messages of one person handled at once (two channels, two instances) would otherwise take the same
    number. SQLite needs nothing: it has one writer at a time.
    """
    if _dialect(session) == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(NUMBERING_LOCK, person_id)))


def _entry_insert(dialect: str) -> Insert:
    next_seq = (
        select(func.coalesce(func.max(EntryRow.seq), 0) + 1)
        .where(EntryRow.person_id == bindparam("person_id"))
        .scalar_subquery()
    )
    table = EntryRow.__table__
    values = {name: bindparam(name, type_=table.c[name].type) for name in _ENTRY_FIELDS}
    # One statement for the number, the row and the redelivery check: no savepoint, no re-read. Only the
    # platform's message key is "already stored"; two numbers clashing must fail loudly, not pass as one.
    base = _insert_ignoring_duplicates(dialect, table, SOURCE_KEY)
    return base.values(seq=next_seq, **values).returning(*table.columns)


_ENTRY_INSERTS = {dialect: _entry_insert(dialect) for dialect in ("postgresql", "sqlite")}


class PeopleRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, *, name: str, role: str, timezone: str, now: dt.datetime) -> Person:
        row = PersonRow(name=name, role=role, timezone=timezone, active=True, created_at=now)
        self._s.add(row)
        await self._s.flush()
        await DueRepo(self._s).ensure([row.id])  # his reminder rules, computed at the next tick
        return Person(id=row.id, name=name, role=role, timezone=timezone, active=True, posting=None)

    async def get(self, person_id: int) -> Person | None:
        stmt = select(PersonRow).options(joinedload(PersonRow.postings)).where(PersonRow.id == person_id)
        result = await self._s.execute(stmt.execution_options(populate_existing=True))
        row = result.unique().scalar_one_or_none()
        return _person(row) if row is not None else None

    async def by_identity(self, channel: str, external_id: str) -> Person | None:
        row = (await execute_plain(self._s, _BY_IDENTITY, {"channel": channel, "external_id": external_id})).first()
        if row is None:
            return None
        posting = None
        if row.posting_id is not None:
            posting = Posting(
                id=row.posting_id,
                host_unit=row.host_unit,
                position=row.position,
                sending_unit=row.sending_unit,
                start_date=row.start_date,
                end_date=row.end_date,
                batch=row.batch,
            )
        return Person(
            **_person_fields(row),
            posting=posting,
            conversation=row.conversation,
            conversation_expires=row.conversation_expires,
            loose_attachments=bool(row.loose_attachments),
            blocked=row.blocked_at is not None,
            seen_at=row.last_seen_at,
            seen_elsewhere_since=bool(row.seen_elsewhere_since),
        )

    async def add_identity(self, person_id: int, channel: str, external_id: str, now: dt.datetime) -> Identity:
        existing = await self._s.execute(
            select(IdentityRow.id).where(IdentityRow.channel == channel, IdentityRow.external_id == external_id)
        )
        if existing.first() is not None:
            raise DuplicateIdentity(channel, external_id)
        self._s.add(IdentityRow(person_id=person_id, channel=channel, external_id=external_id, created_at=now))
        await self._s.flush()
        return Identity(channel=channel, external_id=external_id, person_id=person_id)

    async def identities(self, person_id: int) -> list[Identity]:
        rows = await self._s.scalars(
            select(IdentityRow).where(IdentityRow.person_id == person_id).order_by(IdentityRow.id)
        )
        return [Identity(r.channel, r.external_id, r.person_id, r.blocked_at, r.last_seen_at) for r in rows]

    async def identities_of(self, person_ids: Collection[int]) -> dict[int, list[Identity]]:
        """Every identity of many people in one query."""
        found: dict[int, list[Identity]] = {}
        if not person_ids:
            return found
        rows = await self._s.scalars(
            select(IdentityRow).where(IdentityRow.person_id.in_(list(person_ids))).order_by(IdentityRow.id)
        )
        for r in rows:
            found.setdefault(r.person_id, []).append(
                Identity(r.channel, r.external_id, r.person_id, r.blocked_at, r.last_seen_at)
            )
        return found

    async def seen(self, channel: str, external_id: str, now: dt.datetime) -> None:
        """He wrote through this account now (and so can be written to again, if he had blocked us)."""
        await self._s.execute(
            update(IdentityRow)
            .where(IdentityRow.channel == channel, IdentityRow.external_id == external_id)
            .values(last_seen_at=now, blocked_at=None)
        )

    async def move_identities(self, from_person: int, to_person: int) -> None:
        """Every account of one person becomes another's (linking a Telegram and a WeCom account)."""
        await self._s.execute(
            update(IdentityRow).where(IdentityRow.person_id == from_person).values(person_id=to_person)
        )

    async def set_blocked(self, channel: str, external_id: str, blocked_at: dt.datetime | None) -> None:
        """Record that the platform refused delivery to this address (403), or that it works again."""
        await self._s.execute(
            update(IdentityRow)
            .where(IdentityRow.channel == channel, IdentityRow.external_id == external_id)
            .values(blocked_at=blocked_at)
        )

    async def update_settings(self, person_id: int, settings: dict[str, Any]) -> None:
        row = await self._s.get(PersonRow, person_id)
        if row is not None:
            row.settings = dict(settings)
            await self._s.flush()
            await _mark_due(self._s, person_id)  # quiet hours move when a held reminder is looked at again

    async def supervision_pairs(self) -> list[tuple[int, int]]:
        """Every (supervisor id, cadre id) pair."""
        rows = await self._s.execute(select(SupervisionRow.supervisor_id, SupervisionRow.cadre_id))
        return [(s, c) for s, c in rows]

    async def set_posting(self, person_id: int, now: dt.datetime, **fields: Any) -> Posting:
        """Update the person's current posting (creating it if needed) with the given fields."""
        row = (
            await self._s.scalars(
                select(PostingRow).where(PostingRow.person_id == person_id).order_by(PostingRow.id.desc())
            )
        ).first()
        if row is None:
            row = PostingRow(person_id=person_id, created_at=now)
            self._s.add(row)
        for key, value in fields.items():
            if key not in {"host_unit", "position", "sending_unit", "start_date", "end_date", "batch"}:
                raise ValueError(f"unknown posting field {key}")
            setattr(row, key, value)
        await self._s.flush()
        await _mark_due(self._s, person_id)
        return _posting(row)

    async def rename(self, person_id: int, name: str) -> None:
        row = await self._s.get(PersonRow, person_id)
        if row is not None:
            row.name = name
            await self._s.flush()

    async def set_timezone(self, person_id: int, timezone: str) -> None:
        row = await self._s.get(PersonRow, person_id)
        if row is not None:
            row.timezone = timezone
            await self._s.flush()
            await _mark_due(self._s, person_id)

    async def deactivate(self, person_id: int, now: dt.datetime) -> None:
        row = await self._s.get(PersonRow, person_id)
        if row is not None:
            row.active = False
            row.removed_at = now
            await self._s.flush()

    async def supervise(self, supervisor_id: int, cadre_id: int) -> None:
        if await self._s.get(SupervisionRow, (supervisor_id, cadre_id)) is None:
            self._s.add(SupervisionRow(supervisor_id=supervisor_id, cadre_id=cadre_id))
            await self._s.flush()

    async def supervisors_of(self, cadre_id: int) -> list[Person]:
        stmt = (
            select(PersonRow)
            .join(SupervisionRow, SupervisionRow.supervisor_id == PersonRow.id)
            .where(SupervisionRow.cadre_id == cadre_id, PersonRow.active.is_(True))
            .options(joinedload(PersonRow.postings))
            .order_by(PersonRow.id)
        )
        return [_person(r) for r in (await self._s.scalars(stmt)).unique()]

    async def supervised_by(self, supervisor_id: int) -> list[Person]:
        stmt = (
            select(PersonRow)
            .join(SupervisionRow, SupervisionRow.cadre_id == PersonRow.id)
            .where(SupervisionRow.supervisor_id == supervisor_id)
            .options(joinedload(PersonRow.postings))
            .order_by(PersonRow.id)
        )
        return [_person(r) for r in (await self._s.scalars(stmt)).unique()]

    async def all(self) -> list[Person]:
        stmt = select(PersonRow).options(joinedload(PersonRow.postings)).order_by(PersonRow.id)
        return [_person(r) for r in (await self._s.scalars(stmt)).unique()]

    async def named(self, name: str, role: str | None = None) -> list[Person]:
        """Everyone (active or not) with exactly this name, optionally of one role, oldest first."""
        stmt = select(PersonRow).options(joinedload(PersonRow.postings)).where(PersonRow.name == name)
        if role is not None:
            stmt = stmt.where(PersonRow.role == role)
        return [_person(r) for r in (await self._s.scalars(stmt.order_by(PersonRow.id))).unique()]

    async def reactivate(self, person_id: int) -> None:
        """Undo a deactivation: he may write again and is reminded again; his records were never removed."""
        row = await self._s.get(PersonRow, person_id)
        if row is not None:
            row.active = True
            row.removed_at = None
            await self._s.flush()
            await _mark_due(self._s, person_id)

    async def cadres_in_batch(self, batch: str) -> list[Person]:
        """The active cadres whose current posting belongs to this batch, in the order they were registered."""
        stmt = (
            select(PersonRow)
            .join(PostingRow, PostingRow.person_id == PersonRow.id)
            .where(PostingRow.batch == batch, PersonRow.role == "cadre", PersonRow.active.is_(True))
            .options(joinedload(PersonRow.postings))
        )
        found = [_person(r) for r in (await self._s.scalars(stmt)).unique()]
        chosen = [p for p in found if p.posting is not None and p.posting.batch == batch]  # his latest posting's
        return sorted(chosen, key=lambda p: p.id)

    async def batches(self) -> dict[str, int]:
        """Every batch named on a posting, with its number of active cadres (0 when all are removed)."""
        rows = await self._s.execute(
            select(PostingRow.batch, func.count(func.distinct(PersonRow.id)).filter(PersonRow.active.is_(True)))
            .join(PersonRow, PersonRow.id == PostingRow.person_id)
            .where(PostingRow.batch.is_not(None), PersonRow.role == "cadre")
            .group_by(PostingRow.batch)
            .order_by(PostingRow.batch)
        )
        return {str(batch): int(count) for batch, count in rows}

    async def unsupervise(self, supervisor_id: int, cadre_id: int) -> bool:
        """End one supervisor-cadre assignment; return False if there was none."""
        row = await self._s.get(SupervisionRow, (supervisor_id, cadre_id))
        if row is None:
            return False
        await self._s.delete(row)
        await self._s.flush()
        return True


class InviteRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, *, code: str, role: str, name: str | None, now: dt.datetime, expires_at: dt.datetime) -> Invite:
        self._s.add(InviteRow(code=code, role=role, name=name, created_at=now, expires_at=expires_at))
        await self._s.flush()
        return Invite(code=code, role=role, name=name, expires_at=expires_at, used_at=None)

    async def get(self, code: str) -> Invite | None:
        row = (await self._s.scalars(select(InviteRow).where(InviteRow.code == code))).first()
        if row is None:
            return None
        return Invite(code=row.code, role=row.role, name=row.name, expires_at=row.expires_at, used_at=row.used_at)

    async def mark_used(self, code: str, person_id: int, now: dt.datetime) -> bool:
        """Use the code once, atomically; return False if it is unknown or was used meanwhile."""
        stmt = (
            update(InviteRow)
            .where(InviteRow.code == code, InviteRow.used_at.is_(None))
            .values(used_at=now, used_by=person_id)
            .returning(InviteRow.id)
            .execution_options(synchronize_session=False)
        )
        return (await self._s.execute(stmt)).first() is not None

    async def recent(self, limit: int = 100) -> list[Invite]:
        """The newest invites, used, expired or open."""
        rows = await self._s.scalars(select(InviteRow).order_by(InviteRow.id.desc()).limit(limit))
        return [Invite(code=r.code, role=r.role, name=r.name, expires_at=r.expires_at, used_at=r.used_at) for r in rows]

    async def revoke(self, code: str, now: dt.datetime) -> bool:
        """End an unused, unexpired code now; return False if there was none such."""
        stmt = (
            update(InviteRow)
            .where(InviteRow.code == code, InviteRow.used_at.is_(None), InviteRow.expires_at > now)
            .values(expires_at=now)
            .returning(InviteRow.id)
            .execution_options(synchronize_session=False)
        )
        return (await self._s.execute(stmt)).first() is not None


class EntryRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(
        self,
        *,
        person_id: int,
        kind: str,
        work_date: dt.date,
        text: str,
        categories: list[str],
        facts: dict[str, Any],
        details: dict[str, Any],
        status: str,
        now: dt.datetime,
        source: tuple[str, str, str] | None = None,
        kind_by_user: bool = False,
    ) -> Entry:
        """Insert the entry numbered next for the person; raise DuplicateSource if the message is stored."""
        channel, chat, message = source if source else (None, None, None)
        params = {
            "person_id": person_id,
            "kind": kind,
            "work_date": work_date,
            "text": text,
            "original_text": text,
            "categories": categories,
            "categories_by_user": False,
            "kind_by_user": kind_by_user,
            "facts": facts,
            "details": details,
            "status": status,
            "source_channel": channel,
            "source_chat": chat,
            "source_message": message,
            "created_at": now,
            "updated_at": now,
        }
        await _lock_numbering(self._s, person_id)
        row = (await self._s.execute(_ENTRY_INSERTS[_dialect(self._s)], params)).first()
        if row is None:
            raise DuplicateSource()
        if touched := _rules_touched(kind, details):
            await _mark_due(self._s, person_id, touched)
        return _entry(row, attachments=())

    async def by_source(self, channel: str, chat: str, message: str) -> Entry | None:
        row = (
            await self._s.scalars(
                select(EntryRow).where(
                    EntryRow.source_channel == channel,
                    EntryRow.source_chat == chat,
                    EntryRow.source_message == message,
                )
            )
        ).first()
        return _entry(row) if row is not None else None

    async def by_seq(self, person_id: int, seq: int) -> Entry | None:
        row = await self._row(person_id, seq)
        return _entry(row) if row is not None else None

    async def _row(self, person_id: int, seq: int) -> EntryRow | None:
        return (
            await self._s.scalars(select(EntryRow).where(EntryRow.person_id == person_id, EntryRow.seq == seq))
        ).first()

    async def update(self, person_id: int, seq: int, *, now: dt.datetime, **changes: Any) -> Entry:
        """Change an entry's fields; changing the text records the replaced text as a revision."""
        row = await self._row(person_id, seq)
        if row is None:
            raise LookupError(seq)
        revision_source = changes.pop("revision_source", "command")
        touched = {*_rules_touched(row.kind, row.details), *_rules_touched(changes.get("kind"), changes.get("details"))}
        if "text" in changes and changes["text"] != row.text:
            self._s.add(EntryRevisionRow(entry_id=row.id, text=row.text, replaced_at=now, source=revision_source))
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = now
        if changes.get("status") == "deleted":
            row.deleted_at = now
        elif "status" in changes:
            row.deleted_at = None
        await self._s.flush()
        if touched:
            await _mark_due(self._s, person_id, touched)
        await self._s.refresh(row)
        await self._s.refresh(row, ["attachments"])
        return _entry(row)

    async def revisions(self, entry_id: int) -> list[str]:
        rows = await self._s.scalars(
            select(EntryRevisionRow).where(EntryRevisionRow.entry_id == entry_id).order_by(EntryRevisionRow.id)
        )
        return [r.text for r in rows]

    async def between(self, person_id: int, start: dt.date, end: dt.date, limit: int | None = None) -> list[Entry]:
        stmt = (
            select(EntryRow)
            .where(
                EntryRow.person_id == person_id,
                EntryRow.status == "active",
                EntryRow.work_date >= start,
                EntryRow.work_date <= end,
            )
            .order_by(EntryRow.work_date, EntryRow.seq)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_entry(r) for r in await self._s.scalars(stmt)]

    async def between_for(self, person_ids: Collection[int], start: dt.date, end: dt.date) -> dict[int, list[Entry]]:
        """Many people's active entries in a date range, in one query, by person."""
        found: dict[int, list[Entry]] = {p: [] for p in person_ids}
        if not found:
            return found
        # plain rows, no ORM identity map: thousands of entries load several times faster
        for row in await self._s.execute(_active_between(EntryRow.__table__.columns, found, start, end)):
            found[row.person_id].append(_entry(row, attachments=()))  # summaries need no files
        return found

    async def briefs_for(
        self, person_ids: Collection[int], start: dt.date, end: dt.date
    ) -> dict[int, list[EntryBrief]]:
        """Many people's active entries in a date range, by person, as the scheduler counts them: four columns, no
        facts, categories or files to decode (a Friday's study reminders read a week of entries for every cadre)."""
        found: dict[int, list[EntryBrief]] = {p: [] for p in person_ids}
        if not found:
            return found
        c = EntryRow.__table__.c
        for row in await self._s.execute(
            _active_between((c.person_id, c.kind, c.work_date, c.text, c.details), found, start, end)
        ):
            found[row.person_id].append(EntryBrief(row.kind, row.work_date, row.text, dict(row.details or {})))
        return found

    async def last_work_dates(self, person_ids: Collection[int], until: dt.date | None = None) -> dict[int, dt.date]:
        """For many people in one query: the date of each one's newest work entry (leave notes, plans, summaries
        and own words aside) inside his current posting and not after `until`."""
        if not person_ids:
            return {}
        posting_end = (
            select(PostingRow.end_date)
            .where(PostingRow.person_id == EntryRow.person_id)
            .order_by(PostingRow.id.desc())
            .limit(1)
            .correlate(EntryRow)
            .scalar_subquery()
        )
        role = EntryRow.details["role"].as_string()
        where = [
            EntryRow.person_id.in_(list(person_ids)),
            EntryRow.status == "active",
            EntryRow.kind.not_in(("leave", "back")),
            or_(role.is_(None), role == "work"),
            or_(posting_end.is_(None), EntryRow.work_date <= posting_end),
        ]
        if until is not None:
            where.append(EntryRow.work_date <= until)
        rows = await self._s.execute(
            select(EntryRow.person_id, func.max(EntryRow.work_date)).where(*where).group_by(EntryRow.person_id)
        )
        return {person_id: day for person_id, day in rows}

    async def work_dates_for(
        self, person_ids: Collection[int], start: dt.date, end: dt.date
    ) -> tuple[dict[int, dict[str, list[dt.date]]], list[EntryMark]]:
        """Many people's active entries dated in [start, end] whose stored role is work: the date of each, by
        person and kind, aggregated in the database (one row per person and kind), in one query; and, in a
        second, the entries stored without a role (older ones), for the caller to tell from their words."""
        found: dict[int, dict[str, list[dt.date]]] = {p: {} for p in person_ids}
        if not found:
            return found, []
        role = EntryRow.details["role"].as_string()
        where = [
            EntryRow.person_id.in_(list(found)),
            EntryRow.status == "active",
            EntryRow.work_date >= start,
            EntryRow.work_date <= end,
            EntryRow.kind.not_in(("leave", "back")),
        ]
        dates: ColumnElement[str]
        if _dialect(self._s) == "postgresql":
            dates = func.string_agg(sql_cast(EntryRow.work_date, String), ",", type_=String)
        else:  # SQLite keeps dates as YYYY-MM-DD text
            dates = func.group_concat(sql_cast(EntryRow.work_date, String), ",", type_=String)
        rows = await self._s.execute(
            select(EntryRow.person_id, EntryRow.kind, dates)
            .where(*where, role == "work")
            .group_by(EntryRow.person_id, EntryRow.kind)
        )
        for person_id, kind, joined in rows:
            found[person_id][kind] = [dt.date.fromisoformat(d) for d in (joined or "").split(",") if d]
        unsure = await self._s.execute(
            select(EntryRow.person_id, EntryRow.work_date, EntryRow.kind, EntryRow.text).where(*where, role.is_(None))
        )
        return found, [EntryMark(p, day, kind, None, text) for p, day, kind, text in unsure]

    async def notes_for(self, person_ids: Collection[int]) -> dict[int, list[Entry]]:
        """Many people's active leave notes and visit notes with promises (whole entries), in one query."""
        found: dict[int, list[Entry]] = {p: [] for p in person_ids}
        if not found:
            return found
        table = EntryRow.__table__
        stmt = (
            select(table)
            .where(
                table.c.person_id.in_(list(found)),
                table.c.status == "active",
                or_(table.c.kind == "leave", and_(table.c.kind == "visit", _HAS_PROMISES)),
            )
            .order_by(table.c.person_id, table.c.work_date, table.c.seq)
        )
        for row in await self._s.execute(stmt):
            found[row.person_id].append(_entry(row, attachments=()))
        return found

    async def promises_for(self, person_ids: Collection[int], start: dt.date, end: dt.date) -> dict[int, list[Entry]]:
        """Many people's active entries dated in [start, end] that hold promises, by person, in one query (plain
        rows, no files): the promise reminders read only these, not every entry of half a year."""
        found: dict[int, list[Entry]] = {p: [] for p in person_ids}
        if not found:
            return found
        stmt = _active_between(EntryRow.__table__.columns, found, start, end).where(_HAS_PROMISES)
        for row in await self._s.execute(stmt):
            found[row.person_id].append(_entry(row, attachments=()))
        return found

    async def texts_of(self, person_ids: Collection[int]) -> dict[int, list[str]]:
        """For many people in one query: the text of each one's active entries, oldest first."""
        found: dict[int, list[str]] = {p: [] for p in person_ids}
        if not found:
            return found
        rows = await self._s.execute(
            select(EntryRow.person_id, EntryRow.text)
            .where(EntryRow.person_id.in_(list(found)), EntryRow.status == "active")
            .order_by(EntryRow.person_id, EntryRow.work_date, EntryRow.seq)
        )
        for person_id, text in rows:
            found[person_id].append(text)
        return found

    async def count_between(self, person_id: int, start: dt.date, end: dt.date) -> int:
        return (
            await self._s.scalar(
                select(func.count(EntryRow.id)).where(
                    EntryRow.person_id == person_id,
                    EntryRow.status == "active",
                    EntryRow.work_date >= start,
                    EntryRow.work_date <= end,
                )
            )
            or 0
        )

    async def search(self, person_id: int, words: list[str], limit: int) -> tuple[list[Entry], int]:
        """Return the newest active entries containing every word, and how many match in all."""
        escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
        conditions = [
            or_(EntryRow.text.like(f"%{w}%", escape="\\"), EntryRow.original_text.like(f"%{w}%", escape="\\"))
            for w in escaped
        ]
        where = [EntryRow.person_id == person_id, EntryRow.status == "active", *conditions]
        total = await self._s.scalar(select(func.count(EntryRow.id)).where(*where)) or 0
        rows = await self._s.scalars(
            select(EntryRow).where(*where).order_by(EntryRow.work_date.desc(), EntryRow.seq.desc()).limit(limit)
        )
        return [_entry(r) for r in rows], total

    async def latest_created_since(self, person_id: int, since: dt.datetime) -> Entry | None:
        row = (
            await self._s.scalars(
                select(EntryRow)
                .where(EntryRow.person_id == person_id, EntryRow.created_at >= since, EntryRow.status != "deleted")
                .order_by(EntryRow.created_at.desc(), EntryRow.seq.desc())
            )
        ).first()
        return _entry(row) if row is not None else None

    async def open_leave(self, person_id: int) -> Entry | None:
        """Return the newest leave entry not yet closed by a return."""
        rows = await self._s.scalars(
            select(EntryRow)
            .where(EntryRow.person_id == person_id, EntryRow.kind == "leave", EntryRow.status == "active")
            .order_by(EntryRow.seq.desc())
            .limit(20)
        )
        for row in rows:
            if not (row.details or {}).get("returned_on"):
                return _entry(row)
        return None

    async def open_leaves(self, person_id: int, limit: int = 20) -> list[Entry]:
        """Return the person's active leave entries not yet closed by a return, newest first."""
        rows = await self._s.scalars(
            select(EntryRow)
            .where(EntryRow.person_id == person_id, EntryRow.kind == "leave", EntryRow.status == "active")
            .order_by(EntryRow.seq.desc())
            .limit(limit)
        )
        return [_entry(row) for row in rows if not (row.details or {}).get("returned_on")]

    async def latest_of(self, person_id: int, kinds: tuple[str, ...]) -> Entry | None:
        """Return the person's newest active entry of one of these kinds."""
        row = await self._s.scalar(
            select(EntryRow)
            .where(EntryRow.person_id == person_id, EntryRow.kind.in_(kinds), EntryRow.status == "active")
            .order_by(EntryRow.seq.desc())
            .limit(1)
        )
        return _entry(row) if row is not None else None

    async def close_leave(self, person_id: int, seq: int, *, returned_on: dt.date, by: int, now: dt.datetime) -> Entry:
        """Record that the return numbered `by` ended this leave on `returned_on`."""
        row = await self._row(person_id, seq)
        if row is None:
            raise LookupError(seq)
        details = {**(row.details or {}), "returned_on": returned_on.isoformat(), "closed_by": by}
        return await self.update(person_id, seq, now=now, details=details)

    async def reopen_leave(self, person_id: int, seq: int, *, now: dt.datetime) -> Entry:
        """Forget the return that ended this leave: it is open again, as if never returned from."""
        row = await self._row(person_id, seq)
        if row is None:
            raise LookupError(seq)
        details = {k: v for k, v in (row.details or {}).items() if k not in ("returned_on", "closed_by")}
        return await self.update(person_id, seq, now=now, details=details)

    async def cancel_leave(self, person_id: int, seq: int, *, by: int, now: dt.datetime) -> Entry:
        """Withdraw a leave not taken, because of the return numbered `by` (sent before it began)."""
        row = await self._row(person_id, seq)
        if row is None:
            raise LookupError(seq)
        details = {**(row.details or {}), "cancelled_by": by}
        return await self.update(person_id, seq, now=now, status="deleted", details=details)

    async def reinstate_leave(self, person_id: int, seq: int, *, now: dt.datetime) -> Entry:
        """Bring back a leave a return had cancelled."""
        row = await self._row(person_id, seq)
        if row is None:
            raise LookupError(seq)
        details = {k: v for k, v in (row.details or {}).items() if k != "cancelled_by"}
        return await self.update(person_id, seq, now=now, status="active", details=details)


class AttachmentRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(
        self,
        *,
        person_id: int,
        entry_id: int | None,
        kind: str,
        now: dt.datetime,
        source: tuple[str, str, str] | None,
        **fields: Any,
    ) -> Attachment:
        channel, chat, message = source if source else (None, None, None)
        values = {
            "person_id": person_id,
            "entry_id": entry_id,
            "kind": kind,
            "received_at": now,
            "source_channel": channel,
            "source_chat": chat,
            "source_message": message,
            **fields,
        }
        stmt = _insert_ignoring_duplicates(_dialect(self._s), AttachmentRow.__table__, SOURCE_KEY).values(**values)
        row = (await self._s.execute(stmt.returning(*AttachmentRow.__table__.columns))).first()
        if row is None:
            raise DuplicateSource()
        # The Row of the table's columns carries the attributes _attachment reads; SQLAlchemy types it as a bare Row.
        return _attachment(cast(AttachmentRow, row))

    async def by_source(self, channel: str, chat: str, message: str) -> tuple[Attachment, int | None] | None:
        row = (
            await self._s.scalars(
                select(AttachmentRow).where(
                    AttachmentRow.source_channel == channel,
                    AttachmentRow.source_chat == chat,
                    AttachmentRow.source_message == message,
                )
            )
        ).first()
        return (_attachment(row), row.entry_id) if row is not None else None

    async def adopt_orphans(self, person_id: int, entry_id: int, since: dt.datetime) -> int:
        """Attach the person's loose attachments received since `since` to the entry; return how many."""
        result = await self._s.execute(_ADOPT_ORPHANS, {"person": person_id, "entry": entry_id, "since": since})
        return len(result.all())


class ConversationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, person_id: int, now: dt.datetime) -> Conversation | None:
        row = await self._s.get(ConversationRow, person_id)
        if row is None or row.expires_at <= now:
            return None
        return Conversation(
            person_id=row.person_id, state=row.state, payload=dict(row.payload or {}), expires_at=row.expires_at
        )

    async def set(self, person_id: int, state: str, payload: dict[str, Any], expires_at: dt.datetime) -> None:
        row = await self._s.get(ConversationRow, person_id)
        if row is None:
            self._s.add(ConversationRow(person_id=person_id, state=state, payload=payload, expires_at=expires_at))
        else:
            row.state, row.payload, row.expires_at = state, payload, expires_at
        await self._s.flush()

    async def clear(self, person_id: int) -> None:
        row = await self._s.get(ConversationRow, person_id)
        if row is not None:
            await self._s.delete(row)
            await self._s.flush()


class CalendarRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def replace_year(self, year: int, days: dict[dt.date, tuple[bool, str]], now: dt.datetime) -> None:
        """Make `days` the whole imported schedule of `year`."""
        await self._s.execute(
            delete(CalendarDayRow).where(
                CalendarDayRow.day >= dt.date(year, 1, 1), CalendarDayRow.day <= dt.date(year, 12, 31)
            )
        )
        self._s.add_all(
            CalendarDayRow(day=day, is_workday=workday, name=name[:64], imported_at=now)
            for day, (workday, name) in sorted(days.items())
        )
        await self._s.flush()
        await _mark_due(self._s, None)  # every working-day rule moves with the calendar

    async def imported(self) -> dict[dt.date, bool]:
        """Every imported day: date -> is a working day."""
        rows = await self._s.execute(select(CalendarDayRow.day, CalendarDayRow.is_workday))
        return {day: workday for day, workday in rows}


def _reminder(row: ReminderRow) -> Reminder:
    return Reminder(
        id=row.id,
        seq=row.seq,
        person_id=row.person_id,
        text=row.text,
        repeat=row.repeat,
        weekday=row.weekday,
        clock=row.clock,
        next_at=row.next_at,
        channel=row.channel,
        chat_id=row.chat_id,
        active=row.active,
    )


class ReminderRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, *, person_id: int, now: dt.datetime, **fields: Any) -> Reminder:
        await _lock_numbering(self._s, person_id)
        seq = (
            await self._s.execute(
                select(func.coalesce(func.max(ReminderRow.seq), 0)).where(ReminderRow.person_id == person_id)
            )
        ).scalar_one() + 1
        row = ReminderRow(person_id=person_id, seq=seq, active=True, created_at=now, **fields)
        self._s.add(row)
        await self._s.flush()
        return _reminder(row)

    async def active_for(self, person_id: int) -> list[Reminder]:
        rows = await self._s.scalars(
            select(ReminderRow)
            .where(ReminderRow.person_id == person_id, ReminderRow.active.is_(True))
            .order_by(ReminderRow.seq)
        )
        return [_reminder(r) for r in rows]

    async def count_active(self, person_id: int) -> int:
        return (
            await self._s.scalar(
                select(func.count(ReminderRow.id)).where(
                    ReminderRow.person_id == person_id, ReminderRow.active.is_(True)
                )
            )
            or 0
        )

    async def cancel(self, person_id: int, seq: int, now: dt.datetime) -> Reminder | None:
        """Cancel the person's own reminder; someone else's number is simply not found."""
        row = (
            await self._s.scalars(
                select(ReminderRow).where(
                    ReminderRow.person_id == person_id, ReminderRow.seq == seq, ReminderRow.active.is_(True)
                )
            )
        ).first()
        if row is None:
            return None
        row.active, row.cancelled_at, row.next_at = False, now, None
        await self._s.flush()
        return _reminder(row)

    async def due(self, now: dt.datetime, limit: int = 500) -> list[Reminder]:
        rows = await self._s.scalars(
            select(ReminderRow)
            .where(ReminderRow.active.is_(True), ReminderRow.next_at <= now)
            .order_by(ReminderRow.next_at)
            .limit(limit)
        )
        return [_reminder(r) for r in rows]

    async def retire(self, reminder_ids: Collection[int]) -> None:
        """One-off reminders that have fired: no next time, no longer active."""
        if reminder_ids:
            await self._s.execute(
                update(ReminderRow)
                .where(ReminderRow.id.in_(list(reminder_ids)))
                .values(next_at=None, active=False)
                .execution_options(synchronize_session=False)
            )

    async def advance(self, reminder_id: int, next_at: dt.datetime | None) -> None:
        """Move a reminder to its next time, or retire it (None)."""
        row = await self._s.get(ReminderRow, reminder_id)
        if row is not None:
            row.next_at = next_at
            row.active = next_at is not None
            await self._s.flush()


class DeliveryRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self.enqueued = False  # this unit of work put a message in the outbox

    async def enqueue(
        self, *, key: str, person_id: int, kind: str, channel: str, chat_id: str, text: str, now: dt.datetime
    ) -> bool:
        """Put a message for someone else in the outbox (sent by the scheduler); False if the key was used."""
        row = {
            "key": key,
            "person_id": person_id,
            "kind": kind,
            "due_at": now,
            "created_at": now,
            "channel": channel,
            "outcome": "queued",
            "payload": {"chat_id": chat_id, "text": text},
        }
        added = key in await self.claim_many([row])
        self.enqueued |= added
        return added

    async def take_queued(self, limit: int = 500) -> list[tuple[str, str, dict[str, Any]]]:
        """Move queued messages to pending and return them: (key, channel, payload). Taken once, whoever asks."""
        ids = select(DeliveryRow.id).where(DeliveryRow.outcome == "queued").order_by(DeliveryRow.id).limit(limit)
        rows: Result[str, str, dict[str, Any] | None] = await self._s.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(ids.scalar_subquery()), DeliveryRow.outcome == "queued")
            .values(outcome="pending")
            .returning(DeliveryRow.key, DeliveryRow.channel, DeliveryRow.payload)
            .execution_options(synchronize_session=False)
        )
        return [(key, channel, payload or {}) for key, channel, payload in rows]

    async def claim(
        self,
        *,
        key: str,
        person_id: int | None,
        kind: str,
        due_at: dt.datetime,
        channel: str,
        now: dt.datetime,
        outcome: str = "pending",
    ) -> bool:
        """Record a due delivery under its unique key; False if it was recorded before (sent or being sent)."""
        row = {
            "key": key,
            "person_id": person_id,
            "kind": kind,
            "due_at": due_at,
            "created_at": now,
            "channel": channel,
            "outcome": outcome,
        }
        return key in await self.claim_many([row])

    async def claim_many(self, rows: list[dict[str, Any]]) -> set[str]:
        """claim() for many deliveries in one statement: the keys newly recorded (the others were before)."""
        if not rows:
            return set()
        stmt = (
            _insert_ignoring_duplicates(_dialect(self._s), DeliveryRow.__table__, ("key",))
            .values(rows)
            .returning(DeliveryRow.key)
        )
        return set((await self._s.execute(stmt)).scalars())

    async def exists(self, key: str) -> bool:
        return (await self._s.scalar(select(DeliveryRow.id).where(DeliveryRow.key == key))) is not None

    async def finish_many(self, results: list[tuple[str, str, str | None]], now: dt.datetime) -> None:
        """Record many outcomes at once: (key, outcome, detail) each."""
        if not results:
            return
        table = cast(Table, DeliveryRow.__table__)  # declarative types __table__ as a bare FromClause
        stmt = (
            update(table)
            .where(table.c.key == bindparam("k"))
            .values(outcome=bindparam("o"), detail=bindparam("d"), sent_at=bindparam("s", type_=UTCDateTime()))
        )
        await self._s.execute(
            stmt, [{"k": k, "o": o, "d": d, "s": now if o == "sent" else None} for k, o, d in results]
        )

    async def recent(
        self, limit: int, outcome: str | None = None
    ) -> list[tuple[str, str, dt.datetime, str, str, str | None]]:
        """The newest deliveries: (key, kind, due at, channel, outcome, detail)."""
        stmt = select(DeliveryRow).order_by(DeliveryRow.due_at.desc(), DeliveryRow.id.desc()).limit(limit)
        if outcome is not None:
            stmt = stmt.where(DeliveryRow.outcome == outcome)
        return [(r.key, r.kind, r.due_at, r.channel, r.outcome, r.detail) for r in await self._s.scalars(stmt)]

    async def by_outcome(self) -> dict[str, int]:
        rows = await self._s.execute(
            select(DeliveryRow.outcome, func.count(DeliveryRow.id)).group_by(DeliveryRow.outcome)
        )
        return {outcome: count for outcome, count in rows}

    async def channel_health(self, since: dt.datetime) -> dict[str, tuple[dt.datetime | None, dict[str, int]]]:
        """Per channel: the last delivery sent (ever), and the count of each outcome due since `since`."""
        found: dict[str, tuple[dt.datetime | None, dict[str, int]]] = {}
        last = await self._s.execute(
            select(DeliveryRow.channel, func.max(DeliveryRow.sent_at))
            .where(DeliveryRow.outcome == "sent")
            .group_by(DeliveryRow.channel)
        )
        for channel, sent_at in last:
            found[channel] = (sent_at, {})
        counts = await self._s.execute(
            select(DeliveryRow.channel, DeliveryRow.outcome, func.count(DeliveryRow.id))
            .where(DeliveryRow.due_at >= since)
            .group_by(DeliveryRow.channel, DeliveryRow.outcome)
        )
        for channel, outcome, count in counts:
            found.setdefault(channel, (None, {}))[1][outcome] = count
        return found

    async def blocked_accounts(self) -> dict[str, int]:
        """Per channel, how many accounts have refused delivery (blocked the bot) and not written since."""
        rows = await self._s.execute(
            select(IdentityRow.channel, func.count(IdentityRow.id))
            .where(IdentityRow.blocked_at.is_not(None))
            .group_by(IdentityRow.channel)
        )
        return {channel: count for channel, count in rows}


class CommentRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, *, entry_id: int, author_id: int, text: str, now: dt.datetime) -> int:
        row = CommentRow(entry_id=entry_id, author_id=author_id, text=text, created_at=now)
        self._s.add(row)
        await self._s.flush()
        return row.id

    async def on_entries_of(self, person_id: int, limit: int = 200) -> list[CommentNote]:
        """The comments on a cadre's entries, newest first, with each entry's number and the author's name."""
        rows = await self._s.execute(
            select(EntryRow.seq, EntryRow.work_date, PersonRow.name, CommentRow.text, CommentRow.created_at)
            .join(EntryRow, EntryRow.id == CommentRow.entry_id)
            .join(PersonRow, PersonRow.id == CommentRow.author_id)
            .where(EntryRow.person_id == person_id)
            .order_by(CommentRow.id.desc())
            .limit(limit)
        )
        return [CommentNote(seq, day, name, text, at) for seq, day, name, text, at in rows]


class ReportLogRepo:
    """Which draft reports were compiled, and when."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, *, person_id: int, kind: str, start: dt.date, end: dt.date, now: dt.datetime) -> None:
        self._s.add(ReportRow(person_id=person_id, kind=kind, period_start=start, period_end=end, created_at=now))
        await self._s.flush()

    async def kinds_done(self, person_ids: Collection[int]) -> dict[int, set[str]]:
        """For many people in one query: the kinds of report each has compiled."""
        found: dict[int, set[str]] = {p: set() for p in person_ids}
        if not found:
            return found
        rows = await self._s.execute(
            select(ReportRow.person_id, ReportRow.kind).where(ReportRow.person_id.in_(list(found))).distinct()
        )
        for person_id, kind in rows:
            found[person_id].add(kind)
        return found


def _place(row: PlaceRow) -> Place:
    return Place(
        name=row.name,
        type=row.type,
        aliases=tuple(row.aliases or ()),
        source=row.source,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class PlaceRepo:
    """The places of a cadre's posting: the organisation department's list, one row per name."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def of(self, person_id: int) -> list[Place]:
        return (await self.of_many([person_id]))[person_id]

    async def of_many(self, person_ids: Collection[int]) -> dict[int, list[Place]]:
        """For many people in one query: their places, in the order they were first imported."""
        found: dict[int, list[Place]] = {p: [] for p in person_ids}
        if not found:
            return found
        rows = await self._s.scalars(
            select(PlaceRow).where(PlaceRow.person_id.in_(list(found))).order_by(PlaceRow.person_id, PlaceRow.id)
        )
        for row in rows:
            found[row.person_id].append(_place(row))
        return found

    async def import_list(self, person_id: int, places: Sequence[ImportedPlace], now: dt.datetime) -> PlaceImport:
        """Insert or update the places by name. A new name whose short forms hold an existing name
        renames that place (the way to correct a misspelt name: the old spelling stays a short form)."""
        rows = {r.name: r for r in await self._s.scalars(select(PlaceRow).where(PlaceRow.person_id == person_id))}
        names = {p.name for p in places}
        added = updated = renamed = unchanged = 0
        for place in places:
            name, kind, aliases = place.name, place.type, place.aliases
            row = rows.get(name)
            if row is None:
                old = next((a for a in aliases if a in rows and a not in names), None)
                if old is not None:
                    row = rows.pop(old)
                    row.name = name
                    rows[name] = row
                    renamed += 1
            elif (row.type, tuple(row.aliases or ()), row.source) == (kind, aliases, "imported"):
                unchanged += 1
                continue
            else:
                updated += 1
            if row is None:
                row = PlaceRow(person_id=person_id, name=name, created_at=now)
                self._s.add(row)
                rows[name] = row
                added += 1
            row.type, row.aliases, row.source, row.updated_at = kind, list(aliases), "imported", now
        await self._s.flush()
        return PlaceImport(added=added, updated=updated, renamed=renamed, unchanged=unchanged)


def _console_user(row: ConsoleUserRow) -> ConsoleUser:
    return ConsoleUser(
        id=row.id,
        login=row.login,
        name=row.name,
        role=row.role,
        person_id=row.person_id,
        batches=tuple(row.batches or ()),
        active=row.active,
    )


class ConsoleUserRepo:
    """Accounts of the web console; the password hash never leaves storage except to be verified."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(
        self,
        *,
        login: str,
        name: str,
        role: str,
        password_hash: str,
        person_id: int | None,
        batches: Sequence[str],
        now: dt.datetime,
    ) -> ConsoleUser:
        existing = await self._s.scalar(select(ConsoleUserRow.id).where(ConsoleUserRow.login == login))
        if existing is not None:
            raise DuplicateLogin(login)
        row = ConsoleUserRow(
            login=login,
            name=name,
            role=role,
            password_hash=password_hash,
            person_id=person_id,
            batches=list(batches),
            active=True,
            created_at=now,
        )
        self._s.add(row)
        await self._s.flush()
        return _console_user(row)

    async def credentials(self, login: str) -> tuple[ConsoleUser, str] | None:
        """The account and its password hash, to verify a sign-in."""
        row = await self._s.scalar(select(ConsoleUserRow).where(ConsoleUserRow.login == login))
        return (_console_user(row), row.password_hash) if row is not None else None

    async def signed_in(self, user_id: int, now: dt.datetime, rehashed: str | None = None) -> None:
        values: dict[str, Any] = {"last_login_at": now}
        if rehashed is not None:
            values["password_hash"] = rehashed
        await self._s.execute(update(ConsoleUserRow).where(ConsoleUserRow.id == user_id).values(**values))

    async def all(self) -> list[ConsoleUser]:
        return [_console_user(r) for r in await self._s.scalars(select(ConsoleUserRow).order_by(ConsoleUserRow.id))]


class DuplicateLogin(StorageError):
    def __init__(self, login: str) -> None:
        super().__init__(f"console login {login} exists")
        self.login = login


class ConsoleSessionRepo:
    """Signed-in browsers, by the SHA-256 of their cookie token."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(
        self, *, token_hash: str, user_id: int, csrf_token: str, now: dt.datetime, expires_at: dt.datetime
    ) -> None:
        self._s.add(
            ConsoleSessionRow(
                token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at
            )
        )
        await self._s.flush()

    async def current(self, token_hash: str, now: dt.datetime) -> ConsoleSession | None:
        """The live session of this token with its (active) account, in one query; None when expired or revoked."""
        row = (
            await self._s.execute(
                select(ConsoleSessionRow, ConsoleUserRow)
                .join(ConsoleUserRow, ConsoleUserRow.id == ConsoleSessionRow.user_id)
                .where(
                    ConsoleSessionRow.token_hash == token_hash,
                    ConsoleSessionRow.revoked_at.is_(None),
                    ConsoleSessionRow.expires_at > now,
                    ConsoleUserRow.active.is_(True),
                )
            )
        ).first()
        if row is None:
            return None
        found, user = row
        return ConsoleSession(user=_console_user(user), csrf_token=found.csrf_token, expires_at=found.expires_at)

    async def revoke(self, token_hash: str, now: dt.datetime) -> None:
        await self._s.execute(
            update(ConsoleSessionRow)
            .where(ConsoleSessionRow.token_hash == token_hash, ConsoleSessionRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def purge(self, now: dt.datetime) -> None:
        """Forget sessions that ended more than a day ago."""
        await self._s.execute(
            delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at < now - dt.timedelta(days=1))
        )


class LoginFailureRepo:
    """Failed sign-ins per login name, and the lock they lead to."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def locked_until(self, login: str, now: dt.datetime) -> dt.datetime | None:
        row = await self._s.get(ConsoleLoginFailureRow, login)
        if row is None or row.locked_until is None or row.locked_until <= now:
            return None
        return row.locked_until

    async def record(
        self, login: str, now: dt.datetime, *, limit: int, lock: dt.timedelta, window: dt.timedelta
    ) -> int:
        """Count one failure (failures older than `window` are forgotten); lock at `limit`. The count now."""
        row = await self._s.get(ConsoleLoginFailureRow, login)
        if row is None:
            row = ConsoleLoginFailureRow(login=login, failures=0, last_failed_at=now)
            self._s.add(row)
        elif row.last_failed_at < now - window or (row.locked_until is not None and row.locked_until <= now):
            row.failures, row.locked_until = 0, None  # a lock served, or old mistakes: count afresh
        row.failures += 1
        row.last_failed_at = now
        if row.failures >= limit:
            row.locked_until = now + lock
        await self._s.flush()
        return row.failures

    async def clear(self, login: str) -> None:
        await self._s.execute(delete(ConsoleLoginFailureRow).where(ConsoleLoginFailureRow.login == login))


class AuditRepo:
    """The console's audit log: views, exports, changes, sign-ins."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(
        self, *, user_id: int | None, login: str, action: str, target: str, detail: str = "", now: dt.datetime
    ) -> None:
        self._s.add(
            AuditRow(at=now, user_id=user_id, login=login[:64], action=action, target=target[:256], detail=detail[:512])
        )
        await self._s.flush()

    async def recent(
        self, *, limit: int = 100, offset: int = 0, login: str | None = None, action: str | None = None
    ) -> tuple[list[AuditRecord], int]:
        """The newest records first (and how many match in all)."""
        where = []
        if login:
            where.append(AuditRow.login == login)
        if action:
            where.append(AuditRow.action == action)
        total = await self._s.scalar(select(func.count(AuditRow.id)).where(*where)) or 0
        rows = await self._s.scalars(
            select(AuditRow).where(*where).order_by(AuditRow.id.desc()).limit(limit).offset(offset)
        )
        return [AuditRecord(r.at, r.login, r.action, r.target, r.detail) for r in rows], total


def _rules_touched(kind: str | None, details: dict[str, Any] | None) -> tuple[str, ...]:
    """The rules whose times a written entry can move: a leave or a return moves the leave-ending notices (the
    posting's obligation rule), a visit note's promises the promise rule. Whether a reminder is still needed
    (nothing logged today, no study this week) is decided when it falls due, so other entries move nothing."""
    rules = ("obligation",) if kind in ("leave", "back") else ()
    return (*rules, "promise") if details and details.get("promises") else rules


async def _mark_due(session: AsyncSession, person_id: int | None, rules: Collection[str] | None = None) -> None:
    """Mark a person's due times (or everyone's, with None) to be computed again at the next tick: something
    they are computed from changed (his posting, time zone, settings, a leave or a promise, the calendar)."""
    stmt = update(DueRow).values(next_at=DUE_STALE).execution_options(synchronize_session=False)
    if person_id is not None:
        stmt = stmt.where(DueRow.person_id == person_id)
    if rules is not None:
        stmt = stmt.where(DueRow.rule.in_(list(rules)))
    await session.execute(stmt)


class DueRepo:
    """The next due time of each automatic reminder rule, per person (timing/due.py): a tick reads only the
    rows due now, and moves each on once it has been looked at."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def due(self, rule: str, now: dt.datetime, limit: int = 500) -> list[tuple[int, dt.datetime]]:
        """(person id, due time) of the rows of `rule` due by `now`, the oldest first (one indexed query)."""
        rows = await execute_plain(
            self._s,
            select(DueRow.person_id, DueRow.next_at)
            .where(DueRow.rule == rule, DueRow.next_at <= now)
            .order_by(DueRow.next_at)
            .limit(limit),
        )
        return [(r.person_id, r.next_at) for r in rows if r.next_at is not None]

    async def reschedule(self, rule: str, next_times: dict[int, dt.datetime | None]) -> None:
        """Move many people's rows of one rule on to their next times (one statement)."""
        if not next_times:
            return
        table = cast(Table, DueRow.__table__)
        stmt = (
            update(table)
            .where(table.c.person_id == bindparam("p"), table.c.rule == rule)
            .values(next_at=bindparam("n", type_=UTCDateTime()))
        )
        await self._s.execute(stmt, [{"p": p, "n": n} for p, n in next_times.items()])

    async def ensure(self, person_ids: Collection[int] | None = None) -> None:
        """Give people (everyone, with None) the rows they lack, due at once so the next tick computes them."""
        for rule in DUE_RULES:
            missing = select(PersonRow.id, literal(rule, String()), literal(DUE_STALE, UTCDateTime())).where(
                ~select(DueRow.person_id).where(DueRow.person_id == PersonRow.id, DueRow.rule == rule).exists()
            )
            if person_ids is not None:
                missing = missing.where(PersonRow.id.in_(list(person_ids)))
            await self._s.execute(insert(DueRow).from_select(["person_id", "rule", "next_at"], missing))

    async def mark(self, person_id: int | None, rules: Collection[str] | None = None) -> None:
        await _mark_due(self._s, person_id, rules)

    async def people(self, person_ids: Collection[int]) -> list[Person]:
        """The people with these ids, with their posting (one query)."""
        if not person_ids:
            return []
        stmt = (
            select(PersonRow)
            .options(joinedload(PersonRow.postings))
            .where(PersonRow.id.in_(list(person_ids)))
            .order_by(PersonRow.id)
        )
        return [_person(r) for r in (await self._s.scalars(stmt)).unique()]

    async def any_due(self, now: dt.datetime) -> bool:
        """Whether any person's rule is due by `now` (one indexed probe per rule, in one statement)."""
        probes = [
            select(DueRow.person_id).where(DueRow.rule == rule, DueRow.next_at <= now).limit(1).exists()
            for rule in DUE_RULES
        ]
        return bool((await execute_plain(self._s, select(or_(*probes)))).scalar())

    async def recorded(self, keys: Collection[str]) -> set[str]:
        """Which of these delivery keys are recorded already (one query)."""
        if not keys:
            return set()
        return set(await self._s.scalars(select(DeliveryRow.key).where(DeliveryRow.key.in_(list(keys)))))

    async def logged_on(self, days: Collection[tuple[int, dt.date]]) -> set[tuple[int, dt.date]]:
        """Which (person id, day) pairs have an active entry dated that day (one query)."""
        if not days:
            return set()
        people, dates = {p for p, _ in days}, {d for _, d in days}
        rows = await self._s.execute(
            select(EntryRow.person_id, EntryRow.work_date)
            .where(
                EntryRow.person_id.in_(list(people)),
                EntryRow.status == "active",
                EntryRow.work_date >= min(dates),
                EntryRow.work_date <= max(dates),
            )
            .group_by(EntryRow.person_id, EntryRow.work_date)
        )
        return {(p, d) for p, d in rows if (p, d) in days}

    async def leaves_of(self, person_ids: Collection[int], start: dt.date, end: dt.date) -> dict[int, list[Entry]]:
        """Many people's active leave notes dated in a range, by person (one query)."""
        found: dict[int, list[Entry]] = {p: [] for p in person_ids}
        if not found:
            return found
        table = EntryRow.__table__
        stmt = select(table).where(
            table.c.person_id.in_(list(found)),
            table.c.kind == "leave",
            table.c.status == "active",
            table.c.work_date >= start,
            table.c.work_date <= end,
        )
        for row in await self._s.execute(stmt):
            found[row.person_id].append(_entry(row, attachments=()))
        return found

    async def supervision_of(self, supervisor_ids: Collection[int]) -> list[tuple[int, int]]:
        """The (supervisor id, cadre id) pairs of these supervisors (one query)."""
        if not supervisor_ids:
            return []
        rows = await self._s.execute(
            select(SupervisionRow.supervisor_id, SupervisionRow.cadre_id).where(
                SupervisionRow.supervisor_id.in_(list(supervisor_ids))
            )
        )
        return [(s, c) for s, c in rows]

    async def next_at(self, person_id: int, rule: str) -> dt.datetime | None:
        return await self._s.scalar(select(DueRow.next_at).where(DueRow.person_id == person_id, DueRow.rule == rule))
