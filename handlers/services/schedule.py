"""When repeating reminders fall due, and what to do with those that fell due while the bot was down
(issue 3 groundwork). Pure: rules, calendar and clock in; times and decisions out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers.services.workdays import WorkCalendar

MAX_DAYS_AHEAD = 400  # a weekly rule on a calendar of holidays still finds its day well within this


@dataclass(frozen=True, slots=True)
class Rule:
    repeat: str  # "daily" | "workdays" | "weekly"
    clock: dt.time
    weekday: int | None = None  # for weekly: 0 = Monday


def next_fire(rule: Rule, after: dt.datetime, zone: ZoneInfo, calendar: WorkCalendar) -> dt.datetime:
    """The first time strictly after `after` (aware) at which the rule fires, in UTC."""
    local = after.astimezone(zone)
    for offset in range(MAX_DAYS_AHEAD):
        day = local.date() + dt.timedelta(days=offset)
        candidate = dt.datetime.combine(day, rule.clock, tzinfo=zone)
        if candidate <= local:
            continue
        if rule.repeat == "workdays" and not calendar.is_workday(day):
            continue
        if rule.repeat == "weekly" and day.weekday() != rule.weekday:
            continue
        return candidate.astimezone(dt.UTC)
    raise ValueError(f"rule {rule} never fires")


@dataclass(frozen=True, slots=True)
class Catch:
    """What to do, at start-up, with the times a reminder fell due while nobody was sending."""

    send: dt.datetime | None  # the one due time still worth sending (the latest inside the grace window)
    missed: tuple[dt.datetime, ...]  # due times to record as missed


def catch_up(due: list[dt.datetime], now: dt.datetime, grace: dt.timedelta) -> Catch:
    """Send the newest due time within `grace` once; record every other due time as missed."""
    past = sorted(d for d in due if d <= now)
    fresh = [d for d in past if now - d <= grace]
    send = fresh[-1] if fresh else None
    return Catch(send=send, missed=tuple(d for d in past if d != send))


def delivery_key(kind: str, subject: int | str, due: dt.datetime) -> str:
    """The unique key of one delivery: the same reminder at the same due time is sent at most once."""
    return f"{kind}:{subject}:{due.astimezone(dt.UTC).strftime('%Y%m%dT%H%MZ')}"
