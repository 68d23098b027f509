"""The console's 总览 as an .xlsx workbook: a title row, a note row, the header and one row per cadre.

Pure: strings in, bytes out (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NARROW = 8
WIDE = 24


def table_workbook(
    title: str, note: str, sheet: str, header: Sequence[str], rows: Sequence[Sequence[str | int | float | None]]
) -> bytes:
    """One sheet: `title` over the table, `note` under it, the header repeated on every printed page."""
    book = Workbook()
    ws = book.active
    if ws is None:  # a new workbook always has its sheet
        raise RuntimeError("openpyxl made a workbook without a sheet")
    ws.title = sheet[:31]
    width = max(1, len(header))
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([note])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append(list(header))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEEEEE")
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for values in rows:
        ws.append(list(values))
        for cell in ws[ws.max_row]:
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for index, name in enumerate(header, start=1):
        longest = max([len(str(name)), *(len(str(r[index - 1] or "")) for r in rows[:200])])
        ws.column_dimensions[get_column_letter(index)].width = max(NARROW, min(WIDE, longest * 1.8 + 2))
    ws.freeze_panes = "B4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
