"""Crash tests of the durable inbox: `python bot.py` as a process, a burst of 500 messages from many users, the
process killed with SIGKILL mid-way (or right after the acknowledgements), started again: every message is
stored exactly once and answered at least once. Telegram long polling, the Telegram webhook and the WeCom
callback; on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from handlers import admin
from storage.db import Database
from storage.models import EntryRow, IdentityRow, InboxRow
from tests import wecom_crypto as wc
from tests.fake_telegram import FakeBotApi
from tests.fake_wecom import CORP_ID, FakeWeCom, bot_environment

ROOT = Path(__file__).resolve().parents[1]
SECRET = "crash-Test_secret"
_RE_RECORDED = re.compile(r"^✅ 已记 #(\d+)\|")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def text_of(user: str, index: int) -> str:
    return f"上午在镇里整理档案资料，编号{user}-{index}"


def register(url: str, platform: str, users: list[str]) -> None:
    async def run() -> None:
        db = Database(url)
        today = dt.datetime.now(dt.UTC).date()
        async with db.unit_of_work() as uow:
            for i, user in enumerate(users):
                await admin.add_cadre(
                    uow,
                    name=f"干部{i:02d}",
                    identities=[(platform, user)],
                    host_unit="青山镇人民政府",
                    position="党委副书记",
                    sending_unit="市审计局",
                    start=today - dt.timedelta(days=60),
                    end=today + dt.timedelta(days=120),
                    timezone="Asia/Shanghai",
                    now=dt.datetime.now(dt.UTC),
                )
            await uow.commit()
        await db.dispose()

    asyncio.run(run())


def stored(url: str, platform: str) -> tuple[dict[str, list[tuple[int, str]]], list[Any]]:
    """Every entry (seq, text) per user of the platform, and every inbox row."""

    async def run() -> tuple[dict[str, list[tuple[int, str]]], list[Any]]:
        db = Database(url)
        async with db.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(IdentityRow.external_id, EntryRow.seq, EntryRow.text)
                    .join(EntryRow, EntryRow.person_id == IdentityRow.person_id)
                    .where(IdentityRow.channel == platform)
                )
            ).all()
            inbox = (await conn.execute(select(InboxRow))).all()
        await db.dispose()
        found: dict[str, list[tuple[int, str]]] = {}
        for user, seq, text in rows:
            found.setdefault(str(user), []).append((seq, text))
        return found, list(inbox)

    return asyncio.run(run())


class Bot:
    """`python bot.py` with the given environment, started again after a kill."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env = {**env, "LOG_LEVEL": "WARNING"}
        self.log = tmp_path / "bot.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "bot.py"], cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stderr=log
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        return self.process.returncode

    def wait_http(self, port: int) -> None:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return
            except httpx.HTTPError:
                assert self.process is not None
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(self.log.read_text()[-3000:]) from None
                time.sleep(0.1)


def clean_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "TELEGRAM_", "HTTP_", "DATABASE_URL"))}
    env["DATABASE_URL"] = url
    return env


def check_exactly_once(url: str, platform: str, expected: dict[str, list[str]]) -> dict[str, list[tuple[int, str]]]:
    """Every message an entry, once; every inbox row handled, its payload and reply gone."""
    found, inbox = stored(url, platform)
    for user, texts in expected.items():
        counts = Counter(text for _, text in found.get(user, []))
        assert counts == Counter(texts), f"{user}: stored {sum(counts.values())} of {len(texts)}"
    assert len(inbox) == sum(len(t) for t in expected.values())
    assert {row.state for row in inbox} == {"done"}
    assert all(row.payload is None and row.replies is None for row in inbox)
    return found


def wait_until_answered(url: str, platform: str, replies: Callable[[str], list[str]], count: int = 500) -> None:
    """Poll the bot's database (another process) until `count` entries exist and each has its reply."""
    deadline = time.monotonic() + 180
    while True:
        found, _ = stored(url, platform)
        if sum(len(v) for v in found.values()) >= count and all_answered(found, replies):
            return
        assert time.monotonic() < deadline, f"{sum(len(v) for v in found.values())} stored; not all answered"
        time.sleep(0.5)


def all_answered(found: dict[str, list[tuple[int, str]]], replies: Callable[[str], list[str]]) -> bool:
    for user, entries in found.items():
        answered = {int(m.group(1)) for text in replies(user) if (m := _RE_RECORDED.match(text))}
        if not {seq for seq, _ in entries} <= answered:
            return False
    return True


@pytest.fixture
def telegram_api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start()
    yield server
    server.stop()


def test_telegram_polling_survives_sigkill(database_url: str, telegram_api: FakeBotApi, tmp_path: Path) -> None:
    api = telegram_api
    users = [str(70001 + i) for i in range(10)]
    register(database_url, "telegram", users)
    api.add_private_chats([int(u) for u in users])
    expected: dict[str, list[str]] = {u: [] for u in users}
    for index in range(50):
        for user in users:
            expected[user].append(text_of(user, index))
            api.push_message(int(user), text_of(user, index))
    env = clean_env(database_url) | {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_BASE_FILE_URL": api.base_file_url,
        "TELEGRAM_POLL_TIMEOUT": "1",
    }
    bot = Bot(env, tmp_path)
    bot.start()
    try:
        api.wait_for(lambda a: len(a.sent()) >= 120, timeout=120)
        bot.kill()
        answered_before = acknowledged(str(p.get("text", "")) for p in api.sent())
        assert answered_before < 500  # killed mid-way: the restart has work left
        bot.start()

        def replies(user: str) -> list[str]:
            return [str(p["text"]) for p in api.sent(int(user))]

        wait_until_answered(database_url, "telegram", replies)
    finally:
        code = bot.stop()
    assert code == 0, bot.log.read_text()[-3000:]
    found = check_exactly_once(database_url, "telegram", expected)
    assert all_answered(found, replies)


def test_telegram_webhook_survives_sigkill(database_url: str, telegram_api: FakeBotApi, tmp_path: Path) -> None:
    api = telegram_api
    # replies at a bounded pace (8 in flight, 50 ms each): 500 take over 3 s, so the kill right after the last
    # acknowledgement always finds work left, however fast the machine handles them
    api.answer_delay = 0.05
    users = [str(71001 + i) for i in range(10)]
    register(database_url, "telegram", users)
    api.add_private_chats([int(u) for u in users])
    port = free_port()
    env = clean_env(database_url) | {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_BASE_FILE_URL": api.base_file_url,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.cn/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
    }
    expected: dict[str, list[str]] = {u: [] for u in users}
    updates = []
    for index in range(50):
        for user in users:
            expected[user].append(text_of(user, index))
            updates.append(api.update_json(int(user), text_of(user, index)))
    bot = Bot(env, tmp_path)
    bot.start()
    try:
        bot.wait_http(port)
        statuses = asyncio.run(post_all(f"http://127.0.0.1:{port}/telegram/webhook", updates))
        assert statuses == [200] * len(updates)  # each 200 only once the update is stored ...
        bot.kill()  # ... so a kill right after loses nothing
        assert acknowledged(str(p.get("text", "")) for p in api.sent()) < 500
        bot.start()

        def replies(user: str) -> list[str]:
            return [str(p["text"]) for p in api.sent(int(user))]

        wait_until_answered(database_url, "telegram", replies)
    finally:
        code = bot.stop()
    assert code == 0, bot.log.read_text()[-3000:]
    found = check_exactly_once(database_url, "telegram", expected)
    assert all_answered(found, replies)


async def post_all(url: str, updates: list[dict[str, Any]]) -> list[int]:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=50)) as client:
        responses = await asyncio.gather(*(client.post(url, json=u, headers=headers) for u in updates))
    return [r.status_code for r in responses]


def test_wecom_callbacks_survive_sigkill_right_after_the_ack(database_url: str, tmp_path: Path) -> None:
    # 50 members, 10 messages each: within WeCom's 30 messages a minute per member, replies included
    users = [f"member{i:02d}" for i in range(50)]
    fake = FakeWeCom(users=set(users)).start()
    try:
        register(database_url, "wecom", users)
        port = free_port()
        env = bot_environment(clean_env(database_url), api_base=fake.base_url, database_url=database_url, port=port)
        bot = Bot(env, tmp_path)
        expected: dict[str, list[str]] = {u: [] for u in users}
        callbacks = []
        msg_id = 9_100_000_000_000_000_000
        for index in range(10):
            for user in users:
                msg_id += 1
                expected[user].append(text_of(user, index))
                callbacks.append(wecom_callback(user, text_of(user, index), msg_id))
        bot.start()
        try:
            bot.wait_http(port)
            statuses = asyncio.run(post_callbacks(f"http://127.0.0.1:{port}/wecom/callback", callbacks))
            assert statuses == [200] * len(callbacks)
            bot.kill()  # WeCom never sends an acknowledged callback again: it must be on disk
            assert acknowledged(str(s.body.get("content", "")) for s in list(fake.sent)) < 500
            bot.start()

            def replies(user: str) -> list[str]:
                return [str(s.body.get("content", "")) for s in list(fake.sent) if s.user == user]

            wait_until_answered(database_url, "wecom", replies)
        finally:
            code = bot.stop()
        assert code == 0, bot.log.read_text()[-3000:]
        found = check_exactly_once(database_url, "wecom", expected)
        assert all_answered(found, replies)
        assert fake.dropped == []
    finally:
        fake.stop()


def acknowledged(texts: Iterable[str]) -> int:
    """How many of the messages sent were answers to the burst's entries: the scheduler runs on the real clock and
    may send its own reminders meanwhile (the 08:30 catch-up, the 20:30 nudge)."""
    return sum(1 for text in texts if text.startswith("✅"))


def wecom_callback(user: str, text: str, msg_id: int) -> tuple[dict[str, str], bytes]:
    plain = wc.message_xml(CORP_ID, user, "text", {"Content": text, "MsgId": str(msg_id)}, int(time.time()))
    encrypted = wc.encrypt(plain, CORP_ID)
    ts, nonce = str(int(time.time())), str(msg_id % 1_000_000)
    params = {"msg_signature": wc.sign(wc.TOKEN, ts, nonce, encrypted), "timestamp": ts, "nonce": nonce}
    return params, wc.envelope(CORP_ID, encrypted)


async def post_callbacks(url: str, callbacks: list[tuple[dict[str, str], bytes]]) -> list[int]:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=50)) as client:
        responses = await asyncio.gather(*(client.post(url, params=p, content=b) for p, b in callbacks))
    return [r.status_code for r in responses]
