"""The ledgers re-opened with openpyxl: title rows, 序号, borders, print setup, and each promise's follow-up."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from reporting.ledgers import render_ledgers
from storage.entities import Entry
from tests.posting import CADRE, entry_from_text

START, END, TODAY = dt.date(2026, 6, 1), dt.date(2026, 8, 31), dt.date(2026, 8, 10)


def visit(seq: int, day: dt.date, text: str, promises: list[dict[str, str]]) -> Entry:
    entry = entry_from_text(seq, day, text)
    assert entry.kind == "visit"
    return dataclasses.replace(entry, details={**entry.details, "promises": promises})


def entries() -> list[Entry]:
    return [
        entry_from_text(1, dt.date(2026, 6, 9), "上午列席镇党委会，研究防汛工作"),
        visit(
            2,
            dt.date(2026, 7, 10),
            "走访东坪村3户困难户，反映饮水困难，答应下周回访",
            [{"text": "答应下周回访", "due": "2026-07-13", "status": "done", "done_on": "2026-07-14"}],
        ),
        visit(
            3,
            dt.date(2026, 7, 12),
            "走访石桥村脱贫户张某某家，反映道路泥泞出行难，答应7月20日前协调修路",
            [
                {"text": "答应7月20日前协调修路", "due": "2026-07-20"},  # past due, not done
                {"text": "答应9月1日前联系水务站", "due": "2026-09-01"},
                {"text": "答应帮忙问问", "status": "done"},  # closed before the done date was recorded
            ],
        ),
        visit(4, dt.date(2026, 8, 3), "走访上尧村，了解产业情况", []),
        entry_from_text(5, dt.date(2026, 8, 5), "石桥村打井项目资金到位30万元"),
        entry_from_text(6, dt.date(2026, 9, 2), "走访凹塘村2户"),  # after the period
        dataclasses.replace(entry_from_text(7, dt.date(2026, 8, 6), "走访中川村"), status="pending"),
    ]


@pytest.fixture(scope="module")
def workbook() -> Workbook:
    return load_workbook(io.BytesIO(render_ledgers(entries(), CADRE, START, END, TODAY)))


def test_title_rows_and_header(workbook: Workbook) -> None:
    assert workbook.sheetnames == ["工作台账", "走访台账"]
    work, visits = workbook["工作台账"], workbook["走访台账"]
    assert work["A1"].value == "王明同志挂职工作台账（2026年6月1日至8月31日）"
    assert visits["A1"].value == "王明同志挂职走访台账（2026年6月1日至8月31日）"
    unit = work["A2"].value
    assert "挂职单位：青山镇人民政府" in unit and "党委副书记" in unit and "制表日期：2026年8月10日" in unit
    assert sorted(str(r) for r in work.merged_cells.ranges) == ["A1:L1", "A2:L2"]
    assert work["A1"].font.bold and work["A1"].alignment.horizontal == "center"
    assert [c.value for c in work[3]] == [
        "序号", "日期", "类型", "分类", "工作内容", "地点", "户数", "人数", "金额（元）", "长度（米）", "附件（个）", "记录号"
    ]  # fmt: skip
    assert [c.value for c in visits[3]] == [
        "序号", "走访时间", "地点", "走访对象", "反映问题", "承诺事项", "办理情况", "办结时间", "记录号"
    ]  # fmt: skip


def test_work_ledger_rows(workbook: Workbook) -> None:
    work = workbook["工作台账"]
    rows = [[c.value for c in row] for row in work.iter_rows(min_row=4)]
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]  # 序号; the entry after the period and the pending one left out
    assert [r[-1] for r in rows] == ["#1", "#2", "#3", "#4", "#5"]
    assert rows[0][1] == dt.datetime(2026, 6, 9) and work["B4"].number_format == 'yyyy"年"m"月"d"日"'
    assert rows[0][2] == "工作日志" and rows[1][2] == "走访记录"  # kinds in Chinese, never log / visit
    assert rows[0][3] == "会议" and rows[1][5] == "东坪村" and rows[1][6] == 3
    assert rows[4][8] == 300000 and work["I8"].number_format == "#,##0.00"
    english = {"log", "visit", "study", "leave", "back", "meeting", "research", "project"}
    assert not english & {str(v) for r in rows for v in r}


def test_visit_ledger_follow_ups(workbook: Workbook) -> None:
    visits = workbook["走访台账"]
    rows = [[c.value for c in row] for row in visits.iter_rows(min_row=4)]
    assert [r[0] for r in rows] == [1, 2, 3] and [r[-1] for r in rows] == ["#2", "#3", "#4"]
    done, mixed, none = rows
    assert done[1] == dt.datetime(2026, 7, 10) and done[2] == "东坪村" and "反映饮水困难" in done[4]
    assert done[5:8] == ["答应下周回访", "已办结", "2026年7月14日"]
    assert mixed[5].splitlines() == ["1. 答应7月20日前协调修路", "2. 答应9月1日前联系水务站", "3. 答应帮忙问问"]
    assert mixed[6].splitlines() == [
        "1. 已逾期（应于2026年7月20日前办结）",
        "2. 办理中（应于2026年9月1日前办结）",
        "3. 已办结",
    ]
    assert mixed[7] is None  # nothing closed with a known date: the cell stays empty
    assert none[5] is None and none[6] == "—" and none[7] is None
    assert mixed[3] == "张某某" and done[3] is None  # whom he met, when the note names them


def test_borders_wrapping_widths_and_print_setup(workbook: Workbook) -> None:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row, max_col=sheet.max_column):
            for cell in row:
                for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom):
                    assert side.style == "thin", cell.coordinate
                if cell.row > 3:
                    assert cell.alignment.wrap_text, cell.coordinate
        assert sheet["A1"].border.left.style is None  # the title is not part of the table
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0) and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$3:$3" and sheet.freeze_panes == "A4"
        assert sheet.print_options.horizontalCentered and "&P" in (sheet.oddFooter.center.text or "")
    work = workbook["工作台账"]
    assert work.column_dimensions["E"].width > 3 * work.column_dimensions["A"].width  # 工作内容 wide, 序号 narrow
    long_row = work.row_dimensions[4].height
    assert long_row is not None and long_row >= 14


def test_long_text_rows_grow_and_a_period_without_visits() -> None:
    long = entry_from_text(1, dt.date(2026, 6, 9), "参加镇党委会，" + "研究防汛和秋收安排，" * 40)
    data = render_ledgers([long], CADRE, START, END, TODAY)
    workbook = load_workbook(io.BytesIO(data))
    height = workbook["工作台账"].row_dimensions[4].height
    assert height is not None and height > 8 * 14  # 400 characters in a 52-wide column: about 17 lines
    visits = workbook["走访台账"]
    assert visits.max_row == 3 and visits["A3"].value == "序号"  # the header is there, with no rows


def test_a_cadre_without_unit_and_a_period_over_the_new_year() -> None:
    bare = dataclasses.replace(CADRE, name="李华", posting=None)
    day = dt.date(2026, 12, 30)
    data = render_ledgers([entry_from_text(1, day, "😀 Visited 东坪村 ² ١")], bare, day, dt.date(2027, 1, 2), day)
    work = load_workbook(io.BytesIO(data))["工作台账"]
    assert work["A1"].value == "李华同志挂职工作台账（2026年12月30日至2027年1月2日）"
    assert work["A2"].value == "制表日期：2026年12月30日" and work["E4"].value == "😀 Visited 东坪村 ² ١"
