"""Builds are reproducible and atomic: same records → same bytes; a failed build leaves the old site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def build(out: Path, *extra: str):
    return CliRunner().invoke(cli, ["build", "--content", str(ROOT / "content"), "--site", str(out / "site"),
                                    "--datapackage", str(out / "datapackage"), *extra], catch_exceptions=False)


@pytest.fixture(scope="module")
def epoch_builds(tmp_path_factory):
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
        assert build(first).exit_code == 0
        assert build(second).exit_code == 0
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH")
    return first, second


def test_two_builds_of_the_same_records_are_byte_identical(epoch_builds):
    first, second = epoch_builds
    a, b = tree(first / "site"), tree(second / "site")
    assert len(a) > 50
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    assert tree(first / "datapackage") == tree(second / "datapackage")


def test_source_date_epoch_sets_the_sitemap_date(epoch_builds):
    import gzip

    first, _ = epoch_builds
    sitemap = gzip.decompress((first / "site" / "sitemap.xml.gz").read_bytes()).decode()
    assert "2023-11-14" in sitemap  # 1700000000 is 2023-11-14 UTC


def test_failed_build_leaves_the_previous_site_and_no_debris(epoch_builds, tmp_path: Path):
    first, _ = epoch_builds
    before = tree(first / "site")
    bad_config = tmp_path / "mkdocs.yml"
    bad_config.write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "name: material", "name: no-such-theme"), encoding="utf-8")
    result = build(first, "--config", str(bad_config))
    assert result.exit_code != 0
    assert str(bad_config) in result.output
    assert tree(first / "site") == before
    assert [p.name for p in first.iterdir() if p.name.startswith(".")] == []
