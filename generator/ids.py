"""Stable ASCII identifiers, derived from identity (numbers, codes), never from position alone."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

from .models import DocNumber

_UNSAFE = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def pinyin_slug(text: str) -> str:
    """济兖政发 → jiyanzhengfa. ASCII letters and digits pass through; everything else is dropped."""
    joined = "".join(lazy_pinyin(text, errors=lambda chars: [c for c in chars]))
    return _UNSAFE.sub("", joined.lower())


def slug(text: str) -> str:
    """Lowercase ASCII slug with single dashes; safe as a path segment (no '.', '/', '..')."""
    return _UNSAFE.sub("-", text.lower()).strip("-")


def issue_id(region_code: str, year: int | None, number: str, kind: str = "issue", first_doc: str = "") -> str:
    """370812-2021-3-4 for 第3-4期; a collection is named by its first document: 370115-2021-c-jiyangzhengfa-2021-8."""
    year_part = str(year) if year else "undated"
    if kind == "collection" or not number:
        return slug(f"{region_code}-{year_part}-c-{first_doc or 'documents'}")
    return slug(f"{region_code}-{year_part}-{number}")


def document_id(doc_number: DocNumber | None, issue: str, seq: int) -> str:
    """jiyanzhengfa-2021-5 from 济兖政发〔2021〕5号; {issue}-d{seq:02d} for a document without a number."""
    if doc_number is not None:
        return slug(f"{pinyin_slug(doc_number.agency)}-{doc_number.year}-{doc_number.serial}")
    return slug(f"{issue}-d{seq:02d}")


MAX_SEGMENT = 80  # characters of a slug in a page path: far below the file system's 255 bytes


def path_segment(text: str, fallback: str = "item") -> str:
    """``slug(text)`` as a page path segment: a slug longer than MAX_SEGMENT keeps its start and
    ends with a hash of the whole, so long names (a 300-character section) stay distinct and fit."""
    import hashlib

    base = slug(text) or fallback
    if len(base) <= MAX_SEGMENT:
        return base
    return f"{base[:MAX_SEGMENT - 11].rstrip('-')}-{hashlib.sha1(base.encode()).hexdigest()[:10]}"
