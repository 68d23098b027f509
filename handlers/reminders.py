"""Reminders: the ones a person sets himself (/remind, /cancel), his settings (/reminders, /pause, /quiet), and
the collectors that tell the scheduler what is due now — his own reminders, the daily nudges, visit-note
promises, the posting's obligations, and messages queued for him (the outbox)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from analysis.inputs import parse_int
from analysis.timeparse import ReminderTimeError, parse_reminder
from handlers import admin, texts
from handlers.context import Context
from handlers.errors import NotFoundError, UsageError
from handlers.formatting import date_text, day_label
from handlers.messages import Button, Document, IncomingMessage, Reply
from reporting.figures import leave_dates, role_of
from storage.entities import Entry, EntryBrief, Identity, Person, Reminder
from storage.uow import UnitOfWork
from timing.due import (
    LEAVE_CLOCK,
    LEAVE_NOT_BACK_CLOCK,
    MONTH_END_CLOCK,
    NUDGE_EVENING,
    NUDGE_MORNING,
    PROMISE_CLOCK,
    REFLECTION_CLOCK,
    REFLECTION_WORKDAYS_BEFORE_END,
    STUDY_CLOCK,
    TERM_CLOCK,
    TERM_NOTICE_DAYS,
    earliest,
    next_nudge,
    next_obligation,
    next_promise,
    nth_last_workday,
    obligation_clocks,
    previous_workday,
    quiet_end,
)
from timing.prefs import (
    CADRE_SWITCHES,
    OFF_WORDS,
    SUPERVISOR_SWITCHES,
    SWITCH_OF,
    Prefs,
    format_quiet,
    parse_pause,
    parse_quiet,
)
from timing.schedule import Grace, Rule, delivery_key, next_fire
from timing.workdays import WorkCalendar

logger = logging.getLogger(__name__)

MAX_ACTIVE = 100
DUE_BATCH = 1000  # reminders claimed per statement
# People whose rule is due, looked at per round (the scheduler runs rounds until none is due). Each round is a
# unit of work that holds SQLite's one connection: small rounds let the cadres' replies in between (bench/scale.py).
RULE_BATCH = 20
RETRY = dt.timedelta(hours=1)  # a person whose rule could not be computed (bad data) is looked at again then
BAD_ZONE_RETRY = dt.timedelta(days=1)
KIND = "remind"
_ERRORS = {
    "missing_time": texts.REMIND_USAGE,
    "impossible": texts.REMIND_IMPOSSIBLE,
    "past": texts.REMIND_PAST,
    "missing_text": texts.REMIND_MISSING_TEXT,
}


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message to send now; the scheduler sends it and records the outcome under `key`."""

    key: str
    channel: str
    chat_id: str
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    # a picture to send after the text, drawn only once the claim is committed (CPU work, off the loop)
    picture: Callable[[], Document] | None = None


def _rule(reminder: Reminder) -> Rule | None:
    if reminder.repeat is None or reminder.clock is None:
        return None
    hour, minute = (int(p) for p in reminder.clock.split(":"))
    return Rule(reminder.repeat, dt.time(hour, minute), reminder.weekday)


def _when(reminder: Reminder, zone: ZoneInfo) -> str:
    if reminder.repeat is not None:
        weekday = texts.WEEKDAYS[reminder.weekday] if reminder.weekday is not None else ""
        return texts.REMINDER_REPEATS[reminder.repeat].format(clock=reminder.clock, weekday=weekday)
    if reminder.next_at is None:
        return ""  # finished or cancelled: nothing more is due
    return _local_label(reminder.next_at, zone)


async def remind(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Set a reminder from "time text" in the cadre's own words."""
    person = ctx.require_person()
    try:
        parsed = parse_reminder(args.strip(), ctx.now.astimezone(ctx.tz))
    except ReminderTimeError as exc:
        raise UsageError(_ERRORS[exc.reason]) from exc
    if await ctx.uow.reminders.count_active(person.id) >= MAX_ACTIVE:
        raise UsageError(texts.REMIND_TOO_MANY.format(limit=MAX_ACTIVE))
    if parsed.at is not None:
        next_at = parsed.at.astimezone(dt.UTC)
        fields: dict[str, object] = {"repeat": None, "weekday": None, "clock": None}
    elif parsed.repeat is None or parsed.clock is None:
        raise UsageError(texts.REMIND_USAGE)
    else:
        rule = Rule(parsed.repeat, parsed.clock, parsed.weekday)
        next_at = next_fire(rule, ctx.now, ctx.tz, await admin.work_calendar(ctx.uow))
        fields = {"repeat": parsed.repeat, "weekday": parsed.weekday, "clock": parsed.clock.strftime("%H:%M")}
    reminder = await ctx.uow.reminders.add(
        person_id=person.id,
        now=ctx.now,
        text=parsed.text[:500],
        next_at=next_at,
        channel=msg.channel,
        chat_id=msg.chat_id,
        **fields,
    )
    return Reply(texts.REMIND_SET.format(seq=reminder.seq, when=_when(reminder, ctx.tz), text=reminder.text))


def _switches(person: Person) -> tuple[str, ...]:
    return CADRE_SWITCHES if person.role == "cadre" else SUPERVISOR_SWITCHES


def settings_panel(
    person: Person, prefs: Prefs, reminders: list[Reminder], now: dt.datetime, zone: ZoneInfo, accounts: int = 1
) -> Reply:
    """His reminder settings and his own reminders, with a button per switch (and, if he has accounts on two
    platforms, whether reminders go to both)."""
    lines = [texts.SETTINGS_HEADER]
    for switch in _switches(person):
        mark = texts.SETTING_OFF if switch in prefs.off else texts.SETTING_ON
        lines.append(texts.SETTING_LINE.format(mark=mark, label=texts.SWITCH_LABELS[switch]))
    if person.role == "cadre":
        lines.append(texts.SETTING_STUDY_TARGET.format(n=prefs.study_per_week))
    lines.append(texts.SETTING_QUIET.format(quiet=format_quiet(prefs.quiet)) if prefs.quiet else texts.SETTING_NO_QUIET)
    if prefs.paused(now) and prefs.paused_until is not None:
        lines.append(texts.SETTING_PAUSED.format(until=_local_label(prefs.paused_until, zone)))
    if accounts > 1:
        lines.append(texts.SETTING_BOTH if prefs.both_channels else texts.SETTING_ACTIVE_ONLY)
    lines.append("")
    if reminders:
        lines.append(texts.OWN_REMINDERS_HEADER.format(count=len(reminders)))
        lines += [texts.REMINDER_LINE.format(seq=r.seq, when=_when(r, zone), text=r.text) for r in reminders]
    else:
        lines.append(texts.OWN_REMINDERS_NONE)
    buttons = [
        Button(
            texts.BTN_SWITCH.format(
                mark=texts.SETTING_OFF if switch in prefs.off else texts.SETTING_ON, label=texts.SWITCH_SHORT[switch]
            ),
            f"rs:t:{switch}",
        )
        for switch in _switches(person)
    ]
    rows = [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
    if person.role == "cadre":
        rows.append((Button(texts.BTN_STUDY_LESS, "rs:s:-"), Button(texts.BTN_STUDY_MORE, "rs:s:+")))
    if accounts > 1:
        rows.append((Button(texts.BTN_ACTIVE_ONLY if prefs.both_channels else texts.BTN_BOTH, "rs:b:"),))
    return Reply("\n".join(lines), buttons=tuple(rows))


def _local_label(moment: dt.datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return texts.REMINDER_ONCE.format(month=local.month, day=local.day, clock=local.strftime("%H:%M"))


async def _panel(ctx: Context, person: Person, prefs: Prefs) -> Reply:
    reminders = await ctx.uow.reminders.active_for(person.id)
    accounts = len(await ctx.uow.people.identities(person.id))
    return settings_panel(person, prefs, reminders, ctx.now, ctx.tz, accounts)


async def _save(ctx: Context, person: Person, prefs: Prefs) -> None:
    await ctx.uow.people.update_settings(person.id, {**person.settings, **prefs.dump()})


async def list_reminders(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """His reminder settings (switches, study target, quiet hours, pause) and the reminders he set."""
    person = ctx.require_person()
    return await _panel(ctx, person, Prefs.load(person.settings))


async def settings_button(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """A switch or the study target pressed on the settings panel; the panel is redrawn in place."""
    person = ctx.require_person()
    action, _, value = args.partition(":")
    prefs = Prefs.load(person.settings)
    if action == "t" and value in _switches(person):
        prefs = prefs.toggled(value)
    elif action == "s" and value in ("+", "-") and person.role == "cadre":
        prefs = prefs.with_study_target(prefs.study_per_week + (1 if value == "+" else -1))
    elif action == "b":
        prefs = replace(prefs, both_channels=not prefs.both_channels)
    else:
        raise NotFoundError(texts.STALE_BUTTON)
    await _save(ctx, person, prefs)
    panel = await _panel(ctx, person, prefs)
    return Reply(panel.text, buttons=panel.buttons, replace=True, callback_notice=texts.SETTING_CHANGED)


async def pause(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """/pause N days: no automatic reminders for a while; an off word resumes."""
    person = ctx.require_person()
    days = parse_pause(args)
    if days is None:
        raise UsageError(texts.PAUSE_USAGE)
    prefs = Prefs.load(person.settings)
    if days == 0:
        prefs = replace(prefs, paused_until=None)
        text = texts.PAUSE_OFF
    else:
        prefs = replace(prefs, paused_until=ctx.now + dt.timedelta(days=days))
        text = texts.PAUSE_SET.format(days=days, until=_local_label(ctx.now + dt.timedelta(days=days), ctx.tz))
    await _save(ctx, person, prefs)
    return Reply(text)


async def quiet(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """/quiet HH:MM-HH:MM: no automatic reminders in these hours; an off word clears them."""
    person = ctx.require_person()
    words = args.strip()
    prefs = Prefs.load(person.settings)
    if words.lower() in OFF_WORDS:
        prefs, text = replace(prefs, quiet=None), texts.QUIET_OFF
    else:
        hours = parse_quiet(words)
        if hours is None:
            raise UsageError(texts.QUIET_USAGE)
        prefs, text = replace(prefs, quiet=hours), texts.QUIET_SET.format(quiet=format_quiet(hours))
    await _save(ctx, person, prefs)
    return Reply(text)


async def cancel(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Cancel one of the cadre's reminders."""
    person = ctx.require_person()
    token = args.strip().lstrip("#＃")
    number = parse_int(token)
    if number is None:
        raise UsageError(texts.CANCEL_USAGE)
    cancelled = await ctx.uow.reminders.cancel(person.id, number, ctx.now)
    if cancelled is None:
        raise NotFoundError(texts.REMINDER_NOT_FOUND.format(seq=token))
    return Reply(texts.REMINDER_CANCELLED.format(seq=cancelled.seq))


async def collect_due(uow: UnitOfWork, now: dt.datetime, grace: Grace) -> list[Outbound]:
    """Claim every reminder due by `now`: inside the grace window it is to be sent (once, whatever runs this,
    however often); beyond it, it is recorded as missed. Repeating reminders move on to their next time.
    A cadre's own reminders ignore his pause and quiet hours: he set them himself. A few statements for a
    whole batch, however many reminders fell due at once."""
    due = [(r, r.next_at) for r in await uow.reminders.due(now, limit=DUE_BATCH) if r.next_at is not None]
    rows = [
        {
            "key": delivery_key(KIND, reminder.id, due_at),
            "person_id": reminder.person_id,
            "kind": KIND,
            "due_at": due_at,
            "created_at": now,
            "channel": reminder.channel,
            "outcome": "pending" if now - due_at <= grace(KIND) else "missed",
        }
        for reminder, due_at in due
    ]
    claimed = await uow.deliveries.claim_many(rows)
    outbound = []
    for (reminder, due_at), row in zip(due, rows, strict=True):
        if row["key"] not in claimed:
            continue
        if row["outcome"] == "pending":
            text = texts.REMINDER_MESSAGE.format(text=reminder.text)
            outbound.append(Outbound(str(row["key"]), reminder.channel, reminder.chat_id, text))
        else:
            logger.info("reminder %s due at %s missed (beyond the grace window)", reminder.id, due_at)
    rules = [(reminder, due_at, _rule(reminder)) for reminder, due_at in due]
    await uow.reminders.retire([reminder.id for reminder, _, rule in rules if rule is None])
    zones: dict[int, ZoneInfo] = {}
    calendar = await admin.work_calendar(uow) if any(rule for _, _, rule in rules) else None
    for reminder, due_at, rule in rules:
        if rule is None or calendar is None:
            continue
        if reminder.person_id not in zones:  # a reminder's person always exists (the row cascades with him)
            person = await uow.people.get(reminder.person_id)
            zone = zone_of(person) if person else UTC_ZONE
            if zone is None and person is not None:
                # sent all the same; its next time is counted in UTC rather than fire again at every tick
                reason = texts.DELIVERY_BAD_TIMEZONE.format(zone=person.timezone[:40])
                await record_failure(uow, person.id, "timezone", now, reason)
            zones[reminder.person_id] = zone or UTC_ZONE
        await uow.reminders.advance(reminder.id, next_fire(rule, max(now, due_at), zones[reminder.person_id], calendar))
    return outbound


UTC_ZONE = ZoneInfo("UTC")
LEAVE_LOOKBACK = dt.timedelta(days=90)  # a leave note is filed at most this long before the days it covers
ADDRESS_ORDER = ("telegram", "wecom", "console")


@dataclass(frozen=True, slots=True)
class Recipient:
    """An active person the scheduler may write to, with what it needs to decide."""

    person: Person
    zone: ZoneInfo
    today: dt.date
    prefs: Prefs
    addresses: tuple[tuple[str, str], ...]  # (channel, chat id): where he is active first; all if he wants both

    @property
    def address(self) -> tuple[str, str] | None:
        return self.addresses[0] if self.addresses else None

    @property
    def on_post(self) -> bool:
        """Whether today falls inside his posting (cadres are not reminded before it starts or after it ends)."""
        posting = self.person.posting
        if posting is None:
            return True
        return (posting.start_date is None or posting.start_date <= self.today) and (
            posting.end_date is None or self.today <= posting.end_date
        )

    def at(self, clock: dt.time, day: dt.date | None = None) -> dt.datetime:
        """A local time of his, today or on `day`, in UTC."""
        return dt.datetime.combine(day or self.today, clock, tzinfo=self.zone).astimezone(dt.UTC)


def pick_addresses(identities: list[Identity], both: bool = False) -> tuple[tuple[str, str], ...]:
    """Where to write to a person: the account he last wrote through, of those that have not blocked us (never
    used: by channel preference); with `both`, every usable account, that one first."""
    usable = [i for i in identities if i.blocked_at is None and i.channel in ADDRESS_ORDER]
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    usable.sort(key=lambda i: (i.last_seen_at or never, -ADDRESS_ORDER.index(i.channel)), reverse=True)
    return tuple((i.channel, i.external_id) for i in (usable if both else usable[:1]))


def pick_address(identities: list[Identity]) -> tuple[str, str] | None:
    found = pick_addresses(identities)
    return found[0] if found else None


async def recipients(
    uow: UnitOfWork, now: dt.datetime, role: str = "cadre", ids: Collection[int] | None = None
) -> list[Recipient]:
    """Every active person of a role (or those of `ids` who are) with his zone, local date, settings and
    address (two queries in all)."""
    everyone = await uow.people.all() if ids is None else await uow.due.people(ids)
    return await _recipients_of(uow, now, [p for p in everyone if p.role == role and p.active])


async def _recipients_of(uow: UnitOfWork, now: dt.datetime, people: list[Person]) -> list[Recipient]:
    identities = await uow.people.identities_of([p.id for p in people])
    found = []
    for person in people:
        zone = zone_of(person)
        if zone is None:  # one person's bad data stops nobody else's reminders
            await record_failure(uow, person.id, "timezone", now, texts.DELIVERY_BAD_TIMEZONE.format(zone=person.timezone[:40]))
            continue
        prefs = Prefs.load(person.settings)
        found.append(
            Recipient(
                person=person,
                zone=zone,
                today=now.astimezone(zone).date(),
                prefs=prefs,
                addresses=pick_addresses(identities.get(person.id, []), prefs.both_channels),
            )
        )
    return found


def zone_of(person: Person) -> ZoneInfo | None:
    """His time zone; None if the stored name is none the zone database knows."""
    try:
        return ZoneInfo(person.timezone)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError; "../x" is a ValueError
        return None


async def record_failure(uow: UnitOfWork, person_id: int, kind: str, now: dt.datetime, reason: str) -> None:
    """Record against a delivery of his (once a day and kind) that it could not be prepared, and log one line;
    `admin deliveries` shows the reason. The caller goes on with everyone else."""
    key = delivery_key(f"failed-{kind}", person_id, dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC))
    row = {
        "key": key,
        "person_id": person_id,
        "kind": kind,
        "due_at": now,
        "created_at": now,
        "channel": "-",
        "outcome": "failed",
        "detail": reason,
    }
    if await uow.deliveries.claim_many([row]):
        logger.warning("%s deliveries for person %s failed: %s", kind, person_id, reason)


@asynccontextmanager
async def isolated(uow: UnitOfWork, person_id: int, kind: str, now: dt.datetime) -> AsyncIterator[None]:
    """Run one person's part of a collector: an error (his bad data, a bug) is recorded against a delivery of his
    and logged in one line, without a traceback in the console; the others' deliveries go on."""
    try:
        yield
    except Exception as exc:
        logger.debug("%s deliveries for person %s failed", kind, person_id, exc_info=True)
        await record_failure(uow, person_id, kind, now, type(exc).__name__)


def _open(due: dt.datetime, now: dt.datetime, window: dt.timedelta) -> bool:
    return due <= now <= due + window


def held(who: Recipient, kind: str, due: dt.datetime, now: dt.datetime, grace: Grace) -> dt.datetime | None:
    """When to look again at a delivery his quiet hours hold now (their end), if its window is open."""
    if who.prefs.quiet is None or not _open(due, now, grace(kind)) or not _waits_for_quiet_end(who, kind, now):
        return None
    return quiet_end(now, who.zone, who.prefs.quiet)


async def due_recipients(
    uow: UnitOfWork, rule: str, now: dt.datetime, role: str = "cadre", limit: int = RULE_BATCH
) -> tuple[list[Recipient], dict[int, dt.datetime | None]]:
    """The people whose `rule` is due now (timing/due.py; one indexed query when nobody's is), and their rows'
    next times to fill in: None (nothing more until a change marks him again) for anyone inactive, of another
    role or with a time zone nobody knows; a retry an hour on for whom the collector fails to fill it."""
    rows = await uow.due.due(rule, now, limit=limit)
    if not rows:
        return [], {}
    people = [p for p in await uow.due.people([person_id for person_id, _ in rows]) if p.role == role and p.active]
    found = await _recipients_of(uow, now, people)
    nexts: dict[int, dt.datetime | None] = {person_id: None for person_id, _ in rows}
    for person in people:  # a bad time zone is recorded again the next day, until it is corrected
        nexts[person.id] = now + BAD_ZONE_RETRY
    for who in found:
        nexts[who.person.id] = now + RETRY
    return found, nexts


def _posting_span(who: Recipient) -> tuple[dt.date | None, dt.date | None]:
    posting = who.person.posting
    return (posting.start_date, posting.end_date) if posting is not None else (None, None)


async def claim_for(
    uow: UnitOfWork, who: Recipient, kind: str, key: str, due: dt.datetime, now: dt.datetime, needed: bool = True
) -> list[tuple[str, str, str]]:
    """Claim a delivery for `who` once: pending if it is to go out now, skipped if it is not needed or his
    settings forbid it now (a pause, quiet hours, switched off), blocked if no address of his is usable.
    Returns what to send: (key, channel, chat id) for each of his addresses (a second one under its own key)."""
    allowed = who.prefs.allows(kind, now, who.zone)
    if needed and allowed and who.address is None:
        outcome = "blocked"
    else:
        outcome = "pending" if needed and allowed else "skipped"
    claimed = await uow.deliveries.claim(
        key=key,
        person_id=who.person.id,
        kind=kind,
        due_at=due,
        channel=who.address[0] if who.address else "-",
        now=now,
        outcome=outcome,
    )
    if not claimed or outcome != "pending":
        return []
    send = [(key, *who.addresses[0])]
    for channel, chat_id in who.addresses[1:]:
        extra = f"{key}@{channel}"
        if await uow.deliveries.claim(
            key=extra, person_id=who.person.id, kind=kind, due_at=due, channel=channel, now=now
        ):
            send.append((extra, channel, chat_id))
    return send


async def claim_batch(
    uow: UnitOfWork, claims: list[tuple[Recipient, str, str, dt.datetime, bool]], now: dt.datetime
) -> list[list[tuple[str, str, str]]]:
    """claim_for() for many deliveries — (who, kind, key, due, needed) each — in two statements; for each, what
    to send (none if it was recorded before, is not needed, or his settings or addresses forbid it now)."""
    rows, extra_rows = [], []
    for who, kind, key, due, needed in claims:
        allowed = who.prefs.allows(kind, now, who.zone)
        if needed and allowed and who.address is None:
            outcome = "blocked"
        else:
            outcome = "pending" if needed and allowed else "skipped"
        channel = who.address[0] if who.address else "-"
        rows.append(_claim_row(key, who, kind, due, channel, now, outcome))
    claimed = await uow.deliveries.claim_many(rows)
    found: list[list[tuple[str, str, str]]] = []
    for (who, kind, key, due, _), row in zip(claims, rows, strict=True):
        sends = []
        if key in claimed and row["outcome"] == "pending":
            sends.append((key, *who.addresses[0]))
            for channel, chat_id in who.addresses[1:]:
                extra_rows.append(_claim_row(f"{key}@{channel}", who, kind, due, channel, now, "pending"))
                sends.append((f"{key}@{channel}", channel, chat_id))
        found.append(sends)
    if extra_rows:
        extra = await uow.deliveries.claim_many(extra_rows)
        found = [[s for s in sends if s[0] == sends[0][0] or s[0] in extra] for sends in found]
    return found


def _claim_row(
    key: str, who: Recipient, kind: str, due: dt.datetime, channel: str, now: dt.datetime, outcome: str
) -> dict[str, object]:
    return {
        "key": key,
        "person_id": who.person.id,
        "kind": kind,
        "due_at": due,
        "created_at": now,
        "channel": channel,
        "outcome": outcome,
    }


def _waits_for_quiet_end(who: Recipient, kind: str, now: dt.datetime) -> bool:
    """Inside his quiet hours an automatic reminder is held (not claimed) until they end, if still in grace."""
    return who.prefs.in_quiet_hours(now, who.zone) and kind in SWITCH_OF and SWITCH_OF[kind] not in who.prefs.off


async def due_unrecorded(
    uow: UnitOfWork, who: Recipient, kind: str, key: str, due: dt.datetime, now: dt.datetime, grace: Grace
) -> bool:
    """Whether a delivery is to be decided now: its time has come and its grace window is open, his quiet
    hours do not hold it, and nobody has recorded it yet (so it can be claimed)."""
    if not _open(due, now, grace(kind)) or _waits_for_quiet_end(who, kind, now):
        return False
    return not await uow.deliveries.exists(key)


async def collect_nudges(uow: UnitOfWork, now: dt.datetime, grace: Grace) -> list[Outbound]:
    """The evening nudge (20:30 on working days, if nothing is logged and he is not on leave) and the next
    working morning's offer to log the day before; each claimed once per cadre and day. Only the cadres whose
    nudge rule is due are looked at (timing/due.py), a batch of them in a fixed number of statements."""
    due_people, nexts = await due_recipients(uow, "nudge", now)
    if not nexts:
        return []
    calendar = await admin.work_calendar(uow) if due_people else None
    wanted: list[tuple[Recipient, str, dt.datetime, str, dt.date]] = []  # (who, kind, due, key, day)
    for who in due_people:
        assert calendar is not None
        holds: list[dt.datetime | None] = []
        async with isolated(uow, who.person.id, "nudge", now):
            nexts[who.person.id] = next_nudge(now, who.zone, calendar, *_posting_span(who))
        async with isolated(uow, who.person.id, "nudge", now):
            if not calendar.is_workday(who.today) or not who.on_post:
                continue
            for kind, clock, day in (
                ("nudge", NUDGE_EVENING, who.today),
                ("catch-up", NUDGE_MORNING, previous_workday(who.today, calendar)),
            ):
                due = who.at(clock)
                holds.append(held(who, kind, due, now, grace))
                if _open(due, now, grace(kind)) and not _waits_for_quiet_end(who, kind, now):
                    wanted.append((who, kind, due, delivery_key(kind, who.person.id, due), day))
        nexts[who.person.id] = earliest(nexts[who.person.id], *holds)
    await uow.due.reschedule("nudge", nexts)
    recorded = await uow.due.recorded([key for _, _, _, key, _ in wanted])
    wanted = [w for w in wanted if w[3] not in recorded]
    if not wanted:
        return []
    logged = await uow.due.logged_on({(who.person.id, day) for who, _, _, _, day in wanted})
    days = [day for *_, day in wanted]
    leaves = await uow.due.leaves_of({who.person.id for who, *_ in wanted}, min(days) - LEAVE_LOOKBACK, max(days))
    claims = []
    for who, kind, due, key, day in wanted:
        needed = False  # his bad data: recorded as a failure, and this one skipped
        async with isolated(uow, who.person.id, "nudge", now):
            on_leave = day in leave_dates(leaves[who.person.id], None, day, day)
            needed = (who.person.id, day) not in logged and not on_leave
        claims.append((who, kind, key, due, needed))
    out: list[Outbound] = []
    for (_, kind, _, _, day), sends in zip(wanted, await claim_batch(uow, claims, now), strict=True):
        for sent_key, channel, chat_id in sends:
            if kind == "nudge":
                buttons = ((Button(texts.BTN_LOG_NOW, "ln:"),),)
                out.append(Outbound(sent_key, channel, chat_id, texts.NUDGE_EVENING, buttons))
            else:
                out.append(Outbound(sent_key, channel, chat_id, texts.NUDGE_MORNING.format(date=day_label(day))))
    return out


async def log_now(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """The nudge's button: tell him how to log in one line (the next text he sends is captured)."""
    ctx.require_person()
    return Reply(texts.LOG_NOW_PROMPT, callback_notice=texts.BTN_LOG_NOW)


PROMISE_LOOKBACK = dt.timedelta(days=180)
POSTPONE = dt.timedelta(days=3)


async def collect_promises(uow: UnitOfWork, now: dt.datetime, grace: Grace) -> list[Outbound]:
    """At 09:00 on the day a visit-note promise falls due, remind the cadre with the note quoted. Only the
    cadres whose promise rule is due are looked at: it is moved to the next open promise's day (timing/due.py),
    and again whenever a note with promises is written or changed."""
    due_people, nexts = await due_recipients(uow, "promise", now)
    out: list[Outbound] = []
    notes = (
        await uow.entries.promises_for(
            [who.person.id for who in due_people],
            min(who.today for who in due_people) - PROMISE_LOOKBACK,
            max(who.today for who in due_people),
        )
        if due_people
        else {}
    )
    for who in due_people:
        async with isolated(uow, who.person.id, "promise", now):
            due = who.at(PROMISE_CLOCK)
            start = who.today - PROMISE_LOOKBACK
            entries = [e for e in notes[who.person.id] if start <= e.work_date <= who.today]
            nexts[who.person.id] = earliest(
                next_promise(now, who.zone, _open_promise_days(entries, who.today)),
                held(who, "promise", due, now, grace),
            )
            if not _open(due, now, grace("promise")) or _waits_for_quiet_end(who, "promise", now):
                continue
            for entry in entries:
                for index, promise in enumerate(entry.details.get("promises", [])):
                    if promise.get("due") != who.today.isoformat() or promise.get("status") == "done":
                        continue
                    key = delivery_key(f"promise{index}", entry.id, due)
                    if not await due_unrecorded(uow, who, "promise", key, due, now, grace):
                        continue
                    text = texts.PROMISE_DUE.format(
                        promise=promise["text"],
                        seq=entry.seq,
                        place=entry.details.get("place", ""),
                        date=day_label(entry.work_date),
                    )
                    buttons = (
                        (
                            Button(texts.BTN_PROMISE_DONE, f"pm:{entry.seq}:{index}:done"),
                            Button(texts.BTN_PROMISE_LATER, f"pm:{entry.seq}:{index}:later"),
                        ),
                    )
                    for sent_key, channel, chat_id in await claim_for(uow, who, "promise", key, due, now):
                        out.append(Outbound(sent_key, channel, chat_id, text, buttons))
    await uow.due.reschedule("promise", nexts)
    return out


def _open_promise_days(entries: list[Entry], today: dt.date) -> set[dt.date]:
    """The due days, from today on, of the promises not yet done in these visit notes."""
    days = set()
    for entry in entries:
        for promise in entry.details.get("promises", []):
            if not isinstance(promise, dict) or promise.get("status") == "done":
                continue
            try:
                day = dt.date.fromisoformat(str(promise.get("due")))
            except ValueError:
                continue
            if day >= today:
                days.add(day)
    return days


async def promise_button(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """The done button closes a visit-note promise; the later button moves its due date three days on."""
    person = ctx.require_person()
    parts = args.split(":")
    seq, index = (parse_int(parts[0]), parse_int(parts[1])) if len(parts) == 3 else (None, None)
    if seq is None or index is None or parts[2] not in ("done", "later"):
        raise NotFoundError(texts.STALE_BUTTON)
    entry = await ctx.uow.entries.by_seq(person.id, seq)
    promises = [dict(p) for p in (entry.details.get("promises", []) if entry else [])]
    if entry is None or entry.status == "deleted" or index >= len(promises):
        raise NotFoundError(texts.STALE_BUTTON)
    promise = promises[index]
    if parts[2] == "done":
        promise.update(status="done", done_on=ctx.local_date().isoformat())  # the ledger's 办结时间
        text = texts.PROMISE_DONE.format(promise=promise["text"])
    else:
        new_due = ctx.local_date() + POSTPONE
        promise.update(status="postponed", due=new_due.isoformat())
        text = texts.PROMISE_POSTPONED.format(promise=promise["text"], date=date_text(new_due, ctx.local_date()))
    await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, details={**entry.details, "promises": promises})
    return Reply(text, replace=True, callback_notice=text)


OBLIGATION_KINDS = ("study", "reflection", "month-end", "term", "leave")
NOTICE_LOOKBACK = dt.timedelta(days=90)  # a leave note is filed at most this long before its last day
LEAVE_FILED_AHEAD = dt.timedelta(days=366)  # open leave notes looked for, dated this far either side of today


async def collect_obligations(uow: UnitOfWork, now: dt.datetime, grace: Grace) -> list[Outbound]:
    """The reminders a posting brings: Friday study, the monthly reflection prompt, month end, before the mid-term and
    the end, leave ending (and, the day after, his supervisors if he has not returned). Each is claimed once
    per person and day. Only the cadres whose obligation rule is due are looked at (timing/due.py): the days
    that can bring a notice are known ahead from his posting, the calendar and his open leave; a batch of them
    costs a fixed number of statements (and one more per supervisor told of a leave not returned from)."""
    due_people, nexts = await due_recipients(uow, "obligation", now)
    if not nexts:
        return []
    calendar = await admin.work_calendar(uow) if due_people else None
    widest = max(grace(kind) for kind in OBLIGATION_KINDS)
    todays = [who.today for who in due_people] or [now.date()]
    leaves = await uow.due.leaves_of(
        [who.person.id for who in due_people], min(todays) - LEAVE_FILED_AHEAD, max(todays) + LEAVE_FILED_AHEAD
    )
    in_window: list[Recipient] = []
    for who in due_people:
        assert calendar is not None
        async with isolated(uow, who.person.id, "obligation", now):
            start, end = _posting_span(who)
            midpoint = who.person.posting.midpoint() if who.person.posting is not None else None
            leave_ends = _leave_ends([e for e in leaves[who.person.id] if not e.details.get("returned_on")])
            nexts[who.person.id] = next_obligation(now, who.zone, calendar, start, end, midpoint, leave_ends)
            today = obligation_clocks(who.today, calendar, start, end, midpoint, leave_ends)
            if who.on_post and any(_open(who.at(clock), now, widest) for clock in today):
                in_window.append(who)  # else no notice of his can be due now: spare the queries
    # a day's notices count this week's and this month's entries (leave notes are in `leaves`)
    since = min(min(d.replace(day=1), d - dt.timedelta(days=d.weekday())) for d in todays)
    recent = await uow.entries.briefs_for([who.person.id for who in in_window], since, max(todays))
    wanted: list[tuple[Recipient, str, dt.datetime, str, str]] = []  # (recipient, kind, due, key, text)
    supervisors: dict[int, Recipient | None] = {}
    for who in in_window:
        assert calendar is not None
        holds: list[dt.datetime | None] = []
        async with isolated(uow, who.person.id, "obligation", now):
            for kind, clock, text, target in await _notices(
                uow, who, calendar, recent[who.person.id], leaves[who.person.id]
            ):
                due = who.at(clock)
                if target != who.person.id:
                    if target not in supervisors:
                        found = await recipients(uow, now, "supervisor", ids=[target])
                        supervisors[target] = found[0] if found else None
                    recipient = supervisors[target]
                    if recipient is None:
                        continue
                else:
                    recipient = who
                holds.append(held(recipient, kind, due, now, grace))
                if _open(due, now, grace(kind)) and not _waits_for_quiet_end(recipient, kind, now):
                    wanted.append((recipient, kind, due, delivery_key(kind, f"{target}-{who.person.id}", due), text))
        nexts[who.person.id] = earliest(nexts[who.person.id], *holds)
    await uow.due.reschedule("obligation", nexts)
    recorded = await uow.due.recorded([key for _, _, _, key, _ in wanted])
    wanted = [w for w in wanted if w[3] not in recorded]
    claims = [(recipient, kind, key, due, True) for recipient, kind, due, key, _ in wanted]
    out: list[Outbound] = []
    for (*_, text), sends in zip(wanted, await claim_batch(uow, claims, now), strict=True):
        out += [Outbound(sent_key, channel, chat_id, text) for sent_key, channel, chat_id in sends]
    return out


def _leave_ends(leaves: list[Entry]) -> set[dt.date]:
    """The last days of his open leaves (the leave-ending notices fall on them and on the day after)."""
    ends = set()
    for entry in leaves:
        try:
            ends.add(dt.date.fromisoformat(str(entry.details.get("to", ""))))
        except ValueError:
            continue
    return ends


async def _notices(
    uow: UnitOfWork, who: Recipient, calendar: WorkCalendar, entries: list[EntryBrief], leaves: list[Entry]
) -> list[tuple[str, dt.time, str, int]]:
    """What today brings for one cadre, from his entries of this week and month and his leave notes of the
    last 90 days: (kind, local time, text, whom to tell)."""
    person, today = who.person, who.today
    notices: list[tuple[str, dt.time, str, int]] = []
    recent = [e for e in entries if e.work_date <= today]
    if today.weekday() == 4 and calendar.is_workday(today):
        monday = today - dt.timedelta(days=today.weekday())
        done = sum(1 for e in recent if e.kind == "study" and e.work_date >= monday)
        if done < who.prefs.study_per_week:
            text = texts.STUDY_NUDGE if done == 0 else texts.STUDY_NUDGE_TARGET
            notices.append(("study", STUDY_CLOCK, text.format(done=done, target=who.prefs.study_per_week), person.id))
    month = [e for e in recent if (e.work_date.year, e.work_date.month) == (today.year, today.month)]
    if today == nth_last_workday(calendar, today, REFLECTION_WORKDAYS_BEFORE_END) and not any(
        e.details.get("reflection") or role_of(e) == "reflections" for e in month
    ):
        notices.append(("reflection", REFLECTION_CLOCK, texts.REFLECTION_PROMPT, person.id))
    if today == calendar.last_workday_of_month(today.year, today.month):
        text = texts.MONTH_END.format(
            entries=len(month),
            visits=sum(e.kind == "visit" for e in month),
            studies=sum(e.kind == "study" for e in month),
        )
        notices.append(("month-end", MONTH_END_CLOCK, text, person.id))
    posting = person.posting
    midpoint = posting.midpoint() if posting is not None else None
    if posting is not None and posting.end_date is not None and midpoint is not None:
        for kind, target_day in (("mid", midpoint), ("final", posting.end_date)):
            left = (target_day - today).days
            if left in TERM_NOTICE_DAYS[kind]:
                notices.append((f"term-{kind}", TERM_CLOCK, texts.TERM_NOTICE[kind].format(days=left), person.id))
    for entry in leaves:
        if not today - NOTICE_LOOKBACK <= entry.work_date <= today or entry.details.get("returned_on"):
            continue
        end = entry.details.get("to", "")
        if end == today.isoformat():
            notices.append(("leave-last-day", LEAVE_CLOCK, texts.LEAVE_LAST_DAY, person.id))
        elif end == (today - dt.timedelta(days=1)).isoformat():
            text = texts.LEAVE_NOT_BACK.format(
                name=person.name, start=date_text(entry.details.get("from", ""), today), end=date_text(end, today)
            )
            for supervisor in await uow.people.supervisors_of(person.id):
                notices.append(("leave-not-back", LEAVE_NOT_BACK_CLOCK, text, supervisor.id))
    return notices


async def collect_outbox(uow: UnitOfWork, now: dt.datetime, grace: Grace) -> list[Outbound]:
    """Messages handlers queued for someone else (a supervisor's comment), taken once."""
    return [
        Outbound(key, channel, str(payload.get("chat_id", "")), str(payload.get("text", "")))
        for key, channel, payload in await uow.deliveries.take_queued()
    ]
