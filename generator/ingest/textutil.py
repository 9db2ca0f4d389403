"""Small text helpers shared by the parser: CJK spacing, artefact cleaning, widths."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u2014-\u201f\u2026\u00b7\u2160-\u217f"
# A space is a line-wrap artefact unless it separates two ASCII letters/digits.
_SPACE_RUN = re.compile(r"[ \t\u3000\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")

_TEX_SUB = re.compile(r"\s*[_^]\{([^{}]*)\}")
_TEX_SYMBOLS = {
    r"\geq": "≥",
    r"\leq": "≤",
    r"\ge": "≥",
    r"\le": "≤",
    r"\%": "%",
    r"\times": "×",
    r"\sim": "~",
    r"\pm": "±",
    r"\cdot": "·",
    r"\div": "÷",
    r"\neq": "≠",
    r"\approx": "≈",
}
_TEX_SYMBOL_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(_TEX_SYMBOLS, key=len, reverse=True)) + r"(?![A-Za-z])"
)
_LEADING_DASH = re.compile(r"^[-•]\s+(?=\S)")
_BOLD = re.compile(r"\*\*|</?(?:p|br|span|div|td|tr|b|strong)\s*/?>", re.I)


@functools.lru_cache(maxsize=1 << 16)  # the parse's phases ask again and again for the same lines
def spaceless(text: str) -> str:
    return "".join(text.split())  # str.split's whitespace is the pattern \s's, three times as fast


def join_cjk(text: str) -> str:
    """Drop spaces that are wrap artefacts; keep one space between two ASCII words."""

    def keep(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return " " if _ASCII_WORD.match(before or " ") and _ASCII_WORD.match(after or " ") else ""

    return _SPACE_RUN.sub(keep, text).strip()


@functools.lru_cache(maxsize=1 << 16)  # as spaceless
def clean_artefacts(text: str) -> str:
    """Text for *comparison* only (matching a title to its TOC entry, recognising a line's kind):
    Markdown marks (``**``, leading ``- ``), HTML tags and TeX removed wherever they are.
    Never store its result: the stored text keeps what was printed (see ``line_artefacts`` and
    ``span_artefacts`` for the artefacts that may be removed, and are recorded)."""
    text = _BOLD.sub("", text)
    text = _LEADING_DASH.sub("", text.strip())
    if "\\" in text or "_{" in text or "^{" in text or "$" in text:
        text = _TEX_SUB.sub(lambda m: m.group(1), text)
        text = _TEX_SYMBOL_RE.sub(lambda m: _TEX_SYMBOLS[m.group(0)], text)
        text = re.sub(r"\$\s*([^$]*?)\s*\$", lambda m: m.group(1).replace(" ", ""), text)
    return text.strip()


# ---------------------------------------------------------------- extraction artefacts in stored text
#
# What the PDF-to-text tools leave in the text that the gazette never printed. Only these are
# removed from a stored text, and each removal is reported (parse records it as a Problem with the
# original): the same characters anywhere else (a ``**`` or ``</div>`` inside a sentence, ``$5``,
# ``$ x $``, ``*``) are the text and stay.
#
# Per source line (``line_artefacts``):
# * a Markdown list marker: ``- `` at the start of a line (``- 刘守全 (区发展和改革委员会)``);
# * a Markdown bold pair around a whole line or table cell (``**一、总体要求**``);
# * the closing half of a bold label whose opening mark was lost (``主任:** 谭丽娜``);
# * an HTML element around a whole line or table cell (``<p>…</p>``).
# Per paragraph or title, after its lines are joined (``span_artefacts``):
# * TeX: inline math that holds TeX markup (``$\geq 10\%$`` → ``≥10%``) and a sub- or
#   superscript written in TeX (``PM _{2.5}`` → ``PM2.5``, ``m^{2}`` → ``m²``);
# * a bold pair around the whole text (a heading bolded over several lines).


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` by ``replacement``. ``anchor``: where the artefact starts, when that
    is elsewhere (the closing mark of a bold pair belongs with its opening mark)."""

    start: int
    end: int
    replacement: str = ""
    anchor: int = -1

    @property
    def at(self) -> int:
        return self.start if self.anchor < 0 else self.anchor


_LIST_MARKER = re.compile(r"^-[ \t]+(?=\S)")
_PAGE_NUMBER_LINE = re.compile(r"^-\s*\d{1,4}\s*-?$")
_WRAP_TAG = re.compile(r"^(\s*)(<(p|td|th|div|span|b|strong)(?:\s[^<>]*)?>)(.*)(</\3\s*>)(\s*)$", re.I | re.S)
_WRAP_BOLD = re.compile(r"^(\s*)(\*\*)(?=\S)(.*?\S)(\*\*)(\s*)$", re.S)
_LABEL_BOLD = re.compile(r"^(\s*[^\s*：:<>|][^*：:<>|]{0,10}[：:])\s*?(\*\*)(?!\*)")
_MATH = re.compile(r"\$([^$\n]+?)\$")
_TEX_MARKUP = re.compile(r"\\[A-Za-z]+|\\[%{}$#&_ ,;!]|[_^]\{")
_TEX_SCRIPT = re.compile(r"(?<=[A-Za-z0-9)）\]])( ?)([_^])\{([^{}\n]{1,12})\}")
_TEX_TEXT_COMMAND = re.compile(r"\\(?:text|mathrm|mathbf|mathit|rm|textrm|operatorname)\s*\{([^{}]*)\}")
_TEX_ESCAPES = {
    r"\%": "%",
    r"\{": "{",
    r"\}": "}",
    r"\$": "$",
    r"\#": "#",
    r"\&": "&",
    r"\_": "_",
    r"\,": "",
    r"\;": "",
    r"\!": "",
    "\\ ": "",
}
_MATH_SYMBOLS = {
    **_TEX_SYMBOLS,
    r"\ldots": "…",
    r"\cdots": "…",
    r"\circ": "°",
    r"\degree": "°",
    r"\lt": "<",
    r"\gt": ">",
    r"\rightarrow": "→",
    r"\to": "→",
    r"\infty": "∞",
    r"\mu": "μ",
    r"\alpha": "α",
    r"\beta": "β",
    r"\Delta": "Δ",
    r"\triangle": "△",
}
_MATH_SYMBOL_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(_MATH_SYMBOLS, key=len, reverse=True)) + r"(?![A-Za-z])"
)
_SUPERSCRIPTS = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")


def line_artefacts(text: str) -> list[Edit]:
    """The extraction artefacts in one source line, as edits (see above); [] for clean text."""
    edits: list[Edit] = []
    start = 0
    marker = _LIST_MARKER.match(text)
    if marker and not _PAGE_NUMBER_LINE.match(text.strip()):
        edits.append(Edit(0, marker.end()))
        start = marker.end()
    pos = start
    for cell in text[start:].split("\t"):
        edits += _cell_artefacts(cell, pos)
        pos += len(cell) + 1
    return edits


def _cell_artefacts(cell: str, base: int) -> list[Edit]:
    edits: list[Edit] = []
    while True:  # <p>**…**</p>: peel wrappers from the outside in
        match = _WRAP_TAG.match(cell)
        if match and f"<{match.group(3).lower()}" not in match.group(4).lower():
            inner = match.start(4)
            edits += [
                Edit(base + match.start(2), base + match.end(2)),
                Edit(base + match.start(5), base + match.end(5)),
            ]
        else:
            match = _WRAP_BOLD.match(cell)
            if not match or "**" in match.group(3):
                break
            inner = match.start(3)
            edits += [
                Edit(base + match.start(2), base + match.end(2)),
                Edit(base + match.start(4), base + match.end(4)),
            ]
        base += inner
        cell = match.group(match.lastindex - 2)
    if cell.count("**") == 1:
        label = _LABEL_BOLD.match(cell)
        if label:
            edits.append(Edit(base + label.start(2), base + label.end(2)))
    return edits


def span_artefacts(text: str) -> list[Edit]:
    """The extraction artefacts in a joined text (a paragraph, a title): TeX, and a bold pair
    around the whole text."""
    edits: list[Edit] = []
    for match in _MATH.finditer(text):
        content = match.group(1)
        if not _TEX_MARKUP.search(content):
            continue  # "$ x $", "$5 … $6": not TeX
        plain = _tex_to_text(content)
        if plain is not None:
            edits.append(Edit(match.start(), match.end(), plain))
    taken = [(e.start, e.end) for e in edits]
    for match in _TEX_SCRIPT.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        script = match.group(3)
        plain = (
            script.translate(_SUPERSCRIPTS)
            if match.group(2) == "^" and re.fullmatch(r"[0-9+-]+", script)
            else script
        )
        edits.append(Edit(match.start(), match.end(), plain))
    whole = _WRAP_BOLD.match(text)
    if whole and "**" not in whole.group(3):
        edits += [
            Edit(whole.start(2), whole.end(2)),
            Edit(whole.start(4), whole.end(4), anchor=whole.start(2)),
        ]
    return sorted(edits, key=lambda e: e.start)


def _tex_to_text(math: str) -> str | None:
    r"""The text TeX math prints (``\geq 10\%`` → ``≥10%``), or None when it holds markup not known here."""
    text = _TEX_TEXT_COMMAND.sub(lambda m: m.group(1), math)
    text = _MATH_SYMBOL_RE.sub(lambda m: _MATH_SYMBOLS[m.group(0)], text)
    for escape, plain in _TEX_ESCAPES.items():
        text = text.replace(escape, plain)
    text = re.sub(r"\s*_\{([^{}]*)\}", lambda m: m.group(1), text)
    text = re.sub(
        r"\s*\^\{([^{}]*)\}",
        lambda m: (
            m.group(1).translate(_SUPERSCRIPTS) if re.fullmatch(r"[0-9+-]+", m.group(1)) else m.group(1)
        ),
        text,
    )
    if "\\" in text or "{" in text or "}" in text:
        return None
    return text.replace(" ", "")


def apply_edits(text: str, edits: list[Edit]) -> str:
    out, pos = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        out += [text[pos : edit.start], edit.replacement]
        pos = edit.end
    return "".join(out) + text[pos:]


def describe_edits(text: str, edits: list[Edit], context: int = 12) -> str:
    """「original」→「corrected」, the whole text when short, else a window around each edit."""
    if not edits:
        return ""
    if len(text) <= 60:
        return f"「{text}」→「{apply_edits(text, edits)}」"
    windows: list[list[Edit]] = []
    for edit in sorted(edits, key=lambda e: e.start):
        if windows and edit.start - windows[-1][-1].end <= 2 * context:
            windows[-1].append(edit)
        else:
            windows.append([edit])
    parts = []
    for group in windows:
        lo, hi = max(0, group[0].start - context), min(len(text), group[-1].end + context)
        before = text[lo:hi]
        after = apply_edits(before, [Edit(e.start - lo, e.end - lo, e.replacement) for e in group])
        pre, post = ("…" if lo else ""), ("…" if hi < len(text) else "")
        parts.append(f"「{pre}{before}{post}」→「{pre}{after}{post}」")
    return "；".join(parts)


def width(text: str) -> int:
    """Display width: CJK and fullwidth count 2, the rest 1."""
    if text.isascii():
        return len(text)
    # Latin-1 characters are all narrow: counted by the C encoder, they are left out of the scan.
    others = _narrow_above_latin1().findall(text)  # a character beyond the BMP is among them …
    wide = 2 * len(text) - len(text.encode("latin-1", "ignore")) - len(others)
    if others and max(others) > "\uffff":  # … and counts 2 when it is wide (CJK extension B, say)
        wide += sum(1 for ch in others if ch > "\uffff" and unicodedata.east_asian_width(ch) in "WF")
    return wide


@functools.cache
def _narrow_above_latin1() -> re.Pattern:
    """Any character but Latin-1 and the wide and fullwidth ones of the BMP (East Asian Width W or
    F, from unicodedata). Counting its matches in C is three times faster than asking per character;
    a class with ranges beyond the BMP would not be. Latin-1 holds no wide character."""
    ranges, start = ["\\x00-\\xff"], None
    for code in range(0x10001):
        wide = code <= 0xFFFF and unicodedata.east_asian_width(chr(code)) in "WF"
        if wide and start is None:
            start = code
        elif not wide and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{code - 1:04x}")
            start = None
    return re.compile("[^" + "".join(ranges) + "]")


def normalise_line(text: str) -> str:
    """Strip spaces around a source line, keeping tabs (they are table cell separators); NBSP and ideographic spaces become plain spaces."""
    line = text.replace("\u00a0", " ").replace("\u3000", " ").replace("\ufeff", "").strip(" \r\n\f\v")
    return line if line.strip() else ""


# Page furniture repeated on every printed page: the masthead, the issue line, a page number.
PAGE_FURNITURE = (
    r"^\S{0,30}公报$"
    r"|^\d{4}\s*年\s*第\s*[\d\s\-－—–]+\s*期(?:\s*[（(]总第[\d\s\-－—–]+期[）)])?$"
    r"|^[-－—–\s]*\d{1,3}[-－—–\s]*$"
)
