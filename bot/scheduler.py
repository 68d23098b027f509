"""The scheduler: APScheduler 3 runs a short tick; our tables say what is due (STYLE.md c.4, R6).

APScheduler only keeps time here (an in-memory job, no pickled job store). Each tick claims what fell due in
one unit of work — every delivery under a unique key, so a restart or a second instance never sends it twice —
then sends through the channels and records each outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.channels.base import Channel
from handlers.messages import Reply
from handlers.reminders import collect_due, collect_nudges, collect_obligations, collect_promises
from storage.db import Database

logger = logging.getLogger(__name__)


class ReminderScheduler:
    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        clock: Callable[[], dt.datetime],
        *,
        every: dt.timedelta = dt.timedelta(seconds=20),
        grace: dt.timedelta = dt.timedelta(hours=1),
    ) -> None:
        self._db = db
        self._channels = channels
        self._clock = clock
        self._every = every
        self._grace = grace
        self._aps = AsyncIOScheduler(timezone=dt.UTC)

    async def start(self) -> None:
        self._aps.add_job(
            self.tick,
            IntervalTrigger(seconds=self._every.total_seconds()),
            id="reminders:tick",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=self._clock(),
        )
        self._aps.start()

    async def stop(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    async def tick(self) -> int:
        """Send what is due now; return how many messages went out."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            due = await collect_due(uow, now, self._grace)
            due += await collect_nudges(uow, now, self._grace)
            due += await collect_promises(uow, now, self._grace)
            due += await collect_obligations(uow, now, self._grace)
            await uow.commit()
        sent = 0
        for item in due:
            channel = self._channels.get(item.channel)
            outcome = "failed"
            if channel is None:
                logger.warning("reminder for a channel that is not running: %s", item.channel)
            else:
                try:
                    outcome = await channel.send(item.chat_id, Reply(item.text, buttons=item.buttons))
                except Exception:
                    logger.exception("sending reminder %s failed", item.key)
            sent += outcome == "sent"
            async with self._db.unit_of_work() as uow:
                await uow.deliveries.finish(item.key, outcome, self._clock())
                await uow.commit()
        return sent
