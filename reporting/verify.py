"""Hold every number and every name of a draft to the cadre's records.

Runs on every paragraph the compiler writes. A number is traced when the paragraph's source entries state it (in
the same unit, 万元 and 公里 converted) or when it is a figure the compiler computed from those entries and declared;
a month or a day when a source entry or the posting is dated so; a name (a place, an organisation, a title in 《》)
when some record of the cadre's names it. A sentence with anything untraced is marked 【待核实】, and counted, so the
chat preview can say how many there are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from analysis.facts import find_places
from analysis.numbers import cn_to_number
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
    "平方米": ("平方米", 1.0),
}
_UNITS = "|".join(sorted(_FAMILY, key=len, reverse=True))
_CN = "〇零一二两三四五六七八九十百千万"
_RE_NUMBER = re.compile(rf"(\d+(?:\.\d+)?|[{_CN}]+)\s*(?:余|多)?({_UNITS}|月|日|年)?")
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
        )

    def names(self, name: str) -> bool:
        """Whether some record names this (a name glued to a word before it counts by its tail: 覆盖宏达食品)."""
        return any(name[i:] in text for i in range(max(1, len(name) - 1)) for text in self.texts)


def _value(number: str) -> float | None:
    if number[0].isdigit():
        return float(number)
    return cn_to_number(number)


def stated(text: str) -> list[tuple[float, str, str]]:
    """(value in the base unit, base unit, the words) for every number with a unit in a text."""
    found = []
    for m in _RE_NUMBER.finditer(text):
        unit = m.group(2)
        if unit is None:
            continue
        value = _value(m.group(1))
        if value is None:
            continue
        if unit in ("月", "日", "年"):
            found.append((value, unit, m.group(0)))
            continue
        family, factor = _FAMILY[unit]
        found.append((round(value * factor, 4), family, m.group(0)))
    return found


def _traced(value: float, unit: str, allowed: set[tuple[float, str]], records: Records) -> bool:
    if unit == "月":
        return int(value) in records.months
    if unit == "日":
        return int(value) in records.days
    if unit == "年":
        return int(value) in records.years
    return (value, unit) in allowed


def untraced(text: str, sources: Sequence[Source], allowed: set[tuple[float, str]], records: Records) -> list[str]:
    """The numbers and names of one sentence that its sources, the declared figures and the records don't give."""
    known = {(value, unit) for value, unit, _ in allowed_from(sources)}
    known |= {(round(v, 4), _FAMILY.get(u, (u, 1.0))[0]) for v, u in allowed}
    problems = []
    for value, unit, words in stated(_RE_TITLE.sub("《》", text)):  # a title's own years and numbers are its name
        if not _traced(value, unit, known, records):
            problems.append(words)
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
    return Paragraph("".join(out), unique, marked)
