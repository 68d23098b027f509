"""Capture: any plain text from a cadre becomes an entry; attachments join it; buttons correct it."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from typing import Any

from analysis import lexicon
from analysis.classify import KINDS, Analysis, analyse, split_prefix
from analysis.dateparse import parse_due_date
from analysis.inputs import clean_text, parse_int
from analysis.roles import OWN_WORDS, entry_role
from handlers import reminders, texts
from handlers.context import Context
from handlers.errors import NotFoundError, UsageError
from handlers.formatting import categories_label, date_text, day_label, entry_buttons, snippet
from handlers.messages import Button, IncomingAttachment, IncomingMessage, Reply
from storage.entities import Entry, Person, Posting
from storage.repositories import DuplicateSource

logger = logging.getLogger(__name__)

_RE_WORDY = re.compile(r"[^\W\d_]", re.UNICODE)  # a letter or a hanzi, not just digits


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


# -- what an entry is for: work done, a summary, a plan, or his own words for a report's sections ------

ROLE_KINDS = ("log", "visit", "study")  # a leave or a return is neither work nor a plan
PLAN_REMINDER_CLOCK = dt.time(8, 30)
PLAN_REMINDER_AHEAD = dt.timedelta(days=366)  # the furthest day a plan's reminder button may name


def role_details(kind: str, simplified: str, today: dt.date, named: dt.date | None = None) -> dict[str, Any]:
    """Return what the entry is for (stored unless it is plain work) and, for a plan, the day it names."""
    if kind not in ROLE_KINDS:
        return {}
    role = entry_role(simplified)
    if role == "work":
        return {}
    found: dict[str, Any] = {"role": role}
    day = named or (parse_due_date(simplified, today) if role == "plan" else None)
    if role == "plan" and day is not None and day >= today:
        found["plan_date"] = day.isoformat()
    return found


def is_plan_role(details: dict[str, Any]) -> bool:
    return details.get("role") == "plan"


def is_plan(entry: Entry) -> bool:
    return is_plan_role(entry.details)


def _plan_date(entry: Entry) -> dt.date | None:
    try:
        return dt.date.fromisoformat(entry.details["plan_date"])
    except (KeyError, TypeError, ValueError):
        return None


def _role_note(entry: Entry) -> str:
    role = entry.details.get("role")
    if role == "summary":
        return texts.ACK_SUMMARY_NOTE
    if role in OWN_WORDS:
        return texts.ACK_OWN_WORDS_NOTE.format(section=texts.OWN_WORDS_SECTIONS[role])
    return ""


def plan_buttons(entry: Entry) -> tuple[Button, ...]:
    """A plan's row: a reminder on its day (or a choice of days) and "it is done already"."""
    day = _plan_date(entry)
    remind = (
        texts.BTN_PLAN_REMIND.format(date=texts.DATE_LABEL.format(month=day.month, day=day.day))
        if day is not None
        else texts.BTN_PLAN_REMIND_ASK
    )
    return (Button(remind, f"pl:{entry.seq}"), Button(texts.BTN_PLAN_DONE, f"pw:{entry.seq}"))


# -- leave and return --------------------------------------------------------------------------------

LEAVE_QUESTION = "leave_not_begun"  # a return written before the open leave began: cancel the leave?
_LEAVE_QUESTION_KEYS = ("question", "leave_seq", "leave_from", "leave_to")
_RETURN_LINKS = ("closed_leave", "cancelled_leave")
# Workflow state in details that no analysis produces: a re-analysis (an edit, a kind change) keeps it.
_CARRIED = ("returned_on", "closed_by", "cancelled_by", *_RETURN_LINKS)


def carried(details: dict[str, Any], kind: str) -> dict[str, Any]:
    """The part of an entry's details a re-analysis as `kind` keeps: leave links, the role he chose, a pending
    question about a leave."""
    kept = {k: details[k] for k in _CARRIED if k in details}
    if details.get("role_by_user") and kind in ROLE_KINDS:
        kept.update(role=details.get("role", "work"), role_by_user=True)
    if details.get("question") == LEAVE_QUESTION:
        kept.update({k: details[k] for k in _LEAVE_QUESTION_KEYS if k in details})
    return kept


def ack(entry: Entry, today: dt.date, notes: tuple[str, ...] = ()) -> Reply:
    """Acknowledge a stored entry in one short line, with buttons to correct it."""
    if entry.status == "pending":
        return _question(entry, today)
    buttons = entry_buttons(entry.seq)
    if entry.kind == "leave":
        reason = entry.details.get("reason")
        approver = entry.details.get("approver")
        text = texts.ACK_LEAVE.format(
            seq=entry.seq,
            start=date_text(entry.details.get("from") or entry.work_date, today),
            end=date_text(entry.details.get("to") or entry.work_date, today),
            reason=f"|{reason}" if reason else "",
        ) + (texts.ACK_LEAVE_APPROVER.format(approver=approver) if approver else "")
    elif entry.kind == "back":
        if entry.details.get("cancelled_leave"):
            text = texts.ACK_BACK_CANCELLED.format(seq=entry.seq, leave=entry.details["cancelled_leave"])
        else:
            template = texts.ACK_BACK if entry.details.get("closed_leave") else texts.ACK_BACK_NO_LEAVE
            text = template.format(seq=entry.seq, date=day_label(entry.work_date, today))
    elif is_plan(entry):
        day = _plan_date(entry)
        text = texts.ACK_PLAN.format(
            seq=entry.seq,
            kind=texts.KIND_LABELS[entry.kind],
            when=day_label(day, today) if day is not None else texts.PLAN_DAY_UNKNOWN,
            categories=categories_label(entry.categories),
        )
        buttons = (plan_buttons(entry), *buttons)
    else:
        text = texts.ACK.format(
            seq=entry.seq,
            kind=texts.KIND_LABELS[entry.kind],
            date=day_label(entry.work_date, today),
            categories=categories_label(entry.categories),
        ) + _role_note(entry)
    if entry.attachments:
        notes = (*notes, texts.ACK_ATTACHED.format(count=len(entry.attachments)))
    return Reply(text + "".join(notes), buttons=buttons)


def _question(entry: Entry, today: dt.date) -> Reply:
    if entry.details.get("question") == LEAVE_QUESTION:
        return _leave_question(entry, today)
    return _date_question(entry, today)


def _leave_question(entry: Entry, today: dt.date) -> Reply:
    text = texts.LEAVE_NOT_BEGUN_Q.format(
        seq=entry.seq,
        leave=entry.details.get("leave_seq", ""),
        start=date_text(entry.details.get("leave_from", ""), today),
        end=date_text(entry.details.get("leave_to", ""), today),
    )
    choices = (
        Button(texts.BTN_CANCEL_LEAVE, f"lq:{entry.seq}:c"),
        Button(texts.BTN_KEEP_LEAVE, f"lq:{entry.seq}:k"),
    )
    return Reply(text, buttons=(choices,))


def _date_question(entry: Entry, today: dt.date) -> Reply:
    named = dt.date.fromisoformat(entry.details["questioned_date"])
    if entry.details.get("question") == "future":
        text = texts.DATE_FUTURE_Q.format(seq=entry.seq, date=date_text(named, today), today=date_text(today))
        choices: tuple[Button, ...] = (Button(texts.BTN_USE_TODAY, f"pd:{entry.seq}:t"),)  # a future date cannot be kept
    else:
        text = texts.DATE_BEFORE_POSTING_Q.format(
            seq=entry.seq, date=date_text(named, today), start=date_text(entry.details.get("posting_start", ""), today)
        )
        choices = (
            Button(texts.BTN_KEEP_DATE.format(date=date_text(named, today)), f"pd:{entry.seq}:k"),
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


async def record(
    msg: IncomingMessage, text: str, ctx: Context, kind: str | None = None, work_date: dt.date | None = None
) -> Reply:
    """Store one entry from the message's text (the analysis decides what it is unless `kind` says, and the date
    it names unless `work_date` says)."""
    person = _require_cadre(ctx)
    if person is None:
        return Reply(texts.SUPERVISOR_NO_CAPTURE)
    source = msg.source
    notes: list[str] = []
    if source is not None and msg.edited:
        existing = await ctx.uow.entries.by_source(*source)
        if existing is not None:
            return await _apply_platform_edit(msg, existing, person, ctx)
        notes.append(texts.ACK_EDIT_UNKNOWN_NOTE)  # its original was never stored (before he joined, a command …)
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
    if analysis.kind == "back" and not await ctx.uow.entries.open_leaves(person.id):
        last = await ctx.uow.entries.latest_of(person.id, ("leave", "back"))
        redelivered = source is not None and await ctx.uow.entries.by_source(*source) is not None
        if last is not None and last.kind == "back" and not redelivered:  # back already, no leave since
            raise UsageError(texts.BACK_AGAIN.format(seq=last.seq, date=date_text(last.work_date, today)))
    if work_date is not None:
        decision = DateDecision(work_date, "active", None, None)
    else:
        decision = decide_date(analysis, today, person.posting)
    future = decision.named if decision.question == "future" else None
    roles = role_details(analysis.kind, analysis.simplified, today, future)
    if future is not None and is_plan_role(roles):
        decision = DateDecision(today, "active", None, None)  # a plan's future date is its own, no work date to doubt
    details = {**analysis.details, **roles}
    if decision.question is not None and decision.named is not None:
        details.update(question=decision.question, questioned_date=decision.named.isoformat())
        if person.posting and person.posting.start_date:
            details["posting_start"] = person.posting.start_date.isoformat()
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
    if entry.kind == "back" and entry.status == "active":
        entry = await _attach_return(ctx, person, entry)
    logger.info("entry %s (%s) captured from %s", entry.id, entry.kind, msg.channel)
    return ack(entry, today, tuple(notes))


def _leave_start(leave: Entry) -> dt.date:
    try:
        return dt.date.fromisoformat(leave.details["from"])
    except (KeyError, TypeError, ValueError):
        return leave.work_date


def _leave_is_open(leave: Entry | None) -> bool:
    return leave is not None and leave.kind == "leave" and leave.status == "active" and not leave.details.get(
        "returned_on"
    )


async def _linked_leave(ctx: Context, person: Person, entry: Entry, key: str) -> Entry | None:
    seq = entry.details.get(key)
    return await ctx.uow.entries.by_seq(person.id, seq) if isinstance(seq, int) else None


async def _attach_return(ctx: Context, person: Person, entry: Entry) -> Entry:
    """Let an active return end the leave he is on. One written before every open leave has begun ends none:
    the entry waits (pending) for his answer whether to cancel that leave. A restored return redoes what it
    did before, if that leave is still open."""
    cancelled = await _linked_leave(ctx, person, entry, "cancelled_leave")
    if cancelled is not None and _leave_is_open(cancelled):
        await ctx.uow.entries.cancel_leave(person.id, cancelled.seq, by=entry.seq, now=ctx.now)
        return entry
    closed = await _linked_leave(ctx, person, entry, "closed_leave")
    leave = closed if closed is not None and _leave_is_open(closed) else None
    details = {k: v for k, v in entry.details.items() if k not in _RETURN_LINKS}
    if leave is None:
        leaves = await ctx.uow.entries.open_leaves(person.id)
        begun = [item for item in leaves if _leave_start(item) <= entry.work_date]
        if begun:
            leave = begun[0]  # the newest leave he is on
        elif leaves:
            upcoming = min(leaves, key=_leave_start)
            details.update(
                question=LEAVE_QUESTION,
                leave_seq=upcoming.seq,
                leave_from=_leave_start(upcoming).isoformat(),
                leave_to=upcoming.details.get("to", _leave_start(upcoming).isoformat()),
            )
            return await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, status="pending", details=details)
    if leave is not None:
        await ctx.uow.entries.close_leave(person.id, leave.seq, returned_on=entry.work_date, by=entry.seq, now=ctx.now)
        details["closed_leave"] = leave.seq
    if details == entry.details:
        return entry
    return await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, details=details)


async def _release_return(ctx: Context, person: Person, entry: Entry) -> None:
    """Undo what a return did: the leave it ended is open again, the leave it cancelled is back."""
    closed = await _linked_leave(ctx, person, entry, "closed_leave")
    # a leave closed before returns were named on it (no closed_by) was closed by this one
    closer = closed.details.get("closed_by", entry.seq) if closed is not None else None
    if closed is not None and closed.details.get("returned_on") and closer == entry.seq:
        await ctx.uow.entries.reopen_leave(person.id, closed.seq, now=ctx.now)
    cancelled = await _linked_leave(ctx, person, entry, "cancelled_leave")
    canceller = cancelled.details.get("cancelled_by") if cancelled is not None else None
    if cancelled is not None and cancelled.status == "deleted" and canceller == entry.seq:
        await ctx.uow.entries.reinstate_leave(person.id, cancelled.seq, now=ctx.now)


async def sync_leave_link(ctx: Context, person: Person, before: Entry, after: Entry) -> Entry:
    """Keep leaves true to the returns that ended them after `before` became `after` (deleted, restored,
    edited, or given another kind): a return that is gone reopens its leave, a new one closes it."""
    was_return = before.kind == "back" and before.status == "active"
    is_return = after.kind == "back" and after.status == "active"
    if was_return and not is_return:
        await _release_return(ctx, person, before)
        if after.kind != "back":  # no return any more (a deleted one keeps its links, for 恢复)
            details = {k: v for k, v in after.details.items() if k not in _RETURN_LINKS}
            after = await ctx.uow.entries.update(person.id, after.seq, now=ctx.now, details=details)
    elif is_return and not was_return:
        after = await _attach_return(ctx, person, after)
    elif is_return and after.work_date != before.work_date:
        closed = await _linked_leave(ctx, person, after, "closed_leave")
        if closed is not None and closed.details.get("closed_by", after.seq) == after.seq:
            await ctx.uow.entries.close_leave(
                person.id, closed.seq, returned_on=after.work_date, by=after.seq, now=ctx.now
            )
    if after.status == "pending" and after.kind != "back" and after.details.get("question") == LEAVE_QUESTION:
        # no return any more: nothing to ask about its leave
        details = {k: v for k, v in after.details.items() if k not in _LEAVE_QUESTION_KEYS}
        after = await ctx.uow.entries.update(person.id, after.seq, now=ctx.now, status="active", details=details)
    return after


async def withdraw(ctx: Context, person: Person, entry: Entry) -> Entry:
    """Delete an entry (it can be restored); a return takes its effect on a leave with it."""
    updated = await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, status="deleted")
    return await sync_leave_link(ctx, person, entry, updated)


def reanalysed(entry: Entry, text: str, today: dt.date, posting: Posting | None, ctx: Context) -> dict[str, Any]:
    """Return the changed fields for new text: the user's own kind, categories and role are kept, and so are
    the links between a leave and its return."""
    kind = entry.kind if entry.kind_by_user else None
    analysis = _analysed(text, ctx, today, kind)
    named = analysis.date.future
    details = {
        **analysis.details,
        **role_details(analysis.kind, analysis.simplified, today, named),
        **carried(entry.details, analysis.kind),
    }
    changes: dict[str, Any] = {"text": text, "facts": analysis.facts, "details": details}
    if not entry.kind_by_user:
        changes["kind"] = analysis.kind
    if not entry.categories_by_user:
        changes["categories"] = list(analysis.categories)
    if named is not None and not is_plan_role(details):  # a plan may name a day to come
        raise UsageError(texts.EDIT_FUTURE.format(date=date_text(named, today)))
    if analysis.date.date is not None:
        start = posting.start_date if posting else None
        if start is not None and analysis.date.date < start:
            raise UsageError(
                texts.EDIT_BEFORE_POSTING.format(date=date_text(analysis.date.date, today), start=date_text(start, today))
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
    return await apply_edit(ctx, person, entry, changes, source="platform-edit")


async def apply_edit(
    ctx: Context, person: Person, entry: Entry, changes: dict[str, Any], source: str = "command"
) -> Reply:
    """Store an edit of an entry (its replaced text kept as a revision) and keep its leave links true."""
    updated = await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, revision_source=source, **changes)
    updated = await sync_leave_link(ctx, person, entry, updated)
    if updated.status == "pending" and updated.details.get("question") == LEAVE_QUESTION:
        return ack(updated, ctx.local_date())
    return edited_ack(updated, ctx.local_date())


def edited_ack(entry: Entry, today: dt.date) -> Reply:
    text = texts.ACK_EDITED.format(
        seq=entry.seq,
        kind=texts.KIND_LABELS[entry.kind],
        date=day_label(entry.work_date, today),
        categories=categories_label(entry.categories),
    )
    if is_plan(entry):
        return Reply(text + texts.ACK_PLAN_NOTE, buttons=(plan_buttons(entry), *entry_buttons(entry.seq)))
    return Reply(text + _role_note(entry), buttons=entry_buttons(entry.seq))


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
    if msg.heard is not None or msg.unheard is not None:
        return await _capture_voice(msg, ctx, person)
    if msg.attachments and not clean_text(msg.text):
        return await _attach_only(msg, ctx, person)
    return await record(msg, msg.text, ctx)


async def _capture_voice(msg: IncomingMessage, ctx: Context, person: Person) -> Reply:
    """A voice note the channel prepared (bot/asr.py): what was heard is filed exactly like typed text, with the
    audio on that entry, and the reply shows it; a note not heard stays an attachment, with a line saying why."""
    heard = clean_text(msg.heard or "")
    reason = msg.unheard
    if reason is None and not _RE_WORDY.search(heard):
        reason = "empty"
    elif reason is None and len(heard) > ctx.settings.max_text_chars:
        reason = "garbled"  # far more than anyone says in a voice note: a model looping, not speech
    if reason is not None:
        kept = await _attach_only(msg, ctx, person)
        note = texts.VOICE_UNHEARD.get(reason, texts.VOICE_UNHEARD["failed"])
        return replace(kept, text=f"{kept.text}\n{note}")
    reply = await record(msg, heard, ctx)
    entry = await ctx.uow.entries.by_source(*msg.source) if msg.source is not None else None
    line = texts.VOICE_HEARD.format(text=snippet(heard, texts.VOICE_HEARD_CHARS), seq=entry.seq if entry else "")
    return replace(reply, text=f"{reply.text}\n{line}")


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
    seq = parse_int(seq_text)
    if seq is None:
        raise NotFoundError(texts.STALE_BUTTON)
    entry = await ctx.uow.entries.by_seq(person.id, seq)
    if entry is None or (entry.status == "deleted" and not allow_deleted):
        raise NotFoundError(texts.ENTRY_GONE.format(seq=seq_text))
    return person, entry, rest


async def show_category_menu(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Offer every category for one entry."""
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
    details = {
        **analysis.details,
        **role_details(kind, analysis.simplified, entry.work_date),
        **carried(entry.details, kind),
    }
    changes: dict[str, Any] = {"kind": kind, "kind_by_user": True, "details": details}
    if not entry.categories_by_user:
        changes["categories"] = list(analysis.categories)
    updated = await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, **changes)
    updated = await sync_leave_link(ctx, person, entry, updated)
    if updated.status == "pending" and updated.details.get("question") == LEAVE_QUESTION:
        question = _leave_question(updated, ctx.local_date())
        return Reply(question.text, buttons=question.buttons, replace=True)
    text = texts.KIND_SET.format(seq=entry.seq, kind=texts.KIND_LABELS[kind])
    return Reply(text, buttons=entry_buttons(entry.seq), replace=True, callback_notice=text)


async def undo(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Withdraw an entry at once (it can be restored from the reply)."""
    person, entry, _ = await _entry_from_args(args, ctx)
    await withdraw(ctx, person, entry)
    text = texts.UNDONE.format(seq=entry.seq)
    return Reply(text, buttons=((Button(texts.BTN_RESTORE, f"r:{entry.seq}"),),), replace=True, callback_notice=text)


async def restore(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Bring back an entry withdrawn by mistake."""
    person, entry, _ = await _entry_from_args(args, ctx, allow_deleted=True)
    if entry.status != "deleted":
        return Reply(texts.RESTORED.format(seq=entry.seq), replace=True)
    status = "pending" if entry.details.get("question") and not entry.details.get("date_confirmed") else "active"
    updated = await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, status=status)
    updated = await sync_leave_link(ctx, person, entry, updated)
    reply = ack(updated, ctx.local_date())
    return Reply(texts.RESTORED.format(seq=entry.seq) + "\n" + reply.text, buttons=reply.buttons, replace=True)


async def resolve_date(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Answer the date question: keep the named date, or record it for the message's day."""
    person, entry, rest = await _entry_from_args(args, ctx)
    choice = rest[0] if rest else ""
    if entry.status != "pending" or choice not in ("k", "t") or entry.details.get("question") == LEAVE_QUESTION:
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


async def resolve_leave_question(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Answer the question a return written before its leave began asks: cancel that leave (the return is
    kept as the record of it), or keep the leave (the return is withdrawn). Until then nothing changed."""
    person, entry, rest = await _entry_from_args(args, ctx)
    choice = rest[0] if rest else ""
    if entry.status != "pending" or entry.details.get("question") != LEAVE_QUESTION or choice not in ("c", "k"):
        raise NotFoundError(texts.STALE_BUTTON)
    leave_seq = entry.details.get("leave_seq")
    leave = await ctx.uow.entries.by_seq(person.id, leave_seq) if isinstance(leave_seq, int) else None
    details = {k: v for k, v in entry.details.items() if k not in _LEAVE_QUESTION_KEYS}
    if choice == "k" or leave is None or not _leave_is_open(leave):
        await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, status="deleted", details=details)
        gone = choice == "c"  # the leave was withdrawn or ended meanwhile: nothing left to cancel
        text = (texts.LEAVE_GONE if gone else texts.LEAVE_KEPT).format(seq=entry.seq, leave=leave_seq)
        return Reply(text, replace=True, callback_notice=text)
    await ctx.uow.entries.cancel_leave(person.id, leave.seq, by=entry.seq, now=ctx.now)
    details["cancelled_leave"] = leave.seq
    await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, status="active", details=details)
    today = ctx.local_date()
    text = texts.LEAVE_CANCELLED.format(
        seq=entry.seq,
        leave=leave.seq,
        start=date_text(_leave_start(leave), today),
        end=date_text(leave.details.get("to", ""), today),
    )
    return Reply(text, buttons=entry_buttons(entry.seq), replace=True, callback_notice=texts.LEAVE_CANCELLED_SHORT)


# -- plans ------------------------------------------------------------------------------------------


def _plan_reminder_at(day: dt.date, ctx: Context) -> dt.datetime:
    return dt.datetime.combine(day, PLAN_REMINDER_CLOCK, tzinfo=ctx.tz)


async def plan_reminder(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """A plan's ⏰ button: a one-off reminder at 08:30 (his time) on the plan's day; when the plan names no
    day still to come, or the button names one, a choice of days first."""
    person, entry, rest = await _entry_from_args(args, ctx)
    if not is_plan(entry):
        raise NotFoundError(texts.STALE_BUTTON)
    today = ctx.local_date()
    day = _plan_date(entry)
    if rest:  # a day chosen from the offer
        try:
            day = dt.date.fromisoformat(rest[0])
        except ValueError:
            raise NotFoundError(texts.STALE_BUTTON) from None
        if not today <= day <= today + PLAN_REMINDER_AHEAD:
            raise NotFoundError(texts.STALE_BUTTON)
    if day is None or _plan_reminder_at(day, ctx) <= ctx.now:
        return _ask_plan_day(entry, today)
    text = texts.PLAN_REMINDER_TEXT.format(seq=entry.seq, text=snippet(entry.text, 200))
    at = _plan_reminder_at(day, ctx)
    for existing in await ctx.uow.reminders.active_for(person.id):
        if existing.text == text and existing.next_at is not None and existing.next_at == at:
            notice = texts.PLAN_REMINDER_EXISTS.format(seq=existing.seq)
            return Reply(notice, callback_notice=notice)
    # the reminder command's own path: its limits, its wording, its storage
    made = await reminders.remind(msg, f"{day.isoformat()} {PLAN_REMINDER_CLOCK:%H:%M} {text}", ctx)
    return Reply(made.text, callback_notice=made.text)


def _ask_plan_day(entry: Entry, today: dt.date) -> Reply:
    monday = today + dt.timedelta(days=7 - today.weekday())
    tomorrow, after, next_monday = texts.PLAN_DAY_WORDS
    choices = [(tomorrow, today + dt.timedelta(days=1)), (after, today + dt.timedelta(days=2))]
    if monday not in [day for _, day in choices]:
        choices.append((next_monday, monday))
    row = tuple(
        Button(
            texts.BTN_PLAN_DAY.format(word=word, date=texts.DATE_LABEL.format(month=day.month, day=day.day)),
            f"pl:{entry.seq}:{day.isoformat()}",
        )
        for word, day in choices
    )
    text = texts.PLAN_ASK_DAY.format(seq=entry.seq)
    return Reply(text, buttons=(row,), callback_notice=texts.PLAN_ASK_DAY_SHORT)


async def plan_is_work(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """The plan's "it is work done" button: the entry counts as work done, also after he edits it."""
    person, entry, _ = await _entry_from_args(args, ctx)
    if entry.kind not in ROLE_KINDS:
        raise NotFoundError(texts.STALE_BUTTON)
    details = {k: v for k, v in entry.details.items() if k != "plan_date"}
    details.update(role="work", role_by_user=True)
    updated = await ctx.uow.entries.update(person.id, entry.seq, now=ctx.now, details=details)
    text = texts.PLAN_NOW_WORK.format(
        seq=updated.seq,
        kind=texts.KIND_LABELS[updated.kind],
        date=day_label(updated.work_date, ctx.local_date()),
        categories=categories_label(updated.categories),
    )
    return Reply(text, buttons=entry_buttons(updated.seq), replace=True, callback_notice=texts.PLAN_NOW_WORK_SHORT)
