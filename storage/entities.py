"""Frozen value objects returned by repositories; ORM rows never leave storage/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Posting:
    id: int
    host_unit: str | None
    position: str | None
    sending_unit: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    batch: str | None = None  # the organisation department's batch (第N批), for the console's roll-ups

    def midpoint(self, until: dt.date | None = None) -> dt.date | None:
        """The posting's middle day (its end, or `until` while it has none); None without a start."""
        end = self.end_date or until
        if self.start_date is None or end is None:
            return None
        return self.start_date + (end - self.start_date) / 2

    def missing_fields(self) -> tuple[str, ...]:
        """Return the profile fields a cadre still has to supply, in asking order."""
        names = ("host_unit", "position", "sending_unit", "start_date", "end_date")
        return tuple(name for name in names if getattr(self, name) in (None, ""))


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    role: str  # "cadre" | "supervisor"
    timezone: str
    active: bool
    posting: Posting | None = None
    # A question the bot is waiting to have answered (loaded with the person, to spare a query per message).
    conversation: str | None = None
    conversation_expires: dt.datetime | None = None
    loose_attachments: bool = False  # files sent without words, waiting to join the next entry
    settings: dict[str, Any] = field(default_factory=dict)  # reminder settings (storage/models.py PersonRow)
    blocked: bool = False  # the identity this person was looked up by had refused delivery (403)
    seen_at: dt.datetime | None = None  # when he last wrote through the identity he was looked up by
    seen_elsewhere_since: bool = False  # he has written through another account of his since then

    def awaits_answer(self, now: dt.datetime) -> bool:
        return (
            self.conversation is not None and self.conversation_expires is not None and self.conversation_expires > now
        )


@dataclass(frozen=True, slots=True)
class Identity:
    channel: str
    external_id: str
    person_id: int
    blocked_at: dt.datetime | None = None
    last_seen_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    role: str
    name: str | None
    expires_at: dt.datetime
    used_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    kind: str  # photo | document | voice | video | location
    file_id: str | None
    file_name: str | None
    mime_type: str | None
    latitude: float | None
    longitude: float | None
    received_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    seq: int  # the number the cadre sees (#seq), counted per person
    person_id: int
    kind: str  # log | visit | study | leave | back
    work_date: dt.date
    text: str
    original_text: str
    categories: tuple[str, ...]
    categories_by_user: bool
    kind_by_user: bool
    facts: dict[str, Any]
    details: dict[str, Any]
    status: str  # active | pending | deleted
    latitude: float | None
    longitude: float | None
    created_at: dt.datetime
    updated_at: dt.datetime
    attachments: tuple[Attachment, ...] = field(default=())
    starred: bool = False  # a highlight the cadre chose for his reports
    excluded: bool = False  # kept out of his reports


@dataclass(frozen=True, slots=True)
class EntryBrief:
    """What a reminder counts of an entry: its kind, date and role (stored in details, else read from the text)."""

    kind: str
    work_date: dt.date
    text: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Conversation:
    person_id: int
    state: str
    payload: dict[str, Any]
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    seq: int  # the number the cadre sees, counted per person
    person_id: int
    text: str
    repeat: str | None  # None (once) | daily | workdays | weekly
    weekday: int | None
    clock: str | None  # "HH:MM" for repeating reminders
    next_at: dt.datetime | None
    channel: str
    chat_id: str
    active: bool


@dataclass(frozen=True, slots=True)
class Place:
    """A place of a cadre's posting as stored: its full name, type, short forms and where it came from."""

    name: str
    type: str  # village | community | town | enterprise | cooperative | school | institution | agency | county
    aliases: tuple[str, ...]
    source: str  # imported | learned
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ImportedPlace:
    """One row of the organisation department's place list."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlaceImport:
    """What an import of a place list changed."""

    added: int
    updated: int
    renamed: int  # an existing name given as a short form of a new name: the place now goes by the new one
    unchanged: int


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    """An account of the web console."""

    id: int
    login: str
    name: str
    role: str  # organisation | supervisor
    person_id: int | None  # the supervisor person whose cadres he sees
    batches: tuple[str, ...]  # organisation staff scoped to these batches; empty: every cadre
    active: bool


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    user: ConsoleUser
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: dt.datetime
    login: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True, slots=True)
class EntryMark:
    """One active entry, reduced to what attendance needs: its date, kind and stored role (and its text only
    when no role was stored, so the role can be told from its words)."""

    person_id: int
    work_date: dt.date
    kind: str
    role: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class CommentNote:
    """A supervisor's comment on one of a cadre's entries, with the entry's number and the author's name."""

    entry_seq: int
    entry_date: dt.date
    author: str
    text: str
    created_at: dt.datetime
