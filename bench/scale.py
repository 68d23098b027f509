"""Scale benchmark: many cadres with months of entries and their supervisors in one database; the bot's clock
driven through a working week's moments (Monday 03:00, 08:30, 09:00 with the digests, 10:00, Friday 17:00 and
20:30) while a background load of messages from 200 cadres is answered through the real dispatcher.

Prints, per phase (with the bot's clock time): SQL statements and CPU of the first tick (what fell due) and of
the following ticks (nothing more due), deliveries sent, reply p50/p95/max of the background load, event-loop
lag p95/max, RSS, and digests built per second at Monday 09:00. Every delivery key is checked to be sent once.

Run: .venv/bin/python bench/scale.py [--cadres 1000] [--days 180] [--seconds 6] [--rate 20] [--phase digests]
     .venv/bin/python bench/scale.py --cadres 10000            # the full figure (seeding takes a few minutes)
     .venv/bin/python bench/scale.py --database-url postgresql://postgres@127.0.0.1:5432/test_scale
(PostgreSQL also when TEST_DATABASE_URL is set: an empty database that is migrated and filled.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.digest import PER_SUPERVISOR, PLACES, SH, TEMPLATES  # noqa: E402  (the digest bench's synthetic postings)
from bot.channels.base import Channel  # noqa: E402
from handlers.messages import Reply  # noqa: E402

MONDAY = dt.date(2026, 11, 23)  # a Monday inside every seeded posting
FIRST_TELEGRAM = 700000
LOAD_CADRES = 200
PHASES = (
    ("Mon 03:00 night", dt.timedelta(days=0, hours=3)),
    ("Mon 08:30 catch-up", dt.timedelta(days=0, hours=8, minutes=30)),
    ("Mon 09:00 digests", dt.timedelta(days=0, hours=9)),
    ("Mon 10:00 day", dt.timedelta(days=0, hours=10)),
    ("Fri 17:00 study", dt.timedelta(days=4, hours=17)),
    ("Fri 20:30 nudge", dt.timedelta(days=4, hours=20, minutes=30)),
)


async def seed(
    url: str,
    cadres: int,
    days: int,
    *,
    today: dt.date = MONDAY,
    zone: str = "Asia/Shanghai",
    now: dt.datetime | None = None,
    first_telegram: int = FIRST_TELEGRAM,
) -> tuple[list[int], list[int]]:
    """Bulk-insert cadres (postings around `today`, one Telegram account each, `days` of entries), one
    supervisor per 20 cadres, and their rows' next due times computed as the scheduler would (timing/due.py).
    Returns the cadres' and the supervisors' ids."""
    from sqlalchemy import insert, select

    from analysis.classify import analyse
    from handlers import admin
    from handlers.supervision import DEFAULT_DIGEST_AT
    from storage.db import Database
    from storage.models import DueRow, EntryRow, IdentityRow, PersonRow, PostingRow, SupervisionRow
    from timing.due import next_digest, next_nudge, next_obligation

    rng = random.Random(11)
    analysed = {}  # one analysis per template and place: the bench measures the scheduler, not jieba
    for template in TEMPLATES:
        for place in PLACES:
            text = template.format(place=place, n=7)
            analysed[(template, place)] = (text, analyse(text, today))
    tz = ZoneInfo(zone)
    created = now or dt.datetime.combine(today, dt.time(0, 0), tzinfo=tz).astimezone(dt.UTC)
    db = Database(url)
    chunk = 5000
    async with db.unit_of_work() as uow:
        session = uow._session  # a bench seeds in bulk, past the repositories
        base = (await session.scalar(select(PersonRow.id).order_by(PersonRow.id.desc()).limit(1))) or 0
        bosses = (cadres + PER_SUPERVISOR - 1) // PER_SUPERVISOR
        people = [
            {"name": f"干部{i:05d}", "role": "cadre", "timezone": zone, "created_at": created, "active": True}
            for i in range(cadres)
        ] + [
            {"name": f"督导{i:04d}", "role": "supervisor", "timezone": zone, "created_at": created, "active": True}
            for i in range(bosses)
        ]
        for i in range(0, len(people), chunk):
            await session.execute(insert(PersonRow), people[i : i + chunk])
        ids = list(await session.scalars(select(PersonRow.id).where(PersonRow.id > base).order_by(PersonRow.id)))
        cadre_ids, boss_ids = ids[:cadres], ids[cadres:]
        start, end = today - dt.timedelta(days=max(days, 30)), today + dt.timedelta(days=120)
        rows: list[dict[str, Any]] = [
            {
                "person_id": p,
                "host_unit": "青山镇人民政府",
                "position": "党委副书记",
                "sending_unit": "市审计局",
                "start_date": start,
                "end_date": end,
                "created_at": created,
            }
            for p in cadre_ids
        ]
        for i in range(0, len(rows), chunk):
            await session.execute(insert(PostingRow), rows[i : i + chunk])
        rows = [
            {"person_id": p, "channel": "telegram", "external_id": str(first_telegram + i), "created_at": created}
            for i, p in enumerate(ids)
        ]
        for i in range(0, len(rows), chunk):
            await session.execute(insert(IdentityRow), rows[i : i + chunk])
        rows = [{"supervisor_id": boss_ids[i // PER_SUPERVISOR], "cadre_id": p} for i, p in enumerate(cadre_ids)]
        for i in range(0, len(rows), chunk):
            await session.execute(insert(SupervisionRow), rows[i : i + chunk])
        rows = []
        for person in cadre_ids:
            seq = 0
            for offset in range(days):
                day = today - dt.timedelta(days=days - offset)
                if day.weekday() >= 5:
                    continue
                for _ in range(rng.choice((0, 1, 1, 2))):
                    seq += 1
                    text, found = analysed[(rng.choice(TEMPLATES), rng.choice(PLACES))]
                    rows.append(
                        {
                            "person_id": person,
                            "seq": seq,
                            "kind": found.kind,
                            "work_date": day,
                            "text": text,
                            "original_text": text,
                            "categories": list(found.categories),
                            "facts": found.facts,
                            "details": found.details,
                            "status": "active",
                            "created_at": created,
                            "updated_at": created,
                        }
                    )
            if len(rows) >= chunk:
                await session.execute(insert(EntryRow), rows)
                rows = []
        if rows:
            await session.execute(insert(EntryRow), rows)
        calendar = await admin.work_calendar(uow)
        weekday, clock = DEFAULT_DIGEST_AT
        # every cadre's rows alike (same zone, posting, no open leave or promise): computed once
        nudge = next_nudge(created, tz, calendar, start, end)
        duty = next_obligation(created, tz, calendar, start, end, start + (end - start) / 2)
        digest = next_digest(created, tz, weekday, clock)
        rows = [
            {"person_id": p, "rule": rule, "next_at": at}
            for p in cadre_ids
            for rule, at in (("nudge", nudge), ("promise", None), ("obligation", duty), ("digest", None))
        ] + [
            {"person_id": p, "rule": rule, "next_at": digest if rule == "digest" else None}
            for p in boss_ids
            for rule in ("nudge", "promise", "obligation", "digest")
        ]
        for i in range(0, len(rows), chunk):
            await session.execute(insert(DueRow), rows[i : i + chunk])
        await uow.commit()
    await db.dispose()
    return cadre_ids, boss_ids


SCOPE: contextvars.ContextVar[bool] = contextvars.ContextVar("scale_scope", default=False)


class StatementCounter:
    """Counts the SQL statements an engine runs (a `before_cursor_execute` listener): all of them, and apart
    those run inside `scoped()` (a scheduler tick, and the tasks it starts — not the replies answered meanwhile)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        self.in_scope = 0
        self._engine = engine.sync_engine
        event.listen(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1
        self.in_scope += SCOPE.get()

    @contextlib.contextmanager
    def scoped(self) -> Iterator[None]:
        token = SCOPE.set(True)
        try:
            yield
        finally:
            SCOPE.reset(token)

    def close(self) -> None:
        from sqlalchemy import event

        event.remove(self._engine, "before_cursor_execute", self._seen)


class SilentChannel(Channel):
    """A channel that accepts every message at once and counts what it was handed."""

    name = "telegram"

    def __init__(self) -> None:
        self.sent = 0
        self.photos = 0

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.sent += 1
        self.photos += reply.photo is not None
        return "sent"


@dataclass
class Phase:
    name: str
    moment: dt.datetime
    first_statements: int = 0
    first_cpu: float = 0.0
    first_wall: float = 0.0
    idle_statements: list[int] = field(default_factory=list)  # later ticks, under the load
    quiet_statements: list[int] = field(default_factory=list)  # ticks after the load stopped
    quiet_cpu: list[float] = field(default_factory=list)
    sent: int = 0
    replies: list[float] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)
    rss_mb: float = 0.0
    digests_per_s: float = 0.0


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(
    url: str,
    cadres: int,
    days: int,
    seconds: float,
    rate: float,
    tick: float,
    pool: int,
    only: list[str] | None = None,
) -> list[Phase]:
    from bot.scheduler import ReminderScheduler, default_collectors
    from handlers import build_router, offload
    from handlers.context import HandlerSettings
    from handlers.messages import IncomingMessage
    from handlers.router import Dispatcher
    from storage.db import Database
    from storage.migrate import upgrade_to_head

    await asyncio.to_thread(upgrade_to_head, url)
    started = time.perf_counter()
    cadre_ids, boss_ids = await seed(url, cadres, days)
    print(
        f"seeded {len(cadre_ids)} cadres × {days} days and {len(boss_ids)} supervisors in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    db = Database(url)
    channel = SilentChannel()
    offset = {"base": dt.datetime.now(dt.UTC), "at": dt.datetime.now(dt.UTC)}

    def clock() -> dt.datetime:  # the bot's clock: the phase's moment plus the real time since it began
        return offset["at"] + (dt.datetime.now(dt.UTC) - offset["base"])

    scheduler = ReminderScheduler(db, {"telegram": channel}, clock, collectors=default_collectors(), workers=8)
    offload.configure(pool)
    dispatcher = Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings())
    counter = StatementCounter(db.engine)
    rng = random.Random(5)
    message_ids = iter(range(1, 10**9))
    phases = []
    for name, since_monday in PHASES:
        if only and not any(word in name for word in only):
            continue  # a phase left out: the next one's first tick also takes what this one would have sent
        moment = dt.datetime.combine(MONDAY, dt.time(0, 0), tzinfo=SH) + since_monday
        phase = Phase(name, moment)
        offset["base"], offset["at"] = dt.datetime.now(dt.UTC), moment.astimezone(dt.UTC)
        stop = asyncio.Event()

        async def load(phase: Phase = phase, stop: asyncio.Event = stop) -> None:
            pending: set[asyncio.Task[None]] = set()

            async def one(user: int, text: str) -> None:
                msg = IncomingMessage(
                    channel="telegram",
                    chat_id=str(user),
                    user_id=str(user),
                    user_name="干部",
                    text=text,
                    sent_at=clock(),
                    message_id=f"s{next(message_ids)}",
                )
                begun = time.perf_counter()
                await dispatcher.dispatch(msg)
                phase.replies.append(time.perf_counter() - begun)

            while not stop.is_set():
                user = FIRST_TELEGRAM + rng.randrange(min(LOAD_CADRES, cadres))
                text = rng.choice(TEMPLATES).format(place=rng.choice(PLACES), n=rng.randint(2, 60))
                task = asyncio.create_task(one(user, text))
                pending.add(task)
                task.add_done_callback(pending.discard)
                await asyncio.sleep(1 / rate)
            await asyncio.gather(*pending)

        async def lag(phase: Phase = phase, stop: asyncio.Event = stop) -> None:
            while not stop.is_set():
                begun = time.perf_counter()
                await asyncio.sleep(0.01)
                phase.lag.append(time.perf_counter() - begun - 0.01)

        background = [asyncio.create_task(load()), asyncio.create_task(lag())]
        await asyncio.sleep(min(1.0, seconds / 4))  # the load is running when the moment's tick comes
        ends = time.perf_counter() + seconds
        sent_before, photos_before = channel.sent, channel.photos
        first = True
        while time.perf_counter() < ends or first:
            before, cpu, wall = counter.in_scope, time.process_time(), time.perf_counter()
            with counter.scoped():
                await scheduler.tick()
            statements, cpu, wall = counter.in_scope - before, time.process_time() - cpu, time.perf_counter() - wall
            if first:
                phase.first_statements, phase.first_cpu, phase.first_wall = statements, cpu, wall
                phase.digests_per_s = (channel.photos - photos_before) / wall if wall else 0.0
                first = False
            else:
                phase.idle_statements.append(statements)
            await asyncio.sleep(tick)
        stop.set()
        await asyncio.gather(*background)
        phase.sent = channel.sent - sent_before
        for _ in range(3):  # nothing due, nothing else running: the tick's own cost
            before, cpu = counter.in_scope, time.process_time()
            with counter.scoped():
                await scheduler.tick()
            phase.quiet_statements.append(counter.in_scope - before)
            phase.quiet_cpu.append(time.process_time() - cpu)
        phase.rss_mb = _rss_mb()
        phases.append(phase)
        print(_line(phase), flush=True)
    counter.close()
    await scheduler.stop()
    offload.shutdown()
    await _check_once(db)
    await db.dispose()
    return phases


async def _check_once(db: Any) -> None:
    from sqlalchemy import func, select

    from storage.models import DeliveryRow

    async with db.unit_of_work() as uow:
        rows = (
            await uow._session.execute(
                select(DeliveryRow.outcome, func.count()).group_by(DeliveryRow.outcome).order_by(DeliveryRow.outcome)
            )
        ).all()
        keys = await uow._session.scalar(select(func.count(func.distinct(DeliveryRow.key))))
        total = await uow._session.scalar(select(func.count(DeliveryRow.id)))
    print(f"deliveries by outcome: {dict(rows)}; {total} rows, {keys} distinct keys (each sent at most once)")


def _line(p: Phase) -> str:
    idle_st = max(p.idle_statements, default=0)
    quiet_st = statistics.median(p.quiet_statements) if p.quiet_statements else 0
    quiet_cpu = statistics.median(p.quiet_cpu) * 1000 if p.quiet_cpu else 0.0
    digests = f", {p.digests_per_s:.1f} digests/s" if p.digests_per_s else ""
    return (
        f"{p.name:<20} (bot clock {p.moment:%a %H:%M} Asia/Shanghai): due tick {p.first_statements} statements, "
        f"{p.first_wall * 1000:.0f} ms wall, {p.first_cpu * 1000:.0f} ms process CPU (replies meanwhile included), "
        f"sent {p.sent}{digests}; later ticks under load ≤ {idle_st} statements; nothing-due tick {quiet_st:.0f} "
        f"statements, {quiet_cpu:.1f} ms CPU; replies "
        f"{len(p.replies)}: p50 {_pct(p.replies, 0.5) * 1000:.1f} ms, p95 {_pct(p.replies, 0.95) * 1000:.1f} ms, "
        f"max {max(p.replies, default=0) * 1000:.0f} ms; loop lag p95 {_pct(p.lag, 0.95) * 1000:.1f} ms, "
        f"max {max(p.lag, default=0) * 1000:.0f} ms; RSS {p.rss_mb:.0f} MB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cadres", type=int, default=1000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seconds", type=float, default=6.0, help="real seconds per phase")
    parser.add_argument("--rate", type=float, default=20.0, help="background messages per second")
    parser.add_argument("--tick", type=float, default=1.0, help="seconds between ticks (the bot's default is 10)")
    parser.add_argument("--pool", type=int, default=1, help="worker processes for heat maps (0: in a thread)")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"), help="an empty database")
    parser.add_argument(
        "--phase", action="append", help="run only the phases whose name holds this word (repeatable): digests, study …"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/scale.db"
        print(f"database: {url.split('@')[-1] if '@' in url else url}")
        asyncio.run(run(url, args.cadres, args.days, args.seconds, args.rate, args.tick, args.pool, args.phase))


if __name__ == "__main__":
    main()
