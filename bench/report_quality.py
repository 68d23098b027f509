"""Report quality bench: compile a mid-term draft for each synthetic posting and grade its text against the truth.

The grading is independent of the compiler: our own regular expressions over `draft.body_text()` and the truth
written by hand in bench/postings/, never a function of analysis/ or reporting/. Per posting it counts

- figures: every number with a unit the body states (3户, 19户次, 75万元, 1.2公里, 两个月, 5个村 …) is right if
  it equals a truth figure with a context word near it, a count of a truth list (villages, enterprises, schools),
  a figure one message states about the same object, or a span the profile gives (days on post, months, leave);
- headline figures: how many of the truth's key totals the body states rightly;
- names: the truth's places, enterprises, schools and projects found in the body;
- invented or fragment names: place- or organisation-like names that are no truth name, short form, unit of the
  profile or generic word (解乡村, 一起研究东坪村), a forbidden string (typos, private names), one entity twice
  in one list (青禾食品、青禾食品有限公司);
- untraceable numbers: numbers that are not right and appear in no message;
- verbatim entries: messages a run of 20 characters of which (punctuation and clock words dropped) is in the body;
- ASCII punctuation, relative dates and clock words, label remnants (体会：, 一是体会, Latin letters),
  【待核实】/【待补充】 markers, and the length in characters (target 1,500–5,000).

Run: .venv/bin/python bench/report_quality.py [--show NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.postings import POSTING_MODULES, BenchPosting, Name, load

LENGTH_RANGE = (1500, 5000)
MAX_VERBATIM = 5
VERBATIM_RUN = 20  # characters of a message, after normalising, that make a paste
SHORT_MESSAGE_MIN = 8  # a message shorter than the run counts when all of it is pasted, if it has this many
BEFORE_WINDOW = 20  # characters before a number searched for its context words
AFTER_WINDOW = 6

# ---------------------------------------------------------------- numbers and units

# unit as written -> canonical unit; multipliers 万/亿 are read separately, 公里 and 千米 are 1000 米
UNIT_FACTORS = {"公里": 1000.0, "千米": 1000.0}
UNIT_CLASSES: dict[str, str] = {
    "平方米": "平方米",
    "平米": "平方米",
    "公里": "米",
    "千米": "米",
    "米": "米",
    "元": "元",
    "亩": "亩",
    "公斤": "公斤",
    "吨": "吨",
    "斤": "斤",
    "方": "方",
    "户次": "户次",
    "户": "户",
    "人次": "人次",
    "人": "人",
    "名": "人",
    "位": "人",
    "起": "起",
    "件": "起",
    "批次": "批",
    "批": "批",
    "个月": "月",
    "个": "个",
    "家": "家",
    "所": "所",
    "次": "次",
    "场": "次",
    "天": "天",
    "篇": "篇",
    "期": "期",
    "项": "项",
    "条": "条",
    "处": "处",
    "份": "份",
    "台": "台",
    "套": "套",
    "眼": "眼",
    "座": "座",
    "栋": "栋",
    "间": "间",
    "岁": "岁",
    "口": "口",
    "车": "车",
    "堂": "堂",
    "节": "节",
    "课时": "节",
    "小时": "小时",
    "分钟": "分钟",
    "%": "%",
    "成": "成",
}
_UNIT_ALT = "|".join(sorted(map(re.escape, UNIT_CLASSES), key=len, reverse=True))
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS)
_RE_NUMBER = re.compile(
    rf"(?P<pre>近|约|共|累计|合计|总计)?(?P<num>\d+(?:\.\d+)?|[{_CN_CHARS}]+)"
    rf"(?P<mult>万|亿)?(?P<q>余|多)?(?P<unit>{_UNIT_ALT})?(?P<post>左右)?"
)
# Chinese numerals that are words, not quantities, when followed by these ("两个维护", "三个代表")
_SET_PHRASES = ("维护", "确立", "代表", "意识", "自信", "全面", "务必", "结合", "一批")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def cn_number(text: str) -> int:
    """二十 -> 20, 一百二十 -> 120, 两 -> 2, 二〇二六 -> 2026."""
    if all(c in _CN_DIGITS for c in text):
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        else:
            total += (current or 1) * _CN_UNITS[char]
            current = 0
    return total + current


def canonical_unit(unit: str) -> str:
    return UNIT_CLASSES.get(unit, unit)


@dataclass(frozen=True, slots=True)
class Number:
    """A number in a text: its value in the base unit, its unit (canonical, or "" for none) and where it is."""

    text: str
    value: float
    unit: str
    start: int
    end: int
    approx: str = ""  # 余 | 多 | 近 | 约 | 左右


def find_numbers(text: str, masked: list[tuple[int, int]] | None = None) -> list[Number]:
    """Every number in `text` outside the masked spans: Arabic always, Chinese numerals only with a unit."""
    text = text.translate(_WIDE_DIGITS)
    found = []
    for m in _RE_NUMBER.finditer(text):
        num, unit, mult = m.group("num"), m.group("unit") or "", m.group("mult") or ""
        start = m.start("num")
        if masked and any(a <= start < b for a, b in masked):
            continue
        if start > 0 and text[start - 1] in "第每":
            continue  # an ordinal (第一批) or a rate (每人) names no total
        chinese = not num[0].isdigit()
        if chinese:
            if not (unit or mult) or num == "一" or num in ("千", "百", "万"):
                continue  # 一是, 一起, 一次性, 千方百计: words, not quantities
            if unit in ("个", "项") and text[m.end() : m.end() + 2] in _SET_PHRASES:
                continue
            if unit == "期" and text[m.end() : m.end() + 2] in ("工程", "项目"):
                continue
            value: float = cn_number(num)
        else:
            if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
                continue
            value = float(num)
        value *= UNIT_FACTORS.get(unit, 1.0)
        if mult:
            value *= 10000 if mult == "万" else 100000000
            if not unit:
                unit = "元"  # "年产值2800万": money written without 元
        pre = m.group("pre") or ""
        if pre and m.start() > 0 and text[m.start() - 1] in "签预节邀制相附最接靠临":
            pre = ""  # 签约3家, 最近2次: the 约 or 近 belongs to a word
        approx = m.group("q") or pre or m.group("post") or ""
        if approx in ("共", "累计", "合计", "总计"):
            approx = ""
        end = m.end() if unit else m.end("mult") if mult else m.end("num")
        found.append(Number(text[start:end], value, canonical_unit(unit), start, end, approx))
    return found


# ---------------------------------------------------------------- dates, titles and other spans that are no figures

_RE_DATE_SPANS = (
    re.compile(r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?"),
    re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]"),
    re.compile(r"\d{1,2}\s*月(?:份|初|中旬|上旬|下旬|底|中|末)?"),
    re.compile(r"(?<![\d.])\d{1,2}\s*[日号](?![\d楼线院门])"),
    re.compile(r"[〇零一二三四五六七八九]{4}年(?:[一二三四五六七八九十]{1,2}月(?:[一二三四五六七八九十]{1,3}日)?)?"),
    re.compile(r"[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"),
    re.compile(r"\d{1,2}[:：]\d{2}"),
    re.compile(r"\d{1,2}点(?:半|多|钟)?"),
)
_RE_TITLE = re.compile(r"《[^》]{0,60}》")
_RE_ARABIC_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


def masked_spans(text: str) -> list[tuple[int, int]]:
    """Spans holding dates, clock times and titles: their digits are no figures."""
    spans = [m.span() for m in _RE_TITLE.finditer(text)]
    for pattern in _RE_DATE_SPANS:
        spans += [m.span() for m in pattern.finditer(text)]
    return spans


def out_of_range_dates(text: str, posting: BenchPosting) -> list[str]:
    """Dates the body names outside the posting (start .. compile date, or the posting's end)."""
    profile = posting.person.posting
    first = profile.start_date if profile and profile.start_date else posting.start
    allowed_end = profile.end_date if profile and profile.end_date else posting.end
    wrong = []
    for m in _RE_ARABIC_DATE.finditer(text):
        year = int(m.group(1)) if m.group(1) else posting.end.year
        try:
            day = dt.date(year, int(m.group(2)), int(m.group(3)))
        except ValueError:
            wrong.append(m.group(0))
            continue
        if not (first <= day <= posting.today or day == allowed_end):
            wrong.append(m.group(0))
    return wrong


# ---------------------------------------------------------------- context windows

_CLAUSE_STOPS = "，,。；;！!？?\n、（(：:"
_AFTER_STOPS = "，,。；;\n、（(）)"
_RE_CJK = re.compile(r"[\u4e00-\u9fff]")
_STOP_BIGRAMS = {"其中", "共计", "累计", "合计", "一共", "总共", "全部", "期间", "以来", "共有"}


def before_window(text: str, start: int, size: int = BEFORE_WINDOW) -> str:
    """The clause before position `start` (and the one before it when it is very short), at most `size` chars."""
    lo = max(0, start - size)
    cut = max((text.rfind(s, lo, start) for s in _CLAUSE_STOPS), default=-1)
    window = text[cut + 1 : start] if cut >= 0 else text[lo:start]
    if len(_RE_CJK.findall(window)) < 4 and cut > lo:
        earlier = max((text.rfind(s, lo, cut) for s in _CLAUSE_STOPS), default=-1)
        window = text[(earlier + 1 if earlier >= 0 else lo) : start]
    return window


def after_window(text: str, end: int, size: int = AFTER_WINDOW) -> str:
    tail = text[end : end + size]
    cuts = [tail.find(s) for s in _AFTER_STOPS if s in tail]
    return tail[: min(cuts)] if cuts else tail


def context_of(text: str, number: Number) -> str:
    return before_window(text, number.start) + "|" + after_window(text, number.end)


def bigrams(text: str) -> set[str]:
    chars = "".join(_RE_CJK.findall(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)} - _STOP_BIGRAMS


# ---------------------------------------------------------------- what a right figure can be


@dataclass(frozen=True, slots=True)
class Candidate:
    """A quantity the body may state: where it comes from, its value, unit and context words."""

    source: str  # truth:<key> | list:<kind> | project:<name>:<key> | fund:<source> | profile:<what>
    value: float
    unit: str
    context: tuple[str, ...]
    headline: bool = False


MONEY_ROLE_WORDS = ("资金", "争取", "到位", "补助", "奖补", "帮扶", "配套", "拨付", "投资", "经费", "助学金", "衔接")
DAYS_ON_POST_WORDS = ("在岗", "挂职", "驻村", "以来", "累计", "期间", "工作")
MONTHS_WORDS = ("来", "以来", "挂职", "驻村", "期间", "为期", "已有", "满")


def _months_between(first: dt.date, after_last: dt.date) -> int:
    months = (after_last.year - first.year) * 12 + after_last.month - first.month
    return months - (1 if after_last.day < first.day else 0)


def candidates(posting: BenchPosting) -> list[Candidate]:
    """Every quantity the truth, its lists and the profile support."""
    truth = posting.truth
    found = [Candidate(f"truth:{f.key}", f.value, canonical_unit(f.unit), f.context, f.headline) for f in truth.figures]
    for project in truth.projects:
        found += [
            Candidate(f"project:{project.name.full}:{f.key}", f.value, canonical_unit(f.unit), f.context)
            for f in project.figures
        ]
        # the money secured for one project, summed over its funds ("食堂改造配套" and "马坊中心校食堂改造")
        stems = {re.sub(r"(?:项目|工程)$", "", form) for form in project.name.forms()}
        own = [f.yuan for f in truth.funds if any(stem in f.purpose for stem in stems)]
        if len(own) >= 2:
            found.append(Candidate(f"project:{project.name.full}:funds", sum(own), "元", MONEY_ROLE_WORDS))
    for fund in truth.funds:
        found.append(Candidate(f"fund:{fund.source}", fund.yuan, "元", (fund.source, *MONEY_ROLE_WORDS)))
    lists: list[tuple[str, Iterable[Name], str, tuple[str, ...]]] = [
        ("villages", truth.villages, "个", ("村",)),
        ("communities", truth.communities, "个", ("社区",)),
        ("enterprises", truth.enterprises, "家", ("企业", "经营主体")),
        ("enterprises_only", [n for n in truth.enterprises if n.kind == "enterprise"], "家", ("企业",)),
        ("cooperatives", [n for n in truth.enterprises if n.kind == "cooperative"], "家", ("合作社",)),
        ("cooperatives", [n for n in truth.enterprises if n.kind == "cooperative"], "个", ("合作社",)),
        ("schools", truth.schools, "所", ("学校", "校")),
        ("places", [*truth.villages, *truth.communities], "个", ("村和社区", "村、社区", "村（社区）", "村居")),
    ]
    for kind, names, unit, context in lists:
        count = len(list(names))
        if count:
            found.append(Candidate(f"list:{kind}", count, unit, context))
    # a place's own visits, pooled as a person would ("先后3次走访石门村，入户走访11户次"): from the hand-written
    # tallies of households visited that name the place
    for place in [*truth.villages, *truth.communities]:
        tallies = [h for h in truth.households if any(form in h.what for form in place.forms())]
        if len(tallies) >= 2:
            words = (*place.forms(), "走访", "入户")
            found.append(Candidate(f"place:{place.full}:visits", len(tallies), "次", words))
            found.append(Candidate(f"place:{place.full}:households", sum(h.count for h in tallies), "户次", words))
    profile = posting.person.posting
    first = profile.start_date if profile and profile.start_date else posting.start
    days = (posting.end - first).days + 1
    leave = sum((b - a).days + 1 for a, b in truth.leave)
    found.append(Candidate("profile:days_on_post", days, "天", DAYS_ON_POST_WORDS))
    found.append(Candidate("profile:days_on_post_net", days - leave, "天", DAYS_ON_POST_WORDS))
    # or counted in working days (Monday to Friday; public holidays are not known here)
    weekdays = sum(1 for i in range(days) if (first + dt.timedelta(days=i)).weekday() < 5)
    leave_weekdays = sum(
        1 for a, b in truth.leave for i in range((b - a).days + 1) if (a + dt.timedelta(days=i)).weekday() < 5
    )
    found.append(Candidate("profile:weekdays_on_post", weekdays, "天", DAYS_ON_POST_WORDS))
    found.append(Candidate("profile:weekdays_on_post_net", weekdays - leave_weekdays, "天", DAYS_ON_POST_WORDS))
    after_last = posting.end + dt.timedelta(days=1)
    months = {_months_between(first, after_last), round(days / 30.44)}
    for value in sorted(months):
        found.append(Candidate("profile:months", value, "月", MONTHS_WORDS))
    if profile and profile.start_date and profile.end_date:
        term = _months_between(profile.start_date, profile.end_date + dt.timedelta(days=1))
        found.append(Candidate("profile:term_months", term, "月", ("为期", "期限", "挂职", "驻村")))
    return found


def _close(stated: Number, value: float) -> bool:
    if abs(stated.value - value) < 1e-6 * max(1.0, abs(value)):
        return True
    if stated.approx in ("余", "多"):
        return stated.value < value < stated.value * 1.5
    if stated.approx == "近":
        return stated.value * 0.8 <= value < stated.value
    if stated.approx in ("约", "左右"):
        return abs(stated.value - value) <= 0.1 * stated.value
    return False


@dataclass(frozen=True, slots=True)
class Stated:
    """A figure the body states and how it was judged."""

    number: Number
    context: str
    verdict: str  # the candidate or message it matched, or "wrong"

    @property
    def right(self) -> bool:
        return self.verdict != "wrong"


# a month-end summary ("6月工作小结：", "本月小结:")
_RE_SUMMARY = re.compile(r"(?:本月|这个月|上月|本周|\d{1,2}月份?|[一二三四五六七八九十]{1,2}月份?)(?:工作)?(?:小结|总结|汇总)")


@dataclass(frozen=True, slots=True)
class MessageNumbers:
    """The numbers of every message, with their windows, for tracing the body's numbers."""

    figures: list[tuple[int, Number, set[str]]]  # (message index, number with a unit, bigrams of its window)
    values: set[float]  # every number any message holds (with or without a unit)
    pairs: set[tuple[float, str]]

    @classmethod
    def of(cls, messages: Iterable[str]) -> MessageNumbers:
        figures, values, pairs = [], set(), set()
        for index, text in enumerate(messages):
            summary = _RE_SUMMARY.match(text.strip()) is not None
            for number in find_numbers(text):
                values.add(number.value)
                if number.unit:
                    pairs.add((number.value, number.unit))
                    if summary:
                        continue  # a month's totals are about no single object: they only make a number traceable
                    window = before_window(text, number.start, 12) + after_window(text, number.end)
                    figures.append((index, number, bigrams(window)))
        return cls(figures, values, pairs)


def judge(body: str, number: Number, options: list[Candidate], messages: MessageNumbers) -> str:
    """Name what makes a stated figure right, or return "wrong"."""
    context = context_of(body, number)
    after = after_window(body, number.end)
    same_unit = [o for o in options if o.unit == number.unit]
    # the noun right after the figure says what it counts ("1家企业"): candidates for that noun come first
    counted = [o for o in same_unit if any(w in after for w in o.context)]
    for option in counted or same_unit:
        if _close(number, option.value) and any(w in context for w in option.context):
            return option.source
    mine = bigrams(before_window(body, number.start, 12) + after_window(body, number.end))
    for index, theirs, words in messages.figures:
        unit = "户次" if theirs.unit == "户" and number.unit == "户次" else theirs.unit  # one visit's 户 are 户次
        if unit == number.unit and abs(theirs.value - number.value) < 1e-6 and mine & words:
            return f"message:{index + 1}"
    return "wrong"


# ---------------------------------------------------------------- names

NAME_SUFFIXES = (
    "有限公司",
    "公司",
    "合作社",
    "社区",
    "街道",
    "卫生院",
    "医院",
    "幼儿园",
    "小学",
    "中学",
    "学校",
    "项目",
    "工程",
    "村",
    "镇",
    "乡",
    "厂",
    "局",
)
_RE_SUFFIX = re.compile("|".join(NAME_SUFFIXES))
# a single-character suffix followed by one of these is inside a longer word (村民, 镇党委, 乡村, 局里)
_GLUE = {
    "村": "民委级道组干集里内部务容貌庄口头情规医卫史小两室落镇",
    "镇": "党政府委里上区长级内域中小街村情",
    "乡": "村镇亲土情贤里党政府长级音下",
    "厂": "房区长里家矿",
    "局": "里长面势党务级限部",
}
_GENERIC_WORDS = (
    "乡村 农村 全村 本村 该村 各村 驻村 包村 进村 入村 到村 在村 回村 村村 个村 行政村 自然村 贫困村 脱贫村 "
    "重点村 示范村 邻村 外村 整村 每村 出村 下村 联村 同村 乡村振兴村 "
    "全镇 本镇 该镇 各镇 乡镇 城镇 村镇 集镇 小镇 在镇 到镇 回镇 重镇 "
    "全乡 本乡 该乡 各乡 城乡 下乡 返乡 回乡 家乡 老乡 同乡 在乡 到乡 "
    "全局 大局 格局 布局 当局 结局 开局 各局 我局 本局 该局 "
    "企业 公司 该公司 子公司 分公司 总公司 工厂 "
    "学校 各学校 该学校 全校 中小学 各中小学 小学 中学 "
    "项目 该项目 此项目 各项目 重点项目 民生项目 产业项目 招商项目 基建项目 在建项目 帮扶项目 衔接项目 "
    "建设项目 合作项目 投资项目 新建项目 续建项目 申报项目 "
    "工程 系统工程 民生工程 惠民工程 民心工程 该工程 此工程 各工程 "
    "义务教育学校 乡村学校 农村学校 城区学校 乡镇学校 中小学校 薄弱学校 民办学校 公办学校 寄宿制学校 "
    "合作社 专业合作社 各合作社 社区 各社区 全社区 本社区 该社区 村两委 村委会 村集体 村委"
)
GENERIC_NAMES = frozenset(_GENERIC_WORDS.split())  # words ending like a name that name nothing
# words after which a name begins, when a run of text ends in a suffix ("走访东坪村" -> 东坪村)
_CUT_WORDS = (
    "走访",
    "调研",
    "考察",
    "深入",
    "前往",
    "组织",
    "参加",
    "陪同",
    "协调",
    "推动",
    "推进",
    "完成",
    "实施",
    "争取",
    "建设",
    "开展",
    "涉及",
    "包括",
    "联系",
    "帮助",
    "对接",
    "督促",
    "指导",
    "检查",
    "慰问",
    "支持",
    "先后",
    "分别",
    "其中",
    "以及",
    "来到",
    "到达",
    "看望",
    "建议",
    "汇报",
    "审核",
    "抓好",
    "覆盖",
)
_CUT_CHARS = "的在到赴和与及对向从为了是去把将等由给跟同帮有于至个已转"
_RE_PLACE_HEAD = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:社区|村|镇|乡|县|局|有限公司|公司|合作社|学校|小学|中学|厂)")
_LIST_SPLIT = re.compile(r"[，,。；;：:\n（）()“”\"]")


@dataclass(frozen=True, slots=True)
class NameBook:
    """Every allowed name form, mapped to its entity, and the generic words."""

    entity_of: dict[str, str]  # form -> canonical name

    @classmethod
    def of(cls, posting: BenchPosting) -> NameBook:
        truth = posting.truth
        entity_of: dict[str, str] = {}
        names = [
            *truth.villages,
            *truth.communities,
            *truth.enterprises,
            *truth.schools,
            *(p.name for p in truth.projects),
            *truth.others,
        ]
        visited = {id(n) for n in names[: len(names) - len(truth.others)]}
        for name in names:
            for form in name.forms():
                # one entity per visited place or project; other names (units, 镇党委 …) each stand alone
                entity_of.setdefault(form, name.full if id(name) in visited else form)
            if name.full.endswith("有限公司"):
                for form in name.forms():
                    if not form.endswith("公司"):
                        entity_of.setdefault(form + "公司", name.full)
                entity_of.setdefault(name.full.removesuffix("有限公司") + "公司", name.full)
        profile = posting.person.posting
        for unit in (profile.host_unit, profile.sending_unit) if profile else ():
            if unit:
                entity_of.setdefault(unit, unit)
                for m in re.finditer(r"[\u4e00-\u9fff]+?(?:镇|乡|县|村|街道)", unit):
                    entity_of.setdefault(m.group(0), m.group(0))
        return cls(entity_of)

    def known_ending(self, run: str) -> str | None:
        """The longest allowed or generic name `run` ends with."""
        tails = (run[-size:] for size in range(min(len(run), 24), 1, -1))
        return next((tail for tail in tails if tail in self.entity_of or tail in GENERIC_NAMES), None)


def _cut_candidate(run: str) -> str:
    """The name a run of text ending in a suffix most likely holds: the part after the last verb or particle."""
    cut = 0
    for word in _CUT_WORDS:
        at = run.rfind(word)
        if at >= 0:
            cut = max(cut, at + len(word))
    for char in _CUT_CHARS:
        at = run.rfind(char, 0, len(run) - 1)
        if at >= 0:
            cut = max(cut, at + 1)
    return run[cut:]


def _suffix_of(text: str) -> str | None:
    return next((s for s in NAME_SUFFIXES if text.endswith(s)), None)


def invented_names(body: str, book: NameBook, forbidden: Iterable[str], messages: Iterable[str] = ()) -> list[str]:
    """Names in the body the truth does not know: forbidden strings, unknown names, fragments and repeats in lists.

    In running text a name-like run is unknown when it is no allowed name, no generic word and in no message
    (a fragment of a message, such as 解乡村 in 了解乡村, only shows as one in a list); in a 、 list every item
    must be a whole allowed name, and each entity may come once.
    """
    flagged: dict[int, str] = {}
    sources = list(messages)
    for word in filter(None, forbidden):
        for m in re.finditer(re.escape(word), body):
            flagged[m.start()] = f"forbidden: {word}"
    for m in _RE_SUFFIX.finditer(body):
        suffix, end = m.group(0), m.end()
        if len(suffix) == 1 and end < len(body) and body[end] in _GLUE.get(suffix, ""):
            continue
        run_start = end
        while run_start > 0 and _RE_CJK.match(body[run_start - 1]) and end - run_start < 16:
            run_start -= 1
        run = body[run_start:end]
        known = book.known_ending(run)
        if run == suffix or (known and (known in book.entity_of or len(known) > len(suffix))):
            continue
        candidate = _cut_candidate(run)
        if not _is_name_like(candidate) or len(candidate) - len(suffix) < 2:
            continue
        if suffix in ("项目", "工程"):
            # a project is told in many words (打井工程, 杨家坪村通组路项目): only a place or unit it names can be
            # invented
            place = _RE_PLACE_HEAD.match(candidate)
            if place is None or place.group(0) in book.entity_of or place.group(0) in GENERIC_NAMES:
                continue
            candidate = place.group(0)
        if not any(candidate in text for text in sources):
            flagged.setdefault(end - len(run) + run.find(candidate), f"unknown: {candidate}")
    # names in lists (A、B、C): every item must be a whole name, each entity once
    offset = 0
    for segment in _LIST_SPLIT.split(body):
        seg_start = body.find(segment, offset)
        offset = seg_start + len(segment)
        if "、" in segment:
            _check_list(body, seg_start, segment.split("、"), book, flagged)
    return [flagged[k] for k in sorted(flagged)]


_RE_ITEM_TAIL = re.compile(r"等|\d|[二三四五六七八九十两]+(?:个|家|所|户|处|名)")  # "…等6个村", "…两个项目"


def _name_end(text: str) -> int | None:
    """Where the first name-like run of `text` ends (a suffix not glued to the next character)."""
    for m in _RE_SUFFIX.finditer(text):
        suffix = m.group(0)
        if len(suffix) == 1 and m.end() < len(text) and text[m.end()] in _GLUE.get(suffix, ""):
            continue
        if m.start() > 0 and text[m.start() - 1 : m.end()] in GENERIC_NAMES:
            continue  # 乡村 in 全县乡村振兴推进会 is a word, not the end of a village's name
        return m.end()
    return None


def _list_item(item: str, first: bool, last: bool, book: NameBook) -> str:
    """The name an item of a 、 list holds: leading words dropped from the first, counts and 等 from any."""
    if first:
        known = book.known_ending(item)
        item = known if known and known in book.entity_of else _cut_candidate(item)
    if tail := _RE_ITEM_TAIL.search(item):
        item = item[: tail.start()] or item
    known = next((item[:k] for k in range(len(item), 1, -1) if item[:k] in book.entity_of), None)
    if known:
        return known
    if last:
        end = _name_end(item)  # "梨园村走访农户": the list ends where the name does
        return item[:end] if end else item
    return item


def _is_name_like(name: str) -> bool:
    suffix = _suffix_of(name)
    return suffix is not None and len(name) > len(suffix) and name not in GENERIC_NAMES


def _check_list(body: str, start: int, items: list[str], book: NameBook, flagged: dict[int, str]) -> None:
    names = [_list_item(item, i == 0, i == len(items) - 1, book) for i, item in enumerate(items)]
    if sum(1 for n in names if n in book.entity_of or _is_name_like(n)) * 2 < len(names):
        return  # a list of activities, not of names
    seen: dict[str, str] = {}
    position = start
    for name in names:
        at = body.find(name, position)
        position = at + len(name) if at >= 0 else position
        entity = book.entity_of.get(name)
        if entity is None:
            if _is_name_like(name):
                flagged.setdefault(at, f"fragment in list: {name}")
        elif entity in seen:
            flagged.setdefault(at, f"twice in one list: {seen[entity]}、{name}")
        else:
            seen[entity] = name


def names_present(body: str, posting: BenchPosting) -> tuple[list[str], list[str]]:
    """The truth names (full names; any form for projects) found in the body, and those missing."""
    truth = posting.truth
    found, missing = [], []
    for name in [*truth.villages, *truth.communities, *truth.enterprises, *truth.schools]:
        (found if name.full in body else missing).append(name.full)
    for project in truth.projects:
        (found if any(f in body for f in project.name.forms()) else missing).append(project.name.full)
    return found, missing


# ---------------------------------------------------------------- pasted entries, punctuation, dates, labels

_RE_CLOCK = re.compile(r"上午|下午|晚上|中午|早上|傍晚|凌晨|今早|今晚|昨晚")
_RE_NOT_CONTENT = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]")


def normalise(text: str) -> str:
    """Text for paste detection: wide digits made ASCII, clock words, punctuation and spaces dropped."""
    return _RE_NOT_CONTENT.sub("", _RE_CLOCK.sub("", text.translate(_WIDE_DIGITS)))


def verbatim_messages(body: str, messages: Iterable[str]) -> list[int]:
    """1-based indexes of the messages pasted into the body (20 normalised characters, or all of a short one)."""
    flat = normalise(body)
    pasted = []
    for index, text in enumerate(messages, start=1):
        own = normalise(text)
        if len(own) < VERBATIM_RUN:
            if len(own) >= SHORT_MESSAGE_MIN and own in flat:
                pasted.append(index)
        elif any(own[i : i + VERBATIM_RUN] in flat for i in range(len(own) - VERBATIM_RUN + 1)):
            pasted.append(index)
    return pasted


_RE_ASCII_PUNCT = re.compile(r"[,:;()!?\"']|(?<!\d)\.|\.(?!\d)")
_RE_RELATIVE = re.compile(
    r"大前天|前天|昨天|今天|明天|后天|昨日|今日|明日|今早|今晚|昨晚|上上周|上周|下周|本周|这周|这个月|本月|上个?月|下个?月"
    r"|(?<![\d一二三四五六七八九十])月[底初]前?|上午|下午|晚上|中午|早上|傍晚|凌晨"
    r"|(?<![每一两二三四五六七八九十几上下本这])(?:周|星期|礼拜)[一二三四五六日天末](?![\d次个])"
)
_RE_LABEL = re.compile(
    r"(?:几点体会|体会|心得|感悟|存在的?不足|不足|存在问题|下一步|下步|打算|建议|本月小结|小结|总结|日志|走访|学习|请假|销假|备注)"
    r"\s*[：:]"
    r"|[一二三四五六七八九十]是(?:体会|不足|下一步|小结|心得)[：:，,]?"
    r"|\[[A-Za-z]+\]|[A-Za-z]+"
)
_RE_UNVERIFIED = re.compile(r"【待(?:核实|补充)[^】]*】")
_DATE_BEFORE_WEEKDAY = re.compile(r"\d{1,2}月\d{1,2}[日号][（(]?$")


def relative_words(body: str) -> list[str]:
    """Relative dates and clock words; a weekday right after a date (6月12日（周五）) is fine."""
    found = []
    for m in _RE_RELATIVE.finditer(body):
        if m.group(0)[0] in "周星礼" and _DATE_BEFORE_WEEKDAY.search(body[max(0, m.start() - 8) : m.start()]):
            continue
        found.append(m.group(0))
    return found


def labels(body: str) -> list[str]:
    return [m.group(0) for m in _RE_LABEL.finditer(body)]


def ascii_punctuation(body: str) -> list[str]:
    return [body[max(0, m.start() - 6) : m.end() + 6] for m in _RE_ASCII_PUNCT.finditer(body)]


def body_length(body: str) -> int:
    return len(re.sub(r"\s", "", body))


# ---------------------------------------------------------------- the score


@dataclass(frozen=True, slots=True)
class Score:
    """One body graded against one posting's truth."""

    figures: tuple[Stated, ...]
    headline_found: tuple[str, ...]
    headline_total: int
    names_found: tuple[str, ...]
    names_missing: tuple[str, ...]
    invented: tuple[str, ...]
    untraceable: tuple[str, ...]
    verbatim: tuple[int, ...]
    ascii_punct: tuple[str, ...]
    relative: tuple[str, ...]
    labels: tuple[str, ...]
    unverified: tuple[str, ...]
    length: int

    @property
    def wrong(self) -> list[Stated]:
        return [s for s in self.figures if not s.right]

    def defects(self) -> int:
        """Defects that must be zero: wrong figures, invented names, untraceable numbers, text defects."""
        return (
            len(self.wrong)
            + len(self.invented)
            + len(self.untraceable)
            + len(self.ascii_punct)
            + len(self.relative)
            + len(self.labels)
            + len(self.unverified)
        )

    def passed(self) -> bool:
        low, high = LENGTH_RANGE
        return self.defects() == 0 and len(self.verbatim) <= MAX_VERBATIM and low <= self.length <= high


def score(body: str, posting: BenchPosting) -> Score:
    """Grade a report body against the posting's truth and messages."""
    body = body.translate(_WIDE_DIGITS)
    texts = [text for _, text in posting.messages]
    messages = MessageNumbers.of(texts)
    options = candidates(posting)
    stated, untraceable = [], []
    for number in find_numbers(body, masked_spans(body)):
        if number.unit:
            verdict = judge(body, number, options, messages)
            stated.append(Stated(number, context_of(body, number), verdict))
            if verdict == "wrong" and (number.value, number.unit) not in messages.pairs:
                untraceable.append(f"{number.text}（{context_of(body, number)}）")
        elif number.value not in messages.values:
            untraceable.append(f"{number.text}（{context_of(body, number)}）")
    untraceable += [f"{d}（date outside the posting）" for d in out_of_range_dates(body, posting)]
    headline_keys = [o.source for o in options if o.headline]
    matched = {s.verdict for s in stated}
    found, missing = names_present(body, posting)
    return Score(
        figures=tuple(stated),
        headline_found=tuple(k for k in headline_keys if k in matched),
        headline_total=len(headline_keys),
        names_found=tuple(found),
        names_missing=tuple(missing),
        invented=tuple(invented_names(body, NameBook.of(posting), posting.truth.forbidden, texts)),
        untraceable=tuple(untraceable),
        verbatim=tuple(verbatim_messages(body, texts)),
        ascii_punct=tuple(ascii_punctuation(body)),
        relative=tuple(relative_words(body)),
        labels=tuple(labels(body)),
        unverified=tuple(m.group(0) for m in _RE_UNVERIFIED.finditer(body)),
        length=body_length(body),
    )


# ---------------------------------------------------------------- running it

COLUMNS = (
    "posting",
    "figures right/stated",
    "headline",
    "names",
    "invented/fragment",
    "untraceable",
    "verbatim",
    "ASCII punct.",
    "relative dates",
    "labels",
    "待核实",
    "length",
    "result",
)


def compile_body(posting: BenchPosting) -> str:
    """The plain text of the mid-term draft the current compiler makes for the posting."""
    from reporting.compose import compile_report

    draft = compile_report("mid", posting.person, posting.entries(), posting.start, posting.end, posting.today)
    body: str = draft.body_text()
    return body


def row(name: str, result: Score) -> list[str]:
    right = len(result.figures) - len(result.wrong)
    names = len(result.names_found) + len(result.names_missing)
    return [
        name,
        f"{right}/{len(result.figures)}",
        f"{len(result.headline_found)}/{result.headline_total}",
        f"{len(result.names_found)}/{names}",
        str(len(result.invented)),
        str(len(result.untraceable)),
        str(len(result.verbatim)),
        str(len(result.ascii_punct)),
        str(len(result.relative)),
        str(len(result.labels)),
        str(len(result.unverified)),
        str(result.length),
        "PASS" if result.passed() else "FAIL",
    ]


def table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def details(result: Score, posting: BenchPosting) -> str:
    """Every finding of one posting, for --show."""
    texts = [text for _, text in posting.messages]
    out = [f"wrong figures ({len(result.wrong)}):"]
    out += [f"  {s.number.text}  …{s.context}" for s in result.wrong]
    out.append(f"right figures ({len(result.figures) - len(result.wrong)}):")
    out += [f"  {s.number.text}  <- {s.verdict}" for s in result.figures if s.right]
    out.append(f"headline figures stated: {', '.join(result.headline_found) or '-'}")
    out.append(f"names missing: {'、'.join(result.names_missing) or '-'}")
    sections = (
        ("invented or fragment names", result.invented),
        ("untraceable numbers", result.untraceable),
        ("ASCII punctuation", result.ascii_punct),
        ("relative dates and clock words", result.relative),
        ("label remnants", result.labels),
        ("待核实 / 待补充", result.unverified),
    )
    for title, items in sections:
        out.append(f"{title} ({len(items)}):")
        out += [f"  {item}" for item in items]
    out.append(f"verbatim messages ({len(result.verbatim)}):")
    out += [f"  #{i} {texts[i - 1]}" for i in result.verbatim]
    out.append(f"length: {result.length}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", choices=POSTING_MODULES, help="print this posting's body and every finding")
    args = parser.parse_args(argv)
    rows = []
    for name in POSTING_MODULES:
        posting = load(name)
        body = compile_body(posting)
        result = score(body, posting)
        rows.append(row(name, result))
        if args.show == name:
            print(body, end="\n\n")
            print(details(result, posting), end="\n\n")
    print(table(rows))
    low, high = LENGTH_RANGE
    print(
        f"targets: every stated figure right, every defect count 0, verbatim <= {MAX_VERBATIM}, "
        f"length {low:,}-{high:,} characters"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
