"""Command table types and the Dispatcher: one unit of work per message, errors mapped once."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


# How stale an account's last-seen time may get before it is written again (at once when he has switched
# platforms since: reminders go where he last wrote).
SEEN_EVERY = dt.timedelta(minutes=10)


class NotForConversation(Exception):
    """Raised by the conversation handler when the message is not an answer it waits for."""


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

    @property
    def router(self) -> Router:
        return self._router

    async def dispatch(self, msg: IncomingMessage) -> Reply:
        """Handle one message; the reply is returned only after everything it reports is committed."""
        if not msg.is_private:
            return Reply(texts.GROUP_REFUSED)
        try:
            async with self._unit_of_work() as uow:
                reply = await self._route(msg, uow)
                await uow.commit()
            if uow.deliveries.enqueued and self.on_outbox is not None:
                self.on_outbox()
            return reply
        except BotError as exc:
            return Reply(exc.user_message)
        except Exception:
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
            except (ZoneInfoNotFoundError, ValueError):
                logger.warning("unknown time zone %r stored for a person; using the default", name)
        return self._default_tz
