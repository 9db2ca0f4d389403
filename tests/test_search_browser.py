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
    page.wait_for_function(
        "q => document.querySelector('.md-search-result__meta').textContent.match(/找到|没有/)"
        " && document.querySelector('.md-search__input').value === q",
        arg=query,
    )
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
