"""Frictionless data package (Data Package v2) from the archive: CSV resources + datapackage.json.

``package_files`` is pure: archive → {relative path: bytes}. ``write_datapackage`` puts them
on disk atomically. The same records always give the same bytes.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import pickle
import shutil
import zipfile
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from generator.data.spreadsheet import write_xlsx
from generator.data.sqlite_export import datasette_metadata, write_sqlite_gz
from generator.model.archive import STATUSES, Archive
from generator.model.body import plain_text
from generator.model.ids import column_names, document_url, issue_url
from generator.model.models import (
    ACTIONS,
    DOC_TYPES,
    REGION_CODE_PATTERN,
    RELATIONS,
    SHA256_PATTERN,
    Appointment,
    Document,
    Issue,
    Problem,
    Table,
)
from generator.model.records import cache_path, read_cached, write_cached
from generator.outputs import atomic_file
from generator.parallel import in_two

CONTRACT_VERSION = "1.0"  # fields of the package and of the JSON files (generator/data/contract.py)

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
PACKAGE_NAME = "chinese-local-gazettes"
LICENSE = {
    "name": "ODC-PDDL-1.0",
    "path": "https://opendatacommons.org/licenses/pddl/",
    "title": "Open Data Commons Public Domain Dedication and License 1.0",
}


def _field(name: str, type_: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "description": description, **extra}


S, I, D, B = "string", "integer", "date", "boolean"

SCHEMAS: dict[str, dict[str, Any]] = {
    "issues": {
        "title": "期刊与文件汇编",
        "description": "每个导入的来源一行：一期公报，或一起发布的一组文件（文件汇编）。",
        "fields": [
            _field(
                "issue_id",
                S,
                "稳定的 ASCII 标识：行政区划代码、年份与期号。",
                title="期刊标识",
                constraints={"required": True, "unique": True},
            ),
            _field(
                "kind",
                S,
                "issue（一期公报）或 collection（一起发布的文件汇编）。",
                title="类型",
                constraints={"enum": ["issue", "collection"]},
            ),
            _field("publisher", S, "出版公报的人民政府，如济宁市兖州区人民政府。", title="发布机关"),
            _field(
                "region_code",
                S,
                "发布机关的行政区划代码（GB/T 2260，六位数字）。",
                title="行政区划代码",
                constraints={"pattern": REGION_CODE_PATTERN},
            ),
            _field("year", I, "期刊所属年份。", title="年份"),
            _field(
                "year_inferred",
                B,
                "报头未印年份、年份由所收文件推断时为 true。",
                title="年份为推断",
            ),
            _field("number", S, "报头所印期号，合刊如 3-4。", title="期号"),
            _field("cumulative_number", S, "报头所印总期号，如 87-88。", title="总期号"),
            _field("published_on", D, "版权页所印出版日期。", title="出版日期"),
            _field("title", S, "报头刊名，如济宁市兖州区人民政府公报。", title="刊名"),
            _field("document_count", I, "本期所收公文件数。", title="文件数"),
            _field("source", S, "原始文件名（content/sources/ 下）。", title="来源文件"),
            _field(
                "source_sha256",
                S,
                "原始文件内容的 SHA-256 摘要（64 位小写十六进制）。",
                title="来源文件 SHA-256",
                constraints={"pattern": SHA256_PATTERN},
            ),
            _field("url", S, "本期页面地址，相对于网站根目录。", title="页面地址"),
        ],
        "primaryKey": ["issue_id"],
    },
    "documents": {
        "title": "公文",
        "description": "每件公文一行，含 GB/T 9704-2012 规定的各要素。",
        "fields": [
            _field(
                "document_id",
                S,
                "由发文字号（无文号时由发布机关、成文日期与标题）生成的稳定 ASCII 标识。",
                title="公文标识",
                constraints={"required": True, "unique": True},
            ),
            _field("issue_id", S, "刊登本文件的期刊。", title="期刊标识", constraints={"required": True}),
            _field("seq", I, "本文件在该期中的顺序，从 1 起。", title="序号"),
            _field("section", S, "所在栏目，如区政府文件。", title="栏目"),
            _field("doc_number", S, "发文字号，经校正、去空格，如济兖政发〔2021〕5号。", title="发文字号"),
            _field(
                "doc_number_printed",
                S,
                "原件所印发文字号，与校正后不同时给出（OCR 错误、空格等）。",
                title="发文字号（原印）",
            ),
            _field("doc_agency", S, "发文机关代字，如济兖政发。", title="机关代字"),
            _field("doc_year", I, "发文字号中的年份。", title="文号年份"),
            _field("doc_serial", I, "发文字号中的序号。", title="文号序号"),
            _field("title", S, "公文完整标题。", title="标题"),
            _field(
                "doc_type",
                S,
                "文种：决定、通知、意见、批复……（GB/T 9704 与《党政机关公文处理工作条例》所列）。",
                title="文种",
                constraints={"enum": list(DOC_TYPES)},
            ),
            _field("issuer", S, "发文机关署名。", title="发文机关"),
            _field("recipients", S, "主送机关。", title="主送机关"),
            _field("signed_on", D, "成文日期。", title="成文日期"),
            _field("printed_on", D, "印发日期（版记）。", title="印发日期"),
            _field("public", B, "标注“此件公开发布”或“此件主动公开”时为 true。", title="公开发布"),
            _field("page", I, "在该期目录中的页码。", title="页码"),
            _field(
                "source_page_first",
                I,
                "在原始 PDF 中的起始页（文本来源为空）。",
                title="原件起始页",
            ),
            _field(
                "source_page_last",
                I,
                "在原始 PDF 中的终止页（文本来源为空）。",
                title="原件终止页",
            ),
            _field(
                "source_url",
                S,
                "导入来源网页的地址（来自公报的文件为空）。",
                title="原文链接",
                format="uri",
            ),
            _field("attachment_count", I, "附件件数。", title="附件数"),
            _field("table_count", I, "表格个数。", title="表格数"),
            _field(
                "body",
                S,
                "公文正文全文（不含附件），与原文一字不差：段落与标题各占一行，段间空一行；表格每行一行，单元格以制表符分隔。",
                title="正文",
            ),
            _field(
                "status",
                S,
                "有效；若档案中有后来的文件将其废止或宣布失效，则为已废止或已宣布失效。",
                title="效力状态",
                constraints={"enum": list(STATUSES)},
            ),
            _field("url", S, "本文件页面地址，相对于网站根目录。", title="页面地址"),
        ],
        "primaryKey": ["document_id"],
        "foreignKeys": [
            {"fields": ["issue_id"], "reference": {"resource": "issues", "fields": ["issue_id"]}}
        ],
    },
    "appointments": {
        "title": "人事任免",
        "description": "人事任免中每人每项任免一行。",
        "fields": [
            _field(
                "appointment_id",
                S,
                "稳定标识。",
                title="任免标识",
                constraints={"required": True, "unique": True},
            ),
            _field("issue_id", S, "刊登该任免决定的期刊。", title="期刊标识", constraints={"required": True}),
            _field("decided_on", D, "任免决定的日期。", title="决定日期"),
            _field("authority", S, "作出决定的机关，如区人民政府。", title="决定机关"),
            _field("person", S, "被任免人姓名（职务更名时为空）。", title="姓名"),
            _field(
                "action",
                S,
                "任命、免去、聘任、不再聘任、不再担任、职务名称变更……",
                title="任免类别",
                constraints={"enum": list(ACTIONS)},
            ),
            _field("post", S, "职务，按原文。", title="职务"),
            _field("note", S, "原文所附条件：聘期三年、职级待遇不变、更名后的职务名称……", title="备注"),
            _field("text", S, "该项决定的原文。", title="原文"),
            _field(
                "basis",
                S,
                "该项决定所属的原文标题、决定或通知语、小标题。",
                title="依据",
            ),
        ],
        "primaryKey": ["appointment_id"],
        "foreignKeys": [
            {"fields": ["issue_id"], "reference": {"resource": "issues", "fields": ["issue_id"]}}
        ],
    },
    "events": {
        "title": "大事记",
        "description": "大事记每条一行。",
        "fields": [
            _field(
                "event_id",
                S,
                "稳定标识。",
                title="大事记标识",
                constraints={"required": True, "unique": True},
            ),
            _field("issue_id", S, "刊登该条的期刊。", title="期刊标识", constraints={"required": True}),
            _field("date", D, "事件日期（时间段的第一天）。", title="日期"),
            _field("end_date", D, "时间段的最后一天，如 7-11日。", title="结束日期"),
            _field("text", S, "该条原文，不含日期。", title="内容"),
        ],
        "primaryKey": ["event_id"],
        "foreignKeys": [
            {"fields": ["issue_id"], "reference": {"resource": "issues", "fields": ["issue_id"]}}
        ],
    },
    "references": {
        "title": "引用",
        "description": "公文中引用的每个发文字号一行。",
        "fields": [
            _field("document_id", S, "引用方公文。", title="引用文件", constraints={"required": True}),
            _field("cited_doc_number", S, "被引用的发文字号，去空格。", title="被引文号"),
            _field("cited_document_id", S, "被引用的公文（收入本档案时）。", title="被引文件"),
            _field(
                "relation",
                S,
                "废止、宣布失效、依据、贯彻、引用。",
                title="关系",
                constraints={"enum": list(RELATIONS)},
            ),
        ],
        "primaryKey": ["document_id", "cited_doc_number", "relation"],
        "foreignKeys": [
            {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}},
            {
                "fields": ["cited_document_id"],
                "reference": {"resource": "documents", "fields": ["document_id"]},
            },
        ],
    },
    "tables": {
        "title": "表格",
        "description": "从公文中提取的每个表格一行；每个表格另有自己的 CSV 资源。",
        "fields": [
            _field(
                "table_id",
                S,
                "稳定标识；其资源名为 table-{table_id}。",
                title="表格标识",
                constraints={"required": True, "unique": True},
            ),
            _field("document_id", S, "表格所在公文。", title="所属公文", constraints={"required": True}),
            _field("caption", S, "原文所印表题。", title="表题"),
            _field("rows", I, "数据行数。", title="行数"),
            _field("columns", I, "列数。", title="列数"),
            _field("path", S, "表格 CSV 在数据包中的路径。", title="文件路径"),
        ],
        "primaryKey": ["table_id"],
        "foreignKeys": [
            {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}}
        ],
    },
    "problems": {
        "title": "解析问题",
        "description": "导入时未能解析或作了校正之处。",
        "fields": [
            _field("issue_id", S, "所涉期刊。", title="期刊标识", constraints={"required": True}),
            _field(
                "severity",
                S,
                "error（错误）、warning（警告）或 info（说明）。",
                title="级别",
                constraints={"enum": ["error", "warning", "info"]},
            ),
            _field("code", S, "问题的简短代码，如 doc-number-corrected。", title="代码"),
            _field("message", S, "发现的情况。", title="说明"),
            _field("line", I, "在来源文件中的行号（与某行无关时为 0）。", title="行号"),
        ],
        "foreignKeys": [
            {"fields": ["issue_id"], "reference": {"resource": "issues", "fields": ["issue_id"]}}
        ],
    },
}


def issue_row(issue: Issue) -> dict[str, Any]:
    """The ``issues`` row of ``issue`` (also the scalar fields of its JSON, generator/data/contract.py)."""
    return {
        **_pick(
            issue,
            "issue_id kind publisher region_code year year_inferred number cumulative_number published_on title",
        ),
        "document_count": len(issue.documents),
        "source": issue.source,
        "source_sha256": issue.source_sha256,
        "url": issue_url(issue.issue_id),
    }


def document_row(document: Document, issue: Issue, status: str) -> dict[str, Any]:
    """The ``documents`` row of ``document`` (also the scalar fields of its JSON); ``status``
    is what the archive knows (``Archive.status``)."""
    number = document.doc_number
    return {
        "document_id": document.document_id,
        "issue_id": issue.issue_id,
        "seq": document.seq,
        "section": document.section,
        "doc_number": number.text if number else None,
        "doc_number_printed": number.printed if number else None,
        "doc_agency": number.agency if number else None,
        "doc_year": number.year if number else None,
        "doc_serial": number.serial if number else None,
        **_pick(document, "title doc_type issuer recipients signed_on printed_on public page"),
        "source_page_first": document.source_pages[0] if document.source_pages else None,
        "source_page_last": document.source_pages[-1] if document.source_pages else None,
        "source_url": document.source_url or None,
        "attachment_count": len(document.attachments),
        "table_count": len(document.tables),
        "body": plain_text(document.body),
        "status": status,
        "url": document_url(document.document_id),
    }


def appointment_row(appointment: Appointment, issue: Issue) -> dict[str, Any]:
    """The ``appointments`` row of ``appointment``."""
    return {
        "appointment_id": appointment.appointment_id,
        "issue_id": issue.issue_id,
        **_pick(appointment, "decided_on authority person action post note text basis"),
    }


def _issue_rows(archive: Archive, issue: Issue) -> dict[str, Iterable[dict[str, Any]]]:
    """The rows of ``issue`` in each main table, as the archive links it (its documents that
    are not another issue's, their status and citations)."""
    documents = archive.documents_of(issue)

    def references():
        for document in documents:
            seen = set()
            for c in archive.cites(document):
                key = (c.reference.cited_doc_number, c.reference.relation)
                if key in seen:
                    continue
                seen.add(key)
                yield {
                    "document_id": document.document_id,
                    "cited_doc_number": key[0],
                    "cited_document_id": c.cited.document_id if c.cited else None,
                    "relation": key[1],
                }

    return {
        "issues": [issue_row(issue)],
        "documents": (document_row(d, issue, archive.status(d)) for d in documents),
        "appointments": (appointment_row(a, issue) for a in issue.appointments),
        "events": (
            {"event_id": e.event_id, "issue_id": issue.issue_id, **_pick(e, "date end_date text")}
            for e in issue.events
        ),
        "references": references(),
        "tables": (
            {
                "table_id": t.table_id,
                "document_id": d.document_id,
                "caption": t.caption,
                "rows": len(t.rows),
                "columns": _width(t),
                "path": table_path(t),
            }
            for d in documents
            for t in d.tables
        ),
        "problems": (_problem_row(issue.issue_id, p) for p in issue.problems),
    }


def _problem_row(issue_id: str, problem: Problem) -> dict[str, Any]:
    return {"issue_id": issue_id, **_pick(problem, "severity code message line")}


def _issue_part_key(archive: Archive, issue: Issue) -> bytes | None:
    """What an issue's part of the package is made from: its record file (by name, time and
    size) and what the archive adds to it; None when the issue was not read from a file."""
    stamp = archive.record_stamps.get(issue.issue_id)
    if stamp is None:
        return None
    linked = [
        [
            archive.by_id.get(d.document_id) is d,
            archive.status(d),
            [c.cited.document_id if c.cited else None for c in archive.cites(d)],
        ]
        for d in issue.documents
    ]
    inputs = json.dumps([stamp, linked], ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(inputs).hexdigest().encode()


# An issue's share of the package: each main table's CSV lines for it, and its documents'
# tables (path, CSV, resource). Kept in the content folder's cache between builds (PART_CACHE).
IssuePart = tuple[dict[str, bytes], list[tuple[str, bytes, dict[str, Any]]]]
PART_CACHE = "package"  # records.cache_path's kind: .cache/package/<issue id>.<code>.pickle


def _issue_part(archive: Archive, issue: Issue) -> IssuePart:
    rows = {name: _table_lines(name, found) for name, found in _issue_rows(archive, issue).items()}
    tables = []
    for document in archive.documents_of(issue):
        for table in document.tables:
            path = table_path(table)
            width = _width(table)
            headers = _column_titles(table, width)
            titles = [headers[i] or f"第{i + 1}列" for i in range(width)]
            fields = [
                {"name": name, "type": "string", "title": title}
                for name, title in zip(column_names(titles), titles)
            ]
            data = _csv([f["name"] for f in fields], (_pad(r, width) for r in table.rows))
            resource = _resource(
                f"table-{table.table_id}",
                path,
                data,
                {"fields": fields, "description": table.caption},
                title=table.caption or table.table_id,
            )
            tables.append((path, data, resource))
    return rows, tables


MIN_PARALLEL = 20  # issue parts to make: fewer are made here, forking costs more than it saves


def _issue_parts(archive: Archive, cache_dir: Path | None) -> list[IssuePart]:
    """Each issue's part, in the archive's order; with ``cache_dir`` (a content folder), taken
    from its cache when made from the same inputs, and cached when made. The parts to make are
    made on both cores (``in_two``: the forked process's come back pickled)."""
    issues = archive.issues
    parts: list[IssuePart | None] = [None] * len(issues)
    keys: list[bytes | None] = [None] * len(issues)
    for i, issue in enumerate(issues):
        keys[i] = key = _issue_part_key(archive, issue) if cache_dir is not None else None
        if key is None:
            continue
        data = read_cached(cache_path(cache_dir, PART_CACHE, issue.issue_id), key)
        if data is not None:
            try:
                parts[i] = pickle.loads(data)
            except Exception:  # a damaged cache file: made again below
                pass
    missing = [i for i, part in enumerate(parts) if part is None]

    def make(share: tuple[int, int]) -> list[tuple[int, IssuePart]]:
        made = []
        for i in missing[share[0] :: share[1]]:
            part = _issue_part(archive, issues[i])
            if keys[i] is not None:
                path = cache_path(cache_dir, PART_CACHE, issues[i].issue_id)
                write_cached(path, keys[i], pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
            made.append((i, part))
        return made

    for i, part in chain.from_iterable(
        in_two(make, shares=2) if len(missing) >= MIN_PARALLEL else [make((0, 1))]
    ):
        parts[i] = part
    return parts  # type: ignore[return-value]


def table_path(table: Table) -> str:
    return f"tables/{table.table_id}.csv"


def package_files(archive: Archive, site_url: str = "", cache_dir: Path | None = None) -> dict[str, bytes]:
    """Every file of the package: CSVs, datapackage.json, README.txt, LICENSE.txt and datasette.json, as bytes,
    keyed by relative path. ``site_url``, the archive's address, becomes the homepage. With
    ``cache_dir`` (the content folder), each issue's part is kept in its cache (``PART_CACHE``):
    a rebuild makes only the parts of new or changed issues."""
    lines: dict[str, list[bytes]] = {name: [] for name in SCHEMAS}
    table_files: list[tuple[str, bytes, dict[str, Any]]] = []
    for rows, tables in _issue_parts(archive, cache_dir):
        for name, data in rows.items():
            lines[name].append(data)
        table_files.extend(tables)
    lines["problems"].append(_table_lines("problems", (_problem_row(i, p) for i, p in archive.problems)))
    files: dict[str, bytes] = {}
    resources = []
    for name, parts in lines.items():
        path = f"{name}.csv"
        files[path] = _csv(_columns(name)[0], ()) + b"".join(parts)
        resources.append(_resource(name, path, files[path], SCHEMAS[name]))
    for path, data, resource in table_files:
        files[path] = data
        resources.append(resource)
    descriptor = {
        "$schema": PROFILE,
        "name": PACKAGE_NAME,
        "title": "中国地方人民政府公报开放数据",
        "description": (
            "地方人民政府公报的结构化数据：公文全文及其各要素、人事任免、大事记、公文之间的引用与表格，"
            "由公报公开发布的文本解析而来。Official documents, appointments, chronicles and citations "
            "from Chinese local-government gazettes (人民政府公报), parsed from their published text."
        ),
        **({"homepage": site_url} if site_url else {}),
        "version": package_version(archive),
        "created": _created(archive),
        "licenses": [LICENSE],
        "sources": _sources(archive),
        "contributors": _contributors(archive),
        "keywords": ["人民政府公报", "gazette", "official documents", "China", "open data"],
        "resources": resources,
    }
    files["README.txt"] = _readme(descriptor).encode("utf-8")
    files["datasette.json"] = (
        json.dumps(datasette_metadata(descriptor), ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")
    files["LICENSE.txt"] = LICENSE_TEXT.encode("utf-8")
    files["datapackage.json"] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def _resource(
    name: str, path: str, data: bytes, schema: dict[str, Any], title: str | None = None
) -> dict[str, Any]:
    table_schema = {k: v for k, v in schema.items() if k in ("fields", "primaryKey", "foreignKeys")}
    return {
        "name": name,
        "type": "table",
        "path": path,
        "title": title or schema.get("title", name),
        "description": schema.get("description", ""),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "dialect": {
            "$schema": "https://datapackage.org/profiles/2.0/tabledialect.json",
            "delimiter": ",",
            "lineTerminator": "\n",
            "header": True,
        },
        "schema": {
            "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
            **table_schema,
            "missingValues": [""],
        },
    }


def _newest_date(archive: Archive) -> str:
    """The latest date the records hold (publication, else signing): what dates this edition,
    so that the same records always give the same package."""
    dates = [i.published_on for i in archive.issues] + [d.signed_on for d in archive.documents]
    return max((d for d in dates if d), default="1970-01-01")


def package_version(archive: Archive) -> str:
    """JSON-contract major.minor, then the newest record date as the patch: 1.0.20240229. A new
    issue makes a newer version; a change of fields a new minor or major."""
    return f"{CONTRACT_VERSION}.{_newest_date(archive).replace('-', '')}"


def _created(archive: Archive) -> str:
    return f"{_newest_date(archive)}T00:00:00Z"


def _sources(archive: Archive) -> list[dict[str, str]]:
    """One source per issue, named as printed with its file name (``issues.source``; its
    SHA-256 in ``issues.source_sha256``). Source files are not part of the package."""
    out = []
    for issue in archive.issues:
        label = f"{issue.title or issue.publisher}" + (
            f" {issue.year}年第{issue.number}期" if issue.kind == "issue" else " 文件汇编"
        )
        out.append({"title": f"{label}（原始文件 {issue.source}）" if issue.source else label})
    return out


def _contributors(archive: Archive) -> list[dict[str, Any]]:
    publishers = sorted({issue.publisher for issue in archive.issues if issue.publisher})
    return [{"title": name, "roles": ["publisher"]} for name in publishers] + [
        {"title": "人民政府公报开放数据档案", "roles": ["creator"]}
    ]


# In the package beside its resources. Plain text, not .md: a site built with the package would
# render Markdown files as pages.
PACKAGE_DOCS = ("README.txt", "LICENSE.txt", "datasette.json")

LICENSE_TEXT = """# 许可 · License

本数据包以 Open Data Commons 公共领域贡献与许可协议（PDDL 1.0）发布：
<https://opendatacommons.org/licenses/pddl/1-0/>。公报原文为政府公开信息；
本数据包中的结构化整理（字段、标识、引用关系）放弃一切权利，可自由使用、修改和再发布。

This data package is released under the Open Data Commons Public Domain Dedication and License
(PDDL) 1.0: <https://opendatacommons.org/licenses/pddl/1-0/>. The gazette texts are public
government information; the structure added here (fields, identifiers, citations) is dedicated
to the public domain.
"""


def _readme(descriptor: dict[str, Any]) -> str:
    lines = [
        f"# {descriptor['title']}",
        "",
        "地方人民政府公报的结构化数据：期刊、公文全文、人事任免、大事记、公文之间的引用与表格。",
        "Frictionless 数据包（Data Package v2）：`datapackage.json` 描述每个 CSV 文件的字段、类型、",
        "主键与外键；CSV 为 UTF-8 编码（无 BOM）、逗号分隔、换行符 LF，缺失值为空单元格，日期为 YYYY-MM-DD。",
        "",
        f"版本 {descriptor['version']}，数据截至 {descriptor['created'][:10]}。",
        *([f"主页：{descriptor['homepage']}", ""] if "homepage" in descriptor else [""]),
        "校验：`frictionless validate datapackage.json`",
        "",
        "| 文件 | 内容 |",
        "| --- | --- |",
    ]
    for resource in descriptor["resources"]:
        if resource["name"] in SCHEMAS:
            lines.append(f"| `{resource['path']}` | {resource['title']} |")
    tables = sum(1 for r in descriptor["resources"] if r["name"] not in SCHEMAS)
    lines += [
        "",
        f"另有 {tables} 个表格，各为一个 CSV 文件（`tables/`），列名为表头的拼音，表头原文见字段的 title。",
        "",
    ]
    lines += ["许可：PDDL 1.0，见 `LICENSE.txt`。", ""]
    return "\n".join(lines)


def _pick(record: Any, names: str) -> dict[str, Any]:
    return {name: getattr(record, name) for name in names.split()}


def _width(table: Table) -> int:
    return max([len(r) for r in table.rows + table.header] or [0])


def _pad(row: list[str], width: int) -> list[str]:
    return list(row) + [""] * (width - len(row))


def _column_titles(table: Table, width: int) -> list[str]:
    """Header rows joined per column ("2023 年实际完成 绝对量"); a merged cell spans to the right."""
    titles = [""] * width
    for header in table.header:
        carry = ""
        for i, cell in enumerate(_pad(header, width)):
            cell = cell.strip()
            if cell:
                carry = cell
            elif len(table.header) > 1 and header is table.header[0]:
                cell = carry
            titles[i] = f"{titles[i]} {cell}".strip() if cell else titles[i]
    return titles


@functools.cache
def _columns(name: str) -> tuple[list[str], list[int]]:
    """A main table's column names, and where its boolean fields are."""
    fields = SCHEMAS[name]["fields"]
    return [f["name"] for f in fields], [i for i, f in enumerate(fields) if f["type"] == "boolean"]


def _table_lines(name: str, rows: Iterable[dict[str, Any]]) -> bytes:
    """The CSV lines of ``rows`` of the main table ``name`` as ``_csv`` writes them, without
    the header."""
    columns, flags = _columns(name)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        _with_flags([row.get(c) for c in columns], flags) for row in rows
    )
    return buffer.getvalue().encode("utf-8")


def csv_records(data: bytes) -> int:
    """How many records (the header among them) CSV text as ``_csv`` writes it holds, without
    parsing it: its line breaks outside quoted fields, and a last record without a break. A
    quote inside a field is doubled, so the breaks outside are those with an even number of
    quotes before them: those of every other piece between quotes (split and counted in C,
    three times as fast as a walk over the lines)."""
    breaks = sum(piece.count(b"\n") for piece in data.split(b'"')[::2])
    return breaks + (1 if data and not data.endswith(b"\n") else 0)


def _csv(columns: list[str], rows: Iterable[list[Any]]) -> bytes:
    """CSV of ``rows``: None as an empty cell, any other value as str() gives it (the csv
    module's own rules), booleans already true/false (``_with_flags``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _with_flags(row: list[Any], flags: list[int]) -> list[Any]:
    """``row`` with the booleans at ``flags`` (the schema's boolean fields) as true/false."""
    for i in flags:
        if isinstance(row[i], bool):
            row[i] = "true" if row[i] else "false"
    return row


def write_package_files(files: dict[str, bytes], folder: Path) -> None:
    """Write ``files`` (package path → bytes) under ``folder``."""
    for rel, data in sorted(files.items()):
        target = Path(folder) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def write_datapackage(files: dict[str, bytes], out_dir: Path) -> None:
    """Replace ``out_dir`` with exactly ``files``: complete or, on failure, the previous package untouched."""
    from generator.outputs import make_staging, replace_dirs

    out_dir = Path(out_dir)
    staging = make_staging(out_dir)
    try:
        write_package_files(files, staging)
        replace_dirs([(staging, out_dir)])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def zip_bytes(files: dict[str, bytes], folder: str = "gazette") -> bytes:
    """A reproducible zip of the package (fixed timestamps and order)."""
    buffer = io.BytesIO()
    write_zip(files, buffer, folder)
    return buffer.getvalue()


def write_zip(files: Mapping[str, bytes | Path], out: BinaryIO, folder: str = "gazette") -> None:
    """``files`` (package path → bytes, or a file to copy from) as a reproducible zip."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = files[rel]
            if isinstance(data, bytes):
                archive.writestr(info, data)
            else:
                with open(data, "rb") as source, archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target, 1 << 20)


def write_package_archives(
    package_dir: Path | str, out_dir: Path | str, data_zip: str, data_sqlite: str, data_xlsx: str = ""
) -> None:
    """The package under ``package_dir`` as a zip, as gzipped SQLite and (when ``data_xlsx`` is
    given) as an Excel workbook of its main tables, at ``out_dir``/``data_zip``, ``data_sqlite``
    and ``data_xlsx``, each replaced whole. Streams from and to disk: run in a process of its own
    beside the MkDocs build, it needs little memory."""

    package_dir, out_dir = Path(package_dir), Path(out_dir)
    paths = {p.relative_to(package_dir).as_posix(): p for p in sorted(package_dir.rglob("*")) if p.is_file()}
    for rel, write in (
        (data_zip, lambda f: write_zip(paths, f)),
        (data_sqlite, lambda f: write_sqlite_gz(package_dir, f)),
        (data_xlsx, lambda f: write_xlsx(package_dir, f)),
    ):
        if not rel:
            continue
        with atomic_file(out_dir / rel) as handle:
            write(handle)


def validate_package(path: Path, on_progress: Callable[[str], None] | None = None) -> list[str]:
    """Frictionless validation of a written package; returns readable error lines (empty when valid)."""
    from frictionless import Package

    package = Package(str(Path(path) / "datapackage.json"))
    report = package.validate()
    errors = []
    for task in report.tasks:
        if on_progress:
            on_progress(task.name)
        for error in task.errors:
            errors.append(f"{task.name}: {error.message}")
    for error in report.errors:
        errors.append(error.message)
    return errors
