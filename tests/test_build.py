"""Builds are reproducible and atomic: same records → same bytes; a failed build leaves the old site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import is_redirect

ROOT = Path(__file__).resolve().parent.parent


def tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def build(out: Path, *extra: str):
    return CliRunner().invoke(
        cli,
        [
            "build",
            "--content",
            str(ROOT / "content"),
            "--site",
            str(out / "site"),
            "--datapackage",
            str(out / "datapackage"),
            *extra,
        ],
        catch_exceptions=False,
    )


@pytest.fixture(scope="module")
def epoch_builds(tmp_path_factory):
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
        assert build(first).exit_code == 0
        assert build(second).exit_code == 0
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH")
    return first, second


def test_two_builds_of_the_same_records_are_byte_identical(epoch_builds):
    first, second = epoch_builds
    a, b = tree(first / "site"), tree(second / "site")
    assert len(a) > 50
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    assert tree(first / "datapackage") == tree(second / "datapackage")


def test_the_sitemap_dates_pages_by_their_records_not_by_the_build(epoch_builds):
    import gzip

    first, _ = epoch_builds
    sitemap = gzip.decompress((first / "site" / "sitemap.xml.gz").read_bytes()).decode()
    assert "2023-11-14" not in sitemap  # SOURCE_DATE_EPOCH 1700000000, the build's date
    assert "<lastmod>2021-" in sitemap  # the fixture records' issues appeared in 2021


def test_failed_build_leaves_the_previous_site_and_no_debris(epoch_builds, tmp_path: Path):
    first, _ = epoch_builds
    before = tree(first / "site")
    bad_config = tmp_path / "mkdocs.yml"
    bad_config.write_text(
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("name: material", "name: no-such-theme"),
        encoding="utf-8",
    )
    result = build(first, "--config", str(bad_config))
    assert result.exit_code != 0
    assert str(bad_config) in result.output
    assert tree(first / "site") == before
    assert [p.name for p in first.iterdir() if p.name.startswith(".")] == []


def test_a_rebuild_after_a_new_issue_renders_only_what_changed_and_matches_a_full_build(tmp_path: Path):
    import shutil

    from generator.build import build_site

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache"))
    new_issue = content / "records" / "370811-2024-2.yml"
    held_back = tmp_path / new_issue.name
    new_issue.rename(held_back)
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:

        def build_into(out: Path, full: bool = False) -> bool:
            return build_site(
                content,
                out / "site",
                out / "datapackage",
                ROOT / "mkdocs.yml",
                pages_dir=out / "pages",
                full=full,
            )

        assert build_into(tmp_path / "a") is False  # nothing to start from
        site = tmp_path / "a" / "site"
        issues_index = site / "issues" / "index.html"
        old_issues_index = issues_index.read_bytes()
        os.link(issues_index, tmp_path / "old-issues-index.html")  # what a reader of the old site holds
        document_page = next((site / "documents").glob("*/index.html"))
        mtime_before = document_page.stat().st_mtime_ns
        document_json = document_page.parent.with_suffix(".json")
        json_mtime_before = document_json.stat().st_mtime_ns

        held_back.rename(new_issue)
        assert build_into(tmp_path / "a") is True
        assert build_into(tmp_path / "b", full=True) is False
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH")

    incremental, full = tree(site), tree(tmp_path / "b" / "site")
    assert sorted(incremental) == sorted(full)
    assert [name for name in full if incremental[name] != full[name]] == []
    assert "370811-2024-2" in issues_index.read_text(encoding="utf-8")
    assert "370811-2024-2" not in old_issues_index.decode("utf-8")
    assert (tmp_path / "old-issues-index.html").read_bytes() == old_issues_index  # replaced, not overwritten
    assert document_page.stat().st_mtime_ns == mtime_before  # an unchanged page was not rendered again
    assert document_json.stat().st_mtime_ns == json_mtime_before  # nor its JSON
    assert not [name for name in incremental if ".gazette-keys" in name]  # bookkeeping is not published


def test_a_third_build_starts_from_the_site_the_second_replaced_and_matches_a_full_build(tmp_path: Path):
    import shutil

    from generator.build import build_site

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache"))
    new_issue = content / "records" / "370811-2024-2.yml"
    held_back = tmp_path / new_issue.name
    site = tmp_path / "a" / "site"
    previous = tmp_path / "a" / ".site.previous"

    def build_into(out: Path, full: bool = False) -> bool:
        return build_site(content, out / "site", out / "datapackage", ROOT / "mkdocs.yml", full=full)

    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        assert build_into(tmp_path / "a") is False
        assert not previous.exists()  # nothing was replaced
        new_issue.rename(held_back)
        assert build_into(tmp_path / "a") is True  # the first site, linked file by file
        first_issue_page = previous / "issues" / "370811-2024-2" / "index.html"
        assert first_issue_page.is_file()  # the first site, kept beside the second
        (tmp_path / "reader").mkdir()
        os.link(site / "issues" / "index.html", tmp_path / "reader" / "issues.html")
        second_index = (site / "issues" / "index.html").read_bytes()

        held_back.rename(new_issue)
        assert build_into(tmp_path / "a") is True  # the first site, brought in line with the second
        assert build_into(tmp_path / "b", full=True) is False
        third, full = tree(site), tree(tmp_path / "b" / "site")
        assert sorted(third) == sorted(full)
        assert [name for name in full if third[name] != full[name]] == []
        assert (tmp_path / "reader" / "issues.html").read_bytes() == second_index  # replaced, not overwritten
        assert not (previous / "issues" / "370811-2024-2").exists()  # the second site is kept now
        assert (previous / "issues" / "index.html").read_bytes() == second_index

        assert build_into(tmp_path / "a", full=True) is False
        assert not previous.exists()  # a full build's site shares nothing with the old one:
        assert [p.name for p in (tmp_path / "a").glob(".site.old-*")]  # kept until the next build,
        assert tree(site) == full
        assert build_into(tmp_path / "a") is True  # which deletes it while it works
        assert not list((tmp_path / "a").glob(".site.old-*")) and previous.is_dir()
        assert tree(site) == full
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH")


def test_sync_tree_makes_a_copy_the_same_as_linking_every_file(tmp_path: Path):
    from generator.build import link_tree, sync_tree

    source, copy, linked = tmp_path / "source", tmp_path / "copy", tmp_path / "linked"
    for rel, text in {"a.html": "a", "d/b.html": "b", "d/e/c.html": "c", "keep.json": "k", "x": "x"}.items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(text)
    link_tree(source, copy, skip=set())
    (copy / "x").unlink()  # a folder where the source has a file
    (copy / "x").mkdir()
    (copy / "x" / "inside").write_text("was a folder")
    (copy / "old.html").write_text("gone")  # a file and a folder the source does not have
    (copy / "d" / "gone").mkdir()
    (copy / "d" / "gone" / "f.html").write_text("gone")
    (copy / "a.html").unlink()
    (copy / "a.html").write_text("an older a")  # another file, not a link to the source's
    (source / "d" / "new.html").write_text("new")
    (copy / "keep.json").write_text("skipped names are removed")
    kept_inode = (copy / "d" / "b.html").stat().st_ino

    sync_tree(source, copy, skip={"keep.json"})
    link_tree(source, linked, skip={"keep.json"})

    def listing(folder: Path) -> dict[str, int]:
        return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in sorted(folder.rglob("*"))}

    assert listing(copy).keys() == listing(linked).keys()
    assert {k: v for k, v in listing(copy).items() if (copy / k).is_file()} == {
        k: v for k, v in listing(linked).items() if (linked / k).is_file()
    }
    assert (copy / "d" / "b.html").stat().st_ino == kept_inode  # the same file: left alone
    assert (copy / "a.html").read_text() == "a"


def test_a_rebuild_drops_the_pages_of_a_removed_issue(tmp_path: Path):
    import shutil

    from generator.build import build_site

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache"))
    build_site(
        content,
        tmp_path / "site",
        tmp_path / "datapackage",
        ROOT / "mkdocs.yml",
        pages_dir=tmp_path / "pages",
        search=False,
    )
    issue_pages = {
        p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site" / "issues").rglob("*.html")
    }
    (content / "records" / "370811-2024-2.yml").unlink()
    assert (
        build_site(
            content,
            tmp_path / "site",
            tmp_path / "datapackage",
            ROOT / "mkdocs.yml",
            pages_dir=tmp_path / "pages",
            search=False,
        )
        is True
    )
    left = {
        p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site" / "issues").rglob("*.html")
    }
    assert left and left < issue_pages
    assert not any("370811-2024-2" in name for name in left)


def test_an_archive_can_leave_out_the_per_document_downloads(tmp_path: Path, monkeypatch):
    """At 10,000 documents the JSON and Markdown copies are 450 MB of a 1 GB Pages site."""
    from generator.build import build_site

    build_site(
        ROOT / "content",
        tmp_path / "site",
        tmp_path / "datapackage",
        _config_with(tmp_path, downloads=False),
        pages_dir=tmp_path / "pages",
        search=False,
    )  # strict: no link to a missing download
    documents = tmp_path / "site" / "documents"
    pages = [p for p in documents.glob("*/index.html") if not is_redirect(p)]
    assert len(pages) > 30
    assert [p.name for p in documents.iterdir() if p.is_file()] == []
    assert all(
        "下载" not in p.read_text(encoding="utf-8").split('class="gz-meta"')[1].split("</div>")[0]
        for p in pages
    )


def test_the_bulk_downloads_are_published_beside_the_site_by_default(tmp_path: Path):
    """The package's CSV files, zip, SQLite and workbook weigh about 30 KB a document: by default they are
    release assets, not files of the site (issue 15: ≤ 100 KB a document)."""
    from generator.build import BuildError, build_site, write_bulk_downloads

    build_site(
        ROOT / "content",
        tmp_path / "site",
        tmp_path / "datapackage",
        _config_with(tmp_path),
        pages_dir=tmp_path / "pages",
        search=False,
    )  # strict: no link to a file the site does not hold
    site = tmp_path / "site"
    assert not (site / "data").exists()
    data_page = (site / "download" / "index.html").read_text(encoding="utf-8")
    assert "数据包不随本站发布" in data_page and "gazette datapackage --archives" in data_page
    assert "gazette.zip" not in data_page.split("数据包不随本站发布")[0]

    written = write_bulk_downloads(tmp_path / "datapackage", tmp_path / "release")
    assert [p.name for p in written] == ["gazette.zip", "gazette.sqlite.gz", "gazette.xlsx"]
    assert all(p.stat().st_size > 1000 for p in written)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match="notes.txt"):
        write_bulk_downloads(tmp_path / "datapackage", tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text(encoding="utf-8") == "mine"


def _config_with(tmp_path: Path, docs_dir: Path | None = None, downloads: bool = True) -> Path:
    """mkdocs.yml with absolute paths, so that it works from ``tmp_path``."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("docs_dir: docs", f"docs_dir: {docs_dir or ROOT / 'docs'}")
    if not downloads:
        config = config.replace("# document_downloads: false", "document_downloads: false")
    path = tmp_path / "mkdocs.yml"
    path.write_text(config, encoding="utf-8")
    return path


_BOTH_CORES = """
import json, sys
from pathlib import Path
from generator import build
from generator.site import mkdocs_internals

root, out = Path(sys.argv[1]), Path(sys.argv[2])
converted = []
prerender = mkdocs_internals.prerender
mkdocs_internals.prerender = lambda *a, **k: converted.append(prerender(*a, **k)) or converted[-1]
themed = []
start = mkdocs_internals.ThemeInTwo.start
mkdocs_internals.ThemeInTwo.start = lambda *a, **k: themed.append(start(*a, **k)) or themed[-1]
from generator.site import plugin
made_once = plugin.ThemeFragments.__call__
for name, min_pages in (("alone", mkdocs_internals.MIN_PAGES), ("parallel", 1), ("unshared", 1)):
    mkdocs_internals.MIN_PAGES = min_pages
    # "unshared": theme fragments made for every page, as Material makes them
    plugin.ThemeFragments.__call__ = (lambda self, *a, caller: caller()) if name == "unshared" else made_once
    build.build_site(root / "content", out / name / "site", out / name / "datapackage", root / "mkdocs.yml",
                     pages_dir=out / name / "pages", search=False)
print(json.dumps([converted, themed]))
"""


def test_pages_converted_and_rendered_on_both_cores_are_the_pages_mkdocs_makes_alone(tmp_path: Path):
    # in a process of its own: the workers fork only when no other thread runs, and a test
    # session has some (the browser tests' Playwright)
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _BOTH_CORES, str(ROOT), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    converted, themed = json.loads(result.stdout.strip().splitlines()[-1])
    assert (
        converted[0] == [0, 0] and themed[0] == 0
    )  # fewer than MIN_PAGES: MkDocs converts and renders alone
    pages, without_markdown = converted[-1]
    assert pages > 50  # converted in the forked workers
    assert without_markdown >= 35  # document pages of headings around HTML: text.headings_html
    assert themed[-1] > 25  # half the pages rendered into the theme by a forked process
    alone, parallel = tree(tmp_path / "alone" / "site"), tree(tmp_path / "parallel" / "site")
    assert sorted(parallel) == sorted(alone)
    assert [name for name in alone if parallel[name] != alone[name]] == []
    unshared = tree(tmp_path / "unshared" / "site")  # tabs and navigation made once (ThemeFragments)
    assert sorted(unshared) == sorted(alone)
    assert [name for name in alone if unshared[name] != alone[name]] == []


def test_a_broken_link_found_in_a_worker_still_fails_a_strict_build(tmp_path: Path, monkeypatch):
    import shutil

    from generator import build
    from generator.site import mkdocs_internals

    monkeypatch.setattr(mkdocs_internals, "MIN_PAGES", 1)
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "broken.md").write_text("# 坏链接\n\n[不存在的页面](no-such-page.md)\n", encoding="utf-8")
    with pytest.raises(build.BuildError, match="warning"):
        build.build_site(
            ROOT / "content",
            tmp_path / "site",
            tmp_path / "datapackage",
            _config_with(tmp_path, docs),
            pages_dir=tmp_path / "pages",
            search=False,
        )
    assert not (tmp_path / "site").exists()


def test_engineering_notes_are_not_published(epoch_builds):
    first, _ = epoch_builds
    site = first / "site"
    assert (site / "about" / "index.html").is_file()
    for note in (ROOT / "docs" / "project").glob("*.md"):
        assert not (site / "project" / note.stem).exists(), note.name
    assert "robustness" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_the_data_page_links_the_release_assets_the_workflow_names(tmp_path: Path, monkeypatch):
    """The Pages workflow publishes the bulk downloads as the assets of the release "data" and
    gives their address in BULK_DOWNLOADS_URL; the data page links each of them there."""
    from generator.build import BULK_FILES, build_site

    monkeypatch.setenv("BULK_DOWNLOADS_URL", "https://github.com/o/r/releases/download/data/")
    build_site(
        ROOT / "content",
        tmp_path / "site",
        tmp_path / "datapackage",
        _config_with(tmp_path),
        pages_dir=tmp_path / "pages",
        search=False,
    )
    page = (tmp_path / "site" / "download" / "index.html").read_text(encoding="utf-8")
    for name in BULK_FILES:
        assert f'href="https://github.com/o/r/releases/download/data/{name}"' in page, name
    assert "数据包不随本站发布" not in page


def test_a_robots_txt_of_the_archives_own_is_published_as_written(tmp_path: Path):
    import shutil

    from generator.build import build_site

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("project"))
    (docs / "robots.txt").write_text("User-agent: *\nDisallow: /people/\n", encoding="utf-8")
    build_site(
        ROOT / "content",
        tmp_path / "site",
        tmp_path / "datapackage",
        _config_with(tmp_path, docs_dir=docs),
        pages_dir=tmp_path / "pages",
        search=False,
    )
    assert (tmp_path / "site" / "robots.txt").read_text(
        encoding="utf-8"
    ) == "User-agent: *\nDisallow: /people/\n"


def test_the_build_links_the_files_it_made_into_the_site_and_copies_the_rest(fixture_site: Path):
    """Downloads, package files and bulk archives come from the build's own folders, which are
    only ever replaced file by file: the site holds hard links to them (plugin.BuildFile). A
    file of the project or the theme is copied, so that nothing editing the site can reach it."""
    out = fixture_site.parent
    document_json = next(iter(sorted((fixture_site / "documents").glob("*.json"))))
    linked = {
        document_json: out / "pages-files" / "documents" / document_json.name,
        fixture_site / "data" / "gazette" / "documents.csv": out / "datapackage" / "documents.csv",
    }
    for in_site, made in linked.items():
        assert in_site.read_bytes() == made.read_bytes()
        assert in_site.stat().st_ino == made.stat().st_ino, in_site
    copied = fixture_site / "assets" / "stylesheets" / "gazette.css"
    assert copied.stat().st_nlink == 1


def test_without_hard_links_the_staging_folder_is_left_for_a_full_build(tmp_path: Path, monkeypatch):
    """On a file system without hard links, preparing the staging folder says so (the build
    then renders everything) instead of failing or copying half a site."""
    import errno

    from generator import build

    site, staging = tmp_path / "site", tmp_path / ".site.build-x"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text("a")
    staging.mkdir()

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(build.os, "link", no_links)
    assert build.prepare_staging(str(site), str(staging)) == build.NO_LINKS
    monkeypatch.undo()
    assert build.prepare_staging(str(site), str(staging)) == 0
    assert (staging / "a" / "index.html").stat().st_ino == (site / "a" / "index.html").stat().st_ino


def test_an_edit_to_the_archives_own_theme_renders_every_page_again(tmp_path: Path):
    """A custom_dir's template shapes every page: after an edit, the next build is a full one and
    shows the edit on pages it would otherwise have kept."""
    import shutil

    from generator.build import build_site

    theme = tmp_path / "overrides"
    theme.mkdir()
    (theme / "main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}通知一{% endblock %}\n', encoding="utf-8"
    )
    config = _config_with(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "  name: material\n", f"  name: material\n  custom_dir: {theme}\n"
    )
    config.write_text(text, encoding="utf-8")
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache"))

    def build() -> bool:
        return build_site(
            content,
            tmp_path / "site",
            tmp_path / "datapackage",
            config,
            pages_dir=tmp_path / "pages",
            search=False,
        )

    page = tmp_path / "site" / "documents" / "370812-jiyanzhengfa-2021-5" / "index.html"
    assert build() is False
    assert build() is True  # nothing changed: incremental
    assert "通知一" in page.read_text(encoding="utf-8")
    (theme / "main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}通知二{% endblock %}\n', encoding="utf-8"
    )
    assert build() is False  # the theme changed: every page again
    assert "通知二" in page.read_text(encoding="utf-8") and "通知一" not in page.read_text(encoding="utf-8")
