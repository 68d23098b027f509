"""China's working days: weekends and statutory holidays off, 调休 make-up days on.

chinese-calendar carries the State Council's schedule up to its last published year; later years come from a
holiday file the administrator imports (`python bot.py admin holidays import FILE`), and a year with neither
falls back to plain weekends — `covered()` says so, for a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import chinese_calendar

HOLIDAY_WORDS = ("休", "假", "holiday", "off")
WORKDAY_WORDS = ("班", "调休上班", "workday", "work")
_RE_LINE = re.compile(
    "^\\s*(\\d{4}-\\d{1,2}-\\d{1,2})\\s*[,\uff0c\\t ]\\s*([^,\uff0c\\s]+)\\s*(?:[,\uff0c\\t ]\\s*(.*?))?\\s*$"
)


class HolidayFileError(ValueError):
    """A line of a holiday file that cannot be read; the message names the line."""

    def __init__(self, line_number: int, line: str) -> None:
        super().__init__(f"line {line_number}: {line!r}")
        self.line_number = line_number
        self.line = line


@cache
def library_years() -> range:
    """The years chinese-calendar has the official schedule for."""
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return range(years[0], years[-1] + 1)


@cache
def _library_workday(day: dt.date) -> bool:
    """chinese-calendar's answer, remembered: it validates every date it is asked about (the console's 总览 asks
    about each day of every posting)."""
    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True)
class WorkCalendar:
    """Answers is_workday for any date: imported days first, then chinese-calendar, then weekends."""

    imported: Mapping[dt.date, bool] = field(default_factory=dict)  # day -> is a working day

    def is_workday(self, day: dt.date) -> bool:
        if day in self.imported:
            return self.imported[day]
        if day.year in library_years():
            return _library_workday(day)
        return day.weekday() < 5

    def resolved(self, start: dt.date, end: dt.date) -> WorkCalendar:
        """The same calendar with every day of [start, end] looked up once (for counting many postings)."""
        days = {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}
        return WorkCalendar({**{day: self.is_workday(day) for day in days}, **self.imported})

    def covered(self, year: int) -> bool:
        """Whether the official schedule of `year` is known (not guessed from weekends)."""
        return year in library_years() or any(d.year == year for d in self.imported)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        return sum(1 for i in range((end - start).days + 1) if self.is_workday(start + dt.timedelta(days=i)))

    def last_workday_of_month(self, year: int, month: int) -> dt.date:
        day = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        while not self.is_workday(day):
            day -= dt.timedelta(days=1)
        return day


def parse_holiday_file(text: str) -> dict[dt.date, tuple[bool, str]]:
    """Read "date, 休|班, name" lines (commas, tabs or spaces; # comments) into day -> (is workday, name)."""
    days: dict[dt.date, tuple[bool, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _RE_LINE.match(line)
        if m is None:
            raise HolidayFileError(number, line)
        try:
            day = dt.date.fromisoformat(
                "-".join(f"{int(p):02d}" if i else p for i, p in enumerate(m.group(1).split("-")))
            )
        except ValueError as exc:
            raise HolidayFileError(number, line) from exc
        kind = m.group(2).lower()
        if kind in HOLIDAY_WORDS:
            days[day] = (False, m.group(3) or "")
        elif kind in WORKDAY_WORDS:
            days[day] = (True, m.group(3) or "")
        else:
            raise HolidayFileError(number, line)
    return days
