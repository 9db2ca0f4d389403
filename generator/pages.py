"""Records → Markdown pages for MkDocs. ``render_pages`` is pure; ``write_pages`` is the file edge.

Page paths are docs-relative (``documents/jiyanzhengfa-2021-5.md``). Every text that comes
from a source is escaped so that it shows literally: titles and metadata become plain text
with Markdown/HTML punctuation as character references; body Markdown keeps its Markdown
but cannot open raw HTML, links, images or attribute lists.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .archive import Archive
from .ids import pinyin_slug, slug
from .models import Document, Issue, Table, TocEntry

TEMPLATES_DIR = Path(__file__).parent / "templates"
SITE_TITLE = "人民政府公报数据档案"
DATA_DIR = "data/gazette"  # where the hook publishes the data package, relative to the site root
DATA_ZIP = "data/gazette.zip"
LATEST_ISSUES = 10
NAV_PAGES = {"index.md", "issues/index.md", "years/index.md", "publishers/index.md", "types/index.md", "download.md"}

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


def md_body(markdown: str, min_level: int = 3) -> str:
    """Record body Markdown made safe: no raw HTML, links, images or ``{...}`` attributes;
    headings shifted so the highest is ``min_level``."""

    def escape(match: re.Match[str]) -> str:
        token = match.group()
        if len(token) == 2:  # a backslash pair; Markdown cannot escape "<", so neutralise it here
            return "\\&#60;" if token[1] == "<" else token
        return f"&#{ord(token)};"

    escaped = _BODY_UNSAFE.sub(escape, markdown.replace("\r\n", "\n").strip("\n"))
    return shift_headings(escaped, min_level)


def shift_headings(markdown: str, min_level: int) -> str:
    lines = markdown.split("\n")
    levels = [len(m.group(1)) for m in _headings(lines)]
    if not levels or min(levels) >= min_level:
        return markdown
    shift = min_level - min(levels)
    in_fence = False
    out = []
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := _HEADING.match(line)):
            level = min(len(m.group(1)) + shift, 6)
            line = "#" * level + line[m.end():]
        out.append(line)
    return "\n".join(out)


def _headings(lines: list[str]) -> Iterable[re.Match[str]]:
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := _HEADING.match(line)):
            yield m


def front_matter(title: str, hide_navigation: bool = False) -> str:
    """YAML front matter; the title is HTML-escaped because Material prints ``page.meta.title`` raw."""
    meta: dict[str, Any] = {"title": html.escape(" ".join(title.split()))}
    if hide_navigation:
        meta["hide"] = ["navigation"]
    data = yaml.safe_dump(meta, allow_unicode=True, width=10_000)
    return f"---\n{data}---\n"


def cn_date(value: str) -> str:
    """2021-03-26 → 2021年3月26日; anything else is returned as given."""
    m = _ISO_DATE.match(value or "")
    if not m:
        return value or ""
    return f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日"


# ---------------------------------------------------------------- site model

@dataclass
class Group:
    """A browse index entry: a year, a publisher or a document type, with its page path."""

    key: str
    label: str
    path: str
    issues: list[Issue] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


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

    def issue_of(self, document: Document) -> Issue:
        return self.archive.issue_of[document.document_id]

    def doc_path(self, document: Document) -> str:
        return self.document_path[document.document_id]

    def document_count(self, issue: Issue) -> int:
        return sum(1 for d in issue.documents if self.archive.by_id.get(d.document_id) is d)

    def publisher_path(self, issue: Issue) -> str:
        return next(g.path for g in self.publishers if g.key == issue.publisher)

    def year_path(self, issue: Issue) -> str:
        key = str(issue.year) if issue.year else "undated"
        return next(g.path for g in self.years if g.key == key)

    def type_path(self, document: Document) -> str:
        key = document.doc_type or "未注明"
        return next(g.path for g in self.types if g.key == key)


def issue_label(issue: Issue) -> str:
    """济宁市兖州区人民政府公报 2021年第3-4期"""
    if issue.kind != "issue" or not issue.number:
        return f"{issue.publisher} {issue.year}年文件汇编" if issue.year else f"{issue.publisher} 文件汇编"
    name = issue.title or f"{issue.publisher}公报"
    year = f"{issue.year}年" if issue.year else ""
    return f"{name} {year}第{issue.number}期"


def _issue_sort_key(issue: Issue) -> tuple:
    return (issue.year or 0, issue.published_on, _number_key(issue.number), issue.issue_id)


def _number_key(number: str) -> tuple[int, str]:
    m = re.match(r"\d+", number or "")
    return (int(m.group()) if m else 0, number or "")


def _unique_path(prefix: str, key: str, taken: set[str]) -> str:
    base = slug(key) or "item"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return f"{prefix}/{candidate}.md"


def build_site(archive: Archive, datapackage: dict[str, Any] | None = None) -> Site:
    issues = sorted(archive.issues, key=_issue_sort_key, reverse=True)
    taken: set[str] = set()
    issue_path = {i.issue_id: _unique_path("issues", i.issue_id, taken) for i in issues}
    taken = set()
    document_path = {d.document_id: _unique_path("documents", d.document_id, taken) for d in archive.documents}

    years: dict[str, Group] = {}
    publishers: dict[str, Group] = {}
    types: dict[str, Group] = {}
    taken_years: set[str] = set()
    taken_publishers: set[str] = set()
    taken_types: set[str] = set()
    for issue in issues:
        ykey = str(issue.year) if issue.year else "undated"
        if ykey not in years:
            years[ykey] = Group(ykey, f"{issue.year}年" if issue.year else "年份不详",
                                _unique_path("years", ykey, taken_years))
        pkey = issue.publisher
        if pkey not in publishers:
            pslug = issue.region_code if slug(issue.region_code) else pinyin_slug(issue.publisher)
            publishers[pkey] = Group(pkey, issue.publisher, _unique_path("publishers", pslug, taken_publishers))
        years[ykey].issues.append(issue)
        publishers[pkey].issues.append(issue)
        for document in issue.documents:
            if archive.by_id.get(document.document_id) is not document:
                continue  # a duplicate id the archive dropped
            years[ykey].documents.append(document)
            publishers[pkey].documents.append(document)
            tkey = document.doc_type or "未注明"
            if tkey not in types:
                types[tkey] = Group(tkey, tkey, _unique_path("types", pinyin_slug(tkey) or "type", taken_types))
            types[tkey].documents.append(document)

    return Site(
        archive=archive, issues=issues, issue_path=issue_path, document_path=document_path,
        years=sorted(years.values(), key=lambda g: (g.key.isdigit(), g.key), reverse=True),
        publishers=sorted(publishers.values(), key=lambda g: (-len(g.documents), pinyin_slug(g.label))),
        types=sorted(types.values(), key=lambda g: (-len(g.documents), pinyin_slug(g.label))),
        datapackage=datapackage,
    )


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
    documents = [d for d in sorted(issue.documents, key=lambda d: d.seq)
                 if archive.by_id.get(d.document_id) is d]
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
    env.filters.update(md=md_text, body=md_body, cn_date=cn_date, issue_label=issue_label,
                       table_md=table_markdown, table_width=table_width)
    return env


def rel(target: str, here: str) -> str:
    """Relative link from page ``here`` to docs file ``target`` (both docs-relative)."""
    return posixpath.relpath(target, posixpath.dirname(here) or ".")


def render_pages(archive: Archive, datapackage: dict[str, Any] | None = None) -> dict[str, str]:
    """Every generated page: docs-relative path → Markdown text.

    ``datapackage`` is the data package descriptor (datapackage.json) when the package is
    published with the site (under ``data/gazette/``), else None.
    """
    site = build_site(archive, datapackage)
    env = _env()
    pages: dict[str, str] = {}

    def render(path: str, template: str, title: str | None, **context: Any) -> None:
        body = env.get_template(template).render(
            site=site, archive=archive, here=path, link=lambda target: rel(target, path),
            SITE_TITLE=SITE_TITLE, DATA_DIR=DATA_DIR, DATA_ZIP=DATA_ZIP, **context)
        head = front_matter(title, hide_navigation=path not in NAV_PAGES) if title else ""
        pages[path] = head + body.rstrip("\n") + "\n"

    render("index.md", "home.md.j2", None, latest=site.issues[:LATEST_ISSUES],
           publisher_count=len(site.publishers))
    render("issues/index.md", "issues_index.md.j2", "期刊")
    for issue in site.issues:
        sections = issue_sections(issue, archive)
        render(site.issue_path[issue.issue_id], "issue.md.j2", issue_label(issue), issue=issue,
               sections=[(name, rows) for name, rows in sections if not all(r.anchor for r in rows)],
               parts=[row for _, rows in sections if all(r.anchor for r in rows) for row in rows])
    for document in archive.documents:
        issue = site.issue_of(document)
        render(site.doc_path(document), "document.md.j2", document.title or "（无标题）",
               document=document, issue=issue, status=archive.status(document),
               repealed=archive.repealed_by.get(document.document_id),
               cites=archive.cites(document), cited_by=archive.cited_by.get(document.document_id, []),
               table_paths=_table_paths(document, datapackage),
               body_has_table=any(_PIPE_ROW.search(text) for text in [document.body] + [a.body for a in document.attachments]))
    render("years/index.md", "groups_index.md.j2", "按年份", groups=site.years, kind="year")
    for group in site.years:
        render(group.path, "group.md.j2", f"{group.label}", group=group, kind="year")
    render("publishers/index.md", "groups_index.md.j2", "按发布机关", groups=site.publishers, kind="publisher")
    for group in site.publishers:
        render(group.path, "group.md.j2", group.label, group=group, kind="publisher")
    render("types/index.md", "groups_index.md.j2", "按文种", groups=site.types, kind="type")
    for group in site.types:
        render(group.path, "group.md.j2", f"文种：{group.label}", group=group, kind="type")
    render("download.md", "download.md.j2", "数据下载", resources=_resources(datapackage),
           table_count=sum(len(d.tables) for d in archive.documents))
    return pages


def _table_paths(document: Document, datapackage: dict[str, Any] | None) -> dict[str, str]:
    """table_id → the table's CSV in the published data package (docs-relative), when published."""
    if not datapackage:
        return {}
    paths = {}
    for resource in datapackage.get("resources", []):
        name, path = resource.get("name", ""), resource.get("path", "")
        for table in document.tables:
            if name == f"table-{table.table_id}" and isinstance(path, str):
                paths[table.table_id] = f"{DATA_DIR}/{path}"
    return paths


def _resources(datapackage: dict[str, Any] | None) -> list[dict[str, str]]:
    if not datapackage:
        return []
    out = []
    for resource in datapackage.get("resources", []):
        path = resource.get("path")
        if not isinstance(path, str) or str(resource.get("name", "")).startswith("table-"):
            continue
        out.append({"name": str(resource.get("name", "")), "title": str(resource.get("title", "")),
                    "description": str(resource.get("description", "")), "path": f"{DATA_DIR}/{path}"})
    return out


def table_width(table: Table) -> int:
    return max((len(r) for r in [*table.header, *table.rows]), default=0)


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

def write_pages(pages: dict[str, str], out_dir: Path) -> dict[str, int]:
    """Make ``out_dir`` hold exactly ``pages``: write changed files only, remove stale ``.md`` files.

    Returns counts: written, unchanged, removed.
    """
    out_dir = Path(out_dir)
    counts = {"written": 0, "unchanged": 0, "removed": 0}
    for rel_path, text in pages.items():
        target = out_dir / rel_path
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            counts["unchanged"] += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        counts["written"] += 1
    wanted = {(out_dir / p).resolve() for p in pages}
    if out_dir.is_dir():
        for path in sorted(out_dir.rglob("*"), reverse=True):
            if path.is_file() and path.resolve() not in wanted:
                path.unlink()
                counts["removed"] += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return counts
