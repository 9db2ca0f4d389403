"""Each sample gazette parses to its reviewed golden record (regenerate: python -m tests.regen_golden)."""

from pathlib import Path

import pytest

from tests.regen_golden import GOLDEN, SOURCES, render

SAMPLES = sorted(SOURCES.glob("*.txt"))


@pytest.mark.parametrize("source", SAMPLES, ids=lambda p: p.stem)
def test_sample_matches_golden_record(source: Path):
    expected = (GOLDEN / f"{source.stem}.yml").read_text(encoding="utf-8")
    assert render(source) == expected, f"{source.name} changed: review, then `python -m tests.regen_golden`"
