"""The `gazette` command line: one click group, thin commands over the pipeline modules."""

from __future__ import annotations

import functools
import http.server
import os
import sys
from pathlib import Path

import click

from . import __version__

CONTENT_HELP = "Content directory holding sources/, records/ and publishers.yml."
FORCE_HELP = ("Write into an existing folder that gazette did not make; it is kept beside as "
              "<name>.replaced-<time>, never deleted. Never allowed for the project, its sources or docs.")


def _fail(message: str) -> None:
    """One line on stderr naming the file (and line), exit status 1."""
    click.echo(f"错误 error: {message}", err=True)
    sys.exit(1)


def _guarded(func):
    """Turn every error into one line naming the file (and line) and a non-zero exit: the
    pipeline's own errors as they are, the operating system's with what to do, anything else
    as an internal error (GAZETTE_DEBUG=1 shows its traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .build import BuildError, ShardError
        from .ingest import IngestError
        from .outputs import OutputError, describe_os_error
        from .publishers import RegistryError
        from .records import RecordFileError
        from .search import SearchIndexError

        try:
            return func(*args, **kwargs)
        except (IngestError, RecordFileError, BuildError, OutputError, RegistryError, ShardError,
                SearchIndexError) as exc:
            _fail(" ".join(str(exc).split()))
        except OSError as exc:
            _fail(describe_os_error(exc))
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still one line, and nothing was replaced (staging only)
            if os.environ.get("GAZETTE_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]} "
                  "(please report it; GAZETTE_DEBUG=1 shows the traceback)")

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gazette")
def cli() -> None:
    """Open archive of Chinese local-government gazettes (人民政府公报).

    \b
    Example:
        gazette ingest content/sources/*.txt
        gazette build && gazette serve
    """


@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--content", "content_dir", default="content", show_default=True, type=click.Path(file_okay=False, path_type=Path), help=CONTENT_HELP)
@click.option("--force", is_flag=True, help="Replace records edited by hand (the old record is kept under records/.replaced/).")
@_guarded
def ingest(sources: tuple[Path, ...], content_dir: Path, force: bool) -> None:
    """Parse raw gazette text files into YAML records under CONTENT/records/.

    Prints, per source, what was found and every problem. Nothing is written
    unless every source parses.

    \b
    Example:
        gazette ingest content/sources/yanzhou-2021-03-04.txt
        gazette ingest --content my-archive/ new-issue.txt
    """
    from .ingest import ingest as run_ingest

    with click.progressbar(length=len(sources), label="解析 parsing", file=sys.stderr,
                           item_show_func=lambda p: p.name if p else None) as bar:
        results = run_ingest(list(sources), content_dir, force=force,
                             progress=lambda path: bar.update(1, path))
    for result in results:
        issue = result.issue
        cov = issue.coverage
        tables = sum(len(d.tables) for d in issue.documents)
        refs = sum(len(d.references) for d in issue.documents)
        click.echo(
            f"{result.source.name}: {issue.issue_id} ({issue.kind}) → {result.record} [{result.status}]\n"
            f"  documents {len(issue.documents)}, appointments {len(issue.appointments)}, events {len(issue.events)}, "
            f"tables {tables}, references {refs}, problems {len(issue.problems)}; "
            f"coverage {cov.ratio:.2%} ({cov.kept_chars} kept + {cov.noise_chars} noise of {cov.source_chars}, {cov.lost_chars} lost)")
        if result.backup:
            click.echo(f"  hand-edited record kept as {result.backup}")
        for problem in issue.problems:
            click.echo(f"  {result.source}:{problem.line}: {problem.severity}: {problem.code}: {problem.message}")


@cli.command()
@click.option("--content", "content_dir", default="content", show_default=True, type=click.Path(file_okay=False, path_type=Path), help=CONTENT_HELP)
@click.option("--out", "out_dir", default="datapackages/gazette", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="Where to write the data package.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@_guarded
def datapackage(content_dir: Path, out_dir: Path, force: bool) -> None:
    """Write the Frictionless data package (Data Package v2) for the records.

    \b
    Example:
        gazette datapackage
        gazette datapackage --content content --out /tmp/gazette-data
    """
    from .build import make_datapackage

    files = make_datapackage(content_dir, out_dir, force=force)
    size = sum(len(b) for b in files.values())
    click.echo(f"{out_dir}: {len(files)} files, {size:,} bytes")


@cli.command()
@click.option("--content", "content_dir", default="content", show_default=True, type=click.Path(file_okay=False, path_type=Path), help=CONTENT_HELP)
@click.option("--site", "site_dir", default="site", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="Where to write the static site.")
@click.option("--datapackage", "datapackage_dir", default="datapackages/gazette", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="Where to write the data package.")
@click.option("--config", "config_file", default="mkdocs.yml", show_default=True, type=click.Path(dir_okay=False, path_type=Path), help="MkDocs configuration.")
@click.option("--shard", default=None, metavar="PUBLISHER", help="Build one publisher's site only: its region code (370812) or slug (yanzhou).")
@click.option("--full", is_flag=True, help="Render every page again, even those whose source did not change.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@_guarded
def build(content_dir: Path, site_dir: Path, datapackage_dir: Path, config_file: Path, shard: str | None,
          full: bool, force: bool) -> None:
    """Build the static site: records → pages + data package → HTML with search index.

    The previous site is replaced only when the build succeeds. When it was built with the
    same mkdocs.yml, theme, code and versions, only pages whose source changed are rendered again
    (an incremental build); --full renders them all.

    \b
    Example:
        gazette build
        gazette build --content content --site public/
        gazette build --full
        gazette build --shard 370812 --site public/370812 --datapackage build/370812/gazette
    """
    from .build import build_site

    _show_build_progress()
    incremental = build_site(content_dir, site_dir, datapackage_dir, config_file, shard=shard, full=full, force=force)
    click.echo(f"{site_dir}: built" + (" (incremental: pages whose source changed)" if incremental else ""))


@cli.command()
@click.option("--content", "content_dir", default="content", show_default=True, type=click.Path(file_okay=False, path_type=Path), help=CONTENT_HELP)
@click.option("--site", "site_dir", default="site", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="Where to write the static site.")
@click.option("--port", default=8000, show_default=True, help="Port to serve on (127.0.0.1).")
@click.option("--no-build", is_flag=True, help="Serve the existing site without building it first.")
@_guarded
def serve(content_dir: Path, site_dir: Path, port: int, no_build: bool) -> None:
    """Build the archive and serve it locally for preview.

    \b
    Example:
        gazette serve
        gazette serve --port 8080 --no-build
    """
    from .build import build_site

    if not no_build:
        _show_build_progress()
        build_site(content_dir, site_dir, Path("datapackages/gazette"))
    if not (site_dir / "index.html").is_file():
        _fail(f"{site_dir}: no built site here; run `gazette build` first (or drop --no-build)")
    handler = functools.partial(SiteHandler, directory=str(site_dir))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        click.echo(f"浏览 Browse the archive at http://127.0.0.1:{port}/  (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("stopped")


@cli.command()
@click.option("--content", "content_dir", default="content", show_default=True, type=click.Path(file_okay=False, path_type=Path), help=CONTENT_HELP)
@click.option("--datapackage", "datapackage_dir", default="datapackages/gazette", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="The data package to check.")
@click.option("--site", "site_dir", default="site", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="The built site whose links to check (skipped if absent).")
@click.option("--config", "config_file", default="mkdocs.yml", show_default=True, type=click.Path(dir_okay=False, path_type=Path), help="MkDocs configuration (for site_url).")
@_guarded
def check(content_dir: Path, datapackage_dir: Path, site_dir: Path, config_file: Path) -> None:
    """Validate records, the data package and the site's internal links.

    Exits non-zero when anything is wrong.

    \b
    Example:
        gazette check
        gazette check --content content --site site
    """
    from .build import load_archive
    from .datapackage import package_files, validate_package
    from .linkcheck import check_site
    from .records import record_paths

    failures: list[str] = []
    paths = record_paths(content_dir)
    if not paths:
        _fail(f"{content_dir}/records: no records; run `gazette ingest` first")
    archive = load_archive(content_dir)
    click.echo(f"records: {len(paths)} files, {len(archive.documents)} documents — ok")
    failures += [f"{content_dir}/records/{issue_id}.yml:{p.line}: {p.message}" for issue_id, p in archive.problems if p.severity == "error"]

    expected = package_files(archive)
    if not (datapackage_dir / "datapackage.json").is_file():
        failures.append(f"{datapackage_dir}/datapackage.json: missing; run `gazette datapackage`")
    else:
        stale = sorted(rel for rel, data in expected.items()
                       if not (datapackage_dir / rel).is_file() or (datapackage_dir / rel).read_bytes() != data)
        if stale:
            failures.append(f"{datapackage_dir}/{stale[0]}: out of date with the records ({len(stale)} files); run `gazette datapackage`")
        errors = validate_package(datapackage_dir)
        failures += [f"{datapackage_dir}/datapackage.json: {e}" for e in errors]
        if not errors and not stale:
            click.echo(f"data package: {len(expected)} files valid (frictionless) — ok")

    if site_dir.is_dir():
        broken = check_site(site_dir, _site_path(config_file))
        failures += [f"{site_dir}/{b}" for b in broken]
        if not broken:
            click.echo(f"site: {sum(1 for _ in site_dir.rglob('*.html'))} pages, no broken internal links — ok")
    else:
        click.echo(f"site: {site_dir} not built, links not checked")

    for failure in failures:
        click.echo(f"错误 error: {failure}", err=True)
    if failures:
        sys.exit(1)


@cli.command()
@click.option("--docs", default=1000, show_default=True, help="Documents in the synthetic archive.")
@click.option("--compare", type=int, multiple=True, help="Run at each size and report the ratios, e.g. --compare 1000 --compare 10000.")
@click.option("--out", "out_dir", default="build/bench", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="Where to build and write the results.")
@click.option("--seed", default=0, show_default=True, help="Seed of the synthetic archive (same seed, same archive).")
@_guarded
def bench(docs: int, compare: tuple[int, ...], out_dir: Path, seed: int) -> None:
    """Build a synthetic archive of N documents and time every stage.

    Writes a table (bench.md) and bench.json into OUT/N/: time per stage and
    end to end, peak RSS, site, page, data package and search index bytes.

    \b
    Example:
        gazette bench --docs 1000
        gazette bench --compare 1000 --compare 10000
    """
    from .bench import run_bench, run_compare

    if compare:
        run_compare(list(compare), out_dir, seed, echo=click.echo)
    else:
        run_bench(docs, out_dir / str(docs), seed, echo=click.echo)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """The standard file handler; a request path the file system cannot take (a NUL byte, a
    name too long) is a 404, not a traceback in the log."""

    def send_head(self):
        try:
            return super().send_head()
        except (ValueError, OSError):
            self.send_error(404, "File not found")
            return None


def _show_build_progress() -> None:
    """MkDocs and the gazette hook report each build step on stderr, as `mkdocs build` does."""
    import logging

    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_gazette", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._gazette = True
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def _site_path(config_file: Path) -> str:
    """The URL path the site is served from, from mkdocs.yml's site_url ("/" when unknown)."""
    from urllib.parse import urlsplit

    from mkdocs.config import load_config

    if not config_file.is_file():
        return "/"
    return urlsplit(load_config(config_file=str(config_file)).site_url or "/").path or "/"


def main() -> None:
    cli(prog_name="gazette")
