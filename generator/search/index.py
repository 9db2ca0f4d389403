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

Incremental: each issue's records, their text read from the built pages, are kept in the
site (``SEARCH_CACHE``, one file per issue). ``index_site(..., changed_issues=...)`` reads
the pages of the issues named only, and takes every other issue's records from that cache;
what remains for the whole archive is Pagefind's pass over titles and metadata and writing
the word index, a fraction of the time (see docs/project/search.md).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from generator.model.archive import Archive
from generator.outputs import write_atomic
from generator.search.bundle import add_keys, canonicalise_bundle
from generator.search.keys import (
    BUNDLE_DIR,
    INDEX_THREADS,
    KIND_APPOINTMENT,
    KIND_EVENT,
    LANGUAGE,
    UNUSED_BUNDLE_FILES,
)
from generator.search.records import (
    SearchIndexError,
    SearchRecord,
    html_path,
    issue_records,
    iter_search_records,
    record_html,
    record_text,
)

SEARCH_CACHE = ".gazette-search"  # in the site: each issue's search records as last indexed
_CACHE_VERSION = b"1\n"  # a cache file of another layout is not read

# ---------------------------------------------------------------- the edge


def index_site(
    site_dir: Path,
    archive: Archive | Callable[[], Archive],
    with_keys: bool = True,
    changed_issues: Iterable[str] | None = None,
) -> dict[str, int]:
    """Write the Pagefind bundle for the built site in ``site_dir``; returns counts by kind.
    With keys (the site's search), Pagefind indexes each record's title, metadata and
    filters, and ``add_keys`` adds its text and keys; without, Pagefind indexes the text
    itself (for comparison: Pagefind needs about 0.65 MB of memory per page of text).
    ``archive`` may be a function that loads it, so that it is freed before Pagefind runs.

    ``changed_issues`` (issue ids) makes it incremental: the pages of those issues are read
    again, every other issue's records come from ``SEARCH_CACHE`` when it has them. None
    (the default) reads every page. Either way the cache is brought up to date."""
    site_dir = Path(site_dir)
    if callable(archive):  # an archive passed in stays referenced by the caller's call until we return
        archive = archive()

    def read_page(url: str) -> str:
        path = site_dir / html_path(url)
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    out = site_dir / BUNDLE_DIR
    if out.exists():
        shutil.rmtree(out)
    if with_keys:
        changed = None if changed_issues is None else set(changed_issues)
        source = _cached_records(archive, read_page, site_dir / SEARCH_CACHE, changed)
    else:
        source = iter_search_records(archive, read_page)
    with tempfile.TemporaryDirectory(prefix="gazette-search-") as tmp:
        records = _write_input(source, Path(tmp), with_text=not with_keys)
        del archive, source  # the records hold what the rest needs
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


def _cached_records(
    archive: Archive, read_page, cache: Path, changed: set[str] | None
) -> Iterator[SearchRecord]:
    """Every search record, each with its text (``record_text``) in ``content``: an issue in
    ``changed`` (every issue when None) or not in the cache is read from its pages and cached."""
    kept = set()
    for issue in archive.issues:
        path = cache / f"{issue.issue_id}.json.gz"
        kept.add(path.name)
        records = None
        if changed is not None and issue.issue_id not in changed:
            records = _read_cache(path)
        if records is None:
            records = [_with_text(r) for r in issue_records(archive, issue, read_page)]
            data = json.dumps([dataclasses.asdict(r) for r in records], ensure_ascii=False)
            write_atomic(path, gzip.compress(_CACHE_VERSION + data.encode("utf-8"), 1, mtime=0))
        yield from records
    for path in cache.glob("*.json.gz") if cache.is_dir() else ():
        if path.name not in kept:  # an issue no longer in the archive
            path.unlink()


def _read_cache(path: Path) -> list[SearchRecord] | None:
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError):
        return None
    if not data.startswith(_CACHE_VERSION):
        return None
    try:
        return [SearchRecord(**fields) for fields in json.loads(data[len(_CACHE_VERSION) :])]
    except (ValueError, TypeError):  # damaged, or written by other code: read the pages again
        return None


def _with_text(record: SearchRecord) -> SearchRecord:
    record.content, record.page_html = record_text(record), ""
    return record


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
