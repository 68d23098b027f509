"""The programme's report: a batch's 中期（期满）工作情况汇报 compiled from every cadre's entries, verified, as Word."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from docx import Document

from bot.app import main
from handlers import admin
from handlers.errors import AdminError
from reporting.programme import batch_title, short_host
from reporting.verify import stated
from storage.db import Database
from tests.conftest import Chat, FrozenClock

TODAY = dt.date(2026, 7, 15)
CADRES = (  # name, telegram id, host unit, position, sending unit, batch
    ("王明", "51001", "青山镇人民政府", "党委副书记", "市审计局", "第三批"),
    ("李强", "51002", "石桥镇人民政府", "副镇长", "市财政局", "第三批"),
    ("赵强", "51003", "城关镇人民政府", "副镇长", "市审计局", "第三批"),
    ("孙丽", "51004", "青山镇人民政府", "副镇长", "市教育局", "第四批"),
)
WANG = (
    "6月3日走访东坪村3户困难户，了解饮水情况",
    "6月10日到石桥村走访5户脱贫户，了解就医情况",
    "6月17日参加镇党委会，研究防汛工作",
    "7月2日协调争取饮水工程资金85万元，已到位",
    "6月20日学习《乡村振兴促进法》，做了笔记",
    "昨天参加县政府专题会议，汇报防汛准备",
)
LI = ("6月5日走访凹塘村4户困难户", "6月12日在镇信访办接待来访群众14人次")
SUN = ("6月8日走访上尧村9户困难户",)  # the other batch: must not be counted


async def seed(db: Database, clock: FrozenClock, dispatcher: object) -> None:
    async with db.unit_of_work() as uow:
        for name, telegram_id, host, position, sending, batch in CADRES:
            await admin.add_cadre(
                uow,
                name=name,
                identities=[("telegram", telegram_id)],
                host_unit=host,
                position=position,
                sending_unit=sending,
                start=dt.date(2026, 6, 1),
                end=dt.date(2026, 11, 30),
                timezone="Asia/Shanghai",
                now=clock(),
                batch=batch,
            )
        await uow.commit()
    for user, lines in (("51001", WANG), ("51002", LI), ("51004", SUN)):
        chat = Chat(dispatcher, clock, user=user)  # type: ignore[arg-type]
        for text in lines:
            assert (await chat.say(text)).text.startswith("✅"), text


@pytest.fixture
async def batch(db: Database, clock: FrozenClock, dispatcher: object) -> Database:
    await seed(db, clock, dispatcher)
    return db


def numbers(text: str) -> set[tuple[float, str]]:
    return {(value, unit) for value, unit, _ in stated(text)}


async def test_the_mid_term_report_of_a_batch(batch: Database) -> None:
    async with batch.unit_of_work() as uow:
        draft = await admin.programme_draft(uow, batch="第三批", kind="中期", today=TODAY, signature="中共青山县委组织部")
    body = draft.body_text()
    assert draft.title == "第三批挂职干部中期工作情况汇报"
    assert draft.unverified == 0, body
    assert [s.heading for s in draft.sections] == [
        "基本情况", "主要工作成效", "学习培训情况", "挂职干部工作亮点", "需要关注的问题", "下一步工作安排",
    ]
    # Computed here from the seed, independently of the compiler: three cadres, two sending units twice over …
    opening, basic = draft.opening.text, draft.sections[0].paragraphs[0].text
    assert opening.startswith("第三批3名挂职干部于2026年6月1日起分赴青山镇、石桥镇、城关镇挂职锻炼。")
    assert "累计形成工作记录8条" in opening  # 6 of 王明's and 2 of 李强's; 孙丽 is in another batch
    assert basic.startswith("本批挂职干部共3名，来自2个派出单位，分别在3个单位挂职")
    # 45 days on post each; 31 working days each (6月1日-7月15日, 端午 6月19日 off); 王明 logged 5 (6月20日 is a
    # Saturday), 李强 2
    assert "累计在岗135天，应在岗工作日93天，其中有工作记录的7天，占8%" in basic
    work = draft.sections[1].paragraphs[0].text
    visits = sum(1 for t in WANG + LI if "走访" in t)
    households = 3 + 5 + 4
    assert f"走访调研{visits}次" in work and f"入户走访{households}户" in work
    assert "足迹覆盖东坪村、石桥村、凹塘村3个村（社区）" in work and "上尧村" not in body
    assert "协调争取资金85万元" in work and "接待来访群众14人次" in work
    averages = draft.sections[1].paragraphs[1].text
    assert averages == "平均每名挂职干部有工作记录2.3天，走访调研1次，入户走访4户。"  # 7/3, 3/3, 12/3; 学习 1/3 left out
    assert "学习了《乡村振兴促进法》" in draft.sections[2].paragraphs[0].text
    assert "李强、赵强本期没有学习记录" in draft.sections[2].paragraphs[0].text
    # one highlight line per cadre with records, in the seeds' pattern, from his own entries
    lines = [p.text for p in draft.sections[3].paragraphs]
    assert len(lines) == 2
    assert lines[0].startswith("到青山镇挂职的王明同志，") and "85万元" in lines[0]
    assert lines[1].startswith("到石桥镇挂职的李强同志，")
    assert all(s.text.startswith("王明：") for s in draft.sections[3].paragraphs[0].sources)
    # exceptions: nobody is silent for nothing, everyone without records or report is named
    exceptions = "".join(p.text for p in draft.sections[4].paragraphs)
    assert "赵强本期没有工作记录。" in exceptions
    assert "李强已连续" in exceptions and "个工作日没有工作记录" in exceptions
    assert "王明已连续" not in exceptions
    assert "王明、李强、赵强尚未形成中期工作小结（总结）。" in exceptions
    assert "【待补充：下一步工作安排" in draft.sections[5].paragraphs[0].text
    assert draft.signature_name == "中共青山县委组织部" and draft.signature_date == TODAY
    assert "x" not in body.lower() and "XX" not in body


async def test_every_figure_of_the_final_report(batch: Database) -> None:
    async with batch.unit_of_work() as uow:
        draft = await admin.programme_draft(uow, batch="第三批", kind="期满", today=TODAY)
    assert draft.title == "第三批挂职干部期满工作情况汇报"
    assert draft.signature_name == "【待补充：落款单位】"
    found = {(v, u) for p in draft.paragraphs() for v, u in numbers(p.text) if u not in ("年", "月", "日")}
    # worked out by hand from the seed: 第三批 (3 起), 3 cadres, 2 sending and 3 host units, 3 villages, one month;
    # days 135 / 93 / 7; 3 visits, 12 households, 14 visitors, 85万元; averages 2.3 days, 1 visit, 4 households;
    # study 1 (with notes); 李强 silent for 21 working days (6月15日-7月14日 less 端午); 5户 as 王明 wrote it
    expected = {
        (3.0, "起"), (3.0, "人"), (2.0, "个"), (3.0, "个"), (1.0, "个"), (135.0, "天"), (93.0, "天"), (7.0, "天"),
        (3.0, "次"), (12.0, "户"), (14.0, "人次"), (850000.0, "元"), (2.3, "天"), (1.0, "次"), (4.0, "户"),
        (21.0, "个"), (2.0, "次"), (5.0, "户"),
    }
    assert found == expected


async def test_a_figure_the_records_do_not_give_is_marked(batch: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The verifier runs on the roll-up: were the compiler to state a sum wrong, the sentence is marked."""
    import reporting.programme

    monkeypatch.setattr(reporting.programme, "money_text", lambda yuan: "86万元")
    async with batch.unit_of_work() as uow:
        draft = await admin.programme_draft(uow, batch="第三批", kind="中期", today=TODAY)
    work = draft.sections[1].paragraphs[0]
    assert draft.unverified == 1 and work.unverified == 1
    assert "协调争取资金86万元【待核实】。" in work.text


async def test_refusals(batch: Database) -> None:
    async with batch.unit_of_work() as uow:
        with pytest.raises(AdminError) as unknown:
            await admin.programme_draft(uow, batch="第九批", kind="中期", today=TODAY)
        assert str(unknown.value) == "批次“第九批”没有在岗的挂职干部。已有的批次：第三批、第四批"
        with pytest.raises(AdminError):
            await admin.programme_draft(uow, batch="第三批", kind="年度", today=TODAY)
        with pytest.raises(AdminError):
            await admin.programme_draft(uow, batch="   ", kind="中期", today=TODAY)
        with pytest.raises(AdminError) as early:
            await admin.programme_draft(uow, batch="第三批", kind="中期", today=TODAY, end=dt.date(2026, 5, 1))
        assert "没有可汇报的内容" in str(early.value)
        with pytest.raises(AdminError):
            await admin.programme_document(uow, batch="第三批", kind="中期", today=TODAY, fmt="pdf")


async def test_removed_cadres_are_left_out(batch: Database, clock: FrozenClock) -> None:
    async with batch.unit_of_work() as uow:
        await admin.deactivate(uow, person="赵强", now=clock())
        await uow.commit()
    async with batch.unit_of_work() as uow:
        draft = await admin.programme_draft(uow, batch="第三批", kind="中期", today=TODAY)
        assert await uow.people.batches() == {"第三批": 2, "第四批": 1}
    assert draft.opening.text.startswith("第三批2名挂职干部") and "赵强" not in draft.body_text()


async def test_the_word_document_and_its_review_copy(batch: Database) -> None:
    async with batch.unit_of_work() as uow:
        plain = await admin.programme_document(uow, batch="第三批", kind="中期", today=TODAY, signature="县委组织部")
        review = await admin.programme_document(uow, batch="第三批", kind="中期", today=TODAY, review=True)
    assert plain.filename == "第三批挂职干部中期工作情况汇报-20260715.docx"
    assert review.filename == "第三批挂职干部中期工作情况汇报（审阅稿·附依据）-20260715.docx"
    doc = Document(io.BytesIO(plain.data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "第三批挂职干部中期工作情况汇报"
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[0] == "一、基本情况" and headings[3] == "四、挂职干部工作亮点"
    assert texts[-2:] == ["县委组织部", "2026年7月15日"]
    assert len(doc.comments) == 0
    commented = Document(io.BytesIO(review.data))
    notes = [p.text for c in commented.comments for p in c.paragraphs]
    assert any("王明：" in n for n in notes) and any("李强：" in n for n in notes)


def test_export_programme_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["admin", "add-cadre", "--name", "王明", "--telegram-id", "51001", "--host-unit", "青山镇人民政府",
                 "--position", "党委副书记", "--sending-unit", "市审计局", "--start", "2026-01-01",
                 "--end", "2026-06-30", "--batch", "第一批"]) == 0
    out = tmp_path / "汇报.docx"
    code = main(["export", "programme", "--batch", "第一批", "--kind", "期满", "--unit", "县委组织部", "-o", str(out)])
    assert code == 0 and out.read_bytes()[:2] == b"PK"
    doc = Document(str(out))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "第一批挂职干部期满工作情况汇报"
    assert "王明本期没有工作记录" in body and "2026年6月30日" in body  # the batch's last day, not today
    md = tmp_path / "汇报.md"
    assert main(["export", "programme", "--batch", "第一批", "--kind", "中期", "--format", "md", "-o", str(md)]) == 0
    assert md.read_text(encoding="utf-8").startswith("# 第一批挂职干部中期工作情况汇报")
    capsys.readouterr()
    assert main(["export", "programme", "--batch", "第二批", "--kind", "中期", "-o", str(tmp_path / "x.docx")]) == 1
    assert "已有的批次：第一批" in capsys.readouterr().err and not (tmp_path / "x.docx").exists()


def test_batch_titles_and_host_names() -> None:
    assert batch_title("第三批") == "第三批" and batch_title("3") == "第3批" and batch_title("三") == "第三批"
    assert batch_title("2026年春季") == "2026年春季" and batch_title("2026年第一批") == "2026年第一批"
    assert short_host("青山镇人民政府") == "青山镇" and short_host("县农业农村局") == "县农业农村局"
    assert short_host("人民政府") == "人民政府"
    assert re.fullmatch(r"第.+批", batch_title("十二"))
