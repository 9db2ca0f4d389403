"""Build stage: records → data package → MkDocs site, each output replaced atomically.

The MkDocs hook (generator/mkdocs_hooks.py) renders the pages from the records; this
module drives MkDocs the way `mkdocs build` would, into a staging directory that
replaces the site only once the build has succeeded.
"""

from __future__ import annotations

import hashlib
import json
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


BUILD_STAMP = ".gazette-build.json"  # in the site: what it was built with, for the next build


def build_site(content_dir: Path, site_dir: Path, datapackage_dir: Path,
               config_file: Path = Path("mkdocs.yml"), strict: bool = True, pages_dir: Path | None = None,
               shard: str | None = None, full: bool = False) -> bool:
    """Data package, then the MkDocs build into a staging directory that replaces ``site_dir``.
    ``shard`` (a region code or publisher slug) builds one publisher's site only.

    When ``site_dir`` was built with the same configuration, theme, code and versions (and not
    ``full``), the staging directory starts as hard links to it and MkDocs renders only the
    pages whose source changed; every write replaces a link rather than the file behind it,
    so the previous site stays whole until the swap. Returns True for such an incremental build.
    """
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
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would hide the site from a web server's user
    try:
        with gazette_env(content_dir, datapackage_dir, pages_dir, shard):
            config = load_config(config_file=str(config_file), site_dir=str(staging), strict=strict)
            stamp = build_stamp(config, shard)
            incremental = not full and _read_stamp(site_dir) == stamp
            if incremental:
                link_tree(site_dir, staging, skip={"pagefind", "sitemap.xml.gz", BUILD_STAMP})
            with _writes_replace_links(), _quiet_dirty_warning():
                mkdocs_build(config, dirty=incremental)
        write_stamp(staging, stamp)
        replace_dir(staging, site_dir)
        return incremental
    except MkDocsException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"{config_file}: MkDocs build failed: {exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def build_stamp(config, shard: str | None) -> dict[str, str]:
    """Everything besides the page sources that shapes every page (configuration, theme, this
    package's code, versions): when it changes, all pages are rendered again."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    theme_dirs = [Path(d) for d in config.theme.dirs]
    code = sorted(Path(__file__).resolve().parent.glob("*.py"))  # the hook and what it runs
    for path in [Path(config.config_file_path), *code] + sorted(p for d in theme_dirs for p in d.rglob("*") if p.is_file()):
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return {"mkdocs": version("mkdocs"), "mkdocs-material": version("mkdocs-material"),
            "site_url": config.site_url or "", "shard": shard or "", "config_and_theme": digest.hexdigest()}


def write_stamp(site_dir: Path, stamp: dict[str, str]) -> None:
    (Path(site_dir) / BUILD_STAMP).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")


def _read_stamp(site_dir: Path) -> dict | None:
    try:
        return json.loads((site_dir / BUILD_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def link_tree(source: Path, target: Path, skip: set[str]) -> None:
    """Hard-link every file of ``source`` into ``target`` (top-level names in ``skip`` left out)."""
    for root, dirs, names in os.walk(source):
        rel = Path(root).relative_to(source)
        if rel == Path("."):
            dirs[:] = [d for d in dirs if d not in skip]
            names = [n for n in names if n not in skip]
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            os.link(Path(root) / name, target / rel / name)


@contextmanager
def _writes_replace_links() -> Iterator[None]:
    """MkDocs writes files in place; unlink first, so a hard link to the previous site is
    replaced and the previous site's file is left as it was."""
    from mkdocs import utils
    from mkdocs.structure.files import File

    write_file, copy_file, copy_generated = utils.write_file, utils.copy_file, File.copy_file

    def unlinked(path: str) -> None:
        if os.path.isfile(path):
            os.unlink(path)

    def new_write_file(content: bytes, output_path: str) -> None:
        unlinked(output_path)
        write_file(content, output_path)

    def new_copy_file(source_path: str, output_path: str) -> None:
        unlinked(output_path)
        copy_file(source_path, output_path)

    def new_copy_generated(self: File, dirty: bool = False) -> None:
        if getattr(self, "_content", None) is not None:  # always written, with open(), in place
            unlinked(self.abs_dest_path)
        copy_generated(self, dirty)

    utils.write_file, utils.copy_file, File.copy_file = new_write_file, new_copy_file, new_copy_generated
    try:
        yield
    finally:
        utils.write_file, utils.copy_file, File.copy_file = write_file, copy_file, copy_generated


@contextmanager
def _quiet_dirty_warning() -> Iterator[None]:
    """MkDocs warns that a dirty build may leave navigation stale (which strict mode counts as
    an error). Ours is safe: the navigation lives in mkdocs.yml, covered by the build stamp."""
    import logging

    logger = logging.getLogger("mkdocs.commands.build")

    def keep(record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)
