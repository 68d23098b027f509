"""Charts drawn on the server as SVG (no script, no CDN): the weekly share of working days logged per batch,
and a cadre's heat map of days (colours of reporting/heatmap.py, states of reporting/digest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from console import texts
from reporting.compliance import WeekShare
from reporting.daycolours import COLOURS, STATE_COLOURS, cell_colour

SERIES_COLOURS = ("#a8171b", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#c2185b")
WIDTH, HEIGHT = 900, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 36, 64


def _text(x: float, y: float, value: str, size: int = 12, anchor: str = "start", fill: str = "#333") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">{escape(value)}</text>'
    )


def weekly_share_svg(series: dict[str | None, list[WeekShare]]) -> str:
    """A line per batch: the share of working days logged, week by week (0–100 %)."""
    weeks = sorted({w.week for points in series.values() for w in points})
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        ' font-family="Microsoft YaHei, Noto Sans CJK SC, sans-serif" role="img">',
        f"<title>{escape(texts.CHART_TITLE)}</title>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        _text(LEFT, 22, texts.CHART_TITLE, 14, fill="#222"),
    ]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    for tick in range(0, 101, 25):
        y = TOP + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(_text(LEFT - 6, y + 4, f"{tick}%", 11, "end", "#666"))
    if not weeks:
        parts.append(_text(WIDTH / 2, TOP + plot_h / 2, texts.CHART_EMPTY, 13, "middle", "#888"))
        parts.append("</svg>")
        return "".join(parts)
    step = plot_w / max(1, len(weeks) - 1)
    x_of = {week: LEFT + (i * step if len(weeks) > 1 else plot_w / 2) for i, week in enumerate(weeks)}
    every = max(1, len(weeks) // 12)
    for i, week in enumerate(weeks):
        if i % every == 0:
            parts.append(_text(x_of[week], TOP + plot_h + 16, f"{week.month}/{week.day}", 10, "middle", "#666"))
    legend_x = LEFT
    for index, (batch, points) in enumerate(sorted(series.items(), key=lambda item: item[0] or "\uffff")):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        coords = [(x_of[p.week], TOP + plot_h * (1 - (p.share or 0.0))) for p in points if p.share is not None]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
        label = batch or texts.NO_BATCH
        y = HEIGHT - 18
        parts.append(f'<rect x="{legend_x}" y="{y - 9}" width="14" height="4" fill="{colour}"/>')
        parts.append(_text(legend_x + 18, y - 3, label, 12))
        legend_x += 30 + 13 * len(label)
    parts.append(_text(WIDTH - RIGHT, HEIGHT - 6, texts.CHART_NOTE, 10, "end", "#888"))
    parts.append("</svg>")
    return "".join(parts)


CELL, GAP = 15, 3


def heatmap_svg(days: Sequence[dt.date], counts: Sequence[int], states: Sequence[str], weeks: int) -> str:
    """A cadre's days as a calendar grid (a column per week, Monday on top), coloured by entries and by state."""
    first = days[0] - dt.timedelta(days=days[0].weekday())
    columns = (days[-1] - first).days // 7 + 1
    left, top = 30, 40
    grid_bottom = top + 7 * (CELL + GAP)
    width = max(left + columns * (CELL + GAP) + 10, 620)
    height = grid_bottom + 62
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        ' font-family="Microsoft YaHei, Noto Sans CJK SC, sans-serif" role="img">',
        f"<title>{escape(texts.HEATMAP_TITLE.format(weeks=weeks))}</title>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        _text(0, 16, texts.HEATMAP_TITLE.format(weeks=weeks), 13, fill="#222"),
    ]
    for row, label in enumerate(texts.HEATMAP_WEEKDAYS):
        parts.append(_text(left - 8, top + (row * 2) * (CELL + GAP) + CELL - 3, label, 10, "end", "#888"))
    labelled: set[tuple[int, int]] = set()
    for day, count, state in zip(days, counts, states, strict=True):
        column, row = (day - first).days // 7, day.weekday()
        x, y = left + column * (CELL + GAP), top + row * (CELL + GAP)
        colour = cell_colour(count, state)
        tip = f"{day.isoformat()} {texts.HEATMAP_LEGEND.get(state, '')} {count or ''}".strip()
        parts.append(
            f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" fill="{colour}" stroke="#dddddd">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if (day.year, day.month) not in labelled and (day.day <= 7 or day == days[0]) and row == 0:
            labelled.add((day.year, day.month))
            parts.append(_text(x, top - 6, texts.HEATMAP_MONTH.format(month=day.month), 10, "start", "#666"))
    y = grid_bottom + 8
    lx = 0.0
    keys = [(cell_colour(1), texts.HEATMAP_LEGEND["logged"])] + [
        (STATE_COLOURS[s], texts.HEATMAP_LEGEND[s]) for s in ("missing", "weekend", "holiday", "leave")
    ]
    for colour, label in keys:
        parts.append(f'<rect x="{lx}" y="{y}" width="{CELL}" height="{CELL}" fill="{colour}" stroke="#cccccc"/>')
        parts.append(_text(lx + CELL + 4, y + CELL - 3, label, 11))
        lx += CELL + 20 + 12 * len(label)
    scale_y = y + CELL + 10
    for i, colour in enumerate(COLOURS[1:]):
        parts.append(f'<rect x="{i * (CELL + 2)}" y="{scale_y}" width="{CELL}" height="{CELL}" fill="{colour}"/>')
    parts.append(_text(len(COLOURS[1:]) * (CELL + 2) + 6, scale_y + CELL - 3, texts.HEATMAP_SCALE, 11, fill="#555"))
    parts.append("</svg>")
    return "".join(parts)
