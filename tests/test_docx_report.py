"""The Word rendering, re-opened with python-docx: page, fonts and headings after GB/T 9704-2012, and the two
copies of one draft (the submission copy without sources, the review copy with each paragraph's sources as a
comment anchored to it)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from reporting.markdown import chinese_number, numbered, render_markdown
from reporting.model import Paragraph, ReportDraft, Section, Source, Subsection
from reporting.word import render_docx

DAY = dt.date(2026, 7, 24)
VISIT = Source(12, DAY, "走访凹塘村5户脱贫户，了解到两户家中自来水压力不足，答应月底前协调水务站上门检修")
WELL = Source(15, dt.date(2026, 7, 28), "石桥村打井项目出水")
MEETING = Source(3, dt.date(2026, 6, 9), "列席镇党委会，研究防汛")
OLD_YEAR = Source(1, dt.date(2025, 12, 30), "报到")
OWN = Source(40, dt.date(2026, 8, 30), "体会：基层工作要多到群众家里去")


def make_draft(*, extra_sources: int = 0) -> ReportDraft:
    """A mid-term draft built by hand: sources on some paragraphs, one unverified sentence, one without sources."""
    first = dt.date(2026, 8, 1)
    many = tuple(Source(100 + i, first + dt.timedelta(days=i % 20), f"第{i}条记录") for i in range(extra_sources))
    return ReportDraft(
        kind="mid",
        title="挂职锻炼中期工作小结",
        opening=Paragraph("按照市审计局安排，我于2026年6月1日到青山镇人民政府挂职锻炼，任党委副书记。现将情况小结如下："),
        sections=(
            Section("基本情况", (Paragraph("挂职以来走访村2个，参加各类会议1次。", (VISIT, MEETING, OLD_YEAR, *many)),)),
            Section(
                "主要工作开展情况",
                subsections=(
                    Subsection(
                        "深入走访调研，摸清基层实情",
                        (
                            Paragraph("7月24日，走访凹塘村5户脱贫户。", (VISIT,)),
                            Paragraph("协调水务站完成检修。【待核实】群众反映良好。", (VISIT,), unverified=1),
                        ),
                    ),
                    Subsection("紧盯重点项目，推动落地见效", (Paragraph("石桥村打井项目出水。", (WELL,)),)),
                ),
            ),
            Section("几点体会", (Paragraph("一是基层工作要多到群众家里去。", (OWN,)),)),
        ),
        closing=Paragraph("下一阶段，我将继续虚心学习、扎实工作。"),
        signature_name="王明",
        signature_date=dt.date(2026, 9, 1),
        unverified=1,
        source_seqs=(1, 3, 12, 15, 40),
    )


def reopen(data: bytes) -> DocumentType:
    return Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def submission() -> DocumentType:
    return reopen(render_docx(make_draft()))


@pytest.fixture(scope="module")
def review() -> DocumentType:
    return reopen(render_docx(make_draft(), review=True))


def east_asian(run: object) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))  # type: ignore[attr-defined]


def by_text(doc: DocumentType) -> dict[str, DocxParagraph]:
    return {p.text: p for p in doc.paragraphs if p.text}


def comment_text(doc: DocumentType, paragraph: DocxParagraph) -> str | None:
    """The text of the comment anchored to this paragraph (its range starts and ends inside it), or None."""
    starts = paragraph._p.findall(qn("w:commentRangeStart"))
    ends = paragraph._p.findall(qn("w:commentRangeEnd"))
    if not starts:
        return None
    assert len(starts) == len(ends) == 1 and starts[0].get(qn("w:id")) == ends[0].get(qn("w:id"))
    comment = doc.comments.get(int(starts[0].get(qn("w:id"))))
    assert comment is not None
    return comment.text


def test_page_and_margins(submission: DocumentType) -> None:
    section = submission.sections[0]
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
    assert grid.get(qn("w:linePitch")) == "579" and grid.get(qn("w:type")) == "lines"
    footer = "".join(r._element.xml for r in section.footer.paragraphs[0].runs)
    assert "PAGE" in footer and section.footer.paragraphs[0].text == "\u2014  \u2014"


def test_fonts_and_sizes(submission: DocumentType) -> None:
    draft = make_draft()
    paragraphs = [p for p in submission.paragraphs if p.runs]
    title = paragraphs[0]
    assert title.text == draft.title
    assert east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    found = by_text(submission)
    assert east_asian(found["一、基本情况"].runs[0]) == "黑体"
    assert east_asian(found["（一）深入走访调研，摸清基层实情"].runs[0]) == "楷体_GB2312"
    body = found[draft.opening.text]
    assert east_asian(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.line_spacing == Pt(28.95) and body.paragraph_format.first_line_indent == Pt(32)
    for paragraph in paragraphs:
        for run in paragraph.runs:
            assert east_asian(run) in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312")


def test_headings_are_word_headings_kept_with_their_text(submission: DocumentType) -> None:
    found = by_text(submission)
    levels = {
        "一、基本情况": "Heading 1",
        "二、主要工作开展情况": "Heading 1",
        "（一）深入走访调研，摸清基层实情": "Heading 2",
        "（二）紧盯重点项目，推动落地见效": "Heading 2",
        "三、几点体会": "Heading 1",
    }
    for text, style in levels.items():
        paragraph = found[text]
        assert paragraph.style is not None and paragraph.style.name == style
        assert paragraph.paragraph_format.keep_with_next is True
        assert paragraph.runs[0].font.size == Pt(16) and not paragraph.runs[0].font.bold
    headings = [p.text for p in submission.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings == list(levels)  # nothing else is a heading, and the numbering follows the order
    for name, font, outline in (("Heading 1", "黑体", "0"), ("Heading 2", "楷体_GB2312", "1")):
        style = submission.styles[name]
        rpr = style.element.rPr
        assert rpr.find(qn("w:color")) is None and style.font.bold is False  # no accent colour, not bold
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font and fonts.get(qn("w:eastAsiaTheme")) is None
        assert style.font.size == Pt(16) and style.paragraph_format.keep_with_next
        assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == outline  # the navigation pane


def test_signature_date_in_arabic_numerals_with_its_name(submission: DocumentType) -> None:
    texts = [p.text for p in submission.paragraphs if p.text]
    assert texts[-2:] == ["王明", "2026年9月1日"]
    assert "〇" not in "".join(texts) and "二〇二六" not in "".join(texts)
    name, date = submission.paragraphs[-2], submission.paragraphs[-1]
    assert date.paragraph_format.right_indent == Pt(32)  # 右空二字
    assert name.paragraph_format.right_indent == Pt(32 + 2 * 16)  # centred over the six-character date
    closing = by_text(submission)["下一阶段，我将继续虚心学习、扎实工作。"]
    assert closing.paragraph_format.keep_with_next and name.paragraph_format.keep_with_next


def test_the_text_is_the_draft_in_both_copies(submission: DocumentType, review: DocumentType) -> None:
    draft = make_draft()
    for doc in (submission, review):
        text = [p.text for p in doc.paragraphs if p.text]
        assert text == draft.body_text().splitlines()


def test_the_submission_copy_has_no_comments_no_sources_and_no_appendix(submission: DocumentType) -> None:
    assert len(submission.comments) == 0
    xml = submission.element.xml
    assert "commentRangeStart" not in xml and "w:highlight" not in xml
    text = "\n".join(p.text for p in submission.paragraphs)
    assert "附件" not in text and "#12" not in text and "依据" not in text
    assert "【待核实】" in text  # the mark stays in the text: the cadre must still resolve it


def test_the_review_copy_anchors_each_paragraphs_sources_to_it(review: DocumentType) -> None:
    found = by_text(review)
    visit = comment_text(review, found["7月24日，走访凹塘村5户脱贫户。"])
    assert visit is not None
    assert visit.splitlines() == ["依据记录1条：", "#12 7月24日 走访凹塘村5户脱贫户，了解到两户家中自来水压力不…"]
    well = comment_text(review, found["石桥村打井项目出水。"])
    assert well == "依据记录1条：\n#15 7月28日 石桥村打井项目出水"
    basic = comment_text(review, found["挂职以来走访村2个，参加各类会议1次。"])
    assert basic is not None
    # sources in date order; an entry from another year than the report's date names its year
    assert [line.split()[0] for line in basic.splitlines()[1:]] == ["#1", "#3", "#12"]
    assert "#1 2025年12月30日 报到" in basic and "#3 6月9日 列席镇党委会，研究防汛" in basic
    own = comment_text(review, found["一是基层工作要多到群众家里去。"])
    assert own is not None and "#40 8月30日" in own
    for text in (make_draft().title, make_draft().opening.text, "一、基本情况", "王明", "2026年9月1日"):
        assert comment_text(review, found[text]) is None  # headings, paragraphs without sources: no comment
    assert len(review.comments) == 5
    assert all(c.author == "挂职工作助手" for c in review.comments)


def test_the_review_copy_shows_the_unverified_sentences(review: DocumentType) -> None:
    paragraph = by_text(review)["协调水务站完成检修。【待核实】群众反映良好。"]
    marked = [r for r in paragraph.runs if r.text == "【待核实】"]
    assert len(marked) == 1 and marked[0].font.highlight_color == WD_COLOR_INDEX.YELLOW
    assert all(r.font.highlight_color is None for r in paragraph.runs if r.text != "【待核实】")
    note = comment_text(review, paragraph)
    assert note is not None and note.startswith("本段有1句在记录中找不到依据，已标【待核实】") and "#12 7月24日" in note


def test_many_sources_are_quoted_then_listed_by_number() -> None:
    doc = reopen(render_docx(make_draft(extra_sources=30), review=True))
    note = comment_text(doc, by_text(doc)["挂职以来走访村2个，参加各类会议1次。"])
    assert note is not None
    lines = note.splitlines()
    assert lines[0] == "依据记录33条：" and len(lines) == 1 + 12 + 1
    assert lines[-1].startswith("另21条：") and all(f"#{100 + i}" in note for i in range(30))


def test_numbering_past_ten_and_odd_text() -> None:
    assert [chinese_number(n) for n in (1, 10, 11, 19, 20, 25, 99)] == ["一", "十", "十一", "十九", "二十", "二十五", "九十九"]
    assert numbered(1, 10, "标题") == "十一、标题" and numbered(2, 0, "标题") == "（一）标题"
    odd = "😀 ² ١ 〇 \u202e" + "长" * 3000
    subsections = tuple(Subsection(f"第{i}项", (Paragraph(odd, (VISIT,)),)) for i in range(12))
    draft = ReportDraft(
        kind="month",
        title="2026年7月挂职工作情况报告",
        opening=Paragraph(""),  # an empty paragraph is left out, not written as a blank line
        sections=(Section("主要工作", subsections=subsections), Section("空节")),
        closing=Paragraph("以上报告，请审阅。"),
        signature_name="Wang Ming",
        signature_date=dt.date(2026, 8, 3),
    )
    doc = reopen(render_docx(draft, review=True))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings[-3:] == ["（十一）第10项", "（十二）第11项", "二、空节"]
    assert sum(1 for p in doc.paragraphs if p.text == odd) == 12 and len(doc.comments) == 12
    assert [p.text for p in doc.paragraphs if p.text][:2] == [draft.title, "一、主要工作"]


def test_markdown_mirrors_the_document_and_quotes_sources_only_for_review() -> None:
    draft = make_draft()
    plain = render_markdown(draft)
    assert plain.startswith("# 挂职锻炼中期工作小结\n") and "## 二、主要工作开展情况" in plain
    assert "### （二）紧盯重点项目，推动落地见效" in plain and "2026年9月1日" in plain
    assert "#12" not in plain and "依据记录" not in plain and "附件" not in plain
    review = render_markdown(draft, review=True)
    assert "> 依据记录1条：  \n> #15 7月28日 石桥村打井项目出水" in review
    assert review.count("> 依据记录") == 5 and "> 本段有1句在记录中找不到依据" in review
