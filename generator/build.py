"""Build stage: records → data package → MkDocs site, each output replaced atomically.

The MkDocs plugin (generator/site/plugin.py) renders the pages from the records; this
module drives MkDocs the way `mkdocs build` would, into a staging directory that
replaces the site only once the build has succeeded.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.data.datapackage import PACKAGE_DOCS, PACKAGE_NAME, package_files, write_package_files
from generator.errors import GazetteError
from generator.model.archive import Archive, ShardError, load_archive
from generator.model.records import record_paths
from generator.outputs import (
    OutputError,
    check_output_dir,
    clean_leftovers,
    locked,
    make_staging,
    old_name,
    previous_name,
    protected_folders,
    relative_files,
    replace_dirs,
    set_aside,
)
from generator.parallel import python_process


class BuildError(GazetteError):
    """The build failed; the previous site and data package are untouched."""


def make_datapackage(
    content_dir: Path, out_dir: Path, shard: str | None = None, force: bool = False
) -> dict[str, bytes]:
    """Write the data package for the records in ``content_dir`` (one shard's with ``shard``) into
    ``out_dir``, replaced whole; unchanged files keep their bytes. ``out_dir`` must be a folder
    this command made (or new, or empty; ``force`` sets another one aside)."""
    out_dir = check_package_dir(out_dir, content_dir, force=force)
    with locked([content_dir, out_dir], "gazette datapackage"):
        clean_leftovers(out_dir)
        check_no_foreign_package_files(out_dir)
        files = package_files(load_archive(content_dir, shard), cache_dir=content_dir)
        staging = stage_package(files, out_dir)
        if staging is not None:
            try:
                _swap([(staging, out_dir)], force)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    return files


BULK_FILES = ("gazette.zip", "gazette.sqlite.gz", "gazette.xlsx")  # the bulk downloads, as release assets


def write_bulk_downloads(package_dir: Path, out_dir: Path) -> list[Path]:
    """The data package in ``package_dir`` as ``gazette.zip`` and ``gazette.sqlite.gz`` in
    ``out_dir``, to publish beside the site (e.g. as release assets). ``out_dir`` must be new or
    hold nothing but these two files: nothing else is ever overwritten."""
    from generator.data.datapackage import write_package_archives

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir}: not a folder; --archives needs a folder for {' and '.join(BULK_FILES)}")
    other = sorted(p.name for p in out_dir.iterdir() if p.name not in BULK_FILES) if out_dir.is_dir() else []
    if other:
        raise BuildError(
            f"{out_dir / other[0]}: the archives folder holds other files ({len(other)}); "
            f"use a new folder for {' and '.join(BULK_FILES)}"
        )
    write_package_archives(package_dir, out_dir, *BULK_FILES)
    return [out_dir / name for name in BULK_FILES]


def stage_datapackage(archive: Archive, out_dir: Path, content_dir: Path | None = None) -> Path | None:
    """The data package of ``archive``, staged beside ``out_dir``; None when unchanged. With
    ``content_dir``, each issue's part is kept in its cache (datapackage.PART_CACHE)."""
    return stage_package(package_files(archive, cache_dir=content_dir), out_dir)


def stage_package(files: dict[str, bytes], out_dir: Path) -> Path | None:
    """``files`` written into a staging folder beside ``out_dir``; None when ``out_dir`` holds them
    already. A file ``out_dir`` holds already is hard-linked from there rather than written (one
    new issue changes a few of 5,000 files; they keep their time, and nothing writes through a
    link: the package folder is only ever replaced whole)."""
    out_dir = Path(out_dir)
    present = set(relative_files(out_dir)) if out_dir.is_dir() else set()
    same = {rel for rel, data in files.items() if rel in present and _holds(out_dir / rel, data)}
    if same == present == files.keys():
        return None
    staging = make_staging(out_dir)
    try:
        linked = set()
        for rel in sorted(same):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(out_dir / rel, staging / rel)
                linked.add(rel)
            except OSError:  # another device, or no hard links here: written below
                pass
        write_package_files({rel: data for rel, data in files.items() if rel not in linked}, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file ``path`` holds exactly ``data``."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def project_roots(content_dir: Path, config_file: Path | None = None) -> list[Path]:
    """The folders that hold an archive project: the one of mkdocs.yml, the one above ``content/``,
    and the working folder when it looks like one."""
    roots = [Path(content_dir).resolve().parent]
    if config_file is not None:
        roots.append(Path(config_file).resolve().parent)
    cwd = Path.cwd()
    if any((cwd / marker).exists() for marker in ("mkdocs.yml", "pyproject.toml", ".git", "content")):
        roots.append(cwd)
    return roots


def is_our_package(folder: Path) -> bool:
    try:
        return (
            json.loads((folder / "datapackage.json").read_text(encoding="utf-8")).get("name") == PACKAGE_NAME
        )
    except (OSError, ValueError, AttributeError):
        return False


def is_our_site(folder: Path) -> bool:
    return (folder / BUILD_STAMP).is_file()


def check_package_dir(
    out_dir: Path, content_dir: Path, config_file: Path | None = None, force: bool = False
) -> Path:
    return check_output_dir(
        Path(out_dir),
        "data package",
        protected_folders(project_roots(content_dir, config_file), content_dir),
        is_our_package,
        force,
    )


def check_site_dir(
    site_dir: Path, content_dir: Path, config_file: Path, docs_dir: Path | None = None, force: bool = False
) -> Path:
    protected = protected_folders(
        project_roots(content_dir, config_file), content_dir, docs_dir, datapackages=True
    )
    return check_output_dir(Path(site_dir), "site", protected, is_our_site, force)


def _swap(pairs: list[tuple[Path, Path]], force: bool, keep: dict[Path, Path] | None = None) -> list[Path]:
    """Replace each target with its staged folder, together; with ``force``, a target that is not
    ours is first set aside (returned), never deleted. The old copy of a target in ``keep`` is
    kept where it says, for the next build."""
    kept = []
    if force:
        for _, target in pairs:
            if (
                target.is_dir()
                and any(target.iterdir())
                and not (is_our_site(target) or is_our_package(target))
            ):
                kept.append(set_aside(target))
    replace_dirs(pairs, keep or {})
    return kept


BUILD_STAMP = ".gazette-build.json"  # in the site: what it was built with, for the next build


def build_site(
    content_dir: Path,
    site_dir: Path,
    datapackage_dir: Path,
    config_file: Path = Path("mkdocs.yml"),
    strict: bool = True,
    pages_dir: Path | None = None,
    shard: str | None = None,
    full: bool = False,
    force: bool = False,
    search: bool = True,
    bulk_downloads: bool | None = None,
    catalogue: Path | None = None,
) -> bool:
    """Data package and MkDocs site, built in staging folders that replace ``datapackage_dir`` and
    ``site_dir`` together, only once everything has succeeded. ``shard`` (a region code or
    publisher slug) builds one publisher's site only. Both targets must be folders this command
    made (or new, or empty; ``force`` sets another one aside, never deletes it).

    When ``site_dir`` was built with the same configuration, theme, code and versions (and not
    ``full``), the staging directory starts as hard links to it and MkDocs renders only the
    pages whose source changed; every write replaces a link rather than the file behind it,
    so the previous site stays whole until the swap. Returns True for such an incremental build.
    ``bulk_downloads`` (None: as mkdocs.yml says) puts the package's files, zip and SQLite in the site.
    ``catalogue``: the shards' shared catalogue, which links citations of other shards' documents.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.site.plugin import configure, hand_over_archive

    config_file = Path(config_file)
    if not config_file.is_file():
        raise BuildError(
            f"{config_file}: no MkDocs configuration; run in the archive's folder or pass --config"
        )
    site_dir = check_site_dir(site_dir, content_dir, config_file, force=force)
    datapackage_dir = check_package_dir(datapackage_dir, content_dir, config_file, force=force)
    if (
        site_dir == datapackage_dir
        or site_dir.is_relative_to(datapackage_dir)
        or datapackage_dir.is_relative_to(site_dir)
    ):
        raise BuildError(
            f"{site_dir}: the site and the data package ({datapackage_dir}) need folders of their own"
        )
    with locked([content_dir, site_dir, datapackage_dir], "gazette build"):  # the hook locks the page cache
        clean_leftovers(datapackage_dir)
        old_sites = clean_leftovers(site_dir, defer=True)  # deleted by a process of their own below
        check_no_foreign_files(site_dir, datapackage_dir)
        if not record_paths(content_dir):
            raise BuildError(
                f"{Path(content_dir) / 'records'}: no records; run `gazette ingest SOURCE` first"
            )
        staging = make_staging(site_dir)
        package_staging = None
        linking: _Linking | None = None
        errors: list[str] = []
        try:
            with _logged_errors(errors):
                config = load_config(config_file=str(config_file), site_dir=str(staging), strict=strict)
                configure(
                    config,
                    content=Path(content_dir).resolve(),
                    pages=Path(pages_dir).resolve() if pages_dir else None,
                    shard=shard,
                    catalogue=Path(catalogue).resolve() if catalogue else None,
                    search=search,
                    bulk_downloads=bulk_downloads,
                    reuse_pages=not full,
                )
                check_site_dir(site_dir, content_dir, config_file, Path(config.docs_dir), force=force)
                # the previous site is linked into the staging folder while the package is made
                with _linked_from(site_dir, staging, build_stamp(config, shard), full, old_sites) as linking:
                    try:
                        archive = load_archive(content_dir, shard)
                    except ShardError as exc:
                        raise BuildError(str(exc)) from None
                    package_staging = stage_datapackage(archive, datapackage_dir, content_dir)
                    configure(config, datapackage=(package_staging or datapackage_dir).resolve())
                    if catalogue is None:  # read once: the pages are made from the same records
                        hand_over_archive(config, archive)
                    del archive
                incremental = _build_into(config, staging, linking.stamp, linking.incremental)
            pairs = [(package_staging, datapackage_dir)] if package_staging else []
            # The old site is kept beside the new one: after an incremental build it shares all
            # but that build's changes, and the next build starts from it; after a full build it
            # shares nothing, and the next build deletes it while it works.
            kept = previous_name(site_dir) if incremental else old_name(site_dir)
            _swap([*pairs, (staging, site_dir)], force, keep={site_dir: kept})
            return incremental
        except MkDocsException as exc:
            raise BuildError(_mkdocs_message(config_file, errors[0] if errors else str(exc))) from None
        finally:
            for folder in (staging, package_staging):
                if folder is not None and folder.exists():
                    shutil.rmtree(folder, ignore_errors=True)
            if linking is not None:
                linking.finish()


NO_LINKS = 3  # prepare_staging's exit status when the file system makes no hard links


class _Linking:
    """The staging folder made ready by a process of its own while this one makes the data
    package (``prepare_staging``: tens of thousands of system calls, which a thread here would
    make one interpreter-lock wait at a time), and the old sites earlier builds left deleted by
    another, which may run until the build ends."""

    def __init__(
        self, site_dir: Path, staging: Path, stamp: dict[str, str], full: bool, leftovers: list[Path]
    ) -> None:
        self.stamp = stamp
        self.incremental = not full and _read_stamp(site_dir) == stamp
        self.staging = staging
        if not self.incremental:  # a kept copy serves an incremental build only
            leftovers = [*leftovers, previous_name(site_dir)]
        leftovers = [p for p in leftovers if p.exists()]
        self.linker = (
            python_process(
                "import sys; from generator.build import prepare_staging as p; sys.exit(p(*sys.argv[1:]))",
                str(site_dir),
                str(staging),
            )
            if self.incremental
            else None
        )
        self.remover = (
            python_process(
                "import shutil, sys; [shutil.rmtree(p, ignore_errors=True) for p in sys.argv[1:]]",
                *map(str, leftovers),
            )
            if leftovers
            else None
        )

    def join(self) -> None:
        """Wait for the staging folder; without hard links here, the build renders everything."""
        job, self.linker = self.linker, None
        if job is None:
            return
        _, err = job.communicate()
        if job.returncode == NO_LINKS:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging.mkdir()
            self.incremental = False
        elif job.returncode != 0:
            last = (err.strip().splitlines() or [f"exit status {job.returncode}"])[-1]
            raise BuildError(f"{self.staging}: linking the previous site failed: {last}")

    def finish(self) -> None:
        """Wait for both processes (the build has ended, or failed)."""
        for job in (self.linker, self.remover):
            if job is not None:
                job.communicate()
        self.linker = self.remover = None


def prepare_staging(site_dir: str, staging: str) -> int:
    """``staging`` made to hold hard links to every file of ``site_dir`` (its stamp, manifest and
    gzipped sitemap left out): from the copy of the site the last build replaced
    (``previous_name``, sharing all but that build's changes), brought in line by ``sync_tree``,
    or else by linking every file (``link_tree``). Run by ``build_site`` in a process of its own;
    returns the exit status (NO_LINKS: no hard links on this file system)."""
    site, target, previous = Path(site_dir), Path(staging), previous_name(Path(site_dir))
    skip = {"sitemap.xml.gz", BUILD_STAMP, MANIFEST}
    try:
        if previous.is_dir() and is_our_site(previous):
            target.rmdir()
            os.rename(previous, target)
            sync_tree(site, target, skip)
        else:
            link_tree(site, target, skip)
    except OSError as exc:
        if exc.errno in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            return NO_LINKS
        raise
    return 0


@contextmanager
def _linked_from(
    site_dir: Path, staging: Path, stamp: dict[str, str], full: bool, leftovers: list[Path]
) -> Iterator[_Linking]:
    """``site_dir`` linked into ``staging`` when its stamp matches (and not ``full``), while the
    block runs; waited for at its end, whether or not it succeeded."""
    linking = _Linking(site_dir, staging, stamp, full, leftovers)
    try:
        yield linking
    except BaseException:
        linking.finish()
        raise
    linking.join()


def _build_into(config, staging: Path, stamp: dict[str, str], incremental: bool) -> bool:
    """Run MkDocs into ``staging`` (rendering only changed pages when ``incremental``: it holds
    the previous site's files then), and stamp it."""
    from mkdocs.commands.build import build as mkdocs_build

    from generator.site.mkdocs_internals import quiet_dirty_warning, writes_replace_links

    with writes_replace_links(), quiet_dirty_warning():
        mkdocs_build(config, dirty=incremental)
    write_stamp(staging, stamp)
    return incremental


@contextmanager
def _logged_errors(errors: list[str]) -> Iterator[None]:
    """Collect what MkDocs logs as errors: a plugin's error reaches the caller only as "Aborted
    with a BuildError!", its message only in the log."""
    import logging

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record.getMessage())

    handler = Collect(logging.ERROR)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _mkdocs_message(config_file: Path, message: str) -> str:
    """One line: the hook's own errors already name their file; others are the configuration's."""
    text = " ".join(message.split())
    if text.startswith("gazette: "):
        return text[len("gazette: ") :]
    return f"{config_file}: MkDocs build failed: {text}"


NOT_IN_PAGES = {"ingest", "dev", "search"}  # code that never shapes a page (the search index is made anew)


def build_stamp(config, shard: str | None) -> dict[str, str]:
    """Everything besides the page sources that shapes every page (configuration, theme, this
    package's code, templates and theme, versions): when it changes, all pages are rendered again."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    own = sorted(
        p
        for p in package.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.relative_to(package).parts[0] not in NOT_IN_PAGES
    )
    # the theme's own directories (a custom_dir); the archive's theme is in the package, hashed
    # above, whether or not the plugin's on_config has added it to theme.dirs yet; MkDocs' and
    # Material's are named by their versions below (reading Material's 14,000 icons took 0.6 s)
    import material
    import mkdocs

    installed = [Path(m.__file__).resolve().parent for m in (mkdocs, material)]
    dirs = [
        d
        for d in (Path(d).resolve() for d in config.theme.dirs)
        if not any(d.is_relative_to(root) for root in (package, *installed))
    ]
    theme = sorted(p for d in dirs for p in d.rglob("*") if p.is_file())
    for path in [Path(config.config_file_path), *own, *theme]:
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return {
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "site_url": config.site_url or "",
        "shard": shard or "",
        "config_and_theme": digest.hexdigest(),
    }


def write_stamp(site_dir: Path, stamp: dict[str, str]) -> None:
    """The stamp, and the list of every file the build made (gzipped), so that the next build
    can tell a file someone added to the site from its own."""
    site_dir = Path(site_dir)
    (site_dir / BUILD_STAMP).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
    files = sorted(relative_files(site_dir, lambda name: name in (BUILD_STAMP, MANIFEST)))
    data = "\n".join(files).encode("utf-8")
    (site_dir / MANIFEST).write_bytes(gzip.compress(data, mtime=0))


MANIFEST = ".gazette-files.gz"  # in the site: every file the build made


def foreign_files(folder: Path, made: set[str]) -> list[str]:
    """Files under ``folder`` that are not in ``made`` (nor gazette's own hidden files)."""
    return sorted(
        rel
        for rel in relative_files(folder, lambda name: name.startswith(".gazette-") or name == "pagefind")
        if rel not in made  # the search index (pagefind/) is always made anew
    )


def check_no_foreign_files(site_dir: Path, package_dir: Path) -> None:
    """OutputError when someone put a file into the built site or the data package: both are
    replaced whole, and the file would be lost. (A site from before the manifest is not checked.)"""
    manifest = Path(site_dir) / MANIFEST
    if manifest.is_file():
        made = set(gzip.decompress(manifest.read_bytes()).decode("utf-8").split("\n"))
        extra = foreign_files(site_dir, made)
        if extra:
            raise OutputError(
                f"{Path(site_dir) / extra[0]}: not made by the build ({len(extra)} such files), and the site is "
                "replaced whole; move it out (a file the site should carry, such as CNAME, goes in docs/)"
            )
    check_no_foreign_package_files(package_dir)


def check_no_foreign_package_files(package_dir: Path) -> None:
    try:
        descriptor = json.loads((Path(package_dir) / "datapackage.json").read_text(encoding="utf-8"))
        made = {"datapackage.json", *PACKAGE_DOCS} | {
            r["path"] for r in descriptor.get("resources", []) if isinstance(r.get("path"), str)
        }
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return
    extra = foreign_files(package_dir, made)
    if extra:
        raise OutputError(
            f"{Path(package_dir) / extra[0]}: not part of the data package ({len(extra)} such files), which is "
            "replaced whole; move it out of the folder"
        )


def _read_stamp(site_dir: Path) -> dict | None:
    try:
        return json.loads((site_dir / BUILD_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def sync_tree(source: Path, target: Path, skip: set[str]) -> None:
    """Make ``target`` what ``link_tree`` would make of ``source``, changing only what differs:
    a file not the same as the source's (another inode) is linked anew, one the source no
    longer has is removed. For a copy that shares most files with ``source``, reading the two
    folders is most of the work."""

    def sync(src: str, dst: str, top: bool) -> None:
        theirs = {e.name: e for e in os.scandir(src) if not (top and e.name in skip)}
        for mine in os.scandir(dst):
            other = theirs.get(mine.name)
            if mine.is_dir(follow_symlinks=False):
                if other is None or not other.is_dir(follow_symlinks=False):
                    shutil.rmtree(mine.path)
            elif other is None or other.is_dir(follow_symlinks=False) or other.inode() != mine.inode():
                os.unlink(mine.path)
        for name, entry in theirs.items():
            path = os.path.join(dst, name)
            if entry.is_dir(follow_symlinks=False):
                if not os.path.isdir(path):
                    os.mkdir(path)
                sync(entry.path, path, False)
            elif not os.path.lexists(path):
                os.link(entry.path, path)

    sync(str(source), str(target), True)


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
