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
