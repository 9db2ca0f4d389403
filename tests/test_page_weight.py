"""Page weight does not grow with the archive: the same document page, minus its own text,
weighs the same in the 4-gazette sample archive and in one with hundreds more documents.

Issue 4 names 1,000 documents; 400 synthetic ones (generator.dev.synthetic) keep the build quick
and are already far past the point where a per-document nav would show (it grows with the
square of the archive: 284 KB pages at 1,000 documents).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.dev.synthetic import synthetic_issues
from generator.model.records import dump_issue, load_records
from tests.test_pages import parse

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC_DOCS = 400
TOLERANCE = 2048  # bytes
DOCUMENT = "documents/370812-jiyanzhengbanzi-2021-5/"  # a sample document nothing synthetic cites


def weight(html: str) -> int:
    """Bytes of the page minus the bytes of its article's text (the document's own words)."""
    article = parse(html).find("article")
    return len(html.encode("utf-8")) - len(article.text().encode("utf-8"))


@pytest.fixture(scope="module")
def large_site(tmp_path_factory, site_builder):
    samples = load_records(ROOT / "content")
    content = tmp_path_factory.mktemp("large-content")
    records = content / "records"
    records.mkdir()
    for issue in samples + synthetic_issues(samples, SYNTHETIC_DOCS, seed=1):
        (records / f"{issue.issue_id}.yml").write_text(dump_issue(issue), encoding="utf-8")
    return site_builder(content, tmp_path_factory.mktemp("large-build"))


def test_document_page_weight_does_not_grow_with_the_archive(sample_site, large_site):
    small = (sample_site / DOCUMENT / "index.html").read_text(encoding="utf-8")
    large = (large_site / DOCUMENT / "index.html").read_text(encoding="utf-8")
    documents = sum(1 for p in (large_site / "documents").iterdir() if p.is_dir())
    assert documents >= SYNTHETIC_DOCS
    assert parse(small).find("article").text() == parse(large).find("article").text()
    assert abs(weight(large) - weight(small)) <= TOLERANCE, (weight(small), weight(large))


@pytest.mark.parametrize("page", ["", "issues/370812-2021-3-4/"])
def test_home_and_issue_pages_stay_bounded(sample_site, large_site, page):
    """Pages outside the browse indexes carry no per-document navigation either."""
    small = (sample_site / page / "index.html").read_text(encoding="utf-8")
    large = (large_site / page / "index.html").read_text(encoding="utf-8")
    if page:  # an issue page's own contents are the same in both archives
        assert abs(weight(large) - weight(small)) <= TOLERANCE
    else:  # the home page lists the latest issues and the publishers: bounded, not per document
        assert len(large.encode("utf-8")) < 3 * len(small.encode("utf-8"))
