"""The durable inbox's engine, one code path for every platform channel (Telegram polling and webhook, WeCom).

Receiving: a channel hands over what it received (`store`); the rows are written in one statement and committed
before `store` returns, so the channel confirms to the platform (the next getUpdates offset, the webhook's or
the callback's 200) only what is on disk. Concurrent callers share one write (group commit), on a connection
of its own, so an acknowledgement never waits behind a handler's transaction.

Handling: a worker takes the oldest unhandled rows (at most `window` in memory), one chat's rows strictly in
order, chats side by side. The dispatcher marks the row handled in the same transaction as the handler's effects
and the reply is recorded with it; the reply is sent after the commit. Replies recorded but not sent when the
process died are sent when the channel starts again. A redelivered message (same platform key) is not stored
twice, so it does nothing.

Several instances (PostgreSQL): each handles pending rows, but only of the chats it has claimed (`ChatClaims`,
storage/leader.py: a session advisory lock per chat, released by the server if the instance dies), so one chat's
rows are handled by one instance at a time, in order. A chat is let go once its rows in hand are handled and
their replies recorded as sent; its next owner first sends the replies its last owner recorded but did not send.
Stored rows are announced to the other instances (NOTIFY); every instance also looks again every few seconds.

Back-pressure: `room()` waits while `max_pending` rows are unhandled; a polling channel fetches nothing then,
and the backlog waits at the platform and in the database, not in memory.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from handlers.messages import Button, Document, IncomingMessage, Reply
from handlers.router import AlreadyHandled, Dispatcher, UnitOfWorkFactory
from storage.inbox import InboxItem, PendingMessage
from storage.leader import NOTIFY_CHANNEL, ChatClaims
from storage.uow import UnitOfWork

__all__ = ["Inbox", "InboxChannel", "InboxItem", "decode_reply", "encode_reply"]

logger = logging.getLogger(__name__)

MAX_PENDING = 1000
WINDOW = 256  # rows in hand (in memory) at most
# Messages handled at once, across chats (one chat's strictly in order): one handler's database work (in the
# driver's thread) overlaps another's Python; measured with bench/ingest.py, 8 and 16 were slower.
CONCURRENCY = 32
RETENTION = dt.timedelta(days=7)
PRUNE_EVERY = dt.timedelta(hours=1)
STOP_TIMEOUT = 10.0  # seconds a stop waits for the messages in hand
RETRY_DELAY = 1.0  # seconds before a row is tried again after a database failure
# Sent replies are recorded at most this often, in one statement: a crash in between sends them again (at
# least once), one transaction per reply would cost more than the reply.
SENT_EVERY = 0.5
WORKING_AFTER = 0.5  # seconds of handling before the user is shown that his message is being handled
RESCAN_EVERY = 1.0  # several instances: seconds between looks for rows no notification announced (a dead peer's)
CLAIM_AT_ONCE = 512  # several instances: chats with waiting rows looked at per scan, the longest waiting first


class InboxChannel(Protocol):
    """What a platform channel gives the inbox: reading a stored payload, and sending its reply."""

    name: str

    def decode(self, payload: dict[str, Any]) -> IncomingMessage | None:
        """The neutral message of a stored payload; None for what needs no answer."""

    def target(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Where the reply goes (ids only, no message content): kept with the reply until it is sent."""

    async def deliver(self, target: dict[str, Any], reply: Reply) -> None:
        """Send the reply of a handled message (failures are the channel's to log)."""

    async def working(self, target: dict[str, Any]) -> None:
        """Show the user that his message is being handled (it has taken a while), until cancelled (or return
        at once)."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Inbox:
    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        store: UnitOfWorkFactory | None = None,
        max_pending: int = MAX_PENDING,
        retention: dt.timedelta = RETENTION,
        concurrency: int = CONCURRENCY,
        window: int = WINDOW,
        clock: Callable[[], dt.datetime] = utc_now,
        claims: ChatClaims | None = None,
        rescan_every: float = RESCAN_EVERY,
    ) -> None:
        self._dispatcher = dispatcher
        self._uow = dispatcher.unit_of_work
        self._store_uow = store or dispatcher.unit_of_work
        self.max_pending = max_pending
        self._retention = retention
        self._window = max(window, 2)
        self._clock = clock
        self._channels: dict[str, InboxChannel] = {}
        self._semaphore = asyncio.Semaphore(concurrency)
        self._pending = 0  # unhandled rows of our platforms, as far as this process knows
        self._progress = asyncio.Event()  # rows were handled: there may be room again
        self._wake = asyncio.Event()  # new rows, or room in hand: the scanner looks again
        self._writes: list[tuple[list[InboxItem], asyncio.Future[None]]] = []
        self._write_wake = asyncio.Event()
        self._writes_done = asyncio.Event()  # nothing waits to be stored: handlers may go on
        self._writes_done.set()
        self._handling = 0  # handlers inside their transaction
        self._handlers_idle = asyncio.Event()  # none is: a write takes no lock a handler holds (SQLite)
        self._handlers_idle.set()
        self._sent: list[int] = []
        self._sent_wake = asyncio.Event()
        self._sent_lock = asyncio.Lock()  # one record of sent replies at a time
        self._in_hand: set[int] = set()
        self._taken_up_to = 0  # the highest row id taken: scans go on from there while rows are in hand
        self._queues: dict[tuple[str, str], deque[PendingMessage]] = {}
        self._chat_tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._writer: asyncio.Task[None] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._pruned_at: dt.datetime | None = None
        self.handled = 0  # rows handled by this process (tests, benchmarks)
        # several instances (PostgreSQL): the chats this one handles now; None for the one process on SQLite
        self._claims = claims
        self._rescan_every = rescan_every
        self._rescan_at = 0.0  # time.monotonic() of the next look at the held chats' every row
        self._peers = 1  # instances sharing the database's chats, as last counted
        self._left_hand: set[int] | None = None  # while a scan reads: the rows handled meanwhile
        self.resent = 0  # replies sent for rows another instance handled (tests)

    # -- life cycle ---------------------------------------------------------------------------------
    async def start(self, channel: InboxChannel) -> None:
        """Take a channel's rows: send its replies left unsent by a stop, then handle what is pending."""
        self._channels[channel.name] = channel
        if self._claims is None:
            await self._resend(channel)
        else:  # a chat's unsent replies are sent by whoever claims it next (its rows may be another's now)
            await self._claims.connect(self._notified)
        if not self._workers:
            self._workers = [asyncio.create_task(self._scan()), asyncio.create_task(self._flush_sent())]
        self._wake.set()

    async def stop(self, channel: InboxChannel) -> None:
        """Stop taking a channel's rows; when the last one stops, finish the messages in hand (their later rows
        stay in the database for the next start) and stop."""
        self._channels.pop(channel.name, None)
        if self._channels:
            return
        workers, self._workers = self._workers, []
        scanner = workers[0] if workers else None
        if scanner is not None:
            scanner.cancel()
        for queue in self._queues.values():
            while len(queue) > 1:  # keep the one being handled
                self._in_hand.discard(queue.pop().id)
        if self._chat_tasks:
            await asyncio.wait(set(self._chat_tasks.values()), timeout=STOP_TIMEOUT)
        for task in [*self._chat_tasks.values(), *workers, *([self._writer] if self._writer else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._writer = None
        self._in_hand.clear()  # a row cancelled mid-way is still "new": the next start takes it again
        self._taken_up_to = 0
        self._writes, self._writes_done = [], asyncio.Event()
        self._writes_done.set()
        await self._write_sent()
        if self._claims is not None:
            await self._claims.close()  # the replies' records are written: another instance may take the chats
        if self.handled or self.resent:
            logger.info("inbox stopped: %d messages handled, %d replies resent", self.handled, self.resent)

    async def drain(self) -> None:
        """Wait until every stored row of our platforms has been handled and answered (tests, benchmarks)."""
        while True:
            await asyncio.sleep(0)
            if self._writes or self._chat_tasks or self._sent:
                await asyncio.sleep(0.01)
                continue
            async with self._uow() as uow:
                pending = await uow.inbox.count_pending(list(self._channels))
            if pending == 0 and not self._chat_tasks:
                await self._write_sent()  # the replies' records too
                return
            await asyncio.sleep(0.01)

    # -- receiving ------------------------------------------------------------------------------------
    async def store(self, items: Sequence[InboxItem]) -> None:
        """Write received updates (a redelivered key is skipped) and return once they are committed."""
        if not items:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._writes.append((list(items), future))
        self._writes_done.clear()
        self._write_wake.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await future

    def full(self) -> bool:
        return self._pending >= self.max_pending

    async def room(self, wanted: int = 1) -> int:
        """Wait until `wanted` more rows may be taken in (too many are unhandled); return how many may. (Waiting
        for a batch's worth, not for one: a poll per handled message would cost more than the message.)"""
        wanted = max(1, min(wanted, self.max_pending))
        while self.max_pending - self._pending < wanted:
            self._progress.clear()
            await self._progress.wait()
        return self.max_pending - self._pending

    async def _write(self) -> None:
        while True:
            await self._write_wake.wait()
            self._write_wake.clear()
            await self._handlers_idle.wait()  # new handlers wait for us (_writes_done): this is short
            batch, self._writes = self._writes, []
            if not batch:
                self._writes_done.set()
                continue
            started = time.perf_counter()
            try:
                async with self._store_uow() as uow:
                    added = await uow.inbox.add([i for items, _ in batch for i in items], self._clock())
                    if added and self._claims is not None:
                        await uow.inbox.notify(NOTIFY_CHANNEL, self._claims.token)
                    await uow.commit()
                logger.debug("stored %d updates in %.1f ms", len(batch), (time.perf_counter() - started) * 1000)
            except Exception as exc:
                logger.error("storing %d received updates failed: %s", len(batch), type(exc).__name__)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                if not self._writes:
                    self._writes_done.set()
                continue
            self._pending += added
            for _, future in batch:
                if not future.done():
                    future.set_result(None)
            if not self._writes:
                self._writes_done.set()
            if added:
                self._wake.set()

    # -- handling -------------------------------------------------------------------------------------
    async def _scan(self) -> None:
        """Keep up to `window` of the oldest unhandled rows in hand, queued per chat. With rows in hand, only
        newer rows are read; with none, all (rows left by a failure, or committed late by another process)."""
        while True:
            self._wake.clear()
            if self._channels and len(self._in_hand) <= self._window // 2:
                try:
                    await self._prune()
                    platforms = list(self._channels)
                    since = self._taken_up_to if self._in_hand else 0
                    limit = self._window - len(self._in_hand)
                    if self._claims is None:
                        async with self._uow() as uow:
                            rows = await uow.inbox.pending(platforms, limit, since)
                            if not since:
                                self._pending = await uow.inbox.count_pending(platforms)
                    else:
                        rows = await self._claim(platforms, limit, since)
                except Exception:
                    logger.exception("reading the inbox failed")
                    await asyncio.sleep(RETRY_DELAY)
                    continue
                if not self.full():
                    self._progress.set()
                for row in rows:
                    if row.id not in self._in_hand:
                        self._take(row)
            if self._claims is None:
                await self._wake.wait()
            else:  # a dead instance's chats are announced by no one
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._rescan_every)

    # -- several instances ----------------------------------------------------------------------------
    def _notified(self, _payload: str) -> None:
        """Another instance stored rows."""
        self._wake.set()

    async def _claim(self, platforms: list[str], limit: int, since: int) -> list[PendingMessage]:
        """The rows to take in: the newer rows of the chats this instance holds, and all the rows of the chats
        it can claim now (read once claimed: their last owner may have handled some meanwhile). Chats no longer
        in hand are let go first, once their replies are recorded as sent. Every few seconds the held chats'
        rows are read whole again (a row another instance stored may commit after newer ones), and the number
        of instances counted: each holds about its share of the chats waiting, and lets the others have the
        rest (a chat above its share takes no new rows, and is let go once its rows in hand are handled)."""
        claims = self._claims
        assert claims is not None
        idle = [chat for chat in claims.chats() if chat not in self._queues]
        if idle:
            await self._write_sent()
            await claims.release(idle)
        held = claims.chats()
        now = time.monotonic()
        if now >= self._rescan_at:
            since, self._rescan_at = 0, now + self._rescan_every
            self._peers = await claims.peers()
        left: set[int] = set()  # rows in hand when read, handled since: not to be taken again
        self._left_hand = left
        try:
            async with self._uow() as uow:
                waiting = await uow.inbox.waiting_chats(platforms, CLAIM_AT_ONCE)
                rows = await uow.inbox.of_chats(held, limit, since, unanswered=False)
                if not since:
                    self._pending = await uow.inbox.count_pending(platforms)
            share = max(1, -(-len(set(waiting).union(held)) // max(self._peers, 1)))
            keep = set(sorted(held, key=lambda c: len(self._queues.get(c, ())), reverse=True)[:share])
            rows = [r for r in rows if (r.platform, r.chat) in keep]
            wanted = [chat for chat in waiting if not claims.holds(chat)]
            room = share - len(held)
            got = await claims.claim(wanted, room) if wanted and room > 0 else set()
            if got:
                async with self._uow() as uow:
                    rows += await uow.inbox.of_chats(got, limit)
                rows.sort(key=lambda r: r.id)
            return [r for r in rows if r.id not in left]
        finally:
            self._left_hand = None

    async def _resend_row(self, row: PendingMessage) -> None:
        """A row another instance handled and did not live to answer: send its recorded reply (at least once)."""
        channel = self._channels.get(row.platform)
        if channel is None:
            return
        target, reply = decode_reply(row.replies or {})
        if reply is None:
            self._mark_sent(row.id)
        else:
            self.resent += 1
            await self._deliver(channel, row.id, target, reply)

    def _take(self, row: PendingMessage) -> None:
        self._in_hand.add(row.id)
        self._taken_up_to = max(self._taken_up_to, row.id)
        chat = (row.platform, row.chat)
        self._queues.setdefault(chat, deque()).append(row)
        if chat not in self._chat_tasks:
            self._chat_tasks[chat] = asyncio.create_task(self._run_chat(chat))

    async def _run_chat(self, chat: tuple[str, str]) -> None:
        """One chat's rows, in order: each handled, committed and answered before the next."""
        queue = self._queues[chat]
        try:
            while queue:
                row = queue[0]
                try:
                    if row.replies is not None:
                        await self._resend_row(row)
                    else:
                        await self._handle(row)
                except Exception:
                    logger.exception("an inbox row failed; it stays for a later try")
                    await asyncio.sleep(RETRY_DELAY)
                if queue and queue[0] is row:
                    queue.popleft()
                self._in_hand.discard(row.id)
                if self._left_hand is not None:
                    self._left_hand.add(row.id)
                if len(self._in_hand) in (0, self._window // 2):  # room for more: read once, not per row
                    self._wake.set()
        finally:
            del self._queues[chat]
            del self._chat_tasks[chat]

    async def _may_prepare(self, incoming: IncomingMessage) -> bool:
        """A voice note is heard only for a cadre we know: a stranger's is answered with the join hint, and is
        neither downloaded nor sent to the speech model (one lookup, for voice notes only)."""
        if not any(a.kind == "voice" for a in incoming.attachments):
            return True
        async with self._uow() as uow:
            person = await uow.people.by_identity(incoming.channel, incoming.user_id)
        return person is not None and person.active and person.role == "cadre"

    async def _handle(self, row: PendingMessage) -> None:
        channel = self._channels.get(row.platform)
        if channel is None:
            return  # its channel stopped: the row waits for the next start
        try:
            incoming = channel.decode(row.payload)
            target = channel.target(row.payload)
        except Exception:
            logger.exception("a stored %s update could not be read; it is dropped", row.platform)
            incoming, target = None, {}
        prepare = getattr(channel, "prepare", None)  # network work a message needs (a voice note heard: bot/asr.py)
        if incoming is not None and prepare is not None and await self._may_prepare(incoming):
            incoming = await prepare(incoming)  # before the semaphore and any transaction: it may take seconds
        reply: Reply | None = None
        answered = False

        async def finish(uow: UnitOfWork, result: Reply) -> None:
            nonlocal answered
            if not await uow.inbox.answer(row.id, encode_reply(result, target), self._clock()):
                raise AlreadyHandled
            answered = True

        if incoming is not None:
            async with self._semaphore:  # handlers at once (sending is not limited here: no database in it)
                # Storing comes first: an acknowledgement (WeCom waits 5 s, a webhook 60 s) never waits for a
                # handler's turn at the database, nor a burst of them for handlers' CPU.
                await self._writes_done.wait()
                self._handling += 1
                self._handlers_idle.clear()
                # a timer, not a task per message: most messages are handled long before it fires
                working: list[asyncio.Task[None]] = []
                timer = asyncio.get_running_loop().call_later(
                    WORKING_AFTER, lambda: working.append(asyncio.create_task(channel.working(target)))
                )
                try:
                    reply = await self._dispatcher.dispatch(incoming, finish)
                except AlreadyHandled:
                    return
                finally:
                    timer.cancel()
                    for task in working:
                        task.cancel()
                    self._handling -= 1
                    if not self._handling:
                        self._handlers_idle.set()
        if not answered:  # refused before a transaction, failed (rolled back), or nothing to answer
            async with self._uow() as uow:
                if not await uow.inbox.answer(row.id, encode_reply(reply, target), self._clock()):
                    return
                await uow.commit()
        self.handled += 1
        self._pending = max(self._pending - 1, 0)
        self._progress.set()
        if reply is not None:
            await self._deliver(channel, row.id, target, reply)
        else:
            self._mark_sent(row.id)

    # -- replies --------------------------------------------------------------------------------------
    async def _deliver(self, channel: InboxChannel, row_id: int, target: dict[str, Any], reply: Reply) -> None:
        try:
            await channel.deliver(target, reply)
        except Exception:
            logger.exception("sending a reply on %s failed", channel.name)
        self._mark_sent(row_id)

    async def _resend(self, channel: InboxChannel) -> None:
        async with self._uow() as uow:
            unsent = await uow.inbox.unsent([channel.name])
        if unsent:
            logger.info("sending %d %s replies left unsent by the last stop", len(unsent), channel.name)
        for row in unsent:
            target, reply = decode_reply(row.replies)
            if reply is None:
                self._mark_sent(row.id)
            else:
                await self._deliver(channel, row.id, target, reply)
        await self._write_sent()

    def _mark_sent(self, row_id: int) -> None:
        self._sent.append(row_id)
        self._sent_wake.set()

    async def _flush_sent(self) -> None:
        """Record sent replies in batches (a crash before the record sends them again: at least once)."""
        while True:
            await self._sent_wake.wait()
            await asyncio.sleep(SENT_EVERY)
            self._sent_wake.clear()
            try:
                await self._write_sent()
            except Exception:
                logger.exception("recording sent replies failed")
                await asyncio.sleep(RETRY_DELAY)
                self._sent_wake.set()

    async def _write_sent(self) -> None:
        async with self._sent_lock:
            ids, self._sent = self._sent, []
            if not ids:
                return
            try:
                async with self._uow() as uow:
                    await uow.inbox.sent(ids)
                    await uow.commit()
            except BaseException:
                self._sent = ids + self._sent
                raise

    async def _prune(self) -> None:
        now = self._clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        async with self._uow() as uow:
            removed = await uow.inbox.prune(now - self._retention)
            await uow.commit()
        if removed:
            logger.info("inbox: forgot %d handled keys older than %s", removed, self._retention)


def encode_reply(reply: Reply | None, target: dict[str, Any]) -> dict[str, Any]:
    """A reply (and where it goes) as JSON, kept with its inbox row until it has been sent."""
    if reply is None:
        return {"to": target}
    return {
        "to": target,
        "text": reply.text,
        "buttons": [[[b.label, b.data] for b in row] for row in reply.buttons],
        "replace": reply.replace,
        "notice": reply.callback_notice,
        "extra": list(reply.extra),
        "document": _encode_document(reply.document),
        "photo": _encode_document(reply.photo),
    }


def decode_reply(data: dict[str, Any]) -> tuple[dict[str, Any], Reply | None]:
    target = dict(data.get("to") or {})
    if "text" not in data:
        return target, None
    reply = Reply(
        text=str(data["text"]),
        buttons=tuple(tuple(Button(str(label), str(value)) for label, value in row) for row in data.get("buttons", [])),
        replace=bool(data.get("replace")),
        callback_notice=data.get("notice"),
        extra=tuple(str(t) for t in data.get("extra", [])),
        document=_decode_document(data.get("document")),
        photo=_decode_document(data.get("photo")),
    )
    return target, reply


def _encode_document(document: Document | None) -> dict[str, str] | None:
    if document is None:
        return None
    return {"name": document.filename, "type": document.mime_type, "data": base64.b64encode(document.data).decode()}


def _decode_document(data: dict[str, str] | None) -> Document | None:
    if not data:
        return None
    return Document(data["name"], base64.b64decode(data["data"]), data["type"])
