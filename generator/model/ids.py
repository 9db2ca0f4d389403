"""The one authority for identifiers and their URLs.

Identifiers are stable ASCII, derived from identity (region codes, document numbers), never from
position alone, and scoped by jurisdiction (the GB/T 2260 region code of the gazette's publisher),
so that homophone agency codes of different places (济政发 / 冀政发 → jizhengfa) stay apart:

- issue: ``370812-2021-3-4`` (region, year, issue number); a collection of documents published
  together is named by its first document: ``370115-2021-c-jiyangzhengfa-2021-8``;
- document: ``370812-jiyanzhengfa-2021-5`` (region, pinyin of the agency code, year, serial) from
  济兖政发〔2021〕5号; ``370828-20230109-tonggao-1a2b3c4d`` for a document without a number (its
  signing date, 文种 and a hash of its title; ``<issue>-d03`` without a title). Two agency codes of one
  region that sound alike get ``-h`` and four hex digits of the code's own hash on the later one;
- tables ``<document>-t1``, appointments ``<issue>-a001``, events ``<issue>-e001``.

Pages and URLs: ``documents/<id>/``, ``issues/<id>/`` (``page_url``); the data package, the
search index, the feed and the pages all take them from here. ``legacy_document_id`` is the
document id before ids were scoped by region: its URL is kept as a redirect.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

from generator.model.models import DocNumber

_UNSAFE = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def pinyin_slug(text: str) -> str:
    """济兖政发 → jiyanzhengfa. ASCII letters and digits pass through; everything else is dropped."""
    joined = "".join(lazy_pinyin(text, errors=lambda chars: [c for c in chars]))
    return _UNSAFE.sub("", joined.lower())


def slug(text: str) -> str:
    """Lowercase ASCII slug with single dashes; safe as a path segment (no '.', '/', '..')."""
    return _UNSAFE.sub("-", text.lower()).strip("-")


def issue_id(
    region_code: str, year: int | None, number: str, kind: str = "issue", first_doc: str = ""
) -> str:
    """370812-2021-3-4 for 第3-4期; a collection is named by its first document: 370115-2021-c-jiyangzhengfa-2021-8."""
    year_part = str(year) if year else "undated"
    if kind == "collection" or not number:
        return slug(f"{region_code}-{year_part}-c-{first_doc or 'documents'}")
    return slug(f"{region_code}-{year_part}-{number}")


def region_of(issue: str) -> str:
    """The region code an issue id starts with (370812-2021-3-4 → 370812)."""
    return issue.split("-", 1)[0]


def document_id(
    doc_number: DocNumber | None,
    issue: str,
    seq: int,
    signed_on: str = "",
    title: str = "",
    doc_type: str = "",
) -> str:
    """370812-jiyanzhengfa-2021-5 from 济兖政发〔2021〕5号 in an issue of region 370812; a document
    without a number by its publisher's region, date and title (``unnumbered_document_key``):
    370828-20230109-tonggao-29219539; {issue}-d{seq:02d} when it has no title either."""
    if doc_number is not None:
        return slug(f"{region_of(issue)}-{legacy_document_id(doc_number)}")
    if title.strip():
        return slug(f"{region_of(issue)}-{unnumbered_document_key(signed_on, title, doc_type)}")
    return slug(f"{issue}-d{seq:02d}")


def unnumbered_document_key(signed_on: str, title: str, doc_type: str = "") -> str:
    """20230109-tonggao-29219539: a document without a number, by its signing date (``undated``
    without one), the pinyin of its 文种 and a hash of its title (spaces left out). The same
    document gives the same key wherever it is published and whenever it is ingested."""
    import hashlib

    compact = re.sub(r"\s+", "", title)
    date = signed_on.replace("-", "") if re.fullmatch(r"\d{4}-\d{2}-\d{2}", signed_on or "") else "undated"
    digest = hashlib.sha1(compact.encode("utf-8")).hexdigest()[:8]
    return slug("-".join(filter(None, [date, pinyin_slug(doc_type), digest])))


def legacy_document_id(doc_number: DocNumber) -> str:
    """jiyanzhengfa-2021-5: the document id before ids were scoped by region (kept as a redirect)."""
    return slug(f"{pinyin_slug(doc_number.agency)}-{doc_number.year}-{doc_number.serial}")


def appointment_id(issue: str, n: int) -> str:
    """370812-2021-3-4-a001: the ``n``-th 人事任免 row of an issue, in the order of its source."""
    return f"{issue}-a{n:03d}"


def disambiguated(document_id: str, agency: str) -> str:
    """The id of a document whose agency code sounds like another's of the same region:
    370812-lujiaofa-2022-1 → 370812-lujiaofa-2022-1-h5d1c (from the code 卢教发 itself, so stable)."""
    import hashlib

    return f"{document_id}-h{hashlib.sha1(agency.encode('utf-8')).hexdigest()[:4]}"


# ---------------------------------------------------------------- pages and URLs


def document_page(document_id: str) -> str:
    return f"documents/{document_id}.md"


def issue_page(issue_id: str) -> str:
    return f"issues/{issue_id}.md"


def page_url(path: str) -> str:
    """The URL (relative to the site root) of page ``path``: documents/x.md → documents/x/."""
    stem = path[:-3] if path.endswith(".md") else path
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def document_url(document_id: str) -> str:
    return page_url(document_page(document_id))


def issue_url(issue_id: str) -> str:
    return page_url(issue_page(issue_id))


# ---------------------------------------------------------------- shards: many sites, one portal
#
# A sharded archive is one folder: the portal at its root, each shard's site in a folder of its
# own beside the others (``<shard>/``, named by ``archive.shard_name``). A page links a page of
# another shard through the folder above its own site's root.

SHARD_SUMMARY = "shard.json"  # in each shard's site: who it holds, its counts, its latest issues
PORTAL_SHARDS = "shards.json"  # in the portal: every shard's folder, publisher and counts


def shard_page(shard: str, path: str) -> str:
    """Page ``path`` of the shard ``shard``, relative to the root of another shard's site:
    ../rencheng/documents/370811-jirenzhengfa-2024-3.md."""
    return f"../{shard}/{path}"


def shard_document_page(shard: str, document_id: str) -> str:
    return shard_page(shard, document_page(document_id))


def portal_shard_url(shard: str, path: str = "") -> str:
    """A shard's page relative to the portal's root: rencheng/ or rencheng/issues/…/."""
    return f"{shard}/{page_url(path) if path else ''}"


def tag_uri(authority: str, path: str) -> str:
    """A feed entry id that does not change with the site's host (RFC 4151):
    tag:example.org,2026:documents/370812-jiyanzhengfa-2021-5/."""
    return f"tag:{authority}:{path}"


MAX_SEGMENT = 80  # characters of a slug in a page path: far below the file system's 255 bytes


def path_segment(text: str, fallback: str = "item") -> str:
    """``slug(text)`` as a page path segment: a slug longer than MAX_SEGMENT keeps its start and
    ends with a hash of the whole, so long names (a 300-character section) stay distinct and fit."""
    import hashlib

    base = slug(text) or fallback
    if len(base) <= MAX_SEGMENT:
        return base
    return f"{base[: MAX_SEGMENT - 11].rstrip('-')}-{hashlib.sha1(base.encode()).hexdigest()[:10]}"


COLUMN_NAME_MAX = 40


@lru_cache(maxsize=1 << 14)  # tables repeat their headings: 序号, 单位, 金额 …
def _pinyin_name(title: str) -> str:
    words = [_UNSAFE.sub("", w.lower()) for w in lazy_pinyin(title, errors=lambda chars: chars.split())]
    return "_".join(w for w in words if w)[:COLUMN_NAME_MAX].strip("_")


def column_names(titles: list[str]) -> list[str]:
    """ASCII field names for a table's columns from their headings, in pinyin a syllable a word:
    序号 → xu_hao, 2023 年实际完成 → 2023_nian_shi_ji_wan_cheng; an empty heading gives c3 (the third
    column); a repeated name gets _2, _3."""
    names: list[str] = []
    taken: set[str] = set()
    for n, title in enumerate(titles, start=1):
        name = _pinyin_name(title) or f"c{n}"
        candidate, k = name, 2
        while candidate in taken:
            candidate, k = f"{name}_{k}", k + 1
        taken.add(candidate)
        names.append(candidate)
    return names
