"""The organisation department's place list: `admin places import|list` on a real database, the /week line
and the digest's flag for villages not visited yet."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from analysis.places import MAX_LINE_CHARS
from handlers import admin, build_router, texts
from handlers.context import HandlerSettings
from handlers.router import Dispatcher
from storage.db import Database
from storage.entities import Place
from tests.conftest import SH, Chat, FrozenClock, register_cadre, register_supervisor
from tests.test_console_and_cli import ADD_CADRE, run_cli

PLACES_CSV = (
    "名称,类型,简称\n石桥村,村,石桥\n上尧村,村,\n凹塘村,村,凹塘\n东坪村,村\n青山食品有限公司,企业,青山食品；青山公司\n"
)
NOW = dt.datetime(2026, 7, 15, 10, 0, tzinfo=SH)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8-sig") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def stored(url: str, telegram_id: str = "51001") -> list[Place]:
    async def read() -> list[Place]:
        db = Database(url)
        try:
            async with db.unit_of_work() as uow:
                person = await uow.people.by_identity("telegram", telegram_id)
                assert person is not None
                return await uow.places.of(person.id)
        finally:
            await db.dispose()

    return asyncio.run(read())


def say(url: str, *messages: str) -> None:
    """The cadre 51001 writes these, on 2026-07-15 at 10:00 in Shanghai."""

    async def run() -> None:
        db = Database(url)
        try:
            chat = Chat(
                Dispatcher(build_router(), db.unit_of_work, FrozenClock(NOW), HandlerSettings()), FrozenClock(NOW)
            )
            for message in messages:
                await chat.say(message)
        finally:
            await db.dispose()

    asyncio.run(run())


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str], str]:
    code, _, err = run_cli(monkeypatch, capsys, database_url, *ADD_CADRE, "--wecom-id", "wangming")
    assert code == 0, err
    return monkeypatch, capsys, database_url


def test_import_and_list(cli: tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str], str], tmp_path: Path) -> None:
    url = cli[2]
    code, out, err = run_cli(
        *cli, "admin", "places", "import", "--cadre", "51001", write(tmp_path, "a.csv", PLACES_CSV)
    )
    assert code == 0, err
    assert out.strip() == texts.PLACES_IMPORTED.format(
        name="王明", id=1, total=5, added=5, updated=0, renamed=0, unchanged=0
    )
    assert [(p.name, p.type, p.aliases, p.source) for p in stored(url)] == [
        ("石桥村", "village", ("石桥",), "imported"),
        ("上尧村", "village", (), "imported"),
        ("凹塘村", "village", ("凹塘",), "imported"),
        ("东坪村", "village", (), "imported"),
        ("青山食品有限公司", "enterprise", ("青山食品", "青山公司"), "imported"),
    ]
    say(url, "走访东坪村3户困难户", "在石桥开会，研究打井", "去大湾村走访监测户", "到青山食品座谈用工", "去大湾村回访")
    code, out, _ = run_cli(*cli, "admin", "places", "list", "--cadre", "wangming")  # a WeCom id works as well
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == texts.PLACES_LIST_HEADER.format(name="王明", id=1, imported=5, learned=1)
    assert "  石桥村  村  导入  提及 1 条  简称：石桥" in lines
    assert "  上尧村  村  导入  提及 0 条" in lines
    assert "  青山食品有限公司  企业  导入  提及 1 条  简称：青山食品、青山公司" in lines
    assert "  大湾村  村  识别  提及 2 条" in lines
    assert lines[-1] == texts.PLACES_LIST_UNVISITED.format(count=2, total=4, names="上尧村、凹塘村")


def test_reimport_updates_and_corrects_a_name(
    cli: tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str], str], tmp_path: Path
) -> None:
    url = cli[2]
    run_cli(*cli, "admin", "places", "import", "--cadre", "51001", write(tmp_path, "a.csv", PLACES_CSV))
    first = {p.name: p for p in stored(url)}
    # 上尧村 was misspelt: the right name, with the old one as a short form; 石桥村 gets another short form
    fixed = "名称,类型,简称\n上瑶村,村,上尧村\n石桥村,村,石桥、石桥头\n凹塘村,村,凹塘\n中川村,村\n"
    code, out, err = run_cli(*cli, "admin", "places", "import", "--cadre", "51001", write(tmp_path, "b.csv", fixed))
    assert code == 0, err
    assert out.strip() == texts.PLACES_IMPORTED.format(
        name="王明", id=1, total=4, added=1, updated=1, renamed=1, unchanged=1
    )
    after = {p.name: p for p in stored(url)}
    assert list(after) == ["石桥村", "上瑶村", "凹塘村", "东坪村", "青山食品有限公司", "中川村"]
    assert after["上瑶村"].aliases == ("上尧村",) and after["上瑶村"].created_at == first["上尧村"].created_at
    assert after["石桥村"].aliases == ("石桥", "石桥头")


def test_gbk_file_from_a_chinese_windows(
    cli: tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str], str], tmp_path: Path
) -> None:
    path = write(tmp_path, "gbk.csv", PLACES_CSV.replace("；", ";"), encoding="gbk")
    code, _, err = run_cli(*cli, "admin", "places", "import", "--cadre", "51001", path)
    assert code == 0, err
    assert [p.name for p in stored(cli[2])][:2] == ["石桥村", "上尧村"]


@pytest.mark.parametrize(
    ("content", "told"),
    [
        ("名称,类型,简称\n石桥村,村,石桥\n,村,\n", ["第 3 行：名称为空。"]),
        ("名称,类型,简称\n石桥村,村\n中川村,乡村\n", ["第 3 行：类型“乡村”不认识"]),
        ("名称,类型,简称\n石桥村,村\n东坪村,村\n石桥村,村\n", ["第 4 行：“石桥村”与第 2 行重复。"]),
        (f"名称,类型,简称\n石桥村,村\n{'大' * MAX_LINE_CHARS},村\n", ["第 3 行：这一行太长（502 个字符）"]),
        ("村名,说明\n石桥村,好\n", ["第 1 行：第一行应为表头“名称,类型,简称”"]),
        ("名称,类型,简称\n🙂,村\n东坪村,县城\n", ["第 2 行：名称“🙂”太短", "第 3 行：类型“县城”不认识"]),
    ],
)
def test_a_bad_file_imports_nothing_and_says_where(
    cli: tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str], str], tmp_path: Path, content: str, told: list[str]
) -> None:
    code, out, err = run_cli(*cli, "admin", "places", "import", "--cadre", "51001", write(tmp_path, "bad.csv", content))
    assert code == 1 and out == ""
    assert err.startswith("地名表有 ") and "什么也没有导入" in err
    for line in told:
        assert line in err
    assert stored(cli[2]) == []


def test_nobody_and_nothing_to_read(
    cli: tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str], str], tmp_path: Path
) -> None:
    good = write(tmp_path, "a.csv", PLACES_CSV)
    code, _, err = run_cli(*cli, "admin", "places", "import", "--cadre", "99999", good)
    assert code == 1 and err.strip() == texts.ADMIN_NO_SUCH_CADRE.format(external_id="99999")
    code, _, err = run_cli(*cli, "admin", "places", "list", "--cadre", "99999")
    assert code == 1 and err.strip() == texts.ADMIN_NO_SUCH_CADRE.format(external_id="99999")
    code, _, err = run_cli(*cli, "admin", "places", "import", "--cadre", "51001", str(tmp_path / "none.csv"))
    assert code == 1 and err.startswith("读不了地名表")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2_000_000)
    code, _, err = run_cli(*cli, "admin", "places", "import", "--cadre", "51001", str(big))
    assert code == 1 and "文件太大" in err
    assert stored(cli[2]) == []
    code, out, _ = run_cli(*cli, "admin", "places", "list", "--cadre", "51001")
    assert code == 0 and out.strip() == texts.PLACES_LIST_EMPTY.format(name="王明", id=1)


# -- /week and the digest ---------------------------------------------------------------------------


async def import_for(db: Database, clock: FrozenClock, telegram_id: str, text: str = PLACES_CSV) -> None:
    async with db.unit_of_work() as uow:
        await admin.import_places(uow, cadre=telegram_id, data=text.encode(), now=clock())
        await uow.commit()


async def test_week_says_which_villages_are_not_visited(
    db: Database, clock: FrozenClock, chat: Chat, cadre: str
) -> None:
    await chat.say("走访东坪村3户困难户")
    assert "尚未走访" not in (await chat.say("/week")).text  # no list imported: nothing to tell
    await import_for(db, clock, cadre)
    lines = (await chat.say("/week")).text.splitlines()
    assert lines[-1] == texts.PLACES_UNVISITED.format(names="石桥村、上尧村、凹塘村")
    clock.advance(days=7)  # a new week, nothing written in it yet
    assert (await chat.say("/week")).text.splitlines()[-1] == "尚未走访：石桥村、上尧村、凹塘村"
    await chat.say("在石桥开会")  # a short form counts
    await chat.say("到凹塘村村委座谈")
    await chat.say("上尧村村民反映吃水难")
    assert (await chat.say("/week")).text.splitlines()[-1] == texts.PLACES_ALL_VISITED.format(count=4)


async def test_week_does_not_count_someone_elses_visits(
    db: Database, clock: FrozenClock, chat: Chat, cadre: str
) -> None:
    await register_cadre(db, clock, telegram_id="51002", name="赵强")
    await import_for(db, clock, cadre)
    await Chat(chat.dispatcher, clock, user="51002").say("走访石桥村、上尧村、凹塘村、东坪村")
    await chat.say("上午列席镇党委会")
    assert (await chat.say("/week")).text.splitlines()[-1] == "尚未走访：石桥村、上尧村、凹塘村、东坪村"


async def test_digest_flags_villages_not_visited(db: Database, clock: FrozenClock, chat: Chat, cadre: str) -> None:
    await register_supervisor(db, clock)
    boss = Chat(chat.dispatcher, clock, user="52001")
    await chat.say("走访东坪村3户困难户")
    text = (await boss.say("/digest")).text
    assert "🟡" not in text  # no imported list, no flag
    await import_for(db, clock, cadre)
    text = (await boss.say("/digest")).text
    assert texts.DIGEST_UNVISITED.format(count=3, names="石桥村、上尧村、凹塘村") in text.splitlines()
    assert "🟡 3个村尚未走访" in text
    one = (await boss.say("/cadre 王明")).text
    assert "🟡 3个村尚未走访" in one
