"""Raw gazette text → Issue record. Pure: no I/O; what cannot be parsed becomes Problems.

``parse_source`` runs the phases in order, each over numbered non-blank lines, each in a module of
its own:

1. masthead (``masthead.py``): publisher title, year, 期号;
2. table of contents (``toc.py``), then the colophon and running mastheads out of the body
   (``masthead.py``);
3. body segments (``segments.py``): documents, 人事任免, 大事记; the publisher (here);
4. each document's elements (``document.py``, its body as Markdown in ``markdown.py``);
5. ids, references and reconciliation with the table of contents (``reconcile.py``);
6. the 人事任免 and 大事记 sections (``appointments.py``, ``events.py``, called from here);
7. coverage: how much of the source is in the record (``coverage.py``).

What the phases share is in ``context.py`` (the parse context, stored-text helpers) and
``patterns.py`` (the line patterns more than one phase recognises).
"""

from __future__ import annotations

import re
from collections import Counter

from generator.ingest.appointments import parse_appointments
from generator.ingest.context import Line, _Ctx
from generator.ingest.coverage import _coverage, _line_buckets
from generator.ingest.dates import parse_date
from generator.ingest.docnumbers import join_broken_numbers, parse_doc_number_line
from generator.ingest.document import _parse_document
from generator.ingest.events import parse_events
from generator.ingest.layout import logical_lines
from generator.ingest.masthead import _extract_colophon, _parse_masthead
from generator.ingest.patterns import SECTION_BRACKET_RE, is_site_chrome
from generator.ingest.reconcile import _assign_ids_and_sections, _reconcile
from generator.ingest.segments import _Segment, _segment
from generator.ingest.textutil import clean_artefacts, normalise_line, spaceless
from generator.ingest.toc import _parse_toc
from generator.model import ids
from generator.model.body import blocks
from generator.model.models import Appointment, Document, Issue, Problem, TocEntry
from generator.model.publishers import Publisher, Registry

SAME_DAY_MARKERS = "△▲"  # 大事记: another entry on the day before; a marker, not content


# ---------------------------------------------------------------- entry point


def parse_source(text: str, source_name: str, registry: Registry | None) -> Issue:
    """One gazette issue (or collection of documents) as text → Issue. Never raises on odd input."""
    registry = registry or Registry([])
    ctx = _Ctx(registry)
    lines = [(n, normalise_line(raw)) for n, raw in logical_lines(text)]
    lines = join_broken_numbers([(n, t) for n, t in lines if t])
    source_lines = lines  # coverage counts every line, the website chrome left out below included
    lines = _without_site_chrome(lines, ctx)

    masthead, pos = _parse_masthead(lines, ctx)
    ctx.publisher = registry.find(masthead.title) if masthead.title else None
    by_division = ctx.publisher is None and bool(masthead.title)
    if by_division:
        ctx.publisher = _publisher_from_divisions(masthead.title, [], [])
    toc: list[TocEntry] = []
    sections: list[str] = []
    if masthead.has_toc:
        toc, sections, pos = _parse_toc(lines, pos, ctx)
    body = lines[pos:]
    body, colophon, published_raw = _extract_colophon(body, masthead, ctx)

    segments = _segment(body, toc, ctx)
    if ctx.publisher is None:
        ctx.publisher = _publisher_from_body(body, segments, registry)
    kind = "issue" if (masthead.title or toc) else "collection"
    if kind == "collection":
        ctx.problem(
            "info", "no-masthead", "没有刊头和目录：按文件汇编（collection）处理", lines[0][0] if lines else 0
        )
    if ctx.publisher is None:
        ctx.publisher = _publisher_from_divisions(masthead.title, body, segments)
        by_division = True
    if by_division and ctx.publisher is not None:
        ctx.problem(
            "info",
            "publisher-by-division-name",
            f"发布机关不在 publishers.yml 中，按行政区划名称识别为 {ctx.publisher.name}"
            f"（区划代码 {ctx.publisher.region_code}）",
            masthead.line,
        )
    if ctx.publisher is None:
        ctx.problem(
            "warning",
            "unknown-publisher",
            f"发布机关不在 publishers.yml 中：{masthead.title or '（未识别）'}",
            masthead.line,
        )

    # Documents first (their dates give the year when the masthead has none).
    documents: list[Document] = []
    owners: dict[str, list] = {}  # coverage bucket → the records made from it
    notice_rows: dict[str, list[Appointment]] = {}  # coverage bucket → rows of a 任免 notice
    for k, seg in enumerate(segments):
        if seg.kind == "document" and seg.end > seg.start:
            ctx.bucket = f"s{k}"
            doc = _parse_document(
                body[seg.start : seg.end], seg.anchor - seg.start if seg.anchor >= 0 else -1, ctx
            )
            documents.append(doc)
            notice_rows[ctx.bucket] = _notice_appointments(doc, masthead.year, ctx)
            owners[ctx.bucket] = [doc, *notice_rows[ctx.bucket]]
    ctx.bucket = "front"
    year = masthead.year
    year_inferred = False
    if year is None:
        year = _infer_year(documents)
        year_inferred = year is not None

    publisher_name = ctx.publisher.name if ctx.publisher else _publisher_from_title(masthead.title)
    region = ctx.publisher.region_code if ctx.publisher else ""
    number = masthead.number
    first_numbered = next((d.doc_number for d in documents if d.doc_number), None)
    first_doc = ids.legacy_document_id(first_numbered) if first_numbered else ""
    if not first_doc and documents and documents[0].title:  # a collection of unnumbered documents
        first_doc = ids.unnumbered_document_key(
            documents[0].signed_on, documents[0].title, documents[0].doc_type
        )
    issue_id = ids.issue_id(region or "000000", year, number, kind, first_doc)

    _assign_ids_and_sections(documents, issue_id, toc, ctx)
    _reconcile(documents, toc, segments, body, ctx)

    appointments, events = [], []
    for k, seg in enumerate(segments):
        seg_lines = body[seg.start : seg.end]
        ctx.bucket = f"s{k}"
        if seg.kind == "document":
            appointments.extend(notice_rows.get(ctx.bucket, []))
            continue
        ctx.represented.append(seg_lines[0][1] if seg_lines else "")
        if seg.kind == "appointments":
            found, problems = _call(
                parse_appointments, _drop_headers(seg_lines, "人事任免", ctx), year, issue_id, ctx
            )
            appointments.extend(found)
            owners[ctx.bucket] = found
        elif seg.kind == "events":
            kept = _drop_headers(seg_lines, "大事记", ctx)
            ctx.noise.extend(t.lstrip()[0] for _, t in kept if t.lstrip()[:1] in SAME_DAY_MARKERS)
            found, problems = _call(parse_events, kept, year, issue_id, ctx)
            events.extend(found)
            owners[ctx.bucket] = found
        else:
            continue
        ctx.problems.extend(problems)
    ctx.bucket = "front"
    for n, row in enumerate(appointments, 1):
        row.appointment_id = ids.appointment_id(issue_id, n)

    published_on = ""
    if published_raw:
        published_on = parse_date(published_raw[1], year)
        if not published_on:
            ctx.problem(
                "warning", "bad-publication-date", f"出版日期无法识别：{published_raw[1]}", published_raw[0]
            )

    if not sections:
        sections = list(dict.fromkeys(d.section for d in documents if d.section))
    issue = Issue(
        issue_id=issue_id,
        kind=kind,
        publisher=publisher_name,
        region_code=region,
        year=year,
        number=number,
        cumulative_number=masthead.cumulative,
        published_on=published_on,
        source=source_name,
        year_inferred=year_inferred,
        title=masthead.title,
        sections=sections,
        toc=toc,
        documents=documents,
        appointments=appointments,
        events=events,
        problems=sorted(ctx.problems, key=lambda p: p.line),
    )
    if hasattr(issue, "colophon"):
        issue.colophon = colophon
    else:  # the model has no place for 编辑出版/电话 lines: count them as dropped, not kept
        ctx.noise.extend(colophon)
        colophon = []
    buckets = _line_buckets(source_lines, body, segments)
    issue.coverage = _coverage(source_lines, buckets, issue, owners, ctx, colophon)
    return issue


def _without_site_chrome(lines: list[Line], ctx: _Ctx) -> list[Line]:
    """The lines without a website's navigation, toolbar and footer copied with a document's text
    (首页 > 政务公开 …, 分享到, 打印本页, 鲁ICP备…号): noise, counted in coverage, never text."""
    kept = []
    for n, t in lines:
        if is_site_chrome(t):
            ctx.noise.append(t)
        else:
            kept.append((n, t))
    return kept


def _call(parser, lines: list[Line], year: int | None, prefix: str, ctx: _Ctx, *defaults: str):
    """Run a section parser written elsewhere; a crash there becomes a Problem, not a lost issue."""
    try:
        return parser(lines, year, prefix, *defaults)
    except Exception as exc:
        line = lines[0][0] if lines else 0
        return [], [
            Problem(
                "error", "section-parser-failed", f"{parser.__name__} 失败：{type(exc).__name__}: {exc}", line
            )
        ]


# ---------------------------------------------------------------- publisher


def _publisher_from_body(body: list[Line], segments: list[_Segment], registry: Registry) -> Publisher | None:
    votes: Counter = Counter()
    for seg in segments:
        if seg.kind != "document":
            continue
        head = " ".join(t for _, t in body[seg.start : seg.start + 3])
        found = registry.find(head)
        if found:
            votes[found.name] += 1
        if seg.anchor >= 0:
            number = parse_doc_number_line(body[seg.anchor][1])
            by_code = registry.by_agency(number.agency) if number else None
            if by_code:
                votes[by_code.name] += 1
    if not votes:
        return None
    name = votes.most_common(1)[0][0]
    return next(p for p in registry.publishers if p.name == name)


def _publisher_from_divisions(title: str, body: list[Line], segments: list[_Segment]) -> Publisher | None:
    """A publisher the registry lacks, by the administrative division its masthead, or else the
    first lines or last lines (issuer, signature) of its documents, name."""
    from generator.model.divisions import find_publisher

    candidates = [title] if title else []
    for seg in segments:
        if seg.kind == "document":
            candidates.append(" ".join(t for _, t in body[seg.start : seg.start + 3]))
            candidates.append(" ".join(t for _, t in body[max(seg.start, seg.end - 4) : seg.end]))
    for text in candidates:
        found = find_publisher(text)
        if found is not None:
            return found
    return None


def _publisher_from_title(title: str) -> str:
    return title.replace("公报", "") if title else ""


# ---------------------------------------------------------------- year, 人事任免 and 大事记


def _infer_year(documents: list[Document]) -> int | None:
    years: Counter = Counter()
    for doc in documents:
        if doc.signed_on:
            years[int(doc.signed_on[:4])] += 2
        if doc.doc_number:
            years[doc.doc_number.year] += 1
    return years.most_common(1)[0][0] if years else None


# The title of a notice that appoints or dismisses: …等同志职务任免的通知, 关于张三同志任职的通知,
# 关于任命张三同志职务的决定 (not a notice about appointed officials' oath, 任命的国家工作人员宪法宣誓)
APPOINTMENT_NOTICE_RE = re.compile(
    r"(?:任免|任职|免职|(?:任命|聘任|免去)[^的]{1,20}?(?:同志|职务))的?(?:通知|决定)$"
)


def _notice_appointments(doc: Document, year: int | None, ctx: _Ctx) -> list[Appointment]:
    """The rows of a document that appoints or dismisses (中共XX区委关于XX等同志职务任免的通知):
    its body read as a 人事任免 section, the rows dated and authorised by the document itself
    unless its text says otherwise. The document stays a document."""
    if not APPOINTMENT_NOTICE_RE.search(doc.title) or not doc.body:
        return []
    lines = [(doc.line, "".join(b.lines)) for b in blocks(doc.body) if b.kind == "paragraph"]
    rows, problems = _call(parse_appointments, lines, year, "", ctx, doc.signed_on, doc.issuer)
    for row in rows:  # 经县委研究决定 under a notice of 中共汶上县委: the body names its issuer
        if doc.issuer and row.authority and doc.issuer.endswith(row.authority):
            row.authority = doc.issuer
    ctx.problems.extend(problems)
    return rows


def _drop_headers(lines: list[Line], name: str, ctx: _Ctx) -> list[Line]:
    """Drop running page headers (a lone section name, a repeated section title)."""
    kept: list[Line] = []
    first = spaceless(lines[0][1]) if lines else ""
    for k, (n, t) in enumerate(lines):
        flat = spaceless(clean_artefacts(t))
        if flat == name or (k > 0 and flat == first) or SECTION_BRACKET_RE.match(t) and name in t:
            ctx.noise.append(t)
            continue
        kept.append((n, t))
    return kept
