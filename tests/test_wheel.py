"""The package works outside its checkout: the built wheel, installed in a fresh virtualenv,
starts an archive with `gazette init`, ingests a sample and builds a site that checks clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SCAFFOLD = ROOT / "generator" / "scaffold"


def test_the_scaffold_is_the_projects_own_configuration():
    assert (SCAFFOLD / "mkdocs.yml").read_bytes() == (ROOT / "mkdocs.yml").read_bytes()
    assert (SCAFFOLD / "docs" / "about.md").read_bytes() == (ROOT / "docs" / "about.md").read_bytes()


def test_init_never_overwrites(tmp_path: Path):
    folder = tmp_path / "arch"
    folder.mkdir()
    (folder / "mkdocs.yml").write_text("mine")
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 1
    assert "already holds mkdocs.yml" in result.output and "nothing written" in result.output
    assert sorted(p.name for p in folder.rglob("*")) == ["mkdocs.yml"]
    assert (folder / "mkdocs.yml").read_text() == "mine"


def test_the_wheel_builds_an_archive_outside_the_checkout(tmp_path: Path):
    wheel_dir, venv = tmp_path / "wheel", tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheel_dir)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    wheel = next(wheel_dir.glob("gazette_archive-*.whl"))
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        "NO_MKDOCS_2_WARNING": "1",
        "LANG": "C.UTF-8",
    }

    def run(*args: str, cwd: Path) -> str:
        result = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    where = run("python", "-c", "import generator; print(generator.__file__)", cwd=tmp_path)
    assert where.startswith(str(venv)), where  # the wheel's copy, not the checkout
    run("gazette", "init", "arch", cwd=tmp_path)
    archive = tmp_path / "arch"
    # no registry entry: the publisher is recognised by its administrative division
    run("gazette", "ingest", str(ROOT / "content" / "sources" / "yanzhou-2021-03-04.txt"), cwd=archive)
    run("gazette", "build", cwd=archive)
    page = (archive / "site" / "documents" / "370812-jiyanzhengfa-2021-5" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "济兖政发〔2021〕5号" in page
    home = (archive / "site" / "index.html").read_text(encoding="utf-8")
    assert (
        "assets/stylesheets/gazette.css" in home and "assets/javascripts/search.js" in home
    )  # its own theme
    assert (archive / "site" / "assets" / "javascripts" / "search.js").is_file()
    assert (archive / "site" / "pagefind" / "pagefind.js").is_file()
    out = run("gazette", "check", cwd=archive)
    assert "no broken internal links — ok" in out
