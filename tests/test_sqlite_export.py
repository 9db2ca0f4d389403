"""The SQLite edition of the data package: same rows, primary keys, and Chinese full-text
search, two-character words included, with the statements the data page shows."""

from __future__ import annotations

import csv
import gzip
import sqlite3
from pathlib import Path

import pytest

from generator.data.fulltext import match_tokens
from generator.data.sqlite_export import EXAMPLE_QUERY, FTS_SETUP, sqlite_bytes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def database(fixture_site, tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "gazette.sqlite"
    path.write_bytes(gzip.decompress((fixture_site / "data/gazette.sqlite.gz").read_bytes()))
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    "table, csv_name",
    [
        ("issues", "issues.csv"),
        ("documents", "documents.csv"),
        ("appointments", "appointments.csv"),
        ("events", "events.csv"),
        ("document_references", "references.csv"),
    ],
)
def test_every_csv_row_is_a_table_row(database, fixture_site, table, csv_name):
    with open(fixture_site / "data/gazette" / csv_name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == len(rows)


def test_foreign_keys_are_declared_indexed_and_hold(database):
    declared = {
        (table, row[3], row[2])
        for table in ("documents", "appointments", "events", "document_references", "tables")
        for row in database.execute(f"PRAGMA foreign_key_list({table})")
    }
    assert ("documents", "issue_id", "issues") in declared
    assert ("document_references", "cited_document_id", "documents") in declared
    assert ("tables", "document_id", "documents") in declared
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    indexed = {
        info[2]
        for (index,) in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'documents'"
        )
        for info in database.execute(f'PRAGMA index_info("{index}")')
    }
    assert {"issue_id", "doc_number"} <= indexed
    plan = " ".join(
        r[3] for r in database.execute("EXPLAIN QUERY PLAN SELECT * FROM documents WHERE issue_id = 'x'")
    )
    assert "USING INDEX" in plan


def test_no_table_is_named_by_an_sql_keyword(database):
    names = {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "references" not in names and "document_references" in names
    # the statement DuckDB and others refuse with a table called references
    database.execute("CREATE TEMP VIEW citations AS SELECT * FROM document_references")


def test_document_tables_have_their_headings_as_columns(database, fixture_site):
    import json

    descriptor = json.loads((fixture_site / "data/gazette/datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"].startswith("table-"))
    table = resource["name"].replace("-", "_")
    columns = [row[1] for row in database.execute(f'PRAGMA table_info("{table}")')]
    assert columns == [" ".join(f["title"].split()) for f in resource["schema"]["fields"]]
    assert any(not c.isascii() for c in columns)


def test_datasette_metadata_describes_every_table_in_chinese(database, fixture_site):
    import json

    metadata = json.loads((fixture_site / "data/gazette/datasette.json").read_text(encoding="utf-8"))
    assert "PDDL" in metadata["license"] or "Public Domain" in metadata["license"]
    described = metadata["databases"]["gazette"]["tables"]
    tables = {
        row[0]
        for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'documents_fts%'"
        )
    }
    assert tables <= set(described)
    for table in ("documents", "issues", "appointments"):
        columns = {row[1] for row in database.execute(f"PRAGMA table_info({table})")}
        assert columns == set(described[table]["columns"]), table
    assert described["documents"]["title"] == "公文"


def test_primary_keys_are_declared(database):
    columns = {row[1]: row[5] for row in database.execute("PRAGMA table_info(documents)")}
    assert columns["document_id"] == 1
    with pytest.raises(sqlite3.IntegrityError):
        database.execute("INSERT INTO documents (document_id) VALUES ('jiyanzhengfa-2021-5')")


def _containing(database, text: str) -> set[str]:
    """What a reader gets with LIKE: the documents whose 文号, title or body contain ``text``."""
    rows = database.execute(
        "SELECT document_id FROM documents WHERE coalesce(doc_number, '') || coalesce(title, '') || "
        "coalesce(body, '') LIKE ?",
        (f"%{text}%",),
    )
    return {row[0] for row in rows}


@pytest.mark.parametrize("word", ["健康", "政府", "废止", "实施"])
def test_a_two_character_word_finds_exactly_the_documents_containing_it(database, word):
    """The statement on the data page, with another word: trigram FTS found nothing for these."""
    statement = FTS_SETUP.replace("'健康'", "?")
    found = database.execute(statement.replace("d.doc_number, d.title", "d.document_id"), (word,)).fetchall()
    assert {row[0] for row in found} == _containing(database, word) != set()


@pytest.mark.parametrize(
    "phrase", ["居民健康素养", "废止和宣布失效", "慢性病综合防控", "济兖政发〔2021〕5号"]
)
def test_a_longer_text_finds_exactly_the_documents_containing_it(database, phrase):
    statement = EXAMPLE_QUERY.replace("'健康 康促 促进'", "?").replace("'健康促进'", "?")
    statement = statement.replace(
        "coalesce(d.title, '')", "coalesce(d.doc_number, '') || coalesce(d.title, '')"
    )
    found = database.execute(
        statement.replace("d.doc_number, d.title", "d.document_id"), (match_tokens(phrase), phrase)
    )
    assert {row[0] for row in found} == _containing(database, phrase) != set()


def test_the_data_page_shows_the_statements_and_they_run(database, fixture_site):
    import html

    page = html.unescape((fixture_site / "download/index.html").read_text(encoding="utf-8"))
    for statement in (FTS_SETUP, EXAMPLE_QUERY):
        assert all(line in page for line in statement.splitlines()), statement
        assert database.execute(statement).fetchall()


def test_the_full_text_index_keeps_no_second_copy_of_the_text(database):
    sql = database.execute("SELECT sql FROM sqlite_master WHERE name = 'documents_fts'").fetchone()[0]
    assert "content=''" in sql and "detail=none" in sql


def test_same_package_gives_the_same_bytes(fixture_site):
    package = fixture_site / "data/gazette"
    assert sqlite_bytes(package) == sqlite_bytes(package)
