"""发文字号: find, parse and OCR-correct document numbers such as 济兖政发〔2021〕5号."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.ingest.textutil import spaceless
from generator.model.models import DocNumber, Problem

_OPEN = "〔［[【（(｛{"
_CLOSE = "〕］]】）)｝}"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH_DIGIT = re.compile("[０-９]")  # str.translate looks up every character: only where one is
_ANY_OPEN = re.compile(f"[{re.escape(_OPEN)}]")

# A document number: an agency code (1 to 16 Chinese characters, trimmed later, see _agency_of),
# the bracketed year, the serial, 号. Found in two steps: what follows the agency first (brackets
# are rare, while one pattern for the whole was tried at every Chinese character: five times as
# slow on a gazette's text), then the agency, the run of Chinese ending where the bracket's
# spaces begin.
_NUMBER_TAIL_RE = re.compile(
    rf"\s*[{re.escape(_OPEN)}]\s*((?:19|20)\d{{2}})\s*[{re.escape(_CLOSE)}]\s*第?\s*(\d{{1,4}})\s*号"
)
_AGENCY_RUN_RE = re.compile(r"[\u4e00-\u9fff]{1,16}\Z")
# A line that is nothing but a document number, optionally in parentheses.
DOC_NUMBER_LINE_RE = re.compile(
    rf"^\s*[(（]?\s*([\u4e00-\u9fff]{{1,12}})\s*[{re.escape(_OPEN)}]\s*((?:19|20)\d{{2}})\s*"
    rf"[{re.escape(_CLOSE)}]\s*第?\s*(\d{{1,4}})\s*号\s*[)）]?\s*$"
)
# Words that precede a number in running text but are not part of its agency code.
_LEADING_WORDS = re.compile(
    r"^.*?(?:关于|根据|依据|按照|贯彻|落实|废止|转发|印发|执行|参照|对照|文件|通知|意见|决定|办法|规定|和|及|与|或|的|、|号|将)"
)
_AGENCY_TAIL = re.compile(r"[\u4e00-\u9fff]{1,8}$")


def make_doc_number(agency: str, year: int, serial: int, printed: str = "") -> DocNumber:
    text = f"{agency}〔{year}〕{serial}号"
    printed = printed.strip()
    return DocNumber(
        text=text,
        agency=agency,
        year=year,
        serial=serial,
        printed=printed if printed and printed != text else "",
    )


def parse_doc_number_line(line: str) -> DocNumber | None:
    """A line holding only a document number → DocNumber (uncorrected); None otherwise. Spaces
    anywhere in it (``济政发 〔 2012 〕 3 号``) are layout: the number is read without them, the
    printed text keeps them."""
    if "号" not in line:  # DOC_NUMBER_LINE_RE needs it: most lines fail here, cheaply
        return None
    match = DOC_NUMBER_LINE_RE.match(spaceless(line.translate(_FULLWIDTH)))
    if not match:
        return None
    printed = line.strip()
    if printed[:1] in "(（" and printed[-1:] in ")）":
        printed = printed[1:-1].strip()
    return make_doc_number(match.group(1), int(match.group(2)), int(match.group(3)), printed)


# The first part of a number whose serial went to the next line: 济厅字〔2012〕 / 济厅字〔2012〕8.
_NUMBER_HEAD_RE = re.compile(
    rf"^[(（]?[\u4e00-\u9fff]{{1,12}}[{re.escape(_OPEN)}](?:(?:19|20)\d{{2}}(?:[{re.escape(_CLOSE)}]\d{{0,4}})?)?$"
)


def join_broken_numbers(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A document number printed over two lines (``济厅字〔2012〕`` / ``8号``) as one line, numbered
    as its first: the break is layout, not text. Other lines pass unchanged."""
    out: list[tuple[int, str]] = []
    skip = False
    for k, (n, text) in enumerate(lines):
        if skip:
            skip = False
            continue
        if (
            k + 1 < len(lines)
            and "\t" not in text
            and _ANY_OPEN.search(text)  # the head holds an opening bracket: most lines end here
            and _NUMBER_HEAD_RE.match(spaceless(text))
        ):
            joined = text.rstrip() + lines[k + 1][1].lstrip()
            if not parse_doc_number_line(text) and parse_doc_number_line(joined):
                out.append((n, joined))
                skip = True
                continue
        out.append((n, text))
    return out


def parse_doc_number(text: str, codes: list[str] | tuple[str, ...] = ()) -> DocNumber | None:
    """The first document number in ``text`` (uncorrected), its agency trimmed to the code."""
    found = find_doc_numbers(text, codes)
    return found[0][0] if found else None


def find_doc_numbers(text: str, codes: list[str] | tuple[str, ...] = ()) -> list[tuple[DocNumber, int, int]]:
    """Every document number in ``text`` with its (start, end) offsets; agency trimmed. Numbers do
    not overlap: an agency run starts after the number before."""
    converted = text.translate(_FULLWIDTH) if _FULLWIDTH_DIGIT.search(text) else text
    results = []
    after = 0  # where the last number found ends
    longest_first = sorted(codes, key=len, reverse=True)
    for tail in _NUMBER_TAIL_RE.finditer(converted):
        head = _AGENCY_RUN_RE.search(converted, max(after, tail.start() - 16), tail.start())
        if head is None:
            continue
        run = head.group()
        agency = _agency_of(run, longest_first)
        start = head.start() + len(run) - len(agency)
        after = tail.end()
        printed = text[start:after]
        results.append(
            (make_doc_number(agency, int(tail.group(1)), int(tail.group(2)), printed), start, after)
        )
    return results


def _agency_of(run: str, longest_first: list[str]) -> str:
    """The agency code at the end of a run of CJK text: a registered code (``longest_first``: the
    registered codes, longest first) if one fits."""
    for code in longest_first:
        if run.endswith(code):
            return code
    for code in longest_first:
        tail = run[-len(code) :]
        if len(tail) == len(code) and tail[-1] == code[-1] and edit_distance(tail, code) == 1:
            return tail
    trimmed = _LEADING_WORDS.sub("", run) or run[-2:]
    match = _AGENCY_TAIL.search(trimmed)
    return match.group(0) if match else trimmed


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (small strings)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass
class Correction:
    number: DocNumber
    problem: Problem | None


def correct_doc_number(number: DocNumber, codes: list[str] | tuple[str, ...], line: int = 0) -> Correction:
    """Replace an agency code at edit distance 1 of exactly one registered code (济充政发 → 济兖政发).

    Only same-length substitutions are corrected: OCR confuses glyphs, it does not drop them.
    """
    if not codes or number.agency in codes:
        return Correction(number, None)
    near = sorted({c for c in codes if len(c) == len(number.agency) and edit_distance(c, number.agency) == 1})
    if len(near) != 1:
        return Correction(number, None)
    printed = number.printed or number.text
    fixed = make_doc_number(near[0], number.year, number.serial, printed)
    problem = Problem(
        "info",
        "doc-number-corrected",
        f"发文字号 {spaceless(printed)} 更正为 {fixed.text}（机关代字 {number.agency} → {near[0]}）",
        line,
    )
    return Correction(fixed, problem)
