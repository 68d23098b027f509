"""The work-date parser: examples, and properties (never raises, never after the message's day)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.dateparse import parse_due_date, parse_user_date, parse_work_date
from analysis.numbers import cn_to_number

WED = dt.date(2026, 7, 15)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天走访东坪村", WED),
        ("昨天在信访局接待来访", dt.date(2026, 7, 14)),
        ("昨晚开党员大会", dt.date(2026, 7, 14)),
        ("前天去县里开会", dt.date(2026, 7, 13)),
        ("大前天下乡", dt.date(2026, 7, 12)),
        ("上周三去东坪村", dt.date(2026, 7, 8)),
        ("上上周一的会", dt.date(2026, 6, 29)),
        ("周一走访", dt.date(2026, 7, 13)),
        ("周五开会", dt.date(2026, 7, 10)),  # bare weekday after today: last week's
        ("星期天加班", dt.date(2026, 7, 12)),
        ("3月5日上午列席镇党委会", dt.date(2026, 3, 5)),
        ("三月五号上午", dt.date(2026, 3, 5)),
        ("12月30日走访", dt.date(2025, 12, 30)),  # prefers the past
        ("2026-03-05 走访", dt.date(2026, 3, 5)),
        ("2026/3/5走访", dt.date(2026, 3, 5)),
        ("2026年3月5日走访", dt.date(2026, 3, 5)),
        ("5号下午开会", dt.date(2026, 7, 5)),
        ("20号开会", dt.date(2026, 6, 20)),  # the 20th has not come this month yet
        ("上个月15号学习", dt.date(2026, 6, 15)),
        ("上月3日到县里", dt.date(2026, 6, 3)),
    ],
)
def test_named_dates(text: str, expected: dt.date) -> None:
    assert parse_work_date(text, WED).date == expected


@pytest.mark.parametrize(
    "text",
    [
        "走访东坪村",
        "下周二去中川村看菌棚",
        "周四前报村两委",
        "明天去扶贫办催第二批",
        "约好3月5日再来",
        "走访3号楼住户",
        "乘5号线去县城",
        "第5日",
    ],
)
def test_no_work_date(text: str) -> None:
    assert parse_work_date(text, WED).date is None


def test_future_full_date_is_flagged_not_returned() -> None:
    parsed = parse_work_date("2026-08-20 召开村民代表大会", WED)
    assert parsed.date is None and parsed.future == dt.date(2026, 8, 20)


@pytest.mark.parametrize("text", ["2月30日走访", "2026-02-30开会", "13月1日", "2026-13-01"])
def test_impossible_dates_are_reported(text: str) -> None:
    parsed = parse_work_date(text, WED)
    assert parsed.date is None and parsed.invalid is not None


def test_first_mention_wins() -> None:
    assert parse_work_date("昨天补记：前天在县里开会", WED).date == dt.date(2026, 7, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("下周二去中川村", dt.date(2026, 7, 21)),
        ("周四前报村两委", dt.date(2026, 7, 16)),
        ("周一前答复", dt.date(2026, 7, 20)),
        ("明天去扶贫办", dt.date(2026, 7, 16)),
        ("十天内答复", dt.date(2026, 7, 25)),
        ("一周内回复", dt.date(2026, 7, 22)),
        ("月底前办结", dt.date(2026, 7, 31)),
        ("下周跟扶贫办说", dt.date(2026, 7, 20)),
        ("3月5日前", dt.date(2027, 3, 5)),
        ("7月15日前", WED),  # today itself is not moved to next year
        ("没有日期", None),
    ],
)
def test_due_dates(text: str, expected: dt.date | None) -> None:
    assert parse_due_date(text, WED) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-01", dt.date(2026, 6, 1)),
        ("2026年6月1日", dt.date(2026, 6, 1)),
        ("6月1日", dt.date(2026, 6, 1)),
        ("昨天", dt.date(2026, 7, 14)),
        ("2026-02-30", None),
        ("下个月", None),
        ("", None),
    ],
)
def test_user_dates(text: str, expected: dt.date | None) -> None:
    assert parse_user_date(text, WED) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三百", 300),
        ("二十", 20),
        ("十五", 15),
        ("一百二十", 120),
        ("两", 2),
        ("9.2", 9.2),
        ("1,200", 1200),
        ("三万五千", 35000),
        ("二〇二六", 2026),
        ("一一", 11),
        ("十十", None),
        ("", None),
        ("万万", None),
    ],
)
def test_numbers(text: str, value: float | None) -> None:
    assert cn_to_number(text) == value


# -- properties ---------------------------------------------------------------------------------------
NUM = st.one_of(st.integers(0, 99).map(str), st.from_regex(r"[零〇一二两三四五六七八九十]{1,3}", fullmatch=True))
GRAMMAR = st.one_of(
    st.builds(lambda m, d, s: f"{m}月{d}{s}", NUM, NUM, st.sampled_from(["日", "号"])),
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.builds(
        lambda p, w: f"{p}周{w}",
        st.sampled_from(["", "上", "上上", "这", "本", "下", "下下"]),
        st.sampled_from(list("一二三四五六日天末")),
    ),
    st.builds(lambda d: f"{d}号", NUM),
    st.sampled_from(["今天", "昨天", "前天", "大前天", "明天", "后天", "上个月15号", "上月三十一号"]),
)
MESSAGES = st.builds(
    lambda a, b, c: a + b + c,
    st.text(max_size=8),
    GRAMMAR,
    st.text(alphabet=st.sampled_from(list("走访东坪村开会前后再至到约，。 ")), max_size=8),
)
DAYS = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2099, 12, 31))


@settings(max_examples=400, deadline=None)
@given(MESSAGES, DAYS)
def test_parser_never_raises_and_never_returns_a_future_date(text: str, today: dt.date) -> None:
    parsed = parse_work_date(text, today)
    assert parsed.date is None or parsed.date <= today
    assert parsed.future is None or parsed.future > today


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), DAYS)
def test_parser_never_raises_on_any_text(text: str, today: dt.date) -> None:
    parsed = parse_work_date(text, today)
    assert parsed.date is None or parsed.date <= today
    due = parse_due_date(text, today)
    assert due is None or due >= today
    parse_user_date(text, today)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("零〇一二两三四五六七八九十百千万0123456789.,")), max_size=12))
def test_numbers_never_raise(text: str) -> None:
    value = cn_to_number(text)
    assert value is None or value >= 0
