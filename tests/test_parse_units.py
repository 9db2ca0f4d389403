"""Small synthetic gazettes: one layout feature per test."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.ingest.parse import parse_source
from generator.model.publishers import Registry

REGISTRY = Registry.from_dict(
    {
        "publishers": [
            {
                "name": "济宁市兖州区人民政府",
                "region_code": "370812",
                "short_name": "兖州区",
                "aliases": ["兖州区人民政府"],
                "agency_codes": ["济兖政发", "济兖政字", "济兖政办发", "济兖政办字"],
            }
        ]
    }
)

DOC = """济宁市兖州区人民政府 关于做好春季 防火工作的 通知

济兖政字〔2022〕7 号

各镇人民政府，各街道办事处，
区政府各部门：

现将有关事项通知如下。

一、提高认识

各单位要高度重视，切实做好
防火工作，确保安全。

附件：1. 责任分工表
2. 联系人名单

济宁市兖州区人民政府
二〇二二年三月一日

（此件公开发布）

附件1

责任分工表

区应急局负责总体协调。

附件2

联系人名单

张三 区应急局
"""


def parse(text):
    return parse_source(text, "test.txt", REGISTRY)


@pytest.mark.parametrize(
    "masthead, year, number, cumulative",
    [
        ("济宁市兖州区人民政府公报\n2022\n第3-4期（总第87-88期）", 2022, "3-4", "87-88"),
        ("济宁市兖州区人民政府 公 报\n2022 年第 5 期（总第 90 期）", 2022, "5", "90"),
        ("济宁市兖州区人民政府公报\n第 6 期", 2022, "6", ""),
    ],
)
def test_masthead_forms(masthead, year, number, cumulative):
    issue = parse(masthead + "\n目 录\n【区政府文件】\n" + DOC)
    assert (issue.kind, issue.year, issue.number, issue.cumulative_number) == (
        "issue",
        year,
        number,
        cumulative,
    )
    assert issue.issue_id == f"370812-{year}-{number}"
    assert issue.year_inferred is ("2022" not in masthead)


@pytest.mark.parametrize(
    "toc",
    [
        "【 区政府文件 】\n济宁市兖州区人民政府关于做好春季防火工作的通知\n(济兖政字〔2022〕7号)2",
        "区政府文件：\n济宁市兖州区人民政府关于做好春季防火工作的通知·········\t2",
        "【区政府文件】\n济宁市兖州区人民政府关于做好春季防火工作的通知 (济兖政字〔2022〕7 号)\t2",
        "【区政府文件】\n济宁市兖州区人民政府关于做好春季防火\n工作的通知 (济兖政字〔2022〕7 号)\t2",
    ],
)
def test_toc_forms(toc):
    issue = parse(f"济宁市兖州区人民政府公报\n2022\n第1期\n目 录\n{toc}\n" + DOC)
    assert [(e.section, e.title, e.page) for e in issue.toc] == [
        ("区政府文件", "济宁市兖州区人民政府关于做好春季防火工作的通知", 2)
    ]
    doc = issue.documents[0]
    assert (doc.section, doc.page) == ("区政府文件", 2)
    assert not [
        p for p in issue.problems if p.code.startswith("toc") or p.code.startswith("document-without")
    ]


TITLE = "济宁市兖州区人民政府关于做好春季防火工作的通知"
SCRAMBLED = TITLE[::-1]  # every character of the title, in another order
NEAR = TITLE.replace("防火", "防汛")


@pytest.mark.parametrize(
    "titles, page",
    [
        ([SCRAMBLED, NEAR, TITLE], 4),  # the closest title, not the first close enough
        ([SCRAMBLED, NEAR], 3),
        ([SCRAMBLED], None),  # the same characters are not the same title
    ],
)
def test_document_matched_to_the_toc_entry_with_the_closest_title(titles, page):
    toc = "\n".join(f"{title}·········\t{n}" for n, title in enumerate(titles, 2))
    issue = parse(f"济宁市兖州区人民政府公报\n2022\n第1期\n目 录\n【区政府文件】\n{toc}\n" + DOC)
    assert issue.documents[0].page == page
    unmatched = [p.message for p in issue.problems if p.code == "toc-entry-without-body"]
    assert len(unmatched) == len(titles) - (page is not None)
    assert any(SCRAMBLED in m for m in unmatched)


def test_hard_wrapped_layout_with_a_page_margin_is_joined():
    """pdftotext -layout keeps the page margin before every piece: the wrap width counts it."""
    from generator.ingest.layout import logical_lines

    sentence = "各单位要高度重视，切实做好防火工作，确保安全。" * 3
    text = DOC.replace("各单位要高度重视，切实做好\n防火工作，确保安全。", "\n\n".join([sentence] * 6))
    pieces = [line[k : k + 20] for line in text.split("\n") if line.strip() for k in range(0, len(line), 20)]
    source = "".join(f"    {piece}\n\n" for piece in pieces)
    starts = [2 * k + 1 for k, piece in enumerate(pieces) if piece == sentence[:20]]  # blank after each
    joined = [n for n, line in logical_lines(source) if line.replace(" ", "") == sentence]
    assert len(starts) == 6 and joined == starts


def test_document_elements():
    doc = parse(DOC).documents[0]
    assert doc.title == "济宁市兖州区人民政府关于做好春季防火工作的通知"
    assert (doc.doc_type, doc.issuer) == ("通知", "济宁市兖州区人民政府")
    assert doc.doc_number.text == "济兖政字〔2022〕7号"
    assert doc.recipients == "各镇人民政府，各街道办事处，区政府各部门"
    assert (doc.signed_on, doc.public) == ("2022-03-01", True)
    assert "### 一、提高认识" in doc.body
    assert "各单位要高度重视，切实做好防火工作，确保安全。" in doc.body
    assert doc.attachment_titles == ["责任分工表", "联系人名单"]
    assert [(a.label, a.title) for a in doc.attachments] == [("附件1", "责任分工表"), ("附件2", "联系人名单")]
    assert "张三" in doc.attachments[1].body and "张三" not in doc.body


# Attachments printed without a 附件N label, found by their listed titles despite OCR slips:
# 责仼 for 责任; 春李 for 春季 and 联糸 for 联系 in a title wrapped over two lines; a title printed
# without the year its listed title has. The last two are as far from their listed titles as a match
# may be. The signer and the date share one line.
UNLABELLED_ATTACHMENTS = """济宁市兖州区人民政府 关于做好春季 防火工作的 通知

济兖政字〔2022〕7 号

各镇人民政府，各街道办事处：

现将有关事项通知如下。

附件：1. 兖州区秋季森林防火责任分工表
2. 兖州区春季森林防火责任分工表
3. 兖州区春季森林防火联系人名单
4. 兖州区春季森林防火值班表（2022）

济宁市兖州区人民政府    2022年3月1日

兖州区春季森林防火责仼分工表

区应急局负责总体协调。

兖州区春李森林防火
联糸人名单

张三 区应急局

兖州区春季森林防火值班表

王五 每周一值班
"""


def test_unlabelled_attachments_are_found_by_their_listed_titles_despite_ocr_slips():
    doc = parse(UNLABELLED_ATTACHMENTS).documents[0]
    assert (doc.issuer, doc.signed_on) == ("济宁市兖州区人民政府", "2022-03-01")
    # the 春季 table is also close enough to the 秋季 one (listed first): the closer title wins
    assert [(a.label, a.title) for a in doc.attachments] == [
        ("附件2", "兖州区春季森林防火责仼分工表"),
        ("附件3", "兖州区春李森林防火联糸人名单"),
        ("附件4", "兖州区春季森林防火值班表"),
    ]
    assert "张三" in doc.attachments[1].body and "协调" in doc.attachments[0].body


def test_issuer_on_its_own_line_joins_the_title():
    text = DOC.replace(
        "济宁市兖州区人民政府 关于做好春季 防火工作的 通知",
        "济宁市兖州区人民政府\n\n关于做好春季防火工作的通知",
    )
    assert parse(text).documents[0].title == "济宁市兖州区人民政府关于做好春季防火工作的通知"


@pytest.mark.parametrize(
    "kind_word, doc_type",
    [("实施意见", "意见"), ("批复", "批复"), ("决定", "决定"), ("函", "函"), ("公告", "公告")],
)
def test_doc_type_is_the_last_word_of_the_title(kind_word, doc_type):
    text = DOC.replace("防火工作的 通知", f"防火工作的 {kind_word}")
    assert parse(text).documents[0].doc_type == doc_type


def test_source_without_masthead_is_a_collection():
    issue = parse(DOC)
    assert issue.kind == "collection" and issue.year == 2022 and issue.year_inferred
    assert issue.issue_id == "370812-2022-c-jiyanzhengzi-2022-7"
    assert issue.documents[0].section == "区政府文件"


def test_unknown_structure_becomes_a_problem_not_a_crash():
    issue = parse("随便写的一段文字，不是公报。\n第二行。")
    assert issue.documents == []
    assert {p.code for p in issue.problems} >= {"unknown-publisher"}


def test_running_header_in_appointments_is_dropped(monkeypatch):
    seen = []
    monkeypatch.setattr(
        "generator.ingest.parse.parse_appointments",
        lambda lines, year, prefix: (seen.extend(lines), ([], []))[1],
    )
    text = (
        DOC + "\n兖州区人民政府任免的工作人员名单\n二〇二二年三月一日\n区人民政府决定：\n"
        "聘任王某为区某中心主任，聘期三年；\n人事任免\n聘任李某为区某中心副主任，聘期三年。\n"
    )
    issue = parse(text)
    assert len(issue.documents) == 1
    assert "王某" not in issue.documents[0].body
    texts = [t for _, t in seen]
    assert texts[0] == "兖州区人民政府任免的工作人员名单" and "人事任免" not in texts
    assert any("李某" in t for t in texts)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            DOC.split("\n")
            + [
                "目 录",
                "【大事记】12",
                "济宁市兖州区人民政府公报",
                "",
                "\t",
                "附件",
                "2021年3月",
                "2日 会议召开。",
                "(济充政发〔2021〕5号)2",
            ]
        ),
        max_size=40,
    )
)
def test_never_crashes_on_shuffled_lines(lines):
    issue = parse("\n".join(lines))
    assert issue.coverage.lost_chars >= 0


def test_display_width_counts_every_wide_character_twice_as_unicode_defines_it():
    """width() counts in C; its figure is the per-character definition's, beyond the BMP too."""
    import random
    import unicodedata

    from generator.ingest.textutil import width

    def defined(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    rng = random.Random(15)
    pools = [(0, 0x110000), (0x3000, 0xA000), (0, 0x3000), (0x1F000, 0x40000), (0xFF00, 0x10000)]
    for _ in range(3000):
        chars = (chr(rng.randrange(*rng.choice(pools))) for _ in range(rng.randrange(40)))
        text = "".join(ch for ch in chars if not 0xD800 <= ord(ch) <= 0xDFFF)
        assert width(text) == defined(text), repr(text)
    assert width("济兖政发〔2021〕5号") == 19 and width("𠀋A") == 3
