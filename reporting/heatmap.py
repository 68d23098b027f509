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
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

SYSTEM_CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")
BUNDLED_FONT = "NotoSansCJKsc-Regular.otf"
# white for nothing, then greens (Telegram and WeCom show the picture on white)
COLOURS = ("#f2f2f2", "#c6e48b", "#7bc96f", "#239a3b", "#196127")
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
    names: Sequence[str], days: Sequence[dt.date], counts: Sequence[Sequence[int]], title: str, legend: str
) -> bytes:
    """A PNG: one row per cadre (in the given order), one column per day, darker for more entries."""
    font = cjk_font()
    rows, cols = max(1, len(names)), max(1, len(days))
    width = min(14.0, 2.2 + 0.28 * cols)
    height = min(40.0, 1.4 + 0.34 * rows)
    figure = Figure(figsize=(width, height), dpi=110)
    axes = figure.add_subplot()
    cmap = ListedColormap(COLOURS)
    grid = [[min(c, len(COLOURS) - 1) for c in row] for row in counts] or [[0] * cols]
    axes.imshow(grid, cmap=cmap, vmin=0, vmax=len(COLOURS) - 1, aspect="auto", interpolation="nearest")
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
    figure.text(0.01, 0.01, legend, fontsize=8, color="#555555", **text_style)
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
