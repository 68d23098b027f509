"""Command table types and the Dispatcher: one unit of work per message, errors mapped once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.inputs import clean_text
from handlers import texts
from handlers.context import Context, HandlerSettings
from handlers.errors import BotError, PermissionDenied
from handlers.messages import IncomingMessage, Reply
from storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

Handler = Callable[[IncomingMessage, str, Context], Awaitable[Reply]]
Clock = Callable[[], dt.datetime]
UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[UnitOfWork]]

MAX_CODE = 32  # longer is no invite code: an ordinary sentence that starts with the bind word
_RE_COMMAND = re.compile(r"^/([A-Za-z_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.S)
_RE_ADDRESSEE = re.compile(r"^/[A-Za-z_]{1,32}@(\w+)")


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: Handler
    public: bool = False  # usable before registration
    cadre_only: bool = False


@dataclass(frozen=True, slots=True)
class CallbackRoute:
    prefix: str  # callback data is "prefix:args"
    handler: Handler


@dataclass(frozen=True, slots=True)
class Router:
    commands: Sequence[Command]
    callbacks: Sequence[CallbackRoute]
    conversation: Handler  # answers to a question the bot asked; raises NotForConversation for anything else
    fallback: Handler  # plain text and attachments: must stay last, it accepts anything

    def command(self, name: str) -> Command | None:
        return next((c for c in self.commands if c.name == name.lower()), None)

    def callback(self, data: str) -> tuple[CallbackRoute, str] | None:
        prefix, _, args = data.partition(":")
        route = next((r for r in self.callbacks if r.prefix == prefix), None)
        return (route, args) if route else None


def parse_command(text: str) -> tuple[str, str] | None:
    """Return (name, args) for "/name args" ("/name@bot args" too), else None. A bind word and a code
    (texts.BIND_WORDS) is /start CODE: easier to type than a slash command on WeCom."""
    stripped = text.strip()
    if m := _RE_COMMAND.match(stripped):
        return m.group(1).lower(), (m.group(2) or "").strip()
    for word in texts.BIND_WORDS:
        code = stripped[len(word) :].strip(" ：:") if stripped.startswith(word) else ""
        if code and len(code) <= MAX_CODE and code.isascii() and code.isalnum():
            return "start", code
    return None


def addressee(text: str) -> str | None:
    """The bot a command names ("/today@cadrelog_bot" names cadrelog_bot), if it names one."""
    m = _RE_ADDRESSEE.match(text.strip())
    return m.group(1) if m else None


def cleaned(msg: IncomingMessage) -> IncomingMessage:
    """The message with its free text (text, sender name, button data, file names) made safe to store and search."""
    text, name = clean_text(msg.text), clean_text(msg.user_name)
    data = clean_text(msg.callback_data) if msg.callback_data is not None else None
    attachments = tuple(
        replace(a, file_name=clean_text(a.file_name)) if a.file_name and clean_text(a.file_name) != a.file_name else a
        for a in msg.attachments
    )
    if (text, name, data, attachments) == (msg.text, msg.user_name, msg.callback_data, msg.attachments):
        return msg
    return replace(msg, text=text, user_name=name, callback_data=data, attachments=attachments)


# How stale an account's last-seen time may get before it is written again (at once when he has switched
# platforms since: reminders go where he last wrote).
SEEN_EVERY = dt.timedelta(minutes=10)


class NotForConversation(Exception):
    """Raised by the conversation handler when the message is not an answer it waits for."""


class AlreadyHandled(Exception):
    """Raised by a dispatch's `finish` when the message was handled meanwhile (a redelivery taken by another
    worker): the dispatcher rolls everything back and lets it through, so the message has its effects once."""


# Called inside the message's transaction, after the handler and before the commit, with the reply: the durable
# inbox marks its row handled there, so that the effects and "handled" are committed together or not at all.
Finish = Callable[[UnitOfWork, Reply], Awaitable[None]]


class Dispatcher:
    """Route one message to its handler inside a single transaction and map errors to replies."""

    def __init__(
        self, router: Router, unit_of_work: UnitOfWorkFactory, clock: Clock, settings: HandlerSettings
    ) -> None:
        self._router = router
        self._unit_of_work = unit_of_work
        self._clock = clock
        self._settings = settings
        self._default_tz = ZoneInfo(settings.default_timezone)
        # Called after a commit that queued a message for someone else (the scheduler sends it at once).
        self.on_outbox: Callable[[], None] | None = None
        self.unexpected_errors = 0  # messages answered with INTERNAL_ERROR: a bug each (tests count them here)
        self._later: set[asyncio.Task[object]] = set()  # work started after a commit (UnitOfWork.after_commit)

    def _start_later(self, job: Callable[[], Awaitable[object]]) -> None:
        async def run() -> object:
            try:
                return await job()
            except Exception:
                logger.exception("work after a commit failed")
                return None

        task = asyncio.ensure_future(run())
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def settle(self) -> None:
        """Wait for the work started after commits (tests, a clean stop)."""
        while self._later:
            await asyncio.gather(*self._later, return_exceptions=True)

    @property
    def router(self) -> Router:
        return self._router

    @property
    def unit_of_work(self) -> UnitOfWorkFactory:
        return self._unit_of_work

    async def dispatch(self, msg: IncomingMessage, finish: Finish | None = None) -> Reply:
        """Handle one message; the reply is returned only after everything it reports is committed. `finish`
        runs in the same transaction (not when the handler failed: its effects are rolled back)."""
        if not msg.is_private:
            return Reply(texts.GROUP_REFUSED)
        msg = cleaned(msg)
        try:
            async with self._unit_of_work() as uow:
                reply = await self._route(msg, uow)
                if finish is not None:
                    await finish(uow, reply)
                await uow.commit()
            if uow.deliveries.enqueued and self.on_outbox is not None:
                self.on_outbox()
            for job in uow.after_commit:
                self._start_later(job)
            return reply
        except AlreadyHandled:
            raise
        except BotError as exc:
            return Reply(exc.user_message)
        except Exception:
            self.unexpected_errors += 1
            logger.exception("handling failed for %s:%s", msg.channel, msg.user_id)
            return Reply(texts.INTERNAL_ERROR)

    async def _route(self, msg: IncomingMessage, uow: UnitOfWork) -> Reply:
        person = await uow.people.by_identity(msg.channel, msg.user_id)
        now = self._clock()
        if person is not None and (
            person.blocked or person.seen_elsewhere_since or person.seen_at is None or now - person.seen_at > SEEN_EVERY
        ):
            # where he writes is where reminders go; and if he had blocked us, he can be written to again
            await uow.people.seen(msg.channel, msg.user_id, now)
        ctx = Context(uow=uow, person=person, now=now, tz=self._timezone(person), settings=self._settings)
        parsed = parse_command(msg.text) if msg.callback_data is None else None
        command = self._router.command(parsed[0]) if parsed else None
        if parsed is not None:
            to = addressee(msg.text)
            ours = self._settings.bot_username
            if to is not None and ours and to.lower() != ours.lstrip("@").lower():
                return Reply(texts.OTHER_BOT_COMMAND.format(bot=to[:32]))  # not ours: nothing done, nothing stored
            if msg.edited:
                return Reply(texts.EDITED_COMMAND)  # running it again would do it twice (a second reminder …)

        if person is None:
            if command is not None and command.public:
                return await command.handler(msg, parsed[1] if parsed else "", ctx)
            return Reply(texts.JOIN_HINT)
        if not person.active:
            return Reply(texts.ACCOUNT_REMOVED)

        if msg.callback_data is not None:
            found = self._router.callback(msg.callback_data)
            if found is None:
                return Reply(texts.STALE_BUTTON, callback_notice=texts.STALE_BUTTON)
            route, args = found
            return await route.handler(msg, args, ctx)
        if parsed is not None:
            if command is None:
                return Reply(texts.UNKNOWN_COMMAND.format(name=parsed[0]))
            if command.cadre_only and person.role != "cadre":
                raise PermissionDenied(texts.CADRE_ONLY)
            return await command.handler(msg, parsed[1], ctx)
        try:
            return await self._router.conversation(msg, msg.text, ctx)
        except NotForConversation:
            pass
        return await self._router.fallback(msg, msg.text, ctx)

    def _timezone(self, person: object) -> ZoneInfo:
        name = getattr(person, "timezone", None)
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                logger.warning("unknown time zone %r stored for a person; using the default", name)
        return self._default_tz
