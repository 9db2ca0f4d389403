"""Small text helpers shared by the parser: CJK spacing, artefact cleaning, widths."""

from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u2014-\u201f\u2026\u00b7\u2160-\u217f"
# A space is a line-wrap artefact unless it separates two ASCII letters/digits.
_SPACE_RUN = re.compile(r"[ \t\u3000\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")

_TEX_SUB = re.compile(r"\s*[_^]\{([^{}]*)\}")
_TEX_SYMBOLS = {r"\geq": "≥", r"\leq": "≤", r"\ge": "≥", r"\le": "≤", r"\%": "%", r"\times": "×",
                r"\sim": "~", r"\pm": "±", r"\cdot": "·", r"\div": "÷", r"\neq": "≠", r"\approx": "≈"}
_TEX_SYMBOL_RE = re.compile("|".join(re.escape(k) for k in sorted(_TEX_SYMBOLS, key=len, reverse=True))
                            + r"(?![A-Za-z])")
_LEADING_DASH = re.compile(r"^[-•]\s+(?=\S)")
_BOLD = re.compile(r"\*\*|</?(?:p|br|span|div|td|tr|b|strong)\s*/?>", re.I)


def spaceless(text: str) -> str:
    return re.sub(r"\s+", "", text)


def join_cjk(text: str) -> str:
    """Drop spaces that are wrap artefacts; keep one space between two ASCII words."""
    def keep(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return " " if _ASCII_WORD.match(before or " ") and _ASCII_WORD.match(after or " ") else ""

    return _SPACE_RUN.sub(keep, text).strip()


def clean_artefacts(text: str) -> str:
    """Remove extraction artefacts: Markdown marks (``**``, leading ``- ``) and TeX (``PM _{2.5}``)."""
    text = _BOLD.sub("", text)
    text = _LEADING_DASH.sub("", text.strip())
    if "\\" in text or "_{" in text or "^{" in text or "$" in text:
        text = _TEX_SUB.sub(lambda m: m.group(1), text)
        text = _TEX_SYMBOL_RE.sub(lambda m: _TEX_SYMBOLS[m.group(0)], text)
        text = re.sub(r"\$\s*([^$]*?)\s*\$", lambda m: m.group(1).replace(" ", ""), text)
    return text.strip()


def width(text: str) -> int:
    """Display width: CJK and fullwidth count 2, the rest 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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
