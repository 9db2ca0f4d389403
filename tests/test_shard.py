"""One shard of the archive: `gazette build --shard` builds one publisher's site and data package."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.model.archive import ShardError, select_shard
from generator.model.records import load_records
from tests.conftest import is_redirect

ROOT = Path(__file__).resolve().parent.parent
YANZHOU_DOC = "370812-jiyanzhengfa-2021-5"  # 济兖政发〔2021〕5号, in the 兖州区 gazette


def build(out: Path, *extra: str):
    return CliRunner().invoke(
        cli,
        [
            "build",
            "--content",
            str(ROOT / "content"),
            "--site",
            str(out / "site"),
            "--datapackage",
            str(out / "datapackage"),
            *extra,
        ],
    )


@pytest.fixture(scope="module")
def shard_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shard")
    result = build(out, "--shard", "370812")
    assert result.exit_code == 0, result.output
    return out


def test_shard_site_has_only_that_publishers_documents(shard_build):
    pages = {
        p.name for p in (shard_build / "site" / "documents").iterdir() if p.is_dir() and not is_redirect(p)
    }
    assert YANZHOU_DOC in pages
    with open(shard_build / "datapackage" / "documents.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["document_id"] for r in rows} == pages
    assert {r["issue_id"].split("-")[0] for r in rows} == {"370812"}


def test_shard_site_is_searchable(shard_build):
    assert (shard_build / "site" / "pagefind" / "pagefind-entry.json").is_file()


@pytest.mark.parametrize(
    "shard, region", [("370812", "370812"), ("yanzhou", "370812"), ("rencheng", "370811")]
)
def test_a_shard_is_named_by_region_code_or_slug(shard, region):
    issues = load_records(ROOT / "content")
    slugs = {"yanzhou": "370812", "rencheng": "370811"}
    chosen = select_shard(issues, shard, slugs)
    assert chosen and {i.region_code for i in chosen} == {region}
    assert len(chosen) < len(issues)


def test_unknown_shard_is_an_error_naming_it(tmp_path):
    with pytest.raises(ShardError, match="999999"):
        select_shard(load_records(ROOT / "content"), "999999", {})
    result = build(tmp_path, "--shard", "nowhere")
    assert result.exit_code != 0
    assert "nowhere" in result.output
    assert not (tmp_path / "site").exists()
