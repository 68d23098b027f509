"""The report quality bench: its postings are sound, and its scorer catches each defect and passes a clean body.

The scorer is tested on bodies written by hand for the township posting; today's compiler is not judged here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import report_quality as rq
from bench.postings import POSTING_MODULES, BenchPosting, all_postings, load

# A report on the township posting written by hand the way the compiler should write it: every figure right,
# no pasted entry, no relative date, no label, 1,500 characters and more.
CLEAN_TOWNSHIP = """挂职锻炼中期工作小结
按照市交通运输局安排，我于2026年6月1日到云溪镇挂职锻炼，任党委副书记。三个月来，在镇党委、政府和同志们的支持帮助下，\
我坚持边学习、边工作、边思考，较好地完成了阶段性任务。现将挂职以来的工作学习情况小结如下：
一、基本情况
挂职以来在岗90天（请假2天，均已销假），有工作记录的61天。走访村5个（石门村、梨园村、杨家坪村、大湾村、新庄村）和\
云溪社区，走访青禾食品有限公司、绿源茶叶专业合作社、永兴砖厂3家企业和合作社，走访云溪镇中心小学、云溪中学2所学校，\
入户走访农户37户次，参加各类会议10次，接待来访群众28人次，受理信访事项12起，参加学习5次，撰写心得体会1篇。
二、主要工作开展情况
（一）紧盯重点项目，推动落地见效
挂职以来，共争取项目资金70万元，其中县水利局补助38万元、市交通运输局帮扶资金20万元、一事一议财政奖补12万元。\
一是石门村饮水工程建成出水。针对石门村3组、4组群众吃水难的问题，协调县水利局勘察水源、争取立项，新打机井1眼，\
铺设管道3.2公里，8月18日正式出水，86户260多名群众吃上了自来水。二是杨家坪村通组路全线完工。争取市交通运输局帮扶\
资金和一事一议财政奖补共32万元，7月13日开工，8月26日完工，硬化道路1.8公里、宽3.5米，沿线60多户群众出行条件明显\
改善。三是梨园村冷库项目签订合作意向。推动青禾食品有限公司与梨园村签订冷库建设合作意向，项目预计投资120万元，\
建成后每年为村集体分红不低于5万元。
（二）深入走访调研，摸清基层实情
围绕饮水、道路、防汛和防返贫，先后到5个村和云溪社区走访，入户走访农户37户次、32户。一是摸清群众急难愁盼。在石门村\
了解到3组、4组约90户群众依靠一口老水窖吃水，随即推动打井工程立项。二是做好汛期安全排查。在大湾村排查2处滑坡隐患，\
对低保户、独居老人的房屋逐户查看，及时转移住房渗水的独居老人。三是开展防返贫动态监测，对大湾村监测户逐户核查务工\
收入，确认均有稳定收入来源。
（三）做好来访接待，维护和谐稳定
坚持每周三信访接待日制度，接待来访群众28人次、受理信访事项12起。对梨园村土地流转租金纠纷，组织企业与村民当面对账，\
达成分期支付协议，租金于7月15日付清；大湾村2起宅基地纠纷均已调解，双方签订调解协议。
（四）参与议事决策，协助推进工作
列席镇党委会，参加防汛调度、安全生产等会议共10次，在全县乡村振兴推进会上汇报石门村饮水和杨家坪村通组路项目进展；\
汛期组织各村落实24小时值班，对永兴砖厂开展安全生产检查，督促整改隐患3处。
（五）抓实基层党建，服务群众就业
七一在石门村为26名党员讲党课，慰问困难党员3名；配合县人社局举办招聘会，8家企业现场招工，达成就业意向42人。
三、学习情况
挂职以来参加学习5次，学习了《中国共产党农村基层组织工作条例》《信访工作条例》《习近平谈治国理政》第四卷和\
《乡村振兴促进法》，参加镇党委理论学习中心组专题学习并作交流发言，记学习笔记3次，撰写心得体会1篇。
四、几点体会
一是群众的事再小也要到现场去看。石门村吃水难的问题，从反映、勘察到立项、出水，前后跑了十多趟，事情才算落地。\
二是项目要一件一件盯到底。通组路从争取资金到全线完工，每个环节都要有人跟、有人催。
五、存在的不足
对农村土地政策学得还不深，处理土地流转纠纷时多次需要向司法所请教；统筹产业发展的办法还不多。
六、下一步打算
一是抓好石门村饮水工程管护，确保长期稳定供水；二是督促梨园村冷库项目尽快落地；三是到桃坪村实地查看路灯问题；\
四是建议镇里建立项目跟踪台账，一个项目一张表，做到群众反映的事件件有人管。
在今后的挂职工作中，我将继续虚心学习、扎实工作，努力把各项工作做细做实。
刘志远
2026年9月1日"""


@pytest.fixture(scope="module")
def township() -> BenchPosting:
    return load("township")


def _edit(old: str, new: str) -> str:
    if old not in CLEAN_TOWNSHIP:
        raise KeyError(old)  # a typo in a test must not pass silently
    return CLEAN_TOWNSHIP.replace(old, new, 1)


# ---------------------------------------------------------------- the scorer


def test_a_clean_body_scores_no_defect(township: BenchPosting) -> None:
    score = rq.score(CLEAN_TOWNSHIP, township)
    assert score.wrong == []
    assert score.defects() == 0
    assert score.verbatim == ()
    assert score.names_missing == ()
    assert len(score.headline_found) == score.headline_total == 7
    assert rq.LENGTH_RANGE[0] <= score.length <= rq.LENGTH_RANGE[1]
    assert score.passed()


def test_a_wrong_sum_is_a_wrong_and_untraceable_figure(township: BenchPosting) -> None:
    score = rq.score(_edit("入户走访农户37户次，参加", "入户走访农户42户次，参加"), township)
    assert [s.number.text for s in score.wrong] == ["42户次"]
    assert len(score.untraceable) == 1
    assert "truth:households_visited" in {s.verdict for s in score.figures}  # the other mention is still right
    assert not score.passed()


@pytest.mark.parametrize(
    ("old", "new", "wrong"),
    [
        ("共争取项目资金70万元", "共争取项目资金108万元", "108万元"),  # tranches (20万 + 18万) added to the 38万
        ("共争取项目资金70万元", "共争取项目资金2800万元", "2800万元"),  # an enterprise's 年产值 taken for funds
        ("共争取项目资金70万元", "共争取项目资金190万元", "190万元"),  # the cold store's estimate added
        ("硬化道路1.8公里", "硬化道路2.9公里", "2.9公里"),  # progress (1.1公里) added to the completed length
        ("入户走访农户37户次、32户", "入户走访农户37户次、37户", "37户"),  # visits told as households
        ("走访村5个（", "走访村6个（", "6个"),  # the village named only in a plan counted
        ("三个月来", "两个月来", "两个月"),  # the span from the profile
        ("在岗90天（请假2天", "在岗88天（请假4天", "88天"),  # a summary's 请假2天 taken for a second leave
    ],
)
def test_figures_of_the_wrong_role_or_sum_are_wrong(township: BenchPosting, old: str, new: str, wrong: str) -> None:
    score = rq.score(_edit(old, new), township)
    assert wrong in [s.number.text for s in score.wrong]


def test_figures_are_right_by_truth_list_profile_or_one_message(township: BenchPosting) -> None:
    verdicts = {s.number.text: s.verdict for s in rq.score(CLEAN_TOWNSHIP, township).figures}
    assert verdicts["2所"] == "list:schools"
    assert verdicts["90天"] == "profile:days_on_post_net"
    assert verdicts["三个月"] == "profile:months"
    assert verdicts["1.8公里"] == "project:杨家坪村通组路:road_metres"
    assert verdicts["3处"].startswith("message:")  # 永兴砖厂 3处隐患, stated in one message


def test_chinese_numerals_and_approximations_are_read(township: BenchPosting) -> None:
    score = rq.score(_edit("走访村5个（", "走访村五个（").replace("入户走访农户37户次，", "入户走访农户三十余户次，"), township)
    verdicts = {s.number.text: s.verdict for s in score.figures}
    assert verdicts["五个"] == "truth:villages_visited"
    assert verdicts["三十余户次"] == "truth:households_visited"  # 37 is "三十余"
    assert score.wrong == []


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        ("走访村5个（石门村、梨园村", "走访村5个（石门村、解乡村、梨园村", "fragment in list: 解乡村"),
        ("石门村、梨园村、杨家坪村", "石门村、涉及一起研究梨园村、杨家坪村", "fragment in list: 涉及一起研究梨园村"),
        ("走访青禾食品有限公司、", "走访青禾食品、青禾食品有限公司、", "twice in one list: 青禾食品、青禾食品有限公司"),
        ("大湾村、新庄村）", "大湾村、新庄村、石门村）", "twice in one list: 石门村、石门村"),
        ("及时转移住房渗水的独居老人", "及时转移独居老人杨桂芳", "forbidden: 杨桂芳"),
        ("在大湾村排查2处滑坡隐患", "在东坪村排查2处滑坡隐患", "unknown: 东坪村"),
    ],
)
def test_invented_fragment_forbidden_and_repeated_names_are_caught(
    township: BenchPosting, old: str, new: str, finding: str
) -> None:
    score = rq.score(_edit(old, new), township)
    assert finding in score.invented


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("均已销假），有工作记录", "均已销假）,有工作记录", "ascii_punct"),
        ("（请假2天，均已销假）", "(请假2天，均已销假)", "ascii_punct"),
        ("确保长期稳定供水；", "确保长期稳定供水!", "ascii_punct"),
        ("七一在石门村", "下午在石门村", "relative"),
        ("随即推动打井工程立项", "昨天推动打井工程立项", "relative"),
        ("三是到桃坪村实地查看路灯问题", "三是周四前到桃坪村实地查看路灯问题", "relative"),
        ("四、几点体会\n一是", "四、几点体会\n体会：", "labels"),
        ("四、几点体会\n一是", "四、几点体会\n一是体会", "labels"),
        ("对农村土地政策", "[log] 对农村土地政策", "labels"),
        ("撰写心得体会1篇。\n二", "撰写心得体会1篇【待核实】。\n二", "unverified"),
    ],
)
def test_each_text_defect_is_counted_once(township: BenchPosting, old: str, new: str, field: str) -> None:
    clean = rq.score(CLEAN_TOWNSHIP, township)
    score = rq.score(_edit(old, new), township)
    fields = ("invented", "untraceable", "ascii_punct", "relative", "labels", "unverified", "verbatim")
    counts = {name: len(getattr(score, name)) - len(getattr(clean, name)) for name in fields}
    changed = {name: n for name, n in counts.items() if n}
    assert changed == {field: 2 if new.startswith("(") else 1}
    assert not score.passed()


def test_a_weekday_after_its_date_and_a_decimal_point_are_no_defects(township: BenchPosting) -> None:
    score = rq.score(_edit("8月18日正式出水", "8月18日（周二）正式出水"), township)
    assert score.relative == ()
    assert score.ascii_punct == ()  # 3.2公里, 1.8公里, 3.5米


def test_a_pasted_entry_is_counted(township: BenchPosting) -> None:
    pasted = "到永兴砖厂检查安全生产，粉尘和用电有3处隐患，下了整改通知，限期一周"
    score = rq.score(_edit("对永兴砖厂开展安全生产检查，督促整改隐患3处。", pasted + "。"), township)
    assert score.verbatim == (25,)
    score = rq.score(_edit("对永兴砖厂开展安全生产检查", "到永兴砖厂检查安全生产:粉尘和用电有3处隐患,下午下了整改通知"), township)
    assert score.verbatim == (25,)  # punctuation changed and a clock word added: still the message
    assert rq.score(_edit("七一在石门村", "整理石门村饮水工程申报材料。七一在石门村"), township).verbatim == (12,)


def test_six_pasted_entries_fail_and_five_pass(township: BenchPosting) -> None:
    texts = [text for _, text in township.messages if len(rq.normalise(text)) >= rq.VERBATIM_RUN]
    five = CLEAN_TOWNSHIP.replace("七一在石门村", "。".join(texts[:5]) + "。七一在石门村")
    assert len(rq.score(five, township).verbatim) == 5
    six = CLEAN_TOWNSHIP.replace("七一在石门村", "。".join(texts[:6]) + "。七一在石门村")
    assert len(rq.score(six, township).verbatim) == 6
    assert not rq.score(six, township).passed()


def test_numbers_found_in_no_message_are_untraceable(township: BenchPosting) -> None:
    assert rq.score(_edit("督促整改隐患3处", "督促整改隐患3处，编号9876"), township).untraceable == ("9876（督促整改隐患3处，编号|）",)
    dated = rq.score(_edit("8月18日正式出水", "2025年3月18日正式出水"), township)
    assert dated.untraceable == ("2025年3月18日（date outside the posting）",)


def test_length_outside_the_range_fails(township: BenchPosting) -> None:
    short = "\n".join(CLEAN_TOWNSHIP.split("\n")[:5])
    score = rq.score(short, township)
    assert score.defects() == 0 and score.length < rq.LENGTH_RANGE[0]
    assert not score.passed()
    long = CLEAN_TOWNSHIP + ("对农村土地政策学得还不深。" * 300)
    assert not rq.score(long, township).passed()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("走访3户", [(3, "户")]),
        ("入户19户次", [(19, "户次")]),
        ("资金75万元到位", [(750000, "元")]),
        ("年产值1.2亿元", [(120000000, "元")]),
        ("年产值2800万", [(28000000, "元")]),
        ("硬化1.2公里", [(1200, "米")]),
        ("两个月来", [(2, "月")]),
        ("5个村", [(5, "个")]),
        ("参加会议4次，讲课3场", [(4, "次"), (3, "次")]),
        ("一百二十米", [(120, "米")]),
        ("２０户", [(20, "户")]),
        ("一是抓项目，一起研究，第一批资金，一次性补助", []),
        ("树牢两个维护，做到三个代表", []),
        ("每人500元", [(500, "元")]),  # a rate is a figure too (a message may state it)
    ],
)
def test_numbers_with_units(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(n.value, n.unit) for n in rq.find_numbers(text)] == expected


def test_approximations_are_kept() -> None:
    assert [n.approx for n in rq.find_numbers("20余户、近50人、约3公里、30人左右、260多人")] == ["余", "近", "约", "左右", "多"]


_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """A number below 10,000 written the usual way (一千零五, 二十, 十二)."""
    if n == 0:
        return "零"
    parts, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero and parts:
                parts.append("零")
            parts.append(("" if (unit == "十" and digit == 1 and not parts) else _CN_DIGITS[digit]) + unit)
            zero = False
        else:
            zero = True
    return "".join(parts)


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numbers_read_back(n: int) -> None:
    assert rq.cn_number(_chinese(n)) == n


@given(st.integers(min_value=1, max_value=10**7), st.sampled_from(["户", "户次", "人次", "起", "家", "所", "篇"]))
def test_any_count_with_a_unit_is_found(n: int, unit: str) -> None:
    found = rq.find_numbers(f"共走访{n}{unit}，情况良好")
    assert [(x.value, x.unit) for x in found] == [(n, rq.canonical_unit(unit))]


@given(st.text(max_size=200))
def test_the_scorer_never_raises(text: str) -> None:
    result = rq.score(text, load("bureau"))
    assert result.length <= len(text)


# ---------------------------------------------------------------- the postings


@pytest.fixture(scope="module")
def postings() -> list[BenchPosting]:
    return all_postings()


def _figure(posting: BenchPosting, key: str) -> float | None:
    return next((f.value for f in posting.truth.figures if f.key == key), None)


def test_every_posting_has_60_messages_over_3_months(postings: list[BenchPosting]) -> None:
    assert [p.name for p in postings] == list(POSTING_MODULES)
    for posting in postings:
        sent = [day for day, _ in posting.messages]
        assert len(sent) >= 60, posting.name
        assert sent == sorted(sent), posting.name
        assert posting.start <= sent[0] and sent[-1] <= posting.end < posting.today, posting.name
        assert (sent[-1] - sent[0]).days >= 88 and len({(d.year, d.month) for d in sent}) >= 3, posting.name
        profile = posting.person.posting
        assert profile is not None and profile.start_date == posting.start, posting.name
        assert len(posting.entries()) == len(posting.messages)


def test_every_truth_adds_up(postings: list[BenchPosting]) -> None:
    for posting in postings:
        truth, name = posting.truth, posting.name
        keys = [f.key for f in truth.figures]
        assert len(keys) == len(set(keys)), name
        figures = [*truth.figures, *(f for p in truth.projects for f in p.figures)]
        assert all(f.unit in rq.UNIT_CLASSES and f.value > 0 and f.context for f in figures), name
        visits = sum(t.count for t in truth.households)
        assert _figure(posting, "households_visited") == visits, name
        assert _figure(posting, "households_distinct") == truth.households_distinct <= visits, name
        assert _figure(posting, "petitions") == sum(t.count for t in truth.petitions), name
        assert _figure(posting, "petition_visitors") == sum(t.count for t in truth.petition_visitors), name
        assert _figure(posting, "meetings") == len(truth.meetings), name
        assert _figure(posting, "studies") == len(truth.studies), name
        assert _figure(posting, "funds_secured") == sum(f.yuan for f in truth.funds), name
        assert all(f.yuan > 0 for f in truth.funds), name
        if truth.lengths:
            assert _figure(posting, "lengths_completed") == sum(t.count for t in truth.lengths), name
        leave_days = sum((b - a).days + 1 for a, b in truth.leave)
        assert _figure(posting, "leave_days") == leave_days, name
        for first, last in truth.leave:
            assert posting.start <= first <= last <= posting.end, name
        for key, names in (
            ("villages_visited", truth.villages),
            ("schools_visited", truth.schools),
            ("enterprises_visited", truth.enterprises),
        ):
            if (value := _figure(posting, key)) is not None:
                assert value == len(names), (name, key)
        work_days = _figure(posting, "days_logged")
        assert work_days is not None and 0 < work_days <= (posting.end - posting.start).days + 1, name


def test_every_ledger_line_points_at_a_message(postings: list[BenchPosting]) -> None:
    for posting in postings:
        sent = {day for day, _ in posting.messages}
        truth = posting.truth
        lines = [*truth.households, *truth.petitions, *truth.petition_visitors, *truth.lengths]
        dated = [t.sent for t in lines] + [f.sent for f in truth.funds]
        # meetings and studies are dated by when they happened; the others by the message that tells them
        assert all(day in sent for day in dated), posting.name
        assert all(posting.start <= t.sent <= posting.end for t in [*truth.meetings, *truth.studies]), posting.name


def test_every_truth_name_is_in_the_messages_and_no_forbidden_one_is_allowed(postings: list[BenchPosting]) -> None:
    for posting in postings:
        text = "\n".join(t for _, t in posting.messages)
        truth = posting.truth
        for place in [*truth.villages, *truth.communities, *truth.enterprises, *truth.schools]:
            assert place.full in text, (posting.name, place.full)
        for project in truth.projects:
            assert any(form in text for form in project.name.forms()), (posting.name, project.name.full)
        book = rq.NameBook.of(posting)
        for word in truth.forbidden:
            assert word in text and word not in book.entity_of, (posting.name, word)
        headline = [f for f in truth.figures if f.headline]
        assert len(headline) >= 5, posting.name


def test_the_name_book_knows_every_name_the_messages_use(postings: list[BenchPosting]) -> None:
    """Run over the messages themselves, the invented-name check finds only the typos the truth forbids."""
    for posting in postings:
        book = rq.NameBook.of(posting)
        found = {f for _, text in posting.messages for f in rq.invented_names(text, book, ())}
        assert {f.removeprefix("unknown: ") for f in found} <= set(posting.truth.forbidden), posting.name


def test_the_bench_runs_against_the_compiler(capsys: pytest.CaptureFixture[str]) -> None:
    assert rq.main([]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| posting")]
    assert [r.split(" | ")[0].removeprefix("| ") for r in rows] == list(POSTING_MODULES)
    assert all(r.rstrip(" |").endswith(("PASS", "FAIL")) for r in rows)


def test_months_between_counts_whole_months() -> None:
    assert rq._months_between(dt.date(2026, 6, 1), dt.date(2026, 9, 1)) == 3
    assert rq._months_between(dt.date(2026, 3, 2), dt.date(2026, 9, 1)) == 5
