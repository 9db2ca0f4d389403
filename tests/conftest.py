"""Shared fixtures: the hand-made records in tests/fixtures/records and a site built from them once."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def build_site(content: Path, out: Path, with_datapackage: bool = True) -> Path:
    """A strict build of the records under ``content`` into ``out/site``, as `gazette build` does it."""
    from generator.build import build_site as gazette_build

    site, package = out / "site", out / "datapackage"
    if with_datapackage:
        gazette_build(content, site, package, config_file=ROOT / "mkdocs.yml", pages_dir=out / "pages")
        return site
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.build import gazette_env

    with gazette_env(content, package, out / "pages"):
        build(load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=True))
    return site


@pytest.fixture(scope="session")
def site_builder():
    """``build_site(content, out, with_datapackage=True) -> site dir``, for tests that need their own records."""
    return build_site


@pytest.fixture(scope="session")
def fixture_archive():
    from generator.archive import build_archive
    from generator.records import load_records

    return build_archive(load_records(FIXTURES))


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample archive of content/records, built the way the README's main command builds it."""
    return build_site(ROOT / "content", tmp_path_factory.mktemp("sample-build"))


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """The site built (strict) from tests/fixtures/records, with its data package."""
    return build_site(FIXTURES, tmp_path_factory.mktemp("fixture-build"))
