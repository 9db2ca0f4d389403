"""Site search: a Pagefind index of the built site, written into ``<site>/pagefind/``.

``search_records`` is pure: it turns the archive (and the built pages' HTML, passed in) into
the records Pagefind indexes. Document and issue pages are indexed from their built HTML,
content area only; every 大事记 and 人事任免 entry is its own record. ``index_site`` is the
I/O edge that runs Pagefind (the ``pagefind[extended]`` binary, which segments Chinese).

Pagefind segments Chinese into words, at indexing time with its own dictionary and in the
browser with ``Intl.Segmenter``; the two do not always agree, and a query for part of a
word can miss. Each record therefore also carries *keys*: an ASCII word for every run of
two Chinese characters, its own document number or person name, and the numbers it cites
(see ``key_token``). The browser (``theme/assets/javascripts/search.js``) turns a query
into the same keys, so any query found in a record's text finds that record.

Keys go straight into Pagefind's word index (``add_keys``), not into the text it stores:
a result downloads only its own text, and Pagefind indexes plain pages, in a fraction of
the memory. A key's entry per record is the smallest Pagefind reads: one location, weight
5 when the key is in the title or is the record's own number or name.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cbor2
import numpy as np

from generator.errors import GazetteError
from generator.model import ids
from generator.model.archive import Archive
from generator.model.labels import cn_date, issue_label
from generator.model.models import Appointment, Document, Event, Issue

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh"
KIND_DOCUMENT = "文件"
KIND_ISSUE = "期刊"
KIND_EVENT = "大事记"
KIND_APPOINTMENT = "人事任免"
KEY_PREFIX = "k"
KEY_WEIGHT = 5  # Pagefind weights a word ×24 in its index: 1 → 24 (its default), 5 → 120
INDEX_CHUNK_BYTES = 24_000  # CBOR bytes per index chunk at least: a query loads one chunk per key
INDEX_CHUNKS_MAX = 1_500  # chunks grow past that size instead: the meta, loaded first, lists them all
FRAGMENT_NAME_DIGITS = 5  # hex digits naming a fragment (more on a clash): 2.5 bytes a page in the meta
INDEX_GZIP_LEVEL = 6  # as small as 9 for these chunks, in half the time
INDEX_THREADS = 2  # Pagefind: 25 s → 19 s at 1,000 documents on 2 cores, +4 % peak memory
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)

_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*)</article>', re.DOTALL)
_META_CARD = re.compile(r'<div class="gz-meta">.*?</div>', re.DOTALL)
_H1 = re.compile(r"<h1\b.*?</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))  # CJK Ext. A, Unified, Compatibility
_HAN = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _HAN_RANGES) + "]+")
_NUMBER_BRACKETS = str.maketrans(
    {
        "［": "〔",
        "[": "〔",
        "(": "〔",
        "（": "〔",
        "【": "〔",
        "〖": "〔",
        "］": "〕",
        "]": "〕",
        ")": "〕",
        "）": "〕",
        "】": "〕",
        "〗": "〕",
    }
)
_SPACE = re.compile(r"\s+")
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)
_ASCII_WORD = re.compile(r"[0-9A-Za-z]+")  # Pagefind's words outside Chinese, lower-cased


class SearchIndexError(GazetteError):
    """The search index could not be written (one line, naming the folder or file)."""


@dataclass
class SearchRecord:
    """One search result: a page (``page_html`` set) or a custom record (``content`` set)."""

    rid: str
    kind: str
    url: str  # from the site root, e.g. /documents/jiyanzhengfa-2021-5/
    title: str
    content: str = ""
    page_html: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)
    exact: list[str] = field(default_factory=list)  # its own document number, person: matched whole
    cited: list[str] = field(default_factory=list)  # document numbers it cites


# ---------------------------------------------------------------- keys


def normalise(text: str) -> str:
    """What queries and texts are compared on: no whitespace, one kind of bracket in numbers."""
    return _SPACE.sub("", text or "").translate(_NUMBER_BRACKETS)


@lru_cache(maxsize=1 << 20)  # a record has thousands of bigrams, the archive far fewer distinct ones
def key_token(text: str) -> str:
    """An ASCII word that stands for ``text`` exactly: k + each code point as three base-36
    digits (h + hexadecimal code points joined by x when one does not fit)."""
    points = [ord(c) for c in normalise(text)]
    if all(p < 36**3 for p in points):
        return KEY_PREFIX + "".join(_base36(p).rjust(3, "0") for p in points)
    return "h" + "x".join(format(p, "x") for p in points)


def _base36(n: int) -> str:
    digits = ""
    while True:
        n, r = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
        if not n:
            return digits


def bigrams(text: str) -> set[str]:
    """Every run of two Chinese characters in ``text``, whitespace between them ignored
    (in Chinese it is layout, as ``normalise`` treats it)."""
    grams = set()
    for run in _HAN.findall(_SPACE.sub("", text or "")):
        grams.update(map(str.__add__, run, run[1:]))
    return grams


# ---------------------------------------------------------------- records


def page_url(docs_path: str) -> str:
    """documents/x.md → /documents/x/: the page's URL from the site root (ids.page_url)."""
    return "/" + ids.page_url(docs_path)


def html_path(url: str) -> str:
    """/documents/x/ → documents/x/index.html"""
    return url.strip("/") + "/index.html" if url.strip("/") else "index.html"


def plain_text(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def article(page_html: str) -> str:
    m = _ARTICLE.search(page_html)
    return m.group(1) if m else ""


def search_records(archive: Archive, read_page) -> list[SearchRecord]:
    """Every record to index. ``read_page(url)`` returns a built page's HTML ("" if missing)."""
    return list(iter_search_records(archive, read_page))


def iter_search_records(archive: Archive, read_page):
    """``search_records`` one at a time."""
    for issue in archive.issues:
        issue_url = "/" + ids.issue_url(issue.issue_id)
        base_filters = _issue_filters(issue)
        page = article(read_page(issue_url))
        if page:
            head = "".join(m.group() for m in (_H1.search(page), _META_CARD.search(page)) if m)
            yield SearchRecord(
                rid=issue.issue_id,
                kind=KIND_ISSUE,
                url=issue_url,
                title=issue_label(issue),
                page_html=head,
                meta={"date": cn_date(issue.published_on), "publisher": issue.publisher},
                filters={**base_filters, "kind": [KIND_ISSUE]},
                sort={"date": issue.published_on},
            )
        for document in issue.documents:
            if archive.by_id.get(document.document_id) is not document:
                continue
            url = "/" + ids.document_url(document.document_id)
            page = article(read_page(url))
            if page:
                yield _document_record(document, issue, url, page, base_filters)
        for event in issue.events:
            yield _event_record(event, issue, issue_url, base_filters)
        for appointment in issue.appointments:
            yield _appointment_record(appointment, issue, issue_url, base_filters)


def _issue_filters(issue: Issue) -> dict[str, list[str]]:
    filters = {"publisher": [issue.publisher]}
    if issue.year:
        filters["year"] = [str(issue.year)]
    return filters


def _document_record(
    document: Document, issue: Issue, url: str, page: str, base_filters: dict[str, list[str]]
) -> SearchRecord:
    number = document.doc_number.text if document.doc_number else ""
    exact = [n for n in (number, document.doc_number.printed if document.doc_number else "") if n]
    cited = [r.cited_doc_number for r in document.references if r.cited_doc_number]
    meta = {
        "docno": number,
        "date": cn_date(document.signed_on or issue.published_on),
        "publisher": issue.publisher,
        "issue": issue_label(issue),
    }
    filters = {**base_filters, "kind": [KIND_DOCUMENT]}
    if document.doc_type:
        filters["doctype"] = [document.doc_type]
    if document.section:
        filters["section"] = [document.section]
    return SearchRecord(
        rid=document.document_id,
        kind=KIND_DOCUMENT,
        url=url,
        title=document.title or "（无标题）",
        page_html=page,
        meta={k: v for k, v in meta.items() if v},
        filters=filters,
        sort={"date": document.signed_on or issue.published_on},
        exact=exact,
        cited=cited,
    )


def _event_record(event: Event, issue: Issue, issue_url: str, base_filters) -> SearchRecord:
    date = cn_date(event.date) + (f"至{cn_date(event.end_date)}" if event.end_date else "")
    title = _shorten(event.text, 36)
    return SearchRecord(
        rid=event.event_id,
        kind=KIND_EVENT,
        url=f"{issue_url}#events",
        title=f"大事记：{title}",
        content=f"{date} {event.text}",
        exact=[],
        meta={"date": date, "publisher": issue.publisher, "issue": issue_label(issue)},
        filters={**base_filters, "kind": [KIND_EVENT], "section": ["大事记"]},
        sort={"date": event.date},
    )


def _appointment_record(a: Appointment, issue: Issue, issue_url: str, base_filters) -> SearchRecord:
    statement = a.text or f"{a.person}{a.action}{a.post}"
    title = " ".join(x for x in (a.person, a.action, a.post) if x)
    content = " ".join(
        x
        for x in (
            cn_date(a.decided_on),
            a.authority,
            statement,
            f"（{a.note}）" if a.note and a.note not in statement else "",
        )
        if x
    )
    return SearchRecord(
        rid=a.appointment_id,
        kind=KIND_APPOINTMENT,
        url=f"{issue_url}#appointments",
        title=f"人事任免：{title}",
        content=content,
        exact=[a.person] if a.person else [],
        meta={"date": cn_date(a.decided_on), "publisher": issue.publisher, "issue": issue_label(issue)},
        filters={**base_filters, "kind": [KIND_APPOINTMENT], "section": ["人事任免"]},
        sort={"date": a.decided_on},
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- Pagefind input


def record_text(record: SearchRecord) -> str:
    """What a record is found by and shows in results: its page's content area as text, or
    its title and own text."""
    if record.page_html:
        return plain_text(_HEADERLINK.sub("", record.page_html))
    return f"{record.title} {record.content}"


def record_html(record: SearchRecord, with_text: bool = True) -> str:
    """The HTML handed to Pagefind for a record: its metadata, filters, title and, when
    ``with_text``, its content (``add_keys`` puts the text in afterwards otherwise)."""
    parts = [
        f'<html lang="{LANGUAGE}"><head><title>{html.escape(record.title)}</title></head><body>',
        "<main data-pagefind-body>",
    ]
    if not with_text:
        parts.append(f"<h1>{html.escape(record.title)}</h1>")
    elif record.page_html:
        parts.append(record.page_html)
    else:
        parts.append(f"<h1>{html.escape(record.title)}</h1><p>{html.escape(record.content)}</p>")
    meta = {"title": record.title, "kind": record.kind, "rid": record.rid, "link": record.url, **record.meta}
    for key, value in meta.items():
        parts.append(f'<span hidden data-pagefind-meta="{key}:{html.escape(value, quote=True)}"></span>')
    for key, values in record.filters.items():
        for value in values:
            parts.append(
                f'<span hidden data-pagefind-filter="{key}:{html.escape(value, quote=True)}"></span>'
            )
    for key, value in record.sort.items():
        if value:
            parts.append(f'<span hidden data-pagefind-sort="{key}:{html.escape(value, quote=True)}"></span>')
    parts.append("</main></body></html>")
    return "".join(parts)


# ---------------------------------------------------------------- the edge


def index_site(
    site_dir: Path, archive: Archive | Callable[[], Archive], with_keys: bool = True
) -> dict[str, int]:
    """Write the Pagefind bundle for the built site in ``site_dir``; returns counts by kind.
    With keys (the site's search), Pagefind indexes each record's title, metadata and
    filters, and ``add_keys`` adds its text and keys; without, Pagefind indexes the text
    itself (for comparison: Pagefind needs about 0.65 MB of memory per page of text).
    ``archive`` may be a function that loads it, so that it is freed before Pagefind runs."""
    site_dir = Path(site_dir)
    if callable(archive):  # an archive passed in stays referenced by the caller's call until we return
        archive = archive()

    def read_page(url: str) -> str:
        path = site_dir / html_path(url)
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    out = site_dir / BUNDLE_DIR
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix="gazette-search-") as tmp:
        records = _write_input(iter_search_records(archive, read_page), Path(tmp), with_text=not with_keys)
        del archive  # the records hold what the rest needs
        _run_pagefind(Path(tmp), out)
    entry = out / "pagefind-entry.json"
    if not entry.is_file() or entry.stat().st_size == 0:
        raise SearchIndexError(f"Pagefind wrote no {entry}")
    for name in UNUSED_BUNDLE_FILES:  # Pagefind's own UIs; the site has its own
        (out / name).unlink(missing_ok=True)
    if with_keys:
        add_keys(out, records)
    canonicalise_bundle(out)
    counts: dict[str, int] = {}
    for record in records:
        counts[record.kind] = counts.get(record.kind, 0) + 1
    return counts


def input_path(record: SearchRecord) -> str:
    """Where the record's HTML goes in Pagefind's input folder; entries get a file of their own."""
    if record.kind in (KIND_EVENT, KIND_APPOINTMENT):
        return f"{record.url.split('#')[0].strip('/')}/entries/{record.rid}.html"
    return html_path(record.url)


def _write_input(records, folder: Path, with_text: bool) -> list[SearchRecord]:
    """One HTML file per record in ``folder``, Pagefind's input. Returns the records, each
    with its text in ``content`` and no page HTML."""
    kept = []
    for record in records:
        path = folder / input_path(record)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record_html(record, with_text), encoding="utf-8")
        record.content, record.page_html = record_text(record), ""
        kept.append(record)
    return kept


def _run_pagefind(folder: Path, out: Path) -> None:
    """One run of the Pagefind binary that the ``pagefind[extended]`` package ships (its async
    Python API answers each call after a 0.1 s poll and can exit before the last file is written)."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(folder),
        "--output-path",
        str(out.resolve()),
        "--force-language",
        LANGUAGE,
        "--exclude-selectors",
        ".headerlink",
        "--silent",
    ]
    # Up to INDEX_THREADS indexing threads: the bundle is the same (filter value order varies
    # with or without threads, see canonicalise_bundle); each thread adds a little memory.
    env = {**os.environ, "RAYON_NUM_THREADS": str(max(1, min(os.cpu_count() or 1, INDEX_THREADS)))}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        said = (result.stderr or result.stdout or "").strip().splitlines()
        raise SearchIndexError(
            f"{folder}: Pagefind failed: {said[-1] if said else f'exit status {result.returncode}'}"
        )


# ---------------------------------------------------------------- reproducible bundle
# Pagefind writes each filter's values in hash-map order, different on every run, and names
# files by a hash of their content: filter files, the language's .pf_meta that lists them and
# pagefind-entry.json that names the meta change from run to run. ``canonicalise_bundle``
# sorts the values and renames the files the way Pagefind does, so a bundle is a function of
# the records. Bundle files: gzip of SIGNATURE + CBOR; a file's name is "<lang>_" + the first
# hex digits of the SHA-1 of its CBOR.

SIGNATURE = b"pagefind_dcd"
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, mtime 0, level 9, OS unknown
META_FILTERS = 3  # .pf_meta: [version, pages, index chunks, [[filter, file hash]], sorts, meta fields]
_BUNDLE_NAME = re.compile(r"^(?P<lang>[A-Za-z0-9-]+)_(?P<hash>[0-9a-f]+)$")


def cbor_decode(data: bytes):
    """A CBOR item (cbor2); trailing bytes are an error."""
    return cbor2.loads(data)


def cbor_encode(value) -> bytes:
    """Shortest-form definite-length CBOR (cbor2's default), as Pagefind (serde) writes it."""
    return cbor2.dumps(value)


def _cbor_head(major: int, arg: int) -> bytes:
    """The head of a CBOR item of ``major`` type with argument ``arg`` (an array's length, say),
    for items streamed after it. A head has the same form for every major type, so it is
    cbor2's encoding of the unsigned integer ``arg`` with the major type's bits set."""
    head = cbor2.dumps(arg)
    return bytes([head[0] | major << 5]) + head[1:]


def _bundle_payload(path: Path) -> bytes:
    """A bundle file's data: gzip of SIGNATURE + CBOR (index, filters, meta) or JSON (fragments)."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"{path.name}: not a Pagefind data file")
    return data[len(SIGNATURE) :]


def _read_bundle_file(path: Path):
    """The CBOR value in a bundle file; refuses any file it could not write back unchanged."""
    body = _bundle_payload(path)
    value = cbor_decode(body)
    if cbor_encode(value) != body:
        raise SearchIndexError(f"{path.name}: unexpected CBOR encoding (Pagefind format changed?)")
    return value


def _write_bundle_file(directory: Path, lang: str, digits: int, suffix: str, value, prefix: str = "") -> str:
    """Writes ``value`` as ``<prefix><lang>_<hash><suffix>``; returns "<lang>_<hash>"."""
    body = cbor_encode(value)
    name = f"{lang}_{hashlib.sha1(body).hexdigest()[:digits]}"
    (directory / f"{prefix}{name}{suffix}").write_bytes(gzip_fixed(SIGNATURE + body))
    return name


def gzip_fixed(data: bytes, level: int = 9) -> bytes:
    """gzip with the header Pagefind writes (no mtime, OS unknown), whatever the platform."""
    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    return GZIP_HEADER + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def _split_name(stem: str) -> tuple[str, str]:
    m = _BUNDLE_NAME.match(stem)
    if not m:
        raise SearchIndexError(f"unexpected Pagefind file name {stem!r}")
    return m.group("lang"), m.group("hash")


def canonicalise_bundle(out: Path) -> None:
    """Sorts what Pagefind writes in hash-map order (filter values, the meta's filter list),
    renames the files it changes by their new content hash and points the entry file at
    the new meta. Search behaves the same; the bytes depend only on the indexed records."""
    out = Path(out)
    filter_dir = out / "filter"
    renamed: dict[str, str] = {}  # old file hash name -> new
    for path in sorted(filter_dir.glob("*.pf_filter")) if filter_dir.is_dir() else []:
        old = path.name[: -len(".pf_filter")]
        lang, digits = _split_name(old)
        name, values = _read_bundle_file(path)
        canonical = [name, sorted(values, key=lambda pair: pair[0])]
        path.unlink()
        renamed[old] = _write_bundle_file(filter_dir, lang, len(digits), ".pf_filter", canonical)
    for path in sorted(out.glob("pagefind.*.pf_meta")):
        meta = _read_bundle_file(path)
        filters = meta[META_FILTERS]
        if not all(isinstance(f, list) and len(f) == 2 and f[1] in renamed for f in filters):
            raise SearchIndexError(f"{path.name}: filter list not understood (Pagefind format changed?)")
        meta[META_FILTERS] = sorted(([name, renamed[ref]] for name, ref in filters), key=lambda f: f[0])
        _replace_meta(out, path, meta)


def _replace_meta(out: Path, path: Path, meta: list) -> None:
    """Writes ``meta`` in place of the meta file ``path``, named by its content, and points
    pagefind-entry.json at it."""
    old = path.name[len("pagefind.") : -len(".pf_meta")]
    lang, digits = _split_name(old)
    path.unlink()
    new = _write_bundle_file(out, lang, len(digits), ".pf_meta", meta, prefix="pagefind.")
    entry_path = out / "pagefind-entry.json"
    entry_text = entry_path.read_text(encoding="utf-8")
    if f'"{old}"' not in entry_text:
        raise SearchIndexError(f"pagefind-entry.json does not name {old}")
    entry_path.write_text(entry_text.replace(f'"{old}"', f'"{new}"'), encoding="utf-8")


# ---------------------------------------------------------------- text and keys
# Pagefind indexes titles, metadata and filters; ``add_keys`` writes each record's text into
# its fragment (gzip of SIGNATURE + JSON) and the keys as the word index. A .pf_index chunk
# is [[word, pages, variants]] in word order; ``pages`` lists [page delta, locations, meta
# locations]; a location below zero sets the weight, -(24w + 1), of those after it. The
# .pf_meta lists pages as [fragment, word count] and chunks as [from, to, file], from/to
# the shortest prefixes that tell neighbouring chunks apart.

META_PAGES, META_CHUNKS = 1, 2
PAGEFIND_FORMAT = "1.5."  # the index format below; pyproject pins pagefind to 1.5
_BODY_LOCATIONS = cbor_encode([0]) + cbor_encode([])  # location 0, Pagefind's default weight
_TITLE_LOCATIONS = cbor_encode([-(24 * KEY_WEIGHT + 1), 0]) + cbor_encode([])


def read_fragment(path: Path) -> dict:
    return json.loads(_bundle_payload(path))


def add_keys(out: Path, records: list[SearchRecord]) -> int:
    """Completes the Pagefind bundle in ``out``, indexed from titles and metadata only, with
    each record's text (``content``, see ``record_text``) and keys: the text goes into the
    record's fragment, and the keys, ASCII words included, make the word index (the site's
    search looks up nothing else). Returns the number of distinct keys."""
    out = Path(out)
    by_rid = {r.rid: r for r in records}
    meta_path, meta = _only_meta(out)
    if not str(meta[0]).startswith(PAGEFIND_FORMAT):
        raise SearchIndexError(
            f"Pagefind {meta[0]} wrote this bundle; add_keys writes the {PAGEFIND_FORMAT}.x format"
        )
    bigram_rows: list[np.ndarray] = []  # per page: bigram << 32 | page << 1 | weighty
    other: dict[str, dict[int, bool]] = {}  # numbers and names of three or more characters, ASCII words
    fragment_dir = out / "fragment"
    for page, (fragment_hash, _words) in enumerate(meta[META_PAGES]):
        fragment_path = fragment_dir / f"{fragment_hash}.pf_fragment"
        fragment = read_fragment(fragment_path)
        record = by_rid.get(fragment.get("meta", {}).get("rid", ""))
        if record is None:
            raise SearchIndexError(f"Pagefind page {fragment.get('url')} is not a search record")
        text = record.content
        body, title = bigram_codes(text), bigram_codes(record.title)
        for strings, weighty in ((record.cited, False), (record.exact, True)):
            for string in strings:
                codes = bigram_codes(string)
                if len(codes) == 1 and len(normalise(string)) == 2:  # two characters: a bigram key
                    body, title = (
                        (body, np.union1d(title, codes)) if weighty else (np.union1d(body, codes), title)
                    )
                elif normalise(string):
                    pages = other.setdefault(key_token(string), {})
                    pages[page] = pages.get(page, False) or weighty
        words = {w.lower() for w in _ASCII_WORD.findall(text)}
        for word in words:
            other.setdefault(word, {})[page] = False
        codes = np.union1d(body, title)
        rows = codes.astype(np.uint64) << np.uint64(32) | np.uint64(page << 1)
        bigram_rows.append(rows | np.isin(codes, title).astype(np.uint64))
        fragment["content"], fragment["word_count"] = text, len(codes) + len(words)
        # The meta, which every first query loads, lists every page with its word count; the
        # ranking ignores page length (search.js), so the count there is 1 and costs a byte.
        meta[META_PAGES][page] = [_write_fragment(fragment_dir, fragment, fragment_path), 1]
    rows = np.concatenate(bigram_rows) if bigram_rows else np.zeros(0, np.uint64)
    del bigram_rows
    postings = _bigram_postings(rows)
    del rows
    for key, pages in other.items():  # an ASCII word spelt like a bigram's key yields to it
        if key not in postings:
            numbers = np.fromiter(pages, np.int64, len(pages))
            postings[key] = (
                len(pages),
                _encode_pages(numbers, np.fromiter(pages.values(), bool, len(pages))),
            )
    _replace_word_index(
        out, meta, postings, _split_name(meta_path.name[len("pagefind.") : -len(".pf_meta")])[0]
    )
    _replace_meta(out, meta_path, meta)
    return len(postings)


def _write_fragment(directory: Path, fragment: dict, old: Path) -> str:
    """Writes ``fragment`` in place of ``old`` under a name from its content, as Pagefind names it."""
    data = json.dumps(fragment, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    lang = old.name.split("_", 1)[0]
    old.unlink()
    name = _unique_name(directory, lang, data, ".pf_fragment", FRAGMENT_NAME_DIGITS)
    (directory / f"{name}.pf_fragment").write_bytes(gzip_fixed(SIGNATURE + data, INDEX_GZIP_LEVEL))
    return name


def bigram_codes(text: str) -> np.ndarray:
    """The distinct runs of two Chinese characters in ``text`` (as ``bigrams``), each as
    first code point << 16 | second, sorted."""
    points = np.frombuffer(_SPACE.sub("", text or "").encode("utf-32-le"), dtype="<u4")
    han = np.zeros(len(points), bool)
    for low, high in _HAN_RANGES:
        han |= (points >= low) & (points <= high)
    pairs = han[:-1] & han[1:]
    return np.unique(points[:-1][pairs] << np.uint32(16) | points[1:][pairs])


POSTING_SLICE = 1 << 21  # rows encoded at a time: bounds the memory of the step below


def _bigram_postings(rows: np.ndarray) -> dict[str, tuple[int, bytes]]:
    """Each bigram's key with its page entries (count, CBOR), from rows of
    bigram << 32 | page << 1 | weighty (sorted here, in place), a slice of whole keys at a time."""
    rows.sort()
    result: dict[str, tuple[int, bytes]] = {}
    start = 0
    while start < len(rows):
        end = min(start + POSTING_SLICE, len(rows))
        if end < len(rows):  # to the end of the last key in the slice
            next_key = (rows[end - 1] >> np.uint64(32)) + np.uint64(1)
            end = int(np.searchsorted(rows, next_key << np.uint64(32)))
        result.update(_slice_postings(rows[start:end]))
        start = end
    return result


def _slice_postings(rows: np.ndarray) -> dict[str, tuple[int, bytes]]:
    codes = (rows >> np.uint64(32)).astype(np.uint32)
    weighty = (rows & np.uint64(1)).astype(bool)
    pages = (rows >> np.uint64(1) & np.uint64(0x7FFFFFFF)).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    data, offsets = _encode_entries(pages, weighty, starts)
    result = {}
    for start, end in zip(starts.tolist(), ends.tolist()):
        code = int(codes[start])
        key = key_token(chr(code >> 16) + chr(code & 0xFFFF))
        result[key] = (end - start, data[offsets[start] : offsets[end]])
    return result


def _encode_pages(pages: np.ndarray, weighty: np.ndarray) -> bytes:
    data, _ = _encode_entries(pages, weighty, np.zeros(1, np.int64))
    return data


def _encode_entries(pages: np.ndarray, weighty: np.ndarray, starts: np.ndarray) -> tuple[bytes, list[int]]:
    """Pagefind page entries [page delta, locations, []] for ``pages`` (ascending within each
    run that begins at one of ``starts``); returns their CBOR and each entry's offset in it
    (with the total length last)."""
    deltas = np.diff(pages, prepend=0)
    deltas[starts] = pages[starts]
    head = np.select([deltas < 24, deltas < 256, deltas < 65536], [1, 2, 3], 5)
    tail = np.where(weighty, len(_TITLE_LOCATIONS), len(_BODY_LOCATIONS))
    size = 1 + head + tail
    offsets = np.zeros(len(size) + 1, np.int64)
    np.cumsum(size, out=offsets[1:])
    out = np.zeros(int(offsets[-1]), np.uint8)
    at = offsets[:-1]
    out[at] = 0x83
    for width, marker in ((2, 0x18), (3, 0x19), (5, 0x1A)):
        chosen = head == width
        out[at[chosen] + 1] = marker
        for byte in range(width - 1):
            out[at[chosen] + 2 + byte] = deltas[chosen] >> (8 * (width - 2 - byte)) & 0xFF
    small = head == 1
    out[at[small] + 1] = deltas[small]
    for locations, chosen in ((_TITLE_LOCATIONS, weighty), (_BODY_LOCATIONS, ~weighty)):
        where = at[chosen] + 1 + head[chosen]
        for i, byte in enumerate(locations):
            out[where + i] = byte
    return out.tobytes(), offsets.tolist()


def _only_meta(out: Path):
    metas = sorted(out.glob("pagefind.*.pf_meta"))
    if len(metas) != 1:
        raise SearchIndexError(f"expected one Pagefind meta file in {out}, found {len(metas)}")
    return metas[0], _read_bundle_file(metas[0])


def _word_entry(word: str, count: int, pages: bytes) -> bytes:
    return _cbor_head(4, 3) + cbor_encode(word) + _cbor_head(4, count) + pages + cbor_encode([])


def _replace_word_index(out: Path, meta: list, postings: dict[str, tuple[int, bytes]], lang: str) -> None:
    """Replaces Pagefind's word index (words of titles and metadata) with the keys'."""
    index_dir = out / "index"
    for path in index_dir.glob("*.pf_index"):
        path.unlink()
    index_dir.mkdir(exist_ok=True)
    words = {key: _word_entry(key, count, pages) for key, (count, pages) in postings.items()}
    meta[META_CHUNKS] = _chunk(words, index_dir, lang)


def _chunk(words: dict[str, bytes], index_dir: Path, lang: str) -> list[list[str]]:
    """Writes ``words`` as chunks of about INDEX_CHUNK_BYTES, or as INDEX_CHUNKS_MAX chunks
    when that is more; returns their [from, to, file]."""
    target = max(INDEX_CHUNK_BYTES, sum(map(len, words.values())) // INDEX_CHUNKS_MAX)
    chunks, current, size = [], [], 0
    for word in sorted(words):
        current.append(word)
        size += len(words[word])
        if size >= target:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    listed = []
    for chunk in chunks:
        body = _cbor_head(4, 1) + _cbor_head(4, len(chunk)) + b"".join(words[w] for w in chunk)
        name = _unique_name(index_dir, lang, body, ".pf_index")
        (index_dir / f"{name}.pf_index").write_bytes(gzip_fixed(SIGNATURE + body, INDEX_GZIP_LEVEL))
        listed.append([chunk[0], chunk[-1], name])
    for before, after in zip(listed, listed[1:]):
        before[1], after[0] = _prefixes(before[1], after[0])
    return listed


def _unique_name(directory: Path, lang: str, body: bytes, suffix: str, digits: int = 7) -> str:
    full = hashlib.sha1(body).hexdigest()
    while (directory / f"{lang}_{full[:digits]}{suffix}").exists():
        digits += 1
    return f"{lang}_{full[:digits]}"


def _prefixes(a: str, b: str) -> tuple[str, str]:
    """The shortest prefixes of a chunk's last word and the next chunk's first that differ."""
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return a[: common + 1], b[: common + 1]
