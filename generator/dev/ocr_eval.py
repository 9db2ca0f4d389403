"""Character error rate and speed of the OCR of a scanned PDF against the text it was made from.

    python -m generator.dev.ocr_eval SCAN.pdf REFERENCE.txt [FIRST LAST]

OCRs pages FIRST..LAST (1-based, default all) as ingest does (no cache), and compares the
extracted text of each page, whitespace removed, with the stretch of the reference (whitespace
removed) that it matches best, starting where the previous page's ended: CER = edit distance /
reference length, summed over the pages. Prints seconds per page (OCR and layout).
"""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium

from generator.ingest.pdf import extract_text


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def align(hyp: str, ref: str, start: int) -> tuple[int, int, int]:
    """(distance, reference start, reference end): ``hyp`` against the best stretch of ``ref`` that
    starts within a few characters of ``start`` (semi-global edit distance, free start and end)."""
    lo = max(0, start - 40)
    window = ref[lo : start + int(len(hyp) * 1.3) + 80]
    # previous[j]: distance of hyp[:i] against a stretch of window ending at j (free start)
    previous = [0] * (len(window) + 1)
    origin = list(range(len(window) + 1))
    for i, ch in enumerate(hyp, 1):
        current = [i] + [0] * len(window)
        where = [0] + [0] * len(window)
        for j, rc in enumerate(window, 1):
            best, src = previous[j - 1] + (ch != rc), origin[j - 1]
            if previous[j] + 1 < best:
                best, src = previous[j] + 1, origin[j]
            if current[j - 1] + 1 < best:
                best, src = current[j - 1] + 1, where[j - 1]
            current[j], where[j] = best, src
        previous, origin = current, where
    end = min(range(len(window) + 1), key=lambda j: previous[j])
    return previous[end], lo + origin[end], lo + end


def character_errors(extracted, reference: str, first: int = 1, verbose: bool = False) -> tuple[int, int]:
    """(edits, reference characters) of an extracted PDF's text (``PdfText``) against the text it was
    made from, page by page; ``first``: the PDF's first page in the reference's numbering."""
    lines = extracted.text.split("\n")
    by_page: dict[int, list[str]] = {}
    for text, page in zip(lines, extracted.pages):
        by_page.setdefault(page, []).append(text)
    ref = squeeze(reference)
    position = 0
    if first > 1:  # find where the first page starts: its first 12 characters
        head = squeeze("".join(by_page.get(1, [])))[:12]
        position = max(ref.find(head), 0)
    errors = chars = 0
    for page in sorted(by_page):
        hyp = squeeze("".join(by_page[page]))
        distance, begin, end = align(hyp, ref, position)
        errors += distance
        chars += end - begin
        if verbose:
            print(f"page {page + first - 1}: {distance} errors in {end - begin} characters", file=sys.stderr)
        position = end
    return errors, chars


def main(argv: list[str]) -> None:
    scan, reference = Path(argv[0]), Path(argv[1])
    document = pdfium.PdfDocument(scan.read_bytes())
    first, last = (int(argv[2]), int(argv[3])) if len(argv) > 3 else (1, len(document))
    out = pdfium.PdfDocument.new()
    out.import_pages(document, list(range(first - 1, last)))
    buffer = io.BytesIO()
    out.save(buffer)
    times: list[float] = []
    start = time.perf_counter()
    extracted = extract_text(
        buffer.getvalue(),
        scan.name,
        on_ocr_page=lambda page, pages, seconds: (
            times.append(seconds),
            print(f"page {page}/{pages}: {seconds:.2f} s", file=sys.stderr),
        ),
    )
    total = time.perf_counter() - start
    errors, chars = character_errors(extracted, reference.read_text(encoding="utf-8"), first, verbose=True)
    print(
        f"pages {first}-{last}: CER {errors / max(chars, 1):.2%} ({errors} edits / {chars} reference "
        f"characters); {total / (last - first + 1):.2f} s a page in all, OCR {sum(times) / max(len(times), 1):.2f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
