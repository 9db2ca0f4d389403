"""Pagefind's private bundle format, quarantined here.

Pagefind has no API to index words of our choosing (the keys) or to update a bundle in part,
so this module writes its private files itself (gzipped CBOR for the index, filters and meta,
gzipped JSON for fragments) in the format of the pinned release line (PAGEFIND_FORMAT;
pyproject pins pagefind to 1.5.x): ``write_bundle`` writes a whole bundle from the records'
``Entry``s, Pagefind's browser runtime (pagefind.js and its WebAssembly) reads it.
``canonicalise_bundle`` makes Pagefind's own bundle (search_eval's comparison) reproducible.
A runtime of any other version is refused (``write_bundle``), and tests/test_search.py fails
loudly on a version change and compares the layout with Pagefind's own bundle."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import cbor2
import deflate
import numpy as np

from generator.parallel import in_two
from generator.search.keys import (
    _ASCII_WORD,
    FRAGMENT_NAME_DIGITS,
    INDEX_CHUNK_BYTES,
    INDEX_CHUNKS_MAX,
    INDEX_GZIP_LEVEL,
    KEY_PREFIX,
    KEY_WEIGHT,
    KIND_EVENT,
    bigram_codes,
    is_document_number,
    key_token,
    normalise,
    number_keys,
    number_token,
    sorted_unique,
)
from generator.search.records import SearchIndexError, SearchRecord

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


@functools.lru_cache(maxsize=1 << 14)
def _cbor_head(major: int, arg: int) -> bytes:
    """The head of a CBOR item of ``major`` type with argument ``arg`` (an array's length, say),
    for items streamed after it, in the shortest form (RFC 8949 §3; cbor2's and serde's)."""
    if arg < 24:
        return bytes((major << 5 | arg,))
    for size, marker in ((1, 24), (2, 25), (4, 26), (8, 27)):
        if arg < 1 << (8 * size):
            return bytes((major << 5 | marker,)) + arg.to_bytes(size, "big")
    raise ValueError(f"CBOR argument too large: {arg}")


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
    """gzip with the header Pagefind writes (no mtime, OS unknown), whatever the platform. The
    deflate stream is libdeflate's (the ``deflate`` package, pinned): 2.4× as fast as zlib at
    level 6 on the fragments, 2.7× on the index chunks, for as many bytes within 1 % over the
    bundle (docs/project/benchmarks.md), and the same bytes on every CPU for one version
    (zlib-ng, as fast, chooses its matches by CPU features)."""
    body = deflate.deflate_compress(data, level)
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


# ---------------------------------------------------------------- the bundle, written whole
# ``write_bundle`` writes every data file of the bundle from the records; Pagefind's binary
# only supplies its browser runtime (pagefind.js, its worker and WebAssembly, the entry file's
# fields), taken from a run over one dummy page. Files: gzip of SIGNATURE + CBOR (index,
# filters, meta) or JSON (fragments). A .pf_index chunk is [[word, pages, variants]] in word
# order; ``pages`` lists [page delta, locations, meta locations]; a location below zero sets
# the weight, -(24w + 1), of those after it. The .pf_meta is [version, pages as [fragment,
# word count], chunks as [from, to, file] (from/to the shortest prefixes that tell
# neighbouring chunks apart), filters as [name, file], sorts as [name, pages in ascending
# order of the value] (none written), meta field names]; a filter file is [name, [[value, pages]]].

META_PAGES, META_CHUNKS = 1, 2
PAGEFIND_FORMAT = "1.5."  # the format below; pyproject pins pagefind to 1.5
LANG = "zh"
RUNTIME_FILES = ("pagefind.js", "pagefind-worker.js")  # and wasm.<name>.pagefind
_BODY_LOCATIONS = cbor_encode([0]) + cbor_encode([])  # location 0, Pagefind's default weight
_TITLE_LOCATIONS = cbor_encode([-(24 * KEY_WEIGHT + 1), 0]) + cbor_encode([])


def read_fragment(path: Path) -> dict:
    return json.loads(_bundle_payload(path))


@dataclass
class Entry:
    """One record as the bundle needs it: its fragment's hash (and bytes, when written anew)
    and its keys (bigram codes, which of them weigh like a title, the other keys)."""

    record: SearchRecord  # without its text
    sha1: str
    codes: np.ndarray  # uint32, sorted: first code point << 16 | second
    weighty: np.ndarray  # bool, per code
    other: dict[str, bool]  # number, name and ASCII-word keys → weighty
    fragment: bytes | Path | None = None  # gzipped (or a file of it), when not already in the bundle
    name: str = ""  # the fragment file's name, without .pf_fragment
    keys: int = -1  # how many keys (codes and others); -1: count them

    def __post_init__(self) -> None:
        if self.keys < 0:
            self.keys = len(self.codes) + len(self.other)


def record_entry(record: SearchRecord) -> Entry:
    """The fragment and keys of a record whose text is in ``content`` (see ``record_text``);
    the returned entry's record holds no text."""
    text = record.content
    body = bigram_codes(text)
    # a 大事记 entry's title is only the start of its text: its bigrams weigh as the text's
    title = bigram_codes(record.title if record.kind != KIND_EVENT else "")
    flat = normalise(text)
    other: dict[str, bool] = dict.fromkeys(number_keys(flat, normalised=True), False)
    for string in record.exact:  # its own number or person: weighted like a title
        string = normalise(string)
        if not string or string not in flat:
            continue
        if is_document_number(string):
            other[number_token(string)] = True
        else:  # a person: the bigrams of the name weigh like a title's
            title = sorted_unique(np.concatenate([title, bigram_codes(string)]))
    words = {w.lower() for w in _ASCII_WORD.findall(text)}
    for word in sorted(words):
        other.setdefault(word, False)
    codes = sorted_unique(np.concatenate([body, title]).astype(np.uint32))
    meta = {"title": record.title, "kind": record.kind, "rid": record.rid, "link": record.url, **record.meta}
    fragment = {
        "url": record.url,
        "content": text,
        "word_count": len(codes) + len(words),
        # as the records have them: Pagefind unescapes an attribute's entities twice
        "filters": {name: list(values) for name, values in record.filters.items()},
        "meta": meta,
        "anchors": [],
    }
    data = SIGNATURE + json.dumps(fragment, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    record.content = ""
    return Entry(
        record,
        hashlib.sha1(data).hexdigest(),
        codes,
        _marked(codes, title),
        other,
        gzip_fixed(data, INDEX_GZIP_LEVEL),
    )


def _marked(codes: np.ndarray, some: np.ndarray) -> np.ndarray:
    """Per code of ``codes`` (sorted, unique), whether it is one of ``some`` (all among them)."""
    marked = np.zeros(len(codes), bool)
    marked[np.searchsorted(codes, some)] = True
    return marked


def fragment_names(hashes: list[str]) -> list[str]:
    """A file name for each fragment hash: the shortest prefix, FRAGMENT_NAME_DIGITS hex digits
    at least, that no other fragment of the bundle shares (a function of the whole set)."""
    order = sorted(set(hashes))
    digits = {}
    for i, h in enumerate(order):
        need = FRAGMENT_NAME_DIGITS
        for other in (order[i - 1] if i else "", order[i + 1] if i + 1 < len(order) else ""):
            common = 0
            while common < len(h) and common < len(other) and h[common] == other[common]:
                common += 1
            need = max(need, common + 1)
        digits[h] = need
    return [f"{LANG}_{h[: digits[h]]}" for h in hashes]


def bundled_name(sha1: str, names: set[str]) -> str | None:
    """The name ``fragment_names`` gave the fragment of hash ``sha1`` in a bundle whose fragment
    names are ``names``: the one among them that is a prefix of it (no name of a bundle is a
    prefix of another), or None."""
    for digits in range(FRAGMENT_NAME_DIGITS, len(sha1) + 1):
        if (name := f"{LANG}_{sha1[:digits]}") in names:
            return name
    return None


def write_bundle(
    out: Path,
    entries: list[Entry],
    runtime: dict[str, bytes],
    version: str,
    include: list,
    words: dict[str, bytes] | None = None,
) -> None:
    """Writes the bundle for ``entries`` (in page order) into ``out``, keeping the fragment
    files already there that it names (a previous build's, hard-linked), so that an update
    writes only the fragments of new or changed records; everything else is written anew.
    ``runtime`` holds Pagefind's browser files, ``version`` and ``include`` its entry fields.
    The word index is written from ``words`` (``Postings.words`` of the entries' keys, in this
    page order; taken from the dict as they are written), made here when not given."""
    out = Path(out)
    if not version.startswith(PAGEFIND_FORMAT):
        raise SearchIndexError(f"Pagefind {version}: this bundle is written in the {PAGEFIND_FORMAT}x format")
    for entry, name in zip(entries, fragment_names([e.sha1 for e in entries])):
        if entry.name and entry.name != name and entry.fragment is None:  # renamed: read before overwriting
            entry.fragment = (out / "fragment" / f"{entry.name}.pf_fragment").read_bytes()
        entry.name = name
    fragment_dir = out / "fragment"
    fragment_dir.mkdir(parents=True, exist_ok=True)
    wanted = {e.name for e in entries}
    for path in fragment_dir.iterdir():
        name = path.name[: -len(".pf_fragment")]
        if name not in wanted:
            path.unlink()
    for entry in entries:
        if entry.fragment is not None:  # a new or changed text: never written through a hard link
            path = fragment_dir / f"{entry.name}.pf_fragment"
            path.unlink(missing_ok=True)
            if isinstance(entry.fragment, Path):  # written ahead, under another name
                os.replace(entry.fragment, path)
            else:
                path.write_bytes(entry.fragment)
            entry.fragment = None
        elif not (fragment_dir / f"{entry.name}.pf_fragment").is_file():
            raise SearchIndexError(f"{fragment_dir}: fragment {entry.name} of {entry.record.rid} is missing")
    for sub in ("index", "filter"):
        if (out / sub).is_dir():
            shutil.rmtree(out / sub)
    for path in out.glob("pagefind*.pf_meta"):
        path.unlink()
    for name, data in runtime.items():
        path = out / name
        if not path.is_file() or path.read_bytes() != data:
            path.unlink(missing_ok=True)
            path.write_bytes(data)
    meta = [version, [[e.name, _length(e)] for e in entries], [], [], [], []]
    # The meta, which every first query loads, lists every page with its length; Pagefind's
    # ranking favours the shorter of two records a query finds alike (search.js), which also
    # keeps the first page of results, whose texts it loads, small.
    (out / "index").mkdir()
    if words is None:
        words = Postings.of(enumerate(entries)).words()
    meta[META_CHUNKS] = _chunk(words, out / "index", LANG)
    meta[META_FILTERS] = _write_filters(out / "filter", entries)
    # no sorts: the pages are in the order a list without a query shows, newest first (index.py),
    # which saves the first query a list of every page (34 KB at 10,000 documents)
    meta[5] = sorted({key for e in entries for key in ("title", "kind", "rid", "link", *e.record.meta)})
    name = _write_bundle_file(out, LANG, 10, ".pf_meta", meta, prefix="pagefind.")
    entry_file = {
        "version": version,
        "languages": {LANG: {"hash": name, "wasm": None, "page_count": len(entries)}},
        "include_characters": include,
    }
    (out / "pagefind-entry.json").unlink(missing_ok=True)
    (out / "pagefind-entry.json").write_text(
        json.dumps(entry_file, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


LENGTH_UNIT = 200  # keys a record's length is counted in: one byte a page in the meta


def _length(entry: Entry) -> int:
    """A record's length as the meta gives it: keys, in units of LENGTH_UNIT, one at least."""
    return max(1, round(entry.keys / LENGTH_UNIT))


@dataclass
class Postings:
    """Every key of the word index with the pages it is on: for the bigram keys, each distinct
    code (``codes``, ascending) with its number of pages (``code_pages``), and then, in code
    order, each page as page << 1 | weighty (``bigram_pages``, ascending within a code); the
    other keys likewise, by their place in ``names`` (sorted). A rebuild renumbers the previous
    build's postings and merges the new records' in (``merged``) instead of making every
    posting again from every record's keys; both give the same postings."""

    codes: np.ndarray  # uint32
    code_pages: np.ndarray  # uint32, one per code
    bigram_pages: np.ndarray  # uint32
    names: list[str]
    name_pages: np.ndarray  # uint32, one per name
    other_pages: np.ndarray  # uint32

    @classmethod
    def of(cls, pages: Iterable[tuple[int, Entry]]) -> Postings:
        """The postings of entries on the given pages (each page once, ascending), from their
        keys: the bigram codes a slice at a time (WORD_SLICES, split where a sample of the codes
        says), then the other keys. A slice's rows are filled in place entry by entry: all rows
        at once took some 500 MB at 10,000 documents; a code's rows all fall in one slice."""
        pages = list(pages)
        sample = np.concatenate([e.codes[::64] for _, e in pages] or [np.zeros(0, np.uint32)])
        cuts = (
            np.unique(np.quantile(sample, np.linspace(0, 1, WORD_SLICES + 1)[1:-1]).astype(np.uint64))
            if len(sample)
            else []
        )
        bounds = np.array([0, *(int(c) for c in cuts), 1 << 32], np.uint64)
        spans = [np.searchsorted(e.codes, bounds).tolist() for _, e in pages]  # where each slice starts
        bigram_pages = np.empty(sum(len(e.codes) for _, e in pages), np.uint32)
        parts, at = [], 0
        for i in range(len(bounds) - 1):
            its_codes, its_counts, its_pages = _slice_rows(pages, spans, i)
            bigram_pages[at : at + len(its_pages)] = its_pages
            at += len(its_pages)
            parts.append((its_codes, its_counts))
        codes, code_pages = (np.concatenate(arrays) for arrays in zip(*parts))

        keys = list(chain.from_iterable(e.other for _, e in pages))  # each entry's keys, in page order
        names = sorted(set(keys))
        index = {name: i for i, name in enumerate(names)}
        rows = np.fromiter(map(index.__getitem__, keys), np.uint64, len(keys)) << np.uint64(32)
        rows |= np.repeat(np.array([p for p, _ in pages], np.uint64), [len(e.other) for _, e in pages]) << 1
        rows |= np.fromiter(chain.from_iterable(e.other.values() for _, e in pages), bool, len(keys))
        rows.sort()
        found, name_pages, other_pages = _runs(rows)
        return cls(
            codes, code_pages, bigram_pages, [names[i] for i in found.tolist()], name_pages, other_pages
        )

    def merged(self, renumbered: np.ndarray, new: Postings) -> Postings:
        """These postings with each page p renumbered ``renumbered[p]`` (below zero: dropped;
        ascending on the pages kept, so each key's pages stay in order), and ``new``'s (on pages
        numbered alike, none of them a page kept) added."""

        codes, code_pages, bigram_pages = _merged_runs(
            (self.codes, self.code_pages, self.bigram_pages),
            (new.codes, new.code_pages, new.bigram_pages),
            renumbered,
        )
        names = sorted(set(self.names) | set(new.names))
        place = {name: i for i, name in enumerate(names)}
        found, name_pages, other_pages = _merged_runs(
            (np.array([place[n] for n in self.names], np.uint32), self.name_pages, self.other_pages),
            (np.array([place[n] for n in new.names], np.uint32), new.name_pages, new.other_pages),
            renumbered,
        )
        return Postings(
            codes, code_pages, bigram_pages, [names[i] for i in found.tolist()], name_pages, other_pages
        )

    def words(self) -> dict[str, bytes]:
        """Every key's word-index entry: [key, [page entries], []] in CBOR, made POSTING_SLICE
        rows at a time; a bigram's key wins over another key of the same word."""
        words = dict(_word_entries(bigram_words(self.codes), self.code_pages, self.bigram_pages))
        for key, entry in _word_entries(self.names, self.name_pages, self.other_pages):
            words.setdefault(key, entry)
        return words


def _slice_rows(pages: list[tuple[int, Entry]], spans: list[list[int]], i: int):
    """The postings (as ``_runs`` gives them) of the bigram codes in the ``i``-th slice."""
    rows = np.empty(sum(span[i + 1] - span[i] for span in spans), np.uint64)
    at = 0
    for (page, e), span in zip(pages, spans):
        start, end = span[i], span[i + 1]
        if start == end:
            continue
        block = rows[at : at + end - start]
        block[:] = e.codes[start:end]
        block <<= np.uint64(32)
        block |= np.uint64(page << 1)
        block |= e.weighty[start:end]
        at += end - start
    rows.sort()
    return _runs(rows)


Runs = tuple[np.ndarray, np.ndarray, np.ndarray]  # keys (ascending), rows per key, the rows' low halves


def _merged_runs(old: Runs, new: Runs, renumbered: np.ndarray) -> Runs:
    """``old``'s rows with their pages renumbered (``Postings.merged``) and ``new``'s merged in,
    about POSTING_SLICE of old rows at a time (whole keys, with the new keys of their range),
    so that rows of 64 bits exist for a slice only (all at once: some 500 MB at 10,000
    documents)."""
    old_keys, old_counts, old_pages = old
    new_keys, new_counts, new_pages = new
    old_ends = np.cumsum(old_counts, dtype=np.int64)
    new_ends = np.cumsum(new_counts, dtype=np.int64)
    new_at = new_keys.astype(np.int64)
    keys, counts = [], []
    pages = np.empty(len(old_pages) + len(new_pages), np.uint32)
    at = first = new_first = 0
    while first < len(old_keys) or new_first < len(new_keys):
        row = int(old_ends[first - 1]) if first else 0
        if first < len(old_keys):
            last = max(first + 1, int(np.searchsorted(old_ends, row + POSTING_SLICE, side="right")))
        else:
            last = first
        bound = int(old_keys[last - 1]) + 1 if last < len(old_keys) else 1 << 32  # new keys below it
        new_last = int(np.searchsorted(new_at, bound))
        end = int(old_ends[last - 1]) if last else 0
        rows = np.repeat(old_keys[first:last].astype(np.uint64), old_counts[first:last]) << np.uint64(32)
        block = old_pages[row:end]
        moved = renumbered[block >> 1]
        kept = moved >= 0
        rows = rows[kept]
        rows |= moved[kept].astype(np.uint64) << np.uint64(1)
        rows |= block[kept] & 1
        new_row = int(new_ends[new_first - 1]) if new_first else 0
        added = np.repeat(new_keys[new_first:new_last].astype(np.uint64), new_counts[new_first:new_last])
        added <<= np.uint64(32)
        added |= new_pages[new_row : int(new_ends[new_last - 1]) if new_last else 0]
        part_keys, part_counts, part_pages = _runs(np.insert(rows, np.searchsorted(rows, added), added))
        keys.append(part_keys)
        counts.append(part_counts)
        pages[at : at + len(part_pages)] = part_pages
        at += len(part_pages)
        first, new_first = last, new_last
    pages.resize(at, refcheck=False)  # in place: no second copy
    empty = np.zeros(0, np.uint32)
    return np.concatenate(keys or [empty]), np.concatenate(counts or [empty]), pages


def _runs(rows: np.ndarray) -> Runs:
    """Sorted rows of key << 32 | page << 1 | weighty as each distinct key, its number of rows
    and the rows' low halves (uint32 each)."""
    keys = (rows >> np.uint64(32)).astype(np.uint32)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, np.int64)
    counts = np.diff(np.r_[starts, len(keys)]).astype(np.uint32)
    return keys[starts], counts, (rows & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _word_entries(words: list[str], counts: np.ndarray, pages: np.ndarray) -> Iterator[tuple[str, bytes]]:
    """Each word with its word-index entry, [word, [page entries], []] in CBOR, from its postings, made about
    POSTING_SLICE rows at a time (whole words) to bound the memory."""
    ends = np.cumsum(counts, dtype=np.int64)
    first = 0
    while first < len(words):
        row = int(ends[first - 1]) if first else 0
        last = max(first + 1, int(np.searchsorted(ends, row + POSTING_SLICE, side="right")))
        block = pages[row : int(ends[last - 1])]
        its_words = words[first:last]
        assembled, cuts = _assembled_entries(
            its_words,
            counts[first:last].astype(np.int64),
            (block >> 1).astype(np.int64),
            (block & 1).astype(bool),
        )
        yield from zip(its_words, map(assembled.__getitem__, map(slice, cuts, cuts[1:])))
        first = last


def _assembled_entries(
    words: list[str], counts: np.ndarray, pages: np.ndarray, weighty: np.ndarray
) -> tuple[bytes, list[int]]:
    """The entries of ``words`` one after another, each [word, [page entries], []] in CBOR with a
    page entry [page delta, locations, []] for each of its ``counts`` pages (ascending; all
    words' pages one after another); returns them and where each starts (the total length
    last). Made in one array, each word's own bytes in the room left before its first page
    entry (a quarter of a million words: one at a time took twice as long)."""
    texts = [word.encode("utf-8") for word in words]
    text_sizes = np.fromiter(map(len, texts), np.int64, len(texts))
    text_heads, count_heads = _head_sizes(text_sizes), _head_sizes(counts)
    first_rows = np.cumsum(counts) - counts  # every word has a page at least
    last_rows = first_rows + counts - 1
    deltas = np.diff(pages, prepend=0)
    deltas[first_rows] = pages[first_rows]
    head = _head_sizes(deltas)
    size = 1 + head + np.where(weighty, len(_TITLE_LOCATIONS), len(_BODY_LOCATIONS))
    before = 1 + text_heads + text_sizes + count_heads  # a word's bytes before its first page entry
    size[first_rows] += before
    size[last_rows] += 1  # its end
    offsets = np.zeros(len(size) + 1, np.int64)
    np.cumsum(size, out=offsets[1:])
    out = np.zeros(int(offsets[-1]), np.uint8)
    starts = offsets[first_rows]
    at = offsets[:-1].copy()  # each page entry
    at[first_rows] += before
    out[at] = 0x83
    _put_heads(out, at + 1, 0, deltas, head)
    for locations, chosen in ((_TITLE_LOCATIONS, weighty), (_BODY_LOCATIONS, ~weighty)):
        where = at[chosen] + 1 + head[chosen]
        for i, byte in enumerate(locations):
            out[where + i] = byte
    out[starts] = 0x83  # an array of three: the word, its pages, no locations of its own
    _put_heads(out, starts + 1, 3, text_sizes, text_heads)
    where = starts + 1 + text_heads
    _put_runs(out, where, np.frombuffer(b"".join(texts), np.uint8), text_sizes)
    _put_heads(out, where + text_sizes, 4, counts, count_heads)
    out[offsets[last_rows + 1] - 1] = 0x80
    return out.tobytes(), [*starts.tolist(), int(offsets[-1])]


def _head_sizes(values: np.ndarray) -> np.ndarray:
    """The size of each CBOR head with these arguments (``_cbor_head``), below 2 ** 32."""
    return np.select([values < 24, values < 256, values < 65536], [1, 2, 3], 5)


def _put_heads(out: np.ndarray, at: np.ndarray, major: int, values: np.ndarray, sizes: np.ndarray) -> None:
    """CBOR heads of ``major`` type with arguments ``values`` (sizes as ``_head_sizes``) at ``at``:
    the first byte of every head at once, then the argument's bytes of the longer ones."""
    out[at] = major << 5 | np.where(sizes == 1, values, _HEAD_MARKERS[sizes])
    for width in (2, 3, 5):
        chosen = np.flatnonzero(sizes == width)
        where, argument = at[chosen] + 1, values[chosen]
        for byte in range(width - 1):
            out[where + byte] = argument >> (8 * (width - 2 - byte)) & 0xFF


_HEAD_MARKERS = np.array([0, 0, 24, 25, 0, 26])  # by head size: the argument in 1, 2 or 4 more bytes


def _put_runs(out: np.ndarray, at: np.ndarray, runs: np.ndarray, sizes: np.ndarray) -> None:
    """``runs`` (one after another, of ``sizes``) each copied to its place in ``at``."""
    starts = np.cumsum(sizes) - sizes
    out[np.repeat(at - starts, sizes) + np.arange(len(runs))] = runs


_BASE36 = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz", np.uint8)


def bigram_words(codes: np.ndarray) -> list[str]:
    """The word of each bigram code (``key_token`` of its two characters), three base-36 digits
    a character made for all codes at once; a character past them (36 ** 3 and up) by
    ``key_token``."""
    high, low = (codes >> 16).astype(np.int64), (codes & 0xFFFF).astype(np.int64)
    digits = np.empty((len(codes), 7), np.uint8)
    digits[:, 0] = ord(KEY_PREFIX)
    for column, points in ((1, high), (4, low)):
        for place, unit in enumerate((36**2, 36, 1)):
            digits[:, column + place] = _BASE36[points // unit % 36]
    text = digits.tobytes().decode("ascii")
    words = [text[at : at + 7] for at in range(0, len(text), 7)]
    for i in np.flatnonzero((high >= 36**3) | (low >= 36**3)).tolist():
        words[i] = key_token(chr(high[i]) + chr(low[i]))
    return words


def _write_filters(filter_dir: Path, entries: list[Entry]) -> list[list[str]]:
    filter_dir.mkdir(parents=True, exist_ok=True)
    filters: dict[str, dict[str, list[int]]] = {}
    for page, entry in enumerate(entries):
        for name, values in entry.record.filters.items():
            for value in values:
                filters.setdefault(name, {}).setdefault(value, []).append(page)
    listed = []
    for name in sorted(filters):
        value = [name, [[v, pages] for v, pages in sorted(filters[name].items())]]
        listed.append([name, _write_bundle_file(filter_dir, LANG, 7, ".pf_filter", value)])
    return listed


WORD_SLICES = 8  # slices of the bigram codes the word index is built from, one after another
POSTING_SLICE = 1 << 19  # rows encoded or merged at a time (Postings.words, .merged): bounds their memory


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
    listed, bodies, taken = [], [], set()
    for chunk in chunks:  # names in chunk order (a name taken makes the next one longer)
        body = _cbor_head(4, 1) + _cbor_head(4, len(chunk)) + b"".join(words.pop(w) for w in chunk)
        name = _unique_name(taken, lang, body)
        taken.add(name)
        bodies.append((name, body))
        listed.append([chunk[0], chunk[-1], name])

    def write(part: tuple[int, int]) -> None:  # compressed on both cores
        for name, body in bodies[part[0] :: part[1]]:
            (index_dir / f"{name}.pf_index").write_bytes(gzip_fixed(SIGNATURE + body, INDEX_GZIP_LEVEL))

    in_two(write) if len(bodies) >= 8 else write((0, 1))
    for before, after in zip(listed, listed[1:]):
        before[1], after[0] = _prefixes(before[1], after[0])
    return listed


def _unique_name(taken: set[str], lang: str, body: bytes, digits: int = 7) -> str:
    full = hashlib.sha1(body).hexdigest()
    while f"{lang}_{full[:digits]}" in taken:
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
