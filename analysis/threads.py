"""Project threads: the entries about one project linked in date order, with the state the cadre's words give.

A thread is named by the cadre (…项目, …工程) or is the same place and object over several entries (石桥村 + 打井).
Its state follows his words: 反映 → 勘察 → 立项 → 资金 → 开工 → 完成/出水/投用.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("raised", ("反映", "提出", "诉求", "希望", "盼望", "困难", "难题")),
    ("surveyed", ("勘察", "勘测", "选址", "测量", "踏勘", "实地查看", "现场查看", "设计", "论证", "方案", "鉴定")),
    ("approved", ("立项", "审批", "批复", "申报", "评审", "招标", "备案", "获批", "列入", "纳入", "签订", "签约", "签了", "签署")),
    ("funded", ("资金到位", "争取", "拨付", "补助资金", "到位", "下达")),
    ("started", ("开工", "进场", "施工", "动工", "开挖", "钻井", "铺设", "进尺", "浇筑")),
    ("done", ("完成", "竣工", "建成", "出水", "通水", "投用", "投产", "验收", "通车", "交付", "完工", "吃上", "用上", "亮灯")),
)
STAGE_ORDER = {name: index for index, (name, _) in enumerate(STAGES)}
OBJECTS = (
    "打井", "饮水", "自来水", "供水", "管网", "水窖", "蓄水池", "机井", "通水", "道路", "村道", "通组路", "产业路", "硬化", "桥梁",
    "便桥", "水渠", "渠道", "大棚", "厂房", "光伏", "冷库", "烘干房", "加工车间", "污水", "厕所", "路灯", "活动室", "卫生室",
    "文化广场", "危房", "堤坝", "河道", "食堂", "教学楼", "宿舍楼", "操场", "校舍",
)
# Objects that are one kind of work: a message about 自来水 follows the 饮水工程, one about 硬化 the 通组路.
FAMILIES: tuple[tuple[str, ...], ...] = (
    ("打井", "饮水", "自来水", "供水", "管网", "水窖", "蓄水池", "机井", "通水", "吃水"),
    ("道路", "村道", "通组路", "产业路", "硬化", "路基"),
    ("桥梁", "便桥"),
    ("水渠", "渠道"),
    ("冷库",),
    ("烘干房", "烘干机"),
    ("加工车间",),
    ("路灯",),
    ("食堂",),
    ("教学楼",),
    ("宿舍楼",),
    ("操场", "跑道"),
)


def family_of(text: str) -> int | None:
    """The family of objects a name belongs to, by the first of its words found."""
    for index, words in enumerate(FAMILIES):
        if any(w in text for w in words):
            return index
    return None
_RE_NAMED = re.compile(r"([\u4e00-\u9fff]{2,14}?(?:项目|工程))")
_LEADING_VERBS = re.compile(
    r"^(?:推进|协调|跟进|督导|督促|查看|考察|对接|参加|召开|研究|了解|检查|调度|启动|实施|开展|争取|落实|谋划|申报|"
    r"陪同|组织|完成|整理|写了|撰写|起草|上报|汇报|报送|报|写|到|去|在|就|把|将|为|和|与|跟|的|了)+"
)


@dataclass(frozen=True, slots=True)
class Mention:
    seq: int
    date: dt.date
    text: str
    places: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Step:
    seq: int
    date: dt.date
    stage: str | None  # the furthest stage this entry's words reach, or None
    text: str


@dataclass(frozen=True, slots=True)
class Thread:
    name: str  # 石桥村打井项目, or place + object: 石桥村打井
    place: str | None
    steps: tuple[Step, ...]  # in date order

    @property
    def state(self) -> str | None:
        """The furthest stage reached."""
        reached = [s.stage for s in self.steps if s.stage]
        return max(reached, key=STAGE_ORDER.__getitem__) if reached else None

    @property
    def done(self) -> bool:
        return self.state == "done"

    @property
    def seqs(self) -> tuple[int, ...]:
        return tuple(s.seq for s in self.steps)


_NOT_YET = ("预计", "计划", "争取", "尽快", "力争", "希望", "准备", "打算", "确保", "要求")


def _said_done(text: str, word: str) -> bool:
    """Whether `word` says the stage was reached: not 建成后 (after it is built), not 预计…完工 (expected)."""
    for m in re.finditer(re.escape(word), text):
        if text.startswith(("后", "以后", "之后"), m.end()):
            continue
        if text[max(0, m.start() - 2) : m.start()] in ("招标", "审批", "设计", "鉴定", "申报", "评审", "方案", "勘察"):
            continue  # 招标完成 finishes a step, not the project
        if text.startswith(("选址", "勘测", "勘察", "设计", "方案", "招标", "审批", "申报", "立项"), m.end()):
            continue  # 完成选址勘测: the same
        clause_start = max(text.rfind(c, 0, m.start()) for c in "，。；！？,;!?")
        if any(w in text[clause_start + 1 : m.start()] for w in _NOT_YET):
            continue
        return True
    return False


def stage_of(text: str) -> str | None:
    """The furthest stage a text's words reach."""
    found = None
    for name, words in STAGES:
        if any(w in text and _said_done(text, w) for w in words):
            found = name
    return found


def stage_word(text: str, stage: str) -> str | None:
    """The first word of `stage` the text says was reached (开工, 出水 …)."""
    words = dict(STAGES).get(stage, ())
    hits = [(text.find(w), w) for w in words if w in text and _said_done(text, w)]
    return min(hits)[1] if hits else None


_INNER_VERBS = ("考察", "接待", "陪同", "陪", "对接", "推进", "汇报", "调研", "督导", "检查", "参观", "写", "报")


def _named(text: str) -> list[str]:
    names = []
    for m in _RE_NAMED.finditer(text):
        name = _LEADING_VERBS.sub("", m.group(1)).lstrip("组号户")  # 7组8组饮水提升工程 -> 饮水提升工程
        name = re.sub(r"的(项目|工程)$", r"\1", name)  # 食堂改造的项目 -> 食堂改造项目
        cut = max((name.rfind(v) + len(v) for v in _INNER_VERBS if v in name[:-2]), default=0)
        name = name[cut:]  # 陪县领导接待客商考察职教园区项目 -> 职教园区项目
        if re.search(r"[和与及](?:项目|工程)$|分管|负责", name):
            continue  # 分管基础教育和项目建设: no project's name
        if len(name) >= 4 and name not in names:
            names.append(name)
    return names


def find_threads(mentions: Iterable[Mention], minimum: int = 2) -> list[Thread]:
    """Projects followed over at least `minimum` entries, in order of first mention."""
    ordered = sorted(mentions, key=lambda m: (m.date, m.seq))
    groups: dict[str, dict[int, Mention]] = {}
    places: dict[str, str | None] = {}
    bare: dict[str, dict[int, Mention]] = {}
    for mention in ordered:
        keys = _named(mention.text)
        if not keys:
            for place in mention.places:
                keys += [place + obj for obj in OBJECTS if obj in mention.text][:1]
        if not keys:  # 通组路开工了: the object without a place, placed once the threads are known
            for obj in OBJECTS:
                if obj in mention.text:
                    bare.setdefault(obj, {})[mention.seq] = mention
                    break
        for key in keys:
            # a named project absorbs the place + object thread it grew from (石桥村打井 → 石桥村打井项目)
            home = next((k for k in groups if key.startswith(k) or k.startswith(key)), key)
            if home != key and len(key) > len(home):
                groups[key] = groups.pop(home)
                places[key] = places.pop(home)
                home = key
            groups.setdefault(home, {})[mention.seq] = mention
            # the place a name holds (石门村饮水工程 -> 石门村), else the first place named with it
            inside = next((p for p in mention.places if p in home), None)
            if inside is not None:
                places[home] = inside
            else:
                places.setdefault(home, next((p for p in mention.places if p in mention.text), None))
    _merge_families(groups, places)
    _place_named(groups, places)
    for obj, items in bare.items():
        family = family_of(obj)
        homes = [
            k
            for k in groups
            if family is not None and family_of(k) == family and (len(groups[k]) >= 2 or k.endswith(("项目", "工程")))
        ]
        if len(homes) == 1:
            groups[homes[0]].update(items)
    threads = []
    for key, items in groups.items():
        if len(items) < minimum:
            continue
        ordered_items = sorted(items.values(), key=lambda m: (m.date, m.seq))
        steps = tuple(Step(m.seq, m.date, stage_of(m.text), m.text) for m in ordered_items)
        threads.append(Thread(key, places.get(key), steps))
    return threads


def _place_named(groups: dict[str, dict[int, Mention]], places: dict[str, str | None]) -> None:
    """A project named without its place (食堂改造项目) and the one thread of its kind at a place (马坊乡中心学校食堂)
    are one: it takes the place into its name (马坊乡中心学校食堂改造项目)."""
    for key in list(groups):
        if places.get(key) is not None or not key.endswith(("项目", "工程")):
            continue
        family = family_of(key)
        homes = [
            k
            for k in groups
            if k != key and places.get(k) is not None and family is not None and family_of(k) == family
            and len(groups[k]) >= 2
        ]
        if len(homes) != 1:
            continue
        home = homes[0]
        place = places[home] or ""
        bare = re.sub(r"^.{2,8}?(?:村|社区|中心校|学校|小学|中学|公司)(?=.{3})", "", key)  # 马坊中心校食堂… -> 食堂…
        name = key if key.startswith(place) else place + bare
        merged = {**groups.pop(home), **groups.pop(key)}
        places.pop(key, None)
        groups[name] = merged
        places[name] = places.pop(home) if home != name else place


def _merge_families(groups: dict[str, dict[int, Mention]], places: dict[str, str | None]) -> None:
    """One project read under two keys is one thread: 石门村打井 joins 石门村饮水工程 (the same place, the same kind
    of work); 青禾食品有限公司冷库 joins 梨园村冷库 (the same messages)."""
    for key in list(groups):
        if key not in groups:
            continue
        family = family_of(key)
        for other in list(groups):
            if other == key or other not in groups or key not in groups:
                continue
            mine, theirs = set(groups[key]), set(groups[other])
            same_place = places.get(key) is not None and places.get(key) == places.get(other)
            same_family = family is not None and family == family_of(other)
            named = other.endswith(("项目", "工程")) and not key.endswith(("项目", "工程"))
            if (same_place and same_family and named) or (theirs and mine <= theirs and len(mine) >= 1 and mine != theirs):
                groups[other].update(groups.pop(key))
                places.pop(key, None)
            elif mine == theirs and len(other) > len(key) and places.get(key) is not None:
                groups.pop(other)
                places.pop(other, None)


def thread_of(threads: Sequence[Thread], seq: int) -> Thread | None:
    """The thread an entry belongs to, if any."""
    return next((t for t in threads if seq in t.seqs), None)
