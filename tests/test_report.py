"""The synthesised draft: pooled, true, in the register of a 公文 — each defect class a reviewer found, tested."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re

import pytest

from analysis.quantities import read_quantities
from reporting import templates as t
from reporting.compose import compile_report, leadership, length_text, money_text, own_points, span_text
from reporting.model import Paragraph, Source
from reporting.verify import Records, verify_paragraph
from storage.entities import Entry, Person, Posting
from tests.posting import CADRE, build_posting, entry_from_text

START, END, TODAY = dt.date(2026, 6, 1), dt.date(2026, 8, 31), dt.date(2026, 9, 1)
PLACEHOLDERS = re.compile(r"(?<![A-Za-z])(?:x|X|XX|xx)(?![A-Za-z])|__|\*\*|201\*|\.\.")
RELATIVE = re.compile(r"今天|昨天|前天|明天|后天|上午|下午|晚上|上周|下周|本周|周[一二三四五六日]前|月底前")


def entries_of(*items: tuple[dt.date, str]) -> list[Entry]:
    return [entry_from_text(seq, day, text) for seq, (day, text) in zip(itertools.count(1), items)]


def draft_of(*items: tuple[dt.date, str], person: Person = CADRE) -> str:
    return compile_report("mid", person, entries_of(*items), START, END, TODAY).body_text()


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


@pytest.fixture(scope="module")
def posting() -> tuple[list[Entry], object]:
    return build_posting()


def test_mid_term_draft_states_exact_figures(posting: tuple[list[Entry], object]) -> None:
    entries, truth = posting
    draft = compile_report("mid", CADRE, entries, START, END, TODAY)
    figures = draft.figures
    assert figures is not None
    assert figures.visits == truth.visits  # type: ignore[attr-defined]
    assert figures.households_visited == truth.households  # type: ignore[attr-defined]
    assert figures.petition_visitors == truth.petition_visitors  # type: ignore[attr-defined]
    assert figures.petitions == truth.petitions  # type: ignore[attr-defined]
    assert figures.money_yuan == truth.money  # type: ignore[attr-defined]
    assert figures.length_metres == 1200 + 800  # road built; the well's 120 m of drilling is no road length
    basic = draft.sections[0].paragraphs[0].text
    assert "在岗89天（请假3天" in basic
    assert f"入户走访{truth.households}户次" in basic  # type: ignore[attr-defined]
    assert draft.unverified == 0


def test_repeated_visits_to_one_village_are_pooled_not_listed() -> None:
    body = draft_of(
        (d(6, 12), "走访凹塘村5户困难户，了解饮水和就医情况"),
        (d(7, 9), "走访凹塘村3户困难户,了解秋收和务工情况"),
        (d(7, 22), "走访凹塘村5户困难户，了解危房改造进度"),
        (d(8, 10), "走访凹塘村6户困难户，了解医保缴费情况"),
    )
    assert "先后4次走访凹塘村" in body and "19户次" in body
    assert "6月12日" not in body and "7月9日" not in body  # not one dated item per entry
    assert body.count("凹塘村") <= 2


def test_no_clock_words_relative_dates_or_ascii_punctuation() -> None:
    body = draft_of(
        (d(6, 3), "下午在镇政府开会,研究防汛工作;周四前报镇民政办"),
        (d(6, 10), "上午参加镇党委会:研究秋粮收购"),
        (d(6, 17), "上午参加镇党委会，研究村级换届"),
        (d(7, 1), "昨天到石桥村,协调修通3组道路!"),
    )
    assert not RELATIVE.search(body), body
    assert not re.search(r"[,;:!?()]", body), body


def test_no_machine_wording_and_no_lone_first_item() -> None:
    body = draft_of(
        (d(6, 2), "走访东坪村3户困难户，了解饮水情况"),
        (d(6, 9), "在镇信访办接待来访群众12人次，来访2起，主要反映征地补偿问题"),
        (d(6, 19), "在镇信访办接待来访群众5人次，来访1起，主要反映拖欠工资问题"),
    )
    assert "期间共记录此类工作" not in body and "件（起）" not in body
    for line in body.splitlines():
        assert not ("一是" in line and "二是" not in line), line


def test_funds_secured_are_never_added_to_an_enterprise_s_output() -> None:
    entries = entries_of(
        (d(6, 5), "走访宏达食品有限公司，企业年产值800万元，销售收入600万元"),
        (d(7, 5), "为石桥村打井项目争取资金30万元"),
        (d(8, 5), "测算东坪村道路还需资金50万元"),
    )
    draft = compile_report("mid", CADRE, entries, START, END, TODAY)
    assert draft.figures is not None and draft.figures.money_yuan == 300000
    body = draft.body_text()
    assert "850万元" not in body and "1430万元" not in body and "1480万元" not in body


def test_a_subset_of_households_is_not_counted_twice() -> None:
    quantities = [q for q in read_quantities("走访5户困难户，了解到其中2户取暖困难") if q.kind == "households"]
    assert [(q.value, q.role) for q in quantities] == [(5, "done"), (2, "subset")]
    draft = compile_report("mid", CADRE, entries_of((d(6, 5), "走访上尧村5户困难户，了解到其中2户取暖困难")), START, END, TODAY)
    assert draft.figures is not None and draft.figures.households_visited == 5


def test_a_summary_adds_nothing_and_is_never_a_highlight() -> None:
    entries = entries_of(
        (d(6, 5), "东坪村道路硬化工程开工，施工队进场"),
        (d(6, 25), "东坪村道路硬化工程完成硬化1.2公里"),
        (d(6, 30), "本月小结：东坪村道路硬化1.2公里，走访困难户20户，争取资金45万元"),
    )
    draft = compile_report("mid", CADRE, entries, START, END, TODAY)
    assert draft.figures is not None
    assert draft.figures.length_metres == 1200 and draft.figures.households_visited == 0
    assert draft.figures.money_yuan == 0
    assert "本月小结" not in draft.body_text() and "小结：" not in draft.body_text()
    assert 3 not in {s.seq for p in draft.paragraphs() for s in p.sources if p.text.startswith(("把", "紧盯"))}


def test_a_plan_is_not_work_done() -> None:
    entries = entries_of((d(6, 5), "明天上午到县里参加推进会"), (d(6, 8), "走访东坪村3户困难户"))
    draft = compile_report("mid", CADRE, entries, START, END, TODAY)
    assert draft.figures is not None and draft.figures.workdays_logged == 1
    assert "推进会" not in draft.body_text()
    assert draft.plans_offered == (1,)


def test_the_biggest_result_of_the_period_is_in_the_body() -> None:
    items = [
        (d(6, 3), "石桥村群众反映吃水难，到村里查看水源"),
        (d(6, 20), "石桥村打井项目完成选址勘测，确定井位"),
        (d(7, 15), "石桥村打井项目钻机进场"),
        (d(8, 20), "石桥村打井项目出水，村民吃上放心水"),
    ]
    items += [(d(6, 1 + i), f"上午参加镇党委会，研究工作{i}") for i in range(12)]
    body = draft_of(*items)
    assert "石桥村打井项目" in body and "出水" in body
    work = body.split("主要工作开展情况")[1]
    assert work.index("石桥村打井项目") < len(work)


def test_span_and_host_leadership_are_named_right() -> None:
    assert span_text(d(6, 1), d(8, 31)) == "三个月"
    assert span_text(d(6, 1), d(11, 30)) == "半年"
    assert span_text(d(6, 1), d(6, 20)) == "20天"
    assert leadership("青山镇人民政府") == "青山镇党委、政府"
    assert leadership("县农业农村局") == "县农业农村局党组"
    body = draft_of((d(6, 5), "走访东坪村3户困难户"))
    assert "三个月来" in body and "青山镇党委、政府" in body and "人民政府党委" not in body


def test_own_words_lose_their_labels_and_their_own_numbering() -> None:
    assert own_points(["体会：一是基层工作要多走，二是办事要盯到底"]) == ["基层工作要多走", "办事要盯到底"]
    body = draft_of(
        (d(8, 1), "体会：一是基层工作要多走；二是办事要盯到底"),
        (d(8, 2), "不足:对政策学得不深"),
        (d(8, 3), "下一步：盯住道路收尾"),
    )
    assert "一是体会" not in body and "体会：" not in body and "不足:" not in body and "下一步：" not in body
    assert "一是基层工作要多走。二是办事要盯到底。" in body
    assert "对政策学得不深。" in body and "一是对政策" not in body


def test_missing_own_words_are_marked_and_asked_for() -> None:
    draft = compile_report("mid", CADRE, entries_of((d(6, 5), "走访东坪村3户困难户")), START, END, TODAY)
    assert set(draft.missing) == {"reflections", "shortcomings", "next_steps"}
    assert t.MISSING["reflections"] in draft.body_text()


def test_nothing_invented_on_the_demo_posting(posting: tuple[list[Entry], object]) -> None:
    entries, _ = posting
    draft = compile_report("mid", CADRE, entries, START, END, TODAY)
    text = draft.body_text()
    assert not PLACEHOLDERS.search(text)
    assert "[log]" not in text and not re.search(r"[A-Za-z]", text)
    assert 1200 <= len(text) <= 5000
    sources = {s.seq for p in draft.paragraphs() for s in p.sources}
    assert sources <= {e.seq for e in entries}


def test_the_verifier_catches_a_number_or_a_name_not_in_the_records() -> None:
    entries = entries_of((d(6, 5), "走访东坪村3户困难户"))
    records = Records.build(entries, CADRE)
    sources = [Source(1, d(6, 5), entries[0].text)]
    good = verify_paragraph("走访东坪村，入户走访3户。", sources, set(), records)
    assert good.unverified == 0 and t.UNVERIFIED not in good.text
    wrong_number = verify_paragraph("走访东坪村，入户走访7户。", sources, set(), records)
    assert wrong_number.unverified == 1 and wrong_number.text.endswith(t.UNVERIFIED + "。")
    invented_place = verify_paragraph("走访红旗村，入户走访3户。", sources, set(), records)
    assert invented_place.unverified == 1
    declared = verify_paragraph("累计入户走访7户次。", sources, {(7.0, "户")}, records)
    assert declared.unverified == 0
    month = verify_paragraph("9月走访东坪村3户。", sources, set(), records)
    assert month.unverified == 1
    assert isinstance(good, Paragraph)


def test_month_report_covers_one_month(posting: tuple[list[Entry], object]) -> None:
    entries, _ = posting
    draft = compile_report("month", CADRE, entries, d(7, 1), d(7, 31), d(8, 1))
    assert draft.title == "2026年7月挂职工作情况报告"
    assert all(s.date.month == 7 for p in draft.paragraphs() for s in p.sources)


def test_no_entries_gives_an_honest_draft() -> None:
    draft = compile_report("mid", CADRE, [], START, END, TODAY)
    assert t.STUDY_NONE in draft.body_text() and draft.unverified == 0


def test_no_posting_dates_still_compile() -> None:
    bare = dataclasses.replace(CADRE, posting=Posting(1, None, None, None, None, None))
    body = compile_report("mid", bare, entries_of((d(6, 5), "走访东坪村3户困难户")), START, END, TODAY).body_text()
    assert t.MISSING_HOST in body and t.MISSING_POSITION in body


def test_formatting_helpers() -> None:
    assert money_text(850000) == "85万元" and money_text(500) == "500元"
    assert length_text(2300) == "2.3公里" and length_text(800) == "800米"


def test_five_thousand_entries_make_a_bounded_draft() -> None:
    entries, _ = build_posting(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), seed=9)
    posting = dataclasses.replace(CADRE.posting, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    person = dataclasses.replace(CADRE, posting=posting)
    many = [dataclasses.replace(e, seq=e.seq + k * 10000) for k in range(8) for e in entries]
    body = compile_report("final", person, many, dt.date(2026, 1, 1), dt.date(2026, 12, 31), TODAY).body_text()
    assert len(body) <= 6000
