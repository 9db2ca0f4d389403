"""Ingest stage, the I/O edge around the pure parser: source files in, record files out.

All sources are read and parsed first (over all cores when there are several); records
are written only when every source parsed without a fatal problem, so a failed run changes
nothing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from generator.errors import GazetteError
from generator.model.models import Issue
from generator.model.publishers import REGISTRY_FILE
from generator.model.records import dump_issue, is_hand_edited, record_path, remember_parsed

MIN_PARALLEL_SOURCES = 4  # fewer: starting worker processes costs more than it saves
AHEAD = 4  # sources submitted per worker beyond the one being read


class IngestError(GazetteError):
    """A fatal problem with one source. The message starts with the file (and line)."""


@dataclass
class IngestResult:
    source: Path
    issue: Issue
    record: Path
    status: str = "written"  # written | unchanged | replaced
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)
    data: bytes = field(default=b"", repr=False)  # the source as read, once
    text: str | None = field(default=None, repr=False)  # its record, as dumped when parsed
    parsed: bytes = field(default=b"", repr=False)  # that record read back, pickled


def read_source(path: Path, registry) -> Issue:
    """One source file → its Issue record. Raises IngestError naming the file."""
    return parse_bytes(path, read_bytes(path), registry)


def check_source_name(path: Path) -> None:
    """The file name is kept (content/sources/NAME) and shown: it must be a plain, visible name."""
    name = Path(path).name
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise IngestError(
            f"{str(path)!r}: the file name holds a line break or control character; rename the file"
        )
    if name.startswith("."):
        raise IngestError(f"{path}: hidden file name (starts with '.'); rename the file")


MAX_SOURCE_BYTES = 1 << 30  # 1 GB: a scanned gazette of a few hundred pages is far less


def read_bytes(path: Path) -> bytes:
    """The whole source, read once. Pipes, devices and folders are refused before opening
    (a FIFO with no writer would wait forever)."""
    check_source_name(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = (
            "a pipe or FIFO (process substitution?)"
            if stat.S_ISFIFO(mode)
            else "a folder"
            if stat.S_ISDIR(mode)
            else "not a regular file (a device or socket)"
        )
        raise IngestError(f"{path}: {kind}: save the gazette text to a file and ingest that file")
    size = os.stat(path).st_size
    if size > MAX_SOURCE_BYTES:
        raise IngestError(
            f"{path}: {size / 2**20:,.0f} MB is more than any gazette ({MAX_SOURCE_BYTES // 2**20} MB at most); "
            "is it the right file?"
        )
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
            if head and head.count(0) > len(head) * 0.9:  # before reading gigabytes of it
                raise IngestError(f"{path}: binary data (NUL bytes): not a text file or PDF")
            return head + handle.read()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror}") from None


WEB_ADDRESS_RE = re.compile(r"https?://[^\s<>\"']+")  # what a record keeps as a document's source_url
OCR_CACHE_DIR = ".cache/ocr"  # under the content directory: OCR results by page image


def parse_bytes(path: Path, data: bytes, registry, ocr_cache: Path | None = None) -> Issue:
    """A source's bytes (gazette text, or a PDF, told by its magic bytes) → its Issue. A PDF's
    scanned pages are read by OCR, each reported on stderr, the results kept in ``ocr_cache``
    when given."""
    from generator.ingest import pdf
    from generator.ingest.parse import parse_source
    from generator.ingest.sources import SourceError, decode_source

    pdf_text = None
    web_text = None
    try:
        if pdf.is_pdf(data):
            pdf_text = pdf.extract_text(data, str(path), ocr_cache, _ocr_progress(Path(path).name))
            text = pdf_text.text
        else:
            text = decode_source(data, str(path))
            web_text, text = _web_text(path, text)
    except SourceError as exc:
        raise IngestError(str(exc)) from None
    issue = parse_source(text, Path(path).name, registry)
    issue.source_sha256 = hashlib.sha256(data).hexdigest()
    if web_text is not None and web_text.url:
        from generator.model.models import Problem

        issue.problems.append(Problem("info", "source-url", web_text.url, 0))
        if WEB_ADDRESS_RE.fullmatch(web_text.url):  # each document keeps the page it came from
            for document in issue.documents:
                document.source_url = web_text.url
    if pdf_text is not None:
        issue.problems.extend(pdf.page_problems(issue, pdf_text))
    reason = fatal_problem(issue)
    if reason:
        where = f"{path}:{reason[0]}"
        if pdf_text is not None:  # a line of the extracted text means nothing to the reader: its page does
            page = pdf_text.page_of(reason[0])
            where = f"{path}: page {page}" if page else str(path)
        hint = (
            ""
            if registry.publishers
            else (
                "; no publisher is registered (publishers.yml is missing or empty), so none was recognised: "
                "add the gazette's publisher to publishers.yml"
            )
        )
        raise IngestError(f"{where}: {reason[1]}{hint}")
    return issue


def _web_text(path: Path, text: str):
    """(WebText, text for the parser): an HTML page, a text with a header (front matter or
    标题：… lines) or without line breaks is made into gazette text (generator/ingest/web.py);
    any other text passes unchanged."""
    from generator.ingest import web

    try:
        web_text = web.prepare(text, str(path))
    except web.WebSourceError as exc:
        raise IngestError(str(exc)) from None
    return (web_text, web_text.text) if web_text.form else (None, text)


def _ocr_progress(name: str) -> Callable[[int, int, float], None]:
    def report(page: int, pages: int, seconds: float) -> None:
        print(f"{name}: OCR page {page} of {pages} ({seconds:.1f} s)", file=sys.stderr, flush=True)

    return report


class ParsedSource(NamedTuple):
    path: Path
    data: bytes  # the source as read, once
    issue: Issue
    record: str  # the issue's record (YAML), checked readable
    parsed: bytes  # that record as the build reads it (pickled), for the record cache


def read_sources(
    paths: list[Path], registry, workers: int | None = None, ocr_cache: Path | None = None
) -> Iterator[ParsedSource]:
    """Each source read once, parsed and dumped to its record text in ``workers`` processes
    (default: one per core), yielded in the order given. The first source that fails, in that
    order, raises its IngestError."""
    paths = [Path(p) for p in paths]
    workers = min(workers or os.cpu_count() or 1, len(paths))
    if workers < 2 or len(paths) < MIN_PARALLEL_SOURCES:
        for path in paths:
            yield _parse_source(path, registry, ocr_cache)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_set_worker_registry, initargs=(registry,)
    ) as pool:
        # a few sources ahead of the one yielded: parsed results wait in memory only that far
        ahead = deque(pool.submit(_read_in_worker, path, ocr_cache) for path in paths[: workers * AHEAD])
        rest = iter(paths[workers * AHEAD :])
        try:
            while ahead:
                result = ahead.popleft().result()
                following = next(rest, None)
                if following is not None:
                    ahead.append(pool.submit(_read_in_worker, following, ocr_cache))
                yield result._replace(issue=pickle.loads(result.parsed))
        finally:
            for future in ahead:
                future.cancel()


_worker_registry = None  # set once per worker process


def _set_worker_registry(registry) -> None:
    global _worker_registry
    _worker_registry = registry


def _read_in_worker(path: Path, ocr_cache: Path | None) -> ParsedSource:
    """The parsed source without its Issue: the parent reads the Issue from the record's pickle
    (the Issue the build reads), so it is pickled once, not twice."""
    return _parse_source(path, _worker_registry, ocr_cache)._replace(issue=None)


def _parse_source(path: Path, registry, ocr_cache: Path | None) -> ParsedSource:
    """Read, parse and dump one source: the record is written as fast as sources are parsed."""
    data = read_bytes(path)
    issue = parse_bytes(path, data, registry, ocr_cache)
    return ParsedSource(path, data, issue, *record_text(issue, path))


def record_text(issue: Issue, source: Path) -> tuple[str, bytes]:
    """The issue's record and, pickled, the Issue the build will read from it; refused (naming
    the source) when the build could not read it back (a 300-character section name, say)."""
    from generator.model.records import RecordFileError, parse_issue

    text = dump_issue(issue)
    try:
        parsed = pickle.dumps(parse_issue(text, f"{issue.issue_id}.yml"), protocol=pickle.HIGHEST_PROTOCOL)
    except RecordFileError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise IngestError(
            f"{source}: its record would not be readable: {reason}; "
            "correct the source (or its publisher entry)"
        ) from None
    return text, parsed


def fatal_problem(issue: Issue) -> tuple[int, str] | None:
    """(line, reason) when the parse is too doubtful to become a record; the parser only reports problems."""
    if not issue.documents:
        return 1, "no documents found: is this a gazette (人民政府公报) text?"
    for problem in issue.problems:
        if problem.code == "duplicate-doc-number":
            return problem.line, f"{problem.message}: two documents with one number; correct the source"
    missing = [p for p in issue.problems if p.code == "toc-entry-without-body"]
    if len(missing) >= 2 and len(missing) * 5 >= len(issue.toc):
        return missing[0].line, (
            f"{len(missing)} of {len(issue.toc)} table-of-contents entries have no text: "
            "the source looks truncated"
        )
    return None


def ingest(
    sources: list[Path],
    content_dir: Path,
    force: bool = False,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> list[IngestResult]:
    """Parse ``sources`` (in ``workers`` processes, default one per core) and write their
    records and source copies under ``content_dir``: all of them or, on any error, nothing.
    One command at a time holds ``content_dir``."""
    from generator.outputs import locked

    content_dir = Path(content_dir)
    with locked([content_dir], "gazette ingest"):
        return _ingest(sources, content_dir, force, progress, workers)


def _ingest(sources, content_dir: Path, force: bool, progress, workers) -> list[IngestResult]:
    from generator.model.publishers import load_registry
    from generator.outputs import write_files_together

    registry = load_registry(content_dir / REGISTRY_FILE)
    results: list[IngestResult] = []
    seen: dict[str, Path] = {}
    for source, data, issue, text, parsed in read_sources(
        list(sources), registry, workers, content_dir / OCR_CACHE_DIR
    ):
        if progress:
            progress(Path(source))
        if issue.issue_id in seen:
            raise IngestError(
                f"{source}: same issue ({issue.issue_id}) as {seen[issue.issue_id]}: ingest each issue once"
            )
        seen[issue.issue_id] = Path(source)
        results.append(
            IngestResult(
                Path(source),
                issue,
                record_path(content_dir, issue.issue_id),
                data=data,
                text=text,
                parsed=parsed,
            )
        )

    _check_ids_against_archive(results, content_dir)
    writes: list[tuple[Path, bytes]] = []
    for result in results:
        if result.text is None:  # ids told apart since it was dumped
            result.text, result.parsed = record_text(result.issue, result.source)
        text = result.text
        if result.record.exists():
            old = result.record.read_text(encoding="utf-8", errors="replace")
            previous_source = _recorded_source(old)
            if previous_source and previous_source != result.source.name and not force:
                raise IngestError(
                    f"{result.source}: issue {result.issue.issue_id} was already ingested from {previous_source} "
                    f"({result.record}); ingest each issue once, or use --force to replace it"
                )
            if old == text:
                result.status = "unchanged"
                continue
            if is_hand_edited(old):
                if not force:
                    raise IngestError(
                        f"{result.record}: edited by hand since ingest; not overwritten. Keep your edits "
                        f"(do nothing), or re-run with --force to replace it (a backup is kept)"
                    )
                result.backup = _backup_path(result.record, old)
                writes.append((result.backup, old.encode("utf-8")))
            result.status = "replaced"
        kept = content_dir / "sources" / result.source.name
        if kept.exists():
            if kept.read_bytes() != result.data:
                raise IngestError(
                    f"{result.source}: a different source named {result.source.name} is already in "
                    f"{kept.parent}; rename the file"
                )
        else:
            writes.append((kept, result.data))
        writes.append((result.record, text.encode("utf-8")))
    write_files_together(writes)
    for result in results:  # the build's first read of these records skips the YAML
        if result.status != "unchanged":
            remember_parsed(result.record, result.parsed)
    return results


def _check_ids_against_archive(results: list[IngestResult], content_dir: Path) -> None:
    """New records must not take an id another record has. A document whose agency code only
    sounds like another's of the same region (鲁教发 / 卢教发) is told apart (ids.disambiguated);
    anything else (the same number again, a hand-edited id) is refused, naming both."""
    from generator.model.archive import id_collisions
    from generator.model.records import RecordFileError, load_issue, record_paths

    new = {r.issue.issue_id for r in results}
    others = []
    for path in record_paths(content_dir):
        if path.stem in new:
            continue
        try:
            others.append(load_issue(path))
        except RecordFileError:
            continue  # a broken record is the build's to report; it cannot be compared here
    source_of = {r.issue.issue_id: r for r in results}
    for _ in range(3):  # a told-apart id is checked again
        collisions = [
            c for c in id_collisions(others + [r.issue for r in results]) if c.second.issue_id in source_of
        ]
        if not collisions:
            return
        for c in collisions:
            result = source_of[c.second.issue_id]
            document = next((d for d in result.issue.documents if d.document_id == c.id), None)
            if (
                c.kind == "document"
                and document is not None
                and document.doc_number is not None
                and c.first.label != c.second.label
            ):
                _tell_apart(result, document, c)
                continue
            first = (
                f"{source_of[c.first.issue_id].source}:{c.first.line}"
                if c.first.issue_id in source_of
                else str(record_path(content_dir, c.first.issue_id))
            )
            raise IngestError(
                f"{result.source}:{c.second.line}: {c.kind} id {c.id} of {c.second.label!s:.60} is "
                f"already the id of {c.first.label!s:.60} ({first}); two records with one id would "
                f"lose one of them: correct the source, or ingest and give one a different "
                f"{c.kind}_id by hand"
            )
    raise IngestError(f"{results[0].source}: document ids could not be told apart; give them ids by hand")


def _tell_apart(result: IngestResult, document, collision) -> None:
    from generator.model.ids import disambiguated
    from generator.model.models import Problem

    document.document_id = disambiguated(collision.id, document.doc_number.agency)
    result.text = None  # dumped again
    for n, table in enumerate(document.tables, 1):
        table.table_id = f"{document.document_id}-t{n}"
    result.issue.problems.append(
        Problem(
            "info",
            "document-id-disambiguated",
            f"文档标识 {document.document_id}：{collision.second.label} 与已收录的 {collision.first.label}"
            f"（{collision.first.issue_id}）拼音相同，以机关代字的散列区分",
            document.line,
        )
    )


def _recorded_source(record_text: str) -> str:
    for line in record_text.split("\n", 40):
        if line.startswith("source: "):
            return line[len("source: ") :].strip().strip("'\"")
    return ""


def _backup_path(record: Path, text: str) -> Path:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return record.parent / ".replaced" / f"{record.stem}.{digest}.yml"
