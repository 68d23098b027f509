"""Compile a draft report (中期工作小结, 工作总结, monthly report) from a cadre's own entries.

Pure: profile, entries and dates in, a structured draft out. Every figure comes from compute_figures, every
highlight from an entry, every reflection, shortcoming and plan from the cadre's own words; what the records
cannot give is marked 【待补充:…】. Rendering to Word or Markdown is separate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from analysis.classify import keywords
from reporting import templates as t
from reporting.figures import OWN_WORD_PREFIXES, ReportFigures, compute_figures, own_words_key
from storage.entities import Entry, Person

KINDS = ("mid", "final", "month", "week")
MAX_WORK_SECTIONS = 6
MAX_HIGHLIGHTS = 3
HIGHLIGHT_CHARS = 70
KEYWORD_SAMPLE_CHARS = 30000
OUTCOME_WORDS = (
    "建成",
    "完成",
    "解决",
    "签约",
    "签订",
    "到位",
    "通水",
    "出水",
    "竣工",
    "验收",
    "达成",
    "化解",
    "办结",
    "落地",
)
_RE_PROJECT = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:项目|工程))")
_RE_LEADING_DATE = re.compile(
    "^(?:\\d{4}[-/年]\\d{1,2}[-/月]\\d{1,2}[日号]?|\\d{1,2}月\\d{1,2}[日号]|今天|昨天|前天|大前天|上周.|本周.|周.)"
    "[,\uff0c\u3001\\s]*"
)
_RE_OWN_PREFIX = re.compile("^[\\s:\uff1a,\uff0c\u3001]*")
_CLAUSE_ENDS = ",\uff0c;\uff1b\u3002"  # where a long sentence may be cut


@dataclass(frozen=True, slots=True)
class Subsection:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    subsections: tuple[Subsection, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportDraft:
    kind: str
    title: str
    opening: str
    sections: tuple[Section, ...]
    closing: str
    signature_name: str
    signature_date: str
    appendix: tuple[str, ...]
    figures: ReportFigures
    missing: tuple[str, ...]  # which of reflections / shortcomings / plans still need the cadre's words
    source_seqs: tuple[int, ...]  # the entries the draft was compiled from

    def body_text(self) -> str:
        """The draft as plain text, numbered the way the document numbers it."""
        lines = [self.title, self.opening]
        for index, section in enumerate(self.sections):
            lines.append(f"{t.ENUMERATORS[index]}、{section.heading}")
            lines += section.paragraphs
            for sub_index, sub in enumerate(section.subsections):
                lines.append(f"\uff08{t.ENUMERATORS[sub_index]}\uff09{sub.heading}")
                lines += sub.paragraphs
        lines += [self.closing, self.signature_name, self.signature_date]
        return "\n".join(lines)


def report_title(kind: str, start: dt.date, end: dt.date) -> str:
    """The title of a draft of `kind` over start..end (the monthly and weekly ones name their period)."""
    return t.TITLES[kind].format(year=start.year, month=start.month, period_start=_day(start), period_end=_day(end))


def cn_date(day: dt.date) -> str:
    """2026-09-21 -> 二〇二六年九月二十一日 (the 落款 style)."""
    year = "".join(t.CN_DIGITS[int(d)] for d in str(day.year))
    return t.DATE_CN.format(year=year, month=_cn_small(day.month), day=_cn_small(day.day))


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    if tens == 0:
        return t.CN_DIGITS[ones]
    head = "" if tens == 1 else t.CN_DIGITS[tens]
    return head + "十" + (t.CN_DIGITS[ones] if ones else "")


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


def _span(start: dt.date, end: dt.date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    if months >= 1:
        return t.SPAN_MONTHS.format(n=t.CN_NUMBERS.get(months, str(months)))
    return t.SPAN_DAYS.format(n=(end - start).days + 1)


def _own_words(entries: list[Entry], key: str) -> list[str]:
    """The texts the cadre wrote for a section himself (entries starting 体会 / 不足 / 下一步)."""
    found = []
    for entry in entries:
        if own_words_key(entry.text) != key:
            continue
        text = entry.text.strip()
        prefix = next(p for p in OWN_WORD_PREFIXES[key] if text.startswith(p))
        rest = _RE_OWN_PREFIX.sub("", text[len(prefix) :]).rstrip("\u3002")
        if rest:
            found.append(rest)
    return found


def _clause_cut(text: str, limit: int = HIGHLIGHT_CHARS) -> str:
    flat = " ".join(text.split()).rstrip(_CLAUSE_ENDS + " ")
    if len(flat) <= limit:
        return flat
    cut = max(flat.rfind(p, 0, limit) for p in _CLAUSE_ENDS)
    return flat[: cut if cut > limit // 2 else limit].rstrip(_CLAUSE_ENDS)


def _highlight(entry: Entry) -> str:
    body = _RE_LEADING_DATE.sub("", entry.text.strip())
    return f"{entry.work_date.month}月{entry.work_date.day}日\uff0c{_clause_cut(body)}"


def _score(entry: Entry, weights: dict[str, float]) -> float:
    if entry.starred:
        return 1000.0  # the cadre's own choice comes first
    score = 3.0 * sum(1 for w in OUTCOME_WORDS if w in entry.text)
    score += sum(1.0 for key in ("money", "lengths", "households", "people", "petitions") if entry.facts.get(key))
    score += sum(weights.get(w, 0.0) for w in weights if w in entry.text)
    return score


def _projects(entries: list[Entry]) -> dict[str, list[Entry]]:
    """Projects named in two or more entries, with those entries in date order."""
    named: dict[str, list[Entry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.work_date, e.seq)):
        for name in dict.fromkeys(_RE_PROJECT.findall(entry.text)):
            if len(name) >= 4:
                named[name].append(entry)
    return {name: items for name, items in named.items() if len(items) >= 2}


def _sameness(entry: Entry) -> str:
    """Entries that differ only in numbers or place tell the same thing twice in a report."""
    body = _RE_LEADING_DATE.sub("", entry.text.strip())
    for place in entry.facts.get("places", []):
        body = body.replace(place["name"], "")
    return re.sub(r"[\d\s]+", "", body)[:24]


def _places_sentence(items: list[Entry]) -> str:
    names: list[str] = []
    for entry in items:
        for place in entry.facts.get("places", []):
            if place["type"] in ("village", "community", "enterprise", "school") and place["name"] not in names:
                names.append(place["name"])
    if not names:
        return ""
    if len(names) > 6:
        return t.CATEGORY_PLACES_MORE.format(places="\u3001".join(names[:6]), n=len(names))
    return t.CATEGORY_PLACES.format(places="\u3001".join(names))


def _sample(entries: list[Entry], limit: int = KEYWORD_SAMPLE_CHARS) -> str:
    """Enough of the text, spread over the whole period, to weigh keywords (they only steer the choice)."""
    step = max(1, sum(len(e.text) for e in entries) // limit)
    return " ".join(e.text for e in entries[::step])


def _work_sections(work: list[Entry]) -> tuple[Subsection, ...]:
    by_category: dict[str, list[Entry]] = defaultdict(list)
    for entry in work:
        if entry.categories and entry.categories[0] in t.CATEGORY_HEADINGS and entry.categories[0] != "study":
            by_category[entry.categories[0]].append(entry)
    projects = _projects(work)
    project_home = {
        name: Counter(e.categories[0] for e in items if e.categories).most_common(1)[0][0]
        for name, items in projects.items()
    }
    ranked = sorted(by_category, key=lambda c: (-len(by_category[c]), c))
    chosen = ranked[:MAX_WORK_SECTIONS]
    for home in dict.fromkeys(project_home.values()):
        if home in by_category and home not in chosen:
            chosen = [*chosen[: MAX_WORK_SECTIONS - 1], home]  # a followed project always gets its section
    chosen.sort(key=ranked.index)
    told = {e.seq for items in projects.values() for e in items}
    weights = dict(keywords(_sample(work), top=30)) if work else {}
    subsections = []
    for rank, code in enumerate(chosen):
        items = by_category[code]
        room = MAX_HIGHLIGHTS + (1 if rank < 2 else 0)  # the two main work streams get one more example
        sentence = t.CATEGORY_FIGURE.format(n=len(items)) + _places_sentence(items)
        money = sum(float(m["value"]) for e in items for m in e.facts.get("money", []))
        length = sum(float(m["value"]) for e in items for m in e.facts.get("lengths", []))
        if money:
            sentence += t.CATEGORY_MONEY.format(amount=money_text(money))
        if length:
            sentence += t.CATEGORY_LENGTH.format(length=length_text(length))
        paragraphs = [sentence + "\u3002"]
        lines = [
            t.PROJECT_LINE.format(
                name=name,
                first=f"{entries[0].work_date.month}月{entries[0].work_date.day}日",
                count=len(entries),
                latest=_clause_cut(_RE_LEADING_DATE.sub("", entries[-1].text.strip()), 50),
            )
            for name, entries in projects.items()
            if project_home[name] == code
        ]
        candidates = sorted(
            (e for e in items if e.seq not in told), key=lambda e: (-_score(e, weights), e.work_date, e.seq)
        )
        picked: list[Entry] = []
        seen: set[str] = set()
        for entry in candidates:
            if len(lines) + len(picked) >= room:
                break
            key = _sameness(entry)
            if key not in seen:
                seen.add(key)
                picked.append(entry)
        picks = [_highlight(e) for e in sorted(picked, key=lambda e: (e.work_date, e.seq))]
        enumerated = [*lines, *picks]
        if enumerated:
            paragraphs.append(
                "".join(
                    t.ITEM.format(ordinal=t.ENUMERATORS[i], text=text.rstrip("\u3002"))
                    for i, text in enumerate(enumerated)
                )
            )
        subsections.append(Subsection(t.CATEGORY_HEADINGS[code], tuple(paragraphs)))
    return tuple(subsections)


def _basic(figures: ReportFigures) -> str:
    parts = []
    if figures.days_on_post:
        days = t.BASIC_DAYS.format(net=figures.days_on_post_net)
        if figures.leave_days:
            days += t.BASIC_LEAVE.format(leave=figures.leave_days)
        parts.append(days)
    if figures.workdays_logged:
        parts.append(t.BASIC_LOGGED.format(days=figures.workdays_logged))
    for kind, names in figures.visited.items():
        shown = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
        parts.append(t.BASIC_VISITED[kind].format(n=len(names), names=shown))
    for value, template in (
        (figures.households_visited, t.BASIC_HOUSEHOLDS),
        (figures.meetings, t.BASIC_MEETINGS),
        (figures.petition_visitors, t.BASIC_PETITIONS),
        (figures.petitions, t.BASIC_CASES),
        (figures.study_sessions, t.BASIC_STUDY),
        (figures.reflections, t.BASIC_REFLECTIONS),
    ):
        if value:
            parts.append(template.format(n=value))
    return "\uff0c".join(parts) + "\u3002" if parts else ""


def _study(figures: ReportFigures) -> str:
    if not figures.study_sessions:
        return t.STUDY_NONE
    text = t.STUDY_SENTENCE.format(n=figures.study_sessions)
    if figures.materials:
        text += t.STUDY_MATERIALS.format(materials="、".join(f"《{m}》" for m in figures.materials[:6]))
    if figures.study_notes:
        text += t.STUDY_NOTES.format(n=figures.study_notes)
    if figures.reflections:
        text += t.STUDY_REFLECTIONS.format(n=figures.reflections)
    return text + "。"


def _own_section(entries: list[Entry], key: str, missing: list[str]) -> tuple[str, ...]:
    words = _own_words(entries, key)
    if not words:
        missing.append(key)
        return (t.MISSING[key],)
    return ("".join(t.ITEM.format(ordinal=t.ENUMERATORS[i], text=w) for i, w in enumerate(words[:6])),)


def compile_report(
    kind: str, person: Person, entries: list[Entry], start: dt.date, end: dt.date, today: dt.date
) -> ReportDraft:
    """Compile the draft of `kind` ("mid", "final", "month") over the entries dated start..end."""
    if kind not in KINDS:
        raise ValueError(kind)
    posting = person.posting
    chosen = sorted(
        (e for e in entries if e.status == "active" and not e.excluded and start <= e.work_date <= end),
        key=lambda e: (e.work_date, e.seq),
    )
    figures = compute_figures(chosen, posting, start, end)
    work = [e for e in chosen if e.kind not in ("leave", "back") and own_words_key(e.text) is None]
    missing: list[str] = []
    host = (posting.host_unit if posting else None) or t.MISSING_HOST
    values = {
        "sending": (posting.sending_unit if posting else None) or t.SENDING_FALLBACK,
        "start": _day(posting.start_date) if posting and posting.start_date else _day(start),
        "end": _day(posting.end_date) if posting and posting.end_date else _day(end),
        "host": host,
        "position": (posting.position if posting else None) or t.MISSING_POSITION,
        "span": _span(posting.start_date if posting and posting.start_date else start, end),
        "year": start.year,
        "month": start.month,
        "period_start": _day(start),
        "period_end": _day(end),
    }
    title = report_title(kind, start, end)
    opening = t.OPENING[kind].format(**values)
    work_section = Section(t.SECTION_WORK, subsections=_work_sections(work))
    study_section = Section(t.SECTION_STUDY, (_study(figures),))
    if kind in ("month", "week"):
        plans = t.SECTION_MONTH_PLANS if kind == "month" else t.SECTION_WEEK_PLANS
        sections: tuple[Section, ...] = (
            work_section,
            study_section,
            Section(plans, _own_section(chosen, "plans", missing)),
        )
    else:
        basic = _basic(figures)
        sections = (
            Section(t.SECTION_BASIC, (basic,) if basic else ()),
            work_section,
            study_section,
            Section(t.SECTION_REFLECTIONS, _own_section(chosen, "reflections", missing)),
            Section(t.SECTION_SHORTCOMINGS, _own_section(chosen, "shortcomings", missing)),
            Section(t.SECTION_PLANS, _own_section(chosen, "plans", missing)),
        )
    appendix = tuple(
        t.APPENDIX_LINE.format(date=e.work_date.isoformat(), seq=e.seq, kind=e.kind, text=_clause_cut(e.text, 40))
        for e in chosen
    )
    return ReportDraft(
        kind=kind,
        title=title,
        opening=opening,
        sections=sections,
        closing=t.CLOSING,
        signature_name=person.name,
        signature_date=cn_date(today),
        appendix=appendix,
        figures=figures,
        missing=tuple(missing),
        source_seqs=tuple(e.seq for e in chosen),
    )


def render_markdown(draft: ReportDraft) -> str:
    """The draft as Markdown mirroring the document: title, numbered headings, 落款, appendix."""
    lines = [f"# {draft.title}", "", draft.opening, ""]
    for index, section in enumerate(draft.sections):
        lines += [f"## {t.ENUMERATORS[index]}\u3001{section.heading}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        for sub_index, sub in enumerate(section.subsections):
            lines += [f"### \uff08{t.ENUMERATORS[sub_index]}\uff09{sub.heading}", ""]
            for paragraph in sub.paragraphs:
                lines += [paragraph, ""]
    lines += [draft.closing, "", f'<div align="right">{draft.signature_name}<br>{draft.signature_date}</div>', ""]
    if draft.appendix:
        lines += [f"## {t.APPENDIX}", ""] + [f"- {line}" for line in draft.appendix]
    return "\n".join(lines) + "\n"
