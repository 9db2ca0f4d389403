"""Ingest stage, the I/O edge around the pure parser: source files in, record files out.

All sources are read and parsed first (over all cores when there are several); records
are written only when every source parsed without a fatal problem, so a failed run changes
nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .models import Issue
from .records import dump_issue, is_hand_edited, record_path, write_atomic

REGISTRY_FILE = "publishers.yml"
MIN_PARALLEL_SOURCES = 4  # fewer: starting worker processes costs more than it saves


class IngestError(Exception):
    """A fatal problem with one source. The message starts with the file (and line)."""


@dataclass
class IngestResult:
    source: Path
    issue: Issue
    record: Path
    status: str = "written"  # written | unchanged | replaced
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)


def read_source(path: Path, registry) -> Issue:
    """One source file → its Issue record. Raises IngestError naming the file."""
    from .parse import parse_source
    from .sources import SourceError, decode_source

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = decode_source(data, str(path))
    except SourceError as exc:
        raise IngestError(str(exc)) from None
    issue = parse_source(text, Path(path).name, registry)
    issue.source_sha256 = hashlib.sha256(data).hexdigest()
    reason = fatal_problem(issue)
    if reason:
        raise IngestError(f"{path}:{reason[0]}: {reason[1]}")
    return issue


def read_sources(paths: list[Path], registry, workers: int | None = None) -> Iterator[tuple[Path, Issue]]:
    """(path, Issue) for each source, in the order given, parsed in ``workers`` processes
    (default: one per core). The first source that fails, in that order, raises its IngestError."""
    paths = [Path(p) for p in paths]
    workers = min(workers or os.cpu_count() or 1, len(paths))
    if workers < 2 or len(paths) < MIN_PARALLEL_SOURCES:
        for path in paths:
            yield path, read_source(path, registry)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_set_worker_registry, initargs=(registry,)) as pool:
        futures = [pool.submit(_read_in_worker, path) for path in paths]
        try:
            for path, future in zip(paths, futures):
                yield path, future.result()
        finally:
            for future in futures:
                future.cancel()


_worker_registry = None  # set once per worker process


def _set_worker_registry(registry) -> None:
    global _worker_registry
    _worker_registry = registry


def _read_in_worker(path: Path) -> Issue:
    return read_source(path, _worker_registry)


def fatal_problem(issue: Issue) -> tuple[int, str] | None:
    """(line, reason) when the parse is too doubtful to become a record; the parser only reports problems."""
    if not issue.documents:
        return 1, "no documents found: is this a gazette (人民政府公报) text?"
    for problem in issue.problems:
        if problem.code == "duplicate-doc-number":
            return problem.line, f"{problem.message}: two documents with one number; correct the source"
    missing = [p for p in issue.problems if p.code == "toc-entry-without-body"]
    if len(missing) >= 2 and len(missing) * 5 >= len(issue.toc):
        return missing[0].line, (f"{len(missing)} of {len(issue.toc)} table-of-contents entries have no text: "
                                 "the source looks truncated")
    return None


def ingest(sources: list[Path], content_dir: Path, force: bool = False,
           progress: Callable[[Path], None] | None = None, workers: int | None = None) -> list[IngestResult]:
    """Parse ``sources`` (in ``workers`` processes, default one per core) and write their
    records under ``content_dir``. All or nothing."""
    from .publishers import load_registry

    content_dir = Path(content_dir)
    registry = load_registry(content_dir / REGISTRY_FILE)
    results: list[IngestResult] = []
    seen: dict[str, Path] = {}
    for source, issue in read_sources(list(sources), registry, workers):
        if progress:
            progress(Path(source))
        if issue.issue_id in seen:
            raise IngestError(f"{source}: same issue ({issue.issue_id}) as {seen[issue.issue_id]}: ingest each issue once")
        seen[issue.issue_id] = Path(source)
        results.append(IngestResult(Path(source), issue, record_path(content_dir, issue.issue_id)))

    for result in results:
        text = dump_issue(result.issue)
        if result.record.exists():
            old = result.record.read_text(encoding="utf-8", errors="replace")
            previous_source = _recorded_source(old)
            if previous_source and previous_source != result.source.name and not force:
                raise IngestError(
                    f"{result.source}: issue {result.issue.issue_id} was already ingested from {previous_source} "
                    f"({result.record}); ingest each issue once, or use --force to replace it")
            if old == text:
                result.status = "unchanged"
                continue
            if is_hand_edited(old):
                if not force:
                    raise IngestError(
                        f"{result.record}: edited by hand since ingest; not overwritten. Keep your edits "
                        f"(do nothing), or re-run with --force to replace it (a backup is kept)")
                result.backup = _backup(result.record, old)
            result.status = "replaced"
        kept = content_dir / "sources" / result.source.name
        if kept.exists() and kept.resolve() != result.source.resolve() and kept.read_bytes() != result.source.read_bytes():
            raise IngestError(f"{result.source}: a different source named {result.source.name} is already in {kept.parent}; rename the file")

    for result in results:
        if result.status == "unchanged":
            continue
        write_atomic(result.record, dump_issue(result.issue))
        _keep_source(result.source, content_dir)
    return results


def _recorded_source(record_text: str) -> str:
    for line in record_text.split("\n", 40):
        if line.startswith("source: "):
            return line[len("source: "):].strip().strip("'\"")
    return ""


def _backup(record: Path, text: str) -> Path:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    target = record.parent / ".replaced" / f"{record.stem}.{digest}.yml"
    write_atomic(target, text)
    return target


def _keep_source(source: Path, content_dir: Path) -> None:
    """The archive keeps a copy of every source it was built from."""
    target = content_dir / "sources" / source.name
    if target.resolve() == source.resolve():
        return
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(target)
