"""Tables: tab-separated and cell-per-line layouts, and their Markdown."""

from pathlib import Path

import pytest

from generator.ingest.tables import clean_cell, find_tables, table_markdown
from generator.model.models import Table

SOURCES = Path(__file__).resolve().parent.parent / "content" / "sources"


def _source_lines(name: str) -> list[tuple[int, str]]:
    return list(enumerate((SOURCES / name).read_text(encoding="utf-8").split("\n"), 1))


def _numbered(*texts: str) -> list[tuple[int, str]]:
    return list(enumerate(texts, 1))


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("PM _{2.5}", "PM2.5"),
        ("$\\geq 10\\%$, 2分", "≥10%, 2分"),
        ("<p>(三) 发挥作用。</p>", "(三) 发挥作用。"),
        ("指 标", "指标"),
        ("区卫健局 区教体局", "区卫健局 区教体局"),
        ("区经信局、 区商务局", "区经信局、区商务局"),
        ("2023 年实际完成", "2023 年实际完成"),
    ],
)
def test_cell_cleaning(raw, clean):
    assert clean_cell(raw) == clean


@pytest.mark.parametrize(
    "lines, rows, columns, header_rows, caption",
    [
        # caption, header, two rows
        (("主要指标表", "", "序号\t名称\t数量", "1\t甲\t3", "2\t乙\t4"), 2, 3, 1, "主要指标表"),
        # page break: blank line and repeated header merged into one table
        (("序号\t名称\t数量", "1\t甲\t3", "", "序号\t名称\t数量", "2\t乙\t4"), 2, 3, 1, ""),
        # two header rows, merged cell, trailing empty cells
        (
            ("指标\t单位\t2023 年\t\t", "\t\t绝对量\t增长\t", "一、经济\t\t\t\t", "产值\t亿元\t5\t1\t"),
            2,
            4,
            2,
            "",
        ),
        # no header: a list of names and posts
        (("张三\t局长", "李四\t主任", "王五\t书记"), 3, 2, 0, ""),
    ],
)
def test_tab_tables(lines, rows, columns, header_rows, caption):
    spans, _ = find_tables(_numbered(*lines))
    assert len(spans) == 1
    table = spans[0].table
    assert (len(table.rows), len(table.header), table.caption) == (rows, header_rows, caption)
    assert {len(r) for r in table.rows + table.header} == {columns}
    assert spans[0].start == 0 and spans[0].end == len(lines)


@pytest.mark.parametrize(
    "lines",
    [
        ("只有一行\t1",),
        ("第一篇文章 (济政发〔2024〕3 号)\t1", "第二篇文章 (济政发〔2024〕4 号)\t7", "【大事记】\t47"),
        ("标题·····\t1", "另一个标题·····\t5"),
    ],
)
def test_not_tables(lines):
    assert find_tables(_numbered(*lines))[0] == []


def test_rencheng_plan_table():
    spans, _ = find_tables(_source_lines("rencheng-2024-02.txt"))
    plan = next(s.table for s in spans if "主要计划指标" in s.table.caption)
    assert plan.caption == "济宁市任城区 2024 年国民经济和社会发展主要计划指标"
    assert plan.header == [
        ["指标名称", "计算单位", "属性", "2023 年实际完成", "", "2024 年计划", ""],
        ["", "", "", "绝对量", "增长 (%)", "绝对量", "增长 (%)"],
    ]
    # 6 section rows + 22 indicators on the first page, 4 after the repeated header
    assert len(plan.rows) == 32
    assert plan.rows[0] == ["一、经济增长", "", "", "", "", "", ""]
    assert plan.rows[1] == ["地区生产总值", "亿元", "预期性", "628", "5.7", "-", "6"]
    assert ["PM2.5", "微克/立方米", "约束性", "41", "-", "41", "-"] in plan.rows
    assert plan.rows[-1][0] == "单位地区生产总值二氧化碳排放降低"
    assert not any(r[0] == "指标名称" for r in plan.rows)
    markdown = table_markdown(plan)
    assert markdown.splitlines()[0].startswith(
        "| 指标名称 | 计算单位 | 属性 | 2023 年实际完成 绝对量 | 2023 年实际完成 增长 (%) |"
    )
    assert len(markdown.splitlines()) == 2 + 32


def test_rencheng_all_tables():
    spans, _ = find_tables(_source_lines("rencheng-2024-02.txt"))
    assert [(len(s.table.rows), len(s.table.rows[0])) for s in spans] == [(32, 7), (5, 5), (63, 7)]
    listing = spans[1].table
    assert listing.caption == "济宁市任城区人民政府 2024 年度重大行政决策事项目录"
    assert listing.rows[1] == [
        "2",
        "《济宁市任城区采煤塌陷地综合治理办法》",
        "区自然资源局",
        "第四季度",
        "主动公开",
    ]


@pytest.mark.parametrize(
    "caption, rows, columns, cell",
    [
        ("周村区食盐监管体制改革任务分工表", 4, 4, (3, 3, None)),
        ("周村区落实国家联合奖惩备忘录重点任务分工", 25, 4, (24, 0, "25")),
        ("专栏 1 加快残疾人小康进程主要指标", 12, 3, (0, 1, ">8.5%")),
        ("重点任务分工", 35, 3, (34, 2, "区委宣传部、区残联")),
        ("取消的区级行政许可事项目录", 5, 6, (4, 1, "木材经营加工许可证")),
        ("周村区退役士兵安排公益性岗位名额分配表", 6, 4, (1, 2, "40")),
    ],
)
def test_zhoucun_tables(caption, rows, columns, cell):
    spans, _ = find_tables(_source_lines("zhoucun-2017-06.txt"))
    table = next(s.table for s in spans if s.table.caption == caption)
    assert (len(table.rows), len(table.rows[0])) == (rows, columns)
    row, col, text = cell
    if text is not None:
        assert table.rows[row][col] == text


def test_jiyang_cell_per_line_task_list():
    spans, problems = find_tables(_source_lines("jiyang-2021-documents.txt"))
    assert len(spans) == 1
    table = spans[0].table
    assert table.caption == "济南市济阳区人民政府 2021 年度重点工作任务配表"
    assert table.header == [["序号", "项目名称及工作目标", "牵头领导", "分项任务", "牵头单位", "节点任务"]]
    serials = [r[0] for r in table.rows if r[0]]
    assert serials == [str(n) for n in range(1, 135)]
    assert {len(r) for r in table.rows} == {6}
    first = table.rows[0]
    assert first[:5] == ["1", "生产总值增长 8.5 。", "高继锋", "", "区发展改革局"]
    assert first[5].startswith("6 月底：4 左右。 8 月底：6 左右。")
    # item 9 has two sub-tasks: the second one is a sub-row without serial
    nine = next(i for i, r in enumerate(table.rows) if r[0] == "9")
    assert table.rows[nine][4] == "区工业和信息化局"
    assert table.rows[nine + 1][0] == ""
    assert table.rows[nine + 1][3] == "用足用好“科技创新 10 条”政策。"
    assert table.rows[nine + 1][4] == "区科技局"
    # a unit wrapped over two lines is one cell
    assert any(r[4] == "区特医食品产业发展促进服务中心" for r in table.rows)
    # no running header left in the rows
    assert not any("牵头领导" in c for r in table.rows for c in r)
    assert problems == []


def test_markdown_escapes_and_pads():
    table = Table(table_id="", caption="", header=[["a", "b"]], rows=[["x|y", "line\nbreak"], ["z"]])
    assert table_markdown(table) == "| a | b |\n|---|---|\n| x\\|y | line break |\n| z |  |"


def test_a_cell_with_only_wide_or_no_break_spaces_is_tidied():
    """Ideographic and no-break spaces are spaces: stripped at a cell's ends, a run inside made
    one space, as ordinary ones (a cell without an ASCII space is tidied too)."""
    assert clean_cell("\u3000合计\u3000") == "合计"
    assert clean_cell("No.\xa0\xa05") == "No. 5"
    assert clean_cell("合计") == "合计"
