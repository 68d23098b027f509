"""Hold every number and every name of a draft to the cadre's records.

Runs on every paragraph the compiler writes. A number is traced when the paragraph's source entries state it (in
the same unit, 万元 and 公里 converted) or when it is a figure the compiler computed from those entries and declared;
a month or a day when a source entry or the posting is dated so; a name (a place, an organisation, a title in 《》)
when some record of the cadre's names it. A sentence with anything untraced is marked 【待核实】, and counted, so the
chat preview can say how many there are.

The same checks hold a paragraph written by the on-premises model (reporting/polish.py), with stricter ones for
it: no number outside a placeholder (`numerals_outside`: digits, and Chinese numerals that count something —
三户, 十几趟, 一起纠纷 — but not the numerals of words: 一是, 一线, 统一, 一些, 进一步, 一起研究, 两委), every name in
an entry it cites or in its section's plan (`check_paragraph` with `name_texts`), and no reflection or plan
(体会, 认识到, 下一步, 将继续, 计划 …) that none of its source entries says (`reflections`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from analysis.facts import find_places
from analysis.numbers import cn_to_number
from analysis.places import KIND_SUFFIXES
from reporting import templates as t
from reporting.model import Paragraph, Source
from storage.entities import Entry, Person

_FAMILY = {
    "万元": ("元", 1e4),
    "亿元": ("元", 1e8),
    "千元": ("元", 1e3),
    "元": ("元", 1.0),
    "公里": ("米", 1000.0),
    "千米": ("米", 1000.0),
    "延长米": ("米", 1.0),
    "米": ("米", 1.0),
    "户次": ("户", 1.0),
    "户": ("户", 1.0),
    "人次": ("人次", 1.0),
    "名": ("人", 1.0),
    "人": ("人", 1.0),
    "位": ("人", 1.0),
    "起": ("起", 1.0),
    "件": ("起", 1.0),
    "批次": ("起", 1.0),
    "批": ("起", 1.0),
    "次": ("次", 1.0),
    "场": ("次", 1.0),
    "期": ("次", 1.0),
    "天": ("天", 1.0),
    "篇": ("篇", 1.0),
    "个": ("个", 1.0),
    "家": ("个", 1.0),
    "所": ("个", 1.0),
    "处": ("个", 1.0),
    "项": ("个", 1.0),
    "亩": ("亩", 1.0),
    "组": ("组", 1.0),
    "平方米": ("平方米", 1.0),
}
_UNITS = "|".join(sorted(_FAMILY, key=len, reverse=True))
_CN = "〇零一二两三四五六七八九十百千万"
_RE_NUMBER = re.compile(rf"(\d+(?:\.\d+)?|[{_CN}]+)\s*(万|亿)?(?:余|多)?({_UNITS}|月|日|年)?")
# a date: a month, with its day if written (7月, 7月24日, 七月二十四日, 7月24号)
_RE_DATE = re.compile(rf"(\d{{1,2}}|[{_CN}]{{1,3}})月(?:(\d{{1,2}}|[{_CN}]{{1,3}})[日号])?")
_RE_SENTENCE = re.compile(r"[^。！？]*[。！？]?")
_RE_TITLE = re.compile(r"《([^》]+)》")
_HALF_WIDTH = str.maketrans({"（": "(", "）": ")", "“": '"', "”": '"', "：": ":", "，": ","})
_MEASURE_WORDS = frozenset("个家所名位处座")


@dataclass(frozen=True, slots=True)
class Records:
    """What the cadre's records say, for the whole report: every text, and the dates they are about."""

    texts: tuple[str, ...]
    months: frozenset[int]
    days: frozenset[int]
    years: frozenset[int]
    # (month, day) of the posting's start and end: with them, a date is held to the paragraph's own entries; None
    # (a batch's report): to any record's month and day
    dates: frozenset[tuple[int, int]] | None = None

    @classmethod
    def build(cls, entries: Iterable[Entry], person: Person) -> Records:
        chosen = list(entries)
        texts = [e.text for e in chosen] + [e.original_text for e in chosen]
        dates = [e.work_date for e in chosen]
        posting = person.posting
        if posting:
            texts += [v for v in (posting.host_unit, posting.sending_unit, posting.position) if v]
            dates += [d for d in (posting.start_date, posting.end_date) if d]
        return cls(
            texts=tuple(texts),
            months=frozenset(d.month for d in dates),
            days=frozenset(d.day for d in dates),
            years=frozenset(d.year for d in dates),
            dates=frozenset(
                (d.month, d.day) for d in ((posting.start_date, posting.end_date) if posting else ()) if d is not None
            ),
        )

    def names(self, name: str) -> bool:
        """Whether some record names this (a name glued to a word before it counts by its tail: 覆盖宏达食品)."""
        return named(name, self.texts)


def _value(number: str) -> float | None:
    if number[0].isdigit():
        return float(number)
    return cn_to_number(number)


def stated(text: str) -> list[tuple[float, str, str]]:
    """(value in the base unit, base unit, the words) for every number with a unit in a text."""
    found = []
    for m in _RE_NUMBER.finditer(text):
        unit = m.group(3)
        if unit is None:
            continue
        value = _value(m.group(1))
        if value is None:
            continue
        if unit in ("月", "日", "年"):
            if m.group(2) is None:
                found.append((value, unit, m.group(0)))
            continue
        family, factor = _FAMILY[unit]
        multiplier = {"万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1.0)  # 2.3万人
        found.append((round(value * multiplier * factor, 4), family, m.group(0)))
    return found


def _traced(value: float, unit: str, allowed: set[tuple[float, str]], records: Records) -> bool:
    if unit == "月":
        return int(value) in records.months
    if unit == "日":
        return int(value) in records.days
    if unit == "年":
        return int(value) in records.years
    return (value, unit) in allowed


def _counts(text: str) -> list[tuple[float, str, str]]:
    """(value, the two characters after the measure word, the words) of every count of things (个 家 所 处 项)."""
    found = []
    for m in _RE_NUMBER.finditer(text):
        unit = m.group(3)
        if unit is None or unit in ("月", "日", "年") or _FAMILY[unit][0] != "个":
            continue
        value = _value(m.group(1))
        if value is not None:
            multiplier = {"万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1.0)
            after = text[m.end() : m.end() + 2]
            noun = after[: next((i for i, c in enumerate(after) if not c.isalpha()), len(after))]
            # 中小学138所，: what it counts stands before it (noun "")
            found.append((round(value * multiplier, 4), noun, m.group(0)))
    return found


@lru_cache(maxsize=32768)
def _counts_once(text: str) -> tuple[tuple[float, str], ...]:
    """A source's counts, each also without its noun (a draft's count with no noun after it matches by value)."""
    found = [(value, noun) for value, noun, _ in _counts(text)]
    return tuple(found + [(value, "") for value, _ in found])


@lru_cache(maxsize=32768)
def _dates_once(text: str) -> tuple[tuple[int, int], ...]:
    """(month, day) of every date a text writes (day 0: a month alone)."""
    found = []
    for m in _RE_DATE.finditer(text):
        month = _value(m.group(1))
        day = _value(m.group(2)) if m.group(2) else 0.0
        if month is not None and day is not None and 1 <= month <= 12:
            found.append((int(month), int(day)))
    return tuple(found)


def _undated(text: str, sources: Sequence[Source], records: Records) -> tuple[str, list[str]]:
    """The text with its dates blanked, and the dates in it that are neither a source entry's date, one a source
    writes, nor the posting's start or end (a month: the month of one of those)."""
    if records.dates is None:
        return _undated_loosely(text, records)
    dates = {(s.date.month, s.date.day) for s in sources}
    for source in sources:
        dates |= set(_dates_once(source.text))
    months = {month for month, _ in dates}  # the posting's own start and end are dates, not months worked
    dates |= records.dates
    problems = []

    def check(m: re.Match[str]) -> str:
        month = _value(m.group(1))
        day = _value(m.group(2)) if m.group(2) else None
        if month is None or not 1 <= month <= 12 or (m.group(2) and day is None):
            return m.group(0)  # no date (三个月 is no month 三): read as numbers below
        known = (int(month), int(day)) in dates if day is not None else int(month) in months
        if not known:
            problems.append(m.group(0))
        return "\u3000" * len(m.group(0))

    return _RE_DATE.sub(check, text), problems


def _undated_loosely(text: str, records: Records) -> tuple[str, list[str]]:
    """_undated for records without the posting's dates: a month and a day each of some record."""
    problems = []

    def check(m: re.Match[str]) -> str:
        month = _value(m.group(1))
        day = _value(m.group(2)) if m.group(2) else None
        if month is None or not 1 <= month <= 12 or (m.group(2) and day is None):
            return m.group(0)
        if int(month) not in records.months or (day is not None and int(day) not in records.days):
            problems.append(m.group(0))
        return "\u3000" * len(m.group(0))

    return _RE_DATE.sub(check, text), problems


def untraced(text: str, sources: Sequence[Source], allowed: set[tuple[float, str]], records: Records) -> list[str]:
    """The numbers and names of one sentence that its sources, the declared figures and the records don't give."""
    declared = {(round(v, 4), _FAMILY.get(u, (u, 1.0))[0]) for v, u in allowed}
    known = {(value, unit) for value, unit, _ in allowed_from(sources) if unit != "个"} | declared
    counted = {item for source in sources for item in _counts_once(source.text)}
    undated, problems = _undated(_RE_TITLE.sub("《》", text), sources, records)
    for value, unit, words in stated(undated):  # a title's own years and numbers are its name
        if unit == "个" and (value, unit) not in declared:
            continue  # a count of things: read with what it counts, below
        if not _traced(value, unit, known, records):
            problems.append(words)
    # 9个行政村 is traced by a source that counts 9 of the same (行政村), not by any 9个 of his entries
    problems += [
        words
        for value, noun, words in _counts(undated)
        if (value, noun) not in counted and (value, "个") not in declared
    ]
    for place in find_places(text):
        if place["name"][0] in _MEASURE_WORDS:
            continue  # 2所学校, 5个村: a count of places, not a name
        if not records.names(place["name"]):
            problems.append(place["name"])
    for title in _RE_TITLE.findall(text):
        if not records.names(title) and not records.names(title.translate(_HALF_WIDTH)):
            problems.append(f"《{title}》")  # a title as typed, or with its brackets and quotes made 公文 ones
    return problems


def allowed_from(sources: Sequence[Source]) -> list[tuple[float, str, str]]:
    """Every number with a unit the source entries state."""
    return [item for source in sources for item in _stated_once(source.text)]


@lru_cache(maxsize=32768)  # one entry is the source of several paragraphs: read its numbers once
def _stated_once(text: str) -> tuple[tuple[float, str, str], ...]:
    return tuple(stated(text))


# -- figures as the text writes them (placeholders for the model), and numerals that are no figure -----------------

_CN_RUN = "〇零一二两三四五六七八九十百千万亿"
# what a Chinese numeral counts when it is a figure: units, measure words, dates
_MEASURES = sorted(
    {
        *_FAMILY,
        *("个月", "月", "日", "年", "周", "岁", "组", "条", "座", "张", "趟", "轮", "类", "种", "支", "份", "台"),
        *("辆", "吨", "斤", "公斤", "倍", "届", "栋", "间", "级", "层", "块", "只", "头", "棵", "株", "套", "本"),
        *("节", "课", "遍", "回", "番", "方面"),
    },
    key=len,
    reverse=True,
)
_MEASURE = "|".join(_MEASURES)
_QUALIFIER = "(?:余|多|几|来)?"
# a date (2026年6月1日, 8月26日), else a number written in digits with what it counts (2.3万人, 4组, 3.5米)
_RE_DIGIT_FIGURE = re.compile(
    rf"(?:\d{{4}}年)?\d{{1,2}}月(?:\d{{1,2}}日)?|\d+(?:\.\d+)?(?:万|亿)?{_QUALIFIER}(?:{_MEASURE})?"
)
_RE_CN_FIGURE = re.compile(rf"[{_CN_RUN}]+{_QUALIFIER}(?:{_MEASURE})")
# The numerals of fixed words and of the Party's set phrases are no figure.
FIXED_NUMERAL_WORDS = (
    "两个确立",
    "两个维护",
    "四个意识",
    "四个自信",
    "三会一课",
    "四议两公开",
    "两学一做",
    "一户一策",
    "一村一品",
    "一对一",
    "一站式",
    "一次性",
    "一揽子",
    "一把手",
    "一盘棋",
    "千家万户",
    "一方面",
    "另一方面",
    "方方面面",
)
# 一起 is a figure before what it counts (一起纠纷), an adverb before a verb (一起研究)
_CASE_NOUNS = (
    "纠纷",
    "矛盾",
    "信访",
    "案",
    "事",
    "来访",
    "问题",
    "集体",
    "群体",
    "涉",
    "土地",
    "宅基地",
    "征地",
    "邻里",
)
_RE_PLACEHOLDER = re.compile(r"\{(F\d+)\}")


def _masked(text: str, words: Iterable[str]) -> str:
    for word in words:
        text = text.replace(word, "\u3000" * len(word))
    return text


def figure_spans(text: str) -> list[tuple[int, int]]:
    """Where the text states a figure: every number in digits (with its unit, a date whole) and every Chinese
    numeral that counts something; titles in 《》 and fixed words (一是, 统一, 两个维护) are no figure."""
    masked = _masked(_RE_TITLE.sub(lambda m: "\u3000" * len(m.group(0)), text), FIXED_NUMERAL_WORDS)
    spans = [(m.start(), m.end()) for m in _RE_DIGIT_FIGURE.finditer(masked)]
    for m in _RE_CN_FIGURE.finditer(masked):
        if any(a <= m.start() < b for a, b in spans):
            continue
        after = masked[m.end() : m.end() + 3]
        if m.group(0) in ("一起", "一件") and not after.startswith(_CASE_NOUNS):
            continue  # 一起研究: together, not one case
        if m.group(0) == "一番":
            continue
        spans.append((m.start(), m.end()))
    return sorted(spans)


def numerals_outside(text: str) -> list[str]:
    """The figures a model's text writes itself instead of through a placeholder ({F3}): none is allowed."""
    bare = _RE_PLACEHOLDER.sub("\u3000", text)
    found = [bare[a:b] for a, b in figure_spans(bare)]
    bare = _RE_TITLE.sub("《》", bare)  # a title's own numbers are its name (the title itself must be on record)
    found += [c for c in bare if c.isdigit() and not any(c in f for f in found)]  # full-width and other digits
    return found


# -- reflections and plans the cadre did not write ----------------------------------------------------------------

REFLECTION_MARKERS = (
    "体会",
    "认识到",
    "感受到",
    "感悟",
    "深感",
    "深刻认识",
    "启示",
    "收获",
    "下一步",
    "将继续",
    "将进一步",
    "今后",
    "计划",
    "打算",
    "力争",
    "展望",
)
_NOT_REFLECTIONS = ("心得体会", "心得", "收获季", "秋收")  # an essay's kind and the harvest are no reflection


def reflections(text: str, sources: Sequence[Source]) -> list[str]:
    """Reflection and plan words in the text that no source entry uses: what the cadre did not say."""
    body = _masked(_RE_TITLE.sub("《》", text), _NOT_REFLECTIONS)
    said = [_masked(source.text, _NOT_REFLECTIONS) for source in sources]
    return [m for m in REFLECTION_MARKERS if m in body and not any(m in s for s in said)]


def named(name: str, texts: Iterable[str]) -> bool:
    """Whether one of the texts names this, or its tail (a word glued before it: 覆盖宏达食品): at most two
    characters dropped, and three of the name's own kept before its kind (湾村 is no trace of 张家湾村, nor
    食品有限公司 of 华康食品有限公司)."""
    suffix = next((s for s in KIND_SUFFIXES if name.endswith(s)), "")
    core = len(name) - len(suffix)
    tails = [name[i:] for i in range(max(1, min(3, core - 2)))]
    return any(tail in text for text in texts for tail in tails)


def check_paragraph(
    text: str,
    sources: Sequence[Source],
    allowed: Iterable[tuple[float, str]],
    records: Records,
    name_texts: Sequence[str] | None = None,
) -> list[str]:
    """Everything in a paragraph its records do not bear out: untraced numbers, dates and names (with
    `name_texts`, a name must also be in one of those texts), and reflections or plans no source says."""
    chosen = set(allowed)
    problems: list[str] = []
    for sentence in _RE_SENTENCE.findall(text.replace(t.UNVERIFIED, "")):
        if sentence:
            problems += untraced(sentence, sources, chosen, records)
    if name_texts is not None:
        for place in find_places(text):
            name = place["name"]
            if name[0] not in _MEASURE_WORDS and not named(name, name_texts) and name not in problems:
                problems.append(name)
    problems += reflections(text, sources)
    return problems


def verify_paragraph(
    text: str, sources: Sequence[Source], allowed: set[tuple[float, str]], records: Records
) -> Paragraph:
    """The paragraph with every sentence it cannot trace marked 【待核实】."""
    out, marked = [], 0
    for sentence in _RE_SENTENCE.findall(text):
        if not sentence:
            continue
        if untraced(sentence, sources, allowed, records) and t.UNVERIFIED not in sentence:
            body = sentence.rstrip("。！？")
            sentence = body + t.UNVERIFIED + sentence[len(body) :]
            marked += 1
        out.append(sentence)
    unique = tuple(dict.fromkeys(sources))
    declared = frozenset((round(v, 4), _FAMILY.get(u, (u, 1.0))[0]) for v, u in allowed)
    return Paragraph("".join(out), unique, marked, figures=declared)
