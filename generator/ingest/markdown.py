"""A document's body lines as Markdown (part of phase 4, one document): tables found and rendered,
hard-wrapped lines re-joined into paragraphs, numbered headings marked, Markdown-looking starts escaped.
The joins are decided on cleaned text; what is stored is the text as printed (``_faithful``)."""

from __future__ import annotations

import re
from collections import Counter

from generator.ingest.context import Line, _Ctx, _line_faithful, _span_faithful
from generator.ingest.dates import is_date_line
from generator.ingest.patterns import (
    BLOCK_START_RE,
    HEADING1_RE,
    HEADING2_RE,
    LIST_ITEM_RE,
    PUBLIC_RE,
    _ends_terminal,
)
from generator.ingest.tables import find_tables, table_markdown
from generator.ingest.textutil import clean_artefacts, join_cjk, spaceless, width
from generator.model.models import Table

NAME_ROW_RE = re.compile(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]")


def _markdown(lines: list[Line], ctx: _Ctx, tables: list[Table]) -> str:
    """Body lines → Markdown: tables, re-joined paragraphs, headings; artefacts cleaned."""
    if not lines:
        return ""
    spans, problems = _safe_find_tables(lines, ctx)
    ctx.problems.extend(problems)
    blocks: list[str] = []
    i = 0
    span_at = {s.start: s for s in spans}
    plain: list[Line] = []

    def flush() -> None:
        if plain:
            blocks.extend(_paragraphs(plain, ctx))
            plain.clear()

    while i < len(lines):
        span = span_at.get(i)
        if span is not None and span.end > i:
            flush()
            table = span.table
            tables.append(table)
            rendered = table_markdown(table)
            if rendered.strip():
                blocks.append(rendered.strip("\n"))
                ctx.represented.extend(t for _, t in lines[span.start : span.end])
            else:
                blocks.extend(_paragraphs(lines[span.start : span.end], ctx))
            i = span.end
            continue
        plain.append(lines[i])
        i += 1
    flush()
    return "\n\n".join(b for b in blocks if b.strip())


def _safe_find_tables(lines: list[Line], ctx: _Ctx):
    try:
        spans, problems = find_tables(lines)
    except Exception as exc:  # a table bug must not lose the document
        ctx.problem("error", "table-parser-failed", f"表格解析失败：{type(exc).__name__}: {exc}", lines[0][0])
        return [], []
    return sorted((s for s in spans if 0 <= s.start < s.end <= len(lines)), key=lambda s: s.start), problems


def _paragraphs(lines: list[Line], ctx: _Ctx) -> list[str]:
    """Lines → paragraphs. Where lines join is decided on their cleaned text; what a paragraph stores
    is its lines as printed, less the recorded extraction artefacts."""
    items: list[tuple[int, str, str]] = []  # (line, cleaned for decisions, kept for storage)
    for n, t in lines:
        kept = _line_faithful(ctx, n, t)
        if not kept.strip():
            continue
        items.append((n, clean_artefacts(t) or kept.strip(), kept))
    wrap = _wrap_width([c for _, c, _ in items]) or ctx.doc_wrap
    groups: list[list[tuple[int, str, str]]] = []
    current = ""
    for item in items:
        c = item[1]
        if current and _should_join(current, c, wrap):
            current = _concat(current, c)
            groups[-1].append(item)
        else:
            current = c
            groups.append([item])
    out = []
    for group in groups:
        text, starts = "", []
        for n, _, kept in group:
            text = _concat(text, kept) if text else kept
            starts.append((len(text) - len(kept), n))
        out.append(_render_paragraph(_span_faithful(ctx, text, starts)))
    return out


def _wrap_width(lines: list[str]) -> int:
    """The width of a hard-wrapped layout (most lines the same width), or 0."""
    # a line counts 1 to 2 per character: one longer than 90 or shorter than 12 is not measured
    widths = [width(t) for t in lines if 12 <= len(t) <= 90 and "\t" not in t and not t.startswith("|")]
    mid = [w for w in widths if 24 <= w <= 90]
    if len(mid) < 5:
        return 0
    mode, _ = Counter(mid).most_common(1)[0]
    near = [w for w in mid if mode - 4 <= w <= mode + 2]
    top = max(near)
    if len(near) >= max(5, len(mid) // 3):
        return top
    return 0


def _should_join(current: str, nxt: str, wrap: int) -> bool:
    if "\t" in current or "\t" in nxt:
        return False
    if current.startswith("|"):
        return not current.endswith("|")
    if nxt.startswith("|"):
        return False
    if nxt[0] in "，。、；：）)”’》〕】号!?！？,.;:%％":
        return True
    if _ends_terminal(current):
        return False
    if BLOCK_START_RE.match(nxt) or is_date_line(nxt) or PUBLIC_RE.match(spaceless(nxt)):
        return False
    if current[-1] in "的之和与及或在对为把将从于以等、，“《（(":
        return True
    if NAME_ROW_RE.search(current) and not any(ch in current for ch in "，。；"):
        return False  # a name list row: 王 骁 区委副书记
    if len(current) >= 60:  # its width is at least its length: joined by one of the rules below
        return True
    w = width(current)
    if wrap and w >= wrap - 8:  # a first line may lose its 2-character indent
        return True
    if any(ch in current for ch in "，、；。,") and w >= 16:
        return True
    return w >= 60


def _concat(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


# A paragraph start that Markdown would read as structure: a heading, quote, list item or rule (not
# inline emphasis such as ``**强调**``, which is the text as printed).
_ESCAPE_RE = re.compile(r"^([#>+=]|\*(?=\s|\*\s|\*\*)|-(?!\d)|\d+[.)](?=\S))")


def _render_paragraph(p: str) -> str:
    if "\t" in p:
        cells = [c.strip() for c in p.split("\t")]
        return " | ".join(c for c in cells if c) or p
    text = p
    short = len(text) <= 70 and width(text) <= 70 and "。" not in text and not text.endswith(("；", "："))
    if short and HEADING1_RE.match(text):
        return "### " + join_cjk(text)
    if short and HEADING2_RE.match(text) and width(text) <= 50:
        return "#### " + join_cjk(text)
    if _ESCAPE_RE.match(text) and not LIST_ITEM_RE.match(text):
        text = "\\" + text
    return text
