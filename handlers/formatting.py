"""Small renderers shared by the handlers: dates, categories, entry lines, entry buttons."""

from __future__ import annotations

import datetime as dt

from handlers import texts
from handlers.messages import Button
from storage.entities import Entry

SNIPPET_CHARS = 40


def day_label(day: dt.date, today: dt.date | None = None) -> str:
    if today is not None and day == today:
        return texts.DATE_TODAY_LABEL.format(month=day.month, day=day.day)
    label = texts.DATE_LABEL.format(month=day.month, day=day.day)
    return (
        texts.DATE_WITH_YEAR.format(year=day.year, label=label)
        if today is not None and day.year != today.year
        else label
    )


def date_text(value: dt.date | str | None, today: dt.date | None = None) -> str:
    """A date as a Chinese reply writes it (month and day; the year too when it is not today's), from a date or
    the ISO text details store."""
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return day_label(day, today)
    return "" if value is None else day_label(value, today)


def categories_label(codes: tuple[str, ...] | list[str]) -> str:
    return "·".join(texts.CATEGORY_LABELS.get(c, c) for c in codes) or texts.UNCATEGORISED


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + texts.TRUNCATED


def entry_mark(entry: Entry) -> str:
    """What goes before an entry's text in a list: a plan is shown as a plan, not as work done."""
    return texts.PLAN_MARK if entry.details.get("role") == "plan" else ""


def entry_line(entry: Entry) -> str:
    return texts.ENTRY_LINE.format(
        seq=entry.seq,
        kind=texts.KIND_LABELS.get(entry.kind, entry.kind),
        categories=categories_label(entry.categories),
        text=entry_mark(entry) + snippet(entry.text),
    )


def entry_buttons(seq: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button(texts.BTN_CATEGORY, f"cm:{seq}"),
            Button(texts.BTN_KIND, f"km:{seq}"),
            Button(texts.BTN_STAR, f"st:{seq}"),
            Button(texts.BTN_UNDO, f"u:{seq}"),
        ),
    )
