"""Tables in document text: tab-separated and cell-per-line layouts. (Being written.)"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Problem, Table

Line = tuple[int, str]


@dataclass
class TableSpan:
    start: int  # index into the lines given, inclusive
    end: int  # exclusive
    table: Table  # table_id left empty: the caller assigns it


def find_tables(lines: list[Line]) -> tuple[list[TableSpan], list[Problem]]:
    """Spans of ``lines`` that form tables, with the parsed tables."""
    return [], []


def table_markdown(table: Table) -> str:
    """A Markdown pipe table for ``table`` (cells escaped)."""
    return ""
