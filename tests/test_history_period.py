"""/history with the period words the date parser knows: examples, properties, and the command itself."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.dateparse import parse_period
from handlers import texts
from tests.conftest import Chat, FrozenClock

WED = dt.date(2026, 7, 15)
D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上周", (D(2026, 7, 6), D(2026, 7, 12))),
        ("上星期", (D(2026, 7, 6), D(2026, 7, 12))),
        ("上上周", (D(2026, 6, 29), D(2026, 7, 5))),
        ("本周", (D(2026, 7, 13), WED)),
        ("这周", (D(2026, 7, 13), WED)),
        ("上个月", (D(2026, 6, 1), D(2026, 6, 30))),
        ("上月", (D(2026, 6, 1), D(2026, 6, 30))),
        ("本月", (D(2026, 7, 1), WED)),
        ("这个月", (D(2026, 7, 1), WED)),
        ("今天", (WED, WED)),
        ("昨天", (D(2026, 7, 14), D(2026, 7, 14))),
        ("前天", (D(2026, 7, 13), D(2026, 7, 13))),
        ("7月", (D(2026, 7, 1), D(2026, 7, 31))),
        ("七月", (D(2026, 7, 1), D(2026, 7, 31))),
        ("6月份", (D(2026, 6, 1), D(2026, 6, 30))),
        ("12月", (D(2025, 12, 1), D(2025, 12, 31))),  # a bare month is the latest of that name
        ("2026年2月", (D(2026, 2, 1), D(2026, 2, 28))),
        ("2028年2月", (D(2028, 2, 1), D(2028, 2, 29))),
        ("2026-06", (D(2026, 6, 1), D(2026, 6, 30))),
        ("2026-07-01", (D(2026, 7, 1), D(2026, 7, 1))),
        ("7月3日", (D(2026, 7, 3), D(2026, 7, 3))),
        (" 2026-07-01   2026-07-10 ", (D(2026, 7, 1), D(2026, 7, 10))),
        ("7月1日至7月10日", (D(2026, 7, 1), D(2026, 7, 10))),
        ("2026-07-01~2026-07-03", (D(2026, 7, 1), D(2026, 7, 3))),
        ("6月 7月", (D(2026, 6, 1), D(2026, 7, 31))),
        ("上周 今天", (D(2026, 7, 6), WED)),
        ("２０２６－０７－０１", (D(2026, 7, 1), D(2026, 7, 1))),  # full-width, as phones type it
    ],
)
def test_periods(text: str, expected: tuple[dt.date, dt.date]) -> None:
    assert parse_period(text, WED) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "上周五六",
        "2026-02-30",
        "13月",
        "2026年13月",
        "2026-07-10 2026-07-01",  # backwards
        "2026-07-01 2026-07-02 2026-07-03",
        "2026-07-0²",
        "٢٠٢٦-٠٧-٠١",
        "🙂",
        "下个世纪",
        "7" * 500,
    ],
)
def test_no_period(text: str) -> None:
    assert parse_period(text, WED) is None


# -- properties ---------------------------------------------------------------------------------------
DAYS = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
SANE_DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
WORDS = st.sampled_from(["上周", "本周", "这周", "上上周", "上个月", "上月", "本月", "这个月", "今天", "昨天", "前天"])
CN_MONTHS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=30), DAYS)
def test_never_raises_and_never_runs_backwards(text: str, today: dt.date) -> None:
    found = parse_period(text, today)
    assert found is None or found[0] <= found[1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORDS, st.sampled_from(["7月", "2026年7月", "2026-07-01", "至", " ", "~"])), max_size=4), DAYS)
def test_grammar_never_raises(parts: list[str], today: dt.date) -> None:
    found = parse_period("".join(parts), today)
    assert found is None or found[0] <= found[1]


@settings(max_examples=300, deadline=None)
@given(SANE_DAYS, SANE_DAYS)
def test_a_date_is_its_own_period(day: dt.date, today: dt.date) -> None:
    assert parse_period(day.isoformat(), today) == (day, day)
    assert parse_period(f"{day.year}年{day.month}月{day.day}日", today) == (day, day)


@settings(max_examples=300, deadline=None)
@given(SANE_DAYS, SANE_DAYS, SANE_DAYS)
def test_two_dates_in_order_are_the_range_and_backwards_none(a: dt.date, b: dt.date, today: dt.date) -> None:
    first, last = min(a, b), max(a, b)
    assert parse_period(f"{first} {last}", today) == (first, last)
    assert parse_period(f"{first}至{last}", today) == (first, last)
    if first < last:
        assert parse_period(f"{last} {first}", today) is None


@settings(max_examples=300, deadline=None)
@given(SANE_DAYS)
def test_weeks(today: dt.date) -> None:
    this_start, this_end = parse_period("本周", today) or (None, None)
    last_start, last_end = parse_period("上周", today) or (None, None)
    assert this_start is not None and last_start is not None and last_end is not None
    assert this_start.weekday() == 0 and this_start <= today == this_end
    assert last_start.weekday() == 0 and last_end.weekday() == 6 and (last_end - last_start).days == 6
    assert last_end + dt.timedelta(days=1) == this_start


@settings(max_examples=300, deadline=None)
@given(SANE_DAYS)
def test_months(today: dt.date) -> None:
    start, end = parse_period("上个月", today) or (None, None)
    assert start is not None and end is not None
    assert start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1] and start.month == end.month
    assert end + dt.timedelta(days=1) == today.replace(day=1)
    assert parse_period("本月", today) == (today.replace(day=1), today)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12), SANE_DAYS)
def test_a_bare_month_is_the_latest_of_its_name(month: int, today: dt.date) -> None:
    found = parse_period(f"{month}月", today)
    assert found is not None
    start, end = found
    assert start.month == end.month == month and start.day == 1 and start <= today
    assert (today - start).days < 366  # the latest one, not one of an earlier year
    assert parse_period(f"{CN_MONTHS[month - 1]}月", today) == found


# -- the command ----------------------------------------------------------------------------------------


async def test_history_last_week_and_this_month(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await chat.say("7月1日上午列席镇党委会")
    await chat.say("上周三走访东坪村")  # 7月8日
    await chat.say("今天学习《信访条例》")
    last_week = (await chat.say("/history 上周")).text.splitlines()
    assert last_week[0] == texts.HISTORY_HEADER.format(start="7月6日", end="7月12日", count=1)
    assert "#2" in last_week[-1] and "#1" not in "\n".join(last_week)
    month = (await chat.say("/history 本月")).text
    assert month.splitlines()[0] == texts.HISTORY_HEADER.format(start="7月1日", end="7月15日（今天）", count=3)
    assert (await chat.say("/history 7月")).text.splitlines()[0].startswith("7月1日 至 7月31日 共 3 条")
    assert (await chat.say("/history 今天")).text.splitlines()[0].endswith("共 1 条：")
    assert (await chat.say("/history 2026-07-08")).text.splitlines()[0].endswith("共 1 条：")
    assert (await chat.say("/history 上个月")).text == texts.HISTORY_EMPTY.format(start="6月1日", end="6月30日")
    both = (await chat.say("/history 7月1日至7月8日")).text
    assert both.splitlines()[0] == texts.HISTORY_HEADER.format(start="7月1日", end="7月8日", count=2)


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        ("", texts.HISTORY_USAGE),
        ("上周 本周 今天", texts.HISTORY_USAGE),
        ("上辈子", texts.HISTORY_BAD_PERIOD.format(text="上辈子")),
        ("🙂🙂", texts.HISTORY_BAD_PERIOD.format(text="🙂🙂")),
        ("2026-07-0²", texts.HISTORY_BAD_PERIOD.format(text="2026-07-0²")),
        ("2026-02-30 2026-03-01", texts.HISTORY_BAD_DATE.format(text="2026-02-30")),
        ("2026-03-01 三十号", texts.HISTORY_BAD_DATE.format(text="三十号")),
        ("本周 上周", texts.HISTORY_REVERSED.format(start="7月13日", end="7月12日")),
        ("2024-01-01 2026-07-01", texts.HISTORY_TOO_LONG),
    ],
)
async def test_history_malformed_periods_get_a_clear_reply(chat: Chat, cadre: str, args: str, reply: str) -> None:
    await chat.say("上午列席镇党委会")
    assert (await chat.say(f"/history {args}".strip())).text == reply


async def test_history_long_garbage(chat: Chat, cadre: str) -> None:
    text = (await chat.say("/history " + "上周" * 500)).text
    assert text == texts.HISTORY_BAD_PERIOD.format(text=("上周" * 10))
