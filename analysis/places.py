"""The places and organisations of one posting: villages, communities, towns, enterprises, cooperatives,
schools, institutions, agencies and counties, found in a cadre's messages at word boundaries.

A name is a run of name-like words ending in a place suffix (…村, …社区, …镇, …有限公司, …合作社, …小学,
…卫生院, …局). jieba's segmentation says where words begin and end, and its dictionary tags say which words
(verbs, prepositions, particles, numerals, pronouns, time words) cannot be part of a name, so "研究东坪村" names
东坪村 and "了解乡村振兴" names nothing. A short form is resolved to the one full name that starts with or
contains it (青山食品 → 青山食品有限公司). A list imported by the organisation department wins over what is
learned from the messages and brings its own short forms (石桥 → 石桥村).
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from analysis.classify import simplify, word_spans
from analysis.inputs import clean_text

PLACE_TYPES = (
    "village",
    "community",
    "town",
    "enterprise",
    "cooperative",
    "school",
    "institution",
    "agency",
    "county",
)
# The words a clerk may write in the 类型 column; the first one of each type is its label.
TYPE_WORDS: dict[str, str] = {
    "村": "village",
    "行政村": "village",
    "村委会": "village",
    "社区": "community",
    "居委会": "community",
    "小区": "community",
    "镇": "town",
    "乡": "town",
    "乡镇": "town",
    "街道": "town",
    "企业": "enterprise",
    "公司": "enterprise",
    "工厂": "enterprise",
    "合作社": "cooperative",
    "专业合作社": "cooperative",
    "学校": "school",
    "小学": "school",
    "中学": "school",
    "幼儿园": "school",
    "单位": "institution",
    "事业单位": "institution",
    "医院": "institution",
    "卫生院": "institution",
    "敬老院": "institution",
    "机关": "agency",
    "部门": "agency",
    "局": "agency",
    "县": "county",
    "区": "county",
    "县区": "county",
    **{kind: kind for kind in PLACE_TYPES},
}
TYPE_LABELS: dict[str, str] = {}
for _word, _kind in TYPE_WORDS.items():
    TYPE_LABELS.setdefault(_kind, _word)


def _words(text: str) -> frozenset[str]:
    """A word list written as one string, words separated by white space."""
    return frozenset(text.split())


# Types whose short and full names may be one place (a cooperative is often called a company).
_FAMILY = {"cooperative": "enterprise", "agency": "institution"}
# Places that contain others: 石桥村 is named in 石桥村合作社 as well.
_CONTAINERS = frozenset({"village", "community", "town", "county"})

# (suffix, type, strong). A weak suffix is also an ordinary noun (食品, 中心, 局): the name needs a proper-noun
# word or an administrative prefix (县, 市) before it.
_SUFFIXES: tuple[tuple[str, str, bool], ...] = (
    ("村民委员会", "village", True),
    ("村委会", "village", True),
    ("村委", "village", True),
    ("村", "village", True),
    ("社区", "community", True),
    ("居委会", "community", True),
    ("小区", "community", False),
    ("街道", "town", False),
    ("镇", "town", True),
    ("乡", "town", True),
    ("股份有限公司", "enterprise", True),
    ("有限责任公司", "enterprise", True),
    ("有限公司", "enterprise", True),
    ("公司", "enterprise", True),
    ("集团", "enterprise", True),
    ("加工厂", "enterprise", False),
    ("厂", "enterprise", False),
    ("食品", "enterprise", False),
    ("实业", "enterprise", False),
    ("科技", "enterprise", False),
    ("商贸", "enterprise", False),
    ("超市", "enterprise", False),
    ("酒店", "enterprise", False),
    ("专业合作社", "cooperative", True),
    ("合作联社", "cooperative", True),
    ("合作社", "cooperative", True),
    ("幼儿园", "school", True),
    ("中心校", "school", True),
    ("小学", "school", True),
    ("中学", "school", True),
    ("学校", "school", True),
    ("学院", "school", False),
    ("卫生院", "institution", True),
    ("卫生室", "institution", True),
    ("医院", "institution", True),
    ("敬老院", "institution", True),
    ("养老院", "institution", True),
    ("福利院", "institution", True),
    ("局", "agency", False),
    ("办", "agency", False),
    ("中心", "agency", False),
    ("县", "county", False),
    ("区", "county", False),
)
_SUFFIX_INFO = {suffix: (kind, strong) for suffix, kind, strong in _SUFFIXES}
# Every kind word a name may end in, longest first (村民委员会 before 村): what of a name is its own is before it.
KIND_SUFFIXES = tuple(sorted(_SUFFIX_INFO, key=len, reverse=True))
_RE_SUFFIX = re.compile("|".join(KIND_SUFFIXES))
_VILLAGE_OFFICE = ("村民委员会", "村委会", "村委")
_ORGANISATION_SUFFIXES = tuple(s for s, kind, _ in _SUFFIXES if kind not in ("village", "community", "town", "county"))
# A name of a lower level starts after the name of a higher one: 青山镇石桥村 is 青山镇 and 石桥村.
_LEVEL_ENDINGS = {
    "village": ("镇", "乡", "街道", "县", "区", "市", "省"),
    "community": ("镇", "乡", "街道", "县", "区", "市", "省"),
    "enterprise": ("镇", "乡", "街道", "县", "区", "市", "省"),
    "cooperative": ("镇", "乡", "街道", "县", "区", "市", "省"),
    "school": (),  # 青山镇中心小学, 青山镇卫生院: a school or clinic is named after its town
    "institution": (),
    "town": ("县", "区", "市", "省"),
    "county": ("市", "省"),
    "agency": (),
}
# Words that start with a suffix and still end the name before them: 石桥村两委, 东坪村民, 青山镇政府.
_HEAD_WORDS = _words(
    """村民 村两委 村支部 村党支部 村党总支 村干部 村集体 村道 村口 村里 村部 村级 村小 村医 村务 村支书 村主任
    村书记 村组 镇政府 镇党委 镇人民政府 镇里 镇上 乡政府 乡党委 乡人民政府 乡里 社区居委会 社区党委 社区党支部
    社区干部 社区书记 社区主任 社区里"""
)
# The host's own bodies (镇政府, 镇信访办, 村卫生室): an institution of wherever the cadre is, not a name.
_HOST_WORDS = frozenset({"镇", "乡", "村", "街道", "社区", "全镇", "本镇", "全县", "本县", "我镇", "我县"})
_ADMIN_PREFIXES = ("县", "市", "区", "省", "州", "旗")
MAX_STEM = 10  # characters before the suffix: 县农业农村局, 青山茶业公司, 福建省漳州市芗城区 …

# Dictionary tags of words that never belong to a name (prepositions, conjunctions, particles, adverbs,
# numerals, measure words, pronouns, time words, interjections, verbs).
_STOP_TAGS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv", "d", "m", "mq", "q", "r", "rr", "rz"})
_STOP_TAGS |= frozenset({"t", "tg", "y", "e", "o", "v", "vd", "vg", "vi", "vq", "ad", "x", "l", "i"})
_PROPER_TAGS = frozenset({"", "ns", "nr", "nz", "nt", "j", "nrt", "nrfg", "zg", "ng"})
# Words that lead into a name without being part of it when the whole name is a verb (到前进社区).
_LEADERS = frozenset({"去", "到", "在", "赴", "往", "前往", "来到", "走访", "深入", "进驻", "回到", "和", "与"})
# Verbs and adverbs that start a phrase, never a name: cut off the left end of a run.
_LEADING_WORDS = _words(
    """研究 协调 修通 了解 一起 涉及 推动 推进 督促 指导 帮助 联系 对接 考察 调研 检查 走访 慰问 看望 参观 前往 来到
    召集 组织 参加 列席 陪同 配合 深入 进驻 驻 包保 包联 结对 帮扶 服务 建设 调度 部署 落实 总结 谋划 尊重 管理 支持
    宣传 培训 督导 考核 整顿 提升 发展 扩大 健全 活跃 凝练 建立 完善 加强 深化 打造 创建 申报 评估 视察 巡查 联络
    接待 带领 诊断 反映 汇报 报告 通知 协助 支援 依托 围绕 清理 催拨 督办 跟进"""
)
# Characters that end a name on its left when jieba could not place them (去上尧村, 已转镇).
_STOP_CHARS = frozenset(
    "去到在跟和与陪赴的了访看从往至对给向为把于同及等带领是个每各全本该邻这那此其我他她们帮请让被将要想说讲召"
    "参加组织走入户已转又再还也都就才即并或由经按据以用自当来如但若而且因故所被报交送、，,。；;:：!！?？ 　()（）《》\"'“”"
)
# People, roles and kinds stand before a place without being part of it: 老师代表人民小学, 龙头企业宏达食品.
_ROLE_WORDS = _words(
    """企业 龙头企业 单位 部门 机构 商户 种植户 大户 主任 书记 校长 老师 教师 院长 局长 县长 镇长 乡长 村长 支书 厂长 经理 老板 负责人 同志 领导 干部 群众 代表
    成员 专家 客商 村民 党员 职工 工人 学生 家长 农户 困难户 低保户 贫困户 技术员 指导员 队员 队长 组长"""
)
# Words that say which kind of school or village, not which one: 项目学校, 农村小学, 优质学校, 乡镇卫生院.
_GENERIC_FIRST = _words(
    """乡镇 农村 城市 城区 城乡 县域 区域 辖区 片区 基层 优质 先进 薄弱 特色 示范 示范性 重点 项目 一流 著名 有关
    相关 其他 其它 部分 周边 乡村 全部 所有 各类 各级 民办 公办 完全 寄宿制 村级 镇级 乡级 县级 市级 省级 区级 国家级
    全国 全省 全市 全县 全区 全镇 全乡 全村 本地 当地 外地 一些 这些 那些 中小学 中心 落后 贫困 偏远 发达 欠发达
    少数民族 民族 山区 边远 试点 样板 美丽 生态 数字 智慧 整个 区内 县内 镇内 市内 强弱 市直
    县直 所有 城里 城区 乡下 村里 镇上 县里 市里 老旧 新建 安置 拆迁 商品房 高档"""
)
_DETERMINER_CHARS = frozenset("各该每某此这那本")
# Dictionary words that are generic alone but end real names after a prefix: 青+山镇, 石+山村.
_BARE_ONLY = frozenset({"山镇", "山村", "新村", "城镇", "山乡", "古镇", "小镇", "中心小学", "中心学校", "中心幼儿园"})
_RIGHT_STOP_CHARS = frozenset("的了和与及等、，,。；;:：!！?？ 　()（）《》\"'“”里家去来看")
# After a one-character stem the suffix is a title or a word, not a name: 吴镇长, 村民, 县领导.
_TITLE_AFTER = tuple(_words("长 党委 政府 领导 干部 主任 书记 级 委 两委 民 里 道 集体 医 务"))
# Words that end in a suffix but name no particular place.
_NOT_PLACES = _words(
    """农村 乡村 城乡 乡镇 村镇 村村 本村 该村 全村 各村 邻村 同村 外村 进村 驻村 整村 山村 渔村 新村 小村 大村
    示范村 贫困村 行政村 中心村 自然村 重点村 度假村 地球村 文化村 民俗村 荒村 一村 家村 野村 村民 村集体 社区 小区
    园区 校区 景区 山区 牧区 城区 辖区 县区 市区 全县 本县 该县 各县 邻县 全区 本区 该区 各区 全镇 本镇 该镇 各镇
    我镇 城镇 小镇 古镇 重镇 中心镇 小城镇 山镇 集镇 坐镇 冰镇 建制镇 市镇 镇里 村里 乡里 县里 区里 下乡 老乡 家乡
    故乡 同乡 返乡 回乡 全乡 本乡 各乡 民族乡 水乡 侨乡 异乡 外乡 清乡 梦乡 思乡 县乡 镇乡 山乡 四乡 学校 小学 中学
    大学 学院 中小学 大中小学 公司 集团 工厂 厂 食品 科技 实业 商贸 超市 酒店 卫生院 卫生室 医院 敬老院 养老院 福利院
    幼儿园 村委 村委会 地区 片区 选区 专区 老区 新区 灾区 矿区 功能区 开发区 工业园区 示范区 镇党委 镇政府 乡政府
    县政府 区政府 中心 服务中心 活动中心 管理中心 指挥中心 市中心 城中心 党群服务中心 便民服务中心 文明实践中心
    新时代文明实践中心 当局 格局 大局 结局 全局 政局 开局 布局 僵局 平局 棋局 时局 定局 分局 总局 邮局 该局 各局
    本局 局 民办 公办 经办 大办 领办 村办 厂办 街办 社办 办 合作社 专业合作社 分公司 子公司 总公司 有限公司 股份公司
    加工厂 总厂 分厂 中心小学 中心校 完小 村小 县城 市县"""
)
_GENERIC_ENDINGS = (
    "贫困村",
    "示范村",
    "行政村",
    "中心村",
    "重点村",
    "薄弱村",
    "空壳村",
    "自然村",
    "试点村",
    "样板村",
    "先进村",
    "后进村",
    "涣散村",
    "脱贫村",
    "帮扶村",
    "结对村",
    "包联村",
    "联系村",
    "非贫困村",
    "美丽乡村",
    "乡镇",
    "落后地区",
    "贫困地区",
    "偏远地区",
    "发达地区",
    "新农村",
    "示范社区",
    "服务中心",
    "活动中心",
    "各村",
    "全村",
    "本村",
)
_GENERIC_STEMS = _words("全 本 该 各 邻 每 此 这 那 其 外 同 我 你 他 贵 某 两 几 多 一 整 驻 进 到 在")
_RE_CJK = re.compile(r"[\u3400-\u9fff]")
MAX_TEXT_CHARS = 2000  # the part of a message analysed (as capture does)


@dataclass(frozen=True, slots=True)
class KnownPlace:
    name: str  # the full name: 石桥村, 青山食品有限公司, 县农业农村局
    type: str  # one of PLACE_TYPES
    aliases: tuple[str, ...] = ()  # short forms: 青山食品, 石桥
    source: str = "learned"  # learned | imported


@dataclass(frozen=True, slots=True)
class _Candidate:
    name: str
    type: str
    start: int
    end: int
    clean: bool  # safe to keep when seen in one message only


@dataclass(frozen=True, slots=True)
class _Unit:
    word: str
    start: int
    tag: str  # jieba's dictionary tag; "" for a word or character jieba guessed

    @property
    def end(self) -> int:
        return self.start + len(self.word)


def _is_cjk(char: str) -> bool:
    return bool(_RE_CJK.match(char))


def _family(kind: str) -> str:
    return _FAMILY.get(kind, kind)


# jieba cuts each run of these characters apart from the rest of the text (its re_han_default): a run's words do
# not depend on its neighbours.
_RE_JIEBA_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")
# Chinese characters jieba does not put in a run: a name could reach across them from one run into the next.
_RE_CJK_OUTSIDE_BLOCKS = re.compile(r"[\u3400-\u4DFF\u9FD6-\u9FFF]")


def _units(text: str) -> list[_Unit]:
    """jieba's words; a word jieba guessed (not in its dictionary) is split into characters, since its edges
    are often wrong (村到, 转镇).

    Only the runs jieba cuts apart that hold a place suffix are segmented (the costly part): a name is read
    leftwards from its suffix and stops at the first unit that is not all Chinese, so it never leaves its run.
    What lies between two runs holds no Chinese character (else the whole text is segmented) and stays one
    unit: it stops a name as jieba's characters there would."""
    if _RE_CJK_OUTSIDE_BLOCKS.search(text):
        return _word_units(text, 0)
    units: list[_Unit] = []
    position = 0
    for block in _RE_JIEBA_BLOCK.finditer(text):
        if block.start() > position:
            units.append(_Unit(text[position : block.start()], position, ""))
        if _RE_SUFFIX.search(block.group(0)):
            units.extend(_word_units(block.group(0), block.start()))
        position = block.end()
    if position < len(text):
        units.append(_Unit(text[position:], position, ""))
    return units


def _word_units(text: str, offset: int) -> list[_Unit]:
    units: list[_Unit] = []
    for word, start, tag in word_spans(text):
        if tag or len(word) == 1 or word in _LEADING_WORDS or word in _ROLE_WORDS:
            units.append(_Unit(word, offset + start, tag))
        else:
            units.extend(_Unit(char, offset + start + i, "") for i, char in enumerate(word))
    return units


_RE_ORDINAL = re.compile(r"第[一二三四五六七八九十]{1,3}")
_SCHOOL_WORDS = frozenset({"实验", "民族", "职业", "附属", "育才", "希望", "寄宿制", "九年一贯制", "初级", "高级"})
_CN_ORDINAL = "一二三四五六七八九十"
_TRADE_WORDS = frozenset({"开发", "制造", "发展", "建设", "实业", "投资", "服务", "加工", "贸易", "种植", "养殖", "生产", "经营"})


_SCHOOL_LIKE = ("教育中心", "职教中心", "职业学校", "技工学校", "技校")
_RE_FIRM = re.compile(
    r"^(?:.{1,4}?(?:省|市|县|区|镇|乡))?(?P<stem>.{2,6}?)(?P<trade>制造|科技|实业|发展|开发|股份)?"
    r"(?:有限责任公司|股份有限公司|有限公司|公司)$"
)


def firm_short_forms(name: str) -> tuple[str, ...]:
    """How people name a firm: 安平县宏远机械制造有限公司 -> 宏远机械制造, 宏远机械; 秦川农业开发有限公司 -> 秦川农业."""
    m = _RE_FIRM.match(name)
    if not m:
        return ()
    stem, trade = m.group("stem"), m.group("trade") or ""
    forms = [stem + trade, stem] if trade else [stem]
    # the brand alone (宏远, 青禾) when the stem is a brand and an industry: 宏远机械 -> 宏远
    brand = re.match(r"^([\u4e00-\u9fff]{2})(?:机械|食品|农业|茶业|科技|建筑|电子|化工|纺织|服装|建材|矿业|能源|物流)", stem)
    if brand and name.startswith(brand.group(1)):
        brand = None  # only a registered name that starts with its county (安平县宏远…) lends its brand alone
    if brand:
        forms.append(brand.group(1))
    return tuple(f for f in forms if (len(f) >= 4 or (brand and f == brand.group(1))) and f != name)


def school_short_forms(name: str) -> tuple[str, ...]:
    """The forms a county's people use for its numbered schools: 城关镇第二小学 -> 城关二小, 安平县第一中学 -> 县一中,
    安平一中; 安平县实验小学 -> 实验小学, 县实验小学."""
    m = re.fullmatch(r"(.{1,6}?)(县|市|区|镇|乡)第([一二三四五六七八九十]{1,2})(小学|中学)", name)
    if m:
        place, level, number, kind = m.groups()
        short = number + kind[0]
        forms = [place + short, place + level + short]
        if level in ("县", "市", "区"):
            forms.append(level + short)
        return tuple(forms)
    m = re.fullmatch(r"(.{1,6}?)(县|市|区)(实验(?:小学|中学))", name)
    if m:
        return (m.group(3), m.group(2) + m.group(3), m.group(1) + m.group(3))
    return ()


def _is_stop(unit: _Unit, kind: str) -> bool:
    """A word that cannot be part of a name: punctuation, digits, a verb, a particle, a pronoun, a person …"""
    if not all(_is_cjk(c) for c in unit.word):
        return True  # punctuation, digits, Latin letters, emoji
    if kind == "school" and (_RE_ORDINAL.fullmatch(unit.word) or unit.word in _SCHOOL_WORDS):
        return False  # 城关镇第二小学, 安平县实验小学: a school's number or kind is part of its name
    if kind in ("enterprise", "cooperative") and unit.word in _TRADE_WORDS:
        return False  # 秦川农业开发有限公司: the trade is part of a firm's name
    if unit.word in _STOP_CHARS or unit.word in _ROLE_WORDS or unit.word in _LEADING_WORDS:
        return True
    if unit.tag == "vn" and kind != "agency":
        return True  # 研究东坪村, 服务社区; an agency may hold one (政务服务中心)
    return unit.tag in _STOP_TAGS


def _is_leading(unit: _Unit) -> bool:
    return unit.word in _LEADING_WORDS or unit.tag.startswith("v")


def _has_proper(units: list[_Unit]) -> bool:
    """A proper-noun word among the units, or two characters jieba did not know (住建局, 东坪村)."""
    guessed = sum(len(u.word) for u in units if u.tag == "")
    return guessed >= 2 or any(u.tag in _PROPER_TAGS and u.tag != "" for u in units)


def _holder_allowed(holder: _Unit, kind: str) -> bool:
    """Whether a dictionary word ending in the suffix can end a name: 塘村, 山镇, 胜利村, 扶贫办 yes; 农村,
    全镇, 下乡, 举办 no (a bare 山镇 is refused later, as a name)."""
    if (holder.word in _NOT_PLACES and holder.word not in _BARE_ONLY) or holder.word.endswith(_GENERIC_ENDINGS):
        return False
    if holder.word[0] in _DETERMINER_CHARS:
        return False  # 各乡镇, 该村, 本镇
    if holder.tag in _PROPER_TAGS:
        return True
    if holder.tag == "i" and len(holder.word) > 3:
        return False  # 不顾大局, 鱼米之乡
    if holder.tag == "n":
        return True
    # 加工厂, 扶贫办: an organisation's kind, named by what stands before it
    organisation = kind in ("enterprise", "cooperative", "school", "institution", "agency")
    return organisation and holder.tag in ("nt", "j", "l", "i")


def _other_body(unit: _Unit, kind: str) -> bool:
    """An organisation's name ends before a village's begins: 县财政局催拨东坪村 names no 局…村."""
    return kind in _CONTAINERS and len(unit.word) > 1 and unit.word.endswith(_ORGANISATION_SUFFIXES)


def _verb_name(units: list[_Unit], first: int) -> list[_Unit]:
    """A name that is one verb or adjective (前进社区, 胜利村), right after a word that leads to a place."""
    if first < 1:
        return []
    unit = units[first - 1]
    if len(unit.word) < 2 or not unit.tag.startswith(("v", "a")) or not all(_is_cjk(c) for c in unit.word):
        return []
    before = units[first - 2] if first >= 2 else None
    return [unit] if before is not None and before.word in _LEADERS else []


_VERB_NAMED = frozenset({"village", "community", "town", "school"})


def _qualifier_only(prefix: str) -> bool:
    """A left part that only says where (县, 青山镇): 县农业农村局 is the full name of 农业农村局."""
    return prefix in _ADMIN_PREFIXES or prefix.endswith(("县", "市", "区", "省", "州", "镇", "乡"))


def _candidate(text: str, units: list[_Unit], index: dict[int, int], m: re.Match[str]) -> _Candidate | None:
    """The name ending in the suffix `m`, or None when the suffix is part of an ordinary word."""
    suffix, s, e = m.group(0), m.start(), m.end()
    kind, strong = _SUFFIX_INFO[suffix]
    holder = units[index[e - 1]]
    heading = holder.end != e
    if heading and not (holder.start == s and holder.word in _HEAD_WORDS):
        return None  # 镇长, 乡村振兴, 厂房, 局面: the suffix is inside a longer word
    first = index[s]
    head = units[first]
    stem_units: list[_Unit] = []
    if head.start < s:  # a dictionary word holding the suffix: 塘村, 山镇, 农村, 扶贫办, 芗城区
        if head is not holder or not _holder_allowed(holder, kind):
            return None
        stem_units.append(_Unit(holder.word[: s - holder.start], holder.start, holder.tag))
    levels = _LEVEL_ENDINGS[kind]
    length = len(stem_units[0].word) if stem_units else 0
    bounded = True
    position = first - 1
    registered = suffix in ("有限公司", "有限责任公司", "股份有限公司")
    while position >= 0:
        unit = units[position]
        if registered and unit.word.endswith(("县", "市", "区")) and unit.tag in _PROPER_TAGS and len(unit.word) >= 2:
            stem_units.insert(0, unit)  # 安平县宏远机械制造有限公司: a registered name holds its county
            length += len(unit.word)
            break
        if _is_stop(unit, kind) or (levels and unit.word.endswith(levels)) or _other_body(unit, kind):
            break
        if length + len(unit.word) > MAX_STEM:
            bounded = False
            break
        stem_units.insert(0, unit)
        length += len(unit.word)
        position -= 1
    trimmed = False
    while len(stem_units) > 1 and _is_leading(stem_units[0]):
        stem_units.pop(0)  # 研究东坪村 → 东坪村
        trimmed = True
    if not stem_units and strong and not heading and kind in _VERB_NAMED:
        stem_units, trimmed = _verb_name(units, first), True
    if heading and (trimmed or not _has_proper(stem_units)):
        return None  # 全体村民, 广大村民: no name before the word
    stem = "".join(u.word for u in stem_units)
    name = stem + suffix
    if stem.endswith(suffix) and suffix not in _VILLAGE_OFFICE:
        return None  # 东坪村村民: the village was read already
    if not stem or not _RE_CJK.search(stem) or stem in _GENERIC_STEMS or stem_units[0].word in _GENERIC_STEMS:
        return None
    if name in _NOT_PLACES or name.endswith(_GENERIC_ENDINGS):
        return None
    if kind not in ("town", "county") and stem_units[0].word in _HOST_WORDS:
        return None  # 镇信访办, 镇卫生院, 村卫生室: the host's own body
    if (len(stem) == 1 or trimmed) and text.startswith(_TITLE_AFTER, e):
        return None  # 吴镇长, 刘县长
    if len(name) < 3 and kind != "town":
        return None
    if not strong and not (_has_proper(stem_units) or stem.startswith(_ADMIN_PREFIXES)):
        return None  # 绿色食品, 服务中心, 兄弟县: a kind of thing, not a name
    if suffix == "办" and not stem.startswith(_ADMIN_PREFIXES):
        return None  # 交必办, 越办越实: 办 names an office only as 县扶贫办, 综治办
    if stem.startswith(tuple(_GENERIC_FIRST)) or stem[0] in _DETERMINER_CHARS:
        return None
    if suffix in _VILLAGE_OFFICE:
        name = stem if stem.endswith("村") else stem + "村"
        kind = "village"
    # Safe to keep when seen once: nothing cut off, no verb taken for a name, a proper noun in it (a 茶叶合作社
    # or a 原林果公司 needs a second message).
    clean = bounded and not trimmed and (_has_proper(stem_units) or (registered and len(stem) >= 4))
    return _Candidate(name, kind, stem_units[0].start, e, clean)


def _candidates(text: str) -> list[_Candidate]:
    """Every name in a simplified text, in order, a short form next to its full name left as found."""
    if not _RE_SUFFIX.search(text):
        return []
    units = _units(text)
    starts = [unit.start for unit in units]
    found: list[_Candidate] = []
    for m in _RE_SUFFIX.finditer(text):
        # the units holding the suffix's first and last characters (a suffix lies in a segmented run)
        index = {at: bisect.bisect_right(starts, at) - 1 for at in (m.start(), m.end() - 1)}
        candidate = _candidate(text, units, index, m)
        if candidate is not None:
            found.append(candidate)
    # 青山食品 inside 青山食品有限公司 (one name read twice), but 石桥村 inside 石桥村合作社 is a place of its own.
    return [
        c
        for c in found
        if not any(
            o is not c
            and o.start <= c.start
            and o.end >= c.end
            and (o.start, o.end) != (c.start, c.end)
            and (_family(o.type) == _family(c.type) or c.type not in _CONTAINERS)
            for o in found
        )
    ]


class Gazetteer:
    """Known places, found in texts by their full or short names."""

    def __init__(self, places: Iterable[KnownPlace]) -> None:
        merged: dict[str, KnownPlace] = {}
        for place in places:
            name = place.name.strip()
            if not name:
                continue
            known = merged.get(name)
            if known is None:
                merged[name] = KnownPlace(name, place.type, tuple(dict.fromkeys(place.aliases)), place.source)
            else:  # the same name twice: one place, with the short forms of both
                aliases = tuple(dict.fromkeys((*known.aliases, *place.aliases)))
                merged[name] = KnownPlace(name, known.type, aliases, known.source)
        self._places = list(merged.values())
        self._by_key: dict[str, KnownPlace] = {p.name: p for p in self._places}
        claimed: dict[str, set[str]] = {}
        for place in self._places:
            for alias in place.aliases:
                if alias and alias not in self._by_key:
                    claimed.setdefault(alias, set()).add(place.name)
        for alias, owners in claimed.items():
            if len(owners) == 1:  # a short form two places share names neither
                self._by_key[alias] = merged[next(iter(owners))]
        keys = sorted(self._by_key, key=lambda k: (-len(k), k))
        self._pattern = re.compile("|".join(re.escape(k) for k in keys)) if keys else None
        # For a key that fails its boundary check, the shorter keys it starts with, longest first.
        self._shorter = {k: [k[:n] for n in range(len(k) - 1, 0, -1) if k[:n] in self._by_key] for k in keys}

    def __iter__(self) -> Iterator[KnownPlace]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)

    def villages(self) -> list[KnownPlace]:
        """The villages, in the order they were given."""
        return [p for p in self._places if p.type == "village"]

    def resolve(self, name: str) -> KnownPlace | None:
        """Return the place a full or short name stands for (石桥村委会 → 石桥村), or None."""
        cleaned = name.strip()
        if cleaned in self._by_key:
            return self._by_key[cleaned]
        for office in _VILLAGE_OFFICE:
            if cleaned.endswith(office) and len(cleaned) > len(office):
                stem = cleaned[: -len(office)]
                return self._by_key.get(stem if stem.endswith("村") else stem + "村")
        return None

    def find(self, text: str) -> list[KnownPlace]:
        """Return the places named in a simplified text, canonical, in order of first mention, each once."""
        if self._pattern is None or not text:
            return []
        found: dict[str, KnownPlace] = {}
        bounds: set[int] | None = None
        last_end = -1
        position = 0
        while (m := self._pattern.search(text, position)) is not None:
            start = m.start()
            accepted = None
            for key in (m.group(0), *self._shorter[m.group(0)]):
                end = start + len(key)
                left = start == last_end or _plain_edge(text, start - 1, _STOP_CHARS)
                right = _full_name(key) or (
                    _plain_edge(text, end, _RIGHT_STOP_CHARS) and not _starts_with_suffix(text, end)
                )
                if not (left and right):
                    if bounds is None:
                        bounds = {s for _, s, _ in word_spans(text)} | {len(text)}
                    left = left or start in bounds
                    right = right or (end in bounds and not _starts_with_suffix(text, end))
                if left and right:
                    accepted = key
                    break
            if accepted is None:
                position = start + 1
                continue
            for key in reversed(self._shorter[accepted]):  # 石桥村 named inside 石桥村合作社
                inner = self._by_key[key]
                if inner.type in _CONTAINERS and inner.name != self._by_key[accepted].name and _full_name(key):
                    found.setdefault(inner.name, inner)
            place = self._by_key[accepted]
            found.setdefault(place.name, place)
            last_end = position = start + len(accepted)
        return list(found.values())


def _plain_edge(text: str, at: int, stops: frozenset[str]) -> bool:
    """Whether the character at `at` cannot continue a word: outside the text, not Chinese, or a stop."""
    return at < 0 or at >= len(text) or not _is_cjk(text[at]) or text[at] in stops


def _full_name(key: str) -> bool:
    """A name that ends in its own suffix ends there (石桥村 in 石桥村里); a short form may not (石桥头)."""
    return len(key) >= 3 and key.endswith(tuple(_SUFFIX_INFO))


def _starts_with_suffix(text: str, at: int) -> bool:
    """A short form followed by a suffix is another place: 石桥 in 石桥镇."""
    return bool(_RE_SUFFIX.match(text, at))


_BUSINESS_SUFFIXES = ("专业合作社", "合作社", "有限责任公司", "股份有限公司", "有限公司", "公司", "厂")


def _business_short(short: str, full: str) -> bool:
    """绿源合作社 for 绿源茶叶专业合作社, 青禾公司 for 青禾食品有限公司: the same firm's name with its trade words left out."""
    suffix = next((x for x in _BUSINESS_SUFFIXES if short.endswith(x)), None)
    if suffix is None or len(short) - len(suffix) < 2:
        return False
    stem = short[: -len(suffix)]
    full_suffix = next((x for x in _BUSINESS_SUFFIXES if full.endswith(x)), None)
    same_kind = full_suffix is not None and (full_suffix.endswith(suffix) or suffix.endswith("公司") == full_suffix.endswith("公司"))
    return same_kind and full.startswith(stem) and len(full) > len(short)


# Standard abbreviations inside organisations' names: 县职教中心 is 县职业技术教育中心.
_ABBREVIATIONS = (("职教", "职业技术教育"), ("农发", "农业发展"), ("住建", "住房和城乡建设"), ("人社", "人力资源和社会保障"))


def _expanded(name: str) -> str:
    for short, full in _ABBREVIATIONS:
        name = name.replace(short, full)
    return name


def _abbreviation_of(expanded: str, full: str) -> bool:
    body = expanded.lstrip("县市区乡镇")
    return body in full and (full.startswith(body) or _qualifier_only(full[: full.index(body)]))


def _short_form_of(short: str, kind: str, places: Sequence[KnownPlace]) -> KnownPlace | None:
    """The one place of the same kind whose full name starts with `short`, or holds it after a part that only
    says where (县农业农村局 for 农业农村局); None when there is none or more than one."""
    owners = [
        p
        for p in places
        if p.name != short
        and _family(p.type) == _family(kind)
        and (
            p.name.startswith(short)
            or (short in p.name and _qualifier_only(p.name[: p.name.index(short)]))
            or (kind in ("enterprise", "cooperative") and _business_short(short, p.name))
            or (_expanded(short) != short and _abbreviation_of(_expanded(short), p.name))
        )
    ]
    return owners[0] if len(owners) == 1 else None


def _merge(imported: Sequence[KnownPlace], learned: Sequence[KnownPlace]) -> list[KnownPlace]:
    """Imported places first, with the learned short forms of their names; then the learned ones left."""
    known = Gazetteer(imported)
    keys = {k for p in known for k in (p.name, *p.aliases)}
    extra: dict[str, list[str]] = {}
    rest: list[KnownPlace] = []
    for place in learned:
        if place.name in keys:
            continue
        owner = _short_form_of(place.name, place.type, list(known))
        if owner is not None:
            extra.setdefault(owner.name, []).append(place.name)
        else:
            rest.append(place)
    own: dict[str, list[str]] = {}
    kept: list[KnownPlace] = []
    for place in rest:
        owner = _short_form_of(place.name, place.type, rest)
        if owner is not None and _short_form_of(owner.name, owner.type, rest) is None:
            own.setdefault(owner.name, []).append(place.name)
        else:
            kept.append(place)
    merged = [KnownPlace(p.name, p.type, (*p.aliases, *extra.get(p.name, ())), p.source) for p in known]
    merged += [KnownPlace(p.name, p.type, (*p.aliases, *own.get(p.name, ())), p.source) for p in kept]
    return merged


def names_in(text: str) -> list[KnownPlace]:
    """Return the places one simplified text names, in order of first mention, short forms resolved."""
    candidates = _candidates(text[:MAX_TEXT_CHARS])
    gazetteer = Gazetteer(_merge((), list({c.name: KnownPlace(c.name, c.type) for c in candidates}.values())))
    found: dict[str, KnownPlace] = {}
    for candidate in candidates:
        place = gazetteer.resolve(candidate.name)
        if place is not None:
            found.setdefault(place.name, place)
    return list(found.values())


def learn(texts: Iterable[str], imported: Iterable[KnownPlace] = ()) -> Gazetteer:
    """Build a cadre's gazetteer from his messages (any script) and the imported list, which wins.

    A name seen in two messages is kept; one seen once only when it holds a proper noun and nothing had to be
    cut off its left end or guessed (a 茶叶合作社, a 前进社区 seen once are not kept)."""
    seen: Counter[str] = Counter()
    first: dict[str, _Candidate] = {}
    clean: set[str] = set()
    for text in texts:
        names: set[str] = set()
        for candidate in _candidates(simplify(text[:MAX_TEXT_CHARS])):
            first.setdefault(candidate.name, candidate)
            names.add(candidate.name)
            if candidate.clean:
                clean.add(candidate.name)
        seen.update(names)
    learned = [KnownPlace(c.name, c.type) for name, c in first.items() if seen[name] >= 2 or name in clean]
    known = list(Gazetteer(imported))
    return Gazetteer(_town_schools(_fold_homophones(_merge(known, _drop_joined(learned, known)), seen)))


_CONJUNCTIONS = "和与跟同及"
_BODY_ENDINGS = ("局", "委", "办", "村", "镇", "乡", "社区", "公司", "学校", "小学", "中学", "合作社", "厂", "中心", "站", "所")


def _drop_joined(places: list[KnownPlace], known: Sequence[KnownPlace] = ()) -> list[KnownPlace]:
    """Two names read as one are none: 和县水利局 (和 + 县水利局), 县交通运输局和县水利局, 县交通运输局和县."""
    names = {k for p in (*places, *known) for k in (p.name, *p.aliases)}

    def joined(name: str) -> bool:
        if name[0] in _CONJUNCTIONS and name[1:] in names:
            return True
        if any(c in _CONJUNCTIONS and name[:i].endswith(_BODY_ENDINGS) for i, c in enumerate(name) if i >= 3):
            return True  # 县交通运输局和县水利局: a body's name, then 和
        return any(
            char in _CONJUNCTIONS and name[:i] in names and name[:i] != name for i, char in enumerate(name) if i >= 2
        )

    dropped = {p.name for p in places if p.source != "imported" and joined(p.name)}
    return [
        KnownPlace(p.name, p.type, tuple(a for a in p.aliases if a not in dropped), p.source)
        for p in places
        if p.name not in dropped
    ]


_RE_TOWN_SCHOOL = re.compile(r"^(.{1,6}?)(镇|乡)(中心(?:小学|学校|幼儿园))$")
_SCHOOL_SHORT = {"中心学校": "中心校", "中心小学": "中心校"}


def _town_schools(places: list[KnownPlace]) -> list[KnownPlace]:
    """A town has one 中心小学: 云溪镇中心小学 is also 中心小学 and 镇中心小学 in its cadre's messages."""
    taken = {k for p in places for k in (p.name, *p.aliases)}
    learned_schools = {p.name: p for p in places if p.type == "school" and p.source != "imported"}
    folded: set[str] = set()
    result = []
    for place in places:
        if place.type == "agency" and place.name.endswith(_SCHOOL_LIKE):
            place = KnownPlace(place.name, "school", place.aliases, place.source)  # 县职业技术教育中心 teaches
        if place.type == "enterprise":
            others = [p.name for p in places if p is not place]
            forms = tuple(
                f
                for f in firm_short_forms(place.name)
                if f not in taken and (len(f) > 2 or not any(o.startswith(f) for o in others))
            )
            if forms:
                place = KnownPlace(place.name, place.type, (*place.aliases, *forms), place.source)
                taken.update(forms)
        numbered = school_short_forms(place.name) if place.type == "school" else ()
        extra = tuple(f for f in numbered if f not in taken)
        if extra:
            place = KnownPlace(place.name, place.type, (*place.aliases, *extra), place.source)
            taken.update(extra)
        m = _RE_TOWN_SCHOOL.match(place.name) if place.type == "school" else None
        if m:
            school_forms = [m.group(3), m.group(2) + m.group(3), m.group(1) + m.group(3)]
            if m.group(3) in _SCHOOL_SHORT:  # 中心校, 马坊中心校
                school_forms += [
                    m.group(1) + _SCHOOL_SHORT[m.group(3)],
                    m.group(1) + m.group(2) + _SCHOOL_SHORT[m.group(3)],
                ]
            folded.update(f for f in school_forms if f in learned_schools and f != place.name)
            short = tuple(a for a in school_forms if a not in taken or a in folded)
            place = KnownPlace(place.name, place.type, (*place.aliases, *short), place.source)
            taken.update(short)
        result.append(place)
    return [p for p in result if p.name not in folded]


def _sound(name: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin  # its dictionary loads in 0.3 s: only when a gazetteer is built

    return tuple(lazy_pinyin(name))


def _fold_homophones(places: list[KnownPlace], seen: Counter[str]) -> list[KnownPlace]:
    """A learned name that sounds exactly like another place of the same type and is written less often is a
    typo of it (杨家平村 once, 杨家坪村 five times): kept as that place's alias, never as a place of its own.
    Names that differ in sound (东坪村, 西坪村) are never folded."""
    by_sound: dict[tuple[str, tuple[str, ...]], list[KnownPlace]] = {}
    for place in places:
        by_sound.setdefault((place.type, _sound(place.name)), []).append(place)
    typos: dict[str, list[str]] = {}
    dropped: set[str] = set()
    for group in by_sound.values():
        if len(group) < 2:
            continue
        # the imported name, else the one written most often, is the right spelling
        right = max(group, key=lambda p: (p.source == "imported", seen[p.name], -group.index(p)))
        for place in group:
            if place is right or place.source == "imported" or seen[place.name] * 2 > seen[right.name]:
                continue
            typos.setdefault(right.name, []).extend((place.name, *place.aliases))
            dropped.add(place.name)
    return [
        KnownPlace(p.name, p.type, (*p.aliases, *typos.get(p.name, ())), p.source) for p in places if p.name not in dropped
    ]


def mentions(gazetteer: Gazetteer, texts: Iterable[str]) -> Counter[str]:
    """How many of the texts (any script) name each place, by canonical name."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(p.name for p in gazetteer.find(simplify(text[:MAX_TEXT_CHARS])))
    return counts


def unvisited_villages(gazetteer: Gazetteer, texts: Iterable[str]) -> list[KnownPlace]:
    """The imported villages none of the texts names (by full or short name), in the imported order."""
    villages = [v for v in gazetteer.villages() if v.source == "imported"]
    if not villages:
        return []
    named = mentions(gazetteer, texts)
    return [v for v in villages if not named[v.name]]


# -- the organisation department's list -------------------------------------------------------------

MAX_TABLE_BYTES = 1_000_000
MAX_TABLE_ROWS = 2000
MAX_LINE_CHARS = 500
MAX_NAME_CHARS = 40
MAX_ALIASES = 10
_HEADER = {"名称": "name", "名字": "name", "地名": "name", "类型": "type", "简称": "aliases", "别名": "aliases"}
_RE_ALIAS_SPLIT = re.compile(r"[、;；,，/|]+")


@dataclass(frozen=True, slots=True)
class TableProblem:
    line: int  # 1-based line of the file; 0 for the whole file
    code: str  # encoding | header | empty | too_big | too_many | too_long | unreadable | empty_name |
    #            name_too_short | name_too_long | unknown_type | bad_alias | duplicate | alias_taken
    value: str = ""  # the offending cell, shortened
    other_line: int = 0  # the line it clashes with (duplicate, alias_taken)


@dataclass(frozen=True, slots=True)
class PlaceTableError(Exception):
    problems: tuple[TableProblem, ...] = field(default=())

    def __str__(self) -> str:
        return "; ".join(f"{p.line}:{p.code}:{p.value}" for p in self.problems)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # Excel's "Unicode text"
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # GBK, as Excel saves CSV on a Chinese Windows


def _cell(row: list[str], column: int | None) -> str:
    return clean_text(row[column]) if column is not None and column < len(row) else ""  # stored: cleaned as chat


def read_place_table(data: bytes) -> list[KnownPlace]:
    """Read the CSV a clerk saves from Excel (header 名称,类型,简称; UTF-8 with or without BOM, GBK, UTF-16);
    raise PlaceTableError listing every bad line, so that nothing is imported from a file with one."""
    if len(data) > MAX_TABLE_BYTES:
        raise PlaceTableError((TableProblem(0, "too_big", str(len(data))),))
    try:
        content = _decode(data)
    except UnicodeDecodeError as exc:
        raise PlaceTableError((TableProblem(0, "encoding", str(exc)[:60]),)) from exc
    lines = content.splitlines()
    if not any(line.strip() for line in lines):
        raise PlaceTableError((TableProblem(0, "empty"),))
    head_at = next(i for i, line in enumerate(lines) if line.strip())
    delimiter = "\t" if "\t" in lines[head_at] and "," not in lines[head_at] else ","
    problems: list[TableProblem] = []
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or number - 1 < head_at:
            continue
        if len(line) > MAX_LINE_CHARS:
            problems.append(TableProblem(number, "too_long", str(len(line))))
            continue
        if "\x00" in line:
            problems.append(TableProblem(number, "unreadable", line[:20]))
            continue
        try:
            cells = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
        except csv.Error as exc:
            problems.append(TableProblem(number, "unreadable", str(exc)[:40]))
            continue
        rows.append((number, cells))
    if not rows or rows[0][0] != head_at + 1:
        raise PlaceTableError((TableProblem(head_at + 1, "header", lines[head_at][:40]), *problems))
    header = [_HEADER.get(cell.strip().strip("\ufeff").replace(" ", "")) for cell in rows[0][1]]
    if "name" not in header or "type" not in header:
        raise PlaceTableError((TableProblem(head_at + 1, "header", lines[head_at][:40]), *problems))
    column = {key: header.index(key) for key in ("name", "type", "aliases") if key in header}
    body = rows[1:]
    if not body and not problems:
        raise PlaceTableError((TableProblem(0, "empty"),))
    if len(body) > MAX_TABLE_ROWS:
        raise PlaceTableError((TableProblem(0, "too_many", str(len(body))),))
    places: list[tuple[int, KnownPlace]] = []
    lines_by_key: dict[str, int] = {}
    for number, cells in body:
        name = simplify("".join(_cell(cells, column["name"]).split()))
        kind_word = _cell(cells, column["type"]).replace(" ", "")
        if not name:
            problems.append(TableProblem(number, "empty_name"))
            continue
        if len(name) > MAX_NAME_CHARS:
            problems.append(TableProblem(number, "name_too_long", name[:20]))
            continue
        if len(name) < 2:
            problems.append(TableProblem(number, "name_too_short", name))
            continue
        kind = TYPE_WORDS.get(kind_word) or TYPE_WORDS.get(kind_word.lower())
        if kind is None:
            problems.append(TableProblem(number, "unknown_type", kind_word[:20]))
            continue
        raw_aliases = [simplify(a.strip()) for a in _RE_ALIAS_SPLIT.split(_cell(cells, column.get("aliases")))]
        aliases = tuple(dict.fromkeys(a for a in raw_aliases if a and a != name))
        bad = [a for a in aliases if len(a) < 2 or len(a) > MAX_NAME_CHARS or not _RE_CJK.search(a)]
        if bad or len(aliases) > MAX_ALIASES:
            problems.append(TableProblem(number, "bad_alias", (bad[0] if bad else str(len(aliases)))[:20]))
            continue
        if name in lines_by_key:
            problems.append(TableProblem(number, "duplicate", name, lines_by_key[name]))
            continue
        taken = next((a for a in aliases if a in lines_by_key), None)
        if taken is not None:
            problems.append(TableProblem(number, "alias_taken", taken, lines_by_key[taken]))
            continue
        for key in (name, *aliases):
            lines_by_key[key] = number
        places.append((number, KnownPlace(name, kind, aliases, "imported")))
    if problems:
        raise PlaceTableError(tuple(sorted(problems, key=lambda p: p.line)))
    return [place for _, place in places]
