"""Console benchmark: the 总览 (compliance overview) for cadres with 180 days of entries each.

Serves the real console app (bot/http.py with console/ mounted) in-process over ASGI, signs in as organisation
staff, and times the server for the first page, a sorted page, the flagged-only filter and the xlsx export,
counting SQL statements (they must not grow with the number of cadres). Target: ≤ 1 s a page for 1,000 cadres.

Run: .venv/bin/python bench/console.py [--cadres 100 --cadres 1000] [--days 180] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.digest import MONDAY, seed  # noqa: E402  (the same synthetic postings as the digest bench)

PAGES = {
    "first page": "",
    "sorted by share": "?sort=share",
    "flagged only": "?flagged=1",
    "xlsx export": "overview.xlsx",
}


async def store_roles(db: object) -> None:
    """Give the seeded entries the role capture stores with every entry (the digest bench's seed has none)."""
    from sqlalchemy import select, update

    from analysis.roles import entry_role
    from storage.models import EntryRow

    async with db.unit_of_work() as uow:  # type: ignore[attr-defined]
        session = uow._session  # a bench seeds in bulk, past the repositories
        rows = (await session.execute(select(EntryRow.text, EntryRow.details).distinct())).all()
        for text, details in rows:
            await session.execute(
                update(EntryRow).where(EntryRow.text == text).values(details={**details, "role": entry_role(text)})
            )
        await uow.commit()


async def measure(url: str, cadres: int, days: int, repeat: int) -> dict[str, object]:
    import httpx
    from sqlalchemy import event

    from bot.http import build_app
    from console.app import build_console
    from console.auth import hash_password
    from storage.db import Database
    from storage.migrate import upgrade_to_head

    await asyncio.to_thread(upgrade_to_head, url)
    await seed(url, cadres, days)
    db = Database(url)
    await store_roles(db)
    now = MONDAY.astimezone(dt.UTC)
    async with db.unit_of_work() as uow:
        await uow.console_users.add(
            login="bench", name="bench", role="organisation", password_hash=hash_password("bench-password"),
            person_id=None, batches=[], now=now,
        )
        await uow.commit()
    app = build_app(console=build_console(db.unit_of_work, lambda: now))
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    results: dict[str, object] = {"cadres": cadres}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/console/") as client:
        form = await client.get("login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        await client.post("login", data={"login": "bench", "password": "bench-password", "csrf_token": token.group(1)})
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        for label, path in PAGES.items():
            times = []
            for _ in range(repeat):
                statements = 0
                started = time.perf_counter()
                response = await client.get(path)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            results[label] = (min(times), statements, len(response.content))
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    await db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, action="append")
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for cadres in args.cadres or [100, 1000]:
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(measure(f"sqlite:///{tmp}/console.db", cadres, args.days, args.repeat))
        for label in PAGES:
            seconds, statements, size = result[label]  # type: ignore[misc]
            print(
                f"{cadres} cadres × {args.days} days · {label}: {seconds * 1000:.0f} ms server time (best of "
                f"{args.repeat}), {statements} SQL statements, {size / 1024:.0f} KB"
            )


if __name__ == "__main__":
    main()
