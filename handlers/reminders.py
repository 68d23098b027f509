"""Reminders: the ones a person sets himself (/remind, /cancel), his settings (/reminders, /pause, /quiet), and
the collectors that tell the scheduler what is due now — his own reminders, the daily nudges, visit-note
promises, the posting's obligations, and messages queued for him (the outbox)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from analysis.timeparse import ReminderTimeError, parse_reminder
from handlers import admin, texts
from handlers.context import Context
from handlers.errors import NotFoundError, UsageError
from handlers.formatting import day_label
from handlers.messages import Button, Document, IncomingMessage, Reply
from reporting.figures import leave_dates, own_words_key
from storage.entities import Identity, Person, Reminder
from storage.uow import UnitOfWork
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
from timing.schedule import DEFAULT_GRACE, Grace, Rule, delivery_key, next_fire
from timing.workdays import WorkCalendar

logger = logging.getLogger(__name__)

MAX_ACTIVE = 100
DUE_BATCH = 1000  # reminders claimed per statement
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
    token = args.strip().lstrip("#")
    if not token.isdigit() or len(token) > 9:
        raise UsageError(texts.CANCEL_USAGE)
    cancelled = await ctx.uow.reminders.cancel(person.id, int(token), ctx.now)
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
            outbound.append(Outbound(row["key"], reminder.channel, reminder.chat_id, text))
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
            zones[reminder.person_id] = ZoneInfo(person.timezone if person else "UTC")
        await uow.reminders.advance(reminder.id, next_fire(rule, max(now, due_at), zones[reminder.person_id], calendar))
    return outbound


LEAVE_LOOKBACK = dt.timedelta(days=90)  # a leave note is filed at most this long before the days it covers
NUDGE_EVENING = dt.time(20, 30)
NUDGE_MORNING = dt.time(8, 30)
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


def _previous_workday(day: dt.date, calendar: WorkCalendar) -> dt.date:
    day -= dt.timedelta(days=1)
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


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


async def recipients(uow: UnitOfWork, now: dt.datetime, role: str = "cadre") -> list[Recipient]:
    """Every active person of a role with his zone, local date, settings and address (two queries in all)."""
    people = [p for p in await uow.people.all() if p.role == role and p.active]
    identities = await uow.people.identities_of([p.id for p in people])
    found = []
    for person in people:
        zone, prefs = ZoneInfo(person.timezone), Prefs.load(person.settings)
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


def _open(due: dt.datetime, now: dt.datetime, window: dt.timedelta) -> bool:
    return due <= now <= due + window


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
    working morning's offer to log the day before; each claimed once per cadre and day."""
    calendar = await admin.work_calendar(uow)
    out = []
    for who in await recipients(uow, now):
        if not calendar.is_workday(who.today) or not who.on_post:
            continue
        for kind, clock, day in (
            ("nudge", NUDGE_EVENING, who.today),
            ("catch-up", NUDGE_MORNING, _previous_workday(who.today, calendar)),
        ):
            due = who.at(clock)
            key = delivery_key(kind, who.person.id, due)
            if not await due_unrecorded(uow, who, kind, key, due, now, grace):
                continue
            needed = not await uow.entries.count_between(who.person.id, day, day) and not await _on_leave(
                uow, who.person.id, day
            )
            label = day_label(day)
            for sent_key, channel, chat_id in await claim_for(uow, who, kind, key, due, now, needed):
                if kind == "nudge":
                    buttons = ((Button(texts.BTN_LOG_NOW, "ln:"),),)
                    out.append(Outbound(sent_key, channel, chat_id, texts.NUDGE_EVENING, buttons))
                else:
                    out.append(Outbound(sent_key, channel, chat_id, texts.NUDGE_MORNING.format(date=label)))
    return out


async def log_now(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """The nudge's button: tell him how to log in one line (the next text he sends is captured)."""
    ctx.require_person()
    return Reply(texts.LOG_NOW_PROMPT, callback_notice=texts.BTN_LOG_NOW)


async def _on_leave(uow: UnitOfWork, person_id: int, day: dt.date) -> bool:
    entries = await uow.entries.between(person_id, day - LEAVE_LOOKBACK, day)
    return day in leave_dates(entries, None, day, day)


PROMISE_CLOCK = dt.time(9, 0)
PROMISE_LOOKBACK = dt.timedelta(days=180)
POSTPONE = dt.timedelta(days=3)


async def collect_promises(uow: UnitOfWork, now: dt.datetime, grace: Grace) -> list[Outbound]:
    """At 09:00 on the day a visit-note promise falls due, remind the cadre with the note quoted."""
    out = []
    for who in await recipients(uow, now):
        due = who.at(PROMISE_CLOCK)
        if not _open(due, now, grace("promise")) or _waits_for_quiet_end(who, "promise", now):
            continue
        for entry in await uow.entries.between(who.person.id, who.today - PROMISE_LOOKBACK, who.today):
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
    return out


async def promise_button(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """The done button closes a visit-note promise; the later button moves its due date three days on."""
    person = ctx.require_person()
    parts = args.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or parts[2] not in ("done", "later"):
        raise NotFoundError(texts.STALE_BUTTON)
    entry = await ctx.uow.entries.by_seq(person.id, int(parts[0]))
    promises = [dict(p) for p in (entry.details.get("promises", []) if entry else [])]
    index = int(parts[1])
    if entry is None or entry.status == "deleted" or index >= len(promises):
        raise NotFoundError(texts.STALE_BUTTON)
    promise = promises[index]
    if parts[2] == "done":
        promise.update(status="done", done_on=ctx.local_date().isoformat())  # the ledger's 办结时间
        text = texts.PROMISE_DONE.format(promise=promise["text"])
    else:
        new_due = ctx.local_date() + POSTPONE
        promise.update(status="postponed", due=new_due.isoformat())
        text = texts.PROMISE_POSTPONED.format(promise=promise["text"], date=new_due.isoformat())
    await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, details={**entry.details, "promises": promises})
    return Reply(text, replace=True, callback_notice=text)


STUDY_CLOCK, MONTH_END_CLOCK, TERM_CLOCK, LEAVE_CLOCK = dt.time(17, 0), dt.time(17, 0), dt.time(9, 0), dt.time(17, 0)
REFLECTION_CLOCK = dt.time(17, 0)
REFLECTION_WORKDAYS_BEFORE_END = 3  # the 心得 prompt comes three working days before the month's last
TERM_NOTICE_DAYS = {"mid": (7, 1), "final": (14, 3)}
OBLIGATION_CLOCKS = (STUDY_CLOCK, MONTH_END_CLOCK, TERM_CLOCK, LEAVE_CLOCK, REFLECTION_CLOCK)


async def collect_obligations(uow: UnitOfWork, now: dt.datetime, grace: Grace) -> list[Outbound]:
    """The reminders a posting brings: Friday study, the monthly reflection prompt, month end, before the mid-term and
    the end, leave ending (and, the day after, his supervisors if he has not returned). Each is claimed once
    per person and day."""
    calendar = await admin.work_calendar(uow)
    widest = max(DEFAULT_GRACE.values())
    out: list[Outbound] = []
    supervisors: dict[int, Recipient] | None = None
    for who in await recipients(uow, now):
        if not who.on_post:
            continue
        if not any(_open(who.at(clock), now, widest) for clock in set(OBLIGATION_CLOCKS)):
            continue  # no notice of his can be due now: spare the queries
        for kind, clock, text, target in await _notices(uow, who, calendar):
            due = who.at(clock)
            if target != who.person.id:
                if supervisors is None:
                    supervisors = {r.person.id: r for r in await recipients(uow, now, "supervisor")}
                recipient = supervisors.get(target)
                if recipient is None:
                    continue
            else:
                recipient = who
            key = delivery_key(kind, f"{target}-{who.person.id}", due)
            if not await due_unrecorded(uow, recipient, kind, key, due, now, grace):
                continue
            for sent_key, channel, chat_id in await claim_for(uow, recipient, kind, key, due, now):
                out.append(Outbound(sent_key, channel, chat_id, text))
    return out


def _nth_last_workday(calendar: WorkCalendar, day: dt.date, n: int) -> dt.date:
    last = calendar.last_workday_of_month(day.year, day.month)
    for _ in range(n):
        last = _previous_workday(last, calendar)
    return last


async def _notices(uow: UnitOfWork, who: Recipient, calendar: WorkCalendar) -> list[tuple[str, dt.time, str, int]]:
    """What today brings for one cadre: (kind, local time, text, whom to tell)."""
    person, today = who.person, who.today
    notices: list[tuple[str, dt.time, str, int]] = []
    recent = await uow.entries.between(person.id, today - dt.timedelta(days=90), today)
    if today.weekday() == 4 and calendar.is_workday(today):
        monday = today - dt.timedelta(days=today.weekday())
        done = sum(1 for e in recent if e.kind == "study" and e.work_date >= monday)
        if done < who.prefs.study_per_week:
            text = texts.STUDY_NUDGE if done == 0 else texts.STUDY_NUDGE_TARGET
            notices.append(("study", STUDY_CLOCK, text.format(done=done, target=who.prefs.study_per_week), person.id))
    month = [e for e in recent if (e.work_date.year, e.work_date.month) == (today.year, today.month)]
    reflected = any(e.details.get("reflection") or own_words_key(e.text) == "reflections" for e in month)
    if today == _nth_last_workday(calendar, today, REFLECTION_WORKDAYS_BEFORE_END) and not reflected:
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
    for entry in recent:
        if entry.kind != "leave" or entry.details.get("returned_on"):
            continue
        end = entry.details.get("to", "")
        if end == today.isoformat():
            notices.append(("leave-last-day", LEAVE_CLOCK, texts.LEAVE_LAST_DAY, person.id))
        elif end == (today - dt.timedelta(days=1)).isoformat():
            text = texts.LEAVE_NOT_BACK.format(name=person.name, start=entry.details.get("from", ""), end=end)
            for supervisor in await uow.people.supervisors_of(person.id):
                notices.append(("leave-not-back", TERM_CLOCK, text, supervisor.id))
    return notices


async def collect_outbox(uow: UnitOfWork, now: dt.datetime, grace: Grace) -> list[Outbound]:
    """Messages handlers queued for someone else (a supervisor's comment), taken once."""
    return [
        Outbound(key, channel, str(payload.get("chat_id", "")), str(payload.get("text", "")))
        for key, channel, payload in await uow.deliveries.take_queued()
    ]
