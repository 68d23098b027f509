"""Figures a report states, computed exactly from a cadre's entries (domain.md §4.2).

Pure: entities in, a frozen value out. Groundwork for the report issue: the draft's 基本情况 and the
sentence of figures under each heading are to be written from these numbers and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.facts import find_places
from analysis.quantities import Quantity, read_quantities
from analysis.roles import entry_role
from storage.entities import Entry, EntryBrief, Posting

VISITED_TYPES = ("village", "community", "enterprise", "cooperative", "school")
# Entries the cadre writes for a report's own sections (体会 / 不足 / 下一步): words, not work.


def role_of(entry: Entry | EntryBrief) -> str:
    """What an entry is for: leave/back, else the role stored at capture (or set by the cadre), else its words'."""
    if entry.kind in ("leave", "back"):
        return entry.kind
    stored = entry.details.get("role") if isinstance(entry.details, dict) else None
    return stored if isinstance(stored, str) else entry_role(entry.text)


def entry_places(entry: Entry) -> list[tuple[str, str]]:
    """(name, type) of the places an entry names, in order of first mention."""
    return list(_places_of(entry.text))


@lru_cache(maxsize=32768)  # a draft asks for an entry's places from several sections: segment each text once
def _places_of(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((p["name"], p["type"]) for p in find_places(text))


@dataclass(frozen=True, slots=True)
class ReportFigures:
    period_start: dt.date
    period_end: dt.date
    days_on_post: int  # calendar days of the posting inside the period
    leave_days: int  # calendar days of leave inside the period
    workdays_logged: int  # distinct work dates with a work entry (not leave or return)
    entries: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)  # main category of each work entry
    visits: int = 0
    visited: dict[str, tuple[str, ...]] = field(default_factory=dict)  # place type -> names, first visit first
    households_visited: int = 0
    meetings: int = 0
    petitions: int = 0  # cases (起, 件, 批 …) summed over the entries that state them
    petition_visitors: int = 0  # person-times (人次)
    study_sessions: int = 0
    reflections: int = 0  # study records that carry 心得体会
    study_notes: int = 0  # study records that mention notes taken
    materials: tuple[str, ...] = ()
    money_yuan: float = 0.0
    length_metres: float = 0.0

    @property
    def days_on_post_net(self) -> int:
        return max(0, self.days_on_post - self.leave_days)


def _overlap(start: dt.date, end: dt.date, period_start: dt.date, period_end: dt.date) -> int:
    first, last = max(start, period_start), min(end, period_end)
    return (last - first).days + 1 if last >= first else 0


def _leave_range(entry: Entry) -> tuple[dt.date, dt.date] | None:
    """The first and last day away: to the leave's end, or to the day before he returned, if earlier."""
    try:
        start = dt.date.fromisoformat(entry.details["from"])
        end = dt.date.fromisoformat(entry.details.get("to", entry.details["from"]))
        returned = entry.details.get("returned_on")
        if returned:
            end = min(end, dt.date.fromisoformat(returned) - dt.timedelta(days=1))
    except (KeyError, TypeError, ValueError):
        return None
    if returned and end < start:
        return None  # back before the leave began: no day away
    end = max(end, start)
    days = entry.details.get("days")
    if isinstance(days, int) and days > 0 and (end - start).days + 1 > days:
        # 请假1天…周一返岗: the weekend before the return is no leave
        end = start + dt.timedelta(days=days - 1)
    return start, end


def work_entries(entries: Iterable[Entry], start: dt.date, end: dt.date) -> list[Entry]:
    """The entries dated inside [start, end] that record work: no leave, no return, no own-words notes."""
    return [
        e for e in entries if start <= e.work_date <= end and e.kind not in ("leave", "back") and role_of(e) == "work"
    ]


def leave_dates(entries: Iterable[Entry], posting: Posting | None, start: dt.date, end: dt.date) -> set[dt.date]:
    """The calendar days inside [start, end] (and inside the posting) that active leave notes cover."""
    covered: set[dt.date] = set()
    for entry in entries:
        span = _leave_range(entry) if entry.kind == "leave" and entry.status == "active" else None
        if span is None:
            continue
        first, last = max(span[0], start), min(span[1], end)
        if posting is not None and posting.start_date is not None:
            # leave taken outside the posting does not reduce the days on post
            first, last = max(first, posting.start_date), min(last, posting.end_date or last)
        day = first
        while day <= last:
            covered.add(day)  # two leave notes for the same days count once
            day += dt.timedelta(days=1)
    return covered


def _sum(entries: Iterable[Entry], kind: str, roles: tuple[str, ...] = ("done",)) -> float:
    """The sum of one kind of quantity in one role (money secured, households visited …): never across roles."""
    return sum(q.value for e in entries for q in read_quantities(e.text) if q.kind == kind and q.role in roles)


_ARRIVAL_WORDS = ("到位", "拨付", "到账", "下拨", "拨到")
_TRANCHE_WORDS = ("第一批", "第二批", "第三批", "首批", "剩余", "余下", "第一笔", "第二笔", "全部", "尾款")
_CLAUSE_MARKS = "，,。；;！!？?\n"


def _clause_at(text: str, start: int) -> str:
    left = max((text.rfind(c, 0, start) for c in _CLAUSE_MARKS), default=-1)
    rights = [i for i in (text.find(c, start) for c in _CLAUSE_MARKS) if i >= 0]
    return text[left + 1 : min(rights) if rights else len(text)]


def funds_secured(
    entries: Iterable[Entry], located: Mapping[int, Sequence[tuple[str, str]]] | None = None
) -> list[tuple[Entry, Quantity]]:
    """Money secured, each sum once: an arrival (到位, 拨付) of money committed earlier for the same place is the
    same money ("补助资金38万元" in June, "第一笔20万元到位" in July), not more of it."""
    committed: set[str] = set()
    largest = 0.0  # the largest sum committed so far: a tranche (第一批, 剩余) of it is no new money
    kept: list[tuple[Entry, Quantity]] = []
    for entry in sorted(entries, key=lambda e: (e.work_date, e.seq)):
        names = {name for name, _ in (located[entry.seq] if located and entry.seq in located else entry_places(entry))}
        arrived_here = False
        for quantity in read_quantities(entry.text):
            if quantity.kind != "money" or quantity.role != "secured":
                continue
            clause = _clause_at(entry.text, quantity.start)
            arrival = any(w in clause for w in _ARRIVAL_WORDS)
            tranche = arrival and any(w in clause for w in _TRANCHE_WORDS) and quantity.value <= largest
            if arrival and (names & committed or arrived_here or tranche):
                continue
            kept.append((entry, quantity))
            arrived_here = arrived_here or arrival
            if not arrival:
                committed |= names
                largest = max(largest, quantity.value)
    return kept


def _is_petition(entry: Entry) -> bool:
    """Petition work: visitors counted here are petitioners, not trainees (两期共420人次)."""
    return "petition" in entry.categories or any(w in entry.text for w in ("来访", "信访", "上访", "接访"))


def is_organised_training(entry: Entry) -> bool:
    """A training he ran or taught, not one he attended: 第一期开班，我讲了第一课; 参训教师210人."""
    if "培训" not in entry.text or any(w in entry.text for w in ("参加", "听了", "听课", "学员")):
        return False
    return any(w in entry.text for w in ("参训", "我讲", "讲了", "授课", "开班", "结业", "请了", "组织"))


def is_reflection_essay(entry: Entry) -> bool:
    """A study record that is only an essay written (写了一篇心得体会《…》): a 篇 of 心得, not a study session."""
    text = entry.text
    studied = ("学习", "读了", "读书", "阅读", "研读", "学了", "自学", "培训", "通读", "精读")
    return bool(entry.details.get("reflection")) and not any(w in text for w in studied)


# The names of meetings, for counting them here and for naming them in the draft (reporting/compose.py).
MEETING_NOUNS = (
    "党委会", "党组会", "两委会", "碰头会", "例会", "座谈会", "大会", "工作会", "推进会", "调度会", "部署会", "办公会", "常务会",
    "联席会", "专题会", "动员会", "见面会", "家长会", "务会", "会议",
)
# a 招聘会 or a 培训会 is no meeting he sat in; 会议室 is a room
NOT_MEETING_BEFORE = r"(?<!招聘)(?<!推介)(?<!运动)(?<!展销)(?<!订货)(?<!庙)(?<!培训)"
_RE_MEETING = re.compile(rf"{NOT_MEETING_BEFORE}(?:{'|'.join(MEETING_NOUNS)}|开会|开了个会|开了会)(?!室)")
_TRAINING_DAYS = 7
_RE_WENT = re.compile(
    r"(?:到|去|赴|深入)[^，,。；;]{1,14}?(?:调研|考察|座谈|检查|看了|看|查看|走访|督导|指导|慰问|看望)"
    r"|^(?:调研|考察|走访|检查|督导)[^，,。；;]{2,14}"
)


_NOT_YET_WORDS = ("下周", "明天", "后天", "下月", "准备", "打算", "计划", "将去", "再去", "要去")


def _went(text: str) -> bool:
    """Whether the text tells of going to see a place (到永兴砖厂检查), not of meaning to (下周去桃坪村看看)."""
    for m in _RE_WENT.finditer(text):
        if not any(w in text[max(0, m.start() - 6) : m.end()] for w in _NOT_YET_WORDS):
            return True
    return False


def is_meeting(entry: Entry) -> bool:
    """A meeting he attended or held: named as one (村两委会, 碰头会, 开会), or filed as one."""
    return "meeting" in entry.categories or _RE_MEETING.search(entry.text) is not None


def study_sessions(studies: Iterable[Entry]) -> list[Entry]:
    """Study records that are sessions: an essay written is none, and a training told over several days (开班,
    结业) is one."""
    sessions: list[Entry] = []
    last_training: dt.date | None = None
    for entry in sorted(studies, key=lambda e: (e.work_date, e.seq)):
        if is_reflection_essay(entry) or is_organised_training(entry):
            continue
        training = "培训" in entry.text
        if training and last_training is not None and (entry.work_date - last_training).days <= _TRAINING_DAYS:
            continue
        if training:
            last_training = entry.work_date
        sessions.append(entry)
    return sessions


_RE_ONE_HOUSEHOLD = re.compile(r"回访|老人|大爷|大娘|大妈|奶奶|爷爷|老党员|某某|[^\d]家(?:里|中)?(?:，|,|。|$)")


def _one_household(entry: Entry) -> int:
    """A visit note that states no number of households and calls on one (回访马有福, 走访独居老人…, 王某某家)."""
    if entry.kind != "visit" or any(q.kind == "households" for q in read_quantities(entry.text)):
        return 0
    named = entry.details.get("households") if isinstance(entry.details, dict) else None
    return 1 if named or _RE_ONE_HOUSEHOLD.search(entry.text) else 0


def households_of(entry: Entry) -> int:
    """The households (户次) one work entry visited: as stated, or one for a visit that calls on one."""
    stated = _sum([entry], "households")
    return int(stated) if stated else _one_household(entry)


def is_visit(entry: Entry) -> bool:
    """A visit note, or a work entry that states households visited (大湾村入户5户，防返贫监测)."""
    return entry.kind == "visit" or bool(_sum([entry], "households"))


def compute_figures(
    entries: Iterable[Entry],
    posting: Posting | None,
    start: dt.date,
    end: dt.date,
    located: Mapping[int, Sequence[tuple[str, str]]] | None = None,
) -> ReportFigures:
    """Count and sum what the active entries dated inside [start, end] record.

    `located` gives the places of each entry by seq as a gazetteer resolved them (short forms and typos to the
    full name); without it each entry's own names are used."""
    chosen = [e for e in entries if e.status == "active" and start <= e.work_date <= end]
    work = work_entries(chosen, start, end)
    # a visit is a visit note, or any work entry that states households visited (大湾村入户5户，防返贫监测)
    visits = [e for e in work if is_visit(e)]
    # places he went to see count as visited too: 到青禾食品调研, 到永兴砖厂检查安全生产, 去中心小学看了
    visit_seqs = {e.seq for e in visits}
    went = [e for e in work if e.seq not in visit_seqs and _went(e.text)]
    went_seqs = {e.seq for e in went}
    studies = [e for e in work if e.kind == "study"]
    sessions = study_sessions(studies)

    on_post = 0
    if posting is not None and posting.start_date is not None:
        on_post = _overlap(posting.start_date, posting.end_date or end, start, end)
    leave_days = len(leave_dates(chosen, posting, start, end))

    visited: dict[str, list[str]] = {t: [] for t in VISITED_TYPES}
    households = 0
    for entry in sorted([*visits, *went], key=lambda e: (e.work_date, e.seq)):
        for name, kind in located[entry.seq] if located is not None and entry.seq in located else entry_places(entry):
            names = visited.get(kind)
            if names is not None and name not in names:
                names.append(name)
        if entry.seq in went_seqs:
            continue
        households += households_of(entry)

    materials: list[str] = []
    for entry in sessions:  # an essay he wrote is no material he studied
        for title in entry.details.get("materials", []):
            if title not in materials:
                materials.append(title)

    return ReportFigures(
        period_start=start,
        period_end=end,
        days_on_post=on_post,
        leave_days=leave_days,
        workdays_logged=len({e.work_date for e in work}),
        entries=len(chosen),
        by_kind=dict(Counter(e.kind for e in chosen)),
        by_category=dict(Counter(e.categories[0] for e in work if e.categories)),
        visits=len(visits),
        visited={t: tuple(names) for t, names in visited.items() if names},
        households_visited=households,
        meetings=sum(1 for e in work if is_meeting(e)),
        petitions=int(_sum(work, "petitions")),
        petition_visitors=int(_sum([e for e in work if _is_petition(e)], "person_times")),
        study_sessions=len(sessions),
        reflections=sum(1 for e in studies if e.details.get("reflection")),
        study_notes=sum(1 for e in studies if e.details.get("notes")),
        materials=tuple(materials),
        money_yuan=sum(q.value for _, q in funds_secured(work, located)),
        length_metres=_sum(work, "length"),
    )
