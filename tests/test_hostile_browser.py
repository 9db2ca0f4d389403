"""A hostile source in a real browser: its text shows literally and none of it runs."""

from __future__ import annotations

import pytest

from generator.model.models import DocNumber, Document, Issue, Reference
from generator.model.records import dump_issue
from tests.conftest import screenshot as _screenshot
from tests.conftest import serve as _serve
from tests.test_pages import HOSTILE_BODY, HOSTILE_TITLE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory, site_builder):
    out = tmp_path_factory.mktemp("hostile")
    number = DocNumber("济兖政发〔2021〕9号", "济兖政发", 2021, 9)
    document = Document(
        "jiyanzhengfa-2021-9",
        1,
        "区政府文件",
        HOSTILE_TITLE,
        doc_type="通知",
        doc_number=number,
        issuer="<b onmouseover=alert(10)>发文机关</b>",
        recipients="{{ config }}",
        signed_on="2021-03-26",
        body=HOSTILE_BODY,
        references=[Reference("<script>x</script>", "引用")],
    )
    issue = Issue(
        "370812-2021-9",
        "issue",
        "济宁市兖州区人民政府",
        "370812",
        2021,
        number="9",
        title="公报<script>alert(11)</script>",
        documents=[document],
    )
    (out / "content" / "records").mkdir(parents=True)
    (out / "content" / "records" / "hostile.yml").write_text(dump_issue(issue), encoding="utf-8")
    site = site_builder(out / "content", out)
    yield from _serve(site, tmp_path_factory.mktemp("served-hostile"))


@pytest.mark.parametrize("path", ["documents/jiyanzhengfa-2021-9/", "issues/370812-2021-9/", ""])
def test_hostile_text_is_shown_literally_and_nothing_runs(hostile_url, browser, path):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(hostile_url + path)
    page.wait_for_load_state("load")
    article = page.locator("article").inner_text()
    if path.startswith("documents/"):
        page.get_by_text(
            "<b onmouseover=alert(10)>发文机关</b>", exact=True
        ).first.hover()  # would fire if it were markup
        for literal in (
            "<script>alert(1)</script>",
            "{{ x }}",
            "{% if %}",
            "<img src=x onerror=alert(4)>",
            "[点我](javascript:alert(5))",
            "<b onmouseover=alert(10)>发文机关</b>",
            "{{ config }}",
        ):
            assert literal in article, literal
        _screenshot(page, "hostile-document")
    assert dialogs == []
    assert (
        page.evaluate(
            "document.querySelectorAll('article script, article img[onerror], article [onclick]').length"
        )
        == 0
    )
    page.close()
