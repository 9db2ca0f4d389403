"""Pagefind's bundle format, which the index extends: quarantined here.

Pagefind has no API to add words to its index or to write a reproducible bundle, so this
module reads and writes its private files (gzipped CBOR, fragment JSON) for the pinned
release line (PAGEFIND_FORMAT, and pyproject pins pagefind to 1.5.x): ``canonicalise_bundle``
sorts what Pagefind writes in hash-map order, ``add_keys`` puts the search keys into its word
index. A bundle of any other format version is refused (``add_keys``), and
tests/test_search.py fails loudly on a version change."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import struct
import zlib
from pathlib import Path

import cbor2
import numpy as np

from generator.search.keys import (
    _ASCII_WORD,
    FRAGMENT_NAME_DIGITS,
    INDEX_CHUNK_BYTES,
    INDEX_CHUNKS_MAX,
    INDEX_GZIP_LEVEL,
    KEY_WEIGHT,
    bigram_codes,
    is_document_number,
    key_token,
    name_token,
    normalise,
    number_keys,
    number_token,
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
    other: dict[str, dict[int, bool]] = {}  # document numbers, names of three or more characters, ASCII words
    filters: dict[str, dict[str, list[int]]] = {}  # name -> value -> pages, from the records themselves
    fragment_dir = out / "fragment"
    for page, (fragment_hash, _words) in enumerate(meta[META_PAGES]):
        fragment_path = fragment_dir / f"{fragment_hash}.pf_fragment"
        fragment = read_fragment(fragment_path)
        record = by_rid.get(fragment.get("meta", {}).get("rid", ""))
        if record is None:
            raise SearchIndexError(f"Pagefind page {fragment.get('url')} is not a search record")
        text = record.content
        body, title = bigram_codes(text), bigram_codes(record.title)
        flat = normalise(text)
        for key in number_keys(flat, normalised=True):  # every document number the text contains
            other.setdefault(key, {})[page] = False
        for string in record.exact:  # its own number or person: weighted like a title
            string = normalise(string)
            if not string or string not in flat:
                continue
            if is_document_number(string):
                other.setdefault(number_token(string), {})[page] = True
            elif len(string) == 2 and len(codes := bigram_codes(string)) == 1:
                title = np.union1d(title, codes)
            else:
                other.setdefault(name_token(string), {})[page] = True
        words = {w.lower() for w in _ASCII_WORD.findall(text)}
        for word in words:
            other.setdefault(word, {})[page] = False
        codes = np.union1d(body, title)
        rows = codes.astype(np.uint64) << np.uint64(32) | np.uint64(page << 1)
        bigram_rows.append(rows | np.isin(codes, title).astype(np.uint64))
        # Filter values as the records have them: Pagefind unescapes an attribute's entities
        # twice (a literal "&lt;b&gt;" would be offered as "<b>").
        for name, values in record.filters.items():
            for value in values:
                filters.setdefault(name, {}).setdefault(value, []).append(page)
        fragment["filters"] = {name: list(values) for name, values in record.filters.items()}
        fragment["content"], fragment["word_count"] = text, len(codes) + len(words)
        # The meta, which every first query loads, lists every page with its word count; the
        # ranking ignores page length (search.js), so the count there is 1 and costs a byte.
        meta[META_PAGES][page] = [_write_fragment(fragment_dir, fragment, fragment_path), 1]
    _replace_filters(out, meta, filters)
    rows = np.concatenate(bigram_rows) if bigram_rows else np.zeros(0, np.uint64)
    del bigram_rows
    postings = _postings(rows, _bigram_key)
    del rows
    other_keys = sorted(
        k for k in other if k not in postings
    )  # an ASCII word spelt like a bigram's key yields to it
    if other_keys:
        rows = np.fromiter(
            (
                key << 32 | page << 1 | weighty
                for key, name in enumerate(other_keys)
                for page, weighty in other[name].items()
            ),
            np.uint64,
        )
        postings.update(_postings(rows, other_keys.__getitem__))
        del rows
    _replace_word_index(
        out, meta, postings, _split_name(meta_path.name[len("pagefind.") : -len(".pf_meta")])[0]
    )
    _replace_meta(out, meta_path, meta)
    return len(postings)


def _replace_filters(out: Path, meta: list, filters: dict[str, dict[str, list[int]]]) -> None:
    """Rewrites each filter file Pagefind wrote with the values from ``filters``; the names
    stay Pagefind's until ``canonicalise_bundle`` renames them by content."""
    filter_dir = out / "filter"
    for name, ref in meta[META_FILTERS]:
        path = filter_dir / f"{ref}.pf_filter"
        if not path.is_file() or name not in filters:
            raise SearchIndexError(f"{path.name}: filter {name!r} not understood (Pagefind format changed?)")
        values = sorted(filters[name].items())
        path.write_bytes(gzip_fixed(SIGNATURE + cbor_encode([name, [[v, p] for v, p in values]])))


def _write_fragment(directory: Path, fragment: dict, old: Path) -> str:
    """Writes ``fragment`` in place of ``old`` under a name from its content, as Pagefind names it."""
    data = json.dumps(fragment, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    lang = old.name.split("_", 1)[0]
    old.unlink()
    name = _unique_name(directory, lang, data, ".pf_fragment", FRAGMENT_NAME_DIGITS)
    (directory / f"{name}.pf_fragment").write_bytes(gzip_fixed(SIGNATURE + data, INDEX_GZIP_LEVEL))
    return name


POSTING_SLICE = 1 << 21  # rows encoded at a time: bounds the memory of the step below


def _bigram_key(code: int) -> str:
    return key_token(chr(code >> 16) + chr(code & 0xFFFF))


def _postings(rows: np.ndarray, key_of) -> dict[str, tuple[int, bytes]]:
    """Each key with its page entries (count, CBOR), from rows of code << 32 | page << 1 |
    weighty (sorted here, in place), a slice of whole keys at a time; ``key_of(code)`` is the
    key's word."""
    rows.sort()
    result: dict[str, tuple[int, bytes]] = {}
    start = 0
    while start < len(rows):
        end = min(start + POSTING_SLICE, len(rows))
        if end < len(rows):  # to the end of the last key in the slice
            next_key = (rows[end - 1] >> np.uint64(32)) + np.uint64(1)
            end = int(np.searchsorted(rows, next_key << np.uint64(32)))
        result.update(_slice_postings(rows[start:end], key_of))
        start = end
    return result


def _slice_postings(rows: np.ndarray, key_of) -> dict[str, tuple[int, bytes]]:
    codes = (rows >> np.uint64(32)).astype(np.uint32)
    weighty = (rows & np.uint64(1)).astype(bool)
    pages = (rows >> np.uint64(1) & np.uint64(0x7FFFFFFF)).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    data, offsets = _encode_entries(pages, weighty, starts)
    result = {}
    for start, end in zip(starts.tolist(), ends.tolist()):
        result[key_of(int(codes[start]))] = (end - start, data[offsets[start] : offsets[end]])
    return result


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
