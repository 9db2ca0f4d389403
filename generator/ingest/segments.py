"""Phase 3 of parsing a gazette: the body cut into segments, where each document (found by its number
line, or by its title in the table of contents) and the 人事任免 / 大事记 sections start and end."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.ingest.context import Line, _Ctx
from generator.ingest.docnumbers import parse_doc_number_line
from generator.ingest.patterns import (
    HEADING1_RE,
    HEADING2_RE,
    ISSUER_RE,
    LIST_ITEM_RE,
    SECTION_BRACKET_RE,
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
