"""The JSON contract: one JSON file per document, issue and person on the site, each valid
against a JSON Schema (2020-12) published under ``schemas/``, with ``$schema`` pointing to it
and the contract's version in ``schema_version``.

Scalar fields are the data package's CSV fields (``datapackage.SCHEMAS``: same names, types and
values, from the same row functions); the schemas are made from those field definitions, so the
two cannot drift apart. A missing value is ``null``, never ``""``. Internal details of the
records (source line numbers) are not part of the contract. A change that removes or renames a
field raises the major version and publishes the new schemas beside the old ones.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from typing import Any

from generator.data.datapackage import CONTRACT_VERSION, SCHEMAS, appointment_row, document_row, issue_row
from generator.model.archive import Archive
from generator.model.body import plain_text
from generator.model.ids import document_url, issue_url
from generator.model.labels import issue_label
from generator.model.models import Appointment, Document, Issue

MAJOR = CONTRACT_VERSION.split(".")[0]
KINDS = ("document", "issue", "person")
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def schema_path(kind: str) -> str:
    """Where the schema of ``kind`` is published, relative to the site root."""
    return f"schemas/v{MAJOR}/{kind}.schema.json"


def _schema_ref(kind: str, file_path: str) -> str:
    """``$schema`` of a file at ``file_path`` (site-relative): a relative URL, right on any host
    and under any sub-path."""
    return posixpath.relpath(schema_path(kind), posixpath.dirname(file_path) or ".")


def _nulls(row: dict[str, Any]) -> dict[str, Any]:
    return {key: (None if value == "" else value) for key, value in row.items()}


def _head(kind: str, file_path: str) -> dict[str, Any]:
    return {"$schema": _schema_ref(kind, file_path), "schema_version": CONTRACT_VERSION}


def _permalink(site_url: str, url: str) -> str | None:
    return site_url.rstrip("/") + "/" + url if site_url else None


def document_json(document: Document, archive: Archive, file_path: str, site_url: str = "") -> dict[str, Any]:
    issue = archive.issue_of[document.document_id]
    row = _nulls(document_row(document, issue, archive.status(document)))
    cites = [
        {
            "doc_number": c.reference.cited_doc_number,
            "relation": c.reference.relation,
            "document_id": c.cited.document_id if c.cited else None,
            "url": document_url(c.cited.document_id) if c.cited else None,
        }
        for c in archive.cites(document)
    ]
    cited_by = [
        {
            "document_id": c.citing.document_id,
            "doc_number": c.citing.doc_number.text if c.citing.doc_number else None,
            "relation": c.reference.relation,
            "url": document_url(c.citing.document_id),
        }
        for c in archive.cited_by.get(document.document_id, [])
    ]
    return {
        **_head("document", file_path),
        **row,
        "permalink": _permalink(site_url, row["url"]),
        "publisher": issue.publisher,
        "region_code": issue.region_code or None,
        "issue": {"issue_id": issue.issue_id, "label": issue_label(issue), "url": issue_url(issue.issue_id)},
        "attachment_titles": list(document.attachment_titles),
        "attachments": [
            {"label": a.label or None, "title": a.title or None, "body": plain_text(a.body) or None}
            for a in document.attachments
        ],
        "tables": [
            {"table_id": t.table_id, "caption": t.caption or None, "header": t.header, "rows": t.rows}
            for t in document.tables
        ],
        "cites": cites,
        "cited_by": cited_by,
    }


def issue_json(issue: Issue, archive: Archive, file_path: str, site_url: str = "") -> dict[str, Any]:
    row = _nulls(issue_row(issue))
    return {
        **_head("issue", file_path),
        **row,
        "permalink": _permalink(site_url, row["url"]),
        "label": issue_label(issue),
        "sections": list(issue.sections),
        "documents": [
            {
                "document_id": d.document_id,
                "seq": d.seq,
                "section": d.section or None,
                "doc_number": d.doc_number.text if d.doc_number else None,
                "title": d.title,
                "url": document_url(d.document_id),
            }
            for d in issue.documents
            if archive.issue_of.get(d.document_id) is issue
        ],
        "appointments": [_nulls(appointment_row(a, issue)) for a in issue.appointments],
        "events": [
            {"event_id": e.event_id, "date": e.date or None, "end_date": e.end_date or None, "text": e.text}
            for e in issue.events
        ],
    }


def person_json(
    name: str,
    publisher: str,
    region_code: str,
    url: str,
    actions: Iterable[tuple[Appointment, Issue]],
    file_path: str,
    site_url: str = "",
) -> dict[str, Any]:
    return {
        **_head("person", file_path),
        "name": name,
        "publisher": publisher,
        "region_code": region_code or None,
        "url": url,
        "permalink": _permalink(site_url, url),
        "appointments": [
            {**_nulls(appointment_row(a, issue)), "issue_url": issue_url(issue.issue_id)}
            for a, issue in actions
        ],
    }


def dumps(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ---------------------------------------------------------------- schemas

_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "date": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_URL = {"type": "string", "description": "Page on the site, relative to the site root."}


def _property(field: dict[str, Any]) -> dict[str, Any]:
    required = field.get("constraints", {}).get("required", False)
    kind = _TYPES[field["type"]]
    out: dict[str, Any] = {"type": kind if required else [kind, "null"], "description": field["description"]}
    if field["type"] == "date":
        out["format"] = "date"
    if "enum" in field.get("constraints", {}):
        out["enum"] = list(field["constraints"]["enum"]) + ([] if required else [None])
    return out


def _row_properties(resource: str, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return {f["name"]: _property(f) for f in SCHEMAS[resource]["fields"] if f["name"] not in drop}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }
    if description:
        out = {"description": description, **out}
    return out


def _head_properties() -> dict[str, Any]:
    return {
        "$schema": {"type": "string", "description": "This file's JSON Schema, relative to this file."},
        "schema_version": {"const": CONTRACT_VERSION, "description": "Version of the JSON contract."},
        "permalink": {"type": ["string", "null"], "description": "Absolute address, when the site has one."},
    }


def schemas(site_url: str = "") -> dict[str, dict[str, Any]]:
    """The three JSON Schemas, by kind."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    appointment = _object(_row_properties("appointments"), "One person and action in 人事任免.")
    linked_document = _object(
        {
            "document_id": {"type": ["string", "null"]},
            "doc_number": _NULLABLE_STRING,
            "relation": {"type": "string", "description": "废止, 宣布失效, 依据, 贯彻, 引用 …"},
            "url": {"type": ["string", "null"]},
        }
    )
    document = _object(
        {
            **_head_properties(),
            **_row_properties("documents"),
            "publisher": {"type": "string"},
            "region_code": _NULLABLE_STRING,
            "issue": _object({"issue_id": {"type": "string"}, "label": {"type": "string"}, "url": _URL}),
            "attachment_titles": {"type": "array", "items": {"type": "string"}},
            "attachments": {
                "type": "array",
                "items": _object(
                    {"label": _NULLABLE_STRING, "title": _NULLABLE_STRING, "body": _NULLABLE_STRING}
                ),
            },
            "tables": {
                "type": "array",
                "items": _object(
                    {
                        "table_id": {"type": "string"},
                        "caption": _NULLABLE_STRING,
                        "header": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                        "rows": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                    }
                ),
            },
            "cites": {"type": "array", "items": linked_document, "description": "Document numbers it cites."},
            "cited_by": {"type": "array", "items": linked_document, "description": "Documents citing it."},
        },
        "An official document of a gazette, with the elements GB/T 9704-2012 names.",
    )
    issue = _object(
        {
            **_head_properties(),
            **_row_properties("issues"),
            "label": {"type": "string"},
            "sections": {"type": "array", "items": {"type": "string"}},
            "documents": {
                "type": "array",
                "items": _object(
                    {
                        "document_id": {"type": "string"},
                        "seq": {"type": "integer"},
                        "section": _NULLABLE_STRING,
                        "doc_number": _NULLABLE_STRING,
                        "title": {"type": "string"},
                        "url": _URL,
                    }
                ),
            },
            "appointments": {"type": "array", "items": appointment},
            "events": {
                "type": "array",
                "items": _object(_row_properties("events", drop=("issue_id",))),
            },
        },
        "A gazette issue, or a collection of documents published together.",
    )
    person_appointment = {
        **appointment,
        "properties": {**appointment["properties"], "issue_url": _URL},
        "required": sorted([*appointment["required"], "issue_url"]),
    }
    person = _object(
        {
            **_head_properties(),
            "name": {"type": "string"},
            "publisher": {"type": "string"},
            "region_code": _NULLABLE_STRING,
            "url": _URL,
            "appointments": {"type": "array", "items": person_appointment},
        },
        "Everyone named in 人事任免 under one publisher with one name.",
    )
    out = {}
    for kind, schema in (("document", document), ("issue", issue), ("person", person)):
        out[kind] = {
            "$schema": JSON_SCHEMA,
            **({"$id": base + schema_path(kind)} if base else {}),
            "title": f"Gazette archive {kind}, JSON contract {CONTRACT_VERSION}",
            **schema,
        }
    return out


def schema_files(site_url: str = "") -> dict[str, bytes]:
    """The schemas as files, by site path."""
    return {schema_path(kind): dumps(schema) for kind, schema in schemas(site_url).items()}
