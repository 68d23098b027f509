"""What supervisors get: the weekly digest (text and heat map), /digest, /cadres, /cadre, and comments on
entries that reach the cadre. A supervisor sees only the cadres he supervises."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from analysis.inputs import parse_int
from handlers import admin, offload, texts
from handlers.context import Context
from handlers.errors import NotFoundError, PermissionDenied, UsageError
from handlers.formatting import day_label, snippet
from handlers.messages import Button, Document, IncomingMessage, Reply
from handlers.places import coverage
from handlers.reminders import (
    Outbound,
    Recipient,
    claim_for,
    due_recipients,
    due_unrecorded,
    held,
    pick_address,
)
from handlers.router import NotForConversation
from reporting.digest import CadreWeek, daily_counts, day_states, rank, summarise
from reporting.figures import leave_dates
from storage.entities import Conversation, Entry, Person
from storage.uow import UnitOfWork
from timing.due import earliest, next_digest
from timing.schedule import Grace, delivery_key
from timing.workdays import WorkCalendar

logger = logging.getLogger(__name__)

PERIOD_DAYS = 7  # a digest covers the seven days up to yesterday
CHART_DAYS = 28
LOOKBACK_DAYS = 42  # entries loaded per cadre: the chart, plus leave notes filed a little earlier
DEFAULT_DIGEST_AT = (0, dt.time(9, 0))  # Monday 09:00, the supervisor's local time
QUOTE_CHARS = 60
HIGHLIGHT_CHARS = 50
CADRE_ENTRIES_SHOWN = 12
COMMENT_BUTTONS = 8
COMMENT_LIMIT = 500
COMMENT_STATE = "comment"
COMMENT_TTL = dt.timedelta(hours=12)
UNVISITED_SHOWN = 6  # villages named in the digest's 🟡 line; more are counted
DIGEST_BATCH = 5  # supervisors whose digests are built per scheduler round


@dataclass(frozen=True, slots=True)
class Digest:
    """One supervisor's digest: the text, and what the heat map is drawn from."""

    supervisor_id: int
    text: str
    names: tuple[str, ...]
    days: tuple[dt.date, ...]
    counts: tuple[tuple[int, ...], ...]
    states: tuple[tuple[str, ...], ...]  # what each day was (reporting/digest.py day_states)

    def picture(self) -> Document:
        """Draw the heat map (matplotlib: CPU work, call it off the event loop)."""
        from reporting.heatmap import render_heatmap  # matplotlib loads only when a digest is drawn

        data = render_heatmap(
            self.names,
            self.days,
            self.counts,
            texts.DIGEST_CHART_TITLE,
            texts.DIGEST_CHART_LEGEND,
            states=self.states,
            labels=texts.DIGEST_CHART_STATES,
        )
        return Document(f"digest-{self.days[-1].isoformat()}.png", data, "image/png")


def _unit_text(person: Person) -> str:
    posting = person.posting
    return " ".join(p for p in (posting.host_unit, posting.position) if p) if posting else ""


def _unit(person: Person) -> str:
    unit = _unit_text(person)
    return texts.DIGEST_UNIT.format(unit=unit) if unit else ""


def _flag_text(week: CadreWeek, flag: str) -> str:
    if flag == "silent":
        return texts.DIGEST_FLAG[flag].format(days=week.silent_workdays)
    if flag == "not_back" and week.unreturned_leave:
        start, end = week.unreturned_leave
        return texts.DIGEST_FLAG[flag].format(start=start, end=end)
    return texts.DIGEST_FLAG[flag]


def cadre_block(week: CadreWeek, person: Person, highlights: bool = True) -> list[str]:
    """The digest's lines about one cadre: name, figures, places, last entry, flags, highlights."""
    mark = texts.DIGEST_MARK_FLAGGED if week.flags else texts.DIGEST_MARK_OK  # no entry at all is a flag
    kinds = " ".join(
        texts.DIGEST_KIND.format(label=texts.KIND_LABELS[k], count=week.by_kind[k])
        for k in ("log", "visit", "study")
        if week.by_kind.get(k)
    )
    figures = texts.DIGEST_FIGURES.format(
        logged=week.logged, workdays=week.workdays, kinds=kinds or texts.DIGEST_NO_ENTRIES
    )
    if week.leave_days:
        figures += texts.DIGEST_LEAVE.format(days=week.leave_days)
    lines = [texts.DIGEST_CADRE.format(mark=mark, name=week.name, unit=_unit(person)), figures]
    if week.places:
        lines.append(texts.DIGEST_PLACES.format(places="、".join(week.places[:8])))
    lines.append(
        texts.DIGEST_LAST.format(date=day_label(week.last_entry)) if week.last_entry else texts.DIGEST_LAST_NEVER
    )
    if week.flags:
        lines.append(texts.DIGEST_FLAGS.format(flags="；".join(_flag_text(week, f) for f in week.flags)))
    if week.unvisited:
        more = texts.DIGEST_UNVISITED_MORE if len(week.unvisited) > UNVISITED_SHOWN else ""
        names = "、".join(week.unvisited[:UNVISITED_SHOWN]) + more
        lines.append(texts.DIGEST_UNVISITED.format(count=len(week.unvisited), names=names))
    if highlights:
        lines += [
            texts.DIGEST_HIGHLIGHT.format(seq=e.seq, date=day_label(e.work_date), text=snippet(e.text, HIGHLIGHT_CHARS))
            for e in week.highlights
        ]
    return lines


async def _weeks(
    uow: UnitOfWork,
    cadres: Sequence[Person],
    today: dt.date,
    calendar: WorkCalendar,
    release: bool = False,
    lane: str = offload.INTERACTIVE,
) -> tuple[dict[int, CadreWeek], dict[int, list[Entry]]]:
    """Every cadre's week, with a fixed number of queries however many cadres there are."""
    ids = [c.id for c in cadres]
    start, end = today - dt.timedelta(days=PERIOD_DAYS), today - dt.timedelta(days=1)
    entries = await uow.entries.between_for(ids, today - dt.timedelta(days=LOOKBACK_DAYS), today)
    last = await uow.entries.last_work_dates(ids, until=today)
    done = await uow.reports.kinds_done(ids)
    villages = await coverage(uow, ids)
    unvisited = {c.id: found.unvisited if (found := villages[c.id]) else () for c in cadres}
    if release:
        await uow.commit()
    # the figures find places with jieba in every entry: seconds for a city's cadres, in a worker process
    weeks = await offload.run(
        summarise_all, list(cadres), entries, start, end, today, calendar, last, done, unvisited, lane=lane
    )
    return weeks, entries


def summarise_all(
    cadres: list[Person],
    entries: dict[int, list[Entry]],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    calendar: WorkCalendar,
    last: dict[int, dt.date],
    done: dict[int, set[str]],
    unvisited: dict[int, tuple[str, ...]],
) -> dict[int, CadreWeek]:
    """Every cadre's week from plain data (pure: runs in a worker process)."""
    return {
        c.id: summarise(
            c,
            entries[c.id],
            start,
            end,
            today,
            calendar,
            last_entry=last.get(c.id),
            reports_done=done[c.id],
            unvisited=unvisited[c.id],
        )
        for c in cadres
    }


def compose(
    supervisor_id: int,
    cadres: Sequence[Person],
    weeks: dict[int, CadreWeek],
    entries: dict[int, list[Entry]],
    today: dt.date,
    calendar: WorkCalendar,
) -> Digest:
    """The digest text (cadres in order of need of attention) and the chart's data in the same order."""
    by_id = {c.id: c for c in cadres}
    ordered = rank(weeks[c.id] for c in cadres)
    start, end = today - dt.timedelta(days=PERIOD_DAYS), today - dt.timedelta(days=1)
    lines = [texts.DIGEST_TITLE.format(start=day_label(start), end=day_label(end), count=len(ordered))]
    for week in ordered:
        lines += ["", *cadre_block(week, by_id[week.person_id])]
    lines += ["", texts.DIGEST_FOOTER]
    days = tuple(today - dt.timedelta(days=CHART_DAYS - i) for i in range(CHART_DAYS))
    counts = [daily_counts(entries[w.person_id], days) for w in ordered]
    states = []
    for week, row in zip(ordered, counts, strict=True):
        posting = by_id[week.person_id].posting
        leave = leave_dates(entries[week.person_id], posting, days[0], days[-1])
        states.append(tuple(day_states(posting, row, leave, days, today, calendar)))
    return Digest(
        supervisor_id=supervisor_id,
        text="\n".join(lines),
        names=tuple(w.name for w in ordered),
        days=days,
        counts=tuple(tuple(row) for row in counts),
        states=tuple(states),
    )


async def build_digests(uow: UnitOfWork, supervisors: Sequence[Recipient], release: bool = False) -> list[Digest]:
    """The digests of many supervisors at once (queries do not grow with the number of cadres). With
    `release`, the unit of work (which must have written nothing) is committed after the reads, so that the
    database connection is free while the figures are worked out in a worker process."""
    wanted = {s.person.id for s in supervisors}
    pairs = [(s, c) for s, c in await uow.due.supervision_of(wanted)]
    cadre_ids = {c for _, c in pairs}
    people = {p.id: p for p in await uow.due.people(cadre_ids) if p.active and p.role == "cadre"}
    calendar = await admin.work_calendar(uow)
    digests = []
    by_day: dict[dt.date, list[Recipient]] = {}
    for s in supervisors:
        by_day.setdefault(s.today, []).append(s)
    for today, group in by_day.items():
        members = {c for s, c in pairs if s in {g.person.id for g in group} and c in people}
        members_of = [people[c] for c in sorted(members)]
        weeks, entries = await _weeks(uow, members_of, today, calendar, release, lane=offload.BACKGROUND)
        for s in group:
            cadres = [people[c] for s_id, c in pairs if s_id == s.person.id and c in people]
            if cadres:
                digests.append(compose(s.person.id, cadres, weeks, entries, today, calendar))
    return digests


def _supervisor(ctx: Context) -> Person:
    person = ctx.require_person()
    if person.role != "supervisor":
        raise PermissionDenied(texts.SUPERVISOR_ONLY)
    return person


async def _own_cadres(ctx: Context, supervisor: Person) -> list[Person]:
    cadres = [c for c in await ctx.uow.people.supervised_by(supervisor.id) if c.active and c.role == "cadre"]
    if not cadres:
        raise NotFoundError(texts.NO_CADRES)
    return cadres


async def digest(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """/digest: this week's digest now, with its heat map."""
    supervisor = _supervisor(ctx)
    cadres = await _own_cadres(ctx, supervisor)
    today = ctx.local_date()
    calendar = await admin.work_calendar(ctx.uow)
    weeks, entries = await _weeks(ctx.uow, cadres, today, calendar)
    found = compose(supervisor.id, cadres, weeks, entries, today, calendar)
    return Reply(found.text, photo=await offload.run(found.picture))


async def list_cadres(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """/cadres: who he supervises, with their posting and this week at a glance."""
    supervisor = _supervisor(ctx)
    cadres = await _own_cadres(ctx, supervisor)
    weeks, _ = await _weeks(ctx.uow, cadres, ctx.local_date(), await admin.work_calendar(ctx.uow))
    lines = [texts.CADRES_HEADER.format(count=len(cadres))]
    for cadre in cadres:
        week, posting = weeks[cadre.id], cadre.posting
        lines.append(
            texts.CADRES_LINE.format(
                name=cadre.name,
                unit=_unit(cadre),
                start=posting.start_date if posting and posting.start_date else "?",
                end=posting.end_date if posting and posting.end_date else "?",
                logged=week.logged,
                workdays=week.workdays,
                last=day_label(week.last_entry) if week.last_entry else texts.CADRES_NEVER,
            )
        )
    return Reply("\n".join(lines))


def _find_cadre(cadres: list[Person], words: str) -> Person:
    name, _, unit = words.strip().partition(" ")
    if not name:
        raise UsageError(texts.CADRE_USAGE)
    found = [c for c in cadres if c.name == name]
    if unit.strip() and len(found) > 1:
        found = [c for c in found if unit.strip() in _unit_text(c)]
    if not found:
        raise NotFoundError(texts.CADRE_NOT_YOURS.format(name=snippet(name, 20)))
    if len(found) > 1:
        raise UsageError(texts.CADRE_AMBIGUOUS.format(count=len(found), name=name, unit=_unit_text(found[0])))
    return found[0]


async def cadre(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """/cadre NAME: one of his cadres' last seven days, every entry, with buttons to comment."""
    supervisor = _supervisor(ctx)
    person = _find_cadre(await _own_cadres(ctx, supervisor), args)
    today = ctx.local_date()
    weeks, entries = await _weeks(ctx.uow, [person], today, await admin.work_calendar(ctx.uow))
    # the window the figures above count (the digest's: the seven days up to yesterday), listed in full
    start, end = today - dt.timedelta(days=PERIOD_DAYS), today - dt.timedelta(days=1)
    shown = [e for e in entries[person.id] if start <= e.work_date <= end]
    header = texts.CADRE_WEEK_HEADER.format(
        name=person.name, unit=_unit(person), start=day_label(start), end=day_label(end)
    )
    lines = [header, *cadre_block(weeks[person.id], person, highlights=False)[1:], ""]
    newest = sorted(shown, key=lambda e: (e.work_date, e.seq), reverse=True)
    for entry in newest[:CADRE_ENTRIES_SHOWN]:
        kind = texts.KIND_LABELS.get(entry.kind, entry.kind)
        lines.append(
            texts.CADRE_ENTRY.format(
                seq=entry.seq, date=day_label(entry.work_date), kind=kind, text=snippet(entry.text, 120)
            )
        )
    if not shown:
        lines.append(texts.CADRE_NO_ENTRIES)
    elif len(shown) > CADRE_ENTRIES_SHOWN:
        lines.append(texts.CADRE_MORE.format(count=len(shown) - CADRE_ENTRIES_SHOWN))
    buttons = [Button(texts.BTN_COMMENT.format(seq=e.seq), f"cr:{person.id}:{e.seq}") for e in newest[:COMMENT_BUTTONS]]
    return Reply("\n".join(lines), buttons=tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)))


async def _entry_of_own_cadre(ctx: Context, supervisor: Person, cadre_id: int, seq: int) -> tuple[Person, Entry]:
    cadre_person = next((c for c in await _own_cadres(ctx, supervisor) if c.id == cadre_id), None)
    if cadre_person is None:
        raise NotFoundError(texts.STALE_BUTTON)
    entry = await ctx.uow.entries.by_seq(cadre_id, seq)
    if entry is None or entry.status != "active":
        raise NotFoundError(texts.COMMENT_NO_ENTRY.format(name=cadre_person.name, seq=seq))
    return cadre_person, entry


async def comment_button(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """The comment button under /cadre: ask for the comment (the next message he sends)."""
    supervisor = _supervisor(ctx)
    parts = args.split(":")
    cadre_id, seq = (parse_int(parts[0]), parse_int(parts[1])) if len(parts) == 2 else (None, None)
    if cadre_id is None or seq is None:
        raise NotFoundError(texts.STALE_BUTTON)
    person, entry = await _entry_of_own_cadre(ctx, supervisor, cadre_id, seq)
    payload = {"cadre": person.id, "seq": entry.seq}
    await ctx.uow.conversations.set(supervisor.id, COMMENT_STATE, payload, ctx.now + COMMENT_TTL)
    text = texts.COMMENT_ASK.format(name=person.name, seq=entry.seq, quote=snippet(entry.text, QUOTE_CHARS))
    return Reply(text, callback_notice=texts.BTN_COMMENT.format(seq=entry.seq))


async def comment(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """/comment NAME SEQ TEXT: comment on one of his cadres' entries directly."""
    supervisor = _supervisor(ctx)
    words = args.split(maxsplit=2)
    seq = parse_int(words[1].lstrip("#＃")) if len(words) == 3 else None
    if seq is None:
        raise UsageError(texts.COMMENT_USAGE)
    person = _find_cadre(await _own_cadres(ctx, supervisor), words[0])
    _, entry = await _entry_of_own_cadre(ctx, supervisor, person.id, seq)
    return await _send_comment(ctx, supervisor, person, entry, words[2])


async def answer_comment(msg: IncomingMessage, state: Conversation, ctx: Context) -> Reply:
    """The comment a supervisor typed after pressing the comment button."""
    supervisor = _supervisor(ctx)
    if msg.text.strip() in texts.COMMENT_CANCEL_WORDS:
        await ctx.uow.conversations.clear(supervisor.id)
        return Reply(texts.COMMENT_CANCELLED)
    cadre_id, seq = state.payload.get("cadre"), state.payload.get("seq")
    if not isinstance(cadre_id, int) or not isinstance(seq, int):
        await ctx.uow.conversations.clear(supervisor.id)
        raise NotForConversation
    person, entry = await _entry_of_own_cadre(ctx, supervisor, cadre_id, seq)
    reply = await _send_comment(ctx, supervisor, person, entry, msg.text)
    await ctx.uow.conversations.clear(supervisor.id)
    return reply


async def _send_comment(ctx: Context, supervisor: Person, person: Person, entry: Entry, text: str) -> Reply:
    body = text.strip()
    if not body:
        raise UsageError(texts.COMMENT_EMPTY)
    if len(body) > COMMENT_LIMIT:
        raise UsageError(texts.COMMENT_TOO_LONG.format(limit=COMMENT_LIMIT))
    comment_id = await ctx.uow.comments.add(entry_id=entry.id, author_id=supervisor.id, text=body, now=ctx.now)
    address = pick_address(await ctx.uow.people.identities(person.id))
    if address is not None:
        message = texts.COMMENT_TO_CADRE.format(
            author=supervisor.name,
            date=day_label(entry.work_date),
            seq=entry.seq,
            quote=snippet(entry.text, QUOTE_CHARS),
            text=body,
        )
        await ctx.uow.deliveries.enqueue(
            key=f"comment:{comment_id}",
            person_id=person.id,
            kind="comment",
            channel=address[0],
            chat_id=address[1],
            text=message,
            now=ctx.now,
        )
    return Reply(texts.COMMENT_SENT.format(name=person.name, seq=entry.seq))


GROUP_ROBOT = ("wecom-robot", "group")  # the supervisors' group robot, as a delivery address


async def collect_digests(
    uow: UnitOfWork,
    now: dt.datetime,
    grace: Grace,
    at: tuple[int, dt.time] = DEFAULT_DIGEST_AT,
    group_robot: bool = False,
) -> list[Outbound]:
    """Each supervisor's weekly digest at his local weekday and time, claimed once, with its heat map; with a
    group robot configured, each digest goes to the supervisors' group as well (claimed under its own key)."""
    weekday, clock = at
    due_now = []
    # only those due (timing/due.py), a few at a time: each round holds the database and the loop a little
    due_people, nexts = await due_recipients(uow, "digest", now, "supervisor", limit=DIGEST_BATCH)
    for who in due_people:
        nexts[who.person.id] = next_digest(now, who.zone, weekday, clock)
        if who.today.weekday() != weekday:
            continue
        due = who.at(clock)
        nexts[who.person.id] = earliest(nexts[who.person.id], held(who, "digest", due, now, grace))
        key = delivery_key("digest", who.person.id, due)
        if await due_unrecorded(uow, who, "digest", key, due, now, grace):
            due_now.append((who, key, due))
    # nothing written yet: the connection is let go while the figures are worked out (a crash before the
    # claims below leaves these rows due, and the next tick builds them again)
    built = await build_digests(uow, [who for who, _, _ in due_now], release=True) if due_now else []
    await uow.due.reschedule("digest", nexts)
    digests = {d.supervisor_id: d for d in built}
    out = []
    for who, key, due in due_now:
        found = digests.get(who.person.id)  # None: no active cadre, nothing to send
        for sent_key, channel, chat_id in await claim_for(uow, who, "digest", key, due, now, needed=found is not None):
            if found is not None:
                out.append(Outbound(sent_key, channel, chat_id, found.text, picture=found.picture))
        group_key = delivery_key("digest-group", who.person.id, due)
        if group_robot and found is not None:
            claimed = await uow.deliveries.claim(
                key=group_key, person_id=who.person.id, kind="digest", due_at=due, channel=GROUP_ROBOT[0], now=now
            )
            if claimed:
                out.append(Outbound(group_key, *GROUP_ROBOT, found.text, picture=found.picture))
    return out


def digest_collector(
    at: tuple[int, dt.time], group_robot: bool = False
) -> Callable[[UnitOfWork, dt.datetime, Grace], object]:
    """collect_digests at a configured weekday and time (the scheduler's collector signature)."""
    return partial(collect_digests, at=at, group_robot=group_robot)
