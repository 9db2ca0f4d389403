import pytest

from generator.ingest.docnumbers import correct_doc_number, find_doc_numbers, parse_doc_number_line

YANZHOU = ("济兖政发", "济兖政字", "济兖政办发", "济兖政办字")


@pytest.mark.parametrize(
    "line, text, agency, year, serial, printed",
    [
        ("济兖政发〔2021〕5号", "济兖政发〔2021〕5号", "济兖政发", 2021, 5, ""),
        ("济任政发〔2024〕3 号", "济任政发〔2024〕3号", "济任政发", 2024, 3, "济任政发〔2024〕3 号"),
        ("(济充政发〔2021〕5号)", "济充政发〔2021〕5号", "济充政发", 2021, 5, ""),
        (
            "（周政办字〔2017〕126 号）",
            "周政办字〔2017〕126号",
            "周政办字",
            2017,
            126,
            "周政办字〔2017〕126 号",
        ),
        ("济阳政发[2021]8号", "济阳政发〔2021〕8号", "济阳政发", 2021, 8, "济阳政发[2021]8号"),
        ("济阳政发【2021】8号", "济阳政发〔2021〕8号", "济阳政发", 2021, 8, "济阳政发【2021】8号"),
        ("鲁政发（2019）15号", "鲁政发〔2019〕15号", "鲁政发", 2019, 15, "鲁政发（2019）15号"),
        ("济兖政发〔2021〕第05号", "济兖政发〔2021〕5号", "济兖政发", 2021, 5, "济兖政发〔2021〕第05号"),
    ],
)
def test_parse_doc_number_line(line, text, agency, year, serial, printed):
    number = parse_doc_number_line(line)
    assert (number.text, number.agency, number.year, number.serial, number.printed) == (
        text,
        agency,
        year,
        serial,
        printed,
    )


@pytest.mark.parametrize(
    "line", ["各镇人民政府：", "为贯彻济兖政发〔2021〕5号文件精神，现通知如下。", "2021年3月26日"]
)
def test_lines_that_are_not_a_doc_number(line):
    assert parse_doc_number_line(line) is None


def test_ocr_confusion_is_corrected_and_reported():
    result = correct_doc_number(parse_doc_number_line("(济充政发〔2021〕6号)"), YANZHOU, line=21)
    assert result.number.text == "济兖政发〔2021〕6号"
    assert result.number.printed == "济充政发〔2021〕6号"
    assert (result.problem.severity, result.problem.code, result.problem.line) == (
        "info",
        "doc-number-corrected",
        21,
    )


@pytest.mark.parametrize("printed", ["济兖政发〔2021〕6号", "鲁政发〔2019〕15号", "济政办字〔2016〕26号"])
def test_registered_or_distant_codes_are_left_alone(printed):
    result = correct_doc_number(parse_doc_number_line(printed), YANZHOU)
    assert result.number.text == printed and result.problem is None


def test_find_doc_numbers_in_running_text():
    text = "关于废止济任政发〔2018〕8 号和济任政发〔2019〕5 号文件的通知，根据《意见》（鲁政发〔2019〕15号）"
    found = [n.text for n, _, _ in find_doc_numbers(text, ("济任政发",))]
    assert found == ["济任政发〔2018〕8号", "济任政发〔2019〕5号", "鲁政发〔2019〕15号"]
