"""A person's reminder settings: which automatic reminders are off, a pause, quiet hours, his weekly study
target. Stored as a small dict on the person; read and written only through this module. Pure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from analysis.numbers import cn_int

# The automatic reminders a person can switch off, in the order the settings panel shows them.
CADRE_SWITCHES = ("nudge", "study", "reflection", "month-end", "term", "leave", "promise")
SUPERVISOR_SWITCHES = ("digest",)
# Delivery kinds -> the switch that governs them.
SWITCH_OF = {
    "nudge": "nudge",
    "catch-up": "nudge",
    "study": "study",
    "reflection": "reflection",
    "month-end": "month-end",
    "term-mid": "term",
    "term-final": "term",
    "leave-last-day": "leave",
    "promise": "promise",
    "digest": "digest",
}
MAX_PAUSE_DAYS = 60
STUDY_TARGET_RANGE = (1, 7)

_RE_PAUSE = re.compile(r"^(?P<n>[0-9零〇一二两三四五六七八九十百]{1,6})\s*(?P<unit>天|日|周|星期|个星期|礼拜)?$")
_RE_CLOCK = r"(?P<{0}h>[01]?\d|2[0-3])(?:[:：点](?P<{0}m>[0-5]\d)?)?"
_RE_QUIET = re.compile("^" + _RE_CLOCK.format("a") + r"\s*(?:-|－|—|~|～|到|至)\s*" + _RE_CLOCK.format("b") + "$")
OFF_WORDS = ("关", "关闭", "取消", "0", "off", "无")


@dataclass(frozen=True, slots=True)
class Prefs:
    off: frozenset[str] = frozenset()
    paused_until: dt.datetime | None = None  # UTC
    quiet: tuple[dt.time, dt.time] | None = None  # local start, local end (may cross midnight)
    study_per_week: int = 1
    both_channels: bool = False  # reminders to every account he has (Telegram and WeCom), not only the active one

    @classmethod
    def load(cls, settings: dict[str, object]) -> Prefs:
        off = settings.get("off")
        paused = settings.get("paused_until")
        quiet = settings.get("quiet")
        target = settings.get("study_per_week")
        prefs = cls(both_channels=settings.get("both_channels") is True)
        if isinstance(off, list):
            prefs = replace(prefs, off=frozenset(str(k) for k in off))
        if isinstance(paused, str):
            with contextlib.suppress(ValueError):  # a damaged value means no pause
                prefs = replace(prefs, paused_until=dt.datetime.fromisoformat(paused).astimezone(dt.UTC))
        if isinstance(quiet, str):
            prefs = replace(prefs, quiet=parse_quiet(quiet))
        if isinstance(target, int) and STUDY_TARGET_RANGE[0] <= target <= STUDY_TARGET_RANGE[1]:
            prefs = replace(prefs, study_per_week=target)
        return prefs

    def dump(self) -> dict[str, object]:
        """Every key this module owns (None for what is unset), to merge over the stored settings."""
        return {
            "off": sorted(self.off),
            "study_per_week": self.study_per_week,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
            "quiet": format_quiet(self.quiet) if self.quiet else None,
            "both_channels": self.both_channels,
        }

    def paused(self, now: dt.datetime) -> bool:
        return self.paused_until is not None and now < self.paused_until

    def in_quiet_hours(self, now: dt.datetime, zone: ZoneInfo) -> bool:
        if self.quiet is None:
            return False
        start, end = self.quiet
        clock = now.astimezone(zone).time()
        return start <= clock < end if start <= end else clock >= start or clock < end

    def allows(self, kind: str, now: dt.datetime, zone: ZoneInfo) -> bool:
        """Whether an automatic reminder of this delivery kind may go out now."""
        switch = SWITCH_OF.get(kind)
        if switch is not None and switch in self.off:
            return False
        return not self.paused(now) and not self.in_quiet_hours(now, zone)

    def toggled(self, switch: str) -> Prefs:
        return replace(self, off=self.off ^ {switch})

    def with_study_target(self, target: int) -> Prefs:
        low, high = STUDY_TARGET_RANGE
        return replace(self, study_per_week=min(high, max(low, target)))


def parse_pause(text: str) -> int | None:
    """Days to pause from "3天", "三天", "1周", "3"; 0 for 关/取消; None if not understood or too long."""
    words = text.strip().lower()
    if words in OFF_WORDS:
        return 0
    m = _RE_PAUSE.match(words)
    if m is None:
        return None
    number = cn_int(m.group("n"))
    if number is None:
        return None
    days = number * (7 if m.group("unit") in ("周", "星期", "个星期", "礼拜") else 1)
    return days if 0 <= days <= MAX_PAUSE_DAYS else None


def parse_quiet(text: str) -> tuple[dt.time, dt.time] | None:
    """Quiet hours from "22:00-08:00", "22点到8点", "22-8"; None if not understood or empty."""
    m = _RE_QUIET.match(text.strip().replace(" ", ""))
    if m is None:
        return None
    start = dt.time(int(m.group("ah")), int(m.group("am") or 0))
    end = dt.time(int(m.group("bh")), int(m.group("bm") or 0))
    return None if start == end else (start, end)


def format_quiet(quiet: tuple[dt.time, dt.time]) -> str:
    return f"{quiet[0]:%H:%M}-{quiet[1]:%H:%M}"
