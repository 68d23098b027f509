"""Capture: any plain text from a cadre becomes an entry; attachments join it; buttons correct it."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from analysis import lexicon
from analysis.classify import KINDS, Analysis, analyse, split_prefix
from handlers import texts
from handlers.context import Context
from handlers.errors import NotFoundError, UsageError
from handlers.formatting import categories_label, day_label, entry_buttons
from handlers.messages import Button, IncomingAttachment, IncomingMessage, Reply
from storage.entities import Entry, Person, Posting
from storage.repositories import DuplicateSource

logger = logging.getLogger(__name__)

_RE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\ufeff]")
_RE_WORDY = re.compile(r"[^\W\d_]", re.UNICODE)  # a letter or a hanzi, not just digits


def clean_text(text: str) -> str:
    """Drop control and invisible formatting characters; keep line breaks."""
    return _RE_CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def validate_text(text: str, ctx: Context) -> str:
    """Return the cleaned text or raise a UsageError saying what is wrong with it."""
    cleaned = clean_text(text)
    if not cleaned:
        raise UsageError(texts.EMPTY_TEXT)
    if not _RE_WORDY.search(cleaned):
        raise UsageError(texts.NO_WORDS)
    if len(cleaned) > ctx.settings.max_text_chars:
        raise UsageError(texts.TOO_LONG.format(limit=ctx.settings.max_text_chars))
    return cleaned


def _require_cadre(ctx: Context) -> Person | None:
    person = ctx.require_person()
    return person if person.role == "cadre" else None


@dataclass(frozen=True, slots=True)
class DateDecision:
    work_date: dt.date
    status: str  # active | pending
    question: str | None  # "future" | "before_posting" | None
    named: dt.date | None


def decide_date(analysis: Analysis, today: dt.date, posting: Posting | None) -> DateDecision:
    """Use the named date if plausible; question a future date or one before the posting starts."""
    parsed = analysis.date
    if parsed.future is not None:
        return DateDecision(today, "pending", "future", parsed.future)
    named = parsed.date
    start = posting.start_date if posting else None
    if named is not None and start is not None and named < start:
        return DateDecision(named, "pending", "before_posting", named)
    return DateDecision(named or today, "active", None, named)


def _analysed(text: str, ctx: Context, today: dt.date, kind: str | None) -> Analysis:
    return analyse(text[: ctx.settings.analysed_chars], today, kind)


def ack(entry: Entry, today: dt.date, notes: tuple[str, ...] = ()) -> Reply:
    """Acknowledge a stored entry in one short line, with buttons to correct it."""
    if entry.status == "pending":
        return _date_question(entry, today)
    if entry.kind == "leave":
        reason = entry.details.get("reason")
        text = texts.ACK_LEAVE.format(
            seq=entry.seq,
            start=entry.details.get("from", entry.work_date.isoformat()),
            end=entry.details.get("to", entry.work_date.isoformat()),
            reason=f"|{reason}" if reason else "",
        )
    elif entry.kind == "back":
        template = texts.ACK_BACK if entry.details.get("closed_leave") else texts.ACK_BACK_NO_LEAVE
        text = template.format(seq=entry.seq, date=day_label(entry.work_date, today))
    else:
        text = texts.ACK.format(
            seq=entry.seq,
            kind=texts.KIND_LABELS[entry.kind],
            date=day_label(entry.work_date, today),
            categories=categories_label(entry.categories),
        )
    if entry.attachments:
        notes = (*notes, texts.ACK_ATTACHED.format(count=len(entry.attachments)))
    return Reply(text + "".join(notes), buttons=entry_buttons(entry.seq))


def _date_question(entry: Entry, today: dt.date) -> Reply:
    named = dt.date.fromisoformat(entry.details["questioned_date"])
    if entry.details.get("question") == "future":
        text = texts.DATE_FUTURE_Q.format(seq=entry.seq, date=named.isoformat(), today=today.isoformat())
        choices = (Button(texts.BTN_USE_TODAY, f"pd:{entry.seq}:t"),)  # a future date cannot be kept
    else:
        text = texts.DATE_BEFORE_POSTING_Q.format(
            seq=entry.seq, date=named.isoformat(), start=entry.details.get("posting_start", "")
        )
        choices = (
            Button(texts.BTN_KEEP_DATE.format(date=named.isoformat()), f"pd:{entry.seq}:k"),
            Button(texts.BTN_USE_TODAY, f"pd:{entry.seq}:t"),
        )
    return Reply(text, buttons=(choices, (Button(texts.BTN_UNDO, f"u:{entry.seq}"),)))


async def _store_attachments(
    msg: IncomingMessage, ctx: Context, person: Person, entry_id: int | None
) -> list[IncomingAttachment]:
    stored = []
    for index, item in enumerate(msg.attachments):
        source = msg.source
        if source is not None and index:
            source = (source[0], source[1], f"{source[2]}#{index}")
        fields: dict[str, Any] = {
            "file_id": item.file_id,
            "file_unique_id": item.file_unique_id,
            "file_name": item.file_name,
            "mime_type": item.mime_type,
            "file_size": item.file_size,
            "duration": item.duration,
            "latitude": item.latitude,
            "longitude": item.longitude,
            "caption": msg.text or None,
        }
        try:
            await ctx.uow.attachments.add(
                person_id=person.id, entry_id=entry_id, kind=item.kind, now=ctx.now, source=source, **fields
            )
        except DuplicateSource:
            continue
        stored.append(item)
    return stored


async def _place_from_attachments(ctx: Context, person: Person, entry: Entry) -> Entry:
    """Give the entry the coordinates of a location attached to it."""
    located = [a for a in entry.attachments if a.kind == "location" and a.latitude is not None]
    if located and entry.latitude is None:
        return await ctx.uow.entries.update(
            person.id, entry.seq, now=ctx.now, latitude=located[-1].latitude, longitude=located[-1].longitude
        )
    return entry


async def record(msg: IncomingMessage, text: str, ctx: Context, kind: str | None = None) -> Reply:
    """Store one entry from the message's text (the analysis decides what it is unless `kind` says)."""
    person = _require_cadre(ctx)
    if person is None:
        return Reply(texts.SUPERVISOR_NO_CAPTURE)
    source = msg.source
    if source is not None and msg.edited:
        existing = await ctx.uow.entries.by_source(*source)
        if existing is not None:
            return await _apply_platform_edit(msg, existing, person, ctx)
    cleaned = validate_text(text, ctx)
    prefixed_kind, body = split_prefix(cleaned)
    kind = kind or prefixed_kind
    if not body.strip() or not _RE_WORDY.search(body):
        if kind == "back":
            body = cleaned
        else:
            raise UsageError(texts.EMPTY_TEXT)
    today = ctx.local_date(msg.sent_at)
    analysis = _analysed(body, ctx, today, kind)
    decision = decide_date(analysis, today, person.posting)
    details = dict(analysis.details)
    if decision.question is not None and decision.named is not None:
        details.update(question=decision.question, questioned_date=decision.named.isoformat())
        if person.posting and person.posting.start_date:
            details["posting_start"] = person.posting.start_date.isoformat()
    notes: list[str] = []
    if len(cleaned) > ctx.settings.analysed_chars:
        notes.append(texts.ACK_LONG_NOTE)
    if analysis.date.invalid and analysis.date.date is None and decision.question is None:
        notes.append(
            texts.ACK_INVALID_DATE_NOTE.format(phrase=analysis.date.invalid, date=day_label(decision.work_date, today))
        )
    if analysis.simplified != body[: ctx.settings.analysed_chars]:
        details["simplified"] = analysis.simplified
    try:
        entry = await ctx.uow.entries.add(
            person_id=person.id,
            kind=analysis.kind,
            work_date=decision.work_date,
            text=cleaned,
            categories=list(analysis.categories),
            facts=analysis.facts,
            details=details,
            status=decision.status,
            now=ctx.now,
            source=source,
            kind_by_user=kind is not None,
        )
    except DuplicateSource:
        # The platform delivered this message again (a lost acknowledgement): answer as the first time.
        existing = await ctx.uow.entries.by_source(*source) if source else None
        if existing is None:
            raise
        logger.info("redelivered message stored already as entry %s", existing.id)
        return ack(existing, ctx.local_date(msg.sent_at))
    stored = await _store_attachments(msg, ctx, person, entry.id) if msg.attachments else []
    adopted = 0
    if person.loose_attachments:  # known from the person lookup: most messages skip this statement
        adopted = await ctx.uow.attachments.adopt_orphans(person.id, entry.id, ctx.now - ctx.settings.merge_window)
    if stored or adopted:
        entry = await ctx.uow.entries.by_seq(person.id, entry.seq) or entry
        entry = await _place_from_attachments(ctx, person, entry)
    if entry.kind == "back":
        entry = await _close_leave(ctx, person, entry)
    logger.info("entry %s (%s) captured from %s", entry.id, entry.kind, msg.channel)
    return ack(entry, today, tuple(notes))


async def _close_leave(ctx: Context, person: Person, entry: Entry) -> Entry:
    leave = await ctx.uow.entries.open_leave(person.id)
    if leave is None:
        return entry
    await ctx.uow.entries.update(
        person.id, leave.seq, now=ctx.now, details={**leave.details, "returned_on": entry.work_date.isoformat()}
    )
    return await ctx.uow.entries.update(
        person.id, entry.seq, now=ctx.now, details={**entry.details, "closed_leave": leave.seq}
    )


def reanalysed(entry: Entry, text: str, today: dt.date, posting: Posting | None, ctx: Context) -> dict[str, Any]:
    """Return the changed fields for new text: the user's own kind and categories are kept."""
    kind = entry.kind if entry.kind_by_user else None
    analysis = _analysed(text, ctx, today, kind)
    changes: dict[str, Any] = {"text": text, "facts": analysis.facts, "details": analysis.details}
    if not entry.kind_by_user:
        changes["kind"] = analysis.kind
    if not entry.categories_by_user:
        changes["categories"] = list(analysis.categories)
    named = analysis.date.future
    if named is not None:
        raise UsageError(texts.EDIT_FUTURE.format(date=named.isoformat()))
    if analysis.date.date is not None:
        start = posting.start_date if posting else None
        if start is not None and analysis.date.date < start:
            raise UsageError(
                texts.EDIT_BEFORE_POSTING.format(date=analysis.date.date.isoformat(), start=start.isoformat())
            )
        changes["work_date"] = analysis.date.date
    return changes


async def _apply_platform_edit(msg: IncomingMessage, entry: Entry, person: Person, ctx: Context) -> Reply:
    text = validate_text(msg.text, ctx)
    if text == entry.text:
        return Reply(texts.EDIT_SAME.format(seq=entry.seq))
    _, body = split_prefix(text)
    changes = reanalysed(entry, body or text, ctx.local_date(msg.sent_at), person.posting, ctx)
    changes["text"] = text
    updated = await ctx.uow.entries.update(
        person.id, entry.seq, now=ctx.now, revision_source="platform-edit", **changes
    )
    return edited_ack(updated, ctx.local_date())


def edited_ack(entry: Entry, today: dt.date) -> Reply:
    return Reply(
        texts.ACK_EDITED.format(
            seq=entry.seq,
            kind=texts.KIND_LABELS[entry.kind],
            date=day_label(entry.work_date, today),
            categories=categories_label(entry.categories),
        ),
        buttons=entry_buttons(entry.seq),
    )


async def _attach_only(msg: IncomingMessage, ctx: Context, person: Person) -> Reply:
    """A photo, file, voice note or location without words joins the entry just written."""
    source = msg.source
    if source is not None:
        found = await ctx.uow.attachments.by_source(*source)
        if found is not None:
            attachment, _ = found
            what = texts.ATTACHMENT_NAMES.get(attachment.kind, attachment.kind)
            return Reply(texts.ATTACHMENT_WAITING.format(what=what))
    what = "、".join(dict.fromkeys(texts.ATTACHMENT_NAMES.get(a.kind, a.kind) for a in msg.attachments))
    recent = await ctx.uow.entries.latest_created_since(person.id, ctx.now - ctx.settings.merge_window)
    await _store_attachments(msg, ctx, person, recent.id if recent else None)
    if recent is None:
        return Reply(texts.ATTACHMENT_WAITING.format(what=what))
    updated = await ctx.uow.entries.by_seq(person.id, recent.seq) or recent
    updated = await _place_from_attachments(ctx, person, updated)
    if all(a.kind == "location" for a in msg.attachments):
        return Reply(texts.LOCATION_ATTACHED.format(seq=updated.seq))
    return Reply(texts.ATTACHED_TO.format(what=what, seq=updated.seq))


async def capture_plain_text(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Treat any non-command message as an entry (or as an attachment of the entry just written)."""
    person = _require_cadre(ctx)
    if person is None:
        return Reply(texts.SUPERVISOR_NO_CAPTURE)
    if msg.attachments and not clean_text(msg.text):
        return await _attach_only(msg, ctx, person)
    return await record(msg, msg.text, ctx)


def _kind_command(kind: str) -> Any:
    async def handler(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
        if not clean_text(args) and kind != "back":
            # the command of each kind is named after it: /log, /visit, /study, /leave
            raise UsageError(texts.USAGE_KIND.format(name=kind, example=texts.KIND_EXAMPLES[kind]))
        return await record(msg, args or texts.KIND_LABELS["back"], ctx, kind=kind)

    handler.__doc__ = f"Record a {kind} entry, whatever the text looks like."
    handler.__name__ = f"record_{kind}"
    return handler


record_log = _kind_command("log")
record_visit = _kind_command("visit")
record_study = _kind_command("study")
record_leave = _kind_command("leave")
record_back = _kind_command("back")


# -- buttons ----------------------------------------------------------------------------------------


async def _entry_from_args(args: str, ctx: Context, allow_deleted: bool = False) -> tuple[Person, Entry, list[str]]:
    person = ctx.require_person()
    seq_text, *rest = args.split(":")
    if not seq_text.isdigit():
        raise NotFoundError(texts.STALE_BUTTON)
    entry = await ctx.uow.entries.by_seq(person.id, int(seq_text))
    if entry is None or (entry.status == "deleted" and not allow_deleted):
        raise NotFoundError(texts.ENTRY_GONE.format(seq=seq_text))
    return person, entry, rest


async def show_category_menu(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Offer the 16 categories for one entry."""
    _, entry, _ = await _entry_from_args(args, ctx)
    codes = lexicon.CATEGORY_CODES
    rows = tuple(
        tuple(Button(texts.CATEGORY_LABELS[c], f"cs:{entry.seq}:{c}") for c in codes[i : i + 3])
        for i in range(0, len(codes), 3)
    )
    return Reply(texts.PICK_CATEGORY.format(seq=entry.seq), buttons=rows, replace=True)


async def set_category(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Store the user's category: it wins over the classifier from now on."""
    person, entry, rest = await _entry_from_args(args, ctx)
    code = rest[0] if rest else ""
    if code not in lexicon.CATEGORY_CODES:
        raise NotFoundError(texts.STALE_BUTTON)
    others = [c for c in entry.categories if c != code][:1]
    updated = await ctx.uow.entries.update(
        person.id, entry.seq, now=ctx.now, categories=[code, *others], categories_by_user=True
    )
    text = texts.CATEGORY_SET.format(seq=entry.seq, category=categories_label(updated.categories))
    return Reply(text, buttons=entry_buttons(entry.seq), replace=True, callback_notice=text)


async def show_kind_menu(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Offer the entry kinds for one entry."""
    _, entry, _ = await _entry_from_args(args, ctx)
    row = tuple(Button(texts.KIND_LABELS[k], f"ks:{entry.seq}:{k}") for k in KINDS)
    return Reply(texts.PICK_KIND.format(seq=entry.seq), buttons=(row[:3], row[3:]), replace=True)


async def set_kind(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Change what kind of record an entry is, and re-read its details for that kind."""
    person, entry, rest = await _entry_from_args(args, ctx)
    kind = rest[0] if rest else ""
    if kind not in KINDS:
        raise NotFoundError(texts.STALE_BUTTON)
    _, body = split_prefix(entry.text)
    analysis = _analysed(body or entry.text, ctx, entry.work_date, kind)
    changes: dict[str, Any] = {"kind": kind, "kind_by_user": True, "details": analysis.details}
    if not entry.categories_by_user:
        changes["categories"] = list(analysis.categories)
    updated = await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, **changes)
    if kind == "back":
        updated = await _close_leave(ctx, person, updated)
    text = texts.KIND_SET.format(seq=entry.seq, kind=texts.KIND_LABELS[kind])
    return Reply(text, buttons=entry_buttons(entry.seq), replace=True, callback_notice=text)


async def undo(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Withdraw an entry at once (it can be restored from the reply)."""
    person, entry, _ = await _entry_from_args(args, ctx)
    await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, status="deleted")
    text = texts.UNDONE.format(seq=entry.seq)
    return Reply(text, buttons=((Button(texts.BTN_RESTORE, f"r:{entry.seq}"),),), replace=True, callback_notice=text)


async def restore(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Bring back an entry withdrawn by mistake."""
    person, entry, _ = await _entry_from_args(args, ctx, allow_deleted=True)
    if entry.status != "deleted":
        return Reply(texts.RESTORED.format(seq=entry.seq), replace=True)
    status = "pending" if entry.details.get("question") and not entry.details.get("date_confirmed") else "active"
    updated = await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, status=status)
    reply = ack(updated, ctx.local_date())
    return Reply(texts.RESTORED.format(seq=entry.seq) + "\n" + reply.text, buttons=reply.buttons, replace=True)


async def resolve_date(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Answer the date question: keep the named date, or record it for the message's day."""
    person, entry, rest = await _entry_from_args(args, ctx)
    choice = rest[0] if rest else ""
    if entry.status != "pending" or choice not in ("k", "t"):
        raise NotFoundError(texts.STALE_BUTTON)
    if choice == "k" and entry.details.get("question") == "future":
        raise NotFoundError(texts.STALE_BUTTON)
    today = ctx.local_date(entry.created_at)
    work_date = dt.date.fromisoformat(entry.details["questioned_date"]) if choice == "k" else today
    details = {**entry.details, "date_confirmed": True}
    updated = await ctx.uow.entries.update(
        person.id, entry.seq, now=ctx.now, status="active", work_date=work_date, details=details
    )
    reply = ack(updated, ctx.local_date())
    return Reply(reply.text, buttons=reply.buttons, replace=True, callback_notice=texts.DATE_CONFIRMED)
