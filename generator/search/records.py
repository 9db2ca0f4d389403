"""Search records: what is indexed, from the archive and the built pages (pure)."""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass, field

from generator.errors import GazetteError
from generator.model import ids
from generator.model.archive import Archive
from generator.model.labels import cn_date, issue_label
from generator.model.models import Appointment, Document, Event, Issue
from generator.search.keys import (
    KIND_APPOINTMENT,
    KIND_DOCUMENT,
    KIND_EVENT,
    KIND_ISSUE,
    LANGUAGE,
)

_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*)</article>', re.DOTALL)
_META_CARD = re.compile(r'<div class="gz-meta">.*?</div>', re.DOTALL)
_H1 = re.compile(r"<h1\b.*?</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)


class SearchIndexError(GazetteError):
    """The search index could not be written (one line, naming the folder or file)."""


@dataclass
class SearchRecord:
    """One search result: a page (``page_html`` set) or a custom record (``content`` set)."""

    rid: str
    kind: str
    url: str  # from the site root, e.g. /documents/jiyanzhengfa-2021-5/
    title: str
    content: str = ""
    page_html: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)
    exact: list[str] = field(default_factory=list)  # its own document number, person: ranked first


# ---------------------------------------------------------------- records


def page_url(docs_path: str) -> str:
    """documents/x.md → /documents/x/: the page's URL from the site root (ids.page_url)."""
    return "/" + ids.page_url(docs_path)


def html_path(url: str) -> str:
    """/documents/x/ → documents/x/index.html"""
    return url.strip("/") + "/index.html" if url.strip("/") else "index.html"


def plain_text(fragment: str) -> str:
    """An HTML fragment's text, each run of whitespace one space, none at the ends (str.split's
    whitespace, which is re's \\s: tests/test_parse_coverage.py)."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def article(page_html: str) -> str:
    m = _ARTICLE.search(page_html)
    return m.group(1) if m else ""


def search_records(archive: Archive, read_page) -> list[SearchRecord]:
    """Every record to index. ``read_page(url)`` returns a built page's HTML ("" if missing)."""
    return list(iter_search_records(search_input(archive), read_page))


SearchInput = list[tuple[str, list[SearchRecord]]]  # each issue's id and records (search_input)


def iter_search_records(issues: SearchInput, read_page):
    """The records of ``search_input``'s issues with their pages' text, one at a time."""
    for _, records in issues:
        yield from with_pages(records, read_page)


PAGE_KINDS = (KIND_ISSUE, KIND_DOCUMENT)  # records of a page, found by its built HTML's text


def search_input(archive: Archive) -> SearchInput:
    """Each issue's id and records (``issue_records``): everything the search index needs of
    the archive, made while a build holds it, so that the index need not read the records again."""
    return [(issue.issue_id, issue_records(archive, issue)) for issue in archive.issues]


def issue_records(archive: Archive, issue: Issue) -> list[SearchRecord]:
    """The records of one issue: its page, its documents, its 大事记 and 人事任免 entries; the
    page records (PAGE_KINDS) without their text, which ``with_pages`` reads from the pages."""
    issue_url = "/" + ids.issue_url(issue.issue_id)
    base_filters = _issue_filters(issue)
    records = [
        SearchRecord(
            rid=issue.issue_id,
            kind=KIND_ISSUE,
            url=issue_url,
            title=issue_label(issue),
            meta={"date": cn_date(issue.published_on), "publisher": issue.publisher},
            filters={**base_filters, "kind": [KIND_ISSUE]},
            sort={"date": issue.published_on},
        )
    ]
    for document in archive.documents_of(issue):
        records.append(
            _document_record(document, issue, "/" + ids.document_url(document.document_id), base_filters)
        )
    records += [_event_record(event, issue, issue_url, base_filters) for event in issue.events]
    records += [_appointment_record(a, issue, issue_url, base_filters) for a in issue.appointments]
    return records


def with_pages(records: list[SearchRecord], read_page):
    """``records`` with each page record's text from its built page (``read_page(url)``): an
    issue's heading and metadata card, a document's content area; a page record whose page is
    missing is left out. The records are not changed."""
    for record in records:
        if record.kind not in PAGE_KINDS:
            yield record
            continue
        page = article(read_page(record.url))
        if not page:
            continue
        if record.kind == KIND_ISSUE:
            page = "".join(m.group() for m in (_H1.search(page), _META_CARD.search(page)) if m)
        yield dataclasses.replace(record, page_html=page)


def _issue_filters(issue: Issue) -> dict[str, list[str]]:
    filters = {"publisher": [issue.publisher]}
    if issue.year:
        filters["year"] = [str(issue.year)]
    return filters


def _document_record(
    document: Document, issue: Issue, url: str, base_filters: dict[str, list[str]]
) -> SearchRecord:
    number = document.doc_number.text if document.doc_number else ""
    exact = [n for n in (number, document.doc_number.printed if document.doc_number else "") if n]
    meta = {
        "docno": number,
        "date": cn_date(document.signed_on or issue.published_on),
        "publisher": issue.publisher,
        "issue": issue_label(issue),
    }
    filters = {**base_filters, "kind": [KIND_DOCUMENT]}
    if document.doc_type:
        filters["doctype"] = [document.doc_type]
    if document.section:
        filters["section"] = [document.section]
    return SearchRecord(
        rid=document.document_id,
        kind=KIND_DOCUMENT,
        url=url,
        title=document.title or "（无标题）",
        meta={k: v for k, v in meta.items() if v},
        filters=filters,
        sort={"date": document.signed_on or issue.published_on},
        exact=exact,
    )


def _event_record(event: Event, issue: Issue, issue_url: str, base_filters) -> SearchRecord:
    date = cn_date(event.date) + (f"至{cn_date(event.end_date)}" if event.end_date else "")
    title = _shorten(event.text, 36)
    return SearchRecord(
        rid=event.event_id,
        kind=KIND_EVENT,
        url=f"{issue_url}#events",
        title=f"大事记：{title}",
        content=f"{date} {event.text}",
        exact=[],
        meta={"date": date, "publisher": issue.publisher, "issue": issue_label(issue)},
        filters={**base_filters, "kind": [KIND_EVENT], "section": ["大事记"]},
        sort={"date": event.date},
    )


def _appointment_record(a: Appointment, issue: Issue, issue_url: str, base_filters) -> SearchRecord:
    statement = a.text or f"{a.person}{a.action}{a.post}"
    title = " ".join(x for x in (a.person, a.action, a.post) if x)
    content = " ".join(
        x
        for x in (
            cn_date(a.decided_on),
            a.authority,
            statement,
            f"（{a.note}）" if a.note and a.note not in statement else "",
        )
        if x
    )
    return SearchRecord(
        rid=a.appointment_id,
        kind=KIND_APPOINTMENT,
        url=f"{issue_url}#appointments",
        title=f"人事任免：{title}",
        content=content,
        exact=[a.person] if a.person else [],
        meta={"date": cn_date(a.decided_on), "publisher": issue.publisher, "issue": issue_label(issue)},
        filters={**base_filters, "kind": [KIND_APPOINTMENT], "section": ["人事任免"]},
        sort={"date": a.decided_on},
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- Pagefind input


def record_text(record: SearchRecord) -> str:
    """What a record is found by and shows in results: its page's content area as text, or
    its title and own text."""
    if record.page_html:
        return plain_text(_HEADERLINK.sub("", record.page_html))
    return f"{record.title} {record.content}"


def record_html(record: SearchRecord, with_text: bool = True) -> str:
    """The HTML handed to Pagefind for a record: its metadata, filters, title and, when
    ``with_text``, its content (for Pagefind alone, search_eval's comparison)."""
    parts = [
        f'<html lang="{LANGUAGE}"><head><title>{html.escape(record.title)}</title></head><body>',
        "<main data-pagefind-body>",
    ]
    if not with_text:
        parts.append(f"<h1>{html.escape(record.title)}</h1>")
    elif record.page_html:
        parts.append(record.page_html)
    else:
        parts.append(f"<h1>{html.escape(record.title)}</h1><p>{html.escape(record.content)}</p>")
    meta = {"title": record.title, "kind": record.kind, "rid": record.rid, "link": record.url, **record.meta}
    for key, value in meta.items():
        parts.append(f'<span hidden data-pagefind-meta="{key}:{html.escape(value, quote=True)}"></span>')
    for key, values in record.filters.items():
        for value in values:
            parts.append(
                f'<span hidden data-pagefind-filter="{key}:{html.escape(value, quote=True)}"></span>'
            )
    for key, value in record.sort.items():
        if value:
            parts.append(f'<span hidden data-pagefind-sort="{key}:{html.escape(value, quote=True)}"></span>')
    parts.append("</main></body></html>")
    return "".join(parts)
