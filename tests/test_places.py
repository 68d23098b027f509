"""The gazetteer (analysis/places.py): names at word boundaries, short forms, the imported list, the CSV."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.facts import find_places
from analysis.places import (
    MAX_LINE_CHARS,
    Gazetteer,
    KnownPlace,
    PlaceTableError,
    learn,
    mentions,
    names_in,
    read_place_table,
    unvisited_villages,
)


def named(text: str) -> list[tuple[str, str]]:
    return [(p.name, p.type) for p in names_in(text)]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # the fragments the suffix regexes used to cut out of sentences
        ("信访积案涉及一起研究东坪村的土地纠纷", [("东坪村", "village")]),
        ("危房改局面还没打开", []),
        ("来访2起，已转镇里处理", []),
        ("已转镇综治中心", []),
        ("协调修通石桥村到东坪村的村道", [("石桥村", "village"), ("东坪村", "village")]),
        ("了解乡村振兴情况", []),
        ("走访青山食品、青山食品有限公司", [("青山食品有限公司", "enterprise")]),
        ("走访石桥村、东坪村、石桥村", [("石桥村", "village"), ("东坪村", "village")]),
        # names the old extractor got, still got
        ("下午跟吴副镇长去东坪村看饮水工程", [("东坪村", "village")]),
        ("到凹塘村村委座谈", [("凹塘村", "village")]),
        ("石桥村合作社分红", [("石桥村", "village"), ("石桥村合作社", "cooperative")]),
        ("在青山镇卫生院体检", [("青山镇", "town"), ("青山镇卫生院", "institution")]),
        ("到县农业农村局对接项目", [("县农业农村局", "agency")]),
        ("去县扶贫办催第二批资金", [("县扶贫办", "agency")]),
        ("已登记转住建局", [("住建局", "agency")]),
        ("青山镇石桥村", [("青山镇", "town"), ("石桥村", "village")]),
        ("晚上召集石桥村两委开会", [("石桥村", "village")]),
        ("石桥村民反映路灯坏了", [("石桥村", "village")]),
        ("去新华小学座谈，又到前进社区", [("新华小学", "school"), ("前进社区", "community")]),
        ("去县财政局催拨东坪村水渠项目的款", [("县财政局", "agency"), ("东坪村", "village")]),
        ("镇上龙头企业宏达食品要扩产", [("宏达食品", "enterprise")]),
        # generic words and the host's own bodies are not names
        ("全镇贫困村和各村村两委", []),
        ("反映村道难走，村民意见大", []),
        ("在镇信访办接待来访群众6人次", []),
        ("上午参加镇党委会，研究镇政府工作", []),
        ("接待兄弟县考察团一行12人", []),
        ("陪深圳来的客商考察工业园区", []),
        ("社区最头疼的是老旧小区没有物业", []),
        ("周四前报村两委", []),
        ("去合作社看草莓大棚", []),
    ],
)
def test_names_at_word_boundaries(text: str, places: list[tuple[str, str]]) -> None:
    assert named(text) == places


def test_find_places_keeps_its_shape_and_stored_types() -> None:
    # a cooperative is stored as an enterprise, as reports count it
    assert find_places("石桥村合作社分红") == [
        {"name": "石桥村", "type": "village"},
        {"name": "石桥村合作社", "type": "enterprise"},
    ]
    assert find_places("") == []


IMPORTED = [
    KnownPlace("石桥村", "village", ("石桥",), "imported"),
    KnownPlace("上尧村", "village", (), "imported"),
    KnownPlace("凹塘村", "village", ("凹塘",), "imported"),
    KnownPlace("东坪村", "village", (), "imported"),
    KnownPlace("青山食品有限公司", "enterprise", ("青山公司",), "imported"),
]


def test_learn_resolves_short_forms_and_keeps_the_imported_list_first() -> None:
    texts = [
        "走访青山食品，了解用工",
        "到青山食品有限公司座谈",
        "帮茶叶合作社联系电商平台",
        "茶叶合作社分红了",
        "看了原林果公司厂房",  # once, and no proper noun in it: not kept
        "又到前进社区",  # once, a verb taken for a name: not kept
        "协调修通石桥村到东坪村的村道",
        "信访积案涉及一起研究中川村",  # once, a proper name after a verb: kept
        "去大湾村走访",
    ]
    gazetteer = learn(texts, IMPORTED)
    by_name = {p.name: p for p in gazetteer}
    assert [p.name for p in gazetteer][: len(IMPORTED)] == [p.name for p in IMPORTED]
    assert by_name["青山食品有限公司"].aliases == ("青山公司", "青山食品")  # imported, with a learned short form
    assert by_name["青山食品有限公司"].source == "imported"
    assert by_name["茶叶合作社"].source == "learned" and by_name["茶叶合作社"].type == "cooperative"
    assert "中川村" in by_name and "大湾村" in by_name
    assert "原林果公司" not in by_name and "前进社区" not in by_name
    assert "青山食品" not in by_name
    assert gazetteer.resolve("青山食品") == by_name["青山食品有限公司"]
    assert gazetteer.resolve("石桥") == by_name["石桥村"]
    assert gazetteer.resolve("石桥村委会") == by_name["石桥村"]
    assert gazetteer.resolve("青山") is None
    assert [v.name for v in gazetteer.villages()] == ["石桥村", "上尧村", "凹塘村", "东坪村", "中川村", "大湾村"]
    assert len(gazetteer) == len(list(gazetteer))


def test_a_short_form_alone_is_a_place_only_when_imported() -> None:
    learned = learn(["去石桥村走访", "石桥村打井", "在石桥开会"])
    assert [p.name for p in learned.find("在石桥开会")] == []
    assert learned.resolve("石桥") is None
    imported = learn(["在石桥开会"], IMPORTED)
    assert [p.name for p in imported.find("在石桥开会")] == ["石桥村"]


def test_find_only_at_word_boundaries() -> None:
    gazetteer = Gazetteer(IMPORTED)
    assert [p.name for p in gazetteer.find("石桥镇的路")] == []  # another place: 石桥 + 镇
    assert [p.name for p in gazetteer.find("去石桥看井，又到凹塘，再去石桥村")] == ["石桥村", "凹塘村"]
    assert [p.name for p in gazetteer.find("了解凹塘村村民的诉求")] == ["凹塘村"]
    assert gazetteer.find("") == []
    assert Gazetteer([]).find("石桥村") == []


def test_nested_village_is_named_with_its_cooperative() -> None:
    gazetteer = Gazetteer([*IMPORTED, KnownPlace("石桥村合作社", "cooperative")])
    assert [p.name for p in gazetteer.find("石桥村合作社分红")] == ["石桥村", "石桥村合作社"]


def test_an_alias_two_places_share_names_neither() -> None:
    gazetteer = Gazetteer([KnownPlace("上河村", "village", ("河村",)), KnownPlace("下河村", "village", ("河村",))])
    assert gazetteer.resolve("河村") is None and gazetteer.find("去河村") == []


def test_unvisited_villages_through_short_forms_and_traditional_script() -> None:
    gazetteer = Gazetteer(IMPORTED)
    texts = ["在石桥开会", "走訪東坪村3組困難戶"]
    assert [v.name for v in unvisited_villages(gazetteer, texts)] == ["上尧村", "凹塘村"]
    assert mentions(gazetteer, texts) == {"石桥村": 1, "东坪村": 1}
    assert unvisited_villages(learn(["去大湾村走访"]), []) == []  # a learned list tells nothing


# -- properties -------------------------------------------------------------------------------------

WORDS = "村 社区 镇 乡 公司 有限公司 合作社 小学 卫生院 局 办 中心 县 区 村委会 村民 去 到 研究 协调 了解 已 转 的 食品 乡村 走访"
PIECES = [*"东坪石桥上尧凹塘青山中川大湾新华宏达", *WORDS.split(), "、", "，", "。", " ", "3", "²", "١", "🙂", "\u200b"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
NAME = st.lists(st.sampled_from(list("东坪石桥上尧凹塘青山中川")), min_size=2, max_size=3).map("".join)
KIND = st.sampled_from(["村", "社区", "镇", "有限公司", "合作社", "小学"])
TYPE_OF = {"村": "village", "社区": "community", "镇": "town", "有限公司": "enterprise"}


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_names_in_never_raises_and_names_occur_in_the_text(text: str) -> None:
    for place in names_in(text):
        assert place.name in text


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(NAME, KIND, st.lists(NAME, max_size=2)), max_size=6),
    st.lists(TEXT, max_size=4),
    TEXT,
)
def test_find_names_what_occurs_and_is_idempotent(
    rows: list[tuple[str, str, list[str]]], texts: list[str], text: str
) -> None:
    imported = [
        KnownPlace(stem + kind, TYPE_OF.get(kind, "school"), tuple(aliases), "imported") for stem, kind, aliases in rows
    ]
    gazetteer = learn(texts, imported)
    found = gazetteer.find(text)
    assert len({p.name for p in found}) == len(found)
    for place in found:
        assert any(key in text for key in (place.name, *place.aliases))
        assert gazetteer.resolve(place.name) == place
    assert gazetteer.find("、".join(p.name for p in found)) == found


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=200).map(lambda t: ("名称,类型,简称\n" + t).encode("utf-8")))
def test_reading_any_file_never_raises_anything_but_a_table_error(data: bytes) -> None:
    try:
        places = read_place_table(data)
    except PlaceTableError as exc:
        assert exc.problems and all(p.code for p in exc.problems)
    else:
        assert all(p.name and p.source == "imported" for p in places)


# -- the organisation department's CSV -------------------------------------------------------------


def test_table_from_excel_utf8_with_bom_gbk_and_utf16() -> None:
    text = "名称,类型,简称\n石桥村,村,石桥\n青山食品有限公司,企业,青山食品;青山公司\n上尧村 , 村 ,\n\n凹塘村,村\n"
    expected = [
        KnownPlace("石桥村", "village", ("石桥",), "imported"),
        KnownPlace("青山食品有限公司", "enterprise", ("青山食品", "青山公司"), "imported"),
        KnownPlace("上尧村", "village", (), "imported"),
        KnownPlace("凹塘村", "village", (), "imported"),
    ]
    assert read_place_table(text.encode("utf-8-sig")) == expected
    assert read_place_table(text.encode("utf-8")) == expected
    assert read_place_table(text.encode("gbk")) == expected
    assert read_place_table(text.replace(",", "\t").encode("utf-16")) == expected
    # traditional script is stored simplified, as messages are analysed
    assert read_place_table("名称,类型\n石橋村,村\n".encode())[0].name == "石桥村"


def problems(data: bytes) -> list[tuple[int, str]]:
    with pytest.raises(PlaceTableError) as caught:
        read_place_table(data)
    return [(p.line, p.code) for p in caught.value.problems]


def test_every_bad_line_is_told_with_its_number() -> None:
    text = (
        "名称,类型,简称\n"
        "石桥村,村,石桥\n"
        ",村,\n"
        "中川村,乡村,\n"
        "石桥村,村,\n"
        "大湾村,村,石桥\n"
        f"{'长' * MAX_LINE_CHARS},村\n"
        "东,村\n"
        "东坪村,村,东\n"
    )
    assert problems(text.encode()) == [
        (3, "empty_name"),
        (4, "unknown_type"),
        (5, "duplicate"),
        (6, "alias_taken"),
        (7, "too_long"),
        (8, "name_too_short"),
        (9, "bad_alias"),
    ]
    assert problems("村名,备注\n石桥村,好\n".encode()) == [(1, "header")]
    assert problems(b"") == [(0, "empty")]
    assert problems("名称,类型,简称\n".encode()) == [(0, "empty")]
    assert problems(b"\xff\xfe\x00") in ([(0, "encoding")], [(0, "empty")], [(1, "header")])
    assert problems(b"x" * 1_000_001) == [(0, "too_big")]
