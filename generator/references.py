"""Document numbers cited in a text, with their relation (废止, 宣布失效, 依据, 引用 ...). (Being written.)"""

from __future__ import annotations

from .models import Reference


def find_references(text: str, first_line: int = 1, own_number: str = "") -> list[Reference]:
    """Every document number cited in ``text`` (not ``own_number``), with its relation."""
    return []
