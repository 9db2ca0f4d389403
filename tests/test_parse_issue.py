"""What a reader of the samples can check by eye: mastheads, TOC, titles, numbers, dates, coverage."""

from functools import cache
from pathlib import Path

import pytest

from generator.ingest.parse import parse_source
from generator.ingest.sources import decode_source
from generator.model.publishers import load_registry

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")


@cache
def sample(stem: str):
    path = ROOT / "content" / "sources" / f"{stem}.txt"
    return parse_source(decode_source(path.read_bytes(), path.name), path.name, REGISTRY)


@pytest.mark.parametrize(
    "stem, kind, publisher, region, year, inferred, number, cumulative, published",
    [
        (
            "yanzhou-2021-03-04",
            "issue",
            "济宁市兖州区人民政府",
            "370812",
            2021,
            False,
            "3-4",
            "87-88",
            "2021-05-10",
        ),
        ("rencheng-2024-02", "issue", "济宁市任城区人民政府", "370811", 2024, False, "2", "19", "2024-06-30"),
        ("zhoucun-2017-06", "issue", "淄博市周村区人民政府", "370306", 2017, True, "6", "", ""),
        ("jiyang-2021-documents", "collection", "济南市济阳区人民政府", "370115", 2021, True, "", "", ""),
    ],
)
def test_masthead(stem, kind, publisher, region, year, inferred, number, cumulative, published):
    issue = sample(stem)
    assert (
        issue.kind,
        issue.publisher,
        issue.region_code,
        issue.year,
        issue.year_inferred,
        issue.number,
        issue.cumulative_number,
        issue.published_on,
    ) == (kind, publisher, region, year, inferred, number, cumulative, published)


@pytest.mark.parametrize(
    "stem, documents",
    [
        ("yanzhou-2021-03-04", 6),
        ("rencheng-2024-02", 8),
        ("zhoucun-2017-06", 22),
        ("jiyang-2021-documents", 3),
    ],
)
def test_every_document_is_found_once(stem, documents):
    issue = sample(stem)
    assert len(issue.documents) == documents
    assert len({d.document_id for d in issue.documents}) == documents


@pytest.mark.parametrize(
    "stem", ["yanzhou-2021-03-04", "rencheng-2024-02", "zhoucun-2017-06", "jiyang-2021-documents"]
)
def test_no_text_is_lost(stem):
    coverage = sample(stem).coverage
    assert coverage.source_chars > 40_000
    assert coverage.lost_chars <= coverage.source_chars * 0.01


def test_combined_issue_title_joined_and_number_corrected():
    first = sample("yanzhou-2021-03-04").documents[1]
    assert first.title == "济宁市兖州区人民政府关于贯彻健康山东行动推进健康兖州建设的实施意见"
    assert first.doc_type == "意见"
    assert (
        first.doc_number.text == "济兖政发〔2021〕6号" and first.doc_number.printed == "济充政发〔2021〕6号"
    )
    assert (first.signed_on, first.printed_on, first.public, first.page) == (
        "2021-04-13",
        "2021-04-13",
        True,
        6,
    )
    codes = [p.code for p in sample("yanzhou-2021-03-04").problems]
    assert "doc-number-corrected" in codes


def test_toc_with_dotted_leaders_and_no_numbers():
    issue = sample("zhoucun-2017-06")
    assert issue.sections == ["区政府文件", "区政府办公室文件"]
    assert issue.toc[0].title == "周村区人民政府关于在市场体系建设中建立公平竞争审查制度的实施意见"
    assert issue.toc[0].page == 1 and issue.toc[-1].page == 122
    assert "·" not in "".join(e.title for e in issue.toc)


def test_toc_entry_without_body_and_differing_title_are_reported():
    problems = sample("rencheng-2024-02").problems
    missing = [p for p in problems if p.code == "toc-entry-without-body"]
    assert len(missing) == 1 and "赋权试点" in missing[0].message and missing[0].line == 19
    assert any(p.code == "toc-title-differs" and "发展规划" in p.message for p in problems)


def test_recipients_wrapped_over_two_lines():
    doc = sample("rencheng-2024-02").documents[0]
    assert doc.recipients == "各镇人民政府、街道办事处，运河经济开发区管委会，区政府各部门、直属事业单位"
    assert doc.signed_on == "2024-04-07"


def test_hard_wrapped_paragraphs_are_rejoined():
    doc = sample("jiyang-2021-documents").documents[0]
    assert (
        "《济南市济阳区创建省级健康促进区工作实施方案》已经区政府同意，现印发给你们，请认真贯彻执行。"
        in doc.body
    )
    assert "健康是人全面发展的基础，关系千家万户的幸福，关系全民健康素质的提高和经济社会进步。" in doc.body


def test_attachments_split_from_body():
    doc = sample("yanzhou-2021-03-04").documents[0]
    assert doc.attachment_titles == ["决定废止的区政府文件目录（33件）", "宣布失效的区政府文件目录（63件）"]
    assert [a.label for a in doc.attachments] == ["附件1", "附件2"]
    assert "兖政字〔2016〕4号" in doc.attachments[0].body and "兖政字〔2016〕4号" not in doc.body
