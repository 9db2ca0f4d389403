"""The MkDocs internals the build relies on (generator/site/mkdocs_internals.py) exist as used, in the
pinned release. A new MkDocs fails here, loudly, before it fails a build in a subtle way."""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest

from generator.site import mkdocs_internals


def test_the_installed_mkdocs_is_the_release_the_internals_were_written_for():
    assert version("mkdocs").startswith(mkdocs_internals.TESTED_MKDOCS)
    mkdocs_internals.check_version()


def test_a_different_mkdocs_is_refused(monkeypatch):
    monkeypatch.setattr(mkdocs_internals, "TESTED_MKDOCS", "9.9.")
    with pytest.raises(
        mkdocs_internals.MkDocsVersionError, match="mkdocs_internals.py was written for 9.9.x"
    ):
        mkdocs_internals.check_version()


def test_the_internals_exist_with_the_signatures_used():
    from mkdocs import utils
    from mkdocs.commands import build
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    assert list(inspect.signature(utils.write_file).parameters) == ["content", "output_path"]
    assert list(inspect.signature(utils.copy_file).parameters) == ["source_path", "output_path"]
    assert list(inspect.signature(File.copy_file).parameters) == ["self", "dirty"]
    assert list(inspect.signature(Page.read_source).parameters) == ["self", "config"]
    assert list(inspect.signature(Page.render).parameters) == ["self", "config", "files"]
    for name in ("_title_from_render", "present_anchor_ids", "links_to_anchors", "toc", "meta"):
        assert name in inspect.getsource(Page), name
    assert list(inspect.signature(build._build_page).parameters) == [
        "page",
        "config",
        "doc_files",
        "nav",
        "env",
        "dirty",
        "excluded",
    ]  # ThemeInTwo calls it and wraps it
    assert "_build_page(" in inspect.getsource(build.build)  # looked up by name, so the wrapper is called
    assert "'dirty' build" in inspect.getsource(build)  # the warning quiet_dirty_warning filters
