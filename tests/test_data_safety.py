"""Never lose data: commands refuse folders they did not make, write all or nothing, one at a time.

Each case runs the real command line in a throwaway copy of the project (its own mkdocs.yml,
docs/, content/ and a link to the program) and compares every byte before and after.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import outputs
from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "content" / "sources"
YANZHOU = SOURCES / "yanzhou-2021-03-04.txt"


def tree(*dirs: Path) -> dict[str, bytes]:
    """Every file's bytes, but the parsed-record cache (content/.cache, safe to delete)."""
    return {
        str(p): p.read_bytes()
        for d in dirs
        if d.exists()
        for p in sorted(d.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(d).parts
    }


def names(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def one_line_error(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("错误 error:")]
    assert len(errors) == 1, output
    assert "Traceback" not in output
    return errors[0]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the project to attack: mkdocs.yml, docs/, content/, tests/, .git and the program (linked)."""
    root = tmp_path / "proj"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root)
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "content", root / "content", ignore=shutil.ignore_patterns(".cache"))
    (root / "tests").mkdir()
    (root / "tests" / "test_x.py").write_text("def test(): pass\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "datapackages").mkdir()
    (root / "generator").symlink_to(ROOT / "generator")
    monkeypatch.chdir(root)
    return root


# ---------------------------------------------------------------- folders that are not ours

REFUSED_SITES = [
    ("docs", "hand-written pages"),
    (".", "project folder"),
    ("content", "sources and records"),
    ("content/records", "sources and records"),
    ("generator", "program"),
    ("tests", "tests"),
    ("datapackages", "data packages"),
    ("..", "project folder"),
    ("/", "file-system root"),
]


@pytest.mark.parametrize("target,why", REFUSED_SITES)
def test_build_refuses_a_site_folder_that_holds_the_project(project: Path, target: str, why: str):
    before = tree(project)
    code, output = run("build", "--site", target, "--force")
    assert code == 1
    line = one_line_error(output)
    assert "refusing" in line and why in line
    assert tree(project) == before
    assert not (project / "build").exists()


def test_build_refuses_the_home_folder(project: Path, monkeypatch, tmp_path: Path):
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "diary.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    code, output = run("build", "--site", home, "--force")
    assert code == 1 and "home folder" in one_line_error(output)
    assert (home / "notes" / "diary.txt").read_text() == "mine"


@pytest.mark.parametrize("target", ["content/records", "content", ".", "docs", "generator", "tests"])
def test_datapackage_refuses_source_folders(project: Path, target: str):
    before = tree(project)
    code, output = run("datapackage", "--out", target, "--force")
    assert code == 1
    assert "refusing" in one_line_error(output)
    assert tree(project) == before


def test_build_refuses_a_data_package_folder_among_the_records(project: Path):
    before = tree(project)
    code, output = run("build", "--site", project.parent / "out-site", "--datapackage", "content/records")
    assert code == 1 and "refusing" in one_line_error(output)
    assert tree(project) == before


def test_a_folder_not_made_by_gazette_is_refused_and_force_keeps_it_aside(project: Path, tmp_path: Path):
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "thesis.txt").write_text("three years of work")
    code, output = run("datapackage", "--out", mine)
    assert code == 1
    line = one_line_error(output)
    assert "not made by gazette" in line and "--force" in line
    assert names(mine) == {"thesis.txt"}

    code, output = run("datapackage", "--out", mine, "--force")
    assert code == 0, output
    assert (mine / "datapackage.json").is_file()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("my-folder.replaced-")]
    assert len(kept) == 1 and (kept[0] / "thesis.txt").read_text() == "three years of work"


def test_an_empty_or_earlier_output_folder_is_fine(project: Path, tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("datapackage", "--out", empty)[0] == 0
    assert run("datapackage", "--out", empty)[0] == 0  # made by us: replaced without --force


def test_a_read_only_site_folder_is_not_replaced(project: Path, tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / ".gazette-build.json").write_text("{}")
    (site / "index.html").write_text("old")
    site.chmod(0o555)
    try:
        code, output = run("build", "--site", site, "--datapackage", tmp_path / "pkg")
    finally:
        site.chmod(0o755)
    assert code == 1
    assert "read-only" in one_line_error(output)
    assert (site / "index.html").read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".site.", ".pkg."))]


def test_a_mount_point_is_refused(project: Path, tmp_path: Path, monkeypatch):
    site = tmp_path / "mnt"
    site.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(outputs.os.path, "ismount", lambda p: Path(p) == site or real(p))
    code, output = run("build", "--site", site, "--datapackage", tmp_path / "pkg")
    assert code == 1 and "mount point" in one_line_error(output)


def test_a_page_cache_that_is_not_ours_is_not_pruned(project: Path, tmp_path: Path):
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("pages: build/pages", "pages: notes"), encoding="utf-8"
    )
    (project / "notes").mkdir()
    (project / "notes" / "todo.md").write_text("keep me")
    code, output = run("build", "--site", tmp_path / "site", "--datapackage", tmp_path / "pkg")
    assert code == 1
    assert "notes" in one_line_error(output) and "not made by gazette" in output
    assert (project / "notes" / "todo.md").read_text() == "keep me"
    assert not (tmp_path / "site").exists() and not (tmp_path / "pkg").exists()


def test_pruning_removes_only_refused_files_and_the_folders_they_leave_empty(tmp_path: Path):
    """What a build prunes from its own folders (stale pages, old site files): the files it no
    longer makes, and the folders that leaves empty; a folder still holding anything stays."""
    files = ["gone/a.html", "gone/deep/b.html", "kept/a.html", "kept/gone.html", "mixed/sub/keep.html",
             "mixed/gone.html", "top.html", "notes/todo.md"]  # fmt: skip
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    (tmp_path / "emptied" / "sub").mkdir(parents=True)  # no files at all: removed too
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "to-kept").symlink_to(tmp_path / "kept", target_is_directory=True)
    wanted = {"kept/a.html", "mixed/sub/keep.html", "top.html"}
    removed = outputs.remove_files_but(tmp_path, wanted.__contains__, passed_over={"notes"}.__contains__)
    assert removed == 4
    left = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    assert left == {"kept", "kept/a.html", "mixed", "mixed/sub", "mixed/sub/keep.html", "top.html",
                    "notes", "notes/todo.md", "linked", "linked/to-kept"}  # fmt: skip
    assert (tmp_path / "kept" / "a.html").read_text() == "kept/a.html"


# ---------------------------------------------------------------- builds: both outputs or neither


@pytest.fixture
def built(project: Path, tmp_path: Path) -> tuple[Path, Path]:
    site, package = tmp_path / "site", tmp_path / "pkg"
    code, output = run("build", "--site", site, "--datapackage", package)
    assert code == 0, output
    return site, package


def test_a_failed_build_replaces_neither_the_site_nor_the_data_package(project: Path, built, tmp_path: Path):
    site, package = built
    before = tree(site, package)
    record = project / "content" / "records" / "370812-2021-3-4.yml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("济宁市兖州区人民政府公报", "改过的公报", 1),
        encoding="utf-8",
    )  # the package would change
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("name: material", "name: no-such-theme"), encoding="utf-8"
    )
    code, output = run("build", "--site", site, "--datapackage", package)
    assert code == 1 and "mkdocs.yml" in one_line_error(output)
    assert tree(site, package) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_out_of_space_while_writing_is_one_line_and_changes_nothing(
    project: Path, built, tmp_path: Path, monkeypatch
):
    site, package = built
    before = tree(site, package)
    record = project / "content" / "records" / "370812-2021-3-4.yml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("济宁市兖州区人民政府公报", "改过的公报", 1),
        encoding="utf-8",
    )
    from generator import build

    def full_disk(files, folder):
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(folder) / "documents.csv"))

    monkeypatch.setattr(build, "write_package_files", full_disk)
    code, output = run("build", "--site", site, "--datapackage", package)
    assert code == 1
    line = one_line_error(output)
    assert "No space left on device (ENOSPC)" in line and "documents.csv" in line
    assert tree(site, package) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_read_only_file_system_is_one_line(project: Path, tmp_path: Path, monkeypatch):
    def read_only(target):
        raise OSError(errno.EROFS, "Read-only file system", str(target.parent))

    monkeypatch.setattr(outputs, "make_staging", read_only)
    monkeypatch.setattr("generator.build.make_staging", read_only)
    code, output = run("build", "--site", tmp_path / "site", "--datapackage", tmp_path / "pkg")
    assert code == 1
    assert "Read-only file system (EROFS)" in one_line_error(output)


def test_leftovers_of_a_killed_build_are_cleaned_and_a_set_aside_site_restored(
    project: Path, built, tmp_path: Path
):
    site, package = built
    (tmp_path / ".site.build-killed").mkdir()
    (tmp_path / ".site.build-killed" / "index.html").write_text("half")
    (tmp_path / ".pkg.build-killed").mkdir()
    assert run("build", "--site", site, "--datapackage", package)[0] == 0
    # the site the build replaced is kept for the next build to start from; nothing else
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".site.previous"]

    # killed between setting the old site aside and moving the new one in (still staged)
    os.rename(site, tmp_path / ".site.old-99999")
    (tmp_path / ".site.build-killed").mkdir()
    assert outputs.clean_leftovers(site) == [tmp_path / ".site.build-killed"]
    assert (site / "index.html").is_file()

    # killed between keeping the old site and moving the new one in
    shutil.rmtree(tmp_path / ".site.previous")
    os.rename(site, tmp_path / ".site.previous")
    (tmp_path / ".site.build-killed").mkdir()
    assert outputs.clean_leftovers(site) == [tmp_path / ".site.build-killed"]
    assert (site / "index.html").is_file() and not (tmp_path / ".site.previous").exists()

    # a site its owner deleted is not brought back from the copy kept beside it
    os.rename(site, tmp_path / ".site.previous")
    assert outputs.clean_leftovers(site) == []
    assert not site.exists()
    assert run("build", "--site", site, "--datapackage", package)[0] == 0
    assert (site / "index.html").is_file() and not (tmp_path / ".site.previous").exists()


def test_empty_records_folder_is_one_line(project: Path, tmp_path: Path):
    for record in (project / "content" / "records").glob("*.yml"):
        record.unlink()
    code, output = run("build", "--site", tmp_path / "site", "--datapackage", tmp_path / "pkg")
    assert code == 1
    assert "no records" in one_line_error(output)
    assert not (tmp_path / "site").exists() and not (tmp_path / "pkg").exists()


def test_an_internal_error_is_one_line_and_changes_nothing(project: Path, built, monkeypatch):
    site, package = built
    before = tree(site, package)
    from generator import build

    def bug(*args, **kwargs):
        raise KeyError("documents")

    monkeypatch.setattr(build, "package_files", bug)
    code, output = run("build", "--site", site, "--datapackage", package)
    assert code == 1
    assert "internal error: KeyError" in one_line_error(output)
    assert tree(site, package) == before


def test_two_concurrent_builds_of_different_content_both_succeed(project: Path, tmp_path: Path):
    other = tmp_path / "other-content"
    shutil.copytree(project / "content", other)
    for record in (other / "records").glob("370812-*.yml"):
        record.unlink()
    cmd = [sys.executable, "-m", "generator", "build"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    first = subprocess.Popen(
        [*cmd, "--site", tmp_path / "s1", "--datapackage", tmp_path / "p1"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    second = subprocess.Popen(
        [*cmd, "--content", other, "--site", tmp_path / "s2", "--datapackage", tmp_path / "p2"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out1, out2 = first.communicate(timeout=600)[0], second.communicate(timeout=600)[0]
    assert first.returncode == 0, out1
    assert second.returncode == 0, out2
    assert "Traceback" not in out1 + out2
    assert (tmp_path / "s1" / "issues" / "370812-2021-3-4" / "index.html").is_file()
    assert not (tmp_path / "s2" / "issues" / "370812-2021-3-4").exists()
    assert (tmp_path / "s2" / "issues" / "370811-2024-2" / "index.html").is_file()


# ---------------------------------------------------------------- ingest: all or nothing, one at a time


def test_ingest_refuses_a_fifo_without_waiting_for_a_writer(content: Path, tmp_path: Path):
    fifo = tmp_path / "gazette.txt"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "ingest", fifo, "--content", content],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    line = one_line_error(result.stderr)
    assert "FIFO" in line and "save the gazette text to a file" in line
    assert not (content / "records").exists() and not (content / "sources").exists()


def test_ingest_refuses_process_substitution(content: Path):
    result = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m generator ingest <(cat "{YANZHOU}") --content "{content}"'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "pipe" in one_line_error(result.stderr)
    assert not (content / "records").exists() and not (content / "sources").exists()


def test_ingest_writes_record_and_source_copy_together(content: Path, monkeypatch):
    real_replace = os.replace
    calls = []

    def fail_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", fail_second)
    code, output = run("ingest", YANZHOU, "--content", content)
    assert code == 1 and "ENOSPC" in one_line_error(output)
    assert len(calls) == 2  # the first file was in place when the second failed
    assert not [p for p in content.rglob("*") if p.is_file() and p.name != "publishers.yml"]


@pytest.mark.parametrize("name,why", [("new\nline.txt", "line break"), (".hidden.txt", "hidden file name")])
def test_ingest_refuses_file_names_it_cannot_keep(content: Path, tmp_path: Path, name: str, why: str):
    source = tmp_path / name
    shutil.copy(YANZHOU, source)
    code, output = run("ingest", source, "--content", content)
    assert code == 1 and why in one_line_error(output)
    assert not [p for p in content.rglob("*") if p.is_file() and p.name != "publishers.yml"]


def test_ingest_without_a_publisher_registry_names_the_publisher_by_its_division(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    code, output = run("ingest", YANZHOU, "--content", content)
    assert code == 0, output
    assert "370812-2021-3-4" in output and "publisher-by-division-name" in output


def test_a_source_that_is_no_gazette_without_a_registry_says_the_registry_is_empty(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    source = tmp_path / "prose.txt"
    source.write_text("这不是一份公报，只是一段文字。\n", encoding="utf-8")
    code, output = run("ingest", source, "--content", content)
    assert code == 1
    assert "no documents found" in one_line_error(output) and "publishers.yml is missing or empty" in output
    assert names(content) == set()


def test_invalid_registry_is_one_line(content: Path):
    (content / "publishers.yml").write_text("publishers:\n  - name: 某区人民政府\n", encoding="utf-8")
    code, output = run("ingest", YANZHOU, "--content", content)
    assert code == 1
    line = one_line_error(output)
    assert "publishers.yml" in line and "region_code" in line


def test_a_second_ingest_waits_for_the_first_and_then_sees_its_record(content: Path, tmp_path: Path):
    copy = tmp_path / "yanzhou-copy.txt"
    shutil.copy(YANZHOU, copy)
    with outputs.locked([content], "test holding the archive"):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "generator", "ingest", copy, "--content", content],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(4)  # long enough to parse and reach the lock
        assert waiting.poll() is None  # it waits
        assert not (content / "records").exists()
    out, err = waiting.communicate(timeout=120)
    assert "waiting" in err and "test holding the archive" in err
    assert waiting.returncode == 0, err
    assert (content / "records" / "370812-2021-3-4.yml").is_file()


def test_two_concurrent_ingests_of_one_issue_do_not_both_win(content: Path, tmp_path: Path):
    copy = tmp_path / "yanzhou-copy.txt"
    shutil.copy(YANZHOU, copy)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "generator", "ingest", src, "--content", content],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for src in (YANZHOU, copy)
    ]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, err in results if code == 1)
    assert "already ingested from" in one_line_error(loser)
    assert len(list((content / "sources").iterdir())) == 1


# ---------------------------------------------------------------- ids that collide


def _with_number(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_homophone_agency_codes_in_one_issue_are_both_kept(content: Path, tmp_path: Path):
    text = YANZHOU.read_text(encoding="utf-8")
    text = _with_number(text, "(济充政发〔2021〕5号)", "(鲁教发〔2022〕1号)")
    text = _with_number(text, "(济充政发〔2021〕6号)", "(卢教发〔2022〕1号)")
    text = _with_number(text, "\n济兖政发〔2021〕5号\n", "\n鲁教发〔2022〕1号\n")
    source = tmp_path / "homophones.txt"
    source.write_text(
        _with_number(text, "\n济充政发〔2021〕6号\n", "\n卢教发〔2022〕1号\n"), encoding="utf-8"
    )
    code, output = run("ingest", source, "--content", content)
    assert code == 0, output
    from generator.model.records import load_issue

    issue = load_issue(content / "records" / "370812-2021-3-4.yml")
    ids = {d.doc_number.text: d.document_id for d in issue.documents if d.doc_number}
    assert ids["鲁教发〔2022〕1号"] == "370812-lujiaofa-2022-1"
    assert ids["卢教发〔2022〕1号"].startswith("370812-lujiaofa-2022-1-h")
    assert any(p.code == "document-id-disambiguated" and p.line == 275 for p in issue.problems)


def test_a_homophone_in_a_later_issue_of_the_same_region_is_told_apart(content: Path, tmp_path: Path):
    text = YANZHOU.read_text(encoding="utf-8")
    first = tmp_path / "first.txt"
    first.write_text(
        _with_number(
            _with_number(text, "(济充政发〔2021〕5号)", "(鲁教发〔2022〕1号)"),
            "\n济兖政发〔2021〕5号\n",
            "\n鲁教发〔2022〕1号\n",
        ),
        encoding="utf-8",
    )
    assert run("ingest", first, "--content", content)[0] == 0
    later = tmp_path / "later.txt"
    later_text = _with_number(text, "\n第3-4期（总第87-88期）\n", "\n第5期（总第89期）\n")
    later_text = _with_number(later_text, "(济充政发〔2021〕5号)", "(卢教发〔2022〕1号)")
    later_text = _with_number(later_text, "\n济兖政发〔2021〕5号\n", "\n卢教发〔2022〕1号\n")
    later.write_text(
        later_text.replace("〔2021〕", "〔2019〕"), encoding="utf-8"
    )  # its other documents are new
    code, output = run("ingest", later, "--content", content)
    assert code == 0, output
    from generator.model.archive import load_archive

    archive = load_archive(content)
    assert archive.by_number["鲁教发〔2022〕1号"].document_id == "370812-lujiaofa-2022-1"
    assert archive.by_number["卢教发〔2022〕1号"].document_id.startswith("370812-lujiaofa-2022-1-h")


def test_the_same_number_in_a_later_issue_of_the_same_region_is_refused_naming_both(
    content: Path, tmp_path: Path
):
    assert run("ingest", YANZHOU, "--content", content)[0] == 0
    before = tree(content)
    later = tmp_path / "later.txt"
    later.write_text(
        _with_number(
            YANZHOU.read_text(encoding="utf-8"), "\n第3-4期（总第87-88期）\n", "\n第5期（总第89期）\n"
        ),
        encoding="utf-8",
    )
    code, output = run("ingest", later, "--content", content)
    assert code == 1
    line = one_line_error(output)
    assert "370812-jiyanzhengfa-2021-5" in line and "370812-2021-3-4.yml" in line and "later.txt:" in line
    assert tree(content) == before


def test_a_colliding_id_in_the_records_fails_the_build_naming_both_files(project: Path, tmp_path: Path):
    records = project / "content" / "records"
    original = records / "370812-2021-3-4.yml"
    copy = records / "370812-2021-5.yml"
    copy.write_text(
        original.read_text(encoding="utf-8").replace("issue_id: 370812-2021-3-4", "issue_id: 370812-2021-5"),
        encoding="utf-8",
    )
    for command in (
        ["build", "--site", tmp_path / "site", "--datapackage", tmp_path / "pkg"],
        ["datapackage", "--out", tmp_path / "pkg"],
        ["check"],
    ):
        code, output = run(*command)
        assert code == 1
        line = one_line_error(output)
        assert "370812-2021-5.yml:" in line and "370812-2021-3-4.yml:" in line and "already the id of" in line
    assert not (tmp_path / "site").exists() and not (tmp_path / "pkg").exists()


# ---------------------------------------------------------------- serve, names, exports


def test_serve_answers_404_to_a_nul_byte_without_a_traceback(tmp_path: Path, capfd):
    import functools
    import http.server

    from generator.cli import SiteHandler

    (tmp_path / "index.html").write_text("ok")
    handler = functools.partial(SiteHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in ("/%00", "/a%00b/", "/" + "x" * 5000):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}{path}", timeout=10)
            assert caught.value.code == 404
        assert (
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/", timeout=10).read()
            == b"ok"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err


def test_a_300_character_section_gets_a_short_distinct_page_path():
    from generator.model.ids import MAX_SEGMENT, path_segment, pinyin_slug

    long_a, long_b = "区政府文件" * 60, "区政府文件" * 59 + "区政府通知"
    a, b = path_segment(pinyin_slug(long_a)), path_segment(pinyin_slug(long_b))
    assert len(a) <= MAX_SEGMENT and len(b) <= MAX_SEGMENT and a != b
    assert path_segment("jiyanzhengfa-2021-5") == "jiyanzhengfa-2021-5"


def test_csv_cells_that_look_like_formulas_stay_exact_and_the_data_page_says_so(sample_site: Path):
    import csv

    from generator.data.datapackage import _csv

    data = _csv(["text"], [["=SUM(A1:A2)"], ["+86 0537"], ["-5"], ["@某人"]]).decode("utf-8")
    assert [row[0] for row in csv.reader(data.splitlines())][1:] == ["=SUM(A1:A2)", "+86 0537", "-5", "@某人"]
    page = (sample_site / "download" / "index.html").read_text(encoding="utf-8")
    assert "原样保留" in page and "公式" in page


def test_a_source_whose_record_would_be_unreadable_is_refused_at_ingest(content: Path):
    long_name = "济宁市兖州区人民政府" + "直属机构" * 30  # 130 characters: too long to become a file name
    (content / "publishers.yml").write_text(
        f"publishers:\n  - name: {long_name}\n    region_code: '370812'\n    aliases: [济宁市兖州区人民政府]\n",
        encoding="utf-8",
    )
    code, output = run("ingest", YANZHOU, "--content", content)
    assert code == 1
    line = one_line_error(output)
    assert "yanzhou-2021-03-04.txt: its record would not be readable" in line and "publisher" in line
    assert not [p for p in content.rglob("*") if p.is_file() and p.name != "publishers.yml"]


# ---------------------------------------------------------------- found by the adversarial run


def test_a_datapackage_of_no_records_is_refused_and_the_old_package_kept(project: Path, tmp_path: Path):
    package = tmp_path / "pkg"
    assert run("datapackage", "--out", package)[0] == 0
    before = tree(package)
    (tmp_path / "typo" / "records").mkdir(parents=True)
    code, output = run("datapackage", "--content", tmp_path / "typo", "--out", package)
    assert code == 1 and "no records" in one_line_error(output)
    assert tree(package) == before


def test_a_key_written_twice_in_a_record_is_refused(project: Path, tmp_path: Path):
    record = project / "content" / "records" / "370306-2017-6.yml"
    record.write_text(record.read_text(encoding="utf-8") + "documents: []\n", encoding="utf-8")
    for command in (["check"], ["build", "--site", tmp_path / "site", "--datapackage", tmp_path / "pkg"]):
        code, output = run(*command)
        assert code == 1
        line = one_line_error(output)
        assert "370306-2017-6.yml:" in line and "duplicate key documents (first at line" in line
    assert not (tmp_path / "site").exists()


def test_a_record_with_another_extension_is_not_silently_left_out(project: Path, tmp_path: Path):
    records = project / "content" / "records"
    (records / "370306-2017-6.yml").rename(records / "370306-2017-6.yaml")
    code, output = run("datapackage", "--out", tmp_path / "pkg")
    assert code == 1
    assert "370306-2017-6.yaml: not read: records end in .yml" in one_line_error(output)


def test_plain_mkdocs_build_refuses_a_site_dir_that_holds_the_sources(project: Path):
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("site_dir: site", "site_dir: content"), encoding="utf-8"
    )
    before = tree(project / "content")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode != 0
    assert "refusing to write the site there" in result.stderr
    assert tree(project / "content") == before


def test_a_file_added_to_the_built_site_or_package_is_not_deleted(project: Path, built, tmp_path: Path):
    site, package = built
    (site / "CNAME").write_text("gazettes.example.org\n")
    code, output = run("build", "--site", site, "--datapackage", package)
    assert code == 1
    line = one_line_error(output)
    assert "CNAME: not made by the build" in line and "docs/" in line
    assert (site / "CNAME").read_text() == "gazettes.example.org\n"
    (site / "CNAME").unlink()
    (package / "README-mine.md").write_text("my notes")
    code, output = run("datapackage", "--out", package)
    assert code == 1 and "README-mine.md: not part of the data package" in one_line_error(output)
    assert (package / "README-mine.md").read_text() == "my notes"


@pytest.mark.parametrize(
    "args, says",
    [
        (["ingest", "no-such-file.txt"], "does not exist"),
        (["serve", "--no-build", "--port", "99999"], "99999 is not in the range"),
        (["bench", "--docs", "-5"], "-5 is not in the range"),
        (["no-such-command"], "No such command"),
    ],
)
def test_a_wrong_argument_is_one_line(tmp_path: Path, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("错误 error: ")
    assert says in result.output and "Usage:" not in result.output


def test_serve_answers_a_missing_page_with_the_sites_404_page(tmp_path: Path):
    import functools
    import http.server

    from generator.cli import SiteHandler

    (tmp_path / "index.html").write_text("ok")
    (tmp_path / "404.html").write_text("<h1>页面不存在</h1>", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SiteHandler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/no/such/page/", timeout=10)
        assert caught.value.code == 404 and "页面不存在" in caught.value.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()


def test_a_huge_file_of_nul_bytes_is_refused_before_it_is_read(content: Path, tmp_path: Path):
    zeros = tmp_path / "zeros.txt"
    with open(zeros, "wb") as handle:
        handle.truncate(800 * 2**20)  # sparse: 800 MB of NUL bytes on no disk space
    measure = (
        "import runpy, sys\n"
        "sys.argv = ['gazette', 'ingest', sys.argv[1], '--content', sys.argv[2]]\n"
        "code = 0\n"
        "try:\n    runpy.run_module('generator', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
        "print(hwm, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", measure, str(zeros), str(content)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "binary data (NUL bytes)" in result.stderr
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    assert peak_kb < 400_000  # far below the 800 MB it would take to read it: it stopped at the first 64 KB
    assert not [p for p in content.rglob("*") if p.is_file() and p.name != "publishers.yml"]


def test_pruning_the_site_removes_only_what_the_build_no_longer_makes(tmp_path):
    from generator.site.plugin import prune_site

    files = [
        "index.html",
        "gone/index.html",
        "gone/deeper/x.json",
        "kept/index.html",
        "404.html",
        ".gazette-build.json",
        ".gazette-search/a.entries",
        "pagefind/fragment/zh_1.pf_fragment",
    ]
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel, encoding="utf-8")
    assert prune_site(tmp_path, {"index.html", "kept/index.html"}) == 2
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted(set(files) - {"gone/index.html", "gone/deeper/x.json"})
    assert not (tmp_path / "gone").exists()  # emptied folders go too


def test_pruning_a_cache_folder_keeps_its_marker_and_the_pages_given(tmp_path):
    from generator.outputs import CACHE_MARKER
    from generator.site.pages import prune_cache

    for rel in (CACHE_MARKER, "a.md", "documents/b.md", "documents/c.md", "old/d.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    assert prune_cache(tmp_path, ["a.md", "documents/./b.md"]) == 2
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted([CACHE_MARKER, "a.md", "documents/b.md"])
    assert not (tmp_path / "old").exists()


def test_a_new_data_package_links_the_files_it_keeps_and_never_writes_through_them(tmp_path):
    """A rebuild's package stages the unchanged files as hard links to the package in place and
    writes the changed ones anew: the package in place keeps its bytes until the swap."""
    from generator.build import stage_package

    out = tmp_path / "datapackage"
    (out / "tables").mkdir(parents=True)
    (out / "documents.csv").write_bytes(b"id\n1\n")
    (out / "tables" / "t1.csv").write_bytes(b"a\nx\n")
    assert stage_package({"documents.csv": b"id\n1\n", "tables/t1.csv": b"a\nx\n"}, out) is None  # unchanged

    staging = stage_package(
        {"documents.csv": b"id\n1\n2\n", "tables/t1.csv": b"a\nx\n", "new.csv": b"n\n"}, out
    )
    assert staging is not None and staging != out
    assert (staging / "tables" / "t1.csv").stat().st_ino == (out / "tables" / "t1.csv").stat().st_ino
    assert (staging / "documents.csv").stat().st_ino != (out / "documents.csv").stat().st_ino
    assert (staging / "documents.csv").read_bytes() == b"id\n1\n2\n"
    assert (staging / "new.csv").read_bytes() == b"n\n"
    assert (out / "documents.csv").read_bytes() == b"id\n1\n"  # the package in place, untouched
    assert not (out / "new.csv").exists()
