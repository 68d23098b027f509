"""When repeating reminders fall due, the unique key of each delivery, and how late each kind may still be
sent (its grace window). Pure: rules, calendar and clock in; times out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from timing.workdays import WorkCalendar

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


def delivery_key(kind: str, subject: int | str, due: dt.datetime) -> str:
    """The unique key of one delivery: the same reminder at the same due time is sent at most once."""
    return f"{kind}:{subject}:{due.astimezone(dt.UTC).strftime('%Y%m%dT%H%MZ')}"


# How late a reminder may still be sent when the bot was down at its time; beyond it, it is recorded missed.
DEFAULT_GRACE = {
    "remind": dt.timedelta(hours=6),
    "nudge": dt.timedelta(hours=2),  # pointless the next day: the morning offer takes over
    "catch-up": dt.timedelta(hours=3),
    "promise": dt.timedelta(hours=10),
    "study": dt.timedelta(hours=4),
    "reflection": dt.timedelta(hours=6),
    "month-end": dt.timedelta(hours=6),
    "term": dt.timedelta(hours=12),
    "leave": dt.timedelta(hours=6),
    "digest": dt.timedelta(hours=24),
    "comment": dt.timedelta(days=7),
}
_UNITS = {"m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Grace:
    """The grace window of each kind of delivery (a kind "term-mid" falls under "term")."""

    per_kind: Mapping[str, dt.timedelta] = field(default_factory=lambda: dict(DEFAULT_GRACE))
    default: dt.timedelta = dt.timedelta(hours=1)

    def __call__(self, kind: str) -> dt.timedelta:
        return self.per_kind.get(kind) or self.per_kind.get(kind.split("-")[0]) or self.default

    @classmethod
    def uniform(cls, window: dt.timedelta) -> Grace:
        return cls(per_kind={}, default=window)

    @classmethod
    def parse(cls, text: str) -> Grace:
        """Defaults overridden by "nudge=2h,digest=1d,remind=30m"; ValueError for anything else."""
        per_kind = dict(DEFAULT_GRACE)
        for item in filter(None, (part.strip() for part in text.split(","))):
            kind, _, value = item.partition("=")
            unit = value.strip()[-1:].lower()
            if kind.strip() not in DEFAULT_GRACE or unit not in _UNITS or not value.strip()[:-1].isdigit():
                raise ValueError(f"bad grace setting {item!r}: expected kind=<number><m|h|d>")
            per_kind[kind.strip()] = dt.timedelta(seconds=int(value.strip()[:-1]) * _UNITS[unit])
        return cls(per_kind=per_kind)
