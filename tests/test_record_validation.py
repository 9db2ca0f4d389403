"""A record edited by hand into something the archive cannot hold is refused when it is read:
through the real command line, one line naming the record file, the line and what is wrong,
a non-zero exit, and nothing written.

Each case edits one line of a copy of a sample record (found by pattern, not by line number,
so that re-ingested samples keep the tests valid) and runs `gazette check` and
`gazette datapackage --out` on the copy.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.model import records
from generator.model.models import Document, Issue, Table
from generator.model.records import RecordFileError, dump_issue, parse_issue

ROOT = Path(__file__).resolve().parent.parent
RECORD = "370812-2021-3-4.yml"  # the sample with documents, appointments and events


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(folder).parts
    }


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of content/ (registry and records; the sources are not needed to read records)."""
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy(ROOT / "content" / "publishers.yml", folder)
    shutil.copytree(ROOT / "content" / "records", folder / "records")
    return folder


def edit(content: Path, pattern: str, replacement: str, name: str = RECORD) -> tuple[Path, int]:
    """Replace the first line matching ``pattern`` (a regex over one line) in a record; returns
    the record's path as the commands name it, and the 1-based line of the edit."""
    record = content / "records" / name
    text = record.read_text(encoding="utf-8")
    found = re.search(pattern, text, re.MULTILINE)
    assert found, pattern
    record.write_text(text[: found.start()] + replacement + text[found.end() :], encoding="utf-8")
    return record.resolve(), text.count("\n", 0, found.start()) + 1


def assert_refused(content: Path, record: Path, line: int | None, says: str, tmp_path: Path) -> str:
    """`gazette check` and `gazette datapackage` both exit 1 with one error line naming the
    record (and line) and saying ``says``; nothing is written. Returns the message."""
    before = snapshot(content)
    messages = set()
    for args in (
        ["check", "--content", content, "--datapackage", tmp_path / "package", "--site", tmp_path / "site"],
        ["datapackage", "--content", content, "--out", tmp_path / "out"],
    ):
        start = time.perf_counter()
        code, output = run(*args)
        assert time.perf_counter() - start < 20, args[0]
        assert code == 1, (args[0], output)
        errors = [row for row in output.splitlines() if row.startswith("错误 error:")]
        assert len(errors) == 1, output
        assert "Traceback" not in output and "internal error" not in output, output
        message = errors[0].removeprefix("错误 error: ")
        where = f"{record}:{line}: " if line else f"{record}: "
        assert message.startswith(where), (message, where)
        assert says in message, (says, message)
        assert len(message) < len(where) + 300, message
        messages.add(message)
    assert len(messages) == 1, messages  # both commands say the same
    assert not (tmp_path / "out").exists() and not (tmp_path / "package").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]  # no staging debris
    assert snapshot(content) == before  # the record is left as the user wrote it
    return messages.pop()


# ---------------------------------------------------------------- anchors and aliases

BILLION_LAUGHS = "".join(
    ["lol0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"]
    + [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 20)]
)


def test_billion_laughs_is_refused_at_once(content: Path, tmp_path: Path):
    record, line = edit(content, r"^kind: ", BILLION_LAUGHS + "kind: ")
    message = assert_refused(
        content, record, line, "YAML anchors and aliases are not allowed in records", tmp_path
    )
    assert message.endswith("(found &a0); write the value out")


def test_an_anchor_and_its_alias_are_refused_at_the_anchor(content: Path, tmp_path: Path):
    record, line = edit(content, r"^kind: .*$", "kind: &k issue")
    edit(content, r"^  section: .*$", "  section: *k")
    assert_refused(
        content, record, line, "YAML anchors and aliases are not allowed in records (found &k)", tmp_path
    )


def test_an_alias_without_its_anchor_is_refused_too(content: Path, tmp_path: Path):
    record, line = edit(content, r"^  section: .*$", "  section: *k")
    assert_refused(
        content, record, line, "YAML anchors and aliases are not allowed in records (found *k)", tmp_path
    )


def test_dump_issue_writes_no_anchor_even_for_shared_values():
    rows = [["a", "b"]]
    table = Table("t-1", "表", header=rows, rows=rows)
    issue = Issue(
        "x-1",
        "issue",
        "发布机关",
        "370812",
        2021,
        documents=[Document("d-1", 1, "栏目", "标题", tables=[table, table])],
    )
    text = dump_issue(issue)
    assert "&id" not in text and "*id" not in text
    assert parse_issue(text) == issue
    shared = ["x"]  # the record dumper never writes one, even for a value shared in the data it is given
    assert yaml.dump({"a": shared, "b": shared}, Dumper=records._Dumper) == "a:\n- x\nb:\n- x\n"


# ---------------------------------------------------------------- explicit tags and nesting


def test_explicit_yaml_tag_is_refused(content: Path, tmp_path: Path):
    record, line = edit(content, r"^year: .*$", "year: !!python/object/apply:os.system ['true']")
    assert_refused(
        content,
        record,
        line,
        "YAML tags are not allowed in records (found !!python/object/apply:os.system)",
        tmp_path,
    )


@pytest.mark.parametrize("value", ["[" * 100_000 + "]" * 100_000, "\n" + "- " * 100_000 + "x"])
def test_absurd_nesting_is_refused_not_a_crash(content: Path, tmp_path: Path, value):
    # libyaml's composer recursed once per level and crashed the process (segmentation fault)
    record, line = edit(content, r"^kind: .*$", "kind: " + value)
    assert_refused(
        content, record, line + value.startswith("\n"), "nested more than 64 levels deep", tmp_path
    )


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "pattern, field",
    [
        (r"^  signed_on: .*$", "documents[0].signed_on"),
        (r"^  printed_on: .*$", "documents[0].printed_on"),
        (r"^published_on: .*$", "published_on"),
        (r"^  date: .*$", "events[0].date"),
        (r"^  end_date: .*$", "events[0].end_date"),
        (r"^  decided_on: .*$", "appointments[0].decided_on"),
    ],
)
@pytest.mark.parametrize(
    "value, says",
    [
        (
            "'2021-02-30'",
            "'2021-02-30' is not a real date (day is out of range for month); write YYYY-MM-DD, or '' when unknown",
        ),
        ("2021-02-30", "'2021-02-30' is not a real date"),  # unquoted: YAML's own date reading crashed on it
        ("yesterday", "expected a date as YYYY-MM-DD (or '' when unknown), got 'yesterday'"),
        ("'2021-3-7'", "expected a date as YYYY-MM-DD (or '' when unknown), got '2021-3-7'"),
    ],
)
def test_bad_date_names_file_line_and_field(content: Path, tmp_path: Path, pattern, field, value, says):
    key = pattern.strip("^").split(":")[0]
    record, line = edit(content, pattern, f"{key}: {value}")
    assert_refused(content, record, line, f"field {field}: {says}", tmp_path)


def test_a_date_written_without_quotes_is_read_as_the_same_date(content: Path, tmp_path: Path):
    record, _ = edit(content, r"^published_on: '(\d{4}-\d\d-\d\d)'$", "published_on: 2021-05-10")
    issue = parse_issue(record.read_text(encoding="utf-8"), record)
    assert issue.published_on == "2021-05-10"


# ---------------------------------------------------------------- years and integers


@pytest.mark.parametrize(
    "pattern, key, field",
    [
        (r"^year: .*$", "year", "field year:"),
        (r"^    year: .*$", "    year", "field documents[0].doc_number.year:"),
    ],
)
@pytest.mark.parametrize("value", ["99999999999999999999", "0", "1899", "2201", "-2021"])
def test_implausible_year_is_refused(content: Path, tmp_path: Path, pattern, key, field, value):
    # 99999999999999999999 used to reach SQLite and raise OverflowError there
    record, line = edit(content, pattern, f"{key}: {value}")
    assert_refused(
        content, record, line, f"{field} {value} is not a plausible year: expected 1900 to 2200", tmp_path
    )


@pytest.mark.parametrize(
    "pattern, key, field",
    [
        (r"^  page: .*$", "  page", "field toc[0].page:"),
        (r"^  seq: .*$", "  seq", "field documents[0].seq:"),
        (r"^    serial: .*$", "    serial", "field documents[0].doc_number.serial:"),
        (r"^  source_chars: .*$", "  source_chars", "field coverage.source_chars:"),
    ],
)
@pytest.mark.parametrize("value", ["2147483648", "99999999999999999999", "-1"])
def test_integer_that_does_not_fit_sqlite_is_refused(
    content: Path, tmp_path: Path, pattern, key, field, value
):
    record, line = edit(content, pattern, f"{key}: {value}")
    assert_refused(
        content,
        record,
        line,
        f"{field} {value} is out of range: expected a whole number from 0 to 2147483647",
        tmp_path,
    )


def test_a_number_thousands_of_digits_long_is_refused_with_its_line(content: Path, tmp_path: Path):
    # past 4,300 digits Python cannot even turn it into a number (ValueError, a traceback)
    record, line = edit(content, r"^year: .*$", "year: " + "9" * 5000)
    message = assert_refused(
        content, record, line, "a number of 5000 digits is too long for any field", tmp_path
    )
    assert message == f"{record}:{line}: a number of 5000 digits is too long for any field"


# ---------------------------------------------------------------- labels that become file names


@pytest.mark.parametrize(
    "pattern, key, field, what",
    [
        (r"^  section: .*$", "  section", "documents[0].section", "section name"),
        (r"^publisher: .*$", "publisher", "publisher", "publisher name"),
        (r"^  person: .*$", "  person", "appointments[0].person", "person's name"),
        (r"^- 区政府文件$", "-", "sections[0]", "section name"),
    ],
)
def test_a_label_too_long_for_a_file_name_is_refused(
    content: Path, tmp_path: Path, pattern, key, field, what
):
    # a 300-character section name crashed the build with 'File name too long'
    record, line = edit(content, pattern, f"{key} {'区' * 300}" if key == "-" else f"{key}: {'区' * 300}")
    assert_refused(
        content,
        record,
        line,
        f"field {field}: {what} is 300 characters long, at most 100 "
        "(it becomes a file name): '区区区区区区区区区区区区区区区区区区区区'…; shorten it",
        tmp_path,
    )


@pytest.mark.parametrize(
    "pattern, replacement, says",
    [
        (
            r"^  doc_type: .*$",
            "  doc_type: 办法",
            "field documents[0].doc_type: document type (文种) '办法' is not one of: 决议、决定、",
        ),
        (
            r"^  action: .*$",
            "  action: 提拔",
            "field appointments[0].action: action '提拔' is not one of: 任命、",
        ),
        (
            r"^    relation: .*$",
            "    relation: 参考",
            "relation '参考' is not one of: 废止、宣布失效、依据、贯彻、引用",
        ),
    ],
    ids=["doc_type", "action", "relation"],
)
def test_a_value_outside_the_vocabulary_is_refused(content: Path, tmp_path: Path, pattern, replacement, says):
    # the data package declares these fields as enums: a record outside them would fail validation
    record, line = edit(content, pattern, replacement)
    assert_refused(content, record, line, says, tmp_path)


def test_a_label_whose_pinyin_is_too_long_for_a_file_name_is_refused(content: Path, tmp_path: Path):
    # 60 characters, but 360 once spelled in pinyin (zhuang): the file name is the pinyin
    record, line = edit(content, r"^  section: .*$", "  section: " + "庄" * 60)
    assert_refused(
        content,
        record,
        line,
        "field documents[0].section: section name '庄庄庄庄庄庄庄庄庄庄庄庄庄庄庄庄庄庄庄庄'… is too "
        "long for a file name: spelled in pinyin it is 360 characters, at most 120; "
        "shorten it",
        tmp_path,
    )


# ---------------------------------------------------------------- the source file name


@pytest.mark.parametrize(
    "value, shown",
    [
        ('"yanzhou\\n2021.txt"', r"'yanzhou\n2021.txt'"),
        ('"yanzhou\\t2021.txt"', r"'yanzhou\t2021.txt'"),
        ('"yanzhou\\x1b[31m.txt"', r"'yanzhou\x1b[31m.txt'"),
        ('"yanzhou\\u2028.txt"', r"'yanzhou\u2028.txt'"),
    ],
)
def test_source_with_control_characters_is_refused(content: Path, tmp_path: Path, value, shown):
    record, line = edit(content, r"^source: .*$", f"source: {value}")
    assert_refused(
        content,
        record,
        line,
        f"field source: {shown} must be a file name without control characters or line breaks",
        tmp_path,
    )


def test_source_name_too_long_is_refused(content: Path, tmp_path: Path):
    record, line = edit(content, r"^source: .*$", "source: " + "a" * 300 + ".txt")
    assert_refused(
        content,
        record,
        line,
        "field source: a file name of 304 characters is too long (at most 255)",
        tmp_path,
    )


# ---------------------------------------------------------------- huge values in messages


def test_a_huge_wrong_value_is_cut_before_it_is_shown(content: Path, tmp_path: Path):
    # the message used to format the whole value first ({value!r:.60}): 20 MB repr'd to show 60 characters
    record, line = edit(content, r"^  page: .*$", "  page: " + "页" * 10_000_000)
    start = time.perf_counter()
    message = assert_refused(
        content, record, line, "field toc[0].page: expected an integer, got '" + "页" * 60 + "'…", tmp_path
    )
    assert time.perf_counter() - start < 20
    assert len(message) < 400


def test_every_record_error_is_one_line_even_when_the_value_holds_line_breaks():
    text = dump_issue(Issue("x-1", "issue", "发布机关", "370812", 2021))
    with pytest.raises(RecordFileError) as caught:
        parse_issue(text.replace("year: 2021", 'year: "20\\n21\\u2028\\r"'), "records/x.yml")
    assert str(caught.value) == "records/x.yml:7: field year: expected an integer, got '20\\n21\\u2028\\r'"
    with pytest.raises(RecordFileError) as caught:
        parse_issue(text.replace("kind: issue", 'kind: [1, "a\\nb"]'), "records/x.yml")
    assert str(caught.value) == "records/x.yml:4: field kind: expected text, got list [2 items]"


# ---------------------------------------------------------------- the samples are unaffected


def test_sample_records_still_load_unchanged():
    for path in sorted((ROOT / "content" / "records").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        assert dump_issue(parse_issue(text, path)) == text
