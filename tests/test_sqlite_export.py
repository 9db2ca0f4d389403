"""The SQLite edition of the data package: same rows, primary keys, and Chinese full-text
search after the one setup the data page shows."""

from __future__ import annotations

import csv
import gzip
import sqlite3
from pathlib import Path

import pytest

from generator.data.sqlite_export import EXAMPLE_QUERY, FTS_SETUP, sqlite_bytes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def database(fixture_site, tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "gazette.sqlite"
    path.write_bytes(gzip.decompress((fixture_site / "data/gazette.sqlite.gz").read_bytes()))
    connection = sqlite3.connect(path)
    connection.executescript(FTS_SETUP)  # as the data page tells the reader
    yield connection
    connection.close()


@pytest.mark.parametrize(
    "table, csv_name",
    [
        ("issues", "issues.csv"),
        ("documents", "documents.csv"),
        ("appointments", "appointments.csv"),
        ("events", "events.csv"),
        ("references", "references.csv"),
    ],
)
def test_every_csv_row_is_a_table_row(database, fixture_site, table, csv_name):
    with open(fixture_site / "data/gazette" / csv_name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == len(rows)


def test_primary_keys_are_declared(database):
    columns = {row[1]: row[5] for row in database.execute("PRAGMA table_info(documents)")}
    assert columns["document_id"] == 1
    with pytest.raises(sqlite3.IntegrityError):
        database.execute("INSERT INTO documents (document_id) VALUES ('jiyanzhengfa-2021-5')")


@pytest.mark.parametrize(
    "phrase, document_id",
    [
        ("居民健康素养", "jiyanzhengfa-2021-6"),
        ("废止和宣布失效", "jiyanzhengfa-2021-5"),
    ],
)
def test_full_text_search_finds_a_chinese_substring(database, phrase, document_id):
    found = database.execute(
        "SELECT d.document_id FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid "
        "WHERE documents_fts MATCH ?",
        (f'"{phrase}"',),
    ).fetchall()
    assert (document_id,) in found


def test_the_data_page_shows_the_setup_and_a_query_that_runs(database, fixture_site):
    import html

    page = html.unescape((fixture_site / "download/index.html").read_text(encoding="utf-8"))
    assert FTS_SETUP.splitlines()[0] in page and EXAMPLE_QUERY.splitlines()[-1] in page
    assert database.execute(EXAMPLE_QUERY).fetchall()


def test_the_published_file_has_no_index_built(fixture_site, tmp_path):
    path = tmp_path / "gazette.sqlite"
    path.write_bytes(gzip.decompress((fixture_site / "data/gazette.sqlite.gz").read_bytes()))
    with sqlite3.connect(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "documents" in names and not any(name.startswith("documents_fts") for name in names)


def test_same_package_gives_the_same_bytes(tmp_path):
    package = ROOT / "datapackages/gazette"
    if not (package / "datapackage.json").is_file():
        pytest.skip("no data package; run `gazette datapackage`")
    assert sqlite_bytes(package) == sqlite_bytes(package)
