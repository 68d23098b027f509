"""The classifier, kind detection and entry roles on the domain's examples and on our labelled set."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from analysis import category_model, lexicon
from analysis.classify import KINDS, analyse, classify, model_features, split_prefix, tokenize, warm_up
from bench.classifier import NO_ROLE, Row, evaluate, load_table, split
from bench.train_classifier import fresh_messages, train
from reporting.templates import CATEGORY_HEADINGS

TODAY = dt.date(2026, 7, 15)

# domain.md §8.1 and §8.2: (message, kind, main category)
DOMAIN_EXAMPLES = [
    (
        "3月5日上午列席镇党委会，研究春季植树和环境卫生整治；下午跟吴副镇长去东坪村看饮水工程，管道铺了六成左右，还差2个组",
        "log",
        "meeting",
    ),
    (
        "昨天在信访局接待来访群众14人次，其中集体访1批8人（金桥小区供热纠纷），已登记转住建局，答复一周内回复",
        "log",
        "petition",
    ),
    (
        "今天跟福建来的菌草技术员老林跑了3个村，办了2期培训，培训菇农46人，主要讲覆土和通风。下周二去中川村看菌棚",
        "log",
        "industry",
    ),
    ("上午局里学习会，学《信访条例》，记了两页笔记；晚上把这个月的心得体会写了一半", "study", "study"),
    (
        "陪兰州来的陈总看了原林果公司厂房，他对果脯加工和胡萝卜素项目有兴趣，初步意向投资300万，约好4月中旬再来洽谈",
        "log",
        "investment",
    ),
    (
        "3月12日陪刘县长去芗城区考察，一行9人，看了2家用工企业，慰问在那边务工的30多个老乡，签了劳务合作意向",
        "log",
        "exchange",
    ),
    ("整村推进：中川村圈舍已建成12栋，还差8栋；第一批资金到位9.2万元，明天去扶贫办催第二批", "log", "aid"),
    ("今天在育才听课3节（初二数学2节、语文1节），下午参加茶馆式教研，讨论作业分层，我发了言", "log", "teaching"),
    ("晚上在凹塘村开党员大会，给17名党员宣讲全会精神，讲了40分钟，顺便把村活动室维修的事定了", "log", "party"),
    ("和包村干部入户宣传环境整治，发宣传单300多份，跟街上12家商户签了门前三包承诺书", "log", "publicity"),
    (
        "走访东坪村3组李某某家，5口人，老伴常年吃药，儿子在福建打工。去年种双孢菇2棚，收入不到4000，想要技术员上门指导；反映村道下雨天走不了。已记下，下周跟扶贫办说",
        "visit",
        "research",
    ),
    (
        "4月2日到凹塘村村委座谈，支书、村主任和3名党员代表参加。村里最急的是吃水，现有水窖不够用，大约60户吃水难；村活动室屋顶漏雨，想申请修缮",
        "visit",
        "research",
    ),
    (
        "今天走访宏达食品，厂长王某，员工85人，一季度订单降了两成，缺流动资金，希望帮忙对接银行；另外还缺工20人左右，问能不能搞订单培训",
        "visit",
        "research",
    ),
    (
        "走访困难户张某（82岁，独居，低保户），送了米、油各一份。房子西墙有裂缝，要报危房改造，已拍照，周四前报村两委",
        "visit",
        "research",
    ),
    (
        "昨天去新华小学，跟校长和4个老师座谈：缺英语老师，六年级1个班56人，多媒体坏了2台，想请城里学校来送教下乡",
        "visit",
        "research",
    ),
]


@pytest.mark.parametrize(("message", "kind", "category"), DOMAIN_EXAMPLES)
def test_domain_examples(message: str, kind: str, category: str) -> None:
    result = analyse(message, TODAY)
    assert (result.kind, result.categories[0]) == (kind, category)
    assert len(result.categories) <= 2


def test_second_category_for_two_activities() -> None:
    result = analyse(DOMAIN_EXAMPLES[0][0], TODAY)
    assert result.categories == ("meeting", "environment")


@pytest.fixture(scope="module")
def labelled() -> dict[str, list[Row]]:
    warm_up()
    return split(load_table())


def test_labelled_set_covers_every_kind_category_and_role(labelled: dict[str, list[Row]]) -> None:
    rows = labelled["tune"] + labelled["held-out"]
    assert len(rows) >= 399 and len({r.message for r in rows}) == len(rows)
    assert {r.kind for r in rows} == set(KINDS)
    assert {r.category for r in rows} == set(lexicon.CATEGORY_CODES)
    roles = [r.role for r in rows]
    assert roles.count("summary") >= 30 and roles.count("plan") >= 30
    assert sum(roles.count(role) for role in ("reflections", "shortcomings", "next_steps")) >= 30
    assert all(r.role == NO_ROLE for r in rows if r.kind in ("leave", "back"))
    # The split holds out about a third, by the text alone; rows written later (below the fresh mark) were all
    # worded to fall in the tune part, so the held-out third stays as it was.
    fresh = fresh_messages()
    assert fresh and all(r.part == "tune" for r in rows if r.message in fresh)
    first = [r for r in rows if r.message not in fresh]
    assert 0.25 <= len([r for r in first if r.part == "held-out"]) / len(first) <= 0.42
    assert all(r.part == Row(r.kind, "x", r.role, r.message).part for r in rows)


# The main category's target on the held-out part is 0.90. The keyword rules alone reach about 0.85 there (0.97 on
# the rows they were tuned on, 0.875 on rows written after); blended with the learned model trained on the tune
# part (analysis/category_model.py, bench/train_classifier.py) they reach about 0.92.
HELD_OUT_CATEGORY_FLOOR = 0.90


def test_held_out_accuracy(labelled: dict[str, list[Row]]) -> None:
    # Tuned on the tune part only; bench/classifier.py prints both parts (and lists the tune part's misses).
    scores = evaluate(labelled["held-out"])
    assert scores.n >= 200
    assert scores.kind_accuracy >= 0.95, scores.misses
    assert scores.category_accuracy >= HELD_OUT_CATEGORY_FLOOR, scores.misses
    for role in ("summary", "plan"):
        assert scores.roles[role].labelled >= 10
        assert scores.roles[role].precision >= 0.95, (role, scores.misses)
        assert scores.roles[role].recall >= 0.95, (role, scores.misses)


def test_tune_accuracy_does_not_regress(labelled: dict[str, list[Row]]) -> None:
    scores = evaluate(labelled["tune"])
    assert scores.kind_accuracy >= 0.97, scores.misses
    assert scores.category_accuracy >= 0.95, scores.misses
    assert scores.role_accuracy >= 0.98, scores.misses


@pytest.mark.parametrize(
    "message",
    [
        "上午带队到东坪村开展防汛隐患排查，查了沿河4处",
        "森林防火检查，在卡点劝返野外用火的群众",
        "组织中心小学消防演练，师生全部疏散",
        "排查自建房安全隐患，核了26栋",
        "陪应急局检查危化品企业2家",
        "暑假防溺水巡河一下午",
        "今晚值班值守，一夜平安",
        "地质灾害隐患点巡查，落实监测员",
        "查了街上饭店的燃气安全，3家软管老化",
    ],
)
def test_safety_and_emergency_work_has_its_category(message: str) -> None:
    assert analyse(message, TODAY).categories[0] == "safety"


def test_safety_words_inside_other_work_leave_its_category() -> None:
    assert analyse("参加全县安全生产工作会议，我代表镇里作表态发言", TODAY).categories[0] == "meeting"
    assert analyse("第一议题学习：学了关于安全生产的重要指示精神", TODAY).categories[:1] == ("study",)
    assert analyse("帮党政办起草了镇长在安全生产会上的讲话稿", TODAY).categories[0] == "clerical"
    assert analyse("矛盾纠纷排查，全镇排出12起，化解了9起", TODAY).categories[0] == "petition"


def test_every_category_has_a_label_and_a_report_heading() -> None:
    assert set(lexicon.CATEGORY_LABELS) == set(lexicon.CATEGORY_CODES)
    assert set(lexicon.KEYWORDS) == set(lexicon.CATEGORY_CODES)
    assert set(CATEGORY_HEADINGS) == set(lexicon.CATEGORY_CODES) - {"admin"}
    assert len(set(lexicon.CATEGORY_LABELS.values())) == len(lexicon.CATEGORY_CODES)


@pytest.mark.parametrize(
    ("message", "kind", "role"),
    [
        ("明天去柳溪村走访几户监测户", "log", "plan"),  # a planned visit is no visit note yet
        ("走访红旗村，村主任反映灌溉渠堵了，下周回访看疏通情况", "visit", "work"),
        ("本月小结：走访农户36户，召开座谈会4次", "log", "summary"),  # restates visits already recorded
        ("本月学习情况：参加中心组学习2次，写心得1篇", "log", "summary"),
        ("心得体会：就业服务要把岗位送到家门口", "log", "reflections"),
        ("下午开了上半年工作总结会，每个站所负责人讲了10分钟", "log", "work"),
        ("参加局里的学习体会交流会，我讲了5分钟", "study", "work"),
        ("明天请假1天回原单位办手续", "leave", "plan"),  # the kind decides first; the role only matters for work
    ],
)
def test_roles_and_kinds_together(message: str, kind: str, role: str) -> None:
    result = analyse(message, TODAY)
    assert (result.kind, result.role) == (kind, role)


def test_an_explicit_kind_is_kept_for_a_plan() -> None:
    assert analyse("明天去东坪村走访", TODAY, kind="visit").kind == "visit"


def test_own_words_are_classified_by_what_they_say() -> None:
    assert analyse("心得体会：就业服务要把岗位送到家门口，留守妇女才出得来", TODAY).categories[0] == "employment"


def test_leave_and_return_are_not_work_entries() -> None:
    assert analyse("明天请假1天回原单位办手续，已跟陈书记打过招呼，周五返岗", TODAY).kind == "leave"
    assert analyse("已返岗，销假", TODAY).kind == "back"
    assert analyse("学习请销假制度和请假打招呼的规定", TODAY).kind == "study"


def test_prefixes() -> None:
    assert split_prefix("走访：东坪村") == ("visit", "东坪村")
    assert split_prefix("日志 上午开会") == ("log", "上午开会")
    assert split_prefix("学习，读书") == ("study", "读书")
    assert split_prefix("销假") == ("back", "")
    assert split_prefix("走访东坪村") == (None, "走访东坪村")


def test_no_keywords_no_category() -> None:
    assert classify("hello world").categories == ()


def test_the_shipped_category_model_is_trained_on_the_tune_part_alone(labelled: dict[str, list[Row]]) -> None:
    # Retrained from the tune rows with the shipped settings, the model comes out the same: no held-out row (nor
    # anything else) went into it. Add rows to the table, and this fails until bench/train_classifier.py --write.
    shipped = category_model.current()
    assert shipped is not None
    retrained = train(labelled["tune"], shipped.l2)
    retrained = dataclasses.replace(retrained, blend_weight=shipped.blend_weight, floor=shipped.floor)
    assert retrained.to_json() == shipped.to_json()


@pytest.mark.parametrize("text", ["", " ", "🙂🙂", "hello world", "走访" * 5000, "東坪村　走訪\u200b3戶", "\x00\ufeff村"])
def test_the_category_model_takes_any_text(text: str) -> None:
    model = category_model.current()
    assert model is not None
    feats = category_model.features(text, tokenize(text))
    assert all(value > 0 for value in feats.values())
    probabilities = model.probabilities(feats)
    assert set(probabilities) == set(lexicon.CATEGORY_CODES)
    assert abs(sum(probabilities.values()) - 1.0) < 1e-9
    assert len(classify(text).categories) <= 2


def test_the_model_reads_what_the_keywords_miss() -> None:
    # No keyword of the lexicon names the work here; the words cadres use for it do.
    assert classify("重点时期维稳值守，盯住3名重点人员").categories[:1] == ("petition",)
    assert classify("hello world").categories == ()  # nothing the model has seen either


def test_the_category_model_round_trips_through_json() -> None:
    model = category_model.current()
    assert model is not None
    again = category_model.CategoryModel.from_json(model.to_json())
    assert again.to_json() == model.to_json()
    feats = model_features("上午走访东坪村3户困难户")
    assert again.probabilities(feats) == pytest.approx(model.probabilities(feats))
