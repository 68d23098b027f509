"""Looking back: /today, /week, /history, /search, /edit and /delete."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from analysis.classify import split_prefix
from analysis.dateparse import parse_period, period_parts
from analysis.inputs import parse_int
from handlers import texts
from handlers.capture import apply_edit, reanalysed, validate_text, withdraw
from handlers.context import Context
from handlers.errors import NotFoundError, UsageError
from handlers.formatting import categories_label, date_text, day_label, entry_buttons, entry_line, entry_mark, snippet
from handlers.messages import Button, IncomingMessage, Reply
from handlers.places import coverage, coverage_line
from storage.entities import Entry, Person

HISTORY_LIMIT = 50
SEARCH_LIMIT = 20
WEEK_SHOWN = 3  # entries quoted per day in /week
MAX_SPAN_DAYS = 366


def _cadre(ctx: Context) -> Person:
    return ctx.require_person()


def _seq(text: str) -> int:
    number = parse_int(text.strip().lstrip("#＃"))
    if number is None:
        raise UsageError(texts.BAD_NUMBER.format(text=text.strip()[:20]))
    return number


async def _own_entry(ctx: Context, seq: int) -> Entry:
    """Return the sender's own entry; someone else's number is simply not found."""
    entry = await ctx.uow.entries.by_seq(_cadre(ctx).id, seq)
    if entry is None or entry.status == "deleted":
        raise NotFoundError(texts.NOT_FOUND.format(seq=seq))
    return entry


async def today(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """List today's entries."""
    person = _cadre(ctx)
    day = ctx.local_date()
    entries = await ctx.uow.entries.between(person.id, day, day)
    label = day_label(day)
    if not entries:
        return Reply(texts.TODAY_EMPTY.format(date=label))
    lines = [texts.TODAY_HEADER.format(date=label, weekday=texts.WEEKDAYS[day.weekday()], count=len(entries))]
    lines += [entry_line(e) for e in entries]
    return Reply("\n".join(lines))


async def week(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Show this week's entries by day, with counts by category and kind, and the villages not visited yet."""
    person = _cadre(ctx)
    day = ctx.local_date()
    monday = day - dt.timedelta(days=day.weekday())
    entries = await ctx.uow.entries.between(person.id, monday, day)
    span = {"start": day_label(monday), "end": day_label(day)}
    villages = coverage_line((await coverage(ctx.uow, [person.id]))[person.id])
    if not entries:
        return Reply("\n".join([texts.WEEK_EMPTY.format(**span), *villages]))
    by_day: dict[dt.date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.work_date, []).append(entry)
    lines = [texts.WEEK_HEADER.format(count=len(entries), days=len(by_day), **span)]
    for offset in range((day - monday).days + 1):
        current = monday + dt.timedelta(days=offset)
        todays = by_day.get(current, [])
        weekday = texts.WEEKDAYS[current.weekday()]
        if not todays:
            lines.append(texts.WEEK_DAY_NONE.format(weekday=weekday, date=day_label(current)))
            continue
        snippets = texts.LIST_SEPARATOR.join(f"#{e.seq} {entry_mark(e)}{snippet(e.text, 16)}" for e in todays[:WEEK_SHOWN])
        if len(todays) > WEEK_SHOWN:
            snippets += texts.WEEK_DAY_MORE.format(count=len(todays))
        lines.append(
            texts.WEEK_DAY.format(weekday=weekday, date=day_label(current), count=len(todays), snippets=snippets)
        )
    categories = Counter(c for e in entries for c in e.categories[:1])
    kinds = Counter(e.kind for e in entries)
    lines.append(
        texts.WEEK_CATEGORIES.format(
            items=" · ".join(f"{categories_label([c])} {n}" for c, n in categories.most_common())
        )
    )
    lines.append(
        texts.WEEK_KINDS.format(items=" · ".join(f"{texts.KIND_LABELS[k]} {n}" for k, n in kinds.most_common()))
    )
    return Reply("\n".join([*lines, *villages]))


def _period_error(words: str, today_: dt.date) -> str:
    """Say what is wrong with a period that does not parse: which of two bounds, or that they run backwards."""
    parts = period_parts(words)
    if len(parts) > 2:
        return texts.HISTORY_USAGE
    if len(parts) == 2:
        first, last = (parse_period(part, today_) for part in parts)
        if first is None:
            return texts.HISTORY_BAD_DATE.format(text=parts[0][:20])
        if last is None:
            return texts.HISTORY_BAD_DATE.format(text=parts[1][:20])
        return texts.HISTORY_REVERSED.format(start=date_text(first[0], today_), end=date_text(last[1], today_))
    return texts.HISTORY_BAD_PERIOD.format(text=words.strip()[:20])


async def history(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """List the entries of a period (last week, this month, a month, a date, or two dates), inclusive."""
    person = _cadre(ctx)
    if not args.strip():
        raise UsageError(texts.HISTORY_USAGE)
    today_ = ctx.local_date()
    period = parse_period(args, today_)
    if period is None:
        raise UsageError(_period_error(args, today_))
    start, end = period
    if (end - start).days >= MAX_SPAN_DAYS:
        raise UsageError(texts.HISTORY_TOO_LONG)
    span = {"start": date_text(start, today_), "end": date_text(end, today_)}
    total = await ctx.uow.entries.count_between(person.id, start, end)
    if not total:
        return Reply(texts.HISTORY_EMPTY.format(**span))
    entries = await ctx.uow.entries.between(person.id, start, end, limit=HISTORY_LIMIT)
    lines = [texts.HISTORY_HEADER.format(count=total, **span)]
    current: dt.date | None = None
    for entry in entries:
        if entry.work_date != current:
            current = entry.work_date
            lines.append(
                texts.HISTORY_DAY.format(date=day_label(current, today_), weekday=texts.WEEKDAYS[current.weekday()])
            )
        lines.append(entry_line(entry))
    if total > len(entries):
        lines.append(texts.HISTORY_TRUNCATED.format(shown=len(entries)))
    return Reply("\n".join(lines))


async def search(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Find the sender's entries containing every given word."""
    person = _cadre(ctx)
    words = args.split()
    if not words:
        raise UsageError(texts.SEARCH_USAGE)
    if len(words) > 5 or any(len(w) > 30 for w in words):
        raise UsageError(texts.SEARCH_TOO_MANY)
    query = " ".join(words)
    entries, total = await ctx.uow.entries.search(person.id, words, SEARCH_LIMIT)
    if not entries:
        return Reply(texts.SEARCH_EMPTY.format(query=query))
    more = texts.SEARCH_MORE.format(shown=len(entries)) if total > len(entries) else ""
    today_ = ctx.local_date()
    lines = [texts.SEARCH_HEADER.format(query=query, count=total, more=more)]
    lines += [f"{day_label(e.work_date, today_)} {entry_line(e)}" for e in entries]
    return Reply("\n".join(lines))


async def edit(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Replace an entry's text, keep the old text, and analyse it again."""
    person = _cadre(ctx)
    number, _, new_text = args.strip().partition(" ")
    if not number or not new_text.strip():
        raise UsageError(texts.EDIT_USAGE)
    entry = await _own_entry(ctx, _seq(number))
    text = validate_text(new_text, ctx)
    if text == entry.text:
        return Reply(texts.EDIT_SAME.format(seq=entry.seq))
    _, body = split_prefix(text)
    changes = reanalysed(entry, body or text, ctx.local_date(msg.sent_at), person.posting, ctx)
    changes["text"] = text
    return await apply_edit(ctx, person, entry, changes)


async def delete(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Ask before deleting an entry."""
    if not args.strip():
        raise UsageError(texts.DELETE_USAGE)
    entry = await _own_entry(ctx, _seq(args))
    buttons = ((Button(texts.BTN_CONFIRM_DELETE, f"dy:{entry.seq}"), Button(texts.BTN_CANCEL, f"dn:{entry.seq}")),)
    return Reply(texts.DELETE_CONFIRM.format(seq=entry.seq, text=snippet(entry.text, 60)), buttons=buttons)


async def confirm_delete(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Delete the entry the user confirmed."""
    person = _cadre(ctx)
    seq = parse_int(args)
    if seq is None:
        raise NotFoundError(texts.STALE_BUTTON)
    entry = await ctx.uow.entries.by_seq(person.id, seq)
    if entry is None or entry.status == "deleted":
        raise NotFoundError(texts.ENTRY_GONE.format(seq=args[:9]))
    await withdraw(ctx, person, entry)  # a return's leave is reopened with it
    text = texts.DELETED.format(seq=entry.seq)
    return Reply(text, replace=True, callback_notice=text)


async def cancel_delete(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Keep the entry."""
    return Reply(texts.DELETE_CANCELLED.format(seq=args[:9]), replace=True)


async def _toggle(args: str, ctx: Context, flag: str, usage: str, on: str, off: str) -> Reply:
    if not args.strip():
        raise UsageError(usage)
    entry = await _own_entry(ctx, _seq(args))
    updated = await ctx.uow.entries.update(_cadre(ctx).id, entry.seq, now=ctx.now, **{flag: not getattr(entry, flag)})
    return Reply((on if getattr(updated, flag) else off).format(seq=entry.seq))


async def star(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Mark an entry as a highlight for the reports, or unmark it."""
    return await _toggle(args, ctx, "starred", texts.STAR_USAGE, texts.STARRED, texts.UNSTARRED)


async def exclude(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Keep an entry out of the reports, or let it back in."""
    return await _toggle(args, ctx, "excluded", texts.EXCLUDE_USAGE, texts.EXCLUDED, texts.INCLUDED)


async def star_button(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """The ★ button on an entry: the same as /star."""
    seq = args.split(":")[0]
    number = parse_int(seq)
    if number is None:
        raise NotFoundError(texts.STALE_BUTTON)
    entry = await ctx.uow.entries.by_seq(_cadre(ctx).id, number)
    if entry is None or entry.status == "deleted":
        raise NotFoundError(texts.ENTRY_GONE.format(seq=seq))
    reply = await star(msg, seq, ctx)
    # the entry's buttons again: on the console and WeCom a numbered choice answers the last reply's buttons
    return Reply(reply.text, buttons=entry_buttons(entry.seq), callback_notice=reply.text)
