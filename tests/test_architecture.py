"""The code keeps its shape: ruff (format and lint, settings in pyproject.toml) and the
import-linter contracts (the stages' import directions) hold over generator/ and tests/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def test_ruff_lint_and_format_hold():
    lint = subprocess.run(
        [_tool("ruff"), "check", "generator", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    form = subprocess.run(
        [_tool("ruff"), "format", "--check", "generator", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert form.returncode == 0, form.stdout + form.stderr


def test_import_contracts_hold():
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_every_stage_is_a_package_of_its_own():
    for stage in ("ingest", "model", "data", "site", "search", "dev"):
        assert (ROOT / "generator" / stage / "__init__.py").is_file(), stage
    flat = sorted(p.name for p in (ROOT / "generator").glob("*.py"))
    assert flat == [
        "__init__.py",
        "__main__.py",
        "build.py",
        "check.py",
        "cli.py",
        "errors.py",
        "outputs.py",
        "parallel.py",
        "scaffold.py",
        "shards.py",
    ]
