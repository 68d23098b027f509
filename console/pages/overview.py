"""总览: one row per cadre over his posting so far, with filters, sorting, pages, an xlsx export and the weekly
chart per batch. Figures from reporting/compliance.py, the digest's own count."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from console import texts
from console.charts import weekly_share_svg
from console.data import SORT_KEYS, Row, attention, row, standings
from console.web import PageContext
from reporting.compliance import Standing, weekly_shares
from reporting.overview import table_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_CHARS = 128


@dataclass(frozen=True, slots=True)
class Filters:
    batch: str = ""
    host: str = ""
    sending: str = ""
    flagged: bool = False
    sort: str = ""
    descending: bool = False
    page: int = 1

    @classmethod
    def of(cls, request: Request) -> Filters:
        query = request.query_params
        sort = query.get("sort", "")
        page = query.get("page", "")
        return cls(
            batch=query.get("batch", "")[:FILTER_CHARS],
            host=query.get("host", "")[:FILTER_CHARS],
            sending=query.get("sending", "")[:FILTER_CHARS],
            flagged=query.get("flagged", "") == "1",
            sort=sort if sort in SORT_KEYS else "",
            descending=query.get("dir", "") == "desc",
            page=int(page) if page.isdigit() and 0 < len(page) < 7 and int(page) > 0 else 1,
        )

    def query(self, **changes: object) -> dict[str, object]:
        values: dict[str, object] = {
            "batch": self.batch,
            "host": self.host,
            "sending": self.sending,
            "flagged": "1" if self.flagged else "",
            "sort": self.sort,
            "dir": "desc" if self.descending else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return values

    def sort_link(self, column: str) -> dict[str, object]:
        descending = not self.descending if self.sort == column else column in ("last_entry", "longest_gap")
        return self.query(sort=column, dir="desc" if descending else "", page="")

    def keep(self, found: Standing) -> bool:
        posting = found.person.posting
        if self.batch and (found.batch or "") != self.batch:
            return False
        if self.host and (posting.host_unit if posting else None) != self.host:
            return False
        if self.sending and (posting.sending_unit if posting else None) != self.sending:
            return False
        return not self.flagged or bool(found.flags)

    def order(self, found: list[Standing]) -> list[Standing]:
        ordered = sorted(found, key=attention)  # the digest's order; also the tie-break of every column
        if self.sort:
            ordered.sort(key=SORT_KEYS[self.sort], reverse=self.descending)
        return ordered

    def describe(self) -> str:
        parts = [self.batch, self.host, self.sending, texts.FILTER_FLAGGED if self.flagged else ""]
        return " ".join(p for p in parts if p)


async def _chosen(ctx: PageContext, filters: Filters) -> tuple[list[Standing], list[Standing]]:
    everyone = await standings(ctx.uow, await ctx.visible_cadres(), ctx.today)
    return everyone, filters.order([s for s in everyone if filters.keep(s)])


def _options(everyone: list[Standing]) -> dict[str, list[str]]:
    def distinct(values: object) -> list[str]:
        return sorted({v for v in values if v})  # type: ignore[attr-defined]

    postings = [s.person.posting for s in everyone if s.person.posting]
    return {
        "batch": distinct(p.batch for p in postings),
        "host": distinct(p.host_unit for p in postings),
        "sending": distinct(p.sending_unit for p in postings),
    }


async def show(request: Request, ctx: PageContext) -> Response:
    """The 总览 page."""
    filters = Filters.of(request)
    everyone, chosen = await _chosen(ctx, filters)
    size = ctx.runtime.config.page_size
    pages = max(1, ceil(len(chosen) / size))
    page = min(filters.page, pages)
    rows: list[Row] = [row(s) for s in chosen[(page - 1) * size : page * size]]
    await ctx.audit("view", "overview", filters.describe())
    return ctx.render(
        "overview.html",
        rows=rows,
        total=len(chosen),
        page=page,
        pages=pages,
        filters=filters,
        options=_options(everyone),
        as_of=ctx.today,
        # drawn here (escaped inside weekly_share_svg), inline: one computation for the table and the chart
        chart=Markup(weekly_share_svg(weekly_shares(chosen))),
    )


async def export(request: Request, ctx: PageContext) -> Response:
    """The 总览 as .xlsx, every row the filters keep (not only one page), in the page's order."""
    filters = Filters.of(request)
    _, chosen = await _chosen(ctx, filters)
    header = list(texts.COLUMNS.values())
    data = [list(row(s).cells.values()) for s in chosen]
    note = texts.XLSX_NOTE.format(name=ctx.user.name, time=ctx.local(ctx.now), date=ctx.today.isoformat())
    body = table_workbook(texts.XLSX_TITLE, note, texts.XLSX_SHEET, header, data)
    await ctx.audit("export", "overview.xlsx", f"{len(chosen)} {filters.describe()}".strip())
    filename = f"overview-{ctx.today.isoformat()}.xlsx"
    return Response(body, media_type=XLSX_TYPE, headers={"content-disposition": f'attachment; filename="{filename}"'})
