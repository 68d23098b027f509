"""Fan-out benchmark: many reminders due at once, sent by the real scheduler through the real Telegram channel
(python-telegram-bot) to the fake Bot API, which enforces flood control like Telegram: N messages a second
bot-wide (a bucket of one second's worth) and one a second per chat, answering 429 with retry_after.

The fake server runs in a child process (its own core), so the bot and the server do not share a GIL.
Prints: delivered rate (first to last accepted message) and that rate ÷ the enforced limit, lost and duplicate
messages, 429s received and whether each was honoured (no request of ours arrived inside a retry_after window
opened more than one round trip earlier), and the wall time including claiming and recording.

Run: .venv/bin/python bench/fanout.py [--count 10000] [--limit 30] [--database-url URL]
     .venv/bin/python bench/fanout.py --count 10000 --limit 3000      (the time-scaled run)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_USER = 70001
BASELINE_TEXT = "基准"
IN_FLIGHT_GRACE = 0.05  # seconds: requests already on the wire when a 429 was answered are not violations


def serve_fake(conn: Connection, limit: float, users: list[int]) -> None:
    """Child process: run the fake Bot API until told to stop, then report what it saw."""
    from tests.fake_telegram import FakeBotApi

    api = FakeBotApi().start()
    api.add_private_chats(users)
    conn.send((api.base_url, api.base_file_url, api.token))
    conn.recv()  # the baseline has run: flood control on from here
    api.overall_per_second = limit
    api.per_chat_per_second = 1
    conn.send("on")
    conn.recv()
    calls = [
        (c.at, c.method, c.ok, int(c.params.get("chat_id", 0) or 0))
        for c in api.calls
        if c.params.get("text") != BASELINE_TEXT
    ]
    api.stop()
    conn.send((calls, api.flood_retry_after))


async def prepare(url: str, count: int) -> None:
    from storage.db import Database
    from storage.models import IdentityRow, PersonRow, ReminderRow

    db = Database(url)
    now = dt.datetime.now(dt.UTC)
    due = now - dt.timedelta(seconds=5)
    async with db.unit_of_work() as uow:  # plain rows: the bench measures sending, not registration
        session = uow._session  # a bench seeds its data in bulk, past the repositories
        people = [
            PersonRow(name=f"干部{i}", role="cadre", timezone="Asia/Shanghai", created_at=now) for i in range(count)
        ]
        session.add_all(people)
        await session.flush()
        session.add_all(
            IdentityRow(person_id=p.id, channel="telegram", external_id=str(FIRST_USER + i), created_at=now)
            for i, p in enumerate(people)
        )
        session.add_all(
            ReminderRow(
                person_id=p.id,
                seq=1,
                active=True,
                created_at=now,
                text="参加镇党委会",
                next_at=due,
                channel="telegram",
                chat_id=str(FIRST_USER + i),
            )
            for i, p in enumerate(people)
        )
        await uow.commit()
    await db.dispose()


async def bare_rate(channel: object, users: list[int]) -> float:
    """The baseline: python-telegram-bot alone sending one message to each chat, 8 at a time, no limiter,
    no database, flood control off (what this machine's one core can push through PTB and httpx)."""
    bot = channel.application.bot  # type: ignore[attr-defined]
    queue = list(users)
    started = time.perf_counter()

    async def worker() -> None:
        while queue:
            chat = queue.pop()
            await bot.send_message(chat, BASELINE_TEXT)

    await asyncio.gather(*(worker() for _ in range(8)))
    return len(users) / (time.perf_counter() - started)


async def run(url: str, count: int, limit: float) -> dict[str, float]:
    from bot.channels.base import SendLimiter
    from bot.channels.telegram import TelegramChannel
    from bot.scheduler import ReminderScheduler
    from handlers import build_router
    from handlers.context import HandlerSettings
    from handlers.reminders import collect_due
    from handlers.router import Dispatcher
    from storage.db import Database
    from storage.migrate import upgrade_to_head

    users = [FIRST_USER + i for i in range(count)]
    parent, child = mp.Pipe()
    server = mp.get_context("spawn").Process(target=serve_fake, args=(child, limit, users), daemon=True)
    server.start()
    base_url, base_file_url, token = parent.recv()

    await asyncio.to_thread(upgrade_to_head, url)
    await prepare(url, count)
    db = Database(url)
    clock = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    dispatcher = Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings())
    channel = TelegramChannel(
        dispatcher,
        token=token,
        base_url=base_url,
        base_file_url=base_file_url,
        limiter=SendLimiter(limit, 1.0),
    )
    await channel.application.initialize()  # the Bot object only: no polling needed to send
    floor = await bare_rate(channel, users[: min(count, 2000)])
    parent.send("limits")
    parent.recv()
    scheduler = ReminderScheduler(db, {"telegram": channel}, clock, collectors=[collect_due])
    started = time.perf_counter()
    sent = await scheduler.tick()
    wall = time.perf_counter() - started
    async with db.unit_of_work() as uow:
        outcomes = await uow.deliveries.by_outcome()
    await scheduler.stop()
    await channel.application.shutdown()
    await db.dispose()

    parent.send("stop")
    calls, retry_after = parent.recv()
    server.join()
    messages = [c for c in calls if c[1] == "sendMessage"]
    accepted = sorted(c[0] for c in messages if c[2])
    chats = [c[3] for c in messages if c[2]]
    floods = [c[0] for c in messages if c[2] is False]
    violations = (
        sum(1 for at, *_ in messages if any(f + IN_FLIGHT_GRACE < at < f + retry_after for f in floods))
        if floods
        else 0
    )
    span = accepted[-1] - accepted[0] if len(accepted) > 1 else float("nan")
    rate = (len(accepted) - 1) / span if span else float("nan")
    return {
        "count": count,
        "limit": limit,
        "sent (scheduler)": sent,
        "accepted": len(accepted),
        "rate": rate,
        "ratio": rate / limit,
        "lost": count - len(set(chats)),
        "duplicates": len(chats) - len(set(chats)),
        "429s": len(floods),
        "429 violations": violations,
        "wall s": wall,
        "bare PTB": floor,
        "outcomes": outcomes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--limit", type=float, action="append", help="messages/s enforced (repeatable)")
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file per run)")
    args = parser.parse_args()
    for limit in args.limit or [30.0]:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/fanout.db"
            result = asyncio.run(run(url, args.count, limit))
        print(
            f"limit {result['limit']:.0f}/s, {result['count']} due at once: delivered {result['accepted']} "
            f"at {result['rate']:.1f}/s = {result['ratio']:.3f} x limit; lost {result['lost']}, "
            f"duplicates {result['duplicates']}; 429s {result['429s']} (violations {result['429 violations']}); "
            f"wall {result['wall s']:.1f} s; outcomes {result['outcomes']}\n"
            f"  baseline (bare PTB, no limit, no database) {result['bare PTB']:.0f}/s; delivered ÷ "
            f"min(limit, baseline) = {result['rate'] / min(result['limit'], result['bare PTB']):.3f}"
        )


if __name__ == "__main__":
    main()
