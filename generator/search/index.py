"""Site search: the search bundle of the built site, written into ``<site>/pagefind/``.

``search_input`` and ``with_pages`` (records.py) are pure: they turn the archive (and the
built pages' HTML, passed in) into the records the search finds. Document and issue pages are
indexed from their built HTML, content area only; every 大事记 and 人事任免 entry is its own
record. ``index_site`` is the I/O edge.

Pagefind segments Chinese into words, at indexing time with its own dictionary and in the
browser with ``Intl.Segmenter``; the two do not always agree, and a query for part of a word
can miss. The search therefore looks records up by *keys* (keys.py): an ASCII word for every
run of two Chinese characters, every document number the text contains, the record's own
person name. The browser (``theme/assets/javascripts/search.js``) turns a query into the same
keys, which find every record containing it, and checks each candidate against its text.

The bundle is Pagefind's format, written by ``bundle.write_bundle`` from the records: the
fragments (each record's text, what a result downloads), the word index of keys, filters,
sorts and the meta. Pagefind's binary supplies its browser runtime only (``pagefind_runtime``,
a run over one dummy page), so indexing needs none of its memory, and a rebuild is incremental:
every page's record and fragment hash and every key's postings are kept in the site
(``SEARCH_CACHE/POSTINGS_FILE``), and ``index_site(..., changed_issues=ids)`` reads the pages of
those issues only and writes only their fragments; the word index is written anew from the
previous postings renumbered with those issues' merged in (``bundle.Postings.merged``), the
filters and meta from the records, with numpy.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.model.archive import Archive
from generator.outputs import atomic_file, write_atomic
from generator.parallel import collector_paused, in_two, release_memory
from generator.search.bundle import (
    RUNTIME_FILES,
    Entry,
    Postings,
    bundled_name,
    canonicalise_bundle,
    record_entry,
    write_bundle,
)
from generator.search.keys import (
    BUNDLE_DIR,
    INDEX_THREADS,
    KIND_APPOINTMENT,
    KIND_EVENT,
    LANGUAGE,
    UNUSED_BUNDLE_FILES,
)
from generator.search.records import (
    PAGE_KINDS,
    SearchIndexError,
    SearchInput,
    SearchRecord,
    html_path,
    iter_search_records,
    page_url,
    record_html,
    record_text,
    search_input,
    with_pages,
)

MIN_PARALLEL = 20  # issues to read: fewer are read here, forking costs more than it saves
FRAGMENT_STAGING = ".gazette-search-fragments"  # in the site while the index is written
SEARCH_CACHE = ".gazette-search"  # in the site: what the last index wrote (POSTINGS_FILE)
POSTINGS_FILE = "postings"  # every page's record and every key's postings, as last indexed
_CACHE_VERSION = b"gazette-search 4\n"  # a cache file of another layout is not read
_STAGED_VERSION = b"gazette-search staged 1\n"  # an issue's entries as _read_issues wrote them
_NO_CODES, _NO_WEIGHTY = np.zeros(0, np.uint32), np.zeros(0, bool)

# ---------------------------------------------------------------- the edge


@collector_paused()
def index_site(
    site_dir: Path,
    archive: Archive | Callable[[], Archive] | SearchInput,
    with_keys: bool = True,
    changed_issues: Iterable[str] | None = None,
    rewritten_pages: Iterable[str] | None = None,
) -> dict[str, int]:
    """Write the search bundle for the built site in ``site_dir``; returns counts by kind.
    With keys (the site's search), ``bundle.write_bundle`` writes every data file from the
    records, and Pagefind supplies its browser runtime only; without, Pagefind indexes the
    text itself (for comparison: it needs about 0.65 MB of memory per page of text).
    ``archive`` may be a function that loads it, or its ``search_input`` (what a build made
    while it held the archive: then the records are not read again).

    ``changed_issues`` (issue ids) makes it incremental: the pages of those issues are read
    and their fragments written; every other issue comes from ``SEARCH_CACHE`` with the
    fragments already in ``site_dir/pagefind`` (a previous build's, hard-linked). None (the
    default) reads every page. Both give the same bundle; the cache is brought up to date.
    ``rewritten_pages`` (the page sources the build wrote anew, e.g. documents/<id>.md) gives
    the changed issues instead (``issues_of_pages``)."""
    site_dir = Path(site_dir)
    issues = _search_input(archive)
    del archive
    release_memory(collect=False)  # a function's archive, freed once its records were made

    def read_page(url: str) -> str:
        path = site_dir / html_path(url)
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    out = site_dir / BUNDLE_DIR
    if not with_keys:
        return _index_with_pagefind(iter_search_records(issues, read_page), out)
    runtime, version, include = pagefind_runtime()
    if changed_issues is None and rewritten_pages is not None:
        changed_issues = issues_of_pages(issues, rewritten_pages)
    changed = None if changed_issues is None else set(changed_issues)
    fragment_dir = out / "fragment"
    present = (
        {p.name[: -len(".pf_fragment")] for p in fragment_dir.iterdir()} if fragment_dir.is_dir() else set()
    )
    cache = site_dir / SEARCH_CACHE
    previous = _read_previous(cache / POSTINGS_FILE, present) if changed is not None else None
    in_archive = {issue_id for issue_id, _ in issues}
    kept = set() if previous is None else set(previous.issue_ids) & in_archive - changed
    to_read = [(issue_id, records) for issue_id, records in issues if issue_id not in kept]
    del issues

    # Each issue read is written, as it is read, to the staging folder: its fragments (named by
    # their hash, renamed into the bundle by write_bundle) and its entries (keys and all), so
    # that neither process holds them all and nothing is sent back; they are read from there.
    staging = site_dir / FRAGMENT_STAGING
    shutil.rmtree(staging, ignore_errors=True)
    (staging / SEARCH_CACHE).mkdir(parents=True)
    job = functools.partial(_read_issues, to_read, read_page, staging)
    in_two(job, shares=8) if len(to_read) >= MIN_PARALLEL else job((0, 1))
    del job
    pages: list[tuple[str, Entry, int]] = []  # issue, entry, its page in the previous bundle (or -1)
    if previous is not None:
        for page, (issue_id, entry) in enumerate(zip(previous.issue_ids, previous.entries)):
            if issue_id in kept:
                pages.append((issue_id, entry, page))
    for issue_id, _ in to_read:
        found = _read_staged(staging / SEARCH_CACHE / _staged_name(issue_id), staging)
        if found is None:  # written a moment ago by _read_issues
            raise SearchIndexError(f"{staging}: the search records of {issue_id} were not written")
        pages.extend((issue_id, entry, -1) for entry in found)
    del to_read
    # Pages newest first (a list without a query shows them in this order), a function of the records
    pages.sort(key=lambda p: _page_order(p[1]), reverse=True)
    entries = [entry for _, entry, _ in pages]
    if previous is None:
        postings = Postings.of(enumerate(entries))
    else:  # the previous postings renumbered, the new records' merged in
        renumbered = np.full(len(previous.entries), -1, np.int64)
        for page, (_, _, before) in enumerate(pages):
            if before >= 0:
                renumbered[before] = page
        postings = previous.postings.merged(
            renumbered, Postings.of((page, e) for page, (_, e, before) in enumerate(pages) if before < 0)
        )
        del previous
    for entry in entries:  # their keys are in the postings now
        entry.codes, entry.weighty, entry.other = _NO_CODES, _NO_WEIGHTY, {}
    release_memory(collect=False)
    # The cache first (the staged site is swapped in only once the build succeeds), so that the
    # postings are let go before the word index is made from them.
    cache.mkdir(exist_ok=True)
    _write_previous(cache / POSTINGS_FILE, [issue_id for issue_id, _, _ in pages], entries, postings)
    words = postings.words()
    del postings
    write_bundle(out, entries, runtime, version, include, words)
    shutil.rmtree(staging)
    for path in list(cache.iterdir()):
        if path.name != POSTINGS_FILE:  # a cache of an older layout
            path.unlink()
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.record.kind] = counts.get(entry.record.kind, 0) + 1
    return counts


def _page_order(entry: Entry) -> tuple[str, str]:
    return entry.record.sort.get("date") or "", entry.record.rid


def _search_input(archive: Archive | Callable[[], Archive] | SearchInput) -> SearchInput:
    if isinstance(archive, list):
        return archive
    if callable(archive):
        archive = archive()
    return search_input(archive)


def _read_issues(issues: SearchInput, read_page, staging: Path, part: tuple[int, int]) -> None:
    """Every ``part[1]``-th issue from the ``part[0]``-th, read from its pages: its fragments
    written into ``staging`` (named by their hash), its entries into its cache file there."""
    for issue_id, records in issues[part[0] :: part[1]]:
        entries = []
        for record in with_pages(records, read_page):
            entry = record_entry(_with_text(record))
            (staging / f"{entry.sha1}.pf_fragment").write_bytes(entry.fragment)
            entries.append(entry)
        _write_staged(staging / SEARCH_CACHE / _staged_name(issue_id), entries)


def issues_of_pages(archive: Archive | SearchInput, pages: Iterable[str]) -> set[str]:
    """The issues whose search records a build's rewritten page sources (docs paths such as
    issues/<id>.md or documents/<id>.md) may have changed: those with a record of one of
    those pages (the issue's own page, or one of its documents' pages)."""
    urls = {page_url(p) for p in pages}
    return {
        issue_id
        for issue_id, records in _search_input(archive)
        if any(r.kind in PAGE_KINDS and r.url in urls for r in records)
    }


@functools.lru_cache(maxsize=1)
def pagefind_runtime() -> tuple[dict[str, bytes], str, list]:
    """Pagefind's browser runtime (pagefind.js, its worker and WebAssembly), its version and
    the entry file's include_characters, from a run of the pinned binary over one page."""
    with tempfile.TemporaryDirectory(prefix="gazette-pagefind-") as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "out"
        site.mkdir()
        (site / "index.html").write_text(
            f'<html lang="{LANGUAGE}"><body><main data-pagefind-body><p>公报</p></main></body></html>',
            encoding="utf-8",
        )
        _run_pagefind(site, out)
        entry = json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8"))
        names = [*RUNTIME_FILES, *(p.name for p in sorted(out.glob("wasm.*.pagefind")))]
        missing = [n for n in names if not (out / n).is_file()] or ([] if names[2:] else ["wasm.*.pagefind"])
        if missing:
            raise SearchIndexError(f"Pagefind {entry.get('version')} wrote no {', '.join(missing)}")
        files = {name: (out / name).read_bytes() for name in names}
    return files, str(entry["version"]), list(entry.get("include_characters", []))


def _staged_name(issue_id: str) -> str:
    return f"{issue_id}.entries"


def _read_staged(path: Path, staged: Path) -> list[Entry] | None:
    """An issue's entries as ``_read_issues`` wrote them, or None; their fragments are the files
    it staged in ``staged``."""
    try:
        data = path.read_bytes()
        head, at = _read_head(data, _STAGED_VERSION)
        counts = [row["codes"] for row in head]
        total = sum(counts)
        codes = np.frombuffer(data, "<u4", total, at).astype(np.uint32)
        weighty = np.unpackbits(np.frombuffer(data, np.uint8, offset=at + 4 * total), count=total).astype(
            bool
        )
        bounds = np.cumsum(counts)[:-1]
        return [
            Entry(
                SearchRecord(**row["record"]),
                row["sha1"],
                its_codes,
                its_weighty,
                row["other"],
                staged / f"{row['sha1']}.pf_fragment",
            )
            for row, its_codes, its_weighty in zip(head, np.split(codes, bounds), np.split(weighty, bounds))
        ]
    except (OSError, ValueError, TypeError, KeyError, IndexError, zlib.error):
        return None


def _write_staged(path: Path, entries: list[Entry]) -> None:
    """Layout: _STAGED_VERSION, the length of the rows (8 bytes), the rows (zlib-compressed
    JSON: each entry's record without its text, hash, other keys and count of codes), then
    every entry's codes (uint32) and their weighty bits, one after another."""
    rows = [
        {"record": vars(e.record), "sha1": e.sha1, "other": e.other, "codes": len(e.codes)} for e in entries
    ]
    codes = [e.codes.astype("<u4").tobytes() for e in entries]
    weighty = np.packbits(np.concatenate([e.weighty for e in entries] or [_NO_WEIGHTY]))
    write_atomic(path, b"".join([_head(_STAGED_VERSION, rows), *codes, weighty.tobytes()]))


@dataclass
class _Previous:
    """What the last index wrote, from POSTINGS_FILE: each page's issue and entry (without its
    keys), and the postings of every key."""

    issue_ids: list[str]
    entries: list[Entry]
    postings: Postings


_POSTINGS_ARRAYS = ("codes", "code_pages", "bigram_pages", "name_pages", "other_pages")


def _write_previous(path: Path, issue_ids: list[str], entries: list[Entry], postings: Postings) -> None:
    """Layout: _CACHE_VERSION, the length of the head (8 bytes), the head (zlib-compressed
    JSON: each page's issue, record without its text, fragment hash and number of keys; the
    other keys; the length of each array), then the postings' arrays (uint32) in the order of
    _POSTINGS_ARRAYS."""
    arrays = [getattr(postings, name).astype("<u4", copy=False) for name in _POSTINGS_ARRAYS]
    head = {
        "pages": [[i, vars(e.record), e.sha1, e.keys] for i, e in zip(issue_ids, entries)],
        "names": postings.names,
        "lengths": [len(a) for a in arrays],
    }
    with atomic_file(path) as handle:  # the arrays as they are, not copied
        handle.write(_head(_CACHE_VERSION, head))
        for array in arrays:
            handle.write(memoryview(array).cast("B"))


def _read_previous(path: Path, present: set[str]) -> _Previous | None:
    """The last index's pages and postings, or None (none, another layout, damaged, pages not
    in the order of their records, or a fragment it names not in the bundle: then every issue
    is read from its pages)."""
    try:
        data = path.read_bytes()
        head, at = _read_head(data, _CACHE_VERSION)
        arrays = {}
        for name, length in zip(_POSTINGS_ARRAYS, head["lengths"], strict=True):
            arrays[name] = np.frombuffer(data, "<u4", length, at).astype(np.uint32)
            at += 4 * length
        if at != len(data):
            return None
        issue_ids, entries = [], []
        for issue_id, record, sha1, keys in head["pages"]:
            name = bundled_name(sha1, present)
            if name is None:
                return None
            issue_ids.append(issue_id)
            entries.append(Entry(SearchRecord(**record), sha1, _NO_CODES, _NO_WEIGHTY, {}, None, name, keys))
        order = [_page_order(e) for e in entries]
        if any(a <= b for a, b in zip(order, order[1:])):  # not strictly newest first
            return None
        return _Previous(issue_ids, entries, Postings(names=head["names"], **arrays))
    except (OSError, ValueError, TypeError, KeyError, IndexError, zlib.error):
        return None


def _head(version: bytes, value) -> bytes:
    body = zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)
    return version + len(body).to_bytes(8, "little") + body


def _read_head(data: bytes, version: bytes):
    """The JSON head of a cache file of layout ``version`` and where its arrays start."""
    if not data.startswith(version):
        raise ValueError("another layout")
    at = len(version) + 8
    size = int.from_bytes(data[at - 8 : at], "little")
    return json.loads(zlib.decompress(data[at : at + size])), at + size


def _with_text(record: SearchRecord) -> SearchRecord:
    record.content, record.page_html = record_text(record), ""
    return record


def _index_with_pagefind(records, out: Path) -> dict[str, int]:
    """Pagefind alone over every record's full text (search_eval's comparison)."""
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix="gazette-search-") as tmp:
        records = _write_input(records, Path(tmp), with_text=True)
        _run_pagefind(Path(tmp), out)
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


def _write_input(records, folder: Path, with_text: bool) -> list[SearchRecord]:
    """One HTML file per record in ``folder``, Pagefind's input. Returns the records, each
    with its text in ``content`` and no page HTML (the records with keys have it already)."""
    kept = []
    for record in records:
        path = folder / input_path(record)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record_html(record, with_text), encoding="utf-8")
        kept.append(_with_text(record) if with_text else record)
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
