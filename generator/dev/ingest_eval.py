"""How well ingest reads each kind of input, against expectations checked by hand.

    python -m generator.dev.ingest_eval [--full-scan]

Per input kind: documents found / expected, and of those found, titles, document numbers and
signing dates exactly as expected; 人事任免 rows exactly as expected where the gold lists them;
seconds, PDF pages per second, and for scanned pages the OCR's seconds per page and character
error rate (from ``ocr_eval``). The expectations:

- text, PDF with a text layer, scanned PDF: the golden records of the four sample gazettes
  (``tests/golden/``, each field checked against its source when it was written); the PDFs are
  the samples typeset (``tests/fixtures/pdf/``). The scanned PDF is the 2-page fixture (its first
  document) unless ``--full-scan`` reads all of ``../shared/corpus/pdf/jiyang-2021-documents-scan.pdf``;
- PDF layouts (``LAYOUTS``): an excerpt of the yanzhou sample typeset in other layouts
  (``tests/fixtures/pdf/README.md``); expected are the golden record's documents the excerpt holds
  and all its 人事任免 rows. Their OCR error rate is that of their scanned pages;
- web page, front matter, one-line text, general layouts: ``tests/fixtures/general/gold.yml``,
  written by hand from the fixtures under ``tests/fixtures/web/`` and ``tests/fixtures/general/``.

Prints a Markdown table (the one in docs/project/ingest.md). OCR starts with an empty cache, so
the scanned PDF's time is the OCR's own.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.dev.ocr_eval import align, character_errors, squeeze
from generator.ingest import ocr, pdf
from generator.ingest.stage import parse_bytes
from generator.model.models import Document, Issue
from generator.model.publishers import load_registry
from generator.model.records import load_issue

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "content" / "sources"
GOLDEN = ROOT / "tests" / "golden"
FIXTURES = ROOT / "tests" / "fixtures"
GOLD = FIXTURES / "general" / "gold.yml"
FULL_SCAN = ROOT.parent / "shared" / "corpus" / "pdf" / "jiyang-2021-documents-scan.pdf"
TITLE_MATCH = 0.6  # title similarity for a found document to stand for an expected one without a number
# The yanzhou excerpt in other layouts (tests/fixtures/pdf/README.md): input kind, file.
LAYOUTS = [
    ("PDF, 目录 in two columns", "yanzhou-2021-03-04-toc-two-columns.pdf"),
    ("PDF, headers changing by page", "yanzhou-2021-03-04-headers.pdf"),
    ("PDF, a page turned (/Rotate), a skewed scan", "yanzhou-2021-03-04-rotated-skewed.pdf"),
    ("PDF, text pages and scanned pages", "yanzhou-2021-03-04-mixed.pdf"),
]
EXCERPT_NUMBERS = {"济兖政办发〔2021〕2号", "济兖政办字〔2021〕8号"}  # the documents the excerpt holds


@dataclass
class Expected:
    title: str
    number: str | None
    signed_on: str


@dataclass
class Tally:
    kind: str
    sources: int = 0
    expected: int = 0
    found: int = 0
    titles: int = 0
    numbers: int = 0
    dates: int = 0
    rows_expected: int = 0
    rows_exact: int = 0
    seconds: float = 0.0
    pages: int = 0
    ocr_errors: int = 0
    ocr_chars: int = 0
    ocr_pages: int = 0
    ocr_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, issue: Issue, expected: list[Expected], rows: list[tuple] | None = None) -> None:
        self.sources += 1
        self.expected += len(expected)
        for want, doc in _pair(expected, issue.documents):
            if doc is None:
                continue
            self.found += 1
            self.titles += doc.title == want.title
            self.numbers += (doc.doc_number.text if doc.doc_number else None) == want.number
            self.dates += doc.signed_on == want.signed_on
        if rows is not None:
            got = Counter((a.person, a.action, a.post, a.decided_on, a.authority) for a in issue.appointments)
            self.rows_expected += len(rows)
            self.rows_exact += sum((Counter(rows) & got).values())


def _pair(expected: list[Expected], found: list[Document]) -> list[tuple[Expected, Document | None]]:
    """Each expected document with the found one that stands for it: the same number, else the most
    similar title (at least TITLE_MATCH), each found document used once."""
    free = list(found)
    pairs = []
    for want in expected:
        match = next(
            (d for d in free if want.number and d.doc_number and d.doc_number.text == want.number), None
        )
        if match is None:
            scored = [
                (difflib.SequenceMatcher(None, want.title, d.title).ratio(), k) for k, d in enumerate(free)
            ]
            best = max(scored, default=(0.0, -1))
            match = free[best[1]] if best[0] >= TITLE_MATCH else None
        if match is not None:
            free.remove(match)
        pairs.append((want, match))
    return pairs


def _from_golden(issue: Issue) -> tuple[list[Expected], list[tuple]]:
    docs = [
        Expected(d.title, d.doc_number.text if d.doc_number else None, d.signed_on) for d in issue.documents
    ]
    rows = [(a.person, a.action, a.post, a.decided_on, a.authority) for a in issue.appointments]
    return docs, rows


def _from_gold(entry: dict) -> tuple[list[Expected], list[tuple]]:
    docs = [Expected(d["title"], d["number"], d["signed_on"]) for d in entry["documents"]]
    return docs, [tuple(row) for row in entry.get("appointments", [])]


def _parse(path: Path, registry, ocr_cache: Path | None = None) -> tuple[Issue, float]:
    data = path.read_bytes()
    start = time.perf_counter()
    issue = parse_bytes(path, data, registry, ocr_cache)
    return issue, time.perf_counter() - start


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(path.read_bytes()))


def _ocr_page_errors(extracted: pdf.PdfText, reference: str) -> tuple[int, int]:
    """(edits, reference characters) of the OCR'd pages of ``extracted``, each aligned on its own
    with the stretch of ``reference`` it was typeset from."""
    ref = squeeze(reference)
    errors = chars = 0
    for page in extracted.ocr_pages:
        hyp = squeeze("".join(t for t, at in zip(extracted.text.split("\n"), extracted.pages) if at == page))
        start = next(
            (found - k for k in range(0, len(hyp) - 8, 8) if (found := ref.find(hyp[k : k + 8])) >= 0), 0
        )
        distance, begin, end = align(hyp, ref, max(start, 0))
        errors, chars = errors + distance, chars + end - begin
    return errors, chars


class _OcrClock:
    """Seconds the OCR engine takes, page by page (``ocr.recognise`` wrapped while evaluating)."""

    def __init__(self):
        self.seconds: list[float] = []
        self._recognise = ocr.recognise

    def __enter__(self):
        def timed(image, cache_dir=None):
            start = time.perf_counter()
            try:
                return self._recognise(image, cache_dir)
            finally:
                self.seconds.append(time.perf_counter() - start)

        ocr.recognise = timed
        return self

    def __exit__(self, *exc):
        ocr.recognise = self._recognise


def evaluate(full_scan: bool = False, progress=None) -> list[Tally]:
    with tempfile.TemporaryDirectory() as ocr_cache:  # empty: the scan is OCR'd once, timed
        return _evaluate(full_scan, Path(ocr_cache), progress)


def _evaluate(full_scan: bool, ocr_cache: Path, progress) -> list[Tally]:
    registry = load_registry(ROOT / "content" / "publishers.yml")
    golden = {p.stem: load_issue(p) for p in sorted(GOLDEN.glob("*.yml"))}
    tallies: dict[str, Tally] = {}

    def tally(kind: str) -> Tally:
        return tallies.setdefault(kind, Tally(kind))

    def run(
        kind: str, path: Path, expected: list[Expected], rows: list[tuple] | None, pdf_file: bool = False
    ):
        if progress:
            progress(f"{kind}: {path.name}")
        t = tally(kind)
        try:
            with _OcrClock() as clock:
                issue, seconds = _parse(path, registry, ocr_cache)
            t.ocr_pages += len(clock.seconds)
            t.ocr_seconds += sum(clock.seconds)
        except Exception as exc:  # a refused source finds nothing; the table says so
            t.sources += 1
            t.expected += len(expected)
            t.rows_expected += len(rows or [])
            t.failures.append(f"{path.name}: {exc}")
            return None
        t.seconds += seconds
        if pdf_file:
            t.pages += _pdf_pages(path)
        t.add(issue, expected, rows)
        return issue

    for source in sorted(SOURCES.glob("*.txt")):
        docs, rows = _from_golden(golden[source.stem])
        run("text (sample gazettes)", source, docs, rows)
    for path in (
        FIXTURES / "pdf" / "yanzhou-2021-03-04.pdf",
        FIXTURES / "pdf" / "yanzhou-2021-03-04-justified.pdf",
    ):
        docs, rows = _from_golden(golden["yanzhou-2021-03-04"])
        run("PDF, text layer", path, docs, rows, pdf_file=True)
    excerpt = [d for d in docs if d.number in EXCERPT_NUMBERS]
    yanzhou = (SOURCES / "yanzhou-2021-03-04.txt").read_text("utf-8")
    for kind, file in LAYOUTS:
        path = FIXTURES / "pdf" / file
        if run(kind, path, excerpt, rows, pdf_file=True) is not None:
            extracted = pdf.extract_text(path.read_bytes(), path.name, ocr_cache)  # OCR from the cache
            if extracted.ocr_pages:
                tally(kind).ocr_errors, tally(kind).ocr_chars = _ocr_page_errors(extracted, yanzhou)
    scan = FULL_SCAN if full_scan else FIXTURES / "pdf" / "jiyang-2021-documents-scan-p1-2.pdf"
    docs, rows = _from_golden(golden["jiyang-2021-documents"])
    kind = "scanned PDF (OCR)" + (", all pages" if full_scan else ", 2 pages")
    if run(kind, scan, docs if full_scan else docs[:1], None, pdf_file=True) is not None:
        extracted = pdf.extract_text(scan.read_bytes(), scan.name, ocr_cache)  # the pages OCR'd above
        errors, chars = character_errors(
            extracted, (SOURCES / "jiyang-2021-documents.txt").read_text("utf-8")
        )
        tally(kind).ocr_errors, tally(kind).ocr_chars = errors, chars
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))["sources"]
    for entry in gold:
        docs, rows = _from_gold(entry)
        run(entry["kind"], FIXTURES / entry["file"], docs, rows)
    return list(tallies.values())


def table(tallies: list[Tally]) -> str:
    head = (
        "| input | sources | documents found / expected | titles exact | numbers exact | dates exact "
        "| 人事任免 rows exact | seconds | PDF pages/s | OCR pages | s / OCR page | OCR CER |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    lines = [head]
    for t in tallies:
        rows = f"{t.rows_exact} / {t.rows_expected}" if t.rows_expected else "–"
        pages = f"{t.pages / t.seconds:.1f}" if t.pages and t.seconds else "–"
        cer = f"{t.ocr_errors / t.ocr_chars:.2%}" if t.ocr_chars else "–"
        ocr_pages = str(t.ocr_pages) if t.ocr_pages else "–"
        per_page = f"{t.ocr_seconds / t.ocr_pages:.1f}" if t.ocr_pages else "–"
        lines.append(
            f"| {t.kind} | {t.sources} | {t.found} / {t.expected} | {t.titles} | {t.numbers} | {t.dates} "
            f"| {rows} | {t.seconds:.2f} | {pages} | {ocr_pages} | {per_page} | {cer} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m generator.dev.ingest_eval", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--full-scan",
        action="store_true",
        help=f"OCR every page of {FULL_SCAN.name} (slow), not the 2-page fixture",
    )
    args = parser.parse_args(argv)
    if args.full_scan and not FULL_SCAN.exists():
        sys.exit(f"{FULL_SCAN}: not found (the shared corpus is beside the project)")
    tallies = evaluate(args.full_scan, progress=lambda message: print(message, file=sys.stderr, flush=True))
    print(table(tallies))
    for t in tallies:
        for failure in t.failures:
            print(f"refused: {failure}", file=sys.stderr)


if __name__ == "__main__":
    main()
