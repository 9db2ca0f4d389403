"""Ingest parses several sources over all cores: same records, same order, still all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.ingest.stage import IngestError, ingest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "content" / "sources").glob("*.txt"))


def content_dir(tmp_path: Path, name: str) -> Path:
    out = tmp_path / name
    out.mkdir()
    shutil.copyfile(ROOT / "content" / "publishers.yml", out / "publishers.yml")
    return out


def records(content: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((content / "records").glob("*.yml"))}


def test_parallel_ingest_writes_the_same_records_in_the_same_order(tmp_path):
    assert len(SOURCES) >= 4
    one, two = content_dir(tmp_path, "one"), content_dir(tmp_path, "two")
    sequential = ingest(SOURCES, one, workers=1)
    parallel = ingest(SOURCES, two, workers=2)
    assert [r.source for r in parallel] == SOURCES
    assert [r.issue.issue_id for r in parallel] == [r.issue.issue_id for r in sequential]
    assert records(two) == records(one)
    assert len(records(two)) == len(SOURCES)


def test_parallel_ingest_with_one_bad_source_writes_nothing(tmp_path):
    bad = tmp_path / "not-a-gazette.txt"
    bad.write_text("这不是政府公报。\n只是一段文字。\n", encoding="utf-8")
    content = content_dir(tmp_path, "content")
    sources = [*SOURCES[:2], bad, *SOURCES[2:]]
    with pytest.raises(IngestError, match="not-a-gazette.txt"):
        ingest(sources, content, workers=2)
    assert records(content) == {}


def test_records_ingest_writes_are_read_by_the_build_without_parsing_their_yaml(tmp_path, monkeypatch):
    """Ingest caches each record as the build reads it: the first build reads no YAML, and what
    it reads is what the YAML says."""
    import dataclasses

    from generator.model import records as record_files

    content = content_dir(tmp_path, "content")
    ingest(SOURCES, content, workers=2)
    parsed = {
        p.stem: record_files.parse_issue(p.read_text(encoding="utf-8"), p)
        for p in (content / "records").glob("*.yml")
    }

    def no_yaml(path):
        raise AssertionError(f"{path}: read from its YAML")

    monkeypatch.setattr(record_files, "_read_issue", no_yaml)
    loaded = record_files.load_records(content)
    assert len(loaded) == len(SOURCES)
    assert [dataclasses.asdict(i) for i in loaded] == [dataclasses.asdict(parsed[i.issue_id]) for i in loaded]

    edited = content / "records" / f"{loaded[0].issue_id}.yml"  # an edit after ingest is read from the file
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="read from its YAML"):
        record_files.load_records(content)
