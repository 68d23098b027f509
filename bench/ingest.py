"""Ingest benchmark: realistic messages from 50 cadres through the real Telegram channel, against the fake
Bot API on 127.0.0.1, and in the same run through a bare python-telegram-bot echo bot (the framework's floor).

Prints, for both bots: messages/s when all messages are queued at once (a flood: its peak RSS is checked), p50/p95 handling latency (update
queued -> reply received by the fake server) at 100 messages/s offered, start-up time to the first handled
update, and peak RSS; then the ratios. The bots run as child processes (cadrelog: bot.app.main, as `python
bot.py` runs it, with the bot's clock set to a moment of the day).

cadrelog runs twice: at night (the bot's clock at 03:00 Asia/Shanghai, only the 50 cadres who write) and in
the daytime (10:00, the 50 among --cadres cadres with --days days of entries each: the scheduler's daytime
ticks run beside the replies).

Run: .venv/bin/python bench/ingest.py [--messages 5000] [--users 50] [--rate 100] [--paced 1000]
                                     [--cadres 1000] [--days 180] [--cases night,day] [--rounds 3]

With --rounds N the echo bot and each case run N times in turn (echo, night, day, echo, …): the machine's pace
drifts by a third between minutes, so each round's ratio is taken against the echo bot of the same round, and the
medians are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_telegram import FakeBotApi  # noqa: E402

FIRST_USER = 60001
ZONE = "Asia/Shanghai"
CASES = {"night": dt.time(3, 0), "day": dt.time(10, 0)}  # the bot's clock at start, Asia/Shanghai
PLACES = ["东坪村", "石桥村", "中川村", "凹塘村", "青山社区", "宏达食品", "新华小学", "兴农合作社"]
TEMPLATES = [
    "上午列席镇党委会，研究{place}环境卫生整治",
    "走访{place}{n}户困难户，了解饮水和就医情况，下周跟扶贫办说",
    "昨天在信访局接待来访群众{n}人次，其中集体访1批",
    "到{place}看打井项目进度，管道铺了{n}百米，资金到位{n}万元",
    "学习《信访条例》，记了两页笔记",
    "陪客商考察{place}，初步意向投资{n}00万元",
    "在{place}开党员大会，给{n}名党员宣讲全会精神",
    "和包村干部入户宣传环境整治，发宣传单{n}00多份",
    "今天在{place}听课{n}节，下午参加教研",
    "组织{place}专场招聘会，{n}家企业提供岗位",
]


def make_messages(count: int, users: int, seed: int = 7) -> list[tuple[int, str]]:
    rng = random.Random(seed)
    return [
        (FIRST_USER + i % users, rng.choice(TEMPLATES).format(place=rng.choice(PLACES), n=rng.randint(2, 60)))
        for i in range(count)
    ]


ECHO_BOT = """
import sys
from telegram import Update
from telegram.ext import Application, MessageHandler, filters

async def echo(update: Update, context) -> None:
    await update.effective_message.reply_text(update.effective_message.text or "?")

app = Application.builder().token(sys.argv[1]).base_url(sys.argv[2]).base_file_url(sys.argv[3]).build()
app.add_handler(MessageHandler(filters.ALL, echo))
app.run_polling(poll_interval=0.0, timeout=1)
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def register_users(database_url: str, users: int) -> None:
    from handlers import admin
    from storage.db import Database
    from storage.migrate import upgrade_to_head

    upgrade_to_head(database_url)

    async def run() -> None:
        db = Database(database_url)
        now = dt.datetime.now(dt.UTC)
        async with db.unit_of_work() as uow:
            for i in range(users):
                await admin.add_cadre(
                    uow,
                    name=f"干部{i:02d}",
                    identities=[("telegram", str(FIRST_USER + i))],
                    host_unit="青山镇人民政府",
                    position="党委副书记",
                    sending_unit="市审计局",
                    start=dt.date(2026, 1, 1),
                    end=dt.date(2027, 12, 31),
                    timezone="Asia/Shanghai",
                    now=now,
                )
            await uow.commit()
        await db.dispose()

    asyncio.run(run())


def seed_cadres(database_url: str, cadres: int, days: int, today: dt.date) -> None:
    """The daytime case's database: `cadres` cadres with `days` days of entries (bench/scale.py's seeding), the
    first of them the ones who write."""
    from bench.scale import seed
    from storage.migrate import upgrade_to_head

    upgrade_to_head(database_url)
    asyncio.run(seed(database_url, cadres, days, today=today, zone=ZONE, first_telegram=FIRST_USER))


def serve_at(moment: str) -> int:
    """Run the bot (bot.app.main, as bot.py does) with its clock starting at `moment` (ISO) and going on at the
    real pace: the one clock the bot's scheduler, handlers and inbox read (bot.app.utc_now)."""
    import bot.app

    offset = dt.datetime.fromisoformat(moment) - dt.datetime.now(dt.UTC)
    bot.app.utc_now = lambda: dt.datetime.now(dt.UTC) + offset
    return bot.app.main([])


class Run:
    """One bot process against one fake server: throughput, paced latency, start-up, RSS."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], api: FakeBotApi) -> None:
        self.name = name
        self.api = api
        self.queued: dict[int, list[float]] = {}
        start = time.monotonic()
        self._push(FIRST_USER, "上午列席镇党委会")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        api.wait_for(lambda a: len(a.sent()) >= 1, timeout=120)
        self.startup = time.monotonic() - start

    def _push(self, user: int, text: str) -> None:
        self.queued.setdefault(user, []).append(time.monotonic())
        self.api.push_message(user, text)

    def _replies(self) -> int:
        return len(self.api.sent())

    def latencies(self, since_call: int) -> list[float]:
        """Match each user's k-th reply to his k-th queued message."""
        replies: dict[int, list[float]] = {}
        with self.api._cond:
            for call in self.api.calls:
                if call.method == "sendMessage" and call.ok:
                    replies.setdefault(int(call.params["chat_id"]), []).append(call.at)
        out = []
        for user, pushed in self.queued.items():
            for queued_at, replied_at in zip(pushed, replies.get(user, []), strict=False):
                out.append(replied_at - queued_at)
        return out[since_call:] if since_call else out

    def throughput(self, messages: list[tuple[int, str]]) -> tuple[float, float]:
        """Return messages/s and the bot's CPU milliseconds per message."""
        before = self._replies()
        cpu_before = cpu_seconds(self.process.pid)
        start = time.monotonic()
        for user, text in messages:
            self._push(user, text)
        self.api.wait_for(lambda a: len(a.sent()) >= before + len(messages), timeout=900)
        elapsed = time.monotonic() - start
        cpu = cpu_seconds(self.process.pid) - cpu_before
        return len(messages) / elapsed, cpu / len(messages) * 1000

    def paced(self, messages: list[tuple[int, str]], rate: float) -> list[float]:
        for queue in self.queued.values():
            queue.clear()
        with self.api._cond:
            self.api.calls.clear()
        start = time.monotonic()
        for index, (user, text) in enumerate(messages):
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._push(user, text)
        self.api.wait_for(lambda a: len(a.sent()) >= len(messages), timeout=900)
        return self.latencies(0)

    def finish(self) -> float:
        rss = peak_rss_mb(self.process.pid)
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return rss


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(name: str, command_for: object, env_for: object, args: argparse.Namespace) -> dict[str, float]:
    api = FakeBotApi().start()
    try:
        run = Run(name, command_for(api), env_for(api), api)  # type: ignore[operator]
        messages = make_messages(args.messages, args.users)
        throughput, cpu_ms = run.throughput(messages)
        latencies = run.paced(make_messages(args.paced, args.users, seed=11), args.rate)
        rss = run.finish()
        if run.process.returncode not in (0, -15) and run.process.stderr is not None:
            sys.stderr.write(run.process.stderr.read().decode()[-2000:])
    finally:
        api.stop()
    return {
        "throughput": throughput,
        "cpu_ms": cpu_ms,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "startup": run.startup,
        "rss": rss,
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-at":  # the cadrelog child process
        raise SystemExit(serve_at(sys.argv[2]))
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=100.0, help="messages/s offered in the latency run")
    parser.add_argument("--paced", type=int, default=1000, help="messages in the latency run")
    parser.add_argument("--cadres", type=int, default=1000, help="cadres in the database in the daytime case")
    parser.add_argument("--days", type=int, default=180, help="days of entries of each cadre in the daytime case")
    parser.add_argument("--cases", default="night,day", help="which cadrelog runs: night, day or both")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="rounds of echo, then each case, back to back (the machine's pace drifts: each ratio is taken within "
        "its round, and the medians printed)",
    )
    parser.add_argument(
        "--database-url", help="an empty database for cadrelog (default: a new SQLite file); e.g. postgresql://…"
    )
    args = parser.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    if not cases or any(c not in CASES for c in cases) or (args.database_url and len(cases) > 1):
        parser.error("--cases: night, day or night,day (one case with --database-url: it must start empty)")
    if args.rounds < 1 or (args.database_url and args.rounds > 1):
        parser.error("--rounds: 1 or more (1 with --database-url: each round needs an empty database)")
    python = sys.executable
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL"))}
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    rounds: list[dict[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        templates: dict[str, Path] = {}  # SQLite: each case's database seeded once, copied for every round
        for number in range(args.rounds):
            found = {
                "echo": measure(
                    "echo",
                    lambda api: [python, "-c", ECHO_BOT, api.token, api.base_url, api.base_file_url],
                    lambda api: base_env,
                    args,
                )
            }
            for case in cases:
                moment = dt.datetime.combine(today, CASES[case], tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC)
                if args.database_url:
                    database_url = args.database_url
                    prepare(case, database_url, args, today)
                else:
                    if case not in templates:
                        templates[case] = Path(tmp) / f"{case}-template.db"
                        prepare(case, f"sqlite:///{templates[case]}", args, today)
                    path = Path(tmp) / f"{case}-{number}.db"
                    shutil.copyfile(templates[case], path)
                    database_url = f"sqlite:///{path}"
                found[case] = measure(
                    "cadrelog",
                    lambda api, moment=moment: [
                        python,
                        str(Path(__file__).resolve()),
                        "--serve-at",
                        moment.isoformat(),
                    ],
                    lambda api, database_url=database_url: {
                        **base_env,
                        "DATABASE_URL": database_url,
                        "TELEGRAM_BOT_TOKEN": api.token,
                        "TELEGRAM_BASE_URL": api.base_url,
                        "TELEGRAM_BASE_FILE_URL": api.base_file_url,
                        "TELEGRAM_POLL_TIMEOUT": "1",
                        "LOG_LEVEL": "WARNING",
                    },
                    args,
                )
            rounds.append(found)
    report(rounds, cases, args)


def prepare(case: str, database_url: str, args: argparse.Namespace, today: dt.date) -> None:
    if case == "day":
        seed_cadres(database_url, max(args.cadres, args.users), args.days, today)
    else:
        register_users(database_url, args.users)


def report(rounds: list[dict[str, dict[str, float]]], cases: list[str], args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    print(
        f"ingest benchmark ({backend}, Python {sys.version.split()[0]}): {args.messages} messages from "
        f"{args.users} users; latency at {args.rate:g} msg/s offered; "
        + (f"medians of {len(rounds)} rounds" if len(rounds) > 1 else "one round")
    )
    labels = {
        "echo": "echo (bare PTB)",
        "night": "cadrelog night (03:00)",
        "day": f"cadrelog day (10:00, {max(args.cadres, args.users)} cadres × {args.days} days)",
    }
    print(f"{'':46}{'msg/s':>8}{'x echo':>8}{'CPU ms/msg':>12}{'p50 ms':>8}{'p95 ms':>8}{'start s':>9}{'RSS MB':>8}")
    for name in ("echo", *cases):
        rows = [found[name] for found in rounds]
        ratios = [found[name]["throughput"] / found["echo"]["throughput"] for found in rounds]
        row = {key: statistics.median([r[key] for r in rows]) for key in rows[0]}
        print(
            f"{labels[name]:46}{row['throughput']:>8.1f}{statistics.median(ratios):>8.2f}{row['cpu_ms']:>12.2f}"
            f"{row['p50']:>8.1f}{row['p95']:>8.1f}{row['startup']:>9.2f}{row['rss']:>8.0f}"
        )
        if len(rounds) > 1 and name != "echo":
            print(
                f"{'':46}each round: x echo "
                + ", ".join(f"{r:.2f}" for r in ratios)
                + "; p95 ms "
                + ", ".join(f"{r['p95']:.1f}" for r in rows)
            )
    print(f"targets: cadrelog >= 0.6 x echo; p95 <= 50 ms at {args.rate:g} msg/s offered; peak RSS <= 300 MB with")
    print(
        f"{args.messages} messages queued at once (the durable inbox takes in at most INBOX_MAX_PENDING at a time,"
        " the rest waits at Telegram)"
    )


if __name__ == "__main__":
    main()
