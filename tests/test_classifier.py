"""The classifier and kind detection on domain.md §8's examples and on our labelled table."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.classify import analyse, classify, split_prefix
from bench.classifier import evaluate, load_table

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


def test_labelled_table_accuracy() -> None:
    rows = load_table()
    assert len(rows) >= 60
    kind_accuracy, category_accuracy, misses = evaluate(rows)
    # bench/classifier.py prints the figures and the misses; this guards against regressions.
    assert kind_accuracy >= 0.95, misses
    assert category_accuracy >= 0.9, misses


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
