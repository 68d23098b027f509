"""When a reminder should fire, read from the cadre's own words (issue 3 groundwork).

"30分钟后 …", "明天 15:00 …", "后天下午3点半 …", "3月5日 9:00 …", "周五 17:00 …" (once, the next such time),
"每天 20:30 …", "每周一 9:00 …", "每个工作日 8:30 …" (repeating). Future-preferring, unlike the work-date
parser: a reminder is about what is still to come. Raises ReminderTimeError with a reason for bad input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from analysis.dateparse import RE_FULL_DATE, RE_MONTH_DAY, WEEKDAYS, safe_date
from analysis.numbers import cn_int

_NUM = r"(?:\d{1,2}|[零一二两三四五六七八九十]{1,3})"
_RE_AFTER = re.compile(rf"^\s*(半|{_NUM})\s*(?:个)?\s*(分钟|小时|钟头|天)\s*(?:以)?后")
_RE_CLOCK = re.compile(
    rf"(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?\s*(?:(\d{{1,2}})\s*[:：]\s*(\d{{2}})|({_NUM})\s*[点時时](?:\s*(半|一刻|三刻|{_NUM})\s*分?)?)"
)
_RE_REPEAT = re.compile(r"^\s*每(?:个)?(?:(天|日)|(工作日)|(?:周|星期|礼拜)([一二三四五六日天]))")
_RE_DAY = re.compile(r"^\s*(今天|今晚|明天|明早|明晚|后天|(?:下)?(?:周|星期|礼拜)[一二三四五六日天])")
_PM = ("下午", "傍晚", "晚上")


class ReminderTimeError(ValueError):
    """Why a reminder time cannot be used: missing_time, impossible, past, missing_text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ReminderTime:
    text: str  # what to remind of
    at: dt.datetime | None = None  # a single time (aware, in the given zone)
    repeat: str | None = None  # "daily" | "workdays" | "weekly"
    weekday: int | None = None  # for weekly: 0 = Monday
    clock: dt.time | None = None  # for repeating reminders


def _clock(m: re.Match[str]) -> dt.time:
    period = m.group(1) or ""
    hour: int | None
    minute: int | None
    if m.group(2) is not None:
        hour, minute = int(m.group(2)), int(m.group(3))
    else:
        hour = cn_int(m.group(4)) if m.group(4) else None
        extra = m.group(5)
        minute = {"半": 30, "一刻": 15, "三刻": 45}.get(extra or "")
        if minute is None:
            minute = cn_int(extra) if extra else 0
        if hour is None or minute is None:
            raise ReminderTimeError("impossible")
    if period in _PM and hour < 12:
        hour += 12
    if period == "中午" and hour < 6:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ReminderTimeError("impossible")
    return dt.time(hour, minute)


def _rest(text: str, *spans: tuple[int, int]) -> str:
    out = text
    for start, end in sorted(spans, reverse=True):
        out = out[:start] + out[end:]
    return out.strip(" ，,：:")


def parse_reminder(text: str, now: dt.datetime) -> ReminderTime:
    """Read a reminder's time and message; `now` is aware, in the cadre's zone."""
    if m := _RE_AFTER.match(text):
        amount = 0.5 if m.group(1) == "半" else cn_int(m.group(1))
        if not amount:
            raise ReminderTimeError("impossible")
        unit = {"分钟": "minutes", "小时": "hours", "钟头": "hours", "天": "days"}[m.group(2)]
        rest = _rest(text, m.span())
        if not rest:
            raise ReminderTimeError("missing_text")
        return ReminderTime(text=rest, at=now + dt.timedelta(**{unit: amount}))
    clock = _RE_CLOCK.search(text)
    if clock is None:
        raise ReminderTimeError("missing_time")
    at_clock = _clock(clock)
    if repeat := _RE_REPEAT.match(text):
        rest = _rest(text, repeat.span(), clock.span())
        if not rest:
            raise ReminderTimeError("missing_text")
        if repeat.group(1):
            return ReminderTime(text=rest, repeat="daily", clock=at_clock)
        if repeat.group(2):
            return ReminderTime(text=rest, repeat="workdays", clock=at_clock)
        return ReminderTime(text=rest, repeat="weekly", weekday=WEEKDAYS[repeat.group(3)], clock=at_clock)
    today = now.date()
    day: dt.date | None = None
    spans = [clock.span()]
    if m := RE_FULL_DATE.search(text):
        day = safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is None:
            raise ReminderTimeError("impossible")
        spans.append(m.span())
    elif m := RE_MONTH_DAY.search(text):
        month, dom = cn_int(m.group(2)), cn_int(m.group(3))
        day = safe_date(today.year, month or 0, dom or 0)
        if day is None:
            raise ReminderTimeError("impossible")
        if day < today:
            day = safe_date(today.year + 1, month or 0, dom or 0)
        spans.append(m.span())
    elif m := _RE_DAY.match(text):
        word = m.group(1)
        spans.append(m.span())
        if word.startswith("今"):
            day = today
        elif word.startswith("明"):
            day = today + dt.timedelta(days=1)
        elif word == "后天":
            day = today + dt.timedelta(days=2)
        else:
            target = WEEKDAYS[word[-1]]
            ahead = (target - today.weekday()) % 7
            if word.startswith("下"):
                ahead += 7 if ahead == 0 or today.weekday() <= target else 0
            day = today + dt.timedelta(days=ahead)
    explicit_day = day is not None
    day = day or today
    at = dt.datetime.combine(day, at_clock, tzinfo=now.tzinfo)
    if at <= now:
        if explicit_day:
            raise ReminderTimeError("past")
        at += dt.timedelta(days=1)  # "15:00 开会" said at 16:00 means tomorrow
    rest = _rest(text, *spans)
    if not rest:
        raise ReminderTimeError("missing_text")
    return ReminderTime(text=rest, at=at)
