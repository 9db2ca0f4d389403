"""Documents published one by one on government websites (generator/ingest/web.py): an HTML page,
text with front matter or a crawler's 标题：… header, text without line breaks. Each becomes a
collection record; the page's address is kept as an info Problem ``source-url``; site navigation,
breadcrumbs, share buttons and footers never reach a document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.ingest import web
from generator.ingest.stage import IngestError, ingest, parse_bytes
from generator.model.publishers import load_registry

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "tests" / "fixtures" / "web"
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")

CHROME = [
    "首页",
    "政务公开",
    "政务服务",
    "互动交流",
    "走进泗水",
    "当前位置",
    "政策文件",
    "欢迎访问",
    "无障碍",
    "分享到",
    "微信",
    "微博",
    "打印本页",
    "关闭窗口",
    "相关链接",
    "秋季秸秆",
    "防汛",
    "网站地图",
    "主办单位",
    "承办单位",
    "大数据中心",
    "网站标识码",
    "ICP",
    "公网安备",
    "浏览次数",
    "索引号",
    "有效性",
    "11370831004318561K",
]

# file → (issue id, [(title, 文号, signed_on, issuer)], source url)
EXPECTED = {
    "sishui-tonggao.html": (
        "370831-2023-c-sizhengtong-2023-2",
        [
            (
                "泗水县人民政府关于禁止露天焚烧农作物秸秆的通告",
                "泗政通〔2023〕2号",
                "2023-06-01",
                "泗水县人民政府",
            )
        ],
        "http://www.sishui.gov.cn/art/2023/6/1/art_41223_2645118.html",
    ),
    "qufu-yijian.md": (
        "370881-2022-c-quzhengbanfa-2022-7",
        [
            (
                "曲阜市人民政府办公室关于加快推进农村生活污水治理的实施意见",
                "曲政办发〔2022〕7号",
                "2022-04-15",
                "曲阜市人民政府办公室",
            )
        ],
        "https://www.qufu.gov.cn/art/2022/4/18/art_2533_2771034.html",
    ),
    "zoucheng-crawl.txt": (
        "370883-2021-c-zouzhengzi-2021-12",
        [
            (
                "邹城市人民政府关于公布第二批市级非物质文化遗产代表性项目名录的通知",
                "邹政字〔2021〕12号",
                "2021-03-08",
                "邹城市人民政府",
            )
        ],
        "http://www.zoucheng.gov.cn/art/2021/3/10/art_1234_567890.html",
    ),
    "sishui-oneline.txt": (
        "370831-2023-c-sizhengfa-2023-3",
        [
            (
                "泗水县人民政府关于印发泗水县创建省级健康促进县工作实施方案的通知",
                "泗政发〔2023〕3号",
                "2023-05-12",
                "泗水县人民政府",
            ),
            (
                "泗水县人民政府关于禁止露天焚烧农作物秸秆的通告",
                "泗政通〔2023〕2号",
                "2023-06-01",
                "泗水县人民政府",
            ),
        ],
        "",
    ),
}


def parse(name: str):
    path = WEB / name
    return parse_bytes(path, path.read_bytes(), REGISTRY)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_web_sources_give_their_documents_exactly(name: str):
    issue_id, documents, url = EXPECTED[name]
    issue = parse(name)
    assert issue.kind == "collection"
    assert issue.issue_id == issue_id
    found = [
        (d.title, d.doc_number.text if d.doc_number else None, d.signed_on, d.issuer) for d in issue.documents
    ]
    assert found == documents
    urls = [p.message for p in issue.problems if p.code == "source-url"]
    assert urls == ([url] if url else [])
    assert all(p.severity == "info" for p in issue.problems if p.code == "source-url")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_navigation_or_footer_text_reaches_a_document(name: str):
    issue = parse(name)
    for document in issue.documents:
        text = "\n".join([document.title, document.recipients or "", document.body])
        for word in CHROME:
            assert word not in text, (name, word)


def test_html_body_paragraphs_signature_and_metadata():
    page = web.prepare((WEB / "sishui-tonggao.html").read_text(encoding="utf-8"), "sishui-tonggao.html")
    assert page.form == "html"
    assert page.meta["title"] == "泗水县人民政府关于禁止露天焚烧农作物秸秆的通告"
    assert page.meta["number"] == "泗政通〔2023〕2号"
    assert page.meta["issuer"] == "泗水县人民政府"
    assert page.meta["signed"] == "2023-06-01"
    assert page.meta["published"] == "2023-06-02"
    lines = page.text.splitlines()
    assert lines[:2] == ["泗水县人民政府关于禁止露天焚烧农作物秸秆的通告", "泗政通〔2023〕2号"]
    assert lines[-2:] == ["泗水县人民政府", "2023年6月1日"]
    assert lines.count("泗政通〔2023〕2号") == 1  # the page prints it; the metadata block adds no second
    assert [line[:2] for line in lines if line[1:2] == "、"] == ["一、", "二、", "三、", "四、"]
    document = parse("sishui-tonggao.html").documents[0]
    body = (document.recipients or "") + document.body
    assert "禁止露天焚烧农作物秸秆有关事项通告如下" in body
    assert document.body.endswith("四、本通告自发布之日起施行，有效期至2025年6月30日。")


def test_html_is_told_by_its_content_not_its_name(tmp_path: Path):
    renamed = tmp_path / "page.txt"
    shutil.copy(WEB / "sishui-tonggao.html", renamed)
    issue = parse_bytes(renamed, renamed.read_bytes(), REGISTRY)
    assert [d.title for d in issue.documents] == ["泗水县人民政府关于禁止露天焚烧农作物秸秆的通告"]
    assert web.is_html("\ufeff<!DOCTYPE html><html>") and web.is_html("  <html lang='zh'>")
    assert not web.is_html("济南市济阳区人民政府\n关于印发…的通知")


def test_header_supplies_only_missing_title_and_number_lines():
    header = {"title": "某县人民政府关于某事的通知", "number": "某政发〔2020〕1号", "issuer": "某县人民政府"}
    assert web.with_header_lines("各乡镇：\n正文。\n", header) == (
        "某县人民政府关于某事的通知\n某政发〔2020〕1号\n各乡镇：\n正文。\n"
    )
    body = "某县人民政府关于某事的\n通知\n某政发〔2020〕1号\n各乡镇：\n正文。\n"
    assert web.with_header_lines(body, header) == body  # nothing the body holds is added again
    assert web.with_header_lines("某县人民政府关于某事的通知\n正文。\n", header) == (
        "某县人民政府关于某事的通知\n某政发〔2020〕1号\n正文。\n"
    )


def test_one_line_text_is_cut_conservatively():
    text = web.prepare((WEB / "sishui-oneline.txt").read_text(encoding="utf-8"), "x").text
    lines = text.splitlines()
    assert "泗政发〔2023〕3号" in lines and "泗政通〔2023〕2号" in lines
    assert "（此件公开发布）" in lines
    # a number cited in brackets stays inside its sentence
    assert any("（主席令〔2018〕16号）等法律法规规定" in line for line in lines)
    assert "".join(lines) == "".join((WEB / "sishui-oneline.txt").read_text(encoding="utf-8").split())


@pytest.mark.parametrize("sample", sorted((ROOT / "content" / "sources").glob("*.txt")), ids=lambda p: p.name)
def test_gazette_texts_pass_unchanged(sample: Path):
    text = sample.read_text(encoding="utf-8")
    assert web.prepare(text, sample.name).form == ""


@pytest.mark.parametrize(
    "html",
    [
        "<!DOCTYPE html><html><head><title>空</title></head><body></body></html>",
        "<html><body><nav>首页 政务公开</nav><div class='footer'>鲁ICP备05012345号</div></body></html>",
    ],
)
def test_html_page_without_main_text_is_one_line_naming_the_file(html: str, tmp_path: Path):
    path = tmp_path / "empty.html"
    path.write_text(html, encoding="utf-8")
    with pytest.raises(IngestError) as error:
        parse_bytes(path, path.read_bytes(), REGISTRY)
    message = str(error.value)
    assert message.startswith(f"{path}: an HTML page with no main text") and "\n" not in message


def test_ingest_keeps_the_page_as_given_and_its_address(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ROOT / "content" / "publishers.yml", content)
    source = WEB / "sishui-tonggao.html"
    ingest([source], content, workers=1)
    assert (content / "sources" / source.name).read_bytes() == source.read_bytes()
    record = (content / "records" / "370831-2023-c-sizhengtong-2023-2.yml").read_text(encoding="utf-8")
    assert "code: source-url" in record
    assert "http://www.sishui.gov.cn/art/2023/6/1/art_41223_2645118.html" in record


def test_one_line_text_without_spaces_keeps_the_title_whole():
    text = (WEB / "sishui-oneline.txt").read_text(encoding="utf-8").replace(" ", "")
    issue = parse_bytes(Path("sishui-nospace.txt"), text.encode("utf-8"), REGISTRY)
    found = [(d.title, d.doc_number.text if d.doc_number else None, d.signed_on) for d in issue.documents]
    assert found == [(t, n, s) for t, n, s, _ in EXPECTED["sishui-oneline.txt"][1]]


def test_a_gb2312_page_is_read_like_a_utf8_one():
    html = (
        (WEB / "sishui-tonggao.html")
        .read_text(encoding="utf-8")
        .replace('charset="utf-8"', 'charset="gb2312"')
    )
    issue = parse_bytes(Path("gbk.html"), html.encode("gb18030"), REGISTRY)
    assert [(d.title, d.doc_number.text, d.signed_on) for d in issue.documents] == [
        ("泗水县人民政府关于禁止露天焚烧农作物秸秆的通告", "泗政通〔2023〕2号", "2023-06-01")
    ]
