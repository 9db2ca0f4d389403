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


def test_numbers_side_by_side_keep_their_own_agency_and_offsets():
    """Two numbers written one after the other: the second's agency starts after the first's
    号; full-width digits are read, the printed form and offsets are the text's own."""
    text = "依据济政发〔2021〕1号济政发〔2021〕2号和历下政发 ［２０２２］第３号文件"
    found = find_doc_numbers(text, ("济政发", "历下政发"))
    assert [(n.text, n.printed, text[a:b]) for n, a, b in found] == [
        ("济政发〔2021〕1号", "", "济政发〔2021〕1号"),
        ("济政发〔2021〕2号", "", "济政发〔2021〕2号"),
        ("历下政发〔2022〕3号", "历下政发 ［２０２２］第３号", "历下政发 ［２０２２］第３号"),
    ]


def test_an_agency_is_read_from_the_sixteen_characters_before_the_bracket():
    """Without a registered code the agency is the end of the Chinese run before the bracket,
    read from its last sixteen characters: after their first 关于, 和, 的 … (here the 和 that
    opens them, not the later one), eight characters at most."""
    for text, agency in [
        (
            "前和甲乙丙丁戊己庚辛壬癸子和丑寅卯〔2021〕1号",
            "辛壬癸子和丑寅卯",
        ),  # the first 和 is 16th from the end
        ("和甲乙丙丁戊己庚辛壬癸子丑和寅卯辰〔2021〕1号", "寅卯辰"),  # the first is 17th: the second counts
    ]:
        ((number, start, end),) = find_doc_numbers(text)
        assert (number.agency, text[start:end]) == (agency, agency + "〔2021〕1号")


def test_a_bracket_right_after_a_number_makes_no_number_of_its_号():
    """The 号 ending one number is not the agency of a bracket that follows it."""
    found = find_doc_numbers("济政发〔2021〕1号〔2022〕2号", ("济政发",))
    assert [n.text for n, _, _ in found] == ["济政发〔2021〕1号"]
