"""Repeating reminders on China's calendar, and catching up after down-time (issue 3 groundwork)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from timing.schedule import Grace, Rule, delivery_key, next_fire
from timing.workdays import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_workday_nudge_skips_holidays_and_keeps_make_up_saturdays() -> None:
    nudge = Rule("workdays", dt.time(20, 30))
    # Friday 2026-02-13 evening -> Saturday 2026-02-14 is a 调休 working day
    assert next_fire(nudge, at(2026, 2, 13, 21, 0), SH, CAL) == at(2026, 2, 14, 20, 30)
    # Friday 2026-10-02 is inside the National Day holiday: the next working day is Thursday 10-08
    assert next_fire(nudge, at(2026, 10, 1, 21, 0), SH, CAL) == at(2026, 10, 8, 20, 30)
    # before 20:30 on a working day: today
    assert next_fire(nudge, at(2026, 11, 18, 9, 0), SH, CAL) == at(2026, 11, 18, 20, 30)


def test_weekly_and_daily() -> None:
    assert next_fire(Rule("weekly", dt.time(9, 0), weekday=0), at(2026, 11, 18, 10, 0), SH, CAL) == at(
        2026, 11, 23, 9, 0
    )
    assert next_fire(Rule("weekly", dt.time(9, 0), weekday=2), at(2026, 11, 18, 9, 0), SH, CAL) == at(
        2026, 11, 25, 9, 0
    )
    assert next_fire(Rule("daily", dt.time(7, 0)), at(2026, 11, 21, 23, 0), SH, CAL) == at(2026, 11, 22, 7, 0)


def test_results_are_utc() -> None:
    fired = next_fire(Rule("daily", dt.time(9, 0)), at(2026, 11, 18, 10, 0), SH, CAL)
    assert fired.tzinfo == dt.UTC and fired.hour == 1


def test_delivery_keys_are_stable_across_zones() -> None:
    due = at(2026, 11, 18, 20, 30)
    assert delivery_key("nudge", 7, due) == delivery_key("nudge", 7, due.astimezone(dt.UTC)) == "nudge:7:20261118T1230Z"


def test_grace_windows_per_kind_and_bad_settings() -> None:
    grace = Grace.parse("nudge=1h, digest=2d,remind=30m")
    assert grace("nudge") == dt.timedelta(hours=1) and grace("remind") == dt.timedelta(minutes=30)
    assert grace("digest") == dt.timedelta(days=2)
    assert grace("term-mid") == grace("term") == dt.timedelta(hours=12)  # a kind falls under its family
    assert grace("leave-not-back") == dt.timedelta(hours=6)
    assert Grace.parse("")("catch-up") == dt.timedelta(hours=3)  # the defaults
    assert Grace.uniform(dt.timedelta(minutes=5))("anything") == dt.timedelta(minutes=5)
    for bad in ("nudge=2x", "weekly=1h", "nudge=", "=1h", "nudge=h", "nudge=-1h", "nudge 1h"):
        with pytest.raises(ValueError):
            Grace.parse(bad)
