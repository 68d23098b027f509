"""Facts a report needs, read from one message: places, households, petitions, money, lengths, people.

Every figure keeps its qualifier (余, 多, 近, 左右) and the words it came from, so a report can state it
the way the cadre wrote it (domain.md §4.2, §4.3).
"""

from __future__ import annotations

import re
from typing import Any

from analysis.numbers import NUMBER_PATTERN, cn_to_number

_N = NUMBER_PATTERN
_QUAL_BEFORE = r"(近|约|大约|将近)?"
_QUAL_AFTER = r"(余|多|来)?"

_RE_HOUSEHOLDS = re.compile(rf"{_QUAL_BEFORE}({_N}){_QUAL_AFTER}户")
_RE_PETITIONS = re.compile(
    rf"(?:来访|上访|信访|集体访|接访|纠纷|矛盾)[^，,。；;]{{0,10}}?{_QUAL_BEFORE}({_N}){_QUAL_AFTER}(起|件|批次|批|件次)"
    rf"|{_QUAL_BEFORE}({_N}){_QUAL_AFTER}(起|件|批次|批)(?:来访|上访|信访|集体访|纠纷|矛盾|案件)"
)
_RE_PETITION_VISITORS = re.compile(rf"(?:来访|上访|接访)[^，,。；;]{{0,8}}?{_QUAL_BEFORE}({_N}){_QUAL_AFTER}人次")
_RE_MONEY = re.compile(rf"{_QUAL_BEFORE}({_N}){_QUAL_AFTER}(亿元|万元|千元|元|万(?![人户名个余多件]))")
_RE_LENGTH = re.compile(rf"{_QUAL_BEFORE}({_N}){_QUAL_AFTER}(公里|千米|延长米|米(?!粮|面))")
_RE_PEOPLE = re.compile(rf"{_QUAL_BEFORE}({_N}){_QUAL_AFTER}(人次|名|人|位)([\u4e00-\u9fff]{{0,4}})")
_RE_COUNT = re.compile(rf"{_QUAL_BEFORE}({_N}){_QUAL_AFTER}(个村|个组|家|所|期|场|节|栋|份|张|副|辆|棚|个)")
_RE_AFTER_QUAL = re.compile(r"^(左右|以上)")

_MONEY_FACTOR = {"亿元": 1e8, "万元": 1e4, "万": 1e4, "千元": 1e3, "元": 1.0}
_LENGTH_FACTOR = {"公里": 1000.0, "千米": 1000.0, "米": 1.0, "延长米": 1.0}

# Where a place name ends; the longer alternatives first.
_PLACE_SUFFIXES = {
    "village": ("村委会", "村委", "村"),
    "community": ("社区", "小区"),
    "town": ("街道", "镇", "乡"),
    "enterprise": ("合作社", "公司", "集团", "加工厂", "厂", "食品", "实业", "科技", "商贸", "超市", "酒店"),
    "school": ("幼儿园", "小学", "中学", "学校", "学院"),
    "institution": ("卫生院", "医院", "敬老院"),
    "county": ("县", "区"),
}
_SUFFIX_KIND = {s: kind for kind, suffixes in _PLACE_SUFFIXES.items() for s in suffixes}
_RE_SUFFIX = re.compile("|".join(sorted(_SUFFIX_KIND, key=len, reverse=True)))
# Characters that end a place name on its left: verbs, prepositions, particles.
_STOP = set(
    "去到在跟和与陪赴的了访看从往至对给向为把于同及等带领是个每各全本该邻这那此其我他她们帮请让被将要想说讲召参加组织走入户、，,。；;:：!！?？ 　()（）《》\"'“”0123456789"
)
_NOT_PLACES = frozenset(
    [
        "农村",
        "乡村",
        "城乡",
        "乡镇",
        "村镇",
        "村村",
        "本村",
        "该村",
        "全村",
        "各村",
        "邻村",
        "示范村",
        "贫困村",
        "行政村",
        "中心村",
        "城区",
        "辖区",
        "社区",
        "小区",
        "园区",
        "校区",
        "景区",
        "山区",
        "牧区",
        "县区",
        "市区",
        "全县",
        "本县",
        "全区",
        "本区",
        "该区",
        "全镇",
        "本镇",
        "该镇",
        "各镇",
        "乡里",
        "村里",
        "镇里",
        "学校",
        "小学",
        "中学",
        "公司",
        "集团",
        "工厂",
        "厂",
        "党委",
        "镇村",
        "街道",
        "下乡",
        "老乡",
        "家乡",
        "同乡",
        "食品",
        "科技",
        "实业",
        "商贸",
        "超市",
        "酒店",
        "卫生院",
        "医院",
        "敬老院",
        "学院",
        "幼儿园",
        "村委",
        "村委会",
        "地区",
        "片区",
        "选区",
        "专区",
        "老区",
        "新区",
        "灾区",
        "红区",
        "矿区",
        "功能区",
    ]
)
_GENERIC_ENDINGS = (
    "贫困村",
    "示范村",
    "行政村",
    "中心村",
    "重点村",
    "薄弱村",
    "空壳村",
    "自然村",
    "各村",
    "全村",
    "本村",
)
_AFTER_VILLAGE_WORD = ("道", "民", "里", "级", "干", "组长", "貌", "容", "集体", "医", "小", "口", "庄", "务")
_TITLE_AFTER = ("长", "党委", "政府", "领导", "干部", "主任", "书记", "级", "委", "两委", "民", "里")


def _number(text: str) -> float | None:
    return cn_to_number(text.replace(",", ""))


def _qualifier(before: str | None, after: str | None, tail: str) -> str:
    if before:
        return "近" if before in ("近", "将近") else "约"
    if after:
        return "余" if after == "余" else "多"
    if m := _RE_AFTER_QUAL.match(tail):
        return m.group(1)
    return ""


def _figure(value: float, qualifier: str, text: str, **extra: Any) -> dict[str, Any]:
    figure: dict[str, Any] = {"value": int(value) if value == int(value) else round(value, 4), "text": text}
    if qualifier:
        figure["qualifier"] = qualifier
    figure.update(extra)
    return figure


def find_places(text: str) -> list[dict[str, str]]:
    """Return named places in order of first mention: {"name", "type"}."""
    places: list[dict[str, str]] = []
    seen: set[str] = set()
    for m in _RE_SUFFIX.finditer(text):
        suffix = m.group(0)
        after = text[m.end() : m.end() + 2]
        if suffix in ("镇", "乡", "县", "区", "村") and after.startswith(_TITLE_AFTER):
            continue  # 吴副镇长, 镇党委, 县领导: a title, not a place
        if suffix == "厂" and after.startswith(("房", "区", "长", "里")):
            continue
        if suffix == "村" and after.startswith(_AFTER_VILLAGE_WORD):
            continue  # 村道, 村民, 村口: a word, not a village name
        start = m.start()
        while start > 0 and text[start - 1] not in _STOP and m.start() - start < 6:
            start -= 1
        name = text[start : m.end()]
        stem = name[: -len(suffix)]
        if name.endswith(_GENERIC_ENDINGS):
            continue
        if len(stem) < 1 or name in _NOT_PLACES or stem in _NOT_PLACES or not re.search(r"[\u4e00-\u9fff]", stem):
            continue
        if len(name) < 3 and _SUFFIX_KIND[suffix] != "town":
            continue
        kind = _SUFFIX_KIND[suffix]
        if suffix in ("村委", "村委会"):
            name, kind = name[: -len(suffix)], "village"
            if not name.endswith("村"):
                name += "村"
        if name not in seen:
            seen.add(name)
            places.append({"name": name, "type": kind})
    return places


def _collect(
    pattern: re.Pattern[str], text: str, unit_group: int | None = None
) -> list[tuple[re.Match[str], float, str]]:
    out: list[tuple[re.Match[str], float, str]] = []
    for m in pattern.finditer(text):
        groups = m.groups()
        value = _number(groups[1] or "")
        if value is None or value <= 0:
            continue
        qualifier = _qualifier(groups[0], groups[2], text[m.end() : m.end() + 2])
        out.append((m, value, qualifier))
    return out


def extract_facts(text: str) -> dict[str, Any]:
    """Return the facts found in one simplified-Chinese message; empty lists are left out."""
    facts: dict[str, Any] = {}
    places = find_places(text)
    if places:
        facts["places"] = places

    households = [_figure(v, q, m.group(0)) for m, v, q in _collect(_RE_HOUSEHOLDS, text)]
    if households:
        facts["households"] = households

    petitions = []
    for m in _RE_PETITIONS.finditer(text):
        g = m.groups()
        before, number, after, unit = (g[0], g[1], g[2], g[3]) if g[1] else (g[4], g[5], g[6], g[7])
        value = _number(number or "")
        if value:
            petitions.append(_figure(value, _qualifier(before, after, ""), m.group(0).lstrip("，,"), unit=unit))
    if petitions:
        facts["petitions"] = petitions
    visitors = [_figure(v, q, m.group(0), unit="人次") for m, v, q in _collect(_RE_PETITION_VISITORS, text)]
    if visitors:
        facts["petition_visitors"] = visitors

    money = []
    for m, value, qualifier in _collect(_RE_MONEY, text):
        unit = m.group(4)
        money.append(_figure(value * _MONEY_FACTOR[unit], qualifier, m.group(0), unit="元"))
    if money:
        facts["money"] = money

    lengths = []
    for m, value, qualifier in _collect(_RE_LENGTH, text):
        lengths.append(_figure(value * _LENGTH_FACTOR[m.group(4)], qualifier, m.group(0), unit="米"))
    if lengths:
        facts["lengths"] = lengths

    people = []
    for m, value, qualifier in _collect(_RE_PEOPLE, text):
        if m.group(4) == "人" and text[m.end(4) - 1 : m.end(4) + 1] == "人次":
            continue
        who = m.group(5) or ""
        text_span = m.group(0)
        if tail := _RE_AFTER_QUAL.match(who):
            qualifier = qualifier or tail.group(1)
            who = who[len(tail.group(1)) :]
        people.append(_figure(value, qualifier, text_span, unit=m.group(4), who=who))
    if people:
        facts["people"] = people

    counts = [_figure(v, q, m.group(0), unit=m.group(4)) for m, v, q in _collect(_RE_COUNT, text)]
    if counts:
        facts["counts"] = counts
    return facts
