"""The GitHub workflows a maintainer deploys with: valid against the published workflow schema,
current action majors, least privilege per job, the README's test command on every push and
pull request, the incremental build's caches restored, Dependabot for actions and pip."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT_WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
SCAFFOLD_WORKFLOW = ROOT / "generator" / "scaffold" / "workflows" / "pages.yml"
WORKFLOWS = [PROJECT_WORKFLOW, SCAFFOLD_WORKFLOW]
SHARDS_WORKFLOW = ROOT / ".github" / "workflows" / "shards.yml"  # the matrix: tests/test_shards.py runs it
ALL_WORKFLOWS = [*WORKFLOWS, SHARDS_WORKFLOW]
DEPENDABOT = ROOT / ".github" / "dependabot.yml"

# The current major of each action, December 2026. Dependabot proposes the next ones.
CURRENT_MAJORS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/cache": 5,
    "actions/upload-artifact": 7,
    "actions/download-artifact": 8,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}


def load(path: Path) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); give it back its name.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def check_jsonschema() -> str:
    found = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))
    if not Path(found).exists():
        pytest.fail("check-jsonschema is not installed: pip install -e '.[test]'")
    return found


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        (PROJECT_WORKFLOW, "vendor.github-workflows"),
        (SCAFFOLD_WORKFLOW, "vendor.github-workflows"),
        (SHARDS_WORKFLOW, "vendor.github-workflows"),
        (DEPENDABOT, "vendor.dependabot"),
    ],
    ids=["project-workflow", "scaffold-workflow", "shards-workflow", "dependabot"],
)
def test_valid_against_the_published_schema(path: Path, schema: str):
    result = subprocess.run(
        [check_jsonschema(), "--builtin-schema", schema, str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=["project", "scaffold", "shards"])
def test_actions_are_at_their_current_major(path: Path):
    used = re.findall(r"uses:\s*([\w.-]+/[\w.-]+)@v(\d+)", path.read_text(encoding="utf-8"))
    assert used
    for action, major in used:
        assert action in CURRENT_MAJORS, f"{action} has no known current major"
        assert int(major) >= CURRENT_MAJORS[action], (
            f"{action}@v{major} is older than v{CURRENT_MAJORS[action]}"
        )


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=["project", "scaffold", "shards"])
def test_only_the_publishing_jobs_may_write(path: Path):
    # deploy writes the Pages site; data-release the assets of the release the data page links
    may_write = {"deploy": {"pages", "id-token"}, "data-release": {"contents"}}
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", workflow["permissions"])
        writes = {scope for scope, level in granted.items() if level == "write"}
        if name in may_write:
            assert writes == may_write[name]
            # a pull request never publishes: the job or the job it needs runs on main only
            conditions = job.get("if", "") + workflow["jobs"][job["needs"]].get("if", "")
            assert "refs/heads/main" in conditions and "pull_request" in conditions
        else:
            assert not writes, f"job {name} can write {writes}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=["project", "scaffold"])
def test_the_data_page_links_the_assets_the_workflow_publishes(path: Path):
    workflow = load(path)
    build = next(s for s in workflow["jobs"]["build"]["steps"] if "gazette build" in s.get("run", ""))
    url = build["env"]["BULK_DOWNLOADS_URL"]
    assert url.endswith("/releases/download/data/")
    release = workflow["jobs"]["data-release"]["steps"]
    commands = "\n".join(step.get("run", "") for step in release)
    assert "--archives build/release/assets" in commands
    assert "gh release upload data build/release/assets/*" in commands
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "bulk_downloads_url: !ENV [BULK_DOWNLOADS_URL" in mkdocs


def test_the_project_is_tested_on_every_push_and_pull_request_before_it_deploys():
    workflow = load(PROJECT_WORKFLOW)
    assert {"push", "pull_request"} <= set(workflow["on"])
    test_job = workflow["jobs"]["test"]
    assert "if" not in test_job
    commands = [step["run"] for step in test_job["steps"] if "run" in step]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./tests/run" in readme
    assert any(command.startswith("./tests/run") for command in commands)
    assert workflow["jobs"]["build"]["needs"] == "test"
    assert "main" in workflow["jobs"]["build"]["if"]
    assert workflow["jobs"]["deploy"]["needs"] == "build"


@pytest.mark.parametrize("path", WORKFLOWS, ids=["project", "scaffold"])
def test_the_build_restores_what_an_incremental_build_reuses(path: Path):
    build = load(path)["jobs"]["build"]
    caches = [step for step in build["steps"] if step.get("uses", "").startswith("actions/cache@")]
    assert len(caches) == 1
    paths = caches[0]["with"]["path"].split()
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    page_cache = re.search(r"^\s+pages:\s*(\S+)", mkdocs, re.M).group(1)
    assert {"content/.cache", page_cache, "site", ".site.previous"} <= set(paths)
    assert caches[0]["with"]["restore-keys"]
    # the cache is restored before the build runs
    names = [step.get("uses", step.get("run", "")) for step in build["steps"]]
    build_step = next(i for i, n in enumerate(names) if "gazette build" in n)
    assert names.index(caches[0]["uses"]) < build_step


def test_dependabot_updates_actions_and_pip():
    config = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))
    assert {u["package-ecosystem"] for u in config["updates"]} >= {"github-actions", "pip"}
