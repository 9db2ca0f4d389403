"""Phase 3 of parsing a gazette: the body cut into segments, where each document (found by its number
line, or by its title in the table of contents) and the 人事任免 / 大事记 sections start and end."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.ingest.context import Line, _Ctx
from generator.ingest.dates import is_date_line
from generator.ingest.docnumbers import parse_doc_number_line
from generator.ingest.patterns import (
    DOC_TYPE_END_RE,
    HEADING1_RE,
    HEADING2_RE,
    ISSUER_RE,
    LIST_ITEM_RE,
    PRINTED_RE,
    PUBLIC_RE,
    RED_HEADER_RE,
    SECTION_BRACKET_RE,
    SIGNER_LINE_RE,
    _excerpt,
    _title_key,
    _title_like,
)
from generator.ingest.textutil import clean_artefacts, spaceless
from generator.model.models import TocEntry

APPOINTMENTS_START_RE = re.compile(r"^[^。，,；]{0,30}(任免|任职|免职|人事任免)[^。，,；]{0,12}$")
EVENTS_START_RE = re.compile(r"^[^。，,；]{0,30}大事记$")


@dataclass
class _Segment:
    kind: str  # document | appointments | events
    start: int  # index into body lines
    anchor: int = -1  # index of the doc-number line (documents)
    end: int = 0


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
        start = _red_header_before(body, a, floor)
        if start is None:
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

    segments += _unnumbered_documents(body, segments)

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


def _red_header_before(body: list[Line], anchor: int, floor: int) -> int | None:
    """The red header (济南市人民政府文件) over the number line at ``anchor``, a 签发人 line between
    them allowed: its index, or None."""
    for i in range(anchor - 1, max(floor, anchor - 3) - 1, -1):
        if is_red_header(body[i][1]):
            return i
        if not SIGNER_LINE_RE.match(clean_artefacts(body[i][1])):
            return None
    return None


def is_red_header(text: str) -> bool:
    return bool(RED_HEADER_RE.match(spaceless(clean_artefacts(text))))


def _unnumbered_documents(body: list[Line], segments: list[_Segment]) -> list[_Segment]:
    """Documents printed without a number and not in a table of contents: a title (an issuing body
    or 关于 first, a 文种 last, over up to three lines) where a document may start: at the top of
    the text, under a red header, or after the end of the document before (its date, public note or
    printing date). Text before the first found document, and text that follows a document's end,
    are searched; a title inside a document (a plan printed after the signature) is not such a start."""
    found: list[_Segment] = []
    claimed = sorted((s.start, max(s.anchor, s.start)) for s in segments)
    first = claimed[0][0] if claimed else len(body)
    in_claimed = [False] * len(body)  # a line from a found document's start to its number
    for a, b in claimed:
        for k in range(max(a, 0), min(b + 1, len(body))):
            in_claimed[k] = True
    first_sentence = next((k for k, (_, t) in enumerate(body) if _document_line(t)), len(body))
    i = 0
    while i < len(body):
        if in_claimed[i]:
            i += 1
            continue
        at_start = i < first and i <= first_sentence
        previous = clean_artefacts(body[i - 1][1]) if i > 0 else ""
        after_end = bool(previous) and (
            is_date_line(previous)
            or PUBLIC_RE.match(spaceless(previous))
            or PRINTED_RE.match(spaceless(previous))
        )
        header = is_red_header(body[i][1])
        start = i
        if header:
            i += 1
        if (at_start or after_end or header) and i < len(body):
            size = _untitled_title_size(body, i)
            if size:
                found.append(_Segment("document", start, -1))
                i += size
                continue
        i += 1
    return found


def _document_line(text: str) -> bool:
    """A line that only a document holds (a sentence, a date): text before it is not a masthead."""
    t = clean_artefacts(text)
    return "。" in t or is_date_line(t)


def _untitled_title_size(body: list[Line], i: int) -> int:
    """How many lines (1 to 3) the title of a document without a number starting at ``i`` takes:
    an issuing body or 关于 first, a 文种 (通知, 通告, 决定 …) last, and then no number line (a
    numbered document is found by its number); 0 when ``i`` starts no such title."""
    first = clean_artefacts(body[i][1])
    if not _title_like(body[i][1]) or not (ISSUER_RE.match(first) or first.startswith(("关于", "中共"))):
        return 0
    text = ""
    for size in range(1, 4):
        if i + size - 1 >= len(body) or not _title_like(body[i + size - 1][1]):
            return 0
        text += spaceless(clean_artefacts(body[i + size - 1][1]))
        if DOC_TYPE_END_RE.search(text):
            following = body[i + size][1] if i + size < len(body) else ""
            return 0 if parse_doc_number_line(following) else size
    return 0


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
