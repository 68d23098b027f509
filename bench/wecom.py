"""WeCom callback benchmark: `python bot.py` (a child process, WECOM_* set, SQLite) receives N concurrent
encrypted callbacks from 50 registered cadres; the fake WeCom API (in this process) takes the replies.

Prints the ack latency (POST sent -> empty 200 back) p50/p99, and messages handled per second (first POST ->
last reply received by the fake API); and, in the same run, the ack latency of a bare Starlette app on
uvicorn answering an empty 200 (the floor of the HTTP stack), with the ratio.

Run: .venv/bin/python bench/wecom.py [--callbacks 200] [--users 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests import wecom_crypto as wc  # noqa: E402
from tests.fake_wecom import CORP_ID, FakeWeCom, bot_environment  # noqa: E402

BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
async def ack(request):
    await request.body()
    return PlainTextResponse("")
app = Starlette(routes=[Route("/wecom/callback", ack, methods=["POST"]), Route("/healthz", ack)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""
MESSAGES = [
    "走访东坪村{n}户困难户，了解饮水情况",
    "上午列席镇党委会，研究环境卫生整治",
    "学习《信访条例》，记了{n}页笔记",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(url: str, users: int) -> None:
    from handlers import admin
    from storage.db import Database
    from storage.migrate import upgrade_to_head

    await asyncio.to_thread(upgrade_to_head, url)
    db = Database(url)
    today = dt.date.today()
    async with db.unit_of_work() as uow:
        for i in range(users):
            await admin.add_cadre(
                uow,
                name=f"干部{i}",
                identities=[("wecom", f"user{i}")],
                host_unit="青山镇人民政府",
                position="党委副书记",
                sending_unit=None,
                start=today - dt.timedelta(days=30),
                end=today + dt.timedelta(days=150),
                timezone="Asia/Shanghai",
                now=dt.datetime.now(dt.UTC),
            )
        await uow.commit()
    await db.dispose()


def wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError("the server exited at start") from None
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def callback(user: str, text: str, msg_id: int) -> tuple[dict[str, str], bytes]:
    plain = wc.message_xml(CORP_ID, user, "text", {"Content": text, "MsgId": str(msg_id)}, int(time.time()))
    encrypted = wc.encrypt(plain, CORP_ID)
    ts, nonce = str(int(time.time())), str(msg_id % 1_000_000)
    return {"msg_signature": wc.sign(wc.TOKEN, ts, nonce, encrypted), "timestamp": ts, "nonce": nonce}, wc.envelope(
        CORP_ID, encrypted
    )


async def fire(port: int, requests: list[tuple[dict[str, str], bytes]]) -> tuple[list[float], float]:
    """Post every callback at once over connections opened beforehand, with raw HTTP/1.1 (a Python HTTP
    client would itself take longer than the server to get 200 requests out); return each ack's latency (s)
    and when the first was sent."""
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in requests]
    raws = [
        (
            f"POST /wecom/callback?{urlencode(params)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for params, body in requests
    ]

    async def one(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], raw: bytes) -> float:
        reader, writer = connection
        started = time.perf_counter()
        writer.write(raw)
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        elapsed = time.perf_counter() - started
        writer.close()
        if b" 200 " not in status:
            raise RuntimeError(f"callback refused: {status!r}")
        return elapsed

    started = time.perf_counter()
    latencies = await asyncio.gather(*(one(c, r) for c, r in zip(connections, raws, strict=True)))
    return list(latencies), started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main_async(count: int, users: int, rounds: int) -> None:
    fake = FakeWeCom(users={f"user{i}" for i in range(users)}).start()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        await seed(url, users)
        port = free_port()
        env = bot_environment(dict(os.environ), api_base=fake.base_url, database_url=url, port=port)
        env["LOG_LEVEL"] = "WARNING"
        bot = subprocess.Popen([sys.executable, "bot.py"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
        bare_port = free_port()
        bare = subprocess.Popen([sys.executable, "-c", BARE_APP, str(bare_port)], cwd=ROOT)
        try:
            wait_healthy(port, bot)
            wait_healthy(bare_port, bare)
            msg_id = 8_000_000_000_000_000_000
            for round_no in range(1, rounds + 1):
                requests = []
                for i in range(count):
                    msg_id += 1
                    text = MESSAGES[i % len(MESSAGES)].format(n=i % 9 + 1)
                    requests.append(callback(f"user{i % users}", text, msg_id))
                before = len(fake.sent)
                latencies, started = await fire(port, requests)
                deadline = time.monotonic() + 120
                while len(fake.sent) < before + count and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
                replies = len(fake.sent) - before
                handled_in = (fake.sent[-1].at if replies else time.monotonic()) - (
                    time.monotonic() - (time.perf_counter() - started)
                )
                bare_latencies, _ = await fire(bare_port, requests)
                p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
                b50, b99 = percentile(bare_latencies, 0.5) * 1000, percentile(bare_latencies, 0.99) * 1000
                print(
                    f"round {round_no}: {count} concurrent callbacks from {users} users: ack p50 {p50:.1f} ms, "
                    f"p99 {p99:.1f} ms (max {max(latencies) * 1000:.1f}); {replies} replies, handled "
                    f"{replies / handled_in:.1f} msg/s; bare Starlette ack p50 {b50:.1f} ms, p99 {b99:.1f} ms; "
                    f"p99 ratio {p99 / b99:.2f}; dropped by the member limit {len(fake.dropped)}; "
                    f"mean ack {statistics.mean(latencies) * 1000:.1f} ms"
                )
        finally:
            for process in (bot, bare):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
            fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main_async(args.callbacks, args.users, args.rounds))


if __name__ == "__main__":
    main()
