"""/report and /export through the dispatcher, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from docx import Document

from handlers import texts
from storage.db import Database
from tests.conftest import Chat, FrozenClock


async def log_some(chat: Chat, clock: FrozenClock) -> None:
    day = dt.timedelta(days=1)
    for text in (
        "走访东坪村3户困难户，了解饮水情况，答应下周回访",
        "上午列席镇党委会，研究防汛工作",
        "石桥村打井项目资金到位30万元",
        "学习《信访条例》，记了笔记",
        "石桥村打井项目出水，村民吃上放心水",
        "体会：基层工作要多到群众家里去",
    ):
        await chat.say(text)
        clock.advance(days=1)
    clock.now -= day  # stay on the last logged day


async def test_report_sends_a_preview_the_questions_and_the_word_draft(
    chat: Chat, cadre: str, clock: FrozenClock
) -> None:
    await log_some(chat, clock)
    reply = await chat.say("/report 中期")
    assert reply.text.startswith("📄 挂职锻炼中期工作小结（2026-06-01 至 2026-07-20，依据 6 条记录）")
    assert "一、基本情况" in reply.text and "走访村1个（东坪村）" in reply.text
    assert reply.extra and reply.extra[0].startswith(texts.REPORT_QUESTIONS_HEADER)
    assert "不足" in reply.extra[0] and "体会" not in reply.extra[0].split("\n", 1)[1].split("2.")[0]
    assert reply.document is not None and reply.document.filename == "王明-挂职锻炼中期工作小结-20260720.docx"
    text = "\n".join(p.text for p in Document(io.BytesIO(reply.document.data)).paragraphs)
    assert "石桥村打井项目：7月17日起跟进2次" in text and "基层工作要多到群众家里去" in text
    assert "【待补充：自身存在的不足】" in text


async def test_report_defaults_to_the_one_due_next(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await log_some(chat, clock)
    assert "中期工作小结" in (await chat.say("/report")).text  # before the posting's midpoint
    clock.now = dt.datetime(2026, 10, 1, 2, tzinfo=dt.UTC)
    assert "挂职锻炼工作总结" in (await chat.say("/report")).text


async def test_month_and_week_reports(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await log_some(chat, clock)
    month = await chat.say("/report 月度 2026-07")
    assert month.text.startswith("📄 2026年7月挂职工作情况报告（2026-07-01 至 2026-07-31")
    week = await chat.say("/report 周")
    assert "挂职工作周报" in week.text and week.document is not None


async def test_export_formats(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await log_some(chat, clock)
    markdown = await chat.say("/export md")
    assert markdown.document is not None and markdown.document.data.decode().startswith("# 挂职锻炼中期工作小结")
    ledger = await chat.say("/export xlsx")
    assert ledger.document is not None and ledger.document.filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(ledger.document.data))
    work, visits = workbook["工作台账"], workbook["走访台账"]
    assert work.max_row == 1 + 6 and work.freeze_panes == "A2" and work.auto_filter.ref
    assert [c.value for c in work[1]][:5] == ["编号", "日期", "类型", "分类", "内容"]
    assert visits.max_row == 2 and visits["C2"].value == "东坪村" and "下周回访" in visits["F2"].value


async def test_empty_week_names_its_period_like_the_draft(chat: Chat, cadre: str) -> None:
    reply = await chat.say("/report 周")
    assert reply.document is None
    assert "挂职工作周报（2026年7月13日至2026年7月15日）" in reply.text


async def test_report_bad_input(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    empty = await chat.say("/report 中期")
    assert empty.text.startswith("2026-06-01 至 2026-07-15 还没有工作记录") and empty.document is None
    await log_some(chat, clock)
    assert (await chat.say("/report 中期 2026-07-10 2026-07-01")).text == texts.REPORT_REVERSED.format(
        start="2026-07-10", end="2026-07-01"
    )
    outside = await chat.say("/report 中期 2025-01-01 2025-02-01")
    assert outside.text.startswith("2025-01-01 至 2025-02-01 不在挂职期间") and outside.document is None
    assert (await chat.say("/report 月度 2026-13")).text == texts.REPORT_BAD_MONTH.format(text="2026-13")
    assert (await chat.say("/report 月度 七月")).text == texts.REPORT_BAD_MONTH.format(text="七月")
    assert (await chat.say("/report 中期 2026-07-01")).text == texts.REPORT_USAGE
    assert (await chat.say("/export pdf")).text == texts.EXPORT_USAGE
    assert (await chat.say("/export")).text == texts.EXPORT_USAGE


async def test_report_with_emoji_and_english(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await chat.say("🎉 Visited 东坪村 with the team, water project OK 👍")
    await chat.say("走访东坪村3户困难户 😀😀")
    reply = await chat.say("/report 中期")
    assert reply.document is not None and "走访村1个（东坪村）" in reply.text


async def test_cadre_without_posting_dates(db: Database, clock: FrozenClock, chat: Chat) -> None:
    from handlers import admin

    async with db.unit_of_work() as uow:
        await admin.add_cadre(
            uow,
            name="王明",
            identities=[("telegram", "51001")],
            host_unit=None,
            position=None,
            sending_unit=None,
            start=None,
            end=None,
            timezone="Asia/Shanghai",
            now=clock(),
        )
        await uow.commit()
    assert (await chat.say("/report")).text == texts.REPORT_NO_POSTING


async def test_star_and_exclude_steer_the_draft(chat: Chat, cadre: str, clock: FrozenClock, db: Database) -> None:
    for text in (
        "上午列席镇党委会，研究防汛工作",
        "下午参加县政府专题会议，汇报防汛准备",
        "参加乡村振兴推进会，交流经验",
        "参加安全生产调度会，部署检查",
        "参加镇村干部例会，安排秋收",
        "列席县委常委会，汇报帮扶工作",
        "参加党政联席会议，研究项目用地",
        "参加全县防汛视频调度会，落实值守",
    ):
        await chat.say(text)
    star = await chat.say("/star 5")
    assert star.text == texts.STARRED.format(seq=5)
    assert (await chat.press("st:4")).text == texts.STARRED.format(seq=4)
    assert (await chat.say("/exclude 1")).text == texts.EXCLUDED.format(seq=1)
    reply = await chat.say("/export md")
    assert reply.document is not None
    markdown = reply.document.data.decode()
    meetings = markdown.split("### ")[1]
    assert "参加安全生产调度会" in meetings and "参加镇村干部例会" in meetings  # starred entries are chosen
    assert meetings.count("是7月15日") == 4  # the rest of the room goes to the best-scored others
    assert "研究防汛工作" not in markdown  # excluded: not even in the appendix
    assert (await chat.say("/exclude 1")).text == texts.INCLUDED.format(seq=1)
    assert (await chat.say("/star 5")).text == texts.UNSTARRED.format(seq=5)
    assert (await chat.say("/star")).text == texts.STAR_USAGE
    assert (await chat.say("/star 99")).text == texts.NOT_FOUND.format(seq=99)
    assert (await chat.say("/exclude x")).text == texts.BAD_NUMBER.format(text="x")


async def test_questions_are_answered_in_chat_and_complete_the_draft(
    chat: Chat, cadre: str, clock: FrozenClock, db: Database
) -> None:
    await chat.say("走访东坪村3户困难户，了解饮水情况")
    first = await chat.say("/report 中期")
    assert first.extra and "还有 3 问" in first.extra[0] and "体会" in first.extra[0]
    second = await chat.say("基层情况要到现场去看，办法在群众中间")
    assert "还有 2 问" in second.text and "不足" in second.text
    assert (await chat.say("/today")).text.startswith("今天")  # commands still work between answers
    third = await chat.say("跳过")
    assert "还有 1 问" in third.text and "打算" in third.text
    done = await chat.say("把东坪村饮水工程收尾")
    assert done.text == texts.REPORT_COMPLETED and done.document is not None
    text = "\n".join(p.text for p in Document(io.BytesIO(done.document.data)).paragraphs)
    assert "一是基层情况要到现场去看，办法在群众中间" in text
    assert "【待补充：自身存在的不足】" in text and "一是把东坪村饮水工程收尾" in text
    # the answers are entries in the cadre's own words; afterwards plain text is captured again
    assert (await chat.say("下午列席镇党委会")).text.startswith("✅ 已记 #")
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None and not person.awaits_answer(clock())
        texts_stored = [
            e.text for e in await uow.entries.between(person.id, dt.date(2026, 6, 1), dt.date(2026, 12, 31))
        ]
    assert (
        "体会：基层情况要到现场去看，办法在群众中间" in texts_stored and "下一步：把东坪村饮水工程收尾" in texts_stored
    )


async def test_unanswered_questions_expire(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await chat.say("走访东坪村3户困难户，了解饮水情况")
    await chat.say("/report 中期")
    clock.advance(days=4)
    assert (await chat.say("上午列席镇党委会")).text.startswith("✅ 已记 #")
