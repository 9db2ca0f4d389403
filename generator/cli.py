"""The `gazette` command line: one click group, thin commands over the library.

Every error is one line (``错误 error: FILE[:LINE]: …``) and exit status 1: the library raises
GazetteError (a click exception); GazetteGroup turns operating-system errors and bugs into one.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
from pathlib import Path

import click

from generator import __version__
from generator.errors import GazetteError, as_gazette_error


class UsageLine(GazetteError):
    """A wrong argument or option, shown as one line; exit status 2 as for any usage error."""

    exit_code = 2


class GazetteGroup(click.Group):
    """Runs a command; any error that is not already a one-line GazetteError becomes one."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a wrong argument: one line too, not click's usage block
            raise UsageLine(exc.format_message()) from None
        except BrokenPipeError:  # the reader went away (`gazette ingest … | head`): stop quietly
            sys.stdout = open(os.devnull, "w")
            ctx.exit(1)
        except Exception as exc:
            error = as_gazette_error(exc)
            if error is None:
                raise
            raise error from None


def _folder(default: str, help: str, name: str):
    return click.option(
        f"--{name.split('_')[0]}",
        name,
        default=default,
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


content_option = _folder(
    "content", "Content directory holding sources/, records/ and publishers.yml.", "content_dir"
)
site_option = _folder("site", "Where to write the static site.", "site_dir")
datapackage_option = _folder("datapackages/gazette", "Where to write the data package.", "datapackage_dir")
config_option = click.option(
    "--config",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="MkDocs configuration.",
)
force_option = click.option(
    "--force",
    is_flag=True,
    help=(
        "Write into an existing folder that gazette did not make; it is kept beside as <name>.replaced-<time>, "
        "never deleted. Never allowed for the project, its sources or docs."
    ),
)


@click.group(cls=GazetteGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gazette")
def cli() -> None:
    """Open archive of Chinese local-government gazettes (人民政府公报).

    \b
    Example:
        gazette ingest content/sources/*.txt
        gazette build && gazette serve
    """


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Start a new archive in FOLDER: mkdocs.yml, content/ (an empty publisher registry and
    a README on adding gazettes), docs/about.md, a GitHub Pages workflow and .gitignore.

    Nothing is overwritten: an existing file stops the command before anything is written.

    \b
    Example:
        gazette init my-archive
        cd my-archive && gazette ingest ~/gazettes/2024-01.txt && gazette build
    """
    from generator.scaffold import init_archive

    if any(ord(ch) < 32 for ch in str(folder)):
        raise GazetteError(
            f"{str(folder)!r}: the folder name holds a line break or control character; choose another"
        )
    for path in init_archive(folder):
        click.echo(f"{path}: written")
    click.echo(
        f"Next: `cd {folder} && gazette ingest FILE && gazette build && gazette serve`. Publishers are "
        f"recognised by name; list them in content/publishers.yml to correct misread document numbers."
    )


@cli.command()
@click.argument(
    "sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@content_option
@click.option(
    "--force",
    is_flag=True,
    help="Replace records edited by hand (the old record is kept under records/.replaced/).",
)
def ingest(sources: tuple[Path, ...], content_dir: Path, force: bool) -> None:
    """Parse raw gazette text files into YAML records under CONTENT/records/.

    Prints, per source, what was found and every problem. Nothing is written
    unless every source parses.

    \b
    Example:
        gazette ingest content/sources/yanzhou-2021-03-04.txt
        gazette ingest --content my-archive/ new-issue.txt
    """
    from generator.ingest.stage import ingest as run_ingest

    with click.progressbar(
        length=len(sources),
        label="解析 parsing",
        file=sys.stderr,
        item_show_func=lambda p: p.name if p else None,
    ) as bar:
        results = run_ingest(
            list(sources), content_dir, force=force, progress=lambda path: bar.update(1, path)
        )
    for result in results:
        issue = result.issue
        cov = issue.coverage
        tables = sum(len(d.tables) for d in issue.documents)
        refs = sum(len(d.references) for d in issue.documents)
        click.echo(
            f"{result.source.name}: {issue.issue_id} ({issue.kind}) → {result.record} [{result.status}]\n"
            f"  documents {len(issue.documents)}, appointments {len(issue.appointments)}, events {len(issue.events)}, "
            f"tables {tables}, references {refs}, problems {len(issue.problems)}; "
            f"coverage {cov.ratio:.2%} ({cov.kept_chars} kept + {cov.noise_chars} noise of {cov.source_chars}, {cov.lost_chars} lost)"
        )
        if result.backup:
            click.echo(f"  hand-edited record kept as {result.backup}")
        for problem in issue.problems:
            click.echo(
                f"  {result.source}:{problem.line}: {problem.severity}: {problem.code}: {problem.message}"
            )


@cli.command()
@content_option
@_folder("datapackages/gazette", "Where to write the data package.", "out_dir")
@force_option
@click.option(
    "--archives",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write gazette.zip, gazette.sqlite.gz and gazette.xlsx into this folder (new, or holding only them): "
    "the bulk downloads, to publish beside the site, e.g. as release assets.",
)
def datapackage(content_dir: Path, out_dir: Path, force: bool, archives: Path | None) -> None:
    """Write the Frictionless data package (Data Package v2) for the records.

    \b
    Example:
        gazette datapackage
        gazette datapackage --content content --out /tmp/gazette-data
        gazette datapackage --archives build/release
    """
    from generator.build import make_datapackage, write_bulk_downloads

    files = make_datapackage(content_dir, out_dir, force=force)
    size = sum(len(b) for b in files.values())
    click.echo(f"{out_dir}: {len(files)} files, {size:,} bytes")
    if archives is not None:
        for path in write_bulk_downloads(out_dir, archives):
            click.echo(f"{path}: {path.stat().st_size:,} bytes")


@cli.command()
@content_option
@site_option
@datapackage_option
@config_option
@click.option(
    "--shard",
    default=None,
    metavar="PUBLISHER",
    help="Build one shard's site only: a publisher's region code (370812) or slug (yanzhou), "
    "or a shard of its years (yanzhou-y2015-2019, from `gazette shards`).",
)
@click.option(
    "--catalogue",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --shard: the shards' catalogue (`gazette shards --catalogue FILE`); citations of "
    "documents in other shards link to their pages there.",
)
@click.option(
    "--shards",
    "all_shards",
    is_flag=True,
    help="Build every shard (a publisher; split by years above 5,000 documents) as its own site "
    "under SITE/<shard>/, in parallel, and the portal at SITE/.",
)
@click.option(
    "--jobs",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="With --shards: shards built at once (one process each).",
)
@click.option(
    "--work",
    "work_dir",
    default="build/shards",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="With --shards: each shard's records, page cache and data package, and the catalogue.",
)
@click.option("--full", is_flag=True, help="Render every page again, even those whose source did not change.")
@force_option
def build(
    content_dir: Path,
    site_dir: Path,
    datapackage_dir: Path,
    config_file: Path,
    shard: str | None,
    catalogue: Path | None,
    all_shards: bool,
    jobs: int,
    work_dir: Path,
    full: bool,
    force: bool,
) -> None:
    """Build the static site: records → pages + data package → HTML with search index.

    The site and the data package are replaced together, only when the whole build succeeds.
    When the site was built with the same mkdocs.yml, theme, code and versions, only pages whose
    source changed are rendered again (an incremental build); --full renders them all.

    \b
    Example:
        gazette build
        gazette build --content content --site public/
        gazette build --full
        gazette build --shard 370812 --site public/370812 --datapackage build/370812/gazette
        gazette build --shards --site public --jobs 4
    """
    from generator.build import build_site

    if all_shards:
        if shard or catalogue:
            raise UsageLine("--shards builds every shard; --shard and --catalogue are for one shard")
        from generator.shards import build_shards

        results, portal = build_shards(
            content_dir,
            site_dir,
            config_file,
            work_dir,
            jobs=jobs,
            full=full,
            force=force,
            progress=lambda line: click.echo(line, err=True),
        )
        documents = sum(r.documents for r in results)
        click.echo(f"{site_dir}: built {len(results)} shard sites ({documents:,} documents) and the portal")
        return
    if catalogue and not shard:
        raise UsageLine("--catalogue needs --shard NAME")
    _show_build_progress()
    incremental = build_site(
        content_dir,
        site_dir,
        datapackage_dir,
        config_file,
        shard=shard,
        full=full,
        force=force,
        catalogue=catalogue,
    )
    click.echo(f"{site_dir}: built" + (" (incremental: pages whose source changed)" if incremental else ""))


@cli.command()
@content_option
@click.option("--json", "as_json", is_flag=True, help="Print the shards as JSON (a CI matrix's list).")
@click.option(
    "--catalogue",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the shards' shared catalogue to this file (what each shard's build reads).",
)
def shards(content_dir: Path, as_json: bool, catalogue: Path | None) -> None:
    """List the shards of the archive: one per publisher, a publisher of more than 5,000
    documents split into runs of years. Each is built as a site of its own.

    \b
    Example:
        gazette shards
        gazette shards --json --catalogue build/catalogue.json
        gazette build --shard yanzhou --catalogue build/catalogue.json --site public/yanzhou
    """
    from generator.shards import plan, shards_json, write_catalogue

    found, shared = plan(content_dir)
    if catalogue is not None:
        write_catalogue(catalogue, shared)
        click.echo(f"{catalogue}: {len(shared['documents'])} documents cited across shards", err=True)
    if as_json:
        click.echo(shards_json(found))
        return
    for shard in found:
        click.echo(f"{shard.name}\t{shard.publisher}\t{shard.issues} issues\t{shard.documents:,} documents")


@cli.command()
@click.option(
    "--site",
    "site_dir",
    default="site",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder holding the shard sites (<shard>/ each); the portal is written at its root.",
)
@config_option
@content_option
def portal(site_dir: Path, config_file: Path, content_dir: Path) -> None:
    """Build the portal of a sharded archive from the shard sites in SITE (each built by
    `gazette build --shard NAME --site SITE/NAME`, here or in a CI job): home page, publishers,
    latest issues, data page and the search over all shards. Replaces only the previous portal,
    then checks the links of the portal and of every shard site.

    \b
    Example:
        gazette build --shard yanzhou --catalogue build/catalogue.json --site public/yanzhou
        gazette build --shard rencheng --catalogue build/catalogue.json --site public/rencheng
        gazette portal --site public
    """
    from generator.check import site_path
    from generator.shards import build_portal
    from generator.site.linkcheck import check_site

    result = build_portal(site_dir, config_file, content_dir)
    click.echo(f"{site_dir}: portal of {result.shards} shard sites ({result.documents:,} documents) built")
    broken = check_site(site_dir, site_path(config_file))  # the portal's links and every shard's
    if broken:
        raise GazetteError(f"{site_dir}/{broken[0]} ({len(broken)} broken links in the sharded site)")
    click.echo(f"{site_dir}: {sum(1 for _ in site_dir.rglob('*.html')):,} pages, no broken links")


@cli.command()
@content_option
@site_option
@datapackage_option
@config_option
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to serve on (127.0.0.1).",
)
@click.option("--no-build", is_flag=True, help="Serve the existing site without building it first.")
def serve(
    content_dir: Path, site_dir: Path, datapackage_dir: Path, config_file: Path, port: int, no_build: bool
) -> None:
    """Build the archive and serve it locally for preview.

    \b
    Example:
        gazette serve
        gazette serve --port 8080 --no-build
    """
    from generator.build import build_site

    if not no_build:
        _show_build_progress()
        build_site(content_dir, site_dir, datapackage_dir, config_file)
    if not (site_dir / "index.html").is_file():
        raise GazetteError(f"{site_dir}: no built site here; run `gazette build` first (or drop --no-build)")
    handler = functools.partial(SiteHandler, directory=str(site_dir))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        click.echo(f"浏览 Browse the archive at http://127.0.0.1:{port}/  (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("stopped")


@cli.command()
@content_option
@_folder("datapackages/gazette", "The data package to check.", "datapackage_dir")
@_folder("site", "The built site whose links to check (skipped if absent).", "site_dir")
@config_option
def check(content_dir: Path, datapackage_dir: Path, site_dir: Path, config_file: Path) -> None:
    """Validate records, the data package and the site's internal links.

    Exits non-zero when anything is wrong.

    \b
    Example:
        gazette check
        gazette check --content content --site site
    """
    from generator.check import check_archive

    report = check_archive(content_dir, datapackage_dir, site_dir, config_file)
    for line in report.passed:
        click.echo(line)
    for failure in report.failures:
        click.echo(f"错误 error: {failure}", err=True)
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.option(
    "--docs",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Documents in the synthetic archive.",
)
@click.option(
    "--compare",
    type=int,
    multiple=True,
    help="Run at each size and report the ratios, e.g. --compare 1000 --compare 10000.",
)
@_folder("build/bench", "Where to build and write the results.", "out_dir")
@click.option(
    "--seed", default=0, show_default=True, help="Seed of the synthetic archive (same seed, same archive)."
)
def bench(docs: int, compare: tuple[int, ...], out_dir: Path, seed: int) -> None:
    """Build a synthetic archive of N documents and time every stage.

    Writes a table (bench.md) and bench.json into OUT/N/: time per stage and
    end to end, peak RSS, site, page, data package and search index bytes.

    \b
    Example:
        gazette bench --docs 1000
        gazette bench --compare 1000 --compare 10000
    """
    from generator.dev.bench import run_bench, run_compare

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

    def send_error(self, code, message=None, explain=None):
        """A missing page gets the site's own (Chinese) 404 page, when it has one."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _show_build_progress() -> None:
    """MkDocs and the gazette plugin report each build step on stderr, as `mkdocs build` does."""
    import logging

    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_gazette", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._gazette = True
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def main() -> None:
    cli(prog_name="gazette")
