"""The archive as a whole: all records, linked. Pure: built from Issue records, no I/O.

Per-record parsing cannot know what other issues hold; this is where a cited document
number becomes a link, and a document learns what cites and what repealed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import GazetteError
from generator.model.ids import shard_document_page
from generator.model.models import Document, Issue, Problem, Reference
from generator.model.publishers import REGISTRY_FILE, load_registry
from generator.model.records import RecordFileError, load_issue, record_paths, record_stamp

REPEALING_RELATIONS = ("废止", "宣布失效")
STATUSES = ("有效", "已废止", "已宣布失效")  # what Archive.status says


@dataclass
class Citation:
    """A reference resolved against the archive."""

    citing: Document
    reference: Reference
    cited: Document | None  # None when the cited number is not in the archive
    elsewhere: CatalogueEntry | None = None  # in another shard of the archive (from its catalogue)


@dataclass(frozen=True)
class CatalogueEntry:
    """A document of another shard, as the shards' shared catalogue names it."""

    shard: str  # the other shard's folder beside this one
    document_id: str
    title: str

    @property
    def page(self) -> str:
        """Its page, relative to the root of this shard's site (ids.shard_document_page)."""
        return shard_document_page(self.shard, self.document_id)


@dataclass
class Archive:
    issues: list[Issue]
    documents: list[Document] = field(default_factory=list)
    issue_of: dict[str, Issue] = field(default_factory=dict)  # document_id → its issue
    by_id: dict[str, Document] = field(default_factory=dict)
    by_number: dict[str, Document] = field(default_factory=dict)  # corrected doc number text → document
    citations: list[Citation] = field(default_factory=list)
    cited_by: dict[str, list[Citation]] = field(default_factory=dict)  # document_id → citations of it
    repealed_by: dict[str, Citation] = field(default_factory=dict)  # document_id → the repealing citation
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (issue_id, problem)
    # issue_id → what its record file is known by (records.record_stamp), when read from one
    record_stamps: dict[str, str] = field(default_factory=dict)

    def documents_of(self, issue: Issue) -> list[Document]:
        """The issue's documents the archive holds: not one whose id an earlier issue took."""
        return [d for d in issue.documents if self.by_id.get(d.document_id) is d]

    def cites(self, document: Document) -> list[Citation]:
        return self._cites.get(document.document_id, [])

    def status(self, document: Document) -> str:
        """有效, 已废止 or 已宣布失效, as far as the archive knows."""
        citation = self.repealed_by.get(document.document_id)
        if citation is None:
            return "有效"
        return "已废止" if citation.reference.relation == "废止" else "已宣布失效"

    _cites: dict[str, list[Citation]] = field(default_factory=dict, repr=False)


def build_archive(issues: list[Issue], catalogue: dict[str, CatalogueEntry] | None = None) -> Archive:
    """Index and link ``issues`` (sorted newest first by the caller's choice: kept as given).
    ``catalogue`` (document number → a document of another shard) resolves citations of
    documents this archive does not hold."""
    archive = Archive(issues=list(issues))
    for issue in archive.issues:
        for document in issue.documents:
            if document.document_id in archive.by_id:
                other = archive.issue_of[document.document_id]
                archive.problems.append(
                    (
                        issue.issue_id,
                        Problem(
                            "error",
                            "duplicate-document-id",
                            f"文档标识 {document.document_id} 已见于 {other.issue_id}",
                            document.line,
                        ),
                    )
                )
                continue
            archive.documents.append(document)
            archive.issue_of[document.document_id] = issue
            archive.by_id[document.document_id] = document
            if document.doc_number is not None:
                archive.by_number.setdefault(document.doc_number.text, document)
    for document in archive.documents:
        for reference in document.references:
            cited = archive.by_number.get(reference.cited_doc_number)
            if cited is document:
                continue
            elsewhere = (catalogue or {}).get(reference.cited_doc_number) if cited is None else None
            citation = Citation(document, reference, cited, elsewhere)
            archive.citations.append(citation)
            archive._cites.setdefault(document.document_id, []).append(citation)
            if cited is not None:
                archive.cited_by.setdefault(cited.document_id, []).append(citation)
                if reference.relation in REPEALING_RELATIONS:
                    archive.repealed_by.setdefault(cited.document_id, citation)
    return archive


@dataclass(frozen=True)
class IdUse:
    """Where an identifier is used: its issue, the record line, and what it names."""

    issue_id: str
    line: int
    label: str  # the document number, the title or the row, as a reader would recognise it


@dataclass(frozen=True)
class IdCollision:
    kind: str  # "issue", "document", "table", "appointment" or "event"
    id: str
    first: IdUse
    second: IdUse


def id_collisions(issues: list[Issue]) -> list[IdCollision]:
    """Identifiers used twice, in one issue or across issues. Ids become file names, URLs and
    primary keys: two records under one id would lose one of them."""
    seen: dict[tuple[str, str], IdUse] = {}
    found: list[IdCollision] = []

    def use(kind: str, ident: str, where: IdUse) -> None:
        first = seen.setdefault((kind, ident), where)
        if first is not where:
            found.append(IdCollision(kind, ident, first, where))

    for issue in issues:
        use("issue", issue.issue_id, IdUse(issue.issue_id, 1, issue.title or issue.issue_id))
        for document in issue.documents:
            label = document.doc_number.text if document.doc_number else document.title
            use("document", document.document_id, IdUse(issue.issue_id, document.line, label))
            for table in document.tables:
                use("table", table.table_id, IdUse(issue.issue_id, table.line, table.caption or label))
        for row in issue.appointments:
            use(
                "appointment",
                row.appointment_id,
                IdUse(issue.issue_id, row.line, f"{row.person} {row.action}"),
            )
        for event in issue.events:
            use("event", event.event_id, IdUse(issue.issue_id, event.line, event.date))
    return found


# ---------------------------------------------------------------- loading


class ShardError(GazetteError):
    """No publisher matches the shard asked for."""


SHARD_NAME = re.compile(r"(?P<who>.+?)(?:-y(?P<first>\d{4}|0)(?:-(?P<last>\d{4}))?)?")


def shard_name(who: str, years: tuple[int, int] | None = None) -> str:
    """yanzhou, or yanzhou-y2015-2019 for a publisher's issues of 2015 to 2019 (a large publisher
    is split by years); year 0 stands for issues without a year."""
    if years is None:
        return who
    first, last = years
    return f"{who}-y{first}" if first == last else f"{who}-y{first}-{last}"


def select_shard(issues: list[Issue], shard: str | None, slugs: dict[str, str] | None = None) -> list[Issue]:
    """The issues of one publisher, named by region code (370812) or slug (yanzhou, via
    ``slugs``: slug → region code), optionally of some years only (yanzhou-y2015-2019,
    ``shard_name``); all issues when ``shard`` is empty."""
    if not shard:
        return issues
    match = SHARD_NAME.fullmatch(shard)
    who, first, last = match["who"], match["first"], match["last"] or match["first"]
    code = (slugs or {}).get(who, who)
    chosen = [i for i in issues if i.region_code == code]
    if first is not None:
        chosen = [i for i in chosen if int(first) <= (i.year or 0) <= int(last)]
    if not chosen:
        known = sorted({i.region_code for i in issues})
        raise ShardError(
            f"shard {shard!r}: no issues of that publisher{' in those years' if first else ''}; "
            f"region codes here: {', '.join(known)}"
        )
    return chosen


def registry_slugs(content_dir: Path) -> dict[str, str]:
    """slug → region code from the publisher registry of ``content_dir``."""
    registry = load_registry(Path(content_dir) / REGISTRY_FILE)
    return {p.slug: p.region_code for p in registry.publishers if p.slug}


def load_archive(
    content_dir: Path, shard: str | None = None, catalogue: dict[str, CatalogueEntry] | None = None
) -> Archive:
    """All records under ``content_dir`` (one publisher's with ``shard``), linked; citations of
    documents in other shards through ``catalogue``. Raises RecordFileError naming a bad record or
    two records with one id, ShardError for an unknown shard."""
    paths = record_paths(Path(content_dir))
    check_record_files(Path(content_dir), paths)
    slugs = registry_slugs(content_dir) if shard else {}
    if shard:  # a shard's build reads its own records only, not the whole archive's
        paths = shard_record_paths(paths, shard, slugs) or paths
    issues = [load_issue(path) for path in paths]
    path_of = dict(zip((i.issue_id for i in issues), paths))
    check_unique_ids(issues, path_of)
    if shard:
        issues = select_shard(issues, shard, slugs)
    issues.sort(key=lambda i: (i.year or 0, i.published_on, i.issue_id), reverse=True)
    archive = build_archive(issues, catalogue)
    archive.record_stamps = {i.issue_id: record_stamp(path_of[i.issue_id]) for i in issues}
    return archive


_REGION_PREFIX = re.compile(r"(\d{6})-")


def shard_record_paths(paths: list[Path], shard: str, slugs: dict[str, str]) -> list[Path]:
    """The record files that may hold the shard's issues: a record's file is named by its issue
    id, which starts with the publisher's region code; files named otherwise are kept."""
    who = SHARD_NAME.fullmatch(shard)["who"]
    code = slugs.get(who, who)
    return [p for p in paths if (m := _REGION_PREFIX.match(p.name)) is None or m.group(1) == code]


def check_record_files(content_dir: Path, paths: list[Path]) -> None:
    """RecordFileError when there is nothing to publish, or a file looks like a record but
    would not be read (``.yaml``, ``.YML``): a typo must not publish an archive without it."""
    folder = content_dir / "records"
    if not paths:
        raise RecordFileError(folder, "no records; run `gazette ingest SOURCE` first (or check --content)")
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and not path.name.startswith(".")
            and path.suffix.lower() in (".yml", ".yaml")
            and path.suffix != ".yml"
        ):
            raise RecordFileError(path, f"not read: records end in .yml; rename it to {path.stem}.yml")


ID_FIELDS = {
    "issue": "issue_id",
    "document": "document_id",
    "table": "table_id",
    "appointment": "appointment_id",
    "event": "event_id",
}


def check_unique_ids(issues: list[Issue], files: dict[str, Path]) -> None:
    """RecordFileError naming both records when two of them share an id (a hand-edited id, or
    one document ingested twice): the build stops rather than drop one of them."""
    collisions = id_collisions(issues)
    if not collisions:
        return
    c = collisions[0]
    field = ID_FIELDS[c.kind]
    first, second = files.get(c.first.issue_id), files.get(c.second.issue_id)
    where_first = f"{first}:{id_line(first, field, c.id)}" if first else c.first.issue_id
    more = f" ({len(collisions) - 1} more)" if len(collisions) > 1 else ""
    raise RecordFileError(
        second or c.second.issue_id,
        f"{c.kind} id {c.id} of {c.second.label!s:.60} is already the id of "
        f"{c.first.label!s:.60} in {where_first}{more}; two records with one id would "
        f"lose one of them: give one a different {field} in its record",
        id_line(second, field, c.id, nth=2 if first == second else 1) if second else 0,
    )


def id_line(path: Path, field: str, ident: str, nth: int = 1) -> int:
    """The line of the ``nth`` ``field: ident`` in a record file (0 when not found)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return 0
    hits = [
        n
        for n, line in enumerate(lines, 1)
        if line.strip().removeprefix("- ")
        in (f"{field}: {ident}", f"{field}: '{ident}'", f'{field}: "{ident}"')
    ]
    return hits[min(nth, len(hits)) - 1] if hits else 0
