"""人事任免 parsing: one row per person and action, dates, authorities, renamed posts, the sample gazette."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from generator.ingest.appointments import parse_appointments

SOURCES = Path(__file__).resolve().parent.parent / "content" / "sources"
HEAD = ("2021年3月26日", "区人民政府决定：")


def numbered(*texts: str) -> list[tuple[int, str]]:
    return list(enumerate(texts, 1))


def rows(*texts: str) -> list[tuple[str, str, str, str]]:
    """(person, action, post, note) of each row, for statements under HEAD."""
    appointments, problems = parse_appointments(numbered(*HEAD, *texts), 2021, "t")
    assert problems == []
    return [(a.person, a.action, a.post, a.note) for a in appointments]


@pytest.mark.parametrize(
    "texts, expected",
    [
        (
            ("聘任王成喜为区公共就业和人才服务中心主任，聘期三年；",),
            [("王成喜", "聘任", "区公共就业和人才服务中心主任", "聘期三年")],
        ),
        (
            (
                "聘任李大鹏、张海燕为区财政绩效评价中心副主任，聘期三年，不再聘任区非税收入服务中心副主任职务；",
            ),
            [
                ("李大鹏", "聘任", "区财政绩效评价中心副主任", "聘期三年"),
                ("张海燕", "聘任", "区财政绩效评价中心副主任", "聘期三年"),
                ("李大鹏", "不再聘任", "区非税收入服务中心副主任", ""),
                ("张海燕", "不再聘任", "区非税收入服务中心副主任", ""),
            ],
        ),
        (
            (
                "聘任邱保华为区普查中心（区城乡经济调查队）主任（队长），聘期三年，不再聘任区普查中心主任职务；",
            ),
            [
                ("邱保华", "聘任", "区普查中心（区城乡经济调查队）主任（队长）", "聘期三年"),
                ("邱保华", "不再聘任", "区普查中心主任", ""),
            ],
        ),
        (
            ("吴志强不再担任区城市管理行政执法大队大队长职务，原正科级不变；",),
            [("吴志强", "不再担任", "区城市管理行政执法大队大队长", "原正科级不变")],
        ),
        (
            ("肖玉敏不再聘任区慈善总会工作中心副主任，职级待遇不变，行政关系转区残疾人联合会；",),
            [("肖玉敏", "不再聘任", "区慈善总会工作中心副主任", "职级待遇不变，行政关系转区残疾人联合会")],
        ),
        (
            ("孔庆民任区铁路医院副院长（列副院长第一位）。",),
            [("孔庆民", "任命", "区铁路医院副院长", "列副院长第一位")],
        ),
        (
            ("查铮任区综合行政执法大队大队长，不再担任区城市管理行政执法大队副大队长职务；",),
            [
                ("查铮", "任命", "区综合行政执法大队大队长", ""),
                ("查铮", "不再担任", "区城市管理行政执法大队副大队长", ""),
            ],
        ),
        (
            ("任命张三为区审计局局长，免去其区统计局局长职务。",),
            [("张三", "任命", "区审计局局长", ""), ("张三", "免去", "区统计局局长", "")],
        ),
        (("免去李四的区交通运输局副局长职务。",), [("李四", "免去", "区交通运输局副局长", "")]),
        (
            ("聘任张尧为区知识产权事业发展中心主", "", "人事任免", "", "任，聘期三年；"),
            [("张尧", "聘任", "区知识产权事业发展中心主任", "聘期三年")],
        ),
        (
            (
                "原区中小企业发展促进中心主任、副主任职务名称变更为区非公有制经济发展服务中心主任、副主任。"
                "原区殡葬服务所所长职务名称变更为区殡葬服务中心主任。",
            ),
            [
                ("", "职务名称变更", "区中小企业发展促进中心主任", "区非公有制经济发展服务中心主任"),
                ("", "职务名称变更", "区中小企业发展促进中心副主任", "区非公有制经济发展服务中心副主任"),
                ("", "职务名称变更", "区殡葬服务所所长", "区殡葬服务中心主任"),
            ],
        ),
        (
            ("原区群众工作服务中心主任、副主任职务名称变更为区信访事务中心", "人事任免", "主任、副主任。"),
            [
                ("", "职务名称变更", "区群众工作服务中心主任", "区信访事务中心主任"),
                ("", "职务名称变更", "区群众工作服务中心副主任", "区信访事务中心副主任"),
            ],
        ),
        (
            (
                "原区服务业发展中心主任，区就业创业促进中心主任、副主任，",
                "区热力服务中心主任职务自然免除，干部职级待遇不变。",
            ),
            [
                ("", "自然免除", "区服务业发展中心主任", "干部职级待遇不变"),
                ("", "自然免除", "区就业创业促进中心主任", "干部职级待遇不变"),
                ("", "自然免除", "区就业创业促进中心副主任", "干部职级待遇不变"),
                ("", "自然免除", "区热力服务中心主任", "干部职级待遇不变"),
            ],
        ),
        (
            ("原区华融经济发展投资有限公司有关领导职务随机构撤销自然免除。",),
            [("", "自然免除", "区华融经济发展投资有限公司有关领导", "随机构撤销")],
        ),
    ],
)
def test_statements(texts, expected):
    assert rows(*texts) == expected


@pytest.mark.parametrize(
    "date_line, iso",
    [
        ("二〇二一年四月十一日", "2021-04-11"),
        ("二〇二一年三月二十六日", "2021-03-26"),
        ("二〇二〇年十二月三十一日", "2020-12-31"),
        ("2021年3月26日", "2021-03-26"),
        ("2021 年 3 月 6 日", "2021-03-06"),
        ("4月11日", "2021-04-11"),  # year from the issue
    ],
)
def test_block_dates(date_line, iso):
    appointments, problems = parse_appointments(
        numbered(date_line, "区人民政府决定：", "孔庆民任区铁路医院副院长。"), 2021, "t"
    )
    assert problems == []
    assert [(a.decided_on, a.authority) for a in appointments] == [(iso, "区人民政府")]


def test_several_blocks_keep_their_own_date_and_authority():
    appointments, _ = parse_appointments(
        numbered(
            "2021年3月26日",
            "区人民政府决定：",
            "聘任甲乙为区甲中心主任，聘期三年；",
            "二〇二一年四月十一日",
            "区人大常委会决定：",
            "丙丁任区乙局局长。",
        ),
        2021,
        "t",
    )
    assert [(a.decided_on, a.authority, a.person) for a in appointments] == [
        ("2021-03-26", "区人民政府", "甲乙"),
        ("2021-04-11", "区人大常委会", "丙丁"),
    ]


def test_notice_with_headings_and_date_after_the_list():
    appointments, problems = parse_appointments(
        numbered(
            "兖州区人民政府组成人员任免名单",
            "现将济宁市兖州区十八届人大常委会第三十二次会议决定任免的济宁市兖州区人民政府组成人员名单通知如下：",
            "任命：",
            "王瀚为区政府副区长（挂职时间一年）。",
            "黄健为区交通运输局局长。",
            "免去：",
            "孙笋的区交通运输局局长职务。",
            "2021年4月7日",
        ),
        None,
        "t",
    )
    assert problems == []
    assert [(a.decided_on, a.authority, a.person, a.action, a.post, a.note) for a in appointments] == [
        ("2021-04-07", "济宁市兖州区十八届人大常委会", "王瀚", "任命", "区政府副区长", "挂职时间一年"),
        ("2021-04-07", "济宁市兖州区十八届人大常委会", "黄健", "任命", "区交通运输局局长", ""),
        ("2021-04-07", "济宁市兖州区十八届人大常委会", "孙笋", "免去", "区交通运输局局长", ""),
    ]


@pytest.mark.parametrize(
    "texts, code",
    [
        (HEAD + ("张三同志另有任用。",), "appointment-unparsed"),
        (HEAD + ("聘任张三为区甲中心主任，同意辞去区乙中心主任职务；",), "appointment-unparsed"),
        (("区人民政府决定：", "孔庆民任区铁路医院副院长。"), "appointment-undated"),
        (("区人民政府决定：", "2021年2月30日"), "appointment-unparsed"),
    ],
)
def test_what_is_not_understood_is_reported(texts, code):
    _, problems = parse_appointments(numbered(*texts), 2021, "t")
    assert [p.code for p in problems] == [code]
    assert problems[0].severity == "warning"
    assert problems[0].line == len(texts)


def test_ids_and_lines():
    appointments, _ = parse_appointments(
        numbered(*HEAD, "聘任甲乙、丙丁为区甲中心主任，聘", "期三年；"), 2021, "370812-2021-3-4"
    )
    assert [(a.appointment_id, a.line) for a in appointments] == [
        ("370812-2021-3-4-a001", 3),
        ("370812-2021-3-4-a002", 3),
    ]


def yanzhou_section() -> list[tuple[int, str]]:
    """From the first 任免名单 title to the 大事记 title."""
    lines = (SOURCES / "yanzhou-2021-03-04.txt").read_text(encoding="utf-8").split("\n")
    start = next(i for i, text in enumerate(lines) if text.strip().endswith("任免名单"))
    end = next(i for i, text in enumerate(lines) if text.strip() == "兖州区人民政府大事记")
    return [(i + 1, lines[i]) for i in range(start, end)]


def test_yanzhou_sample():
    appointments, problems = parse_appointments(yanzhou_section(), 2021, "y")
    assert problems == []
    assert len(appointments) == 105
    assert Counter(a.action for a in appointments) == {
        "聘任": 39,
        "不再聘任": 25,
        "任命": 5,
        "不再担任": 3,
        "免去": 1,
        "职务名称变更": 16,
        "自然免除": 16,
    }
    assert Counter(a.decided_on for a in appointments) == {
        "2021-04-07": 3,
        "2021-03-26": 101,
        "2021-04-11": 1,
    }
    assert Counter(a.authority for a in appointments) == {
        "济宁市兖州区十八届人大常委会": 3,
        "区人民政府": 102,
    }
    table = [(a.person, a.action, a.post, a.note) for a in appointments]
    # split across lines 1077/1079
    assert ("李国庆", "不再聘任", "区生产力促进中心副主任", "") in table
    # split across lines 1131/1133
    assert ("张尧", "聘任", "区知识产权事业发展中心主任", "聘期三年") in table
    # split across a page break with the running header 人事任免 (lines 1153-1157)
    assert ("", "职务名称变更", "区群众工作服务中心副主任", "区信访事务中心副主任") in table
    assert ("", "职务名称变更", "区政府发展研究中心副主任", "区政府调查研究中心副主任") in table
    assert ("", "自然免除", "区卫生健康服务中心主任", "干部职级待遇不变") in table
    assert ("施凝涛", "不再聘任", "区环卫工作服务中心副主任", "职级待遇不变") in table
    last = appointments[-1]
    assert (last.decided_on, last.person, last.action, last.post, last.note, last.line) == (
        "2021-04-11",
        "孔庆民",
        "任命",
        "区铁路医院副院长",
        "列副院长第一位",
        1167,
    )
