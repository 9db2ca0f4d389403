"""YAML records: round trip, hand-edit detection, errors that name the file, line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.model.models import DocNumber, Document, Event, Issue, Problem
from generator.model.records import RecordFileError, dump_issue, is_hand_edited, load_records, parse_issue

ROOT = Path(__file__).resolve().parent.parent


def small_issue() -> Issue:
    body = "一、总体要求\n\n坚持“两个毫不动摇”。\n\n<script>alert(1)</script> {{ not_jinja }}"
    return Issue(
        issue_id="370812-2021-3-4",
        kind="issue",
        publisher="济宁市兖州区人民政府",
        region_code="370812",
        year=2021,
        number="3-4",
        cumulative_number="87-88",
        published_on="2021-05-10",
        source="x.txt",
        documents=[
            Document(
                "jiyanzhengfa-2021-5",
                1,
                "区政府文件",
                "关于废止的决定",
                "决定",
                DocNumber("济兖政发〔2021〕5号", "济兖政发", 2021, 5, "济充政发〔2021〕5号"),
                signed_on="2021-03-26",
                public=True,
                page=2,
                body=body,
            )
        ],
        events=[Event("370812-2021-3-4-e001", "2021-04-07", "赴临沂市参加学习班", end_date="2021-04-11")],
        problems=[Problem("info", "doc-number-corrected", "济充政发 → 济兖政发", 12)],
    )


def test_round_trip_is_exact():
    issue = small_issue()
    text = dump_issue(issue)
    assert parse_issue(text) == issue
    assert dump_issue(parse_issue(text)) == text


def test_multiline_body_is_a_readable_block():
    text = dump_issue(small_issue())
    assert "body: |" in text
    assert "  坚持“两个毫不动摇”。" in text


def test_dates_stay_text_in_yaml():
    issue = parse_issue(dump_issue(small_issue()))
    assert issue.published_on == "2021-05-10"


def test_hand_edit_is_detected():
    text = dump_issue(small_issue())
    assert not is_hand_edited(text)
    assert is_hand_edited(text.replace("关于废止的决定", "关于废止一批文件的决定"))


@pytest.mark.parametrize(
    "mutate, field, message",
    [
        (lambda t: t.replace("year: 2021", "year: 二〇二一"), "year", "integer"),
        (lambda t: t.replace("kind: issue\n", ""), "kind", "missing"),
        (lambda t: t.replace("  public: true", "  public: maybe"), "documents[0].public", "true/false"),
        (lambda t: t.replace("number: 3-4", "numbr: 3-4"), "numbr", "unknown"),
    ],
)
def test_bad_field_names_file_line_and_field(mutate, field, message):
    good = dump_issue(small_issue())
    bad = mutate(good)
    assert bad != good
    with pytest.raises(RecordFileError) as caught:
        parse_issue(bad, "records/x.yml")
    text = str(caught.value)
    assert text.startswith("records/x.yml:")
    assert field in text and message in text
    if caught.value.line:
        assert field.split(".")[-1].split("[")[0] in bad.split("\n")[caught.value.line - 1]


@pytest.mark.parametrize("text", ["- just\n- a list\n", "plain words", "key: [unclosed\n"])
def test_not_a_record_is_a_clear_error(text):
    with pytest.raises(RecordFileError) as caught:
        parse_issue(text, "records/x.yml")
    assert str(caught.value).startswith("records/x.yml")


def test_committed_sample_records_load():
    issues = load_records(ROOT / "content")
    assert len(issues) == 4
    assert sum(len(i.documents) for i in issues) > 30


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("document_id: jiyanzhengfa-2021-5", "document_id: ../../etc/passwd", "document_id"),
        ("issue_id: 370812-2021-3-4", "issue_id: ../outside", "issue_id"),
        ("event_id: 370812-2021-3-4-e001", "event_id: a/b", "event_id"),
        ("source: x.txt", "source: ../x.txt", "source"),
    ],
)
def test_identifiers_that_would_escape_the_output_are_refused(old, new, field):
    text = dump_issue(small_issue())
    assert old in text
    with pytest.raises(RecordFileError) as caught:
        parse_issue(text.replace(old, new), "records/x.yml")
    message = str(caught.value)
    assert field in message and "safe identifier" in message or "plain file name" in message
    assert new.split(": ")[1] in text.replace(old, new).split("\n")[caught.value.line - 1]


def test_a_record_edited_after_it_was_cached_is_read_again(tmp_path):
    import generator.model.records as records

    path = tmp_path / "records" / "370812-2021-3-4.yml"
    path.parent.mkdir()
    path.write_text(dump_issue(small_issue()), encoding="utf-8")
    assert load_records(tmp_path)[0].documents[0].title == "关于废止的决定"
    assert list((tmp_path / records.CACHE_DIR).glob("370812-2021-3-4.*.pickle"))

    path.write_text(
        path.read_text(encoding="utf-8").replace("关于废止的决定", "关于修改的决定"), encoding="utf-8"
    )
    assert load_records(tmp_path)[0].documents[0].title == "关于修改的决定"

    for cached in (tmp_path / records.CACHE_DIR).glob("*.pickle"):  # damaged: the record still loads
        cached.write_bytes(cached.read_bytes()[:40])
    assert load_records(tmp_path)[0].documents[0].title == "关于修改的决定"


# Records are written and read back through nodes built directly (generator/model/yamltree.py);
# PyYAML's own representer and constructor are the oracle.
_ODD_YAML = [
    "a: 1\nb: -0\nc: +5\nd: 010\ne: 0x1F\nf: 1_000\ng: 1:30\nh: 0o17\n",  # integers of every notation
    "a: yes\nb: Off\nc: TRUE\nd: ~\ne: null\nf:\ng: ''\n",  # booleans and nulls
    "a: 1.5\nb: .inf\n",  # floats: no record field holds one
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",  # a merge key
    "? [1, 2]\n: complex key\n",
    "a: 1\na: 2\n",  # a key given twice
    "n: " + "9" * 101 + "\n",  # an integer too long for any field
    "- one\n- {two: 2}\n- [three]\n",
    "",
    "text: |\n  两行\n  文字\n",
]


@pytest.mark.parametrize("text", _ODD_YAML, ids=range(len(_ODD_YAML)))
def test_records_read_as_pyyaml_reads_them(text):
    import yaml

    from generator.model import records

    try:
        expected = yaml.load(text, Loader=records._Loader)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc), match=re.escape(str(exc.problem))):
            records._load(text)
    else:
        assert records._load(text) == expected
        assert [type(v) for v in _leaves(records._load(text))] == [type(v) for v in _leaves(expected)]


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


STRINGS = [
    "",
    " ",
    "yes",
    "null",
    "123",
    "0x1F",
    "1.5",
    "- item",
    "a: b",
    "#",
    "'",
    '"',
    "\t",
    "行尾 ",
    " 行首",
    "两行\n文字",
    "尾随换行\n",
    "\r\n",
    "\x85",
    "\u2028",
    "\ufeff",
    "\x00",
    "~",
    "<<",
    "=",
    "2021-03-26",
    "*粗体*",
    "&anchor",
    "!tag",
    "%",
    "@",
    "`",
    "|",
    ">",
    "{",
    "[",
    "长" * 12000,
    "a " * 6000,
]


@pytest.mark.parametrize(
    "path", sorted((ROOT / "tests" / "fixtures" / "records").glob("*.yml")), ids=lambda p: p.name
)
def test_records_written_as_pyyaml_writes_them(path):
    """Every record of the fixtures, and one holding awkward strings in every field of text, is
    written byte for byte as yaml.dump writes it, and reads back equal."""
    import dataclasses

    import yaml

    from generator.model import records
    from generator.model.models import to_dict

    issue = parse_issue(path.read_text(encoding="utf-8"), path)
    issue.documents[0] = dataclasses.replace(
        issue.documents[0], title="".join(STRINGS[:30]), body="\n".join(STRINGS)
    )
    issue.documents[0].attachment_titles = STRINGS
    for issue_ in (issue, small_issue()):
        body = yaml.dump(
            to_dict(issue_),
            Dumper=records._Dumper,
            allow_unicode=True,
            sort_keys=False,
            width=10_000,
            default_flow_style=False,
        )
        text = dump_issue(issue_)
        assert text.endswith(body)
        assert parse_issue(text) == issue_
