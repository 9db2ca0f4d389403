"""The gazette's own text as HTML, every character shown as written.

A record's body is the parser's plain dialect of Markdown: paragraphs separated by blank lines,
headings (``### 一、总体要求``), pipe tables (cells with ``\\|`` and ``\\\\`` escaped) and, at the
start of a paragraph that Markdown would read as a list, quote or rule, one escaping backslash.
``body_html`` reads exactly that dialect and writes HTML itself, with every character of the
text escaped, so that no Markdown or HTML processor ever interprets the gazette's words: a
``*`` stays a star, ``&amp;`` stays as printed, and ``4.`` stays item 4. Pages put the result in
a raw HTML block, which Python-Markdown passes through untouched.
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")
_PARSER_ESCAPE = re.compile(r"^\\(?=[#>+=*\-\d])")  # the one backslash the parser puts before a marker


def body_html(body: str, min_level: int = 3) -> str:
    """The record body ``body`` as HTML; headings shifted so that the highest is ``h{min_level}``."""
    blocks = [b for b in re.split(r"\n[ \t]*\n", body.replace("\r\n", "\n").strip("\n")) if b.strip()]
    levels = [len(m.group(1)) for b in blocks if (m := _HEADING.match(b)) and "\n" not in b]
    shift = max(0, min_level - min(levels)) if levels else 0
    out = []
    for block in blocks:
        lines = block.split("\n")
        heading = _HEADING.match(block) if len(lines) == 1 else None
        if heading:
            level = min(len(heading.group(1)) + shift, 6)
            out.append(f'<h{level} class="gz-text">{_escape(heading.group(2))}</h{level}>')
        elif len(lines) >= 2 and lines[0].startswith("|") and _SEPARATOR.match(lines[1]):
            out.append(_table(lines))
        else:
            text = "<br>".join(_escape(_PARSER_ESCAPE.sub("", line, count=1)) for line in lines)
            out.append(f"<p>{text}</p>")
    return '<div class="gz-text" markdown="0">\n' + "\n".join(out) + "\n</div>"


def _table(lines: list[str]) -> str:
    head, rows = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    parts = ['<table class="gz-text">', "<thead><tr>"]
    parts += [f"<th>{_escape(c)}</th>" for c in head]
    parts.append("</tr></thead>\n<tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{_escape(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _cells(line: str) -> list[str]:
    """The cells of one pipe-table row: ``\\|`` is a pipe in a cell, ``\\\\`` a backslash."""
    cells, cell, i = [], [], 0
    text = line.strip()
    text = text[1:] if text.startswith("|") else text
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "|\\":
            cell.append(text[i + 1])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(cell).strip())
            cell = []
        else:
            cell.append(ch)
        i += 1
    if "".join(cell).strip():
        cells.append("".join(cell).strip())
    return cells


def _escape(text: str) -> str:
    """Every character shown as written: HTML-escaped, and nothing a later Markdown pass could read."""
    return html.escape(text, quote=True).replace("*", "&#42;").replace("_", "&#95;").replace("`", "&#96;")
