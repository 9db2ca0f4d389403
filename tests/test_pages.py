"""The generated site as a reader sees it: pages rendered from tests/fixtures/records and built by MkDocs."""

from __future__ import annotations

import json
import os
import posixpath
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model.models import DocNumber, Document, Issue, Reference
from generator.model.records import dump_issue
from generator.site.pages import md_text, render_pages, write_pages
from generator.site.text import body_html

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# ---------------------------------------------------------------- reading HTML

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Element | None = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)]

    def find(self, tag: str | None = None, cls: str | None = None) -> Element:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag or '*'} class={cls!r}> in the page"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data.replace("\u200b", ""))


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def meta_card(page: Element) -> dict[str, str]:
    """The metadata card as label → value text."""
    card = page.find("div", "gz-meta")
    labels = [e.text() for e in card.find_all("dt")]
    values = [e.text() for e in card.find_all("dd")]
    assert len(labels) == len(values), "every label in the card has one value"
    return dict(zip(labels, values))


def page(site: Path, url: str) -> Element:
    return parse((site / url / "index.html").read_text(encoding="utf-8"))


def links(element: Element) -> list[str]:
    return [e.attrs["href"] for e in element.find_all("a") if e.attrs.get("href")]


def resolve(site: Path, page_url: str, href: str) -> Path:
    """The file a relative link from ``page_url`` (a directory URL) leads to."""
    target = posixpath.normpath(posixpath.join(page_url, href.split("#")[0]))
    path = site / target
    return path / "index.html" if path.is_dir() else path


# ---------------------------------------------------------------- pages a reader opens


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "documents/jiyanzhengfa-2021-5/",
            {
                "文号": "济兖政发〔2021〕5号（原文印作 济充政发〔2021〕5号）",
                "标题": "济宁市兖州区人民政府关于废止和宣布失效一批区政府文件的决定",
                "发文机关": "济宁市兖州区人民政府",
                "文种": "决定",
                "主送": "各镇人民政府，各街道办事处，区政府各部门、单位",
                "成文日期": "2021年3月26日",
                "印发日期": "2021年3月26日",
                "公开属性": "此件公开发布",
                "状态": "有效",
            },
        ),
        (
            "documents/jiyanzhengbanfa-2020-3/",
            {
                "文号": "济兖政办发〔2020〕3号",
                "发文机关": "济宁市兖州区人民政府办公室",
                "成文日期": "2020年11月20日",
                "状态": "已废止（济兖政发〔2021〕5号）",
            },
        ),
    ],
)
def test_document_page_shows_metadata_card(fixture_site, url, expected):
    card = meta_card(page(fixture_site, url))
    assert {k: card.get(k) for k in expected} == expected


def test_document_page_links_its_issue_with_toc_page(fixture_site):
    doc = page(fixture_site, "documents/jiyanzhengfa-2021-6/")
    source = meta_card(doc)["来源"]
    assert source == "济宁市兖州区人民政府公报 2021年第3-4期 · 区政府文件 · 第 6 页"
    card = doc.find("div", "gz-meta")
    targets = {resolve(fixture_site, "documents/jiyanzhengfa-2021-6/", h) for h in links(card)}
    assert fixture_site / "issues/370812-2021-3-4/index.html" in targets


def test_document_page_shows_body_headings_and_table(fixture_site):
    doc = page(fixture_site, "documents/jiyanzhengfa-2021-6/")
    article = doc.find("article")
    headings = [h.text().rstrip("¶").strip() for h in article.find_all("h3")]
    assert "一、总体目标" in headings and "三、保障措施" in headings
    cells = [td.text() for td in article.find_all("td")]
    assert "居民健康素养水平" in cells and "≥22%" in cells


def test_document_page_lists_attachment(fixture_site):
    text = page(fixture_site, "documents/jiyanzhengbanzi-2021-4/").find("article").text()
    assert "附件 济宁市兖州区创建省级慢性病综合防控示范区工作方案" in text
    assert "推进慢性病综合防控" in text


def test_repealed_document_links_the_repealing_one(fixture_site):
    url = "documents/jiyanzhengbanfa-2020-3/"
    card = page(fixture_site, url).find("div", "gz-meta")
    targets = {resolve(fixture_site, url, h) for h in links(card)}
    assert fixture_site / "documents/jiyanzhengfa-2021-5/index.html" in targets


def test_citing_document_links_the_cited_one_and_names_missing_ones(fixture_site):
    url = "documents/jiyanzhengfa-2021-5/"
    article = page(fixture_site, url).find("article")
    targets = {resolve(fixture_site, url, h) for h in links(article)}
    assert fixture_site / "documents/jiyanzhengbanfa-2020-3/index.html" in targets
    other = page(fixture_site, "documents/jiyanzhengfa-2021-6/").find("article").text()
    assert "依据 鲁政发〔2019〕15号 本库未收录" in other


def test_issue_page_links_every_document_in_toc_order(fixture_site):
    url = "issues/370812-2021-3-4/"
    article = page(fixture_site, url).find("article")
    linked = [resolve(fixture_site, url, h) for h in links(article)]
    documents = [p.parent.name for p in linked if p.parent.parent.name == "documents"]
    assert documents == ["jiyanzhengfa-2021-5", "jiyanzhengfa-2021-6", "jiyanzhengbanzi-2021-4"]
    rows = [[td.text() for td in tr.find_all("td")] for tr in article.find_all("tr")]
    assert [
        "济宁市兖州区人民政府关于贯彻健康山东行动推进健康兖州建设的实施意见",
        "济兖政发〔2021〕6号",
        "6",
    ] in rows


def test_issue_page_shows_masthead_appointments_and_events(fixture_site):
    issue = page(fixture_site, "issues/370812-2021-3-4/")
    card = meta_card(issue)
    assert card["期号"] == "第3-4期（总第87-88期）"
    assert card["出版日期"] == "2021年5月10日"
    rows = [[td.text() for td in tr.find_all("td")] for tr in issue.find("article").find_all("tr")]
    assert ["2021年3月30日", "区人大常委会", "张海燕", "任命", "区卫生健康局局长", ""] in rows
    assert ["2021年3月7日至2021年3月11日", "全区春季植树造林活动集中开展。"] in rows


def test_home_page_counts_and_latest_issue(fixture_site):
    home = parse((fixture_site / "index.html").read_text(encoding="utf-8")).find("article")
    assert [a.text() for a in home.find("div", "gz-stats").find_all("a")] == [
        "2 期公报",
        "4 件文件",
        "1 个发布机关",
    ]
    first_issue = next(a for a in home.find_all("a") if "issues/370812" in a.attrs.get("href", ""))
    assert first_issue.text() == "济宁市兖州区人民政府公报 2021年第3-4期"


@pytest.mark.parametrize(
    "url, expected_documents",
    [
        ("years/2021/", 3),
        ("years/2020/", 1),
        ("publishers/370812/", 4),
        ("types/tongzhi/", 2),
    ],
)
def test_browse_pages_list_documents(fixture_site, url, expected_documents):
    article = page(fixture_site, url).find("article")
    targets = [resolve(fixture_site, url, h) for h in links(article)]
    documents = {p for p in targets if p.parent.parent.name == "documents"}
    assert len(documents) == expected_documents
    assert all(p.is_file() for p in documents)


def test_nav_lists_sections_not_documents(fixture_site):
    home = parse((fixture_site / "index.html").read_text(encoding="utf-8"))
    tabs = [a.text() for a in home.find("nav", "md-tabs").find_all("a")]
    assert tabs == [
        "首页",
        "期刊",
        "按年份",
        "按发布机关",
        "按文种",
        "人事任免",
        "大事记",
        "数据下载",
        "关于",
    ]
    for url in ("", "documents/jiyanzhengfa-2021-5/", "issues/370812-2021-3-4/"):
        html = parse((fixture_site / url / "index.html").read_text(encoding="utf-8"))
        nav_links = [
            h for nav in html.find_all("nav") if "md-nav--secondary" not in nav.classes for h in links(nav)
        ]
        assert not [h for h in nav_links if "documents/" in h], url


def test_every_internal_link_is_relative_and_resolves(fixture_site):
    broken = []
    for html_file in fixture_site.rglob("*.html"):
        if html_file.name == "404.html":
            continue  # MkDocs roots the 404 page at "/": servers show it at any depth
        url = html_file.parent.relative_to(fixture_site).as_posix()
        url = "" if url == "." else url + "/"
        tree = parse(html_file.read_text(encoding="utf-8"))
        for element in tree.iter():
            ref = element.attrs.get("href") or element.attrs.get("src")
            if not ref or ref.startswith(("http://", "https://", "mailto:", "#", "data:")):
                continue
            if ref.startswith("/") or not resolve(fixture_site, url, ref.split("?")[0]).exists():
                broken.append(f"{url or '/'}: {ref}")
    assert broken == []


def test_download_page_offers_the_data_package(fixture_site):
    url = "download/"
    article = page(fixture_site, url).find("article")
    targets = {resolve(fixture_site, url, h) for h in links(article)}
    assert fixture_site / "data/gazette.zip" in targets
    assert fixture_site / "data/gazette/datapackage.json" in targets
    assert fixture_site / "data/gazette/documents.csv" in targets
    package = fixture_site / "data/gazette"
    with zipfile.ZipFile(fixture_site / "data/gazette.zip") as archive:
        assert "gazette/datapackage.json" in archive.namelist()
        assert {name: archive.read(name) for name in archive.namelist()} == {
            f"gazette/{p.relative_to(package).as_posix()}": p.read_bytes()
            for p in package.rglob("*")
            if p.is_file()
        }
    table_page = page(fixture_site, "documents/jiyanzhengfa-2021-6/").find("article")
    csv_links = [h for h in links(table_page) if h.endswith(".csv")]
    assert [
        resolve(fixture_site, "documents/jiyanzhengfa-2021-6/", h).read_text(encoding="utf-8").splitlines()[1]
        for h in csv_links
    ] == ["居民健康素养水平,≥22%,≥30%"]


def test_plain_mkdocs_build_works_from_the_command_line(tmp_path):
    config = (
        (ROOT / "mkdocs.yml")
        .read_text(encoding="utf-8")
        .replace("docs_dir: docs", f"docs_dir: {ROOT / 'docs'}")
    )
    config = (
        config.replace("content: content", f"content: {FIXTURES}")
        .replace("pages: build/pages", f"pages: {tmp_path / 'pages'}")
        .replace("datapackage: datapackages/gazette", f"datapackage: {tmp_path / 'no-package'}")
    )
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site/documents/jiyanzhengfa-2021-5/index.html").is_file()
    assert (tmp_path / "site/pagefind/pagefind.js").is_file()  # plain MkDocs builds the search index too
    download = page(tmp_path / "site", "download/").find("article").text()
    assert "数据包尚未生成" in download


# ---------------------------------------------------------------- hostile text shows literally

HOSTILE_TITLE = "<script>alert(1)</script>**粗** _斜_ [链](javascript:alert(2)) {{ x }} {% if %} &amp; </title><img src=x onerror=alert(3)>的通知"
HOSTILE_BODY = """正文 <img src=x onerror=alert(4)> [点我](javascript:alert(5)) `<b>`

## 小标题 {: onclick="alert(6)" }

<script>alert(7)</script>

\\<img src=y onerror=alert(9)>

[ref]: javascript:alert(8)
"""


def test_hostile_text_shows_literally_and_runs_nothing(tmp_path, site_builder):
    number = DocNumber("济兖政发〔2021〕<b>9</b>号", "济兖政发", 2021, 9)
    document = Document(
        "jiyanzhengfa-2021-9",
        1,
        "区政府<i>文件</i>",
        HOSTILE_TITLE,
        doc_type="通知",
        doc_number=number,
        issuer="*发文机关* | `机关`",
        signed_on="2021-03-26",
        body=HOSTILE_BODY,
        references=[Reference("<script>x</script>", "引用")],
    )
    issue = Issue(
        "370812-2021-9",
        "issue",
        "济宁市兖州区人民政府</title>",
        "370812",
        2021,
        number="9",
        title="公报<script>",
        documents=[document],
    )
    content = tmp_path / "content"
    (content / "records").mkdir(parents=True)
    (content / "records" / "hostile.yml").write_text(dump_issue(issue), encoding="utf-8")
    site = site_builder(content, tmp_path, with_datapackage=False)

    raw = (site / "documents/jiyanzhengfa-2021-9/index.html").read_text(encoding="utf-8")
    doc = parse(raw)
    assert doc.find("article").find("h1").text().rstrip("¶").strip() == " ".join(HOSTILE_TITLE.split())
    assert doc.find("title").text().startswith(" ".join(HOSTILE_TITLE.split()))
    card = meta_card(doc)
    assert card["文号"] == "济兖政发〔2021〕<b>9</b>号"
    assert card["发文机关"] == "*发文机关* | `机关`"
    body = doc.find("article").text()
    for literal in (
        "<img src=x onerror=alert(4)>",
        "[点我](javascript:alert(5))",
        "<script>alert(7)</script>",
    ):
        assert literal in body
    for html_file in site.rglob("*.html"):
        tree = parse(html_file.read_text(encoding="utf-8"))
        for element in tree.iter():
            assert not any(name.startswith("on") for name in element.attrs), (html_file, element.attrs)
            assert not (element.attrs.get("href") or "").startswith("javascript:"), html_file
            assert element.tag not in {"img", "b", "i"} or element.attrs.get("src", "").startswith(
                ("../", "assets")
            ), html_file
            if element.tag == "script" and element.attrs.get("type") == "application/ld+json":
                # data about the page, not code: its < > & escaped, so it cannot end the script
                assert "<" not in element.text() and ">" not in element.text(), html_file
                json.loads(element.text())
            elif element.tag == "script":
                assert "alert" not in element.text(), html_file


# ---------------------------------------------------------------- escaping and writing

MARKDOWN = markdown.Markdown(extensions=["tables", "attr_list", "md_in_html", "def_list", "admonition"])


def shown(markdown_text: str) -> str:
    """What a reader sees when ``markdown_text`` is rendered: tags dropped, entities decoded."""
    html = MARKDOWN.reset().convert(markdown_text)
    return " ".join(parse(html).text().split())


@pytest.mark.parametrize(
    "text",
    [
        "济兖政发〔2021〕5号",
        "<script>alert(1)</script>",
        "**粗体** _斜体_ `代码` ~~删除~~",
        "[链接](http://example.com) ![图](x.png)",
        "# 不是标题",
        "1. 不是列表",
        "- 不是列表",
        "> 不是引用",
        "{: .cls onclick=x } 属性",
        "a | b | c",
        "&amp; &lt; &#42;",
        "{{ jinja }} {% raw %}",
        "行一\n行二",
        "\\*反斜杠*",
    ],
)
def test_md_text_shows_source_text_literally(text):
    assert shown(md_text(text)) == " ".join(text.split())


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")), max_size=40)
)
def test_md_text_round_trips_any_text(text):
    assert shown(md_text(text)) == " ".join(text.split())


@pytest.mark.parametrize(
    "body, visible",
    [
        ("甲 <b>乙</b>", "甲 <b>乙</b>"),
        ("[点我](javascript:alert(1))", "[点我](javascript:alert(1))"),
        ("\\<i>x</i>", "\\<i>x</i>"),
        ("温度 {: onclick=x }", "温度 {: onclick=x }"),
        ("5*8 小时与 *星号* 与 __init__ 与 `代码`", "5*8 小时与 *星号* 与 __init__ 与 `代码`"),
        ("R&D 与 &amp; 与 &#x41;", "R&D 与 &amp; 与 &#x41;"),
        ("4. 第四项", "4. 第四项"),
    ],
)
def test_the_body_shows_the_records_text_through_markdown_untouched(body, visible):
    assert shown(body_html(body)) == visible


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")), max_size=40
    ).filter(lambda t: t.strip() and not t.lstrip().startswith(("#", "|", "\\")))
)
def test_any_paragraph_round_trips_through_the_page(text):
    assert shown(body_html(text)) == " ".join(text.split())


def test_the_bodys_headings_and_tables_keep_their_structure():
    html = MARKDOWN.reset().convert(
        body_html("# 一、总体目标\n\n| 甲 | 乙 |\n| --- | --- |\n| 1 | 2 |", min_level=3)
    )
    tree = parse(html)
    assert tree.find("h3").text() == "一、总体目标"
    assert [td.text() for td in tree.find_all("td")] == ["1", "2"]


def test_write_pages_rewrites_only_changed_files_and_removes_stale(tmp_path):
    write_pages({"index.md": "# 首页\n", "documents/a.md": "# 甲\n", "documents/b.md": "# 乙\n"}, tmp_path)
    before = (tmp_path / "index.md").stat().st_mtime_ns
    result = write_pages({"index.md": "# 首页\n", "documents/a.md": "# 甲（改）\n"}, tmp_path)
    assert (result.written, result.unchanged, result.removed) == (1, 1, 1)
    assert (tmp_path / "index.md").stat().st_mtime_ns == before
    assert (tmp_path / "documents/a.md").read_text(encoding="utf-8") == "# 甲（改）\n"
    assert not (tmp_path / "documents/b.md").exists()


def test_every_nav_entry_is_a_generated_or_hand_written_page(fixture_archive):
    from mkdocs.config import load_config

    config = load_config(config_file=str(ROOT / "mkdocs.yml"))
    targets = [next(iter(entry.values())) for entry in config["nav"]]
    pages = render_pages(fixture_archive)
    assert [t for t in targets if t not in pages and not (ROOT / "docs" / t).is_file()] == []
    assert len(config["nav"]) <= 10


def test_render_pages_gives_one_page_per_issue_and_document(fixture_archive):
    pages = render_pages(fixture_archive)
    assert {p for p in pages if p.startswith("documents/")} == {
        "documents/jiyanzhengfa-2021-5.md",
        "documents/jiyanzhengfa-2021-6.md",
        "documents/jiyanzhengbanzi-2021-4.md",
        "documents/jiyanzhengbanfa-2020-3.md",
    }
    assert {p for p in pages if p.startswith("issues/")} == {
        "issues/index.md",
        "issues/370812-2021-3-4.md",
        "issues/370812-2020-12.md",
    }


# ---------------------------------------------------------------- status, citation, downloads


def test_status_badges_show_valid_and_repealed(fixture_site):
    for url, badge, text in [
        ("documents/jiyanzhengfa-2021-5/", "gz-badge--valid", "有效"),
        ("documents/jiyanzhengbanfa-2020-3/", "gz-badge--repealed", "已废止"),
    ]:
        card = page(fixture_site, url).find("div", "gz-meta")
        assert card.find("span", badge).text() == text, url


def test_document_page_offers_a_gbt7714_citation_to_copy(fixture_site):
    article = page(fixture_site, "documents/jiyanzhengfa-2021-5/").find("article")
    block = article.find("pre", "gz-cite")
    assert "copy" in block.classes  # Material puts a copy button on it
    assert block.text() == (
        "济宁市兖州区人民政府. 济宁市兖州区人民政府关于废止和宣布失效一批区政府文件的决定: "
        "济兖政发〔2021〕5号[A/OL]. (2021-03-26)[引用日期]. "
        "http://127.0.0.1:8000/documents/jiyanzhengfa-2021-5/."
    )


def test_document_page_downloads_the_document_as_one_json_file(fixture_site):
    url = "documents/jiyanzhengfa-2021-6/"
    card = page(fixture_site, url).find("div", "gz-meta")
    anchors = {a.text(): a.attrs["href"] for a in card.find_all("a")}
    assert "Markdown" not in anchors  # one copy of the text per document: the JSON
    record = json.loads(resolve(fixture_site, url, anchors["JSON"]).read_text(encoding="utf-8"))
    assert record["document_id"] == "jiyanzhengfa-2021-6"
    assert record["doc_number"] == "济兖政发〔2021〕6号"
    assert record["issue_id"] == "370812-2021-3-4"
    assert record["schema_version"] == "1.0"
    schema = resolve(fixture_site, url, anchors["JSON"]).parent / record["$schema"]
    assert json.loads(schema.read_text(encoding="utf-8"))["title"].startswith("Gazette archive document")
    assert (fixture_site / record["url"] / "index.html").is_file()
    assert "居民健康素养水平" in record["body"]
    assert not (fixture_site / "documents/jiyanzhengfa-2021-6.md").exists()


# ---------------------------------------------------------------- people, events, cited numbers


def test_appointment_links_to_the_persons_page_with_all_their_actions(fixture_site):
    url = "issues/370812-2021-3-4/"
    issue = page(fixture_site, url).find("article")
    person_link = next(a for a in issue.find_all("a") if a.text() == "张海燕")
    target = resolve(fixture_site, url, person_link.attrs["href"])
    assert target == fixture_site / "people/370812-zhanghaiyan/index.html"
    person = parse(target.read_text(encoding="utf-8")).find("article")
    rows = [[td.text() for td in tr.find_all("td")] for tr in person.find_all("tr")]
    assert [
        "2021年3月30日",
        "任命",
        "区卫生健康局局长",
        "区人大常委会",
        "",
        "济宁市兖州区人民政府公报 2021年第3-4期",
    ] in rows


def test_people_index_lists_everyone_and_organisations_group_their_posts(fixture_site):
    index = page(fixture_site, "people/").find("article")
    names = [
        a.text()
        for a in index.find_all("a")
        if "people/" not in a.attrs.get("href", "x")[:0] and a.text() in ("李大鹏", "张海燕")
    ]
    assert sorted(names) == ["张海燕", "李大鹏"]
    orgs = page(fixture_site, "people/organisations/").find("article")
    headings = [h.text().rstrip("¶").strip() for h in orgs.find_all("h2")]
    assert headings == ["区水务局", "区卫生健康局"]


@pytest.mark.parametrize(
    "post, organisation",
    [
        ("区交通运输局局长", "区交通运输局"),
        ("区政府副区长", "区政府"),
        ("区社会救助综合服务中心副主任", "区社会救助综合服务中心"),
        ("区普查中心（区城乡经济调查队）主任（队长）", "区普查中心"),
        ("区城市管理行政执法大队副大队长", "区城市管理行政执法大队"),
        ("区水务局局长职务", "区水务局"),
        ("兖州公证处主任", "兖州公证处"),
        ("区长助理", "区长助理"),  # no title at the end: the post is its own group
    ],
)
def test_post_organisation_drops_the_title(post, organisation):
    from generator.site.pages import post_organisation

    assert post_organisation(post) == organisation


def test_events_timeline_groups_by_month_and_links_the_issue(fixture_site):
    url = "events/2021/"
    article = page(fixture_site, url).find("article")
    assert [h.text().rstrip("¶").strip() for h in article.find_all("h2")] == ["2021年3月"]
    rows = [[td.text() for td in tr.find_all("td")] for tr in article.find_all("tr")]
    assert ["3月7日至3月11日", "全区春季植树造林活动集中开展。", "济宁市兖州区人民政府"] in rows
    targets = {resolve(fixture_site, url, h) for h in links(article)}
    assert fixture_site / "issues/370812-2021-3-4/index.html" in targets


def test_cited_documents_page_lists_missing_numbers_with_who_cites_them(fixture_site):
    url = "cited/"
    article = page(fixture_site, url).find("article")
    rows = [[td.text() for td in tr.find_all("td")] for tr in article.find_all("tr")]
    assert ["鲁政发〔2019〕15号", "未知", "依据：济兖政发〔2021〕6号"] in rows
    targets = {resolve(fixture_site, url, h) for h in links(article)}
    assert fixture_site / "documents/jiyanzhengfa-2021-6/index.html" in targets


def test_section_pages_list_documents_newest_first(fixture_site):
    article = page(fixture_site, "sections/").find("article")
    assert [a.text() for a in article.find_all("a") if a.attrs.get("href", "").startswith("qu")] != []
    group = next(a.attrs["href"] for a in article.find_all("a") if a.text() == "区政府文件")
    section = parse(resolve(fixture_site, "sections/", group).read_text(encoding="utf-8")).find("article")
    dates = [tr.find_all("td")[2].text() for tr in section.find_all("tr") if tr.find_all("td")]
    assert dates == ["2021年4月11日", "2021年3月26日"]


# ---------------------------------------------------------------- home, data page, 404


def test_home_page_draws_charts_linked_to_browse_pages(fixture_site):
    home = parse((fixture_site / "index.html").read_text(encoding="utf-8")).find("article")
    charts = home.find_all("svg", "gz-chart")
    assert [c.attrs.get("aria-label") for c in charts] == ["各年份文件数", "各文种文件数"]
    year_bars = [a.find("title").text() for a in charts[0].find_all("a")]
    assert year_bars == ["2020年：1", "2021年：3"]
    targets = {resolve(fixture_site, "", a.attrs["href"]) for c in charts for a in c.find_all("a")}
    assert (
        fixture_site / "years/2021/index.html" in targets
        and fixture_site / "types/tongzhi/index.html" in targets
    )


def test_home_page_links_the_atom_feed(fixture_site):
    html = (fixture_site / "index.html").read_text(encoding="utf-8")
    tree = parse(html)
    alternate = [e for e in tree.find_all("link") if e.attrs.get("type") == "application/atom+xml"]
    assert alternate and resolve(fixture_site, "", alternate[0].attrs["href"]) == fixture_site / "feed.xml"
    assert "feed.xml" in links(tree.find("article"))


def test_data_page_describes_every_resource_from_the_package(fixture_site):
    import hashlib

    article = page(fixture_site, "download/").find("article")
    text = article.text()
    package = json.loads((fixture_site / "data/gazette/datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        data = (fixture_site / "data/gazette" / resource["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:12] in text, resource["name"]
    overview = [[td.text() for td in tr.find_all("td")] for tr in article.find_all("table")[0].find_all("tr")]
    documents_csv = (fixture_site / "data/gazette/documents.csv").read_text(encoding="utf-8")
    rows_in_file = len(list(__import__("csv").reader(documents_csv.splitlines(keepends=True)))) - 1
    assert [r[2] for r in overview if r and r[-1] == "documents.csv"] == [str(rows_in_file)]
    fields = [[td.text() for td in tr.find_all("td")] for tr in article.find_all("tr")]
    assert [
        "doc_number",
        "string",
        "发文字号，经校正、去空格，如济兖政发〔2021〕5号。",
    ] in fields
    assert "jiyanzhengfa-2021-5" in text  # a sample row of the documents table
    targets = {resolve(fixture_site, "download/", h) for h in links(article)}
    assert fixture_site / "data/gazette.sqlite.gz" in targets
    assert [pre.text().split()[0] for pre in article.find_all("pre", "gz-sql")] == ["SELECT", "SELECT"]


def test_404_page_is_chinese_and_works_under_a_sub_path(tmp_path, site_builder, monkeypatch):
    from generator.site.linkcheck import check_site

    monkeypatch.setenv("SITE_URL", "https://example.org/archive/")
    site = site_builder(FIXTURES, tmp_path, with_datapackage=False)
    tree = parse((site / "404.html").read_text(encoding="utf-8"))
    assert tree.find("article").find("h1").text() == "找不到这个页面"
    hrefs = links(tree.find("article"))
    assert hrefs and all(h.startswith("/archive/") for h in hrefs)
    assert check_site(site, "/archive/") == []


def test_long_lists_become_pages_per_year_or_agency_that_link_every_document(
    tmp_path, monkeypatch, site_builder
):
    """At thousands of documents a type's list would be megabytes; past PAGE_ITEMS rows it is
    split (lowered here so that the sample archive splits), and every document stays one click
    from the list's first page."""
    from generator.model.archive import build_archive
    from generator.model.records import load_records
    from generator.site import pages

    monkeypatch.setattr(pages, "PAGE_ITEMS", 4)
    site = site_builder(ROOT / "content", tmp_path)  # strict: every link of the new pages resolves
    model = pages.build_site(build_archive(load_records(ROOT / "content")))
    split = [g for g in model.types + model.sections + model.publishers if g.parts]
    assert split, "the fixture has groups of more than 4 documents"
    for group in split:
        first_url = pages.page_url(group.path)
        first = page(site, first_url).find("article")
        assert len(first.find_all("tr")) - 1 <= 4  # one short table: the newest
        reached: set[Path] = set()
        for part_href in {
            h
            for h in links(first)
            if resolve(site, first_url, h).parent.parent == site / first_url.rstrip("/")
        }:
            part_page = resolve(site, first_url, part_href)
            part_url = part_page.parent.relative_to(site).as_posix() + "/"
            article = parse(part_page.read_text(encoding="utf-8")).find("article")
            reached |= {
                resolve(site, part_url, h)
                for h in links(article)
                if "/documents/" in "/" + posixpath.normpath(posixpath.join(part_url, h))
            }
        expected = {site / pages.page_url(model.doc_path(d)) / "index.html" for d in group.documents}
        assert reached == expected, group.label
    cited_index = page(site, "cited/").find("article")
    if model.cited_parts:
        assert len(cited_index.find_all("tr")) == 0
        assert len([h for h in links(cited_index) if not h.startswith(("#", ".."))]) >= len(model.cited_parts)


# ---------------------------------------------------------------- page keys (incremental rebuilds)


def _keys_changed(keys, change) -> tuple[set[str], int, object]:
    """The documents whose key ``keys(archive)`` gives anew once ``change(archive)`` has changed
    the fixture records, how many documents there are, and what ``change`` returned; a copy of
    the records gives every key as it was."""
    import copy

    from generator.model.archive import build_archive
    from generator.model.records import load_records

    issues = load_records(FIXTURES)
    before = keys(build_archive(issues))
    assert keys(build_archive(copy.deepcopy(issues))) == before
    found = change(build_archive(issues))
    after = keys(build_archive(issues))
    return {i for i in before if before[i] != after[i]}, len(before), found


def _cited(archive):
    return next(c for d in archive.documents for c in archive.cites(d) if c.cited is not None)


def test_a_document_page_key_changes_with_what_the_page_shows_of_other_records():
    """A rebuild keeps a cached document page only while its key is the same: the key must change
    when a document it cites (or that cites it) changes its title, and not otherwise."""
    from generator.site.pages import _page_code_digest, build_site, document_page_key

    def keys(archive) -> dict[str, str]:
        site = build_site(archive)
        code = _page_code_digest()
        return {
            d.document_id: document_page_key(site, d, code, "", True, False, {}) for d in archive.documents
        }

    def retitle(archive):
        citing = _cited(archive)
        citing.cited.title += "（修订）"
        return citing

    differ, count, citing = _keys_changed(keys, retitle)
    assert citing.citing.document_id in differ and citing.cited.document_id in differ
    assert len(differ) < count  # the others stay as they were

    def add_a_character(archive):
        archive.documents[-1].body += "\n\n一个字"  # its own text: its own key
        return archive.documents[-1].document_id

    differ, _, changed = _keys_changed(keys, add_a_character)
    assert differ == {changed}


def test_a_document_json_key_changes_with_what_the_json_says_of_other_records():
    """A rebuild keeps a document's JSON only while its key is the same: the key must change when
    a document citing it changes its number, or one it cites changes its id, and not otherwise."""
    from generator.site.pages import build_site, document_json_key

    def keys(archive) -> dict[str, str]:
        site = build_site(archive)
        return {
            d.document_id: document_json_key(d, site, d.document_id + ".json", "") for d in archive.documents
        }

    def renumber(archive):
        citation = _cited(archive)
        citation.citing.doc_number.serial += 100
        citation.citing.doc_number.text = citation.citing.doc_number.text.replace("号", "0号")
        return citation

    differ, count, citation = _keys_changed(keys, renumber)
    assert citation.citing.document_id in differ and citation.cited.document_id in differ
    assert len(differ) < count


def test_taking_the_download_keys_leaves_none_behind(tmp_path):
    """Keys are read once and removed: a build that stops before writing its own leaves the next
    one nothing to trust, so it writes every JSON again."""
    from generator.site.pages import DOWNLOAD_KEYS, take_download_keys

    folder = tmp_path / DOWNLOAD_KEYS
    folder.mkdir()
    (folder / "0-of-2.json").write_text('{"documents/a.json": "k1"}', encoding="utf-8")
    (folder / "1-of-2.json").write_text('{"documents/b.json": "k2"}', encoding="utf-8")
    (folder / "broken.json").write_text("{", encoding="utf-8")
    assert take_download_keys(tmp_path) == {"documents/a.json": "k1", "documents/b.json": "k2"}
    assert list(folder.iterdir()) == []
    assert take_download_keys(tmp_path) == {}


def test_every_page_carries_materials_chinese_labels_and_its_own_base_url(fixture_site):
    """Material's __config script (made once per base URL, plugin.ThemeFragments) and its
    labels (looked up once, theme/partials/languages/zh-Hans.html): a page at each depth has its
    own base URL, and the labels are Material's Simplified Chinese ones."""
    import re

    pages = {
        "index.html": ".",
        "about/index.html": "..",
        "documents/jiyanzhengfa-2021-5/index.html": "../..",
    }
    for rel, base in pages.items():
        html = (fixture_site / rel).read_text(encoding="utf-8")
        found = re.search(r'<script id="__config" type="application/json">(.*?)</script>', html, re.S)
        config = json.loads(found.group(1))
        assert config["base"] == base, rel
        prefix = "" if base == "." else base + "/"
        assert config["search"].startswith(prefix + "assets/javascripts/workers/search."), rel
        assert config["translations"]["clipboard.copy"] == "复制"
        assert config["translations"]["search.result.none"] == "没有找到符合条件的结果"
        assert "跳转至" in html, rel  # the skip link: lang.t("action.skip")


def test_a_document_read_from_a_record_file_is_known_by_that_file(tmp_path: Path):
    """The pages' and downloads' keys know a document read from a record file by the file (its
    name, time and size, as the records cache does): an edit changes the keys of that issue's
    documents, and of no other."""
    import shutil

    from generator.model.archive import load_archive
    from generator.site.pages import build_site

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache"))

    def digests() -> dict[str, str]:
        archive = load_archive(content)
        site = build_site(archive)
        return {d.document_id: site.record_digest(d) for d in archive.documents}

    before = digests()
    assert digests() == before
    record = content / "records" / "370811-2024-2.yml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("关于下达", "关于修订下达"), encoding="utf-8"
    )
    after = digests()
    changed = {i for i in before if before[i] != after[i]}
    assert changed and changed == {i for i in before if i.startswith("370811-")}
