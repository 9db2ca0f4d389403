"""Tables in document text: tab-separated and cell-per-line layouts.

Two layouts are recognised:

* **Tab-separated**: consecutive lines holding tab characters (single blank
  lines, i.e. page breaks, may interrupt them). The first row is a header when
  its cells read like column names; a second header row follows when the first
  has merged (empty) cells and the second row holds only short labels. Header
  rows repeated after a page break are dropped, so the pages form one table.
* **Cell-per-line**: a header that starts with a ``序号`` line, then one cell
  per line (wrapped cells over several lines, blank lines and page headers in
  between). The header gives the column names and their kinds (serial, person,
  unit, schedule, free text); each line is classified by its content and placed
  in the next column of that kind. The serial number starts a row; a person,
  unit or sub-task after the schedule starts a sub-row (serial left empty).

The caption is the title line just before the table (e.g. ``…主要指标``,
``…分工表``), kept inside the span so the caller does not print it twice.

Cells and captions store the text as printed. Only demonstrable extraction artefacts are removed
(those ``textutil`` removes from body text, and bare TeX commands): a bold pair (``**…**``) or an HTML element
(``<p>…</p>``) around a whole cell, the closing half of a bold label (``主任:**``), TeX math
(``$\\geq 10\\%$`` → ``≥10%``), TeX sub/superscripts (``PM _{2.5}`` → ``PM2.5``) and TeX symbol
commands written without ``$`` (``\\geq 90%`` → ``≥90%``); a ``**``, ``</div>``, ``<br>`` or ``$``
anywhere else is the text and stays. ``find_tables`` returns each correction as an info problem
``extraction-artefact`` quoting the whole original cell, on the source line of its row, for the
cells, header rows and caption the table keeps (cell-per-line: a line's wrappers on that line, TeX
in the joined cell on the line where it starts). Spaces are tidied silently (wrap and letter
spacing, as for titles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.ingest.textutil import (
    Edit,
    _cell_artefacts,  # per cell: a cell starting "- " is text, not a list item
    apply_edits,
    describe_edits,
    line_artefacts,
    span_artefacts,
)
from generator.model.models import Problem, Table

Line = tuple[int, str]


@dataclass
class TableSpan:
    start: int  # index into the lines given, inclusive
    end: int  # exclusive
    table: Table  # table_id left empty: the caller assigns it


CJK = r"\u3400-\u9fff"
CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef“”‘’"
_SPACE_AT_PUNCT = re.compile(
    rf"(?<=[{CJK_PUNCT}])[ \u3000]+(?=[{CJK}])|(?<=[{CJK}])[ \u3000]+(?=[{CJK_PUNCT}])"
)
_CJK_GAP = re.compile(rf"(?<=[{CJK}])[ \u3000]+(?=[{CJK}])")
_LETTER_SPACING = re.compile(rf"(?<![{CJK}])([{CJK}])[ \u3000]+(?=[{CJK}](?![{CJK}]))")
_SPACES = re.compile(r"[ \u3000\xa0]+")
_ANY_SPACE = re.compile(r"\s")  # what str.strip removes, and every space _tidy changes
# A cell's artefacts all need one of these: $…$, x^{2}, **…**, a TeX \command, an HTML tag
_ARTEFACT_MARK = re.compile(r"[$*{\\<]")
_TOC_ROW = re.compile(r"(?:[·.…]{3,}|…{2,})\s*\t\s*\d+\s*$")
_PAGE = re.compile(r"^\d{1,4}$")
_RULE = re.compile(r"^[-—_=\s]*$")
_NUMERIC = re.compile(r"^[-+]?[\d,.]+%?$")
_HEADER_WORDS = re.compile(
    "序号|编号|名称|单位|指标|项目|任务|时限|时间|类别|类型|备注|数量|岗位|属性|目标|标准|内容|分类|部门|"
    "措施|决定|机关|姓名|职务|职责|计划|完成|要求|权重|分值|领导|事项|金额|合计|面积|地址|电话|年度|分工"
)
_CAPTION_WORDS = re.compile("表|目录|清单|名单|指标|一览|分工|计划|汇总|统计|台账|明细|安排")
_SENTENCE_END = re.compile(r"[。；，：:,;]$")
_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月|[〇一二三四五六七八九零]{4}年")
_ATTACHMENT_LABEL = re.compile(r"^附件\s*\d*\s*[:：]?$")

# cell-per-line layout
_SERIAL_HEADER = re.compile(r"^(序号|编号)(\s+(序号|编号))*$")
_SERIAL = re.compile(r"^(\d{1,3})(?:\s+(.*))?$")
_NOT_AFTER_SERIAL = re.compile(r"^[月年日号个家处万次项人名%．.、，,：:）)\-—~～]")
_PERSON = re.compile(rf"^[{CJK}]{{2,4}}$")
_UNIT_END = (
    "局|委|办|中心|管委会|委员会|分局|法院|检察院|公司|部|团委|工会|协会|联合会|残联|妇联|科协|工商联|队|站|所|院|社|处|"
    "政府|街道|办事处|办公室|集团"
)
_UNIT = re.compile(rf"^(?:[{CJK}（）()]{{1,18}}(?:{_UNIT_END})(?:[、，,]|$))+$")
_UNIT_PREFIX = re.compile("^(?:区|市|县|镇|省|济北|中共|共青团)")
_SCHEDULE = re.compile(
    r"^(?:\d{1,2}\s*月(?:底|份|末|中旬|上旬|下旬|前|\s*\d{1,2}\s*日)?|年底|上半年|下半年|[一二三四]季度)"
)
_COLUMN_KINDS = (
    ("serial", re.compile("序号|编号")),
    ("person", re.compile("领导|负责人|责任人|姓名")),
    ("unit", re.compile("单位|部门|机关")),
    ("schedule", re.compile("节点|时限|进度|时间")),
)
_ITEM_START = re.compile(r"^(?:\d{1,2}\s*月|\d+[.、．]|（\d+）|\(\d+\))")


def clean_cell(text: str) -> str:
    """One cell as stored: the text as printed less its extraction artefacts, spaces tidied
    (``find_tables`` also reports what was removed; this does not)."""
    return _tidy(_faithful(text)[0])


def _tidy(text: str) -> str:
    """Spaces only: tabs and runs collapsed, wrap spaces at CJK punctuation and letter spacing dropped."""
    if not _ANY_SPACE.search(text):  # most cells: nothing to tidy
        return text
    text = _SPACES.sub(" ", text.replace("\t", " ")).strip()
    text = _SPACE_AT_PUNCT.sub("", text)
    return _LETTER_SPACING.sub(r"\1", text)


# A TeX symbol command outside math (``覆盖率 \geq 90%``, ``50\%``): a backslash word (with the space
# after it, which TeX does not print) or ``\%``, not inside a word or a path (``C:\dir\le``).
_BARE_TEX = re.compile(r"(?<![A-Za-z0-9\\/:._])\\[A-Za-z]+(?![A-Za-z]) ?|(?<![A-Za-z\\/:._])\\%")


def _bare_tex(text: str) -> list[Edit]:
    """TeX symbol commands written without ``$…$``, each as the symbol it prints; commands that
    ``textutil`` does not know as symbols (``\\frac``, ``\\text``) are left as they are."""
    edits = []
    for match in _BARE_TEX.finditer(text):
        command = match.group(0).rstrip(" ")
        plain = span_artefacts(f"${command}$")  # the symbol, as textutil reads it inside math
        if len(plain) == 1 and plain[0].replacement and "\\" not in plain[0].replacement:
            edits.append(Edit(match.start(), match.end(), plain[0].replacement))
    return edits


def _merge(edits: list[Edit], more: list[Edit]) -> list[Edit]:
    """``edits`` and those of ``more`` that do not overlap them (nor each other), in text order."""
    edits = list(edits)
    for edit in more:
        if not any(e.start < edit.end and edit.start < e.end for e in edits):
            edits.append(edit)
    return sorted(edits, key=lambda e: e.start)


def _tex_artefacts(text: str) -> list[Edit]:
    """TeX math and sub/superscripts and a bold pair around the whole text (``span_artefacts``), then
    TeX symbol commands written without ``$…$``."""
    return _merge(span_artefacts(text), _bare_tex(text))


def _faithful(text: str, whole_line: bool = False, tex: bool = True) -> tuple[str, str]:
    """``text`` (a cell, or with ``whole_line`` a caption line, which may also start with a Markdown
    list marker) as stored, surrounding spaces kept: wrappers around the whole of it, half a bold
    label and (with ``tex``) TeX removed. Also what was corrected, as ``「original」→「corrected」``
    quoting the whole original ("" when nothing was corrected)."""
    core = text.strip()
    if not whole_line and not _ARTEFACT_MARK.search(core):  # most cells: no mark any artefact needs
        return text, ""
    edits = line_artefacts(core) if whole_line else _cell_artefacts(core, 0)
    if tex:
        edits = _merge(edits, _tex_artefacts(core))
    if not edits:
        return text, ""
    lead = len(text) - len(text.lstrip())
    kept = text[:lead] + apply_edits(core, edits) + text[lead + len(core) :]
    return kept, describe_edits(core, edits, context=len(core))


def _artefact(description: str, line: int) -> Problem:
    return Problem("info", "extraction-artefact", "提取残留已更正：" + description, line)


def find_tables(lines: list[Line]) -> tuple[list[TableSpan], list[Problem]]:
    """Spans of ``lines`` that form tables, with the parsed tables."""
    spans: list[TableSpan] = []
    problems: list[Problem] = []
    i = 0
    while i < len(lines):
        text = lines[i][1]
        if _is_tab_row(text):
            end = _tab_block_end(lines, i)
            if sum(1 for _, t in lines[i:end] if _is_tab_row(t)) >= 2:
                span = _tab_table(lines, i, end, problems)
                if span:
                    spans.append(span)
                    i = end
                    continue
            i = end
            continue
        if ("序号" in text or "编号" in text) and _SERIAL_HEADER.match(_norm(text)):  # cheap test first
            span = _cell_table(lines, i, problems)
            if span:
                spans.append(span)
                i = span.end
                continue
        i += 1
    return spans, problems


def table_markdown(table: Table) -> str:
    """A Markdown pipe table for ``table`` (cells escaped, one line per row)."""
    width = max([len(r) for r in table.header + table.rows] + [1])
    header = _combined_header(table.header, width) if table.header else [""] * width
    out = ["| " + " | ".join(_md_cell(c) for c in header) + " |", "|" + "---|" * width]
    for row in table.rows:
        cells = list(row) + [""] * (width - len(row))
        out.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(out)


# --- tab-separated layout -------------------------------------------------


def _is_tab_row(text: str) -> bool:
    return "\t" in text and bool(text.strip()) and not _TOC_ROW.search(text)


def _tab_block_end(lines: list[Line], start: int) -> int:
    end = start
    i = start
    while i < len(lines):
        if _is_tab_row(lines[i][1]):
            end = i = i + 1
            continue
        j = i
        while j < len(lines) and not lines[j][1].strip() and j - i < 2:
            j += 1
        if j > i and j < len(lines) and _is_tab_row(lines[j][1]):
            i = j
            continue
        break
    return end


def _tab_table(lines: list[Line], start: int, end: int, problems: list[Problem]) -> TableSpan | None:
    raw: list[tuple[int, list[str]]] = []
    notes: dict[int, list[Problem]] = {}  # id of a row's cells → its corrections, reported if the row is kept
    for n, t in lines[start:end]:
        if _is_tab_row(t):
            cells, found = [], []
            for cell in t.split("\t"):
                kept, corrected = _faithful(cell)
                cells.append(_tidy(kept))
                if corrected:
                    found.append(_artefact(corrected, n))
            raw.append((n, cells))
            notes[id(cells)] = found
    caption = ""
    caption_notes: list[Problem] = []
    caption_index = None
    first_cells = raw[0][1]
    if len(raw) > 2 and sum(1 for c in first_cells if c) == 1 and first_cells[0] and _is_header(raw[1][1]):
        caption = first_cells[0]
        caption_notes = notes[id(first_cells)]
        raw = raw[1:]
        caption_index = start
    rows = [cells for _, cells in raw]
    rows = [r for r in rows if not all(_RULE.match(c) for c in r)]
    if not rows:
        return None
    if not _is_header(rows[0]) and sum(_is_toc_row(r) for r in rows) * 5 >= len(rows) * 4:
        return None  # a table of contents: title, page
    header: list[list[str]] = []
    if _is_header(rows[0]):
        header.append(rows.pop(0))
        if rows and _is_second_header(header[0], rows[0]):
            header.append(rows.pop(0))
    keys = {_row_key(h) for h in header}
    rows = [r for r in rows if _row_key(r) not in keys]
    if not rows:
        return None
    kept_notes = caption_notes + [p for r in header + rows for p in notes[id(r)]]
    width = _width(header + rows)
    header = [_pad(h, width) for h in header]
    rows = [_pad(r, width) for r in rows]
    if caption_index is None:
        caption, caption_index, caption_notes = _caption_before(lines, start, plain=bool(header))
        kept_notes = caption_notes + kept_notes
    first = caption_index if caption_index is not None else start
    table = Table(table_id="", caption=caption, header=header, rows=rows, line=lines[first][0])
    problems.extend(kept_notes)
    return TableSpan(first, end, table)


def _is_toc_row(cells: list[str]) -> bool:
    filled = _strip_trailing(cells)
    return len(filled) == 2 and bool(_PAGE.match(filled[1]))


def _is_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    if not filled or any(_NUMERIC.match(c) for c in filled):
        return False
    hits = sum(1 for c in filled if _HEADER_WORDS.search(c.replace(" ", "")))
    return hits * 2 >= len(filled) and all(len(c) <= 60 for c in filled)


def _is_second_header(first: list[str], second: list[str]) -> bool:
    merged = any(not c for c in first[1 : len(_strip_trailing(second))])
    filled = [c for c in second if c]
    return (
        merged
        and bool(second)
        and not second[0]
        and bool(filled)
        and all(len(c) <= 12 and not _NUMERIC.match(c) for c in filled)
    )


def _strip_trailing(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _row_key(cells: list[str]) -> str:
    return "\t".join(c.replace(" ", "") for c in _strip_trailing(cells))


def _width(rows: list[list[str]]) -> int:
    return max((len(_strip_trailing(r)) for r in rows), default=0) or 1


def _pad(cells: list[str], width: int) -> list[str]:
    cells = cells[:width] if len(_strip_trailing(cells)) <= width else cells
    return cells + [""] * (width - len(cells))


def _caption_before(
    lines: list[Line], start: int, plain: bool = True
) -> tuple[str, int | None, list[Problem]]:
    """The caption line before ``start``: its text as stored, its index, its corrections."""
    i = start - 1
    while i >= 0 and not lines[i][1].strip():
        i -= 1
    if i < 0:
        return "", None, []
    kept, corrected = _faithful(lines[i][1], whole_line=True)
    text = _CJK_GAP.sub("", _tidy(kept))
    if (
        0 < len(text) <= 60
        and "\t" not in lines[i][1]
        and not _SENTENCE_END.search(text)
        and not _ATTACHMENT_LABEL.match(text)
        and not text.startswith(("（", "("))
        and (_CAPTION_WORDS.search(text) or (plain and _plain_title(text)))
    ):
        return text, i, [_artefact(corrected, lines[i][0])] if corrected else []
    return "", None, []


def _plain_title(text: str) -> bool:
    return (
        6 <= len(text) <= 40
        and not re.search("[，。；：、:;,]", text)
        and not _DATE.search(text)
        and not _UNIT.match(text)
    )


# --- cell-per-line layout -------------------------------------------------


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _cell_table(lines: list[Line], start: int, problems: list[Problem]) -> TableSpan | None:
    # each line as stored (wrappers removed, surrounding spaces kept) and its corrections; TeX is
    # corrected in the joined cell (``_join``), as it may be broken over two lines
    fixed: dict[int, tuple[str, str]] = {}

    def fix(k: int) -> tuple[str, str]:
        if k not in fixed:
            fixed[k] = _faithful(lines[k][1], tex=False)
        return fixed[k]

    # header: from the 序号 line up to the first serial "1"
    j = start + 1
    while j < len(lines) and j - start < 30 and _norm(fix(j)[0]) != "1":
        j += 1
    if j >= len(lines) or j - start >= 30:
        return None
    header_at = [k for k in range(start, j) if lines[k][1].strip()]
    header_lines = [fix(k)[0] for k in header_at]
    columns = _header_columns(header_lines)
    if len(columns) < 2:
        return None
    kinds = [_column_kind(c) for c in columns]
    if kinds[0] != "serial":
        return None
    notes = [_artefact(fix(k)[1], lines[k][0]) for k in header_at if fix(k)[1]]
    shown = list(lines)  # the lines as stored, for classifying and looking ahead
    for k in range(j, len(lines)):
        shown[k] = (lines[k][0], fix(k)[0])
    running = {_norm(t) for t in header_lines} | {w for t in header_lines for w in _norm(t).split(" ")}
    persons = _frequent_persons(shown[j:])

    rows: list[list[list[Line]]] = []  # each cell a list of fragments: (source line, text)
    last: tuple[int, int, Line] | None = None  # row, column and the last fragment placed
    col = 0
    expected = 1
    last_line = j
    k = j
    while k < len(lines):
        n, text, corrected = lines[k][0], _norm(shown[k][1]), fix(k)[1]
        k += 1
        if not text or text in running:
            continue
        m = _SERIAL.match(text)
        if (
            m
            and int(m.group(1)) >= expected
            and int(m.group(1)) <= expected + 2
            and not (m.group(2) and _NOT_AFTER_SERIAL.match(m.group(2)))
        ):
            serial = int(m.group(1))
            if serial != expected:
                problems.append(
                    Problem("warning", "table-row-missing", f"表格缺少序号 {expected}–{serial - 1} 的行", n)
                )
            rows.append([[(n, str(serial))]] + [[] for _ in columns[1:]])
            expected = serial + 1
            col = 0
            last_line = k
            if corrected:
                notes.append(_artefact(corrected, n))
            if not m.group(2):
                continue
            text = m.group(2)
        elif not rows:
            continue
        elif corrected:
            notes.append(_artefact(corrected, n))
        last_line = k
        line = n
        if (
            last
            and _UNIT_PREFIX.match(last[2][1])
            and len(last[2][1]) <= 12
            and _UNIT.match(last[2][1] + text)
        ):
            rows[last[0]][last[1]].pop()  # a unit wrapped over two lines
            line, text = last[2][0], last[2][1] + text
        for piece in _pieces(text, persons):
            col = _place(rows, kinds, col, (line, piece), _kind_of(piece, persons), shown, k)
            last = (len(rows) - 1, col, (line, piece))
    if not rows:
        return None
    table_rows = [[_join(cell, kind == "unit", notes) for cell, kind in zip(row, kinds)] for row in rows]
    table_rows = [r for r in table_rows if any(r)]
    caption, caption_index, caption_notes = _caption_before(lines, start)
    first = caption_index if caption_index is not None else start
    table = Table(table_id="", caption=caption, header=[columns], rows=table_rows, line=lines[first][0])
    problems.extend(caption_notes + notes)
    return TableSpan(first, last_line, table)


def _pieces(text: str, persons: set[str]) -> list[str]:
    """Split leading person/unit tokens off a line (``李永军 区自然资源局``)."""
    tokens = text.split(" ")
    head: list[str] = []
    while tokens and _kind_of(tokens[0], persons) in ("person", "unit"):
        head.append(tokens.pop(0))
    tail: list[str] = []
    while len(tokens) > 1 and _kind_of(tokens[-1], persons) == "unit":
        tail.insert(0, tokens.pop())
    return head + ([" ".join(tokens)] if tokens else []) + tail


def _header_columns(header_lines: list[str]) -> list[str]:
    merged: list[str] = []
    glue = False
    for raw in header_lines:
        text = _norm(raw)
        if glue and merged:
            merged[-1] += text
        else:
            merged.append(text)
        glue = not raw.endswith((" ", "\t")) or text.endswith(("及", "和", "与", "、", "/"))
    columns: list[str] = []
    for text in merged:
        for word in text.split(" "):
            for part in word.split("/"):
                if part and not (columns and columns[-1] == part):
                    columns.append(part)
    return columns


def _column_kind(name: str) -> str:
    for kind, pattern in _COLUMN_KINDS:
        if pattern.search(name):
            return kind
    return "text"


def _frequent_persons(lines: list[Line]) -> set[str]:
    counts: dict[str, int] = {}
    for _, text in lines:
        t = _norm(text)
        if _PERSON.match(t) and not _UNIT.match(t):
            counts[t] = counts.get(t, 0) + 1
    return {name for name, n in counts.items() if n >= 3}


def _kind_of(text: str, persons: set[str]) -> str:
    if text in persons:
        return "person"
    if _SCHEDULE.match(text):
        return "schedule"
    if len(text) <= 30 and _UNIT.match(text):
        return "unit"
    return "text"


def _place(rows, kinds: list[str], col: int, frag: Line, kind: str, lines: list[Line], k: int) -> int:
    """Put ``frag`` (source line, text) in the current row (or a new sub-row); return the column used."""
    text = frag[1]
    row = rows[-1]
    current = kinds[col]
    if kind == "text":
        if (
            current in ("text", "schedule")
            and row[col]
            and not _starts_subtask(row[col], current, text, lines, k)
        ):
            row[col].append(frag)
            return col
        target = _next_column(kinds, col + (1 if row[col] else 0), ("text", "schedule"))
        if target is None or (current == "schedule" and row[col]):
            target = _next_column(kinds, 1, ("text",), after_first_text=True)
            if target is None:
                row[col].append(frag)
                return col
            rows.append([[] for _ in kinds])
            rows[-1][target].append(frag)
            return target
        row[target].append(frag)
        return target
    target = _next_column(
        kinds,
        col if kind == current and kind != "person" and row[col] else col + (1 if row[col] else 0),
        (kind,),
    )
    if kind == current and kind in ("schedule", "unit") and row[col]:
        row[col].append(frag)
        return col
    if target is None:
        target = _next_column(kinds, 0, (kind,))
        if target is None:
            row[col].append(frag)
            return col
        rows.append([[] for _ in kinds])
    rows[-1][target].append(frag)
    return target


def _next_column(
    kinds: list[str], start: int, wanted: tuple[str, ...], after_first_text: bool = False
) -> int | None:
    seen_text = False
    for i in range(max(start, 0), len(kinds)):
        if kinds[i] in wanted:
            if after_first_text and not seen_text:
                seen_text = True
                continue
            return i
    return None


def _starts_subtask(cell: list[Line], current: str, text: str, lines: list[Line], k: int) -> bool:
    """After a finished schedule, short text followed by a unit or a schedule is a new sub-task."""
    if current != "schedule" or not re.search("[。；;]$", cell[-1][1]) or len(text) > 14:
        return False
    for _, ahead in lines[k : k + 40]:
        t = _norm(ahead)
        if not t:
            continue
        if _SCHEDULE.match(t) or (_UNIT.match(t) and len(t) <= 30):
            return True
        if len(t) > 14 or _SERIAL.match(t):
            return False
    return False


def _join(fragments: list[Line], units: bool, notes: list[Problem]) -> str:
    """A cell's fragments as one text, TeX corrected (also when broken over two lines) and reported,
    in ``notes``, on the line where it starts."""
    out = ""
    starts: list[Line] = []  # offset in ``out`` → source line
    for line, frag in fragments:
        frag = _tidy(frag)
        if out and units and _UNIT_PREFIX.match(frag):
            out += "、"
        elif out and _ITEM_START.match(frag):
            out += " "
        starts.append((len(out), line))
        out += frag
    edits = _tex_artefacts(out)
    if edits:
        by_line: dict[int, list[Edit]] = {}
        for edit in edits:
            line = next(n for offset, n in reversed(starts) if offset <= edit.at)
            by_line.setdefault(line, []).append(edit)
        notes.extend(
            _artefact(describe_edits(out, group, context=len(out)), line) for line, group in by_line.items()
        )
        out = apply_edits(out, edits)
    return _tidy(out)


# --- Markdown ---------------------------------------------------------------


def _combined_header(header: list[list[str]], width: int) -> list[str]:
    rows = [list(h) + [""] * (width - len(h)) for h in header]
    if len(rows) == 1:
        return rows[0]
    top, bottom = rows[0], rows[-1]
    filled = []
    last = ""
    for i, cell in enumerate(top):
        if cell:
            last = cell
            filled.append(cell)
        else:
            filled.append(last if bottom[i] and i > 0 else "")
    return [" ".join(p for p in (a, b) if p) for a, b in zip(filled, bottom)]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ").strip()
