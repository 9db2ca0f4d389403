"""Search keys: every run of two Chinese characters, document numbers and names as ASCII words
(``key_token``), the same in the index and in the browser (theme/assets/javascripts/search.js)."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh"
KIND_DOCUMENT = "文件"
KIND_ISSUE = "期刊"
KIND_EVENT = "大事记"
KIND_APPOINTMENT = "人事任免"
KEY_PREFIX = "k"  # bigram keys: k + three base-36 digits per character
NUMBER_PREFIX = "n"  # document-number keys, apart from "k" so that no bigram key is their prefix
NUMBER_SUFFIX_MAX = 16  # characters of the agency code kept as tails (根据济兖政发 → 济兖政发, 兖政发, …)
KEY_WEIGHT = 5  # Pagefind weights a word ×24 in its index: 1 → 24 (its default), 5 → 120
INDEX_CHUNK_BYTES = 12_000  # CBOR bytes per index chunk at least: a query loads one chunk per key
INDEX_CHUNKS_MAX = 3_000  # chunks grow past that size instead: the meta, loaded first, lists them all
# (a chunk costs the first query about 13 bytes of meta; 3,000 chunks at 10,000 documents: ~8 KB each)
FRAGMENT_NAME_DIGITS = 5  # hex digits naming a fragment (more on a clash): 2.5 bytes a page in the meta
INDEX_GZIP_LEVEL = 6  # libdeflate's: as small as zlib's 6 for fragments (chunks +5 %), in 40 % of the time
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
_BRACKET_PAIRS = [(chr(point), usual) for point, usual in _NUMBER_BRACKETS.items()]
_HAN_CLASS = "".join(f"{chr(low)}-{chr(high)}" for low, high in _HAN_RANGES)
# A document number as normalised: agency code (Chinese), 〔year〕, serial, 号 (shared with search.js)
_NUMBER_TAIL = re.compile("〔[0-9]{4}〕第?[0-9]+号")
_HAN_BEFORE = re.compile(f"[{_HAN_CLASS}]{{0,{NUMBER_SUFFIX_MAX}}}$")
_NUMBER_QUERY = re.compile(f"^[{_HAN_CLASS}]*〔[0-9]{{4}}〕第?[0-9]+号$")
_ASCII_WORD = re.compile(r"[0-9A-Za-z]+")  # Pagefind's words outside Chinese, lower-cased


# ---------------------------------------------------------------- keys


def _unspaced(text: str | None) -> str:
    """``text`` without whitespace: every character re's \\s matches (tests/test_search.py)."""
    return "".join((text or "").split())


def normalise(text: str) -> str:
    """What queries and texts are compared on: no whitespace, one kind of bracket in numbers."""
    flat = _unspaced(text)
    for bracket, usual in _BRACKET_PAIRS:  # a dozen scans in C: str.translate looks up every character
        if bracket in flat:
            flat = flat.replace(bracket, usual)
    return flat


@lru_cache(maxsize=1 << 20)  # a record has thousands of bigrams, the archive far fewer distinct ones
def key_token(text: str) -> str:
    """An ASCII word that stands for ``text`` exactly: k + each code point as three base-36
    digits (h + hexadecimal code points joined by x when one does not fit)."""
    points = [ord(c) for c in normalise(text)]
    if all(p < 36**3 for p in points):
        return KEY_PREFIX + "".join(_base36(p).rjust(3, "0") for p in points)
    return "h" + "x".join(format(p, "x") for p in points)


def number_token(text: str) -> str:
    """The key of a document number (normalised): n + the digits of ``key_token``."""
    return NUMBER_PREFIX + key_token(text)[1:]


def is_document_number(query: str) -> bool:
    """Whether ``query`` (brackets and spaces as typed) is one whole document number."""
    return bool(_NUMBER_QUERY.match(normalise(query)))


def number_keys(text: str, normalised: bool = False) -> set[str]:
    """The keys of every document number in ``text`` (``normalised`` already, or not), one for
    each tail of its agency code (so that 兖政发〔2021〕5号 and 〔2021〕5号 find a text with
    济兖政发〔2021〕5号 too): a record has a number's key exactly when its normalised text
    contains the number (an agency code of up to NUMBER_SUFFIX_MAX characters)."""
    flat = text if normalised else normalise(text)
    keys: set[str] = set()
    seen: set[str] = set()
    for m in _NUMBER_TAIL.finditer(flat):
        start = m.start()
        whole = _HAN_BEFORE.search(flat, max(0, start - NUMBER_SUFFIX_MAX), start).group() + m.group()
        if whole in seen:
            continue
        seen.add(whole)
        tails = range(len(whole) - len(m.group()) + 1)  # where each tail of the agency code starts
        token = key_token(whole)
        if token.startswith(KEY_PREFIX):  # three digits a character: a tail's key ends the whole's
            keys.update(NUMBER_PREFIX + token[1 + 3 * i :] for i in tails)
        else:
            keys.update(number_token(whole[i:]) for i in tails)
    return keys


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
    for run in _HAN.findall(_unspaced(text)):
        grams.update(map(str.__add__, run, run[1:]))
    return grams


def bigram_codes(text: str) -> np.ndarray:
    """The distinct runs of two Chinese characters in ``text`` (as ``bigrams``), each as
    first code point << 16 | second, sorted."""
    points = np.frombuffer(_unspaced(text).encode("utf-32-le"), dtype="<u4")
    han = np.zeros(len(points), bool)
    for low, high in _HAN_RANGES:
        han |= (points >= low) & (points <= high)
    pairs = han[:-1] & han[1:]
    return sorted_unique(points[:-1][pairs] << np.uint32(16) | points[1:][pairs])


def sorted_unique(codes: np.ndarray) -> np.ndarray:
    """``codes`` sorted, each once (sorted in place): np.unique, and np.union1d through it, hash
    instead, four times as slowly on these arrays."""
    codes.sort()
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes
