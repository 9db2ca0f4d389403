"""The text a record stores is the text as printed.

Ingest removes only what is demonstrably an extraction artefact (a Markdown list marker at a line's
start, a bold pair around a whole line or heading, an HTML element around a whole table cell, TeX),
and records every removal as an ``extraction-artefact`` problem that quotes the original. The same
characters anywhere else (``**`` or ``</div>`` inside a sentence, ``$5``, ``$ x $``, ``*``) are text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from generator.ingest.parse import parse_source
from generator.ingest.textutil import apply_edits, line_artefacts, span_artefacts
from generator.model.models import Issue
from generator.model.publishers import Registry, load_registry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "content" / "sources"
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")
CODE = "extraction-artefact"


@cache
def sample(stem: str) -> Issue:
    return parse_source((SOURCES / f"{stem}.txt").read_text(encoding="utf-8"), f"{stem}.txt", REGISTRY)


def source_line(stem: str, line: int) -> str:
    return (SOURCES / f"{stem}.txt").read_text(encoding="utf-8").split("\n")[line - 1]


def artefacts(issue: Issue, line: int | None = None) -> list[str]:
    return [p.message for p in issue.problems if p.code == CODE and (line is None or p.line == line)]


def stored_texts(issue: Issue) -> list[str]:
    """Every text field a record stores from the source's documents."""
    out = [e.title for e in issue.toc]
    for doc in issue.documents:
        out += [doc.title, doc.issuer, doc.recipients, doc.body, *doc.attachment_titles]
        out += (
            [a.label for a in doc.attachments]
            + [a.title for a in doc.attachments]
            + [a.body for a in doc.attachments]
        )
    return out


# ---------------------------------------------------------------- literal text comes through unchanged

# Lines inserted into the first document of the Yanzhou sample, after its second paragraph. Each ends
# a sentence, so each is a paragraph of its own.
LITERAL = [
    "**强调**在句中，不是标题。",
    "各单位要把**强调**在句中的要求落实到位，**重点**工作**重点**推进。",
    "网页模板中的</div>和<br>按原文保留。",
    "</div>",
    "公式 $ x $ 与金额 $5、$10 均照录。",
    "*星号*标注的指标为约束性指标，*号不是标记。",
    "- 2 -",
    "一是2**3不是加粗；二是** 单独的星号也照录。",
    "标签：**重点**与后文同在一行。",
]
ANCHOR = "对本部门单位、本镇街印发的相关文件抓紧进行清理"


@cache
def yanzhou_with_literal_text() -> Issue:
    lines = (SOURCES / "yanzhou-2021-03-04.txt").read_text(encoding="utf-8").split("\n")
    at = next(k for k, line in enumerate(lines) if line.startswith(ANCHOR)) + 1
    for text in reversed(LITERAL):
        lines[at:at] = ["", text]
    return parse_source("\n".join(lines), "yanzhou-literal.txt", REGISTRY)


@pytest.mark.parametrize("text", LITERAL)
def test_literal_marks_in_a_body_are_stored_exactly(text):
    issue = yanzhou_with_literal_text()
    paragraphs = issue.documents[0].body.split("\n\n")
    assert text in paragraphs or "\\" + text in paragraphs  # "\- 2 -": Markdown escape, not a change of text


def test_literal_marks_are_not_reported_as_artefacts():
    issue = yanzhou_with_literal_text()
    base = sample("yanzhou-2021-03-04")
    assert len(artefacts(issue)) == len(artefacts(base))
    assert not [m for m in artefacts(issue) if any(text in m for text in LITERAL)]


def test_inserting_literal_text_changes_nothing_else():
    issue, base = yanzhou_with_literal_text(), sample("yanzhou-2021-03-04")
    body = issue.documents[0].body
    for text in LITERAL:
        body = body.replace("\n\n\\" + text if text.startswith("-") else "\n\n" + text, "", 1)
    assert body == base.documents[0].body
    assert [d.title for d in issue.documents] == [d.title for d in base.documents]
    assert issue.coverage.lost_chars == base.coverage.lost_chars


# ---------------------------------------------------------------- real artefacts: corrected and recorded


@pytest.mark.parametrize(
    "stem, line, original, stored",
    [
        # Markdown list marker and the closing half of a bold label (the opening one was lost)
        ("yanzhou-2021-03-04", 395, "- 主任:** 谭丽娜 (副区长)", "主任: 谭丽娜 (副区长)"),
        ("yanzhou-2021-03-04", 397, "- 刘守全 (区发展和改革委员会)", "刘守全 (区发展和改革委员会)"),
        ("rencheng-2024-02", 533, "- 组 长：**宋华东 区委副书记、区长", "组 长：宋华东 区委副书记、区长"),
        # TeX
        ("rencheng-2024-02", 131, "PM_{2.5}", "PM2.5"),
        ("rencheng-2024-02", 432, r"$\geq 10\%$", "≥10%"),
        ("rencheng-2024-02", 440, r"$\geq 30\%$", "≥30%"),
        # a heading bolded over three lines: the attachment title
        (
            "rencheng-2024-02",
            529,
            "**济宁市任城区创建国家慢性",
            "济宁市任城区创建国家慢性非传染性疾病综合防控示范区领导小组成员名单",
        ),
    ],
)
def test_sample_artefact_is_corrected_and_recorded_with_the_original(stem, line, original, stored):
    issue = sample(stem)
    assert original in source_line(stem, line)
    assert any(stored in text for text in stored_texts(issue))
    assert not any(original in text for text in stored_texts(issue))
    messages = artefacts(issue, line)
    assert len(messages) == 1 and original in messages[0], messages
    problem = next(p for p in issue.problems if p.code == CODE and p.line == line)
    assert problem.severity == "info"


def test_bold_run_in_headings_inside_a_sentence_are_text():
    """Zhoucun prints 一是 … 五是 in bold inside one paragraph: kept as printed (Markdown shows them bold)."""
    issue = sample("zhoucun-2017-06")
    body = next(d.body for d in issue.documents if "**一是**严重危害" in d.body)
    assert all(f"**{n}是**" in body for n in "一二三四五")
    assert not [m for m in artefacts(issue) if "一是" in m]


@pytest.mark.parametrize("stem", sorted(p.stem for p in SOURCES.glob("*.txt")))
def test_no_stored_text_keeps_tex_or_markdown_list_markers(stem):
    for text in stored_texts(sample(stem)):
        assert "_{" not in text and "\\geq" not in text and not re.search(r"(?m)^- (?!\d)", text), text[:200]


@pytest.mark.parametrize("stem", sorted(p.stem for p in SOURCES.glob("*.txt")))
def test_every_recorded_original_is_in_the_source(stem):
    source = re.sub(r"\s+", "", (SOURCES / f"{stem}.txt").read_text(encoding="utf-8"))
    for message in artefacts(sample(stem)):
        for original in re.findall(r"「(.*?)」→", message):
            assert re.sub(r"\s+", "", original.strip("…")) in source, message


# ---------------------------------------------------------------- every stored field, in a small gazette

SMALL_REGISTRY = Registry.from_dict(
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

SMALL = """济宁市兖州区人民政府关于做好**重点**防火工作的通知

济兖政字〔2022〕7 号

- 各镇人民政府，各街道办事处：

**一、提高认识**

各单位要高度重视**防火**工作，PM _{2.5} 浓度下降 $\\geq 5\\%$ ，预算 $5 万元。

附件：1. 责任分工表
2. 联系人名单

济宁市兖州区人民政府
二〇二二年三月一日

（此件公开发布）

**附件1**

**责任分工表**

<p>区应急局</p>负责总体协调</div>。

附件2

联系人名单

张三 区应急局
"""


def test_every_stored_field_keeps_text_and_drops_only_recorded_artefacts():
    issue = parse_source(SMALL, "small.txt", SMALL_REGISTRY)
    doc = issue.documents[0]
    assert doc.title == "济宁市兖州区人民政府关于做好**重点**防火工作的通知"
    assert doc.recipients == "各镇人民政府，各街道办事处"
    assert "### 一、提高认识" in doc.body
    assert "各单位要高度重视**防火**工作，PM2.5 浓度下降 ≥5% ，预算 $5 万元。" in doc.body
    assert doc.attachment_titles == ["责任分工表", "联系人名单"]
    assert [(a.label, a.title) for a in doc.attachments] == [("附件1", "责任分工表"), ("附件2", "联系人名单")]
    assert doc.attachments[0].body == "<p>区应急局</p>负责总体协调</div>。"  # not around a whole cell: text
    recorded = {p.line: p.message for p in issue.problems if p.code == CODE}
    line = {text: SMALL.split("\n").index(text) + 1 for text in SMALL.split("\n") if text}
    assert sorted(recorded) == sorted(
        line[t]
        for t in [
            "- 各镇人民政府，各街道办事处：",
            "**一、提高认识**",
            "**附件1**",
            "**责任分工表**",
            next(t for t in line if "PM _{2.5}" in t),
        ]
    )
    assert (
        "「- 各镇人民政府，各街道办事处：」→「各镇人民政府，各街道办事处：」"
        in recorded[line["- 各镇人民政府，各街道办事处："]]
    )
    assert "「**一、提高认识**」→「一、提高认识」" in recorded[line["**一、提高认识**"]]
    assert "「**附件1**」→「附件1」" in recorded[line["**附件1**"]]
    tex = recorded[next(n for t, n in line.items() if "PM _{2.5}" in t)]
    assert tex == (
        "提取残留已更正：「各单位要高度重视**防火**工作，PM _{2.5} 浓度下降 $\\geq 5\\%$ ，预算 $5 万元。」"
        "→「各单位要高度重视**防火**工作，PM2.5 浓度下降 ≥5% ，预算 $5 万元。」"
    )


# ---------------------------------------------------------------- the rules, one line at a time


@pytest.mark.parametrize(
    "text, stored",
    [
        ("- 主任:** 谭丽娜 (副区长)", "主任: 谭丽娜 (副区长)"),
        ("- | | | | |", "| | | | |"),
        ("**一、总体要求**", "一、总体要求"),
        ("<p>(1) 学生健康体检率≥90%</p>\t<p>2分</p>\t7", "(1) 学生健康体检率≥90%\t2分\t7"),
        ("<p>**加粗的格**</p>", "加粗的格"),
        ("持续优化生态环境，PM_{2.5} 浓度", "持续优化生态环境，PM2.5 浓度"),
        ("PM _{2.5}\t微克/立方米", "PM2.5\t微克/立方米"),
        ("建筑面积 120m^{2}", "建筑面积 120m²"),
        (r"比例 $\geq 30\%$ ，", "比例 ≥30% ，"),
        (r"误差 $\pm 0.5$ 度，$\text{CO}_{2}$ 排放", "误差 ±0.5 度，CO2 排放"),
    ],
)
def test_artefact_rules(text, stored):
    edits = line_artefacts(text)
    kept = apply_edits(text, edits)
    assert apply_edits(kept, span_artefacts(kept)) == stored


@pytest.mark.parametrize(
    "text",
    [
        "**强调**在句中",
        "一是**重要**讲话",
        "</div>",
        "<br>",
        "$ x $",
        "$5 和 $6",
        "*星号*",
        "2**3",
        "**",
        "** **",
        "- 2 -",
        "-5℃",
        "• 要点",
        "<p>段落</p>之后还有字",
        r"$\frac{1}{2}$",
        "x_1 与 a^2",
        "关于**重点**工作的**通知**",
        "**一是**……**二是**",
        "**济宁市关于做好**重点**工作的通知**",  # two bold pairs, or three: not one around the line
    ],
)
def test_text_that_is_not_an_artefact_is_kept(text):
    assert apply_edits(text, line_artefacts(text)) == text
    assert not span_artefacts(text)
