"""The data package: what a data user downloads must validate and say what it holds."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from generator.data.datapackage import PROFILE, package_files, validate_package, write_datapackage, zip_bytes
from generator.model.archive import load_archive

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return package_files(load_archive(ROOT / "content"))


@pytest.fixture(scope="module")
def descriptor(files) -> dict:
    return json.loads(files["datapackage.json"])


def rows(files, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[f"{name}.csv"].decode("utf-8"))))


def test_written_package_validates_with_frictionless(files, tmp_path: Path):
    write_datapackage(files, tmp_path / "gazette")
    assert validate_package(tmp_path / "gazette") == []


def test_descriptor_is_data_package_v2_with_license_and_sources(descriptor):
    assert descriptor["$schema"] == PROFILE
    assert descriptor["licenses"][0]["name"]
    # each source names its file; no path that would not resolve from the package or its zip
    assert all("path" not in s for s in descriptor["sources"])
    names = {p.name for p in (ROOT / "content" / "sources").glob("*.txt")}
    assert len(descriptor["sources"]) == len(names)
    for name in names:
        assert sum(name in s["title"] for s in descriptor["sources"]) == 1, name


def test_descriptor_says_when_by_whom_and_which_version(descriptor, files):
    archive = load_archive(ROOT / "content")
    newest = max(i.published_on for i in archive.issues)
    assert descriptor["version"] == "1.0." + newest.replace("-", "")
    assert descriptor["created"] == newest + "T00:00:00Z"
    publishers = {c["title"] for c in descriptor["contributors"] if c["roles"] == ["publisher"]}
    assert publishers == {i.publisher for i in archive.issues}
    assert "homepage" not in descriptor  # no site address given
    with_home = json.loads(package_files(archive, site_url="https://example.org/a/")["datapackage.json"])
    assert with_home["homepage"] == "https://example.org/a/"
    assert "PDDL" in files["LICENSE.txt"].decode() and "frictionless validate" in files["README.txt"].decode()


def test_fields_carry_their_constraints(descriptor):
    fields = {(r["name"], f["name"]): f for r in descriptor["resources"] for f in r["schema"]["fields"]}
    assert "通知" in fields[("documents", "doc_type")]["constraints"]["enum"]
    assert fields[("documents", "status")]["constraints"]["enum"] == ["有效", "已废止", "已宣布失效"]
    assert "任命" in fields[("appointments", "action")]["constraints"]["enum"]
    assert "废止" in fields[("references", "relation")]["constraints"]["enum"]
    assert fields[("issues", "region_code")]["constraints"]["pattern"] == "[0-9]{6}"
    assert fields[("issues", "source_sha256")]["constraints"]["pattern"] == "[0-9a-f]{64}"
    for resource in descriptor["resources"]:
        assert resource["dialect"]["lineTerminator"] == "\n"


def test_table_columns_are_named_after_their_headings(descriptor, files):
    tables = [r for r in descriptor["resources"] if r["name"].startswith("table-")]
    assert tables
    for resource in tables:
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert all(n.isascii() for n in names) and len(set(names)) == len(names)
        header = files[resource["path"]].decode("utf-8").splitlines()[0].split(",")
        assert header == names
    headed = [f for r in tables for f in r["schema"]["fields"] if not re.fullmatch(r"第\d+列", f["title"])]
    assert headed and not [f for f in headed if re.fullmatch(r"c\d+", f["name"])]
    assert {f["name"] for f in headed if f["title"] == "序号"} <= {"xu_hao"}


def test_contract_resources_and_fields_are_present(descriptor):
    fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in descriptor["resources"]}
    required = {
        "issues": "issue_id kind publisher region_code year number cumulative_number published_on source",
        "documents": (
            "document_id issue_id seq section doc_number doc_agency doc_year doc_serial title doc_type "
            "issuer recipients signed_on printed_on public page body url"
        ),
        "appointments": "appointment_id issue_id decided_on authority person action post note",
        "events": "event_id issue_id date end_date text",
        "references": "document_id cited_doc_number cited_document_id relation",
        "tables": "table_id document_id caption rows columns path",
        "problems": "issue_id severity code message line",
    }
    for resource, names in required.items():
        assert set(names.split()) <= set(fields[resource]), resource
    for resource in descriptor["resources"]:
        assert resource["name"].isascii()
        assert all(
            f["name"].isascii() and f.get("description", f.get("title")) for f in resource["schema"]["fields"]
        )


def test_keys_are_declared(descriptor):
    by_name = {r["name"]: r["schema"] for r in descriptor["resources"]}
    assert by_name["issues"]["primaryKey"] == ["issue_id"]
    assert by_name["documents"]["primaryKey"] == ["document_id"]
    assert by_name["documents"]["foreignKeys"][0]["reference"] == {
        "resource": "issues",
        "fields": ["issue_id"],
    }


def test_bytes_and_hash_match_the_files(files, descriptor):
    for resource in descriptor["resources"]:
        data = files[resource["path"]]
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_same_records_give_the_same_bytes(files):
    again = package_files(load_archive(ROOT / "content"))
    assert again == files
    assert zip_bytes(again) == zip_bytes(files)


def test_every_sample_gazette_is_an_issue_row_and_documents_are_found(files):
    issues = {row["source"]: row for row in rows(files, "issues")}
    assert issues["yanzhou-2021-03-04.txt"]["number"] == "3-4"
    assert issues["yanzhou-2021-03-04.txt"]["cumulative_number"] == "87-88"
    assert issues["yanzhou-2021-03-04.txt"]["published_on"] == "2021-05-10"
    assert issues["jiyang-2021-documents.txt"]["kind"] == "collection"
    documents = rows(files, "documents")
    yanzhou5 = next(d for d in documents if d["doc_number"] == "济兖政发〔2021〕5号")
    assert yanzhou5["title"] == "济宁市兖州区人民政府关于废止和宣布失效一批区政府文件的决定"
    assert yanzhou5["doc_type"] == "决定"
    assert yanzhou5["signed_on"] == "2021-03-26"
    assert all(d["url"] == f"documents/{d['document_id']}/" for d in documents)


def test_a_broken_foreign_key_is_reported(files, tmp_path: Path):
    broken = dict(files)
    documents = files["documents.csv"].decode("utf-8").split("\n", 2)
    first = documents[1].split(",")
    first[1] = "no-such-issue"
    documents[1] = ",".join(first)
    broken["documents.csv"] = "\n".join(documents).encode("utf-8")
    descriptor = json.loads(files["datapackage.json"])
    for resource in descriptor["resources"]:
        if resource["name"] == "documents":
            resource["bytes"] = len(broken["documents.csv"])
            resource["hash"] = "sha256:" + hashlib.sha256(broken["documents.csv"]).hexdigest()
    broken["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False).encode("utf-8")
    write_datapackage(broken, tmp_path / "gazette")
    errors = validate_package(tmp_path / "gazette")
    assert any("documents" in e and "no-such-issue" in e for e in errors), errors


def test_zip_holds_the_whole_package(files):
    with zipfile.ZipFile(io.BytesIO(zip_bytes(files))) as archive:
        assert sorted(archive.namelist()) == sorted(f"gazette/{rel}" for rel in files)


def test_a_package_made_from_cached_issue_parts_is_the_package_made_whole(tmp_path: Path):
    """A rebuild takes each unchanged issue's rows from the content folder's cache; what an issue
    shows of the others (a citation found, a status) changes its part too."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".cache"))

    def both() -> tuple[dict[str, bytes], dict[str, bytes]]:
        return package_files(load_archive(content)), package_files(load_archive(content), cache_dir=content)

    whole, cached = both()  # the cache is filled
    assert cached == whole
    parts = sorted((content / ".cache" / "package").glob("*.pickle"))
    assert len(parts) == len(list((content / "records").glob("*.yml")))
    assert both()[1] == whole  # and read

    record = content / "records" / "370811-2024-2.yml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("关于下达", "关于修订下达"), encoding="utf-8"
    )
    whole, cached = both()
    assert cached == whole and "关于修订下达".encode() in whole["documents.csv"]

    # a document of one issue repeals one of another: the other's status changes, not its record
    citing = content / "records" / "370115-2021-c-jiyangzhengfa-2021-8.yml"
    cites = "  - cited_doc_number: 鲁政发〔2019〕15号\n    relation: 依据\n    line: 1490\n"
    text = citing.read_text(encoding="utf-8")
    assert cites in text
    repeal = "  - cited_doc_number: 济任政发〔2024〕3号\n    relation: 废止\n    line: 1490\n"
    citing.write_text(text.replace(cites, cites + repeal), encoding="utf-8")
    whole, cached = both()
    assert cached == whole
    assert "370811-jirenzhengfa-2024-3" in {
        r["document_id"] for r in rows(whole, "documents") if r["status"] == "已废止"
    }

    for record in sorted((content / "records").glob("*.yml")):  # each issue gone in turn
        kept = record.read_bytes()
        record.unlink()
        whole, cached = both()
        assert cached == whole, record.name
        record.write_bytes(kept)

    parts[0].write_bytes(parts[0].read_bytes()[:100])  # damaged: made again
    assert both()[1] == package_files(load_archive(content))


def test_the_record_count_the_data_page_gives_is_the_csv_readers(files):
    """The data page counts each table's rows without parsing it: line breaks and quotes inside
    a field (a body's paragraphs, a quoted title) must not be counted as rows."""
    from generator.data.datapackage import _csv, csv_records

    tricky = _csv(
        ["a", "b"],
        [["第一段\n\n第二段", '他说"好"'], ["", '"\n"'], ['a""', "\r\n"], ["x", "y"]],
    )
    for name, data in [("tricky", tricky), *((n, d) for n, d in files.items() if n.endswith(".csv"))]:
        expected = len(list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""))))
        assert csv_records(data) == expected, name
        assert csv_records(data.rstrip(b"\n")) == expected, name  # no break after the last record
    assert csv_records(tricky) == 5
