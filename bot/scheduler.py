"""The scheduler: APScheduler 3 runs a short tick; our tables say what is due (STYLE.md c.4, R6).

APScheduler only keeps time here (an in-memory job, no pickled job store). Each tick, on the one instance that
leads (storage/leader.py), claims what fell due in one unit of work — every delivery under a unique key, so a
restart or a second instance never sends it twice — then sends through the channels, many at once but paced
by each channel's limiter, and records each outcome in batches.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.channels.base import Channel
from handlers import offload
from handlers.messages import Reply
from handlers.reminders import (
    Outbound,
    collect_due,
    collect_nudges,
    collect_obligations,
    collect_outbox,
    collect_promises,
)
from handlers.supervision import DEFAULT_DIGEST_AT, digest_collector
from storage.db import Database
from storage.leader import SchedulerLeadership
from storage.uow import UnitOfWork
from timing.schedule import Grace

logger = logging.getLogger(__name__)

Collector = Callable[[UnitOfWork, dt.datetime, Grace], Awaitable[list[Outbound]]]
SEND_WORKERS = 8  # messages in flight at once; the channels' limiters set the actual pace
FLUSH_EVERY = 200  # outcomes recorded per write
MAX_ROUNDS = 1000  # claim rounds per tick (a round looks at a small batch of people per rule: RULE_BATCH)


def default_collectors(
    digest_at: tuple[int, dt.time] = DEFAULT_DIGEST_AT, group_robot: bool = False
) -> tuple[Collector, ...]:
    return (
        collect_due,
        collect_nudges,
        collect_promises,
        collect_obligations,
        digest_collector(digest_at, group_robot),  # type: ignore[list-item]
        collect_outbox,
    )


class ReminderScheduler:
    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        clock: Callable[[], dt.datetime],
        *,
        every: dt.timedelta = dt.timedelta(seconds=10),
        grace: Grace | None = None,
        collectors: Sequence[Collector] | None = None,
        leadership: SchedulerLeadership | None = None,
        workers: int = SEND_WORKERS,
        release_on_stop: bool = True,  # False: the lock also says who polls, released once polling stopped
    ) -> None:
        self._db = db
        self._channels = channels
        self._clock = clock
        self._every = every
        self._grace = grace or Grace()
        self._collectors = tuple(collectors or default_collectors())
        self._leadership = leadership or SchedulerLeadership(db.url)
        self._release_on_stop = release_on_stop
        self._workers = workers
        self._aps = AsyncIOScheduler(timezone=dt.UTC)
        self._leading = False

    async def start(self) -> None:
        if self._leadership.single_instance:
            logger.info("scheduler on SQLite: single instance (run one bot process per database file)")
        self._aps.add_job(
            self._tick_quietly,
            IntervalTrigger(seconds=self._every.total_seconds()),
            id="reminders:tick",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        self._aps.start()

    async def _tick_quietly(self) -> None:
        """The timed tick: a failure (the database gone for a moment) is one log line, and the next tick retries;
        APScheduler would print a traceback into the console chat."""
        try:
            await self.tick()
        except asyncio.CancelledError:
            logger.debug("scheduler tick cancelled: the bot is stopping")  # no traceback into the console chat
        except Exception as exc:
            logger.error("scheduler tick failed (%s); the next tick tries again", type(exc).__name__)
            logger.debug("scheduler tick failed", exc_info=True)

    def wake(self) -> None:
        """Run a tick now (a handler queued a message for someone else)."""
        if self._aps.running:
            self._aps.modify_job("reminders:tick", next_run_time=dt.datetime.now(dt.UTC))

    async def stop(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)
        if self._release_on_stop:
            await self._leadership.release()

    async def tick(self) -> int:
        """Send what is due now, if this instance leads; return how many messages went out."""
        leading = await self._leadership.held()
        if leading != self._leading:
            logger.info("scheduler %s", "leading" if leading else "standing by (another instance leads)")
            self._leading = leading
        if not leading:
            return 0
        sent = 0
        for _ in range(MAX_ROUNDS):
            now = self._clock()
            due: list[Outbound] = []
            for collect in self._collectors:
                due += await self._collect(collect, now)
            if not due and not await self._rules_due(now):
                break  # nothing to send, and no person's rule left to look at (a round takes a batch of them)
            sent += await self._send_all(due)
        return sent

    async def _rules_due(self, now: dt.datetime) -> bool:
        async with self._db.unit_of_work() as uow:
            return await uow.due.any_due(now)

    async def _collect(self, collect: Collector, now: dt.datetime) -> list[Outbound]:
        """Claim what one collector finds due, in its own unit of work: one that fails (a bug, bad data the
        collector could not isolate per person) is logged in one line and the others still send."""
        # Let a reply that waits for the database go first: on SQLite there is one connection, and the pool would
        # hand it straight back to this loop of rounds before the waiting task had run.
        await asyncio.sleep(0)
        try:
            async with self._db.unit_of_work() as uow:
                found = await collect(uow, now, self._grace)
                await uow.commit()
            return found
        except Exception as exc:
            name = getattr(collect, "__name__", None) or getattr(getattr(collect, "func", None), "__name__", "?")
            logger.error("collecting %s failed (%s); the other deliveries go on", name, type(exc).__name__)
            logger.debug("collector %s failed", name, exc_info=True)
            return []

    async def _send_all(self, items: list[Outbound]) -> int:
        """Send every item (several at once; one chat's items in order) and record how each ended."""
        by_chat: dict[tuple[str, str], list[Outbound]] = {}
        for item in items:
            by_chat.setdefault((item.channel, item.chat_id), []).append(item)
        groups = iter(by_chat.values())  # shared by the workers: each takes the next chat's items
        results: list[tuple[str, str, str | None]] = []
        blocked: set[tuple[str, str]] = set()
        lock = asyncio.Lock()

        async def flush(force: bool) -> None:
            if results and (force or len(results) >= FLUSH_EVERY):
                batch, results[:] = list(results), []
                async with lock, self._db.unit_of_work() as uow:
                    await uow.deliveries.finish_many(batch, self._clock())
                    await uow.commit()

        sent = 0

        async def worker() -> None:
            nonlocal sent
            for group in groups:
                for item in group:
                    outcome, detail = await self._send_one(item)
                    sent += outcome == "sent"
                    if outcome == "blocked":
                        blocked.add((item.channel, item.chat_id))
                    results.append((item.key, outcome, detail))
                    await flush(False)

        await asyncio.gather(*(worker() for _ in range(min(self._workers, len(by_chat)))))
        await flush(True)
        if blocked:
            async with self._db.unit_of_work() as uow:
                for channel, chat_id in blocked:
                    await uow.people.set_blocked(channel, chat_id, self._clock())
                await uow.commit()
            logger.info("%d address(es) refused delivery and are marked blocked", len(blocked))
        return sent

    async def _send_one(self, item: Outbound) -> tuple[str, str | None]:
        """Send one item: its outcome, and for a failure that is ours to explain, why."""
        channel = self._channels.get(item.channel)
        if channel is None:
            logger.warning("message for a channel that is not running: %s", item.channel)
            return "failed", f"channel {item.channel} not running"
        try:
            photo = await offload.run(item.picture, lane=offload.BACKGROUND) if item.picture is not None else None
            return await channel.send(item.chat_id, Reply(item.text, buttons=item.buttons, photo=photo)), None
        except Exception as exc:
            # one line, no traceback: in console mode the log shares the terminal with the chat
            logger.warning("sending %s failed: %s", item.key, type(exc).__name__)
            logger.debug("sending %s failed", item.key, exc_info=True)
            return "failed", type(exc).__name__
