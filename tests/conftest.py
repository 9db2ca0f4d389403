"""Shared fixtures: the hand-made records in tests/fixtures/records and a site built from them once."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def build_site(content: Path, out: Path, with_datapackage: bool = True) -> Path:
    """A strict build of the records under ``content`` into ``out/site``, as `gazette build` does it."""
    from generator.build import build_site as gazette_build

    site, package = out / "site", out / "datapackage"
    if with_datapackage:
        gazette_build(
            content,
            site,
            package,
            config_file=ROOT / "mkdocs.yml",
            pages_dir=out / "pages",
            bulk_downloads=True,  # the package's files, zip and SQLite in the site, to test them there
        )
        return site
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.site.plugin import configure

    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=True)
    configure(
        config, content=content.resolve(), datapackage=package.resolve(), pages=(out / "pages").resolve()
    )
    build(config)
    return site


@pytest.fixture(scope="session")
def site_builder():
    """``build_site(content, out, with_datapackage=True) -> site dir``, for tests that need their own records."""
    return build_site


@pytest.fixture(scope="session")
def fixture_archive():
    from generator.model.archive import build_archive
    from generator.model.records import load_records

    return build_archive(load_records(FIXTURES))


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample archive of content/records, built the way the README's main command builds it."""
    return build_site(ROOT / "content", tmp_path_factory.mktemp("sample-build"))


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """The site built (strict) from tests/fixtures/records, with its data package."""
    return build_site(FIXTURES, tmp_path_factory.mktemp("fixture-build"))


# ---------------------------------------------------------------- real browser (Playwright + Debian chromium)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SUB_PATH = "archive"


def _unavailable(reason: str, need: str = "browser tests need Chromium and Playwright"):
    """Skip, or with CI=true fail: CI installs everything the tests need (tests/run)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{need}: {reason}")
    pytest.skip(reason)


def pytest_runtest_setup(item):
    """A test marked ``ocr`` needs the real OCR engine: skipped without it, failed with CI=true."""
    if item.get_closest_marker("ocr") is not None:
        from generator.ingest import ocr

        if not ocr.available():
            _unavailable(
                "rapidocr or onnxruntime is not installed (pip install -e .)", "OCR tests need RapidOCR"
            )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path, root: Path):
    """Serve ``site`` over HTTP at http://127.0.0.1:PORT/archive/ until the generator is closed."""
    shutil.copytree(site, root / SUB_PATH)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{SUB_PATH}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def base_url(fixture_site, tmp_path_factory):
    """The fixture site, served under a sub-path."""
    yield from serve(fixture_site, tmp_path_factory.mktemp("served"))


@pytest.fixture(scope="module")
def sample_url(sample_site, tmp_path_factory):
    """The sample archive (content/records), served under a sub-path."""
    yield from serve(sample_site, tmp_path_factory.mktemp("served-sample"))


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed ({exc})")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh page; fails the test if the site logs a console error or throws."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.close()
    assert errors == []


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot as a test artefact in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def is_redirect(page: Path) -> bool:
    """A page that only sends the reader on (an old URL of a document kept working)."""
    path = page / "index.html" if page.is_dir() else page
    return 'http-equiv="refresh"' in path.read_text(encoding="utf-8")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """An empty archive's content folder holding the sample publisher registry."""
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy(ROOT / "content" / "publishers.yml", folder)
    return folder
