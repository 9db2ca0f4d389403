"""Chinese queries typed into the header search box of the built sample site (Pagefind), served
under a sub-path: the right records come first, filters narrow them, no console errors."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot as _screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, sample_url):
    """A fresh page on the sample site's home; fails the test on a console error."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"{exc} {exc.stack}"))
    page.goto(sample_url)
    yield page
    page.close()
    assert errors == []


def search(page, query: str) -> list[dict]:
    """Type ``query`` into the header box; the shown results (title, meta line, excerpt, href)."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.type(query)
    page.wait_for_function("q => document.querySelector('[data-gz-search]').dataset.shown === q", arg=query)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    return page.evaluate("""() => [...document.querySelectorAll('.md-search-result__item')].map(li => ({
        title: li.querySelector('h1').textContent, meta: li.querySelector('.gz-search__meta').innerText,
        excerpt: li.querySelector('.gz-search__excerpt').innerHTML, href: li.querySelector('a').href}))""")


def test_a_person_named_in_the_chronicle_finds_its_entries(page):
    results = search(page, "王骁")
    assert results[0]["title"].startswith("大事记") and "王骁" in results[0]["title"]
    assert "<mark>王骁</mark>" in results[0]["excerpt"]
    assert "/archive/issues/370812-2021-3-4/" in results[0]["href"]
    _screenshot(page, "search-person")


def test_a_term_finds_the_documents_about_it(page):
    results = search(page, "慢性病")
    titles = [r["title"] for r in results]
    assert any("慢性病综合防控示范区" in t for t in titles[:3]), titles
    assert all("<mark>" in r["excerpt"] for r in results)


@pytest.mark.parametrize("query", ["济兖政发〔2021〕5号", "济兖政发[2021]5号"])
def test_a_document_number_finds_that_document_first(page, query):
    first = search(page, query)[0]
    assert first["title"] == "济宁市兖州区人民政府关于废止和宣布失效一批区政府文件的决定"
    assert "济兖政发〔2021〕5号" in first["meta"] and "2021年3月26日" in first["meta"]
    page.locator(".md-search-result__link").first.click()
    page.wait_for_url("**/archive/documents/370812-jiyanzhengfa-2021-5/")
    _screenshot(page, "search-document-number")


def test_part_of_a_long_word_is_found(page):
    # jieba keeps 慢性病 whole; its tail alone is still found
    titles = [r["title"] for r in search(page, "性病综合防控")]
    assert any("慢性病综合防控示范区" in t for t in titles), titles


def test_filtering_by_publisher_keeps_only_its_records(page):
    everyone = search(page, "健康")
    assert len({r["meta"] for r in everyone}) > 1
    assert not page.locator("select[name=publisher]").count()  # filter files load on request
    page.click(".gz-search__filter-toggle")
    page.select_option("select[name=publisher]", "济南市济阳区人民政府")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.gz-search__meta')].length > 0 && "
        "[...document.querySelectorAll('.gz-search__meta')].every(m => m.innerText.includes('济南市济阳区人民政府'))"
    )
    titles = [t for t in page.locator(".md-search-result__article h1").all_inner_texts()]
    assert titles and any("济阳" in t for t in titles)
    _screenshot(page, "search-filter-publisher")


def test_escape_closes_the_search(page):
    search(page, "农田水利")
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()


def _all_results(page) -> list[dict]:
    """Every result of the current query: "显示更多结果" clicked until it is gone."""
    more = page.locator(".gz-search__more")
    while more.is_visible():
        shown = page.locator(".md-search-result__item").count()
        more.click()
        page.wait_for_function(
            "n => document.querySelectorAll('.md-search-result__item').length > n"
            " || document.querySelector('.gz-search__more').hidden",
            arg=shown,
        )
    return page.evaluate("""() => [...document.querySelectorAll('.md-search-result__item')].map(li => ({
        title: li.querySelector('h1').textContent,
        excerpt: li.querySelector('.gz-search__excerpt').textContent}))""")


def test_a_phrase_finds_only_the_records_that_contain_it_and_counts_them(page):
    # 23 records contain 优化, 营商 and 环境 somewhere; 5 contain the phrase (issue 16)
    search(page, "优化营商环境")
    results = _all_results(page)
    assert all("优化营商环境" in r["excerpt"] for r in results), results
    assert page.locator(".md-search-result__meta").inner_text() == f"找到 {len(results)} 条结果"
    assert 1 <= len(results) < 10
    _screenshot(page, "search-phrase-exact")


def test_a_document_number_no_document_has_finds_nothing(page):
    box = page.locator("input.md-search__input")
    box.click()
    box.type("济兖政发〔2021〕55号")
    page.wait_for_function(
        "() => document.querySelector('.md-search-result__meta').textContent.includes('没有')"
    )
    assert page.locator(".md-search-result__item").count() == 0


@pytest.mark.parametrize("query", ["济兖政发 （2021） 5号", "济兖政发(2021)5号"])
def test_a_document_number_with_spaces_or_round_brackets_finds_only_documents_citing_it(page, query):
    results = search(page, query)
    assert results[0]["title"] == "济宁市兖州区人民政府关于废止和宣布失效一批区政府文件的决定"
    assert all(
        "济兖政发〔2021〕5号" in r["excerpt"].replace("<mark>", "").replace("</mark>", "") for r in results
    )


def test_without_javascript_the_header_points_to_the_browse_pages(browser, sample_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(sample_url)
    pointer = page.locator(".gz-search__noscript")
    assert pointer.is_visible()
    assert "搜索需要启用 JavaScript" in pointer.inner_text()
    pointer.get_by_role("link", name="期刊").click()
    page.wait_for_url("**/archive/issues/")
    assert page.locator("h1").first.inner_text().startswith("期刊")
    context.close()


@pytest.fixture(scope="module")
def literal_url(tmp_path_factory, site_builder):
    """A site whose one document has a section written with literal entities."""
    from generator.model.models import DocNumber, Document, Issue
    from generator.model.records import dump_issue
    from tests.conftest import serve

    out = tmp_path_factory.mktemp("literal-filters")
    number = DocNumber("济兖政发〔2021〕9号", "济兖政发", 2021, 9)
    document = Document(
        "jiyanzhengfa-2021-9",
        1,
        "&lt;b&gt;专栏",
        "关于优化营商环境的通知",
        doc_type="通知",
        doc_number=number,
        signed_on="2021-03-26",
        body="为进一步优化营商环境，现就有关事项通知如下。",
    )
    issue = Issue(
        "370812-2021-9", "issue", "济宁市兖州区人民政府", "370812", 2021, number="9", documents=[document]
    )
    (out / "content" / "records").mkdir(parents=True)
    (out / "content" / "records" / "literal.yml").write_text(dump_issue(issue), encoding="utf-8")
    site = site_builder(out / "content", out)
    yield from serve(site, tmp_path_factory.mktemp("served-literal"))


def test_filter_values_show_as_written_and_still_filter(browser, literal_url):
    page = browser.new_page()
    page.goto(literal_url)
    search(page, "营商环境")
    page.click(".gz-search__filter-toggle")
    section = page.locator("select[name=section]")
    section.wait_for()
    options = section.locator("option").all_inner_texts()
    assert "&lt;b&gt;专栏（1）" in options, options
    assert "<b>专栏（1）" not in options
    page.select_option("select[name=section]", "&lt;b&gt;专栏")
    page.wait_for_function(
        "() => document.querySelector('.md-search-result__meta').textContent.includes('找到 1 条')"
    )
    assert page.locator(".md-search-result__article h1").all_inner_texts() == ["关于优化营商环境的通知"]
    page.close()
