"""/remind, /reminders, /cancel: reminders the cadre sets himself; collect_due hands due ones to the scheduler."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers import admin, texts
from handlers.context import Context
from handlers.errors import NotFoundError, UsageError
from handlers.messages import Button, IncomingMessage, Reply
from handlers.services.schedule import Rule, delivery_key, next_fire
from handlers.services.timeparse import ReminderTimeError, parse_reminder
from handlers.services.workdays import WorkCalendar
from storage.entities import Person, Reminder
from storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

MAX_ACTIVE = 100
KIND = "remind"
_ERRORS = {
    "missing_time": texts.REMIND_USAGE,
    "impossible": texts.REMIND_IMPOSSIBLE,
    "past": texts.REMIND_PAST,
    "missing_text": texts.REMIND_MISSING_TEXT,
}


@dataclass(frozen=True, slots=True)
class Outbound:
    """A reminder to send now; the scheduler sends it and records the outcome under `key`."""

    key: str
    channel: str
    chat_id: str
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


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
    local = reminder.next_at.astimezone(zone)
    return texts.REMINDER_ONCE.format(month=local.month, day=local.day, clock=local.strftime("%H:%M"))


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


async def list_reminders(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """List the cadre's active reminders."""
    person = ctx.require_person()
    reminders = await ctx.uow.reminders.active_for(person.id)
    if not reminders:
        return Reply(texts.REMINDERS_EMPTY)
    lines = [texts.REMINDERS_HEADER.format(count=len(reminders))]
    lines += [texts.REMINDER_LINE.format(seq=r.seq, when=_when(r, ctx.tz), text=r.text) for r in reminders]
    return Reply("\n".join(lines))


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


async def collect_due(uow: UnitOfWork, now: dt.datetime, grace: dt.timedelta) -> list[Outbound]:
    """Claim every reminder due by `now`: inside the grace window it is to be sent (once, whatever runs this,
    however often); beyond it, it is recorded as missed. Repeating reminders move on to their next time."""
    calendar = await admin.work_calendar(uow)
    outbound = []
    for reminder in await uow.reminders.due(now):
        due = reminder.next_at
        if due is None:  # due() selects reminders with a next time; nothing to do otherwise
            continue
        key = delivery_key(KIND, reminder.id, due)
        fresh = now - due <= grace
        claimed = await uow.deliveries.claim(
            key=key,
            person_id=reminder.person_id,
            kind=KIND,
            due_at=due,
            channel=reminder.channel,
            now=now,
            outcome="pending" if fresh else "missed",
        )
        if claimed and fresh:
            outbound.append(
                Outbound(key, reminder.channel, reminder.chat_id, texts.REMINDER_MESSAGE.format(text=reminder.text))
            )
        elif claimed:
            logger.info("reminder %s due at %s missed (beyond the grace window)", reminder.id, due.isoformat())
        rule = _rule(reminder)
        person = await uow.people.get(reminder.person_id)
        zone = ZoneInfo(person.timezone) if person is not None else ZoneInfo("Asia/Shanghai")
        await uow.reminders.advance(reminder.id, next_fire(rule, max(now, due), zone, calendar) if rule else None)
    return outbound


NUDGE_EVENING = dt.time(20, 30)
NUDGE_MORNING = dt.time(8, 30)
ADDRESS_ORDER = ("telegram", "wecom", "console")


def _previous_workday(day: dt.date, calendar: WorkCalendar) -> dt.date:
    day -= dt.timedelta(days=1)
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


async def _address(uow: UnitOfWork, person_id: int) -> tuple[str, str] | None:
    identities = {i.channel: i for i in await uow.people.identities(person_id)}
    found = next((identities[c] for c in ADDRESS_ORDER if c in identities), None)
    return (found.channel, found.external_id) if found else None


async def _cadres(uow: UnitOfWork, now: dt.datetime) -> list[tuple[Person, ZoneInfo, dt.date]]:
    """Every active cadre with his time zone and his local date."""
    found = []
    for person in await uow.people.all():
        if person.role == "cadre" and person.active:
            zone = ZoneInfo(person.timezone)
            found.append((person, zone, now.astimezone(zone).date()))
    return found


async def _on_leave(uow: UnitOfWork, person_id: int, day: dt.date) -> bool:
    for entry in await uow.entries.between(person_id, day - dt.timedelta(days=90), day):
        if entry.kind != "leave":
            continue
        start, end = entry.details.get("from", ""), entry.details.get("to", "")
        returned = entry.details.get("returned_on")
        if start <= day.isoformat() <= end and not (returned and returned <= day.isoformat()):
            return True
    return False


async def collect_nudges(uow: UnitOfWork, now: dt.datetime, grace: dt.timedelta) -> list[Outbound]:
    """The evening nudge (20:30 on working days, if nothing is logged and he is not on leave) and the next
    working morning's offer to log the day before; each claimed once per cadre and day."""
    calendar = await admin.work_calendar(uow)
    out = []
    for person, zone, today in await _cadres(uow, now):
        if not calendar.is_workday(today):
            continue
        for kind, clock, day in (
            ("nudge", NUDGE_EVENING, today),
            ("catch-up", NUDGE_MORNING, _previous_workday(today, calendar)),
        ):
            due = dt.datetime.combine(today, clock, tzinfo=zone).astimezone(dt.UTC)
            key = delivery_key(kind, person.id, due)
            if not due <= now <= due + grace or await uow.deliveries.exists(key):
                continue
            address = await _address(uow, person.id)
            if address is None:
                continue
            needed = not await uow.entries.count_between(person.id, day, day) and not await _on_leave(
                uow, person.id, day
            )
            claimed = await uow.deliveries.claim(
                key=key,
                person_id=person.id,
                kind=kind,
                due_at=due,
                channel=address[0],
                now=now,
                outcome="pending" if needed else "skipped",
            )
            if claimed and needed:
                label = texts.DATE_LABEL.format(month=day.month, day=day.day)
                text = texts.NUDGE_EVENING if kind == "nudge" else texts.NUDGE_MORNING.format(date=label)
                out.append(Outbound(key, address[0], address[1], text))
    return out


PROMISE_CLOCK = dt.time(9, 0)
PROMISE_LOOKBACK = dt.timedelta(days=180)
POSTPONE = dt.timedelta(days=3)


async def collect_promises(uow: UnitOfWork, now: dt.datetime, grace: dt.timedelta) -> list[Outbound]:
    """At 09:00 on the day a visit-note promise falls due, remind the cadre with the note quoted."""
    out = []
    for person, zone, today in await _cadres(uow, now):
        due = dt.datetime.combine(today, PROMISE_CLOCK, tzinfo=zone).astimezone(dt.UTC)
        if not due <= now <= due + grace:
            continue
        for entry in await uow.entries.between(person.id, today - PROMISE_LOOKBACK, today):
            for index, promise in enumerate(entry.details.get("promises", [])):
                if promise.get("due") != today.isoformat() or promise.get("status") == "done":
                    continue
                key = delivery_key(f"promise{index}", entry.id, due)
                address = await _address(uow, person.id)
                if address is None or await uow.deliveries.exists(key):
                    continue
                if not await uow.deliveries.claim(
                    key=key, person_id=person.id, kind="promise", due_at=due, channel=address[0], now=now
                ):
                    continue
                text = texts.PROMISE_DUE.format(
                    promise=promise["text"],
                    seq=entry.seq,
                    place=entry.details.get("place", ""),
                    date=texts.DATE_LABEL.format(month=entry.work_date.month, day=entry.work_date.day),
                )
                buttons = (
                    (
                        Button(texts.BTN_PROMISE_DONE, f"pm:{entry.seq}:{index}:done"),
                        Button(texts.BTN_PROMISE_LATER, f"pm:{entry.seq}:{index}:later"),
                    ),
                )
                out.append(Outbound(key, address[0], address[1], text, buttons))
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
        promise["status"] = "done"
        text = texts.PROMISE_DONE.format(promise=promise["text"])
    else:
        new_due = ctx.local_date() + POSTPONE
        promise.update(status="postponed", due=new_due.isoformat())
        text = texts.PROMISE_POSTPONED.format(promise=promise["text"], date=new_due.isoformat())
    await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, details={**entry.details, "promises": promises})
    return Reply(text, replace=True, callback_notice=text)


STUDY_CLOCK, MONTH_END_CLOCK, TERM_CLOCK, LEAVE_CLOCK = dt.time(17, 0), dt.time(17, 0), dt.time(9, 0), dt.time(17, 0)
TERM_NOTICE_DAYS = {"mid": (7, 1), "final": (14, 3)}


async def collect_obligations(uow: UnitOfWork, now: dt.datetime, grace: dt.timedelta) -> list[Outbound]:
    """The reminders a posting brings: Friday study, month end, before the mid-term and the end, leave ending
    (and, the day after, his supervisors if he has not returned). Each is claimed once per person and day."""
    calendar = await admin.work_calendar(uow)
    out: list[Outbound] = []
    for person, zone, today in await _cadres(uow, now):
        notices = await _notices(uow, person, today, calendar)
        for kind, clock, text, target in notices:
            due = dt.datetime.combine(today, clock, tzinfo=zone).astimezone(dt.UTC)
            key = delivery_key(kind, f"{target}-{person.id}", due)
            if not due <= now <= due + grace or await uow.deliveries.exists(key):
                continue
            address = await _address(uow, target)
            if address is None:
                continue
            if await uow.deliveries.claim(
                key=key, person_id=target, kind=kind, due_at=due, channel=address[0], now=now
            ):
                out.append(Outbound(key, address[0], address[1], text))
    return out


async def _notices(
    uow: UnitOfWork, person: Person, today: dt.date, calendar: WorkCalendar
) -> list[tuple[str, dt.time, str, int]]:
    """What today brings for one cadre: (kind, local time, text, whom to tell)."""
    notices: list[tuple[str, dt.time, str, int]] = []
    recent = await uow.entries.between(person.id, today - dt.timedelta(days=90), today)
    if today.weekday() == 4 and calendar.is_workday(today):
        monday = today - dt.timedelta(days=today.weekday())
        if not any(e.kind == "study" and e.work_date >= monday for e in recent):
            notices.append(("study", STUDY_CLOCK, texts.STUDY_NUDGE, person.id))
    if today == calendar.last_workday_of_month(today.year, today.month):
        month = [e for e in recent if (e.work_date.year, e.work_date.month) == (today.year, today.month)]
        text = texts.MONTH_END.format(
            entries=len(month),
            visits=sum(e.kind == "visit" for e in month),
            studies=sum(e.kind == "study" for e in month),
        )
        notices.append(("month-end", MONTH_END_CLOCK, text, person.id))
    posting = person.posting
    if posting is not None and posting.start_date and posting.end_date:
        midpoint = posting.start_date + (posting.end_date - posting.start_date) / 2
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
