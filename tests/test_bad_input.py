"""Bad input: a one-line error naming the file (and line), a non-zero exit, and nothing written or changed.

Each case runs the real command line on real files and compares every byte under the
content directory (and the site / data package, for builds) before and after.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "content" / "sources"
YANZHOU = (SOURCES / "yanzhou-2021-03-04.txt").read_text(encoding="utf-8")


def snapshot(*dirs: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for d in dirs if d.exists() for p in sorted(d.rglob("*")) if p.is_file()}


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A content dir already holding the yanzhou record (so 'nothing changed' is meaningful)."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ROOT / "content" / "publishers.yml", content)
    assert run("ingest", SOURCES / "yanzhou-2021-03-04.txt", "--content", content)[0] == 0
    return content


def _truncated() -> bytes:
    return YANZHOU[: len(YANZHOU) * 2 // 5].encode("utf-8")


def _duplicate_numbers() -> bytes:
    assert "\n济充政发〔2021〕6号\n" in YANZHOU
    return YANZHOU.replace("\n济充政发〔2021〕6号\n", "\n济兖政发〔2021〕5号\n").encode("utf-8")


BAD_SOURCES = [
    # name, bytes, what the one-line error must say, whether it names a line
    ("empty.txt", b"", "empty file", False),
    ("blank.txt", b" \n\n \r\n", "empty file", False),
    ("binary.txt", bytes(range(256)) * 64, "binary data", False),
    ("utf16.txt", "济宁市兖州区人民政府公报".encode("utf-16"), "UTF-16", False),
    ("latin1.txt", b"Gazette\n" + bytes([0x80, 0xFF, 0xFE, 0x81]) * 50, "cannot decode", True),
    ("prose.txt", "这不是一份公报，只是一段文字。\n".encode(), "no documents", True),
    ("big-paragraph.txt", ("为认真贯彻落实，" * 420_000).encode("utf-8"), "no documents", True),
    ("truncated.txt", _truncated(), "truncated", True),
    ("duplicate-numbers.txt", _duplicate_numbers(), "济兖政发〔2021〕5号", True),
]


@pytest.mark.parametrize("name, data, says, has_line", BAD_SOURCES, ids=[c[0] for c in BAD_SOURCES])
def test_bad_source_is_one_clear_line_and_changes_nothing(
    archive: Path, tmp_path: Path, name, data, says, has_line
):
    source = tmp_path / name
    source.write_bytes(data)
    before = snapshot(archive)
    code, output = run("ingest", source, "--content", archive)
    assert code != 0
    error = [line for line in output.splitlines() if line.startswith("错误")]
    assert len(error) == 1, output
    assert f"{source}:" in error[0] or error[0].endswith(str(source))
    assert says in error[0]
    if has_line:
        assert error[0].split(f"{source}:", 1)[1].split(":", 1)[0].isdigit(), error[0]
    assert len(error[0]) < 400
    assert snapshot(archive) == before


def test_same_issue_from_another_file_is_refused(archive: Path, tmp_path: Path):
    copy = tmp_path / "yanzhou-copy.txt"
    copy.write_text(YANZHOU, encoding="utf-8")
    before = snapshot(archive)
    code, output = run("ingest", copy, "--content", archive)
    assert code != 0
    assert "already ingested from yanzhou-2021-03-04.txt" in output
    assert snapshot(archive) == before


def test_a_good_source_next_to_a_bad_one_is_not_written_either(archive: Path, tmp_path: Path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    before = snapshot(archive)
    code, _ = run("ingest", SOURCES / "rencheng-2024-02.txt", bad, "--content", archive)
    assert code != 0
    assert snapshot(archive) == before


def test_a_very_long_line_inside_a_document_is_kept_whole(archive: Path, tmp_path: Path):
    long_line = "促进高质量发展" * 15_000  # 105,000 characters on one line
    source = tmp_path / "long-line.txt"
    source.write_text(
        YANZHOU.replace("党的十九大提出，", "党的十九大提出，" + long_line, 1), encoding="utf-8"
    )
    shutil.rmtree(archive / "records")
    code, output = run("ingest", source, "--content", archive)
    assert code == 0, output
    assert "0 lost" in output
    record = (archive / "records" / "370812-2021-3-4.yml").read_text(encoding="utf-8")
    assert long_line in record


@pytest.mark.parametrize(
    "old, new, says",
    [
        ("\nyear: 2021\n", "\nyear: 二〇二一\n", "year"),
        ("\nkind: issue\n", "\n", "kind: missing"),
        ("- document_id: 370812-jiyanzhengfa-2021-5\n", "- document_id: ../../escape\n", "safe identifier"),
        ("\npublisher: ", "\npublisher: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_record_fails_build_and_check_leaving_outputs_intact(
    archive: Path, tmp_path: Path, old, new, says, sample_build
):
    site, package = sample_build
    record = archive / "records" / "370812-2021-3-4.yml"
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = snapshot(site, package)
    for command in ("build", "datapackage", "check"):
        args = {
            "build": ["--site", site, "--datapackage", package],
            "datapackage": ["--out", package],
            "check": ["--datapackage", package, "--site", site],
        }[command]
        code, output = run(command, "--content", archive, *args)
        assert code != 0, (command, output)
        assert f"{record}:" in output and says in output, (command, output)
    assert snapshot(site, package) == before
    assert not (tmp_path.parent / "escape").exists()


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory) -> tuple[Path, Path]:
    """A site and data package built once from the sample records (the 'previous' outputs)."""
    out = tmp_path_factory.mktemp("previous")
    code, output = run(
        "build", "--content", ROOT / "content", "--site", out / "site", "--datapackage", out / "datapackage"
    )
    assert code == 0, output
    return out / "site", out / "datapackage"


def test_non_utf8_record_is_a_clear_error(archive: Path):
    record = archive / "records" / "370812-2021-3-4.yml"
    record.write_bytes(record.read_text(encoding="utf-8").encode("gb18030"))
    code, output = run("check", "--content", archive)
    assert code != 0
    assert f"{record}" in output and "not UTF-8" in output
