"""The console without a browser: sessions and their expiry, cookies, the CSRF check, scopes, the lock, the
audit log; `admin add-user` / `admin audit` and `python bot.py` serving /console/; and the supervisors' view
made consistent (digest flags, last entry inside the posting, /cadre's one window, heat map states, the console
channel, the supervisor's hint)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.channels.console import ConsoleChannel
from console.web import ConsoleConfig
from handlers import texts
from handlers.messages import Reply
from reporting.digest import day_states
from storage.db import Database
from tests.conftest import SH, Chat, FrozenClock, register_cadre, register_supervisor
from tests.console_site import PASSWORD, MovableClock, Seeder, free_port, migrated_copy, serve_console
from timing.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parents[1]


def local(clock: FrozenClock, *args: int) -> None:
    clock.now = dt.datetime(*args, tzinfo=SH).astimezone(dt.UTC)


def sign_in(client: httpx.Client, login: str, password: str = PASSWORD) -> httpx.Response:
    form = client.get("login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    if "cadrelog_login_csrf" in form.cookies:  # a Secure cookie, which httpx keeps off plain http
        client.cookies.set("cadrelog_login_csrf", form.cookies["cadrelog_login_csrf"])
    return client.post("login", data={"login": login, "password": password, "csrf_token": token.group(1)})


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path) -> tuple[str, MovableClock, Seeder]:
    url = migrated_copy(sqlite_template, tmp_path)
    clock = MovableClock(dt.datetime(2026, 7, 20, 1, 30, tzinfo=dt.UTC))
    seeder = Seeder(url, clock)
    seeder.cadre("51001", "王明", start=dt.date(2026, 6, 1), end=dt.date(2026, 11, 30), batch="第一批")
    seeder.cadre("51002", "赵强", start=dt.date(2026, 6, 1), end=dt.date(2026, 11, 30), batch="第二批")
    seeder.supervisor("52001", "李华", ("51001",))
    seeder.account("zzb", "张科长", "organisation")
    seeder.account("one", "第一批专管员", "organisation", batches=("第一批",))
    seeder.account("lihua", "李华", "supervisor", telegram_id="52001")
    return url, clock, seeder


def test_session_cookie_expiry_logout_and_audit(site: tuple[str, MovableClock, Seeder]) -> None:
    url, clock, _ = site
    config = ConsoleConfig(secure_cookies=True, session_ttl=dt.timedelta(hours=2))
    with serve_console(url, clock, config) as base, httpx.Client(base_url=base) as client:
        assert client.get("").status_code == 303  # not signed in: to the login page
        response = sign_in(client, "zzb")
        assert response.status_code == 303
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie and "Path=/console" in cookie
        client.cookies.set("cadrelog_session", response.cookies["cadrelog_session"])  # Secure: httpx keeps it off http
        page = client.get("")
        assert page.status_code == 200 and "王明" in page.text and "赵强" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        clock.now += dt.timedelta(hours=2, minutes=1)
        expired = client.get("")
        assert expired.status_code == 303 and "expired=1" in expired.headers["location"]
        clock.now -= dt.timedelta(hours=2, minutes=1)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        assert client.post("logout", data={}).status_code == 403  # no CSRF token: nothing happens
        assert client.get("").status_code == 200
        assert client.post("logout", data={"csrf_token": token.group(1)}).status_code == 303
        assert client.get("").status_code == 303  # the session is revoked, though the browser kept its cookie
    with serve_console(url, clock) as base, httpx.Client(base_url=base) as client:
        sign_in(client, "zzb")
        audit = client.get("audit").text
        for action in ("登录", "退出", "查看"):
            assert action in audit
        assert "refused: CSRF token missing or wrong" in audit


def test_scopes_batches_and_supervisor(site: tuple[str, MovableClock, Seeder]) -> None:
    url, clock, _ = site
    with serve_console(url, clock) as base:
        with httpx.Client(base_url=base) as client:
            sign_in(client, "one")
            page = client.get("").text
            assert "王明" in page and "赵强" not in page  # scoped to 第一批
            assert client.get("cadres/2").status_code == 404
            assert client.get("cadres/1").status_code == 200
        with httpx.Client(base_url=base) as client:
            sign_in(client, "lihua")
            assert client.get("cadres/2").status_code == 404 and "赵强" not in client.get("cadres/2").text
            assert client.get("cadres/2/ledgers.xlsx").status_code == 404
            assert client.get("cadres/999999").status_code == 404
            assert client.get("audit").status_code == 404
            ledgers = client.get("cadres/1/ledgers.xlsx")
            assert ledgers.status_code == 200 and ledgers.content[:2] == b"PK"
            assert client.get("cadres/1/report/nonsense").status_code == 404


def test_login_lock_wrong_and_unknown_logins(site: tuple[str, MovableClock, Seeder]) -> None:
    url, clock, _ = site
    with serve_console(url, clock) as base, httpx.Client(base_url=base) as client:
        unknown = sign_in(client, "nobody", "whatever-1")
        wrong = sign_in(client, "zzb", "whatever-1")
        assert unknown.status_code == wrong.status_code == 401
        assert "账号或密码不正确" in unknown.text and "账号或密码不正确" in wrong.text  # nothing tells them apart
        for _ in range(4):
            last = sign_in(client, "zzb", "still-wrong")
        assert last.status_code == 429 and "已锁定" in last.text
        assert sign_in(client, "zzb").status_code == 429  # the right password is refused while locked
        clock.now += dt.timedelta(minutes=16)
        assert sign_in(client, "zzb").status_code == 303  # the lock is served
        assert sign_in(client, "", "").status_code == 401  # an empty form is a failure, not an error
        assert client.post("login", data={"login": "zzb", "password": PASSWORD}).status_code == 403  # no token


def test_admin_add_user_and_audit_on_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING"}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "bot.py", "admin", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = run("add-user", "--login", "zzb", "--name", "张科长", "--role", "organisation", stdin="long-enough-1\n")
    assert made.returncode == 0, made.stderr
    assert "zzb" in made.stdout and "/console/" in made.stdout and "long-enough-1" not in made.stdout
    again = run("add-user", "--login", "zzb", "--name", "张科长", "--role", "organisation", stdin="long-enough-1\n")
    assert again.returncode == 1 and texts.ADMIN_LOGIN_TAKEN.format(login="zzb") in again.stderr
    short = run("add-user", "--login", "x", "--name", "某", "--role", "organisation", stdin="short\n")
    assert short.returncode == 1 and texts.ADMIN_PASSWORD_SHORT.format(length=8) in short.stderr
    bad = run("add-user", "--login", "a b", "--name", "某", "--role", "organisation", stdin="long-enough-1\n")
    assert bad.returncode == 1 and "a b" in bad.stderr
    lone = run("add-user", "--login", "sup", "--name", "李华", "--role", "supervisor", stdin="long-enough-1\n")
    assert lone.returncode == 1 and texts.ADMIN_SUPERVISOR_NEEDS_PERSON in lone.stderr
    stranger = run(
        "add-user",
        "--login",
        "sup",
        "--name",
        "李华",
        "--role",
        "supervisor",
        "--telegram-id",
        "999",
        stdin="long-enough-1\n",
    )
    assert stranger.returncode == 1 and texts.ADMIN_NO_SUPERVISOR.format(external_id="999") in stranger.stderr
    assert run("audit").stdout.strip() == texts.ADMIN_AUDIT_NONE


def test_bot_serves_the_console_and_prints_its_address(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "HTTP_PORT": str(port),
        "CONSOLE_EXPORT_DIR": str(tmp_path),
    }
    bot = subprocess.Popen(
        [sys.executable, "bot.py", "console"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert bot.stdout is not None
        hint = "".join(bot.stdout.readline() for _ in range(4))
        assert f"http://127.0.0.1:{port}/console/" in hint
        for _ in range(600):  # the hint is printed before the server listens; a loaded machine is slow
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/console/login", timeout=5)
                break
            except httpx.TransportError:
                asyncio.run(asyncio.sleep(0.1))
        assert response.status_code == 200 and 'name="login"' in response.text and 'name="password"' in response.text
        assert httpx.get(f"http://127.0.0.1:{port}/console/static/console.css").status_code == 200
    finally:
        bot.kill()  # SIGKILL: nothing to tidy up
        bot.wait(30)


async def test_digest_flags_a_week_without_entries_and_bounds_the_last_entry(
    db: Database, clock: FrozenClock, chat: Chat
) -> None:
    await register_cadre(db, clock, end=dt.date(2026, 7, 15))
    # 赵强's posting began on Thursday: two working days in the week, no entry (fewer than the three of "silent")
    await register_cadre(db, clock, telegram_id="51002", name="赵强", start=dt.date(2026, 7, 16))
    await register_supervisor(db, clock, cadres=("51001", "51002"))
    local(clock, 2026, 7, 13, 18, 0)
    await chat.say("参加镇党委会")
    local(clock, 2026, 7, 17, 18, 0)
    await chat.say("整理石桥村灌溉渠资料")  # after his posting ended on the 15th
    local(clock, 2026, 7, 20, 9, 30)
    text = (await Chat(chat.dispatcher, clock, user="52001").say("/digest")).text
    wang_block = text[text.index("王明") :]
    assert "最后记录：7月13日" in wang_block and "灌溉渠" not in text  # nothing after his posting
    assert "工作日志 1" in wang_block
    assert f"{texts.DIGEST_MARK_FLAGGED} 赵强" in text and texts.DIGEST_FLAG["no_entries"] in text  # never 🟢
    assert "记录 0/2 个工作日" in text


def test_heat_map_tells_days_apart() -> None:
    from storage.entities import Posting

    posting = Posting(1, "镇", "职", "单位", dt.date(2026, 9, 28), dt.date(2026, 12, 31))
    days = [dt.date(2026, 9, 27) + dt.timedelta(days=i) for i in range(15)]  # Sun Sep 27th .. Sun Oct 11th
    counts = [0, 2] + [0] * 13
    leave = {dt.date(2026, 9, 29)}
    states = day_states(posting, counts, leave, days, dt.date(2026, 10, 11), WorkCalendar())
    assert states == [
        "outside",  # before his posting
        "logged",
        "leave",
        "missing",  # Wednesday 30th: a working day without an entry
        *["holiday"] * 2,  # National Day, Thursday and Friday
        *["weekend"] * 2,
        *["holiday"] * 3,  # National Day, Monday to Wednesday
        "missing",  # Thursday 8th
        "missing",  # Friday 9th
        "missing",  # Saturday 10th is a working day (调休)
        "future",  # today
    ]


async def test_console_channel_shows_only_its_own_messages(tmp_path: Path) -> None:
    out = __import__("io").StringIO()
    channel = ConsoleChannel(
        None,
        user_id="52001",
        user_name="李华",
        clock=lambda: dt.datetime.now(dt.UTC),
        hint="",
        on_close=lambda: None,
        export_dir=tmp_path,
        stdout=out,
    )  # type: ignore[arg-type]
    assert await channel.send("51001", Reply("李华点评了你的 #1")) == "failed"  # his cadre's console account
    assert await channel.send("52001", Reply("提醒")) == "sent"
    assert "点评" not in out.getvalue() and "提醒" in out.getvalue()
