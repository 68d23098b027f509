"""What an entry is for in a report: work done, a summary of earlier entries, a plan, or the cadre's own words.

A summary (本月小结, 本周工作, "7月工作小结:") restates entries already counted: it adds nothing to the totals and
is never a highlight. A plan (明天…, 下周…, 计划…, 准备…) without a verb of work done is not work done. Own words
(体会, 不足, 下一步, 建议) go to their report sections with the label stripped. Roles are told from the start of
the (simplified) text: a "下周回访" or "建议村里…" inside a visit note leaves it a record of work done.

A label is a label word followed by a separator ("体会：", "不足，", "建议 "); "下一步…" and "建议县里…" are
own words without one, and keep their first word when stripped, since what follows is no sentence without it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

Role = Literal["work", "summary", "plan", "reflections", "shortcomings", "next_steps"]
ROLES: tuple[Role, ...] = ("work", "summary", "plan", "reflections", "shortcomings", "next_steps")
OWN_WORDS: tuple[Role, ...] = ("reflections", "shortcomings", "next_steps")

# The label a cadre starts his own words with, per section; longer labels first.
OWN_WORD_LABELS: dict[Role, tuple[str, ...]] = {
    "reflections": (
        "几点体会",
        "一点体会",
        "个人体会",
        "心得体会",
        "工作体会",
        "挂职体会",
        "体会",
        "几点感悟",
        "感悟",
        "心得",
        "感受",
        "感想",
        "收获",
        "启示",
    ),
    "shortcomings": (
        "存在的不足",
        "存在不足",
        "不足之处",
        "自身不足",
        "个人不足",
        "问题和不足",
        "问题与不足",
        "不足",
        "存在的问题",
        "存在问题",
        "短板",
        "差距",
        "反思",
        "教训",
    ),
    "next_steps": (
        "下一步打算",
        "下一步工作",
        "下一步计划",
        "下一步",
        "下步打算",
        "下阶段打算",
        "下阶段工作",
        "下阶段",
        "今后打算",
        "今后工作",
        "今后",
        "意见建议",
        "几点建议",
        "打算",
        "建议",
    ),
}
# Words that start own words even without a separator: 下一步要…, 建议县里…, 体会到了….
_BARE_STARTS: dict[Role, str] = {
    "reflections": r"(?:深深|深刻|真切|切身|真正)?体会到|(?:[^，,。；;]{0,8}?最大的|最深的)(?:体会|感受|收获|感触)",
    "shortcomings": r"(?:自己|我|个人)(?:的|还)?(?:不足|短板)(?:是|在于|主要)",
    "next_steps": r"下一?步(?!棋)|下阶段|今后(?:要|将|还要|一段时间)|建议(?=[镇县村市区乡乡各有相])",
}
_SEPARATOR = r"[\s:：,，、;；—-]"
_LABEL_TAIL = r"[\s:：,，、。;；—-]*"
# A label may carry its number: 体会一：, 不足2, 几点体会（一）.
_NUMBER = r"(?:[一二三四五六七八九十\d]{1,2}|[（(][一二三四五六七八九十\d]{1,2}[）)])?"
_RE_LABEL = {
    role: re.compile("^(?:" + "|".join(labels) + ")" + _NUMBER + _SEPARATOR + _LABEL_TAIL + r"(?=\S)")
    for role, labels in OWN_WORD_LABELS.items()
}
_RE_ANY_LABEL = re.compile(
    "(?:" + "|".join(sorted({w for labels in OWN_WORD_LABELS.values() for w in labels}, key=len, reverse=True)) + ")"
    + _NUMBER
    + _SEPARATOR
    + _LABEL_TAIL
    + r"(?=\S)"
)
_RE_BARE = {role: re.compile("^(?:" + pattern + ")") for role, pattern in _BARE_STARTS.items()}

# A period the summary covers: 本月, 这周, 上半年, 7月份, 第二季度, 挂职以来 … (not a date inside it: 本周三,
# 上月底, 7月15日, 本周内).
_PERIOD = (
    r"(?:本|这|这个|上|上个)(?:月|周|星期|礼拜|季度|学期|年度)|这一周|这两周|这几周|这半个月|这段时间|近期|近段时间"
    r"|(?:上|下)半年|今年|本年"
    r"|第[一二三四1-4]季度|[一二三四五六七八九十]{1,2}月份?|\d{1,2}月份?|汛期|(?:一|半)(?:周|个?月)"

)
# A span up to now (挂职以来, 三个月来, 半年来, 入汛以来) makes any sentence it starts a look back.
_SINCE = (
    r"(?:挂职|到岗|入职|今年|年初|入汛|入夏|入冬|开春|开学|汛期|上任)以来"
    r"|(?:挂职|到岗|来镇里)?[一二两三四五六七八九十半几\d]{1,2}个?多?(?:年|月|星期|周)(?:多)?(?:以)?来"
)
_NOT_PERIOD_END = r"(?![一二三四五六七日天末内底初中\d号旬前后里份]|个[^月])"
_SUMMARY_NOUN = r"(?:小结|总结|回顾|汇总|周报|月报|旬报|情况|方面|主要工作|工作|进展|进度|成效)"
# 本周工作：… / 7月工作小结: / 这个月党建方面：…
_RE_SUMMARY_SINCE = re.compile(rf"^(?:{_SINCE})\s*[，,]?\s*(?=[\u4e00-\u9fff])")
_RE_SUMMARY_HEAD = re.compile(
    rf"^(?:{_PERIOD}){_NOT_PERIOD_END}[^，,。；;：:!！?？]{{0,10}}?{_SUMMARY_NOUN}\s*[：:，,]"
)
# 挂职以来共走访… / 这两周干了这些事 / 这周主要在东坪村蹲点
_RE_SUMMARY_TALLY = re.compile(
    rf"^(?:{_PERIOD}){_NOT_PERIOD_END}\s*[，,]?\s*(?:我)?(?:共|累计|先后|一共|总共|合计|主要|干了|做了|完成了|办了)"
)
# 小结：… / 汛期工作小结：… / 总结一下这周：… / 截至目前 …
_RE_SUMMARY_LABEL = re.compile(
    r"^[^，,。；;：:!！?？]{0,12}?(?:小结|总结|回顾|汇总|周报|月报|旬报)\s*[：:]"
    r"|^(?:周|月|季度|年度|半年|阶段性?|一周|一月|当月|当周)(?:工作)?(?:小结|总结|回顾|汇总)"
    rf"|^(?:小结|总结|汇总|回顾)(?:一下)?\s*(?:{_PERIOD})?\s*[：:，,]"
    r"|^(?:截至|截止|截至到|截止到)(?:目前|今天|现在|当前|月底|本月|本周|[\d一二三四五六七八九十]{1,2}月)"
)
# A verb before the summary word makes it a record of writing one: 今天写了本月工作小结.
_RE_WRITING = re.compile(r"写了|写完|起草|报送|整理|修改|召开|开了|参加了")

_FUTURE = (
    r"明天|明日|明早|明晚|明儿|明后天|后天|大后天|下周|下星期|下礼拜|下个?月|下个?季度|下学期|下半年|下旬"
    r"|过两天|过几天|过些天|改天|回头|等会儿?|待会儿?|一会儿?|这周末|本周内|这周内|本月内|年内|近两天"
)
# An intention soon after a time word: 下午要去…, 今晚得…, 周四…，要提前… (not 需要, 要求, 主要, 想要).
_INTENT = r"(?:(?<![需想主重只])要(?!求|害|点|紧)|得(?=把|去|到|交|写|赶|准备)|准备|计划|打算|将)"
_INTENT_NEAR = rf"[^，,。；;]{{0,6}}?{_INTENT}"
_INTENT_FAR = rf"[^。；;]{{0,12}}?{_INTENT}"
# Plans: 明天去…, 下周组织…, 计划…, 准备下周…, 打算…, 拟于…, 国庆前要…, 下午要…, 周五要…
_RE_PLAN_START = re.compile(
    rf"^(?:{_FUTURE})"
    r"|^(?:计划(?!生育|单列|外|书|表)|准备(?=去|到|在|下|明|后|把|给|于|组织|召开|开|参加|带|请|对|跟|和|邀请|办)"
    r"|拟(?=于|在|定于|下|明|后|对|组织|召开|请|到|去)|打算(?![：:])|将于|将在|定于|争取(?!到|了|来|下来)|力争|待办|记得|别忘了|提醒)"
    rf"|^约(?:了|好)?[^，,。；;]{{0,12}}?(?:{_FUTURE})"
    r"|^预计(?=[^，,。；;]{0,4}(?:下|明|后天|月底|年底|本周|这周|近期|中旬))"
    r"|^[^，,。；;]{1,6}?前(?:要|得|把|完成|必须)"
    rf"|^(?:今天|今晚|今天晚上|今天下午|中午|下午|晚上){_INTENT_NEAR}"
    rf"|^(?:周|这周|本周|星期)[一二三四五六日天]{_INTENT_FAR}"
)
# Signs of work already done: with one of these a sentence starting 明天 is a record ("明天的会已准备好").
_RE_DONE = re.compile(r"已|完毕|(?<![为除约])了(?!解|结|不起|不得)|(?:出来|下来)的")


def _own_role(text: str) -> Role | None:
    for role, pattern in _RE_LABEL.items():
        if pattern.match(text):
            return role
    for role, pattern in _RE_BARE.items():
        if pattern.match(text) and not (role == "next_steps" and text.startswith("建议") and _RE_DONE.search(text)):
            return role  # "建议村里给他申请的救助批下来了" tells of work done
    return None


def _is_summary(text: str) -> bool:
    if _RE_SUMMARY_SINCE.match(text) or _RE_SUMMARY_HEAD.match(text) or _RE_SUMMARY_TALLY.match(text):
        return True
    if m := _RE_SUMMARY_LABEL.match(text):
        return not _RE_WRITING.search(m.group(0))
    return False


def _is_plan(text: str) -> bool:
    return bool(_RE_PLAN_START.match(text)) and not _RE_DONE.search(text)


@lru_cache(maxsize=32768)  # a draft asks for each work entry's role from several places (role_of)
def entry_role(text: str) -> Role:
    """Tell what an entry is for in a report from its (simplified) text."""
    stripped = text.strip()
    if role := _own_role(stripped):
        return role
    if _is_summary(stripped):
        return "summary"
    if _is_plan(stripped):
        return "plan"
    return "work"


def strip_label(text: str) -> str:
    """The cadre's own words without the label he started them with (体会：… -> …)."""
    stripped = text.strip()
    start = 0
    while m := _RE_ANY_LABEL.match(stripped, start):  # 体会：心得：… loses both; one copy of the text at the end
        start = m.end()
    return stripped[start:]
