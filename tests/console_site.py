"""The real web console on a loopback port for browser tests: bot/http.py's app with the console mounted,
served by uvicorn in a thread of its own, over a SQLite file, with a frozen clock the test moves.

Seeding goes through the real paths: admin.add_cadre / add_supervisor, the dispatcher for entries (so they are
analysed as a cadre's messages are), and handlers/admin.py add_console_user for accounts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn

from bot.http import build_app
from console.app import build_console
from console.auth import hash_password
from console.web import ConsoleConfig
from handlers import admin, build_router
from handlers.context import HandlerSettings
from handlers.messages import IncomingMessage
from handlers.router import Dispatcher
from storage.db import Database

SH = ZoneInfo("Asia/Shanghai")
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-9"


class MovableClock:
    """The console's clock: frozen, moved by the test (read from the server's thread)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set_local(self, year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> None:
        self.now = dt.datetime(year, month, day, hour, minute, tzinfo=SH).astimezone(dt.UTC)


def migrated_copy(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "console.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


class Seeder:
    """Write people, postings, entries and accounts the way the bot does."""

    def __init__(self, url: str, clock: MovableClock) -> None:
        self.url = url
        self.clock = clock
        self._ids = 0

    def run(self, work: Callable[[Database, Dispatcher], Any]) -> Any:
        async def go() -> Any:
            db = Database(self.url)
            try:
                dispatcher = Dispatcher(build_router(), db.unit_of_work, self.clock, HandlerSettings())
                return await work(db, dispatcher)
            finally:
                await db.dispose()

        return asyncio.run(go())

    def cadre(
        self,
        telegram_id: str,
        name: str,
        *,
        start: dt.date,
        end: dt.date,
        batch: str | None,
        host_unit: str = "青山镇人民政府",
        sending_unit: str = "市审计局",
        position: str = "党委副书记（挂职）",
    ) -> int:
        async def work(db: Database, _: Dispatcher) -> int:
            async with db.unit_of_work() as uow:
                await admin.add_cadre(
                    uow,
                    name=name,
                    identities=[("telegram", telegram_id)],
                    host_unit=host_unit,
                    position=position,
                    sending_unit=sending_unit,
                    start=start,
                    end=end,
                    timezone="Asia/Shanghai",
                    now=self.clock(),
                )
                person = await uow.people.by_identity("telegram", telegram_id)
                assert person is not None
                if batch is not None:
                    await uow.people.set_posting(person.id, self.clock(), batch=batch)
                await uow.commit()
                return person.id

        return int(self.run(work))

    def supervisor(self, telegram_id: str, name: str, cadres: tuple[str, ...]) -> int:
        async def work(db: Database, _: Dispatcher) -> int:
            async with db.unit_of_work() as uow:
                await admin.add_supervisor(
                    uow,
                    name=name,
                    identities=[("telegram", telegram_id)],
                    cadres=list(cadres),
                    timezone="Asia/Shanghai",
                    now=self.clock(),
                )
                person = await uow.people.by_identity("telegram", telegram_id)
                assert person is not None
                await uow.commit()
                return person.id

        return int(self.run(work))

    def say(self, telegram_id: str, messages: list[tuple[dt.date, str]]) -> None:
        """Each message sent by the cadre at 18:00 on its day (so it is dated that day)."""
        saved = self.clock.now

        async def work(_: Database, dispatcher: Dispatcher) -> None:
            for day, text in messages:
                self.clock.set_local(day.year, day.month, day.day, 18, 0)
                self._ids += 1
                await dispatcher.dispatch(
                    IncomingMessage(
                        channel="telegram",
                        chat_id=telegram_id,
                        user_id=telegram_id,
                        user_name="",
                        text=text,
                        sent_at=self.clock(),
                        message_id=f"seed{self._ids}",
                    )
                )

        try:
            self.run(work)
        finally:
            self.clock.now = saved

    def account(
        self, login: str, name: str, role: str, *, telegram_id: str | None = None, batches: tuple[str, ...] = ()
    ) -> None:
        async def work(db: Database, _: Dispatcher) -> None:
            async with db.unit_of_work() as uow:
                await admin.add_console_user(
                    uow,
                    login=login,
                    name=name,
                    role=role,
                    password_hash=hash_password(PASSWORD),
                    identities=[("telegram", telegram_id)] if telegram_id else [],
                    batches=list(batches),
                    now=self.clock(),
                    url="",
                )
                await uow.commit()

        self.run(work)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_console(url: str, clock: MovableClock, config: ConsoleConfig | None = None) -> Iterator[str]:
    """Serve the real app (bot/http.py build_app with the console) at http://127.0.0.1:PORT; yield the console's URL."""
    port = free_port()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def run() -> None:
        async def main() -> None:
            db = Database(url)
            app = build_app(console=build_console(db.unit_of_work, clock, config or ConsoleConfig()))
            server = uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
            )
            holder["server"] = server
            task = asyncio.create_task(server.serve())
            while not server.started and not task.done():
                await asyncio.sleep(0.01)
            ready.set()
            await task
            await db.dispose()

        asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(15):
        raise RuntimeError("console server did not start")
    try:
        yield f"http://127.0.0.1:{port}/console/"
    finally:
        holder["server"].should_exit = True
        thread.join(15)
