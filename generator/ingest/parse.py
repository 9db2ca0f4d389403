"""Raw gazette text → Issue record. Pure: no I/O; what cannot be parsed becomes Problems.

Phases, each over numbered non-blank lines:
masthead → table of contents → colophon → body segments (documents, 人事任免, 大事记)
→ each document's elements → reconciliation with the table of contents → coverage.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from generator.ingest.appointments import parse_appointments
from generator.ingest.dates import DATE_RE, cn_number, is_date_line, parse_date
from generator.ingest.docnumbers import correct_doc_number, edit_distance, parse_doc_number_line
from generator.ingest.events import parse_events
from generator.ingest.layout import logical_lines
from generator.ingest.references import find_references
from generator.ingest.tables import find_tables, table_markdown
from generator.ingest.textutil import (
    Edit,
    apply_edits,
    clean_artefacts,
    describe_edits,
    join_cjk,
    line_artefacts,
    normalise_line,
    spaceless,
    span_artefacts,
    width,
)
from generator.model import ids
from generator.model.models import Attachment, Coverage, DocNumber, Document, Issue, Problem, Table, TocEntry
from generator.model.publishers import Publisher, Registry

Line = tuple[int, str]

DOC_TYPES = (
    "决议",
    "决定",
    "命令",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "纪要",
    "函",
    "令",
)
_CN_NUM = "一二三四五六七八九十百零〇两"

TOC_HEADING_RE = re.compile(r"^目\s*录$")
MASTHEAD_NUMBER_RE = re.compile(
    r"第\s*([0-9一二三四五六七八九十]+(?:\s*[-－—–~～、]\s*[0-9一二三四五六七八九十]+)?)\s*期"
)
CUMULATIVE_RE = re.compile(r"总\s*第\s*(\d+(?:\s*[-－—–~～、]\s*\d+)?)\s*期")
YEAR_LINE_RE = re.compile(r"^((?:19|20)\d{2})\s*年?$")
YEAR_IN_RE = re.compile(r"((?:19|20)\d{2})\s*年")
SECTION_BRACKET_RE = re.compile(r"^[【\[［]\s*([^】\]］]{1,20}?)\s*[】\]］]\s*(?:[·.…\s\t]*(\d{1,4}))?$")
SECTION_COLON_RE = re.compile(r"^([\u4e00-\u9fff、]{2,15})\s*[：:]\s*(?:[·.…\s\t]*(\d{1,4}))?$")
TOC_PAGE_RE = re.compile(r"^(.*?(?:[\t·•…]|\.{2,}|\s{1}|[)）】〕号]))[\s\t·•….．]*(\d{1,4})$")
TOC_DOC_NUMBER_RE = re.compile(r"[(（]\s*([^()（）]*?〔[^()（）]*?号)\s*[)）]\s*$")
LEADERS_RE = re.compile(r"[·•…]{2,}|\.{3,}|…+|-{3,}")
SEPARATOR_RE = re.compile(r"^[-—_=·.…\s\t*]+$")
COLOPHON_STRONG_RE = re.compile(r"^(主管主办|主管|主办|编辑出版|准印证号?|印刷单位|刊号|内部资料)\s*[：:]")
COLOPHON_KEY_RE = re.compile(
    r"^(主管主办|主管|主办|承办|编辑出版|编辑|出版|编印|准印证号|准印证|印刷单位|印刷|联系电话|电话|传真|地址|邮编|"
    r"邮政编码|网址|投稿邮箱|电子邮箱|邮箱|发送|发送对象|内部资料|免费交流|刊号)\s*[：:]"
)
PUBLISHED_RE = re.compile(r"^(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日\s*出版$")
ISSUE_LINE_RE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年\s*)?第\s*[\d\s\-－—–]+期(?:\s*[(（]\s*总第[\d\s\-－—–]+期\s*[)）])?$"
)
ISSUER_RE = re.compile(
    r"^[\u4e00-\u9fff]{2,30}?(人民政府办公室|人民政府|政府办公室|办公室|委员会|管委会|管理委员会|"
    r"办事处|政府|局|厅|委|办)(?=\s|关于|$)"
)
PUBLIC_RE = re.compile(r"^[（(]\s*此件([^)）]{0,10})\s*[)）]$")
PRINTED_RE = re.compile(rf"^[（(]\s*({DATE_RE.pattern})\s*印发\s*[)）]$")
ATTACHMENT_LIST_RE = re.compile(r"^附\s*件\s*[：:]\s*(.*)$")
ATTACHMENT_LABEL_RE = re.compile(r"^附\s*件\s*(\d{1,2})?\s*[：:]?$")
LIST_ITEM_RE = re.compile(r"^([0-9０-９]{1,2})\s*[.、．]\s*(?![0-9０-９])(.*)$")
BLOCK_START_RE = re.compile(
    rf"^(第[{_CN_NUM}]+[章节条部分]|[{_CN_NUM}]+\s*[、．.]|[（(]\s*[{_CN_NUM}]+\s*[）)]|\d{{1,2}}\s*[.、．](?!\d)|"
    rf"[（(]\s*\d{{1,2}}\s*[）)]|[△▲●◆■□①-⑳]|附\s*件|——|注[：:]|\|)"
)
HEADING1_RE = re.compile(rf"^(第[{_CN_NUM}]+[章部分]|[{_CN_NUM}]+\s*、)")
HEADING2_RE = re.compile(rf"^([（(]\s*[{_CN_NUM}]+\s*[）)]|第[{_CN_NUM}]+节)")
SAME_DAY_MARKERS = "△▲"  # 大事记: another entry on the day before; a marker, not content
TERMINAL = set("。！？；：!?;:")
CLOSERS = "”’」』）)】〕》"
APPOINTMENTS_START_RE = re.compile(r"^[^。，,；]{0,30}(任免|任职|免职|人事任免)[^。，,；]{0,12}$")
EVENTS_START_RE = re.compile(r"^[^。，,；]{0,30}大事记$")
PLAN_TITLE_END_RE = re.compile(
    r"(方案|办法|规划|计划|意见|细则|规定|规则|名单|标准|制度|要点|清单|目录|表|纲要|预案|措施|通知|决定)[）)]?\**$"
)
NAME_ROW_RE = re.compile(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]")


@dataclass
class _Ctx:
    registry: Registry
    problems: list[Problem] = field(default_factory=list)
    publisher: Publisher | None = None
    doc_wrap: int = 0  # hard-wrap width of the document being parsed
    bucket: str = "front"  # coverage is counted per part of the source: front matter, each segment
    represented_by: dict[str, list[str]] = field(default_factory=dict)  # raw text a field stands for
    noise_by: dict[str, list[str]] = field(default_factory=dict)  # dropped on purpose
    corrected: Counter = field(default_factory=Counter)  # (line, artefact, replacement) already recorded

    @property
    def represented(self) -> list[str]:
        return self.represented_by.setdefault(self.bucket, [])

    @property
    def noise(self) -> list[str]:
        return self.noise_by.setdefault(self.bucket, [])

    def problem(self, severity: str, code: str, message: str, line: int = 0) -> None:
        self.problems.append(Problem(severity, code, message, line))

    def artefact(self, line: int, text: str, edits: list[Edit]) -> None:
        """Record the extraction artefacts removed from ``text`` (source line ``line``) as a Problem naming
        the original, once per artefact however many fields the line feeds; count what went as noise."""
        fresh: list[Edit] = []
        used: Counter = Counter()
        for edit in edits:
            key = (line, text[edit.start : edit.end], edit.replacement)
            used[key] += 1
            if used[key] > self.corrected[key]:
                fresh.append(edit)
        for key, count in used.items():
            self.corrected[key] = max(self.corrected[key], count)
        if not fresh:
            return
        self.problem("info", "extraction-artefact", "提取残留已更正：" + describe_edits(text, fresh), line)
        removed = Counter(spaceless("".join(text[e.start : e.end] for e in fresh))) - Counter(
            spaceless("".join(e.replacement for e in fresh))
        )
        if removed:
            self.noise.append("".join(removed.elements()))

    def codes(self) -> tuple[str, ...]:
        if self.publisher and self.publisher.agency_codes:
            return self.publisher.agency_codes
        return self.registry.all_codes()


@dataclass
class _Masthead:
    title: str = ""
    year: int | None = None
    number: str = ""
    cumulative: str = ""
    has_toc: bool = False
    line: int = 0


@dataclass
class _Segment:
    kind: str  # document | appointments | events
    start: int  # index into body lines
    anchor: int = -1  # index of the doc-number line (documents)
    end: int = 0


# ---------------------------------------------------------------- entry point


def parse_source(text: str, source_name: str, registry: Registry | None) -> Issue:
    """One gazette issue (or collection of documents) as text → Issue. Never raises on odd input."""
    registry = registry or Registry([])
    ctx = _Ctx(registry)
    lines = [(n, normalise_line(raw)) for n, raw in logical_lines(text)]
    lines = [(n, t) for n, t in lines if t]

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
    for k, seg in enumerate(segments):
        if seg.kind == "document" and seg.end > seg.start:
            ctx.bucket = f"s{k}"
            doc = _parse_document(
                body[seg.start : seg.end], seg.anchor - seg.start if seg.anchor >= 0 else -1, ctx
            )
            documents.append(doc)
            owners[ctx.bucket] = [doc]
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
    issue_id = ids.issue_id(region or "000000", year, number, kind, first_doc)

    _assign_ids_and_sections(documents, issue_id, toc, ctx)
    _reconcile(documents, toc, segments, body, ctx)

    appointments, events = [], []
    for k, seg in enumerate(segments):
        seg_lines = body[seg.start : seg.end]
        ctx.bucket = f"s{k}"
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
    buckets = _line_buckets(lines, body, segments)
    issue.coverage = _coverage(lines, buckets, issue, owners, ctx, colophon)
    return issue


def _call(parser, lines: list[Line], year: int | None, prefix: str, ctx: _Ctx):
    """Run a section parser written elsewhere; a crash there becomes a Problem, not a lost issue."""
    try:
        return parser(lines, year, prefix)
    except Exception as exc:
        line = lines[0][0] if lines else 0
        return [], [
            Problem(
                "error", "section-parser-failed", f"{parser.__name__} 失败：{type(exc).__name__}: {exc}", line
            )
        ]


# ---------------------------------------------------------------- stored text
#
# What a record stores is the text as printed. ``clean_artefacts`` (everything Markdown-, HTML- or
# TeX-looking removed) is for recognising and matching lines only; stored text goes through
# ``_faithful``, which removes only demonstrable extraction artefacts and records each removal.


def _line_faithful(ctx: _Ctx, n: int, text: str) -> str:
    """One source line as stored: line-anchored artefacts (``- ``, ``**…**``, ``<p>…</p>``) removed and recorded."""
    edits = line_artefacts(text)
    if not edits:
        return text
    ctx.artefact(n, text, edits)
    return apply_edits(text, edits)


def _span_faithful(ctx: _Ctx, text: str, starts: list[tuple[int, int]]) -> str:
    """A joined text (paragraph, title) as stored: TeX and a whole-text bold pair removed, each removal
    recorded on the source line it came from (``starts``: offset in ``text`` → source line)."""
    edits = span_artefacts(text)
    if not edits:
        return text
    by_line: dict[int, list[Edit]] = {}
    for edit in edits:
        line = next((n for offset, n in reversed(starts) if offset <= edit.at), starts[0][1] if starts else 0)
        by_line.setdefault(line, []).append(edit)
    for line, group in by_line.items():
        ctx.artefact(line, text, group)
    return apply_edits(text, edits)


def _faithful(ctx: _Ctx, lines: list[Line], sep: str = " ") -> str:
    """Source lines joined by ``sep`` as stored: the text as printed, less recorded extraction artefacts."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for n, t in lines:
        kept = _line_faithful(ctx, n, t)
        starts.append((offset, n))
        parts.append(kept)
        offset += len(kept) + len(sep)
    return _span_faithful(ctx, sep.join(parts), starts)


def _line_buckets(lines: list[Line], body: list[Line], segments: list[_Segment]) -> dict[int, str]:
    """Source line number → coverage bucket (front matter, a segment, or unplaced)."""
    buckets = {n: "front" for n, _ in lines}
    first = segments[0].start if segments else len(body)
    for i in range(first):
        buckets[body[i][0]] = "unplaced"
    for k, seg in enumerate(segments):
        for i in range(seg.start, seg.end):
            buckets[body[i][0]] = f"s{k}"
    return buckets


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


# ---------------------------------------------------------------- table of contents


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


def _title(ctx: _Ctx, lines: list[Line]) -> str:
    """A title printed over ``lines``, as stored: wrap spaces between CJK characters dropped."""
    return join_cjk(_faithful(ctx, lines))


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


# ---------------------------------------------------------------- segmentation


def _segment(body: list[Line], toc: list[TocEntry], ctx: _Ctx) -> list[_Segment]:
    """Where documents and the 人事任免 / 大事记 sections start and end."""
    anchors = [
        i
        for i, (_, t) in enumerate(body)
        if "\t" not in t and parse_doc_number_line(t) and not _cited_number(body, i)
    ]
    segments: list[_Segment] = []
    floor = 0
    for _k, a in enumerate(anchors):
        start = _title_start(body, a, floor)
        if start is None:
            start = a  # number printed before the title
        segments.append(_Segment("document", start, a))
        floor = a + 1

    # Documents in the TOC that carry no number: find their title lines.
    numbered_titles = set()
    for entry in toc:
        if entry.doc_number or entry.title == entry.section:
            continue
        key = _title_key(entry.title)
        if not key:
            continue
        for i, (_, t) in enumerate(body):
            if _inside_title(segments, i):
                continue
            joined = _title_key(t)
            if i + 1 < len(body):
                joined2 = _title_key(t + body[i + 1][1])
            else:
                joined2 = joined
            if joined and (
                joined == key
                or joined2 == key
                or (len(joined) > 8 and key.startswith(joined) and joined2 in (key, key[: len(joined2)]))
            ):
                if key in numbered_titles:
                    break
                if not any(s.start <= i <= s.anchor for s in segments):
                    segments.append(_Segment("document", i, -1))
                numbered_titles.add(key)
                break

    taken = {i for s in segments for i in range(s.start, max(s.anchor, s.start) + 1)}
    special_seen: set[str] = set()
    for i, (_, t) in enumerate(body):
        if i in taken:
            continue
        flat = spaceless(clean_artefacts(t))
        kind = None
        if EVENTS_START_RE.match(flat) or SECTION_BRACKET_RE.match(t) and "大事记" in t:
            kind = "events"
        elif (
            APPOINTMENTS_START_RE.match(flat)
            and len(flat) >= 4
            or SECTION_BRACKET_RE.match(t)
            and "任免" in t
        ):
            kind = "appointments"
        if kind is None:
            continue
        previous = max((s for s in segments if s.start < i), key=lambda s: s.start, default=None)
        if previous is not None and previous.kind == kind:
            continue  # a running header or a second list inside the same section
        if kind in special_seen and flat in {"人事任免", "大事记"}:
            continue
        segments.append(_Segment(kind, i))
        special_seen.add(kind)

    segments.sort(key=lambda s: s.start)
    # A special section swallows later same-kind starts; merge adjacent same-kind special segments.
    merged: list[_Segment] = []
    for seg in segments:
        if merged and seg.kind != "document" and merged[-1].kind == seg.kind:
            continue
        merged.append(seg)
    for k, seg in enumerate(merged):
        seg.end = merged[k + 1].start if k + 1 < len(merged) else len(body)
        if seg.anchor < 0 and seg.kind == "document":
            seg.anchor = -1
    first = merged[0].start if merged else len(body)
    if first > 0:
        stray = body[:first]
        ctx.problem(
            "warning",
            "unplaced-text",
            f"{len(stray)} 行正文前的文字无法归入任何文件：{_excerpt(stray[0][1])}",
            stray[0][0],
        )
    return merged


def _cited_number(body: list[Line], i: int) -> bool:
    """A number line that ends a list item or a sentence (``2.关于…的通知（`` / ``兖政字〔2016〕5号）``),
    not a document's own number under its title."""
    text = body[i][1].strip()
    previous = clean_artefacts(body[i - 1][1]) if i > 0 else ""
    if text.count("）") + text.count(")") > text.count("（") + text.count("("):
        return True
    if previous.count("（") + previous.count("(") > previous.count("）") + previous.count(")"):
        return True
    return text[:1] in "(（" and bool(
        LIST_ITEM_RE.match(previous) or HEADING1_RE.match(previous) or HEADING2_RE.match(previous)
    )


def _inside_title(segments: list[_Segment], i: int) -> bool:
    return any(s.start <= i <= s.anchor for s in segments)


def _title_key(text: str) -> str:
    return re.sub(r"[\s·.…《》“”\"'()（）\[\]【】〔〕*\-]", "", clean_artefacts(text))


def _title_like(text: str) -> bool:
    t = clean_artefacts(text)
    if not t or "\t" in text or t.startswith("|") or len(spaceless(t)) > 90:
        return False
    if t[-1] in TERMINAL or _ends_terminal(t) and t[-1] not in ")）" or is_date_line(t):
        return False
    if (
        PUBLIC_RE.match(t)
        or PRINTED_RE.match(t)
        or ATTACHMENT_LABEL_RE.match(t)
        or ATTACHMENT_LIST_RE.match(t)
    ):
        return False
    if "。" in t:
        return False
    return True


def _issuer_start(text: str) -> bool:
    t = clean_artefacts(text)
    return bool(ISSUER_RE.match(t)) or t.startswith("关于")


def _title_start(body: list[Line], anchor: int, floor: int) -> int | None:
    candidates: list[int] = []
    i = anchor - 1
    while i >= floor and len(candidates) < 5 and _title_like(body[i][1]):
        candidates.append(i)
        i -= 1
    for pos, idx in enumerate(candidates):
        if _issuer_start(body[idx][1]):
            text = clean_artefacts(body[idx][1])
            if text.startswith("关于") and pos + 1 < len(candidates):
                before = clean_artefacts(body[candidates[pos + 1]][1])
                if ISSUER_RE.match(before) and "关于" not in before and len(spaceless(before)) <= 30:
                    return candidates[pos + 1]
            return idx
    if candidates:
        return candidates[0]
    return None


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


# ---------------------------------------------------------------- one document


def _parse_document(seg: list[Line], anchor: int, ctx: _Ctx) -> Document:
    """A document's lines (title first; ``anchor`` = index of the number line, -1 if none)."""
    line_no = seg[0][0]
    number: DocNumber | None = None
    if anchor >= 0:
        number = parse_doc_number_line(seg[anchor][1])
        ctx.represented.append(seg[anchor][1])
        if number:
            fixed = correct_doc_number(number, ctx.codes(), seg[anchor][0])
            number = fixed.number
            if fixed.problem:
                ctx.problems.append(fixed.problem)
    if anchor > 0:
        title_lines, rest = seg[:anchor], seg[anchor + 1 :]
    elif anchor == 0:  # number before the title: title runs to the recipients line
        rest = seg[1:]
        title_lines = []
        while rest and len(title_lines) < 3 and _title_like(rest[0][1]) and not _is_recipients(rest[0][1]):
            title_lines.append(rest.pop(0))
    else:
        title_lines, rest = _split_untitled(seg)
    title = _title(ctx, title_lines)
    ctx.represented.extend(t for _, t in title_lines)
    issuer = _issuer_of(title, ctx)
    doc = Document(
        document_id="",
        seq=0,
        section="",
        title=title,
        doc_type=_doc_type(title),
        doc_number=number,
        issuer=issuer,
        line=line_no,
    )

    # 主送机关
    if rest and _is_recipients(rest[0][1]):
        doc.recipients = join_cjk(_faithful(ctx, rest[:1])).rstrip("：:")
        ctx.represented.append(rest[0][1])
        rest = rest[1:]
    elif (
        len(rest) > 1
        and _is_recipients(rest[0][1] + rest[1][1])
        and "。" not in rest[0][1]
        and len(spaceless(rest[0][1])) <= 60
        and not BLOCK_START_RE.match(rest[0][1])
    ):
        doc.recipients = join_cjk(_faithful(ctx, rest[:2], sep="")).rstrip("：:")
        ctx.represented.extend([rest[0][1], rest[1][1]])
        rest = rest[2:]

    ctx.doc_wrap = _wrap_width([clean_artefacts(t) for _, t in rest])
    body_lines: list[Line] = []
    after_signature = -1
    attachment_starts: list[int] = []
    signature_done = False
    i = 0
    listed: list[str] = []
    while i < len(rest):
        n, t = rest[i]
        c = clean_artefacts(t)
        flat = spaceless(c)
        public = PUBLIC_RE.match(flat)
        if public and doc.public is None:
            doc.public = "不" not in public.group(1) and "依申请" not in public.group(1)
            ctx.represented.append(t)
            i += 1
            continue
        printed = PRINTED_RE.match(flat)
        if printed and not doc.printed_on:
            doc.printed_on = parse_date(printed.group(1))
            ctx.represented.append(t)
            i += 1
            continue
        if not signature_done:
            sig = _signature_at(rest, i, doc.issuer or issuer, ctx)
            if sig is not None:
                issuer_idx, date_idx = sig
                doc.signed_on = parse_date(rest[date_idx][1])
                signer = join_cjk(_faithful(ctx, [rest[issuer_idx]]))
                if not doc.issuer:
                    doc.issuer = signer
                ctx.represented.extend([rest[issuer_idx][1], rest[date_idx][1]])
                for k in range(issuer_idx + 1, date_idx):  # text printed between name and date
                    body_lines.append(rest[k])
                signature_done = True
                after_signature = len(body_lines)
                i = date_idx + 1
                continue
        listing = ATTACHMENT_LIST_RE.match(flat)
        if listing:
            items, used = _attachment_list(rest, i, ctx)
            listed.extend(items)
            for k in range(i, i + used):
                body_lines.append(rest[k])
            i += used
            continue
        label = ATTACHMENT_LABEL_RE.match(flat)
        if label and (listed or signature_done):
            attachment_starts.append((len(body_lines), ""))
        elif listed and signature_done and _title_like(t) and not BLOCK_START_RE.match(c):
            following = rest[i + 1][1] if i + 1 < len(rest) else ""
            hit = _listed_match([c, c + clean_artefacts(following)], listed)
            previous = body_lines[-1][1] if body_lines else ""
            if (
                hit is not None
                and not ATTACHMENT_LABEL_RE.match(spaceless(clean_artefacts(previous)))
                and hit not in {h for _, h in attachment_starts if isinstance(h, int)}
            ):
                attachment_starts.append((len(body_lines), hit))
        body_lines.append(rest[i])
        i += 1
    doc.attachment_titles = listed
    if not doc.signed_on:
        ctx.problem("info", "no-signing-date", f"未找到成文日期：{_excerpt(title)}", line_no)

    main = body_lines[: attachment_starts[0][0]] if attachment_starts else body_lines
    tables: list[Table] = []
    if 0 <= after_signature < len(main):
        title_end = _plan_title_end(main, after_signature)
        parts = [_markdown(main[:after_signature], ctx, tables)]
        if title_end > after_signature:
            ctx.represented.extend(t for _, t in main[after_signature:title_end])
            parts.append("## " + _title(ctx, main[after_signature:title_end]))
        parts.append(_markdown(main[title_end:], ctx, tables))
        doc.body = "\n\n".join(p for p in parts if p)
    else:
        doc.body = _markdown(main, ctx, tables)
    for k, (start, inferred) in enumerate(attachment_starts):
        end = attachment_starts[k + 1][0] if k + 1 < len(attachment_starts) else len(body_lines)
        label = "" if inferred == "" else (f"附件{inferred + 1}" if len(listed) > 1 else "附件")
        doc.attachments.append(_attachment(body_lines[start:end], listed, ctx, tables, label))
    doc.tables = tables
    return doc


def _plan_title_end(lines: list[Line], start: int) -> int:
    """The title of the printed plan after a notice's signature (方案, 办法 …): short lines, no punctuation."""
    end = start
    while end < len(lines) and end - start < 4:
        text = clean_artefacts(lines[end][1])
        if (
            not _title_like(lines[end][1])
            or any(ch in text for ch in "，。；：、")
            or BLOCK_START_RE.match(text)
        ):
            break
        if end > start and (
            len(spaceless(text)) > 24
            or PLAN_TITLE_END_RE.search(spaceless(" ".join(t for _, t in lines[start:end])))
            or not PLAN_TITLE_END_RE.search(spaceless(" ".join(t for _, t in lines[start : end + 1])))
        ):
            break
        end += 1
    return end


def _split_untitled(seg: list[Line]) -> tuple[list[Line], list[Line]]:
    """A document without a number: title lines run until the recipients or the first sentence."""
    title: list[Line] = []
    rest = list(seg)
    while rest and len(title) < 3 and _title_like(rest[0][1]) and not _is_recipients(rest[0][1]):
        title.append(rest.pop(0))
        if rest and not _title_like(rest[0][1]):
            break
    return title, rest


def _is_recipients(text: str) -> bool:
    t = clean_artefacts(text)
    return (
        (t.endswith("：") or t.endswith(":"))
        and len(spaceless(t)) <= 120
        and "。" not in t
        and not BLOCK_START_RE.match(t)
        and not HEADING1_RE.match(t)
    )


def _issuer_of(title: str, ctx: _Ctx) -> str:
    if "关于" in title[1:]:
        head = title[: title.index("关于", 1)]
        if ISSUER_RE.match(head) or ctx.registry.find(head):
            return head
    match = ISSUER_RE.match(title)
    if match and ctx.registry.find(match.group(0)):
        return match.group(0)
    return ""


def _doc_type(title: str) -> str:
    t = re.sub(r"[（(][^()（）]*[)）]$", "", title).rstrip('》”"')
    for kind in DOC_TYPES:
        if t.endswith(kind):
            return "命令" if kind == "令" else kind
    return ""


def _signature_at(rest: list[Line], i: int, issuer: str, ctx: _Ctx) -> tuple[int, int] | None:
    """(issuer line, date line) when a signature starts at ``i``: the name, then the date within 2 lines."""
    t = clean_artefacts(rest[i][1])
    flat = spaceless(t)
    if not _signer_like(flat, issuer, ctx):
        return None
    for k in range(i + 1, min(i + 3, len(rest))):
        if is_date_line(rest[k][1]):
            return i, k
    return None


def _signer_like(flat: str, issuer: str, ctx: _Ctx) -> bool:
    if not flat or len(flat) > 40 or any(ch in flat for ch in "，。；：,;:"):
        return False
    if issuer and flat == spaceless(issuer):
        return True
    publisher = ctx.registry.find(flat)
    if publisher and flat in {spaceless(n) for n in publisher.names} | {publisher.name + "办公室"}:
        return True
    return bool(re.fullmatch(r"[\u4e00-\u9fff]{2,30}(人民政府|人民政府办公室|办公室|委员会|局|办事处)", flat))


def _attachment_list(rest: list[Line], i: int, ctx: _Ctx) -> tuple[list[str], int]:
    """附件：1. … 2. … → titles as printed; returns (titles, lines used). Lines are recognised by
    their cleaned text, titles taken from their stored (faithful) text."""
    first = ATTACHMENT_LIST_RE.match(spaceless(clean_artefacts(rest[i][1]))).group(1)
    first_text = re.sub(r"^附\s*件\s*[：:]\s*", "", clean_artefacts(rest[i][1]))
    first_kept = re.sub(r"^附\s*件\s*[：:]\s*", "", _faithful(ctx, [rest[i]]).strip())
    items: list[str] = []
    used = 1
    item = LIST_ITEM_RE.match(first_text)
    if item:
        items.append(join_cjk(_list_item(first_kept, item)))
        expected = int(item.group(1)) + 1
    elif first:
        items.append(join_cjk(first_kept))
        expected = -1
    else:
        return [], 1
    while i + used < len(rest):
        nxt = clean_artefacts(rest[i + used][1])
        match = LIST_ITEM_RE.match(nxt)
        if match and expected > 0 and int(match.group(1)) == expected:
            items.append(join_cjk(_list_item(_faithful(ctx, [rest[i + used]]).strip(), match)))
            expected += 1
            used += 1
            continue
        # a wrapped item title: short continuation without sentence punctuation
        if (
            items
            and "\t" not in rest[i + used][1]
            and not BLOCK_START_RE.match(nxt)
            and len(spaceless(nxt)) <= 10
            and not any(ch in nxt for ch in "，。；（(")
            and not is_date_line(nxt)
            and not _signer_like(spaceless(nxt), "", _NO_CTX)
        ):
            items[-1] = join_cjk(items[-1] + _faithful(ctx, [rest[i + used]]).strip())
            used += 1
            continue
        break
    return items, used


def _list_item(kept: str, cleaned: re.Match) -> str:
    """The title of a numbered list item (``1.济宁市…名单``, recognised by its cleaned text) from its
    stored text; the whole stored text when that does not read as the same item (``**1.…``)."""
    match = LIST_ITEM_RE.match(kept)
    return match.group(2) if match and match.group(1) == cleaned.group(1) else kept


class _NoCtx:
    registry = Registry([])


_NO_CTX = _NoCtx()


def _listed_match(texts: list[str], listed: list[str]) -> int | None:
    """Index of the listed attachment title that one of ``texts`` prints (allowing small OCR differences)."""
    best, best_ratio = None, 0.0
    for text in texts:
        key = _title_key(text)
        if len(key) < 4:
            continue
        for k, title in enumerate(listed):
            other = _title_key(title)
            ratio = 1.0 if key == other else difflib.SequenceMatcher(None, key, other, autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = k, ratio
    return best if best_ratio >= 0.85 else None


def _attachment(
    lines: list[Line], listed: list[str], ctx: _Ctx, tables: list[Table], label: str = ""
) -> Attachment:
    """An attachment from its label line (附件1), or from its title when the label was not printed."""
    n = lines[0][0]
    if label:
        rest = lines
    else:
        label = spaceless(_faithful(ctx, lines[:1])).rstrip("：:")
        ctx.represented.append(lines[0][1])
        rest = lines[1:]
    title_lines = _attachment_title_lines(rest, listed)
    title = _title(ctx, title_lines)
    ctx.represented.extend(t for _, t in title_lines)
    body = _markdown(rest[len(title_lines) :], ctx, tables)
    return Attachment(label=label, title=title, body=body, line=n)


def _attachment_title_lines(rest: list[Line], listed: list[str]) -> list[Line]:
    if not rest or not _title_like(rest[0][1]) or BLOCK_START_RE.match(clean_artefacts(rest[0][1])):
        return []
    keys = [_title_key(t) for t in listed]
    taken = [rest[0]]
    bold_open = rest[0][1].lstrip("- ").startswith("**") and not rest[0][1].rstrip().endswith("**")
    j = 1
    while j < len(rest) and j < 4:
        candidate = _title_key(" ".join(t for _, t in taken + [rest[j]]))
        if bold_open:
            taken.append(rest[j])
            if rest[j][1].rstrip().endswith("**"):
                bold_open = False
            j += 1
            continue
        if (
            _title_like(rest[j][1])
            and candidate
            and (
                any(k.startswith(candidate) for k in keys)
                or (
                    len(spaceless(rest[j][1])) <= 16
                    and not BLOCK_START_RE.match(clean_artefacts(rest[j][1]))
                    and _similarity(candidate, keys)
                    > _similarity(_title_key(" ".join(t for _, t in taken)), keys) + 0.05
                )
            )
        ):
            taken.append(rest[j])
            j += 1
            continue
        break
    return taken


def _similarity(key: str, keys: list[str]) -> float:
    return max((difflib.SequenceMatcher(None, key, k, autojunk=False).ratio() for k in keys), default=0.0)


# ---------------------------------------------------------------- Markdown


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
    widths = [width(t) for t in lines if "\t" not in t and not t.startswith("|")]
    mid = [w for w in widths if 24 <= w <= 90]
    if len(mid) < 5:
        return 0
    mode, _ = Counter(mid).most_common(1)[0]
    near = [w for w in mid if mode - 4 <= w <= mode + 2]
    top = max(near)
    if len(near) >= max(5, len(mid) // 3):
        return top
    return 0


def _ends_terminal(text: str) -> bool:
    t = text.rstrip()
    if not t:
        return True
    if t[-1] in ")）" and _balanced(t):
        inner = t.rstrip(")）")
        return True if inner else True
    stripped = t.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL


def _balanced(text: str) -> bool:
    return text.count("（") + text.count("(") <= text.count("）") + text.count(")")


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
    short = width(text) <= 70 and "。" not in text and not text.endswith(("；", "："))
    if short and HEADING1_RE.match(text):
        return "### " + join_cjk(text)
    if short and HEADING2_RE.match(text) and width(text) <= 50:
        return "#### " + join_cjk(text)
    if _ESCAPE_RE.match(text) and not LIST_ITEM_RE.match(text):
        text = "\\" + text
    return text


# ---------------------------------------------------------------- ids, sections, reconciliation


def _assign_ids_and_sections(
    documents: list[Document], issue_id: str, toc: list[TocEntry], ctx: _Ctx
) -> None:
    seen: dict[str, int] = {}
    first_with: dict[str, Document] = {}
    for seq, doc in enumerate(documents, 1):
        doc.seq = seq
        base = ids.document_id(doc.doc_number, issue_id, seq)
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
    for doc in documents:
        match = _match_entry(doc, entries, used, ctx)
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


def _match_entry(doc: Document, entries: list[TocEntry], used: set[int], ctx: _Ctx) -> int | None:
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
        other = _title_key(entry.title)
        needed = 0.75
        if doc.doc_number and entry.doc_number:
            number = parse_doc_number_line(entry.doc_number)
            if number is None or not _misread_of(number, doc.doc_number):
                continue  # both numbered and numbers differ: not the same document
            needed = 0.95  # one glyph of the agency code misread (济充 / 济兖): the titles must agree
        ratio = difflib.SequenceMatcher(None, key, other, autojunk=False).ratio() if key and other else 0.0
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


def _infer_year(documents: list[Document]) -> int | None:
    years: Counter = Counter()
    for doc in documents:
        if doc.signed_on:
            years[int(doc.signed_on[:4])] += 2
        if doc.doc_number:
            years[doc.doc_number.year] += 1
    return years.most_common(1)[0][0] if years else None


def _excerpt(text: str, size: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= size else text[:size] + "…"


# ---------------------------------------------------------------- coverage


def _coverage(
    lines: list[Line],
    buckets: dict[int, str],
    issue: Issue,
    owners: dict[str, list],
    ctx: _Ctx,
    colophon: list[str],
) -> Coverage:
    """Per part of the source, a multiset of non-whitespace characters: source vs. the record fields made
    from that part (and raw forms of parsed fields, e.g. a date) vs. what was dropped as noise."""
    source: dict[str, Counter] = {}
    for n, t in lines:
        source.setdefault(buckets.get(n, "unplaced"), Counter()).update(spaceless(t))
    total = kept = dropped = 0
    for bucket, chars in source.items():
        record: Counter = Counter()
        strings: list[str] = list(ctx.represented_by.get(bucket, []))
        if bucket == "front":
            strings += [issue.title, issue.number, issue.cumulative_number, *issue.sections, *colophon]
            for entry in issue.toc:
                strings += [entry.title, entry.doc_number, str(entry.page or ""), entry.section]
        for owner in owners.get(bucket, []):
            strings += _record_strings(owner)
        for value in strings:
            record.update(spaceless(value or ""))
        noise: Counter = Counter()
        for raw in ctx.noise_by.get(bucket, []):
            noise.update(spaceless(raw))
        for ch, count in chars.items():
            total += count
            k = min(count, record[ch])
            kept += k
            dropped += min(count - k, noise[ch])
    return Coverage(
        source_chars=total, kept_chars=kept, noise_chars=dropped, lost_chars=total - kept - dropped
    )


def _record_strings(record) -> list[str]:
    if isinstance(record, Document):
        out = [record.title, record.issuer, record.recipients, record.body, *record.attachment_titles]
        if record.doc_number:
            out.append(record.doc_number.printed or record.doc_number.text)
        for att in record.attachments:
            out += [att.label, att.title, att.body]
        for table in record.tables:
            out.append(table.caption)
            out += [cell for row in table.header + table.rows for cell in row]
        return out
    out = []
    for name in ("authority", "person", "action", "post", "note", "text", "basis"):
        value = getattr(record, name, "")
        if isinstance(value, str):
            out.append(value)
    for name in ("decided_on", "date", "end_date"):  # the printed forms of a parsed date
        iso = getattr(record, name, "") or ""
        out += [_cn_date(iso), _cn_numeral_date(iso)]
    if getattr(record, "end_date", ""):
        out.append("-")  # 7-11日
    return out


def _cn_date(iso: str) -> str:
    if not iso or len(iso) != 10:
        return iso or ""
    return f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:])}日"


_CN_DIGITS = "〇一二三四五六七八九"


def _cn_numeral_date(iso: str) -> str:
    """2021-04-11 → 二〇二一年四月十一日."""
    if not iso or len(iso) != 10:
        return ""
    year = "".join(_CN_DIGITS[int(d)] for d in iso[:4])
    return f"{year}年{_cn_small(int(iso[5:7]))}月{_cn_small(int(iso[8:]))}日"


def _cn_small(n: int) -> str:
    tens, units = divmod(n, 10)
    return (("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else "") + (
        _CN_DIGITS[units] if units else ""
    )
