"""The built site in a real Chromium, served under a sub-path: metadata card, Chinese search, no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import screenshot as _screenshot

pytestmark = pytest.mark.browser


def test_document_page_shows_metadata_card(page, base_url):
    page.goto(base_url + "documents/jiyanzhengfa-2021-6/")
    card = page.locator(".gz-meta")
    card.wait_for()
    text = card.inner_text()
    for value in (
        "济兖政发〔2021〕6号",
        "济宁市兖州区人民政府",
        "2021年4月11日",
        "此件公开发布",
        "济宁市兖州区人民政府公报 2021年第3-4期",
    ):
        assert value in text
    assert page.title().startswith("济宁市兖州区人民政府关于贯彻健康山东行动推进健康兖州建设的实施意见")
    _screenshot(page, "document")


def test_issue_page_leads_to_its_documents_under_the_sub_path(page, base_url):
    page.goto(base_url)
    page.get_by_role("link", name="济宁市兖州区人民政府公报 2021年第3-4期").first.click()
    page.wait_for_url(base_url + "issues/370812-2021-3-4/")
    _screenshot(page, "issue")
    page.get_by_role("link", name="济宁市兖州区人民政府关于废止和宣布失效一批区政府文件的决定").first.click()
    page.wait_for_url(base_url + "documents/jiyanzhengfa-2021-5/")
    assert "济兖政发〔2021〕5号" in page.locator(".gz-meta").inner_text()


@pytest.mark.parametrize(
    "phrase, title",
    [
        ("居民健康素养", "济宁市兖州区人民政府关于贯彻健康山东行动推进健康兖州建设的实施意见"),
        ("农田水利", "济宁市兖州区人民政府办公室关于做好冬春季农田水利建设工作的通知"),
    ],
)
def test_header_search_finds_a_chinese_phrase_from_a_body(page, base_url, phrase, title):
    page.goto(base_url)
    assert any(title in t for t in _search(page, phrase)), phrase
    _screenshot(page, f"search-{phrase}")


def _search(page, phrase: str) -> list[str]:
    """Type ``phrase`` into the header search box; the result titles."""
    page.locator("label.md-search__icon, .md-search__input").first.click()
    search = page.locator("input.md-search__input")
    search.click()
    search.type(phrase)
    # each keystroke may start a search (150 ms apart on a slow machine) whose results the next
    # one clears: wait until the whole phrase's results are shown (search.js sets data-shown)
    page.wait_for_function(
        "q => document.querySelector('[data-gz-search]').dataset.shown === q", arg=phrase, timeout=10_000
    )
    return [t.replace("\u200b", "") for t in page.locator(".md-search-result__article h1").all_inner_texts()]


def test_sample_archive_document_page_shows_number_title_issuer_and_date(browser, sample_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(sample_url)
    page.get_by_role("link", name="济宁市任城区人民政府公报 2024年第2期").first.click()
    page.get_by_role(
        "link", name="济宁市任城区人民政府关于下达济宁市任城区2024年国民经济和社会发展计划的通知"
    ).first.click()
    card = page.locator(".gz-meta")
    card.wait_for()
    text = card.inner_text()
    for value in (
        "济任政发〔2024〕3号",
        "济宁市任城区人民政府关于下达济宁市任城区2024年国民经济和社会发展计划的通知",
        "济宁市任城区人民政府",
        "2024年4月7日",
    ):
        assert value in text
    assert page.locator("table").count() >= 1  # its indicator table is a real table
    _screenshot(page, "sample-document")
    assert errors == []
    page.close()


@pytest.mark.parametrize(
    "phrase, title",
    [
        ("新质生产力", "济宁市任城区人民政府关于下达济宁市任城区2024年国民经济和社会发展计划的通知"),
        (
            "家政服务业",
            "济宁市兖州区人民政府办公室关于印发《济宁市兖州区家政服务业提质扩容“领跑者”行动试点工作方案》的通知",
        ),
        ("健康促进区", "济南市济阳区人民政府关于印发济南市济阳区创建省级健康促进区工作实施方案的通知"),
    ],
)
def test_sample_archive_search_finds_a_body_phrase(browser, sample_url, phrase, title):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(sample_url)
    titles = _search(page, phrase)
    assert any(title in t for t in titles), titles
    _screenshot(page, f"sample-search-{phrase}")
    page.close()


def test_home_and_download_pages_render(page, base_url):
    page.goto(base_url)
    assert page.locator(".gz-stats").inner_text().split() == ["2", "期公报", "4", "件文件", "1", "个发布机关"]
    _screenshot(page, "home")
    page.get_by_role("link", name="数据下载").first.click()
    page.wait_for_url(base_url + "download/")
    href = page.get_by_role("link", name="下载完整数据包（ZIP）").get_attribute("href")
    response = page.request.get(base_url + "download/" + href)
    assert response.ok and response.body()[:2] == b"PK"
    _screenshot(page, "download")


def _watched_page(browser):
    """A fresh page and the list its console errors and uncaught exceptions go to."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def test_sample_archive_journey_home_issue_document_citation_person_csv(browser, sample_url):
    """A reader's path through the sample archive, served under a sub-path. The citation
    followed is one that resolves inside the sample: 周政办字〔2017〕152号 贯彻 周政字〔2017〕41号."""
    page, errors = _watched_page(browser)
    page.goto(sample_url)
    assert page.locator("svg.gz-chart").count() == 2  # documents per year and per 文种
    _screenshot(page, "journey-1-home")

    page.get_by_role("link", name="淄博市周村区人民政府公报 2017年第6期").first.click()
    page.wait_for_url(sample_url + "issues/370306-2017-6/")
    _screenshot(page, "journey-2-issue")
    page.get_by_role(
        "link", name="周村区人民政府办公室关于印发周村区残疾儿童抢救性康复救助项目实施方案的通知"
    ).first.click()
    page.wait_for_url(sample_url + "documents/370306-zhouzhengbanzi-2017-152/")
    card = page.locator(".gz-meta")
    for value in (
        "周政办字〔2017〕152号",
        "周村区人民政府办公室",
        "有效",
        "淄博市周村区人民政府公报 2017年第6期",
    ):
        assert value in card.inner_text()
    _screenshot(page, "journey-3-document")

    cites = page.locator("h3:has-text('本件引用') + table, h3:has-text('本件引用') ~ div table").first
    cites.get_by_role("link", name="周村区人民政府关于印发周村区残疾人事业发展“十三五”规划的通知").click()
    page.wait_for_url(sample_url + "documents/370306-zhouzhengzi-2017-41/")
    assert "周政字〔2017〕41号" in page.locator(".gz-meta").inner_text()
    cited_by = page.locator(
        "h3:has-text('引用本件的文件') ~ div table, h3:has-text('引用本件的文件') + table"
    ).first
    assert "周政办字〔2017〕152号" in cited_by.inner_text()
    assert "[A/OL]" in page.locator("pre.gz-cite").inner_text()
    _screenshot(page, "journey-4-cited-document")

    page.locator(".md-tabs").get_by_role("link", name="人事任免").click()
    page.wait_for_url(sample_url + "people/")
    _screenshot(page, "journey-5-people")
    page.get_by_role("link", name="张海燕", exact=True).first.click()
    page.wait_for_url(sample_url + "people/370812-zhanghaiyan/")
    actions = page.locator("article table").inner_text()
    assert "区财政绩效评价中心副主任" in actions and "2021年3月26日" in actions
    _screenshot(page, "journey-6-person")

    page.locator(".md-tabs").get_by_role("link", name="数据下载").click()
    page.wait_for_url(sample_url + "download/")
    with page.expect_download() as info:
        page.locator("article table").first.get_by_role("link", name="documents.csv").click()
    download = info.value
    header = Path(download.path()).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert download.suggested_filename == "documents.csv"
    assert header[:2] == ["document_id", "issue_id"] and "doc_number" in header
    _screenshot(page, "journey-7-data")
    page.close()
    assert errors == []


@pytest.mark.parametrize(
    "url, selector",
    [
        ("events/2021/", "article table"),
        ("cited/", "article table"),
        ("people/organisations/", "article h2"),
        ("documents/jiyanzhengfa-2021-5/", ".gz-badge"),
    ],
)
def test_sample_archive_index_pages_render_without_errors(browser, sample_url, url, selector):
    page, errors = _watched_page(browser)
    page.goto(sample_url + url)
    page.locator(selector).first.wait_for()
    _screenshot(page, "sample-" + url.strip("/").replace("/", "-"))
    page.close()
    assert errors == []
