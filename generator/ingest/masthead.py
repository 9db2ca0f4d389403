"""Phase 1 of parsing a gazette: the masthead (publisher title, year, 期号 and 总期号 in the first
lines) and, once the table of contents is read, the colophon (masthead repeats, 第…期, …出版 and
主管主办：… blocks) and running mastheads removed from the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.ingest.context import Line, _Ctx
from generator.ingest.dates import cn_number
from generator.ingest.docnumbers import parse_doc_number_line
from generator.ingest.patterns import COLOPHON_KEY_RE, PUBLISHED_RE
from generator.ingest.textutil import join_cjk, spaceless

TOC_HEADING_RE = re.compile(r"^目\s*录$")
MASTHEAD_NUMBER_RE = re.compile(
    r"第\s*([0-9一二三四五六七八九十]+(?:\s*[-－—–~～、]\s*[0-9一二三四五六七八九十]+)?)\s*期"
)
CUMULATIVE_RE = re.compile(r"总\s*第\s*(\d+(?:\s*[-－—–~～、]\s*\d+)?)\s*期")
YEAR_LINE_RE = re.compile(r"^((?:19|20)\d{2})\s*年?$")
YEAR_IN_RE = re.compile(r"((?:19|20)\d{2})\s*年")
COLOPHON_STRONG_RE = re.compile(r"^(主管主办|主管|主办|编辑出版|准印证号?|印刷单位|刊号|内部资料)\s*[：:]")
ISSUE_LINE_RE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年\s*)?第\s*[\d\s\-－—–]+期(?:\s*[(（]\s*总第[\d\s\-－—–]+期\s*[)）])?$"
)


@dataclass
class _Masthead:
    title: str = ""
    year: int | None = None
    number: str = ""
    cumulative: str = ""
    has_toc: bool = False
    line: int = 0


# ---------------------------------------------------------------- masthead


def _parse_masthead(lines: list[Line], ctx: _Ctx) -> tuple[_Masthead, int]:
    """Publisher title, year, 期号 in the first lines; returns the index after the masthead."""
    head = _Masthead()
    limit = min(len(lines), 12)
    pos = 0
    for i in range(limit):
        n, t = lines[i]
        flat = spaceless(t)
        if TOC_HEADING_RE.match(t):
            head.has_toc = True
            ctx.noise.append(t)
            return head, i + 1
        if parse_doc_number_line(t) or len(flat) > 40:
            break
        matched = False
        if "公报" in flat and not head.title and len(flat) <= 30:
            head.title, head.line, matched = flat, n, True
        if YEAR_LINE_RE.match(flat):
            head.year = int(YEAR_LINE_RE.match(flat).group(1))
            matched = True
        number = MASTHEAD_NUMBER_RE.search(flat) if not matched or head.title else None
        if number and not flat.startswith("总"):
            head.number = _dash(number.group(1))
            cumulative = CUMULATIVE_RE.search(flat)
            if cumulative:
                head.cumulative = _dash(cumulative.group(1))
            year = YEAR_IN_RE.search(flat)
            if year and head.year is None:
                head.year = int(year.group(1))
            matched = True
        if not matched:
            break
        ctx.represented.append(t)
        pos = i + 1
    if not head.title:
        return _Masthead(), 0
    return head, pos


def _dash(text: str) -> str:
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[－—–~～、]", "-", text)
    parts = [str(cn_number(p) if cn_number(p) is not None else p) for p in text.split("-")]
    return "-".join(parts)


# ---------------------------------------------------------------- colophon


def _extract_colophon(
    body: list[Line], head: _Masthead, ctx: _Ctx
) -> tuple[list[Line], list[str], Line | None]:
    """Remove colophon blocks (masthead repeat, 第…期, …出版, 主管主办：…) and running mastheads."""
    keep: list[Line] = []
    colophon: list[str] = []
    published: Line | None = None
    i = 0
    while i < len(body):
        n, t = body[i]
        flat = spaceless(t)
        is_title = bool(head.title) and flat == head.title
        starts = (
            is_title
            or PUBLISHED_RE.match(flat)
            or (
                COLOPHON_STRONG_RE.match(flat)
                and i + 1 < len(body)
                and COLOPHON_KEY_RE.match(spaceless(body[i + 1][1]))
            )
        )
        if not starts:
            keep.append(body[i])
            i += 1
            continue
        j = i
        block: list[Line] = []
        while j < len(body):
            fj = spaceless(body[j][1])
            if (
                (j == i and is_title)
                or ISSUE_LINE_RE.match(fj)
                or PUBLISHED_RE.match(fj)
                or COLOPHON_KEY_RE.match(fj)
            ):
                block.append(body[j])
                j += 1
                continue
            break
        if len(block) == 1 and is_title:
            ctx.noise.append(t)  # a running masthead
        else:
            for bn, bt in block:
                fb = spaceless(bt)
                if PUBLISHED_RE.match(fb) and published is None:
                    published = (bn, fb)
                    ctx.represented.append(bt)
                elif ISSUE_LINE_RE.match(fb) or (head.title and fb == head.title):
                    ctx.represented.append(bt)
                else:
                    colophon.append(join_cjk(bt) if not COLOPHON_KEY_RE.match(fb) else _colophon_line(bt))
        i = j
    return keep, colophon, published


def _colophon_line(text: str) -> str:
    parts = re.split(r"[：:]", text, maxsplit=1)
    return f"{parts[0].strip()}：{parts[1].strip()}" if len(parts) == 2 else text.strip()
