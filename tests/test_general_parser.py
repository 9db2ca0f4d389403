"""The parser on layouts it was not tuned to (issue 14, "a parser that generalises"): fixtures
under tests/fixtures/general/ written for the project in the style of real documents (see the
README there), their expected documents and 人事任免 rows written by hand in gold.yml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.ingest.docnumbers import parse_doc_number_line
from generator.ingest.parse import parse_source
from generator.ingest.stage import IngestError, parse_bytes
from generator.model import ids
from generator.model.publishers import load_registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GOLD = yaml.safe_load((FIXTURES / "general" / "gold.yml").read_text(encoding="utf-8"))["sources"]
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")


def parse(file: str):
    path = FIXTURES / file
    return parse_bytes(path, path.read_bytes(), REGISTRY)


@pytest.mark.parametrize("gold", GOLD, ids=[g["file"] for g in GOLD])
def test_documents_as_a_reader_sees_them(gold):
    issue = parse(gold["file"])
    assert issue.region_code == gold["region_code"]
    assert len(issue.documents) == len(gold["documents"])
    for doc, want in zip(issue.documents, gold["documents"]):
        assert doc.title == want["title"]
        assert (doc.doc_number.text if doc.doc_number else None) == want["number"]
        if "printed" in want:
            assert doc.doc_number.printed == want["printed"]
        assert doc.signed_on == want["signed_on"]
        assert doc.issuer == want["issuer"]
        for field in ("recipients", "doc_type", "public"):
            if field in want:
                assert getattr(doc, field) == want[field], field
        if "attachments" in want:
            assert doc.attachment_titles == want["attachments"]
            assert [a.title for a in doc.attachments] == want["attachments"]


@pytest.mark.parametrize("gold", GOLD, ids=[g["file"] for g in GOLD])
def test_appointment_rows(gold):
    issue = parse(gold["file"])
    rows = [[a.person, a.action, a.post, a.decided_on, a.authority] for a in issue.appointments]
    assert rows == gold["appointments"]
    assert [a.appointment_id for a in issue.appointments] == [
        f"{issue.issue_id}-a{n:03d}" for n in range(1, len(rows) + 1)
    ]
    if "events" in gold:
        assert len(issue.events) == gold["events"]
    assert not [p for p in issue.problems if p.code.startswith("appointment-")]


def test_website_chrome_is_noise_counted_in_coverage_never_text():
    issue = parse("general/jinxiang-tonggao-web.txt")
    (doc,) = issue.documents
    text = "\n".join([doc.title, doc.recipients, doc.body])
    for chrome in (
        "首页",
        "政务公开",
        "发布时间",
        "浏览次数",
        "字体",
        "分享到",
        "打印本页",
        "关闭窗口",
        "主办单位",
        "网站标识码",
        "ICP",
        "公网安备",
    ):
        assert chrome not in text, chrome
    assert doc.body.startswith("为保障公共安全")
    assert doc.body.rstrip().endswith("五、本通告自发布之日起施行。")
    assert issue.coverage.noise_chars >= len("首页>政务公开>通知公告分享到：打印本页关闭窗口")
    assert issue.coverage.lost_chars == 0


def test_a_document_without_a_number_gets_a_stable_id_from_publisher_date_and_title():
    first = parse("general/jinxiang-tonggao-web.txt")
    again = parse("general/jinxiang-tonggao-web.txt")
    doc = first.documents[0]
    assert re.fullmatch(r"370828-20230109-tonggao-[0-9a-f]{8}", doc.document_id)
    assert doc.document_id == again.documents[0].document_id
    assert first.issue_id == "370828-2023-c-" + doc.document_id.removeprefix("370828-")
    # the same document published elsewhere (spaces in its title) keeps its id
    key = ids.unnumbered_document_key(
        "2023-01-09", "金乡县人民政府关于2023年金乡县城区 烟花爆竹禁放的通告", "通告"
    )
    assert doc.document_id == f"370828-{key}"
    assert ids.unnumbered_document_key("", "某某的通知", "通知").startswith("undated-tongzhi-")
    assert ids.document_id(None, "370828-2023-c-x", 3) == "370828-2023-c-x-d03"  # no title at all


def test_a_second_unnumbered_document_after_the_first_ones_end():
    issue = parse("general/liangshan-ocr-oneline.txt")
    second = issue.documents[1]
    assert re.fullmatch(r"370832-20220301-tonggao-[0-9a-f]{8}", second.document_id)
    assert second.body.startswith("为改善环境空气质量")
    assert "2022年3月1日" not in second.body  # the date is the signature


def test_red_header_is_not_the_title_and_names_the_issuer():
    issue = parse("general/jinan-red-header.txt")
    (doc,) = issue.documents
    assert "文件" not in doc.title
    assert doc.body.startswith("为进一步加强城市供水水质管理")
    assert issue.coverage.lost_chars == 0


def test_a_number_broken_over_two_lines_is_one_number():
    (doc,) = parse("general/jinan-party-office-broken-number.txt").documents
    assert doc.document_id == "370100-jitingzi-2012-8"
    assert "8号" not in doc.title + doc.body


@pytest.mark.parametrize(
    "line, text",
    [
        ("济政发【2012】12号", "济政发〔2012〕12号"),
        ("济政发[2012]12号", "济政发〔2012〕12号"),
        ("济政发(2012)12号", "济政发〔2012〕12号"),
        ("济政发（2012）12号", "济政发〔2012〕12号"),
        ("济 政 发 〔 2012 〕 12 号", "济政发〔2012〕12号"),
    ],
)
def test_number_brackets_and_spaces(line, text):
    number = parse_doc_number_line(line)
    assert number.text == text
    assert number.printed == (line if line != text else "")


SENTENCES_LABEL_FIRST = """某某县人民政府关于王某某等同志任职的通知
各乡镇人民政府，县政府各部门：
经县政府研究决定：
任命：
王某某为某某县教育和体育局局长；
李某某为某某县卫生健康局副局长。
某某县人民政府
2023年3月2日
"""


def test_appointment_sentences_under_a_label_in_a_notice_without_a_number():
    issue = parse_source(SENTENCES_LABEL_FIRST, "notice.txt", REGISTRY)
    (doc,) = issue.documents
    assert doc.doc_number is None and doc.signed_on == "2023-03-02"
    rows = [(a.person, a.action, a.post, a.decided_on) for a in issue.appointments]
    assert rows == [
        ("王某某", "任命", "某某县教育和体育局局长", "2023-03-02"),
        ("李某某", "任命", "某某县卫生健康局副局长", "2023-03-02"),
    ]


def test_text_with_no_document_is_still_refused_in_one_line(tmp_path):
    path = tmp_path / "chrome.txt"
    path.write_text("首页 > 政务公开\n分享到：\n鲁ICP备05043521号-1\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"chrome\.txt:1: no documents found"):
        parse_bytes(path, path.read_bytes(), REGISTRY)


RED_HEADER_WITHOUT_NUMBER = """国务院办公厅文件

国务院办公厅关于进一步做好
稳就业工作的通知

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：

为做好稳就业工作，经国务院同意，现就有关事项通知如下。

一、多渠道开发就业岗位。

国务院办公厅    2021年12月10日

（此件公开发布）
"""


def test_red_header_without_a_number_and_a_signature_with_its_date_on_one_line():
    issue = parse_source(RED_HEADER_WITHOUT_NUMBER, "central.txt", REGISTRY)
    (doc,) = issue.documents
    assert doc.title == "国务院办公厅关于进一步做好稳就业工作的通知"
    assert doc.doc_number is None
    assert (doc.issuer, doc.signed_on, doc.public) == ("国务院办公厅", "2021-12-10", True)
    assert doc.recipients == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构"
    assert doc.body == "为做好稳就业工作，经国务院同意，现就有关事项通知如下。\n\n一、多渠道开发就业岗位。"


def test_a_web_documents_address_reaches_the_record_the_package_and_the_page(tmp_path: Path):
    """A document ingested from a web page keeps its address (source_url): the data package carries
    it and the document page links it as 原文链接."""
    import csv
    import shutil

    from click.testing import CliRunner

    from generator.build import build_site
    from generator.cli import cli

    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ROOT / "content" / "publishers.yml", content)
    source = FIXTURES / "web" / "sishui-tonggao.html"
    result = CliRunner().invoke(cli, ["ingest", str(source), "--content", str(content)])
    assert result.exit_code == 0, result.output
    url = "http://www.sishui.gov.cn/art/2023/6/1/art_41223_2645118.html"
    record = (content / "records" / "370831-2023-c-sizhengtong-2023-2.yml").read_text(encoding="utf-8")
    assert f"source_url: {url}" in record
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        (ROOT / "mkdocs.yml")
        .read_text(encoding="utf-8")
        .replace("docs_dir: docs", f"docs_dir: {ROOT / 'docs'}"),
        encoding="utf-8",
    )
    build_site(
        content, tmp_path / "site", tmp_path / "pkg", config, pages_dir=tmp_path / "pages", search=False
    )
    with open(tmp_path / "pkg" / "documents.csv", encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["source_url"] == url
    page = (tmp_path / "site" / "documents" / "370831-sizhengtong-2023-2" / "index.html").read_text("utf-8")
    assert "原文链接" in page
    assert f'href="{url}"' in page


def test_a_record_whose_source_url_is_not_a_web_address_is_refused():
    from generator.model.models import Document, RecordError, from_dict

    base = {"document_id": "x", "seq": 1, "section": "", "title": "t"}
    assert from_dict(Document, {**base, "source_url": "https://example.org/a"}).source_url
    with pytest.raises(RecordError, match="source_url: web address 'javascript:alert"):
        from_dict(Document, {**base, "source_url": "javascript:alert(1)"})


def test_a_pages_date_and_source_lines_are_chrome():
    text = (
        "某某县人民政府关于做好防汛工作的通告\n发布时间：2023-06-01 09:00\n来源：某某县人民政府办公室\n"
        "为做好防汛工作，现将有关事项通告如下：\n一、落实责任。\n某某县人民政府\n2023年6月1日\n"
    )
    issue = parse_source(text, "page.txt", REGISTRY)
    (doc,) = issue.documents
    assert doc.title == "某某县人民政府关于做好防汛工作的通告"
    assert doc.body == "为做好防汛工作，现将有关事项通告如下：\n\n一、落实责任。"
    assert doc.signed_on == "2023-06-01"
    assert issue.coverage.lost_chars == 0


def test_chrome_words_of_a_line_start_count_only_there():
    """A footer's 来源：/版权所有 open their line; the same words inside a gazette's sentence are text.
    Toolbar words (分享到, 打印本页, ICP备) are chrome wherever they stand."""
    from generator.ingest.patterns import is_site_chrome

    for line in (
        "来源：某某县人民政府办公室",
        "版权所有：某某县人民政府",
        "首页 > 政务公开",
        "首页",
        "上一篇：关于…",
    ):
        assert is_site_chrome(line), line
    for line in (
        "资金来源：区级财政专项资金",
        "保护著作权人及版权所有人的合法权益",
        "返回首页",
        "详见下一篇报告",
    ):
        assert not is_site_chrome(line), line
    for line in ("【打印本页】【关闭窗口】", "网站 分享到：", "鲁ICP备05000000号", "本文浏览次数：120"):
        assert is_site_chrome(line), line
