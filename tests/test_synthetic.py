"""The benchmark's synthetic archive: deterministic, valid records, a linked archive like a real one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from generator.dev.synthetic import publishers_for, render_source, synthetic_issues
from generator.ingest.parse import parse_source
from generator.model.archive import build_archive
from generator.model.publishers import Registry
from generator.model.records import dump_issue, load_issue, parse_issue

TESTS = Path(__file__).resolve().parent
SAMPLE_SETS = {
    "fixtures": sorted((TESTS / "fixtures" / "records").glob("*.yml")),
    "golden": sorted((TESTS / "golden").glob("*.yml")),
}


@pytest.fixture(scope="module", params=sorted(SAMPLE_SETS))
def samples(request):
    paths = SAMPLE_SETS[request.param]
    if not paths:
        pytest.skip(f"no {request.param} records")
    return [load_issue(p) for p in paths]


@pytest.fixture(scope="module")
def archive_300(samples):
    return synthetic_issues(samples, 300, seed=0)


def documents(issues):
    return [d for i in issues for d in i.documents]


def test_same_inputs_give_the_same_record_files(samples):
    first = [dump_issue(i) for i in synthetic_issues(samples, 120, seed=7)]
    second = [dump_issue(i) for i in synthetic_issues(samples, 120, seed=7)]
    assert first == second


def test_another_seed_gives_another_archive(samples):
    assert synthetic_issues(samples, 120, seed=1) != synthetic_issues(samples, 120, seed=2)


@pytest.mark.parametrize("n_docs", [1, 17, 120, 301])
def test_archive_holds_exactly_the_documents_asked_for(samples, n_docs):
    assert len(documents(synthetic_issues(samples, n_docs))) == n_docs


def test_identifiers_are_unique(archive_300):
    docs = documents(archive_300)
    assert len({d.document_id for d in docs}) == len(docs)
    assert len({d.doc_number.text for d in docs}) == len(docs)
    assert len({i.issue_id for i in archive_300}) == len(archive_300)
    for name, values in [
        ("tables", [t.table_id for d in docs for t in d.tables]),
        ("appointments", [a.appointment_id for i in archive_300 for a in i.appointments]),
        ("events", [e.event_id for i in archive_300 for e in i.events]),
    ]:
        assert len(set(values)) == len(values), name


def test_every_record_survives_its_yaml_file(archive_300):
    for issue in archive_300:
        assert parse_issue(dump_issue(issue), f"{issue.issue_id}.yml") == issue


def test_issues_look_like_a_gazette_series(archive_300):
    sizes = [len(i.documents) for i in archive_300]
    assert all(15 <= s <= 25 for s in sizes[:-1])
    assert all(1 <= int(i.number) <= 12 for i in archive_300)
    assert len({i.publisher for i in archive_300}) >= 8
    assert len({i.year for i in archive_300}) >= 3
    for issue in archive_300:
        assert all(d.signed_on <= d.printed_on <= issue.published_on for d in issue.documents)
        assert all(d.doc_number.year == int(d.signed_on[:4]) for d in issue.documents)
    per_publisher = Counter((i.publisher, i.cumulative_number) for i in archive_300)
    assert max(per_publisher.values()) == 1


def test_pages_differ_from_document_to_document():
    if not SAMPLE_SETS["golden"]:
        pytest.skip("no golden records")  # the fixtures' four one-line documents are too few to remix
    golden = [load_issue(p) for p in SAMPLE_SETS["golden"]]
    bodies = [d.body for d in documents(synthetic_issues(golden, 300))]
    assert len(set(bodies)) >= 0.8 * len(bodies)


def test_a_document_speaks_of_its_own_publisher(archive_300):
    shorts = {p.name: p.short_name for p in publishers_for([])}
    for issue in archive_300:
        others = [s for name, s in shorts.items() if name != issue.publisher]
        for document in issue.documents:
            assert not any(s in document.title for s in others), document.title


def test_documents_cite_and_repeal_each_other(archive_300):
    archive = build_archive(archive_300)
    assert archive.problems == []
    resolved = [c for c in archive.citations if c.cited is not None]
    assert len(resolved) >= 0.2 * len(archive.documents)
    for citation in resolved:
        assert citation.cited.doc_number.text in citation.citing.body
        assert citation.cited.signed_on <= citation.citing.signed_on
    repealed = [d for d in archive.documents if archive.status(d) == "已废止"]
    assert repealed
    assert {archive.issue_of[d.document_id].publisher for d in repealed} <= {i.publisher for i in archive_300}


def test_issue_text_parses_back_to_the_same_documents(archive_300, samples):
    registry = Registry.from_dict({"publishers": [p.registry_entry() for p in publishers_for(samples)]})
    for issue in archive_300[:6]:
        parsed = parse_source(render_source(issue), issue.source, registry)
        assert parsed.issue_id == issue.issue_id
        assert [d.doc_number.text for d in parsed.documents if d.doc_number] == [
            d.doc_number.text for d in issue.documents
        ]
        assert [d.title for d in parsed.documents] == [d.title for d in issue.documents]
