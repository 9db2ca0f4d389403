"""Scale benchmark: a synthetic archive of N documents through the whole pipeline, timed per stage.

``run_bench(1000, Path("build/bench/1000"))`` writes the synthetic archive under that
directory, runs each stage in its own Python process (so each stage's peak RSS is its own),
and writes ``bench.json`` and ``bench.md`` there.

Stages:
- ingest: the synthetic issues are rendered back to gazette text (``synthetic.render_source``)
  before timing; the stage parses every text with the real parser (``ingest.read_source``)
  and writes its record (``dump_issue`` + ``write_atomic``). The stages after it read the
  synthetic records themselves, so their input does not depend on parser accuracy.
- datapackage: ``build.make_datapackage``.
- site: one ``mkdocs build`` with the project's mkdocs.yml and plugin, without the plugin's search
  indexing (the next stage). Timed apart inside it: the plugin reading the records and the plugin
  generating and writing pages and downloads (``iter_pages``, ``write_pages``).
- search: the Pagefind index of the built site (``search.index_site``), as ``gazette build`` does.
- build: the full build from records as a maintainer runs it, one ``gazette build`` (data
  package, site and search index) from a copy of the records, with no cache but their parsed
  copies: the full-build goal's figure (the three stages above are its parts, run apart).
- naive: plain MkDocs + Material over bare pages of the same documents, the reference.
- rebuild: ``gazette build`` after the next issue is added (incremental).
End to end = ingest + data package + site + search, wall clock including each stage's Python start.

Run: ``python -m generator.dev.bench --docs 1000`` or ``python -m generator.dev.bench --compare 1000 10000``
(``--report 1000 10000`` rebuilds the comparison from earlier runs' bench.json).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

from generator.model.models import Document, Issue
from generator.model.records import dump_issue, load_issue, parse_issue, remember_parsed
from generator.outputs import write_atomic

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "build" / "bench"
WORK_PARTS = (
    "content",
    "sources",
    "ingest",
    "pages",
    "pages-files",
    "pages-archives",
    "datapackage",
    "site",
    "next",
    "naive",
    "build",
)
NEXT_ISSUE_DOCS = 40  # documents synthesised past N, from which the next issue (the rebuild stage's) is taken

# Targets of issue 15, measured against the naive reference build of the same documents.
GOAL_FULL_OVER_NAIVE = 1.0  # data package + site + search index, from records
GOAL_REBUILD_OVER_NAIVE = 0.2  # after one new issue
GOAL_SITE_KB_PER_DOCUMENT = 100
GOAL_RSS_MB = 1024
GOAL_PAGE_OVERHEAD_KB = 25
GOAL_RATIO = 10  # time at 10× the documents
GOAL_INGEST_PER_SECOND = 200
DEFAULT_MAX_GB = 8.0  # per stage; the machine is shared
STAGE_TIMEOUT = 3600  # seconds

_MD_MARKS = re.compile(r"^(#{1,6}\s+|\s*[-*]\s+|\s*\|?\s*(:?-{3,}:?\s*\|?\s*)+$)|\|", re.MULTILINE)


# ---------------------------------------------------------------- setup


def load_samples(root: Path = ROOT) -> tuple[list[Issue], str]:
    """The sample issues to build from, and where they came from (first that has any):
    content/records, tests/golden, the parsed content/sources, tests/fixtures/records."""
    for records in (root / "content" / "records", root / "tests" / "golden"):
        paths = sorted(records.glob("*.yml"))
        if paths:
            return _load_paths(paths), str(records)
    sources = sorted((root / "content" / "sources").glob("*.txt"))
    if sources:
        from generator.ingest.stage import IngestError, read_source
        from generator.model.publishers import load_registry

        registry = load_registry(root / "content" / "publishers.yml")
        issues = []
        for path in sources:
            try:
                issues.append(read_source(path, registry))
            except IngestError:
                continue
        if issues:
            return issues, str(root / "content" / "sources")
    fixtures = root / "tests" / "fixtures" / "records"
    return _load_paths(sorted(fixtures.glob("*.yml"))), str(fixtures)


def _load_paths(paths: list[Path]) -> list[Issue]:
    return [load_issue(p) for p in paths]


def registry_text(root: Path, samples: list[Issue]) -> str:
    """content/publishers.yml plus the synthetic publishers not already in it."""
    from generator.dev.synthetic import publishers_for

    data = yaml.safe_load((root / "content" / "publishers.yml").read_text(encoding="utf-8")) or {}
    entries = list(data.get("publishers") or [])
    known = {str(e.get("region_code")) for e in entries}
    entries += [p.registry_entry() for p in publishers_for(samples) if p.region_code not in known]
    return yaml.safe_dump({"publishers": entries}, allow_unicode=True, sort_keys=False, width=10_000)


def write_record(path: Path, issue) -> None:
    """The issue's record, and its parsed copy in the record cache, as ingest writes them."""
    text = dump_issue(issue)
    write_atomic(path, text)
    remember_parsed(path, pickle.dumps(parse_issue(text, path), protocol=pickle.HIGHEST_PROTOCOL))


def prepare(n_docs: int, work: Path, seed: int = 0, root: Path = ROOT) -> dict:
    """Write the synthetic archive (records, publishers.yml) and its gazette texts under ``work``."""
    from generator.dev.synthetic import render_source, synthetic_issues

    for part in WORK_PARTS:
        shutil.rmtree(work / part, ignore_errors=True)
    samples, origin = load_samples(root)
    issues = synthetic_issues(samples, n_docs, seed)
    content = work / "content"
    write_atomic(content / "publishers.yml", registry_text(root, samples))
    for issue in issues:  # as ingest leaves them: each record with its parsed copy cached
        write_record(content / "records" / f"{issue.issue_id}.yml", issue)
        write_atomic(work / "sources" / issue.source, render_source(issue))
    # The issue that follows the archive: same generator, same seed, a little further.
    known = {i.issue_id for i in issues}
    following = next(
        i for i in synthetic_issues(samples, n_docs + NEXT_ISSUE_DOCS, seed) if i.issue_id not in known
    )
    write_atomic(work / "next" / "records" / f"{following.issue_id}.yml", dump_issue(following))
    write_naive_project(issues, work / "naive")
    docs = [d for i in issues for d in i.documents]
    return {
        "samples": origin,
        "sample_documents": sum(len(s.documents) for s in samples),
        "issues": len(issues),
        "documents": len(docs),
        "publishers": len({i.publisher for i in issues}),
        "references": sum(len(d.references) for d in docs),
        "next_issue": following.issue_id,
        "next_issue_documents": len(following.documents),
    }


# ---------------------------------------------------------------- the naive reference build

NAIVE_CONFIG = """\
# The benchmark's reference: plain MkDocs + Material over bare pages of the same documents.
site_name: naive reference
docs_dir: docs
site_dir: site
use_directory_urls: true
theme:
  name: material
  language: zh
  font: false
plugins: []
markdown_extensions:
  - tables
nav:
  - index.md
validation:
  nav:
    omitted_files: ignore
"""


def naive_page(document: Document, issue: Issue) -> str:
    """A bare page of one document: its title, five metadata lines and its body paragraphs, as
    Markdown (what the simplest MkDocs archive of these documents would publish)."""
    lines = [
        f"文号：{document.doc_number.text if document.doc_number else '无'}",
        f"发文机关：{document.issuer or issue.publisher}",
        f"文种：{document.doc_type or '未注明'}",
        f"成文日期：{document.signed_on or '未注明'}",
        f"印发日期：{document.printed_on or '未注明'}",
    ]
    return "\n\n".join([f"# {' '.join(document.title.split())}", *lines, document.body.strip()]) + "\n"


def write_naive_project(issues: list[Issue], folder: Path) -> int:
    """The naive reference project under ``folder``: mkdocs.yml, an index page and one bare page
    per document (bounded navigation: the index only, as a plain archive of this size must)."""
    write_atomic(folder / "mkdocs.yml", NAIVE_CONFIG)
    write_atomic(folder / "docs" / "index.md", "# 公报文件\n\n本站收录各期公报的文件。\n")
    count = 0
    for issue in issues:
        for document in issue.documents:
            write_atomic(
                folder / "docs" / "documents" / f"{document.document_id}.md", naive_page(document, issue)
            )
            count += 1
    return count


def stage_naive(work: Path) -> dict:
    """``mkdocs build`` of the naive reference project: no plugin, no search."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    start = time.perf_counter()
    config = load_config(config_file=str(work / "naive" / "mkdocs.yml"), strict=False)
    mkdocs_build(config)
    return {"total_seconds": time.perf_counter() - start}


# ---------------------------------------------------------------- stages (each in a child process)


def stage_ingest(work: Path) -> dict:
    """Parse every source over all cores (``ingest.read_sources``, as ``gazette ingest`` does: each
    worker parses a source and dumps its record) and write the records; "parse" is the time spent
    waiting for the workers, writes overlap them.
    All or nothing, as ingest: one source that does not parse fails the stage."""
    from generator.ingest.stage import read_sources
    from generator.model.publishers import load_registry

    registry = load_registry(work / "content" / "publishers.yml")
    documents = 0
    spent = {"parse": 0.0, "write": 0.0}
    parses = read_sources(sorted((work / "sources").glob("*.txt")), registry)
    while True:
        start = time.perf_counter()
        try:
            path, _, issue, text, parsed = next(parses)
        except StopIteration:
            break
        finally:
            spent["parse"] += time.perf_counter() - start
        start = time.perf_counter()
        documents += len(issue.documents)
        record = work / "ingest" / "records" / f"{issue.issue_id}.yml"
        write_atomic(record, text)
        remember_parsed(record, parsed)
        spent["write"] += time.perf_counter() - start
    return {
        "parsed_documents": documents,
        "failed_sources": 0,
        "parse_seconds": spent["parse"],
        "write_seconds": spent["write"],
    }


def stage_datapackage(work: Path) -> dict:
    from generator import build

    spent = {"load": 0.0}
    build.load_archive = _timed(spent, "load", build.load_archive)
    files = build.make_datapackage(work / "content", work / "datapackage")
    return {"files": len(files), "load_seconds": spent["load"]}


def _timed(spent: dict, name: str, func):
    """``func`` adding its run time to ``spent[name]``."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def stage_site(work: Path, config_file: Path) -> dict:
    """MkDocs build through the project's plugin, with the plugin's loading and generation timed."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from generator.build import build_stamp, write_stamp
    from generator.model import archive
    from generator.site import pages

    spent = {"load": 0.0, "generate": 0.0}
    # The plugin module imports these names when MkDocs loads it, i.e. after this patch.
    archive.load_archive = _timed(spent, "load", archive.load_archive)
    pages.iter_pages = _timed(spent, "generate", pages.iter_pages)  # pages render as written
    pages.write_pages = _timed(spent, "generate", pages.write_pages)
    from generator.site import mkdocs_internals
    from generator.site.plugin import GazettePlugin, configure  # after the patch: it imports those names

    # converting pages to HTML (on_nav); from on_env to on_post_build: copying files, then the
    # pages through the theme, this process's half and the wait for the other's
    mkdocs_internals.prerender = _timed(spent, "convert", mkdocs_internals.prerender)
    mkdocs_internals.ThemeInTwo.finish = _timed(spent, "theme", mkdocs_internals.ThemeInTwo.finish)
    plugin_env, plugin_post_build = GazettePlugin.on_env, GazettePlugin.on_post_build
    env_done = []

    def on_env(self, *args, **kwargs):
        try:
            return plugin_env(self, *args, **kwargs)
        finally:
            env_done.append(time.perf_counter())

    def on_post_build(self, *args, **kwargs):
        if env_done:
            spent["theme"] = spent.get("theme", 0.0) + time.perf_counter() - env_done.pop()
        return plugin_post_build(self, *args, **kwargs)

    GazettePlugin.on_env, GazettePlugin.on_post_build = on_env, on_post_build

    site_dir = work / "site"
    # The plugin would index the site after the build (as `gazette build` does); the search
    # stage does that, so it is timed once.
    start = time.perf_counter()
    config = load_config(config_file=str(config_file), site_dir=str(site_dir.resolve()), strict=False)
    configure(
        config,
        content=(work / "content").resolve(),
        datapackage=(work / "datapackage").resolve(),
        pages=(work / "pages").resolve(),
        search=False,
    )
    mkdocs_build(config)
    write_stamp(site_dir, build_stamp(config, None))  # as `gazette build` does, for the rebuild stage
    total = time.perf_counter() - start
    result = {
        "load_seconds": spent["load"],
        "generate_seconds": spent["generate"],
        "convert_seconds": spent.get("convert", 0.0),
        "theme_seconds": spent.get("theme", 0.0),
        "total_seconds": total,
    }
    # read again once the build is done: holding the build's archive would add it to the peak memory
    result.update(document_page_sizes(archive.load_archive(work / "content"), site_dir))
    return result


def stage_search(work: Path) -> dict:
    """The Pagefind index of the built site, as ``gazette build`` makes it after MkDocs."""
    from generator.model.archive import load_archive
    from generator.search.index import index_site

    spent: dict = {}
    counts = index_site(work / "site", lambda: _timed(spent, "load", load_archive)(work / "content"))
    return {"load_seconds": spent["load"], "records": sum(counts.values())}


def document_page_sizes(archive, site_dir: Path) -> dict:
    """Mean HTML bytes of document pages, and of the documents' own text within them."""
    from generator.site.pages import build_site

    site = build_site(archive)
    html_total = own_total = count = 0
    for document in archive.documents:
        rel = site.doc_path(document)
        page = site_dir / rel.removesuffix(".md") / "index.html"
        if not page.is_file():
            continue
        html_total += page.stat().st_size
        own_total += len(own_text(document).encode("utf-8"))
        count += 1
    return {
        "document_pages": count,
        "document_html_bytes": html_total / count if count else None,
        "document_own_text_bytes": own_total / count if count else None,
    }


def own_text(document: Document) -> str:
    """The document's own words as a reader sees them: title, body, attachments, table cells;
    Markdown marks removed."""
    parts = [document.title, document.body]
    for attachment in document.attachments:
        parts += [attachment.label, attachment.title, attachment.body]
    for table in document.tables:
        parts.append(table.caption)
        parts += ["".join(row) for row in [*table.header, *table.rows]]
    return "".join(_MD_MARKS.sub("", p).replace("\n", "") for p in parts if p)


def _gazette_build(root: Path, config_file: Path) -> bool:
    """`gazette build` of ``root/content`` into ``root``'s site, datapackage and pages folders."""
    from generator import build

    return build.build_site(
        root / "content",
        root / "site",
        root / "datapackage",
        config_file,
        strict=False,
        pages_dir=root / "pages",
    )


def stage_build(work: Path, config_file: Path) -> dict:
    """One `gazette build` from the records, as a maintainer runs it on a fresh checkout: data
    package, site and search index in one command (``build.build_site``), into folders of its
    own under ``build/``: a copy of the records as ingest left them (their parsed copies
    cached), without the data package's cache of issue parts the datapackage stage made, and
    no page cache or previous site."""
    from generator import build
    from generator.model import records
    from generator.search import index as search

    root = work / "build"
    shutil.rmtree(root, ignore_errors=True)
    cache = records.CACHE_ROOT
    shutil.copytree(
        work / "content",
        root / "content",
        ignore=lambda folder, names: [
            n for n in names if Path(folder).name == cache and n != records.RECORDS_CACHE
        ],
    )
    spent: dict = {}
    # patched before the plugin is first loaded, which imports index_site by name
    build.stage_datapackage = _timed(spent, "datapackage", build.stage_datapackage)
    records.load_records = _timed(spent, "load", records.load_records)
    search.index_site = _timed(spent, "search", search.index_site)
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    _gazette_build(root, config_file)
    total = time.perf_counter() - start
    return {
        "total_seconds": total,
        "timed_cpu_seconds": _cpu_seconds() - cpu_before,
        **{f"{name}_seconds": value for name, value in spent.items()},
    }


def stage_rebuild(work: Path, config_file: Path) -> dict:
    """Add the next issue to the built archive and run `gazette build` again (incremental)."""
    from generator import build
    from generator.model import records
    from generator.search import index as search
    from generator.site import pages

    def gazette_build() -> bool:
        return _gazette_build(work, config_file)

    spent: dict = {}
    # patched before the plugin is first loaded, which imports index_site by name
    build.stage_datapackage = _timed(spent, "datapackage", build.stage_datapackage)
    records.load_records = _timed(spent, "load", records.load_records)
    pages.write_pages = _timed(spent, "generate", pages.write_pages)
    search.index_site = _timed(spent, "search", search.index_site)
    # The archive as a maintainer's is between two issues: built by `gazette build` once more
    # after the full build (untimed; nothing changed), which keeps the site it replaces for the
    # next build to start from, and fills the data package's cache of issue parts.
    start = time.perf_counter()
    gazette_build()
    settle = time.perf_counter() - start
    spent.clear()
    for record in sorted((work / "next" / "records").glob("*.yml")):
        shutil.copy2(record, work / "content" / "records" / record.name)
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    incremental = gazette_build()
    total = time.perf_counter() - start
    return {
        "incremental": incremental,
        "total_seconds": total,
        "timed_cpu_seconds": _cpu_seconds() - cpu_before,
        "unchanged_rebuild_seconds": settle,
        **{f"{name}_seconds": value for name, value in spent.items()},
    }


STAGES = {
    "ingest": stage_ingest,
    "datapackage": stage_datapackage,
    "site": stage_site,
    "search": stage_search,
    "build": stage_build,
    "naive": stage_naive,
    "rebuild": stage_rebuild,
}
FULL_BUILD = ("ingest", "datapackage", "site", "search")  # end to end; rebuild is measured apart
FROM_RECORDS = ("datapackage", "site", "search")  # the full build's stages run apart
MEMORY_STAGES = (*FULL_BUILD, "build")  # the peak memory goal's stages


def _child(stage: str, work: Path, config_file: Path) -> None:
    start = time.perf_counter()
    func = STAGES[stage]
    result = func(work, config_file) if stage in ("site", "build", "rebuild") else func(work)
    result["seconds"] = time.perf_counter() - start
    own, children = _peak_rss_mb()
    result["peak_rss_mb"] = own + children
    result["peak_rss_own_mb"], result["peak_rss_children_mb"] = own, children
    result["cpu_seconds"] = _cpu_seconds()
    print("BENCH-RESULT " + json.dumps(result))


def _cpu_seconds() -> float:
    """User and system time of this process and its children that have ended."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


class TreeMemory:
    """The peak, sampled every SAMPLE_SECONDS, of the memory of process ``root`` (default: this
    one) and all its descendants together, as PSS (/proc/<pid>/smaps_rollup): pages shared by
    forked workers count once, unlike the sum of their RSS. It samples from a thread of the
    process that starts it, so the bench runs it outside the stage it measures (a thread in
    the stage would stop the build from forking its Markdown workers)."""

    SAMPLE_SECONDS = 0.2

    def __init__(self, root: int | None = None) -> None:
        self.root = root or os.getpid()
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._done.wait(self.SAMPLE_SECONDS):
            self._sample()

    def _sample(self) -> None:
        total = sum(_pss_kb(pid) for pid in _tree(self.root))
        self.peak_mb = max(self.peak_mb, total / 1024)


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _peak_rss_mb() -> tuple[float, float]:
    """Peak RSS of this process and of its children (Pagefind's binary), in MB.

    Own: VmHWM, not ru_maxrss, which after fork + exec still counts the parent's memory at the
    fork. Children: ru_maxrss, so an upper bound (at most this process's size when it started them).
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1])
    except OSError:
        pass
    return own / 1024, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_stage(stage: str, work: Path, config_file: Path, max_gb: float | None = None) -> dict:
    """One stage in a fresh Python process: its result (with the child's peak RSS) and wall seconds.

    ``max_gb`` caps the stage's address space (its children's too); a stage that fails, e.g. by
    running out of it, gives ``{"error": …}`` instead of figures.
    """
    cmd = [sys.executable, "-m", "generator.dev.bench", "_stage", stage, str(work), str(config_file)]
    log = work / f"stage-{stage}.log"

    def limit() -> None:
        if max_gb:
            size = int(max_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            preexec_fn=limit,
            start_new_session=True,
        )
        memory = TreeMemory(proc.pid)
        memory.start()
        try:
            out, _ = proc.communicate(timeout=STAGE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            err.write(f"\nbench: stopped after {STAGE_TIMEOUT} s\n")
        finally:
            memory.stop()
    wall = time.perf_counter() - start
    line = next((row for row in reversed(out.splitlines()) if row.startswith("BENCH-RESULT ")), None)
    if proc.returncode != 0 or line is None:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] or [""]
        limit_note = f" (address space capped at {max_gb:g} GB)" if max_gb else ""
        return {
            "error": f"exit {proc.returncode}{limit_note}: {tail[0][:300]} — see {log}",
            "wall_seconds": wall,
        }
    result = json.loads(line.removeprefix("BENCH-RESULT "))
    result["wall_seconds"] = wall
    result["peak_tree_pss_mb"] = memory.peak_mb
    return result


# ---------------------------------------------------------------- the benchmark


def dir_bytes(path: Path, hidden: bool | None = None) -> int:
    """Bytes of the files under ``path``; ``hidden`` True or False: only those whose path below
    ``path`` has (or has no) part starting with a dot (the build's own bookkeeping, which
    actions/upload-pages-artifact leaves out of the published site)."""
    if not Path(path).is_dir():
        return 0
    total = 0
    for p in Path(path).rglob("*"):
        if p.is_file() and (
            hidden is None or hidden == any(part.startswith(".") for part in p.relative_to(path).parts)
        ):
            total += p.stat().st_size
    return total


BENCH_MARKER = ".gazette-bench"


def claim_work_dir(out_dir: Path, config_file: Path) -> Path:
    """The bench's work folder: new, empty, or made by an earlier bench (its stages replace
    content/, site/ … inside it); never a folder of the project."""
    from generator.build import project_roots
    from generator.outputs import check_output_dir, protected_folders

    roots = project_roots(Path(config_file).resolve().parent / "content", config_file)
    work = check_output_dir(
        out_dir,
        "benchmark",
        protected_folders(roots, datapackages=True),
        lambda p: (p / BENCH_MARKER).is_file(),
    )
    work.mkdir(parents=True, exist_ok=True)
    (work / BENCH_MARKER).write_text("Work folder of `gazette bench`: safe to delete.\n", encoding="utf-8")
    return work


def run_bench(
    docs: int,
    out_dir: Path,
    seed: int = 0,
    config_file: Path = ROOT / "mkdocs.yml",
    echo=print,
    max_gb: float | None = DEFAULT_MAX_GB,
) -> dict:
    """Build a synthetic archive of ``docs`` documents under ``out_dir`` and time the pipeline.

    Each stage's address space is capped at ``max_gb`` (None: no cap) so that a stage that
    outgrows the machine fails alone. Writes ``out_dir/bench.json`` and ``out_dir/bench.md``;
    returns the JSON's data.
    """
    work = claim_work_dir(Path(out_dir), Path(config_file))
    load_before = list(os.getloadavg())
    echo(f"bench: preparing {docs:,} synthetic documents in {work}")
    start = time.perf_counter()
    archive = prepare(docs, work, seed)
    archive["prepare_seconds"] = time.perf_counter() - start
    stages = {}
    for stage in STAGES:
        echo(f"bench: {stage} …")
        stages[stage] = run_stage(stage, work, Path(config_file).resolve(), max_gb)
        done = stages[stage]
        echo(
            f"bench: {stage} failed: {done['error']}"
            if "error" in done
            else f"bench: {stage} {done['wall_seconds']:.1f} s, peak RSS {done['peak_rss_mb']:.0f} MB"
        )

    def get(stage: str, key: str):
        return stages[stage].get(key)

    def minus(total, *parts):
        return None if total is None or None in parts else total - sum(parts)

    html, own = get("site", "document_html_bytes"), get("site", "document_own_text_bytes")
    result = {
        "documents": docs,
        "seed": seed,
        "archive": archive,
        "errors": {name: s["error"] for name, s in stages.items() if "error" in s},
        "seconds": {
            "ingest": stages["ingest"]["wall_seconds"],
            "ingest_parse": get("ingest", "parse_seconds"),
            "ingest_write": get("ingest", "write_seconds"),
            "datapackage": stages["datapackage"]["wall_seconds"],
            "datapackage_load": get("datapackage", "load_seconds"),
            "site": get("site", "total_seconds"),
            "site_load": get("site", "load_seconds"),
            "generate": get("site", "generate_seconds"),
            "convert": get("site", "convert_seconds"),
            "theme": get("site", "theme_seconds"),
            "mkdocs": minus(
                get("site", "total_seconds"),
                get("site", "load_seconds"),
                get("site", "generate_seconds"),
                get("site", "convert_seconds"),
                get("site", "theme_seconds"),
            ),
            "search_index": stages["search"]["wall_seconds"] if "error" not in stages["search"] else None,
            "search_load": get("search", "load_seconds"),
            "end_to_end": sum(stages[s]["wall_seconds"] for s in FULL_BUILD),
            "end_to_end_cpu": sum(stages[s].get("cpu_seconds", 0.0) for s in FULL_BUILD),
            # the timed build only, not the untimed one before it (stage_rebuild)
            "rebuild": get("rebuild", "total_seconds"),
            "rebuild_unchanged": get(
                "rebuild", "unchanged_rebuild_seconds"
            ),  # the untimed one, for the record
            "rebuild_datapackage": get("rebuild", "datapackage_seconds"),
            "rebuild_mkdocs": minus(
                get("rebuild", "total_seconds"),
                get("rebuild", "datapackage_seconds"),
                get("rebuild", "search_seconds"),
            ),
            "rebuild_search": get("rebuild", "search_seconds"),
            "from_records": None
            if any("error" in stages[s] for s in FROM_RECORDS)
            else sum(stages[s]["wall_seconds"] for s in FROM_RECORDS),
            # the full build from records as one command (stage_build), the goal's figure
            "build": get("build", "total_seconds"),
            "build_datapackage": get("build", "datapackage_seconds"),
            "build_mkdocs": minus(
                get("build", "total_seconds"),
                get("build", "datapackage_seconds"),
                get("build", "search_seconds"),
            ),
            "build_search": get("build", "search_seconds"),
            "build_cpu": get("build", "timed_cpu_seconds"),
            "naive": stages["naive"]["wall_seconds"] if "error" not in stages["naive"] else None,
            "from_records_cpu": None
            if any("error" in stages[s] for s in FROM_RECORDS)
            else sum(stages[s].get("cpu_seconds", 0.0) for s in FROM_RECORDS),
            "naive_cpu": get("naive", "cpu_seconds"),
            "rebuild_cpu": get("rebuild", "timed_cpu_seconds"),
        },
        "peak_rss_mb": max(stages[s].get("peak_rss_mb", 0.0) for s in MEMORY_STAGES),
        "peak_memory_mb": max(stages[s].get("peak_tree_pss_mb", 0.0) for s in MEMORY_STAGES),
        "stage_memory_mb": {name: s.get("peak_tree_pss_mb") for name, s in stages.items()},
        "stage_cpu_seconds": {name: s.get("cpu_seconds") for name, s in stages.items()},
        "rebuild_incremental": get("rebuild", "incremental"),
        "stage_rss_mb": {
            name: {"own": s.get("peak_rss_own_mb"), "children": s.get("peak_rss_children_mb")}
            for name, s in stages.items()
        },
        "bytes": {
            "site": dir_bytes(work / "site", hidden=False),
            "site_hidden": dir_bytes(work / "site", hidden=True),
            "datapackage": dir_bytes(work / "datapackage"),
            "search_index": dir_bytes(work / "site" / "pagefind") or None,
            "naive_site": dir_bytes(work / "naive" / "site") or None,
            "document_html_mean": html,
            "document_own_text_mean": own,
            "document_html_without_own_text_mean": minus(html, own),
        },
        "checks": {
            "parsed_documents": get("ingest", "parsed_documents"),
            "failed_sources": get("ingest", "failed_sources"),
            "document_pages": get("site", "document_pages"),
            "search_records": get("search", "records"),
            "site_files": sum(1 for p in (work / "site").rglob("*") if p.is_file()),
        },
        "notes": [
            "site = the published files of the site folder; files under a hidden name (.gazette-*: the "
            "build stamp, the manifest, the search index's cache) are the build's bookkeeping, which "
            "actions/upload-pages-artifact does not publish, counted apart as site_hidden",
            "ingest = parse the synthetic issues rendered back to gazette text + write their records",
            "site = one MkDocs build; site_load (records) and generate (pages) are the plugin's work "
            "inside it, mkdocs is the rest",
            "search_index = the Pagefind index of the built site (generator.search.index_site), "
            "including reading the records again (search_load)",
            "datapackage_load, site_load, search_load: reading the YAML records, done by each stage",
            "end_to_end = ingest + datapackage + site + search_index, wall clock including Python start per stage; "
            "end_to_end_cpu = their CPU time (user + system, children included): less sensitive to a busy machine",
            "peak RSS: per stage, VmHWM of its Python process + ru_maxrss of its children (Pagefind, "
            "workers): an upper bound, since they do not all peak at once and forked workers share pages",
            "peak memory: per stage, the largest sum of PSS over the stage's process and all its "
            "descendants, sampled every 0.2 s (TreeMemory); the goal's figure",
            "naive = `mkdocs build` (Material, no plugin, no search, bounded navigation) of bare pages of the "
            "same documents (title, five metadata lines, body paragraphs), in its own process like the "
            "other stages; from_records = datapackage + site + search_index, the full build's stages "
            "run apart (each reads the records and starts Python)",
            "build = one `gazette build` from the records (generator.build.build_site: data package, "
            "MkDocs build, search index), in a folder of its own with a copy of the records and their "
            "parsed copies, no cache of package parts or pages and no previous site: the full build a "
            "maintainer runs, and the full-build goal's figure (build_cpu: its CPU time, children "
            "included); build_datapackage and build_search are its parts, build_mkdocs the rest",
            "rebuild = after the full build, `gazette build` runs once with nothing changed (untimed: "
            "as a maintained archive is, with the site the last build replaced kept and the data "
            "package's issue parts cached), then the next synthetic issue is added and `gazette build` "
            "runs again, timed (generator.build.build_site: data package, incremental MkDocs build, "
            "search index); "
            "rebuild_mkdocs is the build without the data package and search parts; sizes are measured "
            "after it",
        ],
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "loadavg_before": load_before,
            "loadavg_after": list(os.getloadavg()),
            "max_gb_per_stage": max_gb,
        },
    }
    result["ratios"] = ratios(result)
    write_atomic(work / "bench.json", json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    table = markdown_table([result]) + "\n" + goals_table(result)
    if result["errors"]:
        table += (
            "\n" + "\n".join(f"- {name} failed: {error}" for name, error in result["errors"].items()) + "\n"
        )
    write_atomic(work / "bench.md", table)
    echo(table)
    return result


def ratios(result: dict) -> dict:
    """The figures issue 15's goals are stated in: times over the naive build's, KB per document."""
    sec, size, docs = result["seconds"], result["bytes"], result["documents"]

    def over(value, base):
        return value / base if value is not None and base else None

    parsed = result.get("checks", {}).get("parsed_documents")
    one_command = sec.get("build") is not None  # runs before the build stage: the stages' sum
    return {
        "full_build_over_naive": over(sec.get("build" if one_command else "from_records"), sec.get("naive")),
        "stages_over_naive": over(sec.get("from_records"), sec.get("naive")),
        "rebuild_over_naive": over(sec.get("rebuild"), sec.get("naive")),
        "full_build_over_naive_cpu": over(
            sec.get("build_cpu" if one_command else "from_records_cpu"), sec.get("naive_cpu")
        ),
        "rebuild_over_naive_cpu": over(sec.get("rebuild_cpu"), sec.get("naive_cpu")),
        "site_kb_per_document": over(size.get("site"), docs * 1e3),
        "naive_site_kb_per_document": over(size.get("naive_site"), docs * 1e3),
        "ingest_documents_per_second": over(parsed, sec.get("ingest")),
    }


_FORMATS = {  # unit → how a figure in it is shown
    "×": lambda v: f"{v:.2f}×",
    "KB/doc": lambda v: f"{v:,.1f} KB",
    "/s": lambda v: f"{v:,.0f} /s",
    "s": lambda v: f"{v:.1f} s",
    "MB": lambda v: f"{v / 1e6:,.1f} MB",
    "KB": lambda v: f"{v / 1e3:,.1f} KB",
}


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    shown = _FORMATS.get(unit)
    return shown(value) if shown else f"{value:,.0f}{unit}"


ROWS = [  # label, (group, name), unit
    ("ingest: parse gazette text", ("seconds", "ingest_parse"), "s"),
    ("ingest: write records", ("seconds", "ingest_write"), "s"),
    ("**ingest**", ("seconds", "ingest"), "s"),
    ("ingest: documents per second", ("ratios", "ingest_documents_per_second"), "/s"),
    ("data package: read records", ("seconds", "datapackage_load"), "s"),
    ("**data package**", ("seconds", "datapackage"), "s"),
    ("site: read records (plugin)", ("seconds", "site_load"), "s"),
    ("site: generate pages (plugin)", ("seconds", "generate"), "s"),
    ("site: convert pages to HTML (both cores)", ("seconds", "convert"), "s"),
    ("site: copy files, pages through the theme (both cores)", ("seconds", "theme"), "s"),
    ("site: MkDocs, the rest", ("seconds", "mkdocs"), "s"),
    ("**site (MkDocs build)**", ("seconds", "site"), "s"),
    ("search: read records", ("seconds", "search_load"), "s"),
    ("**search index (Pagefind)**", ("seconds", "search_index"), "s"),
    ("**end to end**", ("seconds", "end_to_end"), "s"),
    ("end to end, CPU time", ("seconds", "end_to_end_cpu"), "s"),
    ("full build, stages run apart (data package + site + search)", ("seconds", "from_records"), "s"),
    ("… stages run apart / naive", ("ratios", "stages_over_naive"), "×"),
    ("full build as one `gazette build`: data package", ("seconds", "build_datapackage"), "s"),
    ("… pages and MkDocs", ("seconds", "build_mkdocs"), "s"),
    ("… search index", ("seconds", "build_search"), "s"),
    ("**full build from records** (one `gazette build`)", ("seconds", "build"), "s"),
    ("**naive build** (MkDocs + Material, bare pages, no search)", ("seconds", "naive"), "s"),
    ("**full build / naive**", ("ratios", "full_build_over_naive"), "×"),
    (
        "full build / naive, CPU time (user + system, all processes)",
        ("ratios", "full_build_over_naive_cpu"),
        "×",
    ),
    ("rebuild after one new issue: data package", ("seconds", "rebuild_datapackage"), "s"),
    ("… pages and MkDocs (incremental)", ("seconds", "rebuild_mkdocs"), "s"),
    ("… search index", ("seconds", "rebuild_search"), "s"),
    ("**rebuild after one new issue**", ("seconds", "rebuild"), "s"),
    ("**rebuild / naive**", ("ratios", "rebuild_over_naive"), "×"),
    ("rebuild / naive, CPU time", ("ratios", "rebuild_over_naive_cpu"), "×"),
    ("peak memory (largest stage, all its processes, sampled PSS)", ("peak_memory_mb", None), "RSS"),
    ("peak RSS upper bound (own peak + largest child's peak)", ("peak_rss_mb", None), "RSS"),
    ("site size (published files)", ("bytes", "site"), "MB"),
    ("… build bookkeeping in the site folder (hidden, not published)", ("bytes", "site_hidden"), "MB"),
    ("**site per document**", ("ratios", "site_kb_per_document"), "KB/doc"),
    ("naive site per document", ("ratios", "naive_site_kb_per_document"), "KB/doc"),
    ("document page HTML, mean", ("bytes", "document_html_mean"), "KB"),
    ("… the document's own text", ("bytes", "document_own_text_mean"), "KB"),
    ("… page without its own text", ("bytes", "document_html_without_own_text_mean"), "KB"),
    ("data package size", ("bytes", "datapackage"), "MB"),
    ("search index size (site/pagefind)", ("bytes", "search_index"), "MB"),
]


def markdown_table(results: list[dict]) -> str:
    """One column per run; a ratio column (last / first) when there are two runs or more."""
    head = ["measure", *(f"{r['documents']:,} docs" for r in results)]
    ratio = len(results) >= 2
    if ratio:
        head.append(f"{results[-1]['documents'] / 1000:g}k/{results[0]['documents'] / 1000:g}k")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for label, key, unit in ROWS:
        cells = [
            f"{_value(r, key):,.0f} MB" if unit == "RSS" else _fmt(_value(r, key), unit) for r in results
        ]
        row = [label, *cells]
        if ratio:
            row.append(_ratio(results, key))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def _value(result: dict, key: tuple[str, str | None]):
    group, name = key
    return result.get(group) if name is None else result.get(group, {}).get(name)


def _ratio(results: list[dict], key) -> str:
    a, b = _value(results[0], key), _value(results[-1], key)
    return f"{b / a:.1f}×" if a and b is not None else "—"


def goals(result: dict, small: dict | None = None) -> list[tuple[str, bool, str]]:
    """Issue 15's goals against a result: (goal, met, measured). ``small``: the same bench at a
    tenth of the documents, for the time ratio."""
    b, sec = result["bytes"], result["seconds"]
    r = result.get("ratios") or ratios(result)
    failed = ", ".join(result.get("errors") or {})
    note = f" ({failed} failed)" if failed else ""
    memory = result.get("peak_memory_mb") or result["peak_rss_mb"]
    out = []

    def goal(label: str, value, limit, text: str, at_most: bool = True) -> None:
        met = value is not None and not failed and (value <= limit if at_most else value >= limit)
        out.append((label, met, (text if value is not None else "—") + note))

    full, rebuild = r.get("full_build_over_naive"), r.get("rebuild_over_naive")
    goal(
        f"full build from records ≤ {GOAL_FULL_OVER_NAIVE:g}× naive",
        full,
        GOAL_FULL_OVER_NAIVE,
        f"{full or 0:.2f}× ({sec.get('build') or sec.get('from_records') or 0:.1f} s / {sec.get('naive') or 0:.1f} s)"
        + _cpu_note(r.get("full_build_over_naive_cpu")),
    )
    goal(
        f"rebuild after one new issue ≤ {GOAL_REBUILD_OVER_NAIVE:g}× naive",
        rebuild,
        GOAL_REBUILD_OVER_NAIVE,
        f"{rebuild or 0:.2f}× ({sec.get('rebuild') or 0:.1f} s)"
        + _cpu_note(r.get("rebuild_over_naive_cpu"))
        + ("" if result.get("rebuild_incremental") else ", not incremental"),
    )
    per_doc = r.get("site_kb_per_document")
    goal(
        f"site ≤ {GOAL_SITE_KB_PER_DOCUMENT} KB per document",
        per_doc,
        GOAL_SITE_KB_PER_DOCUMENT,
        f"{per_doc or 0:.1f} KB ({_fmt(b['site'], 'MB')})",
    )
    goal("peak memory ≤ 1 GB", memory, GOAL_RSS_MB, f"{memory:.0f} MB")
    overhead = b.get("document_html_without_own_text_mean")
    goal(
        f"document page ≤ {GOAL_PAGE_OVERHEAD_KB} KB + own text",
        overhead,
        GOAL_PAGE_OVERHEAD_KB * 1e3,
        _fmt(overhead, "KB"),
    )
    speed = r.get("ingest_documents_per_second")
    goal(
        f"ingest ≥ {GOAL_INGEST_PER_SECOND} documents/s",
        speed,
        GOAL_INGEST_PER_SECOND,
        f"{speed or 0:.0f} /s",
        at_most=False,
    )
    if small:
        wall = sec["end_to_end"] / small["seconds"]["end_to_end"]
        times = result["documents"] / small["documents"]
        goal(
            f"{result['documents']:,}/{small['documents']:,} time ratio ≤ {GOAL_RATIO * times / 10:g} "
            f"(end to end)",
            wall,
            GOAL_RATIO * times / 10,
            f"{wall:.1f}",
        )
    return out


def _cpu_note(ratio: float | None) -> str:
    return f"; {ratio:.2f}× in CPU time" if ratio is not None else ""


def goals_table(result: dict, small: dict | None = None) -> str:
    lines = [
        f"| goal of issue 15 at {result['documents']:,} documents | met | measured |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {g} | {'yes' if ok else '**no**'} | {v} |" for g, ok, v in goals(result, small)]
    load = result.get("machine", {}).get("loadavg_before")
    if load:
        lines.append(f"\nLoad average before the run: {' / '.join(f'{x:.2f}' for x in load)}.")
    return "\n".join(lines) + "\n"


def _tenth(result: dict, results: list[dict]) -> dict | None:
    """The run at a tenth of ``result``'s documents, if there is one (for the time ratio)."""
    return next((r for r in results if r["documents"] * 10 == result["documents"]), None)


def run_compare(
    sizes: list[int],
    out_dir: Path,
    seed: int = 0,
    config_file: Path = ROOT / "mkdocs.yml",
    echo=print,
    max_gb: float | None = DEFAULT_MAX_GB,
) -> dict:
    """run_bench at each size (under out_dir/<size>), then one table with the last/first ratio."""
    results = [run_bench(n, Path(out_dir) / str(n), seed, config_file, echo, max_gb) for n in sizes]
    return compare_report(results, out_dir, echo)


def compare_report(results: list[dict], out_dir: Path, echo=print) -> dict:
    """compare.md and compare.json in ``out_dir`` from finished runs (smallest first)."""
    text = markdown_table(results) + "\n" + "\n".join(goals_table(r, _tenth(r, results)) for r in results)
    write_atomic(Path(out_dir) / "compare.md", text)
    write_atomic(Path(out_dir) / "compare.json", json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    echo(text)
    return {"results": results, "table": text}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_stage":
        _child(argv[1], Path(argv[2]), Path(argv[3]))
        return
    parser = argparse.ArgumentParser(prog="python -m generator.dev.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents in the synthetic archive")
    parser.add_argument(
        "--compare", type=int, nargs="+", metavar="N", help="run at each size, report last/first"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work directory (default build/bench)")
    parser.add_argument(
        "--report",
        type=int,
        nargs="+",
        metavar="N",
        help="no run: compare the bench.json files already under --out/N",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-gb",
        type=float,
        default=DEFAULT_MAX_GB,
        help=f"address-space cap per stage in GB, 0 for none (default {DEFAULT_MAX_GB:g})",
    )
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml")
    args = parser.parse_args(argv)
    if args.report:
        results = [
            json.loads((args.out / str(n) / "bench.json").read_text(encoding="utf-8")) for n in args.report
        ]
        compare_report(results, args.out)
    elif args.compare:
        run_compare(args.compare, args.out, args.seed, args.config, max_gb=args.max_gb or None)
    else:
        run_bench(args.docs, args.out / str(args.docs), args.seed, args.config, max_gb=args.max_gb or None)


if __name__ == "__main__":
    main()
