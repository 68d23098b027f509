"""Telegram through python-telegram-bot 22, long polling: updates in, replies out.

Telegram's types stop here: updates become IncomingMessage, replies become Bot API calls.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import SendLimiter, chunk_text, reply_parts
from handlers.messages import Document, IncomingAttachment, IncomingMessage, Reply
from handlers.router import Dispatcher

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_SEND_ATTEMPTS = 4
MAX_RETRY_AFTER = 60.0
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
TYPING_AFTER = 0.5  # seconds of work before the chat shows "typing…"
TYPING_EVERY = 4.0  # Telegram shows a chat action for about five seconds
MAX_CONCURRENT_UPDATES = 32
CONNECTION_POOL = 8  # concurrent Bot API requests (replies to many chats, a reminder fan-out)
POOL_TIMEOUT = 30.0  # seconds a request may wait for a free connection when all are busy


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Handle updates concurrently across chats, but one chat's updates strictly in arrival order.

    A cadre's text, then his photo, then his location must be handled in that order (they join one entry);
    different cadres need not wait for each other.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:  # asyncio.Lock wakes waiters first come, first served
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _chat_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0


class GaveUp(Exception):
    """A Bot API call still failed after every retry."""


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def to_incoming(update: Update) -> IncomingMessage | None:
    """Turn a Telegram update into our neutral message; None for updates we do not handle."""
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        return IncomingMessage(
            channel="telegram",
            chat_id=str(chat.id if chat else query.from_user.id),
            user_id=str(query.from_user.id),
            user_name=query.from_user.full_name,
            text="",
            sent_at=dt.datetime.now(dt.UTC),
            is_private=chat is None or chat.type == "private",
            callback_data=query.data or "",
        )
    message = update.message or update.edited_message
    if message is None or message.from_user is None:
        return None
    return IncomingMessage(
        channel="telegram",
        chat_id=str(message.chat_id),
        user_id=str(message.from_user.id),
        user_name=message.from_user.full_name,
        text=message.text or message.caption or "",
        sent_at=message.date,
        message_id=str(message.message_id),
        is_private=message.chat.type == "private",
        edited=update.edited_message is not None,
        attachments=_attachments(message),
    )


def _attachments(message: Message) -> tuple[IncomingAttachment, ...]:
    found: list[IncomingAttachment] = []
    if message.photo:
        largest = message.photo[-1]
        found.append(
            IncomingAttachment(
                "photo", largest.file_id, largest.file_unique_id, file_size=largest.file_size, mime_type="image/jpeg"
            )
        )
    if message.document:
        d = message.document
        found.append(IncomingAttachment("document", d.file_id, d.file_unique_id, d.file_name, d.mime_type, d.file_size))
    for kind, media in (
        ("voice", message.voice),
        ("voice", message.audio),
        ("video", message.video),
        ("video", message.video_note),
    ):
        if media is not None:
            duration = media.duration
            seconds = int(duration.total_seconds()) if isinstance(duration, dt.timedelta) else duration
            found.append(
                IncomingAttachment(
                    kind,
                    media.file_id,
                    media.file_unique_id,
                    mime_type=getattr(media, "mime_type", None),
                    file_size=media.file_size,
                    duration=seconds,
                )
            )
    location = message.venue.location if message.venue else message.location
    if location is not None:
        found.append(IncomingAttachment("location", latitude=location.latitude, longitude=location.longitude))
    return tuple(found)


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in reply.buttons]
    )


class TelegramChannel:
    name = "telegram"

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        token: str,
        base_url: str,
        base_file_url: str,
        poll_timeout: float = 30.0,
        commands: dict[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        limiter: SendLimiter | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        # PTB's documented opt-in to timedelta durations (its next major default); without it PTB warns on
        # every 429 it parses.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        self._dispatcher = dispatcher
        self._poll_timeout = poll_timeout
        self._commands = commands or {}
        self._sleep = sleep
        self._limiter = limiter or SendLimiter()
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_file_url)
            .get_updates_read_timeout(poll_timeout + 10)
            # PTB's default is one connection: every send would wait for the one before it
            .connection_pool_size(CONNECTION_POOL)
            .pool_timeout(POOL_TIMEOUT)
            .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)

    async def start(self) -> None:
        app = self.application
        await app.initialize()
        if self._commands:
            await self._call(lambda: app.bot.set_my_commands([BotCommand(n, d) for n, d in self._commands.items()]))
        await app.start()
        if self._webhook_url is not None:
            # Our HTTP server receives the updates (bot/http.py → feed_webhook); Telegram is told where.
            await self._call(
                lambda: app.bot.set_webhook(
                    self._webhook_url or "", secret_token=self._webhook_secret, allowed_updates=ALLOWED_UPDATES
                )
            )
            logger.info("telegram channel receiving by webhook as @%s", app.bot.username)
            return
        if app.updater is None:  # the builder makes one unless told not to
            raise RuntimeError("the Telegram application was built without an updater")
        await app.updater.start_polling(
            poll_interval=0.0, timeout=dt.timedelta(seconds=self._poll_timeout), allowed_updates=ALLOWED_UPDATES
        )
        logger.info("telegram channel polling as @%s", app.bot.username)

    def accepts(self, secret: str | None) -> bool:
        """Whether a webhook call carries our secret token (constant-time; never without a webhook set up)."""
        expected = self._webhook_secret
        return (
            self._webhook_url is not None
            and expected is not None
            and hmac.compare_digest((secret or "").encode(), expected.encode())
        )

    async def feed(self, data: dict[str, Any]) -> bool:
        """Queue one update posted to our webhook (accepts() checked first); False if it is not an update."""
        try:
            update = Update.de_json(data, self.application.bot)
        except (KeyError, TypeError, ValueError):
            return False
        await self.application.update_queue.put(update)
        return True

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def _on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        incoming = to_incoming(update)
        if incoming is None:
            return
        typing = asyncio.create_task(self._keep_typing(incoming))
        try:
            reply = await self._dispatcher.dispatch(incoming)
        finally:
            typing.cancel()
        await self.deliver(update, incoming, reply)

    async def _keep_typing(self, incoming: IncomingMessage) -> None:
        """Show progress when handling takes a while (a report being compiled)."""
        bot, chat_id = self.application.bot, int(incoming.chat_id)
        await asyncio.sleep(TYPING_AFTER)
        while True:
            await self._call(lambda: bot.send_chat_action(chat_id, ChatAction.TYPING), give_up_quietly=True)
            await asyncio.sleep(TYPING_EVERY)

    async def deliver(self, update: Update, incoming: IncomingMessage, reply: Reply) -> None:
        """Send a reply: edit the message whose button was pressed, or send new messages."""
        bot = self.application.bot
        query = update.callback_query
        if query is not None:
            notice = (reply.callback_notice or "")[:200] or None
            await self._call(lambda: query.answer(text=notice), give_up_quietly=True)
            message = query.message
            if reply.replace and isinstance(message, Message) and len(reply.text) <= MessageLimit.MAX_TEXT_LENGTH:
                try:
                    await self._call(
                        lambda: bot.edit_message_text(
                            reply.text,
                            chat_id=message.chat_id,
                            message_id=message.message_id,
                            reply_markup=_markup(reply),
                        )
                    )
                    return
                except BadRequest as exc:
                    # "message is not modified" or too old to edit: fall back to a new message.
                    logger.info("could not edit message for a button press: %s", exc.message)
        await self._send_parts(int(incoming.chat_id), reply, spaced=False)

    async def _send_parts(self, chat_id: int, reply: Reply, *, spaced: bool) -> None:
        """Send a reply's messages in order. `spaced` (unprompted messages): a second apart per chat, and any
        failure raised (Forbidden, or GaveUp) so that the delivery is recorded as it ended."""
        bot = self.application.bot
        for part in reply_parts(reply):
            if isinstance(part, Document):
                await self._send_file(chat_id, part, spaced)
                continue
            pieces = chunk_text(part, MessageLimit.MAX_TEXT_LENGTH)
            for index, piece in enumerate(pieces):
                markup = _markup(reply) if part == reply.text and index == len(pieces) - 1 else None
                await self._call(
                    lambda p=piece, m=markup: bot.send_message(chat_id, p, reply_markup=m),
                    chat=(chat_id, spaced),
                    strict=spaced,
                )

    async def _send_file(self, chat_id: int, document: Document, spaced: bool) -> None:
        bot = self.application.bot
        if document.mime_type.startswith("image/"):
            await self._call(
                lambda: bot.send_photo(chat_id, InputFile(document.data, filename=document.filename)),
                chat=(chat_id, spaced),
                strict=spaced,
            )
            return
        await self._call(lambda: bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT), give_up_quietly=True)
        await self._call(
            lambda: bot.send_document(
                chat_id, InputFile(document.data, filename=document.filename), filename=document.filename
            ),
            chat=(chat_id, spaced),
            strict=spaced,
        )

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a message nobody asked for (a reminder, a digest): "sent", "blocked" (403) or "failed"."""
        try:
            await self._send_parts(int(chat_id), reply, spaced=True)
        except Forbidden:
            return "blocked"
        except (GaveUp, TelegramError, ValueError) as exc:
            logger.warning("unprompted message failed: %s", type(exc).__name__)
            return "failed"
        return "sent"

    async def _call(
        self,
        make: Callable[[], Awaitable[T]],
        give_up_quietly: bool = False,
        strict: bool = False,
        chat: tuple[int, bool] | None = None,
    ) -> T | None:
        """Run one Bot API call: paced when it sends an unprompted message (`chat` = (chat id, True)), held
        after a 429 in any case; waiting out 429s, retrying transient failures, stopping for blocked users.
        `strict`: raise Forbidden and GaveUp instead of logging them and returning None."""
        delay = 0.5
        for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
            if chat is not None and chat[1]:
                await self._limiter.acquire(str(chat[0]))
            else:
                await self._limiter.wait_hold()
            try:
                return await make()
            except RetryAfter as exc:
                wait = min(retry_after_seconds(exc), MAX_RETRY_AFTER)
                logger.warning("telegram flood control: waiting %.1f s (attempt %d)", wait, attempt)
                self._limiter.hold(wait)
                await self._sleep(wait)
            except Forbidden as exc:
                logger.warning("telegram refused delivery (blocked or no rights): %s", exc.message)
                if strict:
                    raise
                return None
            except (TimedOut, NetworkError) as exc:
                if isinstance(exc, BadRequest):
                    if give_up_quietly:
                        return None
                    raise
                logger.warning("telegram call failed (%s), retrying in %.1f s", type(exc).__name__, delay)
                await self._sleep(delay)
                delay *= 2
        logger.error("telegram call gave up after %d attempts", MAX_SEND_ATTEMPTS)
        if strict:
            raise GaveUp
        return None

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("telegram update failed: %s", context.error, exc_info=context.error)
