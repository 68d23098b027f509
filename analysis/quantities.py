"""Quantities with their object and their role: what a figure in a message means, not only what it is.

"走访5户困难户，了解到其中2户取暖困难" states 5 households visited and a subset of 2 (not 7). "争取资金30万元" is money
secured; "企业年产值800万元" is an enterprise's scale; "测算需资金50万元" an estimate; "全村流转土地1200亩" a stock.
A report sums only quantities of one kind and one role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from analysis.numbers import NUMBER_PATTERN, cn_to_number

QuantityKind = Literal["households", "money", "length", "area", "people", "person_times", "petitions", "count"]
Role = Literal["done", "secured", "scale", "estimate", "stock", "subset", "plan", "other"]


@dataclass(frozen=True, slots=True)
class Quantity:
    kind: QuantityKind
    value: float  # in the base unit: 元, 米, 亩, 户, 人, 起 …
    unit: str  # the base unit
    role: Role
    object: str  # what is counted: 困难户, 党员, 村民 …; "" when the words don't say
    qualifier: str  # 余 / 多 / 近 / 约 / 左右 / ""
    text: str  # the words it came from, as written
    start: int  # offset of those words in the text


_N = NUMBER_PATTERN
_BEFORE = r"(近|约|大约|将近|共|累计|合计)?"
_AFTER = r"(余|多|来)?"
_MONEY_UNITS = {"亿元": 1e8, "万元": 1e4, "千元": 1e3, "元": 1.0, "万": 1e4}
_LENGTH_UNITS = {"公里": 1000.0, "千米": 1000.0, "延长米": 1.0, "米": 1.0}
_HOUSEHOLD_OBJECTS = (
    "脱贫户",
    "监测户",
    "低保户",
    "五保户",
    "特困户",
    "困难户",
    "贫困户",
    "农户",
    "种植户",
    "养殖户",
    "独居老人",
    "留守老人",
    "留守儿童",
    "残疾人家庭",
    "群众",
    "村民",
)
_OBJ = "|".join(_HOUSEHOLD_OBJECTS)
_RE_HOUSEHOLDS = re.compile(
    rf"(?:({_OBJ})(?:家庭)?)?{_BEFORE}({_N}){_AFTER}户(次)?(?:({_OBJ}))?(?!口|籍|主|型|外)"
)
_RE_MONEY = re.compile(rf"{_BEFORE}({_N}){_AFTER}(亿元|万元|千元|元|万(?![人户名个余多件亩平斤吨株只头]))")
_RE_LENGTH = re.compile(rf"{_BEFORE}({_N}){_AFTER}(公里|千米|延长米|米(?!粮|面|线))")
_RE_AREA = re.compile(rf"{_BEFORE}({_N}){_AFTER}(亩|平方米|平米)")
_RE_PEOPLE = re.compile(rf"{_BEFORE}({_N}){_AFTER}(人次|名|人|位)([\u4e00-\u9fff]{{0,4}})")
_RE_PETITIONS = re.compile(
    rf"(?:来访|上访|信访|集体访|接访|纠纷|矛盾)[^，,。；;]{{0,10}}?{_BEFORE}({_N}){_AFTER}(起|件|批次|批|件次)"
    rf"|{_BEFORE}({_N}){_AFTER}(起|件|批次|批)(?:来访|上访|信访|集体访|纠纷|矛盾|案件)"
)
_RE_CLAUSE = re.compile(r"[，,。；;！!？?\n]")
_RE_UP_TO_CLAUSE_MARK = re.compile(r".*[，,。；;！!？?\n]", re.DOTALL)  # to the last mark before a figure

# Words in a figure's clause that tell its role; the first list that matches wins.
_ROLE_WORDS: tuple[tuple[Role, tuple[str, ...]], ...] = (
    ("estimate", ("测算", "预计", "预估", "估算", "概算", "估计", "计划投资", "拟投资", "拟投入", "预算", "需资金", "需要资金",
                  "缺口", "还差", "需投入", "总投资约")),
    ("scale", ("产值", "销售收入", "销售额", "营收", "营业收入", "营业额", "年收入", "年销售", "利税", "纳税", "总资产",
               "注册资本", "年产", "规模", "出口额", "交易额", "总投资", "价值", "总造价", "货款")),
    ("stock", ("全村", "全镇", "全乡", "全县", "共有", "现有", "总户数", "总人口", "常住", "辖区", "户籍", "总面积", "耕地",
               "全长", "占地")),
    ("plan", ("计划", "准备", "打算", "拟", "将于", "明年", "下一步")),
    ("secured", ("争取", "补助", "到位", "拨付", "下达", "落实资金", "筹集", "募集", "捐赠", "捐款", "捐了", "捐助", "捐资", "助学金", "奖补", "申请到", "投资",
                 "投入", "帮扶资金", "资金支持", "衔接资金", "专项资金", "配套")),
)
# the same, one search each (any of the words in a clause)
_RE_ROLE_WORDS = tuple((role, re.compile("|".join(map(re.escape, words)))) for role, words in _ROLE_WORDS)
_SUBSET_WORDS = ("其中", "了解到", "发现", "有的", "反映有", "内有", "含")
_DONE_WORDS = ("完成", "硬化", "修通", "铺设", "建成", "新建", "改造", "修复", "疏通", "清理", "安装", "架设", "维修", "铺", "修")
_VISIT_WORDS = ("走访", "入户", "看望", "慰问", "探望", "遍访", "摸排", "到户", "家访", "回访")


def _number(text: str) -> float | None:
    return cn_to_number(text.replace(",", ""))


def _qualifier(before: str | None, after: str | None, tail: str) -> str:
    if before in ("近", "将近"):
        return "近"
    if before in ("约", "大约"):
        return "约"
    if after:
        return "余" if after == "余" else "多"
    if tail.startswith(("左右", "以上")):
        return tail[:2]
    return ""


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause around [start, end): its words before the figure and the whole clause."""
    before = _RE_UP_TO_CLAUSE_MARK.match(text, 0, start)
    left = before.end() if before else 0
    after = _RE_CLAUSE.search(text, end)
    right = after.start() if after else len(text)
    return text[left:start], text[left:right]


def _sentence(text: str, start: int) -> str:
    """The words of the sentence before a figure (back to the last 。！？ or line break)."""
    left = max(text.rfind(c, 0, start) for c in "。！？!?\n")
    return text[left + 1 : start]


def _role(text: str, start: int, end: int, default: Role) -> Role:
    _, clause = _clause(text, start, end)
    before = _sentence(text, start)
    if _RE_ROLE_WORDS[0][1].search(before) and not any(w in clause for w in ("到位", "拨付", "下达", "争取到")):
        return "estimate"  # 测算要新建一栋教学楼，投资约2800万元: the estimate said earlier covers the figure
    for role, words in _RE_ROLE_WORDS:
        if words.search(clause):
            if role == "plan" and any(w in clause for w in ("已", "完成")):
                continue
            return role
    if default == "other" and any(w in before for w in ("资金下达", "争取到", "争取", "资金到位", "下达")):
        return "secured"  # 省级…资金下达，马坊中心校食堂改造85万元
    if default == "done" and not any(w in clause for w in _DONE_WORDS):
        return "other"
    return default


def _households(text: str) -> list[Quantity]:
    found: list[Quantity] = []
    for m in _RE_HOUSEHOLDS.finditer(text):
        value = _number(m.group(3))
        if value is None or value <= 0:
            continue
        obj = m.group(1) or m.group(6) or ""
        before, clause = _clause(text, m.start(), m.end())
        role: Role
        if found and any(w in clause for w in _SUBSET_WORDS):
            role = "subset"  # part of households already counted in the same message
        elif any(w in clause for w in ("全村", "全组", "共有", "现有", "总户数", "户籍", "建档立卡")) and not any(
            w in clause for w in _VISIT_WORDS
        ):
            role = "stock"
        elif any(w in before for w in _VISIT_WORDS) or any(w in clause for w in _VISIT_WORDS):
            role = "done"
        elif found:
            role = "subset"
        else:
            role = "other"
        unit = "户次" if m.group(5) else "户"
        qualifier = _qualifier(m.group(2), m.group(4), text[m.end() : m.end() + 2])
        found.append(Quantity("households", value, unit, role, obj, qualifier, m.group(0), m.start()))
    return found


def _scaled(
    pattern: re.Pattern[str], text: str, kind: QuantityKind, factors: dict[str, float], unit: str, default: Role
) -> list[Quantity]:
    found = []
    for m in pattern.finditer(text):
        value = _number(m.group(2))
        if value is None or value <= 0:
            continue
        qualifier = _qualifier(m.group(1), m.group(3), text[m.end() : m.end() + 2])
        role = _role(text, m.start(), m.end(), default)
        found.append(Quantity(kind, value * factors[m.group(4)], unit, role, "", qualifier, m.group(0), m.start()))
    return found


_PETITION_WORDS = ("来访", "上访", "信访", "集体访", "接访")
_RE_BARE_CASES = re.compile(rf"{_BEFORE}({_N}){_AFTER}(起|件)(?!来|床|步|点|诉|草|身|见)")
_RE_GROUP_VISIT = re.compile(r"集体(?:来访|上访|访)")


def _petitions(text: str) -> list[Quantity]:
    """Petition cases: 来访3起, 信访2件, a bare 3起 where the text is about petitions, 集体来访 as one case.

    A total followed by its parts ("3起：征地补偿1起、宅基地纠纷1起、低保评定1起") counts once: the later
    figures that together do not exceed the first are its subsets."""
    spans: dict[int, tuple[float, str, str, re.Match[str]]] = {}
    for m in _RE_PETITIONS.finditer(text):
        g = m.groups()
        before, number, after = (g[0], g[1], g[2]) if g[1] else (g[4], g[5], g[6])
        value = _number(number or "")
        if value:
            start = m.start(2) if g[1] else m.start(6)
            spans[start] = (value, before or "", after or "", m)
    if any(w in text for w in _PETITION_WORDS):
        for m in _RE_BARE_CASES.finditer(text):
            value = _number(m.group(2))
            if value and m.start(2) not in spans and not any(abs(m.start(2) - s) <= 2 for s in spans):
                spans[m.start(2)] = (value, m.group(1) or "", m.group(3) or "", m)
    found: list[Quantity] = []
    first: float | None = None
    first_end = 0
    later = 0.0
    for start in sorted(spans):
        value, before, after, m = spans[start]
        role = _role(text, m.start(), m.end(), "done")
        role = "done" if role in ("other", "secured") else role
        between = text[first_end:start]
        listed = any(mark in between for mark in ("：", ":", "（", "(", "其中", "、")) or "、" in text[m.end() : m.end() + 12] or text.startswith("是", m.end())
        if first is not None and role == "done" and later + value <= first and listed:
            role = "subset"
            later += value
        elif first is None and role == "done":
            first, first_end = value, m.end()
        found.append(Quantity("petitions", value, "起", role, "", _qualifier(before, after, ""), m.group(0), m.start()))
    group = _RE_GROUP_VISIT.search(text)
    if group and not any(q.role == "done" for q in found):
        found.append(Quantity("petitions", 1.0, "起", "done", "", "", group.group(0), group.start()))
    return found


@lru_cache(maxsize=32768)  # a report reads each entry several times (figures, sections, verifier)
def read_quantities(text: str) -> tuple[Quantity, ...]:
    """Every quantity of a simplified text, with its role, in order of appearance."""
    found: list[Quantity] = []
    # each pattern ends in its unit: a text without the unit's character is not searched for it
    found += _households(text) if "户" in text else []
    found += _scaled(_RE_MONEY, text, "money", _MONEY_UNITS, "元", "other") if "元" in text or "万" in text else []
    has_length = "米" in text or "公里" in text
    found += _scaled(_RE_LENGTH, text, "length", _LENGTH_UNITS, "米", "done") if has_length else []
    has_area = "亩" in text or "平" in text
    found += _scaled(_RE_AREA, text, "area", {"亩": 1.0, "平方米": 1.0, "平米": 1.0}, "亩", "done") if has_area else []
    for m in _RE_AREA.finditer(text) if has_area else ():
        if m.group(4) != "亩":
            found = [q for q in found if not (q.kind == "area" and q.start == m.start())]
            value = _number(m.group(2))
            if value:
                role = _role(text, m.start(), m.end(), "done")
                found.append(Quantity("area", value, "平方米", role, "", "", m.group(0), m.start()))
    found += _petitions(text)
    group_visit = _RE_GROUP_VISIT.search(text)
    for m in _RE_PEOPLE.finditer(text):
        value = _number(m.group(2))
        if value is None or value <= 0:
            continue
        unit = m.group(4)
        if unit == "人" and text[m.end(4) : m.end(4) + 1] == "次":
            continue
        kind: QuantityKind = "person_times" if unit == "人次" else "people"
        if group_visit and kind == "people" and m.end() <= group_visit.end() and group_visit.start() - m.end() <= 6:
            kind = "person_times"  # 9名村民集体来访: nine visitors of one petition
        role = _role(text, m.start(), m.end(), "done")
        role = "done" if role == "other" else role
        qualifier = _qualifier(m.group(1), m.group(3), m.group(5))
        obj = re.sub(r"^(左右|以上)", "", m.group(5))
        found.append(Quantity(kind, value, "人次" if kind == "person_times" else "人", role, obj, qualifier,
                              m.group(0), m.start()))
    return tuple(sorted(found, key=lambda q: q.start))
