"""Joining by invite code, completing the profile in chat, /help and /timezone."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.dateparse import parse_user_date
from handlers import texts
from handlers.context import Context
from handlers.errors import UsageError
from handlers.formatting import date_text
from handlers.messages import IncomingMessage, Reply
from storage.entities import Conversation, Person

logger = logging.getLogger(__name__)

PROFILE_STATE = "profile"
NAME_LIMIT = 32
FIELD_LIMIT = 64
MAX_ZONE_NAME = 64  # the longest IANA name is 32 characters
HELP_ORDER: tuple[str, ...] = (
    "log",
    "visit",
    "study",
    "leave",
    "back",
    "today",
    "week",
    "history",
    "search",
    "edit",
    "delete",
    "star",
    "exclude",
    "report",
    "export",
    "remind",
    "reminders",
    "cancel",
    "pause",
    "quiet",
    "timezone",
    "start",
    "help",
)
SUPERVISOR_HELP_ORDER: tuple[str, ...] = ("digest", "cadres", "cadre", "comment", "remind", "reminders", "cancel", "pause", "quiet")
SUPERVISOR_HELP_ORDER += ("timezone", "help")


def help_text(role: str = "cadre") -> str:
    if role == "supervisor":
        lines, order = [texts.HELP_SUPERVISOR_HEADER, ""], SUPERVISOR_HELP_ORDER
    else:
        lines, order = [texts.HELP_HEADER, texts.HELP_PREFIXES, texts.HELP_ATTACH, ""], HELP_ORDER
    for name in order:
        usage, summary = texts.COMMAND_HELP[name]
        lines.append(texts.HELP_COMMAND.format(name=name, usage=f"{usage} " if usage else "", summary=summary))
    return "\n".join(lines)


async def show_help(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Explain the commands of his role in Chinese."""
    return Reply(help_text(ctx.person.role if ctx.person else "cadre"))


async def start(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Register with an invite code, or greet a registered person."""
    code = args.strip().upper()
    if ctx.person is not None:
        text = texts.ALREADY_REGISTERED if code else texts.WELCOME_BACK
        return Reply(text.format(name=ctx.person.name))
    if not code:
        return Reply(texts.JOIN_HINT)
    invite = await ctx.uow.invites.get(code)
    if invite is None:
        return Reply(texts.INVITE_INVALID)
    if invite.used_at is not None:
        return Reply(texts.INVITE_USED)
    if invite.expires_at <= ctx.now:
        return Reply(texts.INVITE_EXPIRED)

    name = (invite.name or msg.user_name or "").strip()[:NAME_LIMIT]
    person = await ctx.uow.people.add(
        name=name or "", role=invite.role, timezone=ctx.settings.default_timezone, now=ctx.now
    )
    await ctx.uow.people.add_identity(person.id, msg.channel, msg.user_id, ctx.now)
    if not await ctx.uow.invites.mark_used(code, person.id, ctx.now):
        raise UsageError(texts.INVITE_USED)
    logger.info("person %s joined as %s through an invite on %s", person.id, invite.role, msg.channel)
    if invite.role == "cadre":
        await ctx.uow.people.set_posting(person.id, ctx.now)
    person = await _reload(ctx, person.id)
    welcome = texts.WELCOME_CADRE if invite.role == "cadre" else texts.WELCOME_SUPERVISOR
    question = await _ask_next(person, ctx)
    greeting = welcome.format(name=person.name or texts.NAME_FALLBACK)
    return Reply(greeting, extra=(question,) if question else ())


async def _reload(ctx: Context, person_id: int) -> Person:
    """Read the person again after a change made in this unit of work."""
    person = await ctx.uow.people.get(person_id)
    if person is None:
        raise RuntimeError(f"person {person_id} vanished inside its own unit of work")
    return person


def _missing(person: Person) -> list[str]:
    missing = [] if person.name else ["name"]
    if person.role == "cadre" and person.posting is not None:
        missing += list(person.posting.missing_fields())
    return missing


async def _ask_next(person: Person, ctx: Context, skipped: tuple[str, ...] = ()) -> str | None:
    """Store which profile field we wait for and return its question, or None when nothing is missing."""
    remaining = [f for f in _missing(person) if f not in skipped]
    if not remaining:
        await ctx.uow.conversations.clear(person.id)
        return None
    field = remaining[0]
    await ctx.uow.conversations.set(
        person.id, PROFILE_STATE, {"field": field, "skipped": list(skipped)}, ctx.now + ctx.settings.conversation_ttl
    )
    return texts.ASK_NAME if field == "name" else texts.ASK_FIELD[field]


async def answer_profile(msg: IncomingMessage, state: Conversation, ctx: Context) -> Reply:
    """Take the answer to the profile question we asked last."""
    person = ctx.require_person()
    field = str(state.payload.get("field"))
    skipped = tuple(state.payload.get("skipped", ()))
    value = " ".join(msg.text.split())
    if not value:
        return Reply(texts.ANSWER_EMPTY)
    if field == "sending_unit" and value in texts.SKIP_WORDS:
        skipped = (*skipped, field)
    elif field in ("start_date", "end_date"):
        day = parse_user_date(value, ctx.local_date(msg.sent_at))
        if day is None:
            return Reply(texts.ANSWER_BAD_DATE)
        posting = person.posting
        if field == "end_date" and posting is not None and posting.start_date and day < posting.start_date:
            return Reply(texts.ANSWER_END_BEFORE_START.format(start=date_text(posting.start_date)))
        await ctx.uow.people.set_posting(person.id, ctx.now, **{field: day})
    else:
        limit = NAME_LIMIT if field == "name" else FIELD_LIMIT
        if len(value) > limit:
            return Reply(texts.ANSWER_TOO_LONG.format(limit=limit))
        if field == "name":
            await ctx.uow.people.rename(person.id, value)
        else:
            await ctx.uow.people.set_posting(person.id, ctx.now, **{field: value})
    updated = await _reload(ctx, person.id)
    question = await _ask_next(updated, ctx, skipped)
    if question:
        return Reply(question)
    posting = updated.posting
    if updated.role != "cadre" or posting is None:
        return Reply(texts.WELCOME_SUPERVISOR.format(name=updated.name))
    return Reply(
        texts.PROFILE_DONE.format(
            host_unit=posting.host_unit,
            position=posting.position,
            start=date_text(posting.start_date, ctx.local_date()),
            end=date_text(posting.end_date, ctx.local_date()),
        )
    )


async def set_timezone(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Show or change the person's time zone."""
    person = ctx.require_person()
    name = args.strip()
    if not name:
        return Reply(texts.TIMEZONE_CURRENT.format(tz=person.timezone))
    try:
        if len(name) > MAX_ZONE_NAME:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long for a file name
        raise UsageError(texts.TIMEZONE_BAD.format(tz=name[:40])) from exc
    await ctx.uow.people.set_timezone(person.id, name)
    return Reply(texts.TIMEZONE_SET.format(tz=name))
