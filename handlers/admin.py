"""Administration by the organisation department: register people, issue invites, list, remove.

Called from the command line (bot/cli.py); each function takes a unit of work and returns text to print.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from analysis.inputs import parse_int
from analysis.places import TYPE_LABELS, PlaceTableError, learn, mentions, read_place_table
from handlers import offload, texts
from handlers.errors import AdminError
from handlers.messages import Document
from handlers.places import coverage, known_places
from reporting.markdown import render_markdown
from reporting.model import ReportDraft
from reporting.programme import Member, compile_programme
from reporting.word import render_docx
from storage.entities import ImportedPlace, Person
from storage.repositories import DuplicateIdentity, DuplicateLogin
from storage.uow import UnitOfWork
from timing.workdays import HolidayFileError, WorkCalendar, library_years, parse_holiday_file

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones
INVITE_LENGTH = 8
NAME_LIMIT = 32
TELEGRAM = "telegram"


def _check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_LIMIT:
        raise AdminError(texts.ADMIN_BAD_NAME.format(limit=NAME_LIMIT))
    return cleaned


async def _add_person(
    uow: UnitOfWork, name: str, role: str, ids: Sequence[tuple[str, str]], tz: str, now: dt.datetime
) -> Person:
    person = await uow.people.add(name=_check_name(name), role=role, timezone=tz, now=now)
    for channel, external_id in ids:
        try:
            await uow.people.add_identity(person.id, channel, external_id, now)
        except DuplicateIdentity as exc:
            raise AdminError(texts.ADMIN_DUPLICATE_ID.format(channel=exc.channel, external_id=exc.external_id)) from exc
    return person


async def add_cadre(
    uow: UnitOfWork,
    *,
    name: str,
    identities: Sequence[tuple[str, str]],
    host_unit: str | None,
    position: str | None,
    sending_unit: str | None,
    start: dt.date | None,
    end: dt.date | None,
    timezone: str,
    now: dt.datetime,
    batch: str | None = None,
) -> str:
    """Register a cadre with his posting: an account and both dates are required; an account already registered
    is refused with the command that corrects or reactivates its person instead."""
    if start and end and end < start:
        raise AdminError(texts.ADMIN_BAD_DATES.format(start=start, end=end))
    for channel, external_id in identities:
        known = await uow.people.by_identity(channel, external_id)
        if known is not None and known.role == "cadre":
            raise AdminError(
                texts.ADMIN_CADRE_EXISTS.format(channel=channel, external_id=external_id, name=known.name, id=known.id)
            )
    if not identities:
        raise AdminError(texts.ADMIN_CADRE_NEEDS_ACCOUNT)
    if start is None or end is None:
        raise AdminError(texts.ADMIN_CADRE_NEEDS_DATES)
    fields = check_posting_fields(host_unit=host_unit, position=position, sending_unit=sending_unit, batch=batch)
    check_timezone(timezone)
    person = await _add_person(uow, name, "cadre", identities, timezone, now)
    await uow.people.set_posting(
        person.id,
        now,
        host_unit=fields.get("host_unit"),
        position=fields.get("position"),
        sending_unit=fields.get("sending_unit"),
        start_date=start,
        end_date=end,
        batch=fields.get("batch"),
    )
    return texts.ADMIN_CADRE_ADDED.format(
        name=person.name,
        id=person.id,
        host_unit=host_unit or texts.ADMIN_UNKNOWN,
        position=position or "",
        start=start or texts.ADMIN_UNKNOWN,
        end=end or texts.ADMIN_UNKNOWN,
    )


async def add_supervisor(
    uow: UnitOfWork,
    *,
    name: str,
    identities: Sequence[tuple[str, str]],
    cadres: Sequence[str],
    timezone: str,
    now: dt.datetime,
) -> str:
    """Register a supervisor and the cadres he looks after (by their Telegram or WeCom ids)."""
    cadre_people = []
    for external_id in cadres:
        cadre = await uow.people.by_identity(TELEGRAM, external_id) or await uow.people.by_identity(
            "wecom", external_id
        )
        if cadre is None or cadre.role != "cadre":
            raise AdminError(texts.ADMIN_NO_SUCH_CADRE.format(external_id=external_id))
        cadre_people.append(cadre)
    person = await _add_person(uow, name, "supervisor", identities, timezone, now)
    for cadre in cadre_people:
        await uow.people.supervise(person.id, cadre.id)
    return texts.ADMIN_SUPERVISOR_ADDED.format(
        name=person.name, id=person.id, cadres="、".join(c.name for c in cadre_people) or texts.ADMIN_UNKNOWN
    )


async def create_invite(
    uow: UnitOfWork,
    *,
    role: str,
    name: str | None,
    ttl: dt.timedelta,
    now: dt.datetime,
    bot_username: str | None = None,
) -> str:
    """Issue a one-time code that expires after `ttl`."""
    if role not in ("cadre", "supervisor"):
        raise AdminError(role)
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    invite = await uow.invites.add(
        code=code, role=role, name=_check_name(name) if name else None, now=now, expires_at=now + ttl
    )
    link = texts.ADMIN_INVITE_LINK.format(bot=bot_username, code=code) if bot_username else ""
    return texts.ADMIN_INVITE.format(
        code=invite.code,
        role=texts.ROLE_LABELS[role],
        expires=invite.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        link=link,
    )


async def list_people(uow: UnitOfWork) -> str:
    """Print everyone with their accounts, postings and supervised cadres."""
    people = await uow.people.all()
    if not people:
        return texts.ADMIN_LIST_EMPTY
    lines = []
    for person in people:
        identities = await uow.people.identities(person.id)
        lines.append(
            texts.ADMIN_LIST_PERSON.format(
                id=person.id,
                name=person.name or texts.ADMIN_UNKNOWN,
                role=texts.ROLE_LABELS.get(person.role, person.role),
                status="" if person.active else texts.ADMIN_LIST_REMOVED,
                ids=" ".join(f"{i.channel}:{i.external_id}" for i in identities),
            )
        )
        posting = person.posting
        if person.role == "cadre" and posting is not None:
            lines.append(
                texts.ADMIN_LIST_POSTING.format(
                    host_unit=posting.host_unit or texts.ADMIN_UNKNOWN,
                    position=posting.position or "",
                    sending_unit=posting.sending_unit or texts.ADMIN_UNKNOWN,
                    start=posting.start_date or texts.ADMIN_UNKNOWN,
                    end=posting.end_date or texts.ADMIN_UNKNOWN,
                    batch=texts.ADMIN_LIST_BATCH.format(batch=posting.batch) if posting.batch else "",
                )
            )
        if person.role == "supervisor":
            cadres = await uow.people.supervised_by(person.id)
            lines.append(
                texts.ADMIN_LIST_SUPERVISES.format(cadres="、".join(c.name for c in cadres) or texts.ADMIN_UNKNOWN)
            )
    return "\n".join(lines)


async def remove_person(uow: UnitOfWork, *, channel: str, external_id: str, now: dt.datetime) -> str:
    """Deactivate a person; their records are kept, their messages no longer accepted."""
    person = await uow.people.by_identity(channel, external_id)
    if person is None:
        raise AdminError(texts.ADMIN_NO_SUCH_PERSON.format(external_id=external_id))
    await uow.people.deactivate(person.id, now)
    return texts.ADMIN_REMOVED.format(name=person.name, id=person.id)


async def ensure_console_user(
    uow: UnitOfWork, *, as_id: str | None, timezone: str, now: dt.datetime, today: dt.date
) -> Person:
    """Return the person the console chats as: a registered one by account id, else a demo cadre."""
    external_id = as_id or "demo"
    person = await uow.people.by_identity("console", external_id)
    if person is not None:
        return person
    if as_id is not None:
        for channel in ("telegram", "wecom"):
            person = await uow.people.by_identity(channel, as_id)
            if person is not None:
                await uow.people.add_identity(person.id, "console", external_id, now)
                return person
    person = await uow.people.add(name=texts.CONSOLE_DEMO_NAME, role="cadre", timezone=timezone, now=now)
    await uow.people.add_identity(person.id, "console", external_id, now)
    await uow.people.set_posting(
        person.id,
        now,
        host_unit=texts.CONSOLE_DEMO_HOST,
        position=texts.CONSOLE_DEMO_POSITION,
        sending_unit=texts.CONSOLE_DEMO_SENDING,
        start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=120),
    )
    found = await uow.people.get(person.id)
    if found is None:
        raise RuntimeError("the console's demo person vanished inside its own unit of work")
    return found


async def import_holidays(uow: UnitOfWork, *, text: str, now: dt.datetime) -> str:
    """Import a holiday schedule file; each year in it replaces what was imported for that year before."""
    try:
        days = parse_holiday_file(text)
    except HolidayFileError as exc:
        raise AdminError(
            texts.ADMIN_HOLIDAYS_BAD_LINE.format(number=exc.line_number, line=exc.line.strip()[:60])
        ) from exc
    if not days:
        raise AdminError(texts.ADMIN_HOLIDAYS_EMPTY)
    lines = []
    for year in sorted({d.year for d in days}):
        year_days = {d: v for d, v in days.items() if d.year == year}
        await uow.calendar.replace_year(year, year_days, now)
        on = sum(1 for workday, _ in year_days.values() if workday)
        lines.append(texts.ADMIN_HOLIDAYS_IMPORTED.format(year=year, off=len(year_days) - on, on=on))
    return "\n".join(lines)


async def work_calendar(uow: UnitOfWork) -> WorkCalendar:
    """The working-day calendar with the imported schedules."""
    return WorkCalendar(await uow.calendar.imported())


async def calendar_status(uow: UnitOfWork, *, today: dt.date) -> str:
    """Say, for this year and the next, where the working days come from."""
    calendar = await work_calendar(uow)
    lines = []
    for year in (today.year, today.year + 1):
        state = "library" if year in library_years() else "imported" if calendar.covered(year) else "missing"
        lines.append(texts.ADMIN_CALENDAR_YEAR.format(year=year, state=texts.ADMIN_CALENDAR_STATES[state]))
    return "\n".join(lines)


async def calendar_warning(uow: UnitOfWork, *, today: dt.date) -> str | None:
    """A warning when next year's (or this year's) schedule is missing, else None."""
    calendar = await work_calendar(uow)
    for year in (today.year, today.year + 1):
        if not calendar.covered(year):
            return texts.CALENDAR_MISSING_WARNING.format(year=year)
    return None


async def list_deliveries(uow: UnitOfWork, *, limit: int, outcome: str | None, zone: str) -> str:
    """Print the newest reminder deliveries and the totals by outcome."""
    rows = await uow.deliveries.recent(limit, outcome)
    totals = await uow.deliveries.by_outcome()
    if not totals:
        return texts.ADMIN_DELIVERIES_EMPTY
    tz = ZoneInfo(zone)
    lines = [
        texts.ADMIN_DELIVERY_LINE.format(
            due=due.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            kind=kind,
            channel=channel,
            outcome_label=texts.ADMIN_OUTCOMES.get(result, result),
            key=key,
            detail=texts.ADMIN_DELIVERY_DETAIL.format(detail=detail) if detail else "",
        )
        for key, kind, due, channel, result, detail in rows
    ]
    summary = "\u3001".join(f"{texts.ADMIN_OUTCOMES.get(k, k)} {v}" for k, v in sorted(totals.items()))
    return "\n".join([*lines, texts.ADMIN_DELIVERIES_TOTALS.format(totals=summary)])


async def link_identities(uow: UnitOfWork, *, telegram_id: str, wecom_id: str, now: dt.datetime) -> str:
    """Join a Telegram and a WeCom account into one person. One of them may be new; if both are registered
    already, the one without any records is folded into the other (records are never merged)."""
    on_telegram = await uow.people.by_identity(TELEGRAM, telegram_id)
    on_wecom = await uow.people.by_identity("wecom", wecom_id)
    if on_telegram is not None and on_wecom is not None and on_telegram.id == on_wecom.id:
        return texts.ADMIN_LINK_ALREADY.format(name=on_telegram.name, id=on_telegram.id)
    if on_telegram is not None and on_wecom is not None:
        telegram_records = await uow.entries.count_between(on_telegram.id, dt.date.min, dt.date.max)
        wecom_records = await uow.entries.count_between(on_wecom.id, dt.date.min, dt.date.max)
        if telegram_records and wecom_records:
            raise AdminError(texts.ADMIN_LINK_BOTH_HAVE_RECORDS.format(a=on_telegram.name, b=on_wecom.name))
        keep, fold = (on_wecom, on_telegram) if wecom_records else (on_telegram, on_wecom)
        await uow.people.move_identities(fold.id, keep.id)
        await uow.people.deactivate(fold.id, now)
        return texts.ADMIN_LINKED.format(name=keep.name, id=keep.id, telegram_id=telegram_id, wecom_id=wecom_id)
    if on_telegram is not None:
        person, channel, external_id = on_telegram, "wecom", wecom_id
    elif on_wecom is not None:
        person, channel, external_id = on_wecom, TELEGRAM, telegram_id
    else:
        raise AdminError(texts.ADMIN_LINK_NOBODY.format(telegram_id=telegram_id, wecom_id=wecom_id))
    try:
        await uow.people.add_identity(person.id, channel, external_id, now)
    except DuplicateIdentity as exc:
        raise AdminError(texts.ADMIN_DUPLICATE_ID.format(channel=channel, external_id=external_id)) from exc
    return texts.ADMIN_LINKED.format(name=person.name, id=person.id, telegram_id=telegram_id, wecom_id=wecom_id)


# -- places (the organisation department's list of the posting's villages, companies, schools …) ----------

PROBLEMS_SHOWN = 20


async def _cadre_by_account(uow: UnitOfWork, external_id: str) -> Person:
    """The cadre with this Telegram or WeCom id (as add-supervisor --cadre and export report --cadre take it)."""
    cadre = await uow.people.by_identity(TELEGRAM, external_id) or await uow.people.by_identity("wecom", external_id)
    if cadre is None or cadre.role != "cadre":
        raise AdminError(texts.ADMIN_NO_SUCH_CADRE.format(external_id=external_id[:40]))
    return cadre


def _table_problems(error: PlaceTableError) -> str:
    lines = []
    for problem in error.problems[:PROBLEMS_SHOWN]:
        text = texts.PLACES_PROBLEMS[problem.code].format(
            value=problem.value, other=problem.other_line, types="、".join(TYPE_LABELS.values())
        )
        lines.append(texts.PLACES_PROBLEM_AT.format(line=problem.line, problem=text) if problem.line else text)
    if len(error.problems) > PROBLEMS_SHOWN:
        lines.append(texts.PLACES_MORE_PROBLEMS.format(count=len(error.problems) - PROBLEMS_SHOWN))
    return texts.PLACES_BAD_FILE.format(count=len(error.problems), problems="\n".join(lines))


async def import_places(uow: UnitOfWork, *, cadre: str, data: bytes, now: dt.datetime) -> str:
    """Import a cadre's place list (a CSV of name, type, short forms); a file with a bad line imports nothing."""
    person = await _cadre_by_account(uow, cadre.strip())
    try:
        places = read_place_table(data)
    except PlaceTableError as exc:
        raise AdminError(_table_problems(exc)) from exc
    done = await uow.places.import_list(person.id, [ImportedPlace(p.name, p.type, p.aliases) for p in places], now)
    return texts.PLACES_IMPORTED.format(
        name=person.name,
        id=person.id,
        total=len(places),
        added=done.added,
        updated=done.updated,
        renamed=done.renamed,
        unchanged=done.unchanged,
    )


async def list_places(uow: UnitOfWork, *, cadre: str) -> str:
    """Print a cadre's imported and learned places, with how many of his entries name each."""
    person = await _cadre_by_account(uow, cadre.strip())
    stored = await uow.places.of(person.id)
    entry_texts = (await uow.entries.texts_of([person.id]))[person.id]
    gazetteer = learn(entry_texts, known_places(stored))
    if not len(gazetteer):
        return texts.PLACES_LIST_EMPTY.format(name=person.name, id=person.id)
    counts = mentions(gazetteer, entry_texts)
    imported = sum(1 for p in gazetteer if p.source == "imported")
    lines = [
        texts.PLACES_LIST_HEADER.format(
            name=person.name, id=person.id, imported=imported, learned=len(gazetteer) - imported
        )
    ]
    for place in gazetteer:
        lines.append(
            texts.PLACES_LIST_LINE.format(
                name=place.name,
                type=TYPE_LABELS.get(place.type, place.type),
                source=texts.PLACES_SOURCES.get(place.source, place.source),
                count=counts[place.name],
                aliases=texts.PLACES_LIST_ALIASES.format(aliases="、".join(place.aliases)) if place.aliases else "",
            )
        )
    found = (await coverage(uow, [person.id]))[person.id]
    if found is not None and found.unvisited:
        lines.append(
            texts.PLACES_LIST_UNVISITED.format(
                count=len(found.unvisited), total=found.villages, names="、".join(found.unvisited)
            )
        )
    elif found is not None:
        lines.append(texts.PLACES_LIST_ALL_VISITED.format(total=found.villages))
    return "\n".join(lines)


# -- corrections (issue 12): a person found by any account, his number or his name; edit, reactivate, assign -----

UNIT_LIMIT = 128  # postings' host_unit, position and sending_unit columns
FIELD_LIMITS = {"batch": 64}  # the batch column is shorter
_POSTING_FIELDS = ("host_unit", "position", "sending_unit", "batch")


def check_timezone(value: str) -> str:
    """The time zone name, if the zone database knows it."""
    cleaned = value.strip()
    try:
        if not cleaned:
            raise ValueError(value)
        ZoneInfo(cleaned)
    except (ValueError, KeyError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError; "../x" a ValueError
        raise AdminError(texts.ADMIN_BAD_TIMEZONE.format(value=value[:40])) from exc
    return cleaned


def check_posting_fields(**fields: str | None) -> dict[str, str]:
    """The given unit and post fields cleaned of runs of spaces; empty or too long ones refused."""
    cleaned: dict[str, str] = {}
    for key, value in fields.items():
        if value is None:
            continue
        text = " ".join(value.split())
        label = texts.ADMIN_FIELD_LABELS[key]
        if not text:
            raise AdminError(texts.ADMIN_FIELD_EMPTY.format(field=label))
        limit = FIELD_LIMITS.get(key, UNIT_LIMIT)
        if len(text) > limit:
            raise AdminError(texts.ADMIN_FIELD_TOO_LONG.format(field=label, length=len(text), limit=limit))
        cleaned[key] = text
    return cleaned


def _role_label(role: str | None) -> str:
    return texts.ROLE_LABELS.get(role, role) if role else texts.ADMIN_REF_ROLE_ANY


async def find_person(uow: UnitOfWork, ref: str, role: str | None = "cadre") -> Person:
    """The person a reference names: a Telegram, WeCom or console account, #number, or a name (of `role`).

    Accounts win over names (an account is unique); a name two people share is refused with their numbers and
    accounts, so the operator can pick one.
    """
    cleaned = " ".join(ref.split())
    if not cleaned:
        raise AdminError(texts.ADMIN_REF_EMPTY)
    person: Person | None = None
    for channel in (TELEGRAM, "wecom", "console"):
        person = await uow.people.by_identity(channel, cleaned)
        if person is not None:
            break
    if person is None and cleaned.startswith("#") and (number := parse_int(cleaned[1:])) is not None:
        person = await uow.people.get(number)
    if person is None:
        same = await uow.people.named(cleaned, role)
        if not same and role is not None:
            same = (await uow.people.named(cleaned))[:1]  # someone of another role: the role check says so
        if len(same) > 1:
            accounts = await uow.people.identities_of([p.id for p in same])
            choices = "；".join(
                texts.ADMIN_AMBIGUOUS_CHOICE.format(
                    id=p.id,
                    ids=" ".join(f"{i.channel}:{i.external_id}" for i in accounts.get(p.id, []))
                    or texts.ADMIN_NO_ACCOUNTS,
                )
                for p in same
            )
            raise AdminError(
                texts.ADMIN_AMBIGUOUS_NAME.format(count=len(same), role=_role_label(role), name=cleaned, choices=choices)
            )
        person = same[0] if same else None
    if person is None:
        raise AdminError(texts.ADMIN_NO_SUCH_REF.format(ref=cleaned[:40], role=_role_label(role)))
    if role == "cadre" and person.role != "cadre":
        raise AdminError(texts.ADMIN_NOT_A_CADRE.format(name=person.name, id=person.id, role=_role_label(person.role)))
    if role == "supervisor" and person.role != "supervisor":
        raise AdminError(
            texts.ADMIN_NOT_A_SUPERVISOR.format(name=person.name, id=person.id, role=_role_label(person.role))
        )
    return person


def _shown(value: object) -> str:
    return texts.ADMIN_UNKNOWN if value in (None, "") else str(value)


async def edit_cadre(
    uow: UnitOfWork,
    *,
    cadre: str,
    now: dt.datetime,
    name: str | None = None,
    host_unit: str | None = None,
    position: str | None = None,
    sending_unit: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    timezone: str | None = None,
    batch: str | None = None,
) -> str:
    """Correct a cadre's name, time zone or posting (units, post, dates, batch); say what changed from what."""
    person = await find_person(uow, cadre, "cadre")
    if all(v is None for v in (name, host_unit, position, sending_unit, start, end, timezone, batch)):
        raise AdminError(texts.ADMIN_NOTHING_TO_EDIT)
    posting = person.posting
    fields = check_posting_fields(host_unit=host_unit, position=position, sending_unit=sending_unit, batch=batch)
    new_name = _check_name(name) if name is not None else None
    new_zone = check_timezone(timezone) if timezone is not None else None
    old_start = posting.start_date if posting else None
    old_end = posting.end_date if posting else None
    first, last = start or old_start, end or old_end
    if first and last and last < first:
        raise AdminError(texts.ADMIN_BAD_DATES.format(start=first, end=last))
    changes: list[str] = []

    def note(key: str, old: object, new: object) -> bool:
        if new is None or new == old:
            return False
        changes.append(
            texts.ADMIN_EDIT_CHANGE.format(field=texts.ADMIN_FIELD_LABELS[key], old=_shown(old), new=_shown(new))
        )
        return True

    if note("name", person.name, new_name) and new_name is not None:
        await uow.people.rename(person.id, new_name)
    if note("timezone", person.timezone, new_zone) and new_zone is not None:
        await uow.people.set_timezone(person.id, new_zone)
    posting_changes: dict[str, object] = {}
    for key in _POSTING_FIELDS:
        if note(key, getattr(posting, key) if posting else None, fields.get(key)):
            posting_changes[key] = fields[key]
    if note("start_date", old_start, start):
        posting_changes["start_date"] = start
    if note("end_date", old_end, end):
        posting_changes["end_date"] = end
    if posting_changes:
        await uow.people.set_posting(person.id, now, **posting_changes)
    if not changes:
        return texts.ADMIN_EDIT_UNCHANGED.format(name=person.name, id=person.id)
    lines = [texts.ADMIN_EDITED.format(name=new_name or person.name, id=person.id, changes="；".join(changes))]
    if "start_date" in posting_changes and first is not None:
        early = await uow.entries.count_between(person.id, dt.date.min, first - dt.timedelta(days=1))
        if early:
            lines.append(texts.ADMIN_EDIT_EARLY_ENTRIES.format(count=early, start=first))
    if "end_date" in posting_changes and last is not None:
        late = await uow.entries.count_between(person.id, last + dt.timedelta(days=1), dt.date.max)
        if late:
            lines.append(texts.ADMIN_EDIT_LATE_ENTRIES.format(count=late, end=last))
    return "\n".join(lines)


async def edit_supervisor(
    uow: UnitOfWork, *, supervisor: str, name: str | None = None, timezone: str | None = None
) -> str:
    """Correct a supervisor's name or time zone."""
    person = await find_person(uow, supervisor, "supervisor")
    if name is None and timezone is None:
        raise AdminError(texts.ADMIN_NOTHING_TO_EDIT)
    changes = []
    new_name = _check_name(name) if name is not None else None
    new_zone = check_timezone(timezone) if timezone is not None else None
    if new_name is not None and new_name != person.name:
        await uow.people.rename(person.id, new_name)
        changes.append(texts.ADMIN_EDIT_CHANGE.format(field=texts.ADMIN_FIELD_LABELS["name"], old=person.name, new=new_name))
    if new_zone is not None and new_zone != person.timezone:
        await uow.people.set_timezone(person.id, new_zone)
        changes.append(
            texts.ADMIN_EDIT_CHANGE.format(field=texts.ADMIN_FIELD_LABELS["timezone"], old=person.timezone, new=new_zone)
        )
    if not changes:
        return texts.ADMIN_EDIT_UNCHANGED.format(name=person.name, id=person.id)
    return texts.ADMIN_EDITED.format(name=new_name or person.name, id=person.id, changes="；".join(changes))


async def deactivate(uow: UnitOfWork, *, person: str, now: dt.datetime) -> str:
    """Deactivate anyone found by account, number or name; his records are kept."""
    found = await find_person(uow, person, None)
    if not found.active:
        return texts.ADMIN_ALREADY_REMOVED.format(name=found.name, id=found.id)
    await uow.people.deactivate(found.id, now)
    return texts.ADMIN_REMOVED.format(name=found.name, id=found.id)


async def reactivate(uow: UnitOfWork, *, person: str) -> str:
    """Undo a deactivation (a person folded into another by `link` has no account left and stays removed)."""
    found = await find_person(uow, person, None)
    if found.active:
        return texts.ADMIN_ALREADY_ACTIVE.format(name=found.name, id=found.id)
    if not await uow.people.identities(found.id):
        raise AdminError(texts.ADMIN_REACTIVATE_NO_ACCOUNT.format(name=found.name, id=found.id))
    await uow.people.reactivate(found.id)
    return texts.ADMIN_REACTIVATED.format(name=found.name, id=found.id)


async def assign(uow: UnitOfWork, *, supervisor: str, cadre: str) -> str:
    """Have a supervisor look after one more cadre."""
    boss = await find_person(uow, supervisor, "supervisor")
    person = await find_person(uow, cadre, "cadre")
    if any(c.id == person.id for c in await uow.people.supervised_by(boss.id)):
        return texts.ADMIN_ALREADY_ASSIGNED.format(supervisor=boss.name, cadre=person.name)
    await uow.people.supervise(boss.id, person.id)
    return texts.ADMIN_ASSIGNED.format(supervisor=boss.name, cadre=person.name)


async def unassign(uow: UnitOfWork, *, supervisor: str, cadre: str) -> str:
    """End a supervisor's assignment to a cadre (neither person is touched otherwise)."""
    boss = await find_person(uow, supervisor, "supervisor")
    person = await find_person(uow, cadre, "cadre")
    if not await uow.people.unsupervise(boss.id, person.id):
        return texts.ADMIN_NOT_ASSIGNED.format(supervisor=boss.name, cadre=person.name)
    return texts.ADMIN_UNASSIGNED.format(supervisor=boss.name, cadre=person.name)


# -- the programme's report: 第N批挂职干部中期（期满）工作情况汇报 from every cadre of a batch ----------------------

PROGRAMME_FORMATS = ("docx", "md")


async def programme_draft(
    uow: UnitOfWork, *, batch: str, kind: str, today: dt.date, end: dt.date | None = None, signature: str | None = None
) -> ReportDraft:
    """Compile a batch's report (kind "mid" or "final") up to `end` (default: today, or the batch's last day)."""
    name = " ".join(batch.split())
    if not name:
        raise AdminError(texts.PROGRAMME_NO_BATCH)
    if kind not in texts.PROGRAMME_KIND_WORDS:
        raise AdminError(texts.PROGRAMME_BAD_KIND.format(kind=kind[:20]))
    cadres = await uow.people.cadres_in_batch(name)
    if not cadres:
        known = await uow.people.batches()
        raise AdminError(
            texts.PROGRAMME_UNKNOWN_BATCH.format(
                batch=name[:40], known="、".join(known) or texts.PROGRAMME_NO_BATCHES_YET
            )
        )
    starts = [c.posting.start_date for c in cadres if c.posting and c.posting.start_date]
    ends = [c.posting.end_date for c in cadres if c.posting and c.posting.end_date]
    if not starts:
        raise AdminError(texts.PROGRAMME_NO_DATES.format(batch=name))
    last = end or min(today, max(ends) if ends else today)
    if last < min(starts):
        raise AdminError(texts.PROGRAMME_BEFORE_START.format(batch=name, start=min(starts), end=last))
    ids = [c.id for c in cadres]
    entries = await uow.entries.between_for(ids, min(starts), last)
    last_entries = await uow.entries.last_work_dates(ids)
    done = await uow.reports.kinds_done(ids)
    calendar = await work_calendar(uow)
    members = [
        Member(c, tuple(entries[c.id]), last_entries.get(c.id), frozenset(done.get(c.id, set()))) for c in cadres
    ]
    code = texts.PROGRAMME_KIND_WORDS[kind]
    # a batch of dozens of cadres is seconds of jieba: in a worker process, not on the loop that answers the cadres
    return await offload.run(compile_programme, code, name, members, last, today, calendar, signature)


async def programme_document(
    uow: UnitOfWork,
    *,
    batch: str,
    kind: str,
    today: dt.date,
    end: dt.date | None = None,
    signature: str | None = None,
    fmt: str = "docx",
    review: bool = False,
) -> Document:
    """The batch's report as a Word (or Markdown) file: the submission copy, or with `review` the copy whose
    paragraphs cite the entries they were written from."""
    if fmt not in PROGRAMME_FORMATS:
        raise AdminError(texts.PROGRAMME_BAD_FORMAT.format(fmt=fmt[:10]))
    draft = await programme_draft(uow, batch=batch, kind=kind, today=today, end=end, signature=signature)
    if fmt == "docx":
        data = await offload.run(render_docx, draft, review)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        data = render_markdown(draft, review).encode("utf-8")
        mime = "text/markdown"
    title = texts.REPORT_REVIEW_TITLE.format(title=draft.title) if review else draft.title
    filename = texts.PROGRAMME_FILENAME.format(title=title, date=today.strftime("%Y%m%d"), ext=fmt)
    return Document(filename=re.sub(r"[\\/:*?\"<>|\s]+", "", filename), data=data, mime_type=mime)


CONSOLE_LOGIN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CONSOLE_ROLES = ("organisation", "supervisor")


async def add_console_user(
    uow: UnitOfWork,
    *,
    login: str,
    name: str,
    role: str,
    password_hash: str,
    identities: Sequence[tuple[str, str]],
    batches: Sequence[str],
    now: dt.datetime,
    url: str,
) -> str:
    """Create an account of the web console (the password is hashed by the caller, console/auth.py): organisation
    staff see every cadre or the batches given; a supervisor account is linked to the supervisor person."""
    login = login.strip()
    if not CONSOLE_LOGIN.match(login):
        raise AdminError(texts.ADMIN_LOGIN_BAD.format(login=login[:64]))
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 64:
        raise AdminError(texts.ADMIN_NAME_BAD)
    if role not in CONSOLE_ROLES:
        raise AdminError(texts.ADMIN_LOGIN_BAD.format(login=role[:64]))
    wanted = [b.strip() for b in batches if b.strip()]
    person_id = None
    if role == "supervisor":
        if wanted:
            raise AdminError(texts.ADMIN_BATCHES_FOR_ORGANISATION)
        if not identities:
            raise AdminError(texts.ADMIN_SUPERVISOR_NEEDS_PERSON)
        channel, external_id = identities[0]
        person = await uow.people.by_identity(channel, external_id)
        if person is None or person.role != "supervisor":
            raise AdminError(texts.ADMIN_NO_SUPERVISOR.format(external_id=external_id))
        person_id = person.id
        count = len([c for c in await uow.people.supervised_by(person.id) if c.role == "cadre"])
        scope = texts.ADMIN_SCOPE_SUPERVISOR.format(count=count)
    else:
        scope = texts.ADMIN_SCOPE_BATCHES.format(batches="、".join(wanted)) if wanted else texts.ADMIN_SCOPE_ALL
    try:
        await uow.console_users.add(
            login=login, name=cleaned, role=role, password_hash=password_hash, person_id=person_id,
            batches=wanted, now=now,
        )
    except DuplicateLogin as exc:
        raise AdminError(texts.ADMIN_LOGIN_TAKEN.format(login=login)) from exc
    role_label = texts.CONSOLE_ROLE_LABELS[role]
    return texts.ADMIN_USER_ADDED.format(login=login, name=cleaned, role=role_label, scope=scope, url=url)


async def list_audit(
    uow: UnitOfWork, *, limit: int, login: str | None, action: str | None, zone: str
) -> str:
    """The console's audit log, newest first."""
    records, total = await uow.audit.recent(limit=max(1, min(limit, 10_000)), login=login, action=action)
    if not records:
        return texts.ADMIN_AUDIT_NONE
    tz = ZoneInfo(zone)
    lines = [
        texts.ADMIN_AUDIT_LINE.format(
            at=r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            login=r.login,
            action=texts.CONSOLE_AUDIT_ACTIONS.get(r.action, r.action),
            target=r.target,
            detail=r.detail,
        ).rstrip()
        for r in records
    ]
    lines.append(texts.ADMIN_AUDIT_TOTAL.format(total=total, shown=len(records)))
    return "\n".join(lines)
