"""The ledgers a supervisor asks for, as one .xlsx: every entry (工作台账) and every visit (走访台账)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis import lexicon
from reporting import templates as t
from storage.entities import Entry

WIDTHS = {"内容": 60, "反映问题": 40, "承诺事项": 36, "走访对象": 20, "地点": 20, "分类": 18}


def _sheet(sheet: Worksheet, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 12)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _total(entry: Entry, key: str) -> float | None:
    values = [float(item["value"]) for item in entry.facts.get(key, [])]
    return sum(values) if values else None


def render_ledgers(entries: Sequence[Entry]) -> bytes:
    """Return the workbook: one row per entry, and one per visit note with its issues and promises."""
    workbook = Workbook()
    work = workbook.active or workbook.create_sheet()
    work.title = t.LEDGER_WORK_SHEET
    _sheet(
        work,
        t.LEDGER_WORK_COLUMNS,
        (
            (
                e.seq,
                e.work_date,
                lexicon.KIND_LABELS.get(e.kind, e.kind),
                "\u3001".join(lexicon.CATEGORY_LABELS.get(c, c) for c in e.categories),
                e.text,
                "\u3001".join(p["name"] for p in e.facts.get("places", [])),
                _total(e, "households"),
                _total(e, "people"),
                _total(e, "money"),
                _total(e, "lengths"),
                len(e.attachments) or None,
            )
            for e in entries
        ),
    )
    visits = workbook.create_sheet(t.LEDGER_VISIT_SHEET)
    rows = []
    for e in entries:
        if e.kind != "visit":
            continue
        promises = e.details.get("promises", [])
        rows.append(
            (
                e.seq,
                e.work_date,
                e.details.get("place", ""),
                "\u3001".join([*e.details.get("households", []), *e.details.get("people", [])]),
                "\uff1b".join(e.details.get("issues", [])),
                "\uff1b".join(p["text"] for p in promises),
                "\uff1b".join(p["due"] for p in promises if p.get("due")),
                t.LEDGER_FOLLOW_UP["open" if promises else "none"],
            )
        )
    _sheet(visits, t.LEDGER_VISIT_COLUMNS, rows)
    for sheet in (work, visits):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
            cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
