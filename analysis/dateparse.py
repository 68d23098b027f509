"""Find the work date named in a message; past-preferring, never raising.

A work log describes what happened, so an ambiguous phrase ("12月30日" written on 2 January, a bare "周五")
resolves to the past. Phrases about the future ("明天", "下周二", "周四前") are plans or deadlines, not the
work date, and are ignored here; `parse_due_date` reads them for promises and leave.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from analysis.inputs import year_ok
from analysis.numbers import cn_int

_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}  # 周末: Saturday
_REL_DAYS = {
    "大前天": -3,
    "前天": -2,
    "前日": -2,
    "昨天": -1,
    "昨日": -1,
    "昨晚": -1,
    "昨早": -1,
    "昨儿": -1,
    "今天": 0,
    "今日": 0,
    "今早": 0,
    "今晚": 0,
    "今儿": 0,
    "今晨": 0,
}
_FUTURE_DAYS = {"明天": 1, "明日": 1, "明早": 1, "明晚": 1, "后天": 2, "大后天": 3}

RE_FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*[日号]?")
RE_MONTH_DAY = re.compile(rf"(?<![\d年])(上个?月|本月|这个?月)?({_NUM})月({_NUM})[日号]")
_RE_DAY_ONLY = re.compile(rf"(?<![\d月.第])(上个?月|本月|这个?月)?({_NUM})[日号](?![楼线院门机文令位码])")
_RE_WEEK = re.compile(r"(?<!每)(上上|上|这|本|下下|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天末])")  # 每周一: a rule
_RE_REL = re.compile("|".join(sorted(list(_REL_DAYS) + list(_FUTURE_DAYS), key=len, reverse=True)))

# A mention followed by one of these is a deadline or a plan ("周四前报村两委", "周五返岗").
_AFTER_PLAN = ("前", "之前", "以前", "截止", "再", "返岗", "回来", "上班", "到期", "回访", "答复", "回复")
# A relative day followed by one of these names an earlier mention, not the work's date.
_AFTER_REFERENCE = ("说的", "提的", "讲的", "反映的", "提到的", "约的", "定的")
# A mention preceded by one of these is a target ("到周五", "约好3月5日").
_BEFORE_PLAN = (
    "到", "至", "约", "约了", "约好", "定于", "定在", "定了", "安排在", "改到", "改在", "推到", "计划", "准备", "等", "截至", "截止",
    "于", "拟",
)


@dataclass(frozen=True, slots=True)
class DateParse:
    """What a message says about its work date."""

    date: dt.date | None = None  # the work date named, never after `today`
    phrase: str | None = None  # the words that named it
    future: dt.date | None = None  # an explicit full date after today ("2026-12-05"): to be questioned
    invalid: str | None = None  # a date-like phrase that is no date ("2月30日")


def safe_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, if it exists and its year is one the product deals with (0000-01 or 9999-12 are not)."""
    if not year_ok(year):
        return None
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _shift_month(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _is_plan(text: str, start: int, end: int) -> bool:
    after = text[end : end + 3]
    before = text[max(0, start - 3) : start]
    return after.startswith(_AFTER_PLAN) or before.endswith(_BEFORE_PLAN)


def _candidates(text: str, today: dt.date) -> list[tuple[int, str, dt.date | None, str]]:
    """Return (position, phrase, date or None, status) for every date mention; status: ok|future|invalid|plan."""
    found: list[tuple[int, str, dt.date | None, str]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], day: dt.date | None, status: str) -> None:
        if any(s < m.end() and m.start() < e for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        if status == "ok" and _is_plan(text, m.start(), m.end()):
            status = "plan"
        found.append((m.start(), m.group(0), day, status))

    month: int | None  # the later loops read Chinese numerals, which may not parse
    day: int | None
    for m in RE_FULL_DATE.finditer(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        parsed = safe_date(year, month, day)
        if parsed is None:
            add(m, None, "invalid")
        else:
            add(m, parsed, "future" if parsed > today else "ok")
    for m in RE_MONTH_DAY.finditer(text):
        month, day = cn_int(m.group(2)), cn_int(m.group(3))
        if month is None or day is None or not 1 <= month <= 12:
            add(m, None, "invalid")
            continue
        prefix = m.group(1) or ""
        year = today.year
        if prefix.startswith("上"):
            year = _shift_month(today, -1)[0]
        parsed = safe_date(year, month, day)
        if parsed is None:
            # A leap day written in a non-leap year may still be last leap year's.
            add(m, None, "invalid")
            continue
        if parsed > today:
            parsed = safe_date(year - 1, month, day)
        add(m, parsed, "ok" if parsed else "invalid")
    for m in _RE_DAY_ONLY.finditer(text):
        day = cn_int(m.group(2))
        prefix = m.group(1) or ""
        if day is None or not 1 <= day <= 31:
            continue
        months_back = -1 if prefix.startswith("上") else 0
        year, month = _shift_month(today, months_back)
        parsed = safe_date(year, month, day)
        if not prefix and (parsed is None or parsed > today):
            year, month = _shift_month(today, -1)
            parsed = safe_date(year, month, day)
        if parsed is None or parsed > today:
            add(m, None, "invalid")
        else:
            add(m, parsed, "ok")
    for m in _RE_WEEK.finditer(text):
        prefix, weekday = m.group(1) or "", WEEKDAYS[m.group(2)]
        if prefix.startswith("下"):
            add(m, None, "plan")
            continue
        monday = today - dt.timedelta(days=today.weekday())
        weeks = {"上上": -2, "上": -1}.get(prefix, 0)
        parsed = monday + dt.timedelta(weeks=weeks, days=weekday)
        if parsed > today:
            if prefix in ("这", "本"):
                add(m, None, "plan")
                continue
            parsed -= dt.timedelta(weeks=1)
        add(m, parsed, "ok")
    for m in _RE_REL.finditer(text):
        word = m.group(0)
        if text.startswith(_AFTER_REFERENCE, m.end()):
            continue  # 昨天说的占地矛盾今天调解好了: the words name a matter, the work is today's
        if word in _FUTURE_DAYS:
            add(m, None, "plan")
        else:
            add(m, today + dt.timedelta(days=_REL_DAYS[word]), "ok")
    found.sort(key=lambda item: item[0])
    return found


def parse_work_date(text: str, today: dt.date) -> DateParse:
    """Return the work date the text names (first mention wins), else an empty DateParse."""
    invalid: str | None = None
    for _pos, phrase, day, status in _candidates(text, today):
        if status == "ok" and day is not None:
            return DateParse(date=day, phrase=phrase.strip(), invalid=invalid)
        if status == "future" and day is not None:
            return DateParse(phrase=phrase.strip(), future=day, invalid=invalid)
        if status == "invalid" and invalid is None:
            invalid = phrase
    return DateParse(invalid=invalid)


_RE_WITHIN = re.compile(rf"({_NUM}|半)(?:个)?(天|日|周|星期|个月|月)(?:之内|以内|内)")


def parse_due_date(text: str, today: dt.date) -> dt.date | None:
    """Return the future date a promise or plan names ("下周二", "周四前", "十天内", "月底前"), else None."""
    if m := re.search(r"(下下|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天末])", text):
        prefix, weekday = m.group(1) or "", WEEKDAYS[m.group(2)]
        monday = today - dt.timedelta(days=today.weekday())
        if prefix:
            return monday + dt.timedelta(weeks=len(prefix), days=weekday)
        day = monday + dt.timedelta(days=weekday)
        return day if day > today else day + dt.timedelta(weeks=1)
    if (m := _RE_REL.search(text)) and m.group(0) in _FUTURE_DAYS:
        return today + dt.timedelta(days=_FUTURE_DAYS[m.group(0)])
    if m := _RE_WITHIN.search(text):
        amount = 0.5 if m.group(1) == "半" else cn_int(m.group(1))
        if amount:
            unit = m.group(2)
            days = amount * (7 if unit in ("周", "星期") else 30 if "月" in unit else 1)
            return today + dt.timedelta(days=max(1, round(days)))
    if "下周" in text or "下星期" in text:
        return today + dt.timedelta(days=7 - today.weekday())
    if "月底" in text:
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if "下个月" in text or "下月" in text:
        year, month = _shift_month(today, 1)
        return dt.date(year, month, 1)
    if m := RE_MONTH_DAY.search(text):
        due_month, due_day = cn_int(m.group(2)), cn_int(m.group(3))
        if due_month and due_day and 1 <= due_month <= 12:
            parsed = safe_date(today.year, due_month, due_day)
            if parsed is not None and parsed < today:
                parsed = safe_date(today.year + 1, due_month, due_day)
            return parsed
    if m := RE_FULL_DATE.search(text):
        parsed = safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if parsed is not None and parsed > today:
            return parsed
    return None


def parse_user_date(text: str, today: dt.date) -> dt.date | None:
    """Parse a date the user types as an answer or argument ("2026-06-01", "6月1日", "昨天")."""
    text = text.strip()
    if m := RE_FULL_DATE.fullmatch(text):
        return safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := re.fullmatch(rf"(\d{{4}})年({_NUM})月({_NUM})[日号]?", text):
        month, day = cn_int(m.group(2)), cn_int(m.group(3))
        if month and day:
            return safe_date(int(m.group(1)), month, day)
        return None
    if m := re.fullmatch(rf"({_NUM})月({_NUM})[日号]?", text):
        month, day = cn_int(m.group(1)), cn_int(m.group(2))
        if month and day:
            return safe_date(today.year, month, day)
        return None
    if text in _REL_DAYS:
        return today + dt.timedelta(days=_REL_DAYS[text])
    if text in _FUTURE_DAYS:
        return today + dt.timedelta(days=_FUTURE_DAYS[text])
    return None


# -- periods (/history 上周, 7月, 2026-07-01 2026-07-10) ----------------------------------------------

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_THIS_WEEK = ("本周", "这周", "本星期", "这星期", "这个星期", "本礼拜", "这礼拜", "这个礼拜")
_LAST_WEEK = ("上周", "上星期", "上个星期", "上礼拜", "上个礼拜")
_THIS_MONTH = ("本月", "这个月", "这月")
_LAST_MONTH = ("上个月", "上月")
_RE_YEAR_MONTH = re.compile(rf"(\d{{4}})\s*(?:年|[-/.])\s*({_NUM})\s*(?:月份?)?")
_RE_BARE_MONTH = re.compile(rf"({_NUM})月份?")
_RE_PERIOD_SEPARATOR = re.compile(r"\s*(?:至|到|~|—+)\s*|\s+")
MAX_PERIOD_TEXT = 40  # longer is no period: spare the parsers


def month_span(year: int, month: int) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day of a month, or None if there is no such month."""
    first = safe_date(year, month, 1)
    if first is None:
        return None
    return first, first.replace(day=calendar.monthrange(year, month)[1])


def _one_period(text: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    monday = today - dt.timedelta(days=today.weekday())
    if text in _THIS_WEEK:
        return monday, today
    if text in _LAST_WEEK:
        return monday - dt.timedelta(weeks=1), monday - dt.timedelta(days=1)
    if text == "上上周":
        return monday - dt.timedelta(weeks=2), monday - dt.timedelta(days=8)
    if text in _THIS_MONTH:
        return today.replace(day=1), today
    if text in _LAST_MONTH:
        return month_span(*_shift_month(today, -1))
    if m := _RE_YEAR_MONTH.fullmatch(text):
        month = cn_int(m.group(2))
        return month_span(int(m.group(1)), month) if month else None
    if m := _RE_BARE_MONTH.fullmatch(text):
        month = cn_int(m.group(1))
        if month is None or not 1 <= month <= 12:
            return None
        # a bare month is the latest one of that name, this month included ("12月" in January: last December)
        return month_span(today.year if month <= today.month else today.year - 1, month)
    day = parse_user_date(text, today)
    return (day, day) if day is not None else None


def period_parts(text: str) -> list[str]:
    """Split a period as typed into its bounds ("7月1日至7月10日" -> two), full-width characters made plain."""
    text = text.translate(_FULL_WIDTH).strip()
    return _RE_PERIOD_SEPARATOR.split(text) if text else []


def parse_period(text: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day of a period the user names ("上周", "本月", "7月", "2026年7月", "昨天",
    "2026-07-01", or two of these: "2026-07-01 2026-07-10", "7月1日至7月10日"), else None; start <= end."""
    if len(text) > MAX_PERIOD_TEXT * 4:
        return None
    parts = period_parts(text)
    if not parts or sum(map(len, parts)) > MAX_PERIOD_TEXT:
        return None
    if any(ch.isdigit() and not "0" <= ch <= "9" for part in parts for ch in part):
        return None  # ² or ١ are no digits of a date anyone types on purpose
    try:
        if len(parts) == 1:
            return _one_period(parts[0], today)
        if len(parts) != 2:
            return None
        first, last = _one_period(parts[0], today), _one_period(parts[1], today)
    except OverflowError:  # a period next to date.min or date.max
        return None
    if first is None or last is None or last[1] < first[0]:
        return None
    return first[0], last[1]
