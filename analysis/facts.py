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

# The place types stored with an entry's facts: a cooperative is counted with the enterprises, as before the
# gazetteer (analysis/places.py) told them apart.
_STORED_TYPES = {"cooperative": "enterprise"}


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
    """Return named places in order of first mention: {"name", "type"} (names at word boundaries, see
    analysis/places.py; a short form next to its full name is told once, by the full name)."""
    from analysis.places import names_in  # places → classify → facts: imported when first called

    return [{"name": p.name, "type": _STORED_TYPES.get(p.type, p.type)} for p in names_in(text)]


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
