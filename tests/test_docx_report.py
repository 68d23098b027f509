"""The Word rendering, re-opened with python-docx: page, margins, fonts and sizes after GB/T 9704."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reporting.compose import compile_report
from reporting.word import render_docx
from tests.posting import CADRE, build_posting


@pytest.fixture(scope="module")
def document() -> tuple[object, object]:
    entries, _ = build_posting()
    draft = compile_report("mid", CADRE, entries, dt.date(2026, 6, 1), dt.date(2026, 8, 31), dt.date(2026, 9, 1))
    return Document(io.BytesIO(render_docx(draft))), draft


def east_asian(run: object) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))  # type: ignore[attr-defined]


def test_page_and_margins(document: tuple[object, object]) -> None:
    doc, _ = document
    section = doc.sections[0]  # type: ignore[attr-defined]
    measured = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    expected = (Mm(210), Mm(297), Mm(37), Mm(35), Mm(28), Mm(26))
    assert all(abs(m - e) < Mm(0.1) for m, e in zip(measured, expected, strict=True))  # stored in twips
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    footer = "".join(r._element.xml for r in section.footer.paragraphs[0].runs)
    assert "PAGE" in footer


def test_fonts_and_sizes(document: tuple[object, object]) -> None:
    doc, draft = document
    paragraphs = [p for p in doc.paragraphs if p.runs]  # type: ignore[attr-defined]
    title = paragraphs[0]
    assert title.text == draft.title  # type: ignore[attr-defined]
    assert east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    by_text = {p.text: p for p in paragraphs}
    assert east_asian(by_text["一、基本情况"].runs[0]) == "黑体"
    first_sub = f"（一）{draft.sections[1].subsections[0].heading}"  # type: ignore[attr-defined]
    assert east_asian(by_text[first_sub].runs[0]) == "楷体_GB2312"
    body = by_text[draft.opening]  # type: ignore[attr-defined]
    assert east_asian(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.line_spacing == Pt(28.95) and body.paragraph_format.first_line_indent == Pt(32)
    for paragraph in paragraphs:
        for run in paragraph.runs:
            assert east_asian(run) in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312")


def test_the_text_is_the_draft(document: tuple[object, object]) -> None:
    doc, draft = document
    text = "\n".join(p.text for p in doc.paragraphs)  # type: ignore[attr-defined]
    for line in draft.body_text().splitlines():  # type: ignore[attr-defined]
        assert line in text
    assert "附件：工作记录索引" in text and draft.appendix[-1] in text  # type: ignore[attr-defined]
