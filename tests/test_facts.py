"""The fact extractor: places and the metric patterns of domain.md §4.2."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.facts import extract_facts, find_places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("下午跟吴副镇长去东坪村看饮水工程", [("东坪村", "village")]),
        ("到凹塘村村委座谈", [("凹塘村", "village")]),
        ("今天走访宏达食品，厂长王某", [("宏达食品", "enterprise")]),
        ("去新华小学座谈，又到前进社区", [("新华小学", "school"), ("前进社区", "community")]),
        ("石桥村合作社分红", [("石桥村", "village"), ("石桥村合作社", "enterprise")]),
        ("3月12日陪刘县长去芗城区考察", [("芗城区", "county")]),
        ("在青山镇开会", [("青山镇", "town")]),
        ("全镇贫困村和各村村两委", []),
        ("反映村道难走，村民意见大", []),
        ("看了原林果公司厂房", [("原林果公司", "enterprise")]),
        # fragments the suffix regexes used to cut out (names are now read at jieba's word boundaries)
        ("信访积案涉及一起研究东坪村的土地纠纷", [("东坪村", "village")]),
        ("来访2起，已转镇里处理", []),
        ("已转镇综治中心", []),
        ("协调修通石桥村到东坪村的村道", [("石桥村", "village"), ("东坪村", "village")]),
        ("了解乡村振兴情况", []),
        ("走访青山食品、青山食品有限公司", [("青山食品有限公司", "enterprise")]),
        ("走访石桥村、东坪村、石桥村", [("石桥村", "village"), ("东坪村", "village")]),
    ],
)
def test_places(text: str, places: list[tuple[str, str]]) -> None:
    assert [(p["name"], p["type"]) for p in find_places(text)] == places


def test_metric_patterns() -> None:
    facts = extract_facts("入户3户，来访2起，集体访1批，接待来访群众14人次，资金85万元，修路2.3公里，培训15名党员")
    assert [h["value"] for h in facts["households"]] == [3]
    assert [(p["value"], p["unit"]) for p in facts["petitions"]] == [(2, "起"), (1, "批")]
    assert facts["petition_visitors"][0]["value"] == 14
    assert facts["money"][0] == {"value": 850000, "text": "85万元", "unit": "元"}
    assert facts["lengths"][0]["value"] == 2300
    assert {"value": 15, "text": "15名党员", "unit": "名", "who": "党员"} in facts["people"]


def test_qualifiers_and_chinese_numerals() -> None:
    facts = extract_facts("走访三百余户，发放宣传单300多份，近20人参加，缺工20人左右，捐款六千元，投资1.5亿元")
    assert facts["households"][0] == {"value": 300, "text": "三百余户", "qualifier": "余"}
    assert facts["counts"][0]["qualifier"] == "多"
    assert facts["people"][0]["qualifier"] == "近"
    assert facts["people"][1]["qualifier"] == "左右"
    assert [m["value"] for m in facts["money"]] == [6000, 150000000]


def test_nothing_to_find() -> None:
    assert extract_facts("上午列席镇党委会") == {}


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("村镇户元万米公里名人次起件批余多近约0123456789.三十百走访东坪 ，。")),
        max_size=40,
    )
)
def test_extractor_never_raises(text: str) -> None:
    facts = extract_facts(text)
    for key in ("households", "petitions", "money", "lengths", "people", "counts"):
        assert all(item["value"] > 0 for item in facts.get(key, []))
