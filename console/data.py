"""What the console's pages show, loaded with a fixed number of queries however many cadres there are, and
computed by reporting/compliance.py (the digest's own attendance count)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from console import texts
from handlers import admin
from reporting.compliance import Standing, standing
from reporting.digest import FLAG_WEIGHTS, is_work
from storage.entities import Person
from storage.uow import UnitOfWork
from timing.prefs import Prefs


async def standings(uow: UnitOfWork, cadres: Sequence[Person], today: dt.date) -> list[Standing]:
    """Every cadre's standing over his posting so far, in six queries."""
    if not cadres:
        return []
    ids = [c.id for c in cadres]
    starts = [c.posting.start_date for c in cadres if c.posting and c.posting.start_date]
    earliest = min(starts, default=today)
    calendar = (await admin.work_calendar(uow)).resolved(earliest, today)
    worked, unsure = await uow.entries.work_dates_for(ids, earliest, today)
    for m in unsure:  # stored before roles were: told from their words, as the digest tells them
        if is_work(m.kind, m.role, m.text or ""):
            worked[m.person_id].setdefault(m.kind, []).append(m.work_date)
    notes = await uow.entries.notes_for(ids)
    done = await uow.reports.kinds_done(ids)
    return [
        standing(c, worked[c.id], notes[c.id], done[c.id], today, calendar, Prefs.load(c.settings).study_per_week)
        for c in cadres
    ]


def attention(found: Standing) -> tuple[int, float, str]:
    """The digest's order: the most serious flags first, then the lowest share of working days logged."""
    share = found.attendance.share
    return (-sum(FLAG_WEIGHTS[f] for f in found.flags), 1.0 if share is None else share, found.person.name)


SORT_KEYS = {
    "name": lambda s: s.person.name,
    "batch": lambda s: (s.batch or "", s.person.name),
    "workdays": lambda s: s.attendance.workdays,
    "logged": lambda s: s.attendance.logged,
    "share": lambda s: -1.0 if s.attendance.share is None else s.attendance.share,
    "last_entry": lambda s: s.attendance.last_entry or dt.date.min,
    "longest_gap": lambda s: s.attendance.longest_gap,
    "visits": lambda s: s.visits,
    "study": lambda s: s.study,
}


def date_text(day: dt.date | None) -> str:
    return day.isoformat() if day else texts.UNKNOWN


def flag_texts(found: Standing) -> list[str]:
    labels = []
    for flag in found.flags:
        label = texts.FLAG_LABELS[flag]
        labels.append(label.format(days=found.attendance.silent_workdays) if flag == "silent" else label)
    return labels


def share_text(found: Standing) -> str:
    share = found.attendance.share
    return f"{share:.0%}" if share is not None else texts.UNKNOWN


def report_text(state: str, due: dt.date | None) -> str:
    text = texts.REPORT_STATE[state]
    return text + texts.REPORT_DUE.format(date=due.isoformat()) if due and state != "none" else text


def leave_text(found: Standing) -> str:
    if found.not_back:
        return texts.LEAVE_NOT_BACK.format(start=found.not_back[0], end=found.not_back[1])
    if found.on_leave:
        return texts.LEAVE_OPEN.format(start=found.on_leave[0], end=found.on_leave[1])
    return texts.LEAVE_DAYS.format(days=found.leave_days) if found.leave_days else texts.UNKNOWN


@dataclass(frozen=True, slots=True)
class Row:
    """One 总览 row as shown and exported: the cells in the order of texts.COLUMNS."""

    standing: Standing
    cells: dict[str, str]


def row(found: Standing) -> Row:
    posting = found.person.posting
    period = texts.UNKNOWN
    if posting and (posting.start_date or posting.end_date):
        period = texts.PERIOD.format(start=date_text(posting.start_date), end=date_text(posting.end_date))
    counted = found.attendance
    cells = {
        "name": found.person.name,
        "sending_unit": (posting.sending_unit if posting else None) or texts.UNKNOWN,
        "host_unit": (posting.host_unit if posting else None) or texts.UNKNOWN,
        "position": (posting.position if posting else None) or texts.UNKNOWN,
        "batch": found.batch or texts.UNKNOWN,
        "period": period,
        "workdays": str(counted.workdays),
        "logged": str(counted.logged),
        "share": share_text(found),
        "last_entry": date_text(counted.last_entry) if counted.last_entry else texts.NEVER,
        "longest_gap": str(counted.longest_gap),
        "visits": str(found.visits),
        "study": f"{found.study}/{found.study_expected}",
        "leave": leave_text(found),
        "mid_report": report_text(found.mid_report.state, found.mid_report.due),
        "final_report": report_text(found.final_report.state, found.final_report.due),
        "promises": f"{found.promises_open}/{found.promises_overdue}",
        "flags": texts.FLAG_SEPARATOR.join(flag_texts(found)),
    }
    return Row(found, cells)
