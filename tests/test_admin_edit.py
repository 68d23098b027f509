"""The command line's corrections: add-cadre refusals, edit-cadre, edit-supervisor, remove/reactivate, assign, and
`export report --cadre` by any account or name. Run through `main()` on a real SQLite file, and through the
handlers on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import main
from handlers import admin, texts
from handlers.errors import AdminError
from storage.db import Database
from tests.conftest import Chat, FrozenClock, register_cadre, register_supervisor


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refusing an argument
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


WANG = ("--name", "王明", "--host-unit", "青山镇人民政府", "--position", "党委副书记", "--sending-unit", "市审计局")
DATES = ("--start", "2026-06-01", "--end", "2026-11-30")


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Run:
    """Run `python bot.py …` in-process on one SQLite file; (exit code, stdout, stderr)."""
    url = f"sqlite:///{tmp_path / 'admin.db'}"

    def call(*argv: str) -> tuple[int, str, str]:
        return run_cli(monkeypatch, capsys, url, *argv)

    return call


def test_add_cadre_refuses_what_it_cannot_correct_later(run: Run) -> None:
    code, _, err = run("admin", "add-cadre", *WANG, *DATES)
    assert code == 1 and err.strip() == texts.ADMIN_CADRE_NEEDS_ACCOUNT
    code, _, err = run("admin", "add-cadre", *WANG, "--telegram-id", "51001", "--start", "2026-06-01")
    assert code == 1 and err.strip() == texts.ADMIN_CADRE_NEEDS_DATES
    code, _, err = run("admin", "add-cadre", *WANG, "--telegram-id", "51001", *DATES, "--timezone", "Mars/Olympus")
    assert code in (1, 2) and "Mars/Olympus" in err  # refused by the argument parser or by add_cadre
    code, _, err = run("admin", "add-cadre", *WANG, "--telegram-id", "51001", *DATES, "--host-unit", "镇" * 129)
    assert code == 1 and "挂职单位太长（129 个字）" in err
    code, out, _ = run("admin", "list")
    assert out.strip() == texts.ADMIN_LIST_EMPTY  # nothing of the refused attempts was stored
    code, out, _ = run("admin", "add-cadre", *WANG, "--telegram-id", "51001", *DATES)
    assert code == 0
    # Re-running add-cadre for him says what to use instead, whichever of his accounts is given.
    code, _, err = run("admin", "add-cadre", *WANG, "--telegram-id", "51001", *DATES)
    assert code == 1 and "已被登记为 王明（编号 1）" in err and "admin edit-cadre --cadre 51001" in err
    assert "admin reactivate --person 51001" in err


def test_edit_cadre_by_any_reference_and_what_it_says(run: Run) -> None:
    run("admin", "add-cadre", *WANG, "--telegram-id", "51001", "--wecom-id", "wangming", *DATES)
    code, out, _ = run("admin", "edit-cadre", "--cadre", "wangming", "--end", "2026-12-31")
    assert code == 0 and out.strip() == "已修改 王明（编号 1）：结束日期 2026-11-30 → 2026-12-31"
    code, out, _ = run(
        "admin", "edit-cadre", "--cadre", "王明", "--host-unit", " 石桥镇人民政府 ", "--position", "副镇长",
        "--timezone", "Asia/Urumqi",
    )
    assert code == 0
    assert "时区 Asia/Shanghai → Asia/Urumqi" in out
    assert "挂职单位 青山镇人民政府 → 石桥镇人民政府" in out and "挂任职务 党委副书记 → 副镇长" in out
    code, out, _ = run("admin", "edit-cadre", "--cadre", "#1", "--name", "王 明", "--batch", "第三批")
    assert code == 0 and "姓名 王明 → 王 明" in out and "批次 未填 → 第三批" in out
    code, out, _ = run("admin", "list")
    assert "王 明  挂职干部  telegram:51001 wecom:wangming" in out
    assert "石桥镇人民政府 副镇长 · 派出：市审计局 · 2026-06-01 至 2026-12-31 · 第三批" in out
    # the same values again: nothing changes, and it says so
    code, out, _ = run("admin", "edit-cadre", "--cadre", "51001", "--end", "2026-12-31")
    assert code == 0 and out.strip() == "王 明（编号 1）的信息与所填相同，没有改动。"
    # refusals: a start after the (kept) end, nothing to change, empty or unknown values, nobody by that name
    code, _, err = run("admin", "edit-cadre", "--cadre", "51001", "--start", "2027-01-01")
    assert code == 1 and err.strip() == "结束日期 2026-12-31 早于开始日期 2027-01-01。"
    code, _, err = run("admin", "edit-cadre", "--cadre", "51001")
    assert code == 1 and err.strip() == texts.ADMIN_NOTHING_TO_EDIT
    code, _, err = run("admin", "edit-cadre", "--cadre", "51001", "--sending-unit", "  ")
    assert code == 1 and err.strip() == "派出单位不能为空。"
    code, _, err = run("admin", "edit-cadre", "--cadre", "51001", "--timezone", "../etc/passwd")
    assert code in (1, 2) and "../etc/passwd" in err
    code, _, err = run("admin", "edit-cadre", "--cadre", "张三", "--end", "2026-12-31")
    assert code == 1 and err.strip().startswith("找不到“张三”")
    code, _, err = run("admin", "edit-cadre", "--cadre", "51001", "--end", "2026-13-01")
    assert code == 2 and "YYYY-MM-DD" in err
    code, out, _ = run("admin", "list")
    assert "2026-06-01 至 2026-12-31" in out and "2027" not in out  # the refusals changed nothing


def test_supervisor_edit_assign_unassign_and_reactivate(run: Run) -> None:
    run("admin", "add-cadre", *WANG, "--telegram-id", "51001", *DATES)
    code, out, _ = run("admin", "add-cadre", "--name", "赵强", "--wecom-id", "zhaoqiang", *DATES, "--batch", " 第三批 ")
    assert code == 0
    code, _, _ = run("admin", "add-supervisor", "--name", "李华", "--telegram-id", "52001", "--cadre", "51001")
    assert code == 0
    code, out, _ = run("admin", "assign", "--supervisor", "李华", "--cadre", "zhaoqiang")
    assert code == 0 and out.strip() == "已安排督导 李华 联系挂职干部 赵强。"
    code, out, _ = run("admin", "assign", "--supervisor", "52001", "--cadre", "赵强")
    assert out.strip() == "督导 李华 已在联系挂职干部 赵强，没有改动。"
    code, _, err = run("admin", "assign", "--supervisor", "王明", "--cadre", "赵强")
    assert code == 1 and "王明（编号 1）是挂职干部，不是督导。" in err
    code, out, _ = run("admin", "list")
    assert "联系干部：王明、赵强" in out
    code, out, _ = run("admin", "unassign", "--supervisor", "李华", "--cadre", "51001")
    assert code == 0 and out.strip() == "已取消督导 李华 与挂职干部 王明 的联系。"
    code, out, _ = run("admin", "unassign", "--supervisor", "李华", "--cadre", "51001")
    assert out.strip() == "督导 李华 没有联系挂职干部 王明，没有改动。"
    code, out, _ = run("admin", "list")
    assert "联系干部：赵强" in out
    code, out, _ = run("admin", "edit-supervisor", "--supervisor", "52001", "--name", "李晓华", "--timezone", "Asia/Urumqi")
    assert code == 0 and "姓名 李华 → 李晓华" in out and "时区 Asia/Shanghai → Asia/Urumqi" in out
    # remove and reactivate, by name
    code, out, _ = run("admin", "remove", "--person", "赵强")
    assert code == 0 and out.startswith("已停用 赵强")
    code, out, _ = run("admin", "remove", "--person", "zhaoqiang")
    assert out.strip() == "赵强（编号 2）已经停用。"
    code, out, _ = run("admin", "reactivate", "--person", "赵强")
    assert code == 0 and out.strip() == "已恢复 赵强（编号 2），可以继续记录和接收提醒。"
    code, out, _ = run("admin", "reactivate", "--person", "赵强")
    assert out.strip() == "赵强（编号 2）没有停用，无需恢复。"
    code, out, _ = run("admin", "list")
    assert "赵强  挂职干部  wecom:zhaoqiang" in out and "（已停用）" not in out
    assert "2026-06-01 至 2026-11-30 · 第三批" in out


async def test_two_cadres_of_one_name_are_told_apart(db: Database, clock: FrozenClock) -> None:
    await register_cadre(db, clock, telegram_id="51001")
    await register_cadre(db, clock, telegram_id="51002")
    async with db.unit_of_work() as uow:
        with pytest.raises(AdminError) as refused:
            await admin.edit_cadre(uow, cadre="王明", now=clock(), end=dt.date(2026, 12, 31))
        assert str(refused.value) == (
            "有 2 名挂职干部叫“王明”，请改用账号或编号指定：#1（telegram:51001）；#2（telegram:51002）"
        )
        said = await admin.edit_cadre(uow, cadre="#2", now=clock(), end=dt.date(2026, 12, 31))
        assert said.startswith("已修改 王明（编号 2）")
        for bad in ("", "   ", "#", "#99", "#999999999999999999999"):
            with pytest.raises(AdminError):
                await admin.find_person(uow, bad)


async def test_new_dates_warn_of_entries_outside_them(db: Database, clock: FrozenClock, chat: Chat) -> None:
    await register_cadre(db, clock)
    for text in ("6月3日走访东坪村3户困难户", "7月10日参加镇党委会", "昨天到石桥村调研饮水工程"):
        await chat.say(text)
    async with db.unit_of_work() as uow:
        said = await admin.edit_cadre(uow, cadre="51001", now=clock(), start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 12))
        await uow.commit()
    assert "开始日期 2026-06-01 → 2026-07-01" in said and "结束日期 2026-11-30 → 2026-07-12" in said
    assert "有 1 条记录早于新的开始日期 2026-07-01" in said
    assert "有 1 条记录晚于新的结束日期 2026-07-12" in said
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
    assert person is not None and person.posting is not None
    assert (person.posting.start_date, person.posting.end_date) == (dt.date(2026, 7, 1), dt.date(2026, 7, 12))


async def test_a_reactivated_cadre_is_heard_again(db: Database, clock: FrozenClock, chat: Chat) -> None:
    await register_cadre(db, clock)
    await register_supervisor(db, clock)
    async with db.unit_of_work() as uow:
        await admin.deactivate(uow, person="51001", now=clock())
        await uow.commit()
    assert (await chat.say("走访东坪村3户困难户")).text == texts.ACCOUNT_REMOVED
    async with db.unit_of_work() as uow:
        assert await admin.reactivate(uow, person="王明") == "已恢复 王明（编号 1），可以继续记录和接收提醒。"
        await uow.commit()
    reply = await chat.say("走访东坪村3户困难户")
    assert reply.text.startswith("✅ 已记 #1")
    async with db.unit_of_work() as uow:
        supervisor = await uow.people.by_identity("telegram", "52001")
        assert supervisor is not None
        assert [c.name for c in await uow.people.supervised_by(supervisor.id)] == ["王明"]  # assignments kept


async def test_a_person_folded_by_link_cannot_be_reactivated(db: Database, clock: FrozenClock) -> None:
    await register_cadre(db, clock)
    async with db.unit_of_work() as uow:
        other = await uow.people.add(name="王明（企业微信）", role="cadre", timezone="Asia/Shanghai", now=clock())
        await uow.people.add_identity(other.id, "wecom", "wangming", clock())
        await admin.link_identities(uow, telegram_id="51001", wecom_id="wangming", now=clock())
        await uow.commit()
    async with db.unit_of_work() as uow:
        with pytest.raises(AdminError) as refused:
            await admin.reactivate(uow, person=f"#{other.id}")
    assert "已没有任何账号" in str(refused.value)


def test_export_report_takes_any_account_or_the_name(run: Run, tmp_path: Path) -> None:
    run("admin", "add-cadre", *WANG, "--wecom-id", "wangming", "--start", "2026-01-01", "--end", "2027-12-31")
    out = tmp_path / "r.docx"
    for ref in ("wangming", "王明", "#1"):
        code, _, err = run("export", "report", "--cadre", ref, "--kind", "中期", "--out", str(out))
        assert code == 1 and "还没有工作记录" in err  # found him: only the records are missing
    code, _, err = run("export", "report", "--cadre", "李四", "--out", str(out))
    assert code == 1 and err.strip().startswith("找不到“李四”") and not out.exists()
