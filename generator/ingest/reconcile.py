"""Phase 5 of parsing a gazette, over all its documents: ids (from the document number, duplicates
told apart), references to other documents, and reconciliation with the table of contents (page and
section from the entry, disagreements as problems)."""

from __future__ import annotations

from generator.ingest.context import Line, _Ctx
from generator.ingest.docnumbers import correct_doc_number, edit_distance, parse_doc_number_line
from generator.ingest.patterns import _excerpt, _title_key, title_ratio
from generator.ingest.references import find_references
from generator.ingest.segments import _Segment
from generator.model import ids
from generator.model.models import Document, TocEntry


def _assign_ids_and_sections(
    documents: list[Document], issue_id: str, toc: list[TocEntry], ctx: _Ctx
) -> None:
    seen: dict[str, int] = {}
    first_with: dict[str, Document] = {}
    for seq, doc in enumerate(documents, 1):
        doc.seq = seq
        base = ids.document_id(doc.doc_number, issue_id, seq, doc.signed_on, doc.title, doc.doc_type)
        if base in seen:
            other = first_with[base]
            number = doc.doc_number.text if doc.doc_number else base
            other_number = other.doc_number.text if other.doc_number else base
            if number == other_number or doc.doc_number is None:
                ctx.problem("warning", "duplicate-doc-number", f"发文字号重复：{number}", doc.line)
                seen[base] += 1
                base = f"{base}-{seen[base]}"
            else:  # homophone agency codes (鲁教发 / 卢教发) share a pinyin id: the later one is told apart
                base = ids.disambiguated(base, doc.doc_number.agency)
                ctx.problem(
                    "info",
                    "document-id-disambiguated",
                    f"文档标识 {base}：{number} 与 {other_number}（第 {other.line} 行）拼音相同，"
                    f"以机关代字的散列区分",
                    doc.line,
                )
        else:
            seen[base] = 1
            first_with[base] = doc
        doc.document_id = base
        for n, table in enumerate(doc.tables, 1):
            table.table_id = f"{doc.document_id}-t{n}"
        try:
            own = doc.doc_number.text if doc.doc_number else ""
            doc.references = find_references(
                "\n".join([doc.title, doc.body] + [a.body for a in doc.attachments]), doc.line, own
            )
        except Exception as exc:
            ctx.problem(
                "error", "reference-parser-failed", f"引用解析失败：{type(exc).__name__}: {exc}", doc.line
            )


def _reconcile(
    documents: list[Document], toc: list[TocEntry], segments: list[_Segment], body: list[Line], ctx: _Ctx
) -> None:
    """Title from the body, page and section from the TOC; disagreements become problems."""
    entries = [e for e in toc if e.title != e.section]
    used: set[int] = set()
    keys = [_title_key(e.title) for e in entries]  # each entry's, once
    for doc in documents:
        match = _match_entry(doc, entries, used, ctx, keys)
        if match is None:
            if entries:
                ctx.problem(
                    "warning",
                    "document-without-toc-entry",
                    f"目录中没有此文件：{_excerpt(doc.title)}",
                    doc.line,
                )
            doc.section = _section_from_issuer(doc, ctx)
            continue
        used.add(match)
        entry = entries[match]
        doc.page = entry.page
        doc.section = entry.section or _section_from_issuer(doc, ctx)
        if _title_key(entry.title) != _title_key(doc.title):
            ctx.problem(
                "info",
                "toc-title-differs",
                f"目录标题与正文标题不同：目录「{entry.title}」（第{entry.line}行），正文「{doc.title}」",
                doc.line,
            )
    for k, entry in enumerate(entries):
        if k not in used:
            ctx.problem(
                "warning",
                "toc-entry-without-body",
                f"目录条目在正文中找不到：{entry.title}"
                + (f"（{entry.doc_number}）" if entry.doc_number else ""),
                entry.line,
            )
    kinds = {s.kind for s in segments}
    for entry in toc:
        if entry.title == entry.section:
            wanted = (
                "events" if "大事记" in entry.section else "appointments" if "任免" in entry.section else None
            )
            if wanted and wanted not in kinds:
                ctx.problem(
                    "warning",
                    "toc-entry-without-body",
                    f"目录栏目在正文中找不到：{entry.section}",
                    entry.line,
                )


def _match_entry(
    doc: Document, entries: list[TocEntry], used: set[int], ctx: _Ctx, keys: list[str]
) -> int | None:
    if doc.doc_number:
        for k, entry in enumerate(entries):
            if k in used or not entry.doc_number:
                continue
            number = parse_doc_number_line(entry.doc_number)
            if number:
                number = correct_doc_number(number, ctx.codes()).number
                if number.text == doc.doc_number.text:
                    return k
    key = _title_key(doc.title)
    best, best_ratio = None, 0.0
    for k, entry in enumerate(entries):
        if k in used:
            continue
        needed = 0.75
        if doc.doc_number and entry.doc_number:
            number = parse_doc_number_line(entry.doc_number)
            if number is None or not _misread_of(number, doc.doc_number):
                continue  # both numbered and numbers differ: not the same document
            needed = 0.95  # one glyph of the agency code misread (济充 / 济兖): the titles must agree
        ratio = title_ratio(key, keys[k], max(needed, best_ratio)) if key and keys[k] else 0.0
        if ratio > best_ratio and ratio >= needed:
            best, best_ratio = k, ratio
    return best


def _misread_of(a, b) -> bool:
    """Two numbers that differ only in one character of the agency code (an OCR confusion)."""
    return (
        a.year == b.year
        and a.serial == b.serial
        and len(a.agency) == len(b.agency)
        and edit_distance(a.agency, b.agency) == 1
    )


def _section_from_issuer(doc: Document, ctx: _Ctx) -> str:
    level = "区"
    if ctx.publisher and ctx.publisher.short_name:
        level = ctx.publisher.short_name[-1]
    agency = doc.doc_number.agency if doc.doc_number else ""
    if "办" in agency or doc.issuer.endswith("办公室"):
        return f"{level}政府办公室文件"
    if agency or doc.issuer:
        return f"{level}政府文件"
    return ""
