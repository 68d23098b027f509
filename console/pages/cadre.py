"""A cadre's page: profile and posting, his standing, a heat map, entries (search and filters), villages,
promises, comments, and his mid-term and final drafts (previewed here; Word copies and the ledgers as files,
made by the same code as /report and /export)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from analysis.lexicon import CATEGORY_LABELS
from analysis.places import Gazetteer
from console import texts
from console.charts import heatmap_svg
from console.data import row, standings
from console.web import NotFound, PageContext
from handlers import offload, reports
from handlers import texts as chat_texts
from handlers.admin import work_calendar
from handlers.errors import BotError
from handlers.places import coverage, known_places
from reporting import templates as report_templates
from reporting.compliance import promise_states
from reporting.digest import day_states
from reporting.figures import leave_dates
from reporting.ledgers import render_ledgers
from reporting.model import ReportDraft
from storage.entities import Entry, Person
from timing.workdays import WorkCalendar

HEATMAP_WEEKS = 12
ENTRIES_SHOWN = 200
SEARCH_CHARS = 50


@dataclass(frozen=True, slots=True)
class EntryFilters:
    q: str = ""
    kind: str = ""
    category: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def of(cls, request: Request) -> EntryFilters:
        query = request.query_params
        kind, category = query.get("kind", ""), query.get("category", "")
        return cls(
            q=query.get("q", "").strip()[:SEARCH_CHARS],
            kind=kind if kind in texts.KIND_LABELS else "",
            category=category if category in CATEGORY_LABELS else "",
            start=_date(query.get("from")),
            end=_date(query.get("to")),
        )

    def keep(self, entry: Entry) -> bool:
        if self.kind and entry.kind != self.kind:
            return False
        if self.category and self.category not in entry.categories:
            return False
        if self.start and entry.work_date < self.start:
            return False
        if self.end and entry.work_date > self.end:
            return False
        return not self.q or self.q.casefold() in entry.text.casefold()


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _cadre_id(request: Request) -> int:
    return int(request.path_params["cadre_id"])


def _period(person: Person, today: dt.date) -> tuple[dt.date, dt.date]:
    posting = person.posting
    start = posting.start_date if posting and posting.start_date else today - dt.timedelta(days=365)
    end = max(today, posting.end_date) if posting and posting.end_date else today
    return start, end


def _heatmap(person: Person, entries: list[Entry], today: dt.date, calendar: WorkCalendar) -> Markup:
    end = today
    start = end - dt.timedelta(days=7 * HEATMAP_WEEKS - 1 + end.weekday())
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    counts = [0] * len(days)
    index = {d: i for i, d in enumerate(days)}
    for entry in entries:
        i = index.get(entry.work_date)
        if i is not None and entry.kind not in ("leave", "back"):
            counts[i] += 1
    leave = leave_dates(entries, person.posting, start, end)
    states = day_states(person.posting, counts, leave, days, today, calendar)
    return Markup(heatmap_svg(days, counts, states, HEATMAP_WEEKS))  # escaped inside heatmap_svg


async def _villages(ctx: PageContext, person: Person) -> tuple[list[str], list[str]] | None:
    found = (await coverage(ctx.uow, [person.id]))[person.id]
    if found is None:
        return None
    gazetteer = Gazetteer(known_places(await ctx.uow.places.of(person.id)))
    missing = set(found.unvisited)
    villages = [v.name for v in gazetteer.villages()]
    return [v for v in villages if v not in missing], [v for v in villages if v in missing]


async def show(request: Request, ctx: PageContext) -> Response:
    """One cadre's page."""
    person = await ctx.cadre(_cadre_id(request))
    filters = EntryFilters.of(request)
    start, end = _period(person, ctx.today)
    entries = await ctx.uow.entries.between(person.id, min(start, filters.start or start), end)
    chosen = sorted((e for e in entries if filters.keep(e)), key=lambda e: (e.work_date, e.seq), reverse=True)
    found = (await standings(ctx.uow, [person], ctx.today))[0]
    calendar = await work_calendar(ctx.uow)
    supervisors = await ctx.uow.people.supervisors_of(person.id)
    await ctx.audit("view", f"cadre:{person.id}", person.name)
    return ctx.render(
        "cadre.html",
        person=person,
        standing=found,
        cells=row(found).cells,
        supervisors=[s.name for s in supervisors],
        entries=chosen[:ENTRIES_SHOWN],
        entry_count=len(chosen),
        filters=filters,
        categories=CATEGORY_LABELS,
        villages=await _villages(ctx, person),
        promises=promise_states((e for e in entries if e.kind == "visit"), ctx.today),
        comments=await ctx.uow.comments.on_entries_of(person.id),
        heatmap=_heatmap(person, entries, ctx.today, calendar),
        shown_limit=ENTRIES_SHOWN,
    )


async def _draft(ctx: PageContext, person: Person, kind: str) -> tuple[ReportDraft, list[Entry], reports.ReportRequest]:
    if kind not in texts.REPORT_WORDS:
        raise NotFound
    request = reports.parse_request(person, [texts.REPORT_WORDS[kind]], ctx.today)
    draft, entries = await reports.build_draft(
        ctx.uow, person, request, ctx.today, ctx.now, record=False, release=True
    )
    return draft, entries, request


async def report_preview(request: Request, ctx: PageContext) -> Response:
    """The mid-term or final draft, as the cadre would get it, shown in the page."""
    person = await ctx.cadre(_cadre_id(request))
    kind = str(request.path_params["kind"])
    try:
        draft, _, period = await _draft(ctx, person, kind)
    except BotError as exc:
        await ctx.audit("view", f"cadre:{person.id}:report:{kind}", "unavailable")
        return ctx.render("report.html", person=person, kind=kind, draft=None, period=None, reason=exc.user_message)
    await ctx.audit("view", f"cadre:{person.id}:report:{kind}", person.name)
    return ctx.render("report.html", person=person, kind=kind, draft=draft, period=period, reason="")


def _download(data: bytes, filename: str, mime: str) -> Response:
    # browsers take the UTF-8 name; the plain one is for the rest (cadre names are Chinese, so never in it)
    ascii_name = "cadrelog" + (filename[filename.rfind(".") :] if "." in filename else "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=mime, headers={"content-disposition": disposition})


async def report_docx(request: Request, ctx: PageContext) -> Response:
    """The draft as Word: the submission copy, or with ?review=1 the review copy with its sources."""
    person = await ctx.cadre(_cadre_id(request))
    kind = str(request.path_params["kind"])
    review = request.query_params.get("review") == "1"
    try:
        draft, entries, period = await _draft(ctx, person, kind)
    except BotError as exc:
        return ctx.render(
            "error.html", status=409, title=texts.REPORT_PAGE_KINDS.get(kind, kind), message=exc.user_message
        )
    document = await reports.render(draft, entries, "docx", person, period, ctx.today, review)
    await ctx.audit("export", f"cadre:{person.id}:report:{kind}.docx", "review" if review else "submission")
    return _download(document.data, document.filename, document.mime_type)


async def ledgers(request: Request, ctx: PageContext) -> Response:
    """The cadre's ledgers (工作台账, 走访台账) over his posting so far, as /export xlsx makes them."""
    person = await ctx.cadre(_cadre_id(request))
    start, _ = _period(person, ctx.today)
    end = ctx.today
    entries = await ctx.uow.entries.between(person.id, start, end)
    data = await offload.run(render_ledgers, entries, person, start, end, ctx.today)
    name = chat_texts.REPORT_FILENAME.format(
        name=person.name, title=report_templates.LEDGER_TITLE, date=ctx.today.strftime("%Y%m%d"), ext="xlsx"
    )
    await ctx.audit("export", f"cadre:{person.id}:ledgers.xlsx", person.name)
    return _download(data, name, reports.MIME["xlsx"])
