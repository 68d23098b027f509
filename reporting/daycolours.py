"""The colours of a day in the heat maps (the digest's PNG and the console's SVG): a green scale by entries,
and for a day without entries what it was. Pure constants, no plotting library."""

from __future__ import annotations

# white-grey for nothing, then greens (Telegram and WeCom show the picture on white)
COLOURS = ("#f2f2f2", "#c6e48b", "#7bc96f", "#239a3b", "#196127")
# days without entries, told apart: a working day missed stands out; days off and leave are quiet
STATE_COLOURS = {
    "missing": "#f4c7c3",
    "weekend": "#e3e3e3",
    "holiday": "#d9cdea",
    "leave": "#c6dcf2",
    "outside": "#ffffff",
    "future": "#ffffff",
}


def cell_colour(count: int, state: str = "logged") -> str:
    """The colour of one day: the green scale by entries on a day with entries, else the day's state."""
    if count:
        return COLOURS[min(count, len(COLOURS) - 1)]
    return STATE_COLOURS.get(state, COLOURS[0])
