"""Hard-wrapped layout → logical lines.

Some extractions cut every line at a fixed width (counted in characters, or in display
width) and put a blank line after each piece. When the source has that layout, pieces are
joined back into the lines a paragraph-per-line extraction would give, so that the parser
sees one layout. A source without a clear wrap width is returned line by line unchanged.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from generator.ingest.dates import cn_number, is_date_line
from generator.ingest.docnumbers import parse_doc_number_line
from generator.ingest.patterns import _CN_NUM, CLOSERS, TERMINAL
from generator.ingest.textutil import width

Line = tuple[int, str]

# A line that starts a new element when the previous piece ended a sentence.
_BLOCK_START_RE = re.compile(
    rf"^(第[{_CN_NUM}]+[章节条部分]|[{_CN_NUM}]+\s*[、．.]|[（(]\s*[{_CN_NUM}\d]+\s*[）)]|\d{{1,2}}\s*[.、．](?!\d)|"
    r"[△▲●◆■□①-⑳【]|[-•]\s|附\s*件|[（(]\s*此件|\d{1,2}\s*[-－—~～]?\s*\d{0,2}\s*日|\d{4}\s*年\s*\d{1,2}\s*月\s*$)"
)
_ENUMERATOR_RE = re.compile(
    rf"^(?P<pre>附件[：:]\s*)?(?P<num>\d{{1,3}}|[{_CN_NUM}]{{1,3}})\s*[.、．](?!\d)"
    rf"|^(?P<pre2>[（(])\s*(?P<num2>\d{{1,3}}|[{_CN_NUM}]{{1,3}})\s*[）)]"
)
_NAME_ROW_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}[ \u3000]+[\u4e00-\u9fff]")
# A document title or signature starting with the issuing body: 周村区人民政府办公室 关于…
_ISSUER_RE = re.compile(
    r"^[\u4e00-\u9fff]{2,30}?(人民政府办公室|人民政府|政府办公室|办公室|委员会|管委会|办事处)"
    r"(?=\s|关于|$)"
)
_PUNCTUATION_RE = re.compile(r"[，。；：、,;:！？!?]")
_TITLE_END_RE = re.compile(
    r"(方案|办法|规划|计划|意见|细则|规定|规则|名单|标准|制度|要点|清单|纲要|预案|措施|通知|决定|"
    r"公告|通告|报告|批复|函)$"
)
_CONTINUATION_RE = re.compile(r"^[，。、；：）)”’》〕】的和与及等之]")
_MIN_SHARE = 0.3  # share of text lines at the wrap width for the layout to count as hard-wrapped
_MAX_OVER = 0.03  # share of text lines allowed beyond the wrap width


@dataclass
class Wrap:
    measure: Callable[[str], int]
    width: int
    tolerance: int  # 0: pieces cut at exactly ``width`` (spaces included); else a looser, typeset wrap
    trailing: int  # trailing spaces the layout adds to every piece
    space_marks_end: bool = False  # a trailing space ends a paragraph (full lines that continue have none)
    margin: int = 0  # leading spaces every piece has (pdftotext -layout's page margin): not a cut space

    def core(self, raw: str) -> str:
        raw = raw.rstrip("\r\n")
        spaces = len(raw) - len(raw.rstrip(" "))
        return raw[: len(raw) - min(spaces, self.trailing)]

    def full(self, raw: str) -> bool:
        if self.tolerance == 0:
            return self.measure(self.core(raw)) == self.width
        return self.measure(raw.strip()) >= self.width - self.tolerance


def detect_wrap(raw_lines: list[str]) -> Wrap | None:
    """The wrap width of a hard-wrapped layout, or None when lines are not cut at one width."""
    text = [r.rstrip("\r\n") for r in raw_lines if r.strip() and "\t" not in r]
    if len(text) < 20:
        return None
    trailing = Counter(len(r) - len(r.rstrip(" ")) for r in text).most_common(1)[0][0]
    cores = list(map(Wrap(len, 0, 0, trailing).core, text))
    stripped = [r.strip() for r in text]
    best: tuple[float, Wrap] | None = None
    for measure, tolerance in ((len, 2), (width, 4)):
        for tol, sizes in zip((0, tolerance), _sorted_sizes(cores, stripped, measure)):
            wrap = Wrap(measure, 0, tol, trailing)
            top = sizes[int(len(sizes) * (1 - _MAX_OVER)) - 1]
            if top < 16:
                continue
            # sorted: the lines within [top - tol, top], and those beyond top, are two slices
            share = (bisect_right(sizes, top) - bisect_left(sizes, top - tol)) / len(sizes)
            over = (len(sizes) - bisect_right(sizes, top)) / len(sizes)
            if share >= _MIN_SHARE and over <= _MAX_OVER and (best is None or share > best[0] + 0.1):
                wrap.width = top
                best = (share, wrap)
    if best is None:
        return None
    wrap = best[1]
    wrap.margin = min(len(r) - len(r.lstrip(" ")) for r in text)
    is_full = [wrap.full(r) for r in text]
    full = [r for r, f in zip(text, is_full) if f]
    short = [r for r, f in zip(text, is_full) if not f]

    def ends_with_space(rows):
        return sum(1 for r in rows if r != r.rstrip()) / max(1, len(rows))

    wrap.space_marks_end = ends_with_space(full) < 0.3 and ends_with_space(short) > 0.7
    return wrap


def _sorted_sizes(
    cores: list[str], stripped: list[str], measure: Callable[[str], int]
) -> tuple[list[int], list[int]]:
    """The sizes of the lines' cores and of the lines stripped, each sorted."""
    stripped_sizes = list(map(measure, stripped))
    # A core drops only trailing spaces, so it holds the stripped line: as long, it is that line.
    core_sizes = [
        size if len(core) == len(line) else measure(core)
        for core, line, size in zip(cores, stripped, stripped_sizes)
    ]
    return sorted(core_sizes), sorted(stripped_sizes)


def logical_lines(text: str) -> list[Line]:
    """Numbered source lines; in a hard-wrapped layout, the pieces of one line joined again."""
    raw_lines = text.split("\n")
    wrap = detect_wrap(raw_lines)
    numbered = list(enumerate(raw_lines, 1))
    if wrap is None:
        return numbered
    out: list[Line] = []
    current: Line | None = None  # the logical line being built (number of its first piece, raw text)
    last_piece = ""
    for n, raw in numbered:
        if not raw.strip():
            continue
        if current is not None and "\t" not in raw and _continues(current[1], last_piece, raw, wrap):
            current = (current[0], _join(current[1], raw, wrap))
        else:
            if current is not None:
                out.append(current)
            current = (n, raw)
        last_piece = raw if "\t" not in raw else ""
    if current is not None:
        out.append(current)
    return out


def _continues(line: str, previous: str, piece: str, wrap: Wrap) -> bool:
    """Whether ``piece`` continues ``line``, whose last piece was ``previous``."""
    if not previous or not wrap.full(previous):
        return False
    if wrap.space_marks_end and previous != previous.rstrip():
        return False
    head = line.strip()
    before = previous.strip()
    after = piece.strip()
    if parse_doc_number_line(after):  # a document's own number line stands alone after its title
        return (
            _open_paren(before) or _unmatched_close(after) or bool(_enumerator(head) and after[:1] in "(（")
        )
    if is_date_line(after):
        return not _ended(before)
    if _next_item(head, after):
        return False
    if _NAME_ROW_RE.match(head) and _NAME_ROW_RE.match(after) and not any(ch in head for ch in "，。；"):
        return False  # rows of a name list: 王天祥 区财政局局长
    if _ended(before) and (_BLOCK_START_RE.match(after) or _ISSUER_RE.match(after)):
        return False
    if not _PUNCTUATION_RE.search(head) and (  # a complete title or heading, then a new element
        _BLOCK_START_RE.match(after) or _TITLE_END_RE.search(head) and not _CONTINUATION_RE.match(after)
    ):
        return False
    return True


def _next_item(head: str, after: str) -> bool:
    """``after`` starts the item numbered one more than the item ``head`` starts (1. → 2.)."""
    first, second = _enumerator(head), _enumerator(after)
    return bool(first and second) and first[0] == second[0] and second[1] == first[1] + 1


def _enumerator(text: str) -> tuple[str, int] | None:
    """(kind of enumerator, its number) at the start of ``text``: 1. / 一、 / （一） / （1）."""
    match = _ENUMERATOR_RE.match(text)
    if not match:
        return None
    if match.group("num") is not None:
        raw, kind = match.group("num"), "dot"
    else:
        raw, kind = match.group("num2"), "paren"
    value = cn_number(raw)
    if value is None:
        return None
    return (kind + ("-cn" if not raw.isdigit() else ""), value)


def _ended(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    if text.endswith(("）", ")")) and text.count("（") + text.count("(") <= text.count("）") + text.count(
        ")"
    ):
        return True
    return bool(stripped) and stripped[-1] in TERMINAL


def _open_paren(text: str) -> bool:
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _unmatched_close(text: str) -> bool:
    return text.count("）") + text.count(")") > text.count("（") + text.count("(")


def _join(a: str, b: str, wrap: Wrap) -> str:
    """Concatenate two pieces; a space only where one stood at the cut (kept by the piece edges)."""
    head = a.rstrip()
    lead = len(b) - len(b.lstrip(" "))
    cut_space = len(a.rstrip("\r\n")) - len(head) > wrap.trailing or b[min(lead, wrap.margin) :][:1].isspace()
    return head + (" " if cut_space else "") + b.strip()
