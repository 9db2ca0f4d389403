"""A document page shows exactly what the document says: its text is never read as Markdown or
HTML (the reliability run found ``5*8 小时`` shown as "58", ``&amp;`` as "&" and a list renumbered)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.site.text import body_html
from tests.test_pages import page

ROOT = Path(__file__).resolve().parent.parent

LITERAL = [
    "工作时间 5*8 小时，服务热线 7*24 小时开通。",
    "1. 第一项 *星号* 与 **粗体** 与 __init__",
    "2. R&D 和 &amp; 和 &lt;tag&gt; 和 &#x41; 和 `代码` 和 \\* 和 \\(z\\)",
    "4. 第四项（接上页）",
    "5. 第五项 <script>alert(1)</script> [链接](javascript:alert(2))",
]


@pytest.fixture(scope="module")
def literal_site(tmp_path_factory, site_builder) -> Path:
    out = tmp_path_factory.mktemp("faithful")
    content = out / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache"))
    record = content / "records" / "370812-2021-3-4.yml"
    text = record.read_text(encoding="utf-8")
    anchor = "    为加快推动家政服务业供给侧"
    assert anchor in text
    inserted = "".join(f"    {line}\n\n" for line in LITERAL)
    record.write_text(text.replace(anchor, inserted + anchor, 1), encoding="utf-8")
    return site_builder(content, out)


def test_the_body_is_shown_character_for_character(literal_site):
    article = page(literal_site, "documents/370812-jiyanzhengbanzi-2021-5/").find("article")
    paragraphs = [p.text() for p in article.find_all("p")]
    for line in LITERAL:
        assert line in paragraphs, line
    html = (literal_site / "documents/370812-jiyanzhengbanzi-2021-5/index.html").read_text(encoding="utf-8")
    html = html[html.index("<article") :]  # the head's description quotes the text too
    body = html[html.index("工作时间 5") - 200 : html.index("5. 第五项") + 200]
    for tag in ("<em>", "<strong>", "<code>", "<ol", "<li", "<script", "<a "):
        assert tag not in body, tag


def test_a_numbered_list_wrapped_over_a_page_keeps_its_numbers(sample_site):
    article = page(sample_site, "documents/370812-jiyanzhengfa-2021-5/").find("article")
    texts = [p.text() for p in article.find_all("p")]
    assert any(t.startswith("5. 关于印发济宁市兖州区创建全国主要农作物") for t in texts)
    assert any(t.startswith("63. ") for t in texts)
    assert not article.find_all("ol")


def test_headings_and_tables_of_the_record_body_become_html_with_their_text_escaped():
    html = body_html("### 一、总体*要求*\n\n| 指标 | 目标值 |\n|---|---|\n| a\\|b | ≥22% <b> |", 3)
    assert '<h3 class="gz-text">一、总体&#42;要求&#42;</h3>' in html
    assert "<td>a|b</td>" in html and "≥22% &lt;b&gt;" in html
    assert body_html("## 甲\n\n### 乙", 4).count("<h4") == 1 and "<h5" in body_html("## 甲\n\n### 乙", 4)


def test_the_data_packages_body_is_the_text_as_written_without_marks():
    import csv

    csv.field_size_limit(10**9)
    with open(ROOT / "datapackages/gazette/documents.csv", encoding="utf-8", newline="") as handle:
        rows = {r["document_id"]: r["body"] for r in csv.DictReader(handle)}
    body = rows["370812-jiyanzhengbanzi-2021-5"]
    assert "\n\n一、总体要求\n\n" in body  # a heading as printed, not "### 一、总体要求"
    for row in rows.values():
        for line in row.split("\n"):
            assert not line.startswith(("#", "\\", "| ")), line[:40]


def test_plain_text_reads_back_every_mark_the_parser_writes():
    from generator.model.body import plain_text

    body = "### 一、总体要求\n\n\\- 5 -\n\n\\* 星号开头\n\n| 指标 | 目标 |\n|---|---|\n| a\\|b | c\\\\d |\n|  | e |\n| f | g"
    assert plain_text(body) == "一、总体要求\n\n- 5 -\n\n* 星号开头\n\n指标\t目标\na|b\tc\\d\n\te\nf\tg"


def test_a_pages_head_line_carries_any_text_and_cannot_be_closed_early():
    """The head metadata rides in an HTML comment line (text.head_line): a title holding -->, </script>,
    quotes, & or line breaks comes back exactly, and the line never holds what would end the comment."""
    from generator.site.text import HEAD_CLOSE, head_line, take_head

    head = {"description": '标题 --> </script> & "引号" <!-- 又\n一行\u2028', "jsonld": {"name": "a-->b"}}
    line = head_line(head)
    assert line.count("\n") == 1 and line.endswith(HEAD_CLOSE + "\n")
    assert "-->" not in line[: -len(HEAD_CLOSE) - 1] and "<" not in line[4:]
    rest, found = take_head(line + "# 标题\n")
    assert found == head and rest == "# 标题\n"
    assert take_head("# 没有\n") == ("# 没有\n", None)


def test_html_set_aside_is_exactly_what_lies_between_marker_lines():
    """text.set_aside takes a block from a line that is the opening marker to the next line that
    is the closing one; a marker inside a line is text, and a block never closed stays."""
    from generator.site.text import HTML_CLOSE as C
    from generator.site.text import HTML_OPEN as O
    from generator.site.text import put_back, set_aside

    page = f"# 标题\n\n{O}\n<p>甲</p>\n{C}\n\n正文 {O}\n{O}\n<p>乙</p>\n{C} 不是结尾\n{C}\n{O}\n\n{C}\n\n{O}\n未闭合"
    markdown, blocks = set_aside(page, "N")
    assert blocks == ["<p>甲</p>", f"<p>乙</p>\n{C} 不是结尾", ""]
    assert markdown == f"# 标题\n\n\nNx0x\n\n\n正文 {O}\n\nNx1x\n\n\nNx2x\n\n\n{O}\n未闭合"
    html = "<p>Nx0x</p>\n<p>Nx1x</p>"
    assert put_back(html, blocks, "N") == f"<p>甲</p>\n<p>乙</p>\n{C} 不是结尾"
