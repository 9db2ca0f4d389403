"""The data package as one SQLite database, for people who query rather than download.

One table per tabular resource (same name with ``-`` as ``_``, same columns, the package's
primary key). Full-text search is one statement away (FTS_SETUP, shown on the data page):
an FTS5 index, trigram tokenizer, external content ``documents``, over titles and bodies,
so that any Chinese substring of three or more characters can be searched (EXAMPLE_QUERY).
It is not shipped built: at 10,000 documents it would nearly triple the download (60 →
170 MB gzipped) and take 40 s of every build; it builds on the reader's machine in seconds.

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

SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "year": "INTEGER"}
FTS_TABLE = "documents_fts"
FTS_SETUP = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, content='documents', "
    "content_rowid='rowid', tokenize='trigram');\n"
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild');"
)
EXAMPLE_QUERY = (
    "SELECT d.doc_number, d.title\n"
    f"FROM {FTS_TABLE} JOIN documents d ON d.rowid = {FTS_TABLE}.rowid\n"
    f"WHERE {FTS_TABLE} MATCH '\"健康促进\"'\n"
    "ORDER BY rank;"
)


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
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()


def _load_resource(connection: sqlite3.Connection, package_dir: Path, resource: dict) -> None:
    name, rel = resource.get("name"), resource.get("path")
    fields = (resource.get("schema") or {}).get("fields") or []
    if not isinstance(name, str) or not isinstance(rel, str) or not fields:
        return
    table = name.replace("-", "_")
    types = {f["name"]: f.get("type", "string") for f in fields}
    key = (resource.get("schema") or {}).get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    columns = [f"{_quote(f['name'])} {SQL_TYPES.get(types[f['name']], 'TEXT')}" for f in fields]
    if key:
        columns.append(f"PRIMARY KEY ({', '.join(_quote(k) for k in key)})")
    connection.execute(f"CREATE TABLE {_quote(table)} ({', '.join(columns)})")
    with open(package_dir / rel, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        placeholders = ", ".join("?" for _ in header)
        names = ", ".join(_quote(h) for h in header)
        rows = (
            [_value(cell, types.get(column, "string")) for column, cell in zip(header, row)] for row in reader
        )
        connection.executemany(
            f"INSERT OR IGNORE INTO {_quote(table)} ({names}) VALUES ({placeholders})", rows
        )
