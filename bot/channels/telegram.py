"""Telegram through python-telegram-bot 22, long polling or webhook: updates in, replies out.

Telegram's types stop here: updates become IncomingMessage, replies become Bot API calls. Every update goes
through the durable inbox (bot/inbox.py): the polling loop is ours, around Bot.get_updates, and confirms an
update to Telegram (the next offset) only once it is stored; a webhook call is answered 200 only once stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import PurePosixPath
from typing import Any, TypeVar

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatAction, MessageLimit
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.asr import TooLarge, Transcriber, hear
from bot.channels.base import Leadership, SendLimiter, chunk_text, reply_parts
from bot.channels.telegram_http import AiohttpRequest
from bot.inbox import Inbox, InboxItem
from handlers.messages import Document, IncomingAttachment, IncomingMessage, Reply
from handlers.router import Dispatcher

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_SEND_ATTEMPTS = 4
MAX_RETRY_AFTER = 60.0
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
TYPING_EVERY = 4.0  # Telegram shows a chat action for about five seconds
FETCH_LIMIT = 100  # updates per getUpdates (Telegram's maximum)
POLL_RETRY_FIRST, POLL_RETRY_MAX = 1.0, 30.0  # seconds between failed getUpdates calls (doubling)
CONNECTION_POOL = 8  # concurrent Bot API requests (replies to many chats, a reminder fan-out)
POOL_TIMEOUT = 30.0  # seconds a request may wait for a free connection when all are busy


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


def inbox_item(data: dict[str, Any]) -> InboxItem | None:
    """An update (Bot API JSON) as the inbox stores it, keyed by Telegram's identity of what it carries: a
    message by chat and message id (a redelivery under a new update_id is the same message), an edit by its edit
    time too, a button press by its query id. None for updates to_incoming() does not handle. Read from the JSON
    as it came: no Update object is built (and thrown away) per update on the receiving path."""
    query = data.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message") or {}
        chat = (message.get("chat") or {}).get("id") or query["from"]["id"]
        return InboxItem("telegram", f"callback:{query['id']}", str(chat), data)
    edited = data.get("edited_message")
    message = data.get("message") or edited
    if not isinstance(message, dict) or not message.get("from"):
        return None
    chat, number = message["chat"]["id"], message["message_id"]
    if edited:
        key = f"edit:{chat}:{number}:{message.get('edit_date') or data['update_id']}"
    else:
        key = f"message:{chat}:{number}"
    return InboxItem("telegram", key, str(chat), data)


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


_MEDIA_FIELDS = ("photo", "document", "voice", "audio", "video", "video_note", "location", "venue", "caption")


def plain_text_incoming(data: dict[str, Any]) -> IncomingMessage | None:
    """The neutral message of a stored update that is a new text message and nothing else (most of them), read
    from the JSON as to_incoming() reads it from PTB's objects — without building them (a Message is hundreds of
    attribute writes). None for anything else: the caller decodes that through PTB."""
    message = data.get("message")
    if not isinstance(message, dict) or set(data) - {"update_id", "message"}:
        return None
    user, chat, text = message.get("from"), message.get("chat"), message.get("text")
    if not (isinstance(user, dict) and isinstance(chat, dict) and isinstance(text, str)):
        return None
    if any(field in message for field in _MEDIA_FIELDS):
        return None
    first, last, date = user.get("first_name"), user.get("last_name"), message.get("date")
    if not isinstance(first, str) or not isinstance(date, int) or not isinstance(user.get("id"), int):
        return None
    if not isinstance(chat.get("id"), int) or not isinstance(message.get("message_id"), int):
        return None
    return IncomingMessage(
        channel="telegram",
        chat_id=str(chat["id"]),
        user_id=str(user["id"]),
        user_name=f"{first} {last}" if last else first,
        text=text,
        sent_at=dt.datetime.fromtimestamp(date, tz=dt.UTC),
        message_id=str(message["message_id"]),
        is_private=chat.get("type") == "private",
    )


def _markup_json(reply: Reply) -> dict[str, Any] | None:
    """A reply's buttons as the Bot API's reply_markup (what InlineKeyboardMarkup.to_dict() gives)."""
    if not reply.buttons:
        return None
    return {"inline_keyboard": [[{"text": b.label, "callback_data": b.data} for b in row] for row in reply.buttons]}


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
        inbox: Inbox | None = None,
        leadership: Leadership | None = None,
        transcriber: Transcriber | None = None,
    ) -> None:
        # PTB's documented opt-in to timedelta durations (its next major default); without it PTB warns on
        # every 429 it parses.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        # getUpdates is called through do_api_request to get its JSON as sent; PTB would suggest get_updates()
        # getUpdates and sendMessage are called through do_api_request: their JSON as sent, no PTB objects built
        warnings.filterwarnings(
            "ignore", message=r"Please use 'Bot\.(getUpdates|sendMessage)'", category=PTBUserWarning
        )
        self._dispatcher = dispatcher
        self.inbox = inbox or Inbox(dispatcher)
        self._poll_timeout = poll_timeout
        self._commands = commands or {}
        self._sleep = sleep
        self._limiter = limiter or SendLimiter()
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self._polling: asyncio.Task[None] | None = None
        # Requests wait for a connection here, not in the HTTP client's pool: a task waiting here costs nothing
        # per request, and a reminder fan-out does not hold replies behind a queue of its own.
        self._in_flight = asyncio.Semaphore(CONNECTION_POOL)
        # several instances on PostgreSQL: only the leader polls (Telegram allows one getUpdates at a time)
        self._leadership = leadership
        self.transcriber = transcriber
        # Only PTB's bot is used: receiving is ours (the polling loop below, or the webhook route).
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_file_url)
            # aiohttp, not PTB's httpx client (bot/channels/telegram_http.py: a ninth of the CPU per request).
            # PTB's default is one connection: every send would wait for the one before it.
            .request(AiohttpRequest(CONNECTION_POOL, pool_timeout=POOL_TIMEOUT))
            .get_updates_request(AiohttpRequest(1, read_timeout=poll_timeout + 10, pool_timeout=POOL_TIMEOUT))
            .updater(None)
            .build()
        )

    async def start(self) -> None:
        app = self.application
        await app.initialize()
        if self._commands:
            await self._call(lambda: app.bot.set_my_commands([BotCommand(n, d) for n, d in self._commands.items()]))
        await self.inbox.start(self)  # replies left unsent by the last stop go out first
        if self._webhook_url is not None:
            # Our HTTP server receives the updates (bot/http.py → feed); Telegram is told where.
            await self._call(
                lambda: app.bot.set_webhook(
                    self._webhook_url or "", secret_token=self._webhook_secret, allowed_updates=ALLOWED_UPDATES
                )
            )
            logger.info("telegram channel receiving by webhook as @%s", app.bot.username)
            return
        await self._call(lambda: app.bot.delete_webhook())
        self._polling = asyncio.create_task(self._poll())
        logger.info("telegram channel polling as @%s", app.bot.username)

    async def _poll(self) -> None:
        """Long polling that confirms (moves the offset past) only updates already stored."""
        bot, offset, delay = self.application.bot, None, POLL_RETRY_FIRST
        while True:
            if self._leadership is not None:
                await self._leadership.wait_leading()
            room = await self.inbox.room(FETCH_LIMIT)  # too many unhandled: the backlog waits at Telegram
            try:
                # getUpdates as JSON: stored as it came, parsed once, when handled
                updates = await bot.do_api_request(
                    "getUpdates",
                    api_kwargs={
                        "offset": offset,
                        "limit": max(1, min(FETCH_LIMIT, room)),
                        "timeout": int(self._poll_timeout),
                        "allowed_updates": ALLOWED_UPDATES,
                    },
                    read_timeout=self._poll_timeout + 10,
                )
                if updates:
                    await self.inbox.store([item for u in updates if (item := inbox_item(u)) is not None])
                    offset = int(updates[-1]["update_id"]) + 1
                delay = POLL_RETRY_FIRST
            except asyncio.CancelledError:
                raise
            except InvalidToken:
                logger.error("telegram refused the bot token: polling stopped")
                return
            except TimedOut:
                continue  # a long poll that ended without updates
            except RetryAfter as exc:
                await asyncio.sleep(min(retry_after_seconds(exc), MAX_RETRY_AFTER))
            except Exception as exc:  # network, Conflict (another instance polls), the database: try again
                level = logging.ERROR if isinstance(exc, Conflict) else logging.WARNING
                logger.log(level, "telegram polling failed (%s), retrying in %.0f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, POLL_RETRY_MAX)

    def accepts(self, secret: str | None) -> bool:
        """Whether a webhook call carries our secret token (constant-time; never without a webhook set up)."""
        expected = self._webhook_secret
        return (
            self._webhook_url is not None
            and expected is not None
            and hmac.compare_digest((secret or "").encode(), expected.encode())
        )

    def busy(self) -> bool:
        """Too many unhandled updates: a webhook call is refused for now (Telegram delivers it again later)."""
        return self.inbox.full()

    async def feed(self, data: dict[str, Any]) -> bool:
        """Store one update posted to our webhook (accepts() checked first), returning once it is committed;
        False if it is not an update."""
        try:
            Update.de_json(data, self.application.bot)  # the shape checked before it is stored
            item = inbox_item(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        if item is not None:
            await self.inbox.store([item])
        return True

    async def stop(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        await self.inbox.stop(self)
        await self.application.shutdown()

    # -- the inbox's side: stored payloads in, replies out -------------------------------------------
    def decode(self, payload: dict[str, Any]) -> IncomingMessage | None:
        return plain_text_incoming(payload) or to_incoming(Update.de_json(payload, self.application.bot))

    async def prepare(self, incoming: IncomingMessage) -> IncomingMessage:
        """A voice note heard before it is handled (bot/asr.py): getFile, the download, the speech model."""
        return await hear(incoming, self.transcriber, self._fetch_voice)

    async def _fetch_voice(self, attachment: IncomingAttachment, max_bytes: int) -> tuple[str, bytes]:
        """A voice note's bytes: getFile (Telegram says its size; bots may fetch up to 20 MB), then the file."""
        bot = self.application.bot
        timeout = self.transcriber.config.timeout if self.transcriber is not None else None
        try:
            file = await bot.get_file(attachment.file_id or "", read_timeout=timeout)
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise TooLarge from exc
            raise
        if file.file_size is not None and file.file_size > max_bytes:
            raise TooLarge
        data = await file.download_as_bytearray(read_timeout=timeout)
        if len(data) > max_bytes:
            raise TooLarge
        return PurePosixPath(file.file_path or "voice.ogg").name, bytes(data)

    def target(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The chat, and for a button press the query to answer and the message that carried the button."""
        query = payload.get("callback_query")
        if isinstance(query, dict):
            message = query.get("message") or {}
            chat = (message.get("chat") or {}).get("id") or query["from"]["id"]
            # an inaccessible message (date 0) cannot be edited
            edit = message.get("message_id") if message.get("date") else None
            return {"chat": int(chat), "query": str(query["id"]), "message": edit}
        message = payload.get("message") or payload.get("edited_message") or {}
        return {"chat": int(message["chat"]["id"])}

    async def working(self, target: dict[str, Any]) -> None:
        """Show progress when handling takes a while (a report being compiled)."""
        bot, chat_id = self.application.bot, int(target["chat"])
        while True:
            await self._call(lambda: bot.send_chat_action(chat_id, ChatAction.TYPING), give_up_quietly=True)
            await asyncio.sleep(TYPING_EVERY)

    async def deliver(self, target: dict[str, Any], reply: Reply) -> None:
        """Send a reply: edit the message whose button was pressed, or send new messages."""
        bot, chat_id = self.application.bot, int(target["chat"])
        query_id, message_id = target.get("query"), target.get("message")
        if query_id is not None:
            notice = (reply.callback_notice or "")[:200] or None
            await self._call(lambda: bot.answer_callback_query(query_id, text=notice), give_up_quietly=True)
            if reply.replace and message_id is not None and len(reply.text) <= MessageLimit.MAX_TEXT_LENGTH:
                try:
                    await self._call(
                        lambda: bot.edit_message_text(
                            reply.text, chat_id=chat_id, message_id=int(message_id), reply_markup=_markup(reply)
                        )
                    )
                    return
                except BadRequest as exc:
                    # "message is not modified" or too old to edit: fall back to a new message.
                    logger.info("could not edit message for a button press: %s", exc.message)
        await self._send_parts(chat_id, reply, spaced=False)

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
                params: dict[str, Any] = {"chat_id": chat_id, "text": piece}
                if part == reply.text and index == len(pieces) - 1 and (markup := _markup_json(reply)):
                    params["reply_markup"] = markup
                # sendMessage's JSON as sent: PTB would build the keyboard's objects and parse the sent Message
                # back into objects nobody reads (a third of a reply's cost)
                await self._call(
                    partial(bot.do_api_request, "sendMessage", api_kwargs=params), chat=(chat_id, spaced), strict=spaced
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
                async with self._in_flight:
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
