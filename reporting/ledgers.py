"""The ledgers a clerk files, as one .xlsx: every entry (工作台账) and every visit with its promises (走访台账).

Each sheet prints as it would be filed: a title row naming the cadre and the period, the unit below it, then the
table with 序号 and thin borders on every cell; landscape A4, fitted to one page wide, the header row repeated
on every page, page numbers in the footer.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis import lexicon
from reporting import templates as t
from reporting.model import date_text
from storage.entities import Entry, Person

FONT = "宋体"
TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
NUMBER_FORMATS = {"金额（元）": "#,##0.00", "长度（米）": "#,##0.##"}
# Column widths in Excel's units (about one Latin character; a Chinese character takes two).
WIDTHS = {
    "序号": 6,
    "日期": 15,
    "走访时间": 15,
    "类型": 10,
    "分类": 14,
    "工作内容": 52,
    "地点": 16,
    "走访对象": 18,
    "反映问题": 30,
    "承诺事项": 30,
    "办理情况": 34,
    "办结时间": 15,
    "户数": 6,
    "人数": 6,
    "金额（元）": 12,
    "长度（米）": 10,
    "附件（个）": 9,
    "记录号": 8,
}
LINE_HEIGHT = 16.0  # points per line of 11-point CJK text (its fonts run taller than Latin ones)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
CENTRED_COLUMNS = {"序号", "日期", "走访时间", "类型", "户数", "人数", "附件（个）", "记录号", "办结时间"}
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAPPED = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True, slots=True)
class Ledger:
    """One sheet: its name, its title, its columns and its rows (one per entry or visit)."""

    sheet: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]


def period_text(start: dt.date, end: dt.date) -> str:
    """2026年6月1日至8月31日 (the year once when both ends share it)."""
    tail = f"{end.month}月{end.day}日" if end.year == start.year else date_text(end)
    return t.LEDGER_PERIOD.format(start=date_text(start), end=tail)


def _unit_line(person: Person, today: dt.date) -> str:
    posting = person.posting
    values = {
        "host": posting.host_unit if posting else None,
        "position": posting.position if posting else None,
        "sending": posting.sending_unit if posting else None,
    }
    parts = [t.LEDGER_UNIT_PARTS[key].format(value=value) for key, value in values.items() if value]
    return t.LEDGER_UNIT_SEPARATOR.join([*parts, t.LEDGER_MADE_ON.format(date=date_text(today))])


def _total(entry: Entry, key: str) -> float | None:
    values = [float(item["value"]) for item in entry.facts.get(key, []) if "value" in item]
    return sum(values) if values else None


def _work_rows(entries: Sequence[Entry]) -> list[tuple[object, ...]]:
    return [
        (
            number,
            e.work_date,
            lexicon.KIND_LABELS.get(e.kind, e.kind),
            "\u3001".join(lexicon.CATEGORY_LABELS.get(c, c) for c in e.categories),
            e.text,
            "\u3001".join(dict.fromkeys(p["name"] for p in e.facts.get("places", []) if p.get("name"))),
            _total(e, "households"),
            _total(e, "people"),
            _total(e, "money"),
            _total(e, "lengths"),
            len(e.attachments) or None,
            t.LEDGER_RECORD.format(seq=e.seq),
        )
        for number, e in enumerate(entries, start=1)
    ]


def _day(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def _follow_up(promise: dict[str, object], today: dt.date) -> tuple[str, str]:
    """办理情况 and 办结时间 of one promise: done (on which day), overdue, or open until its due date."""
    due = _day(promise.get("due"))
    if promise.get("status") == "done":
        done_on = _day(promise.get("done_on"))
        return t.LEDGER_FOLLOW_UP["done"], date_text(done_on) if done_on else ""
    if due is None:
        return t.LEDGER_FOLLOW_UP["open"], ""
    if due < today:
        return t.LEDGER_FOLLOW_UP["overdue"].format(due=date_text(due)), ""
    state = "postponed" if promise.get("status") == "postponed" else "open_due"
    return t.LEDGER_FOLLOW_UP[state].format(due=date_text(due)), ""


def _lines(values: Sequence[str]) -> str:
    """One value as it is; several numbered one a line, so each promise lines up with its follow-up."""
    if len(values) == 1:
        return values[0]
    return "\n".join(t.LEDGER_ITEM.format(n=n, text=v or t.LEDGER_FOLLOW_UP["none"]) for n, v in enumerate(values, 1))


def _visit_rows(entries: Sequence[Entry], today: dt.date) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for e in entries:
        if e.kind != "visit":
            continue
        details = e.details
        promises = [p for p in details.get("promises", []) if isinstance(p, dict) and p.get("text")]
        follow_ups = [_follow_up(p, today) for p in promises]
        rows.append(
            (
                len(rows) + 1,
                e.work_date,
                details.get("place", ""),
                "\u3001".join([*details.get("households", []), *details.get("people", [])]),
                "\uff1b".join(details.get("issues", [])),
                _lines([str(p["text"]) for p in promises]),
                _lines([state for state, _ in follow_ups]) if promises else t.LEDGER_FOLLOW_UP["none"],
                _lines([day for _, day in follow_ups]) if any(day for _, day in follow_ups) else "",
                t.LEDGER_RECORD.format(seq=e.seq),
            )
        )
    return rows


def _ems(text: str) -> float:
    """Width in Excel's units: a Chinese character takes two."""
    return sum(1.0 if ord(c) < 0x2E80 else 2.0 for c in text)


def _row_height(row: Sequence[object], columns: Sequence[str]) -> float:
    """Enough lines for the longest wrapped cell (Excel does not grow rows of a written file by itself)."""
    lines = 1
    for value, name in zip(row, columns, strict=True):
        if isinstance(value, str) and value:
            room = max(1.0, WIDTHS.get(name, 12) - 1.5)
            lines = max(lines, sum(math.ceil(_ems(part) / room) or 1 for part in value.split("\n")))
    return lines * LINE_HEIGHT + 4


def _write(sheet: Worksheet, ledger: Ledger, unit: str) -> None:
    columns = ledger.columns
    last = get_column_letter(len(columns))
    sheet.title = ledger.sheet
    sheet.append([ledger.title])
    sheet.append([unit])
    sheet.append(list(columns))
    for row in ledger.rows:
        sheet.append(list(row))
    for number, height, size in ((TITLE_ROW, 30, 16), (UNIT_ROW, 20, 11)):
        sheet.merge_cells(f"A{number}:{last}{number}")
        cell = sheet.cell(number, 1)
        cell.font = Font(name=FONT, size=size, bold=number == TITLE_ROW)
        cell.alignment = Alignment(horizontal="center" if number == TITLE_ROW else "left", vertical="center")
        sheet.row_dimensions[number].height = height
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill, cell.border = HEADER_FILL, BORDER
    sheet.row_dimensions[HEADER_ROW].height = 22
    font = Font(name=FONT, size=11)
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 12)
        alignment = CENTRED if name in CENTRED_COLUMNS else WRAPPED
        for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=index, max_col=index):
            cell.font, cell.border, cell.alignment = font, BORDER, alignment
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            elif name in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[name]
    for offset, row in enumerate(ledger.rows):
        sheet.row_dimensions[HEADER_ROW + 1 + offset].height = _row_height(row, columns)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(1, len(ledger.rows))}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page wide, as many pages long as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    margins = sheet.page_margins  # inches; the footer gets room of its own below the table
    margins.left = margins.right = 0.5
    margins.top, margins.bottom, margins.header, margins.footer = 0.6, 0.8, 0.3, 0.3
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = t.LEDGER_FOOTER
    sheet.oddFooter.center.font = FONT


def render_ledgers(entries: Sequence[Entry], person: Person, start: dt.date, end: dt.date, today: dt.date) -> bytes:
    """Return the workbook: one row per entry dated start..end, and one per visit with its promises' follow-up."""
    chosen = sorted(
        (e for e in entries if e.status == "active" and start <= e.work_date <= end), key=lambda e: (e.work_date, e.seq)
    )
    period = period_text(start, end)
    unit = _unit_line(person, today)
    ledgers = (
        Ledger(
            t.LEDGER_WORK_SHEET,
            t.LEDGER_SHEET_TITLES["work"].format(name=person.name, period=period),
            t.LEDGER_WORK_COLUMNS,
            _work_rows(chosen),
        ),
        Ledger(
            t.LEDGER_VISIT_SHEET,
            t.LEDGER_SHEET_TITLES["visit"].format(name=person.name, period=period),
            t.LEDGER_VISIT_COLUMNS,
            _visit_rows(chosen, today),
        ),
    )
    workbook = Workbook()
    first = workbook.active or workbook.create_sheet()
    for index, ledger in enumerate(ledgers):
        _write(first if index == 0 else workbook.create_sheet(), ledger, unit)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
