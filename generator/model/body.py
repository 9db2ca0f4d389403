"""A record body read back: the parser's plain dialect of Markdown as blocks of text.

The parser writes a document's body as paragraphs separated by blank lines, headings
(``### 一、总体要求``), pipe tables (cells with ``\\|`` and ``\\\\`` escaped) and, before a
paragraph that Markdown would read as a list, quote or rule, one escaping backslash. ``blocks``
reads exactly that back, so that the site can show the text and the data package can carry it
as written, without the marks: ``plain_text`` is the body the data package publishes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")
_PARSER_ESCAPE = re.compile(r"^\\(?=[#>+=*\-\d])")  # the one backslash the parser puts before a marker


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "table"
    lines: list[str] = field(default_factory=list)  # a heading's or paragraph's text, line by line
    level: int = 0  # a heading's level as written
    rows: list[list[str]] = field(default_factory=list)  # a table's rows, header first


@lru_cache(maxsize=16)  # a page shows a body and describes it from its plain text: read once
def blocks(body: str) -> tuple[Block, ...]:
    """The body's blocks, their text as written (marks and the parser's escapes removed); shared
    between callers, so never changed."""
    out = []
    for block in re.split(r"\n[ \t]*\n", body.replace("\r\n", "\n").strip("\n")):
        if not block.strip():
            continue
        lines = block.split("\n")
        heading = _HEADING.match(block) if len(lines) == 1 else None
        if heading:
            out.append(Block("heading", [heading.group(2)], level=len(heading.group(1))))
        elif len(lines) >= 2 and lines[0].startswith("|") and _SEPARATOR.match(lines[1]):
            out.append(Block("table", rows=[cells(lines[0])] + [cells(line) for line in lines[2:]]))
        else:
            out.append(Block("paragraph", [_PARSER_ESCAPE.sub("", line, count=1) for line in lines]))
    return tuple(out)


_CELL_MARK = re.compile(r"\\([|\\])|\|")  # an escaped pipe or backslash, or a cell's edge


def cells(line: str) -> list[str]:
    """The cells of one pipe-table row: ``\\|`` is a pipe in a cell, ``\\\\`` a backslash."""
    text = line.strip()
    text = text[1:] if text.startswith("|") else text
    if "\\" not in text:  # most rows: nothing escaped
        found = [cell.strip() for cell in text.split("|")]
    else:
        found, cell, start = [], [], 0
        for mark in _CELL_MARK.finditer(text):
            cell.append(text[start : mark.start()])
            start = mark.end()
            if mark.group(1):
                cell.append(mark.group(1))
            else:
                found.append("".join(cell).strip())
                cell = []
        cell.append(text[start:])
        found.append("".join(cell).strip())
    if not found[-1]:  # after the closing pipe
        found.pop()
    return found


@lru_cache(maxsize=16)  # the page, the JSON and the data package each ask
def plain_text(body: str) -> str:
    """The body as the document prints it: paragraphs and headings one per line with a blank line
    between, table rows one per line with their cells separated by tabs."""
    parts = []
    for block in blocks(body):
        if block.kind == "table":
            parts.append("\n".join("\t".join(row) for row in block.rows))
        else:
            parts.append("\n".join(block.lines))
    return "\n\n".join(parts)
