"""What a document or issue page tells machines in its <head>: a description of its own,
schema.org JSON-LD (``Legislation`` for a document, ``PublicationIssue`` for an issue), Open
Graph, Highwire ``citation_*`` tags (Google Scholar, Zotero) and Dublin Core, and the address of
its JSON (rel=alternate); and for the sitemap, the date each page's content last changed.

The functions return plain data for the page's front matter (``gazette_head``); the theme's
main.html writes the tags. Addresses are absolute when the site has an address (``site_url``),
else relative to the site root.
"""

from __future__ import annotations

from typing import Any

from generator.model.archive import Archive
from generator.model.body import plain_text
from generator.model.ids import document_url, issue_url
from generator.model.labels import issue_label
from generator.model.models import Document, Issue

DESCRIPTION_CHARS = 120
SCHEMA_ORG = "https://schema.org"
LEGAL_FORCE = {"有效": f"{SCHEMA_ORG}/InForce", "已废止": f"{SCHEMA_ORG}/NotInForce"}
BASIS_RELATIONS = ("依据", "贯彻", "根据")


def _absolute(site_url: str, url: str) -> str:
    return site_url.rstrip("/") + "/" + url if site_url else url


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def description(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """The first ``limit`` characters of ``text``, whitespace collapsed, cut with an ellipsis."""
    text = _squeeze(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _organisation(name: str, region_code: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "GovernmentOrganization", "name": name}
    if region_code:
        out["identifier"] = {"@type": "PropertyValue", "propertyID": "GB/T 2260", "value": region_code}
    return out


def _periodical(issue: Issue) -> dict[str, Any]:
    return {
        "@type": "Periodical",
        "name": issue.title or f"{issue.publisher}公报",
        "publisher": _organisation(issue.publisher, issue.region_code),
    }


def document_head(document: Document, archive: Archive, site_url: str = "") -> dict[str, Any]:
    issue = archive.issue_of[document.document_id]
    url = _absolute(site_url, document_url(document.document_id))
    title = _squeeze(document.title)
    number = document.doc_number.text if document.doc_number else ""
    summary = description(plain_text(document.body)) or title
    status = archive.status(document)
    issuer = document.issuer or issue.publisher
    cites, bases = [], []
    for citation in archive.cites(document):
        work: dict[str, Any] = {
            "@type": "Legislation",
            "legislationIdentifier": citation.reference.cited_doc_number,
        }
        if citation.cited is not None:
            work["@id"] = _absolute(site_url, document_url(citation.cited.document_id))
            work["name"] = _squeeze(citation.cited.title)
        (bases if citation.reference.relation in BASIS_RELATIONS else cites).append(work)
    legislation: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Legislation",
        "@id": url,
        "url": url,
        "name": title,
        "inLanguage": "zh-Hans",
        "description": summary,
        "legislationType": document.doc_type or None,
        "legislationIdentifier": number or None,
        "legislationDate": document.signed_on or None,
        "datePublished": issue.published_on or None,
        "legislationPassedBy": _organisation(issuer),
        "legislationJurisdiction": {
            "@type": "AdministrativeArea",
            "name": issue.publisher.removesuffix("人民政府"),
        },
        "legislationLegalForce": LEGAL_FORCE.get(status, f"{SCHEMA_ORG}/NotInForce"),
        "isPartOf": {
            "@type": "PublicationIssue",
            "@id": _absolute(site_url, issue_url(issue.issue_id)),
            "name": issue_label(issue),
            "issueNumber": issue.number or None,
            "isPartOf": _periodical(issue),
        },
        "citation": cites or None,
        "isBasedOn": bases or None,
        "encoding": {
            "@type": "MediaObject",
            "encodingFormat": "application/json",
            "contentUrl": _absolute(site_url, f"documents/{document.document_id}.json"),
        },
    }
    meta = {
        "citation_title": title,
        "citation_author": issuer,
        "citation_publication_date": (document.signed_on or issue.published_on).replace("-", "/"),
        "citation_journal_title": issue.title or f"{issue.publisher}公报",
        "citation_publisher": issue.publisher,
        "citation_issue": issue.number,
        "citation_firstpage": str(document.page) if document.page else "",
        "citation_technical_report_number": number,
        "citation_language": "zh",
        "DC.title": title,
        "DC.identifier": number,
        "DC.creator": issuer,
        "DC.publisher": issue.publisher,
        "DC.date": document.signed_on,
        "DC.type": document.doc_type,
        "DC.language": "zh-Hans",
    }
    return {
        "description": summary,
        "jsonld": _compact(legislation),
        "og": {"og:type": "article", "og:title": title, "og:description": summary, "og:url": url},
        "meta": _present(meta),
        "alternate_json": f"documents/{document.document_id}.json",
    }


def issue_head(issue: Issue, archive: Archive, site_url: str = "") -> dict[str, Any]:
    url = _absolute(site_url, issue_url(issue.issue_id))
    label = issue_label(issue)
    titles = [_squeeze(d.title) for d in issue.documents]
    summary = description(f"{label}，收录文件 {len(titles)} 件：" + "；".join(titles))
    publication: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "PublicationIssue",
        "@id": url,
        "url": url,
        "name": label,
        "inLanguage": "zh-Hans",
        "description": summary,
        "issueNumber": issue.number or None,
        "datePublished": issue.published_on or None,
        "publisher": _organisation(issue.publisher, issue.region_code),
        "isPartOf": _periodical(issue),
        "hasPart": [
            {
                "@type": "Legislation",
                "@id": _absolute(site_url, document_url(d.document_id)),
                "name": _squeeze(d.title),
                "legislationIdentifier": d.doc_number.text if d.doc_number else None,
            }
            for d in issue.documents
            if archive.issue_of.get(d.document_id) is issue
        ],
    }
    return {
        "description": summary,
        "jsonld": _compact(publication),
        "og": {"og:type": "website", "og:title": label, "og:description": summary, "og:url": url},
        "meta": _present(
            {
                "DC.title": label,
                "DC.publisher": issue.publisher,
                "DC.date": issue.published_on,
                "DC.language": "zh-Hans",
            }
        ),
        "alternate_json": f"issues/{issue.issue_id}.json",
    }


def _issue_date(issue: Issue) -> str:
    return issue.published_on or max((d.signed_on for d in issue.documents), default="")


def lastmod_by_url(archive: Archive) -> dict[str, str]:
    """The date each document and issue page last changed, by URL, from the records: an issue
    page changes when the issue appears; a document page also when a later document cites it
    (its 被引用 list grows). Not the build date: the sitemap says when content changed."""
    out = {issue_url(i.issue_id): _issue_date(i) for i in archive.issues}
    for document in archive.documents:
        dates = [_issue_date(archive.issue_of[document.document_id]) or document.signed_on]
        dates += [
            _issue_date(archive.issue_of[c.citing.document_id])
            for c in archive.cited_by.get(document.document_id, [])
        ]
        out[document_url(document.document_id)] = max(dates)
    return {url: date for url, date in out.items() if date}


def _present(meta: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in meta.items() if value}


def _compact(value: Any) -> Any:
    """Drop None values and empty lists, recursively: JSON-LD leaves unknown properties out."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value
