"""Chinese full-text search in the SQLite edition: a contentless FTS5 table of bigram tokens.

SQLite's trigram tokenizer cannot find a two-character word (the commonest Chinese query), and
its ``unicode61`` tokenizer takes a whole run of Chinese as one token. So the build writes the
tokens itself: every run of Chinese characters gives its overlapping two-character words
(健康促进 → 健康 康促 促进; a lone character stays one token), every ASCII word stays a word;
brackets, punctuation and spaces only separate. The table ``documents_fts`` (one column,
``text``: 文号, title and body; ``rowid`` = the ``documents`` row) is contentless and keeps
no positions (``detail=none``): it lists, for each token, the documents that have it, which
is all a two-character word needs and a third of the size of a positional index. A reader finds

- a two-character word with ``MATCH '教育'`` (``WORD_QUERY``): exactly the documents containing it;
- a longer text with its tokens, which every document containing it has, and the text itself
  checked with ``instr`` (``PHRASE_QUERY``; ``match_tokens`` writes the tokens).

The data page shows both statements.
"""

from __future__ import annotations

import re
import sqlite3

FTS_TABLE = "documents_fts"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SEGMENT = re.compile(f"[{_HAN}]+|[0-9A-Za-z]+")

WORD_QUERY = (
    "SELECT d.doc_number, d.title\n"
    f"FROM {FTS_TABLE} JOIN documents d ON d.rowid = {FTS_TABLE}.rowid\n"
    f"WHERE {FTS_TABLE} MATCH '健康'\n"
    "ORDER BY rank;"
)
PHRASE_QUERY = (
    "SELECT d.doc_number, d.title\n"
    f"FROM {FTS_TABLE} JOIN documents d ON d.rowid = {FTS_TABLE}.rowid\n"
    f"WHERE {FTS_TABLE} MATCH '健康 康促 促进'\n"
    "  AND instr(coalesce(d.title, '') || coalesce(d.body, ''), '健康促进') > 0\n"
    "ORDER BY rank;"
)
_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(text, content='', detail=none, "
    "tokenize='unicode61 remove_diacritics 0')"
)


def tokens(text: str) -> list[str]:
    """The tokens of ``text``: two-character words of each run of Chinese, ASCII words lower-cased."""
    out: list[str] = []
    for segment in _SEGMENT.findall(text or ""):
        if segment[0].isascii():
            out.append(segment.lower())
        elif len(segment) == 1:
            out.append(segment)
        else:
            out.extend(map(str.__add__, segment, segment[1:]))
    return out


def match_tokens(text: str) -> str:
    """The FTS5 query for the documents that may contain ``text``: 健康促进 → 健康 康促 促进."""
    return " ".join(dict.fromkeys(tokens(text)))


def add_fulltext(connection: sqlite3.Connection, table: str = "documents") -> int:
    """Create and fill ``documents_fts`` from the ``doc_number``, ``title`` and ``body`` of
    ``table`` (each token once a document: no positions are kept); returns the rows indexed."""
    connection.execute(_CREATE)
    rows = connection.execute(f'SELECT rowid, doc_number, title, body FROM "{table}" ORDER BY rowid')
    count = 0
    insert = f"INSERT INTO {FTS_TABLE} (rowid, text) VALUES (?, ?)"
    batch = []
    for rowid, *texts in rows:
        # each token once, in the order of the text: the same records give the same file
        batch.append((rowid, " ".join(dict.fromkeys(t for text in texts for t in tokens(text)))))
        if len(batch) >= 500:
            connection.executemany(insert, batch)
            count += len(batch)
            batch = []
    connection.executemany(insert, batch)
    count += len(batch)
    connection.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
    return count
