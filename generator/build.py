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
from .records import load_records

CONTENT_ENV = "GAZETTE_CONTENT"
DATAPACKAGE_ENV = "GAZETTE_DATAPACKAGE"
PAGES_ENV = "GAZETTE_PAGES"


class BuildError(Exception):
    """The build failed; the previous site and data package are untouched."""


def load_archive(content_dir: Path) -> Archive:
    """All records under ``content_dir``, linked. Raises RecordFileError naming a bad record."""
    issues = load_records(Path(content_dir))
    issues.sort(key=lambda i: (i.year or 0, i.published_on, i.issue_id), reverse=True)
    return build_archive(issues)


def make_datapackage(content_dir: Path, out_dir: Path) -> dict[str, bytes]:
    """Write the data package for the records in ``content_dir``; unchanged files keep their bytes."""
    archive = load_archive(content_dir)
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
def gazette_env(content_dir: Path, datapackage_dir: Path, pages_dir: Path | None = None) -> Iterator[None]:
    """Tell the MkDocs hook where the records, the data package and its page cache are."""
    values = {CONTENT_ENV: content_dir, DATAPACKAGE_ENV: datapackage_dir, PAGES_ENV: pages_dir}
    saved = {k: os.environ.get(k) for k in values}
    for key, value in values.items():
        if value is not None:
            os.environ[key] = str(Path(value).resolve())
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_site(content_dir: Path, site_dir: Path, datapackage_dir: Path,
               config_file: Path = Path("mkdocs.yml"), strict: bool = True, pages_dir: Path | None = None) -> None:
    """Data package, then the MkDocs build into a staging directory that replaces ``site_dir``."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    make_datapackage(content_dir, datapackage_dir)
    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=site_dir.parent, prefix=f".{site_dir.name}.build-"))
    try:
        with gazette_env(content_dir, datapackage_dir, pages_dir):
            config = load_config(config_file=str(config_file), site_dir=str(staging), strict=strict)
            mkdocs_build(config)
        replace_dir(staging, site_dir)
    except MkDocsException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"{config_file}: MkDocs build failed: {exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
