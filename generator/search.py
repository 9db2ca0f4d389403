"""Site search: a Pagefind index of the built site, written into ``<site>/pagefind/``.

``search_records`` is pure: it turns the archive (and the built pages' HTML, passed in) into
the records Pagefind indexes. Document and issue pages are indexed from their built HTML,
content area only; every 大事记 and 人事任免 entry is its own record. ``index_site`` is the
I/O edge that runs Pagefind (the ``pagefind[extended]`` binary, which segments Chinese).

Pagefind segments Chinese into words, at indexing time with its own dictionary and in the
browser with ``Intl.Segmenter``; the two do not always agree, and a query for part of a
word can miss. Each record therefore also carries *keys*: an ASCII token for every run of
two Chinese characters, document number and person name (see ``key_token``). The browser
(``theme/assets/javascripts/search.js``) turns a query into the same keys, so any query
found in a record's text finds that record. Keys sit in a hidden block that the excerpt
code in the browser cuts off.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .archive import Archive
from .models import Appointment, Document, Event, Issue
from .pages import build_site as site_model
from .pages import cn_date, issue_label

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh"
KIND_DOCUMENT = "文件"
KIND_ISSUE = "期刊"
KIND_EVENT = "大事记"
KIND_APPOINTMENT = "人事任免"
KEYS_MARK = "〓检索键〓"  # starts the hidden key block; the browser cuts excerpts there
KEY_PREFIX = "k"
KEY_WEIGHT = 5
INDEX_THREADS = 2  # Pagefind: 25 s → 19 s at 1,000 documents on 2 cores, +4 % peak memory
UNUSED_BUNDLE_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                       "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")

_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*)</article>', re.DOTALL)
_META_CARD = re.compile(r'<div class="gz-meta">.*?</div>', re.DOTALL)
_H1 = re.compile(r"<h1\b.*?</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_NUMBER_BRACKETS = str.maketrans({"［": "〔", "[": "〔", "(": "〔", "（": "〔", "【": "〔", "〖": "〔",
                                  "］": "〕", "]": "〕", ")": "〕", "）": "〕", "】": "〕", "〗": "〕"})
_SPACE = re.compile(r"\s+")


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
    if all(p < 36 ** 3 for p in points):
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
    """Every run of two Chinese characters in ``text``."""
    grams = set()
    for run in _HAN.findall(text or ""):
        grams.update(map(str.__add__, run, run[1:]))
    return grams


def keys_text(text: str, exact: list[str] = ()) -> str:
    """Keys for ``text`` (its bigrams) and for the ``exact`` strings, each key once."""
    words = {key_token(g) for g in bigrams(text)}
    words.update(key_token(e) for e in exact if normalise(e))
    return " ".join(sorted(words))


# ---------------------------------------------------------------- records

def page_url(docs_path: str) -> str:
    """documents/x.md → /documents/x/ (use_directory_urls)."""
    stem = docs_path[:-3] if docs_path.endswith(".md") else docs_path
    if stem == "index":
        return "/"
    if stem.endswith("/index"):
        stem = stem[: -len("/index")]
    return f"/{stem}/"


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
    site = site_model(archive)
    records: list[SearchRecord] = []
    for issue in site.issues:
        issue_url = page_url(site.issue_path[issue.issue_id])
        base_filters = _issue_filters(issue)
        page = article(read_page(issue_url))
        if page:
            head = "".join(m.group() for m in (_H1.search(page), _META_CARD.search(page)) if m)
            records.append(SearchRecord(
                rid=issue.issue_id, kind=KIND_ISSUE, url=issue_url, title=issue_label(issue),
                page_html=head, meta={"date": cn_date(issue.published_on), "publisher": issue.publisher},
                filters={**base_filters, "kind": [KIND_ISSUE]}, sort={"date": issue.published_on}))
        for document in issue.documents:
            if archive.by_id.get(document.document_id) is not document:
                continue
            url = page_url(site.doc_path(document))
            page = article(read_page(url))
            if page:
                records.append(_document_record(document, issue, url, page, base_filters))
        for event in issue.events:
            records.append(_event_record(event, issue, issue_url, base_filters))
        for appointment in issue.appointments:
            records.append(_appointment_record(appointment, issue, issue_url, base_filters))
    return records


def _issue_filters(issue: Issue) -> dict[str, list[str]]:
    filters = {"publisher": [issue.publisher]}
    if issue.year:
        filters["year"] = [str(issue.year)]
    return filters


def _document_record(document: Document, issue: Issue, url: str, page: str,
                     base_filters: dict[str, list[str]]) -> SearchRecord:
    number = document.doc_number.text if document.doc_number else ""
    exact = [n for n in (number, document.doc_number.printed if document.doc_number else "") if n]
    cited = [r.cited_doc_number for r in document.references if r.cited_doc_number]
    meta = {"docno": number, "date": cn_date(document.signed_on or issue.published_on),
            "publisher": issue.publisher, "issue": issue_label(issue)}
    filters = {**base_filters, "kind": [KIND_DOCUMENT]}
    if document.doc_type:
        filters["doctype"] = [document.doc_type]
    if document.section:
        filters["section"] = [document.section]
    return SearchRecord(
        rid=document.document_id, kind=KIND_DOCUMENT, url=url, title=document.title or "（无标题）",
        page_html=page, meta={k: v for k, v in meta.items() if v}, filters=filters,
        sort={"date": document.signed_on or issue.published_on}, exact=exact, cited=cited)


def _event_record(event: Event, issue: Issue, issue_url: str, base_filters) -> SearchRecord:
    date = cn_date(event.date) + (f"至{cn_date(event.end_date)}" if event.end_date else "")
    title = _shorten(event.text, 36)
    return SearchRecord(
        rid=event.event_id, kind=KIND_EVENT, url=f"{issue_url}#events", title=f"大事记：{title}",
        content=f"{date} {event.text}", exact=[],
        meta={"date": date, "publisher": issue.publisher, "issue": issue_label(issue)},
        filters={**base_filters, "kind": [KIND_EVENT], "section": ["大事记"]}, sort={"date": event.date})


def _appointment_record(a: Appointment, issue: Issue, issue_url: str, base_filters) -> SearchRecord:
    statement = a.text or f"{a.person}{a.action}{a.post}"
    title = " ".join(x for x in (a.person, a.action, a.post) if x)
    content = " ".join(x for x in (cn_date(a.decided_on), a.authority, statement,
                                   f"（{a.note}）" if a.note and a.note not in statement else "") if x)
    return SearchRecord(
        rid=a.appointment_id, kind=KIND_APPOINTMENT, url=f"{issue_url}#appointments",
        title=f"人事任免：{title}", content=content, exact=[a.person] if a.person else [],
        meta={"date": cn_date(a.decided_on), "publisher": issue.publisher, "issue": issue_label(issue)},
        filters={**base_filters, "kind": [KIND_APPOINTMENT], "section": ["人事任免"]},
        sort={"date": a.decided_on})


def _shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- Pagefind input

def record_html(record: SearchRecord, with_keys: bool = True) -> str:
    """The HTML handed to Pagefind for a record: its content, metadata, filters and keys."""
    parts = [f'<html lang="{LANGUAGE}"><head><title>{html.escape(record.title)}</title></head><body>',
             "<main data-pagefind-body>"]
    if record.page_html:
        body = record.page_html
    else:
        body = f"<h1>{html.escape(record.title)}</h1><p>{html.escape(record.content)}</p>"
    parts.append(body)
    meta = {"title": record.title, "kind": record.kind, "rid": record.rid, "link": record.url, **record.meta}
    for key, value in meta.items():
        parts.append(f'<span hidden data-pagefind-meta="{key}:{html.escape(value, quote=True)}"></span>')
    for key, values in record.filters.items():
        for value in values:
            parts.append(f'<span hidden data-pagefind-filter="{key}:{html.escape(value, quote=True)}"></span>')
    for key, value in record.sort.items():
        if value:
            parts.append(f'<span hidden data-pagefind-sort="{key}:{html.escape(value, quote=True)}"></span>')
    if with_keys:  # title and own number/name weigh more than the body
        parts.append(f"<div>{KEYS_MARK}")
        parts.append(f'<p data-pagefind-weight="{KEY_WEIGHT}">{keys_text(record.title, record.exact)}</p>')
        parts.append(f"<p>{keys_text(plain_text(body), record.cited)}</p></div>")
    parts.append("</main></body></html>")
    return "".join(parts)


# ---------------------------------------------------------------- the edge

def index_site(site_dir: Path, archive: Archive, with_keys: bool = True) -> dict[str, int]:
    """Write the Pagefind bundle for the built site in ``site_dir``; returns counts by kind."""
    site_dir = Path(site_dir)

    def read_page(url: str) -> str:
        path = site_dir / html_path(url)
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    records = search_records(archive, read_page)
    out = site_dir / BUNDLE_DIR
    if out.exists():
        shutil.rmtree(out)
    _write_index(records, out, with_keys)
    entry = out / "pagefind-entry.json"
    if not entry.is_file() or entry.stat().st_size == 0:
        raise RuntimeError(f"Pagefind wrote no {entry}")
    for name in UNUSED_BUNDLE_FILES:  # Pagefind's own UIs; the site has its own
        (out / name).unlink(missing_ok=True)
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


def _write_index(records: list[SearchRecord], out: Path, with_keys: bool) -> None:
    """One folder of record HTML, indexed by one run of the Pagefind binary that the
    ``pagefind[extended]`` package ships (its async Python API answers each call after a
    0.1 s poll and can exit before the last file is written)."""
    with tempfile.TemporaryDirectory(prefix="gazette-search-") as tmp:
        for record in records:
            path = Path(tmp) / input_path(record)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record_html(record, with_keys), encoding="utf-8")
        command = [sys.executable, "-m", "pagefind", "--site", tmp, "--output-path", str(out.resolve()),
                   "--force-language", LANGUAGE, "--exclude-selectors", ".headerlink", "--silent"]
        # Up to INDEX_THREADS indexing threads: the bundle is the same (filter value order varies
        # with or without threads, see canonicalise_bundle); each thread adds a little memory.
        env = {**os.environ, "RAYON_NUM_THREADS": str(max(1, min(os.cpu_count() or 1, INDEX_THREADS)))}
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"Pagefind failed: {result.stderr or result.stdout}")


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
    """The CBOR subset Pagefind writes: integers, strings, byte strings, arrays, maps, bool, null."""
    value, end = _cbor_item(data, 0)
    if end != len(data):
        raise ValueError(f"trailing bytes after CBOR item at {end}")
    return value


def _cbor_item(data: bytes, i: int):
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if major == 7:
        if info in (20, 21, 22):
            return (False, True, None)[info - 20], i
        raise ValueError(f"unsupported CBOR simple/float value {info}")
    if info < 24:
        arg = info
    elif info <= 27:
        width = 1 << (info - 24)
        arg, i = int.from_bytes(data[i:i + width], "big"), i + width
    else:
        raise ValueError("indefinite-length CBOR is not supported")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major == 2:
        return bytes(data[i:i + arg]), i + arg
    if major == 3:
        return data[i:i + arg].decode("utf-8"), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = _cbor_item(data, i)
            items.append(item)
        return items, i
    if major == 5:
        pairs = {}
        for _ in range(arg):
            key, i = _cbor_item(data, i)
            pairs[key], i = _cbor_item(data, i)
        return pairs, i
    raise ValueError(f"unsupported CBOR major type {major}")


def cbor_encode(value) -> bytes:
    """Shortest-form definite-length CBOR, as Pagefind (serde) writes it."""
    if value is False or value is True or value is None:
        return bytes([{False: 0xF4, True: 0xF5, None: 0xF6}[value]])
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * width):
            return bytes([major << 5 | info]) + arg.to_bytes(width, "big")
    raise ValueError("CBOR integer too large")


def _read_bundle_file(path: Path):
    """The CBOR value in a bundle file; refuses any file it could not write back unchanged."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise RuntimeError(f"{path.name}: not a Pagefind data file")
    body = data[len(SIGNATURE):]
    value = cbor_decode(body)
    if cbor_encode(value) != body:
        raise RuntimeError(f"{path.name}: unexpected CBOR encoding (Pagefind format changed?)")
    return value


def _write_bundle_file(directory: Path, lang: str, digits: int, suffix: str, value, prefix: str = "") -> str:
    """Writes ``value`` as ``<prefix><lang>_<hash><suffix>``; returns "<lang>_<hash>"."""
    body = cbor_encode(value)
    name = f"{lang}_{hashlib.sha1(body).hexdigest()[:digits]}"
    (directory / f"{prefix}{name}{suffix}").write_bytes(gzip_fixed(SIGNATURE + body))
    return name


def gzip_fixed(data: bytes) -> bytes:
    """gzip at level 9 with the header Pagefind writes (no mtime, OS unknown), whatever the platform."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    return GZIP_HEADER + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def _split_name(stem: str) -> tuple[str, str]:
    m = _BUNDLE_NAME.match(stem)
    if not m:
        raise RuntimeError(f"unexpected Pagefind file name {stem!r}")
    return m.group("lang"), m.group("hash")


def canonicalise_bundle(out: Path) -> None:
    """Sorts what Pagefind writes in hash-map order (filter values, the meta's filter list),
    renames the files it changes by their new content hash and points the entry file at
    the new meta. Search behaves the same; the bytes depend only on the indexed records."""
    out = Path(out)
    entry_path = out / "pagefind-entry.json"
    entry_text = entry_path.read_text(encoding="utf-8")
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
        old = path.name[len("pagefind."): -len(".pf_meta")]
        lang, digits = _split_name(old)
        meta = _read_bundle_file(path)
        filters = meta[META_FILTERS]
        if not all(isinstance(f, list) and len(f) == 2 and f[1] in renamed for f in filters):
            raise RuntimeError(f"{path.name}: filter list not understood (Pagefind format changed?)")
        meta[META_FILTERS] = sorted(([name, renamed[ref]] for name, ref in filters), key=lambda f: f[0])
        path.unlink()
        new = _write_bundle_file(out, lang, len(digits), ".pf_meta", meta, prefix="pagefind.")
        if f'"{old}"' not in entry_text:
            raise RuntimeError(f"pagefind-entry.json does not name {old}")
        entry_text = entry_text.replace(f'"{old}"', f'"{new}"')
    entry_path.write_text(entry_text, encoding="utf-8")
