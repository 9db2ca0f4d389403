"""PDF sources with a text layer → gazette text, one paragraph a line, and the PDF page of each line.

The text is read with PDFium (pypdfium2), glyph by glyph with its position, and laid out again:

- a page is read in the direction its glyphs run, so that a page turned with /Rotate whose
  content is drawn turned back reads as it shows;
- text in two columns (a 目录 written row by row across both) is read column by column, each
  column with its own margins;
- running headers and footers are dropped: a line among the first or last two of its page, set
  apart from the body by more than a line's spacing, whose text (numbers aside) comes back at the
  same height on other pages (the gazette's name, "— 3 —"), or that stands where such lines stand
  on other pages (the title of the document under way); and a lone page number near the top or
  bottom edge;
- lines the layout wrapped are joined: a line that runs to the right margin continues on the
  next line when that one starts at the left margin, at the usual line spacing (or at the top
  of the next page); a short line, an indented or centred next line, a wider gap, a 目录 entry's
  page number, or a list item (1. （二） △ …) after a finished sentence ends the paragraph. A
  scanned page (OCR) has its own margins;
- a gap between glyphs wider than the line's letter spacing is a space, a gap as wide as a
  character (a table's columns) a tab.

Paragraphs are separated by a blank line where the page leaves extra space between them, as in
the sample texts. ``PdfText.pages`` gives, for each line of the text, the PDF page it starts on.
"""

from __future__ import annotations

import bisect
import ctypes
import math
import re
import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.ingest.sources import SourceError
from generator.model.models import Document, Issue, Problem

MAGIC = b"%PDF-"
_HEADER_WINDOW = 1024  # readers accept the header anywhere in the first kilobyte
_EOF_WINDOW = 4096  # "%%EOF" must be this close to the end, or the file was cut short

TAB_GAP = 0.9  # a gap of this many ems between two glyphs on a line separates columns
WORD_GAP = 0.25  # a gap this many ems wider than the line's letter spacing is a space
EDGE_LINES = 2  # running headers and footers are among a page's first and last two lines
PAGE_NUMBER_BAND = 0.12  # a lone number this close to the top or bottom edge is a page number
_PAGE_NUMBER = re.compile(
    r"[\s\-—–－·•.()（）\[\]【】第页共/|]*\d{1,3}(?:[\s\-—–－·•.()（）\[\]【】第页共/|]+\d{0,3})*"
)
# A line that starts an item (1. （二） 三、 第五条 △ 12日) after one that ends a sentence starts a
# paragraph even when the line before runs to the margin: a list item that happened to fill its line.
_ITEM_START = re.compile(
    r"\d{1,3}[.．、](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、"
    r"|第[一二三四五六七八九十百零〇\d]+[条章节款]|△|\d{1,2}(?:-\d{1,2})?\s*日\s"
)
_SENTENCE_END = tuple("。；：！？）)」』】〕")


@dataclass
class PdfText:
    """A PDF's text as the parser reads it, with where each line came from."""

    text: str
    pages: list[int]  # 1-based PDF page on which line n (pages[n - 1]) starts
    page_count: int
    empty_pages: list[int] = field(default_factory=list)  # pages without text (not even by OCR)
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR (scanned)
    # what OCR read and what the text keeps instead: (page, as read, as kept)
    ocr_corrections: list[tuple[int, str, str]] = field(default_factory=list)

    def page_of(self, line: int) -> int | None:
        """The PDF page of 1-based text line ``line``, or None outside the text."""
        return self.pages[line - 1] if 1 <= line <= len(self.pages) else None


@dataclass
class _Line:
    page: int  # 1-based
    text: str
    left: float  # left edge of the first visible glyph (PDF units)
    right: float  # right edge of the last visible glyph
    baseline: float
    size: float  # font size of the line's glyphs (the most common)
    height: float = 0.0  # the page's height
    reach: float = 0.0  # right edge of the blank glyphs that end the line, if any
    # The left and right margins of the text the line belongs to, when not the body's: a column,
    # or a scanned page (each scan lies a little differently on its page).
    bounds: tuple[float, float] | None = None
    glyphs: list[_Glyph] = field(default_factory=list, repr=False)  # of a text layer's line
    ocr: bool = False  # read by OCR: its height is known less well


def is_pdf(data: bytes) -> bool:
    """True when ``data`` is a PDF file, by its magic bytes (not by its name)."""
    return MAGIC in data[:_HEADER_WINDOW]


def extract_text(
    data: bytes,
    name: str,
    ocr_cache: Path | None = None,
    on_ocr_page: Callable[[int, int, float], None] | None = None,
) -> PdfText:
    """The text of a PDF. Pages with too little text in their layer (scanned pages) are read by
    OCR (``ocr.py``), their results kept in ``ocr_cache`` when given; ``on_ocr_page(page, pages,
    seconds)`` is told of each. Raises SourceError (one line, naming the file) for an encrypted
    or damaged PDF, an OCR failure (naming the page), or a PDF without any text."""
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c
    except ImportError:
        raise SourceError(
            name, "a PDF: reading PDFs needs the pypdfium2 package (pip install pypdfium2)"
        ) from None
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise SourceError(
            name, "damaged PDF: the file is cut short (no %%EOF at its end); get a complete copy"
        )
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise SourceError(name, _open_error(exc.err_code, pdfium_c)) from None
    except Exception as exc:  # PDFium failing in an unforeseen way is still a damaged file
        raise SourceError(name, f"damaged PDF: cannot be opened ({type(exc).__name__})") from None
    try:
        pages: list[list[_Line]] = []
        ocr_pages: list[int] = []
        corrections: list[tuple[int, str, str]] = []
        unmapped = 0
        count = len(document)
        for index in range(count):
            try:
                page = document[index]
                textpage = page.get_textpage()
                width, height = page.get_size()  # as shown: turned by the page's /Rotate
                if page.get_rotation() in (90, 270):
                    width, height = height, width  # the page's own space, where its glyphs are
                turn = _text_direction(textpage, pdfium_c)
                lines, unreadable = _page_lines(textpage, index + 1, pdfium_c, turn, width, height)
                if turn in (90, 270):  # read across the page as turned: its height is the page's width
                    height = width
                textpage.close()
            except Exception:
                raise SourceError(name, f"damaged PDF: page {index + 1} cannot be read") from None
            for line in lines:
                line.height = height
            lines = _read_columns(lines)
            if _visible_chars(lines) < MIN_TEXT_CHARS:
                start = time.perf_counter()
                read, corrected = _ocr_page(page, index + 1, name, ocr_cache)
                if on_ocr_page:
                    on_ocr_page(index + 1, count, time.perf_counter() - start)
                if _visible_chars(read) > _visible_chars(lines):
                    lines = read
                    ocr_pages.append(index + 1)
                    corrections += corrected
                    if len(lines) >= _OWN_MARGIN_LINES:
                        bounds = _margins(lines)
                        for line in lines:
                            line.bounds = bounds
            page.close()
            pages.append(lines)
            unmapped += unreadable
    finally:
        document.close()
    if unmapped and not any(pages):
        raise SourceError(
            name,
            "its text layer maps no glyph to a character (fonts without a Unicode map) and OCR "
            "reads nothing either; extract its text first",
        )
    result = layout(pages, name)
    result.ocr_pages = ocr_pages
    result.ocr_corrections = corrections
    return result


_OWN_MARGIN_LINES = 8  # a scanned page with this many lines has its own margins
MIN_TEXT_CHARS = 20  # a page with fewer characters in its text layer is read by OCR (a scan)
OCR_SCALE = 110 / 72  # render scanned pages at 110 dpi for OCR: as good as 150 dpi and three times faster


def _visible_chars(lines: list[_Line]) -> int:
    return sum(1 for line in lines for ch in line.text if not ch.isspace() and ch != "\ufffd")


def _ocr_page(
    page, number: int, name: str, cache: Path | None
) -> tuple[list[_Line], list[tuple[int, str, str]]]:
    """The lines of a scanned page, read by OCR: boxes deskewed, grouped into lines top to bottom,
    left to right within a line, in PDF units like the text layer's; and the corrections made to
    what OCR read, as (page, as read, as kept)."""
    from generator.ingest import ocr

    try:
        image = page.render(scale=OCR_SCALE, rev_byteorder=True).to_numpy()[:, :, :3]
    except Exception:
        raise SourceError(name, f"damaged PDF: page {number} cannot be rendered for OCR") from None
    try:
        boxes = ocr.recognise(image, cache)
    except ocr.OcrError as exc:
        raise SourceError(name, f"page {number}: {exc}") from None
    corrections = [
        (number, box.text, _full_width_parens(box.text))
        for box in boxes
        if _full_width_parens(box.text) != box.text
    ]
    return _ocr_lines(boxes, number, page.get_height(), OCR_SCALE), corrections


_ASCII_PAREN = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[()]|[()](?=[\u3000-\u9fff\uff00-\uffef])")


def _full_width_parens(text: str) -> str:
    """The OCR engine reads a Chinese text's full-width parentheses as often as not as ASCII ones:
    a parenthesis next to a CJK character or full-width mark is taken as full-width."""
    return _ASCII_PAREN.sub(lambda m: "（" if m.group() == "(" else "）", text)


def _ocr_lines(boxes, number: int, height: float, scale: float) -> list[_Line]:
    """OCR boxes (corners in pixels at ``scale``) → the page's lines."""
    if not boxes:
        return []
    # The page's skew: the median slope of the top edges of long boxes; corners are turned back.
    slopes = []
    for box in boxes:
        (x0, y0), (x1, y1) = box.corners[0], box.corners[1]
        if x1 - x0 > 4 * abs(box.corners[3][1] - y0):
            slopes.append((y1 - y0) / (x1 - x0))
    angle = -math.atan(statistics.median(slopes)) if slopes else 0.0
    cos, sin = math.cos(angle), math.sin(angle)
    # Turned about the page's centre, where a scanner's turn leaves the text block on average.
    cx = statistics.median(x for box in boxes for x, _ in box.corners)
    cy = height * scale / 2
    placed = []
    for box in boxes:
        xs, ys = [], []
        for x, y in box.corners:
            xs.append(((x - cx) * cos - (y - cy) * sin + cx) / scale)
            ys.append(((x - cx) * sin + (y - cy) * cos + cy) / scale)
        units = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in box.text)
        placed.append((min(xs), max(xs), min(ys), max(ys), _full_width_parens(box.text), units))
    pitches = [(right - left) / units for left, right, _, _, _, units in placed if units >= 6]
    usual = statistics.median(pitches) if pitches else statistics.median(b[3] - b[2] for b in placed) / 1.3
    placed.sort(key=lambda b: (b[2] + b[3]) / 2)
    rows: list[list[tuple]] = []
    for box in placed:
        if rows:
            last = rows[-1]
            top, bottom = min(b[2] for b in last), max(b[3] for b in last)
            overlap = min(bottom, box[3]) - max(top, box[2])
            if overlap >= 0.5 * min(bottom - top, box[3] - box[2]):
                last.append(box)
                continue
        rows.append([box])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b[0])
        longest = max(row, key=lambda b: b[5])
        size = (longest[1] - longest[0]) / longest[5] if longest[5] >= 3 else usual
        parts = [row[0][4]]
        for a, b in zip(row, row[1:]):
            parts.append("\t" if b[0] - a[1] >= TAB_GAP * size else " ")
            parts.append(b[4])
        lines.append(
            _Line(
                page=number,
                text="".join(parts),
                left=row[0][0],
                right=max(b[1] for b in row),
                baseline=height - statistics.median(b[3] for b in row),
                size=size,
                height=height,
                ocr=True,
            )
        )
    return lines


def _open_error(code: int | None, pdfium_c) -> str:
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return (
            "encrypted PDF: it needs a password to open; save a copy without the password "
            "(e.g. qpdf --decrypt --password=PASSWORD in.pdf out.pdf) and ingest that"
        )
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return "encrypted PDF with an unsupported security handler; save a copy without encryption and ingest that"
    return "damaged PDF: it cannot be opened (not a valid PDF file structure); get an undamaged copy"


_DIRECTION_SAMPLE = 150  # glyphs looked at to tell which way a page's text runs


def _text_direction(textpage, pdfium_c) -> int:
    """Which way the page's text runs, in degrees counter-clockwise from left to right: 0, 90 (up
    the page: a page turned with /Rotate 90 whose content is drawn turned back, so that it shows
    upright), 180 or 270. Told by the glyphs themselves, from one to the next on a line (PDFium
    gives them in the order of the page as shown), so that a turned page reads as it is shown."""
    raw = textpage.raw
    count = min(pdfium_c.FPDFText_CountChars(raw), _DIRECTION_SAMPLE)
    x, y = ctypes.c_double(), ctypes.c_double()
    votes: Counter[int] = Counter()
    previous: tuple[float, float] | None = None
    unicode_of, generated, origin = (
        pdfium_c.FPDFText_GetUnicode,
        pdfium_c.FPDFText_IsGenerated,
        pdfium_c.FPDFText_GetCharOrigin,
    )
    for i in range(count):
        code = unicode_of(raw, i)
        if code in (10, 13) or generated(raw, i) == 1:
            previous = None
            continue
        if code in (0, 32, 0x3000) or not origin(raw, i, x, y):
            continue
        if previous is not None:
            dx, dy = x.value - previous[0], y.value - previous[1]
            if abs(dx) > abs(dy):
                votes[0 if dx > 0 else 180] += 1
            elif abs(dy) > abs(dx):
                votes[90 if dy > 0 else 270] += 1
        previous = (x.value, y.value)
    if not votes:
        return 0
    direction, share = votes.most_common(1)[0]
    return direction if direction and share > 0.6 * sum(votes.values()) else 0


def _turned(turn: int, width: float, height: float):
    """Functions from page space to the frame in which text of direction ``turn`` runs left to
    right (baselines falling down the page): of a point, and of a box's left and right edges."""
    if turn == 90:
        return (lambda x, y: (y, width - x)), (lambda r: (r.bottom, r.top))
    if turn == 180:
        return (lambda x, y: (width - x, height - y)), (lambda r: (width - r.right, width - r.left))
    if turn == 270:
        return (lambda x, y: (height - y, x)), (lambda r: (height - r.top, height - r.bottom))
    return (lambda x, y: (x, y)), (lambda r: (r.left, r.right))


def _page_lines(
    textpage, page: int, pdfium_c, turn: int = 0, width: float = 0.0, height: float = 0.0
) -> tuple[list[_Line], int]:
    """The page's lines in the order of its text, each with its glyphs' geometry (in the frame in
    which text running ``turn`` degrees reads left to right); and how many glyphs map to no
    character (a font without a Unicode map)."""
    point, edges = _turned(turn, width, height)
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    rect = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    lines: list[_Line] = []
    glyphs: list[_Glyph] = []
    spaced = False  # a space since the last glyph
    printed_space = False  # a space char of the PDF's own (not inferred by PDFium) since the last glyph
    lead: _Glyph | None = None  # an unmapped glyph as wide as a character that opens the line (a tab)
    trail: list[_Glyph] = []  # blank glyphs since the last visible one
    unmapped = 0
    unicode_of, generated, box, origin, font_size = (  # bound once: called for every glyph
        pdfium_c.FPDFText_GetUnicode,
        pdfium_c.FPDFText_IsGenerated,
        pdfium_c.FPDFText_GetLooseCharBox,
        pdfium_c.FPDFText_GetCharOrigin,
        pdfium_c.FPDFText_GetFontSize,
    )

    def close() -> None:
        if glyphs:
            line = _line(page, glyphs, lead)
            if trail:  # blank glyphs running on to the margin: kept where the line is joined to the next
                line.reach = max(line.right, trail[-1].right)
                wide = trail[-1].right - glyphs[-1].right >= TAB_GAP * glyphs[-1].size
                line.text += "\t" if wide else " "
            elif printed_space:
                line.text += " "
            lines.append(line)
        glyphs.clear()
        trail.clear()

    for i in range(count):
        code = unicode_of(raw, i)
        if code in (10, 13):
            close()
            spaced, printed_space, lead = False, False, None
            continue
        if generated(raw, i) == 1:
            spaced = spaced or code == 32
            continue
        if not box(raw, i, rect):
            continue
        origin(raw, i, x, y)
        _, at_y = point(x.value, y.value)
        left, right = edges(rect)
        size = font_size(raw, i) or 1.0
        char = chr(code) if 0 <= code <= 0x10FFFF else "\ufffd"
        unmapped += code in (0, 0xFFFD)
        if glyphs and abs(at_y - glyphs[-1].baseline) > 0.6 * size:
            close()  # a new line that the text did not break
            spaced, printed_space, lead = False, False, None
        if _blank(char):
            spaced = printed_space = True
            blank = _Glyph(char, left, right, at_y, size, False)
            if glyphs:
                trail.append(blank)
            elif lead is None and not char.isspace() and right - left >= TAB_GAP * size:
                # An unmapped glyph as wide as a character opening the line is a tab (a table row
                # wrapped before a cell); leading spaces (ideographic ones too) are an indent.
                lead = blank
            continue
        blank = sum(g.right - g.left for g in trail)
        glyphs.append(_Glyph(char, left, right, at_y, size, spaced, blank))
        spaced = printed_space = False
        trail.clear()
    close()
    return lines, unmapped


@dataclass
class _Glyph:
    char: str
    left: float
    right: float
    baseline: float
    size: float
    spaced: bool  # a space char (real or inferred by PDFium) stands before it
    blank: float = 0.0  # width of the blank glyphs (spaces, tabs) just before it


def _blank(char: str) -> bool:
    """Whitespace, and characters that print nothing (controls; glyphs without a character)."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Cn")


def _line(page: int, glyphs: list[_Glyph], lead: _Glyph | None) -> _Line:
    """One line's text: a gap as wide as a character between glyphs is a tab (table columns), a
    space char or a gap between Latin letters or digits is a space."""
    parts = ["\t"] if lead else [" "] if glyphs[0].spaced else []
    parts.append(glyphs[0].char)
    gaps = [b.left - a.right for a, b in zip(glyphs, glyphs[1:])]
    usual = max(statistics.median(gaps), 0.0) if gaps else 0.0  # letter spacing (a justified line)
    for glyph, gap in zip(glyphs[1:], gaps):
        extra = gap - usual
        # A wide gap is a column's, unless a narrow space glyph fills it (a justified line's word space).
        if extra >= TAB_GAP * glyph.size and not (0 < glyph.blank < TAB_GAP * glyph.size):
            parts.append("\t")
        elif glyph.spaced or extra >= WORD_GAP * glyph.size:
            parts.append(" ")
        parts.append(glyph.char)
    sizes = Counter(round(g.size, 1) for g in glyphs)
    return _Line(
        page=page,
        text="".join(parts),
        left=(lead or glyphs[0]).left,
        right=glyphs[-1].right,
        baseline=statistics.median(g.baseline for g in glyphs),
        size=sizes.most_common(1)[0][0],
        glyphs=list(glyphs),
    )


# ---------------------------------------------------------------- text set in two columns

COLUMN_GUTTER = 1.0  # ems: the least width of the gap between two columns
COLUMN_ROWS = 4  # a page's text is in two columns where this many lines in a row share a gutter
_NO_GAPS: list[tuple[float, float]] = []


def _gaps(line: _Line) -> list[tuple[float, float]]:
    """The stretches across the page that the line's glyphs leave free, outside it too."""
    free, at = [], -math.inf
    for glyph in sorted(line.glyphs, key=lambda g: g.left):
        if glyph.left > at:
            free.append((at, glyph.left))
        at = max(at, glyph.right)
    free.append((at, math.inf))
    return free


def _common(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if low < high:
            out.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _read_columns(lines: list[_Line]) -> list[_Line]:
    """A page's lines with text set in two columns read column by column.

    A typesetter may write such text row by row across both columns (as a table's rows), so that
    PDFium gives each row as one line. Where at least ``COLUMN_ROWS`` lines in a row leave the same
    gutter free near the middle of the page, some of them with text on both sides of it and the
    left column's text running up to it (wrapped lines, not a table's short cells), the rows are
    cut at the gutter: the left column is read first, then the right, each with its own margins.
    """
    if len(lines) < COLUMN_ROWS or not any(line.glyphs for line in lines):
        return lines
    body_left = min(line.left for line in lines)
    body_right = max(line.right for line in lines)
    middle = (body_left + 0.3 * (body_right - body_left), body_left + 0.7 * (body_right - body_left))

    def gutters(free: list[tuple[float, float]], size: float) -> list[tuple[float, float]]:
        return [
            (low, high)
            for low, high in free
            if high - low >= COLUMN_GUTTER * size
            and middle[0] <= (max(low, body_left) + min(high, body_right)) / 2 <= middle[1]
        ]

    out: list[_Line] = []
    i = 0
    while i < len(lines):
        size = lines[i].size
        free = gutters(_gaps(lines[i]), size) if lines[i].glyphs else _NO_GAPS
        end = i + 1
        while free and end < len(lines) and lines[end].glyphs:
            narrower = gutters(_common(free, _gaps(lines[end])), size)
            if not narrower:
                break
            free, end = narrower, end + 1
        run = lines[i:end]
        widest = max(free, key=lambda gap: min(gap[1], body_right) - max(gap[0], body_left), default=None)
        split = _two_columns(run, widest) if widest and len(run) >= COLUMN_ROWS else None
        if split is None:
            out.append(lines[i])
            i += 1
        else:
            out += split
            i = end
    return out


def _two_columns(run: list[_Line], gutter: tuple[float, float]) -> list[_Line] | None:
    """The run's lines cut at the gutter, left column first; None when the run is not two columns
    of text (too few lines with text on both sides, or a left column of short cells)."""
    low, high = gutter
    both = sum(1 for line in run if line.left < low and line.right > high)
    start = min(line.left for line in run)
    # Lines of text fill most of the left column; a table's short cells (names, numbers) do not.
    filled = sum(
        1
        for line in run
        if max((g.right for g in line.glyphs if g.right <= low), default=start) - start >= 0.6 * (low - start)
    )
    # A table's rows have more columns on one side or the other; text in two columns has at
    # most a page number set off at the end of a line (a 目录's).
    tabular = sum(
        1
        for line in run
        for part in (
            [g for g in line.glyphs if g.right <= low],
            [g for g in line.glyphs if g.left >= high],
        )
        if part and "\t" in _PAGE_REFERENCE.sub("", _line(line.page, part, None).text.strip())
    )
    if both < COLUMN_ROWS - 1 or filled < 2 or tabular > 1:
        return None
    columns: list[list[_Line]] = [[], []]
    for line in run:
        parts = ([g for g in line.glyphs if g.right <= low], [g for g in line.glyphs if g.left >= high])
        for column, glyphs in zip(columns, parts):
            if glyphs:
                part = _line(line.page, glyphs, None)
                part.text = part.text.lstrip(" ")  # the space before the gutter is the gutter's
                part.height = line.height
                column.append(part)
    for column in columns:
        text_lines = [line for line in column if not _PAGE_REFERENCE.search(line.text)] or column
        bounds = (min(line.left for line in column), max(line.right for line in text_lines))
        for line in column:
            line.bounds = bounds
    return columns[0] + columns[1]


def _column_margins(lines: list[_Line]) -> list[_Line]:
    """A page's lines, where text in two columns comes column by column (the left column's lines,
    then the right's from the top again), with each column's margins (``bounds``), so that a line
    wrapped in its column is joined to the next. The order is already right; only the margins
    are set. Two columns: at least ``COLUMN_ROWS`` - 1 lines each, side by side, the right column's
    left edge beyond every line of the left column by a gutter near the middle of the page, the
    left column's text filling it."""
    if len(lines) < 2 * (COLUMN_ROWS - 1):
        return lines
    body_left = min(line.left for line in lines)
    body_right = max(line.right for line in lines)
    for j in range(1, len(lines)):
        first = lines[j]
        if first.bounds or first.baseline <= lines[j - 1].baseline or first.page != lines[j - 1].page:
            continue  # the right column starts with a jump up the page
        gutter = COLUMN_GUTTER * first.size
        start = j  # the left column: the lines before, down the page, short of the right column
        while (
            start > 0
            and not lines[start - 1].bounds
            and lines[start - 1].page == first.page
            and lines[start - 1].right <= first.left - gutter
            and (start == j or lines[start - 1].baseline > lines[start].baseline)
        ):
            start -= 1
        end = j + 1  # the right column: the lines after, down the page, from its left edge on
        while (
            end < len(lines)
            and lines[end].page == first.page
            and lines[end].left >= first.left - 0.5 * first.size
            and lines[end].baseline < lines[end - 1].baseline
        ):
            end += 1
        left, right = lines[start:j], lines[j:end]
        if len(left) < COLUMN_ROWS - 1 or len(right) < COLUMN_ROWS - 1:
            continue
        low, high = max(line.right for line in left), first.left
        centre = (low + high) / 2
        if not (
            body_left + 0.3 * (body_right - body_left) <= centre <= body_left + 0.7 * (body_right - body_left)
        ):
            continue
        if right[0].baseline < left[-1].baseline or right[-1].baseline > left[0].baseline:
            continue  # not side by side
        column_left = min(line.left for line in left)
        filled = sum(1 for line in left if line.right - column_left >= 0.6 * (low - column_left))
        if filled < 2:
            continue
        for column in (left, right):
            text_lines = [line for line in column if not _PAGE_REFERENCE.search(line.text)] or column
            bounds = (min(line.left for line in column), max(line.right for line in text_lines))
            for line in column:
                line.bounds = bounds
    return lines


def layout(pages: list[list[_Line]], name: str) -> PdfText:
    """Pages of lines → the text, running headers and footers dropped and wrapped lines joined."""
    empty = [n for n, lines in enumerate(pages, 1) if not lines]
    if len(empty) == len(pages):
        raise SourceError(
            name,
            "no text on any page, neither in a text layer nor by OCR (blank or unreadable scans?)",
        )
    pitch = _pitch([line for page in pages for line in page])
    lines = [line for page in _drop_running_lines(pages, pitch) for line in _column_margins(page)]
    if not lines:
        raise SourceError(name, "no text on any page besides running headers and page numbers")
    left, right = _margins(lines)
    out: list[str] = []
    out_pages: list[int] = []
    previous: _Line | None = None
    for line in lines:
        joint = _joint(previous, line, (left, right), pitch) if previous is not None else None
        if joint is not None:
            out[-1] = (out[-1].rstrip(" ") if joint else out[-1]) + joint + line.text
        else:
            if previous is not None and _paragraph_gap(previous, line, pitch):
                out.append("")
                out_pages.append(previous.page)
            out.append(line.text)
            out_pages.append(line.page)
        previous = line
    text = "\n".join(part.strip(" ").rstrip() for part in out) + "\n"
    return PdfText(text=text, pages=out_pages, page_count=len(pages), empty_pages=empty)


def _drop_running_lines(pages: list[list[_Line]], pitch: float) -> list[list[_Line]]:
    """Pages without their running headers, footers and page numbers.

    A running line is among the first or last lines of its page, set apart from the body by more
    than a line's spacing, and its text (numbers aside) recurs at the same height on other pages;
    or it is a lone page number near the top or bottom edge.
    """
    edges = [_edge_lines(lines, pitch) for lines in pages]
    seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for n, page_edges in enumerate(edges):
        for line in page_edges:
            seen[_running_key(line.text)].append((n, line.baseline))
    needed = 2 if len(pages) < 6 else 3  # pages on which a running line must recur

    def recurs(line: _Line) -> bool:
        tolerance = (_OCR_HEIGHT_TOLERANCE if line.ocr else 0.5) * line.size
        at = {n for n, baseline in seen[_running_key(line.text)] if abs(baseline - line.baseline) < tolerance}
        return len(at) >= needed

    # The heights at which running lines stand on many pages (the header's and the footer's slot):
    # there, a line set apart from the body is a running line even when its text changes from page
    # to page or comes back too seldom (the title of the document under way, on odd pages only).
    slots: dict[float, set[int]] = defaultdict(set)
    for n, page_edges in enumerate(edges):
        for line in page_edges:
            if not line.ocr and recurs(line):
                slots[round(line.baseline)].add(n)
    slot_heights = [height for height, at in slots.items() if len(at) >= needed]

    def in_slot(line: _Line) -> bool:
        tolerance = (_OCR_HEIGHT_TOLERANCE if line.ocr else 0.5) * line.size
        return any(abs(height - line.baseline) < tolerance for height in slot_heights)

    def running(line: _Line) -> bool:
        return recurs(line) or _page_number(line) or in_slot(line)

    dropped = [{id(line) for line in page_edges if running(line)} for page_edges in edges]
    return [[line for line in lines if id(line) not in drop] for lines, drop in zip(pages, dropped)]


_OCR_HEIGHT_TOLERANCE = 1.5  # ems: how far an OCR'd line's baseline may lie from the text layer's


def _edge_lines(lines: list[_Line], pitch: float) -> list[_Line]:
    """The first and last lines of a page that stand apart from the body: a gap wider than the
    body's line spacing lies between them and the rest."""
    ordered = sorted(lines, key=lambda line: -line.baseline)
    found: list[_Line] = []
    for run in (ordered, ordered[::-1]):
        for n, line in enumerate(run[:EDGE_LINES]):
            after = run[n + 1] if n + 1 < len(run) else None
            apart = after is None or pitch <= 0 or abs(line.baseline - after.baseline) > pitch * 1.25
            if not (apart or (n == 0 and _page_number(line))):
                break
            found.append(line)
    return found


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _page_number(line: _Line) -> bool:
    share = line.baseline / line.height if line.height > 0 else 0.5
    near_edge = share < PAGE_NUMBER_BAND or share > 1 - PAGE_NUMBER_BAND
    return near_edge and bool(_PAGE_NUMBER.fullmatch(line.text.strip()))


def _pitch(lines: list[_Line]) -> float:
    """The body's line spacing within a paragraph, baseline to baseline (0 when no two lines
    follow each other): the smallest spacing that many lines share, so that spacing between
    paragraphs does not count even where most paragraphs are one line long."""
    steps = Counter(
        round((a.baseline - b.baseline) * 2) / 2
        for a, b in zip(lines, lines[1:])
        if a.page == b.page and a.baseline - b.baseline >= 0.8 * min(a.size, b.size)
    )
    if not steps:
        return 0.0
    need = max(3, sum(steps.values()) // 20)
    common = [step for step, count in steps.items() if count >= need]
    return min(common) if common else steps.most_common(1)[0][0]


def _margins(lines: list[_Line]) -> tuple[float, float]:
    """The body's left and right margins: the outermost edges that many lines share."""
    lefts = sorted(line.left for line in lines)
    rights = sorted(line.right for line in lines)
    size = statistics.median(line.size for line in lines)
    need = max(3, len(lines) // 20)

    def shared(values: list[float], at: float, tolerance: float) -> int:
        return bisect.bisect_right(values, at + tolerance) - bisect.bisect_left(values, at - tolerance)

    left = next((v for v in lefts if shared(lefts, v, 0.2 * size) >= need), lefts[0])
    right = next((v for v in reversed(rights) if shared(rights, v, 0.5 * size) >= need), rights[-1])
    return left, right


_NUMBER_GOES_ON = re.compile(r"[\t\d.．,，、%％)）]")  # a line that continues a number wrapped at the margin
_PAGE_REFERENCE = re.compile(r"\t[\s·•….．]*\d{1,4}$")  # a 目录 entry's page, set off at its right


def _joint(previous: _Line, line: _Line, body: tuple[float, float], pitch: float) -> str | None:
    """What joins ``line`` to ``previous`` when the layout wrapped a paragraph there ('' or a
    tab), or None when ``line`` starts a new one. ``body`` is the body's margins; a line in a
    column or on a scanned page has its own (``bounds``)."""
    right = (previous.bounds or body)[1]
    left = (line.bounds or body)[0]
    if max(previous.right, previous.reach) < right - 1.5 * previous.size:
        return None  # a short line ends its paragraph
    if _PAGE_REFERENCE.search(previous.text) and not _NUMBER_GOES_ON.match(line.text):
        return None  # a 目录 entry ends with its page number (digits after it: a number wrapped)
    if line.page != previous.page:
        if line.page != previous.page + 1:
            return None
    else:
        step = previous.baseline - line.baseline
        if not (pitch > 0 and 0 < step <= pitch * 1.25):
            return None  # extra space, or a jump up the page: not the next line of the paragraph
    indent = (line.left - left) / line.size
    if indent <= 0.5:
        at_cell = line.text.startswith("\t") or previous.text.endswith("\t")  # a table row goes on
        if (
            not at_cell
            and _ITEM_START.match(line.text.lstrip())
            and previous.text.rstrip().endswith(_SENTENCE_END)
        ):
            return None
        return ""
    if indent <= 1.5 and previous.right >= right - 0.5 * previous.size and line.bounds == previous.bounds:
        # A line that fills the previous one to the margin and starts one character in: a table
        # row wrapped at a column gap (a paragraph's first line is indented by two characters).
        return "\t"
    return None  # indented or centred: a new paragraph


def _paragraph_gap(previous: _Line, line: _Line, pitch: float) -> bool:
    """Extra space between two lines of one page (or a new page): a blank line in the text."""
    if line.page != previous.page:
        return not ("\t" in previous.text and "\t" in line.text)  # a table goes on over the page
    step = previous.baseline - line.baseline
    return pitch > 0 and (step > pitch * 1.25 or step < 0)


# ---------------------------------------------------------------- where each part of the issue is in the PDF


def page_problems(issue: Issue, pdf: PdfText) -> list[Problem]:
    """Info problems ``pdf-pages`` giving each document's first and last PDF page (and those of
    人事任免 and 大事记), and a warning naming the pages without a text layer. Until the record
    model has a field for it, this is where the pages are kept."""
    lines = pdf.text.split("\n")
    starts = sorted(
        {d.line for d in issue.documents}
        | {a.line for a in issue.appointments}
        | {e.line for e in issue.events}
    )
    problems = []
    for document in issue.documents:
        if not document.line:
            continue
        following = next((s for s in starts if s > document.line), len(lines) + 1)
        end = _last_line_of(document, lines, document.line, following)
        label = document.doc_number.text if document.doc_number else f"《{document.title[:60]}》"
        problems.append(_pages_problem(pdf, document.line, end, label))
        first = pdf.page_of(document.line)
        document.source_pages = [first, pdf.page_of(end) or first] if first else []
    for label, rows in (("人事任免", issue.appointments), ("大事记", issue.events)):
        numbered = [row.line for row in rows if row.line]
        if numbered:
            problems.append(_pages_problem(pdf, min(numbered), max(numbered), label))
    if pdf.ocr_pages:
        problems.append(
            Problem(
                "info",
                "pdf-ocr",
                f"PDF 第 {_listed(pdf.ocr_pages)} 页是扫描的图像，文字由 OCR 识别，可能有识别错误",
            )
        )
    for page, read, kept in pdf.ocr_corrections:
        problems.append(
            Problem(
                "info",
                "ocr-corrected",
                f"PDF 第 {page} 页：OCR 读作“{read}”，按上下文把半角括号改为全角：“{kept}”",
            )
        )
    if pdf.empty_pages:
        problems.append(
            Problem(
                "warning",
                "pdf-page-without-text",
                f"PDF 第 {_listed(pdf.empty_pages)} 页没有文字层，OCR 也没有识别出文字，这些页未收录",
            )
        )
    return problems


def _listed(pages: list[int]) -> str:
    return "、".join(str(n) for n in pages[:20]) + ("…" if len(pages) > 20 else "")


def _pages_problem(pdf: PdfText, first_line: int, last_line: int, label: str) -> Problem:
    first, last = pdf.page_of(first_line), pdf.page_of(last_line) or pdf.page_of(first_line)
    pages = f"第 {first} 页" if first == last else f"第 {first}–{last} 页"
    return Problem("info", "pdf-pages", f"{label}：PDF {pages}", first_line)


def _last_line_of(document: Document, lines: list[str], start: int, following: int) -> int:
    """The last text line before ``following`` whose words the document holds (its body,
    attachments, tables), so that a section heading or a colophon after it does not count."""
    held = _cjk(
        " ".join(
            [document.title, document.body]
            + [a.title + " " + a.body for a in document.attachments]
            + [cell for table in document.tables for row in table.header + table.rows for cell in row]
        )
    )
    end = start
    for n in range(start, min(following, len(lines) + 1)):
        key = _cjk(lines[n - 1])[:8]
        if len(key) >= 4 and key in held:
            end = n
    return end


def _cjk(text: str) -> str:
    return "".join(ch for ch in text if "\u3400" <= ch <= "\u9fff")
