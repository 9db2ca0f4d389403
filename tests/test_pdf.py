"""PDF sources with a text layer: the same records as the gazette's text, and bad PDFs refused in one line.

The yanzhou PDF (tests/fixtures/pdf/, a copy of the shared corpus's) is the sample gazette
content/sources/yanzhou-2021-03-04.txt typeset as an A4 gazette (running header, page numbers
"— N —", wrapped paragraphs). Parsing the text extracted from it must give the same issue,
documents, 人事任免 and 大事记 as parsing the text. Scanned pages are read by OCR: tests/test_ocr.py.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import re
import shutil
import struct
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.ingest.parse import parse_source
from generator.ingest.pdf import PdfText, _Line, extract_text, is_pdf, layout, page_problems
from generator.ingest.sources import SourceError
from generator.ingest.stage import IngestError, parse_bytes
from generator.model.publishers import load_registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
PDF = FIXTURES / "yanzhou-2021-03-04.pdf"
# The same gazette typeset another way (make_variant.py): justified, indented with ideographic spaces,
# alternating running headers, "· N ·", no space between paragraphs, 14 points.
JUSTIFIED = FIXTURES / "yanzhou-2021-03-04-justified.pdf"
TEXT = ROOT / "content" / "sources" / "yanzhou-2021-03-04.txt"
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")

# What the PDF cannot give back: its typesetting drops a table row's empty leading and trailing
# cells (the text has "\t\t\t(2) …\t\t"), so in the 任务分解表 of 济兖政办字〔2021〕4号 (the fourth
# document) rows without a tab part the table in pieces, where the text has one table of 138 rows.
KNOWN_DIFFERENCES = {"documents[3].tables", "documents[3].attachments[0].body"}


@dataclasses.dataclass
class Parsed:
    text: object  # the Issue parsed from the text
    pdf: object  # the Issue parsed from the PDF's text
    extracted: PdfText
    seconds: float


@functools.cache
def parse(pdf: Path) -> Parsed:
    start = time.perf_counter()
    extracted = extract_text(pdf.read_bytes(), pdf.name)
    seconds = time.perf_counter() - start
    return Parsed(
        text=parse_source(TEXT.read_text(encoding="utf-8"), TEXT.name, REGISTRY),
        pdf=parse_source(extracted.text, pdf.name, REGISTRY),
        extracted=extracted,
        seconds=seconds,
    )


@pytest.fixture
def parsed() -> Parsed:
    return parse(PDF)


@pytest.fixture(params=[PDF, JUSTIFIED], ids=["sample", "justified"])
def each(request) -> Parsed:
    """The sample PDF and the variant typeset another way."""
    return parse(request.param)


def differences(a, b, path: str = "") -> list[str]:
    """Paths of the fields that differ, source lines aside (the two texts wrap differently)."""
    if dataclasses.is_dataclass(a):
        return [
            found
            for f in dataclasses.fields(a)
            if f.name not in ("line", "problems", "coverage", "source", "source_sha256")
            for found in differences(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}".lstrip("."))
        ]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [path]
        return [found for n, (x, y) in enumerate(zip(a, b)) for found in differences(x, y, f"{path}[{n}]")]
    return [] if a == b else [path]


def collapse(paths: list[str]) -> set[str]:
    """documents[3].tables[0].rows[5] → documents[3].tables: one entry per known difference."""
    out = set()
    for path in paths:
        for known in KNOWN_DIFFERENCES:
            if path == known or path.startswith(known + "[") or path.startswith(known + "."):
                path = known
        out.add(path)
    return out


# ---------------------------------------------------------------- the PDF gives what the text gives


def test_same_issue(each: Parsed):
    a, b = each.text, each.pdf
    for name in ("issue_id", "kind", "publisher", "region_code", "year", "number", "cumulative_number"):
        assert getattr(b, name) == getattr(a, name), name
    assert (b.published_on, b.title, b.sections) == (a.published_on, a.title, a.sections)
    assert b.issue_id == "370812-2021-3-4"
    assert differences(a.toc, b.toc) == []


def test_same_documents_titles_numbers_and_dates(each: Parsed):
    a, b = each.text.documents, each.pdf.documents
    assert len(b) == len(a) == 6

    def key(d):
        return (d.title, d.doc_number and d.doc_number.text, d.signed_on, d.printed_on, d.section, d.issuer)

    assert [key(d) for d in b] == [key(d) for d in a]


def test_same_appointments_and_events(each: Parsed):
    a, b = each.text, each.pdf
    assert len(b.appointments) == len(a.appointments) == 105
    assert len(b.events) == len(a.events) == 73
    assert differences(a.appointments, b.appointments) == []
    assert differences(a.events, b.events) == []


def test_every_other_field_is_the_same_but_the_known_table_difference(parsed: Parsed):
    found = collapse(differences(parsed.text, parsed.pdf))
    assert found <= KNOWN_DIFFERENCES, sorted(found - KNOWN_DIFFERENCES)
    document = parsed.pdf.documents[3]
    assert document.doc_number.text == "济兖政办字〔2021〕4号"
    assert len(parsed.text.documents[3].tables) == 1 and len(document.tables) > 1
    assert parsed.pdf.coverage.lost_chars == parsed.text.coverage.lost_chars == 0


def test_running_headers_and_page_numbers_are_gone_and_paragraphs_joined(parsed: Parsed):
    text = parsed.extracted.text
    assert "— 3 —" not in text and "— 61 —" not in text
    # The gazette's name is printed at the top of every page; the text keeps only the masthead and colophon.
    source = TEXT.read_text(encoding="utf-8")
    assert text.count("济宁市兖州区人民政府公报\n") == source.count("济宁市兖州区人民政府公报\n") == 2
    # A paragraph wrapped over lines (and over a page: 15 → 16) is one line again, as in the text.
    for paragraph in (
        "为认真贯彻习近平新时代中国特色社会主义思想和党的十九大及十九届二中、三中、四中全会精神，"
        "进一步优化营商环境，保护各类市场主体合法权益，激发市场活力，促进高质量发展，",
        "济宁市兖州区人民政府办公室关于印发《济宁市兖州区家政服务业提质扩容“领跑者”行动试点工作方案》的通知",
        "(四)健全督导机制。按照有关要求,每年开展一次专项督导,强化约束性指标落实。督导结果抄送组织部门,",
        "9\t建立并完善健康科普专家库和资源库，构建健康科普知识发布和传播机制\t实现\t持续完善\n",
    ):
        assert paragraph in text
    lines = {line.strip() for line in source.split("\n") if line.strip()}
    extracted = [line.strip() for line in text.split("\n") if line.strip()]
    assert sum(line in lines for line in extracted) / len(extracted) > 0.97


def test_no_running_line_is_left_in_either_layout(each: Parsed):
    lines = each.extracted.text.split("\n")
    assert not [line for line in lines if re.fullmatch(r"[—·\-]\s*\d+\s*[—·\-]", line.strip())]
    assert lines[:2] == ["济宁市兖州区人民政府公报", "2021"] or lines[:3] == [
        "济宁市兖州区人民政府公报",
        "",
        "2021",
    ]
    assert (
        lines.count("济宁市兖州区人民政府公报") == 2
    )  # the masthead and the colophon, not every page's header
    assert lines.count("2021年第3-4期") == 1  # the colophon, not the even pages' header (justified variant)


def test_each_line_knows_its_page(parsed: Parsed):
    extracted = parsed.extracted
    assert extracted.page_count == 61 and extracted.empty_pages == []
    assert len(extracted.pages) == extracted.text.count("\n")
    assert (
        extracted.pages == sorted(extracted.pages) and extracted.pages[0] == 1 and extracted.pages[-1] == 61
    )
    assert extracted.page_of(0) is None and extracted.page_of(len(extracted.pages) + 1) is None


def test_documents_get_their_pdf_pages(parsed: Parsed):
    problems = page_problems(parsed.pdf, parsed.extracted)
    assert all(p.severity == "info" and p.code == "pdf-pages" for p in problems)
    assert [p.message for p in problems] == [
        "济兖政发〔2021〕5号：PDF 第 2–10 页",
        "济兖政发〔2021〕6号：PDF 第 10–19 页",
        "济兖政办发〔2021〕2号：PDF 第 19–24 页",
        "济兖政办字〔2021〕4号：PDF 第 24–41 页",
        "济兖政办字〔2021〕5号：PDF 第 41–48 页",
        "济兖政办字〔2021〕8号：PDF 第 48–50 页",
        "人事任免：PDF 第 50–54 页",
        "大事记：PDF 第 55–61 页",
    ]
    assert [p.line for p in problems[:6]] == [d.line for d in parsed.pdf.documents]


def test_extraction_is_fast(parsed: Parsed):
    assert parsed.extracted.page_count / parsed.seconds > 20  # pages per second; ~200 measured


# ---------------------------------------------------------------- the command line


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def snapshot(folder: Path) -> dict[str, bytes]:
    """The content's files, less its caches: OCR results are kept even when the ingest is refused
    (a scan need not be read again once the publisher is registered)."""
    return {
        str(p): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(folder).parts
    }


def test_ingest_keeps_the_pdf_itself_as_the_source(content: Path, tmp_path: Path):
    source = tmp_path / "issue 3-4.pdf"
    shutil.copy(PDF, source)
    code, output = run("ingest", source, "--content", content)
    assert code == 0, output
    assert "documents 6" in output
    record = (content / "records" / "370812-2021-3-4.yml").read_text(encoding="utf-8")
    assert "\nsource: issue 3-4.pdf\n" in record
    assert f"source_sha256: {hashlib.sha256(PDF.read_bytes()).hexdigest()}" in record
    assert "code: pdf-pages" in record
    assert (content / "sources" / "issue 3-4.pdf").read_bytes() == PDF.read_bytes()


def test_a_pdf_is_told_by_its_magic_bytes_not_its_name(tmp_path: Path):
    named_txt = tmp_path / "gazette.txt"
    shutil.copy(PDF, named_txt)
    issue = parse_bytes(named_txt, named_txt.read_bytes(), REGISTRY)
    assert len(issue.documents) == 6
    assert is_pdf(PDF.read_bytes()) and not is_pdf(TEXT.read_bytes())


def rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def small_pdf(text: bytes = b"Hello", user_password: bytes | None = None) -> bytes:
    """A one-page PDF with a line of Helvetica; with a password, encrypted with the standard
    security handler (RC4, 40 bits, revision 2)."""
    content = b"BT /F1 24 Tf 72 720 Td (%s) Tj ET" % text
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # the content stream, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    file_id = bytes(range(16)).hex().encode()
    trailer = b"/ID [<%s> <%s>]" % (file_id, file_id)
    if user_password is not None:
        pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
        permissions = -44
        owner = rc4(hashlib.md5(b"owner" + pad[:27]).digest()[:5], (user_password + pad)[:32])
        seed = (user_password + pad)[:32] + owner + struct.pack("<i", permissions) + bytes(range(16))
        key = hashlib.md5(seed).digest()[:5]
        content = rc4(hashlib.md5(key + b"\x04\0\0\0\0").digest()[:10], content)  # object 4, generation 0
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
            % (owner.hex().encode(), rc4(key, pad).hex().encode(), permissions)
        )
        trailer += b" /Encrypt 6 0 R"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, trailer, xref)
    )
    return out.getvalue()


def test_the_encrypted_test_pdf_is_really_encrypted():
    data = small_pdf(user_password=b"secret")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(data)
    document = pdfium.PdfDocument(data, password="secret")
    assert document[0].get_textpage().get_text_range().strip() == "Hello"
    assert pdfium.PdfDocument(small_pdf())[0].get_textpage().get_text_range().strip() == "Hello"


def blank_pdf() -> bytes:
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def truncated() -> bytes:
    return PDF.read_bytes()[: len(PDF.read_bytes()) // 2]


BAD = {
    "encrypted": (
        lambda: small_pdf(user_password=b"secret"),
        "encrypted PDF: it needs a password to open; save a copy without the password "
        "(e.g. qpdf --decrypt --password=PASSWORD in.pdf out.pdf) and ingest that",
    ),
    "truncated": (truncated, "damaged PDF: the file is cut short (no %%EOF at its end); get a complete copy"),
    "garbled": (
        lambda: b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nxref\ngarbage\n%%EOF\n",
        "damaged PDF: it cannot be opened (not a valid PDF file structure); get an undamaged copy",
    ),
    "not a gazette": (small_pdf, "page 1: no documents found: is this a gazette (人民政府公报) text?"),
    "blank": (  # neither a text layer nor anything OCR can read
        lambda: blank_pdf(),
        "no text on any page, neither in a text layer nor by OCR (blank or unreadable scans?)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_pdf_is_one_line_naming_the_file_and_nothing_is_written(case: str, content: Path, tmp_path: Path):
    make, message = BAD[case]
    source = tmp_path / f"{case}.pdf"
    source.write_bytes(make())
    before = snapshot(content)
    code, output = run("ingest", source, "--content", content)
    assert code != 0
    assert f"{source}: {message}" in output
    assert "Traceback" not in output
    assert [line for line in output.splitlines() if str(source) in line] == [
        line for line in output.splitlines() if "error" in line
    ]
    assert snapshot(content) == before
    with pytest.raises(IngestError) as error:
        parse_bytes(source, source.read_bytes(), REGISTRY)
    assert str(error.value) == f"{source}: {message}"


def test_pages_without_text_are_named_and_the_rest_is_read():
    document = pdfium.PdfDocument(PDF.read_bytes())
    document.new_page(595, 842)  # blank: OCR finds nothing on it either
    buffer = io.BytesIO()
    document.save(buffer)
    issue = parse_bytes(Path("mixed.pdf"), buffer.getvalue(), REGISTRY)
    assert len(issue.documents) == 6 and len(issue.events) == 73
    warnings = [p for p in issue.problems if p.code == "pdf-page-without-text"]
    assert [(p.severity, p.message) for p in warnings] == [
        ("warning", "PDF 第 62 页没有文字层，OCR 也没有识别出文字，这些页未收录")
    ]


# ---------------------------------------------------------------- layout rules, on made-up pages


def line(page: int, text: str, left: float, baseline: float, right: float | None = None, size=12.0):
    return _Line(page, text, left, left + len(text) * size if right is None else right, baseline, size, 842.0)


def page(n: int, body: list[tuple[str, float]], header: str = "某某区人民政府公报") -> list[_Line]:
    """A page: the running header, body lines (text, left) at 21-point spacing, the page number.
    A line ending with … runs to the right margin."""
    lines = [line(n, header, 250, 790)]
    lines += [
        line(n, text.removesuffix("|"), left, 750 - 21 * k, 512 if text.endswith(("…", "|")) else None)
        for k, (text, left) in enumerate(body)
    ]
    return lines + [line(n, f"— {n} —", 280, 47)]


def test_running_lines_go_and_wrapped_lines_join():
    pages = [
        page(
            1,
            [
                ("某某区人民政府公报", 250),
                ("第一段开头…", 104),
                ("还在第一段…", 80),
                ("接着写完。", 80),
                ("第二段。", 104),
            ],
        ),
        page(2, [("第三段开头…", 104), ("还在第三段…", 80)]),
        page(3, [("跨页写完。", 80), ("标题", 260)]),
    ]
    result = layout(pages, "x.pdf")
    assert result.text.split("\n") == [
        "某某区人民政府公报",
        "第一段开头…还在第一段…接着写完。",
        "第二段。",
        "",
        "第三段开头…还在第三段…跨页写完。",
        "标题",
        "",
    ]
    assert result.pages == [1, 1, 1, 1, 2, 3]  # where each line starts


def test_list_items_extra_space_and_table_rows_over_a_page():
    pages = [
        page(
            1,
            [
                ("一、第一项写满了一整行…", 80),
                ("到这里结束。|", 80),  # fills its line (|) and ends a sentence
                ("2. 第二项。", 80),  # at the margin, but an item: not the same paragraph
                ("第二项的下一句…", 80),
                ("写完。", 80),
                ("序号\t名称", 80),
                ("1\t甲", 80),
            ],
        ),
        page(2, [("2\t乙", 80), ("段落…", 80)]),
    ]
    pages[1][-2].baseline -= 15  # extra space before the last paragraph: a blank line
    result = layout(pages, "x.pdf")
    assert result.text.split("\n") == [
        "一、第一项写满了一整行…到这里结束。",
        "2. 第二项。",
        "第二项的下一句…写完。",
        "序号\t名称",
        "1\t甲",
        "2\t乙",  # a table goes on over the page: no blank line
        "",
        "段落…",
        "",
    ]


def test_a_lone_page_number_goes_even_on_a_single_page():
    result = layout([[line(1, "正文一行。", 104, 700), line(1, "- 7 -", 280, 40)]], "x.pdf")
    assert result.text == "正文一行。\n"


def test_a_page_of_only_running_lines_is_refused_clearly():
    with pytest.raises(SourceError) as error:
        layout([[line(1, "3", 290, 40)]], "x.pdf")
    assert str(error.value) == "x.pdf: no text on any page besides running headers and page numbers"


def test_a_pdf_gazettes_pages_reach_the_record_the_package_and_the_page(tmp_path: Path):
    """Each document knows its first and last PDF page; with source_pdfs the site links them."""
    import csv

    from click.testing import CliRunner

    from generator.build import build_site
    from generator.cli import cli

    root = Path(__file__).resolve().parent.parent
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(root / "content" / "publishers.yml", content)
    source = Path(__file__).parent / "fixtures" / "pdf" / "yanzhou-2021-03-04.pdf"
    result = CliRunner().invoke(cli, ["ingest", str(source), "--content", str(content)])
    assert result.exit_code == 0, result.output
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        (root / "mkdocs.yml")
        .read_text(encoding="utf-8")
        .replace("docs_dir: docs", f"docs_dir: {root / 'docs'}")
        .replace("      pages: build/pages\n", "      pages: build/pages\n      source_pdfs: true\n"),
        encoding="utf-8",
    )
    build_site(
        content, tmp_path / "site", tmp_path / "pkg", config, pages_dir=tmp_path / "pages", search=False
    )
    with open(tmp_path / "pkg" / "documents.csv", encoding="utf-8", newline="") as handle:
        first = next(r for r in csv.DictReader(handle) if r["document_id"] == "370812-jiyanzhengfa-2021-5")
    assert (first["source_page_first"], first["source_page_last"]) == ("2", "10")
    page = (tmp_path / "site" / "documents" / "370812-jiyanzhengfa-2021-5" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "PDF 第 2–10 页" in page
    assert 'href="../../sources/yanzhou-2021-03-04.pdf#page=2"' in page
    assert (tmp_path / "site" / "sources" / "yanzhou-2021-03-04.pdf").read_bytes() == source.read_bytes()
