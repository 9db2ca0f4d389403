"""Accessibility: axe-core (the engine of Deque's and Google Lighthouse's checks) run in Chromium
on one page of every kind of the sample archive finds no serious or critical violation, and
the pages declare their language as zh-Hans."""

from __future__ import annotations

import pytest

# One page of each kind a reader meets: home, issue, document, browse pages, person,
# organisations, events, cited numbers, data page, hand-written page, 404.
PAGES = [
    "",
    "issues/",
    "issues/370812-2021-3-4/",
    "documents/370812-jiyanzhengfa-2021-5/",
    "years/",
    "years/2021/",
    "publishers/",
    "publishers/370812/",
    "types/",
    "types/tongzhi/",
    "people/",
    "people/370812-baijianjun/",
    "people/organisations/",
    "events/",
    "cited/",
    "download/",
    "about/",
    "404.html",
]


@pytest.fixture(scope="module")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError as exc:
        pytest.fail(f"axe-playwright-python is not installed ({exc}): pip install -e '.[test]'")
    return Axe()


@pytest.mark.parametrize("url", PAGES, ids=lambda url: url.strip("/") or "home")
def test_no_serious_accessibility_violations(browser, sample_url, axe, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        response = page.goto(sample_url + url)
        assert response is not None and response.ok, f"{url} did not load"
        page.locator("article").first.wait_for()
        assert page.get_attribute("html", "lang") == "zh-Hans"
        violations = axe.run(page).response["violations"]
    finally:
        page.close()
    serious = [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}×, first {v['nodes'][0]['target']})"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)


def test_a_wide_table_can_be_scrolled_by_keyboard(browser, sample_url):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(sample_url + "download/")
        page.locator("article table").first.wait_for()
        boxes = page.locator(".md-typeset__scrollwrap[tabindex='0']")
        assert boxes.count() >= 1
        box = boxes.first
        box.focus()
        before = box.evaluate("b => b.scrollLeft")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
        assert box.evaluate("b => b.scrollLeft") > before
    finally:
        page.close()
