"""The console channel and the command-line admin, as a newcomer and an administrator use them."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from bot.app import main
from bot.channels.console import ConsoleChannel
from handlers import admin, build_router, texts
from handlers.context import HandlerSettings
from handlers.router import Dispatcher
from storage.db import Database
from tests.conftest import FrozenClock

ROOT = Path(__file__).resolve().parents[1]


async def test_console_chat_logs_an_entry_and_shows_it_today(db: Database, clock: FrozenClock) -> None:
    async with db.unit_of_work() as uow:
        person = await admin.ensure_console_user(
            uow, as_id=None, timezone="Asia/Shanghai", now=clock(), today=clock().date()
        )
        await uow.commit()
    dispatcher = Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings())
    stdin = io.StringIO("上午走访东坪村3户困难户\n/today\n3\n")
    stdout = io.StringIO()
    closed = []
    console = ConsoleChannel(
        dispatcher,
        user_id="demo",
        user_name=person.name,
        clock=clock,
        hint="hint",
        stdin=stdin,
        stdout=stdout,
        on_close=lambda: closed.append(True),
    )
    await console.run()
    lines = stdout.getvalue().splitlines()
    assert lines[0].startswith("✅ 已记 #1|走访记录|7月15日（今天）|调研走访")
    assert lines[1] == texts.CONSOLE_BUTTONS.format(choices="[1] 改分类  [2] 改类型  [3] ★  [4] 撤销")
    assert lines[2].startswith("今天（7月15日 周三）共 1 条") and "#1 [走访记录" in lines[3]
    # "/today" had no buttons: "3" is then text without letters, not a button press
    assert lines[4:] == [texts.NO_WORDS]
    assert closed == [True]


async def test_console_as_a_registered_cadre(db: Database, clock: FrozenClock) -> None:
    async with db.unit_of_work() as uow:
        await admin.add_cadre(
            uow,
            name="王明",
            identities=[("telegram", "51001")],
            host_unit="青山镇人民政府",
            position="党委副书记",
            sending_unit=None,
            start=dt.date(2026, 6, 1),
            end=dt.date(2026, 11, 30),
            timezone="Asia/Shanghai",
            now=clock(),
        )
        person = await admin.ensure_console_user(
            uow, as_id="51001", timezone="Asia/Shanghai", now=clock(), today=clock().date()
        )
        again = await admin.ensure_console_user(
            uow, as_id="51001", timezone="Asia/Shanghai", now=clock(), today=clock().date()
        )
        await uow.commit()
    assert person.name == "王明" and again.id == person.id


async def test_console_bad_button_number(db: Database, clock: FrozenClock) -> None:
    async with db.unit_of_work() as uow:
        await admin.ensure_console_user(uow, as_id=None, timezone="Asia/Shanghai", now=clock(), today=clock().date())
        await uow.commit()
    dispatcher = Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings())
    stdout = io.StringIO()
    console = ConsoleChannel(
        dispatcher,
        user_id="demo",
        user_name="演示用户",
        clock=clock,
        hint="",
        stdin=io.StringIO("上午开会\n9\n"),
        stdout=stdout,
    )
    await console.run()
    assert stdout.getvalue().splitlines()[-1] == texts.CONSOLE_BAD_CHOICE


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


ADD_CADRE = (
    "admin", "add-cadre", "--name", "王明", "--telegram-id", "51001", "--host-unit", "青山镇人民政府",
    "--start", "2026-06-01", "--end", "2026-11-30",
)
ADD_CADRE += ("--position", "党委副书记")


def test_admin_commands(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        url,
        *ADD_CADRE,
        "--sending-unit",
        "市审计局",
        "--start",
        "2026-06-01",
        "--end",
        "2026-11-30",
    )
    assert code == 0 and out.startswith("已登记挂职干部 王明")
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        url,
        "admin",
        "add-supervisor",
        "--name",
        "李华",
        "--telegram-id",
        "52001",
        "--cadre",
        "51001",
    )
    assert code == 0 and "联系干部：王明" in out
    code, out, _ = run_cli(monkeypatch, capsys, url, "admin", "invite", "--role", "cadre", "--name", "赵强")
    assert code == 0 and out.startswith("邀请码：") and "/start " in out
    code, out, _ = run_cli(monkeypatch, capsys, url, "admin", "list")
    assert code == 0
    assert (
        "王明  挂职干部  telegram:51001" in out
        and "青山镇人民政府 党委副书记 · 派出：市审计局 · 2026-06-01 至 2026-11-30" in out
    )
    assert "李华  督导  telegram:52001" in out and "联系干部：王明" in out
    # refused actions change nothing and say why
    code, _, err = run_cli(monkeypatch, capsys, url, "admin", "add-cadre", "--name", "重复", "--telegram-id", "51001")
    assert code == 1 and "telegram 账号 51001 已被登记" in err
    code, _, err = run_cli(monkeypatch, capsys, url, "admin", "add-supervisor", "--name", "孙", "--cadre", "99999")
    assert code == 1 and "找不到账号（Telegram 或企业微信）为 99999 的挂职干部" in err
    code, _, err = run_cli(
        monkeypatch, capsys, url, "admin", "add-cadre", "--name", "钱", "--start", "2026-06-01", "--end", "2026-05-01"
    )
    assert code == 1 and "早于开始日期" in err
    code, out, _ = run_cli(monkeypatch, capsys, url, "admin", "remove", "--telegram-id", "51001")
    assert code == 0 and out.startswith("已停用 王明")
    code, out, _ = run_cli(monkeypatch, capsys, url, "admin", "list")
    assert "王明  挂职干部（已停用）" in out and "重复" not in out and "孙" not in out


def test_admin_bad_date_is_an_argument_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "bot.py", "admin", "add-cadre", "--name", "王明", "--start", "2026-02-30"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": ""},
        timeout=120,
    )
    assert result.returncode == 2 and "日期格式应为 YYYY-MM-DD" in result.stderr


def test_make_run_opens_the_console_with_a_three_line_hint(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "bot.py", "console"],
        cwd=ROOT,
        input="上午列席镇党委会\n/today\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "PATH": "", "HOME": str(tmp_path)},
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0].startswith("cadrelog 控制台") and len([line for line in lines[:3] if line]) == 3
    assert lines[3].startswith("管理平台：http://127.0.0.1:8080/console/")  # the web console's address, and how to begin
    assert lines[4].startswith("✅ 已记 #1|工作日志")
    assert any(line.startswith("#1 [工作日志·会议] 上午列席镇党委会") for line in lines)
    assert "INFO" not in result.stderr  # the log stays out of the chat


def test_export_report_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'export.db'}"
    run_cli(
        monkeypatch,
        capsys,
        url,
        *ADD_CADRE,
        "--start",
        "2026-01-01",
        "--end",
        "2027-12-31",
    )
    out = tmp_path / "draft.docx"
    code, _, err = run_cli(
        monkeypatch, capsys, url, "export", "report", "--cadre", "51001", "--kind", "中期", "--out", str(out)
    )
    assert code == 1 and "还没有工作记录" in err and not out.exists()  # no empty document
    console = subprocess.run(
        [sys.executable, "bot.py", "console", "--as", "51001"],
        cwd=ROOT,
        input="走访东坪村3户困难户\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={"DATABASE_URL": url, "PATH": "", "HOME": str(tmp_path)},
    )
    assert console.returncode == 0, console.stderr
    code, written, _ = run_cli(
        monkeypatch,
        capsys,
        url,
        "export",
        "report",
        "--cadre",
        "51001",
        "--kind",
        "中期",
        "--format",
        "docx",
        "--out",
        str(out),
    )
    assert code == 0 and written.startswith("已写入") and out.read_bytes()[:2] == b"PK"
    review = tmp_path / "review.docx"
    code, _, _ = run_cli(
        monkeypatch, capsys, url, "export", "report", "--cadre", "51001", "--kind", "中期", "--review", "--out", str(review)
    )
    assert code == 0 and len(Document(str(review)).comments) > 0 and len(Document(str(out)).comments) == 0
    code, _, err = run_cli(monkeypatch, capsys, url, "export", "report", "--cadre", "99", "--out", str(out))
    assert code == 1 and "找不到“99”" in err
