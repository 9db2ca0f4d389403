"""Records → Markdown pages for MkDocs. ``render_pages`` is pure; ``write_pages`` is the file edge.

Page paths are docs-relative (``documents/jiyanzhengfa-2021-5.md``). Every text that comes
from a source is escaped so that it shows literally: titles and metadata become plain text
with Markdown/HTML punctuation as character references; body Markdown keeps its Markdown
but cannot open raw HTML, links, images or attribute lists.
"""

from __future__ import annotations

import functools
import hashlib
import html
import itertools
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from generator.data import contract
from generator.data.sqlite_export import EXAMPLE_QUERY, FTS_SETUP
from generator.model.archive import Archive, Citation
from generator.model.ids import (
    document_page,
    issue_page,
    legacy_document_id,
    page_url,
    path_segment,
    pinyin_slug,
    slug,
)
from generator.model.labels import cn_date, issue_label  # noqa: F401 (used by templates and the feed)
from generator.model.models import Appointment, Document, Event, Issue, Table, TocEntry, to_dict
from generator.outputs import CACHE_MARKER, remove_files_but, write_atomic
from generator.parallel import in_two
from generator.site.charts import bar_chart
from generator.site.metadata import document_head, issue_head
from generator.site.text import body_html, head_line, html_block, table_html

TEMPLATES_DIR = Path(__file__).parent / "templates"
SITE_TITLE = "人民政府公报数据档案"
DATA_DIR = "data/gazette"  # where the hook publishes the data package, relative to the site root
DATA_ZIP = "data/gazette.zip"
DATA_SQLITE = "data/gazette.sqlite.gz"
DATA_XLSX = "data/gazette.xlsx"  # the main tables for spreadsheet users (generator/data/spreadsheet.py)
FEED = "feed.xml"
LATEST_ISSUES = 10
PAGE_ITEMS = 200  # rows a browse page lists at most; longer lists get a page per year or agency
CITED_PAGE = "cited/index.md"
SAMPLE_ROWS = 3
SAMPLE_CELL = 40  # characters of a sample cell shown on the data page
NAV_PAGES = {
    "index.md",
    "issues/index.md",
    "years/index.md",
    "publishers/index.md",
    "types/index.md",
    "people/index.md",
    "events/index.md",
    "download.md",
}
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, when present: same text, faster

_INLINE_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|&:~^=\"$]")
_BODY_UNSAFE = re.compile(r"\\[\s\S]|[<\[{]")
_HEADING = re.compile(r"^(#{1,6})(?=\s|$)")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


# ---------------------------------------------------------------- escaping


def md_text(value: Any) -> str:
    """Source text → inline Markdown that renders as exactly that text (whitespace collapsed)."""
    text = " ".join(str(value if value is not None else "").split())
    return _INLINE_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text)


def front_matter(
    title: str,
    hide_navigation: bool = False,
    key: str = "",
    description: str = "",
    head: dict[str, Any] | None = None,
) -> str:
    """YAML front matter; the title and description are HTML-escaped because Material prints
    ``page.meta.title`` and ``page.meta.description`` raw. ``key``, the page key (see
    document_page_key), goes first, as a YAML comment. ``head``: what the page tells machines
    (generator/site/metadata.py), written into <head> by the theme's main.html; it follows the
    front matter as a line of JSON (``text.head_line``), which the plugin puts in
    ``page.meta.gazette_head``."""
    meta: dict[str, Any] = {"title": html.escape(" ".join(title.split()))}
    if description:
        meta["description"] = html.escape(" ".join(description.split()))
    if hide_navigation:
        meta["hide"] = ["navigation"]
    data = yaml.dump(meta, Dumper=_YAML_DUMPER, allow_unicode=True, width=10_000)
    matter = f"---\n{PAGE_KEY_PREFIX}{key}\n{data}---\n" if key else f"---\n{data}---\n"
    return matter + head_line(head) if head else matter


# ---------------------------------------------------------------- page keys (incremental rebuilds)

KEEP = object()  # in place of a page's text: the page cache holds it already
PAGE_KEY_PREFIX = "# gazette-page-key: "
_KEY_HEAD = len("---\n" + PAGE_KEY_PREFIX) + 64


def _page_key_of(path: Path) -> str | None:
    """The page key a page source in the cache was written with, if any."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_KEY_HEAD).decode("ascii", errors="replace")
    except OSError:
        return None
    start = "---\n" + PAGE_KEY_PREFIX
    return head[len(start) :] if head.startswith(start) else None


def _page_code_digest() -> bytes:
    """What shapes a page besides its inputs: the site's and the model's code and templates."""
    return _code_digest(("site", "model"))


@lru_cache(maxsize=4)
def _code_digest(folders: tuple[str, ...]) -> bytes:
    """A digest of every file under these folders of the generator package."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for folder in folders:
        for path in sorted((package / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


DOWNLOAD_KEYS = ".gazette-keys"  # in the downloads cache: each document JSON's key, per part


def record_digest(document: Document) -> str:
    """A digest of every field of a document's record."""
    data = json.dumps(to_dict(document), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def document_json_key(document: Document, site: Site, json_path: str, site_url: str) -> str:
    """A digest of everything a document's JSON is made from (contract.document_json): the
    code, the record, its issue's label and its citations both ways."""
    archive = site.archive
    issue = archive.issue_of[document.document_id]
    inputs = [
        site_url,
        json_path,
        site.record_digest(document),
        [issue.issue_id, issue.publisher, issue.region_code, issue_label(issue)],
        archive.status(document),
        [[to_dict(c.reference), c.cited.document_id if c.cited else None] for c in archive.cites(document)],
        [
            [
                to_dict(c.reference),
                c.citing.document_id,
                c.citing.doc_number.text if c.citing.doc_number else None,
            ]
            for c in archive.cited_by.get(document.document_id, [])
        ],
    ]
    digest = hashlib.sha256(_code_digest(("data", "model")))
    digest.update(json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


def take_download_keys(files_dir: Path) -> dict[str, str]:
    """The document JSON keys an earlier build left in the downloads cache, removed as they are
    read: a build that stops half way leaves none, so the next one trusts no file it may have
    rewritten (the parts of this build write theirs when they are done)."""
    keys: dict[str, str] = {}
    folder = Path(files_dir) / DOWNLOAD_KEYS
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = {}
        if isinstance(found, dict):
            keys.update({k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)})
        path.unlink()
    return keys


def document_page_key(
    site: Site,
    document: Document,
    code: bytes,
    base_url: str,
    downloads: bool,
    source_pdfs: bool,
    table_csv: dict[str, str],
) -> str:
    """A digest of everything a document page is rendered from: the code, the record, and what
    the page shows of other records (its issue, status, citations both ways, browse pages)."""
    archive = site.archive
    issue = site.issue_of(document)

    def other(doc: Document | None) -> list:
        if doc is None:
            return []
        return [doc.doc_number.text if doc.doc_number else "", doc.title, site.doc_path(doc)]

    repealed = archive.repealed_by.get(document.document_id)
    inputs = [
        base_url,
        downloads,
        source_pdfs,
        site.record_digest(document),
        site.doc_path(document),
        issue_label(issue),
        issue.source,
        site.issue_path[issue.issue_id],
        site.type_path(document) if document.doc_type else "",
        site.section_path(document) if document.section else "",
        archive.status(document),
        other(repealed.citing) if repealed else [],
        [[to_dict(c.reference), other(c.cited), repr(c.elsewhere)] for c in archive.cites(document)],
        [[to_dict(c.reference), other(c.citing)] for c in archive.cited_by.get(document.document_id, [])],
        {t.table_id: table_csv.get(t.table_id) for t in document.tables},
    ]
    digest = hashlib.sha256(code)
    digest.update(json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


# ---------------------------------------------------------------- site model


@dataclass
class Part:
    """One page of a long list: a year of a group's documents, or one agency's cited numbers."""

    label: str
    path: str
    items: list = field(default_factory=list)


@dataclass
class Group:
    """A browse index entry: a year, a publisher or a document type, with its page path.
    A group of more than PAGE_ITEMS documents lists them on a page per year (``parts``)."""

    key: str
    label: str
    path: str
    issues: list[Issue] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)


@dataclass
class Person:
    """Everyone named in 人事任免 under one publisher with one name (the same name elsewhere is
    another page: homonyms in different places are usually different people)."""

    name: str
    publisher: str
    region_code: str
    path: str
    actions: list[tuple[Appointment, Issue]] = field(default_factory=list)  # oldest first


@dataclass
class Organisation:
    name: str
    rows: list[tuple[Appointment, Issue, Person]] = field(default_factory=list)


@dataclass
class EventYear:
    label: str
    path: str
    months: list[tuple[str, list[tuple[Event, Issue]]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(events) for _, events in self.months)


@dataclass
class CitedNumber:
    """A document number cited in the archive whose document the archive does not hold."""

    number: str
    citations: list[Citation]
    status: str  # what the archive knows: 已废止 / 已宣布失效 (by a citing document) or 未知
    by: Citation | None = None


@dataclass
class Site:
    archive: Archive
    issues: list[Issue]  # newest first
    issue_path: dict[str, str]
    document_path: dict[str, str]
    years: list[Group]
    publishers: list[Group]
    types: list[Group]
    datapackage: dict[str, Any] | None
    sections: list[Group] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)  # sorted by pinyin
    organisations: list[Organisation] = field(default_factory=list)
    event_years: list[EventYear] = field(default_factory=list)  # newest first
    cited_numbers: list[CitedNumber] = field(default_factory=list)
    cited_parts: list[Part] = field(default_factory=list)  # by agency, when there are many
    person_of: dict[str, Person] = field(default_factory=dict)  # appointment_id → person
    record_digests: dict[int, str] = field(default_factory=dict)  # id(document) → record_digest

    def record_digest(self, document: Document) -> str:
        """What the document's record is known by, made once a build (the page's and the JSON's
        keys ask): its record file's stamp (name, time, size: what the records cache trusts too)
        and its place in the file; for an archive not read from files, ``record_digest(document)``."""
        found = self.record_digests.get(id(document))  # the site holds the document: the id stays its own
        if found is None:
            issue = self.archive.issue_of.get(document.document_id)
            stamp = self.archive.record_stamps.get(issue.issue_id) if issue else None
            if stamp is not None and any(d is document for d in issue.documents):
                for i, d in enumerate(issue.documents):
                    text = f"{stamp}\0{i}\0{d.document_id}"
                    self.record_digests[id(d)] = hashlib.sha256(text.encode("utf-8")).hexdigest()
                found = self.record_digests[id(document)]
            else:
                found = self.record_digests[id(document)] = record_digest(document)
        return found

    def issue_of(self, document: Document) -> Issue:
        return self.archive.issue_of[document.document_id]

    def doc_path(self, document: Document) -> str:
        return self.document_path[document.document_id]

    def document_count(self, issue: Issue) -> int:
        return len(self.archive.documents_of(issue))

    def publisher_path(self, issue: Issue) -> str:
        return next(g.path for g in self.publishers if g.key == issue.publisher)

    def year_path(self, issue: Issue) -> str:
        key = str(issue.year) if issue.year else "undated"
        return next(g.path for g in self.years if g.key == key)

    def type_path(self, document: Document) -> str:
        key = document.doc_type or "未注明"
        return next(g.path for g in self.types if g.key == key)

    def section_path(self, document: Document) -> str:
        key = document.section or "未分栏目"
        return next(g.path for g in self.sections if g.key == key)

    def person_path(self, appointment: Appointment) -> str:
        return self.person_of[appointment.appointment_id].path


def _issue_sort_key(issue: Issue) -> tuple:
    return (issue.year or 0, issue.published_on, _number_key(issue.number), issue.issue_id)


def _number_key(number: str) -> tuple[int, str]:
    m = re.match(r"\d+", number or "")
    return (int(m.group()) if m else 0, number or "")


def _unique_path(prefix: str, key: str, taken: set[str]) -> str:
    base = path_segment(key)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return f"{prefix}/{candidate}.md"


def build_site(archive: Archive, datapackage: dict[str, Any] | None = None) -> Site:
    issues = sorted(archive.issues, key=_issue_sort_key, reverse=True)
    issue_path = {i.issue_id: issue_page(i.issue_id) for i in issues}  # ids are unique: load_archive checks
    document_path = {d.document_id: document_page(d.document_id) for d in archive.documents}

    years: dict[str, Group] = {}
    publishers: dict[str, Group] = {}
    types: dict[str, Group] = {}
    taken_years: set[str] = set()
    taken_publishers: set[str] = set()
    taken_types: set[str] = set()
    for issue in issues:
        ykey = str(issue.year) if issue.year else "undated"
        if ykey not in years:
            years[ykey] = Group(
                ykey,
                f"{issue.year}年" if issue.year else "年份不详",
                _unique_path("years", ykey, taken_years),
            )
        pkey = issue.publisher
        if pkey not in publishers:
            pslug = issue.region_code if slug(issue.region_code) else pinyin_slug(issue.publisher)
            publishers[pkey] = Group(
                pkey, issue.publisher, _unique_path("publishers", pslug, taken_publishers)
            )
        years[ykey].issues.append(issue)
        publishers[pkey].issues.append(issue)
        for document in issue.documents:
            if archive.by_id.get(document.document_id) is not document:
                continue  # a duplicate id the archive dropped
            years[ykey].documents.append(document)
            publishers[pkey].documents.append(document)
            tkey = document.doc_type or "未注明"
            if tkey not in types:
                types[tkey] = Group(
                    tkey, tkey, _unique_path("types", pinyin_slug(tkey) or "type", taken_types)
                )
            types[tkey].documents.append(document)

    sections: dict[str, Group] = {}
    taken_sections: set[str] = set()
    for issue in issues:
        for document in issue.documents:
            if archive.by_id.get(document.document_id) is not document:
                continue
            key = document.section or "未分栏目"
            if key not in sections:
                sections[key] = Group(
                    key, key, _unique_path("sections", pinyin_slug(key) or "section", taken_sections)
                )
            sections[key].documents.append(document)

    people, person_of = _people(issues)
    site = Site(
        archive=archive,
        issues=issues,
        issue_path=issue_path,
        document_path=document_path,
        years=sorted(years.values(), key=lambda g: (g.key.isdigit(), g.key), reverse=True),
        publishers=sorted(publishers.values(), key=lambda g: (-len(g.documents), pinyin_slug(g.label))),
        types=sorted(types.values(), key=lambda g: (-len(g.documents), pinyin_slug(g.label))),
        datapackage=datapackage,
        sections=sorted(sections.values(), key=lambda g: (-len(g.documents), pinyin_slug(g.label))),
        people=people,
        person_of=person_of,
        organisations=_organisations(people),
        event_years=_event_years(issues),
        cited_numbers=_cited_numbers(archive),
    )
    for group in [*site.years, *site.publishers, *site.types, *site.sections]:
        group.documents.sort(key=_document_sort_key)
    for group in [*site.publishers, *site.types, *site.sections]:
        if len(group.documents) > PAGE_ITEMS:
            group.parts = _split_pages(group.path, group.documents, _document_year)
    if len(site.cited_numbers) > PAGE_ITEMS:
        site.cited_parts = _split_pages(CITED_PAGE, site.cited_numbers, _number_agency)
    return site


def _split_pages(path: str, items: list, key_of) -> list[Part]:
    """``items`` (in order) split by ``key_of`` → (slug, label), a page each under ``path``'s folder."""
    parts: dict[str, Part] = {}
    taken: set[str] = set()
    folder = path.removesuffix(".md").removesuffix("/index")
    for item in items:
        key, label = key_of(item)
        if label not in parts:
            parts[label] = Part(label, _unique_path(folder, key, taken))
        parts[label].items.append(item)
    return list(parts.values())


def _document_year(document: Document) -> tuple[str, str]:
    date = document.signed_on or document.printed_on
    return (date[:4], f"{date[:4]}年") if _ISO_DATE.match(date or "") else ("undated", "日期不详")


def _number_agency(cited: CitedNumber) -> tuple[str, str]:
    m = _NUMBER_PARTS.match(cited.number)
    return (pinyin_slug(m.group(1)) or "other", m.group(1)) if m and m.group(1) else ("other", "其他")


def _document_sort_key(document: Document) -> tuple:
    """Newest first by 成文日期, then by document number."""
    number = document.doc_number
    return (
        _inverted(document.signed_on or document.printed_on),
        number.agency if number else "~",
        -(number.year if number else 0),
        -(number.serial if number else 0),
        document.document_id,
    )


def _inverted(date: str) -> str:
    """A key that sorts ISO dates newest first (and empty dates last) in an ascending sort."""
    if not _ISO_DATE.match(date or ""):
        return "~"
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in date)


# ---------------------------------------------------------------- 人事任免, 大事记, cited numbers

# The title at the end of a post: what is left before it is the organisation (区交通运输局局长 →
# 区交通运输局). A heuristic for grouping; a post without a known title is its own organisation.
POST_TITLE = re.compile(
    r"(?:常务)?副?(?:主任委员|主任|局长|区长|县长|市长|镇长|乡长|院长|所长|大队长|中队长|队长|政委|教导员|主席|"
    r"秘书长|书记|处长|科长|站长|馆长|校长|园长|行长|总经理|经理|董事长|会长|理事长|部长|检察长|庭长|"
    r"审判员|总工程师|总会计师|总经济师|调研员|督学|委员|成员|有关领导|负责人)"
    r"(?:（[^）]*）)?(?:、.*)?$"
)
_POST_PAREN = re.compile(r"（[^）]*）$")
_POST_SUFFIX = re.compile(r"(?:的)?职务$")


def post_organisation(post: str) -> str:
    """区社会救助综合服务中心副主任 → 区社会救助综合服务中心; 区普查中心（区城乡经济调查队）主任（队长）→ 区普查中心."""
    text = _POST_SUFFIX.sub("", " ".join((post or "").split()))
    m = POST_TITLE.search(text)
    org = text[: m.start()] if m and m.start() > 0 else text
    org = _POST_PAREN.sub("", org).rstrip("、， ")
    return org or text or "未注明"


def _people(issues: list[Issue]) -> tuple[list[Person], dict[str, Person]]:
    by_key: dict[tuple[str, str], Person] = {}
    person_of: dict[str, Person] = {}
    for issue in issues:
        for appointment in issue.appointments:
            name = " ".join(appointment.person.split())
            if not name:
                continue
            key = (issue.publisher, name)
            if key not in by_key:
                by_key[key] = Person(name, issue.publisher, issue.region_code, "")
            by_key[key].actions.append((appointment, issue))
            person_of[appointment.appointment_id] = by_key[key]
    people = sorted(by_key.values(), key=lambda p: (pinyin_slug(p.name), p.name, p.region_code, p.publisher))
    taken: set[str] = set()
    for person in people:  # stable: region code + pinyin; homophones get -2, -3 in name order
        stem = "-".join(
            x
            for x in (
                slug(person.region_code) or pinyin_slug(person.publisher),
                pinyin_slug(person.name) or "person",
            )
            if x
        )
        person.path = _unique_path("people", stem, taken)
        person.actions.sort(
            key=lambda pair: (pair[0].decided_on or pair[1].published_on, pair[0].appointment_id)
        )
    return people, person_of


def _organisations(people: list[Person]) -> list[Organisation]:
    orgs: dict[str, Organisation] = {}
    for person in people:
        for appointment, issue in person.actions:
            name = post_organisation(appointment.post)
            orgs.setdefault(name, Organisation(name)).rows.append((appointment, issue, person))
    for org in orgs.values():
        org.rows.sort(key=lambda r: (_inverted(r[0].decided_on), r[0].appointment_id))
    return sorted(orgs.values(), key=lambda o: (pinyin_slug(o.name), o.name))


def _event_years(issues: list[Issue]) -> list[EventYear]:
    months: dict[str, list[tuple[Event, Issue]]] = defaultdict(list)
    for issue in issues:
        for event in issue.events:
            m = _ISO_DATE.match(event.date or "")
            months[f"{m.group(1)}-{m.group(2)}" if m else ""].append((event, issue))
    years: dict[str, EventYear] = {}
    taken: set[str] = set()
    for key in sorted(months, key=lambda k: k or "0", reverse=True):
        year = key[:4] or "undated"
        if year not in years:
            years[year] = EventYear(f"{year}年" if key else "日期不详", _unique_path("events", year, taken))
        label = f"{int(key[:4])}年{int(key[5:7])}月" if key else "日期不详"
        rows = sorted(months[key], key=lambda pair: (pair[0].date, pair[0].event_id))
        years[year].months.append((label, rows))
    for year in years.values():
        year.months.reverse()  # years newest first, months within a year in order
    return list(years.values())


def _cited_numbers(archive: Archive) -> list[CitedNumber]:
    by_number: dict[str, list[Citation]] = defaultdict(list)
    for citation in archive.citations:
        if citation.cited is None and citation.elsewhere is None:  # not in another shard either
            by_number[citation.reference.cited_doc_number].append(citation)
    out = []
    for number, citations in by_number.items():
        by = next((c for c in citations if c.reference.relation in ("废止", "宣布失效")), None)
        status = ("已废止" if by.reference.relation == "废止" else "已宣布失效") if by else "未知"
        out.append(CitedNumber(number, citations, status, by))
    out.sort(key=lambda c: _number_sort_key(c.number))
    return out


_NUMBER_PARTS = re.compile(r"^(.*?)〔(\d{4})〕(\d+)号$")


def _number_sort_key(number: str) -> tuple:
    m = _NUMBER_PARTS.match(number)
    if not m:
        return (pinyin_slug(number), 0, 0, number)
    return (pinyin_slug(m.group(1)), int(m.group(2)), int(m.group(3)), number)


# ---------------------------------------------------------------- issue table of contents


@dataclass
class TocRow:
    title: str
    doc_number: str
    page: int | None
    document: Document | None = None
    anchor: str = ""  # an anchor on the issue page, for 人事任免 / 大事记


def issue_sections(issue: Issue, archive: Archive) -> list[tuple[str, list[TocRow]]]:
    """The issue's contents by section: every document (linked), and printed TOC entries
    that have no document (人事任免 and 大事记 link to their part of the issue page)."""
    documents = [
        d for d in sorted(issue.documents, key=lambda d: d.seq) if archive.by_id.get(d.document_id) is d
    ]
    matched: set[int] = set()
    rows: dict[str, list[TocRow]] = defaultdict(list)
    order: list[str] = list(issue.sections)
    for document in documents:
        entry = _toc_entry_for(document, issue.toc, matched)
        page = document.page if document.page is not None else (entry.page if entry else None)
        number = document.doc_number.text if document.doc_number else ""
        rows[document.section].append(TocRow(document.title, number, page, document))
        if document.section not in order:
            order.append(document.section)
    for index, entry in enumerate(issue.toc):
        if index in matched:
            continue
        anchor = ""
        if entry.section == "人事任免" and issue.appointments:
            anchor = "appointments"
        elif entry.section == "大事记" and issue.events:
            anchor = "events"
        rows[entry.section].append(TocRow(entry.title, entry.doc_number, entry.page, None, anchor))
        if entry.section not in order:
            order.append(entry.section)
    return [(section, rows[section]) for section in order if rows.get(section)]


def _toc_entry_for(document: Document, toc: list[TocEntry], matched: set[int]) -> TocEntry | None:
    numbers = set()
    if document.doc_number:
        numbers = {document.doc_number.text, document.doc_number.printed} - {""}
    for tests in (
        lambda e: numbers and _compact(e.doc_number) in {_compact(n) for n in numbers},
        lambda e: _compact(e.title) == _compact(document.title),
        lambda e: document.page is not None and e.page == document.page and e.section == document.section,
    ):
        for index, entry in enumerate(toc):
            if index not in matched and tests(entry):
                matched.add(index)
                return entry
    return None


def _compact(text: str) -> str:
    return re.sub(r"[\s()（）]", "", text or "")


# ---------------------------------------------------------------- rendering


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,  # the output is Markdown; escaping is explicit through the filters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters.update(
        md=md_text,
        body=body_html,  # the gazette's text as escaped HTML, never read as Markdown
        cn_date=cn_date,
        issue_label=issue_label,
        table_md=table_markdown,
        table_html=lambda table: table_html(*_table_grid(table)),
        html_block=html_block,
        table_width=table_width,
        html=html.escape,
        size=human_size,
        initial=name_initial,
        by_initial=lambda people: [
            (initial, list(run)) for initial, run in itertools.groupby(people, lambda p: name_initial(p.name))
        ],
    )
    return env


def name_initial(name: str) -> str:
    """The letter a name is listed under: its pinyin's first, or # (people/index)."""
    return (pinyin_slug(name)[:1] or "#").upper()


def rel(target: str, here: str) -> str:
    """Relative link from page ``here`` to docs file ``target`` (both docs-relative)."""
    return relpath(target, posixpath.dirname(here))


def url_rel(target: str, here: str) -> str:
    """Relative URL from page ``here`` to page ``target`` in the built site, for raw HTML
    (MkDocs rewrites Markdown links only)."""
    out = relpath(page_url(target).rstrip("/"), page_url(here).rstrip("/"))
    return "./" if out == "." else out + "/"


@lru_cache(maxsize=4096)
def file_url(target: str, here: str) -> str:
    """Relative URL from page ``here`` to the file ``target`` (site-relative, not a page) in
    the built site, for raw HTML."""
    return relpath(target, page_url(here).rstrip("/"))


@lru_cache(maxsize=4096)
def _segments(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.split("/") if p and p != ".")


def relpath(target: str, start: str) -> str:
    """posixpath.relpath for paths relative to one root, without touching the file system."""
    to, here = _segments(target), _segments(start)
    common = 0
    while common < min(len(to), len(here)) and to[common] == here[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + list(to[common:])) or "."


def citation_text(document: Document, issue: Issue, url: str) -> str:
    """GB/T 7714-2015 style reference for an official document online ([A/OL]):
    主要责任者. 题名: 发文字号[A/OL]. (发布日期)[引用日期]. 访问路径."""
    author = " ".join((document.issuer or issue.publisher or "").split())
    title = " ".join((document.title or "（无标题）").split())
    number = document.doc_number.text if document.doc_number else ""
    date = next(
        (
            d
            for d in (document.signed_on, document.printed_on, issue.published_on)
            if _ISO_DATE.match(d or "")
        ),
        "",
    )
    text = f"{author}. " if author else ""
    text += f"{title}: {number}[A/OL]." if number else f"{title}[A/OL]."
    text += f" ({date})[引用日期]." if date else " [引用日期]."
    return text + (f" {url}." if url else "")


def iter_document_downloads(
    site: Site,
    site_url: str = "",
    part: tuple[int, int] = (0, 1),
    reuse_from: Path | None = None,
    keys: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, bytes | object]]:
    """The JSON contract (generator/data/contract.py) as (site path, bytes): one file per
    document next to its page (``documents/<id>.json``), per issue and per person likewise, and
    the JSON Schemas under ``schemas/``. ``part`` (k, n): the k-th of every n documents; the
    first part also writes the issues, people and schemas. With ``reuse_from`` (the downloads
    cache of an earlier build) and ``keys`` (its document JSON keys, ``take_download_keys``), a
    document JSON whose key is unchanged is given as KEEP; the part's keys are given last, as
    ``DOWNLOAD_KEYS/<k>-of-<n>.json``."""
    made: dict[str, str] = {}
    for document in site.archive.documents[part[0] :: part[1]]:
        json_path = site.doc_path(document)[:-3] + ".json"
        key = made[json_path] = document_json_key(document, site, json_path, site_url)
        if (
            reuse_from is not None
            and keys
            and keys.get(json_path) == key
            and (reuse_from / json_path).is_file()
        ):
            yield json_path, KEEP
            continue
        yield json_path, contract.dumps(contract.document_json(document, site.archive, json_path, site_url))
    yield f"{DOWNLOAD_KEYS}/{part[0]}-of-{part[1]}.json", json.dumps(made, sort_keys=True)
    if part[0] != 0:
        return
    for issue in site.issues:
        json_path = site.issue_path[issue.issue_id][:-3] + ".json"
        yield json_path, contract.dumps(contract.issue_json(issue, site.archive, json_path, site_url))
    for person in site.people:
        json_path = person.path[:-3] + ".json"
        record = contract.person_json(
            person.name,
            person.publisher,
            person.region_code,
            page_url(person.path),
            person.actions,
            json_path,
            site_url,
        )
        yield json_path, contract.dumps(record)
    yield from contract.schema_files(site_url).items()


def iter_redirects(site: Site, icon: str, part: tuple[int, int] = (0, 1)) -> Iterator[tuple[str, bytes]]:
    """A page at each document's URL from before ids were scoped by region
    (``documents/jiyanzhengfa-2021-5/`` → ``documents/370812-jiyanzhengfa-2021-5/``), as (site
    path, bytes): old links keep working. A legacy id two documents share has no redirect.
    ``icon`` is the site path of the theme's favicon: a page naming none makes the browser ask
    the domain root for /favicon.ico, outside a project site's sub-path. ``part`` (k, n): the
    k-th of every n legacy ids (one file each: 10,000 writes at 10,000 documents)."""
    icon_href = html.escape("../../" + icon, quote=True)
    targets: dict[str, list[Document]] = {}
    for document in site.archive.documents:
        if document.doc_number is not None:
            targets.setdefault(legacy_document_id(document.doc_number), []).append(document)
    for legacy, documents in sorted(targets.items())[part[0] :: part[1]]:
        new = page_url(site.doc_path(documents[0]))
        if len(documents) > 1 or page_url(document_page(legacy)) == new or legacy in site.archive.by_id:
            continue
        target = html.escape("../" + new.removeprefix("documents/"), quote=True)
        label = html.escape(documents[0].doc_number.text)
        yield (
            f"documents/{legacy}/index.html",
            (
                '<!doctype html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
                f'<title>{label}：页面已迁移</title>\n<link rel="icon" href="{icon_href}">\n'
                f'<link rel="canonical" href="{target}">\n'
                f'<meta http-equiv="refresh" content="0; url={target}">\n<meta name="robots" content="noindex">\n'
                f'</head>\n<body>\n<p>{label} 的页面已迁移到 <a href="{target}">新地址</a>。</p>\n</body>\n</html>\n'
            ).encode(),
        )


def source_path(source: str) -> str:
    """Where a published source file sits in the site: sources/<file name>."""
    return f"sources/{source}"


def render_pages(
    archive: Archive,
    datapackage: dict[str, Any] | None = None,
    site_url: str = "",
    package_rows: dict[str, tuple[int, list[list[str]]]] | None = None,
    sqlite: bool = False,
    document_downloads: bool = True,
    bulk_url: str | None = None,
) -> dict[str, str]:
    """Every generated page: docs-relative path → Markdown text (``iter_pages`` as a dict)."""
    return dict(
        iter_pages(
            archive, datapackage, site_url, package_rows, sqlite, document_downloads, bulk_url=bulk_url
        )
    )


def _without_none(generator_function):
    """The generator function's items but None (what ``render`` gives for another part's page)."""

    @functools.wraps(generator_function)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator:
        return (item for item in generator_function(*args, **kwargs) if item is not None)

    return wrapper


@_without_none
def iter_pages(
    archive: Archive,
    datapackage: dict[str, Any] | None = None,
    site_url: str = "",
    package_rows: dict[str, tuple[int, list[list[str]]]] | None = None,
    sqlite: bool = False,
    document_downloads: bool = True,
    source_pdfs: bool = False,
    bulk_url: str | None = None,
    part: tuple[int, int] = (0, 1),
    reuse_from: Path | None = None,
    site: Site | None = None,
) -> Iterator[tuple[str, str | object]]:
    """Every generated page as (docs-relative path, Markdown text), one at a time; with ``part``
    ``(k, n)``, only the k-th of every n pages (the others are not rendered), so that n
    processes share the work. ``reuse_from``: the page cache of an earlier build; a document
    page whose inputs (its page key) are those it was written from there is not rendered again
    but given as KEEP.

    ``datapackage`` is the data package descriptor (datapackage.json) when the package is
    published with the site (under ``data/gazette/``), else None. ``site_url`` makes the
    citations absolute. ``package_rows`` gives, per resource name, its row count and first
    rows (header included) for the data page; ``sqlite`` says the SQLite file is published;
    ``document_downloads`` says each document is also published as JSON and Markdown;
    ``source_pdfs`` says the source PDFs are published (``sources/<file>``), so that a document
    links the pages it was printed on. ``bulk_url`` None: the package's files, zip and SQLite are
    published in the site (under ``data/``); a string: they are not, and the data page links the
    zip and SQLite at that address (a release's downloads, ``""`` for none). ``site``: the
    archive's ``build_site(archive, datapackage)``, when the caller has it already.
    """
    site = site or build_site(archive, datapackage)
    env = _env()
    base_url = (site_url.rstrip("/") + "/") if site_url else ""
    mine, parts = part
    counter = itertools.count()

    def render(
        path: str,
        template: str,
        title: str | None,
        key: str | Callable[[], str] = "",
        metadata: dict[str, Any] | None = None,
        context_of: Callable[[], dict[str, Any]] | None = None,
        **context: Any,
    ) -> tuple[str, str | object] | None:
        """The page at ``path``; ``key`` and ``context_of`` (more context, ``metadata`` among it)
        may be functions, called only for a page this process renders, and the context only
        when the page is not kept."""
        if next(counter) % parts != mine:
            return None  # another process's page
        key = key() if callable(key) else key
        if key and reuse_from is not None and _page_key_of(reuse_from / path) == key:
            return path, KEEP
        if context_of is not None:
            context.update(context_of())
            metadata = context.pop("metadata", metadata)
        body = env.get_template(template).render(
            site=site,
            archive=archive,
            here=path,
            link=lambda target: rel(target, path),
            url=lambda target: url_rel(target, path),
            file_url=lambda target: file_url(target, path),
            bulk=lambda target: bulk_link(target, path),
            SITE_TITLE=SITE_TITLE,
            PAGE_ITEMS=PAGE_ITEMS,
            CITED_PAGE=CITED_PAGE,
            DATA_DIR=DATA_DIR,
            DATA_ZIP=DATA_ZIP,
            DATA_XLSX=DATA_XLSX,
            DATA_SQLITE=DATA_SQLITE,
            FEED=FEED,
            **context,
        )
        head = (
            front_matter(
                title,
                hide_navigation=path not in NAV_PAGES,
                key=key,
                description=metadata["description"] if metadata else f"{title} · {SITE_TITLE}",
                head=metadata,
            )
            if title
            else ""
        )
        return path, head + body.rstrip("\n") + "\n"

    table_csv = _table_csv_paths(datapackage) if bulk_url is None else {}

    def bulk_link(path: str, here: str) -> str:
        """Where a reader downloads ``path`` (a DATA_ZIP, DATA_SQLITE, DATA_XLSX or package file) from
        page ``here``; "" when it is not published."""
        if bulk_url is None:
            return rel(path, here)
        if path in (DATA_ZIP, DATA_SQLITE, DATA_XLSX) and bulk_url:
            return bulk_url.rstrip("/") + "/" + path.rsplit("/", 1)[-1]
        return ""

    def group_parts(group: Group, title: str, kind: str) -> Iterator[tuple[str, str]]:
        for part in group.parts:
            yield render(
                part.path,
                "group_part.md.j2",
                f"{title}（{part.label}）",
                group=group,
                part=part,
                group_title=title,
                kind=kind,
            )

    type_chart = [(g.label, len(g.documents)) for g in site.types]
    year_chart = [(g.label, len(g.documents)) for g in sorted(site.years, key=lambda g: g.key) if g.documents]
    yield render(
        "index.md",
        "home.md.j2",
        None,
        latest=site.issues[:LATEST_ISSUES],
        publisher_count=len(site.publishers),
        has_feed=bool(site_url),
        year_chart=bar_chart(
            year_chart, "各年份文件数", {g.label: url_rel(g.path, "index.md") for g in site.years}
        ),
        type_chart=bar_chart(
            type_chart, "各文种文件数", {g.label: url_rel(g.path, "index.md") for g in site.types}
        ),
    )
    yield render("issues/index.md", "issues_index.md.j2", "期刊")
    for issue in site.issues:
        sections = issue_sections(issue, archive)
        yield render(
            site.issue_path[issue.issue_id],
            "issue.md.j2",
            issue_label(issue),
            metadata=issue_head(issue, archive, site_url),
            issue=issue,
            sections=[(name, rows) for name, rows in sections if not all(r.anchor for r in rows)],
            parts=[row for _, rows in sections if all(r.anchor for r in rows) for row in rows],
        )
    code = _page_code_digest()

    def document_context(document: Document) -> dict[str, Any]:
        issue = site.issue_of(document)
        return dict(
            metadata=document_head(document, archive, site_url),
            document=document,
            issue=issue,
            status=archive.status(document),
            repealed=archive.repealed_by.get(document.document_id),
            cites=archive.cites(document),
            cited_by=archive.cited_by.get(document.document_id, []),
            table_paths={
                t.table_id: table_csv[t.table_id] for t in document.tables if t.table_id in table_csv
            },
            citation=citation_text(
                document, issue, base_url + page_url(site.doc_path(document)) if base_url else ""
            ),
            json_link=file_url(site.doc_path(document)[:-3] + ".json", site.doc_path(document))
            if document_downloads
            else "",
            body_has_table=any(
                _PIPE_ROW.search(text) for text in [document.body] + [a.body for a in document.attachments]
            ),
            source_link=file_url(source_path(issue.source), site.doc_path(document))
            + f"#page={document.source_pages[0]}"
            if source_pdfs and document.source_pages and issue.source.lower().endswith(".pdf")
            else "",
        )

    for document in archive.documents:
        yield render(
            site.doc_path(document),
            "document.md.j2",
            document.title or "（无标题）",
            key=functools.partial(
                document_page_key, site, document, code, base_url, document_downloads, source_pdfs, table_csv
            )
            if reuse_from is not None
            else "",
            context_of=functools.partial(document_context, document),
        )
    yield render("years/index.md", "groups_index.md.j2", "按年份", groups=site.years, kind="year")
    for group in site.years:
        yield render(group.path, "group.md.j2", f"{group.label}", group=group, kind="year")
    yield render(
        "publishers/index.md", "groups_index.md.j2", "按发布机关", groups=site.publishers, kind="publisher"
    )
    for group in site.publishers:
        yield render(group.path, "group.md.j2", group.label, group=group, kind="publisher")
        yield from group_parts(group, group.label, "publisher")
    yield render("types/index.md", "groups_index.md.j2", "按文种", groups=site.types, kind="type")
    for group in site.types:
        yield render(group.path, "group.md.j2", f"文种：{group.label}", group=group, kind="type")
        yield from group_parts(group, f"文种：{group.label}", "type")
    yield render("sections/index.md", "groups_index.md.j2", "按栏目", groups=site.sections, kind="section")
    for group in site.sections:
        yield render(group.path, "group.md.j2", f"栏目：{group.label}", group=group, kind="section")
        yield from group_parts(group, f"栏目：{group.label}", "section")
    yield render("people/index.md", "people_index.md.j2", "人事任免")
    yield render("people/organisations.md", "organisations.md.j2", "人事任免：按机构")
    for person in site.people:
        yield render(person.path, "person.md.j2", f"{person.name}（{person.publisher}）", person=person)
    yield render("events/index.md", "events_index.md.j2", "大事记")
    for year in site.event_years:
        yield render(year.path, "events_year.md.j2", f"大事记：{year.label}", year=year)
    yield render(CITED_PAGE, "cited.md.j2", "被引用但未收录的文件", numbers=site.cited_numbers, part=None)
    for part in site.cited_parts:
        yield render(
            part.path, "cited.md.j2", f"被引用但未收录的文件：{part.label}", numbers=part.items, part=part
        )
    yield render(
        "download.md",
        "download.md.j2",
        "数据下载",
        resources=_resources(datapackage, package_rows),
        table_resources=_table_resources(datapackage, package_rows, archive),
        sqlite=sqlite,
        example_query=EXAMPLE_QUERY,
        fts_setup=FTS_SETUP,
        table_count=sum(len(d.tables) for d in archive.documents),
        json_schemas=[contract.schema_path(kind) for kind in contract.KINDS] if document_downloads else [],
    )


def _table_csv_paths(datapackage: dict[str, Any] | None) -> dict[str, str]:
    """table_id → the table's CSV in the published data package (docs-relative), when published."""
    paths = {}
    for resource in (datapackage or {}).get("resources", []):
        name, path = resource.get("name", ""), resource.get("path", "")
        if isinstance(name, str) and name.startswith("table-") and isinstance(path, str):
            paths[name.removeprefix("table-")] = f"{DATA_DIR}/{path}"
    return paths


def _resources(
    datapackage: dict[str, Any] | None, package_rows: dict[str, tuple[int, list[list[str]]]] | None = None
) -> list[dict[str, Any]]:
    """The package's main resources (not the per-document tables) as the data page shows them."""
    if not datapackage:
        return []
    package_rows = package_rows or {}
    out = []
    for resource in datapackage.get("resources", []):
        path = resource.get("path")
        name = str(resource.get("name", ""))
        if not isinstance(path, str) or name.startswith("table-"):
            continue
        fields = [f for f in (resource.get("schema") or {}).get("fields", []) if isinstance(f, dict)]
        rows, sample = package_rows.get(name, (None, []))
        key = (resource.get("schema") or {}).get("primaryKey") or []
        out.append(
            {
                "name": name,
                "title": str(resource.get("title", "")),
                "description": str(resource.get("description", "")),
                "path": f"{DATA_DIR}/{path}",
                "file": path.split("/")[-1],
                "rows": rows,
                "bytes": resource.get("bytes"),
                "sha256": str(resource.get("hash", "")).removeprefix("sha256:"),
                "primary_key": [key] if isinstance(key, str) else list(key),
                "fields": [
                    {
                        "name": str(f.get("name", "")),
                        "type": str(f.get("type", "string")),
                        "description": str(f.get("description", "")),
                    }
                    for f in fields
                ],
                "sample": [[_clip(cell) for cell in row] for row in sample[: SAMPLE_ROWS + 1]],
            }
        )
    return out


def _table_resources(
    datapackage: dict[str, Any] | None,
    package_rows: dict[str, tuple[int, list[list[str]]]] | None,
    archive: Archive,
) -> list[dict[str, Any]]:
    """The per-document table resources (table-<table_id>), with the document each comes from."""
    if not datapackage:
        return []
    package_rows = package_rows or {}
    owner = {t.table_id: d for d in archive.documents for t in d.tables}
    out = []
    for resource in datapackage.get("resources", []):
        name, path = str(resource.get("name", "")), resource.get("path")
        if not name.startswith("table-") or not isinstance(path, str):
            continue
        rows, _ = package_rows.get(name, (None, []))
        out.append(
            {
                "name": name,
                "path": f"{DATA_DIR}/{path}",
                "file": path.split("/")[-1],
                "rows": rows,
                "bytes": resource.get("bytes"),
                "sha256": str(resource.get("hash", "")).removeprefix("sha256:"),
                "columns": len((resource.get("schema") or {}).get("fields", [])),
                "document": owner.get(name.removeprefix("table-")),
            }
        )
    return out


def _clip(cell: str) -> str:
    text = " ".join(str(cell).split())
    return text if len(text) <= SAMPLE_CELL else text[: SAMPLE_CELL - 1] + "…"


def human_size(value: Any) -> str:
    if not isinstance(value, int):
        return ""
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value} B"


def table_width(table: Table) -> int:
    return max((len(r) for r in [*table.header, *table.rows]), default=0)


def _table_grid(table: Table) -> tuple[list[str], list[list[str]]]:
    """``table`` as one header row and body rows, each ``table_width`` cells wide; extra header
    rows become body rows; no header gives 第n列 labels."""
    width = table_width(table)
    header = table.header[0] if table.header else [f"第{n}列" for n in range(1, width + 1)]
    rows = [*table.header[1:], *table.rows]
    return [*header, *[""] * (width - len(header))], [[*r, *[""] * (width - len(r))] for r in rows]


def table_markdown(table: Table) -> str:
    """A pipe table showing ``table``'s cells literally; extra header rows become body rows."""
    width = table_width(table)
    if not width:
        return ""
    header = table.header[0] if table.header else [f"第{n}列" for n in range(1, width + 1)]
    rows = [*table.header[1:], *table.rows]

    def line(cells: list[str]) -> str:
        padded = [*cells, *[""] * (width - len(cells))]
        return "| " + " | ".join(md_text(c) for c in padded) + " |"

    return "\n".join([line(header), "|" + " --- |" * width, *(line(r) for r in rows)])


# ---------------------------------------------------------------- writing


@dataclass
class Written:
    """What write_pages did: every path it was given, and how many it wrote, kept and removed."""

    paths: list[str] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)  # the paths written anew
    written: int = 0
    unchanged: int = 0
    removed: int = 0


def write_pages(
    pages: Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]], out_dir: Path, prune: bool = True
) -> Written:
    """Make ``out_dir`` (a cache folder: see outputs.claim_cache_dir) hold exactly ``pages`` (text
    or bytes, a mapping or pairs consumed one at a time) and its marker: write changed files only,
    remove the others (unless not ``prune``)."""
    out_dir = Path(out_dir)
    result = Written()
    for rel_path, text in pages.items() if isinstance(pages, Mapping) else pages:
        result.paths.append(rel_path)
        if text is KEEP:
            result.unchanged += 1
            continue
        target = out_dir / rel_path
        data = text.encode("utf-8") if isinstance(text, str) else text
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                result.unchanged += 1
                continue
        except FileNotFoundError:
            pass
        write_atomic(target, data)
        result.rewritten.append(rel_path)
        result.written += 1
    if prune:
        result.removed = prune_cache(out_dir, result.paths)
    return result


def prune_cache(out_dir: Path, paths: Iterable[str]) -> int:
    """Remove every file of the cache folder ``out_dir`` but ``paths`` and its marker (and empty
    folders); returns how many files."""
    out_dir = Path(out_dir).resolve()
    wanted = {posixpath.normpath(p) for p in paths} | {CACHE_MARKER}
    return remove_files_but(out_dir, wanted.__contains__) if out_dir.is_dir() else 0


PagesOfPart = Callable[[tuple[int, int]], Iterable[tuple[str, str | bytes]]]


def write_pages_in_two(pages_of_part: PagesOfPart, out_dir: Path) -> Written:
    """``write_pages(pages_of_part((0, 1)), out_dir)``, the rendering shared with a forked process
    where that is safe (``parallel.in_two``): this process writes part (0, 2), the other (1, 2)."""
    parts = in_two(lambda part: write_pages(pages_of_part(part), out_dir, prune=part == (0, 1)))
    if len(parts) == 1:
        return parts[0]
    both = Written()
    for part in parts:
        both.paths += part.paths
        both.rewritten += part.rewritten
        both.written += part.written
        both.unchanged += part.unchanged
    both.removed = prune_cache(out_dir, both.paths)
    return both
