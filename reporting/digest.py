"""A supervisor's weekly view of his cadres: figures, flags and highlights per cadre, most in need of
attention first. Pure: entries, postings and the calendar in; summaries out (the wording is the handler's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reporting.figures import compute_figures, leave_dates, work_entries
from storage.entities import Entry, Person
from timing.workdays import WorkCalendar

SILENT_WORKDAYS = 3  # working days without an entry before a cadre is flagged
REPORT_GRACE = dt.timedelta(days=7)  # a mid-term or final report is overdue this long after its date
HIGHLIGHTS = 3
FLAG_WEIGHTS = {"not_back": 40, "silent": 30, "report_overdue": 20}
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


def _workdays(calendar: WorkCalendar, start: dt.date, end: dt.date, off: set[dt.date]) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if calendar.is_workday(day) and day not in off:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _highlights(work: Sequence[Entry]) -> tuple[Entry, ...]:
    def weight(entry: Entry) -> tuple[int, int, int, int]:
        outcome = sum(1 for w in OUTCOME_HINTS if w in entry.text)
        facts = sum(1 for k in ("money", "lengths", "households", "people", "petitions") if entry.facts.get(k))
        return (entry.starred, outcome + facts + (entry.kind == "visit"), len(entry.text), entry.seq)

    return tuple(sorted(work, key=weight, reverse=True)[:HIGHLIGHTS])


def _unreturned(entries: Iterable[Entry], today: dt.date) -> tuple[str, str] | None:
    for entry in entries:
        end = entry.details.get("to", "") if entry.kind == "leave" else ""
        if end and end < today.isoformat() and not entry.details.get("returned_on"):
            return entry.details.get("from", end), end
    return None


def _report_overdue(person: Person, today: dt.date, done: set[str]) -> bool:
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
    first = max(start, posting.start_date) if posting and posting.start_date else start
    last = min(end, today - dt.timedelta(days=1), (posting.end_date if posting else None) or end)
    figures = compute_figures(entries, posting, start, end)
    leave = leave_dates(entries, posting, start, max(end, today))
    on_post = _workdays(calendar, first, last, leave)
    work = work_entries(entries, start, end)
    logged_days = {e.work_date for e in work}
    since = last_entry + dt.timedelta(days=1) if last_entry else (posting.start_date if posting else None)
    silent = len(_workdays(calendar, since, today - dt.timedelta(days=1), leave)) if since else 0
    unreturned = _unreturned(entries, today)
    flags = []
    if unreturned is not None:
        flags.append("not_back")
    if silent >= SILENT_WORKDAYS:
        flags.append("silent")
    if _report_overdue(person, today, reports_done):
        flags.append("report_overdue")
    places = tuple(name for names in figures.visited.values() for name in names)
    return CadreWeek(
        person_id=person.id,
        name=person.name,
        workdays=len(on_post),
        logged=len(logged_days & set(on_post)),
        by_kind={k: v for k, v in figures.by_kind.items() if k in ("log", "visit", "study") and v},
        places=places,
        leave_days=figures.leave_days,
        last_entry=last_entry,
        silent_workdays=silent,
        highlights=_highlights(work),
        flags=tuple(sorted(flags, key=lambda f: -FLAG_WEIGHTS[f])),
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
