"""The draft report compiled from a synthetic three-month posting: figures exact, nothing invented."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from reporting import templates as t
from reporting.compose import cn_date, compile_report, length_text, money_text
from tests.posting import CADRE, build_posting

START, END, TODAY = dt.date(2026, 6, 1), dt.date(2026, 8, 31), dt.date(2026, 9, 1)
PLACEHOLDERS = re.compile(r"(?<![A-Za-z])(?:x|X|XX|xx)(?![A-Za-z])|__|\*\*|201\*|\.\.")


@pytest.fixture(scope="module")
def posting() -> tuple[list, object]:
    return build_posting()


def test_mid_term_draft_states_exact_figures(posting: tuple[list, object]) -> None:
    entries, truth = posting
    assert len(entries) >= 150
    draft = compile_report("mid", CADRE, entries, START, END, TODAY)
    text = draft.body_text()
    figures = draft.figures
    assert figures.visits == truth.visits
    assert figures.households_visited == truth.households
    assert figures.meetings == truth.meetings
    assert figures.petition_visitors == truth.petition_visitors and figures.petitions == truth.petitions
    assert figures.study_sessions == truth.studies and figures.reflections == truth.reflections
    assert figures.money_yuan == truth.money and figures.length_metres == truth.metres
    assert figures.leave_days == 3 and figures.days_on_post == 92
    assert figures.workdays_logged == len(truth.workdays)
    basic = draft.sections[0].paragraphs[0]
    assert f"在岗{92 - 3}天（请假3天" in basic
    assert f"入户走访{truth.households}户" in basic
    assert f"接待来访群众{truth.petition_visitors}人次" in basic
    assert f"处理信访事项{truth.petitions}件" in basic
    assert f"参加学习{truth.studies}次" in basic and f"撰写心得体会{truth.reflections}篇" in basic
    for name in truth.villages + truth.enterprises + truth.schools:
        assert name in text, name
    assert "涉及资金75万元" in text


def test_sections_in_skeleton_order_and_length(posting: tuple[list, object]) -> None:
    draft = compile_report("mid", CADRE, posting[0], START, END, TODAY)
    headings = [s.heading for s in draft.sections]
    assert headings == [
        t.SECTION_BASIC,
        t.SECTION_WORK,
        t.SECTION_STUDY,
        t.SECTION_REFLECTIONS,
        t.SECTION_SHORTCOMINGS,
        t.SECTION_PLANS,
    ]
    assert 1500 <= len(draft.body_text()) <= 4000
    assert draft.title == t.TITLES["mid"] and draft.signature_date == "二〇二六年九月一日"
    assert 3 <= len(draft.sections[1].subsections) <= 6


def test_followed_projects_are_told_once_with_their_latest_state(posting: tuple[list, object]) -> None:
    text = compile_report("mid", CADRE, posting[0], START, END, TODAY).body_text()
    assert "石桥村打井项目：" in text and "最新进展为“石桥村打井项目出水，村民吃上放心水”" in text
    assert "东坪村道路硬化工程：" in text
    assert text.count("钻机进场") == 0  # an earlier step of the well is in the project line, not repeated


def test_nothing_invented(posting: tuple[list, object]) -> None:
    entries, _ = posting
    text = compile_report("mid", CADRE, entries, START, END, TODAY).body_text()
    assert not PLACEHOLDERS.search(text)
    own = [e.text for e in entries if e.text.startswith(("体会", "不足", "下一步"))]
    for words in own:
        assert words.split("：", 1)[1] in text
    assert "【待补充" not in text


def test_missing_own_words_are_marked_and_asked_for() -> None:
    entries, _ = build_posting(own_words=False)
    draft = compile_report("mid", CADRE, entries, START, END, TODAY)
    text = draft.body_text()
    assert draft.missing == ("reflections", "shortcomings", "plans")
    for key in draft.missing:
        assert t.MISSING[key] in text
    assert "基层工作要多到群众家里去" not in text and not PLACEHOLDERS.search(text)


def test_every_highlight_comes_from_an_entry(posting: tuple[list, object]) -> None:
    entries, _ = posting
    draft = compile_report("mid", CADRE, entries, START, END, TODAY)
    bodies = " ".join(e.text for e in entries)
    for sub in draft.sections[1].subsections:
        for item in re.findall(r"[一二三四五六]是\d+月\d+日，(.+?)。", "".join(sub.paragraphs)):
            assert item[:12] in bodies, item


def test_month_report_covers_one_month(posting: tuple[list, object]) -> None:
    draft = compile_report("month", CADRE, posting[0], dt.date(2026, 7, 1), dt.date(2026, 7, 31), dt.date(2026, 7, 31))
    assert draft.title == "2026年7月挂职工作情况报告"
    assert [s.heading for s in draft.sections] == [t.SECTION_WORK, t.SECTION_STUDY, t.SECTION_MONTH_PLANS]
    assert all(
        dt.date(2026, 7, 1) <= e.work_date <= dt.date(2026, 7, 31) for e in posting[0] if e.seq in draft.source_seqs
    )


def test_appendix_lists_every_source_entry(posting: tuple[list, object]) -> None:
    draft = compile_report("mid", CADRE, posting[0], START, END, TODAY)
    assert len(draft.appendix) == len(draft.source_seqs) == len(posting[0])
    assert draft.appendix[0].startswith("2026-06-01 #")


def test_formatting_helpers() -> None:
    assert cn_date(dt.date(2011, 12, 9)) == "二〇一一年十二月九日"
    assert cn_date(dt.date(2026, 10, 20)) == "二〇二六年十月二十日"
    assert money_text(850000) == "85万元" and money_text(6000) == "6000元" and money_text(92000) == "9.2万元"
    assert length_text(2300) == "2.3公里" and length_text(800) == "800米"


def test_no_entries_gives_an_honest_draft() -> None:
    draft = compile_report("mid", CADRE, [], START, END, TODAY)
    assert draft.source_seqs == () and draft.sections[1].subsections == ()
    assert not PLACEHOLDERS.search(draft.body_text())


def test_markdown_mirrors_the_draft(posting: tuple[list, object]) -> None:
    from reporting.compose import render_markdown

    draft = compile_report("mid", CADRE, posting[0], START, END, TODAY)
    markdown = render_markdown(draft)
    assert markdown.startswith(f"# {draft.title}\n")
    assert "## 一、基本情况" in markdown and "### （一）" in markdown and "## 附件：工作记录索引" in markdown
    for line in draft.body_text().splitlines()[1:]:
        assert line.split("、", 1)[-1] in markdown


def test_five_thousand_entries_make_a_bounded_draft() -> None:
    from bench.report import make_entries
    from reporting.word import render_docx

    entries = make_entries(5000)
    posting_cadre = CADRE
    draft = compile_report(
        "final", posting_cadre, entries, dt.date(2026, 1, 1), dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    )
    assert (
        len(draft.source_seqs) == len(draft.appendix) == sum(1 for e in entries if e.work_date <= dt.date(2026, 11, 30))
    )
    body = draft.body_text()
    assert len(body) <= 6000 and not PLACEHOLDERS.search(body)
    assert len(render_docx(draft)) > 10_000
