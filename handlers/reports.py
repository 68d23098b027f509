"""Reports: /report compiles a draft from the cadre's own entries; /export sends it as a file.

Each draft comes as two copies: the submission copy, and with the review word the review copy, whose every
paragraph carries the entries it was written from as a Word comment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from analysis.dateparse import month_span, parse_user_date
from analysis.inputs import clean_text, cleaned_deep, is_clean
from analysis.roles import OWN_WORDS, Role
from handlers import offload, polish, texts
from handlers.capture import record, validate_text
from handlers.context import Context
from handlers.errors import UsageError
from handlers.formatting import date_text
from handlers.messages import Document, IncomingMessage, Reply
from handlers.places import known_places
from reporting import templates as report_templates
from reporting.compose import compile_report, report_title
from reporting.ledgers import render_ledgers
from reporting.markdown import chinese_number, render_markdown
from reporting.model import ReportDraft
from reporting.polish import plan_report
from reporting.verify import Records
from reporting.word import render_docx
from storage.entities import Conversation, Entry, Person
from storage.uow import UnitOfWork

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_RE_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
QUESTIONS_STATE = "report_questions"
QUESTIONS_TTL = dt.timedelta(days=3)
OLD_QUESTION_KEYS: dict[str, Role] = {"plans": "next_steps"}  # open questions stored before the roles were named


@dataclass(frozen=True, slots=True)
class ReportRequest:
    kind: str
    start: dt.date
    end: dt.date


def parse_request(person: Person, words: list[str], today: dt.date) -> ReportRequest:
    """Read the kind word, a month or a date range into a period; default to the report due next."""
    posting = person.posting
    if posting is None or posting.start_date is None:
        raise UsageError(texts.REPORT_NO_POSTING)
    kind: str | None = None
    if words and words[0] in texts.REPORT_KIND_WORDS:
        kind = texts.REPORT_KIND_WORDS[words.pop(0)]
    end_of_posting = posting.end_date or today
    if kind is None:
        midpoint = posting.midpoint(until=today)
        kind = "mid" if midpoint is not None and today < midpoint else "final"
    start, end = posting.start_date, min(today, end_of_posting)
    if kind == "month":
        span = month_span(today.year, today.month)
        if words and (m := _RE_MONTH.match(words[0])):
            span = month_span(int(m.group(1)), int(m.group(2)))  # None for month 13 or year 0000
            words.pop(0)
            if span is None:
                raise UsageError(texts.REPORT_BAD_MONTH.format(text=m.group(0)))
        elif words and len(words) == 1:
            raise UsageError(texts.REPORT_BAD_MONTH.format(text=words[0][:20]))
        if span is None:
            raise UsageError(texts.REPORT_BAD_MONTH.format(text=f"{today.year}-{today.month:02d}"))
        start, end = span
    elif kind == "week":
        start, end = today - dt.timedelta(days=today.weekday()), today
    if words:
        if len(words) != 2:
            raise UsageError(texts.REPORT_USAGE)
        parsed = [parse_user_date(w, today) for w in words]
        if None in parsed:
            raise UsageError(texts.HISTORY_BAD_DATE.format(text=words[parsed.index(None)][:20]))
        start, end = parsed  # type: ignore[assignment]
    if end < start:
        raise UsageError(texts.REPORT_REVERSED.format(start=date_text(start, today), end=date_text(end, today)))
    if end < posting.start_date or start > end_of_posting:
        raise UsageError(
            texts.REPORT_OUTSIDE.format(
                start=date_text(start, today),
                end=date_text(end, today),
                posting_start=date_text(posting.start_date, today),
                posting_end=date_text(end_of_posting, today),
            )
        )
    return ReportRequest(kind, max(start, posting.start_date), min(end, end_of_posting))


async def build_draft(
    uow: UnitOfWork,
    person: Person,
    request: ReportRequest,
    today: dt.date,
    now: dt.datetime,
    record: bool = True,
    release: bool = False,
) -> tuple[ReportDraft, list[Entry]]:
    """Load the period's entries and compile the draft in a worker process (jieba and layout are seconds of CPU
    work, which in a thread would hold the loop's GIL); `record` notes that the cadre compiled it (the console's
    preview by someone else does not). With `release` the unit of work (which has written nothing that may not be
    written twice) lets the database go while the draft is compiled, so other cadres' messages are not held up."""
    # Entries stored before every text was cleaned may hold what Word and Excel refuse (U+FFFE, control bytes).
    entries = [_readable(e) for e in await uow.entries.between(person.id, request.start, request.end)]
    if not entries:
        title = report_title(request.kind, request.start, request.end)
        raise UsageError(
            texts.REPORT_EMPTY.format(start=date_text(request.start, today), end=date_text(request.end, today), title=title)
        )
    places = known_places(await uow.places.of(person.id))
    if release:
        await uow.release()
    draft = await offload.run(compile_report, request.kind, person, entries, request.start, request.end, today, places)
    if record:
        await uow.reports.add(person_id=person.id, kind=request.kind, start=request.start, end=request.end, now=now)
    return draft, entries


def _in_report(entry: Entry, request: ReportRequest) -> bool:
    """Whether the compiler reads the entry for this request (compile_report's own choice)."""
    return entry.status == "active" and not entry.excluded and request.start <= entry.work_date <= request.end


def _readable(entry: Entry) -> Entry:
    if is_clean(entry.text) and is_clean(entry.original_text):
        return entry
    return dataclasses.replace(
        entry,
        text=clean_text(entry.text),
        original_text=clean_text(entry.original_text),
        facts=cleaned_deep(entry.facts),
        details=cleaned_deep(entry.details),
    )


def review_requested(words: list[str]) -> tuple[list[str], bool]:
    """Take the review word out of the arguments, wherever it stands (glued to a word too); say if it was there."""
    kept: list[str] = []
    found = False
    for word in words:
        for review_word in texts.REPORT_REVIEW_WORDS:
            if review_word in word:
                word, found = word.replace(review_word, ""), True
        if word:
            kept.append(word)
    return kept, found


async def render(
    draft: ReportDraft,
    entries: list[Entry],
    fmt: str,
    person: Person,
    request: ReportRequest,
    today: dt.date,
    review: bool = False,
    polished: bool = False,
) -> Document:
    """Render the draft (docx, md; with `review` the copy with sources) or the ledgers (xlsx) as a named file;
    `polished` names it the model's polished copy."""
    title = texts.POLISH_TITLE.format(title=draft.title) if polished else draft.title
    title = texts.REPORT_REVIEW_TITLE.format(title=title) if review else title
    if fmt == "docx":
        data = await offload.run(render_docx, draft, review)
    elif fmt == "md":
        data = render_markdown(draft, review).encode("utf-8")
    else:
        data = await offload.run(render_ledgers, entries, person, request.start, request.end, today)
        title = report_templates.LEDGER_TITLE
    filename = texts.REPORT_FILENAME.format(name=person.name, title=title, date=today.strftime("%Y%m%d"), ext=fmt)
    return Document(filename=re.sub(r"[\\/:*?\"<>|\s]+", "", filename), data=data, mime_type=MIME[fmt])


def preview(draft: ReportDraft, request: ReportRequest, review: bool = False) -> str:
    """The opening figures, the headings and what the verifier marked or removed, short enough to read in chat."""
    if request.kind == "week":  # the weekly title names its days already
        header = texts.REPORT_PREVIEW_HEADER_NAMED.format(title=draft.title, count=len(draft.source_seqs))
    else:
        header = texts.REPORT_PREVIEW_HEADER.format(
            title=draft.title,
            start=date_text(request.start, request.end),  # the year only where the two differ
            end=date_text(request.end),
            count=len(draft.source_seqs),
        )
    lines = [header]
    for index, section in enumerate(draft.sections):
        lines.append(texts.REPORT_PREVIEW_SECTION.format(number=chinese_number(index + 1), heading=section.heading))
        if section.heading == report_templates.SECTION_BASIC and section.paragraphs:
            lines.append(section.paragraphs[0].text)
        for sub_index, sub in enumerate(section.subsections):
            lines.append(texts.REPORT_PREVIEW_SUB.format(number=chinese_number(sub_index + 1), heading=sub.heading))
    if draft.unverified:
        lines.append(texts.REPORT_PREVIEW_UNVERIFIED.format(n=draft.unverified))
    if draft.dropped:
        lines.append(texts.REPORT_PREVIEW_DROPPED.format(n=draft.dropped))
    if draft.plans_offered:
        shown = "、".join(f"#{seq}" for seq in draft.plans_offered[:5])
        more = texts.REPORT_PREVIEW_PLANS_MORE if len(draft.plans_offered) > 5 else ""
        lines.append(texts.REPORT_PREVIEW_PLANS.format(n=len(draft.plans_offered), seqs=shown + more))
    if review:
        lines.append(texts.REPORT_PREVIEW_REVIEW_FOOTER)
    else:
        lines += [texts.REPORT_PREVIEW_FOOTER, texts.REPORT_PREVIEW_REVIEW_HINT]
    return "\n".join(lines)


def _question_keys(keys: object) -> list[Role]:
    """The open questions' sections, in the roles' names (older stored states used "plans")."""
    known: dict[str, Role] = {**{role: role for role in OWN_WORDS}, **OLD_QUESTION_KEYS}
    found: list[Role] = []
    for key in keys if isinstance(keys, list) else []:
        role = known.get(str(key))
        if role is not None and role not in found:
            found.append(role)
    return found


async def _ask(ctx: Context, person: Person, request: ReportRequest, keys: list[Role], first: bool) -> str:
    """Remember which questions are open and return the next one to ask."""
    payload = {"keys": keys, "kind": request.kind, "start": request.start.isoformat(), "end": request.end.isoformat()}
    await ctx.uow.conversations.set(person.id, QUESTIONS_STATE, payload, ctx.now + QUESTIONS_TTL)
    question = texts.REPORT_QUESTION.format(number=len(keys), question=texts.REPORT_OWN_QUESTIONS[keys[0]])
    return f"{texts.REPORT_QUESTIONS_HEADER}\n{question}" if first else question


async def report(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Compile the report asked for (or the one due next); send the preview, the Word draft, and a question.

    With the review word among the arguments the Word file is the review copy: each paragraph's sources as comments.
    """
    person = ctx.require_person()
    today = ctx.local_date()
    words, review = review_requested(args.split())
    request = parse_request(person, words, today)
    draft, entries = await build_draft(ctx.uow, person, request, today, ctx.now, release=True)
    document = await render(draft, entries, "docx", person, request, today, review)
    extra: tuple[str, ...] = ()
    missing = _question_keys(list(draft.missing))
    if missing:
        extra = (await _ask(ctx, person, request, missing, first=True),)
    text = preview(draft, request, review)
    polisher = polish.active(request.kind)
    if polisher is not None and plan_report(draft):
        # the model is asked after the commit (never inside the transaction); this reply goes out at once
        records = Records.build([e for e in entries if _in_report(e, request)], person)

        async def render_polished(polished: ReportDraft) -> Document:
            return await render(polished, entries, "docx", person, request, today, review, polished=True)

        target = (msg.channel, msg.chat_id)
        ctx.uow.after_commit.append(lambda: polish.follow_up(polisher, draft, records, target, render_polished))
        text += "\n" + texts.POLISH_PROGRESS.format(seconds=round(polisher.budget))
    return Reply(text, extra=extra, document=document)


async def answer_question(msg: IncomingMessage, state: Conversation, ctx: Context) -> Reply:
    """Store the answer as the cadre's own words for that section; ask the next question or send the draft."""
    person = ctx.require_person()
    keys = _question_keys(state.payload.get("keys", []))
    answer = " ".join(msg.text.split())
    if not keys:
        await ctx.uow.conversations.clear(person.id)
        raise UsageError(texts.STALE_BUTTON)
    request = ReportRequest(
        str(state.payload["kind"]),
        dt.date.fromisoformat(state.payload["start"]),
        dt.date.fromisoformat(state.payload["end"]),
    )
    if answer not in texts.SKIP_WORDS:
        answer = validate_text(answer, ctx)  # an empty, wordless or overlong answer is refused, the question kept
        # A work log under its section's label: never read as a visit, and dated inside the report's period
        # (a date he mentions, or a report on last month, must not carry his words out of the draft).
        day = min(max(ctx.local_date(msg.sent_at), request.start), request.end)
        await record(msg, f"{texts.REPORT_ANSWER_LABELS[keys[0]]}\uff1a{answer}", ctx, kind="log", work_date=day)
    remaining = keys[1:]
    if remaining:
        return Reply(await _ask(ctx, person, request, remaining, first=False))
    await ctx.uow.conversations.clear(person.id)
    today = ctx.local_date()
    draft, entries = await build_draft(ctx.uow, person, request, today, ctx.now)
    document = await render(draft, entries, "docx", person, request, today)
    return Reply(texts.REPORT_COMPLETED, document=document)


async def export(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Send the current draft as docx or md (the review copy with the review word), or the ledgers as xlsx."""
    person = ctx.require_person()
    words, review = review_requested(args.split())
    if not words or words[0].lower() not in MIME:
        raise UsageError(texts.EXPORT_USAGE)
    fmt = words.pop(0).lower()
    today = ctx.local_date()
    request = parse_request(person, words, today)
    draft, entries = await build_draft(ctx.uow, person, request, today, ctx.now, release=True)
    document = await render(draft, entries, fmt, person, request, today, review)
    return Reply(texts.EXPORT_DONE.format(filename=document.filename), document=document)
