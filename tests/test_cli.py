"""The `gazette` command line, driven through click's CliRunner on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "content" / "sources"
YANZHOU = SOURCES / "yanzhou-2021-03-04.txt"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """An empty archive: just the publisher registry."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ROOT / "content" / "publishers.yml", content / "publishers.yml")
    return content


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command: str):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"gazette {command}" in result.output


def test_ingest_writes_a_record_and_reports_counts_and_coverage(content: Path):
    result = run("ingest", YANZHOU, "--content", content)
    assert result.exit_code == 0, result.output
    records = list((content / "records").glob("*.yml"))
    assert [r.name for r in records] == ["370812-2021-3-4.yml"]
    assert "documents 6" in result.output
    assert "coverage" in result.output
    assert (content / "sources" / YANZHOU.name).read_bytes() == YANZHOU.read_bytes()


def test_ingest_again_leaves_the_record_unchanged(content: Path):
    run("ingest", YANZHOU, "--content", content)
    record = content / "records" / "370812-2021-3-4.yml"
    before = record.read_bytes()
    result = run("ingest", YANZHOU, "--content", content)
    assert result.exit_code == 0
    assert "[unchanged]" in result.output
    assert record.read_bytes() == before


def test_ingest_refuses_to_overwrite_a_hand_edited_record(content: Path):
    run("ingest", YANZHOU, "--content", content)
    record = content / "records" / "370812-2021-3-4.yml"
    edited = record.read_text(encoding="utf-8").replace("2021-05-10", "2021-05-11", 1)
    record.write_text(edited, encoding="utf-8")

    refused = run("ingest", YANZHOU, "--content", content)
    assert refused.exit_code != 0
    assert str(record) in refused.output
    assert "--force" in refused.output
    assert record.read_text(encoding="utf-8") == edited

    forced = run("ingest", YANZHOU, "--content", content, "--force")
    assert forced.exit_code == 0, forced.output
    backups = list((content / "records" / ".replaced").glob("*.yml"))
    assert [b.read_text(encoding="utf-8") for b in backups] == [edited]
    assert "2021-05-10" in record.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name, data",
    [
        ("empty.txt", b""),
        ("binary.txt", bytes(range(256)) * 8),
        ("prose.txt", "这不是一份公报，只是一段文字。\n".encode()),
    ],
)
def test_bad_source_fails_naming_the_file_and_writes_nothing(
    content: Path, tmp_path: Path, name: str, data: bytes
):
    bad = tmp_path / name
    bad.write_bytes(data)
    result = run("ingest", YANZHOU, bad, "--content", content)
    assert result.exit_code != 0
    assert str(bad) in result.output
    assert len(result.output.strip().splitlines()[-1]) < 300
    assert not (content / "records").exists() or not list((content / "records").iterdir())


def test_same_issue_twice_in_one_run_is_refused(content: Path, tmp_path: Path):
    copy = tmp_path / "copy.txt"
    copy.write_bytes(YANZHOU.read_bytes())
    result = run("ingest", YANZHOU, copy, "--content", content)
    assert result.exit_code != 0
    assert "copy.txt" in result.output


def test_datapackage_and_check_on_freshly_ingested_content(content: Path, tmp_path: Path):
    assert run("ingest", *sorted(SOURCES.glob("*.txt")), "--content", content).exit_code == 0
    out = tmp_path / "dp"
    result = run("datapackage", "--content", content, "--out", out)
    assert result.exit_code == 0, result.output
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert {"issues", "documents"} <= {r["name"] for r in package["resources"]}

    result = run("check", "--content", content, "--datapackage", out, "--site", tmp_path / "no-site")
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_check_names_the_record_file_and_line_of_a_bad_field(content: Path, tmp_path: Path):
    run("ingest", YANZHOU, "--content", content)
    record = content / "records" / "370812-2021-3-4.yml"
    lines = record.read_text(encoding="utf-8").split("\n")
    year_line = next(n for n, line in enumerate(lines) if line.startswith("year:"))
    lines[year_line] = "year: 二〇二一"
    record.write_text("\n".join(lines), encoding="utf-8")
    result = run("check", "--content", content, "--datapackage", tmp_path / "dp")
    assert result.exit_code != 0
    assert f"{record}:{year_line + 1}:" in result.output
    assert "year" in result.output


def test_check_rejects_a_stale_data_package(content: Path, tmp_path: Path):
    run("ingest", YANZHOU, "--content", content)
    out = tmp_path / "dp"
    run("datapackage", "--content", content, "--out", out)
    csv = out / "documents.csv"
    csv.write_bytes(csv.read_bytes().replace("通知".encode(), "通告".encode(), 1))
    result = run("check", "--content", content, "--datapackage", out, "--site", tmp_path / "none")
    assert result.exit_code != 0
    assert "documents.csv" in result.output


def test_committed_sample_archive_passes_check():
    result = run(
        "check",
        "--content",
        ROOT / "content",
        "--datapackage",
        ROOT / "datapackages" / "gazette",
        "--site",
        ROOT / "no-site-here",
    )
    assert result.exit_code == 0, result.output
