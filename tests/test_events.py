"""大事记 parsing: month headings, days, ranges, △, wrapped entries, and the two sample gazettes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from generator.ingest.events import parse_events

SOURCES = Path(__file__).resolve().parent.parent / "content" / "sources"


def numbered(*texts: str) -> list[tuple[int, str]]:
    return list(enumerate(texts, 1))


def triples(texts: tuple[str, ...], year: int | None = None) -> list[tuple[str, str, str]]:
    events, problems = parse_events(numbered(*texts), year, "t")
    assert problems == []
    return [(e.date, e.end_date, e.text) for e in events]


@pytest.mark.parametrize(
    "texts, year, expected",
    [
        (("2021年3月", "2日 全市动员大会召开。"), None, [("2021-03-02", "", "全市动员大会召开。")]),
        (("2024 年 4 月", "24 日 区长办公会议召开。"), None, [("2024-04-24", "", "区长办公会议召开。")]),
        (("2021年3月", "2日全市动员大会召开。"), None, [("2021-03-02", "", "全市动员大会召开。")]),
        (
            ("2021年4月", "7-11日 赴临沂市参加学习班。"),
            None,
            [("2021-04-07", "2021-04-11", "赴临沂市参加学习班。")],
        ),
        (("2021年4月", "26-27 日 参加人代会。"), None, [("2021-04-26", "2021-04-27", "参加人代会。")]),
        (("2021年4月", "30日-5月2日 赴外地招商。"), None, [("2021-04-30", "2021-05-02", "赴外地招商。")]),
        (
            ("2021年3月", "2日 甲会议召开。", "△ 乙会议召开。", "3日 丙会议召开。"),
            None,
            [
                ("2021-03-02", "", "甲会议召开。"),
                ("2021-03-02", "", "乙会议召开。"),
                ("2021-03-03", "", "丙会议召开。"),
            ],
        ),
        (
            ("2021年4月", "7-11日 参加学习班。", "△ 另一项活动。"),
            None,
            [("2021-04-07", "2021-04-11", "参加学习班。"), ("2021-04-07", "2021-04-11", "另一项活动。")],
        ),
        (
            ("2021年3月", "8日 区长办公会议，安排部署项目申", "报、医疗卫生等工作。"),
            None,
            [("2021-03-08", "", "区长办公会议，安排部署项目申报、医疗卫生等工作。")],
        ),
        (
            (
                "2021年3月",
                "8日 区长办公会议，安排部署项目申",
                "",
                "兖州区人民政府大事记",
                "12",
                "报、医疗卫生等工作。",
            ),
            None,
            [("2021-03-08", "", "区长办公会议，安排部署项目申报、医疗卫生等工作。")],
        ),
        (
            ("2024年6月", "13日 协商活动。", "△ 副区长作全区2", "023年度工作报告。"),
            None,
            [("2024-06-13", "", "协商活动。"), ("2024-06-13", "", "副区长作全区2023年度工作报告。")],
        ),
        (
            ("2021年3月", "20日 会议确定活动于下月", "5日起举行。"),
            None,
            [("2021-03-20", "", "会议确定活动于下月5日起举行。")],
        ),
        (
            ("2021年3月", "31日 甲。", "2021年4月", "1日 乙。"),
            None,
            [("2021-03-31", "", "甲。"), ("2021-04-01", "", "乙。")],
        ),
        (
            (
                "任城区人民政府大事记",
                "2024年4月",
                "30日 甲。",
                "任城区人民政府大事记",
                "2024年5月",
                "1日 乙。",
            ),
            None,
            [("2024-04-30", "", "甲。"), ("2024-05-01", "", "乙。")],
        ),
        (("3月", "2日 甲。"), 2021, [("2021-03-02", "", "甲。")]),
        (
            ("2020年12月", "31日 甲。", "1月", "1日 乙。"),
            None,
            [("2020-12-31", "", "甲。"), ("2021-01-01", "", "乙。")],
        ),
        (("2021年3月", "2日 Review of the", "plan."), None, [("2021-03-02", "", "Review of the plan.")]),
    ],
)
def test_entries(texts, year, expected):
    assert triples(texts, year) == expected


@pytest.mark.parametrize(
    "texts, bad_line",
    [
        (("2日 没有月份标题的条目。",), 1),
        (("2021年3月", "△ 没有前一条。"), 2),
        (("2021年4月", "31日 四月没有31日。"), 2),
        (("2021年4月", "11-7日 范围倒置。"), 2),
        (("说明文字。", "2021年3月", "2日 甲。"), 1),
        (("2021年4月", "30日 甲。", "2021年5月10日出版"), 3),
        (("2021年4月", "30日 甲。", "主管主办：济宁市兖州区人民政府"), 3),
    ],
)
def test_odd_lines_become_problems(texts, bad_line):
    events, problems = parse_events(numbered(*texts), None, "t")
    assert [p.line for p in problems] == [bad_line]
    assert problems[0].severity == "warning"
    assert all(texts[bad_line - 1] not in e.text for e in events)


def test_ids_count_up_and_lines_point_at_entry_start():
    events, _ = parse_events(numbered("2021年3月", "2日 甲开", "始。", "△ 乙。"), None, "370812-2021-3-4")
    assert [(e.event_id, e.line) for e in events] == [
        ("370812-2021-3-4-e001", 2),
        ("370812-2021-3-4-e002", 4),
    ]


def section(name: str, start_marker: str) -> list[tuple[int, str]]:
    """The 大事记 section of a sample: from its title line (not the TOC entry) to the end of the file."""
    lines = (SOURCES / name).read_text(encoding="utf-8").split("\n")
    start = next(i for i, text in enumerate(lines) if text.strip() == start_marker)
    return [(i + 1, text) for i, text in enumerate(lines) if i >= start]


def by_date(events) -> dict[str, list]:
    out: dict[str, list] = {}
    for event in events:
        out.setdefault(event.date, []).append(event)
    return out


def test_yanzhou_sample():
    events, problems = parse_events(section("yanzhou-2021-03-04.txt", "兖州区人民政府大事记"), 2021, "y")
    assert len(events) == 73
    assert Counter(e.date[:7] for e in events) == {"2021-03": 36, "2021-04": 37}
    days = by_date(events)
    assert len(days["2021-03-23"]) == 5  # 23日 and four △
    assert days["2021-03-08"][0].text == (
        "区委副书记、区长王骁主持召开区政府第109次区长办公会议，安排部署项目申报、医疗卫生、"
        "安全生产、重大项目建设等近期重点工作。"
    )
    ranges = [(e.date, e.end_date, e.text) for e in events if e.end_date]
    assert ranges == [
        ("2021-04-07", "2021-04-11", "区委副书记、区长王骁赴临沂市参加省委党史学习教育专题学习班(第2期)。"),
        ("2021-04-26", "2021-04-27", "区委副书记、区长王骁参加济宁市第十七届人民代表大会第八次会议。"),
    ]
    assert days["2021-04-24"][0].text.startswith("市委副书记、代市长于永生来兖督导检查污水处理运行情况。")
    assert events[-1].date == "2021-04-30"
    assert events[-1].text.endswith("2021 年老旧小区改造项目等情况汇报，安排部署近期重点工作。")
    # the colophon after the last entry is reported, never glued to it
    assert {p.line for p in problems} == {1331, 1333, 1334, 1335, 1336}


def test_rencheng_sample():
    events, problems = parse_events(section("rencheng-2024-02.txt", "任城区人民政府大事记"), 2024, "r")
    assert problems == []
    assert len(events) == 88
    assert Counter(e.date[:7] for e in events) == {"2024-04": 28, "2024-05": 34, "2024-06": 26}
    days = by_date(events)
    assert len(days["2024-04-09"]) == 4
    assert days["2024-04-09"][1].text.startswith(
        "区委副书记、区长、区政府党组书记宋华东主持召开区三届人民政府第32次党组会议，"
    )
    assert days["2024-05-11"][0].text == (
        "全区一季度工作总结暨攻坚二季度动员会议召开。区委书记张令华出席并讲话，区委副书记、区长宋华东主持。"
    )
    assert (
        days["2024-06-15"][0].text
        == "区委书记张令华就重点项目建设情况现场办公。区委常委、常务副区长金平参加活动。"
    )
    assert [e.text for e in days["2024-06-13"]][1].endswith(
        "副区长盛振亮作全区2023年度社会心理服务体系建设工作报告。"
    )
    assert events[0].date == "2024-04-02" and events[-1].date == "2024-06-29"
    assert not any(e.end_date for e in events)
