"""`gazette check` as a library function: records, data package and site links, with a typed report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import GazetteError


@dataclass
class CheckReport:
    """What was checked and found sound (``passed``), and every fault, one line each naming its file."""

    passed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def check_archive(content_dir: Path, datapackage_dir: Path, site_dir: Path, config_file: Path) -> CheckReport:
    """Validate the records (GazetteError when they cannot be read at all), the data package
    (present, up to date with the records, valid for frictionless) and, when built, the site's
    internal links."""
    from generator.data.datapackage import package_files, validate_package
    from generator.model.archive import load_archive
    from generator.model.records import record_paths
    from generator.site.linkcheck import check_site

    content_dir, datapackage_dir, site_dir = Path(content_dir), Path(datapackage_dir), Path(site_dir)
    report = CheckReport()
    paths = record_paths(content_dir)
    if not paths:
        raise GazetteError(f"{content_dir / 'records'}: no records; run `gazette ingest SOURCE` first")
    archive = load_archive(content_dir)
    report.passed.append(f"records: {len(paths)} files, {len(archive.documents)} documents — ok")
    report.failures += [
        f"{content_dir}/records/{issue_id}.yml:{p.line}: {p.message}"
        for issue_id, p in archive.problems
        if p.severity == "error"
    ]

    expected = package_files(archive)
    if not (datapackage_dir / "datapackage.json").is_file():
        report.failures.append(f"{datapackage_dir}/datapackage.json: missing; run `gazette datapackage`")
    else:
        stale = sorted(
            rel
            for rel, data in expected.items()
            if not (datapackage_dir / rel).is_file() or (datapackage_dir / rel).read_bytes() != data
        )
        if stale:
            report.failures.append(
                f"{datapackage_dir}/{stale[0]}: out of date with the records ({len(stale)} files); "
                "run `gazette datapackage`"
            )
        errors = validate_package(datapackage_dir)
        report.failures += [f"{datapackage_dir}/datapackage.json: {e}" for e in errors]
        if not errors and not stale:
            report.passed.append(f"data package: {len(expected)} files valid (frictionless) — ok")

    if site_dir.is_dir():
        broken = check_site(site_dir, site_path(config_file))
        report.failures += [f"{site_dir}/{b}" for b in broken]
        if not broken:
            report.passed.append(
                f"site: {sum(1 for _ in site_dir.rglob('*.html'))} pages, no broken internal links — ok"
            )
    else:
        report.passed.append(f"site: {site_dir} not built, links not checked")
    return report


def site_path(config_file: Path) -> str:
    """The URL path the site is served from, from mkdocs.yml's site_url ("/" when unknown)."""
    from urllib.parse import urlsplit

    from mkdocs.config import load_config

    if not Path(config_file).is_file():
        return "/"
    return urlsplit(load_config(config_file=str(config_file)).site_url or "/").path or "/"
