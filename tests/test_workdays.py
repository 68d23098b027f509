"""China's working days: 调休 make-up days, holidays, and years past chinese-calendar's data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.app import main
from timing.workdays import HolidayFileError, WorkCalendar, library_years, parse_holiday_file

HOLIDAYS_2027 = """# 2027 年节假日安排（示例）
2027-01-01，休，元旦
2027-02-06,班,春节调休
2027-02-08\t休\t春节
2027-02-09 休 春节
"""


def test_make_up_saturday_and_holiday_monday() -> None:
    calendar = WorkCalendar()
    assert calendar.is_workday(dt.date(2026, 2, 14))  # a Saturday worked for the Spring Festival
    assert not calendar.is_workday(dt.date(2026, 10, 5))  # a Monday inside the National Day holiday
    assert calendar.is_workday(dt.date(2026, 11, 20)) and not calendar.is_workday(dt.date(2026, 11, 21))


def test_year_past_the_library_uses_the_imported_file() -> None:
    assert 2027 not in library_years()
    guessed = WorkCalendar()
    assert not guessed.covered(2027) and guessed.is_workday(dt.date(2027, 1, 1))  # a Friday, by weekends only
    days = parse_holiday_file(HOLIDAYS_2027)
    calendar = WorkCalendar({d: workday for d, (workday, _) in days.items()})
    assert calendar.covered(2027)
    assert not calendar.is_workday(dt.date(2027, 1, 1))
    assert calendar.is_workday(dt.date(2027, 2, 6))  # Saturday, 调休
    assert not calendar.is_workday(dt.date(2027, 2, 8))
    assert calendar.is_workday(dt.date(2027, 2, 10)) and not calendar.is_workday(dt.date(2027, 2, 13))


def test_counting_and_month_end() -> None:
    calendar = WorkCalendar()
    assert calendar.workdays_between(dt.date(2026, 10, 1), dt.date(2026, 10, 11)) == 3  # 8日、9日和10日（周六调休）
    assert calendar.last_workday_of_month(2026, 1) == dt.date(2026, 1, 30)  # the 31st is a Saturday


@pytest.mark.parametrize("line", ["2027-13-01,休", "2027-02-30,休,x", "2027-01-01,上班吗", "明年元旦,休", "2027-01-01"])
def test_bad_holiday_lines(line: str) -> None:
    with pytest.raises(HolidayFileError) as error:
        parse_holiday_file("# header\n" + line)
    assert error.value.line_number == 2


def test_admin_imports_and_checks_holidays(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cal.db'}")
    assert main(["admin", "holidays", "check"]) == 0
    assert "缺少节假日安排" in capsys.readouterr().out
    good = tmp_path / "2027.txt"
    good.write_text(HOLIDAYS_2027, encoding="utf-8")
    assert main(["admin", "holidays", "import", str(good)]) == 0
    assert capsys.readouterr().out.strip() == "已导入 2027 年节假日安排：休 3 天，调休上班 1 天。"
    assert main(["admin", "holidays", "check"]) == 0
    assert "2027 年：已导入节假日文件" in capsys.readouterr().out
    bad = tmp_path / "bad.txt"
    bad.write_text("2027-01-01,放假\n", encoding="utf-8")
    assert main(["admin", "holidays", "import", str(bad)]) == 1
    assert "第 1 行看不懂" in capsys.readouterr().err
    assert main(["admin", "holidays", "import", str(tmp_path / "missing.txt")]) == 1
    assert "读不了文件" in capsys.readouterr().err
