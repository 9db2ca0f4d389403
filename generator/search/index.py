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

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from generator.model.archive import Archive
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
    iter_search_records,
    record_html,
    record_text,
)

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
