"""Render a ReportDraft as a Word document laid out after GB/T 9704-2012 (党政机关公文格式).

A4, margins 37/35/28/26 mm, 22 lines of 28 characters; title 二号 方正小标宋简体, body 三号 仿宋_GB2312,
level-1 headings 黑体, level-2 楷体_GB2312, both as Word's Heading 1 / Heading 2 so the navigation pane lists
them; page numbers "— N —" in 四号 宋体; the 成文日期 in Arabic numerals. East Asian fonts are set on every run
(w:eastAsia), because Word otherwise shows CJK text in the theme font.

Two copies come from one draft: the submission copy is the report alone; the review copy carries, on every
paragraph written from entries, a Word comment listing those entries (#12 7月24日 走访凹塘村…), and shows the
【待核实】 marks highlighted, so the cadre can hold each sentence to his records before he submits. A paragraph the
on-premises model wrote (reporting/polish.py) says so in its comment, with the entries it cited.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from reporting import polish_texts as pt
from reporting import templates as t
from reporting.markdown import numbered, source_note
from reporting.model import Paragraph, ReportDraft, date_text

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
COMMENT_FONT = "宋体"
SIZE_TITLE, SIZE_BODY, SIZE_PAGE_NUMBER, SIZE_COMMENT = Pt(22), Pt(16), Pt(14), Pt(10.5)  # 二号, 三号, 四号, 五号
LINE_PITCH_TWIPS = 579  # 225 mm type area / 22 lines
LINE = Pt(LINE_PITCH_TWIPS / 20)
INDENT = Pt(16 * 2)  # 首行缩进两字
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
HEADING_STYLES = {1: ("Heading 1", HEADING_FONT), 2: ("Heading 2", SUBHEADING_FONT)}


def _font(run: Run, name: str, size: Pt) -> None:
    run.font.name, run.font.size, run.font.bold = name, size, False
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _layout(paragraph: DocxParagraph, align: WD_ALIGN_PARAGRAPH | None, indent: bool) -> None:
    layout = paragraph.paragraph_format
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    layout.space_before = layout.space_after = Pt(0)
    if indent:
        layout.first_line_indent = INDENT
    if align is not None:
        layout.alignment = align


def _paragraph(
    doc: DocumentType,
    text: str,
    font: str = BODY_FONT,
    size: Pt = SIZE_BODY,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
) -> DocxParagraph:
    paragraph = doc.add_paragraph()
    _layout(paragraph, align, indent)
    if text:
        _font(paragraph.add_run(text), font, size)
    return paragraph


def _heading(doc: DocumentType, level: int, text: str) -> DocxParagraph:
    """A heading in Word's heading style for its level, kept on the page of the paragraph after it."""
    style, font = HEADING_STYLES[level]
    paragraph = doc.add_paragraph(style=style)
    _layout(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    paragraph.paragraph_format.keep_with_next = True
    _font(paragraph.add_run(text), font, SIZE_BODY)
    return paragraph


def _restyle_headings(doc: DocumentType) -> None:
    """Give Heading 1 / 2 the 公文 look: 黑体 / 楷体_GB2312 三号, not bold, no colour, no theme fonts, no extra space."""
    for name, font in HEADING_STYLES.values():
        style = doc.styles[name]
        if not isinstance(style, ParagraphStyle):
            raise TypeError(name)  # the default template's heading styles are paragraph styles
        rpr = style.element.get_or_add_rPr()
        for child in list(rpr):  # the theme fonts, bold and accent colour of the default template
            rpr.remove(child)
        style.font.name, style.font.size, style.font.bold = font, SIZE_BODY, False
        fonts = rpr.get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), font)
        layout = style.paragraph_format
        layout.space_before = layout.space_after = Pt(0)
        layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        layout.first_line_indent = INDENT
        layout.keep_with_next = layout.keep_together = True


def _page_numbers(doc: DocumentType) -> None:
    paragraph: DocxParagraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text: str | None = None) -> Run:
        r = paragraph.add_run(text) if text else paragraph.add_run()
        _font(r, PAGE_NUMBER_FONT, SIZE_PAGE_NUMBER)
        return r

    run("\u2014 ")
    for kind, instruction in (("begin", None), (None, "PAGE"), ("end", None)):
        r = run()
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = instruction
        r._element.append(field)
    run(" \u2014")


def _page_setup(doc: DocumentType) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, SIZE_BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _restyle_headings(doc)


def _body(doc: DocumentType, paragraph: Paragraph, review: bool, year: int) -> DocxParagraph | None:
    """A body paragraph; in the review copy with its 【待核实】 marks highlighted and its sources as a comment."""
    if not paragraph.text:
        return None
    if not review:
        return _paragraph(doc, paragraph.text)
    written = _paragraph(doc, "")
    # Runs split at the marks, so each mark can be highlighted and found by eye as well as by search.
    pieces = paragraph.text.split(t.UNVERIFIED)
    for index, piece in enumerate(pieces):
        if index:
            mark = written.add_run(t.UNVERIFIED)
            _font(mark, BODY_FONT, SIZE_BODY)
            mark.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if piece:
            _font(written.add_run(piece), BODY_FONT, SIZE_BODY)
    note = source_note(paragraph, year)
    if paragraph.by_model:  # the model's words: say so, and which entries it cited
        note = [pt.REVIEW_MODEL.format(seqs="、".join(f"#{seq}" for seq in paragraph.cites)), *note]
    if not note:
        return written
    comment = doc.add_comment(written.runs, author=t.REVIEW_AUTHOR, initials=t.REVIEW_INITIALS)
    first, *rest = note
    _font(comment.paragraphs[0].add_run(first), COMMENT_FONT, SIZE_COMMENT)
    for line in rest:
        _font(comment.add_paragraph().add_run(line), COMMENT_FONT, SIZE_COMMENT)
    return written


def _ems(text: str) -> float:
    """Width in characters of the body font: CJK a full em, Arabic digits and Latin half of one."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def _signature(doc: DocumentType, name: str, date: str) -> None:
    """署名 and 成文日期 (GB/T 9704-2012 7.3.5.2): the date 右空二字, the shorter line centred over the longer."""
    longer = max(_ems(name), _ems(date))
    for text, keep in ((name, True), (date, False)):
        paragraph = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        paragraph.paragraph_format.right_indent = Pt(SIZE_BODY.pt * (2 + (longer - _ems(text)) / 2))
        paragraph.paragraph_format.keep_with_next = keep


def render_docx(draft: ReportDraft, review: bool = False) -> bytes:
    """Return the draft as .docx bytes: the submission copy, or with `review` the copy with sources as comments."""
    doc = Document()
    _page_setup(doc)
    year = draft.signature_date.year
    _paragraph(doc, draft.title, TITLE_FONT, SIZE_TITLE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", indent=False)
    _body(doc, draft.opening, review, year)
    for index, section in enumerate(draft.sections):
        _heading(doc, 1, numbered(1, index, section.heading))
        for paragraph in section.paragraphs:
            _body(doc, paragraph, review, year)
        for sub_index, sub in enumerate(section.subsections):
            _heading(doc, 2, numbered(2, sub_index, sub.heading))
            for paragraph in sub.paragraphs:
                _body(doc, paragraph, review, year)
    closing = _body(doc, draft.closing, review, year)
    gap = _paragraph(doc, "", indent=False)
    _signature(doc, draft.signature_name, date_text(draft.signature_date))
    for kept in (closing, gap):  # the 落款 never stands alone on a page
        if kept is not None:
            kept.paragraph_format.keep_with_next = True
    _page_numbers(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
