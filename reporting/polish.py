"""Prose from an on-premises model, facts from the records: the pure half of polishing a draft.

For each section of a compiled draft the model gets its plan — the heading, the compiler's paragraphs with every
figure turned into a placeholder ({F3} = 12户), and the section's source entries as numbered lines ([E12] 7月24日
…) — and answers JSON ({"paragraphs": [{"text", "cites"}]}). Code fills the placeholders; the verifier
(reporting/verify.py) holds each paragraph to the records: no number outside a placeholder, every name in a
cited entry or the section's plan, every citation in the plan, no reflection or plan the cadre did not write.
A paragraph that fails is asked for once more; failing again, the compiler's paragraph stays.

Nothing here talks to a network: handlers/polish.py sends the requests (through bot/llm.py) and calls back in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from analysis import normalise
from reporting import polish_texts as pt
from reporting import templates as t
from reporting.model import Paragraph, ReportDraft, Section, Source
from reporting.verify import Records, check_paragraph, figure_spans, numerals_outside, stated

OWN_WORDS_SECTIONS = (
    t.SECTION_REFLECTIONS,
    t.SECTION_SHORTCOMINGS,
    t.SECTION_PLANS,
    t.SECTION_MONTH_PLANS,
    t.SECTION_WEEK_PLANS,
)
MAX_PLAN_ENTRIES = 40  # a section written from more entries (the 基本情况 of a long posting) keeps its prose
ENTRY_CHARS = 300  # of one entry's text shown to the model
MIN_CHARS = 8
MAX_GROWTH = 3  # a rewrite may be at most this many times its paragraph's length (plus LONG_SLACK characters)
LONG_SLACK = 200

RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": "report_section",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                "paragraphs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "text": {"type": "string"},
                            "cites": {"type": "array", "items": {"type": "integer"}},
                        },
                        "required": ["text", "cites"],
                        "additionalProperties": False,
                    },
                }
            },
            "required": ["paragraphs"],
            "additionalProperties": False,
        },
    },
}

Key = tuple[int, int]  # (section index, subsection index; -1 for the section's own paragraphs)


@dataclass(frozen=True, slots=True)
class Figure:
    key: str  # F3
    text: str  # 12户, 8月26日


@dataclass(frozen=True, slots=True)
class SectionPlan:
    """What the model is given for one section, and what its answer is checked against."""

    key: Key
    heading: str
    own_words: bool
    originals: tuple[Paragraph, ...]  # the compiler's paragraphs, kept where the model's fail
    drafts: tuple[str, ...]  # the same with every figure a placeholder
    figures: tuple[Figure, ...]
    entries: tuple[Source, ...]  # the section's source entries, in date order
    allowed: frozenset[tuple[float, str]]  # every figure of the section (declared, or stated by its paragraphs)

    @property
    def seqs(self) -> frozenset[int]:
        return frozenset(s.seq for s in self.entries)


@dataclass(frozen=True, slots=True)
class Written:
    """One paragraph as the model answered it."""

    text: str
    cites: tuple[int, ...]


def _with_placeholders(text: str, figures: dict[str, str]) -> str:
    """The text with each figure as {Fn}; `figures` (figure text -> key) grows with the new ones."""
    out, last = [], 0
    for start, end in figure_spans(text):
        words = text[start:end]
        key = figures.setdefault(words, f"F{len(figures) + 1}")
        out += [text[last:start], "{" + key + "}"]
        last = end
    return "".join(out) + text[last:]


def _plan(key: Key, heading: str, paragraphs: Sequence[Paragraph], own_words: bool) -> SectionPlan | None:
    """The plan of one section, or None where the compiler's text must stay: a paragraph with no sources (a
    【待补充】 line, a template), one the verifier marked, or too many entries to show."""
    if not paragraphs or any(not p.sources or p.unverified or t.UNVERIFIED in p.text for p in paragraphs):
        return None
    entries = sorted({s for p in paragraphs for s in p.sources}, key=lambda s: (s.date, s.seq))
    if len(entries) > MAX_PLAN_ENTRIES:
        return None
    figures: dict[str, str] = {}
    drafts = tuple(_with_placeholders(p.text, figures) for p in paragraphs)
    allowed = set().union(*(p.figures for p in paragraphs))
    for p in paragraphs:
        allowed |= {(value, unit) for value, unit, _ in stated(p.text) if unit not in ("月", "日", "年")}
    return SectionPlan(
        key=key,
        heading=heading,
        own_words=own_words,
        originals=tuple(paragraphs),
        drafts=drafts,
        figures=tuple(Figure(k, words) for words, k in figures.items()),
        entries=tuple(entries),
        allowed=frozenset(allowed),
    )


def plan_report(draft: ReportDraft) -> list[SectionPlan]:
    """The sections of a draft the model may rewrite, each with its plan (opening and closing are templates)."""
    plans = []
    for index, section in enumerate(draft.sections):
        own = section.heading in OWN_WORDS_SECTIONS
        found = _plan((index, -1), section.heading, section.paragraphs, own)
        if found:
            plans.append(found)
        for sub_index, sub in enumerate(section.subsections):
            found = _plan((index, sub_index), sub.heading, sub.paragraphs, own)
            if found:
                plans.append(found)
    return plans


def _entry_line(source: Source) -> str:
    text = " ".join(source.text.split())
    if len(text) > ENTRY_CHARS:
        text = text[:ENTRY_CHARS] + "…"
    return pt.PLAN_ENTRY.format(seq=source.seq, date=f"{source.date.month}月{source.date.day}日", text=text)


def plan_prompt(plan: SectionPlan) -> str:
    """The user message for one section: only this section's plan (nothing else of the cadre's, nobody else's)."""
    lines = [pt.PLAN_HEADING.format(heading=plan.heading)]
    if plan.own_words:
        lines.append(pt.PLAN_OWN_WORDS)
    lines.append(pt.PLAN_DRAFTS.format(n=len(plan.drafts)))
    lines += [pt.PLAN_DRAFT.format(n=i + 1, text=d) for i, d in enumerate(plan.drafts)]
    if plan.figures:
        lines.append(pt.PLAN_FIGURES)
        lines += [pt.PLAN_FIGURE.format(key=f.key, text=f.text) for f in plan.figures]
    else:
        lines.append(pt.PLAN_NO_FIGURES)
    lines.append(pt.PLAN_ENTRIES)
    lines += [_entry_line(s) for s in plan.entries]
    lines.append(pt.PLAN_ASK.format(n=len(plan.drafts)))
    return "\n".join(lines)


def request_messages(plan: SectionPlan) -> list[dict[str, str]]:
    return [{"role": "system", "content": pt.SYSTEM}, {"role": "user", "content": plan_prompt(plan)}]


def retry_messages(
    plan: SectionPlan, answer: str, problems: Mapping[int, Sequence[str]] | None
) -> list[dict[str, str]]:
    """The conversation asking once more: the plan, the refused answer, and what was wrong with it (None: the
    answer was no usable JSON)."""
    if problems is None:
        feedback = pt.RETRY_SET.format(n=len(plan.drafts))
    else:
        listed = [pt.RETRY_LINE.format(n=i + 1, problems="；".join(p)) for i, p in sorted(problems.items())]
        feedback = pt.RETRY.format(problems="\n".join(listed))
    return [
        *request_messages(plan),
        {"role": "assistant", "content": answer[:4000]},
        {"role": "user", "content": feedback},
    ]


_RE_THINK = re.compile(r"<think>.*?</think>", re.S)
_RE_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)


def parse_answer(answer: str) -> list[Written] | None:
    """The paragraphs of a model's answer; None if it holds no valid JSON of the schema (a <think> block before
    it and a code fence around it are fine)."""
    text = _RE_THINK.sub("", answer)
    if "</think>" in text:  # a reasoning block whose opening tag the server dropped
        text = text.rsplit("</think>", 1)[1]
    if "<think>" in text:
        return None  # reasoning cut off before the answer
    fenced = _RE_FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except (json.JSONDecodeError, RecursionError):
        return None
    items = data.get("paragraphs") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return None
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            return None
        cites = item.get("cites", [])
        if not isinstance(cites, list):
            return None
        seqs = []
        for cite in cites:
            digits = re.sub(r"^\s*\[?E?", "", str(cite)).rstrip("] ")
            if isinstance(cite, bool) or not digits.isdigit() or len(digits) > 9:
                return None
            seqs.append(int(digits))
        found.append(Written(item["text"], tuple(dict.fromkeys(seqs))))
    return found


def check_written(
    plan: SectionPlan, index: int, written: Written, records: Records
) -> tuple[Paragraph | None, list[str]]:
    """The model's paragraph `index` with its placeholders filled, if the records bear it out; else the
    problems found (for the retry's request)."""
    text = " ".join(written.text.replace("｛", "{").replace("｝", "}").split())
    original = plan.originals[index]
    problems: list[str] = []
    if len(text) < MIN_CHARS:
        return None, [pt.PROBLEM_EMPTY]
    if len(text) > MAX_GROWTH * len(original.text) + LONG_SLACK:
        problems.append(pt.PROBLEM_LONG)
    if "【" in text or "】" in text or re.match(r"^[一二三四五六七八九十]+、|^（[一二三四五六七八九十]+）", text):
        problems.append(pt.PROBLEM_MARK)
    problems += [pt.PROBLEM_NUMERAL.format(text=n) for n in dict.fromkeys(numerals_outside(text))]
    figures = {f.key: f.text for f in plan.figures}
    unknown = [k for k in dict.fromkeys(re.findall(r"\{(F\d+)\}", text)) if k not in figures]
    problems += [pt.PROBLEM_PLACEHOLDER.format(key=k) for k in unknown]
    stray = [s for s in written.cites if s not in plan.seqs]
    if stray:
        problems.append(pt.PROBLEM_CITE.format(seqs="、".join(str(s) for s in stray)))
    if not written.cites:
        problems.append(pt.PROBLEM_NO_CITE)
    if problems:
        return None, problems
    filled = normalise.punctuate(re.sub(r"\{(F\d+)\}", lambda m: figures[m.group(1)], text))
    cited = [s for s in plan.entries if s.seq in written.cites]
    name_texts = [s.text for s in cited] + [p.text for p in plan.originals]
    untraced = check_paragraph(filled, cited, plan.allowed, records, name_texts=name_texts)
    if untraced:
        return None, [pt.PROBLEM_UNTRACED.format(text=u) for u in dict.fromkeys(untraced)]
    return Paragraph(filled, tuple(cited), figures=plan.allowed, by_model=True, cites=written.cites), []


@dataclass(frozen=True, slots=True)
class SectionResult:
    """What became of one section: its paragraphs, how many the model wrote, how many of its were refused."""

    key: Key
    paragraphs: tuple[Paragraph, ...]
    written: int
    replaced: int


def apply(draft: ReportDraft, results: Sequence[SectionResult]) -> ReportDraft:
    """The draft with the sections' paragraphs replaced by the results and the model's counts noted."""
    by_key = {r.key: r.paragraphs for r in results}
    sections: list[Section] = []
    for index, section in enumerate(draft.sections):
        paragraphs = by_key.get((index, -1), section.paragraphs)
        subs = tuple(
            replace(sub, paragraphs=by_key.get((index, sub_index), sub.paragraphs))
            for sub_index, sub in enumerate(section.subsections)
        )
        sections.append(replace(section, paragraphs=paragraphs, subsections=subs))
    return replace(
        draft,
        sections=tuple(sections),
        model_written=sum(r.written for r in results),
        model_replaced=sum(r.replaced for r in results),
    )
