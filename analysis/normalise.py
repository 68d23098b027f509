"""Cadres' phone text made fit for a 公文: 公文 punctuation, no clock words, no relative dates, clauses.

A message says "下午在镇政府…，周四前报镇民政办"; a report says what was done, dated by month, in full-width
punctuation. These helpers clean a clause; they never invent words.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ASCII_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"})
_RE_DECIMAL_COMMA = re.compile(r"(?<=\d)，(?=\d{3}\b)")
_RE_CLAUSE_SPLIT = re.compile(r"[，。；！？\n]+")
_CLOCK = r"(?:上午|下午|晚上|中午|早上|早晨|傍晚|凌晨|今晚|晚间|夜里|白天|一早|一大早)"
_DAY = (
    r"(?:今天|今日|昨天|昨日|前天|大前天|明天|明日|后天|大后天|本周[一二三四五六日天]?|这周[一二三四五六日天]?|"
    r"上周[一二三四五六日天]?|下周[一二三四五六日天]?|上星期[一二三四五六日天]?|周[一二三四五六日天]|星期[一二三四五六日天]|"
    r"\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}[日号]?|\d{1,2}月\d{1,2}[日号]|\d{1,2}[日号](?=[上下晚中早，,\s]))"
)
_RE_LEADING = re.compile(rf"^(?:{_DAY}|{_CLOCK}|[\s，、：]|\d{{1,2}}[:：点]\d{{0,2}}分?|[一二三四五六七八九十]+点(?:半|\d+分)?)+")
_RE_INNER_CLOCK = re.compile(rf"{_CLOCK}(?=[在到去赴参陪召组主走入随开])")
_RE_RELATIVE = re.compile(
    rf"{_DAY}|{_CLOCK}|月底前|月初|周末|这两天|近日|近期|昨晚|刚才|马上|待会|回头|下个月|下月|本月|这个月|上个月|上月"
)
_RE_SPACES = re.compile(r"\s+")


def punctuate(text: str) -> str:
    """ASCII punctuation typed on a phone, as 公文 punctuation (a decimal point stays)."""
    text = text.translate(_ASCII_TO_FULL)
    text = _RE_DECIMAL_COMMA.sub("", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff）])\.(?!\d)|(?<=[\u4e00-\u9fff])\.$", "。", text)
    text = re.sub(r"[\"“”]([^\"“”]*)[\"“”]", r"“\1”", text)
    text = _RE_SPACES.sub("", text) if re.search(r"[\u4e00-\u9fff]", text) else text.strip()
    return text


@lru_cache(maxsize=32768)
def _pieces(text: str) -> tuple[tuple[str, str], ...]:
    """(raw, cleaned) per clause; a date or clock word opening the message names its work date and goes."""
    out = []
    for index, raw in enumerate(r for r in _RE_CLAUSE_SPLIT.split(punctuate(text)) if r.strip()):
        cleaned = _RE_LEADING.sub("", raw) if index == 0 else re.sub(rf"^{_CLOCK}", "", raw)
        cleaned = _RE_INNER_CLOCK.sub("", cleaned).strip("，、：；。 ")
        if cleaned:
            out.append((raw if index else cleaned, cleaned))
    return tuple(out)


def clauses(text: str) -> list[str]:
    """The clauses of a text, punctuated, without clock words or a leading date."""
    return [cleaned for _, cleaned in _pieces(text)]


def has_relative_time(text: str) -> bool:
    """Whether a clause still leans on the day it was written (明天, 周四前, 月底前 …)."""
    return _RE_RELATIVE.search(re.sub(_CLOCK, "", text)) is not None


def clean(text: str, limit: int = 60) -> str:
    """A message as a clause list fit for the body: punctuated, dated words removed, cut at a clause end."""
    kept: list[str] = []
    total = 0
    for raw, clause in _pieces(text):
        if has_relative_time(raw) or has_relative_time(clause):
            continue  # a promise or a plan inside a record: the ledger keeps it, the body does not
        if kept and total + len(clause) > limit:
            break
        kept.append(clause)
        total += len(clause) + 1
    return "，".join(kept)
