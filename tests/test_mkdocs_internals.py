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


def test_pages_made_without_python_markdown_are_what_python_markdown_makes():
    """text.headings_html stands in for Python-Markdown on generated pages (in prerender's
    workers): the same HTML, table of contents and title, or it declines."""
    import markdown
    from mkdocs.config import load_config

    from generator.site.plugin import _plain_markdown_config
    from generator.site.text import headings_html
    from tests.conftest import ROOT

    config = load_config(config_file=str(ROOT / "mkdocs.yml"))
    assert _plain_markdown_config(config)
    slugify = config["mdx_configs"]["toc"]["slugify"]
    page = (
        "# 关于印发《办法》的通知（2021年）\n\nN1x0x\n\n## 正文\nN1x1x\n\n## 附件\n\n"
        "### 附件1 名单 甲  乙\n\nN1x2x\n\n## 正文\n\n### Ab 12.5% / 3\n\n## Appointments\n\n"
        "## 人事任免 { #appointments }\n\nN1x3x\n"
    )
    html, tokens, title = headings_html(page, "N1", slugify)
    md = markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
    assert html == md.convert(page)
    flat, stack = [], list(md.toc_tokens)
    while stack:
        token = stack.pop(0)
        flat.append({k: v for k, v in token.items() if k != "children"})
        stack[:0] = token["children"]
    assert tokens == flat and [t["id"] for t in tokens][3:5] == ["附件1-名单-甲-乙", "正文_1"]
    assert [t["id"] for t in tokens][-2:] == ["appointments_1", "appointments"]  # an id set by attr_list
    assert title == "关于印发《办法》的通知（2021年）"
    for declined in (
        "# 星号*强调*\n",  # Markdown would read the stars
        "### 附件2 委员会&#40;暨&#41;\n",  # an entity
        "## 正文\n\n一段文字\n",  # a paragraph of its own
        "N1x0x\nN1x1x\n",  # two placeholders Markdown would join into one paragraph
        "#标题\n",
        "## 标题 ##\n",
    ):
        assert headings_html(declined, "N1", slugify) is None, declined


def test_the_themes_navigation_is_materials_own_but_for_its_first_and_last_lines():
    """theme/partials/nav.html wraps a copy of Material's partials/nav.html (to make it once per
    folder of pages): a Material release that changes its navigation fails here, not on a page."""
    from pathlib import Path

    import material

    from generator.site.plugin import THEME_DIR

    theirs = (Path(material.__file__).parent / "templates/partials/nav.html").read_text(encoding="utf-8")
    ours = (THEME_DIR / "partials/nav.html").read_text(encoding="utf-8")
    copied = ours.split("{% macro gazette_nav() %}\n", 1)[1].split("{%- endmacro %}", 1)[0]
    assert copied == theirs.split("-#}\n", 1)[1]
