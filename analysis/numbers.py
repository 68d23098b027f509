"""Chinese and Arabic numerals: "三百" -> 300, "二十" -> 20, "9.2" -> 9.2."""

from __future__ import annotations

import math
import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万"
NUMBER_PATTERN = rf"(?:\d+(?:[.,]\d+)*|[{CN_NUMERAL_CHARS}]+)"


def _small(text: str) -> int | None:
    """Parse a numeral below 10,000 (no 万)."""
    if not text:
        return 0
    total, digit, last_unit = 0, None, 10**6
    for ch in text:
        if ch in _DIGITS:
            if digit is not None:
                # Digit strings like "一一" are only valid as plain digit sequences.
                return None
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            if _UNITS[ch] >= last_unit:
                return None  # "十十", "百千": units must fall
            last_unit = _UNITS[ch]
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def cn_to_number(text: str) -> float | None:
    """Return the value of an Arabic or Chinese numeral, or None if it is not one."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:,\d{3})*(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"\d+\.\d+|\d+", text):
        return float(text)
    if all(ch in _DIGITS for ch in text) and len(text) > 1:
        # "二〇二六" read digit by digit
        return float("".join(str(_DIGITS[ch]) for ch in text))
    if text.count("万") > 1:
        return None
    high, _, low = text.partition("万")
    if "万" in text:
        high_value = _small(high) if high else 1
        low_value = _small(low)
        if high_value is None or low_value is None:
            return None
        return float(high_value * 10000 + low_value)
    value = _small(text)
    return float(value) if value is not None else None


def cn_int(text: str) -> int | None:
    value = cn_to_number(text)
    if value is None or not math.isfinite(value) or value != int(value):
        return None  # "9" * 500 reads as infinity
    return int(value)
