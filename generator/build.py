"""Build stage: records → data package → MkDocs site, each output replaced atomically.

The MkDocs hook (generator/mkdocs_hooks.py) renders the pages from the records; this
module drives MkDocs the way `mkdocs build` would, into a staging directory that
replaces the site only once the build has succeeded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .archive import Archive, build_archive
from .datapackage import package_files, replace_dir, write_datapackage
from .models import Issue
from .records import load_records

CONTENT_ENV = "GAZETTE_CONTENT"
DATAPACKAGE_ENV = "GAZETTE_DATAPACKAGE"
PAGES_ENV = "GAZETTE_PAGES"
SHARD_ENV = "GAZETTE_SHARD"  # build one publisher's shard: its region code or slug
REGISTRY_FILE = "publishers.yml"


class BuildError(Exception):
    """The build failed; the previous site and data package are untouched."""


class ShardError(ValueError):
    """No publisher matches the shard asked for."""


def select_shard(issues: list[Issue], shard: str | None, slugs: dict[str, str] | None = None) -> list[Issue]:
    """The issues of one publisher, named by region code (370812) or slug (yanzhou, via
    ``slugs``: slug → region code); all issues when ``shard`` is empty."""
    if not shard:
        return issues
    code = (slugs or {}).get(shard, shard)
    chosen = [i for i in issues if i.region_code == code]
    if not chosen:
        known = sorted({i.region_code for i in issues})
        raise ShardError(f"shard {shard!r}: no issues of that publisher; region codes here: {', '.join(known)}")
    return chosen


def registry_slugs(content_dir: Path) -> dict[str, str]:
    """slug → region code from the publisher registry of ``content_dir``."""
    from .publishers import load_registry

    registry = load_registry(Path(content_dir) / REGISTRY_FILE)
    return {p.slug: p.region_code for p in registry.publishers if p.slug}


def load_archive(content_dir: Path, shard: str | None = None) -> Archive:
    """All records under ``content_dir`` (one publisher's with ``shard``), linked. Raises
    RecordFileError naming a bad record, ShardError for an unknown shard."""
    issues = load_records(Path(content_dir))
    if shard:
        issues = select_shard(issues, shard, registry_slugs(content_dir))
    issues.sort(key=lambda i: (i.year or 0, i.published_on, i.issue_id), reverse=True)
    return build_archive(issues)


def make_datapackage(content_dir: Path, out_dir: Path, shard: str | None = None) -> dict[str, bytes]:
    """Write the data package for the records in ``content_dir`` (one shard's with ``shard``);
    unchanged files keep their bytes."""
    archive = load_archive(content_dir, shard)
    files = package_files(archive)
    if _same_files(Path(out_dir), files):
        return files
    write_datapackage(files, Path(out_dir))
    return files


def _same_files(out_dir: Path, files: dict[str, bytes]) -> bool:
    if not out_dir.is_dir():
        return False
    present = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    if present != set(files):
        return False
    return all((out_dir / rel).read_bytes() == data for rel, data in files.items())


@contextmanager
def gazette_env(content_dir: Path, datapackage_dir: Path, pages_dir: Path | None = None,
                shard: str | None = None) -> Iterator[None]:
    """Tell the MkDocs hook where the records, the data package and its page cache are, and
    which shard to build."""
    values = {CONTENT_ENV: content_dir, DATAPACKAGE_ENV: datapackage_dir, PAGES_ENV: pages_dir}
    saved = {k: os.environ.get(k) for k in (*values, SHARD_ENV)}
    for key, value in values.items():
        if value is not None:
            os.environ[key] = str(Path(value).resolve())
    if shard:
        os.environ[SHARD_ENV] = shard
    else:
        os.environ.pop(SHARD_ENV, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_site(content_dir: Path, site_dir: Path, datapackage_dir: Path,
               config_file: Path = Path("mkdocs.yml"), strict: bool = True, pages_dir: Path | None = None,
               shard: str | None = None) -> None:
    """Data package, then the MkDocs build into a staging directory that replaces ``site_dir``.
    ``shard`` (a region code or publisher slug) builds one publisher's site only."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    try:
        make_datapackage(content_dir, datapackage_dir, shard)
    except ShardError as exc:
        raise BuildError(str(exc)) from None
    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=site_dir.parent, prefix=f".{site_dir.name}.build-"))
    try:
        with gazette_env(content_dir, datapackage_dir, pages_dir, shard):
            config = load_config(config_file=str(config_file), site_dir=str(staging), strict=strict)
            mkdocs_build(config)
        replace_dir(staging, site_dir)
    except MkDocsException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"{config_file}: MkDocs build failed: {exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
