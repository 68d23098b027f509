"""Reminder times read from the cadre's words: future-preferring, with clear reasons for bad input."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.timeparse import ReminderTimeError, parse_reminder

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SH)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "at", "message"),
    [
        ("30分钟后 给石桥村回电话", dt.datetime(2026, 11, 18, 10, 30, tzinfo=SH), "给石桥村回电话"),
        ("半小时后 喝水", dt.datetime(2026, 11, 18, 10, 30, tzinfo=SH), "喝水"),
        ("2小时后，去扶贫办", dt.datetime(2026, 11, 18, 12, 0, tzinfo=SH), "去扶贫办"),
        ("明天 15:00 给石桥村回电话", dt.datetime(2026, 11, 19, 15, 0, tzinfo=SH), "给石桥村回电话"),
        ("后天下午3点半 走访东坪村", dt.datetime(2026, 11, 20, 15, 30, tzinfo=SH), "走访东坪村"),
        ("周五 17:00 交周报", dt.datetime(2026, 11, 20, 17, 0, tzinfo=SH), "交周报"),
        ("下周五 17:00 交周报", dt.datetime(2026, 11, 27, 17, 0, tzinfo=SH), "交周报"),
        ("下周一 上午9点 开会", dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH), "开会"),
        ("3月5日 9:00 回访", dt.datetime(2027, 3, 5, 9, 0, tzinfo=SH), "回访"),
        ("2026-12-01 9:00 开会", dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH), "开会"),
        ("15:00 开会", dt.datetime(2026, 11, 18, 15, 0, tzinfo=SH), "开会"),
        ("9:00 开会", dt.datetime(2026, 11, 19, 9, 0, tzinfo=SH), "开会"),  # already past today: tomorrow
        ("晚上八点 写日志", dt.datetime(2026, 11, 18, 20, 0, tzinfo=SH), "写日志"),
    ],
)
def test_single_times(text: str, at: dt.datetime, message: str) -> None:
    result = parse_reminder(text, NOW)
    assert (result.at, result.text, result.repeat) == (at, message, None)


@pytest.mark.parametrize(
    ("text", "repeat", "weekday", "clock"),
    [
        ("每周一 9:00 参加例会", "weekly", 0, dt.time(9, 0)),
        ("每天 20:30 写日志", "daily", None, dt.time(20, 30)),
        ("每个工作日 8:30 打卡", "workdays", None, dt.time(8, 30)),
        ("每星期五 下午5点 交周报", "weekly", 4, dt.time(17, 0)),
    ],
)
def test_repeating(text: str, repeat: str, weekday: int | None, clock: dt.time) -> None:
    result = parse_reminder(text, NOW)
    assert (result.repeat, result.weekday, result.clock, result.at) == (repeat, weekday, clock, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("明天开会", "missing_time"),
        ("给石桥村回电话", "missing_time"),
        ("", "missing_time"),
        ("9:00", "missing_text"),
        ("30分钟后", "missing_text"),
        ("2月30日 9:00 开会", "impossible"),
        ("25:00 开会", "impossible"),
        ("明天 9:75 开会", "impossible"),
        ("今天 8:00 开会", "past"),
        ("2025-01-01 9:00 开会", "past"),
        ("0分钟后 开会", "impossible"),
    ],
)
def test_bad_input(text: str, reason: str) -> None:
    with pytest.raises(ReminderTimeError) as error:
        parse_reminder(text, NOW)
    assert error.value.reason == reason


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789:：点半分钟小时后天明今周每一二三四五六日下午晚上月号-开会 ")),
        max_size=20,
    )
)
def test_never_raises_anything_else_and_never_returns_the_past(text: str) -> None:
    try:
        result = parse_reminder(text, NOW)
    except ReminderTimeError:
        return
    assert result.text
    assert result.at is None or result.at > NOW
