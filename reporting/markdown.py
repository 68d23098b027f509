"""Render a ReportDraft as Markdown, and the numbering and source notes the Word renderer shares.

The model's headings carry no numbers: 一、 and （一） are given here from each heading's position, so a section
added or dropped never leaves a gap in the numbering.
"""

from __future__ import annotations

from reporting import templates as t
from reporting.model import NUMERALS, Paragraph, ReportDraft, Source, date_text

SOURCE_CHARS = 24  # of an entry's text quoted in a source note; the reader opens the record for the rest
SOURCE_LINES = 12  # sources quoted one a line; the others are listed by number only


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 25 -> 二十五 (positions beyond 99 fall back to Arabic numerals)."""
    if 1 <= n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    if n < 20:
        return NUMERALS[9] + NUMERALS[ones - 1]
    if n < 100:
        return NUMERALS[tens - 1] + NUMERALS[9] + (NUMERALS[ones - 1] if ones else "")
    return str(n)


def numbered(level: int, index: int, heading: str) -> str:
    """The heading with its number for its level (1: 一、, 2: （一）) and 0-based position."""
    number = chinese_number(index + 1)
    return f"{number}\u3001{heading}" if level == 1 else f"\uff08{number}\uff09{heading}"


def source_line(source: Source, year: int) -> str:
    """#12 7月24日 走访凹塘村… : the entry's number, its date (with the year if not `year`), its opening words."""
    day = f"{source.date.month}月{source.date.day}日" if source.date.year == year else date_text(source.date)
    flat = " ".join(source.text.split())
    text = flat if len(flat) <= SOURCE_CHARS else flat[:SOURCE_CHARS] + t.REVIEW_ELLIPSIS
    return t.REVIEW_SOURCE_LINE.format(seq=source.seq, date=day, text=text)


def source_note(paragraph: Paragraph, year: int) -> list[str]:
    """The lines of the note a review copy attaches to a paragraph: its sources, and what is left to check."""
    lines = []
    if paragraph.unverified:
        lines.append(t.REVIEW_UNVERIFIED.format(n=paragraph.unverified, mark=t.UNVERIFIED))
    if paragraph.sources:
        ordered = sorted(set(paragraph.sources), key=lambda s: (s.date, s.seq))
        lines.append(t.REVIEW_SOURCES_HEADER.format(n=len(ordered)))
        lines += [source_line(s, year) for s in ordered[:SOURCE_LINES]]
        rest = ordered[SOURCE_LINES:]
        if rest:
            seqs = " ".join(f"#{seq}" for seq in sorted(s.seq for s in rest))  # by number: looked up, not read
            lines.append(t.REVIEW_SOURCES_MORE.format(n=len(rest), seqs=seqs))
    return lines


def _paragraph(paragraph: Paragraph, review: bool, year: int) -> list[str]:
    if not paragraph.text:
        return []
    lines = [paragraph.text, ""]
    if review and (note := source_note(paragraph, year)):
        lines += ["> " + "  \n> ".join(note), ""]
    return lines


def render_markdown(draft: ReportDraft, review: bool = False) -> str:
    """The draft as Markdown mirroring the document; with `review`, each paragraph's sources quoted under it."""
    year = draft.signature_date.year
    lines = [f"# {draft.title}", "", *_paragraph(draft.opening, review, year)]
    for index, section in enumerate(draft.sections):
        lines += [f"## {numbered(1, index, section.heading)}", ""]
        for paragraph in section.paragraphs:
            lines += _paragraph(paragraph, review, year)
        for sub_index, sub in enumerate(section.subsections):
            lines += [f"### {numbered(2, sub_index, sub.heading)}", ""]
            for paragraph in sub.paragraphs:
                lines += _paragraph(paragraph, review, year)
    lines += _paragraph(draft.closing, review, year)
    signature = f"{draft.signature_name}<br>{date_text(draft.signature_date)}"
    lines += [f'<div align="right">{signature}</div>', ""]
    return "\n".join(lines)
