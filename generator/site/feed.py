"""The archive's Atom feed (RFC 4287): the newest issues and documents. Pure; deterministic.

Entries are dated by their issue's 出版日期 (a document without one falls back to its
成文日期); the feed's ``updated`` is the latest of those dates, never the build time, so
the same records always give the same bytes. Links are absolute, from ``site_url``.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from generator.model.ids import page_url, tag_uri
from generator.site.pages import SITE_TITLE, Site, issue_label

FEED_PATH = "feed.xml"
FEED_LIMIT = 200  # newest entries kept; the full record is in the data package
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
EPOCH = "1970-01-01"


def _text(value: str) -> str:
    return escape(_CONTROL.sub("", " ".join(str(value or "").split())))


def _stamp(date: str) -> str:
    return f"{date}T00:00:00Z"


def _date(*candidates: str) -> str:
    return next((d for d in candidates if d and _ISO_DATE.match(d)), "")


DEFAULT_ID_AUTHORITY = "gazette-archive.invalid,2026"


def atom_feed(site: Site, site_url: str, id_authority: str = DEFAULT_ID_AUTHORITY) -> bytes:
    """The feed document for ``site`` published at ``site_url`` (absolute, ending in ``/``).
    Entry ids are tag: URIs under ``id_authority`` ("<domain or email>,<year>"): they name the
    page by its path, so they stay the same when the site moves to another host."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    entries: list[tuple[str, int, str, str]] = []  # (date, kind order, id, xml)
    for issue in site.issues:
        date = _date(issue.published_on)
        path = page_url(site.issue_path[issue.issue_id])
        url = base + path
        summary = f"{issue.publisher}，共 {site.document_count(issue)} 件文件"
        if issue.appointments:
            summary += f"，人事任免 {len(issue.appointments)} 项"
        if issue.events:
            summary += f"，大事记 {len(issue.events)} 条"
        entries.append(
            (
                date,
                0,
                issue.issue_id,
                _entry(tag_uri(id_authority, path), url, issue_label(issue), date, summary + "。", ["期刊"]),
            )
        )
    for document in site.archive.documents:
        issue = site.issue_of(document)
        date = _date(issue.published_on, document.printed_on, document.signed_on)
        path = page_url(site.doc_path(document))
        url = base + path
        number = document.doc_number.text if document.doc_number else ""
        summary = "，".join(x for x in (number, document.issuer, issue_label(issue)) if x)
        categories = [c for c in (document.doc_type, document.section) if c]
        entries.append(
            (
                date,
                1,
                document.document_id,
                _entry(
                    tag_uri(id_authority, path),
                    url,
                    document.title or "（无标题）",
                    date,
                    summary,
                    categories,
                ),
            )
        )
    entries.sort(key=lambda e: (e[0], -e[1], e[2]), reverse=True)
    entries = entries[:FEED_LIMIT]
    updated = max((e[0] for e in entries if e[0]), default=EPOCH)
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-Hans">',
        f"  <id>{escape(tag_uri(id_authority, FEED_PATH))}</id>",
        f"  <title>{_text(SITE_TITLE)}</title>",
        "  <subtitle>地方人民政府公报的最新期刊与文件</subtitle>",
        f"  <updated>{_stamp(updated)}</updated>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(base + FEED_PATH)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(base)}/>',
        f"  <author><name>{_text(SITE_TITLE)}</name></author>",
        "  <generator>gazette</generator>",
    ]
    return ("\n".join(head + [e[3] for e in entries] + ["</feed>", ""])).encode("utf-8")


def _entry(entry_id: str, url: str, title: str, date: str, summary: str, categories: list[str]) -> str:
    stamp = _stamp(date or EPOCH)
    lines = [
        "  <entry>",
        f"    <id>{escape(entry_id)}</id>",
        f"    <title>{_text(title)}</title>",
        f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
        f"    <updated>{stamp}</updated>",
    ]
    if date:
        lines.append(f"    <published>{stamp}</published>")
    lines += [f"    <category term={quoteattr(_CONTROL.sub('', c))}/>" for c in categories]
    lines += [f"    <summary>{_text(summary)}</summary>", "  </entry>"]
    return "\n".join(lines)
