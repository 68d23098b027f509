"""Three `python bot.py` processes on one PostgreSQL database (issue 11): a burst of messages from many users;
every message stored and handled once, each chat's messages handled and answered in order; the leader (the one
that polls getUpdates and runs the scheduler) killed with SIGKILL mid-burst, another instance leading within
30 s, nothing lost. Long polling against one fake Bot API, and webhooks sent to all three instances in turn (as a
reverse proxy would). PostgreSQL only: skipped without TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database
from storage.inbox import InboxItem
from storage.leader import CLAIMS_APPLICATION, LOCK_KEY, NOTIFY_CHANNEL, ChatClaims, SchedulerLeadership
from storage.models import EntryRow, IdentityRow, InboxRow
from tests.conftest import _truncate
from tests.fake_telegram import FakeBotApi
from tests.test_inbox_crash import SECRET, clean_env, free_port, register, text_of

ROOT = Path(__file__).resolve().parents[1]
USERS, PER_USER = 12, 30  # 360 messages
TAKEOVER_LIMIT = 30.0  # seconds from the leader's death to another instance leading
_RE_RECORDED = re.compile(r"^✅ 已记 #(\d+)\|")
_RE_STOPPED = re.compile(r"inbox stopped: (\d+) messages handled, (\d+) replies resent")
_RE_LEADS = re.compile(r"this instance now leads")
_RE_NUMBER = re.compile(r"编号\d+-(\d+)$")


@pytest.fixture
def pg_url(pg_schema_url: str) -> str:
    """This test's own database on the PostgreSQL test server (conftest: created for the session), emptied."""
    _truncate(pg_schema_url)
    return pg_schema_url


@pytest.fixture
def telegram_api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start()
    yield server
    server.stop()


@dataclass
class Instance:
    """One `python bot.py` process with its own log (INFO: who leads, what each handled)."""

    name: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    port: int = 0
    killed_at: float | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "bot.py"], cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stderr=log
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        assert self.process is not None
        self.killed_at = time.monotonic()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=90)
        return self.process.returncode

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def handled(self) -> tuple[int, int]:
        """(messages handled, replies resent) as the instance said when it stopped."""
        found = _RE_STOPPED.findall(self.text())
        return (int(found[-1][0]), int(found[-1][1])) if found else (0, 0)


@dataclass
class Cluster:
    instances: list[Instance] = field(default_factory=list)

    def stop_all(self) -> dict[str, int | None]:
        return {i.name: i.stop() for i in self.instances if i.killed_at is None}

    def logs(self) -> str:
        return "\n".join(f"--- {i.name} (pid {i.pid}) ---\n{i.text()[-2500:]}" for i in self.instances)


def start_cluster(env: dict[str, str], tmp_path: Path, count: int = 3) -> Cluster:
    cluster = Cluster()
    for n in range(count):
        port = free_port()
        instance_env = env | {"LOG_LEVEL": "INFO", "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port)}
        instance = Instance(f"bot{n + 1}", instance_env, tmp_path / f"bot{n + 1}.log", port=port)
        instance.start()
        cluster.instances.append(instance)
    return cluster


def query(url: str, sql: str, **params: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_async_engine(Database(url).url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(text(sql), params)).all())
        finally:
            await engine.dispose()

    return asyncio.run(run())


def leader_pid(url: str, cluster: Cluster) -> int | None:
    """The process holding the leader's advisory lock (its connection's application_name names the pid)."""
    rows = query(
        url,
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        "AND l.classid::text::bigint = :high AND l.objid::text::bigint = :low",
        high=LOCK_KEY >> 32,
        low=LOCK_KEY & 0xFFFFFFFF,
    )
    for (name,) in rows:
        for instance in cluster.instances:
            if str(name).endswith(f" pid {instance.pid}"):
                return instance.pid
    return None


def wait_ready(url: str, cluster: Cluster) -> Instance:
    """Until every instance is connected (its claims' connection) and one leads: the leader."""
    deadline = time.monotonic() + 180
    while True:
        names = {str(n) for (n,) in query(url, "SELECT application_name FROM pg_stat_activity")}
        up = all(any(n.endswith(f" pid {i.pid}") for n in names) for i in cluster.instances)
        pid = leader_pid(url, cluster)
        if up and pid is not None:
            return next(i for i in cluster.instances if i.pid == pid)
        for instance in cluster.instances:
            assert instance.alive(), cluster.logs()
        assert time.monotonic() < deadline, cluster.logs()
        time.sleep(0.2)


def entries(url: str) -> dict[str, list[tuple[int, str]]]:
    async def run() -> list[Any]:
        db = Database(url)
        async with db.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(IdentityRow.external_id, EntryRow.seq, EntryRow.text)
                    .join(EntryRow, EntryRow.person_id == IdentityRow.person_id)
                    .where(IdentityRow.channel == "telegram")
                )
            ).all()
        await db.dispose()
        return list(rows)

    found: dict[str, list[tuple[int, str]]] = {}
    for user, seq, entry_text in asyncio.run(run()):
        found.setdefault(str(user), []).append((int(seq), str(entry_text)))
    return found


def inbox_rows(url: str) -> list[Any]:
    async def run() -> list[Any]:
        db = Database(url)
        async with db.engine.connect() as conn:
            rows = (await conn.execute(select(InboxRow))).all()
        await db.dispose()
        return list(rows)

    return asyncio.run(run())


def replies_by_chat(api: FakeBotApi, users: list[str]) -> dict[str, list[tuple[int, float]]]:
    """Each chat's acknowledgements (entry number, when sent) in the order the fake server received them."""
    found: dict[str, list[tuple[int, float]]] = {u: [] for u in users}
    for call in list(api.calls):
        if call.method != "sendMessage" or call.ok is not True:
            continue
        match = _RE_RECORDED.match(str(call.params.get("text", "")))
        chat = str(call.params.get("chat_id"))
        if match and chat in found:
            found[chat].append((int(match.group(1)), call.at))
    return found


def wait_all_answered(url: str, api: FakeBotApi, users: list[str], total: int, cluster: Cluster) -> None:
    deadline = time.monotonic() + 300
    while True:
        stored = entries(url)
        count = sum(len(v) for v in stored.values())
        if count >= total:
            replies = replies_by_chat(api, users)
            if all({s for s, _ in stored[u]} <= {s for s, _ in replies[u]} for u in users if u in stored):
                return
        assert any(i.alive() for i in cluster.instances), cluster.logs()
        assert time.monotonic() < deadline, f"{count} of {total} stored, not all answered\n{cluster.logs()}"
        time.sleep(0.5)


@dataclass
class Outcome:
    duplicates: int  # acknowledgements sent twice (at least once: allowed only after the kill)


def check(url: str, api: FakeBotApi, users: list[str], killed_at: float) -> Outcome:
    """Every message an entry once, each chat's entries made in the order its messages were sent, each chat's
    acknowledgements sent in order; a second acknowledgement only for a message answered around the kill."""
    stored = entries(url)
    for user in users:
        texts = [t for _, t in sorted(stored.get(user, []))]
        assert Counter(texts) == Counter(text_of(user, i) for i in range(PER_USER)), f"{user}: {len(texts)} entries"
        numbers = [int(m.group(1)) for t in texts if (m := _RE_NUMBER.search(t))]
        assert numbers == list(range(PER_USER)), f"{user}: handled out of order: {numbers}"
    rows = inbox_rows(url)
    assert len(rows) == len(users) * PER_USER
    assert {row.state for row in rows} == {"done"}
    assert all(row.payload is None and row.replies is None for row in rows)
    duplicates = 0
    for user, replies in replies_by_chat(api, users).items():
        first: list[int] = []
        seen: set[int] = set()
        for seq, at in replies:
            if seq in seen:
                duplicates += 1
                assert at > killed_at, f"{user}: #{seq} answered twice before any instance died"
                continue
            seen.add(seq)
            first.append(seq)
        assert first == sorted(first), f"{user}: acknowledgements out of order: {first}"
        assert seen == {s for s, _ in stored[user]}
    return Outcome(duplicates)


def test_three_instances_polling_leader_killed(
    pg_url: str, telegram_api: FakeBotApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = telegram_api
    users = [str(73001 + i) for i in range(USERS)]
    register(pg_url, "telegram", users)
    api.add_private_chats([int(u) for u in users])
    env = clean_env(pg_url) | {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_BASE_FILE_URL": api.base_file_url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "LEADER_RETRY_SECONDS": "5",
    }
    cluster = start_cluster(env, tmp_path)
    try:
        leader = wait_ready(pg_url, cluster)
        total = USERS * PER_USER
        pushed = threading.Event()

        def push() -> None:  # the burst: 360 messages in about 6 s, each user's in order
            for index in range(PER_USER):
                for user in users:
                    api.push_message(int(user), text_of(user, index))
                time.sleep(0.2)
            pushed.set()

        pusher = threading.Thread(target=push, daemon=True)
        pusher.start()
        api.wait_for(lambda a: len(a.sent()) >= total // 3, timeout=180)
        assert not pushed.is_set() or len(api.sent()) < total, "the burst ended before the kill"
        leader.kill()
        killed_at = leader.killed_at
        assert killed_at is not None
        answered_at_kill = len(api.sent())
        # the new leader: the first getUpdates after the kill (the dead one's poll was sent before it)
        api.wait_for(lambda a: any(c.method == "getUpdates" and c.at > killed_at for c in a.calls), timeout=60)
        polled_at = min(c.at for c in list(api.calls) if c.method == "getUpdates" and c.at > killed_at)
        new_leader = leader_pid(pg_url, cluster)
        assert new_leader is not None and new_leader != leader.pid
        takeover = polled_at - killed_at
        pusher.join(timeout=120)
        wait_all_answered(pg_url, api, users, total, cluster)
        # before the stops (a stopping leader hands over too): one leader, then one other
        leads = sum(len(_RE_LEADS.findall(i.text())) for i in cluster.instances)
    finally:
        codes = cluster.stop_all()
    assert all(code == 0 for code in codes.values()), cluster.logs()
    outcome = check(pg_url, api, users, killed_at)
    survivors = {i.name: i.handled() for i in cluster.instances if i is not leader}
    logs = cluster.logs()
    assert takeover < TAKEOVER_LIMIT, f"takeover took {takeover:.1f} s"
    assert all(handled > 0 for handled, _ in survivors.values()), f"an instance handled nothing: {survivors}"
    assert leads == 2, logs
    # Telegram allows one getUpdates at a time: no poll ended by another, save the dead leader's own
    assert all(at > killed_at for at in api.conflicts) and len(api.conflicts) <= 1, api.conflicts
    resent = sum(r for _, r in survivors.values())
    with capsys.disabled():
        print(
            f"\n[multi-instance polling] {total} messages, {USERS} users, 3 instances; leader killed after "
            f"{answered_at_kill} answers; new leader polling {takeover:.2f} s after the kill; survivors handled "
            f"{survivors}; acknowledgements sent twice: {outcome.duplicates}; replies resent by a new owner: {resent}"
        )
    assert outcome.duplicates <= resent


def test_three_instances_webhook_leader_killed(
    pg_url: str, telegram_api: FakeBotApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = telegram_api
    users = [str(74001 + i) for i in range(USERS)]
    register(pg_url, "telegram", users)
    api.add_private_chats([int(u) for u in users])
    env = clean_env(pg_url) | {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_BASE_FILE_URL": api.base_file_url,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.cn/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "LEADER_RETRY_SECONDS": "5",
    }
    updates = {u: [api.update_json(int(u), text_of(u, i)) for i in range(PER_USER)] for u in users}
    cluster = start_cluster(env, tmp_path)
    try:
        leader = wait_ready(pg_url, cluster)
        total = USERS * PER_USER
        kill_after = total // 3
        posted = 0
        state: dict[str, float] = {}

        async def proxy(client: httpx.AsyncClient, update: dict[str, Any], turn: int) -> None:
            """A reverse proxy: instances in turn, the next one when an instance does not answer."""
            nonlocal posted
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            for attempt in range(60):
                instance = cluster.instances[(turn + attempt) % len(cluster.instances)]
                if instance.killed_at is not None:
                    continue
                try:
                    response = await client.post(
                        f"http://127.0.0.1:{instance.port}/telegram/webhook", json=update, headers=headers
                    )
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
                    continue
                if response.status_code == 200:
                    posted += 1
                    if posted == kill_after:  # mid-burst: the leader dies; its stored updates are on disk
                        leader.kill()
                        state["killed_at"] = leader.killed_at or 0.0
                        watcher.start()
                    return
                await asyncio.sleep(0.1)  # 503: too busy, Telegram tries again later
            raise AssertionError(f"update {update['update_id']} never accepted")

        async def chat(client: httpx.AsyncClient, user: str, offset: int) -> None:
            # Telegram sends one chat's updates one after the other, each once the last was answered
            for index, update in enumerate(updates[user]):
                await proxy(client, update, offset + index)

        async def burst() -> None:
            async with httpx.AsyncClient(timeout=60) as client:
                await asyncio.gather(*(chat(client, u, n) for n, u in enumerate(users)))

        def watch() -> None:  # while the burst goes on: when another instance holds the leader's lock
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                pid = leader_pid(pg_url, cluster)
                if pid not in (None, leader.pid):
                    state["leads_at"], state["new_leader"] = time.monotonic(), pid
                    return
                time.sleep(0.1)

        watcher = threading.Thread(target=watch, daemon=True)
        asyncio.run(burst())
        watcher.join(timeout=90)
        killed_at = state["killed_at"]
        assert "leads_at" in state, cluster.logs()
        takeover, new_leader = state["leads_at"] - killed_at, int(state["new_leader"])  # to 0.1 s or so
        wait_all_answered(pg_url, api, users, total, cluster)
    finally:
        codes = cluster.stop_all()
    assert all(code == 0 for code in codes.values()), cluster.logs()
    outcome = check(pg_url, api, users, killed_at)
    survivors = {i.name: i.handled() for i in cluster.instances if i is not leader}
    assert takeover < TAKEOVER_LIMIT, f"takeover took {takeover:.1f} s"
    assert all(handled > 0 for handled, _ in survivors.values()), f"an instance handled nothing: {survivors}"
    resent = sum(r for _, r in survivors.values())
    with capsys.disabled():
        print(
            f"\n[multi-instance webhook] {total} messages, {USERS} users, 3 instances; leader (pid {leader.pid}) "
            f"killed after {kill_after} updates accepted; pid {new_leader} leads {takeover:.2f} s after the kill; "
            f"survivors handled {survivors}; acknowledgements sent twice: {outcome.duplicates}; replies resent by a "
            f"new owner: {resent}"
        )
    assert outcome.duplicates <= resent


# -- the pieces, in one process --------------------------------------------------------------------------


async def test_a_row_handled_out_of_turn_is_refused(pg_url: str) -> None:
    """The database keeps one chat's rows in order whatever the claims say: a row is only marked handled once no
    earlier row of its chat is unhandled (another chat's rows do not count)."""
    db = Database(pg_url)
    now = dt.datetime(2026, 7, 15, 2, 0, tzinfo=dt.UTC)
    try:
        async with db.unit_of_work() as uow:
            items = [InboxItem("telegram", f"u{n}", chat, {"n": n}) for n, chat in enumerate("AAB")]
            assert await uow.inbox.add(items, now) == 3
            await uow.commit()
            ids = [r.id for r in await uow.inbox.pending(["telegram"], 10)]
        async with db.unit_of_work() as uow:
            assert not await uow.inbox.answer(ids[1], {}, now)  # A's second before A's first: refused
            assert await uow.inbox.answer(ids[2], {}, now)  # B's first: B has nothing earlier
            await uow.commit()
        async with db.unit_of_work() as first, db.unit_of_work() as second:
            assert await first.inbox.answer(ids[0], {}, now)  # A's first, not yet committed ...
            assert not await second.inbox.answer(ids[1], {}, now)  # ... so A's second still waits
            await first.commit()
        async with db.unit_of_work() as uow:
            assert await uow.inbox.answer(ids[1], {}, now)
            await uow.commit()
    finally:
        await db.dispose()


async def test_chat_claims_one_instance_per_chat(pg_url: str) -> None:
    a, b = ChatClaims(pg_url), ChatClaims(pg_url)
    heard: list[str] = []
    chats = [("telegram", str(80001 + n)) for n in range(5)] + [("wecom", "张三😀"), ("wecom", "")]
    try:
        await a.connect(heard.append)
        await b.connect(lambda _: None)
        assert await a.claim(chats[:3], 2) == set(chats[:2])  # at most 2, in the order given
        assert await b.claim(chats, 10) == set(chats[2:])  # all but a's
        assert a.holds(chats[0]) and not b.holds(chats[0])
        assert await a.claim(chats[2:], 10) == set()  # b's
        assert await b.peers() == 2
        await a.release([chats[0]])
        assert await b.claim([chats[0]], 1) == {chats[0]}
        db = Database(pg_url)  # a notification from another connection (a store) reaches the listener
        async with db.unit_of_work() as uow:
            await uow.inbox.notify(NOTIFY_CHANNEL, "elsewhere")
            await uow.commit()
        await db.dispose()
        for _ in range(100):
            if heard:
                break
            await asyncio.sleep(0.02)
        assert heard == ["elsewhere"]
        await query_async(
            pg_url,
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            f"AND application_name = '{CLAIMS_APPLICATION} ' || :who",
            who=_who(),
        )
        # both claims' connections (one process here) died: b's chats are free; a's next claim reconnects
        for _ in range(100):
            try:
                if await a.claim([chats[2]], 1) == {chats[2]}:
                    break
            except SQLAlchemyError:
                pass
            await asyncio.sleep(0.05)
        assert a.holds(chats[2]) and not a.holds(chats[1])  # what a held went with its connection
    finally:
        await a.close()
        await b.close()


async def test_a_follower_takes_over_within_its_retry_period(pg_url: str) -> None:
    leader, follower = SchedulerLeadership(pg_url, key=4545), SchedulerLeadership(pg_url, key=4545)
    try:
        leader.watch(0.1)
        await asyncio.wait_for(leader.wait_leading(), 10)
        follower.watch(0.1)
        await asyncio.sleep(0.3)  # the follower has tried, and tries again every 0.1 s
        assert leader.leading and not follower.leading
        started = time.monotonic()
        await leader.release()  # a stop; a kill drops the connection, which releases the lock the same way
        await asyncio.wait_for(follower.wait_leading(), 10)
        assert time.monotonic() - started < 1.0
        assert await follower.held()
    finally:
        await leader.release()
        await follower.release()


async def query_async(url: str, sql: str, **params: Any) -> None:
    engine = create_async_engine(Database(url).url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql), params)
    finally:
        await engine.dispose()


def _who() -> str:
    return f"{socket.gethostname()[:30]} pid {os.getpid()}"
