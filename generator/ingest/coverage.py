"""The last phase of parsing a gazette: coverage, how much of the source ended up in the record. Per
part of the source (front matter, each segment), its non-whitespace characters are matched against
the record fields made from it and against what was dropped on purpose as noise; the rest is lost."""

from __future__ import annotations

import numpy as np

from generator.ingest.context import Line, _Ctx
from generator.ingest.segments import _Segment
from generator.model.models import Coverage, Document, Issue


def _line_buckets(lines: list[Line], body: list[Line], segments: list[_Segment]) -> dict[int, str]:
    """Source line number → coverage bucket (front matter, a segment, or unplaced)."""
    buckets = {n: "front" for n, _ in lines}
    first = segments[0].start if segments else len(body)
    for i in range(first):
        buckets[body[i][0]] = "unplaced"
    for k, seg in enumerate(segments):
        for i in range(seg.start, seg.end):
            buckets[body[i][0]] = f"s{k}"
    return buckets


def _coverage(
    lines: list[Line],
    buckets: dict[int, str],
    issue: Issue,
    owners: dict[str, list],
    ctx: _Ctx,
    colophon: list[str],
) -> Coverage:
    """Per part of the source, a multiset of non-whitespace characters: source vs. the record fields made
    from that part (and raw forms of parsed fields, e.g. a date) vs. what was dropped as noise."""
    texts: dict[str, list[str]] = {}
    for n, t in lines:
        texts.setdefault(buckets.get(n, "unplaced"), []).append(t)
    parts = list(texts)
    record_parts = [_record_text(bucket, issue, owners, ctx, colophon) for bucket in parts]
    source_codes, source_part = _code_points(["".join(texts[bucket]) for bucket in parts])
    chars = np.unique(source_codes)  # the columns: each character the source holds
    # whitespace is not counted (str.isspace: what spaceless drops)
    counted = np.array([not chr(code).isspace() for code in chars.tolist()], dtype=bool)
    source = _char_counts(source_codes, source_part, chars, len(parts))
    source[:, ~counted] = 0
    record = _char_counts(*_code_points(record_parts), chars, len(parts))
    noise = _char_counts(
        *_code_points(["".join(ctx.noise_by.get(bucket, [])) for bucket in parts]), chars, len(parts)
    )
    kept = np.minimum(source, record)
    dropped = np.minimum(source - kept, noise)
    total, kept_total, dropped_total = int(source.sum()), int(kept.sum()), int(dropped.sum())
    return Coverage(
        source_chars=total,
        kept_chars=kept_total,
        noise_chars=dropped_total,
        lost_chars=total - kept_total - dropped_total,
    )


def _record_text(bucket: str, issue: Issue, owners: dict[str, list], ctx: _Ctx, colophon: list[str]) -> str:
    """What the record holds of one part of the source: its fields' text, and raw forms of parsed fields."""
    strings: list[str] = list(ctx.represented_by.get(bucket, []))
    if bucket == "front":
        strings += [issue.title, issue.number, issue.cumulative_number, *issue.sections, *colophon]
        for entry in issue.toc:
            strings += [entry.title, entry.doc_number, str(entry.page or ""), entry.section]
    for owner in owners.get(bucket, []):
        strings += _record_strings(owner)
    return "".join(value or "" for value in strings)


def _code_points(parts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The characters of all ``parts`` as code points, and the part each one belongs to."""
    codes = np.frombuffer("".join(parts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    part = np.repeat(np.arange(len(parts), dtype=np.int64), [len(text) for text in parts])
    return codes, part


def _char_counts(codes: np.ndarray, part: np.ndarray, chars: np.ndarray, parts: int) -> np.ndarray:
    """(parts × chars) counts of each of ``chars`` (sorted) per part; other characters are left out
    (counted in C: a part holds tens of thousands of characters)."""
    top = int(chars[-1]) + 1 if len(chars) else 0
    other = len(chars)  # the column of every other character, dropped at the end
    column_of = np.full(top + 1, other, dtype=np.int32)  # code point → column
    column_of[chars] = np.arange(len(chars), dtype=np.int32)
    cells = part * (other + 1) + column_of[np.minimum(codes, top)]
    counts = np.bincount(cells, minlength=parts * (other + 1)).reshape(parts, other + 1)
    return counts[:, :other]


def _record_strings(record) -> list[str]:
    if isinstance(record, Document):
        out = [record.title, record.issuer, record.recipients, record.body, *record.attachment_titles]
        if record.doc_number:
            out.append(record.doc_number.printed or record.doc_number.text)
        for att in record.attachments:
            out += [att.label, att.title, att.body]
        for table in record.tables:
            out.append(table.caption)
            out += [cell for row in table.header + table.rows for cell in row]
        return out
    out = []
    for name in ("authority", "person", "action", "post", "note", "text", "basis"):
        value = getattr(record, name, "")
        if isinstance(value, str):
            out.append(value)
    for name in ("decided_on", "date", "end_date"):  # the printed forms of a parsed date
        iso = getattr(record, name, "") or ""
        out += [_cn_date(iso), _cn_numeral_date(iso)]
    if getattr(record, "end_date", ""):
        out.append("-")  # 7-11日
    return out


def _cn_date(iso: str) -> str:
    if not iso or len(iso) != 10:
        return iso or ""
    return f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:])}日"


_CN_DIGITS = "〇一二三四五六七八九"


def _cn_numeral_date(iso: str) -> str:
    """2021-04-11 → 二〇二一年四月十一日."""
    if not iso or len(iso) != 10:
        return ""
    year = "".join(_CN_DIGITS[int(d)] for d in iso[:4])
    return f"{year}年{_cn_small(int(iso[5:7]))}月{_cn_small(int(iso[8:]))}日"


def _cn_small(n: int) -> str:
    tens, units = divmod(n, 10)
    return (("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else "") + (
        _CN_DIGITS[units] if units else ""
    )
