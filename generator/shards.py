"""A sharded archive: every shard built as a site of its own under one folder, and the portal.

``plan`` reads every record once and says which shards there are (``generator/model/shards.py``:
a publisher each, split by years above ``SPLIT_ABOVE`` documents) and writes the catalogue they
share (the documents one shard cites and another holds). ``build_shards`` gives each shard only
its own records (hard links under ``<work>/<shard>/content/``), the catalogue, its own page cache
and data package (``<work>/<shard>/``), and builds the shards in parallel processes, each into
``<site>/<shard>/`` with ``build.build_site``; ``build_portal`` then writes the portal at the
root of ``<site>`` from what the shard sites say of themselves (``shard.json``). A CI matrix does
the same with a job per shard: ``gazette shards --json`` gives the matrix and the catalogue,
``gazette build --shard NAME --catalogue FILE`` builds one shard, ``gazette portal`` the portal.

Nothing is lost: ``<site>`` must be new, empty or a folder this module made (its portal marker,
``PORTAL_STAMP``); each shard's site is replaced whole by its own build, only when it succeeds;
the portal replaces only the files and folders its previous build made, and refuses a shard
folder whose name is one of the portal's or anything in ``<site>`` that is neither.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

from generator.errors import GazetteError
from generator.model.archive import registry_slugs
from generator.model.ids import SHARD_SUMMARY
from generator.model.publishers import REGISTRY_FILE
from generator.model.records import load_records, record_paths
from generator.model.shards import (
    SPLIT_ABOVE,
    Shard,
    catalogue_bytes,
    make_catalogue,
    plan_shards,
    shard_of_issue,
)
from generator.outputs import (
    OutputError,
    check_not_protected,
    claim_cache_dir,
    locked,
    make_staging,
    protected_folders,
    write_atomic,
)

PORTAL_STAMP = ".gazette-portal.json"  # in the sharded site's root: what the portal made there
CATALOGUE_FILE = "catalogue.json"  # in the work folder
DEFAULT_WORK = Path("build/shards")


class ShardBuildError(GazetteError):
    """A shard or the portal could not be built."""


@dataclass
class ShardResult:
    shard: str
    documents: int
    seconds: float
    peak_rss_mb: float  # the largest of the build's processes


@dataclass
class PortalResult:
    shards: int
    documents: int
    seconds: float


# ---------------------------------------------------------------- the plan


def plan(content_dir: Path, split_above: int = SPLIT_ABOVE) -> tuple[list[Shard], dict]:
    """The shards of the archive in ``content_dir`` and their shared catalogue."""
    shards, catalogue, _ = _plan(Path(content_dir), split_above)
    return shards, catalogue


def _plan(content_dir: Path, split_above: int) -> tuple[list[Shard], dict, dict[str, list[Path]]]:
    """The shards, the catalogue, and each shard's files: its records and their sources."""
    paths = record_paths(content_dir)
    if not paths:
        raise ShardBuildError(f"{content_dir / 'records'}: no records; run `gazette ingest SOURCE` first")
    issues = load_records(content_dir)  # in the order of record_paths
    shards = plan_shards(issues, registry_slugs(content_dir), split_above)
    find = shard_of_issue(shards)
    files: dict[str, list[Path]] = {}
    for path, issue in zip(paths, issues):
        files.setdefault(find(issue), []).append(path)
        source = content_dir / "sources" / issue.source
        if issue.source and source.is_file():  # the PDFs a site may publish (source_pdfs)
            files[find(issue)].append(source)
    return shards, make_catalogue(issues, shards), files


def write_catalogue(path: Path, catalogue: dict) -> Path:
    """The catalogue into ``path``: a new file, or one an earlier run wrote (never another file)."""
    path = Path(path)
    if path.exists():
        try:
            ours = json.loads(path.read_text(encoding="utf-8")).get("format") == catalogue["format"]
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise OutputError(
                f"{path}: exists and is not a shard catalogue; not overwritten, choose another file"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, catalogue_bytes(catalogue))
    return path


def shards_json(shards: list[Shard]) -> str:
    """The shards as JSON, for a CI matrix (``fromJSON``): a list of objects with ``name``."""
    return json.dumps([asdict(s) for s in shards], ensure_ascii=False)


# ---------------------------------------------------------------- building the shards


def _protected(content_dir: Path, config_file: Path) -> list:
    roots = [Path(content_dir).resolve().parent, Path(config_file).resolve().parent, Path.cwd()]
    return protected_folders(roots, content_dir, datapackages=True)


def check_portal_dir(site_dir: Path, content_dir: Path, config_file: Path) -> Path:
    """``site_dir`` resolved when a sharded site may be written there: new, or holding nothing
    but shard sites (folders with ``shard.json``), what the portal made (its marker names them)
    and hidden build files. OutputError naming the first thing that is none of these."""
    shown = Path(site_dir)
    resolved = check_not_protected(shown, "site", _protected(content_dir, config_file))
    if resolved.exists() and not resolved.is_dir():
        raise OutputError(f"{shown}: not a folder; choose a folder for the sharded site")
    if resolved.is_dir():
        made = set(portal_entries(resolved))
        foreign = sorted(
            p.name
            for p in resolved.iterdir()
            if not p.name.startswith(".") and p.name not in made and not (p / SHARD_SUMMARY).is_file()
        )
        if foreign:
            raise OutputError(
                f"{shown / foreign[0]}: neither a shard site nor the portal's ({len(foreign)} such); "
                "the folder of a sharded site holds nothing else: move it out, or choose a new folder"
            )
    return resolved


def shard_content(content_dir: Path, shard: Shard, issues_of: dict[str, list[Path]], work: Path) -> Path:
    """A content folder holding the shard's records and sources only (hard links, copies across
    file systems) and the publisher registry: ``<work>/<shard>/content``."""
    content = work / shard.name / "content"
    for folder in ("records", "sources"):
        (content / folder).mkdir(parents=True, exist_ok=True)
        wanted = {p.name: p for p in issues_of[shard.name] if p.parent.name == folder}
        for present in (content / folder).iterdir():
            if present.is_file() and present.name not in wanted:
                present.unlink()  # a file that left the shard (the folder is ours: <work> is a cache)
        for name, source in wanted.items():
            _link(source, content / folder / name)
    registry = Path(content_dir) / REGISTRY_FILE
    if registry.is_file():
        _link(registry, content / REGISTRY_FILE)
    return content


def _link(source: Path, target: Path) -> None:
    try:
        if target.exists() and os.path.samefile(source, target):
            return
    except OSError:
        pass
    temp = target.with_name(f".{target.name}.linking")
    temp.unlink(missing_ok=True)
    try:
        os.link(source, temp)
    except OSError:
        shutil.copy2(source, temp)
    os.replace(temp, target)


def build_shards(
    content_dir: Path,
    site_dir: Path,
    config_file: Path = Path("mkdocs.yml"),
    work_dir: Path = DEFAULT_WORK,
    jobs: int = 2,
    split_above: int = SPLIT_ABOVE,
    only: list[str] | None = None,
    full: bool = False,
    force: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> tuple[list[ShardResult], PortalResult]:
    """Every shard (or those named in ``only``) built into ``site_dir/<shard>/`` in ``jobs``
    parallel processes, then the portal at ``site_dir``. ``progress`` is told a line as each
    shard starts and ends. A failed shard stops the run (the others finish; their sites stand)."""
    content_dir, config_file = Path(content_dir), Path(config_file)
    if not config_file.is_file():
        raise ShardBuildError(
            f"{config_file}: no MkDocs configuration; run in the archive's folder or pass --config"
        )
    site_dir = check_portal_dir(site_dir, content_dir, config_file)
    work = claim_cache_dir(Path(work_dir), _protected(content_dir, config_file))
    shards, catalogue, issues_of = _plan(content_dir, split_above)
    all_shards = list(shards)
    from generator.site.portal import PORTAL_PAGES

    reserved = {Path(p).parts[0] for p in PORTAL_PAGES} | {"assets", "search", "feed.xml", "404.html"}
    clash = [s.name for s in shards if s.name in reserved]
    if clash:
        raise ShardBuildError(
            f"{content_dir / REGISTRY_FILE}: shard {clash[0]!r} has the name of a portal page; give the publisher another slug"
        )
    if only:
        unknown = sorted(set(only) - {s.name for s in shards})
        if unknown:
            raise ShardBuildError(
                f"shard {unknown[0]!r}: no such shard; shards: {', '.join(s.name for s in shards)}"
            )
        shards = [s for s in shards if s.name in only]
    with locked([work], "gazette build --shards"):
        catalogue_path = write_catalogue(work / CATALOGUE_FILE, catalogue)
        base_url = _site_url(config_file)
        tasks = []
        for shard in shards:
            content = shard_content(content_dir, shard, issues_of, work)
            tasks.append(
                dict(
                    shard=shard.name,
                    documents=shard.documents,
                    content_dir=str(content),
                    site_dir=str(site_dir / shard.name),
                    datapackage_dir=str(work / shard.name / "gazette"),
                    pages_dir=str(work / shard.name / "pages"),
                    config_file=str(config_file.resolve()),
                    catalogue=str(catalogue_path),
                    site_url=f"{base_url.rstrip('/')}/{shard.name}/" if base_url else "",
                    full=full,
                    force=force,
                )
            )
        results = _run_parallel(tasks, jobs, progress)
    planned = [s.name for s in all_shards]
    for folder in shard_sites(site_dir):
        if folder.name not in planned:
            progress(
                f"分片 shard {folder.name}: no longer in the archive; its site is kept, left out of the portal"
            )
    portal = build_portal(site_dir, config_file, content_dir=content_dir, shards=planned)
    progress(f"门户 portal: {portal.shards} shards, {portal.documents:,} documents, {portal.seconds:.1f} s")
    return results, portal


def _site_url(config_file: Path) -> str:
    from mkdocs.config import load_config

    return load_config(config_file=str(config_file)).site_url or ""


def _run_parallel(tasks: list[dict], jobs: int, progress: Callable[[str], None]) -> list[ShardResult]:
    results: list[ShardResult] = []
    failures: list[str] = []
    total = len(tasks)
    context = get_context("spawn")  # a fresh interpreter per shard: its memory is its own
    with ProcessPoolExecutor(
        max_workers=max(1, min(jobs, total)), mp_context=context, max_tasks_per_child=1
    ) as pool:
        pending = {}
        for task in tasks:
            pending[pool.submit(build_one_shard, **task)] = task
            progress(f"分片 shard {task['shard']}: {task['documents']:,} documents, queued")
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                try:
                    result = future.result()
                except GazetteError as exc:
                    failures.append(f"shard {task['shard']}: {exc}")
                    progress(f"分片 shard {task['shard']}: failed: {exc}")
                    continue
                except Exception as exc:  # a crashed worker: one line, the others go on
                    failures.append(f"shard {task['shard']}: {type(exc).__name__}: {exc}")
                    progress(f"分片 shard {task['shard']}: failed: {type(exc).__name__}: {exc}")
                    continue
                results.append(result)
                progress(
                    f"分片 shard {result.shard}: built ({len(results)}/{total}) in {result.seconds:.1f} s, "
                    f"peak {result.peak_rss_mb:.0f} MB"
                )
    if failures:
        more = f" ({len(failures) - 1} more)" if len(failures) > 1 else ""
        raise ShardBuildError(failures[0] + more)
    return sorted(results, key=lambda r: r.shard)


def build_one_shard(
    shard: str,
    documents: int,
    content_dir: str,
    site_dir: str,
    datapackage_dir: str,
    pages_dir: str,
    config_file: str,
    catalogue: str,
    site_url: str,
    full: bool,
    force: bool,
) -> ShardResult:
    """One shard's site (run in a worker process): ``build.build_site`` with the shard's records,
    the catalogue and, when the archive has an address, the shard's own (``SITE_URL``)."""
    from generator.build import build_site

    if site_url:
        os.environ["SITE_URL"] = site_url  # mkdocs.yml's site_url: !ENV [SITE_URL, …]
    os.chdir(Path(config_file).parent)  # relative paths of mkdocs.yml, as `gazette build` there
    start = time.perf_counter()
    build_site(
        Path(content_dir),
        Path(site_dir),
        Path(datapackage_dir),
        config_file=Path(config_file),
        pages_dir=Path(pages_dir),
        shard=shard,
        full=full,
        force=force,
        catalogue=Path(catalogue),
    )
    seconds = time.perf_counter() - start
    # the largest process of the build: this one (its own high-water mark: ru_maxrss would keep
    # the parent's from before the exec), or a child it waited for (Pagefind, the page writer)
    peak = max(_own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return ShardResult(shard, documents, seconds, peak / 1024)


def _own_peak_kb() -> int:
    """This process's peak resident memory in KB (VmHWM), since it started (or was exec'd)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ---------------------------------------------------------------- the portal


def shard_sites(site_dir: Path) -> list[Path]:
    """The shard sites in ``site_dir``: its folders holding ``shard.json``, by name."""
    return sorted(p for p in Path(site_dir).iterdir() if p.is_dir() and (p / SHARD_SUMMARY).is_file())


def build_portal(
    site_dir: Path,
    config_file: Path = Path("mkdocs.yml"),
    content_dir: Path = Path("content"),
    shards: list[str] | None = None,
) -> PortalResult:
    """The portal at the root of ``site_dir`` from the shard sites in it (``shard.json`` each;
    those named in ``shards`` only, when given): built beside them, then put in place of the
    previous portal's files, never of anything else."""
    from generator.site.portal import PortalError, read_summary, render_portal

    start = time.perf_counter()
    config_file = Path(config_file)
    if not config_file.is_file():
        raise ShardBuildError(
            f"{config_file}: no MkDocs configuration; run in the archive's folder or pass --config"
        )
    site_dir = check_portal_dir(site_dir, content_dir, config_file)
    if not site_dir.is_dir() or not shard_sites(site_dir):
        raise ShardBuildError(
            f"{site_dir}: no shard sites (folders with {SHARD_SUMMARY}); build them with "
            "`gazette build --shard NAME --site DIR/NAME` or `gazette build --shards`"
        )
    with locked([site_dir], "gazette portal"):
        summaries = []
        for folder in shard_sites(site_dir):
            if shards is not None and folder.name not in shards:
                continue
            summary = read_summary(folder / SHARD_SUMMARY)
            summary["shard"] = folder.name  # the folder is what the links go to
            summaries.append(summary)
        staging = make_staging(site_dir / ".portal")
        try:
            try:
                render_portal(summaries, config_file, staging)
            except PortalError as exc:
                raise ShardBuildError(str(exc)) from None
            _put_portal_in_place(site_dir, staging, {p.name for p in shard_sites(site_dir)})
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return PortalResult(len(summaries), sum(s["documents"] for s in summaries), time.perf_counter() - start)


def _put_portal_in_place(site_dir: Path, staging: Path, shard_names: set[str]) -> None:
    """Move the portal's entries from ``staging`` into ``site_dir``: each replaces an entry the
    previous portal made (named in ``PORTAL_STAMP``), which is removed; an entry of the same name
    that the portal did not make (a shard site, someone's file) stops it before anything moves."""
    stamp = site_dir / PORTAL_STAMP
    try:
        previous = set(json.loads(stamp.read_text(encoding="utf-8"))["entries"]) if stamp.is_file() else set()
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(f"{stamp}: unreadable portal marker; move it and the portal's files out") from None
    entries = sorted(p.name for p in staging.iterdir())
    for name in entries:
        target = site_dir / name
        if name in shard_names:
            raise OutputError(f"{target}: a shard site has the name of a portal page; rename the shard")
        if target.exists() and name not in previous:
            raise OutputError(f"{target}: not made by the portal; move it out of the site folder")
    others = [
        p.name
        for p in site_dir.iterdir()
        if not p.name.startswith(".") and p.name not in shard_names and p.name not in previous
    ]
    if others:
        raise OutputError(
            f"{site_dir / others[0]}: neither a shard site nor the portal's ({len(others)} such); move it out"
        )
    trash = make_staging(site_dir / ".portal-old")
    try:
        for name in entries:
            target = site_dir / name
            if target.exists():
                os.rename(target, trash / name)
            os.rename(staging / name, target)
        for name in sorted(previous - set(entries) - shard_names):
            old = site_dir / name
            if old.exists():
                os.rename(old, trash / name)
        write_atomic(stamp, json.dumps({"entries": entries}, indent=1) + "\n")
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def portal_entries(site_dir: Path) -> list[str]:
    """What the portal made in ``site_dir`` (from its marker)."""
    stamp = Path(site_dir) / PORTAL_STAMP
    return json.loads(stamp.read_text(encoding="utf-8"))["entries"] if stamp.is_file() else []
