"""The main tables of the data package as one Excel workbook, for spreadsheet users.

A UTF-8 CSV without a byte-order mark opens as garbled text in Excel on Chinese Windows, and a
cell beginning with ``=``, ``+``, ``-`` or ``@`` is taken for a formula. The workbook has
neither problem: its text is Unicode by construction, and every text cell is written as a
string (XlsxWriter's ``write_string``), never as a formula, so ``=HYPERLINK(…)`` in a document
shows as printed and runs nothing. The CSV files stay exactly as the documents say.

Sheets: 说明 (what the workbook holds, its version and licence, every column with its field name
and description), then 期刊, 公文, 人事任免, 大事记 and 引用, one row per CSV row, headed by the
fields' Chinese titles. Numbers are numbers, dates are dates (shown YYYY-MM-DD), true/false are
booleans. Excel holds at most 32,767 characters in a cell: a longer text (a long body) goes on
in the next columns (正文（续 2）…), so that the cells joined are the text whole.

The same package always gives the same bytes (the workbook's creation time is the package's
``created``).
"""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

SHEETS = ("issues", "documents", "appointments", "events", "references")
CELL_MAX = 32_767  # characters Excel holds in one cell
COLUMN_WIDTH = {"string": 24, "integer": 10, "date": 12, "boolean": 8}


def write_xlsx(package_dir: Path, out: BinaryIO) -> None:
    """The package under ``package_dir`` (datapackage.json and its CSV files) as an .xlsx
    workbook written to ``out``."""
    package_dir = Path(package_dir)
    descriptor = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor.get("resources", [])}
    created = _created(descriptor.get("created", ""))
    # constant_memory: rows go to temporary files as they are written, so a large archive's
    # workbook is not held in memory (rows must then be written in order, as they are here)
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False})
    workbook.set_properties(
        {
            "title": descriptor.get("title", ""),
            "subject": "人民政府公报开放数据",
            "comments": f"数据包版本 {descriptor.get('version', '')}",
            "created": created,
        }
    )
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": False, "valign": "top"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    readme = workbook.add_worksheet("说明")
    readme_rows: list[list[str]] = [
        [descriptor.get("title", "")],
        [descriptor.get("description", "")],
        [f"版本 {descriptor.get('version', '')}，数据截至 {descriptor.get('created', '')[:10]}。"],
        [f"许可：{(descriptor.get('licenses') or [{}])[0].get('title', '')}"],
        [
            "文字与公报原文一致；所有文字单元格均按文本写入，以 = + - @ 开头的内容不会被当作公式。"
            f"超过 {CELL_MAX:,} 字的单元格接续写在右侧的“（续）”列中。"
        ],
        [],
        ["工作表", "列", "字段名", "类型", "说明"],
    ]
    for name in SHEETS:
        resource = resources.get(name)
        if resource is None:
            continue
        fields = resource["schema"]["fields"]
        sheet = workbook.add_worksheet(resource.get("title", name)[:31])
        for field in fields:
            readme_rows.append(
                [
                    sheet.name,
                    field.get("title", field["name"]),
                    field["name"],
                    field["type"],
                    field.get("description", ""),
                ]
            )
        _write_table(sheet, package_dir / resource["path"], fields, bold, wrap, date)
    for row_number, row in enumerate(readme_rows):
        for column, text in enumerate(row):
            readme.write_string(row_number, column, text, bold if row_number in (0, 6) else None)
    readme.set_column(0, 1, 14)
    readme.set_column(2, 3, 18)
    readme.set_column(4, 4, 80)
    workbook.close()


def _created(value: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return datetime.datetime(1970, 1, 1)


def _write_table(sheet, path: Path, fields: list[dict[str, Any]], bold, wrap, date) -> None:
    types = [f["type"] for f in fields]
    titles = [f.get("title", f["name"]) for f in fields]
    extra: dict[int, int] = {}  # field index → continuation columns used
    count = 0
    for row in _rows(path):  # a first pass for the columns; the rows are not kept
        count += 1
        for i, cell in enumerate(row[: len(fields)]):
            if types[i] == "string" and len(cell) > CELL_MAX:
                extra[i] = max(extra.get(i, 0), (len(cell) - 1) // CELL_MAX)
    # columns: each field, followed by its continuation columns
    start, column = [], 0
    for i in range(len(fields)):
        start.append(column)
        column += 1 + extra.get(i, 0)
    for i, title in enumerate(titles):
        sheet.write_string(0, start[i], title, bold)
        sheet.set_column(start[i], start[i], COLUMN_WIDTH.get(types[i], 24))
        for k in range(extra.get(i, 0)):
            sheet.write_string(0, start[i] + 1 + k, f"{title}（续 {k + 2}）", bold)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, count, max(column - 1, 0))
    for r, row in enumerate(_rows(path), start=1):
        for i, cell in enumerate(row[: len(fields)]):
            if cell == "":
                continue
            _write_cell(sheet, r, start[i], cell, types[i], wrap, date)


def _rows(path: Path):
    """The CSV file's rows after its header, read as they are used."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        yield from reader


def _write_cell(sheet, row: int, column: int, text: str, field_type: str, wrap, date) -> None:
    if field_type == "integer":
        try:
            sheet.write_number(row, column, int(text))
            return
        except ValueError:
            pass
    elif field_type == "boolean" and text in ("true", "false"):
        sheet.write_boolean(row, column, text == "true")
        return
    elif field_type == "date":
        try:
            sheet.write_datetime(row, column, datetime.datetime.fromisoformat(text), date)
            return
        except ValueError:
            pass
    for k in range(0, max(len(text), 1), CELL_MAX):
        sheet.write_string(row, column + k // CELL_MAX, text[k : k + CELL_MAX], wrap)
