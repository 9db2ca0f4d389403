"""What the sample archive tells machines: schema.org JSON-LD, Open Graph, citation_* and Dublin
Core tags on document and issue pages, a description of each page's own, rel=alternate to its
JSON, and every published JSON file valid against the JSON Schema it names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import lxml.html
import pytest


def _tree(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def _head(site: Path, url: str):
    return _tree(site / url / "index.html")


def _is_redirect(tree) -> bool:
    return bool(tree.xpath('//meta[@http-equiv="refresh"]'))


def _jsonld(tree) -> dict:
    (script,) = tree.xpath('//script[@type="application/ld+json"]')
    return json.loads(script.text)


def _meta(tree) -> dict[str, str]:
    out = {}
    for node in tree.xpath("//head/meta"):
        key = node.get("property") or node.get("name")
        if key:
            out[key] = node.get("content") or ""
    return out


def test_a_document_page_describes_itself_as_legislation(sample_site):
    url = "documents/370812-jiyanzhengfa-2021-5/"
    tree = _head(sample_site, url)
    data = _jsonld(tree)
    assert data["@type"] == "Legislation"
    assert data["legislationIdentifier"] == "济兖政发〔2021〕5号"
    assert data["legislationType"] == "决定"
    assert data["legislationDate"] == "2021-03-26"
    assert data["legislationPassedBy"]["name"] == "济宁市兖州区人民政府"
    assert data["legislationLegalForce"] == "https://schema.org/InForce"
    assert data["isPartOf"]["@type"] == "PublicationIssue"
    assert data["isPartOf"]["@id"].endswith("issues/370812-2021-3-4/")
    assert data["url"].endswith(url)
    meta = _meta(tree)
    assert meta["og:title"] == "济宁市兖州区人民政府关于废止和宣布失效一批区政府文件的决定"
    assert meta["citation_technical_report_number"] == "济兖政发〔2021〕5号"
    assert meta["DC.identifier"] == "济兖政发〔2021〕5号"
    assert meta["description"].startswith(meta["og:description"][:20])
    (alternate,) = tree.xpath(
        '//link[contains(concat(" ", @rel, " "), " alternate ")][@type="application/json"]'
    )
    target = (sample_site / url / alternate.get("href")).resolve()
    assert json.loads(target.read_text(encoding="utf-8"))["document_id"] == "370812-jiyanzhengfa-2021-5"


def test_a_repealed_document_is_not_in_force_and_citations_are_linked(fixture_site):
    forces = {}
    cited = 0
    for page in (fixture_site / "documents").glob("*/index.html"):
        tree = _tree(page)
        if _is_redirect(tree):
            continue  # a redirect from an old address
        data = _jsonld(tree)
        forces[data["legislationIdentifier"] if "legislationIdentifier" in data else page.parent.name] = data[
            "legislationLegalForce"
        ]
        cited += sum(1 for work in data.get("citation", []) + data.get("isBasedOn", []) if "@id" in work)
    assert "https://schema.org/NotInForce" in forces.values()
    assert cited >= 1


def test_an_issue_page_is_a_publication_issue_of_its_documents(sample_site):
    tree = _head(sample_site, "issues/370812-2021-3-4/")
    data = _jsonld(tree)
    assert data["@type"] == "PublicationIssue"
    assert data["issueNumber"] == "3-4"
    assert data["isPartOf"]["name"] == "济宁市兖州区人民政府公报"
    record = json.loads((sample_site / "issues/370812-2021-3-4.json").read_text(encoding="utf-8"))
    assert [part["@id"].rsplit("/", 2)[-2] for part in data["hasPart"]] == [
        d["document_id"] for d in record["documents"]
    ]


def test_every_page_has_a_description_of_its_own(sample_site):
    seen: dict[str, Path] = {}
    for page in sample_site.rglob("index.html"):
        tree = _tree(page)
        if _is_redirect(tree):
            continue
        (node,) = tree.xpath('//meta[@name="description"]')
        text = node.get("content")
        assert text not in seen, (page, seen.get(text))
        seen[text] = page
    assert len(seen) > 100


def test_every_page_names_an_icon_inside_the_site(sample_site):
    """A page naming no icon makes the browser ask the domain root for /favicon.ico: outside a
    project site's sub-path, a 404 in the reader's console (it was the old-address redirects)."""
    pages = sorted(sample_site.rglob("*.html"))
    assert any(_is_redirect(_tree(page)) for page in pages)
    for page in pages:
        (icon,) = _tree(page).xpath('//head/link[@rel="icon"]')
        href = icon.get("href")  # 404.html's links start at site_url's path, here "/"
        target = sample_site / href[1:] if href.startswith("/") else page.parent / href
        assert target.resolve().is_file(), page


@pytest.mark.parametrize("folder", ["documents", "issues", "people"])
def test_every_published_json_file_is_valid_against_its_schema(sample_site, folder):
    files = sorted((sample_site / folder).glob("*.json"))
    assert files
    validators: dict[Path, jsonschema.Draft202012Validator] = {}
    for path in files:
        record = json.loads(path.read_text(encoding="utf-8"))
        schema_path = (path.parent / record["$schema"]).resolve()
        if schema_path not in validators:
            schema = json.loads(schema_path.read_text(encoding="utf-8"))
            validators[schema_path] = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.FormatChecker()
            )
        errors = [e.message for e in validators[schema_path].iter_errors(record)]
        assert errors == [], (path.name, errors[:3])


def test_the_sitemap_dates_pages_by_their_records_and_robots_txt_points_to_it(sample_site):
    import datetime
    import re

    sitemap = (sample_site / "sitemap.xml").read_text(encoding="utf-8")
    entries = dict(re.findall(r"<loc>([^<]+)</loc>\s*(?:<lastmod>([^<]+)</lastmod>)?", sitemap))
    document = next(loc for loc in entries if loc.endswith("documents/370812-jiyanzhengfa-2021-5/"))
    issue = json.loads((sample_site / "issues/370812-2021-3-4.json").read_text(encoding="utf-8"))
    assert entries[document] == issue["published_on"]
    dates = {d for d in entries.values() if d}
    assert dates and datetime.date.today().isoformat() not in dates  # never the build date
    assert not any("/project/" in loc for loc in entries)  # engineering notes are not published
    assert not (sample_site / "project").exists()
    robots = (sample_site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots
    assert re.search(r"^Sitemap: https?://\S+/sitemap\.xml$", robots, re.M)
