"""Phase 2 of parsing a gazette: the table of contents after the masthead's 目录 heading: sections
(【区政府文件】, 区政府文件：) and entries (title, document number, page), up to where the body starts."""

from __future__ import annotations

import re

from generator.ingest.context import Line, _Ctx, _line_faithful, _span_faithful
from generator.ingest.docnumbers import parse_doc_number_line
from generator.ingest.patterns import COLOPHON_KEY_RE, PUBLISHED_RE, SECTION_BRACKET_RE
from generator.ingest.textutil import join_cjk, spaceless
from generator.model.models import TocEntry

SECTION_COLON_RE = re.compile(r"^([\u4e00-\u9fff、]{2,15})\s*[：:]\s*(?:[·.…\s\t]*(\d{1,4}))?$")
TOC_PAGE_RE = re.compile(r"^(.*?(?:[\t·•…]|\.{2,}|\s{1}|[)）】〕号]))[\s\t·•….．]*(\d{1,4})$")
TOC_DOC_NUMBER_RE = re.compile(r"[(（]\s*([^()（）]*?〔[^()（）]*?号)\s*[)）]\s*$")
LEADERS_RE = re.compile(r"[·•…]{2,}|\.{3,}|…+|-{3,}")
SEPARATOR_RE = re.compile(r"^[-—_=·.…\s\t*]+$")


def _parse_toc(lines: list[Line], pos: int, ctx: _Ctx) -> tuple[list[TocEntry], list[str], int]:
    entries: list[TocEntry] = []
    sections: list[str] = []
    section = ""
    pending: list[tuple[int, Line]] = []
    i = pos
    while i < len(lines):
        n, t = lines[i]
        flat = spaceless(t)
        if SEPARATOR_RE.match(t):
            ctx.noise.append(t)
            i += 1
            continue
        if "公报" in flat and len(flat) <= 30 or PUBLISHED_RE.match(flat) or COLOPHON_KEY_RE.match(flat):
            break
        head = SECTION_BRACKET_RE.match(t) or (SECTION_COLON_RE.match(t) if "关于" not in t else None)
        if head and not pending:
            section = spaceless(head.group(1))
            sections.append(section)
            ctx.represented.append(t)
            if head.group(2):
                entries.append(TocEntry(section=section, title=section, page=int(head.group(2)), line=n))
            i += 1
            continue
        page = TOC_PAGE_RE.match(t)
        if page and not parse_doc_number_line(t):
            pending.append((i, (n, page.group(1))))
            ctx.represented.append(t)
            entries.append(_toc_entry(section, [p[1] for p in pending], int(page.group(2)), ctx))
            pending = []
            i += 1
            continue
        pending.append((i, (n, t)))
        bare_number = parse_doc_number_line(t) and t.strip()[:1] not in "(（"
        if len(pending) >= 3 or (len(pending) >= 2 and bare_number):
            end = pending[0][0]
            for _, (_, text) in pending:
                ctx.represented.remove(text) if text in ctx.represented else None
            return entries, sections, end
        ctx.represented.append(t)
        i += 1
    if pending:  # entries without page numbers at the end of the TOC
        for _idx, (_n, t) in pending:
            if t in ctx.represented:
                ctx.represented.remove(t)
        return entries, sections, pending[0][0]
    return entries, sections, i


def _toc_entry(section: str, parts: list[Line], page: int | None, ctx: _Ctx) -> TocEntry:
    kept = [(n, _line_faithful(ctx, n, LEADERS_RE.sub(" ", t).strip())) for n, t in parts]
    text = " ".join(t for _, t in kept).strip()
    number = ""
    match = TOC_DOC_NUMBER_RE.search(text)
    if match:
        number = match.group(1).strip()
        text = text[: match.start()]
    starts, offset = [], 0
    for n, t in kept:
        starts.append((offset, n))
        offset += len(t) + 1
    title = _span_faithful(ctx, text.strip(), starts)
    return TocEntry(
        section=section, title=join_cjk(title).strip(" ·.…"), doc_number=number, page=page, line=parts[0][0]
    )
