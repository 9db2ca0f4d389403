"""One authority for ids and URLs (generator/ids.py): ids scoped by jurisdiction never collide,
publishers the registry lacks are named by their administrative division, old URLs still work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.model import ids
from generator.model.divisions import find_publisher
from tests.conftest import is_redirect

ROOT = Path(__file__).resolve().parent.parent
YANZHOU = ROOT / "content" / "sources" / "yanzhou-2021-03-04.txt"

# Four publishers whose agency codes all read "jing zheng fa" or "ji zheng fa" in pinyin.
HOMOPHONES = [
    ("济南市人民政府", "济政发", "370100"),
    ("河北省人民政府", "冀政发", "130000"),
    ("北京市人民政府", "京政发", "110000"),
    ("荆州市人民政府", "荆政发", "421000"),
]


@pytest.mark.parametrize(
    "text, code",
    [
        ("济宁市兖州区人民政府公报", "370812"),
        ("淄博市周村区人民政府办公室", "370306"),
        ("南京市鼓楼区人民政府", "320106"),
        ("山东省教育厅", "370000"),
        ("河北省人民政府", "130000"),
    ],
)
def test_publishers_are_recognised_by_their_division(text, code):
    assert find_publisher(text).region_code == code


@pytest.mark.parametrize("text", ["鼓楼区人民政府", "某某人民政府", "国务院办公厅"])
def test_an_ambiguous_or_unknown_name_is_not_guessed(text):
    assert find_publisher(text) is None


def _gazette(publisher: str, code: str) -> str:
    """A one-document gazette of ``publisher`` whose number uses agency code ``code``."""
    text = YANZHOU.read_text(encoding="utf-8")
    start = text.index("\n济兖政发〔2021〕5号\n")
    body_end = text.index("\n济宁市兖州区人民政府 关于贯彻健康山东行动", start)
    body = text[start:body_end].replace("济兖政发〔2021〕5号", f"{code}〔2022〕1号")
    body = body.replace("济宁市兖州区人民政府", publisher).replace("兖州区", publisher[:3])
    return (
        f"{publisher}公报\n\n2022\n\n第1期\n\n目 录\n\n【 政府文件 】\n\n"
        f"{publisher}关于废止和宣布失效一批文件的决定\n({code}〔2022〕1号)\t2\n\n"
        f"{publisher}\n\n{publisher}关于废止和宣布失效一批文件的决定\n{body}\n"
    )


def test_four_homophone_publishers_without_registry_entries_each_get_their_pages(
    tmp_path: Path, site_builder
):
    content = tmp_path / "content"
    (content / "records").mkdir(parents=True)
    sources = []
    for publisher, code, _ in HOMOPHONES:
        source = tmp_path / f"{code}.txt"
        source.write_text(_gazette(publisher, code), encoding="utf-8")
        sources.append(str(source))
    result = CliRunner().invoke(cli, ["ingest", *sources, "--content", str(content)])
    assert result.exit_code == 0, result.output
    site = site_builder(content, tmp_path / "out")
    for publisher, code, region in HOMOPHONES:
        issue = site / "issues" / f"{region}-2022-1" / "index.html"
        assert issue.is_file(), region
        pinyin = ids.pinyin_slug(code)
        page = site / "documents" / f"{region}-{pinyin}-2022-1" / "index.html"
        text = page.read_text(encoding="utf-8")
        assert f"{code}〔2022〕1号" in text and publisher in text
    assert {ids.pinyin_slug(code) for _, code, _ in HOMOPHONES} == {"jizhengfa", "jingzhengfa"}


def test_every_old_sample_document_url_leads_to_its_page(sample_site):
    from generator.model.archive import load_archive

    archive = load_archive(ROOT / "content")
    numbered = [d for d in archive.documents if d.doc_number]
    assert len(numbered) > 30
    for document in numbered:
        old = sample_site / "documents" / ids.legacy_document_id(document.doc_number)
        assert is_redirect(old), old
        html = (old / "index.html").read_text(encoding="utf-8")
        target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html).group(1)
        assert (old / target / "index.html").resolve() == (
            sample_site / "documents" / document.document_id / "index.html"
        )
        assert document.doc_number.text in html and 'rel="canonical"' in html


def test_the_data_package_search_and_pages_take_urls_from_one_place(sample_site):
    import csv

    package = sample_site / "data" / "gazette"
    with open(package / "documents.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert row["url"] == ids.document_url(row["document_id"])
        assert (sample_site / row["url"] / "index.html").is_file()
