"""人事任免: sentences → one Appointment per person and action. (Being written.)"""

from __future__ import annotations

from .models import Appointment, Problem

Line = tuple[int, str]


def parse_appointments(lines: list[Line], year: int | None, id_prefix: str) -> tuple[list[Appointment], list[Problem]]:
    """Lines of a 人事任免 section (1-based line number, text) → appointments and problems."""
    return [], []
