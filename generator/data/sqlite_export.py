"""The data package as one SQLite database, for people who query rather than download.

One table per tabular resource (same name with ``-`` as ``_``, same columns, the package's
primary key), and ``documents_fts``, the Chinese full-text index of the documents (bigram
tokens, contentless, see ``fulltext``): a two-character word is one ``MATCH`` (FTS_SETUP,
the data page's first statement), a longer text its tokens plus ``instr`` (EXAMPLE_QUERY).

The same package always gives the same bytes: rows are inserted in file order into a fresh
database that is then vacuumed, and nothing time-dependent is stored.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from generator.data.fulltext import PHRASE_QUERY, WORD_QUERY, add_fulltext

SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "year": "INTEGER"}
FTS_SETUP = WORD_QUERY  # the data page's statements (names kept: the page passes them on)
EXAMPLE_QUERY = PHRASE_QUERY


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(text: str, field_type: str) -> Any:
    if text == "":
        return None
    if field_type == "boolean":
        return {"true": 1, "false": 0}.get(text.lower(), text)
    if field_type in ("integer", "year"):
        try:
            return int(text)
        except ValueError:
            return text
    if field_type == "number":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def sqlite_bytes(package_dir: Path) -> bytes:
    """The package under ``package_dir`` (datapackage.json + CSV files) as SQLite file bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gazette.sqlite"
        write_sqlite(package_dir, path)
        return path.read_bytes()


def write_sqlite_gz(package_dir: Path, out: BinaryIO) -> None:
    """The SQLite file, gzipped reproducibly (no name, no time stamp), streamed to ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gazette.sqlite"
        write_sqlite(package_dir, path)
        with (
            open(path, "rb") as source,
            gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=6, mtime=0) as target,
        ):
            shutil.copyfileobj(source, target, 1 << 20)


# Table names that are SQL keywords (``references`` breaks ``CREATE VIEW references`` in DuckDB
# and needs quoting everywhere) get a plain name in the database.
RESERVED_TABLE_NAMES = {"references": "document_references"}
# Columns people look rows up by, indexed beside the foreign keys.
LOOKUP_COLUMNS = ("doc_number", "doc_agency", "signed_on", "published_on", "person", "decided_on", "date")


def table_name(resource_name: str) -> str:
    """The SQLite table of a package resource: ``table-370812-x-t1`` → ``table_370812_x_t1``."""
    name = resource_name.replace("-", "_")
    return RESERVED_TABLE_NAMES.get(name, name)


def column_names(resource: dict) -> list[str]:
    """The table's columns: the fields' names, except in the tables of documents (``table-…``),
    whose columns are named by their headings (the fields' titles), as printed."""
    fields = (resource.get("schema") or {}).get("fields") or []
    if not str(resource.get("name", "")).startswith("table-"):
        return [f["name"] for f in fields]
    names: list[str] = []
    for field in fields:
        name = " ".join(str(field.get("title") or field["name"]).split())
        candidate, n = name, 2
        while candidate.lower() in (x.lower() for x in names):  # SQLite column names ignore case
            candidate, n = f"{name} ({n})", n + 1
        names.append(candidate)
    return names


def write_sqlite(package_dir: Path, path: Path) -> None:
    """The package under ``package_dir`` as a new SQLite database at ``path``."""
    package_dir = Path(package_dir)
    descriptor = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA page_size=4096")
        for resource in descriptor.get("resources", []):
            _load_resource(connection, package_dir, resource)
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            add_fulltext(connection)
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()


def _load_resource(connection: sqlite3.Connection, package_dir: Path, resource: dict) -> None:
    name, rel = resource.get("name"), resource.get("path")
    schema = resource.get("schema") or {}
    fields = schema.get("fields") or []
    if not isinstance(name, str) or not isinstance(rel, str) or not fields:
        return
    table = table_name(name)
    columns = column_names(resource)
    column_of = {f["name"]: column for f, column in zip(fields, columns)}
    types = {column: f.get("type", "string") for f, column in zip(fields, columns)}
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    definitions = [f"{_quote(c)} {SQL_TYPES.get(types[c], 'TEXT')}" for c in columns]
    if key:
        definitions.append(f"PRIMARY KEY ({', '.join(_quote(column_of[k]) for k in key)})")
    indexed: list[list[str]] = []
    for foreign in schema.get("foreignKeys") or []:
        own, target = foreign["fields"], foreign["reference"]
        own = [own] if isinstance(own, str) else own
        other = target["fields"]
        other = [other] if isinstance(other, str) else other
        definitions.append(
            f"FOREIGN KEY ({', '.join(_quote(column_of[f]) for f in own)}) "
            f"REFERENCES {_quote(table_name(target['resource']))} ({', '.join(_quote(f) for f in other)})"
        )
        indexed.append([column_of[f] for f in own])
    indexed += [[c] for c in LOOKUP_COLUMNS if c in column_of and [c] != key[:1]]
    connection.execute(f"CREATE TABLE {_quote(table)} ({', '.join(definitions)})")
    with open(package_dir / rel, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        placeholders = ", ".join("?" for _ in header)
        names = ", ".join(_quote(column_of.get(h, h)) for h in header)
        rows = (
            [_value(cell, types.get(column_of.get(h, h), "string")) for h, cell in zip(header, row)]
            for row in reader
        )
        connection.executemany(
            f"INSERT OR IGNORE INTO {_quote(table)} ({names}) VALUES ({placeholders})", rows
        )
    for index_columns in indexed:
        if index_columns == key[: len(index_columns)]:
            continue  # the primary key's index serves it
        index = f"idx_{table}_{'_'.join(index_columns)}"
        connection.execute(
            f"CREATE INDEX {_quote(index)} ON {_quote(table)} ({', '.join(_quote(c) for c in index_columns)})"
        )


def datasette_metadata(descriptor: dict) -> dict:
    """Datasette's metadata for the database (``datasette gazette.sqlite -m datasette.json``):
    title, licence and source of the archive, each table's title and description and each
    column's description, in Chinese as the package gives them."""
    tables = {}
    for resource in descriptor.get("resources", []):
        fields = (resource.get("schema") or {}).get("fields") or []
        if not fields:
            continue
        columns = {
            column: f.get("description") or f.get("title") or ""
            for f, column in zip(fields, column_names(resource))
            if f.get("description") or f.get("title")
        }
        tables[table_name(resource["name"])] = {
            "title": resource.get("title", resource["name"]),
            "description": resource.get("description", ""),
            "columns": columns,
        }
    licence = (descriptor.get("licenses") or [{}])[0]
    homepage = descriptor.get("homepage", "")
    return {
        "title": descriptor.get("title", ""),
        "description": descriptor.get("description", ""),
        "license": licence.get("title") or licence.get("name", ""),
        "license_url": licence.get("path", ""),
        "source": "、".join(
            c["title"] for c in descriptor.get("contributors", []) if "publisher" in c.get("roles", [])
        ),
        **({"source_url": homepage} if homepage else {}),
        "databases": {"gazette": {"tables": tables}},
    }
