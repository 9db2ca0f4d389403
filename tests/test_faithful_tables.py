"""Table cells store the text as printed.

A table cell, header or caption keeps literal ``**``, HTML tags and ``$`` as written. Only the
extraction artefacts that ``textutil`` knows (a bold pair or HTML element around the whole cell,
the closing half of a bold label, TeX math and TeX sub/superscripts) and TeX symbol commands written
without ``$`` are removed, and ``find_tables`` returns each removal as an info problem
``extraction-artefact`` quoting the whole original cell, on the source line of its row.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from generator.ingest.parse import parse_source
from generator.ingest.tables import clean_cell, find_tables
from generator.model.models import Issue
from generator.model.publishers import load_registry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "content" / "sources"
CODE = "extraction-artefact"


def _numbered(*texts: str) -> list[tuple[int, str]]:
    return list(enumerate(texts, 1))


def _source_lines(stem: str) -> list[tuple[int, str]]:
    return list(enumerate((SOURCES / f"{stem}.txt").read_text(encoding="utf-8").split("\n"), 1))


def _one_table(*texts: str):
    spans, problems = find_tables(_numbered(*texts))
    assert len(spans) == 1
    return spans[0].table, problems


def _artefacts(problems) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for p in problems:
        if p.code == CODE:
            assert p.severity == "info"
            out.setdefault(p.line, []).append(p.message)
    return out


@cache
def _sample(stem: str) -> Issue:
    registry = load_registry(ROOT / "content" / "publishers.yml")
    return parse_source((SOURCES / f"{stem}.txt").read_text(encoding="utf-8"), f"{stem}.txt", registry)


# ---------------------------------------------------------------- literal text comes through unchanged

LITERAL_CELLS = [
    "$5",
    "预算 $5 万元，$10 备用",
    "a**b",
    "**强调**在格中",
    "一是**重要**，二是**次要**",
    "**",
    "前文</div>后文",
    "第一行<br>第二行",
    "<br>",
    "<p>段落</p>之后还有字",
    "公式 $ x $ 照录",
    "- 5",
    "x_1 与 a^2",
    r"$\frac{1}{2}$",
    r"路径 C:\dir\le",
    r"x\times y",
    "*星号*",
]


@pytest.mark.parametrize("cell", LITERAL_CELLS)
def test_literal_cell_is_stored_exactly_and_not_reported(cell):
    table, problems = _one_table("序号\t名称\t备注", f"1\t{cell}\t甲", f"2\t乙\t{cell}")
    assert table.rows == [["1", cell, "甲"], ["2", "乙", cell]]
    assert not _artefacts(problems)
    assert clean_cell(cell) == cell


def test_literal_cells_in_header_and_caption_are_kept():
    table, problems = _one_table(
        "费用**明细**表", "", "序号\t金额 $\t说明</div>", "1\t$5\ta**b", "2\t$6\t<br>"
    )
    assert table.caption == "费用**明细**表"
    assert table.header == [["序号", "金额 $", "说明</div>"]]
    assert table.rows == [["1", "$5", "a**b"], ["2", "$6", "<br>"]]
    assert not _artefacts(problems)


# ---------------------------------------------------------------- real artefacts: corrected and recorded


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("<p>(三) 发挥作用。</p>", "(三) 发挥作用。"),
        ("**一、经济增长**", "一、经济增长"),
        ("<p>**加粗的格**</p>", "加粗的格"),
        ("<td>区卫健局</td>", "区卫健局"),
        ("PM _{2.5}", "PM2.5"),
        ("建筑面积 120m^{2}", "建筑面积 120m²"),
        (r"下降 $\geq 10\%$,8分", "下降 ≥10%,8分"),
        (r"覆盖率 \geq 90%, 1 分", "覆盖率 ≥90%, 1 分"),
        (r"每年 \geq 1次，2分", "每年 ≥1次，2分"),
        (r"比例 50\% 以上", "比例 50% 以上"),
        (r"<p>比例 $\geq 30\%$，1分</p>", "比例 ≥30%，1分"),
        ("主任:** 谭丽娜", "主任: 谭丽娜"),
    ],
)
def test_artefact_in_a_cell_is_corrected_and_recorded_with_the_original(raw, stored):
    table, problems = _one_table("序号\t指标\t备注", f"1\t{raw}\t甲", "2\t乙\t丙")
    assert table.rows[0] == ["1", stored, "甲"]
    assert _artefacts(problems) == {2: [f"提取残留已更正：「{raw}」→「{stored}」"]}
    assert clean_cell(raw) == stored


def test_each_corrected_cell_is_one_problem_on_its_row_quoting_the_whole_cell():
    long_cell = "<p>" + "有自我管理小组的社区覆盖率达到 50%, 4 分; 40-50%, 2 分; 40%以下不得分。" * 2 + "</p>"
    table, problems = _one_table(
        "指标\t要求\t分值",
        "<p>一、政策</p>\t" + long_cell + "\t4",
        "二、环境\tPM _{2.5} 与 $5\t$\\geq 3$",
    )
    assert table.rows[0][:2] == ["一、政策", long_cell[3:-4]]
    assert table.rows[1] == ["二、环境", "PM2.5 与 $5", "≥3"]
    found = _artefacts(problems)
    assert sorted(found) == [2, 3]
    assert found[2] == [
        "提取残留已更正：「<p>一、政策</p>」→「一、政策」",
        f"提取残留已更正：「{long_cell}」→「{long_cell[3:-4]}」",
    ]
    assert found[3] == [
        "提取残留已更正：「PM _{2.5} 与 $5」→「PM2.5 与 $5」",
        "提取残留已更正：「$\\geq 3$」→「≥3」",
    ]
    for messages in found.values():  # one 「original」→「corrected」 pair per problem
        assert all(m.count("」→「") == 1 for m in messages)


def test_header_cells_are_corrected_and_a_repeated_header_is_matched_on_its_stored_text():
    table, problems = _one_table(
        "**序号**\t<p>名称</p>\t数量",
        "1\t甲\t3",
        "",
        "序号\t名称\t数量",  # the header repeated after a page break, without the artefacts
        "2\t乙\t4",
    )
    assert table.header == [["序号", "名称", "数量"]]
    assert table.rows == [["1", "甲", "3"], ["2", "乙", "4"]]
    assert _artefacts(problems) == {
        1: ["提取残留已更正：「**序号**」→「序号」", "提取残留已更正：「<p>名称</p>」→「名称」"]
    }


def test_a_dropped_repeated_header_is_not_reported():
    table, problems = _one_table("序号\t名称\t数量", "1\t甲\t3", "", "<p>序号</p>\t名称\t数量", "2\t乙\t4")
    assert table.rows == [["1", "甲", "3"], ["2", "乙", "4"]]
    assert not _artefacts(problems)  # the row is not stored: nothing of it was corrected


def test_no_table_no_report():
    spans, problems = find_tables(_numbered("**第一篇**·····\t1", "<p>第二篇</p>·····\t5"))
    assert spans == [] and not problems
    spans, problems = find_tables(_numbered("<p>只有一行</p>\t1"))
    assert spans == [] and not problems


def test_caption_artefact_is_corrected_and_recorded_on_the_caption_line():
    spans, problems = find_tables(_numbered("**主要指标表**", "", "序号\t名称\t数量", "1\t甲\t3", "2\t乙\t4"))
    assert spans[0].table.caption == "主要指标表"
    assert _artefacts(problems) == {1: ["提取残留已更正：「**主要指标表**」→「主要指标表」"]}


def test_a_line_that_is_not_the_caption_is_not_reported():
    # a sentence before the table stays body text: parse records its artefacts, not find_tables
    spans, problems = find_tables(
        _numbered("**各单位要认真落实。**", "", "序号\t名称\t数量", "1\t甲\t3", "2\t乙\t4")
    )
    assert spans[0].table.caption == ""
    assert spans[0].start == 2
    assert not _artefacts(problems)


def test_caption_from_a_first_row_of_one_cell():
    table, problems = _one_table(
        "<p>重点任务分工表</p>\t\t", "序号\t任务\t单位", "1\t甲\t区卫健局", "2\t乙\t区教体局"
    )
    assert table.caption == "重点任务分工表"
    assert _artefacts(problems) == {1: ["提取残留已更正：「<p>重点任务分工表</p>」→「重点任务分工表」"]}


# ---------------------------------------------------------------- cell-per-line layout

CELL_PER_LINE = [
    "重点工作任务表",  # 1
    "序号 ",  # 2
    "工作目标 ",  # 3
    "责任单位 ",  # 4
    "完成时限 ",  # 5
    "1",  # 6
    r"<p>提高覆盖率 $\geq 90\%$。</p>",  # 7
    "区卫健局",  # 8
    "6 月底",  # 9
    "2",  # 10
    "**推进体检**",  # 11
    "区教体局",  # 12
    "12 月底",  # 13
    "3",  # 14
    r"覆盖率 $\geq",  # 15: TeX broken over two lines
    r"50\%$ 的社区",  # 16
    "区民政局",  # 17
    "年底",  # 18
    "4",  # 19
    "金额 $5 与 a**b",  # 20
    "区财政局",  # 21
    "年底",  # 22
]


def test_cell_per_line_cells_are_faithful_and_corrections_recorded_on_their_lines():
    spans, problems = find_tables(_numbered(*CELL_PER_LINE))
    assert len(spans) == 1
    table = spans[0].table
    assert table.header == [["序号", "工作目标", "责任单位", "完成时限"]]
    assert table.rows == [
        ["1", "提高覆盖率 ≥90%。", "区卫健局", "6 月底"],
        ["2", "推进体检", "区教体局", "12 月底"],
        ["3", "覆盖率 ≥50% 的社区", "区民政局", "年底"],
        ["4", "金额 $5 与 a**b", "区财政局", "年底"],
    ]
    assert _artefacts(problems) == {
        7: [
            r"提取残留已更正：「<p>提高覆盖率 $\geq 90\%$。</p>」→「提高覆盖率 $\geq 90\%$。」",
            r"提取残留已更正：「提高覆盖率 $\geq 90\%$。」→「提高覆盖率 ≥90%。」",
        ],
        11: ["提取残留已更正：「**推进体检**」→「推进体检」"],
        15: [r"提取残留已更正：「覆盖率 $\geq50\%$ 的社区」→「覆盖率 ≥50% 的社区」"],
    }


# ---------------------------------------------------------------- the samples


@pytest.mark.parametrize(
    "stem, line, original, stored",
    [
        ("rencheng-2024-02", 172, "PM _{2.5}", "PM2.5"),
        ("rencheng-2024-02", 635, r"5年下降 $\geq 10\%$,8分", "5年下降 ≥10%,8分"),
        ("rencheng-2024-02", 640, r"开放比例 $\geq 30\%$,1分", "开放比例 ≥30%,1分"),
        ("yanzhou-2021-03-04", 717, r"覆盖率 \geq 90%, 1 分", "覆盖率 ≥90%, 1 分"),
        ("yanzhou-2021-03-04", 748, r"比例 $\geq 10\%$, 2分", "比例 ≥10%, 2分"),
        ("yanzhou-2021-03-04", 793, r"知晓率 $\geq 50\%$, 2分", "知晓率 ≥50%, 2分"),
        ("zhoucun-2017-06", 1587, "<p>1.开展群众性健身运动。</p>", "1.开展群众性健身运动。"),
        (
            "zhoucun-2017-06",
            1601,
            "<p>2.应用互联网+、健康大数据提供便捷、高效的健康管理服务。</p>",
            "2.应用互联网+、健康大数据提供便捷、高效的健康管理服务。",
        ),
        ("zhoucun-2017-06", 1609, r"覆盖比例 $\geq 70\%$, 2分", "覆盖比例 ≥70%, 2分"),
    ],
)
def test_sample_cell_is_corrected_and_recorded(stem, line, original, stored):
    lines = _source_lines(stem)
    assert original in lines[line - 1][1]
    spans, problems = find_tables(lines)
    cells = [c for s in spans for r in s.table.header + s.table.rows for c in r]
    assert any(stored in c for c in cells)
    assert not any(original in c for c in cells)
    found = _artefacts(problems).get(line, [])
    assert [m for m in found if original in m.split("→")[0]], found


@pytest.mark.parametrize("stem", sorted(p.stem for p in SOURCES.glob("*.txt")))
def test_every_reported_original_is_a_cell_of_its_line(stem):
    lines = dict(_source_lines(stem))
    _, problems = find_tables(list(lines.items()))
    for line, messages in _artefacts(problems).items():
        cells = [c.strip() for c in lines[line].split("\t")]
        for message in messages:
            original, corrected = re.fullmatch(
                r"提取残留已更正：「(.*)」→「(.*)」", message, re.DOTALL
            ).groups()
            assert original in cells, message
            assert original != corrected


@pytest.mark.parametrize("stem", sorted(p.stem for p in SOURCES.glob("*.txt")))
def test_no_table_cell_keeps_tex_or_html_wrappers(stem):
    spans, _ = find_tables(_source_lines(stem))
    for span in spans:
        for cell in [span.table.caption] + [c for r in span.table.header + span.table.rows for c in r]:
            assert "_{" not in cell and "\\geq" not in cell and "\\%" not in cell, cell
            assert not re.fullmatch(r"<(p|td|div|span)>.*</\1>|\*\*.+\*\*", cell), cell


def test_table_corrections_reach_the_issue_problems():
    issue = _sample("rencheng-2024-02")
    messages = {p.line: p.message for p in issue.problems if p.code == CODE}
    assert messages[172] == "提取残留已更正：「PM _{2.5}」→「PM2.5」"
    rows = [r for d in issue.documents for t in d.tables for r in t.rows]
    assert ["PM2.5", "微克/立方米", "约束性", "41", "-", "41", "-"] in rows
    assert not any("_{" in c or "<p>" in c or "\\geq" in c for r in rows for c in r)
