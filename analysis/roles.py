"""What an entry is for in a report: work done, a summary of earlier entries, a plan, or the cadre's own words.

A summary (本月小结, 本周工作) restates entries already counted: it adds nothing to the totals and is never a
highlight. A plan (明天…, 下周…, 计划…) without a verb of work done is not work done. Own words (体会, 不足,
下一步, 建议) go to their report sections with the label stripped.
"""

from __future__ import annotations

import re
from typing import Literal

Role = Literal["work", "summary", "plan", "reflections", "shortcomings", "next_steps"]
ROLES: tuple[Role, ...] = ("work", "summary", "plan", "reflections", "shortcomings", "next_steps")
OWN_WORDS: tuple[Role, ...] = ("reflections", "shortcomings", "next_steps")

# The label a cadre starts his own words with, per section; longer labels first.
OWN_WORD_LABELS: dict[Role, tuple[str, ...]] = {
    "reflections": ("几点体会", "心得体会", "工作体会", "体会", "感悟", "心得", "感受"),
    "shortcomings": ("存在的不足", "存在不足", "不足之处", "不足", "存在问题", "短板"),
    "next_steps": ("下一步打算", "下一步工作", "下一步", "下步打算", "今后打算", "打算", "建议"),
}
_LABEL_TAIL = r"[\s:：,，、。;；—-]*"
_RE_OWN = {
    role: re.compile("^(?:" + "|".join(labels) + ")" + _LABEL_TAIL + r"(?=\S)")
    for role, labels in OWN_WORD_LABELS.items()
}
_RE_SUMMARY = re.compile(
    r"^(?:本月|这个月|上月|本周|这周|上周|本季度|[一二三四五六七八九十\d]{1,2}月(?:份)?)"
    r"(?:工作)?(?:小结|总结|回顾|情况汇总|工作汇总|工作情况|主要工作|完成情况)"
    r"|^(?:小结|总结|汇总)[：:]"
)
_RE_PLAN_START = re.compile(
    r"^(?:明天|明日|后天|下周|下星期|下个月|下月|近期|计划|准备|拟|打算|将于|预计|待会|周[一二三四五六日]要|下午要|晚上要|月底前)"
)
# Verbs of work already done: with one of these a sentence starting 明天 is a record ("明天的会已筹备好").
_DONE = re.compile(r"了|已|完成|开完|办完|做完|走访了|参加了|过了")


def entry_role(text: str) -> Role:
    """Tell what an entry is for in a report from its (simplified) text."""
    stripped = text.strip()
    for role, pattern in _RE_OWN.items():
        if pattern.match(stripped):
            return role
    if _RE_SUMMARY.match(stripped):
        return "summary"
    if _RE_PLAN_START.match(stripped) and not _DONE.search(stripped):
        return "plan"
    return "work"


def strip_label(text: str) -> str:
    """The cadre's own words without the label he started them with (体会：… -> …)."""
    stripped = text.strip()
    for pattern in _RE_OWN.values():
        if m := pattern.match(stripped):
            return stripped[m.end() :].strip()
    return stripped
