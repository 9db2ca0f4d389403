"""The archive as a whole: all records, linked. Pure: built from Issue records, no I/O.

Per-record parsing cannot know what other issues hold; this is where a cited document
number becomes a link, and a document learns what cites and what repealed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Document, Issue, Problem, Reference

REPEALING_RELATIONS = ("废止", "宣布失效")


@dataclass
class Citation:
    """A reference resolved against the archive."""

    citing: Document
    reference: Reference
    cited: Document | None  # None when the cited number is not in the archive


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

    def cites(self, document: Document) -> list[Citation]:
        return self._cites.get(document.document_id, [])

    def status(self, document: Document) -> str:
        """有效, 已废止 or 已宣布失效, as far as the archive knows."""
        citation = self.repealed_by.get(document.document_id)
        if citation is None:
            return "有效"
        return "已废止" if citation.reference.relation == "废止" else "已宣布失效"

    _cites: dict[str, list[Citation]] = field(default_factory=dict, repr=False)


def build_archive(issues: list[Issue]) -> Archive:
    """Index and link ``issues`` (sorted newest first by the caller's choice: kept as given)."""
    archive = Archive(issues=list(issues))
    for issue in archive.issues:
        for document in issue.documents:
            if document.document_id in archive.by_id:
                other = archive.issue_of[document.document_id]
                archive.problems.append((issue.issue_id, Problem(
                    "error", "duplicate-document-id",
                    f"文档标识 {document.document_id} 已见于 {other.issue_id}", document.line)))
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
            citation = Citation(document, reference, cited)
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
            use("appointment", row.appointment_id, IdUse(issue.issue_id, row.line, f"{row.person} {row.action}"))
        for event in issue.events:
            use("event", event.event_id, IdUse(issue.issue_id, event.line, event.date))
    return found
