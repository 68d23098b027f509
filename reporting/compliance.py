"""The organisation department's roll-up: one cadre's standing over his whole posting so far (the console's
总览 row), from the same attendance computation as the supervisors' digest (reporting/digest.py).

Pure: a person, his work entries' dates by kind, his leave notes and visit notes with promises, the reports he
compiled and the calendar in; figures out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reporting.digest import (
    REPORT_GRACE,
    Attendance,
    WorkDates,
    attendance,
    flags_for,
    report_overdue,
    unreturned_leave,
)
from reporting.figures import leave_dates
from storage.entities import Entry, Person
from timing.workdays import WorkCalendar

REPORT_SOON = dt.timedelta(days=14)  # a report is "due" (not merely "pending") this long before its date


@dataclass(frozen=True, slots=True)
class ReportState:
    state: str  # done | overdue | due | pending | none (no dates to tell)
    due: dt.date | None


@dataclass(frozen=True, slots=True)
class PromiseState:
    """One promise of a visit note, as the ledgers state it."""

    entry_seq: int
    work_date: dt.date
    text: str
    due: dt.date | None
    state: str  # done | overdue | open | postponed


@dataclass(frozen=True, slots=True)
class Standing:
    """One cadre's posting so far (to yesterday)."""

    person: Person
    attendance: Attendance
    visits: int
    study: int
    study_expected: int  # his weekly target times the weeks with a working day on post
    leave_days: int  # calendar days of leave inside the posting so far
    on_leave: tuple[str, str] | None  # a leave going on today (from, to)
    not_back: tuple[str, str] | None  # a leave that ended without 销假
    mid_report: ReportState
    final_report: ReportState
    promises: tuple[PromiseState, ...]
    flags: tuple[str, ...]

    @property
    def promises_open(self) -> int:
        return sum(1 for p in self.promises if p.state != "done")

    @property
    def promises_overdue(self) -> int:
        return sum(1 for p in self.promises if p.state == "overdue")

    @property
    def batch(self) -> str | None:
        return self.person.posting.batch if self.person.posting else None


def _day(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def promise_states(entries: Iterable[Entry], today: dt.date) -> tuple[PromiseState, ...]:
    """Every promise of the active visit notes given: done, overdue (due before today), postponed or open."""
    found = []
    for entry in sorted(entries, key=lambda e: (e.work_date, e.seq)):
        if entry.status != "active":
            continue
        for promise in entry.details.get("promises", []) or []:
            if not isinstance(promise, dict) or not promise.get("text"):
                continue
            due = _day(promise.get("due"))
            if promise.get("status") == "done":
                state = "done"
            elif due is not None and due < today:
                state = "overdue"
            else:
                state = "postponed" if promise.get("status") == "postponed" else "open"
            found.append(PromiseState(entry.seq, entry.work_date, str(promise["text"]), due, state))
    return tuple(found)


def _report(due: dt.date | None, done: bool, today: dt.date) -> ReportState:
    if done:
        return ReportState("done", due)
    if due is None:
        return ReportState("none", None)
    if today > due + REPORT_GRACE:
        return ReportState("overdue", due)
    return ReportState("due" if today >= due - REPORT_SOON else "pending", due)


def _on_leave(entries: Iterable[Entry], today: dt.date) -> tuple[str, str] | None:
    for entry in entries:
        if entry.kind != "leave" or entry.status != "active" or entry.details.get("returned_on"):
            continue
        start, end = _day(entry.details.get("from")), _day(entry.details.get("to", entry.details.get("from")))
        if start is not None and end is not None and start <= today <= end:
            return start.isoformat(), end.isoformat()
    return None


def _study_weeks(days: Sequence[dt.date]) -> int:
    return len({day - dt.timedelta(days=day.weekday()) for day in days})


def standing(
    person: Person,
    worked: WorkDates,
    notes: Sequence[Entry],
    reports_done: set[str],
    today: dt.date,
    calendar: WorkCalendar,
    study_per_week: int = 1,
) -> Standing:
    """His standing from the posting's start to yesterday. `worked` are his work entries' dates by kind;
    `notes` his leave notes and his visit notes with promises (full entries)."""
    posting = person.posting
    start = posting.start_date if posting and posting.start_date else today
    leave = leave_dates(notes, posting, start, today)
    counted = attendance(posting, worked, leave, start, today - dt.timedelta(days=1), today, calendar)
    midpoint = posting.midpoint() if posting else None
    unreturned = unreturned_leave(notes, today)
    overdue = report_overdue(person, today, reports_done)
    return Standing(
        person=person,
        attendance=counted,
        visits=counted.by_kind.get("visit", 0),
        study=counted.by_kind.get("study", 0),
        study_expected=study_per_week * _study_weeks(counted.on_post),
        leave_days=len([d for d in leave if d < today]),
        on_leave=_on_leave(notes, today),
        not_back=unreturned,
        mid_report=_report(midpoint, bool(reports_done & {"mid", "final"}), today),
        final_report=_report(posting.end_date if posting else None, "final" in reports_done, today),
        promises=promise_states((n for n in notes if n.kind == "visit"), today),
        flags=flags_for(counted, unreturned is not None, overdue),
    )


@dataclass(frozen=True, slots=True)
class WeekShare:
    week: dt.date  # its Monday
    logged: int
    workdays: int

    @property
    def share(self) -> float | None:
        return self.logged / self.workdays if self.workdays else None


def weekly_shares(standings: Iterable[Standing]) -> dict[str | None, list[WeekShare]]:
    """Per batch, per week (Monday first): working days logged over working days on post, pooled over its cadres."""
    pooled: dict[str | None, dict[dt.date, list[int]]] = {}
    for found in standings:
        weeks = pooled.setdefault(found.batch, {})
        logged = found.attendance.logged_days
        for day in found.attendance.on_post:
            cell = weeks.setdefault(day - dt.timedelta(days=day.weekday()), [0, 0])
            cell[0] += day in logged
            cell[1] += 1
    return {
        batch: [WeekShare(week, cell[0], cell[1]) for week, cell in sorted(weeks.items())]
        for batch, weeks in pooled.items()
    }
