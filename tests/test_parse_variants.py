"""The same gazette in another layout or encoding, or with its sections moved or missing, parses the same.

Each variant is built from a sample source and parsed; the result is compared with the parse of the
sample itself. Bodies are compared with all whitespace removed: a hard-wrapped layout cannot say
whether a space stood at a cut (``2024 年 4 月 7 日`` cut after 月), so spacing may differ while
every character and its order must not.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from generator.ingest.parse import parse_source
from generator.ingest.sources import decode_source
from generator.ingest.textutil import width
from generator.model.models import Issue
from generator.model.publishers import load_registry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "content" / "sources"
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")
GAZETTES = ["yanzhou-2021-03-04.txt", "rencheng-2024-02.txt", "zhoucun-2017-06.txt"]
ALL_SOURCES = GAZETTES + ["jiyang-2021-documents.txt"]


def hard_wrap(text: str, width: int) -> str:
    """The Jiyang extraction layout: every non-table line cut at ``width`` characters, each piece
    followed by a trailing space and a blank line."""
    out = []
    for line in text.split("\n"):
        if not line.strip() or "\t" in line:
            out.append(line)
            continue
        for k in range(0, len(line), width):
            out += [line[k : k + width] + " ", ""]
    return "\n".join(out)


def typeset_wrap(text: str, columns: int) -> str:
    """A typeset wrap: lines cut at a display width (CJK characters count 2), a trailing space only
    where a paragraph ends, a blank line after each piece (the real Jiyang file's layout)."""
    out = []
    for line in text.split("\n"):
        if not line.strip() or "\t" in line:
            out.append(line)
            continue
        pieces, piece = [], ""
        for char in line.strip():
            if width(piece + char) > columns:
                pieces.append(piece)
                piece = ""
            piece += char
        pieces.append(piece + " ")
        for piece in pieces:
            out += [piece, ""]
    return "\n".join(out)


def _source(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


@cache
def _parse(name: str, text: str) -> Issue:
    return parse_source(text, name, REGISTRY)


def _base(name: str) -> Issue:
    return _parse(name, _source(name))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _docs(issue: Issue) -> list[tuple]:
    return [
        (
            d.title,
            d.doc_number.text if d.doc_number else "",
            d.signed_on,
            d.printed_on,
            d.public,
            d.recipients.replace(" ", ""),
            len(d.attachments),
            len(d.tables),
        )
        for d in issue.documents
    ]


def _bodies(issue: Issue) -> list[str]:
    return [
        _flat(d.body) + "|" + "|".join(_flat(a.title) + _flat(a.body) for a in d.attachments)
        for d in issue.documents
    ]


def _appointments(issue: Issue) -> list[tuple]:
    return [(a.decided_on, a.person, a.action, _flat(a.post)) for a in issue.appointments]


def _events(issue: Issue) -> list[tuple]:
    return [(e.date, e.end_date, _flat(e.text)) for e in issue.events]


def _tables(issue: Issue) -> list[tuple]:
    return [(_flat(t.caption), len(t.header), len(t.rows)) for d in issue.documents for t in d.tables]


ENCODINGS = {
    "crlf-gb18030": lambda text: text.replace("\n", "\r\n").encode("gb18030"),
    "utf8-bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "gbk-crlf-wrapped-30": lambda text: hard_wrap(text, 30).replace("\n", "\r\n").encode("gb18030"),
}
WRAPS = {"wrapped-30": 30, "wrapped-24": 24}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("name", ALL_SOURCES)
def test_encoding_variant_parses_identically(name, encoding):
    if "wrapped" in encoding and name not in GAZETTES:
        pytest.skip("the Jiyang file is already hard-wrapped")
    base = _base(name)
    issue = _parse(name, decode_source(ENCODINGS[encoding](_source(name)), name))
    _assert_same(issue, base, exact_layout="wrapped" not in encoding)


@pytest.mark.parametrize("columns", sorted(WRAPS.values()))
@pytest.mark.parametrize("name", GAZETTES)
def test_hard_wrapped_variant_parses_identically(name, columns):
    issue = _parse(name, hard_wrap(_source(name), columns))
    _assert_same(issue, _base(name), exact_layout=False)


@pytest.mark.parametrize("columns", [52, 60])
@pytest.mark.parametrize("name", GAZETTES)
def test_typeset_wrapped_variant_parses_identically(name, columns):
    issue = _parse(name, typeset_wrap(_source(name), columns))
    _assert_same(issue, _base(name), exact_layout=False)


def _assert_same(issue: Issue, base: Issue, exact_layout: bool) -> None:
    assert (issue.issue_id, issue.kind, issue.published_on, issue.year) == (
        base.issue_id,
        base.kind,
        base.published_on,
        base.year,
    )
    assert len(issue.documents) == len(base.documents)
    assert _docs(issue) == _docs(base)
    assert [d.section for d in issue.documents] == [d.section for d in base.documents]
    assert [(e.title, e.doc_number, e.page) for e in issue.toc] == [
        (e.title, e.doc_number, e.page) for e in base.toc
    ]
    assert _bodies(issue) == _bodies(base)
    if exact_layout:
        assert [d.body for d in issue.documents] == [d.body for d in base.documents]
    assert _tables(issue) == _tables(base)
    assert _appointments(issue) == _appointments(base)
    assert _events(issue) == _events(base)
    assert issue.coverage.lost_chars == base.coverage.lost_chars
    assert issue.coverage.source_chars == base.coverage.source_chars


# ---------------------------------------------------------------- sections moved or missing


def _lines(name: str) -> list[str]:
    return _source(name).split("\n")


def _first_body_line(name: str) -> int:
    """0-based index of the first document's first line."""
    return min(d.line for d in _base(name).documents) - 1


def _block(name: str, heading: re.Pattern) -> tuple[int, int]:
    """0-based [start, end) of a body section that starts at ``heading``: it runs to the next section
    heading, the colophon (the masthead title printed again) or the end of the file."""
    lines = _lines(name)
    first = _first_body_line(name)
    start = next(i for i in range(first, len(lines)) if heading.match(lines[i].strip()))
    title = _base(name).title
    stops = (APPOINTMENTS, EVENTS)
    for end in range(start + 1, len(lines)):
        flat = _flat(lines[end])
        if flat == title or any(s.match(lines[end].strip()) for s in stops if s is not heading):
            return start, end
    return start, len(lines)


APPOINTMENTS = re.compile(r"^\S{0,30}(任免|任职|免职)\S{0,8}$")
EVENTS = re.compile(r"^\S{0,20}大事记$")
TOC_HEADING = re.compile(r"^目\s*录$")


def _without_toc(name: str) -> str:
    lines = _lines(name)
    start = next(i for i, t in enumerate(lines) if TOC_HEADING.match(t.strip()))
    return "\n".join(lines[:start] + lines[_first_body_line(name) :])


def _events_first(name: str) -> str:
    lines = _lines(name)
    start, end = _block(name, EVENTS)
    first = _first_body_line(name)
    return "\n".join(lines[:first] + lines[start:end] + lines[first:start] + lines[end:])


def _without_appointments(name: str) -> str:
    lines = _lines(name)
    start, end = _block(name, APPOINTMENTS)
    kept = [t for t in lines[:start] if not re.match(r"^[【\[]\s*人事任免\s*[】\]]", t.strip())]
    return "\n".join(kept + lines[end:])


def _documents(issue: Issue) -> list[tuple]:
    return [
        (d.title, d.doc_number.text if d.doc_number else "", d.signed_on, _flat(d.body))
        for d in issue.documents
    ]


@pytest.mark.parametrize("name", GAZETTES)
def test_gazette_without_table_of_contents(name):
    base = _base(name)
    issue = _parse(name, _without_toc(name))
    assert issue.kind == "issue" and issue.issue_id == base.issue_id
    assert issue.toc == []
    assert _documents(issue) == _documents(base)
    assert _appointments(issue) == _appointments(base) and _events(issue) == _events(base)
    assert _tables(issue) == _tables(base)
    assert issue.coverage.lost_chars <= base.coverage.lost_chars


@pytest.mark.parametrize("name", ["yanzhou-2021-03-04.txt", "rencheng-2024-02.txt"])
def test_events_before_documents(name):
    base = _base(name)
    issue = _parse(name, _events_first(name))
    assert issue.issue_id == base.issue_id
    assert _documents(issue) == _documents(base)
    assert _events(issue) == _events(base)
    assert _appointments(issue) == _appointments(base)
    assert issue.coverage.lost_chars == base.coverage.lost_chars


@pytest.mark.parametrize("name", ["yanzhou-2021-03-04.txt", "rencheng-2024-02.txt"])
def test_wrapped_gazette_with_events_first_and_no_toc(name):
    base = _base(name)
    lines = _events_first(name).split("\n")
    start = next(i for i, t in enumerate(lines) if TOC_HEADING.match(t.strip()))
    text = "\n".join(lines[:start] + lines[_first_body_line(name) :])
    issue = _parse(name, hard_wrap(text, 30))
    assert issue.issue_id == base.issue_id and issue.toc == []
    assert _documents(issue) == _documents(base)
    assert _events(issue) == _events(base) and _appointments(issue) == _appointments(base)


def test_gazette_without_appointments():
    name = "yanzhou-2021-03-04.txt"
    base = _base(name)
    assert base.appointments
    issue = _parse(name, _without_appointments(name))
    assert issue.appointments == []
    assert _documents(issue) == _documents(base)
    assert _events(issue) == _events(base)
    assert not [p for p in issue.problems if p.code == "toc-entry-without-body"]


@pytest.mark.parametrize(
    "pattern, replacement",
    [
        (
            r"^(\d{1,2}\.\s*关于[^\n]*?)（([^\n（]*?〔\d{4}〕\d+号)）$",
            r"\1（\n\n\2）",
        ),  # cut inside the parentheses
        (r"^(\d{1,2}\.\s*关于[^\n]*?)(（[^\n（]*?〔\d{4}〕\d+号）)$", r"\1\n\n\2"),  # cut before them
    ],
)
def test_list_items_citing_numbers_are_not_documents(pattern, replacement):
    """``2.关于…的通知（兖政字〔2016〕5号）`` broken before its number is still one list item."""
    name = "yanzhou-2021-03-04.txt"
    text, count = re.subn(pattern, replacement, _source(name), flags=re.M)
    assert count > 50
    issue = _parse(name, text)
    assert _documents(issue) == _documents(_base(name))


@pytest.mark.parametrize("name", GAZETTES)
def test_a_page_margin_before_every_piece_adds_no_space(name):
    """pdftotext -layout puts the page's left margin before every line: the pieces of a wrapped
    paragraph join without a space where the text had none."""
    wrapped = hard_wrap(_source(name), 30)
    margined = "\n".join("    " + line if line.strip() else line for line in wrapped.split("\n"))
    plain, indented = _parse(name, wrapped), _parse(name, margined)
    assert len(indented.documents) == len(plain.documents)
    for margin, flush in zip(indented.documents, plain.documents):
        assert (margin.title, margin.body) == (flush.title, flush.body)
        assert [a.body for a in margin.attachments] == [a.body for a in flush.attachments]
