"""A supervisor's weekly view of his cadres: figures, flags and highlights per cadre, most in need of
attention first. Pure: entries, postings and the calendar in; summaries out (the wording is the handler's).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from analysis.roles import entry_role
from reporting.figures import compute_figures, leave_dates, role_of, work_entries
from storage.entities import Entry, Person, Posting
from timing.workdays import WorkCalendar

SILENT_WORKDAYS = 3  # working days without an entry before a cadre is flagged
REPORT_GRACE = dt.timedelta(days=7)  # a mid-term or final report is overdue this long after its date
HIGHLIGHTS = 3
FLAG_WEIGHTS = {"not_back": 40, "silent": 30, "no_entries": 25, "report_overdue": 20}
UNVISITED_WEIGHT = 5  # imported villages he has not been to: after the flags above, before the unflagged
OUTCOME_HINTS = ("完成", "解决", "落实", "签订", "达成", "化解", "开工", "竣工", "验收", "到位", "办结")


@dataclass(frozen=True, slots=True)
class CadreWeek:
    """One cadre's period, as his supervisor reads it."""

    person_id: int
    name: str
    workdays: int  # working days on post in the period, leave excluded
    logged: int  # of those, days with at least one work entry
    by_kind: dict[str, int]
    places: tuple[str, ...]  # places visited, first visit first
    leave_days: int
    last_entry: dt.date | None
    silent_workdays: int  # working days (not on leave) since his last entry, today excluded
    highlights: tuple[Entry, ...]
    flags: tuple[str, ...]  # codes of FLAG_WEIGHTS, most serious first
    unreturned_leave: tuple[str, str] | None  # (from, to) of a leave that ended without 销假
    # the imported villages of his posting none of his entries names yet (empty without an imported list)
    unvisited: tuple[str, ...] = ()

    @property
    def attention(self) -> tuple[int, float, str]:
        """Sort key: most serious flags first, then the lowest share of days logged."""
        weight = sum(FLAG_WEIGHTS[f] for f in self.flags) + (UNVISITED_WEIGHT if self.unvisited else 0)
        share = self.logged / self.workdays if self.workdays else 1.0
        return (-weight, share, self.name)


WorkDates = Mapping[str, Sequence[dt.date]]  # kind -> the date of each work entry of that kind (repeats kept)


def is_work(kind: str, role: str | None, text: str = "") -> bool:
    """Whether an entry records work done: not leave or return, and its stored role (else its words') is work."""
    return kind not in ("leave", "back") and (role or entry_role(text)) == "work"


def work_dates(entries: Iterable[Entry]) -> dict[str, list[dt.date]]:
    """His active work entries' dates by kind (the form attendance() counts)."""
    found: dict[str, list[dt.date]] = {}
    for entry in entries:
        if entry.status == "active" and entry.kind not in ("leave", "back") and role_of(entry) == "work":
            found.setdefault(entry.kind, []).append(entry.work_date)
    return found


@dataclass(frozen=True, slots=True)
class Attendance:
    """Working days on post in a window and which of them have an entry: the one computation behind the
    digest, /cadres, /cadre and the console's 总览 (so they show the same figures for the same window)."""

    first: dt.date  # the window as counted: inside the posting, up to yesterday
    last: dt.date
    on_post: tuple[dt.date, ...]  # working days (China's calendar) on post, leave excluded
    logged_days: frozenset[dt.date]  # of those, the days with at least one work entry
    by_kind: dict[str, int]  # work entries in the window by kind
    longest_gap: int  # the longest run of working days on post without an entry
    silent_workdays: int  # working days on post since his last entry (yesterday included)
    last_entry: dt.date | None  # his newest work entry inside the posting

    @property
    def workdays(self) -> int:
        return len(self.on_post)

    @property
    def logged(self) -> int:
        return len(self.logged_days)

    @property
    def share(self) -> float | None:
        return self.logged / self.workdays if self.workdays else None


def _workdays(calendar: WorkCalendar, start: dt.date, end: dt.date, off: Collection[dt.date]) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if day not in off and calendar.is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def posting_bounds(posting: Posting | None, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end] cut to the posting (entries filed outside it are not his posting's work)."""
    if posting is not None and posting.start_date is not None:
        start = max(start, posting.start_date)
    if posting is not None and posting.end_date is not None:
        end = min(end, posting.end_date)
    return start, end


def posting_window(posting: Posting | None, start: dt.date, end: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end] cut to the posting and to yesterday (today is not over)."""
    first = max(start, posting.start_date) if posting and posting.start_date else start
    last = min(end, today - dt.timedelta(days=1))
    if posting is not None and posting.end_date is not None:
        last = min(last, posting.end_date)
    return first, last


def attendance(
    posting: Posting | None,
    worked: WorkDates,
    leave: Collection[dt.date],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    calendar: WorkCalendar,
    *,
    last_entry: dt.date | None = None,
) -> Attendance:
    """Count [start, end] for one cadre. `worked` are his work entries' dates by kind; `leave` his days of leave;
    `last_entry` his newest work entry inside the posting, when older than the dates given."""
    first, last = posting_window(posting, start, end, today)
    on_post = _workdays(calendar, first, last, leave)
    logged_on: set[dt.date] = set()
    by_kind: dict[str, int] = {}
    newest = last_entry
    posting_end = posting.end_date if posting else None
    counted_from, counted_to = posting_bounds(posting, start, end)
    for kind, dates in worked.items():
        for day in dates:
            if first <= day <= last:
                logged_on.add(day)
            if counted_from <= day <= counted_to:
                by_kind[kind] = by_kind.get(kind, 0) + 1
            if day <= today and (posting_end is None or day <= posting_end) and (newest is None or day > newest):
                newest = day
    logged = logged_on.intersection(on_post)
    gap = longest = 0
    for day in on_post:
        gap = 0 if day in logged else gap + 1
        longest = max(longest, gap)
    # silent: from the day after his last entry (or the posting's start) to yesterday, on post, working days
    since = newest + dt.timedelta(days=1) if newest else (posting.start_date if posting else None)
    silent_end = min(today - dt.timedelta(days=1), posting_end or today)
    if since is not None and since >= first and silent_end == last:  # inside the window counted: reuse it
        silent = len(on_post) - bisect.bisect_left(on_post, since)
    else:
        silent = len(_workdays(calendar, since, silent_end, leave)) if since else 0
    return Attendance(
        first=first,
        last=last,
        on_post=tuple(on_post),
        logged_days=frozenset(logged),
        by_kind=by_kind,
        longest_gap=longest,
        silent_workdays=silent,
        last_entry=newest,
    )


def flags_for(week: Attendance, unreturned: bool, report_overdue: bool) -> tuple[str, ...]:
    """The flags of a cadre's window, most serious first."""
    flags = []
    if unreturned:
        flags.append("not_back")
    if week.silent_workdays >= SILENT_WORKDAYS:
        flags.append("silent")
    elif week.workdays and not week.logged:
        flags.append("no_entries")  # fewer working days than the silence threshold, but none logged
    if report_overdue:
        flags.append("report_overdue")
    return tuple(sorted(flags, key=lambda f: -FLAG_WEIGHTS[f]))


def _highlights(work: Sequence[Entry]) -> tuple[Entry, ...]:
    def weight(entry: Entry) -> tuple[int, int, int, int]:
        outcome = sum(1 for w in OUTCOME_HINTS if w in entry.text)
        facts = sum(1 for k in ("money", "lengths", "households", "people", "petitions") if entry.facts.get(k))
        return (entry.starred, outcome + facts + (entry.kind == "visit"), len(entry.text), entry.seq)

    return tuple(sorted(work, key=weight, reverse=True)[:HIGHLIGHTS])


def unreturned_leave(entries: Iterable[Entry], today: dt.date) -> tuple[str, str] | None:
    """(from, to) of an active leave that ended before today without a 销假."""
    for entry in entries:
        end = entry.details.get("to", "") if entry.kind == "leave" else ""
        if end and end < today.isoformat() and not entry.details.get("returned_on"):
            return entry.details.get("from", end), end
    return None


def report_overdue(person: Person, today: dt.date, done: set[str]) -> bool:
    """A mid-term or final report not compiled a week after its date."""
    posting = person.posting
    if posting is None or posting.start_date is None or posting.end_date is None:
        return False
    if "final" not in done and today > posting.end_date + REPORT_GRACE:
        return True
    midpoint = posting.midpoint()
    return midpoint is not None and not done & {"mid", "final"} and today > midpoint + REPORT_GRACE


def summarise(
    person: Person,
    entries: Sequence[Entry],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    calendar: WorkCalendar,
    *,
    last_entry: dt.date | None,
    reports_done: set[str],
    unvisited: Sequence[str] = (),
) -> CadreWeek:
    """Summarise `entries` (his active entries from some weeks before `start` up to `end`) for [start, end].

    `last_entry` is the date of his newest work entry ever (older entries than those given count too);
    `unvisited` the imported villages none of his entries names."""
    posting = person.posting
    figures = compute_figures(entries, posting, start, end)
    leave = leave_dates(entries, posting, start, max(end, today))
    week = attendance(posting, work_dates(entries), leave, start, end, today, calendar, last_entry=last_entry)
    work = work_entries(entries, *posting_bounds(posting, start, end))
    unreturned = unreturned_leave(entries, today)
    places = tuple(name for names in figures.visited.values() for name in names)
    return CadreWeek(
        person_id=person.id,
        name=person.name,
        workdays=week.workdays,
        logged=week.logged,
        by_kind={k: v for k, v in week.by_kind.items() if k in ("log", "visit", "study") and v},
        places=places,
        leave_days=figures.leave_days,
        last_entry=week.last_entry,
        silent_workdays=week.silent_workdays,
        highlights=_highlights(work),
        flags=flags_for(week, unreturned is not None, report_overdue(person, today, reports_done)),
        unreturned_leave=unreturned,
        unvisited=tuple(unvisited),
    )


def rank(weeks: Iterable[CadreWeek]) -> list[CadreWeek]:
    """Cadres in the order a supervisor should look at them."""
    return sorted(weeks, key=lambda w: w.attention)


def daily_counts(entries: Iterable[Entry], days: Sequence[dt.date]) -> list[int]:
    """Work entries per day over `days` (for the heat map)."""
    index = {day: i for i, day in enumerate(days)}
    counts = [0] * len(days)
    for entry in entries:
        i = index.get(entry.work_date)
        if i is not None and entry.kind not in ("leave", "back"):
            counts[i] += 1
    return counts


DAY_STATES = ("logged", "missing", "weekend", "holiday", "leave", "outside", "future")


def day_states(
    posting: Posting | None,
    counts: Sequence[int],
    leave: Collection[dt.date],
    days: Sequence[dt.date],
    today: dt.date,
    calendar: WorkCalendar,
) -> list[str]:
    """What each day was for a cadre (the heat map's colours): outside his posting, today or later, on leave,
    a weekend or a holiday (days off by China's calendar), a day with entries, or a working day without one."""
    start = posting.start_date if posting else None
    end = posting.end_date if posting else None
    found = []
    for day, count in zip(days, counts, strict=True):
        if (start is not None and day < start) or (end is not None and day > end):
            found.append("outside")
        elif count:
            found.append("logged")
        elif day >= today:
            found.append("future")
        elif day in leave:
            found.append("leave")
        elif not calendar.is_workday(day):
            found.append("weekend" if day.weekday() >= 5 else "holiday")
        else:
            found.append("missing")
    return found
