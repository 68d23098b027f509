"""Administration by the organisation department: register people, issue invites, list, remove.

Called from the command line (bot/cli.py); each function takes a unit of work and returns text to print.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from analysis.places import TYPE_LABELS, PlaceTableError, learn, mentions, read_place_table
from handlers import texts
from handlers.errors import AdminError
from handlers.places import coverage, known_places
from storage.entities import ImportedPlace, Person
from storage.repositories import DuplicateIdentity
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
) -> str:
    """Register a cadre with his posting."""
    if start and end and end < start:
        raise AdminError(texts.ADMIN_BAD_DATES.format(start=start, end=end))
    person = await _add_person(uow, name, "cadre", identities, timezone, now)
    await uow.people.set_posting(
        person.id,
        now,
        host_unit=host_unit,
        position=position,
        sending_unit=sending_unit,
        start_date=start,
        end_date=end,
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
