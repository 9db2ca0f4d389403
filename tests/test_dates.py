import pytest

from generator.ingest.dates import cn_number, is_date_line, parse_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021年3月26日", "2021-03-26"),
        ("2024 年 4 月 7 日", "2024-04-07"),
        ("二〇二一年四月十一日", "2021-04-11"),
        ("二〇二一年三月二十六日", "2021-03-26"),
        ("二○二○年十二月三十一日", "2020-12-31"),
        ("二零一七年十月一日", "2017-10-01"),
        ("二0一二年四月二十七日", "2012-04-27"),  # the digit 0 typed for 〇
        ("二０一二年四月二十七日", "2012-04-27"),
        ("２０２１年１２月３１日", "2021-12-31"),
        ("（2021年3月26日印发）", "2021-03-26"),
        ("2021年2月30日", ""),
        ("没有日期", ""),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, year, expected",
    [
        ("6 月 30 日出版", 2024, "2024-06-30"),
        ("5月10日", 2021, "2021-05-10"),
        ("6 月 30 日出版", None, ""),
    ],
)
def test_month_day_takes_given_year(text, year, expected):
    assert parse_date(text, year) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("三十一", 31),
        ("二〇二一", 2021),
        ("2024", 2024),
        ("甲", None),
    ],
)
def test_cn_number(text, expected):
    assert cn_number(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021年4月13日", True),
        ("2024 年 4 月 7 日  ", True),
        ("2021年4月13日印发", False),
        ("截至2021年4月13日，", False),
    ],
)
def test_is_date_line(text, expected):
    assert is_date_line(text) is expected
