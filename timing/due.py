"""When each automatic reminder rule can next fall due for one person, computed ahead so that a scheduler tick
asks the database only for what is due now instead of walking every cadre. Pure: dates, clocks, calendar and
zone in; the next moment (UTC) out, or None when the rule has nothing more to say for him.

A rule's next time is a candidate: the moment at which the collector must look at the person again. Whether
a message is then needed (nothing logged today, a study missing this week, a promise still open) is decided at
that moment, from the records as they are then; what changes a candidate (his posting, his time zone, a leave,
a promise, the holiday calendar) marks his rows to be computed again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from zoneinfo import ZoneInfo

from timing.workdays import WorkCalendar

HORIZON_DAYS = 400  # how far ahead a rule is searched: past it, the rule is looked at again then
NUDGE_EVENING = dt.time(20, 30)
NUDGE_MORNING = dt.time(8, 30)
PROMISE_CLOCK = dt.time(9, 0)
STUDY_CLOCK = MONTH_END_CLOCK = LEAVE_CLOCK = REFLECTION_CLOCK = dt.time(17, 0)
TERM_CLOCK = LEAVE_NOT_BACK_CLOCK = dt.time(9, 0)
REFLECTION_WORKDAYS_BEFORE_END = 3  # the 心得 prompt comes three working days before the month's last
TERM_NOTICE_DAYS = {"mid": (7, 1), "final": (14, 3)}


def next_time(
    after: dt.datetime, zone: ZoneInfo, clocks_on: Callable[[dt.date], Iterable[dt.time]], days: int = HORIZON_DAYS
) -> dt.datetime | None:
    """The first local moment strictly after `after` that `clocks_on(day)` names, in UTC; None within `days`."""
    local = after.astimezone(zone)
    for offset in range(max(days, 0) + 1):
        day = local.date() + dt.timedelta(days=offset)
        for clock in sorted(set(clocks_on(day))):
            candidate = dt.datetime.combine(day, clock, tzinfo=zone)
            if candidate > local:
                return candidate.astimezone(dt.UTC)
    return None


def on_post(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


def previous_workday(day: dt.date, calendar: WorkCalendar) -> dt.date:
    day -= dt.timedelta(days=1)
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def nth_last_workday(calendar: WorkCalendar, day: dt.date, n: int) -> dt.date:
    """The working day `n` working days before the last one of `day`'s month."""
    last = calendar.last_workday_of_month(day.year, day.month)
    for _ in range(n):
        last = previous_workday(last, calendar)
    return last


def _horizon(after: dt.datetime, zone: ZoneInfo, end: dt.date | None, extra: int = 0) -> int:
    """Days worth searching: up to the posting's end (plus `extra`), at most the horizon."""
    if end is None:
        return HORIZON_DAYS
    return min(HORIZON_DAYS, (end - after.astimezone(zone).date()).days + extra)


def next_nudge(
    after: dt.datetime, zone: ZoneInfo, calendar: WorkCalendar, start: dt.date | None, end: dt.date | None
) -> dt.datetime | None:
    """The evening nudge (20:30) and the morning offer (08:30) come on working days on post."""

    def clocks(day: dt.date) -> tuple[dt.time, ...]:
        if on_post(day, start, end) and calendar.is_workday(day):
            return (NUDGE_MORNING, NUDGE_EVENING)
        return ()

    return next_time(after, zone, clocks, _horizon(after, zone, end))


def next_promise(after: dt.datetime, zone: ZoneInfo, due_days: Collection[dt.date]) -> dt.datetime | None:
    """09:00 on the due day of each promise still open."""
    if not due_days:
        return None
    days = set(due_days)
    return next_time(after, zone, lambda day: (PROMISE_CLOCK,) if day in days else (), _horizon(after, zone, max(days)))


def obligation_clocks(
    day: dt.date,
    calendar: WorkCalendar,
    start: dt.date | None,
    end: dt.date | None,
    midpoint: dt.date | None,
    leave_ends: Collection[dt.date],
) -> tuple[dt.time, ...]:
    """The local times on `day` at which one of the posting's own reminders may be due for him."""
    if not on_post(day, start, end):
        return ()
    clocks: list[dt.time] = []
    if day.weekday() == 4 and calendar.is_workday(day):
        clocks.append(STUDY_CLOCK)
    if day == nth_last_workday(calendar, day, REFLECTION_WORKDAYS_BEFORE_END):
        clocks.append(REFLECTION_CLOCK)
    if day == calendar.last_workday_of_month(day.year, day.month):
        clocks.append(MONTH_END_CLOCK)
    if end is not None and midpoint is not None:
        for kind, target in (("mid", midpoint), ("final", end)):
            if (target - day).days in TERM_NOTICE_DAYS[kind]:
                clocks.append(TERM_CLOCK)
    if day in leave_ends:
        clocks.append(LEAVE_CLOCK)
    if day - dt.timedelta(days=1) in leave_ends:
        clocks.append(LEAVE_NOT_BACK_CLOCK)
    return tuple(clocks)


def next_obligation(
    after: dt.datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar,
    start: dt.date | None,
    end: dt.date | None,
    midpoint: dt.date | None,
    leave_ends: Collection[dt.date] = (),
) -> dt.datetime | None:
    """The next moment one of the posting's reminders (study, 心得, month end, mid-term and final, leave) may be
    due: the obligations are tested day by day, so only days that can bring one are candidates."""
    ends = frozenset(leave_ends)
    return next_time(
        after,
        zone,
        lambda day: obligation_clocks(day, calendar, start, end, midpoint, ends),
        _horizon(after, zone, end),
    )


def next_digest(after: dt.datetime, zone: ZoneInfo, weekday: int, clock: dt.time) -> dt.datetime | None:
    """A supervisor's weekly digest at his local weekday and time."""
    return next_time(after, zone, lambda day: (clock,) if day.weekday() == weekday else (), 8)


def quiet_end(now: dt.datetime, zone: ZoneInfo, quiet: tuple[dt.time, dt.time]) -> dt.datetime:
    """The next end of his quiet hours after `now`, in UTC (a reminder held by them is looked at again then)."""
    end = next_time(now, zone, lambda day: (quiet[1],), 2)
    assert end is not None  # a clock recurs every day
    return end


def earliest(*moments: dt.datetime | None) -> dt.datetime | None:
    found = [m for m in moments if m is not None]
    return min(found) if found else None
