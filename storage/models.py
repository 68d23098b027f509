"""SQLAlchemy 2 ORM models. Datetimes are stored in UTC and come back aware."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Store aware datetimes as UTC; reject naive ones; return aware UTC (SQLite returns naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    removed_at: Mapped[dt.datetime | None]
    # Reminder settings he changes in chat: {"off": [kinds], "paused_until": iso UTC, "quiet": "22:00-08:00",
    # "study_per_week": n}
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))

    identities: Mapped[list[IdentityRow]] = relationship(back_populates="person", lazy="raise")
    # Loaded with the person in one query (joinedload in the repository), never lazily.
    postings: Mapped[list[PostingRow]] = relationship(back_populates="person", lazy="raise", order_by="PostingRow.id")


class IdentityRow(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_identities_channel_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime]
    blocked_at: Mapped[dt.datetime | None]  # the platform refused delivery (403); cleared when he writes again
    last_seen_at: Mapped[dt.datetime | None]  # his last message here: reminders go where he is active

    person: Mapped[PersonRow] = relationship(back_populates="identities")


class PostingRow(Base):
    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    host_unit: Mapped[str | None] = mapped_column(String(128))
    position: Mapped[str | None] = mapped_column(String(128))
    sending_unit: Mapped[str | None] = mapped_column(String(128))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime]
    # the organisation department's batch (第N批, 2026年春季): the console's filters and roll-ups group by it
    batch: Mapped[str | None] = mapped_column(String(64), index=True)

    person: Mapped[PersonRow] = relationship(back_populates="postings")


class SupervisionRow(Base):
    __tablename__ = "supervisions"

    supervisor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)


class InviteRow(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class EntryRow(Base):
    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("person_id", "seq", name="uq_entries_person_seq"),
        UniqueConstraint("source_channel", "source_chat", "source_message", name="uq_entries_source"),
        Index("ix_entries_person_date", "person_id", "work_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    work_date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str] = mapped_column(Text)
    categories: Mapped[list[str]]
    categories_by_user: Mapped[bool] = mapped_column(Boolean, default=False)
    kind_by_user: Mapped[bool] = mapped_column(Boolean, default=False)
    starred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    facts: Mapped[dict[str, Any]]
    details: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    source_channel: Mapped[str | None] = mapped_column(String(16))
    source_chat: Mapped[str | None] = mapped_column(String(128))
    source_message: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    deleted_at: Mapped[dt.datetime | None]

    attachments: Mapped[list[AttachmentRow]] = relationship(
        back_populates="entry", lazy="selectin", order_by="AttachmentRow.id"
    )


class EntryRevisionRow(Base):
    __tablename__ = "entry_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(String(16))  # command | platform-edit


class AttachmentRow(Base):
    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("source_channel", "source_chat", "source_message", name="uq_attachments_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(256))
    file_unique_id: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(256))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    duration: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    caption: Mapped[str | None] = mapped_column(Text)
    source_channel: Mapped[str | None] = mapped_column(String(16))
    source_chat: Mapped[str | None] = mapped_column(String(128))
    source_message: Mapped[str | None] = mapped_column(String(128))
    received_at: Mapped[dt.datetime]

    entry: Mapped[EntryRow | None] = relationship(back_populates="attachments")


class ConversationRow(Base):
    __tablename__ = "conversations"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    expires_at: Mapped[dt.datetime]


class CalendarDayRow(Base):
    """A day of an imported holiday schedule (years past chinese-calendar's data)."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[dt.datetime]


class ReminderRow(Base):
    """A reminder the cadre set himself (/remind); next_at is None once it has nothing more to send."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("person_id", "seq", name="uq_reminders_person_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    repeat: Mapped[str | None] = mapped_column(String(16))
    weekday: Mapped[int | None] = mapped_column(Integer)
    clock: Mapped[str | None] = mapped_column(String(5))
    next_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    cancelled_at: Mapped[dt.datetime | None]


class DeliveryRow(Base):
    """Every reminder or digest due, under a unique key: sent at most once, and what became of it."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_outcome", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    channel: Mapped[str] = mapped_column(String(16))
    # queued (in the outbox, not yet taken) | pending (being sent) | sent | missed | failed | blocked | skipped
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(256))
    # for a queued message (a supervisor's comment): {"chat_id": …, "text": …}; None for reminders, which are
    # rebuilt from their source when due
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CommentRow(Base):
    """A supervisor's comment on a cadre's entry."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class ReportRow(Base):
    """A draft report compiled for a cadre (so his supervisor can see whether the mid-term one is done)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # mid | final | month | week
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime]


class PlaceRow(Base):
    """A place or organisation of a cadre's posting (a village, a company, an agency …), from the organisation
    department's list; the ones learned from his entries are computed, not stored."""

    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("person_id", "name", name="uq_places_person_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))  # village | community | town | enterprise | cooperative | …
    aliases: Mapped[list[str]]  # short forms: 石桥, 青山食品
    source: Mapped[str] = mapped_column(String(16))  # imported | learned
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class ConsoleUserRow(Base):
    """An account of the web console: organisation staff (every cadre, or the batches listed) or a supervisor
    (only his own cadres, through the person he is linked to)."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # organisation | supervisor
    password_hash: Mapped[str] = mapped_column(String(256))  # argon2id, with its parameters
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    batches: Mapped[list[str]]  # organisation staff scoped to these batches; empty: every cadre
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    last_login_at: Mapped[dt.datetime | None]


class ConsoleSessionRow(Base):
    """A signed-in browser: the cookie carries a random token, only its SHA-256 is stored (revocable)."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class ConsoleLoginFailureRow(Base):
    """Failed sign-ins per login name (known or not, so a lock tells nothing about which accounts exist)."""

    __tablename__ = "console_login_failures"

    login: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[dt.datetime]
    locked_until: Mapped[dt.datetime | None]


class AuditRow(Base):
    """Who saw, exported or changed what in the console (and who signed in or failed to)."""

    __tablename__ = "console_audit"
    __table_args__ = (Index("ix_console_audit_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("console_users.id", ondelete="SET NULL"))
    login: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # view | export | change | login | logout | login-failed | locked
    target: Mapped[str] = mapped_column(String(256))  # the page or object: "overview", "cadre:12" …
    detail: Mapped[str] = mapped_column(String(512), default="")


class InboxRow(Base):
    """An incoming update, stored before the platform is told it arrived; handled once (the durable inbox).

    state: "new" (payload kept until handled), "answered" (handled and committed; the reply is kept until sent),
    "done" (the reply went out; only the key is kept, for deduplication, until pruned)."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "key", name="uq_inbox_platform_key"),
        Index("ix_inbox_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(128))  # the platform's identity of the message
    chat: Mapped[str] = mapped_column(String(128))  # one chat's rows are handled in id order
    state: Mapped[str] = mapped_column(String(8))
    payload: Mapped[dict[str, Any] | None]
    replies: Mapped[dict[str, Any] | None]
    received_at: Mapped[dt.datetime]
    handled_at: Mapped[dt.datetime | None]


DUE_RULES = ("nudge", "promise", "obligation", "digest")  # the rules a person's due_times rows are kept for
# A row marked to be computed again: "due" long ago, so the next tick picks it up and computes its real time.
DUE_STALE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class DueRow(Base):
    """When each automatic reminder rule is next to be looked at for one person (timing/due.py), so that a
    scheduler tick reads only the rows due now; next_at is None while the rule has nothing more for him."""

    __tablename__ = "due_times"
    __table_args__ = (Index("ix_due_times_rule_next_at", "rule", "next_at"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_at: Mapped[dt.datetime | None]
