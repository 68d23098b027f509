"""Compile a draft report (中期工作小结, 工作总结, monthly or weekly report) from a cadre's own entries.

Pure: profile, entries and dates in, a `ReportDraft` out. The draft is synthesised, not printed: entries are sorted
by what they are for (work, summary, plan, own words), work is pooled by category, place and activity, projects are
told as threads from problem to outcome, and figures are summed only within one kind and one role. Every paragraph
keeps the entries it came from, and the verifier (reporting/verify.py) holds every number and name to them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from analysis import normalise
from analysis.numbers import cn_to_number
from analysis.places import KnownPlace, firm_short_forms, learn
from analysis.quantities import Quantity, read_quantities
from analysis.roles import OWN_WORDS, strip_label
from analysis.threads import STAGE_ORDER, Mention, Thread, find_threads, stage_of, stage_word
from reporting import templates as t
from reporting.figures import (
    VISITED_TYPES,
    ReportFigures,
    compute_figures,
    entry_places,
    funds_secured,
    households_of,
    is_meeting,
    is_organised_training,
    is_reflection_essay,
    is_visit,
    role_of,
)
from reporting.model import NUMERALS, Paragraph, ReportDraft, Section, Source, Subsection
from reporting.verify import Records, verify_paragraph
from storage.entities import Entry, Person

KINDS = ("mid", "final", "month", "week")
MAX_SECTIONS = {"mid": 7, "final": 8, "month": 4, "week": 3}
MIN_SECTION_ENTRIES = 2
MAX_CASES = 4
MAX_LISTED_NAMES = 4
_VERBS = (
    "走访",
    "入户",
    "看望",
    "慰问",
    "调研",
    "考察",
    "座谈",
    "接待",
    "参加",
    "列席",
    "主持",
    "召开",
    "组织",
    "开展",
    "协调",
    "督导",
    "检查",
    "排查",
    "宣讲",
    "宣传",
    "培训",
    "陪同",
    "对接",
    "推进",
    "指导",
    "讲",
    "帮助",
    "落实",
    "起草",
    "撰写",
)
_VISIT_VERBS = ("走访", "入户", "看望", "慰问", "调研", "考察", "座谈")
_RE_TOPIC = re.compile(
    r"(?:了解|研究|反映|部署|围绕|商讨|讨论|排查|解决|协调|听取|查看|摸排|宣讲|宣传|讲授|讲解|讲|学习|督导|检查|推进)"
    r"(?:了)?([\u4e00-\u9fff、和及与]{2,14})"
)
_TOPIC_TAIL = re.compile(r"(?:情况|问题|工作|进度|事宜|事项|有关|相关|等|的)+$")
# the meetings named in the draft's 议事决策 sentence (counted by reporting.figures.is_meeting)
_RE_MEETING = re.compile(
    r"((?:[\u4e00-\u9fff]{0,8}?)(?:党委会|办公会|常务会|调度会|推进会|例会|座谈会|部署会|专题会|党员大会|动员会|培训会|联席会|工作会|会议)(?!室))"
)
_MEETING_LEAD = re.compile(r"^(?:参加|加|列席|席|主持|持|召开|开了个|开了|开个|开|个|了|在|组织|出席)+")


def report_title(kind: str, start: dt.date, end: dt.date) -> str:
    """The title of a draft of `kind` over start..end (the monthly and weekly ones name their period)."""
    return t.TITLES[kind].format(year=start.year, month=start.month, period_start=_day(start), period_end=_day(end))


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def money_text(yuan: float) -> str:
    return t.WAN_YUAN.format(value=_number(yuan / 10000)) if yuan >= 10000 else t.YUAN.format(value=_number(yuan))


def length_text(metres: float) -> str:
    return (
        t.KILOMETRES.format(value=_number(metres / 1000)) if metres >= 1000 else t.METRES.format(value=_number(metres))
    )


def span_text(start: dt.date, end: dt.date) -> str:
    """How long the posting has run by `end`, the way a report says it: 三个月, 半年, 一年, 20天."""
    days = (end - start).days + 1
    months = round(days / 30.44)
    if days < 28:
        return t.SPAN_UNDER_MONTH.format(n=days)
    if months == 6:
        return t.SPAN_HALF_YEAR
    if months == 12:
        return t.SPAN_YEAR
    return t.SPAN_MONTHS.format(n=t.CN_NUMBERS.get(months, str(months)))


def leadership(host: str) -> str:
    """The host's leadership named the way a 公文 names it (青山镇人民政府 -> 青山镇党委、政府)."""
    for suffix, pattern in t.LEADERSHIP_SUFFIXES:
        if host.endswith(suffix):
            return pattern.format(base=host[: -len(suffix)])
    return t.LEADERSHIP_FALLBACK.format(host=host)


def _source(entry: Entry) -> Source:
    return Source(seq=entry.seq, date=entry.work_date, text=entry.text)


def _join(names: Sequence[str], limit: int = MAX_LISTED_NAMES) -> tuple[str, str]:
    """Names joined with 、 (at most `limit`), and 等 when some were left out."""
    shown = list(dict.fromkeys(names))
    return "、".join(shown[:limit]), (t.FACT_ETC if len(shown) > limit else "")


def _ordinals(items: Sequence[str]) -> str:
    """一是…。二是…。 for two or more items; a lone item is a plain sentence (never a lone 一是)."""
    cleaned = [i.rstrip("。；，") for i in items if i.strip("。；， ")]
    if len(cleaned) == 1:
        return cleaned[0] + "。"
    return "".join(t.ORDINAL_ITEM.format(ordinal=NUMERALS[n], text=text) + "。" for n, text in enumerate(cleaned))


# -- the pieces of a section ---------------------------------------------------------------------------------------


@dataclass
class _Piece:
    """A sentence or case of the body, with the entries it tells and the figures it states."""

    text: str
    entries: list[Entry]
    figures: set[tuple[float, str]]
    weight: float = 0.0


def _topics(entries: Iterable[Entry], limit: int = 4) -> list[str]:
    found: list[str] = []
    for entry in entries:
        for clause in normalise.clauses(entry.text):
            if normalise.has_relative_time(clause):
                continue
            for m in _RE_TOPIC.finditer(clause):
                topic = _TOPIC_TAIL.sub("", m.group(1)).strip("、和及与")
                topic = re.sub(r"^(?:了|的|和|与|关于|有关|到)", "", topic)
                if topic.startswith(("其中", "一下", "一些", "情况")):
                    continue
                if 2 <= len(topic) <= 12 and topic not in found and not any(topic in f or f in topic for f in found):
                    found.append(topic)
    return found[:limit]


def _verb(entries: Iterable[Entry]) -> str:
    counts: Counter[str] = Counter()
    for entry in entries:
        first = min(((entry.text.find(v), v) for v in _VERBS if v in entry.text), default=None)
        if first:
            counts[first[1]] += 1
    return counts.most_common(1)[0][0] if counts else "开展"


def _sum(quantities: Iterable[Quantity], kind: str, role: str = "done") -> float:
    return sum(q.value for q in quantities if q.kind == kind and q.role == role)


def _quantities(entries: Iterable[Entry]) -> list[Quantity]:
    return [q for e in entries for q in read_quantities(e.text)]


def _pool_place(place: str, entries: list[Entry], all_visits: Sequence[Entry] = ()) -> _Piece | None:
    """Several entries at one place, told once: 先后4次走访凹塘村，入户走访困难户19户次，了解…等情况."""
    if len(entries) == 1 and not all_visits[1:]:
        return _case(entries[0], place)  # one entry is a case of its own, or nothing worth telling
    verb = _verb(entries)
    verb = verb if verb in _VISIT_VERBS or verb in ("检查", "督导", "指导", "排查") else "走访"
    figures: set[tuple[float, str]] = set()
    visits = [e for e in entries if is_visit(e)]
    # every visit to the place in the period, whichever section its other entries went to
    every = sorted({e.seq: e for e in [*visits, *all_visits]}.values(), key=lambda e: (e.work_date, e.seq))
    households = float(sum(households_of(e) for e in every))
    if len(visits) == len(entries) and len(every) > 1:
        # visits counted as the totals count them: 先后3次走访石门村，入户走访11户次
        text = t.POOLED_TIMES.format(n=len(every), verb=verb, place=place)
        figures.add((float(len(every)), "次"))
        entries = every
        if households:
            text += "，" + t.HOUSEHOLDS_DONE.format(object=_object_of(visits), n=_number(households))
            figures.add((households, "户"))
    else:
        text = (t.POOLED_MANY if len(entries) > 1 else t.POOLED_ONCE).format(verb=verb, place=place)
    topics = _topics(entries)
    if topics:
        joined, _ = _join(topics)
        lead = "了解" if verb in ("走访", "入户", "看望", "慰问", "调研", "座谈") else "围绕"
        tail = "等情况" if lead == "了解" else "等开展工作"
        text += t.POOLED_TOPICS.format(lead=lead, topics=joined, etc="", tail=tail)
    return _Piece(text, entries, figures, weight=len(entries) + households / 10)


def _object_of(entries: Iterable[Entry]) -> str:
    """Whom the visits were to, when the words name one kind (困难户); else nothing."""
    objects = Counter(
        q.object for e in entries for q in read_quantities(e.text) if q.kind == "households" and q.role == "done"
    )
    named = [o for o in objects if o]
    return named[0] if len(named) == 1 and objects[named[0]] == sum(objects.values()) else ""


def _pool_kind(kind: str, names: list[str], entries: list[Entry]) -> _Piece:
    """Visits to several enterprises (or schools) told once, with what they raised."""
    joined, etc = _join(names, 4)
    noun = t.KIND_NOUNS.get(kind, "")
    text = t.KIND_VISITS.format(names=joined, etc=etc or ("等" if len(names) > 1 else ""), noun=noun if len(names) > 1 else "")
    issues = _issues(entries)
    if issues:
        text += t.KIND_ISSUES.format(topics="、".join(issues[:4]))
    return _Piece(text, entries, set(), weight=len(entries) + 1)


def _issues(entries: Iterable[Entry]) -> list[str]:
    """What people raised (反映…), as short noun phrases."""
    issues: list[str] = []
    for entry in entries:
        for clause in normalise.clauses(entry.text):
            m = re.search(r"反映(.{2,12})", clause)
            if not m:
                continue
            issue = re.split(r"[，、]|希望|需要|左右", m.group(1))[0]
            issue = re.sub(r"问题$|的$", "", re.split(r"\d", issue)[0]).strip()
            if re.search(r"还是|就是|是$|还$|都$", issue):
                continue  # 食堂还是(80年代的老瓦房): a sentence cut, not an issue
            if 2 <= len(issue) <= 10 and issue not in issues:
                issues.append(issue)
    return issues


def _pool_petitions(entries: list[Entry], totals: ReportFigures) -> _Piece | None:
    visitors, cases = float(totals.petition_visitors), float(totals.petitions)
    if not visitors and not cases:
        return None
    parts = []
    if visitors:
        parts.append(t.FACT_PETITIONS.format(n=_number(visitors)))
    if cases:
        parts.append(t.FACT_CASES.format(n=_number(cases)))
    text = "、".join(parts)
    issues: list[str] = []
    counted = [e for e in entries if any(q.kind in ("petitions", "person_times") for q in read_quantities(e.text))]
    for entry in counted:
        text_of = _RE_ASIDE.sub("", normalise.punctuate(entry.text))
        found = [m.group(1) for m in _RE_PETITION_ISSUE.finditer(text_of)]
        found += [m.group(1) for m in _RE_CASE_NOUN.finditer(text_of)]
        for issue in found:
            issue = re.sub(r"^(?:都是|是|反映|关于|有关|的|村民|群众)+|(?:的)?问题$", "", issue.strip("、和及"))
            issue = re.sub(r"^[\u4e00-\u9fff]{2,3}(?:村|社区)(?:的)?", "", issue)
            if any(w in issue for w in ("接待", "来访", "信访", "接访", "上访")):
                continue
            if 2 <= len(issue) <= 8 and issue not in issues and not any(issue in i or i in issue for i in issues):
                issues.append(issue)
    if issues:
        joined, _ = _join(issues, 5)
        text += t.PETITION_ISSUES.format(topics=joined)
    return _Piece(text, counted or entries, {(visitors, "人次"), (cases, "起")}, weight=len(entries) * 2)


_RE_PETITION_ISSUE = re.compile(
    r"(?:反映|主要是|都是问|都是|问的是)([\u4e00-\u9fff、和及]{2,10}?)(?:问题|的问题|的事|等|，|。|$)"
)
_RE_CASE_NOUN = re.compile(r"([\u4e00-\u9fff]{2,8})(?:\d+|[一两二三])起(?!来|床)")


_RE_DISPUTE = re.compile(r"(土地流转租金|[\u4e00-\u9fff]{2,4}?(?:纠纷|矛盾|租金|欠薪|补偿款))")
_SETTLED = ("调解", "协调", "付清", "签", "达成", "化解", "解决", "疏通", "答复", "转交", "转办")


def _disputes(entries: list[Entry], places: dict[int, list[tuple[str, str]]]) -> list[list[Entry]]:
    """Entries about one dispute (the same kind of dispute at the same place, or its words), in date order."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.work_date, e.seq)):
        m = _RE_DISPUTE.search(entry.text)
        if m is None:
            continue
        noun = _dispute_noun(m.group(1))
        place = next((n for n, kind in places.get(entry.seq, []) if kind in VISITED_TYPES), "")
        if place:  # one dispute is at one place; the same kind of case heard at the office is many
            groups[place + noun[-4:]].append(entry)
    return [g for g in groups.values() if len(g) >= 2]


_DEALT = ("对接", "签", "收购", "洽谈", "合作", "投资", "订单", "招工", "落地", "投产", "开班", "达成", "协议", "收了", "收花椒", "收货")


def _partners(
    entries: list[Entry], places: dict[int, list[tuple[str, str]]]
) -> list[tuple[str, list[Entry]]]:
    """A firm or cooperative he worked with over several entries (对接, 签协议, 收购), with those entries."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.work_date, e.seq)):
        for name, kind in places.get(entry.seq, []):
            if kind in ("enterprise", "cooperative") and _dealt(entry.text.replace(name, "")):
                groups[name].append(entry)
                break
    return [(name, group) for name, group in groups.items() if len(group) >= 2]


def _dealt(text: str) -> bool:
    """Whether a text tells of business done with a firm (对接, 签协议), not of what the firm asked for (希望对接)."""
    return any(
        any(w in clause for w in _DEALT) and not any(w in clause for w in _ASKED)
        for clause in normalise.clauses(text)
    )


_ASKED = ("希望", "想", "要求", "反映", "盼", "请求", "提出")


def _partner_story(name: str, group: list[Entry]) -> _Piece | None:
    """秦川农业开发有限公司：5月对接花椒收购，7月签订花椒收购协议，8月第一批收购12吨。"""
    steps: list[str] = []
    short = [name, *firm_short_forms(name)]
    for entry in group:
        clauses = []
        for clause in normalise.clauses(_RE_ASIDE.sub("", entry.text)):
            clause = _RE_PAST_WORDS.sub("", clause)
            if normalise.has_relative_time(clause) or any(w in clause for w in ("预计", "计划", "打算")):
                continue
            if _dealt(clause):
                for form in short:
                    clause = clause.replace(form, "")
                clause = re.sub(r"[和与跟同](?=签|达成|商定)", "", clause)  # 职教中心和[宏远]签订 -> 职教中心签订
                clause = _plain(re.sub(r"^(?:到|去|和|与|跟|在)+|(?:来村里)", "", clause)).strip("，、")
                if 2 <= len(clause) <= 16:
                    clauses.append(clause)
        counted = [c for c in normalise.clauses(entry.text) if _RE_DID_COUNT.search(c) and c not in clauses][:1]
        told = _retold([*clauses[:1], *counted], entry.text)
        if told and told[0] in clauses:
            steps.append(t.STORY_MONTH.format(month=entry.work_date.month, text="，".join(told)))
    steps = _distinct_steps(steps)
    if len(steps) < 2:
        return None
    text = t.THREAD_OPEN.format(name=name) + "，".join(steps)
    figures = {(q.value, q.unit) for q in read_quantities(text)}
    return _Piece(text, group, figures, weight=3.0 + len(group))


def _distinct_steps(steps: list[str]) -> list[str]:
    """Steps that say something new: 7月已登记转办 seven times over is no story."""
    seen: set[str] = set()
    kept = []
    for step in steps:
        what = re.sub(r"^\d{1,2}月", "", step)
        if what not in seen:
            seen.add(what)
            kept.append(step)
    return kept


def _dispute_noun(words: str) -> str:
    return re.sub(r"^(?:另一起|一起|两起|起|件|的|是|都是|反映|映|主要)+", "", words)


def _dispute_story(group: list[Entry], places: dict[int, list[tuple[str, str]]]) -> _Piece | None:
    """A dispute from first hearing to settlement: 大湾村宅基地纠纷：7月到现场查看并调解1起，8月调解另一起。"""
    first = group[0]
    m = _RE_DISPUTE.search(first.text)
    if m is None:
        return None
    place = next((n for n, kind in places.get(first.seq, []) if kind in VISITED_TYPES), "")
    noun = _dispute_noun(m.group(1))
    steps: list[str] = []
    for entry in group:
        clauses = [
            _plain(c)
            for c in (_RE_PAST_WORDS.sub("", c) for c in normalise.clauses(_RE_ASIDE.sub("", entry.text)))
            if not normalise.has_relative_time(c) and any(w in c for w in _SETTLED)
        ]
        clauses = [
            re.sub(r"^(?:在|到)?把", "", re.sub(rf"{re.escape(place)}(?!委会|村委)", "", c).replace(noun, ""))
            .strip("，、")
            for c in clauses
        ] if place else [c.replace(noun, "").strip("，、") for c in clauses]
        told = _retold([c for c in clauses if 2 <= len(c) <= 20][:2], entry.text)
        if told:
            steps.append(t.STORY_MONTH.format(month=entry.work_date.month, text="，".join(told)))
    steps = _distinct_steps(steps)
    if not steps:
        return None
    text = t.THREAD_OPEN.format(name=place + noun) + "，".join(steps)
    return _Piece(text, group, set(), weight=2.0 + len(group))


_RE_TRAINING_NAME = re.compile(r"([\u4e00-\u9fff]{2,14}?培训)(?:班)?")
_RE_SESSION = re.compile(r"第([一二三四五六七八九十])期")


def _pool_trainings(trainings: list[Entry], rest: list[Entry]) -> _Piece | None:
    """Trainings he ran, told once: 组织全县中小学教师暑期培训2期，参训420人次."""
    names = [re.sub(r"^第[一二三四五六七八九十]期", "", m.group(1))
             for e in trainings for m in _RE_TRAINING_NAME.finditer(e.text)]
    names = [n for n in names if len(n) >= 4]
    if not names:
        return None
    name = max(names, key=len)
    sessions = max((cn_to_number(m.group(1)) or 0 for e in trainings for m in _RE_SESSION.finditer(e.text)), default=0)
    quantities = _quantities(trainings)
    person_times = max((q.value for q in quantities if q.kind == "person_times"), default=0.0)
    text = t.TRAINING_POOL.format(name=name)
    figures: set[tuple[float, str]] = set()
    if sessions >= 2:
        text += t.TRAINING_SESSIONS.format(n=int(sessions))
        figures.add((float(sessions), "次"))
    if person_times:
        text += t.TRAINING_PEOPLE.format(n=_number(person_times))
        figures.add((person_times, "人次"))
    if any("我讲" in e.text or "授课" in e.text for e in trainings):
        text += t.TRAINING_TAUGHT
    return _Piece(text, trainings, figures, weight=2.0 + len(trainings))


_RE_SPOKE = re.compile(r"(?:我)?(?:作了|做了|作|做)(?:了)?[\u4e00-\u9fff]{0,8}?(?:发言|部署|汇报|讲话|报告)|汇报了")


def _spoke_case(entry: Entry) -> _Piece | None:
    """在全县乡村振兴推进会上汇报了两个项目的进展: the meeting named, then what he said there."""
    names = [m.group(1) for m in _RE_MEETING.finditer("，".join(normalise.clauses(entry.text)))]
    said = next((c for c in normalise.clauses(entry.text) if _RE_SPOKE.search(c)), None)
    if not names or said is None:
        return None
    name = _MEETING_LEAD.sub("", re.sub(r"^.*?(?:召开|参加|列席|出席|主持|在)(?=.{3})", "", names[0]))
    said = _plain(re.sub(r"^我", "", said))
    told = _retold([said], entry.text)
    if not told or len(name) < 3:
        return None
    text = t.SPOKE_CASE.format(month=entry.work_date.month, meeting=name, said=told[0])
    return _Piece(text, [entry], {(q.value, q.unit) for q in read_quantities(text)}, weight=1.5)


def _pool_meetings(entries: list[Entry], meetings: list[Entry], totals: ReportFigures) -> _Piece | None:
    """Every meeting of the period told once, counted as the draft's figures count them."""
    names: list[str] = []
    entries = sorted({e.seq: e for e in [*entries, *meetings]}.values(), key=lambda e: (e.work_date, e.seq))
    for entry in entries:
        for m in _RE_MEETING.finditer("，".join(normalise.clauses(entry.text))):
            name = _MEETING_LEAD.sub("", re.sub(r"^.*?(?:召开|参加|列席|出席|主持|开(?!学|展|工|放|始|发|通|班|会))(?=.{3})", "", m.group(1)))
            if len(name) >= 3 and name not in names:
                names.append(name)
    if not names:
        return None
    joined, etc = _join(names, 3)
    text = t.MEETING_POOL.format(names=joined, etc="等" if etc or len(names) > 1 else "", n=totals.meetings)
    topics = _topics(entries)
    if topics:
        joined_topics, _ = _join(topics)
        text += t.MEETING_TOPICS.format(topics=joined_topics, etc="等")
    return _Piece(text, entries, {(float(totals.meetings), "次")}, weight=len(entries))


_RE_PROBLEM = re.compile(r"(?<![\d户])((?:吃水|饮水|出行|行路|上学|就医|看病|用水|用电|灌溉|取暖|住房)难)")
_BENEFIT_WORDS = ("吃上", "用上", "受益", "出行", "方便", "惠及", "带动", "增收", "不再")
_STARTED_WORDS = ("开工", "动工", "进场")
_RE_YEAR_WORD = re.compile(r"今年|当年|本年度")
_MAX_PHRASE = 16


def _story_clauses(text: str, drop: Sequence[str]) -> list[str]:
    """A step's clauses fit for the body: no dates or clock words, no relative days, the project's name left out
    where it is the subject (the story names it once)."""
    out = []
    for clause in normalise.clauses(text):
        if normalise.has_relative_time(clause) or any(w in clause for w in ("预计", "计划", "打算")):
            continue
        for name in sorted((d for d in drop if d), key=len, reverse=True):
            clause = clause[len(name) :] if clause.startswith(name) else clause
        clause = _RE_YEAR_WORD.sub("", clause).strip("，、：！!。 ")
        if clause:
            out.append(clause)
    return out


_ADVERBS = ("正式", "全线", "全部", "顺利", "基本", "如期", "提前")
# A phone's words as a report's: 写了实施方案 -> 编写实施方案, 签了合作意向 -> 签订合作意向.
_PLAIN = (("签了字", "签字"), ("写了", "编写"), ("签了", "签订"), ("做完了", "完成"), ("弄好了", "完成"), ("搞了", "开展"))


_PLAIN_PATTERNS = (
    (re.compile(r"把(.{2,12}?)定了"), r"确定\1"),  # 和基教股把开学安全检查表定了 -> 和基教股确定开学安全检查表
    (re.compile(r"把(.{2,12}?)弄好了"), r"完成\1"),
    (re.compile(r"^去(?=[\u4e00-\u9fff]{2})"), "到"),  # 去县财政局对接 -> 到县财政局对接
    (re.compile(r"^和(?=[\u4e00-\u9fff]{2})"), "与"),
    (re.compile(r"跟(?!进|踪|随|前|着)"), "与"),
)


def _plain(text: str) -> str:
    for said, written in _PLAIN:
        text = text.replace(said, written)
    for pattern, replacement in _PLAIN_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_RE_PHRASE_END = re.compile(r".*?(?:项目|计划|工程|方案|水源|路线|意向|协议|材料)")


def _clause_with(clauses: Sequence[str], word: str, cut: bool = False) -> str | None:
    """The words from `word` on in the clause holding it (勘察水源, 列入农村供水保障项目), or None when they do
    not end cleanly."""
    for clause in clauses:
        if word not in clause:
            continue
        at = clause.index(word)
        if cut and at >= 2 and clause[at - 2 : at] in _ADVERBS:
            at -= 2  # 正式出水, 全线完工
        tail = clause[at:] if cut or (at > 0 and any(ch.isdigit() for ch in clause[:at])) else clause
        if tail == word and clause != word:
            whole = clause if len(clause) <= 12 and not any(ch.isdigit() for ch in clause) else None
            return _plain(whole) if whole else None
        tail = _plain(tail.rstrip("了的"))
        if len(tail) <= 10:
            return tail
        m = _RE_PHRASE_END.match(tail)
        return m.group(0) if m and len(m.group(0)) <= _MAX_PHRASE else None
    return None


def _thread_story(
    thread: Thread, by_seq: dict[int, Entry], places: dict[int, list[tuple[str, str]]] | None = None
) -> _Piece:
    """A project from problem to outcome, told in our words from its steps: the problem raised, surveyed and
    approved by month, the money secured (each sum once), the start and the result dated to the day, with the
    figures of the result and who gained from it."""
    steps = [s for s in thread.steps if s.seq in by_seq]
    entries = [by_seq[s.seq] for s in steps]
    place = thread.place or ""
    short = thread.name[len(place) :] if place and thread.name.startswith(place) else thread.name
    bare = re.sub(r"(?:项目|工程)$", "", short)
    drop = (thread.name, short, bare if len(bare) >= 3 else "", place, place[:-1] if len(place) > 2 else "")
    parts: list[str] = []
    figures: set[tuple[float, str]] = set()
    for step in steps[:3]:
        m = _RE_PROBLEM.search(step.text)
        if m and stage_of(step.text) in (None, "raised", "surveyed"):
            parts.append(t.STORY_PROBLEM.format(problem=m.group(1)))
            break
    early: list[tuple[dt.date, str]] = []
    for stage in ("surveyed", "approved"):
        reached = next((s for s in steps if stage_word(s.text, stage)), None)
        word = stage_word(reached.text, stage) if reached else None
        phrase = _clause_with(_story_clauses(reached.text, drop), word, cut=True) if reached and word else None
        if reached and phrase and not any(c.isdigit() for c in phrase):
            early.append((reached.date, phrase))
    for index, (day, phrase) in enumerate(sorted(early)):
        same_month = index > 0 and sorted(early)[index - 1][0].month == day.month
        parts.append(phrase if same_month else t.STORY_MONTH.format(month=day.month, text=phrase))
    secured = sum(q.value for _, q in funds_secured(entries, places))
    if secured:
        parts.append(t.STORY_FUNDS.format(amount=money_text(secured)))
        figures.add((secured, "元"))
    # the day work began: 开工, 动工 or 进场 said as done (not 计划…开工)
    started = next(
        (s for s in steps if stage_word(s.text, "started") and any(w in s.text for w in _STARTED_WORDS)), None
    )
    if started:
        parts.append(t.STORY_STARTED.format(month=started.date.month, day=started.date.day))
    done = [s for s in steps if stage_word(s.text, "done") and (started is None or s.date >= started.date)]
    if len(done) > 2:  # finished, then in use: the first and the last of the done steps tell the outcome
        done = [done[0], done[-1]]
    told: list[str] = []
    for step in done:
        word = stage_word(step.text, "done") or ""
        clauses = _story_clauses(step.text, drop)
        phrase = _clause_with(clauses, word, cut=True) or word
        if phrase in told or word in "".join(told):
            continue
        told.append(phrase)
        quantities = [q for q in read_quantities(step.text) if q.role not in ("estimate", "plan", "scale", "stock")]
        measures = [
            c
            for c in clauses
            if c != phrase
            and word not in c
            and any(ch.isdigit() for ch in c)
            and not any(w in c for w in _BENEFIT_WORDS)
            and len(c) <= _MAX_PHRASE
            and "预计" not in c
        ]
        benefit = next(
            (c for c in clauses if c != phrase and word not in c and any(w in c for w in _BENEFIT_WORDS)), None
        )
        when = t.STORY_DAY.format(month=step.date.month, day=step.date.day)
        if measures and any(q.kind in ("length", "area") for q in quantities) and phrase.startswith((word, *_ADVERBS)):
            parts.append(
                t.STORY_MEASURED_DONE.format(
                    measures="、".join(measures[:2]), object=short or t.STORY_OBJECT, when=when, text=phrase
                )
            )
        else:
            kept = _retold([phrase, *measures[:2]], step.text)  # never the message's words in a row
            parts.append(when + "，".join(kept) if kept and kept[0] == phrase else when + phrase)
        if benefit:
            parts.append(t.STORY_BENEFIT.format(text=benefit))
        figures |= {(q.value, q.unit) for q in quantities}
        if len(told) == 2:
            break
    if not done:  # under way: the furthest step told as it stands
        last = steps[-1]
        clauses = [c for c in _story_clauses(last.text, drop) if "预计" not in c]
        if clauses and len(parts) < 2:
            parts.append(t.STORY_MONTH.format(month=last.date.month, text=_plain(clauses[0][:_MAX_PHRASE])))
    text = t.THREAD_OPEN.format(name=thread.name) + "，".join(dict.fromkeys(p for p in parts if p))
    weight = 10.0 * (1 + STAGE_ORDER.get(thread.state or "", -1)) + len(entries)
    return _Piece(text, entries, figures, weight=weight)


_RE_NOT_TEXT = re.compile(r"[^\u4e00-\u9fff0-9]")
_RE_BOOK = re.compile(r"《[^》]{0,40}》")
# (杨桂芳，82岁): a private name or an aside, never in the body; (柳湾小学) after 村小 names the place, and stays
_RE_ASIDE = re.compile(r"[（(](?![^）)]{2,12}(?:小学|中学|学校|村|社区|公司|合作社|厂)[）)])[^）)]{0,24}[）)]")
MAX_RUN = 19  # characters a body sentence may share in a row with one message (a reader sees a paste at 20)
_ACTION_WORDS = ("帮", "协调", "联系", "落实", "已", "转移", "督促", "解决", "送", "安排", "整改", "调解", "疏通", "更换")


def _longest_run(a: str, b: str) -> int:
    """The longest run of characters two texts share, punctuation set aside."""
    x, y = _RE_NOT_TEXT.sub("", a), _RE_NOT_TEXT.sub("", b)
    best, previous = 0, [0] * (len(y) + 1)
    for i in range(1, len(x) + 1):
        current = [0] * (len(y) + 1)
        for j in range(1, len(y) + 1):
            if x[i - 1] == y[j - 1]:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def _retold(clauses: list[str], source: str) -> list[str]:
    """Clauses kept while together they share no long run with their message: a case is told, never pasted."""
    kept: list[str] = []
    for clause in clauses:
        if _longest_run("，".join([*kept, clause]), source) <= MAX_RUN:
            kept.append(clause)
    return kept


def _case(entry: Entry, place: str | None = None) -> _Piece | None:
    """One entry told as a case: where, what was done with its figures, and what was done about it."""
    if not _tellable(entry):
        return None
    clauses = [
        _plain(c[len(place) :] if place and c.startswith(place) and c[len(place) :].startswith(_CASE_VERBS) else c)
        for c in (_RE_PAST_WORDS.sub("", c) for c in normalise.clauses(_RE_ASIDE.sub("", entry.text)))
        if not normalise.has_relative_time(c) and not _RE_INTENT.search(c)
    ]
    # a title is detail the ledger keeps: 讲党课《坚定信念 勇于担当》 is told as 讲党课
    clauses = [_RE_BOOK.sub("", c) if len(c) > 14 and len(_RE_BOOK.sub("", c)) >= 8 else c for c in clauses]
    clauses = [c.strip("，、：") for c in clauses if len(c.strip("，、：")) >= 2]
    if len(clauses) > 1 and len(clauses[0]) <= 4:
        clauses = clauses[1:]  # 建党节, 好消息: a label before what was done
    if not clauses:
        return None
    # a figure of what he did, not of how big a firm is or what something would cost
    quantity = next(
        (
            c
            for c in clauses
            if any(ch.isdigit() for ch in c)
            and not any(q.role in ("scale", "estimate", "stock") for q in read_quantities(c))
        ),
        None,
    )
    action = next((c for c in clauses[1:] if c.removeprefix("还").startswith(_ACTION_WORDS) and c != quantity), None)
    wanted = {clauses[0], quantity or "", action or ""}
    # and, in the order he wrote them, what he heard or found there (反映…, 开裂, 隐患)
    wanted |= {c for c in clauses[1:] if "反映" in c or any(w in c for w in _ISSUE_WORDS)}
    chosen = [c for c in clauses if c in wanted and len(c) <= 24][:4]
    joined = [chosen[0]] + [_connected(c) for c in chosen[1:]] if chosen else []
    told = _retold(joined, entry.text)
    if not told:
        return None
    first = told[0]
    where = t.CASE_PLACE.format(place=place) if place and place not in first and first.startswith(_CASE_VERBS) else ""
    text = t.CASE_DATED.format(month=entry.work_date.month, text=where + "，".join(told))
    figures = {(q.value, q.unit) for q in read_quantities("，".join(told))}
    return _Piece(text, [entry], figures, weight=1.0 + len(figures))


# A clause about what is meant to happen, not what did (准备 as a noun, 开学准备, is no intent).
_RE_INTENT = re.compile(r"预计|计划|打算|^准备|准备(?:去|到|在|下|明|把)")
# Words that date a clause to the day it was written: the case is dated by its month instead.
_RE_PAST_WORDS = re.compile(
    r"(?:昨天|前天|今天|今日|昨日|上午|下午|晚上|中午|早上|刚才|刚刚)(?:说的|提的|讲的|反映的)?|^(?:说的|提的|讲的|反映的)"
)


# A case opens with where only when its first words are what he did there: 在大湾村走访…, not 在柳湾村乡里召开….
_CASE_VERBS = (
    "走访", "入户", "回访", "看望", "慰问", "调研", "考察", "座谈", "检查", "排查", "督导", "指导", "宣讲", "协调", "调解",
    "开展", "组织", "查看", "核查", "防汛", "召集", "主持", "讲", "帮", "对接",
)


_RE_COUNTED = re.compile(r"^(?:[\u4e00-\u9fff]{2,8}等)?\d")
_RE_DID_COUNT = re.compile(r"[了收招]\D{0,4}\d")  # 招了学生45人, 第一批收了12吨


_ISSUE_WORDS = ("隐患", "问题", "困难", "开裂", "渗水", "漏雨", "断水", "老化", "损坏", "缺")


def _connected(clause: str) -> str:
    """A later clause of a case, led in by a word of ours: 发现 a problem, 并 an action, 共有 a count."""
    if clause.startswith(("发现", "并", "其中", "已", "共", "经", "了解")):
        return clause
    if re.match(r"^(?:群众|村民|家长|老人|老板|企业|校长|老师)?(?:都)?反映", clause):
        return "了解到" + clause
    if any(w in clause for w in (*_ISSUE_WORDS, "不足", "漏")):
        return "发现" + clause.removeprefix("有")
    if _RE_COUNTED.match(clause):
        return "共有" + clause  # 26名党员参加, 青禾食品等8家企业招工
    if clause.startswith(_ACTION_WORDS):
        return "并" + clause
    return clause


def _single(entry: Entry, places: dict[int, list[tuple[str, str]]] | None = None) -> _Piece | None:
    found = places if places is not None and entry.seq in places else {entry.seq: entry_places(entry)}
    return _case(entry, _main_place(entry, found))


def _without(entries: list[Entry], taken: Iterable[Entry]) -> list[Entry]:
    seqs = {e.seq for e in taken}
    return [e for e in entries if e.seq not in seqs]


def _first_clause(entry: Entry) -> str:
    parts = normalise.clauses(entry.text)
    return parts[0] if parts else ""


def _common_prefix(texts: Sequence[str]) -> str:
    first = texts[0]
    n = 0
    while n < len(first) and all(len(x) > n and x[n] == first[n] for x in texts):
        n += 1
    return first[:n]


def _by_opening(entries: list[Entry], places: dict[int, list[tuple[str, str]]], minimum: int = 2) -> list[list[Entry]]:
    """Entries whose first clause opens alike once places are set aside (为结对帮扶的困难户…, 在□开党员大会), grouped."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        clause = _first_clause(entry)
        for name, _ in places.get(entry.seq, []):
            clause = clause.replace(name, "□")
        if len(clause) >= 6:
            groups[clause[:5]].append(entry)
    return sorted((g for g in groups.values() if len(g) >= minimum), key=len, reverse=True)


def _pool_opening(group: list[Entry]) -> _Piece:
    """为结对帮扶的困难户送去米、油，落实医疗救助，联系就业岗位 — one sentence for entries that open alike."""
    firsts = [_first_clause(e) for e in group]
    prefix = _common_prefix(firsts)
    suffix = _common_prefix([f[len(prefix) :][::-1] for f in firsts])[::-1]
    if len(prefix) + len(suffix) < 3:
        suffix = ""
    middles = list(dict.fromkeys(f[len(prefix) : len(f) - len(suffix)] for f in firsts))
    named = {name for e in group for name, _ in entry_places(e)}
    for k in range(len(suffix), 0, -1):  # never cut a name: 东坪 + 村开党员大会 -> 东坪村 + 开党员大会
        if all(m + suffix[:k] in named for m in middles):
            middles, suffix = [m + suffix[:k] for m in middles], suffix[k:]
            break
    middles = [m for m in middles if m]
    shown = middles[:MAX_LISTED_NAMES]
    separator = "，" if any("、" in m for m in shown) else "、"
    text = prefix + separator.join(shown) + ("等" if len(middles) > len(shown) else "") + suffix
    text = t.POOLED_MANY.format(verb="", place="") + text if len(group) > 1 else text
    figures: set[tuple[float, str]] = set()
    return _Piece(text, group, figures, weight=len(group) / 2)


def _main_place(entry: Entry, places: dict[int, list[tuple[str, str]]]) -> str | None:
    """Where an entry's work was: a village or community before a firm named in passing (在秦川农业务工), and a
    place named inside a longer one (柳湾村 in 柳湾村花椒专业合作社) gives way to it."""
    found = [(name, kind) for name, kind in places.get(entry.seq, []) if kind in VISITED_TYPES]
    found = [(n, k) for n, k in found if not any(o != n and n in o for o, _ in found)]
    if is_visit(entry):
        found.sort(key=lambda item: item[1] not in ("village", "community"))
    return found[0][0] if found else None


def _pieces_for(
    code: str,
    items: list[Entry],
    places: dict[int, list[tuple[str, str]]],
    totals: ReportFigures,
    meetings: list[Entry],
    disputes: Sequence[list[Entry]] = (),
    visits_at: dict[str, list[Entry]] | None = None,
    partners: dict[str, list[tuple[str, list[Entry]]]] | None = None,
) -> list[_Piece]:
    visits_at = visits_at or {}
    partners = partners or {}
    pieces: list[_Piece] = []
    rest = list(items)
    if code == "petition":
        pooled = _pool_petitions(rest, totals)
        if pooled:
            pieces.append(pooled)
            rest = _without(rest, pooled.entries)
        for group in disputes:
            story = _dispute_story(group, places)
            if story is not None:
                pieces.append(story)
                rest = _without(rest, group)
    for name, group in partners.get(code, []):
        story = _partner_story(name, group)
        if story is not None:
            pieces.append(story)
            rest = _without(rest, group)
    if code in ("industry", "investment", "employment", "aid", "teaching"):
        trainings = [e for e in rest if is_organised_training(e)]
        if len(trainings) >= 2:
            pooled = _pool_trainings(trainings, rest)
            if pooled is not None:
                pieces.append(pooled)
                rest = _without(rest, pooled.entries)
    if code == "meeting":
        pooled = _pool_meetings(rest, meetings, totals)
        if pooled:
            pieces.append(pooled)
            rest = _without(rest, pooled.entries)
        # where he spoke: 作交流发言, 汇报了…, 作了安全工作部署
        for entry in [e for e in meetings if _RE_SPOKE.search(e.text)][:2]:
            spoke = _spoke_case(entry)
            if spoke is not None:
                pieces.append(spoke)
    if code != "research":
        for group in _by_opening(rest, places):
            pieces.append(_pool_opening(group))
            rest = _without(rest, group)
    by_place: dict[str, list[Entry]] = defaultdict(list)
    for entry in rest:
        place = _main_place(entry, places)
        if place and (code == "research" or _verb([entry]) in _VISIT_VERBS):
            by_place[place].append(entry)
    kinds = {name: kind for e in rest for name, kind in places.get(e.seq, [])}
    by_kind: dict[str, list[str]] = defaultdict(list)
    for place in by_place:
        by_kind[kinds.get(place, "village")].append(place)
    for kind, names in by_kind.items():
        if kind in ("enterprise", "cooperative", "school") and len(names) >= 4:
            group = [e for name in names for e in by_place.pop(name)]
            pieces.append(_pool_kind(kind, names, group))
            rest = _without(rest, group)
    for place, group in sorted(by_place.items(), key=lambda kv: -len(kv[1])):
        pooled_place = _pool_place(place, group, visits_at.get(place, ()) if code == "research" else ())
        if pooled_place is not None:
            pieces.append(pooled_place)
        rest = _without(rest, group)
    for group in _by_opening(rest, places):
        pieces.append(_pool_opening(group))
        rest = _without(rest, group)
    notable = sorted(
        (e for e in rest if e.starred or stage_of(e.text) == "done"), key=lambda e: (not e.starred, e.work_date)
    )
    for entry in notable[:1]:
        single = _single(entry, places)
        if single:
            pieces.append(single)
            rest = _without(rest, [entry])
    # what is left is told case by case, the entries with figures and done work first
    def worth(entry: Entry) -> tuple[int, int, int]:
        clauses = normalise.clauses(entry.text)
        acted = sum(1 for c in clauses if c.startswith(_ACTION_WORDS) or "已" in c)
        done = sum(1 for q in read_quantities(entry.text) if q.role in ("done", "secured"))
        return (-done, -acted, -len(entry.text))

    told = [e for e in rest if _tellable(e) and (code == "meeting" or not is_meeting(e))]
    for entry in sorted(told, key=worth)[: max(0, MAX_CASES - len(pieces))]:
        single = _single(entry, places)
        if single:
            pieces.append(single)
    return pieces


def _tellable(entry: Entry) -> bool:
    """Whether an entry is worth a case of its own: not his arrival, not figures of how things stand (全村耕地…)."""
    if any(w in entry.text for w in ("报到", "台账", "小结", "总结", "整理挂职")):
        return False
    if any(w in entry.text for w in ("到位", "拨付")) and any(w in entry.text for w in ("第一批", "剩余", "第一笔", "全部到位")):
        return False  # a tranche of money told already where it was secured
    quantities = read_quantities(entry.text)
    return not quantities or any(q.role in ("done", "secured", "subset") for q in quantities) or any(
        w in entry.text for w in _ACTION_WORDS
    )


def _section_figures(
    code: str,
    items: list[Entry],
    places: dict[int, list[tuple[str, str]]],
    new_money: set[tuple[int, int]],
) -> tuple[str, set[tuple[float, str]]]:
    """The section's pooled figures as one clause: places reached, households, funds secured.

    `new_money` holds (seq, offset) of the sums the draft counts as money secured: an arrival (拨付到位) of money
    secured earlier, perhaps told in another section, is not added again here."""
    names = list(dict.fromkeys(p for e in items for p, kind in places.get(e.seq, []) if kind in VISITED_TYPES))
    parts, figures = [], set()
    if len(names) >= 2 and code in ("aid", "industry", "investment", "safety", "teaching"):
        joined, etc = _join(names, 4)
        parts.append(t.SECTION_PLACES.format(names=joined, etc=etc))
    secured = sum(
        q.value
        for e in items
        for q in read_quantities(e.text)
        if q.kind == "money" and q.role == "secured" and (e.seq, q.start) in new_money
    )
    if secured:
        parts.append(t.FUNDS_SECURED.format(amount=money_text(secured)).lstrip("，"))
        figures.add((secured, "元"))
    return "，".join(parts), figures


def _research_clause(figures: ReportFigures, told: str = "") -> tuple[str, set[tuple[float, str]]]:
    """Where the visits went (the places its cases do not name) and how many households, from the draft's one set
    of figures."""
    names = [n for kind in ("village", "community") for n in figures.visited.get(kind, ()) if n not in told]
    parts: list[str] = []
    allowed: set[tuple[float, str]] = set()
    if figures.households_visited:
        parts.append(t.RESEARCH_HOUSEHOLDS.format(n=figures.households_visited))
        allowed.add((float(figures.households_visited), "户"))
    if names:
        parts.append(t.RESEARCH_PLACES.format(names="、".join(names[:8]), etc="等" if len(names) > 8 else ""))
    return "，".join(parts), allowed


def _work_sections(
    kind: str,
    work: list[Entry],
    threads: list[Thread],
    places: dict[int, list[tuple[str, str]]],
    records: Records,
    totals: ReportFigures,
) -> tuple[tuple[Subsection, ...], int]:
    by_seq = {e.seq: e for e in work}
    in_thread = {s for th in threads for s in th.seqs}
    new_money = {(e.seq, q.start) for e, q in funds_secured(work, places)}
    meetings = [e for e in work if is_meeting(e)]
    # a dispute followed over several entries is told once, in the petitions' section, whatever each was filed as
    disputes = _disputes([e for e in work if e.seq not in in_thread and e.kind != "study"], places)
    in_dispute = {e.seq for g in disputes for e in g}
    # a firm he worked with over several entries is told once, where most of those entries belong
    partner_codes: dict[str, list[tuple[str, list[Entry]]]] = defaultdict(list)
    partner_of: dict[int, str] = {}
    free = [e for e in work if e.seq not in in_thread and e.seq not in in_dispute and e.kind != "study"]
    for name, group in _partners(free, places):
        codes = Counter(c for e in group for c in e.categories[:1] if c not in ("research", "admin", "meeting"))
        code = codes.most_common(1)[0][0] if codes else "investment"
        partner_codes[code].append((name, group))
        partner_of.update({e.seq: code for e in group})
    visits_at: dict[str, list[Entry]] = defaultdict(list)
    for entry in work:
        place = _main_place(entry, places) if is_visit(entry) else None
        if place:
            visits_at[place].append(entry)
    by_category: dict[str, list[Entry]] = defaultdict(list)
    for entry in work:
        if entry.seq in in_thread or (entry.kind == "study" and not is_organised_training(entry)):
            continue
        code = entry.categories[0] if entry.categories else "other"
        if entry.kind == "study":  # a training he ran is work: 全县中小学教师暑期培训
            code = next((c for c in entry.categories if c != "study"), "teaching")
        elif code in ("admin", "party", "other") and is_meeting(entry) and len(meetings) >= MIN_SECTION_ENTRIES:
            code = "meeting"
        if entry.seq in in_dispute:
            code = "petition"
        elif entry.seq in partner_of:
            code = partner_of[entry.seq]
        if code in ("study", "other", "admin"):
            continue  # 报到, 汇报 and the like are no section of work
        by_category[code].append(entry)
    weight = {code: float(len(items)) for code, items in by_category.items()}
    if threads:
        weight["project"] = weight.get("project", 0.0) + sum(
            5.0 + 3 * STAGE_ORDER.get(th.state or "", 0) for th in threads
        )
    ranked = [
        c
        for c in sorted(weight, key=lambda c: -weight[c])
        if c == "project"
        or len(by_category[c]) >= MIN_SECTION_ENTRIES
        or any(q.role in ("done", "secured") for e in by_category[c] for q in read_quantities(e.text))
    ]
    chosen = ranked[: MAX_SECTIONS[kind]]
    if threads and "project" not in chosen:
        chosen = [*chosen[:-1], "project"]  # the period's projects and their results always have their place
    subsections, unverified = [], 0
    for index, code in enumerate(chosen):
        items = by_category.get(code, [])
        pieces = _pieces_for(code, items, places, totals, meetings, disputes, visits_at, partner_codes) if items else []
        if code == "project":
            pieces = [_thread_story(th, by_seq, places) for th in threads] + pieces
        most = MAX_CASES + (1 if index < 2 else 0) + (1 if code == "research" else 0)
        pieces = sorted(pieces, key=lambda p: -p.weight)[:most]
        if not pieces:
            continue
        lead = t.TOPICS.get(code, t.TOPIC_FALLBACK)[index % 2]
        if code == "research":
            figure_clause, figures = _research_clause(totals, "".join(p.text for p in pieces))
        elif code == "project":
            figure_clause, figures = "", set()
        else:
            figure_clause, figures = _section_figures(code, items, places, new_money)
        first = pieces[0]
        opening = lead + (figure_clause + "。" if figure_clause else "")
        paragraphs = []
        if len(pieces) == 1:
            body = opening + first.text.rstrip("。") + "。" if figure_clause else lead + first.text.rstrip("。") + "。"
            paragraphs.append((body, first.entries, figures | first.figures))
        else:
            intro = (
                opening if figure_clause else lead.rstrip("，") + "，主要做了以下工作：" if code != "project" else ""
            )
            if code == "project":
                intro = lead + "主要推进了以下工作："
            cases = _ordinals([p.text for p in pieces])
            paragraphs.append(
                (intro + cases, [e for p in pieces for e in p.entries], figures.union(*(p.figures for p in pieces)))
            )
        built = []
        for text, sources, allowed in paragraphs:
            checked = verify_paragraph(text, [_source(e) for e in sources], allowed, records)
            unverified += checked.unverified
            built.append(checked)
        heading = t.CATEGORY_HEADINGS.get(code, t.CATEGORY_HEADINGS["project"])
        subsections.append(Subsection(heading, tuple(built)))
    return tuple(subsections), unverified


def _basic(figures: ReportFigures, unvisited: tuple[int, int] | None) -> tuple[str, set[tuple[float, str]]]:
    allowed: set[tuple[float, str]] = set()
    text = ""
    if figures.days_on_post:
        text = t.FACT_DAYS.format(net=figures.days_on_post_net)
        allowed |= {(float(figures.days_on_post_net), "天")}
        if figures.leave_days:
            text += t.FACT_LEAVE.format(leave=figures.leave_days)
            allowed.add((float(figures.leave_days), "天"))
        if figures.workdays_logged:
            text += t.FACT_LOGGED.format(days=figures.workdays_logged)
            allowed.add((float(figures.workdays_logged), "天"))
        text += "。"
    visited = []
    for kind in VISITED_TYPES:
        names = figures.visited.get(kind, ())
        if names:
            joined, etc = _join(names, 3)
            if len(names) == 1:
                visited.append(joined)  # one place is named, not counted: 云溪社区, not 云溪社区1个社区
                continue
            visited.append(t.FACT_VISITED[kind].format(names=joined, etc=etc or "等", n=len(names)))
            allowed.add((float(len(names)), "个"))
    parts = []
    if visited:
        parts.append(t.FACT_VISITED_LEAD + "、".join(visited))
        if unvisited:
            parts[-1] += t.FACT_UNVISITED.format(total=unvisited[0], left=unvisited[1])
    if figures.money_yuan:
        parts.append(t.FACT_FUNDS.format(amount=money_text(figures.money_yuan)))
        allowed.add((figures.money_yuan, "元"))
    for value, template, unit in (
        (figures.households_visited, t.FACT_HOUSEHOLDS, "户"),
        (figures.meetings, t.FACT_MEETINGS, "次"),
        (figures.petition_visitors, t.FACT_PETITIONS, "人次"),
        (figures.petitions, t.FACT_CASES, "起"),
    ):
        if value:
            parts.append(template.format(n=value))
            allowed.add((float(value), unit))
    if parts:
        text += "，".join(parts) + "。"
    return text, allowed


_RE_DUTIES = re.compile(r"分管([\u4e00-\u9fff、和及]{2,24}?)(?:工作)?(?=[，,。；;]|联系|$)")
_RE_LINKED = re.compile(r"联系([\u4e00-\u9fff、和]{2,30}?(?:村|社区))(?=[，,。；;]|$)")
_RE_TRAINING = re.compile(r"([\u4e00-\u9fff]{2,16}?(?:培训班|中心组学习|专题学习|专题培训|集中学习|读书班))")


_RE_PROFILE = re.compile(r"(?:介绍|基本情况|情况)[^：:，,。]{0,8}[：:]([^。！？]{4,80})")
_RE_WHOLE = re.compile(r"(全县|全镇|全乡|全村|全区|全市)")


def _host_profile(entries: Sequence[Entry], first_day: dt.date, host: str) -> str:
    """The host as he described it on arrival (全镇9个行政村1个社区，2.3万人), told without pasting it."""
    for entry in entries:
        if (entry.work_date - first_day).days > 14:
            break
        m = _RE_PROFILE.search(normalise.punctuate(entry.text))
        if m is None:
            continue
        clauses = [c for c in normalise.clauses(m.group(1)) if any(ch.isdigit() for ch in c)]
        if len(clauses) < 2:
            continue
        whole = _RE_WHOLE.search(entry.text[: entry.text.find(m.group(1)[:2])] + clauses[0])
        subject = whole.group(1) if whole else host
        clauses = [_RE_WHOLE.sub("", c) for c in clauses]
        kept = _retold(["、".join(clauses[:2]), *clauses[2:4]], entry.text)
        if kept:
            return t.HOST_PROFILE.format(subject=subject, profile="，".join(kept))
    return ""


def _duties(entries: Iterable[Entry]) -> str:
    """What he was given to do, in his words: 分管党建、信访和交通，联系石门村、杨家坪村."""
    duties = linked = ""
    for entry in entries:
        text = normalise.punctuate(entry.text)
        if not duties and (m := _RE_DUTIES.search(text)):
            duties = m.group(1)
        if not linked and (m := _RE_LINKED.search(text)):
            linked = m.group(1)
    parts = [t.DUTIES.format(duties=duties) if duties else "", t.LINKED.format(places=linked) if linked else ""]
    return t.DUTIES_LEAD + "，".join(p for p in parts if p) + "。" if duties or linked else ""


def _trainings(entries: Iterable[Entry]) -> list[str]:
    """Trainings and group study sessions he attended, named as he named them (驻村第一书记培训班, 中心组学习)."""
    found: list[str] = []
    for entry in entries:
        for m in _RE_TRAINING.finditer(_RE_BOOK.sub("", normalise.punctuate(entry.text))):
            name = re.sub(r"^.*(?:参加|参与|在|开展|组织)", "", m.group(1))
            name = re.sub(r"^(?:市委党校|县委党校|党校)", "", name) if len(name) > 8 else name
            if len(name) >= 4 and not any(name in f or f in name for f in found):
                found.append(name)
    return found[:3]


def _quotes(text: str) -> str:
    """ASCII quotation marks as 公文 ones (《习近平关于“三农”工作论述摘编》); nothing else of a title changes."""
    return re.sub(r'"([^"]*)"', "“\\1”", text).replace("(", "（").replace(")", "）")


def _study(figures: ReportFigures, entries: Sequence[Entry] = ()) -> tuple[str, set[tuple[float, str]]]:
    if not figures.study_sessions:
        return t.STUDY_NONE, set()
    text = t.STUDY_OPEN.format(n=figures.study_sessions)
    trainings = _trainings(entries)
    if trainings:
        text += t.STUDY_TRAININGS.format(names="、".join(trainings))
    allowed = {
        (float(figures.study_sessions), "次"),
        (float(figures.study_notes), "次"),
        (float(figures.reflections), "篇"),
    }
    if figures.materials:
        titles = "".join(f"《{_quotes(m)}》" for m in figures.materials[:4])  # consecutive titles take no 顿号
        text += t.STUDY_TITLES.format(titles=titles, etc="等" if len(figures.materials) > 4 else "")
    if figures.study_notes:
        text += t.STUDY_NOTES_TEXT.format(n=figures.study_notes)
    if figures.reflections:
        essays = [
            f"《{_quotes(title)}》" for e in entries if is_reflection_essay(e) for title in e.details.get("materials", [])
        ]
        text += t.STUDY_REFLECTIONS_TEXT.format(titles="".join(dict.fromkeys(essays))[:60], n=figures.reflections)
    return text + "。", allowed


_RE_ITEM_SPLIT = re.compile(
    r"(?:^|[。；;，,\s])(?:[一二三四五六七八九十]是|[一二三四五六七八九十]、|\d[.、．]|（\d）|\(\d\)|首先|其次|再次|最后)"
)


def own_points(texts: Iterable[str]) -> list[str]:
    """The cadre's own words for one section as separate points: labels and his own numbering removed."""
    points: list[str] = []
    for text in texts:
        body = normalise.punctuate(strip_label(text))
        for part in _RE_ITEM_SPLIT.split(body):
            point = part.strip("。；，、：: ")
            if len(point) >= 4 and point not in points:
                points.append(point)
    return points


def _own_section(entries: list[Entry], role: str, missing: list[str], records: Records) -> tuple[Paragraph, ...]:
    own = [e for e in entries if role_of(e) == role]
    points = own_points(e.text for e in own)
    if not points:
        missing.append(role)
        return (Paragraph(t.MISSING[role]),)
    text = _ordinals(points[:5])
    return (verify_paragraph(text, [_source(e) for e in own], set(), records),)


def _canonical(paragraph: Paragraph, names: dict[str, str]) -> Paragraph:
    """A misspelt or shortened name as its place's full name, the way a 公文 names it (柳弯村 -> 柳湾村, 绿源合作社 ->
    绿源茶叶专业合作社, 宏远机械 -> 安平县宏远机械制造有限公司); a full name already written is left alone."""
    text = paragraph.text
    for alias in sorted(names, key=len, reverse=True):
        full = names[alias]
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(full), text)]
        out, last = [], 0
        for m in re.finditer(re.escape(alias), text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            out.append(text[last : m.start()] + full)
            last = m.end()
        text = "".join(out) + text[last:]
    return paragraph if text == paragraph.text else replace(paragraph, text=text)


def _canonical_section(section: Section, names: dict[str, str]) -> Section:
    if not names:
        return section
    return replace(
        section,
        paragraphs=tuple(_canonical(p, names) for p in section.paragraphs),
        subsections=tuple(
            replace(sub, paragraphs=tuple(_canonical(p, names) for p in sub.paragraphs)) for sub in section.subsections
        ),
    )


def compile_report(
    kind: str,
    person: Person,
    entries: Sequence[Entry],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    places: Sequence[KnownPlace] = (),
    unvisited: tuple[int, int] | None = None,
) -> ReportDraft:
    """Compile the draft of `kind` ("mid", "final", "month", "week") over the entries dated start..end."""
    if kind not in KINDS:
        raise ValueError(kind)
    posting = person.posting
    chosen = sorted(
        (e for e in entries if e.status == "active" and not e.excluded and start <= e.work_date <= end),
        key=lambda e: (e.work_date, e.seq),
    )
    roles = {e.seq: role_of(e) for e in chosen}
    counted = [e for e in chosen if roles[e.seq] in ("work", "leave", "back")]
    work = [e for e in chosen if roles[e.seq] == "work" and e.kind not in ("leave", "back")]
    # one gazetteer for the whole draft: names at word boundaries, short forms and typos resolved to the full name
    gazetteer = learn((e.text for e in chosen), imported=places)
    located = {e.seq: [(p.name, p.type) for p in gazetteer.find(e.text)] for e in chosen}
    figures = compute_figures(counted, posting, start, end, located)
    records = Records.build(chosen, person)
    # a project is at a village, a community, a firm or a school; an agency that approved it is no place of it
    mentions = [
        Mention(
            e.seq,
            e.work_date,
            normalise.punctuate(e.text),
            tuple(n for n, kind in located[e.seq] if kind in VISITED_TYPES),
        )
        for e in work
    ]
    # a thread is told as a project when it went beyond a problem raised (or the cadre named it a project)
    kinds = {name: kind for found in located.values() for name, kind in found}
    threads = [
        th
        for th in find_threads(mentions)
        if (th.state not in (None, "raised") and kinds.get(th.place or "", "village") in ("village", "community"))
        or th.name.endswith(("项目", "工程"))
    ]
    missing: list[str] = []
    host = (posting.host_unit if posting else None) or t.MISSING_HOST
    first_day = posting.start_date if posting and posting.start_date else start
    values = {
        "sending": (posting.sending_unit if posting else None) or t.SENDING_FALLBACK,
        "start": _day(first_day),
        "end": _day(posting.end_date) if posting and posting.end_date else _day(end),
        "host": host,
        "leadership": leadership(host) if posting and posting.host_unit else host,
        "position": (posting.position if posting else None) or t.MISSING_POSITION,
        "span": span_text(first_day, min(end, posting.end_date) if posting and posting.end_date else end),
        "year": start.year,
        "month": start.month,
        "period_start": _day(start),
        "period_end": _day(end),
    }
    opening_template = {"mid": t.OPENING_MID, "final": t.OPENING_FINAL}.get(kind, t.OPENING.get(kind, ""))
    opening = Paragraph(opening_template.format(**values))
    subsections, _ = _work_sections(kind, work, threads, located, records, figures)
    work_section = Section(t.SECTION_WORK, subsections=subsections)
    study_text, study_allowed = _study(figures, [e for e in work if e.kind == "study"])
    study_sources = [_source(e) for e in work if e.kind == "study"]
    study_paragraph = verify_paragraph(study_text, study_sources, study_allowed, records)
    study_section = Section(t.SECTION_STUDY, (study_paragraph,))
    if kind in ("month", "week"):
        plans = t.SECTION_MONTH_PLANS if kind == "month" else t.SECTION_WEEK_PLANS
        sections: tuple[Section, ...] = (
            work_section,
            study_section,
            Section(plans, _own_section(chosen, "next_steps", missing, records)),
        )
        closing = t.CLOSING_PERIODIC
    else:
        basic_text, basic_allowed = _basic(figures, unvisited)
        basic_text = _host_profile(counted, first_day, host) + _duties(counted) + basic_text
        basic_sources = [_source(e) for e in counted]
        basic = verify_paragraph(basic_text, basic_sources, basic_allowed, records) if basic_text else None
        sections = (
            Section(t.SECTION_BASIC, (basic,) if basic else ()),
            work_section,
            study_section,
            Section(t.SECTION_REFLECTIONS, _own_section(chosen, "reflections", missing, records)),
            Section(t.SECTION_SHORTCOMINGS, _own_section(chosen, "shortcomings", missing, records)),
            Section(t.SECTION_PLANS, _own_section(chosen, "next_steps", missing, records)),
        )
        closing = t.CLOSING_MID if kind == "mid" else t.CLOSING_FINAL
    typos = {
        a: p.name for p in gazetteer for a in p.aliases if len(a) >= 3 and p.type in (*VISITED_TYPES, "agency")
    }
    sections = tuple(_canonical_section(section, typos) for section in sections)
    draft = ReportDraft(
        kind=kind,
        title=report_title(kind, start, end),
        opening=opening,
        sections=sections,
        closing=Paragraph(closing),
        signature_name=person.name,
        signature_date=today,
        missing=tuple(missing),
        source_seqs=tuple(e.seq for e in chosen),
        plans_offered=tuple(e.seq for e in chosen if roles[e.seq] == "plan"),
        figures=figures,
    )
    marked = sum(p.unverified for p in draft.paragraphs())
    return replace(draft, unverified=marked)


__all__ = [
    "KINDS",
    "OWN_WORDS",
    "compile_report",
    "leadership",
    "length_text",
    "money_text",
    "own_points",
    "report_title",
    "role_of",
    "span_text",
]
