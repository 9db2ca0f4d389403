"""PDFs typeset in other layouts give the records of the text they were typeset from.

The fixtures (tests/fixtures/pdf/README.md, made by make_variant.py) hold an excerpt of the yanzhou
sample gazette: the 目录 of what it holds, two documents, the 人事任免 and the colophon. Each is
laid out another way: the 目录 in two columns, running headers that change from page to page, a page
turned with /Rotate 90 and a scanned page turned 1.2°, scanned pages among text pages. Expected: the
golden record of the yanzhou text (tests/golden/), for the parts the excerpt holds, and facts
written here by hand from the source text.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from generator.ingest.pdf import PdfText, _Line, extract_text, layout
from generator.ingest.stage import parse_bytes
from generator.model.models import Issue
from generator.model.publishers import load_registry
from generator.model.records import load_issue
from tests.test_pdf import differences

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")
GOLDEN = load_issue(ROOT / "tests" / "golden" / "yanzhou-2021-03-04.yml")

TWO_COLUMNS = FIXTURES / "yanzhou-2021-03-04-toc-two-columns.pdf"
HEADERS = FIXTURES / "yanzhou-2021-03-04-headers.pdf"
ROTATED = FIXTURES / "yanzhou-2021-03-04-rotated-skewed.pdf"
MIXED = FIXTURES / "yanzhou-2021-03-04-mixed.pdf"
JUSTIFIED = FIXTURES / "yanzhou-2021-03-04-justified.pdf"
TEXT_LAYER = [TWO_COLUMNS, HEADERS]
SCANNED = [ROTATED, MIXED]  # these have pages without a text layer: OCR

needs_ocr = pytest.mark.ocr  # skipped without the engine, failed with CI=true (conftest.py)

# Written from content/sources/yanzhou-2021-03-04.txt: number, title, signing date, PDF pages.
EXPECTED_DOCUMENTS = [
    (
        "济兖政办发〔2021〕2号",
        "济宁市兖州区人民政府办公室关于印发济宁市兖州区全面推行证明事项告知承诺制实施方案的通知",
        "2021-04-23",
        [2, 5],
    ),
    (
        "济兖政办字〔2021〕8号",
        "济宁市兖州区人民政府办公室关于印发《济宁市兖州区自备井封停及规范整治工作实施方案》的通知",
        "2021-04-23",
        [5, 7],
    ),
]
EXPECTED_TOC = [  # the 目录 of the excerpt: title and the page printed in the gazette
    (EXPECTED_DOCUMENTS[0][1], 12),
    (EXPECTED_DOCUMENTS[1][1], 38),
    ("人事任免", 40),
]


@dataclasses.dataclass
class Read:
    extracted: PdfText
    issue: Issue


@functools.cache
def read(pdf: Path) -> Read:
    """The PDF's text and its parse; OCR (where needed) once per test run, without a cache."""
    data = pdf.read_bytes()
    return Read(extract_text(data, pdf.name), parse_bytes(pdf, data, REGISTRY))


def layouts():
    return [pytest.param(p, id=p.stem.removeprefix("yanzhou-2021-03-04-")) for p in TEXT_LAYER] + [
        pytest.param(p, id=p.stem.removeprefix("yanzhou-2021-03-04-"), marks=needs_ocr) for p in SCANNED
    ]


def golden_documents():
    numbers = {number for number, *_ in EXPECTED_DOCUMENTS}
    return [d for d in GOLDEN.documents if d.doc_number and d.doc_number.text in numbers]


# ---------------------------------------------------------------- every layout: the records of the text


@pytest.mark.parametrize("pdf", layouts())
def test_the_issue_and_its_contents(pdf: Path):
    issue = read(pdf).issue
    assert (issue.issue_id, issue.published_on, issue.region_code) == (
        "370812-2021-3-4",
        "2021-05-10",
        "370812",
    )
    assert [(e.title, e.page) for e in issue.toc] == EXPECTED_TOC
    golden_toc = [(e.title, e.page) for e in GOLDEN.toc if e.title in {t for t, _ in EXPECTED_TOC}]
    assert golden_toc == EXPECTED_TOC


@pytest.mark.parametrize("pdf", layouts())
def test_documents_are_those_of_the_text_field_by_field(pdf: Path):
    issue = read(pdf).issue
    found = [(d.doc_number.text, d.title, d.signed_on, d.source_pages) for d in issue.documents]
    assert found == EXPECTED_DOCUMENTS
    for document, golden in zip(issue.documents, golden_documents(), strict=True):
        # Every field as the golden record has it (body, recipients, attachments, tables, …) but
        # where the excerpt puts it (seq) and the PDF pages, which the text has not.
        assert set(differences(golden, document)) <= {"seq", "source_pages"}, document.doc_number.text


@pytest.mark.parametrize("pdf", layouts())
def test_every_appointment_row_is_that_of_the_text(pdf: Path):
    issue = read(pdf).issue
    assert len(issue.appointments) == len(GOLDEN.appointments) == 105
    assert differences(GOLDEN.appointments, issue.appointments) == []
    rows = {(a.person, a.action, a.post) for a in issue.appointments}
    assert ("王瀚", "任命", "区政府副区长") in rows  # on the first page of the 人事任免
    assert ("孔庆民", "任命", "区铁路医院副院长") in rows  # on the last


# ---------------------------------------------------------------- what each layout tests


def lines_of(extracted: PdfText, page: int) -> list[str]:
    return [line for line, at in zip(extracted.text.split("\n"), extracted.pages) if at == page and line]


def test_a_two_column_contents_is_read_column_by_column():
    # The PDF writes each row across both columns: PDFium alone reads them interleaved.
    document = pdfium.PdfDocument(TWO_COLUMNS.read_bytes())
    raw = document[0].get_textpage().get_text_range()
    assert "【 区政府办公室文件 】 济宁市兖州区人民政府办公室关于印发" in raw.replace("\r\n", "\n")
    contents = lines_of(read(TWO_COLUMNS).extracted, 1)
    assert contents[4:] == [
        "【 区政府办公室文件 】",
        EXPECTED_DOCUMENTS[0][1],  # wrapped over three lines of its column, joined
        "(济充政办发〔2021〕2号)\t12",
        EXPECTED_DOCUMENTS[1][1],
        "(济充政办字〔2021〕8号)\t38",
        "【 人事任免 】\t40",
    ]


def test_headers_that_change_from_page_to_page_are_dropped():
    extracted = read(HEADERS).extracted
    lines = extracted.text.split("\n")
    # The odd pages' header is the title of the document under way, on two pages each: dropped by
    # where it stands (the slot of the even pages' header), not by how often it comes back.
    titles = [line for line in lines if line in (EXPECTED_DOCUMENTS[0][1], EXPECTED_DOCUMENTS[1][1])]
    assert titles == []  # in the 目录 they wrap, in the documents they are printed in parts
    assert lines.count("人事任免") == 1  # the gazette's own heading (text line 1155), not the header
    assert lines.count("2021年第3-4期") == 1  # the colophon's, not the even pages' header
    assert not [line for line in lines if re.fullmatch(r"(— \d+ —|第 \d+ 页)", line)]


@needs_ocr
def test_a_turned_page_and_a_skewed_scan():
    document = pdfium.PdfDocument(ROTATED.read_bytes())
    assert document[2].get_rotation() == 90 and document[2].get_size()[0] < document[2].get_size()[1]
    extracted = read(ROTATED).extracted
    assert extracted.ocr_pages == [8] and extracted.empty_pages == []
    turned = lines_of(extracted, 3)
    assert len(turned) > 10 and all(len(line) > 1 for line in turned)  # not one glyph a line
    assert {"二、规范工作流程", "三、强化核查与监管"} <= set(turned)  # headings of 济兖政办发〔2021〕2号
    scanned = lines_of(extracted, 8)
    assert "2021年第3-4期" not in scanned  # the even pages' header, a little higher in the scan


@needs_ocr
def test_scanned_pages_between_text_pages():
    document = pdfium.PdfDocument(MIXED.read_bytes())
    assert [document[n].get_rotation() for n in (7, 8)] == [0, 90]
    extracted = read(MIXED).extracted
    assert extracted.ocr_pages == [8, 9] and extracted.empty_pages == []
    notes = [p.message for p in read(MIXED).issue.problems if p.code == "pdf-ocr"]
    assert notes == ["PDF 第 8、9 页是扫描的图像，文字由 OCR 识别，可能有识别错误"]


def one_page(turn: int) -> bytes:
    """Page 2 of the headers fixture alone, its content drawn turned ``turn`` degrees
    counter-clockwise on a page whose /Rotate shows it upright."""
    import io

    document = pdfium.PdfDocument(HEADERS.read_bytes())
    for n in reversed([n for n in range(len(document)) if n != 1]):
        document.del_page(n)
    if turn:
        width, height = document[0].get_size()
        matrix, size = {
            90: ((0, 1, -1, 0, height, 0), (height, width)),
            180: ((-1, 0, 0, -1, width, height), (width, height)),
            270: ((0, -1, 1, 0, 0, width), (height, width)),
        }[turn]
        content = document.page_as_xobject(0, document).as_pageobject()
        content.transform(pdfium.PdfMatrix(*matrix))
        document.del_page(0)
        page = document.new_page(*size, 0)
        page.insert_obj(content)
        page.gen_content()
        page.set_rotation(turn)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_turned_page_reads_as_it_shows(turn: int):
    upright = extract_text(one_page(0), "upright.pdf").text
    assert "济兖政办发〔2021〕2号" in upright
    assert extract_text(one_page(turn), "turned.pdf").text == upright


def test_columns_written_one_after_the_other_join_the_lines_wrapped_in_them():
    """The 目录 of the two-column fixture as a typesetter writes it column by column: PDFium gives
    the left column's lines, then the right column's from the top again (positions as measured on
    the fixture). The order is right already; the titles wrapped in their column are joined."""

    def at(text: str, left: float, right: float, baseline: float, size: float = 10.5) -> _Line:
        return _Line(1, text, left, right, baseline, size, 842.0)

    cover = [at("济宁市兖州区人民政府公报", 154, 442, 707, 24.0), at("目 录", 280, 316, 533, 16.0)]
    left = [
        at("【 区政府办公室文件 】", 74, 184, 482),
        at("济宁市兖州区人民政府办公室关于印发", 74, 252, 465),
        at("济宁市兖州区全面推行证明事项告知承", 74, 252, 448),
        at("诺制实施方案的通知", 74, 168, 431),
        at("(济充政办发〔2021〕2号)\t12", 74, 281, 414),
    ]
    right = [
        at("济宁市兖州区人民政府办公室关于印发", 315, 493, 482),
        at("《济宁市兖州区自备井封停及规范整治", 315, 493, 465),
        at("工作实施方案》的通知", 315, 420, 448),
        at("(济充政办字〔2021〕8号)\t38", 315, 522, 431),
        at("【 人事任免 】\t40", 315, 522, 397),
    ]
    body = [
        dataclasses.replace(at("各镇人民政府，各街道办事处，" * 2, 74, 522, 760 - 17 * k, 12.0), page=2)
        for k in range(30)
    ]
    text = layout([cover + left + right, body], "columns.pdf").text
    assert text.split("\n")[4:12] == [
        "【 区政府办公室文件 】",
        EXPECTED_DOCUMENTS[0][1],
        "(济充政办发〔2021〕2号)\t12",
        "",
        EXPECTED_DOCUMENTS[1][1],
        "(济充政办字〔2021〕8号)\t38",
        "",  # the row left blank before a section
        "【 人事任免 】\t40",
    ]


def test_a_table_is_not_taken_for_two_columns():
    """Tables with a long cell before a gap near the middle of the page stay rows (the whole
    sample typeset justified: its 目标 table and its 指标 table)."""
    text = extract_text(JUSTIFIED.read_bytes(), JUSTIFIED.name).text.split("\n")
    assert "15\t新生儿遗传代谢性疾病筛查率（%）\t99\t99" in text
    assert "17\t全市儿童青少年总体近视率（%）\t力争每年降低 1 个百分点以上\t新发近视率明显下降" in text
    assert any(
        line.startswith("五、慢性病全程管理(87分)\t(二) 建立分级诊疗制度") and "1. 开展基层首诊" in line
        for line in text
    )
