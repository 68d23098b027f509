"""The digest's picture: entries per day per cadre over the last weeks, as a PNG heat map (matplotlib's Figure, rendered by Agg).

Cadres' names are Chinese, so a CJK font is needed: a system Noto/Source Han CJK font if one is installed,
otherwise the Noto Sans CJK SC that the mplfonts package ships. Pure: numbers in, PNG bytes out.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Sequence
from importlib import resources
from typing import Any

# Figure (not pyplot): no global state and no GUI backend; savefig renders with Agg.
from matplotlib import font_manager
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from reporting.daycolours import COLOURS, STATE_COLOURS, cell_colour

SYSTEM_CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")
BUNDLED_FONT = "NotoSansCJKsc-Regular.otf"
_font_lock = threading.Lock()
_font_name: str | None = None


def cjk_font() -> str | None:
    """The family name of a CJK font matplotlib can use (registered once), or None if there is none."""
    global _font_name
    with _font_lock:
        if _font_name is None:
            installed = {f.name for f in font_manager.fontManager.ttflist}
            _font_name = next((name for name in SYSTEM_CJK_FONTS if name in installed), "")
            if not _font_name:
                try:
                    path = resources.files("mplfonts") / "fonts" / BUNDLED_FONT
                    font_manager.fontManager.addfont(str(path))
                    _font_name = font_manager.FontProperties(fname=str(path)).get_name()
                except (ModuleNotFoundError, FileNotFoundError, OSError):
                    _font_name = ""
        return _font_name or None


def render_heatmap(
    names: Sequence[str],
    days: Sequence[dt.date],
    counts: Sequence[Sequence[int]],
    title: str,
    legend: str,
    states: Sequence[Sequence[str]] | None = None,
    labels: dict[str, str] | None = None,
) -> bytes:
    """A PNG: one row per cadre (in the given order), one column per day, darker green for more entries; with
    `states` (reporting/digest.py day_states), days without entries are coloured by what they were, and
    `labels` names those colours in a key under the chart."""
    font = cjk_font()
    rows, cols = max(1, len(names)), max(1, len(days))
    width = min(14.0, 2.2 + 0.28 * cols)
    height = min(40.0, 1.4 + 0.34 * rows) + (0.3 if labels else 0)
    figure = Figure(figsize=(width, height), dpi=110)
    axes = figure.add_subplot()
    grid_states = states or [["missing"] * cols for _ in counts]
    image = [
        [to_rgb(cell_colour(c, state)) for c, state in zip(row, row_states, strict=True)]
        for row, row_states in zip(counts, grid_states, strict=True)
    ] or [[to_rgb(COLOURS[0])] * cols]
    axes.imshow(image, aspect="auto", interpolation="nearest")
    text_style: dict[str, Any] = {"fontfamily": font} if font else {}  # matplotlib Text properties
    axes.set_yticks(range(len(names)), labels=list(names), fontsize=9, **text_style)
    ticks = [i for i, day in enumerate(days) if day.weekday() == 0 or i == 0]
    axes.set_xticks(ticks, labels=[f"{days[i].month}/{days[i].day}" for i in ticks], fontsize=8)
    axes.set_xticks([i - 0.5 for i in range(1, cols)], minor=True)
    axes.set_yticks([i - 0.5 for i in range(1, rows)], minor=True)
    axes.grid(which="minor", color="white", linewidth=1.5)
    axes.tick_params(which="minor", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    for i in range(len(days)):  # counts beyond the darkest colour are written in the cell
        for j, row in enumerate(counts):
            if row[i] >= len(COLOURS):
                axes.text(i, j, str(row[i]), ha="center", va="center", fontsize=6, color="white")
    axes.set_title(title, fontsize=11, loc="left", **text_style)
    bottom = 0.04
    if labels:
        handles = [Patch(facecolor=cell_colour(1), edgecolor="#999999", label=labels.get("logged", ""))]
        handles += [
            Patch(facecolor=STATE_COLOURS[s], edgecolor="#999999", label=labels[s])
            for s in ("missing", "weekend", "holiday", "leave")
            if s in labels
        ]
        figure.legend(
            handles=handles,
            loc="lower left",
            ncol=len(handles),
            fontsize=8,
            frameon=False,
            bbox_to_anchor=(0.0, 0.04),
            prop={"family": font, "size": 8} if font else {"size": 8},
        )
        bottom = 0.1
    figure.text(0.01, 0.01, legend, fontsize=8, color="#555555", **text_style)
    figure.tight_layout(rect=(0, bottom, 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
