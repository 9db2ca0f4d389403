"""Property tests: mutated gazette text never crashes ingest, and records round-trip through YAML."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.models import Document, DocNumber, Event, Issue, Problem, Table
from generator.parse import parse_source
from generator.publishers import load_registry
from generator.records import dump_issue, parse_issue
from generator.sources import SourceError, decode_source

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")
SAMPLES = {p.name: p.read_text(encoding="utf-8").split("\n") for p in sorted((ROOT / "content" / "sources").glob("*.txt"))}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text that YAML, Markdown and HTML treat specially, plus odd Unicode.
TRICKY = st.sampled_from(["yes", "no", "null", "~", "1e3", "0o17", "2021-03-26", "- item", "# 标题", ": x",
                          "'", '"', "\\", "<script>alert(1)</script>", "{{ x }}", "{% if %}", "**粗**", "|a|b|",
                          "\t", "\u2028", "\u0085", "\ufeff", "\u3000", "〔2021〕", "（此件公开发布）", "△", "附件："])
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=20)), max_size=6).map("".join)


@st.composite
def mutated_gazette(draw) -> str:
    lines = list(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))])
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "cut"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, draw(TEXT))
        elif op == "cut":
            k = draw(st.integers(0, len(lines[i])))
            lines[i:i + 1] = [lines[i][:k], lines[i][k:]]
    return "\n".join(lines)


@FUZZ
@given(mutated_gazette())
def test_mutated_gazettes_parse_without_crashing_and_round_trip(text: str):
    issue = parse_source(text, "fuzz.txt", REGISTRY)
    assert issue.issue_id
    assert parse_issue(dump_issue(issue)) == issue


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_decode_or_fail_with_our_own_error(data: bytes):
    try:
        text = decode_source(data, "random.bin")
    except SourceError as exc:
        assert str(exc).startswith("random.bin")
        return
    parse_source(text, "random.bin", REGISTRY)


@FUZZ
@given(title=TEXT, body=TEXT, recipients=TEXT, cell=TEXT, event=TEXT, message=TEXT,
       serial=st.integers(1, 10**6), public=st.sampled_from([True, False, None]))
def test_any_field_text_round_trips_through_yaml(title, body, recipients, cell, event, message, serial, public):
    issue = Issue(
        issue_id="370812-2021-3-4", kind="issue", publisher="济宁市兖州区人民政府", region_code="370812", year=2021,
        documents=[Document("jiyanzhengfa-2021-5", 1, "区政府文件", title, recipients=recipients, body=body,
                            public=public, doc_number=DocNumber(f"济兖政发〔2021〕{serial}号", "济兖政发", 2021, serial),
                            tables=[Table("jiyanzhengfa-2021-5-t1", cell, [[cell, ""]], [[cell, cell]])])],
        events=[Event("370812-2021-3-4-e001", "2021-03-02", event)],
        problems=[Problem("warning", "x", message, 3)],
    )
    text = dump_issue(issue)
    assert parse_issue(text) == issue
    assert dump_issue(parse_issue(text)) == text
