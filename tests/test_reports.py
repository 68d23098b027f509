"""/report and /export through the dispatcher, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st

from handlers import reports, texts
from storage.db import Database
from tests.conftest import SH, Chat, FrozenClock


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


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


async def test_report_sends_a_preview_the_questions_and_the_word_draft(
    chat: Chat, cadre: str, clock: FrozenClock
) -> None:
    await log_some(chat, clock)
    reply = await chat.say("/report 中期")
    assert reply.text.startswith("📄 挂职锻炼中期工作小结（6月1日 至 7月20日，依据 6 条记录）")
    lines = reply.text.splitlines()
    assert lines[1] == "一、基本情况" and "东坪村" in lines[2]  # the opening figures, then the headings
    assert "二、主要工作开展情况" in lines and "六、下一步打算" in lines
    assert texts.REPORT_PREVIEW_REVIEW_HINT in lines
    assert reply.extra and reply.extra[0].startswith(texts.REPORT_QUESTIONS_HEADER)
    assert "不足" in reply.extra[0] and "体会" not in reply.extra[0].split("\n", 1)[1].split("2.")[0]
    assert reply.document is not None and reply.document.filename == "王明-挂职锻炼中期工作小结-20260720.docx"
    submission = Document(io.BytesIO(reply.document.data))
    text = docx_text(reply.document.data)
    assert "石桥村打井项目" in text and "基层工作要多到群众家里去" in text
    assert "【待补充：自身存在的不足】" in text and text.endswith("王明\n2026年7月20日")
    assert len(submission.comments) == 0 and "附件" not in text and "#3" not in text


async def test_report_with_yiju_sends_the_review_copy(chat: Chat, cadre: str, clock: FrozenClock, db: Database) -> None:
    await log_some(chat, clock)
    reply = await chat.say("/report 中期 依据")
    assert reply.document is not None
    assert reply.document.filename == "王明-挂职锻炼中期工作小结（审阅稿·附依据）-20260720.docx"
    assert texts.REPORT_PREVIEW_REVIEW_FOOTER in reply.text and texts.REPORT_PREVIEW_REVIEW_HINT not in reply.text
    review = Document(io.BytesIO(reply.document.data))
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None
        logged = await uow.entries.between(person.id, dt.date(2026, 6, 1), dt.date(2026, 12, 31))
    dates = {e.seq: e.work_date for e in logged}
    notes = [c.text for c in review.comments]
    assert notes and all(c.author == "挂职工作助手" for c in review.comments)
    cited = set()
    for note in notes:
        for line in note.splitlines():
            if line.startswith("#"):
                seq, day = line.split()[:2]
                cited.add(int(seq[1:]))
                when = dates[int(seq[1:])]
                assert day == f"{when.month}月{when.day}日"  # the entry's own date, not the report's
    assert {3, 5} <= cited and cited <= set(dates)  # the well project's two entries are cited
    # each comment sits on the paragraph that tells its entries: the well's two entries on the paragraph of the well
    anchored = {}
    for paragraph in review.paragraphs:
        starts = paragraph._p.findall(qn("w:commentRangeStart"))
        if starts:
            note = review.comments.get(int(starts[0].get(qn("w:id"))))
            assert note is not None and paragraph.text.strip()
            anchored[paragraph.text] = note.text
    assert len(anchored) == len(notes)
    assert any("打井" in text and "#3 7月17日" in note and "#5 7月19日" in note for text, note in anchored.items())
    assert all("#6 " in note for text, note in anchored.items() if "基层工作要多到群众家里去" in text)
    submission = (await chat.say("/report 中期")).document
    assert submission is not None and docx_text(reply.document.data) == docx_text(submission.data)
    glued = await chat.say("/report 中期依据")
    assert glued.document is not None and "审阅稿" in glued.document.filename
    first = await chat.say("/report 依据 中期 2026-07-15 2026-07-17")  # the word may stand anywhere
    assert first.document is not None and "审阅稿" in first.document.filename
    assert first.text.startswith("📄 挂职锻炼中期工作小结（7月15日 至 7月17日，依据 3 条记录）")


async def test_preview_counts_what_the_verifier_marked_and_removed() -> None:
    from handlers.reports import ReportRequest, preview
    from reporting.model import Paragraph, ReportDraft, Section

    draft = ReportDraft(
        kind="month",
        title="2026年7月挂职工作情况报告",
        opening=Paragraph("现将7月工作报告如下："),
        sections=(Section("主要工作", (Paragraph("走访东坪村【待核实】。", unverified=1),)),),
        closing=Paragraph("以上报告，请审阅。"),
        signature_name="王明",
        signature_date=dt.date(2026, 8, 1),
        unverified=2,
        dropped=3,
        source_seqs=(1, 2),
    )
    request = ReportRequest("month", dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    text = preview(draft, request)
    assert texts.REPORT_PREVIEW_UNVERIFIED.format(n=2) in text and texts.REPORT_PREVIEW_DROPPED.format(n=3) in text
    assert text.startswith("📄 2026年7月挂职工作情况报告（7月1日 至 7月31日，依据 2 条记录）\n一、主要工作")
    clean = preview(dataclasses.replace(draft, unverified=0, dropped=0), request)
    assert "【待核实】" not in clean and "删去" not in clean


async def test_report_defaults_to_the_one_due_next(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await log_some(chat, clock)
    assert "中期工作小结" in (await chat.say("/report")).text  # before the posting's midpoint
    clock.now = dt.datetime(2026, 10, 1, 2, tzinfo=dt.UTC)
    assert "挂职锻炼工作总结" in (await chat.say("/report")).text


async def test_month_and_week_reports(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await log_some(chat, clock)
    month = await chat.say("/report 月度 2026-07")
    assert month.text.startswith("📄 2026年7月挂职工作情况报告（7月1日 至 7月31日")
    week = await chat.say("/report 周")
    assert "挂职工作周报" in week.text and week.document is not None


async def test_export_formats(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await log_some(chat, clock)
    markdown = await chat.say("/export md")
    assert markdown.document is not None and markdown.document.data.decode().startswith("# 挂职锻炼中期工作小结")
    assert "依据记录" not in markdown.document.data.decode()
    review_md = await chat.say("/export md 依据")
    assert review_md.document is not None and "审阅稿" in review_md.document.filename
    assert "> 依据记录" in review_md.document.data.decode()
    review_docx = await chat.say("/export 依据 docx")
    assert review_docx.document is not None and review_docx.document.filename.endswith("（审阅稿·附依据）-20260720.docx")
    assert len(Document(io.BytesIO(review_docx.document.data)).comments) > 0
    ledger = await chat.say("/export xlsx")
    assert ledger.document is not None and ledger.document.filename == "王明-工作台账-20260720.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(ledger.document.data))
    work, visits = workbook["工作台账"], workbook["走访台账"]
    assert work["A1"].value == "王明同志挂职工作台账（2026年6月1日至7月20日）"
    assert work.max_row == 3 + 6 and work.freeze_panes == "A4" and work.auto_filter.ref
    assert [c.value for c in work[3]][:5] == ["序号", "日期", "类型", "分类", "工作内容"]
    assert [c.value for c in work["A"][3:]] == [1, 2, 3, 4, 5, 6]
    assert visits.max_row == 4 and visits["C4"].value == "东坪村" and "下周回访" in visits["F4"].value


async def test_empty_week_names_its_period_like_the_draft(chat: Chat, cadre: str) -> None:
    reply = await chat.say("/report 周")
    assert reply.document is None
    assert "挂职工作周报（2026年7月13日至2026年7月15日）" in reply.text


async def test_report_bad_input(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    empty = await chat.say("/report 中期")
    assert empty.text.startswith("6月1日 至 7月15日（今天） 还没有工作记录") and empty.document is None
    await log_some(chat, clock)
    assert (await chat.say("/report 中期 2026-07-10 2026-07-01")).text == texts.REPORT_REVERSED.format(
        start="7月10日", end="7月1日"
    )
    outside = await chat.say("/report 中期 2025-01-01 2025-02-01")
    assert outside.text.startswith("2025年1月1日 至 2025年2月1日 不在挂职期间") and outside.document is None
    assert (await chat.say("/report 月度 2026-13")).text == texts.REPORT_BAD_MONTH.format(text="2026-13")
    assert (await chat.say("/report 月度 七月")).text == texts.REPORT_BAD_MONTH.format(text="七月")
    assert (await chat.say("/report 中期 2026-07-01")).text == texts.REPORT_USAGE
    assert (await chat.say("/export pdf")).text == texts.EXPORT_USAGE
    assert (await chat.say("/export")).text == texts.EXPORT_USAGE


async def test_report_with_emoji_and_english(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    await chat.say("🎉 Visited 东坪村 with the team, water project OK 👍")
    await chat.say("走访东坪村3户困难户 😀😀")
    reply = await chat.say("/report 中期")
    assert reply.document is not None and "东坪村" in reply.text.splitlines()[2]  # the opening figures


async def test_cadre_without_posting_dates(db: Database, clock: FrozenClock, chat: Chat) -> None:
    async with db.unit_of_work() as uow:  # as an invite leaves him: admin add-cadre requires the dates
        person = await uow.people.add(name="王明", role="cadre", timezone="Asia/Shanghai", now=clock())
        await uow.people.add_identity(person.id, "telegram", "51001", clock())
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
    reply = await chat.say("/export md 依据")
    assert reply.document is not None
    markdown = reply.document.data.decode()
    assert "镇村干部例会" in markdown and "安全生产调度会" in markdown  # starred entries are told
    assert "研究防汛工作" not in markdown and "> #1 " not in markdown  # excluded: not told, not even as a source
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
    text = docx_text(done.document.data)
    assert "基层情况要到现场去看，办法在群众中间" in text
    assert "【待补充：自身存在的不足】" in text and "把东坪村饮水工程收尾" in text
    assert "【待补充：挂职以来的两三点体会】" not in text and "【待补充：下一步工作打算】" not in text
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


async def test_answers_are_his_own_words_not_visits_and_stay_in_the_period(
    chat: Chat, cadre: str, clock: FrozenClock, db: Database
) -> None:
    from analysis.roles import entry_role

    await chat.say("走访东坪村3户困难户，了解饮水情况")
    clock.now = dt.datetime(2026, 8, 3, 2, tzinfo=dt.UTC)  # the July report, written in August
    month = await chat.say("/report 月度 2026-07")
    assert month.extra and "下一阶段您打算重点做哪几件事" in month.extra[0]
    assert (await chat.say("😀😀")).text == texts.NO_WORDS  # refused; the question stays open
    done = await chat.say("6月3日走访东坪村时答应回访，下月入户走访上尧村5户困难户")
    assert done.text == texts.REPORT_COMPLETED and done.document is not None
    assert "入户走访上尧村5户困难户" in docx_text(done.document.data)
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None
        stored = (await uow.entries.between(person.id, dt.date(2026, 6, 1), dt.date(2026, 12, 31)))[-1]
    assert stored.text == "下一步：6月3日走访东坪村时答应回访，下月入户走访上尧村5户困难户"
    assert stored.kind == "log" and stored.status == "active" and entry_role(stored.text) == "next_steps"
    assert stored.work_date == dt.date(2026, 7, 31)  # inside the July report, not June 3rd nor August 3rd


async def test_questions_stored_under_the_old_keys_are_still_answered(
    chat: Chat, cadre: str, clock: FrozenClock, db: Database
) -> None:
    from handlers.reports import QUESTIONS_STATE

    await chat.say("走访东坪村3户困难户，了解饮水情况")
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None
        payload = {"keys": ["shortcomings", "plans"], "kind": "mid", "start": "2026-06-01", "end": "2026-07-15"}
        await uow.conversations.set(person.id, QUESTIONS_STATE, payload, clock() + dt.timedelta(days=1))
        await uow.commit()
    assert "还有 1 问" in (await chat.say("跳过")).text
    done = await chat.say("把东坪村饮水工程收尾")
    assert done.text == texts.REPORT_COMPLETED
    async with db.unit_of_work() as uow:
        stored = (await uow.entries.between(person.id, dt.date(2026, 6, 1), dt.date(2026, 12, 31)))[-1]
    assert stored.text == "下一步：把东坪村饮水工程收尾" and stored.kind == "log"


@given(st.lists(st.text(alphabet="依据审阅稿中期月度2026-07 ", max_size=8), max_size=6))
def test_the_review_word_is_found_anywhere_and_never_left_behind(words: list[str]) -> None:
    from handlers.reports import review_requested

    kept, review = review_requested(words)
    assert review == any(w in word for word in words for w in texts.REPORT_REVIEW_WORDS)
    assert all(word and not any(w in word for w in texts.REPORT_REVIEW_WORDS) for word in kept)
    if not review:
        assert kept == [word for word in words if word]


async def test_the_visit_ledger_follows_each_promise_through_the_done_button(
    chat: Chat, cadre: str, clock: FrozenClock
) -> None:
    await chat.say("走访东坪村3户困难户，反映饮水困难，答应下周回访")  # #1, due 2026-07-20
    await chat.say("走访石桥村脱贫户张某某家，反映道路泥泞出行难，答应7月16日前协调修路")  # #2, due 2026-07-16
    clock.advance(days=3)  # 2026-07-18
    assert (await chat.press("pm:1:0:done")).text == texts.PROMISE_DONE.format(promise="答应下周回访")
    ledger = await chat.say("/export xlsx")
    assert ledger.document is not None
    visits = openpyxl.load_workbook(io.BytesIO(ledger.document.data))["走访台账"]
    rows = [[c.value for c in row] for row in visits.iter_rows(min_row=4)]
    assert [r[-1] for r in rows] == ["#1", "#2"]
    assert rows[0][5:8] == ["答应下周回访", "已办结", "2026年7月18日"]  # the day the button was pressed
    assert rows[1][6] == "已逾期（应于2026年7月16日前办结）" and rows[1][7] is None


def test_each_answer_label_is_read_back_as_its_section() -> None:
    from analysis.roles import OWN_WORDS, entry_role, strip_label

    assert set(texts.REPORT_ANSWER_LABELS) == set(OWN_WORDS) == set(texts.REPORT_OWN_QUESTIONS)
    for role, label in texts.REPORT_ANSWER_LABELS.items():
        for answer in ("走访东坪村时答应回访", "明天去石桥村", "😀 多到群众家里去"):
            assert entry_role(f"{label}\uff1a{answer}") == role and strip_label(f"{label}\uff1a{answer}") == answer


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_compiling_a_report_lets_the_database_go(chat: Chat, cadre: str, clock: FrozenClock, db: Database) -> None:
    """SQLite has one connection: while a draft is compiled (seconds, in a worker) another cadre's message must get
    it. The unit of work that compiled with `release` holds no connection afterwards; one without still does."""
    await log_some(chat, clock)
    today = clock.now.astimezone(SH).date()
    for release, free in ((True, True), (False, False)):
        built, done = asyncio.Event(), asyncio.Event()

        async def compile_in_a_handler(
            release: bool = release, built: asyncio.Event = built, done: asyncio.Event = done
        ) -> None:
            async with db.unit_of_work() as uow:
                person = await uow.people.by_identity("telegram", cadre)
                assert person is not None
                request = reports.parse_request(person, ["中期"], today)
                await reports.build_draft(uow, person, request, today, clock.now, record=False, release=release)
                built.set()
                await done.wait()  # the handler goes on (renders, replies) with its unit of work still open

        task = asyncio.create_task(compile_in_a_handler())
        await built.wait()

        async def another_message() -> None:
            async with db.unit_of_work() as uow:
                await uow.people.by_identity("telegram", cadre)

        try:
            await asyncio.wait_for(another_message(), timeout=1.0)
            got_in = True
        except TimeoutError:
            got_in = False
        done.set()
        await task
        assert got_in is free, release
