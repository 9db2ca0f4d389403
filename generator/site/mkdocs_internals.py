"""Every use of MkDocs' internals, in one place: pinned to MkDocs 1.6 (MkDocs 1.x is frozen; 2.0
drops plugins), checked by ``check_version`` and by tests/test_mkdocs_internals.py, which
fail loudly on any other version. Each is here because no public API does the job:

- ``prerender``: Markdown → HTML on every core. MkDocs converts pages one after another, and
  conversion is most of a build (about 60 % at 10,000 documents). Before MkDocs starts (its
  ``on_nav`` event), the pages MkDocs is about to convert are converted in forked worker
  processes, each calling MkDocs' own ``Page.read_source`` and ``Page.render``; MkDocs then
  finds each page already converted, because ``_adopt`` replaces those two methods on the page
  and sets ``Page._title_from_render``. Messages the workers log (a broken link, say) are
  logged again in the build, where ``--strict`` counts them. Used only where it is safe and
  pays: a fork start method, no other threads in the process (``mkdocs serve`` has some), no
  plugin that reads or changes page sources (but ``own``, the calling plugin, whose
  ``on_page_markdown`` and ``restore_content`` the workers call around each conversion), and
  at least MIN_PAGES pages to convert. For a page ``own.headings_html`` can make (a generated
  page of headings around HTML set aside: most document pages), the worker sets what
  ``Page.render`` would (``content``, ``toc`` by MkDocs' ``get_toc``, ``_title_from_render``,
  ``present_anchor_ids``, ``links_to_anchors``) without running Python-Markdown: 0.1 ms a
  page instead of about 2. The worker's compressed HTML is handed on as it is
  (``compressed_as_rendered``) to the plugin, which keeps pages compressed until the theme.
- ``ThemeInTwo``: pages through the theme on both cores. MkDocs renders pages into the theme
  one after another (``mkdocs.commands.build._build_page``, called from its build loop). Once
  every page is read and converted (its ``on_env`` event), a forked process renders every
  other page MkDocs is about to render, calling that same ``_build_page``; while it runs,
  ``_build_page`` is wrapped so that MkDocs skips those pages. The forked process sends back
  what it logged (logged again here, where ``--strict`` counts it) and its error, if any;
  ``finish`` waits for it before ``on_post_build``, which reads the pages it wrote.
- ``writes_replace_links``: an incremental build starts from hard links to the previous site;
  MkDocs writes files in place (``mkdocs.utils.write_file``, ``copy_file``,
  ``File.copy_file``), which would write through a link into the previous site. These three
  are wrapped to unlink first.
- ``quiet_dirty_warning``: MkDocs warns that a dirty build may leave navigation stale, which
  strict mode counts as an error; ours is safe (the navigation lives in mkdocs.yml, covered by
  the build stamp), so that one message is filtered out by its text.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from markdown.extensions.toc import nest_toc_tokens
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator.parallel import frozen_for_fork, packed, unpacked

TESTED_MKDOCS = "1.6."  # the internals below are those of this release line


class MkDocsVersionError(RuntimeError):
    pass


def check_version() -> None:
    """Refuse to touch internals of an MkDocs release they were not written for."""
    from importlib.metadata import version

    found = version("mkdocs")
    if not found.startswith(TESTED_MKDOCS):
        raise MkDocsVersionError(
            f"mkdocs {found}: generator/site/mkdocs_internals.py was written for "
            f"{TESTED_MKDOCS}x; install mkdocs {TESTED_MKDOCS}x (pyproject pins it)"
        )


MIN_PAGES = 200
CHUNK = 64  # pages per task: small enough to keep both workers busy to the end
PAGE_EVENTS = ("page_read_source", "page_markdown")  # a plugin on these must see every page itself
THEME_EVENTS = ("env", "page_context", "post_page", "post_build")  # … and on these, for ThemeInTwo

_state: dict = {}  # what the forked workers inherit: config and files


def prerender(config, files, own=None) -> tuple[int, int]:
    """Convert, in parallel, every documentation page MkDocs would convert; returns how many, and
    how many of them were made without Python-Markdown (``own.headings_html``).

    ``own``: the plugin calling, whose ``on_page_markdown`` the workers run before converting a
    page, and whose ``restore_content(html, page)`` after (MkDocs then runs both again on the
    converted page: they must leave it as it is)."""
    check_version()
    _as_rendered.clear()  # what an earlier build (mkdocs serve) left
    pages = [f for f in files.documentation_pages() if f.is_modified()]
    workers = min(os.cpu_count() or 1, 4)
    others = [
        handler
        for event in PAGE_EVENTS
        for handler in config.plugins.events.get(event, [])
        if own is None or getattr(handler, "__self__", None) is not own
    ]
    if (
        len(pages) < MIN_PAGES
        or workers < 2
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
        or others
    ):
        return 0, 0
    for file in pages:
        if file.page is None:  # as MkDocs makes them for pages outside the navigation
            Page(None, file, config)
    _state.update(config=config, files=files, own=own)
    uris = [f.src_uri for f in pages]
    chunks = [uris[i : i + CHUNK] for i in range(0, len(uris), CHUNK)]
    without_markdown = 0
    try:
        with (
            frozen_for_fork(),
            ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool,
        ):
            for results, messages, made in pool.map(_render_chunk, chunks):
                without_markdown += made
                for name, level, message in messages:
                    logging.getLogger(name).log(level, message)
                for uri, result in results:
                    _adopt(files.get_file_from_path(uri).page, result, files)
    finally:
        _state.clear()
    return len(pages), without_markdown


def _render_chunk(uris: list[str]) -> tuple[list, list, int]:
    config, files, own = _state["config"], _state["files"], _state["own"]
    messages: list[tuple[str, int, str]] = []
    logger = logging.getLogger("mkdocs")  # in this forked worker, its messages go to the build
    logger.handlers, logger.propagate = [_Collect(messages)], False
    results = []
    without_markdown = 0
    for uri in uris:
        page = files.get_file_from_path(uri).page
        page.read_source(config)
        made = None
        if own is not None:
            page.markdown = own.on_page_markdown(page.markdown, page=page, config=config, files=files)
            made = own.headings_html(page.markdown, page, config)
        if made is None:
            page.render(config, files)
        else:  # what Page.render would set, made without Python-Markdown
            without_markdown += 1
            page.content, tokens, page._title_from_render = made
            page.present_anchor_ids = {token["id"] for token in tokens}
            page.toc, page.links_to_anchors = get_toc(nest_toc_tokens(tokens)), {}
        if own is not None:
            page.content = own.restore_content(page.content, page)
        links = {f.src_uri: found for f, found in (page.links_to_anchors or {}).items()}
        results.append(
            (
                uri,
                (
                    page.meta,
                    packed(page.content),
                    page.toc,
                    page._title_from_render,
                    page.present_anchor_ids,
                    links,
                ),
            )
        )
        page.markdown = page.content = None  # sent: this worker's memory stays that of one chunk
    return results, messages, without_markdown


class _Collect(logging.Handler):
    def __init__(self, out: list):
        super().__init__(logging.INFO)
        self.out = out

    def emit(self, record: logging.LogRecord) -> None:
        self.out.append((record.name, record.levelno, record.getMessage()))


def _adopt(page: Page, result: tuple, files) -> None:
    """Make MkDocs' own read and render calls on ``page`` install the worker's result."""
    meta, content, toc, title, anchors, links = result

    def read_source(config) -> None:
        page.markdown, page.meta = "", meta

    def render(config, files_now) -> None:
        page.content = unpacked(content)
        _as_rendered[page.file.src_uri] = (page.content, content)
        page.toc, page._title_from_render, page.present_anchor_ids = toc, title, anchors
        page.links_to_anchors = {files.get_file_from_path(uri): found for uri, found in links.items()}
        del page.read_source, page.render  # Page's own methods again; the result is not held twice

    page.read_source, page.render = read_source, render


_as_rendered: dict[str, tuple[str, bytes]] = {}  # src_uri → the HTML a worker made, and compressed


def compressed_as_rendered(page: Page, html: str) -> bytes | None:
    """The worker's compressed bytes of ``page``'s HTML when ``html`` is still that HTML (the
    plugin keeps pages compressed until the theme needs them: not compressed twice)."""
    made, compressed = _as_rendered.pop(page.file.src_uri, (None, None))
    return compressed if made is html else None


class ThemeInTwo:
    """Every other page MkDocs will render through the theme, rendered by a forked process."""

    def __init__(self) -> None:
        self.process = None
        self.pipe = None
        self.uris: set[str] = set()
        self.original = None

    def start(self, config, files, nav, env, own=None) -> int:
        """Fork the process that renders half the pages; returns how many it renders. Not when
        another plugin than ``own`` (the calling one) handles the events of that rendering: what
        it keeps of each page would be kept in the forked process only."""
        from mkdocs.commands import build
        from mkdocs.structure.files import InclusionLevel

        from generator.parallel import can_fork

        check_version()
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        todo = [f for f in doc_files if f.page is not None and f.is_modified()]
        others = [
            handler
            for event in THEME_EVENTS
            for handler in config.plugins.events.get(event, [])
            if own is None or getattr(handler, "__self__", None) is not own
        ]
        if len(todo) < MIN_PAGES or others or not can_fork():
            return 0
        env.get_template("main.html")  # compiled once, before the fork, for both processes
        theirs = todo[1::2]
        receive, send = multiprocessing.Pipe(duplex=False)
        build_page = build._build_page

        def render() -> None:
            messages: list[tuple[str, int, str]] = []
            logger = logging.getLogger("mkdocs")
            logger.handlers, logger.propagate = [_Collect(messages)], False
            error = None
            try:
                for file in theirs:
                    build_page(file.page, config, doc_files, nav, env, False, file.inclusion.is_excluded())
            except Exception as exc:  # logged by _build_page, with the page; sent with the messages
                error = f"{type(exc).__name__}: {exc}"
            send.send((messages, error))
            send.close()

        self.process = multiprocessing.get_context("fork").Process(target=render, daemon=True)
        with frozen_for_fork():
            self.process.start()
        send.close()
        self.pipe = receive
        self.uris = {f.src_uri for f in theirs}
        self.original = build_page

        def skip_theirs(page, *args, **kwargs):
            if page.file.src_uri in self.uris:
                return None
            return build_page(page, *args, **kwargs)

        build._build_page = skip_theirs
        return len(theirs)

    def finish(self) -> None:
        """Wait for the forked process; log what it logged; raise its error (RuntimeError)."""
        if self.process is None:
            return
        try:
            try:
                messages, error = self.pipe.recv()
            except EOFError:
                messages, error = [], f"the process rendering pages ended (exit code {self.process.exitcode})"
            for name, level, message in messages:
                logging.getLogger(name).log(level, message)
            if error:
                raise RuntimeError(error)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the forked process (a failed build) and put ``_build_page`` back."""
        from mkdocs.commands import build

        if self.original is not None:
            build._build_page = self.original
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.pipe.close()
        self.process = self.pipe = self.original = None
        self.uris = set()


@contextmanager
def writes_replace_links() -> Iterator[None]:
    """MkDocs writes files in place; unlink first, so a hard link to the previous site is
    replaced and the previous site's file is left as it was."""
    check_version()
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
def quiet_dirty_warning() -> Iterator[None]:
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
