"""Digest benchmark: cadres with 180 days of entries each, one supervisor per 20 cadres; build every
supervisor's weekly digest as the scheduler does at Monday 09:00, and draw every heat map.

Prints, for each size: the time to build all digests (queries and text), the number of SQL statements (it must
not grow with the number of cadres), the time to draw all PNGs, and per-digest figures.

Run: .venv/bin/python bench/digest.py [--cadres 100 --cadres 1000] [--days 180] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 11, 23, 9, 1, tzinfo=SH)  # the digest's moment
PER_SUPERVISOR = 20
TEMPLATES = [
    "走访{place}{n}户困难户，了解饮水和就医情况",
    "上午列席镇党委会，研究{place}环境卫生整治",
    "到{place}看打井项目进度，管道铺了{n}百米，资金到位{n}万元",
    "学习《信访条例》，记了两页笔记",
    "在信访局接待来访群众{n}人次，化解矛盾纠纷1起",
    "陪客商考察{place}，初步意向投资{n}00万元",
]
PLACES = ["东坪村", "石桥村", "中川村", "凹塘村", "青山社区", "宏达食品", "新华小学", "兴农合作社"]


async def seed(url: str, cadres: int, days: int) -> None:
    from analysis.classify import analyse
    from storage.db import Database
    from storage.models import EntryRow, IdentityRow, PersonRow, PostingRow, SupervisionRow

    rng = random.Random(11)
    today = MONDAY.date()
    analysed = {}  # one analysis per template and place: the bench measures digests, not jieba
    for template in TEMPLATES:
        for place in PLACES:
            text = template.format(place=place, n=7)
            analysed[(template, place)] = (text, analyse(text, today))
    db = Database(url)
    now = MONDAY.astimezone(dt.UTC) - dt.timedelta(days=days)
    async with db.unit_of_work() as uow:
        session = uow._session  # a bench seeds in bulk, past the repositories
        people = [
            PersonRow(name=f"干部{i:04d}", role="cadre", timezone="Asia/Shanghai", created_at=now)
            for i in range(cadres)
        ]
        bosses = [
            PersonRow(name=f"督导{i:03d}", role="supervisor", timezone="Asia/Shanghai", created_at=now)
            for i in range((cadres + PER_SUPERVISOR - 1) // PER_SUPERVISOR)
        ]
        session.add_all(people + bosses)
        await session.flush()
        start = today - dt.timedelta(days=days)
        session.add_all(
            PostingRow(
                person_id=p.id,
                host_unit="青山镇人民政府",
                position="党委副书记",
                start_date=start,
                end_date=start + dt.timedelta(days=365),
                created_at=now,
            )
            for p in people
        )
        session.add_all(
            IdentityRow(person_id=p.id, channel="telegram", external_id=str(80000 + i), created_at=now)
            for i, p in enumerate(people + bosses)
        )
        session.add_all(
            SupervisionRow(supervisor_id=bosses[i // PER_SUPERVISOR].id, cadre_id=p.id) for i, p in enumerate(people)
        )
        await session.flush()
        rows = []
        for i, person in enumerate(people):
            silent_from = days - rng.randint(3, 10) if i % 10 == 0 else days + 1  # one in ten falls silent
            seq = 0
            for offset in range(days):
                day = start + dt.timedelta(days=offset)
                if day.weekday() >= 5 or offset >= silent_from:
                    continue
                for _ in range(rng.choice((0, 1, 1, 2))):
                    seq += 1
                    text, found = analysed[(rng.choice(TEMPLATES), rng.choice(PLACES))]
                    rows.append(
                        {
                            "person_id": person.id,
                            "seq": seq,
                            "kind": found.kind,
                            "work_date": day,
                            "text": text,
                            "original_text": text,
                            "categories": list(found.categories),
                            "facts": found.facts,
                            "details": found.details,
                            "status": "active",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
        for chunk in range(0, len(rows), 5000):
            await session.execute(EntryRow.__table__.insert(), rows[chunk : chunk + 5000])
        await uow.commit()
    await db.dispose()


async def measure(url: str, cadres: int, days: int) -> dict[str, float]:
    from sqlalchemy import event

    from handlers.reminders import recipients
    from handlers.supervision import build_digests
    from storage.db import Database
    from storage.migrate import upgrade_to_head

    await asyncio.to_thread(upgrade_to_head, url)
    await seed(url, cadres, days)
    db = Database(url)
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    now = MONDAY.astimezone(dt.UTC)
    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    started = time.perf_counter()
    async with db.unit_of_work() as uow:
        supervisors = await recipients(uow, now, "supervisor")
        digests = await build_digests(uow, supervisors)
    built = time.perf_counter() - started
    event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    started = time.perf_counter()
    pictures = [d.picture() for d in digests]
    drawn = time.perf_counter() - started
    async with db.unit_of_work() as uow:
        entries = sum(
            len(v) for v in (await uow.entries.between_for([1], dt.date(2000, 1, 1), dt.date(2100, 1, 1))).values()
        )
    await db.dispose()
    return {
        "cadres": cadres,
        "supervisors": len(digests),
        "entries of cadre 1": entries,
        "build s": built,
        "statements": statements,
        "draw s": drawn,
        "text chars (avg)": sum(len(d.text) for d in digests) / len(digests),
        "png bytes (avg)": sum(len(p.data) for p in pictures) / len(pictures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, action="append")
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file per size)")
    args = parser.parse_args()
    results = []
    for cadres in args.cadres or [100, 1000]:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/digest.db"
            results.append(asyncio.run(measure(url, cadres, args.days)))
        r = results[-1]
        print(
            f"{r['cadres']} cadres × {args.days} days ({r['supervisors']} supervisors): build all digests "
            f"{r['build s']:.2f} s with {r['statements']} SQL statements; draw all heat maps {r['draw s']:.1f} s "
            f"({r['draw s'] / r['supervisors'] * 1000:.0f} ms each); text {r['text chars (avg)']:.0f} chars, "
            f"PNG {r['png bytes (avg)'] / 1024:.0f} KB on average"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(
            f"statements {first['statements']} -> {last['statements']} for {first['cadres']} -> {last['cadres']} "
            f"cadres; build time ratio {last['build s'] / first['build s']:.1f} for "
            f"{last['cadres'] / first['cadres']:.0f}x the cadres"
        )


if __name__ == "__main__":
    main()
