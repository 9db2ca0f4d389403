"""Regenerate the golden records: ``python -m tests.regen_golden``.

Writes tests/golden/<source-stem>.yml = dump_issue(parse_source(...)) for every sample in
content/sources/. Review the diff by hand before committing: the golden files are the
expected output, checked field by field against the sources.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.parse import parse_source
from generator.ingest.sources import decode_source
from generator.model.publishers import load_registry
from generator.model.records import dump_issue

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "content" / "sources"
GOLDEN = Path(__file__).resolve().parent / "golden"


def render(source: Path) -> str:
    registry = load_registry(ROOT / "content" / "publishers.yml")
    issue = parse_source(decode_source(source.read_bytes(), source.name), source.name, registry)
    return dump_issue(issue)


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for source in sorted(SOURCES.glob("*.txt")):
        target = GOLDEN / f"{source.stem}.yml"
        target.write_text(render(source), encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
