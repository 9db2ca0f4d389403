"""Coverage: every character of a sample is in a record or counted as noise, and a parser that drops
text is caught (lost_chars > 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.ingest import markdown, parse
from generator.model.publishers import load_registry

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")
SAMPLES = [
    "yanzhou-2021-03-04.txt",
    "rencheng-2024-02.txt",
    "zhoucun-2017-06.txt",
    "jiyang-2021-documents.txt",
]
YANZHOU = "yanzhou-2021-03-04.txt"


def _parse(name: str):
    return parse.parse_source(
        (ROOT / "content" / "sources" / name).read_text(encoding="utf-8"), name, REGISTRY
    )


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_lose_nothing(name):
    coverage = _parse(name).coverage
    assert coverage.lost_chars == 0
    assert coverage.kept_chars + coverage.noise_chars == coverage.source_chars
    assert coverage.noise_chars < coverage.source_chars * 0.01  # noise is headers and markers, not text


def test_dropping_a_body_paragraph_is_lost(monkeypatch):
    paragraph = "党的十九大提出，要坚持依法治国、依法执政、依法行政共同推进。"
    original = markdown._paragraphs

    def dropping(lines, ctx):
        return [p for p in original(lines, ctx) if not p.startswith(paragraph)]

    monkeypatch.setattr(markdown, "_paragraphs", dropping)
    assert _parse(YANZHOU).coverage.lost_chars >= len(paragraph)


def test_appointments_without_their_printed_decision_are_lost(monkeypatch):
    original = parse.parse_appointments

    def no_text(lines, year, prefix):
        rows, problems = original(lines, year, prefix)
        for row in rows:
            row.text = row.basis = ""
        return rows, problems

    monkeypatch.setattr(parse, "parse_appointments", no_text)
    assert _parse(YANZHOU).coverage.lost_chars > 100  # 为/职务/聘期… are only in the printed decision


def test_a_dropped_event_is_lost(monkeypatch):
    original = parse.parse_events

    def drop_last(lines, year, prefix):
        events, problems = original(lines, year, prefix)
        return events[:-1], problems

    monkeypatch.setattr(parse, "parse_events", drop_last)
    issue = _parse(YANZHOU)
    assert issue.coverage.lost_chars > 10


def test_same_day_markers_are_noise_not_kept():
    issue = _parse(YANZHOU)
    assert not any("△" in e.text for e in issue.events)
    assert issue.coverage.noise_chars >= sum(
        1
        for line in (ROOT / "content" / "sources" / YANZHOU).read_text(encoding="utf-8").splitlines()
        if line.startswith("△")
    )


def _counter_coverage(lines, buckets, issue, owners, ctx, colophon):
    """The plain definition coverage counts by (a multiset of characters per part, with Counter),
    as the oracle for the counting done in arrays."""
    from collections import Counter

    from generator.ingest.coverage import _record_text
    from generator.ingest.textutil import spaceless

    texts: dict[str, str] = {}
    for n, t in lines:
        key = buckets.get(n, "unplaced")
        texts[key] = texts.get(key, "") + t
    total = kept = dropped = 0
    for bucket, text in texts.items():
        record = Counter(spaceless(_record_text(bucket, issue, owners, ctx, colophon)))
        noise = Counter(spaceless("".join(ctx.noise_by.get(bucket, []))))
        for ch, count in Counter(spaceless(text)).items():
            total += count
            k = min(count, record[ch])
            kept += k
            dropped += min(count - k, noise[ch])
    return total, kept, dropped, total - kept - dropped


FIXTURES = sorted((ROOT / "tests" / "fixtures" / "general").glob("*.txt"))


@pytest.mark.parametrize(
    "path", [ROOT / "content" / "sources" / n for n in SAMPLES] + FIXTURES, ids=lambda p: p.name
)
def test_coverage_counts_as_the_plain_definition(path, monkeypatch):
    seen = []
    original = parse._coverage

    def both(*args):
        seen.append(_counter_coverage(*args))
        return original(*args)

    monkeypatch.setattr(parse, "_coverage", both)
    text = path.read_text(encoding="utf-8")
    coverage = parse.parse_source(text, path.name, REGISTRY).coverage
    assert seen == [(coverage.source_chars, coverage.kept_chars, coverage.noise_chars, coverage.lost_chars)]


def test_whitespace_of_every_kind_is_not_counted():
    """Ideographic and no-break spaces pad gazette text; they are layout, not characters to keep."""
    text = (ROOT / "content" / "sources" / YANZHOU).read_text(encoding="utf-8")
    padded = text.replace("，", "，\u3000\u00a0\u2002")
    plain, spaced = (parse.parse_source(t, YANZHOU, REGISTRY).coverage for t in (text, padded))
    assert spaced.source_chars == plain.source_chars
    assert spaced.lost_chars == plain.lost_chars == 0


def test_whitespace_is_what_the_spaceless_pattern_removes():
    """Coverage skips characters by str.isspace, spaceless drops them by str.split; the rest of the
    parser removes them by \\s: one set of characters."""
    import re
    import sys

    pattern = re.compile(r"\s")
    assert [c for c in range(sys.maxunicode + 1) if chr(c).isspace()] == [
        c for c in range(sys.maxunicode + 1) if pattern.match(chr(c))
    ]
