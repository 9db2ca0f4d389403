"""References: document numbers cited in a text and how the text relates to them."""

from collections import Counter
from pathlib import Path

import pytest

from generator.ingest.references import find_references

SOURCES = Path(__file__).resolve().parent.parent / "content" / "sources"


def _lines(name: str, first: int, last: int) -> str:
    lines = (SOURCES / name).read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[first - 1 : last])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("依据《山东省实施办法》（鲁政发〔2019〕15号）制定。", [("鲁政发〔2019〕15号", "依据")]),
        ("为贯彻淄政发〔2017〕17号文件，结合实际。", [("淄政发〔2017〕17号", "贯彻")]),
        ("关于落实国发〔2017〕46号文件取消一批区级行政许可事项的通知", [("国发〔2017〕46号", "贯彻")]),
        (
            "关于废止济任政发〔2018〕8 号和济任政发〔2019〕5 号文件的通知",
            [("济任政发〔2018〕8号", "废止"), ("济任政发〔2019〕5号", "废止")],
        ),
        ("《某某办法》（周政发〔2016〕58号）同时废止。", [("周政发〔2016〕58号", "废止")]),
        ("详见《某某通知》（周政发〔2016〕58号）。", [("周政发〔2016〕58号", "引用")]),
        ("按照《关于贯彻落实某某的通知》（济政发〔2020〕6号）要求", [("济政发〔2020〕6号", "依据")]),
        ("（鲁政发〔2019〕\n\n15 号）", [("鲁政发〔2019〕15号", "引用")]),
        ("（兖政字〔2016〕28\n\n- 号）", [("兖政字〔2016〕28号", "引用")]),
        ("根据《某意见》（鲁\n政发〔2020〕6号）精神", [("鲁政发〔2020〕6号", "依据")]),
        ("（鲁政发[2019]15号）和鲁政发［2019］15号", [("鲁政发〔2019〕15号", "引用")]),
    ],
)
def test_reference_forms_and_relations(text, expected):
    found = [(r.cited_doc_number, r.relation) for r in find_references(text)]
    assert found == expected


def test_own_number_is_left_out_and_lines_count_from_first_line():
    text = "关于某事的通知\n济兖政发〔2021〕5号\n\n根据《办法》（国发〔2017〕46号）"
    refs = find_references(text, first_line=40, own_number="济兖政发〔2021〕5 号")
    assert [(r.cited_doc_number, r.line) for r in refs] == [("国发〔2017〕46号", 43)]


def test_list_under_repeal_headings():
    text = "附件1\n决定废止的区政府文件目录\n1. 甲（兖政字〔2016〕4号）\n附件 2\n宣布失效的区政府文件目录\n1. 乙（兖政字〔2016〕26号）"
    assert [(r.cited_doc_number, r.relation) for r in find_references(text)] == [
        ("兖政字〔2016〕4号", "废止"),
        ("兖政字〔2016〕26号", "宣布失效"),
    ]


def test_yanzhou_decision_repeals_33_and_voids_63():
    # the decision says 废止33件，宣布失效63件; its body and two attachments run to line 273
    refs = find_references(_lines("yanzhou-2021-03-04.txt", 45, 273), 45, own_number="济兖政发〔2021〕5号")
    counts = Counter(r.relation for r in refs)
    assert counts == {"废止": 33, "宣布失效": 63}
    by_number = {r.cited_doc_number: r for r in refs}
    assert by_number["兖政字〔2016〕28号"].relation == "废止"  # broken by "- 号）"
    assert by_number["兖政字〔2016〕28号"].line == 76
    assert by_number["兖政办发〔2016〕8号"].relation == "宣布失效"  # title wrapped over two lines


def test_rencheng_repeal_notice():
    refs = find_references(_lines("rencheng-2024-02.txt", 349, 362), 349, own_number="济任政发〔2024〕6号")
    assert {(r.cited_doc_number, r.relation) for r in refs} == {
        ("济任政发〔2018〕8号", "废止"),
        ("济任政发〔2019〕5号", "废止"),
    }


def test_jiyang_wrapped_numbers():
    refs = find_references(
        _lines("jiyang-2021-documents.txt", 1493, 1580), 1493, own_number="济阳政发〔2021〕9号"
    )
    assert [(r.cited_doc_number, r.relation, r.line) for r in refs][:2] == [
        ("鲁政发〔2019〕15号", "依据", 1503),
        ("济政发〔2020〕6号", "依据", 1505),
    ]
