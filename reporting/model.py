"""The draft report as data: what the compiler produces and the Word, Markdown and chat renderers read.

Every paragraph carries the entries it was written from, so the review copy can show its sources and the
verifier can hold each sentence to the records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reporting.figures import ReportFigures


@dataclass(frozen=True, slots=True)
class Source:
    """One entry a paragraph was written from."""

    seq: int  # the number the cadre sees (#seq)
    date: dt.date  # the entry's work date
    text: str  # the entry's text, as he wrote it


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    sources: tuple[Source, ...] = ()
    unverified: int = 0  # sentences in it the verifier could not trace (marked 【待核实】)
    # figures the compiler computed from the sources and declared (value in the base unit, unit): the verifier's
    # `allowed`, kept so that the paragraph can be checked again (a model's rewrite, bench/verifier.py)
    figures: frozenset[tuple[float, str]] = frozenset()
    by_model: bool = False  # written by the on-premises model (reporting/polish.py), held to the records
    cites: tuple[int, ...] = ()  # the entries (seq) the model cited for it


@dataclass(frozen=True, slots=True)
class Subsection:
    heading: str  # without its number: （一） is added by the renderer
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True, slots=True)
class Section:
    heading: str  # without its number: 一、 is added by the renderer
    paragraphs: tuple[Paragraph, ...] = ()
    subsections: tuple[Subsection, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportDraft:
    kind: str  # mid | final | month | week
    title: str
    opening: Paragraph
    sections: tuple[Section, ...]
    closing: Paragraph
    signature_name: str
    signature_date: dt.date  # 成文日期, written in Arabic numerals (GB/T 9704-2012 7.3.5)
    missing: tuple[str, ...] = ()  # own-words sections still to be written: reflections / shortcomings / plans
    dropped: int = 0  # sentences the verifier removed
    unverified: int = 0  # sentences the verifier marked 【待核实】
    source_seqs: tuple[int, ...] = ()  # every entry the draft was compiled from
    plans_offered: tuple[int, ...] = field(default=())  # plan entries (not work done), for the chat to offer
    figures: ReportFigures | None = None  # the figures the draft states, computed once (digest and chat share them)
    model_written: int = 0  # paragraphs the on-premises model wrote and the verifier accepted
    model_replaced: int = 0  # paragraphs the model wrote that failed the check twice: the compiler's kept

    def paragraphs(self) -> list[Paragraph]:
        """Every paragraph of the body in reading order (opening and closing included, headings not)."""
        found = [self.opening]
        for section in self.sections:
            found += section.paragraphs
            for sub in section.subsections:
                found += sub.paragraphs
        found.append(self.closing)
        return found

    def body_text(self) -> str:
        """The draft as plain text, numbered the way the document numbers it."""
        lines = [self.title, self.opening.text]
        for index, section in enumerate(self.sections):
            lines.append(f"{NUMERALS[index]}、{section.heading}")
            lines += [p.text for p in section.paragraphs]
            for sub_index, sub in enumerate(section.subsections):
                lines.append(f"（{NUMERALS[sub_index]}）{sub.heading}")
                lines += [p.text for p in sub.paragraphs]
        lines += [self.closing.text, self.signature_name, date_text(self.signature_date)]
        return "\n".join(line for line in lines if line)


NUMERALS = "一二三四五六七八九十"


def date_text(day: dt.date) -> str:
    """2026-09-01 -> 2026年9月1日 (Arabic numerals, no leading zeros: GB/T 9704-2012 7.3.5)."""
    return f"{day.year}年{day.month}月{day.day}日"
