"""`python bot.py` with WECOM_* set serves the callback URL and /healthz; `admin wecom-menu` pushes the menu."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import wecom_crypto as wc
from tests.fake_wecom import CORP_ID, SECRET, FakeWeCom, bot_environment

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake() -> Iterator[FakeWeCom]:
    server = FakeWeCom(users={"wangming"}).start()
    yield server
    server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(fake: FakeWeCom, tmp_path: Path, port: int) -> dict[str, str]:
    return bot_environment(
        dict(os.environ), api_base=fake.base_url, database_url=f"sqlite:///{tmp_path}/bot.db", port=port
    )


def test_bot_serves_wecom_when_configured(fake: FakeWeCom, tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "bot.py"],
        cwd=ROOT,
        env=environment(fake, tmp_path, port),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read() if process.stderr else "bot did not start") from None
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "wecom": True, "telegram_webhook": False}
        echo = wc.encrypt(b"8888", CORP_ID)
        ts, nonce = str(int(time.time())), "42"
        params = {"msg_signature": wc.sign(wc.TOKEN, ts, nonce, echo), "timestamp": ts, "nonce": nonce, "echostr": echo}
        assert httpx.get(f"http://127.0.0.1:{port}/wecom/callback", params=params).text == "8888"
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert wc.TOKEN not in err and SECRET not in err and wc.AES_KEY not in err  # no secrets in the log


def test_admin_pushes_the_wecom_menu(fake: FakeWeCom, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "bot.py", "admin", "wecom-menu"],
        cwd=ROOT,
        env=environment(fake, tmp_path, free_port()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "企业微信应用菜单已更新：记日志 / 本周 / 生成总结 / 帮助" in done.stdout
    assert [b["key"] for b in fake.menus[0]["button"]] == ["cmd:log", "cmd:week", "cmd:report", "cmd:help"]
    wrong = environment(fake, tmp_path, free_port()) | {"WECOM_SECRET": "wrong"}
    failed = subprocess.run(
        [sys.executable, "bot.py", "admin", "wecom-menu"],
        cwd=ROOT,
        env=wrong,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 1 and "企业微信接口返回错误" in failed.stderr and "40001" in failed.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"WECOM_CORP_ID": CORP_ID}, "WeCom needs all of"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook"}, "SECRET"),
        ({"REMINDER_GRACE": "nudge=2x"}, "bad grace setting"),
        ({"DIGEST_WEEKDAY": "8"}, "DIGEST_WEEKDAY"),
        ({"HTTP_PORT": "http"}, "HTTP_PORT"),
    ],
)
def test_configuration_mistakes_stop_the_bot_with_a_clear_line(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "TELEGRAM_", "HTTP_", "DIGEST_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/bot.db", **variables)
    done = subprocess.run([sys.executable, "bot.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_digest_time_and_grace_come_from_the_environment() -> None:
    import datetime as dt

    from bot.config import Settings

    settings = Settings(digest_weekday=5, digest_time="17:30", reminder_grace="digest=2h", _env_file=None)
    assert settings.digest_at() == (4, dt.time(17, 30))  # Friday, 17:30
    assert settings.grace()("digest") == dt.timedelta(hours=2) and settings.grace()("nudge") == dt.timedelta(hours=2)
