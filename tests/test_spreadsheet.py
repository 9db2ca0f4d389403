"""The workbook for spreadsheet users (generator/data/spreadsheet.py): every row of the main
tables, headed in Chinese, text that looks like a formula kept as text, a text longer than an
Excel cell continued in the next columns, and the same bytes from the same package."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from generator.data.spreadsheet import CELL_MAX, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "datapackages" / "gazette"


def workbook_bytes(package: Path) -> bytes:
    out = io.BytesIO()
    write_xlsx(package, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def hostile_package(tmp_path_factory) -> Path:
    """The sample package with a formula-like title and a body longer than an Excel cell."""
    package = tmp_path_factory.mktemp("package") / "gazette"
    shutil.copytree(PACKAGE, package)
    path = package / "documents.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[1][header.index("title")] = '=HYPERLINK("https://example.org","点我")'
    rows[2][header.index("body")] = "第一条" + "甲" * (2 * CELL_MAX) + "末尾"  # three cells long
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return package


def test_every_row_of_the_main_tables_with_chinese_headings():
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(PACKAGE)), read_only=True)
    assert book.sheetnames == ["说明", "期刊与文件汇编", "公文", "人事任免", "大事记", "引用"]
    with open(PACKAGE / "documents.csv", encoding="utf-8", newline="") as handle:
        documents = list(csv.DictReader(handle))
    sheet = book["公文"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("公文标识", "期刊标识", "序号")
    assert len(rows) - 1 == len(documents)
    first = dict(zip(rows[0], rows[1]))
    assert first["公文标识"] == documents[0]["document_id"]
    assert first["序号"] == int(documents[0]["seq"])
    assert first["成文日期"].date().isoformat() == documents[0]["signed_on"]
    assert first["发文字号"] == documents[0]["doc_number"]


def test_formula_like_text_stays_text_and_long_text_continues(hostile_package):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(hostile_package)))
    sheet = book["公文"]
    header = [c.value for c in sheet[1]]
    title = sheet.cell(row=2, column=header.index("标题") + 1)
    assert title.value == '=HYPERLINK("https://example.org","点我")'
    assert title.data_type == "s"  # a string, not a formula
    body_columns = [i for i, h in enumerate(header) if h == "正文" or str(h).startswith("正文（续")]
    assert len(body_columns) == 3
    joined = "".join(sheet.cell(row=3, column=i + 1).value or "" for i in body_columns)
    with open(hostile_package / "documents.csv", encoding="utf-8", newline="") as handle:
        expected = list(csv.DictReader(handle))[1]["body"]
    assert joined == expected
    # the CSV itself is untouched: the neutralising is the workbook's alone
    with open(hostile_package / "documents.csv", encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["title"] == '=HYPERLINK("https://example.org","点我")'


def test_the_same_package_gives_the_same_bytes():
    assert workbook_bytes(PACKAGE) == workbook_bytes(PACKAGE)


def test_the_data_page_offers_the_workbook(fixture_site):
    import re

    page = (fixture_site / "download" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*gazette\.xlsx)"', page)
    assert links and all((fixture_site / "download" / link).resolve().is_file() for link in links)
    book = openpyxl.load_workbook(fixture_site / "data" / "gazette.xlsx", read_only=True)
    assert "公文" in book.sheetnames
