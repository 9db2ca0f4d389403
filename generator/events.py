"""大事记: month headings and day entries → dated Events. (Being written.)"""

from __future__ import annotations

from .models import Event, Problem

Line = tuple[int, str]


def parse_events(lines: list[Line], year: int | None, id_prefix: str) -> tuple[list[Event], list[Problem]]:
    """Lines of a 大事记 section (1-based line number, text) → events and problems."""
    return [], []
