"""Property tests: mutated gazette text never crashes ingest, mutated record files never crash
loading, and records round-trip through YAML."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.ingest.parse import parse_source
from generator.ingest.sources import SourceError, decode_source
from generator.model.models import DocNumber, Document, Event, Issue, Problem, Table
from generator.model.publishers import load_registry
from generator.model.records import RecordFileError, dump_issue, load_issue, parse_issue

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = load_registry(ROOT / "content" / "publishers.yml")
SAMPLES = {
    p.name: p.read_text(encoding="utf-8").split("\n")
    for p in sorted((ROOT / "content" / "sources").glob("*.txt"))
}
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# Text that YAML, Markdown and HTML treat specially, plus odd Unicode.
TRICKY = st.sampled_from(
    [
        "yes",
        "no",
        "null",
        "~",
        "1e3",
        "0o17",
        "2021-03-26",
        "- item",
        "# 标题",
        ": x",
        "'",
        '"',
        "\\",
        "<script>alert(1)</script>",
        "{{ x }}",
        "{% if %}",
        "**粗**",
        "|a|b|",
        "\t",
        "\u2028",
        "\u0085",
        "\ufeff",
        "\u3000",
        "〔2021〕",
        "（此件公开发布）",
        "△",
        "附件：",
    ]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=20)), max_size=6).map("".join)


@st.composite
def mutated_gazette(draw) -> str:
    lines = list(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))])
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "cut"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, draw(TEXT))
        elif op == "cut":
            k = draw(st.integers(0, len(lines[i])))
            lines[i : i + 1] = [lines[i][:k], lines[i][k:]]
    return "\n".join(lines)


@FUZZ
@given(mutated_gazette())
def test_mutated_gazettes_parse_without_crashing_and_round_trip(text: str):
    issue = parse_source(text, "fuzz.txt", REGISTRY)
    assert issue.issue_id
    assert parse_issue(dump_issue(issue)) == issue


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_decode_or_fail_with_our_own_error(data: bytes):
    try:
        text = decode_source(data, "random.bin")
    except SourceError as exc:
        assert str(exc).startswith("random.bin")
        return
    parse_source(text, "random.bin", REGISTRY)


@FUZZ
@given(
    title=TEXT,
    body=TEXT,
    recipients=TEXT,
    cell=TEXT,
    event=TEXT,
    message=TEXT,
    serial=st.integers(1, 10**6),
    public=st.sampled_from([True, False, None]),
)
def test_any_field_text_round_trips_through_yaml(
    title, body, recipients, cell, event, message, serial, public
):
    issue = Issue(
        issue_id="370812-2021-3-4",
        kind="issue",
        publisher="济宁市兖州区人民政府",
        region_code="370812",
        year=2021,
        documents=[
            Document(
                "jiyanzhengfa-2021-5",
                1,
                "区政府文件",
                title,
                recipients=recipients,
                body=body,
                public=public,
                doc_number=DocNumber(f"济兖政发〔2021〕{serial}号", "济兖政发", 2021, serial),
                tables=[Table("jiyanzhengfa-2021-5-t1", cell, [[cell, ""]], [[cell, cell]])],
            )
        ],
        events=[Event("370812-2021-3-4-e001", "2021-03-02", event)],
        problems=[Problem("warning", "x", message, 3)],
    )
    text = dump_issue(issue)
    assert parse_issue(text) == issue
    assert dump_issue(parse_issue(text)) == text


# ---------------------------------------------------------------- record files
#
# Hand-edited records: lines deleted, duplicated, swapped, cut, or a value or key replaced by
# something odd. Loading either succeeds (and the record then dumps and loads back the same) or
# fails with RecordFileError: one line, starting with the file's path; never another exception,
# and never slowly (a billion-laughs alias bomb took 46 s and 3 GB before it was refused).

RECORD_FILES = sorted((ROOT / "tests" / "fixtures" / "records").glob("*.yml")) + sorted(
    (ROOT / "content" / "records").glob("*.yml")
)
RECORDS = {f"{p.parent.name}/{p.name}": p.read_text(encoding="utf-8") for p in RECORD_FILES}
SMALL = sorted(name for name, text in RECORDS.items() if len(text) < 50_000)
RECORD_FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
SECONDS = 2.0  # per load; a record of this size loads in about 10 ms

BOMB = "".join(
    ["lol: &a0 [x, x, x, x, x, x, x, x, x, x]\n"]
    + [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 12)]
)
ODD = st.sampled_from(
    [
        "9" * 20,
        "-1",
        "2147483648",
        "9" * 5000,
        "0x" + "f" * 40,
        "1e999",
        ".nan",
        "-.inf",
        "1_000",
        "0o777",
        "2021-02-30",
        "'2021-02-30'",
        "2021-13-01",
        "'2021-3-7'",
        "yesterday",
        "2021-03-26",
        "'0000-01-01'",
        "20210326",
        "2021-03-26T10:00:00",
        "'2021-03-26 '",
        "&a x",
        "*a",
        "&a [1, 2]",
        "!!int x",
        "!!binary AAAA",
        "!!python/object/apply:os.system ['true']",
        "!!timestamp x",
        "!!float x",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "! x",
        "!local x",
        "=",
        "<<: {}",
        "\t",
        "\tx",
        "'\x01'",
        '"\\x01"',
        '"\\u2028"',
        "\x85",
        "\u2028",
        "\ufeff",
        "'\x00'",
        '"\\0"',
        "x" * 5000,
        "区" * 300,
        "庄" * 60,
        "[" * 3000 + "]" * 3000,
        "- " * 3000 + "x",
        "{a: " * 50 + "1" + "}" * 50,
        "[1, 2]",
        "{a: 1}",
        "[]",
        "{}",
        "~",
        "null",
        "true",
        "no",
        "1.5",
        "'unclosed",
        '"bad \\q escape"',
        "|",
        ">",
        "- a",
        "a: b: c",
        "[[[[",
        "{{",
        "}",
        "]",
        ",",
        "%",
        "@x",
        "`x",
        "# comment",
        "? x",
        "---",
        "...",
        "yan\nzhou.txt",
        '"a\\nb.txt"',
        "'../x.txt'",
        "'.hidden'",
    ]
)
ODD_VALUES = st.one_of(ODD, ODD, ODD, st.text(max_size=40), st.integers().map(str))  # mostly the odd ones


@st.composite
def mutated_record(draw) -> tuple[str, str]:
    name = draw(st.sampled_from(SMALL if draw(st.integers(0, 3)) else sorted(RECORDS)))
    lines = RECORDS[name].split("\n")
    for _ in range(draw(st.integers(1, 6))):
        op = draw(
            st.sampled_from(
                [
                    "value",
                    "value",
                    "value",
                    "key",
                    "delete",
                    "duplicate",
                    "swap",
                    "insert",
                    "cut",
                    "indent",
                    "bomb",
                ]
            )
        )
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        head, colon, rest = line.partition(": ")
        if op == "value" and colon:
            lines[i] = f"{head}: {draw(ODD_VALUES)}"
        elif op == "value" and line.lstrip().startswith("- "):
            indent = line[: len(line) - len(line.lstrip())]
            lines[i] = f"{indent}- {draw(ODD_VALUES)}"
        elif op == "key" and colon:
            lines[i] = (
                f"{head.rstrip('abcdefghijklmnopqrstuvwxyz_')}{draw(st.sampled_from(['x', '', 'year', '1', '&a']))}: {rest}"
            )
        elif op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], line
        elif op == "insert":
            lines.insert(i, draw(ODD_VALUES))
        elif op == "cut":
            k = draw(st.integers(0, len(line)))
            lines[i : i + 1] = [line[:k], line[k:]]
        elif op == "indent":
            lines[i] = draw(st.sampled_from([" ", "  ", "\t", "- "])) + line
        elif op == "bomb":
            lines.insert(i, BOMB)
    return name, "\n".join(lines)


def assert_loads_or_one_line_error(load, path: str) -> None:
    start = time.perf_counter()
    try:
        issue = load()
    except RecordFileError as exc:
        message = str(exc)
        assert message.startswith(f"{path}:"), message
        assert len(message.splitlines()) == 1 and "\n" not in message, message
        assert len(message) < 600, message
    else:  # what loads is a valid record: it dumps and loads back the same
        assert parse_issue(dump_issue(issue), path) == issue
    assert time.perf_counter() - start < SECONDS


@RECORD_FUZZ
@given(mutated_record())
def test_mutated_records_load_or_fail_with_one_line_naming_the_file(case):
    name, text = case
    path = f"content/records/{name.replace('/', '-')}"
    assert_loads_or_one_line_error(lambda: parse_issue(text, path), path)


@FUZZ
@given(
    name=st.sampled_from(SMALL),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_record_files_with_bad_bytes_load_or_fail_with_one_line(name, flips):
    data = bytearray(RECORDS[name].encode("utf-8"))
    for at, byte in flips:
        data[at % len(data)] = byte
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records" / "370812-2021-3-4.yml"
        path.parent.mkdir()
        path.write_bytes(bytes(data))
        assert_loads_or_one_line_error(lambda: load_issue(path), str(path.resolve()))
