"""An archive as many sites: which shards it has, and the catalogue they share. Pure but for
``read_catalogue``.

A shard is one publisher's issues (``yanzhou``), or, for a publisher of more than
``SPLIT_ABOVE`` documents, the issues of a run of years (``yanzhou-y2015-2019``): each shard is
built as a site of its own, in a folder of that name beside the others, under one portal.

The catalogue is what every shard's build needs to know of the others: for each document
number that a document of one shard cites and another shard holds, that shard, the document's
id and its title. Its size grows with the citations across shards, not with the archive.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from generator.errors import GazetteError
from generator.model.archive import CatalogueEntry, build_archive, shard_name
from generator.model.models import Issue

SPLIT_ABOVE = 5000  # documents: a publisher with more is split into shards of runs of years
CATALOGUE_FORMAT = "gazette-catalogue/1"


class CatalogueError(GazetteError):
    """The catalogue file cannot be read."""


@dataclass(frozen=True)
class Shard:
    name: str  # its folder under the portal, and what `gazette build --shard` takes
    region_code: str
    publisher: str
    years: tuple[int, int] | None  # (first, last) when the publisher is split by years
    issues: int
    documents: int


def plan_shards(
    issues: list[Issue], slugs: dict[str, str] | None = None, split_above: int = SPLIT_ABOVE
) -> list[Shard]:
    """The shards of an archive: one per publisher (named by its slug from ``slugs``, slug →
    region code, else its region code), split into runs of whole years of at most
    ``split_above`` documents when it has more (a single year larger than that stays one shard)."""
    slug_of = {code: slug for slug, code in (slugs or {}).items()}
    by_region: dict[str, list[Issue]] = {}
    for issue in issues:
        by_region.setdefault(issue.region_code, []).append(issue)
    shards: list[Shard] = []
    for code in sorted(by_region, key=lambda c: (slug_of.get(c, c), c)):
        own = by_region[code]
        who = slug_of.get(code, code)
        publisher = own[0].publisher
        total = sum(len(i.documents) for i in own)
        if total <= split_above:
            shards.append(Shard(who, code, publisher, None, len(own), total))
            continue
        per_year: dict[int, list[Issue]] = {}
        for issue in own:
            per_year.setdefault(issue.year or 0, []).append(issue)
        run: list[int] = []
        count = 0
        for year in sorted(per_year):
            size = sum(len(i.documents) for i in per_year[year])
            if run and count + size > split_above:
                shards.append(_year_shard(who, code, publisher, run, per_year))
                run, count = [], 0
            run.append(year)
            count += size
        shards.append(_year_shard(who, code, publisher, run, per_year))
    return shards


def _year_shard(who: str, code: str, publisher: str, years: list[int], per_year: dict) -> Shard:
    issues = [i for y in years for i in per_year[y]]
    span = (years[0], years[-1])
    return Shard(
        shard_name(who, span), code, publisher, span, len(issues), sum(len(i.documents) for i in issues)
    )


def shard_of_issue(shards: list[Shard]) -> Callable[[Issue], str]:
    """The name of the shard that holds an issue."""

    def find(issue: Issue) -> str:
        for shard in shards:
            if shard.region_code == issue.region_code and (
                shard.years is None or shard.years[0] <= (issue.year or 0) <= shard.years[1]
            ):
                return shard.name
        raise KeyError(issue.issue_id)

    return find


def make_catalogue(issues: list[Issue], shards: list[Shard]) -> dict:
    """The shared catalogue (JSON-ready): the shards, and every document cited from another
    shard than its own, by its number."""
    shard_of = shard_of_issue(shards)
    archive = build_archive(issues)
    home = {doc_id: shard_of(issue) for doc_id, issue in archive.issue_of.items()}
    documents: dict[str, list[str]] = {}
    for citation in archive.citations:
        cited = citation.cited
        if cited is None or home[cited.document_id] == home[citation.citing.document_id]:
            continue
        documents[citation.reference.cited_doc_number] = [
            home[cited.document_id],
            cited.document_id,
            cited.title,
        ]
    return {
        "format": CATALOGUE_FORMAT,
        "shards": [asdict(s) for s in shards],
        "documents": dict(sorted(documents.items())),
    }


def catalogue_bytes(catalogue: dict) -> bytes:
    return (json.dumps(catalogue, ensure_ascii=False, indent=0, sort_keys=False) + "\n").encode("utf-8")


def read_catalogue(path: Path, shard: str | None = None) -> dict[str, CatalogueEntry]:
    """Document number → the document of another shard than ``shard``, from the catalogue file
    ``path``. CatalogueError naming the file when it is not one."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(
            f"{path}: no such catalogue; write it with `gazette shards --catalogue {path}`"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogueError(f"{path}: not a readable catalogue ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != CATALOGUE_FORMAT:
        raise CatalogueError(f"{path}: not a shard catalogue (format {CATALOGUE_FORMAT} expected)")
    entries: dict[str, CatalogueEntry] = {}
    for number, row in (data.get("documents") or {}).items():
        if not (isinstance(row, list) and len(row) == 3 and all(isinstance(v, str) for v in row)):
            raise CatalogueError(f"{path}: documents[{number!r}]: expected [shard, document id, title]")
        if row[0] != shard:
            entries[number] = CatalogueEntry(*row)
    return entries
