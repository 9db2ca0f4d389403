"""The MkDocs plugin ``gazette``: the archive's pages come from the records, so plain
`mkdocs build` and `mkdocs serve` work as well as `gazette build`.

``on_config`` adds the archive's theme (``generator/site/theme``, found in the installed package).
``on_files`` loads the records, renders the pages into the page cache (``pages``; only changed
files are rewritten) and adds them to MkDocs' files, together with the data package
(``datapackage`` → ``data/gazette/`` plus ``data/gazette.zip`` and the gzipped SQLite file
``data/gazette.sqlite.gz``) when it exists and ``bulk_downloads: true`` (by default they are
published beside the site, at ``bulk_downloads_url``), each document as JSON
(``documents/<id>.json``; ``document_downloads: false`` leaves it out)
and the Atom feed ``feed.xml``; the downloads are kept in ``<pages>-files/``, the zip and SQLite
in ``<pages>-archives/`` (written by a separate process while MkDocs works; ``on_env`` waits).
``on_nav`` has the pages' Markdown converted on all cores (generator/site/mkdocs_internals.py, where every use of MkDocs internals is kept);
``on_page_content`` / ``on_page_context`` keep converted pages compressed until the theme needs
them. ``on_post_build`` removes files an earlier build left that this one did not make (an
incremental build starts from the previous site) and writes the Pagefind search index into
``site/pagefind/`` (unless ``search: false``). ``shard`` (a region code or publisher slug)
builds one publisher's site.

In mkdocs.yml (relative paths are taken from the directory of mkdocs.yml)::

    plugins:
      - gazette:
          content: content
          datapackage: datapackages/gazette
          pages: build/pages
          document_downloads: true   # false: no JSON copy of each document (about 28 KB each)
          bulk_downloads: false      # true: the package's CSV files, zip and SQLite in the site
          bulk_downloads_url: ""     # where they are published instead, e.g. a release's downloads

`gazette build` sets these options itself (``configure``) rather than through the environment.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import logging
import os
import posixpath
import secrets
import shutil
import subprocess
from contextlib import ExitStack
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from generator.data.datapackage import csv_records
from generator.model.archive import ShardError, load_archive
from generator.model.ids import SHARD_SUMMARY
from generator.model.records import RecordFileError
from generator.model.shards import CatalogueError, read_catalogue
from generator.outputs import (
    OutputError,
    check_not_protected,
    claim_cache_dir,
    locked,
    protected_folders,
    remove_files_but,
)
from generator.parallel import packed, python_process, release_memory, unpacked
from generator.search.index import index_site
from generator.search.records import SearchIndexError, search_input
from generator.site import mkdocs_internals
from generator.site.feed import FEED_PATH, atom_feed
from generator.site.metadata import lastmod_by_url
from generator.site.pages import (
    DATA_DIR,
    DATA_SQLITE,
    DATA_XLSX,
    DATA_ZIP,
    DOWNLOAD_KEYS,
    SAMPLE_ROWS,
    TEMPLATES_DIR,
    build_site,
    iter_document_downloads,
    iter_pages,
    iter_redirects,
    source_path,
    take_download_keys,
    write_pages_in_two,
)
from generator.site.portal import shard_summary
from generator.site.text import headings_html, put_back, set_aside, take_head

SITE_DIR = Path(__file__).resolve().parent
THEME_DIR = SITE_DIR / "theme"
PACKAGE_DIR = SITE_DIR.parent  # generator/

log = logging.getLogger("mkdocs.plugins.gazette")


MATERIAL_FAVICON = "assets/images/favicon.png"  # Material's default theme.favicon

# The Markdown configuration text.headings_html reproduces: these extensions (MkDocs always adds
# toc, tables and fenced_code), toc with permalinks and a slugify function, nothing else.
PLAIN_EXTENSIONS = {"toc", "tables", "fenced_code", "attr_list", "md_in_html", "def_list", "admonition"}


def _plain_markdown_config(config) -> bool:
    names = {name.removeprefix("markdown.extensions.") for name in config["markdown_extensions"]}
    toc = (config["mdx_configs"] or {}).get("toc", {})
    return (
        names <= PLAIN_EXTENSIONS
        and set(toc) == {"permalink", "slugify"}
        and toc["permalink"] is True
        and callable(toc["slugify"])
    )


class GazetteConfig(base.Config):
    content = c.Type(str, default="content")
    datapackage = c.Type(str, default="datapackages/gazette")
    pages = c.Type(str, default="build/pages")
    shard = c.Optional(c.Type(str))
    # the shards' shared catalogue (generator/model/shards.py): citations of other shards' documents link there
    catalogue = c.Optional(c.Type(str))
    search = c.Type(bool, default=True)
    document_downloads = c.Type(bool, default=True)
    # The data package's CSV files, its zip and the SQLite file in the site (data/): about 30 KB a
    # document. Off by default: publish them beside the site (`gazette datapackage --archives DIR`,
    # e.g. as release assets) and give their address in bulk_downloads_url for the data page.
    bulk_downloads = c.Type(bool, default=False)
    bulk_downloads_url = c.Type(str, default="")
    # A document page whose inputs are those its cached source was written from is not rendered
    # again (pages.document_page_key); `gazette build --full` sets this to false.
    reuse_pages = c.Type(bool, default=True)
    theme = c.Type(bool, default=True)  # false: the configuration's custom_dir brings its own theme
    # publish the source PDFs (content/sources/*.pdf) under sources/, and link each document to
    # its pages there; off by default: scans weigh megabytes a page (GitHub Pages allows 1 GB)
    source_pdfs = c.Type(bool, default=False)
    # Feed entry ids are tag: URIs (RFC 4151) under this authority, "<domain or email>,<year>":
    # set it once; the ids then stay the same wherever the site is hosted.
    feed_id_authority = c.Type(str, default="gazette-archive.invalid,2026")


def configure(config, **options) -> None:
    """Set the ``gazette`` plugin's options on a loaded MkDocs configuration (what
    `gazette build` and the benchmark do instead of editing mkdocs.yml)."""
    plugin = config.plugins.get("gazette")
    if plugin is None:
        raise PluginError(
            f"gazette: {config.config_file_path}: the gazette plugin is not configured; "
            "add it under plugins: (- gazette)"
        )
    for key, value in options.items():
        if value is not None:
            setattr(plugin.config, key, str(value) if isinstance(value, Path) else value)


def hand_over_archive(config, archive) -> None:
    """Give the ``gazette`` plugin of a loaded configuration the archive `gazette build` has
    loaded already from the same content and shard: its records are read once for the data
    package and the pages. Taken by the next build's on_files."""
    config.plugins["gazette"].preloaded = archive


class GazettePlugin(BasePlugin[GazetteConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.state: dict = {}  # what on_files loaded, for the events after it
        self.preloaded = None  # the archive handed over by `gazette build` (hand_over_archive)

    def path(self, config, name: str) -> Path:
        """The configured ``content``, ``datapackage`` or ``pages`` directory."""
        base_dir = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        return (base_dir / getattr(self.config, name)).resolve()

    def on_config(self, config):
        """Adds the theme; refuses a ``site_dir`` that would be the project, its sources or its
        pages (MkDocs empties ``site_dir`` before a build: plain `mkdocs build` included)."""
        content = self.path(config, "content")
        roots = [Path(config.config_file_path or "mkdocs.yml").resolve().parent, content.parent]
        protected = protected_folders(roots, content, Path(config.docs_dir), datapackages=True)
        try:
            check_not_protected(Path(config.site_dir), "site", protected)
        except OutputError as exc:
            raise PluginError(f"gazette: site_dir: {exc}") from None
        if self.config.shard:  # a shard of a sharded archive: its search can span the others
            config.extra["gazette_shards"] = "shard"
        dirs = config.theme.dirs
        if self.config.theme and str(THEME_DIR) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        if self.config.theme and not (Path(config.docs_dir) / "robots.txt").exists():
            # the theme's robots.txt, with the sitemap; a docs/robots.txt of the archive's own wins
            config.theme.static_templates.add("robots.txt")
        return config

    def on_files(self, files: Files, config) -> Files:
        files = self._add_pages(files, config)
        release_memory()  # the archive is not needed again in this process, which forks next
        return files

    def _add_pages(self, files: Files, config) -> Files:
        """The archive's pages and downloads, generated into the page cache, added to ``files``."""
        content = self.path(config, "content")
        shard = self.config.shard
        try:
            catalogue = None
            if self.config.catalogue:  # a shard: other shards' documents it cites
                catalogue = read_catalogue(self.path(config, "catalogue"), shard)
            # as the data package and the search index read it
            archive, self.preloaded = self.preloaded, None
            if archive is None:
                archive = load_archive(content, shard, catalogue)
        except (RecordFileError, ShardError, CatalogueError) as exc:
            raise PluginError(f"gazette: {exc}") from None
        self.state["lastmod"] = lastmod_by_url(archive)  # for the theme's sitemap.xml
        if shard:
            log.info("gazette: shard %s: %d issues", shard, len(archive.issues))
        if self.config.search:  # what the search index needs of the records, made while they are here
            self.state["search"] = search_input(archive)
        for issue_id, problem in archive.problems:
            log.info("gazette: %s: %s", issue_id, problem.message)

        package_dir = self.path(config, "datapackage")
        descriptor = _read_descriptor(package_dir)
        site_url = config.site_url or ""
        rows = _package_rows(package_dir, descriptor) if descriptor is not None else None
        pages_dir = self._claim_caches(config, content)
        downloads = self.config.document_downloads
        bulk = self.config.bulk_downloads
        site = build_site(archive, descriptor)  # for the pages and the downloads
        written = write_pages_in_two(
            lambda part: iter_pages(
                archive,
                descriptor,
                site_url,
                rows,
                sqlite=descriptor is not None,
                document_downloads=downloads,
                source_pdfs=self.config.source_pdfs,
                bulk_url=None if bulk else self.config.bulk_downloads_url,
                part=part,
                reuse_from=pages_dir if self.config.reuse_pages else None,
                site=site,
            ),
            pages_dir,
        )
        # the search index reads again only the issues whose pages changed (search.index_site)
        self.state["rewritten"] = written.rewritten
        log.info(
            "gazette: %d records from %s, %d pages (%d rewritten)",
            len(archive.issues),
            content,
            len(written.paths),
            written.written,
        )
        generated = self.state["generated"] = set()
        for rel in sorted(written.paths):
            if files.get_file_from_path(rel) is not None:
                log.info("gazette: docs/%s replaces the generated page", rel)
                continue
            files.append(File.generated(config, rel, abs_src_path=str(pages_dir / rel)))
            generated.add(rel)

        if self.config.source_pdfs:  # the PDFs the documents link to, as ingest kept them
            for issue in archive.issues:
                pdf = content / "sources" / issue.source
                if issue.source.lower().endswith(".pdf") and pdf.is_file():
                    files.append(File.generated(config, source_path(issue.source), abs_src_path=str(pdf)))

        files_dir = pages_dir.with_name(pages_dir.name + "-files")
        if descriptor is not None and bulk:
            for path in sorted(p for p in package_dir.rglob("*") if p.is_file()):
                rel = path.relative_to(package_dir).as_posix()
                files.append(BuildFile.generated(config, f"{DATA_DIR}/{rel}", abs_src_path=str(path)))
            archives_dir = pages_dir.with_name(pages_dir.name + "-archives")
            self.state["archives"] = start_package_archives(package_dir, archives_dir)
            for rel in (DATA_ZIP, DATA_SQLITE, DATA_XLSX):  # ready by on_env, before MkDocs copies files
                files.append(BuildFile.generated(config, rel, abs_src_path=str(archives_dir / rel)))
        authority = self.config.feed_id_authority
        keys = take_download_keys(files_dir)
        reuse = files_dir if self.config.reuse_pages else None

        def extra(part: tuple[int, int]):
            yield from iter_document_downloads(site, site_url, part, reuse, keys) if downloads else ()
            yield from iter_redirects(site, config.theme.get("favicon", MATERIAL_FAVICON), part)
            if part[0] == 0 and site_url:
                yield FEED_PATH, atom_feed(site, site_url, authority)

        # unchanged files keep their time, so that an incremental build skips them
        for src in sorted(write_pages_in_two(extra, files_dir).paths):
            if src.startswith(DOWNLOAD_KEYS + "/"):  # the build's own bookkeeping, not published
                continue
            files.append(BuildFile.generated(config, src, abs_src_path=str(files_dir / src)))
        if shard:  # what the portal shows of this shard (generator/site/portal.py)
            files.append(File.generated(config, SHARD_SUMMARY, content=shard_summary(archive, shard)))
        self.state["outputs"] = {f.dest_uri for f in files}
        return files

    def _claim_caches(self, config, content: Path) -> Path:
        """The page cache folder and its two siblings (-files, -archives): locked for this build
        until on_post_build, refused when they hold anything a build did not make."""
        pages_dir = self.path(config, "pages")
        roots = [Path(config.config_file_path or "mkdocs.yml").resolve().parent, content.parent]
        protected = protected_folders(roots, content, Path(config.docs_dir), datapackages=True)
        lock = ExitStack()
        try:
            lock.enter_context(locked([pages_dir], "gazette build (page cache)"))
            for folder in (
                pages_dir,
                pages_dir.with_name(pages_dir.name + "-files"),
                pages_dir.with_name(pages_dir.name + "-archives"),
            ):
                claim_cache_dir(folder, protected)
        except OutputError as exc:
            lock.close()
            raise PluginError(f"gazette: {exc}") from None
        self._release_cache_lock()
        self.state["cache_lock"] = lock
        return pages_dir

    def _release_cache_lock(self) -> None:
        lock = self.state.pop("cache_lock", None)
        if lock is not None:
            lock.close()

    def on_nav(self, nav, config, files):
        converted, without_markdown = mkdocs_internals.prerender(config, files, own=self)
        if converted:
            log.info(
                "gazette: %d pages converted to HTML in parallel, %d of them without Python-Markdown",
                converted,
                without_markdown,
            )
            # what the workers sent back is freed already (no cycles): a collection of the build's
            # heap here found 10 objects in 1.2 s at 10,000 documents; the heap is handed back
            release_memory(collect=False)
        self.state["nav"] = nav  # for the theme's second process (on_env)
        return nav

    def on_post_build(self, config) -> None:
        """Remove what an earlier build left and this one did not make (a dirty build starts from
        the previous site), then write the Pagefind search index into ``site/pagefind/``."""
        self._release_cache_lock()
        theme = self.state.pop("theme", None)
        if theme is not None:
            try:
                theme.finish()  # the pages the second process rendered are written
            except RuntimeError as exc:
                raise PluginError(f"gazette: rendering pages: {exc}") from None
        prune_site(Path(config.site_dir), self.state.pop("outputs", None))
        issues = self.state.pop("search", None)
        self.state.pop("pages", None)
        if issues is not None and self.config.search:
            release_memory(collect=False)  # the heap the pages and the theme let go, before the index's
            try:
                counts = index_site(
                    Path(config.site_dir),
                    issues,
                    rewritten_pages=self.state.pop("rewritten", None),  # None: every page
                )
            except SearchIndexError as exc:
                raise PluginError(f"gazette: {exc}") from None
            log.info(
                "gazette: search index: %s", ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            )

    # Generated pages carry most of their HTML ready-made (text.html_block): Python-Markdown reads
    # only what is around those blocks (the headings), and the blocks go back into its output.

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        if page.file.src_uri not in self.state.get("generated", ()):  # docs/ pages stay Markdown
            return markdown
        markdown, head = take_head(markdown)
        if head is not None:  # for the theme's <head> (text.head_line)
            page.meta[HEAD_META] = head
        nonce = self.state.setdefault("nonce", "gz" + secrets.token_hex(8))
        markdown, blocks = set_aside(markdown, nonce)
        if blocks:
            self.state.setdefault("blocks", {})[page.file.src_uri] = blocks
        return markdown

    def headings_html(self, markdown: str, page, config):
        """What Python-Markdown would make of a generated page's ``markdown`` (as on_page_markdown
        left it), made without it: (HTML, table-of-contents tokens, title), or None where
        text.headings_html declines or the Markdown configuration is not the one it matches."""
        if page.file.src_uri not in self.state.get("generated", ()) or not _plain_markdown_config(config):
            return None
        return headings_html(markdown, self.state["nonce"], config["mdx_configs"]["toc"]["slugify"])

    # Pages wait, rendered, for the build to reach them: kept compressed they take a fifth of the memory.

    def restore_content(self, html: str, page) -> str:
        """``html`` converted from what on_page_markdown left of ``page``, its blocks put back."""
        blocks = self.state.get("blocks", {}).pop(page.file.src_uri, None)
        return put_back(html, blocks, self.state["nonce"]) if blocks else html

    def on_page_content(self, html: str, page, config, files) -> str:
        html = self.restore_content(html, page)
        stored = mkdocs_internals.compressed_as_rendered(page, html)
        if stored is None:
            stored = packed(html)
        self.state.setdefault("pages", {})[page.file.src_uri] = stored
        page.markdown = None
        return ""

    def on_page_context(self, context, page, config, nav):
        stored = self.state.get("pages", {}).pop(page.file.src_uri, None)
        if stored is not None:
            page.content = unpacked(stored)
        return context

    def on_post_page(self, output: str, page, config) -> str:
        # written next; nothing reads them after (a document page's head: about 11 KB of objects,
        # 115 MB at 10,000 documents, which the search index's memory would come on top of)
        page.content = None
        page.meta.pop(HEAD_META, None)
        return output

    def on_serve(self, server, config, builder):
        server.watch(str(self.path(config, "content") / "records"))
        server.watch(str(TEMPLATES_DIR))
        package_dir = self.path(config, "datapackage")
        if package_dir.is_dir():
            server.watch(str(package_dir))
        return server

    def on_build_error(self, error) -> None:
        self._release_cache_lock()
        theme = self.state.pop("theme", None)
        if theme is not None:
            theme.close()
        job = self.state.pop("archives", None)
        if job is not None:
            job.kill()
            job.communicate()

    def on_env(self, env, config, files):
        """Every page is read and rendered to HTML; MkDocs copies files next, the archives among them."""
        env.globals["gazette_lastmod"] = self.state.get("lastmod", {})
        env.globals["gazette_fragment"] = ThemeFragments()  # theme/main.html: tabs, navigation, config
        env.filters["gazette_folder"] = page_folder
        job = self.state.pop("archives", None)
        if job is not None:
            _, err = job.communicate()
            if job.returncode != 0:
                last = (err.strip().splitlines() or ["no message"])[-1]
                raise PluginError(
                    f"gazette: {job.args[4]}: writing the data package's zip and SQLite failed: {last}"
                )
        nav = self.state.pop("nav", None)
        if nav is not None:  # the theme renders pages on both cores from here on
            release_memory(collect=False)  # what reading the pages left (no cycles), before the fork
            theme = mkdocs_internals.ThemeInTwo()
            if theme.start(config, files, nav, env, own=self):
                self.state["theme"] = theme
                for file in files.documentation_pages():  # their <head> is the other process's to show
                    if file.src_uri in theme.uris and file.page is not None:
                        file.page.meta.pop(HEAD_META, None)
        return env


HEAD_META = "gazette_head"  # the page meta the theme's main.html puts in <head> (text.head_line)


class ThemeFragments:
    """``{% call gazette_fragment(name, key) %}…{% endcall %}`` in a theme template: the block
    made once per name and key in a build, then given again. The key is what the block depends
    on: the folder of the page (``page.url | gazette_folder``) for the tabs and navigation of
    pages outside the navigation, whose links, relative to the page, are the same from any page
    of the folder; the base URL for Material's __config script."""

    def __init__(self) -> None:
        self.made: dict[tuple[str, str], str] = {}

    def __call__(self, name: str, key: str, caller) -> str:
        found = self.made.get((name, key))
        if found is None:
            found = self.made[name, key] = caller()
        return found


def page_folder(url: str) -> str:
    """documents/x/ → documents: the folder a page's URL is in (the theme's gazette_folder)."""
    return posixpath.dirname(url.rstrip("/"))


class BuildFile(File):
    """A file the build made in a folder of its own (the downloads cache, the data package, the
    bulk archives), hard-linked into the site instead of copied: 21,000 files at 10,000
    documents. Those folders are only ever written by replacing a file (``write_atomic``, a
    staged folder swapped in), never through it, so the site keeps its bytes. Never used for
    the user's files (docs/, the source PDFs): a tool editing the built site in place would edit
    them too."""

    def copy_file(self, dirty: bool = False) -> None:
        if self.abs_src_path is None:  # content in memory: as MkDocs writes it
            return super().copy_file(dirty)
        if dirty and not self.is_modified():  # still the link (or copy) of the same file
            return
        target = self.abs_dest_path
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:  # a link to the previous site's file (an incremental build) is replaced, not written through
            os.unlink(target)
        except FileNotFoundError:
            pass
        try:
            os.link(self.abs_src_path, target)
        except OSError:  # another device, or no hard links here
            shutil.copyfile(self.abs_src_path, target)


BUILD_OUTPUTS = {
    "404.html",
    "sitemap.xml",
    "sitemap.xml.gz",
    "robots.txt",
}  # written by MkDocs itself, not from files


def prune_site(site_dir: Path, outputs: set[str] | None) -> int:
    """Delete files under ``site_dir`` that are neither in ``outputs`` (dest paths) nor MkDocs'
    own files, nor hidden build files, nor the search index (rebuilt after). Returns the count."""
    if outputs is None:
        return 0
    removed = remove_files_but(
        Path(site_dir),
        lambda rel: rel in outputs or rel in BUILD_OUTPUTS,
        lambda name: name.startswith(".") or name == "pagefind",  # build files and the search index stay
    )
    if removed:
        log.info("gazette: %d files of an earlier build removed", removed)
    return removed


def _package_rows(package_dir: Path, descriptor: dict) -> dict[str, tuple[int, list[list[str]]]]:
    """Per resource: its row count and its header plus first rows, for the data page."""
    out = {}
    for resource in descriptor.get("resources", []):
        name, rel = resource.get("name"), resource.get("path")
        path = package_dir / rel if isinstance(rel, str) else None
        if not isinstance(name, str) or path is None or not path.is_file():
            continue
        with open(path, encoding="utf-8", newline="") as handle:  # the first rows only
            first = list(itertools.islice(csv.reader(handle), SAMPLE_ROWS + 1))
        out[name] = (max(csv_records(path.read_bytes()) - 1, 0), first)
    return out


def _read_descriptor(package_dir: Path) -> dict | None:
    path = package_dir / "datapackage.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PluginError(f"gazette: {path}: not a readable data package ({exc})") from None
    return data if isinstance(data, dict) else None


PACKAGE_KEY = ".package-key"


def start_package_archives(package_dir: Path, out_dir: Path) -> subprocess.Popen | None:
    """Start writing the package's zip and gzipped SQLite into ``out_dir`` in a process of its
    own, on the other core while MkDocs renders; None when they are up to date."""
    key = _package_key(package_dir)
    key_path = out_dir / PACKAGE_KEY
    if (
        key_path.is_file()
        and key_path.read_text() == key
        and all((out_dir / rel).is_file() for rel in (DATA_ZIP, DATA_SQLITE, DATA_XLSX))
    ):
        return None
    key_path.unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    code = (
        "import sys; from generator.data.datapackage import write_package_archives as w; w(*sys.argv[1:]);"
        f"open(sys.argv[2] + '/{PACKAGE_KEY}', 'w').write({key!r})"
    )
    return python_process(code, str(package_dir), str(out_dir), DATA_ZIP, DATA_SQLITE, DATA_XLSX)


def _package_key(package_dir: Path) -> str:
    """Changes when the package or the code that turns it into zip and SQLite changes."""
    digest = hashlib.sha256((package_dir / "datapackage.json").read_bytes())
    for module in ("data/datapackage.py", "data/sqlite_export.py", "site/plugin.py"):
        digest.update((PACKAGE_DIR / module).read_bytes())
    return digest.hexdigest()
