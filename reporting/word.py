"""Render a ReportDraft as a Word document laid out after GB/T 9704 (党政机关公文格式).

A4, margins 37/35/28/26 mm, 22 lines of 28 characters; title 二号 方正小标宋简体, body 三号 仿宋_GB2312,
level-1 headings 黑体, level-2 楷体_GB2312; page numbers "— N —" in 四号 宋体. East Asian fonts are set on
every run (w:eastAsia), because Word otherwise shows CJK text in the theme font.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from reporting import templates as t
from reporting.compose import ReportDraft

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
SIZE_TITLE, SIZE_BODY, SIZE_PAGE_NUMBER = Pt(22), Pt(16), Pt(14)  # 二号, 三号, 四号
LINE_PITCH_TWIPS = 579  # 225 mm type area / 22 lines
LINE = Pt(LINE_PITCH_TWIPS / 20)
INDENT = Pt(16 * 2)  # 首行缩进两字
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}


def _font(run: object, name: str, size: Pt, bold: bool = False) -> None:
    font = run.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold = name, size, bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _paragraph(
    doc: DocumentType,
    text: str,
    font: str = BODY_FONT,
    size: Pt = SIZE_BODY,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    layout = paragraph.paragraph_format
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    layout.space_before = layout.space_after = Pt(0)
    if indent:
        layout.first_line_indent = INDENT
    if align is not None:
        layout.alignment = align
    if text:
        _font(paragraph.add_run(text), font, size)
    return paragraph


def _page_numbers(doc: DocumentType) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text: str | None = None) -> object:
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
        r._element.append(field)  # type: ignore[attr-defined]
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


def render_docx(draft: ReportDraft) -> bytes:
    """Return the draft as .docx bytes."""
    doc = Document()
    _page_setup(doc)
    _paragraph(doc, draft.title, TITLE_FONT, SIZE_TITLE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, draft.opening)
    for index, section in enumerate(draft.sections):
        _paragraph(doc, f"{t.ENUMERATORS[index]}\u3001{section.heading}", HEADING_FONT)
        for text in section.paragraphs:
            _paragraph(doc, text)
        for sub_index, sub in enumerate(section.subsections):
            _paragraph(doc, f"\uff08{t.ENUMERATORS[sub_index]}\uff09{sub.heading}", SUBHEADING_FONT)
            for text in sub.paragraphs:
                _paragraph(doc, text)
    _paragraph(doc, draft.closing)
    _paragraph(doc, "", indent=False)
    for text in (draft.signature_name, draft.signature_date):
        signature = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        signature.paragraph_format.right_indent = INDENT
    if draft.appendix:
        page_break = doc.paragraphs[-1].add_run()
        _font(page_break, BODY_FONT, SIZE_BODY)
        page_break.add_break(WD_BREAK.PAGE)
        _paragraph(doc, t.APPENDIX, HEADING_FONT, indent=False)
        # One paragraph, one line per entry: thousands of entries stay quick to write and to open.
        _paragraph(doc, "\n".join(draft.appendix), indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    _page_numbers(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
