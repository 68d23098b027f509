"""Compile the programme's report — 第N批挂职干部中期（期满）工作情况汇报 — from all cadres of one batch.

Pure: the batch's cadres with their entries, the calendar and dates in; a `ReportDraft` out, rendered by the same
Word and Markdown code as a cadre's draft. What the organisation department's roll-up says (domain §2.9): the
period and the number of cadres, pooled figures and averages, one highlight line per cadre ("到青山镇挂职的王明同志，
…"), and the exceptions (no records, long silences, a low share of working days logged, leave not closed, reports
not compiled). Each cadre's figures come from the code his own draft and his supervisor's digest use
(reporting/figures.py, reporting/digest.py); every paragraph goes through the verifier (reporting/verify.py), so a
number or a name the records do not give is marked 【待核实】.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from analysis import normalise
from analysis.lexicon import CATEGORY_LABELS
from reporting import programme_texts as pt
from reporting.compose import money_text, span_text
from reporting.digest import CadreWeek, summarise
from reporting.figures import ReportFigures, compute_figures, role_of
from reporting.model import Paragraph, ReportDraft, Section, Source, date_text
from reporting.verify import Records, stated, verify_paragraph
from storage.entities import Entry, Person
from timing.workdays import WorkCalendar

KINDS = ("mid", "final")
LOW_SHARE = 0.5  # below this share of working days logged, a cadre is named among the exceptions
LOW_SHARE_MIN_WORKDAYS = 5  # …once he has had at least this many working days on post
HOSTS_NAMED = 3
PLACES_NAMED = 3
TITLES_NAMED = 4
CATEGORIES_NAMED = 4
HIGHLIGHT_ENTRIES = 2
HIGHLIGHT_CHARS = 60
HOST_SUFFIXES = ("人民政府", "党委", "政府")  # 到青山镇挂职, not 到青山镇人民政府挂职
PLACE_ENDINGS = ("镇", "乡", "县", "区", "市", "村", "街道", "社区")


@dataclass(frozen=True, slots=True)
class Member:
    """One cadre of the batch: his person and posting, his entries, and what the digest needs besides."""

    person: Person
    entries: tuple[Entry, ...]
    last_entry: dt.date | None = None  # his newest work entry ever
    reports_done: frozenset[str] = frozenset()  # report kinds he has compiled (mid, final …)


@dataclass(frozen=True, slots=True)
class CadreLine:
    """One cadre's share of the roll-up."""

    person: Person
    start: dt.date
    end: dt.date
    figures: ReportFigures
    week: CadreWeek  # working days, days logged, silence, flags and highlights over [start, end]
    sources: tuple[Source, ...]  # his work entries in the period, as the review copy cites them
    study_sources: tuple[Source, ...]  # his study records among them
    reports_done: frozenset[str]  # report kinds he has compiled


@dataclass(frozen=True, slots=True)
class ProgrammeFigures:
    """The pooled figures of a batch over [start, end] (each cadre over his own part of it)."""

    batch: str
    start: dt.date
    end: dt.date
    lines: tuple[CadreLine, ...]
    cadres: int = 0
    sending_units: tuple[str, ...] = ()
    host_units: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    entries: int = 0
    days_on_post_net: int = 0
    leave_days: int = 0
    workdays: int = 0  # working days on post, leave excluded (China's calendar)
    logged: int = 0  # of those, days with a work entry
    visits: int = 0
    households: int = 0
    villages: tuple[str, ...] = ()  # villages and communities visited, distinct over the batch
    enterprises: tuple[str, ...] = ()
    meetings: int = 0
    petitions: int = 0
    petition_visitors: int = 0
    money_yuan: float = 0.0
    study_sessions: int = 0
    study_notes: int = 0
    reflections: int = 0
    materials: tuple[str, ...] = ()
    by_category: dict[str, int] = field(default_factory=dict)

    @property
    def share(self) -> int:
        """Percent of working days on post with a work entry (0 without working days)."""
        return round(100 * self.logged / self.workdays) if self.workdays else 0

    def average(self, total: float) -> float:
        return round(total / self.cadres, 1) if self.cadres else 0.0


def batch_title(batch: str) -> str:
    """第三批 stays; a bare number or numeral becomes 第N批; any other name (2026年春季) is used as it is."""
    name = batch.strip()
    if name.startswith("第") or name.endswith("批"):
        return name
    if name.isdigit() or all(c in "一二三四五六七八九十百" for c in name):
        return pt.BATCH_ORDINAL.format(batch=name)
    return name


def programme_title(kind: str, batch: str) -> str:
    return pt.TITLE.format(batch=batch_title(batch), kind=pt.KIND_WORDS[kind])


def short_host(host: str) -> str:
    """青山镇人民政府 -> 青山镇: how a roll-up names where a cadre serves."""
    for suffix in HOST_SUFFIXES:
        base = host[: -len(suffix)]
        if host.endswith(suffix) and len(base) >= 2 and base.endswith(PLACE_ENDINGS):
            return base
    return host


def _source(person: Person, entry: Entry) -> Source:
    """An entry as the review copy cites it: the cadre's name first, numbers being his own."""
    return Source(entry.seq, entry.work_date, f"{person.name}：{entry.text}")


def _counted(entries: Iterable[Entry], start: dt.date, end: dt.date) -> list[Entry]:
    """Active entries dated in [start, end] the cadre has not kept out of his reports."""
    return [e for e in entries if e.status == "active" and not e.excluded and start <= e.work_date <= end]


def programme_figures(
    batch: str, members: Sequence[Member], end: dt.date, today: dt.date, calendar: WorkCalendar
) -> ProgrammeFigures:
    """Each cadre's figures over his part of [batch start, end], and their sums."""
    starts = [m.person.posting.start_date for m in members if m.person.posting and m.person.posting.start_date]
    start = min(starts) if starts else end
    lines: list[CadreLine] = []
    for member in members:
        posting = member.person.posting
        first = max(start, posting.start_date) if posting and posting.start_date else start
        last = min(end, posting.end_date) if posting and posting.end_date else end
        chosen = _counted(member.entries, first, last) if last >= first else []
        counted = [e for e in chosen if role_of(e) in ("work", "leave", "back")]
        figures = compute_figures(counted, posting, first, max(first, last))
        week = summarise(
            member.person,
            counted,
            first,
            max(first, last),
            today,
            calendar,
            last_entry=member.last_entry,
            reports_done=set(member.reports_done),
        )
        work = [e for e in counted if role_of(e) == "work"]
        sources = tuple(_source(member.person, e) for e in work)
        study = tuple(_source(member.person, e) for e in work if e.kind == "study")
        lines.append(
            CadreLine(member.person, first, max(first, last), figures, week, sources, study, member.reports_done)
        )

    def distinct(values: Iterable[str | None]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for v in values if v))

    categories: Counter[str] = Counter()
    for line in lines:
        categories.update(line.figures.by_category)
    return ProgrammeFigures(
        batch=batch,
        start=start,
        end=end,
        lines=tuple(lines),
        cadres=len(lines),
        sending_units=distinct(line.person.posting.sending_unit for line in lines if line.person.posting),
        host_units=distinct(line.person.posting.host_unit for line in lines if line.person.posting),
        positions=distinct(line.person.posting.position for line in lines if line.person.posting),
        entries=sum(line.figures.entries for line in lines),
        days_on_post_net=sum(line.figures.days_on_post_net for line in lines),
        leave_days=sum(line.figures.leave_days for line in lines),
        workdays=sum(line.week.workdays for line in lines),
        logged=sum(line.week.logged for line in lines),
        visits=sum(line.figures.visits for line in lines),
        households=sum(line.figures.households_visited for line in lines),
        villages=distinct(
            name for line in lines for kind in ("village", "community") for name in line.figures.visited.get(kind, ())
        ),
        enterprises=distinct(name for line in lines for name in line.figures.visited.get("enterprise", ())),
        meetings=sum(line.figures.meetings for line in lines),
        petitions=sum(line.figures.petitions for line in lines),
        petition_visitors=sum(line.figures.petition_visitors for line in lines),
        money_yuan=sum(line.figures.money_yuan for line in lines),
        study_sessions=sum(line.figures.study_sessions for line in lines),
        study_notes=sum(line.figures.study_notes for line in lines),
        reflections=sum(line.figures.reflections for line in lines),
        materials=distinct(title for line in lines for title in line.figures.materials),
        by_category=dict(categories.most_common()),
    )


def _records(members: Sequence[Member], extra: Iterable[dt.date]) -> Records:
    """What the batch's records name and date: every entry and posting, and the dates the report computes."""
    texts: list[str] = []
    dates: list[dt.date] = list(extra)
    for member in members:
        texts += [e.text for e in member.entries] + [e.original_text for e in member.entries]
        posting = member.person.posting
        if posting:
            texts += [v for v in (posting.host_unit, posting.sending_unit, posting.position) if v]
            dates += [d for d in (posting.start_date, posting.end_date) if d]
        dates += [e.work_date for e in member.entries]
    return Records(
        texts=tuple(texts),
        months=frozenset(d.month for d in dates),
        days=frozenset(d.day for d in dates),
        years=frozenset(d.year for d in dates),
    )


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _names(names: Sequence[str], limit: int) -> tuple[str, str]:
    return "、".join(names[:limit]), ("等" if len(names) > limit else "")


def _opening(kind: str, figures: ProgrammeFigures) -> tuple[str, set[tuple[float, str]]]:
    hosts = list(dict.fromkeys(short_host(h) for h in figures.host_units))
    shown = (
        "、".join(hosts)
        if len(hosts) <= HOSTS_NAMED
        else pt.HOSTS_ETC.format(names="、".join(hosts[:HOSTS_NAMED]), n=len(hosts))
    )
    text = pt.OPENING.format(
        batch=batch_title(figures.batch),
        n=figures.cadres,
        start=date_text(figures.start),
        hosts=shown or pt.SIGNATURE_MISSING,
        span=span_text(figures.start, figures.end),
        entries=figures.entries,
        kind=pt.KIND_WORDS[kind],
    )
    # the batch's own name (第三批) and the span (三个月) are numbers too, given by the postings
    named = {
        (value, unit) for value, unit, _ in stated(batch_title(figures.batch) + span_text(figures.start, figures.end))
    }
    return text, {(float(figures.cadres), "名"), (float(len(hosts)), "个"), *named}


def _basic(figures: ProgrammeFigures) -> tuple[str, set[tuple[float, str]]]:
    positions = "、".join(figures.positions[:3]) or pt.SIGNATURE_MISSING
    text = pt.BASIC_COUNT.format(
        n=figures.cadres, sending=len(figures.sending_units), hosts=len(figures.host_units), positions=positions
    )
    allowed = {
        (float(figures.cadres), "名"),
        (float(len(figures.sending_units)), "个"),
        (float(len(figures.host_units)), "个"),
    }
    values = {
        "start": date_text(figures.start),
        "end": date_text(figures.end),
        "net": figures.days_on_post_net,
        "leave": figures.leave_days,
        "workdays": figures.workdays,
        "logged": figures.logged,
        "share": figures.share,
    }
    if not figures.workdays:
        text += pt.BASIC_DAYS_NONE.format(**values)
    else:
        text += (pt.BASIC_DAYS if figures.leave_days else pt.BASIC_DAYS_NO_LEAVE).format(**values)
        allowed |= {
            (float(v), "天") for v in (figures.days_on_post_net, figures.leave_days, figures.workdays, figures.logged)
        }
    return text, allowed


def _work(figures: ProgrammeFigures) -> tuple[list[str], set[tuple[float, str]]]:
    parts: list[str] = []
    allowed: set[tuple[float, str]] = set()
    for value, template, unit in (
        (figures.visits, pt.WORK_VISITS, "次"),
        (figures.households, pt.WORK_HOUSEHOLDS, "户"),
    ):
        if value:
            parts.append(template.format(n=value))
            allowed.add((float(value), unit))
    if figures.villages:
        joined, etc = _names(figures.villages, PLACES_NAMED)
        parts.append(pt.WORK_PLACES.format(names=joined, etc=etc, n=len(figures.villages)))
        allowed.add((float(len(figures.villages)), "个"))
    for value, template, unit in (
        (len(figures.enterprises), pt.WORK_ENTERPRISES, "家"),
        (figures.meetings, pt.WORK_MEETINGS, "次"),
        (figures.petition_visitors, pt.WORK_PETITION_VISITORS, "人次"),
        (figures.petitions, pt.WORK_PETITIONS, "起"),
    ):
        if value:
            parts.append(template.format(n=value))
            allowed.add((float(value), unit))
    if figures.money_yuan:
        parts.append(pt.WORK_MONEY.format(amount=money_text(figures.money_yuan)))
        allowed.add((figures.money_yuan, "元"))
    paragraphs = [pt.WORK_LEAD + "，".join(parts) + "。" if parts else pt.WORK_NONE]
    averages = []
    for total, template, unit in (
        (figures.logged, pt.AVERAGE_LOGGED, "天"),
        (figures.visits, pt.AVERAGE_VISITS, "次"),
        (figures.households, pt.AVERAGE_HOUSEHOLDS, "户"),
        (figures.study_sessions, pt.AVERAGE_STUDY, "次"),
    ):
        mean = figures.average(total)
        if mean >= 1 and figures.cadres > 1:  # "0.3次 each" says less than the total does
            averages.append(template.format(n=_number(mean)))
            allowed.add((mean, unit))
    if averages:
        paragraphs.append(pt.AVERAGE_LEAD + "，".join(averages) + "。")
    top = [(code, n) for code, n in figures.by_category.items() if code in CATEGORY_LABELS][:CATEGORIES_NAMED]
    if top:
        items = "、".join(pt.CATEGORY_ITEM.format(label=CATEGORY_LABELS[code], n=n) for code, n in top)
        paragraphs.append(pt.CATEGORIES_LEAD + items + "。")
    return paragraphs, allowed


def _study(figures: ProgrammeFigures) -> tuple[str, set[tuple[float, str]]]:
    if not figures.study_sessions:
        return pt.STUDY_NONE, set()
    text = pt.STUDY_TEXT.format(n=figures.study_sessions)
    allowed = {(float(figures.study_sessions), "次")}
    if figures.study_notes:
        text += pt.STUDY_NOTES.format(n=figures.study_notes)
        allowed.add((float(figures.study_notes), "次"))
    if figures.reflections:
        text += pt.STUDY_REFLECTIONS.format(n=figures.reflections)
        allowed.add((float(figures.reflections), "篇"))
    if figures.materials:
        titles = "".join(f"《{m}》" for m in figures.materials[:TITLES_NAMED])
        text += pt.STUDY_TITLES.format(titles=titles, etc="等" if len(figures.materials) > TITLES_NAMED else "")
    without = [line.person.name for line in figures.lines if not line.figures.study_sessions]
    if without:
        text += pt.STUDY_WITHOUT.format(names="、".join(without))
    return text + "。", allowed


def _highlight(line: CadreLine) -> str | None:
    """到{host}挂职的{name}同志，… from his one or two weightiest work entries of the period, oldest first."""
    chosen = sorted(line.week.highlights[:HIGHLIGHT_ENTRIES], key=lambda e: (e.work_date, e.seq))
    clauses = [normalise.clean(e.text, HIGHLIGHT_CHARS).rstrip("。；，") for e in chosen]
    clauses = [c for c in clauses if c]
    if not clauses:
        return None
    posting = line.person.posting
    host = short_host(posting.host_unit) if posting and posting.host_unit else pt.SIGNATURE_MISSING
    return pt.HIGHLIGHT.format(host=host, name=line.person.name, text="；".join(clauses) + "。")


def _exceptions(kind: str, figures: ProgrammeFigures, today: dt.date) -> tuple[list[str], set[tuple[float, str]]]:
    sentences: list[str] = []
    allowed: set[tuple[float, str]] = set()
    nothing = [line.person.name for line in figures.lines if not line.figures.workdays_logged]
    if nothing:
        sentences.append(pt.EXCEPTION_NOTHING.format(names="、".join(nothing)))
    for line in figures.lines:
        if not line.figures.workdays_logged:
            continue
        week, name = line.week, line.person.name
        still_posted = line.end >= today - dt.timedelta(days=1)
        if "silent" in week.flags and still_posted:
            sentences.append(pt.EXCEPTION_SILENT.format(name=name, n=week.silent_workdays))
            allowed.add((float(week.silent_workdays), "个"))
        elif week.workdays >= LOW_SHARE_MIN_WORKDAYS and week.logged < LOW_SHARE * week.workdays:
            sentences.append(pt.EXCEPTION_LOW_SHARE.format(name=name, share=round(100 * week.logged / week.workdays)))
        if week.unreturned_leave is not None:
            first, last = (dt.date.fromisoformat(d) for d in week.unreturned_leave)
            sentences.append(pt.EXCEPTION_NOT_BACK.format(name=name, start=date_text(first), end=date_text(last)))
        if "report_overdue" in week.flags:
            sentences.append(pt.EXCEPTION_REPORT_OVERDUE.format(name=name, kind=pt.KIND_WORDS[kind]))
    wanted = {"mid": {"mid", "final"}, "final": {"final"}}[kind]
    pending = [
        line.person.name
        for line in figures.lines
        if not wanted & line.reports_done and "report_overdue" not in line.week.flags
    ]
    if pending:
        sentences.append(pt.EXCEPTION_REPORT.format(names="、".join(pending), kind=pt.KIND_WORDS[kind]))
    return sentences, allowed


def compile_programme(
    kind: str,
    batch: str,
    members: Sequence[Member],
    end: dt.date,
    today: dt.date,
    calendar: WorkCalendar,
    signature: str | None = None,
) -> ReportDraft:
    """The batch's 中期 ("mid") or 期满 ("final") report over [the earliest posting start, end]."""
    if kind not in KINDS:
        raise ValueError(kind)
    if not members:
        raise ValueError("a programme report needs at least one cadre")
    figures = programme_figures(batch, members, end, today, calendar)
    return _draft(kind, figures, members, today, signature)


def _draft(
    kind: str, figures: ProgrammeFigures, members: Sequence[Member], today: dt.date, signature: str | None
) -> ReportDraft:
    leave_days = [
        dt.date.fromisoformat(d)
        for line in figures.lines
        if line.week.unreturned_leave
        for d in line.week.unreturned_leave
    ]
    records = _records(members, [figures.start, figures.end, today, *leave_days])
    everything = [s for line in figures.lines for s in line.sources]
    studies = [s for line in figures.lines for s in line.study_sources]

    def checked(
        text: str, sources: Sequence[Source], allowed: set[tuple[float, str]], own: Records = records
    ) -> Paragraph:
        return verify_paragraph(text, sources, allowed, own)

    opening_text, opening_allowed = _opening(kind, figures)
    basic_text, basic_allowed = _basic(figures)
    work_texts, work_allowed = _work(figures)
    study_text, study_allowed = _study(figures)
    highlights = []
    for line, member in zip(figures.lines, members, strict=True):
        text = _highlight(line)
        if text is not None:
            own = _records([member], [])
            told = {e.seq for e in line.week.highlights[:HIGHLIGHT_ENTRIES]}
            highlights.append(checked(text, [s for s in line.sources if s.seq in told], set(), own))
    exception_texts, exception_allowed = _exceptions(kind, figures, today)
    sections = (
        Section(pt.SECTION_BASIC, (checked(basic_text, everything, basic_allowed),)),
        Section(pt.SECTION_WORK, tuple(checked(t, everything, work_allowed) for t in work_texts)),
        Section(pt.SECTION_STUDY, (checked(study_text, studies, study_allowed),)),
        Section(pt.SECTION_HIGHLIGHTS, tuple(highlights) or (Paragraph(pt.HIGHLIGHT_NONE),)),
        Section(
            pt.SECTION_EXCEPTIONS,
            tuple(checked(s, (), exception_allowed) for s in exception_texts) or (Paragraph(pt.EXCEPTIONS_NONE),),
        ),
        Section(pt.SECTION_NEXT, (Paragraph(pt.NEXT_MISSING.format(kind=pt.KIND_WORDS[kind])),)),
    )
    draft = ReportDraft(
        kind=kind,
        title=programme_title(kind, figures.batch),
        opening=checked(opening_text, everything, opening_allowed),
        sections=sections,
        closing=Paragraph(""),
        signature_name=(signature or "").strip() or pt.SIGNATURE_MISSING,
        signature_date=today,
        missing=("next_steps",),
        source_seqs=tuple(s.seq for s in everything),
    )
    return replace(draft, unverified=sum(p.unverified for p in draft.paragraphs()))
