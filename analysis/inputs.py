"""Untrusted input made safe: one number parser, one text cleaner and one year range for the whole product.

Every number a person or a platform sends (command arguments, button data, a numbered choice, a callback's
timestamp) goes through `parse_int`; every piece of free text that is stored or searched goes through
`clean_text`; every date parsed from input lies in `MIN_YEAR`..`MAX_YEAR`.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DIGITS = 9  # below 2**31: fits every integer column of PostgreSQL
MIN_YEAR = 1900
MAX_YEAR = 2100

# str.isdigit() accepts "²" and "١" (which int() then refuses or reads), so digits are checked as ASCII.
_RE_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)

_PLANE_NONCHARACTERS = "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
_RE_UNWANTED = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 and C1 control characters (tab and line feed are kept)
    "\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff"  # invisible formatting, bidi overrides, BOM
    "\ufdd0-\ufdef"
    + _PLANE_NONCHARACTERS  # noncharacters: XML, Word and Excel refuse them
    + "\ud800-\udfff"  # in a Python str every surrogate is a lone one: not encodable as UTF-8
    "]"
)


def parse_int(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """Return the value of ASCII decimal digits (at most `max_digits` of them), else None."""
    if not text or len(text) > max_digits or not _RE_ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)


def clean_text(text: str) -> str:
    """Drop control and invisible formatting characters, noncharacters and lone surrogates; keep line breaks."""
    return _RE_UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def is_clean(text: str) -> bool:
    """Whether the text holds none of what clean_text drops (line breaks and outer spaces aside)."""
    return _RE_UNWANTED.search(text) is None


def cleaned_deep(value: Any) -> Any:
    """`value` (text, or lists and dicts of them, as stored in an entry's details) with every string cleaned."""
    if isinstance(value, str):
        return value if is_clean(value) else clean_text(value)
    if isinstance(value, list | tuple):
        return type(value)(cleaned_deep(v) for v in value)
    if isinstance(value, dict):
        return {cleaned_deep(k): cleaned_deep(v) for k, v in value.items()}
    return value


def year_ok(year: int) -> bool:
    """Whether a year read from input is one the product deals with."""
    return MIN_YEAR <= year <= MAX_YEAR
