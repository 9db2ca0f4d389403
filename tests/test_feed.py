"""The Atom feed: valid Atom that a feed reader can follow, the same bytes for the same records."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator.site.feed import atom_feed
from generator.site.pages import build_site

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://example.org/archive/"


def _feed(archive) -> ET.Element:
    return ET.fromstring(atom_feed(build_site(archive), SITE_URL))


def test_feed_has_the_elements_atom_requires(fixture_archive):
    feed = _feed(fixture_archive)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == SITE_URL + "feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert entry.find(f"{ATOM}link").get("href").startswith(SITE_URL)


def test_feed_lists_issues_and_documents_newest_first(fixture_archive):
    feed = _feed(fixture_archive)
    # the newest issue is 2021年第3-4期, published 2021-05-10: the feed is as fresh as it
    assert feed.findtext(f"{ATOM}updated") == "2021-05-10T00:00:00Z"
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert links[0] == SITE_URL + "issues/370812-2021-3-4/"
    assert SITE_URL + "documents/jiyanzhengfa-2021-5/" in links
    assert SITE_URL + "issues/370812-2020-12/" in links
    assert links.index(SITE_URL + "documents/jiyanzhengfa-2021-5/") < links.index(
        SITE_URL + "issues/370812-2020-12/"
    )


def test_feed_is_deterministic(fixture_archive):
    assert atom_feed(build_site(fixture_archive), SITE_URL) == atom_feed(
        build_site(fixture_archive), SITE_URL
    )


def test_feed_links_lead_to_built_pages(fixture_site):
    feed = ET.fromstring((fixture_site / "feed.xml").read_bytes())
    base = feed.find(f"{ATOM}link[@rel='alternate']").get("href")
    for entry in feed.findall(f"{ATOM}entry"):
        href = entry.find(f"{ATOM}link").get("href")
        assert href.startswith(base)
        assert (fixture_site / href[len(base) :] / "index.html").is_file(), href


def test_feed_ids_are_tag_uris_that_do_not_change_with_the_host(fixture_archive):
    site = build_site(fixture_archive)
    here, there = atom_feed(site, SITE_URL), atom_feed(site, "https://archive.example.org/gazettes/")
    ids_here = [e.findtext(f"{ATOM}id") for e in ET.fromstring(here).iter(f"{ATOM}entry")]
    ids_there = [e.findtext(f"{ATOM}id") for e in ET.fromstring(there).iter(f"{ATOM}entry")]
    assert ids_here == ids_there and len(set(ids_here)) == len(ids_here)
    assert "tag:gazette-archive.invalid,2026:documents/jiyanzhengfa-2021-5/" in ids_here
    mine = ET.fromstring(atom_feed(site, SITE_URL, "example.org,2026"))
    assert mine.findtext(f"{ATOM}id") == "tag:example.org,2026:feed.xml"
