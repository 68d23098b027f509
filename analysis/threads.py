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
    ("surveyed", ("勘察", "勘测", "选址", "测量", "踏勘", "实地查看", "现场查看", "设计", "论证", "方案")),
    ("approved", ("立项", "审批", "批复", "申报", "评审", "招标", "备案", "获批")),
    ("funded", ("资金到位", "争取", "拨付", "补助资金", "到位", "下达")),
    ("started", ("开工", "进场", "施工", "动工", "开挖", "钻井", "铺设", "进尺", "浇筑")),
    ("done", ("完成", "竣工", "建成", "出水", "通水", "投用", "投产", "验收", "通车", "交付", "完工", "吃上", "用上", "亮灯")),
)
STAGE_ORDER = {name: index for index, (name, _) in enumerate(STAGES)}
OBJECTS = (
    "打井", "饮水", "自来水", "供水", "管网", "水窖", "道路", "村道", "通组路", "产业路", "硬化", "桥梁", "便桥", "水渠", "渠道",
    "大棚", "厂房", "光伏", "冷库", "污水", "厕所", "路灯", "活动室", "卫生室", "文化广场", "危房", "堤坝", "河道",
)
_RE_NAMED = re.compile(r"([\u4e00-\u9fff]{2,14}?(?:项目|工程))")
_LEADING_VERBS = re.compile(
    r"^(?:推进|协调|跟进|督导|督促|查看|考察|对接|参加|召开|研究|了解|检查|调度|启动|实施|开展|争取|落实|谋划|申报|"
    r"陪同|组织|完成|到|去|在|就|把|将|为|和|与|跟|的|了)+"
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


def stage_of(text: str) -> str | None:
    """The furthest stage a text's words reach."""
    found = None
    for name, words in STAGES:
        if any(w in text for w in words):
            found = name
    return found


def _named(text: str) -> list[str]:
    names = []
    for m in _RE_NAMED.finditer(text):
        name = _LEADING_VERBS.sub("", m.group(1))
        if len(name) >= 4 and name not in names:
            names.append(name)
    return names


def find_threads(mentions: Iterable[Mention], minimum: int = 2) -> list[Thread]:
    """Projects followed over at least `minimum` entries, in order of first mention."""
    ordered = sorted(mentions, key=lambda m: (m.date, m.seq))
    groups: dict[str, dict[int, Mention]] = {}
    places: dict[str, str | None] = {}
    for mention in ordered:
        keys = _named(mention.text)
        if not keys:
            for place in mention.places:
                keys += [place + obj for obj in OBJECTS if obj in mention.text][:1]
        for key in keys:
            # a named project absorbs the place + object thread it grew from (石桥村打井 → 石桥村打井项目)
            home = next((k for k in groups if key.startswith(k) or k.startswith(key)), key)
            if home != key and len(key) > len(home):
                groups[key] = groups.pop(home)
                places[key] = places.pop(home)
                home = key
            groups.setdefault(home, {})[mention.seq] = mention
            places.setdefault(home, next((p for p in mention.places if p in mention.text), None))
    threads = []
    for key, items in groups.items():
        if len(items) < minimum:
            continue
        ordered_items = sorted(items.values(), key=lambda m: (m.date, m.seq))
        steps = tuple(Step(m.seq, m.date, stage_of(m.text), m.text) for m in ordered_items)
        threads.append(Thread(key, places.get(key), steps))
    return threads


def thread_of(threads: Sequence[Thread], seq: int) -> Thread | None:
    """The thread an entry belongs to, if any."""
    return next((t for t in threads if seq in t.seqs), None)
