"""A sharded archive: `gazette build --shards` builds every publisher's site under one folder and
a portal at its root; `gazette portal` rebuilds the portal from shard sites built elsewhere;
citations across shards link; the search box spans every shard."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.model.archive import select_shard
from generator.model.records import load_records
from generator.model.shards import plan_shards, read_catalogue
from generator.site.linkcheck import check_site
from tests.conftest import SUB_PATH, serve

ROOT = Path(__file__).resolve().parent.parent
SHARDS = {
    "jiyang": "济南市济阳区人民政府",
    "rencheng": "济宁市任城区人民政府",
    "yanzhou": "济宁市兖州区人民政府",
    "zhoucun": "淄博市周村区人民政府",
}
SERVED_AT = f"http://127.0.0.1:8000/{SUB_PATH}/"  # the links' base: the tests serve under /archive/
YANZHOU_DOC = "370812-jiyanzhengfa-2021-5"  # 济兖政发〔2021〕5号
RENCHENG_CITING = "370811-jirenzhengfa-2024-6"  # cites 济任政发〔2018〕8号 (changed below to a 兖州 number)


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def build_shards(content: Path, out: Path, *extra: str):
    previous = os.environ.get("SITE_URL")
    os.environ["SITE_URL"] = SERVED_AT  # read by the worker processes too
    try:
        return run(
            "build",
            "--shards",
            "--content",
            str(content),
            "--config",
            str(ROOT / "mkdocs.yml"),
            "--site",
            str(out / "site"),
            "--work",
            str(out / "work"),
            "--jobs",
            "4",
            *extra,
        )
    finally:
        if previous is None:
            os.environ.pop("SITE_URL", None)
        else:
            os.environ["SITE_URL"] = previous


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sharded")
    result = build_shards(ROOT / "content", out)
    assert result.exit_code == 0, result.output
    (out / "output.txt").write_text(result.output, encoding="utf-8")
    return out


def test_every_publisher_is_a_site_of_its_own_under_the_portal(sharded):
    site = sharded / "site"
    for shard, publisher in SHARDS.items():
        assert (site / shard / "index.html").is_file()
        assert (site / shard / "pagefind" / "pagefind-entry.json").is_file()
        summary = json.loads((site / shard / "shard.json").read_text(encoding="utf-8"))
        assert summary["publisher"] == publisher and summary["documents"] > 0
    assert (site / "yanzhou" / "documents" / YANZHOU_DOC / "index.html").is_file()
    assert not (site / "rencheng" / "documents" / YANZHOU_DOC).exists()
    assert (site / "index.html").is_file()


def test_no_broken_links_across_the_portal_and_every_shard(sharded):
    assert check_site(sharded / "site", f"/{SUB_PATH}/") == []


def test_the_portal_home_lists_every_publisher_and_the_latest_issues(sharded):
    home = (sharded / "site" / "index.html").read_text(encoding="utf-8")
    for shard, publisher in SHARDS.items():
        assert publisher in home
        assert f'href="{shard}/"' in home
    assert 'href="yanzhou/issues/370812-2021-3-4/"' in home
    assert "共 4 期、39 件文件" in home


def test_the_data_page_links_every_shards_package_and_says_how_to_combine_them(sharded):
    page = (sharded / "site" / "download" / "index.html").read_text(encoding="utf-8")
    for shard in SHARDS:
        assert f'href="../{shard}/download/"' in page
    assert "合并各数据包" in page


def test_the_build_reports_each_shard_as_it_goes(sharded):
    output = (sharded / "output.txt").read_text(encoding="utf-8")
    for shard in SHARDS:
        assert f"分片 shard {shard}: built" in output
    assert "门户 portal: 4 shards" in output


def artifacts_of(site: Path, into: Path) -> Path:
    """The shard sites as a CI job downloads them: each folder, without hidden files."""
    for shard in SHARDS:
        shutil.copytree(site / shard, into / shard, ignore=shutil.ignore_patterns(".*"))
    return into


def test_the_portal_is_rebuilt_from_shard_sites_built_elsewhere(sharded, tmp_path):
    downloaded = artifacts_of(sharded / "site", tmp_path / "public")
    result = run(
        "portal", "--site", str(downloaded), "--config", str(ROOT / "mkdocs.yml"), env={"SITE_URL": SERVED_AT}
    )
    assert result.exit_code == 0, result.output
    assert "portal of 4 shard sites (39 documents)" in result.output
    assert (downloaded / "index.html").read_bytes() == (sharded / "site" / "index.html").read_bytes()
    assert check_site(downloaded, f"/{SUB_PATH}/") == []
    again = run(
        "portal", "--site", str(downloaded), "--config", str(ROOT / "mkdocs.yml"), env={"SITE_URL": SERVED_AT}
    )
    assert again.exit_code == 0, again.output  # its own earlier portal is replaced


def test_the_portal_never_replaces_what_it_did_not_make(sharded, tmp_path):
    downloaded = artifacts_of(sharded / "site", tmp_path / "public")
    (downloaded / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("portal", "--site", str(downloaded), "--config", str(ROOT / "mkdocs.yml"))
    assert result.exit_code == 1
    assert result.output.startswith("错误 error: ") and result.output.count("\n") == 1
    assert "notes.txt" in result.output
    assert (downloaded / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_shards_are_built_only_into_a_folder_of_their_own(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("someone's page", encoding="utf-8")
    result = build_shards(ROOT / "content", tmp_path)
    assert result.exit_code == 1 and "错误 error: " in result.output
    assert (site / "index.html").read_text(encoding="utf-8") == "someone's page"


def test_the_shards_are_listed_as_json_for_a_ci_matrix(tmp_path):
    result = run(
        "shards", "--content", str(ROOT / "content"), "--json", "--catalogue", str(tmp_path / "c.json")
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output.strip().splitlines()[-1])
    assert [s["name"] for s in listed] == sorted(SHARDS)
    assert read_catalogue(tmp_path / "c.json") == {}  # the sample's documents cite no other shard's


def test_a_large_publisher_is_split_into_shards_of_years():
    issue = next(i for i in load_records(ROOT / "content") if i.region_code == "370812")  # 6 documents
    issues = [
        dataclasses.replace(issue, issue_id=f"370812-{year}-{n}", year=year)
        for year in (2019, 2020, 2021)
        for n in (1, 2)
    ]
    shards = plan_shards(issues, {"yanzhou": "370812"}, split_above=25)
    assert [s.name for s in shards] == ["yanzhou-y2019-2020", "yanzhou-y2021"]
    assert [s.documents for s in shards] == [24, 12]
    assert {i.year for i in select_shard(issues, "yanzhou-y2019-2020", {"yanzhou": "370812"})} == {2019, 2020}
    assert {i.year for i in select_shard(issues, "370812-y2021")} == {2021}
    assert [s.name for s in plan_shards(issues, {"yanzhou": "370812"})] == ["yanzhou"]  # under 5,000


# ---------------------------------------------------------------- citations across shards


@pytest.fixture(scope="module")
def cross_cited(tmp_path_factory) -> Path:
    """The sample archive in which a 任城区 document cites a 兖州区 one, built as shards."""
    out = tmp_path_factory.mktemp("cross")
    content = out / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache", "sources"))
    record = content / "records" / "370811-2024-2.yml"
    text = record.read_text(encoding="utf-8")
    assert text.count("cited_doc_number: 济任政发〔2018〕8号") == 1
    record.write_text(
        text.replace("cited_doc_number: 济任政发〔2018〕8号", "cited_doc_number: 济兖政发〔2021〕5号")
    )
    result = build_shards(content, out)
    assert result.exit_code == 0, result.output
    return out


def test_a_citation_of_another_shards_document_links_to_its_page(cross_cited):
    site = cross_cited / "site"
    page = (site / "rencheng" / "documents" / RENCHENG_CITING / "index.html").read_text(encoding="utf-8")
    link = f'href="../../../yanzhou/documents/{YANZHOU_DOC}/"'
    assert link in page
    assert "济宁市兖州区人民政府关于废止和宣布失效一批区政府文件的决定" in page
    assert (site / "yanzhou" / "documents" / YANZHOU_DOC / "index.html").is_file()
    assert check_site(site, f"/{SUB_PATH}/") == []
    catalogue = read_catalogue(cross_cited / "work" / "catalogue.json", "rencheng")
    assert catalogue["济兖政发〔2021〕5号"].shard == "yanzhou"
    cited = (site / "rencheng" / "cited" / "index.html").read_text(encoding="utf-8")
    assert "济兖政发〔2021〕5号" not in cited  # not listed as missing: another shard holds it


# ---------------------------------------------------------------- search across shards (Chromium)


@pytest.fixture(scope="module")
def sharded_url(sharded, tmp_path_factory):
    yield from serve(sharded / "site", tmp_path_factory.mktemp("served-shards"))


def found_sites(page, query: str) -> set[str]:
    """The shard folders of every record a search finds (what the search box would show)."""
    page.wait_for_function("window.gazetteSearch !== undefined")
    urls = page.evaluate(
        """async query => {
            await window.gazetteSearch.ready();
            const hits = await window.gazetteSearch.search(query);
            return (await hits.all()).map(data => data.url);
        }""",
        query,
    )
    return {url.split(f"/{SUB_PATH}/", 1)[1].split("/", 1)[0] for url in urls}


def new_page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def test_a_search_from_the_portal_finds_documents_of_every_shard(browser, sharded_url):
    page, errors = new_page(browser)
    page.goto(sharded_url)
    assert found_sites(page, "人民政府") == set(SHARDS)
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").fill("人民政府")
    page.wait_for_function("() => document.querySelector('[data-gz-search]').dataset.shown === '人民政府'")
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    first = page.locator(".md-search-result__link").first.get_attribute("href")
    assert any(f"/{SUB_PATH}/{shard}/" in first for shard in SHARDS)
    page.goto(first)
    assert page.title()  # the link leads to a shard's page
    page.close()
    assert errors == []


def test_a_shards_search_spans_every_shard_when_asked(browser, sharded_url):
    page, errors = new_page(browser)
    page.goto(sharded_url + "yanzhou/")
    page.locator("input.md-search__input").click()
    scope = page.locator("select.gz-search__scope")
    scope.wait_for()
    assert scope.input_value() == "own"  # 本发布机关 by default
    assert found_sites(page, "人民政府") == {"yanzhou"}
    scope.select_option("all")  # 全部发布机关
    assert found_sites(page, "人民政府") == set(SHARDS)
    page.locator("input.md-search__input").fill("周村")
    page.wait_for_function("() => document.querySelector('[data-gz-search]').dataset.shown === '周村'")
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    hrefs = page.locator(".md-search-result__link").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(f"/{SUB_PATH}/zhoucun/" in href for href in hrefs)
    page.close()
    assert errors == []


# ---------------------------------------------------------------- the CI matrix, run here

WORKFLOW = ROOT / ".github" / "workflows" / "shards.yml"


def workflow_jobs() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]


def expand(text: str, values: dict[str, str]) -> str:
    """The workflow's ``${{ … }}`` expressions replaced by ``values``; any other one fails the test."""

    def value(match: re.Match) -> str:
        expression = match.group(1).strip()
        assert expression in values, f"{WORKFLOW.name}: no local value for ${{{{ {expression} }}}}"
        return values[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def run_job(job: dict, workdir: Path, values: dict[str, str], artifacts: dict[str, Path]) -> dict[str, str]:
    """The job's steps in order, as a runner would: each ``run`` in bash (but installing, done
    here already), artifacts uploaded and downloaded between folders; returns its step outputs."""
    outputs: dict[str, str] = {}
    bin_dir = workdir / ".bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "gazette"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    for step in job["steps"]:
        uses = step.get("uses", "")
        artifact_step = uses.startswith(("actions/upload-artifact@", "actions/download-artifact@"))
        given = {k: expand(str(v), values) for k, v in step.get("with", {}).items()} if artifact_step else {}
        if uses.startswith("actions/upload-artifact@"):
            artifacts[given["name"]] = workdir / given["path"]
        elif uses.startswith("actions/download-artifact@"):
            names = (
                [given["name"]] if "name" in given else [n for n in artifacts if fnmatch(n, given["pattern"])]
            )
            assert names, f"{WORKFLOW.name}: nothing to download for {given}"
            for name in names:
                source = artifacts[name]
                target = workdir / given["path"] / (name if "pattern" in given else "")
                target.mkdir(parents=True, exist_ok=True)
                if source.is_dir():  # upload-artifact leaves hidden files out
                    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
                else:
                    shutil.copy2(source, target / source.name)
        elif "run" in step and "pip install" not in step["run"]:
            output_file = workdir / ".github-output"
            output_file.write_text("", encoding="utf-8")
            env = {
                **os.environ,
                **{k: expand(str(v), values) for k, v in (step.get("env") or {}).items()},
                "GITHUB_OUTPUT": str(output_file),
                "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            }
            done = subprocess.run(
                ["bash", "-e", "-c", expand(step["run"], values)],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, f"{step.get('name', step['run'])}: {done.stdout}{done.stderr}"
            for line in output_file.read_text(encoding="utf-8").splitlines():
                key, _, text = line.partition("=")
                outputs[f"steps.{step['id']}.outputs.{key}"] = text
    return outputs


def test_the_matrix_workflow_run_step_by_step_publishes_every_shard_and_the_portal(tmp_path):
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    shutil.copytree(ROOT / "content", workdir / "content", ignore=shutil.ignore_patterns(".cache", "sources"))
    shutil.copytree(ROOT / "docs", workdir / "docs")
    shutil.copy2(ROOT / "mkdocs.yml", workdir / "mkdocs.yml")
    jobs = workflow_jobs()
    assert jobs["shard"]["needs"] == "plan" and jobs["portal"]["needs"] == "shard"
    assert jobs["deploy"]["needs"] == "portal"
    artifacts: dict[str, Path] = {}
    pages = {"steps.pages.outputs.base_url": SERVED_AT.rstrip("/")}

    plan = run_job(jobs["plan"], workdir, {}, artifacts)
    job_output = jobs["plan"]["outputs"]["shards"]
    shards_json = plan[expand_key(job_output)]
    matrix = jobs["shard"]["strategy"]["matrix"]["shard"]
    assert matrix == "${{ fromJSON(needs.plan.outputs.shards) }}"
    names = [entry["name"] for entry in json.loads(shards_json)]
    assert names == sorted(SHARDS)

    for name in names:  # one runner each: its own checkout of the records
        runner = tmp_path / f"runner-{name}"
        shutil.copytree(workdir, runner, ignore=shutil.ignore_patterns("build", "public", ".github-output"))
        run_job(jobs["shard"], runner, {**pages, "matrix.shard.name": name}, artifacts)
    assert sorted(n for n in artifacts if n.startswith("shard-")) == [f"shard-{n}" for n in names]

    portal_runner = tmp_path / "runner-portal"
    shutil.copytree(
        workdir, portal_runner, ignore=shutil.ignore_patterns("build", "public", ".github-output")
    )
    run_job(jobs["portal"], portal_runner, pages, artifacts)
    published = portal_runner / jobs["portal"]["steps"][-1]["with"]["path"]
    for name in names:
        assert (published / name / "index.html").is_file()
        assert (published / name / "pagefind" / "pagefind-entry.json").is_file()
    assert (published / "index.html").is_file() and (published / "shards.json").is_file()
    assert check_site(published, f"/{SUB_PATH}/") == []


def expand_key(expression: str) -> str:
    """``${{ steps.plan.outputs.shards }}`` → ``steps.plan.outputs.shards``."""
    return re.fullmatch(r"\$\{\{\s*(.*?)\s*\}\}", expression).group(1)


def test_the_sharded_benchmark_archive_has_the_publishers_asked_for(tmp_path):
    from generator.dev.bench_shards import prepare_sharded

    content = prepare_sharded(120, 3, tmp_path)
    issues = load_records(content)
    assert len({i.region_code for i in issues}) == 3
    assert 120 <= sum(len(i.documents) for i in issues) < 150


def test_a_shards_build_reads_its_own_records_only(tmp_path):
    from generator.model.archive import load_archive
    from generator.model.records import RecordFileError

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache", "sources"))
    (content / "records" / "370811-2099-1.yml").write_text("issue_id: [unfinished\n", encoding="utf-8")
    with pytest.raises(RecordFileError, match="370811-2099-1.yml"):
        load_archive(content)
    archive = load_archive(content, "yanzhou")  # 任城区's broken record is not even read
    assert {i.region_code for i in archive.issues} == {"370812"}
    with pytest.raises(RecordFileError, match="370811-2099-1.yml"):
        load_archive(content, "rencheng")
