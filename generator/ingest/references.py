"""Document numbers cited in a text, with their relation (废止, 宣布失效, 依据, 贯彻, 引用).

Numbers are found on a copy of the text without whitespace, so a number broken
over lines (``（鲁政发〔2019〕`` / ``15 号）``) or by an artefact (``28`` / ``- 号）``)
is still found; its line is the line where it starts. Each number is normalised
(``济任政发〔2018〕8号``: no spaces, 〔〕 brackets), the document's own number is
left out, and each (number, relation) is reported once, at its first line.

The relation of a number, first rule that applies:

1. **List under a heading**: after a short heading line that names repealed
   documents (``决定废止的区政府文件目录`` → 废止; ``宣布失效的区政府文件目录``
   → 宣布失效), every number belongs to that list until the next such heading
   or the next ``附件`` label.
2. **Cue before the number** in its clause (text since the last ，。；： outside
   book titles; words inside 《》 do not count): the last of 废止 → 废止,
   失效 → 宣布失效, 根据/依据/按照/参照 → 依据, 贯彻/落实 → 贯彻.
3. **Cue after the number** in its sentence (up to 。；): 废止 → 废止,
   失效 → 宣布失效 (``《…》（X号）同时废止``, ``…（X号）…现予以废止``).
4. Otherwise 引用.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from generator.ingest.docnumbers import DOC_NUMBER_LINE_RE, find_doc_numbers, make_doc_number
from generator.ingest.textutil import spaceless
from generator.model.models import Reference

_LIST_MARK = re.compile(r"^\s*[-*•]\s+")
_REPEAL_HEADING = re.compile(r"(废止|失效)[^，。；〔]{0,20}(目录|清单|名单|文件|规章|规定)")
_ATTACHMENT_LABEL = re.compile(r"^\s*附\s*件\s*\d*\s*[:：]?\s*$")
_BOOK_TITLE = re.compile(r"《[^《》]*》")
_CLAUSE_END = re.compile(r"[，。；：,;:！？]")
_SENTENCE_END = re.compile(r"[。；;！？]")
_CUES = re.compile(r"废止|失效|根据|依据|按照|参照|贯彻|落实")
_CUE_RELATION = {
    "废止": "废止",
    "失效": "宣布失效",
    "根据": "依据",
    "依据": "依据",
    "按照": "依据",
    "参照": "依据",
    "贯彻": "贯彻",
    "落实": "贯彻",
}
_LEADING_WORD = re.compile(
    r"^.*(?:关于|根据|依据|按照|贯彻|落实|废止|转发|印发|执行|参照|文件|通知|意见|决定|办法|方案|规定|和|及|与|或|的|号|将)"
)
_PARAGRAPH_START = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．]|附件)")


def find_references(text: str, first_line: int = 1, own_number: str = "") -> list[Reference]:
    """Every document number cited in ``text`` (not ``own_number``), with its relation."""
    compact, runs = _compact(text)
    own = spaceless(own_number)
    seen: set[tuple[str, str]] = set()
    found: list[Reference] = []
    for number, start, end in find_doc_numbers(compact):
        agency = _agency(compact, runs, start, number.agency)
        start += len(number.agency) - len(agency)
        number = make_doc_number(agency, number.year, number.serial)
        if number.text == own:
            continue
        relation = runs.relation_at(start) or _relation(compact, start, end)
        key = (number.text, relation)
        if key in seen:
            continue
        seen.add(key)
        found.append(
            Reference(cited_doc_number=number.text, relation=relation, line=first_line + runs.line_at(start))
        )
    return found


class _Runs:
    """The compact text's runs (each of one line, under one list heading): where each starts, its
    line offset and its list relation."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.lines: list[int] = []
        self.relations: list[str] = []

    def add(self, start: int, line: int, relation: str) -> None:
        self.starts.append(start)
        self.lines.append(line)
        self.relations.append(relation)

    def line_at(self, position: int) -> int:
        return self.lines[bisect_right(self.starts, position) - 1]

    def relation_at(self, position: int) -> str:
        return self.relations[bisect_right(self.starts, position) - 1]


_LIST_MARK_CHARS = {"-", "*", "•"}


def _compact(text: str) -> tuple[str, _Runs]:
    """Text without whitespace or line-start list marks, and its runs (line offset, list relation).

    A paragraph break (a line ending in 。；： or a line opening a numbered item)
    becomes ``\\n`` so clauses do not run across paragraphs.
    """
    chunks: list[str] = []  # runs of characters, each of one line
    runs = _Runs()
    size = 0
    last = ""  # the last character so far
    current = ""
    for offset, line in enumerate(text.split("\n")):
        stripped = line.strip()
        # each pattern needs a character tested first: most lines end at the cheap test
        if "附" in stripped and _ATTACHMENT_LABEL.match(stripped):
            current = ""
        elif (
            len(stripped) <= 40
            and "〔" not in stripped
            and ("废止" in stripped or "失效" in stripped)
            and _REPEAL_HEADING.search(stripped)
        ):
            has_repeal, has_void = "废止" in stripped, "失效" in stripped
            current = "" if has_repeal and has_void else ("宣布失效" if has_void else "废止")
        body = _LIST_MARK.sub("", line) if stripped[:1] in _LIST_MARK_CHARS else line
        alone = "号" in body and bool(DOC_NUMBER_LINE_RE.match(body))
        if last and last != "\n" and (alone or _PARAGRAPH_START.match(body.strip())):
            chunks.append("\n")
            runs.add(size, offset, current)
            size += 1
            last = "\n"
        kept = spaceless(body)
        if kept:
            chunks.append(kept)
            runs.add(size, offset, current)
            size += len(kept)
            last = kept[-1]
        if last and (alone or last in "。；："):
            chunks.append("\n")
            runs.add(size, offset, current)
            size += 1
            last = "\n"
    return "".join(chunks), runs


def _agency(compact: str, runs: _Runs, start: int, agency: str) -> str:
    """The agency code: words of the sentence before it removed, and text from the line before it
    unless the code itself was wrapped (``（鲁`` / ``政发〔2020〕6号``)."""
    last_line = runs.line_at(start + len(agency) - 1)
    split = next((i for i in range(len(agency)) if runs.line_at(start + i) == last_line), 0)
    if split and not (split <= 2 and start > 0 and compact[start - 1] in "（(《、"):
        agency = agency[split:]
    return _LEADING_WORD.sub("", agency) or agency


def _relation(compact: str, start: int, end: int) -> str:
    before = compact[max(0, compact.rfind("\n", 0, start) + 1) : start]
    before = _outside_titles(before)
    clause = _CLAUSE_END.split(before)[-1]
    cues = _CUES.findall(clause)
    if cues:
        return _CUE_RELATION[cues[-1]]
    stop = compact.find("\n", end)
    after = compact[end : stop if stop >= 0 else len(compact)]
    after = _SENTENCE_END.split(_BOOK_TITLE.sub("", after))[0]
    if "废止" in after:
        return "废止"
    if "失效" in after:
        return "宣布失效"
    return "引用"


def _outside_titles(text: str) -> str:
    """``text`` without closed 《…》 titles, and without an unclosed title's opening part."""
    text = _BOOK_TITLE.sub("《》", text)
    open_at = text.rfind("《")
    if open_at >= 0 and "》" not in text[open_at:]:
        text = text[:open_at]
    return text
