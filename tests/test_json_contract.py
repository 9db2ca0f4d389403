"""The JSON contract (generator/data/contract.py): every document, issue and person JSON of the
sample archive validates against its published JSON Schema, says which schema and version it
follows, writes null (never "") for a missing value, keeps record internals out, and agrees
with the data package's CSV rows field by field."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import jsonschema
import pytest

from generator.data import contract
from generator.data.datapackage import package_files
from generator.model.archive import load_archive

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def archive():
    return load_archive(ROOT / "content")


@pytest.fixture(scope="module")
def validators():
    out = {}
    for kind, schema in contract.schemas("https://example.org/archive/").items():
        jsonschema.Draft202012Validator.check_schema(schema)
        out[kind] = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return out


def _strings(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _strings(item, f"{path}[{n}]")
    elif isinstance(value, str):
        yield path, value


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_every_document_validates_and_says_its_schema(archive, validators):
    assert len(archive.documents) >= 30
    for document in archive.documents:
        path = f"documents/{document.document_id}.json"
        record = contract.document_json(document, archive, path, "https://example.org/archive/")
        errors = [e.message for e in validators["document"].iter_errors(record)]
        assert errors == [], f"{document.document_id}: {errors[:3]}"
        assert record["$schema"] == "../schemas/v1/document.schema.json"
        assert record["schema_version"] == "1.0"
        assert record["permalink"] == f"https://example.org/archive/documents/{document.document_id}/"
        # an empty table cell is a cell printed empty, not a missing value
        empty = [where for where, text in _strings(record) if text == "" and ".tables[" not in where]
        assert empty == [], f"{document.document_id}: empty strings at {empty[:5]}"
        assert "line" not in set(_keys(record))


def test_issues_and_people_validate(archive, validators):
    people = 0
    for issue in archive.issues:
        record = contract.issue_json(issue, archive, f"issues/{issue.issue_id}.json")
        assert [e.message for e in validators["issue"].iter_errors(record)] == []
        assert record["permalink"] is None  # no site address given
        assert len(record["documents"]) == record["document_count"]
        by_person: dict[str, list] = {}
        for appointment in issue.appointments:
            by_person.setdefault(appointment.person, []).append((appointment, issue))
        for name, actions in by_person.items():
            record = contract.person_json(
                name, issue.publisher, issue.region_code, "people/x/", actions, "people/x.json"
            )
            assert [e.message for e in validators["person"].iter_errors(record)] == []
            assert record["$schema"] == "../schemas/v1/person.schema.json"
            people += 1
    assert people >= 50


def test_a_document_json_agrees_with_the_data_package_row(archive):
    files = package_files(archive)
    rows = {r["document_id"]: r for r in csv.DictReader(io.StringIO(files["documents.csv"].decode("utf-8")))}
    columns = next(csv.reader(io.StringIO(files["documents.csv"].decode("utf-8"))))
    for document in archive.documents:
        record = contract.document_json(document, archive, f"documents/{document.document_id}.json")
        row = rows[document.document_id]
        for column in columns:
            value = record[column]
            shown = (
                ""
                if value is None
                else ("true" if value is True else "false" if value is False else str(value))
            )
            assert shown == row[column], (document.document_id, column)


def test_citations_are_ids_and_urls(archive):
    cited = [
        (d, c)
        for d in archive.documents
        for c in contract.document_json(d, archive, "documents/x.json")["cites"]
    ]
    resolved = [c for _, c in cited if c["document_id"]]
    assert resolved, "the sample archive has citations between its documents"
    for citation in resolved:
        assert citation["url"] == f"documents/{citation['document_id']}/"
        assert citation["document_id"] in archive.by_id
    repealed = [d for d in archive.documents if archive.status(d) != "有效"]
    for document in repealed:
        record = contract.document_json(document, archive, "documents/x.json")
        assert any(c["relation"] in ("废止", "宣布失效") for c in record["cited_by"])


def test_the_schemas_describe_every_csv_field(archive):
    files = package_files(archive)
    schemas = contract.schemas()
    for resource, kind in (("documents", "document"), ("issues", "issue")):
        columns = next(csv.reader(io.StringIO(files[f"{resource}.csv"].decode("utf-8"))))
        properties = schemas[kind]["properties"]
        assert set(columns) <= set(properties), set(columns) - set(properties)
        for column in columns:
            assert properties[column].get("description"), column
