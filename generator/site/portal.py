"""The portal of a sharded archive: one small MkDocs site at the root of the folder that holds
every shard's site (``<shard>/``), built from what each shard publishes about itself.

Each shard's site carries ``shard.json`` (``shard_summary``: its publisher, counts and latest
issues), so the portal can be built from shard sites built anywhere (a CI matrix's jobs). The
portal has a home page (publishers with their counts, the latest issues of all shards), a
publishers page, a data page (each shard's data package and how to combine them), an Atom feed
of the latest issues, ``shards.json`` (what the search box merges) and the header search.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from generator.errors import GazetteError
from generator.model.archive import Archive
from generator.model.ids import PORTAL_SHARDS, issue_url, portal_shard_url, tag_uri
from generator.model.labels import cn_date, issue_label

LATEST = 10  # latest issues a shard tells the portal, and the portal's home page shows
PORTAL_PAGES = (
    "index.md",
    "issues/index.md",
    "years/index.md",
    "types/index.md",
    "publishers/index.md",
    "download/index.md",
)
PORTAL_NAV = [
    {"首页": "index.md"},
    {"期刊": "issues/index.md"},
    {"按年份": "years/index.md"},
    {"按文种": "types/index.md"},
    {"发布机关": "publishers/index.md"},
    {"数据下载": "download/index.md"},
]


class PortalError(GazetteError):
    """The portal cannot be built."""


def shard_summary(archive: Archive, shard: str) -> str:
    """``shard.json`` of one shard's site: who it holds, its counts and its latest issues."""
    issues = archive.issues  # newest first
    years = sorted(i.year for i in issues if i.year)
    summary = {
        "shard": shard,
        "publisher": issues[0].publisher if issues else "",
        "region_code": issues[0].region_code if issues else "",
        "years": [years[0], years[-1]] if years else [],
        "issues": len(issues),
        "documents": len(archive.documents),
        "latest": [
            {
                "title": issue_label(issue),
                "date": issue.published_on,
                "url": issue_url(issue.issue_id),
                "documents": len(issue.documents),
            }
            for issue in issues[:LATEST]
        ],
    }
    return json.dumps(summary, ensure_ascii=False, indent=1) + "\n"


def read_summary(path: Path) -> dict[str, Any]:
    """A shard's ``shard.json``; PortalError naming the file when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PortalError(f"{path}: not a shard summary ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("latest"), list) or "documents" not in data:
        raise PortalError(f"{path}: not a shard summary (no counts or latest issues)")
    return data


# ---------------------------------------------------------------- pages


def _a(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _years(summary: dict) -> str:
    years = summary.get("years") or []
    if not years:
        return "—"
    return f"{years[0]}" if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def _shard_label(summary: dict, all_summaries: list[dict]) -> str:
    """The publisher, with its years when the publisher's issues are split into several shards."""
    same = [s for s in all_summaries if s["publisher"] == summary["publisher"]]
    return summary["publisher"] + (f"（{_years(summary)}）" if len(same) > 1 else "")


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"


def latest_issues(summaries: list[dict], limit: int = LATEST) -> list[tuple[dict, dict]]:
    """(shard summary, issue) of the newest issues of all shards, newest first."""
    rows = [(s, issue) for s in summaries for issue in s["latest"]]
    rows.sort(key=lambda pair: (pair[1].get("date") or "", pair[1]["title"]), reverse=True)
    return rows[:limit]


def portal_pages(summaries: list[dict], site_name: str) -> dict[str, str]:
    """The portal's pages (docs-relative path → Markdown) for the shards ``summaries``."""
    issues = sum(s["issues"] for s in summaries)
    documents = sum(s["documents"] for s in summaries)
    publishers = sorted({s["publisher"] for s in summaries})

    def shard_rows(up: str) -> list[list[str]]:
        return [
            [
                _a(up + portal_shard_url(s["shard"]), _shard_label(s, summaries)),
                _years(s),
                f"{s['issues']:,}",
                f"{s['documents']:,}",
            ]
            for s in summaries
        ]

    latest = [
        [
            html.escape(cn_date(issue["date"]) if issue.get("date") else "日期不详"),
            html.escape(_shard_label(s, summaries)),
            _a(f"{s['shard']}/{issue['url']}", issue["title"]),
            f"{issue['documents']:,}",
        ]
        for s, issue in latest_issues(summaries)
    ]
    home = (
        f"# {site_name}\n\n"
        f"本档案收录 {len(publishers)} 个发布机关的公报，共 {issues:,} 期、{documents:,} 件文件；"
        f"每个发布机关（公报很多的，按年份分段）是一个子站点。页首的搜索框可以搜索全部发布机关。\n\n"
        "## 发布机关\n\n"
        + _table(["发布机关", "年份", "期数", "文件数"], shard_rows(""))
        + "\n## 最新期刊\n\n"
        + _table(["出版日期", "发布机关", "期刊", "文件数"], latest)
        + "\n[全部发布机关](publishers/index.md) · [数据下载](download/index.md)\n"
    )
    publisher_rows = [
        [
            html.escape(_shard_label(s, summaries)),
            html.escape(s.get("region_code") or "—"),
            _years(s),
            f"{s['documents']:,}",
            " · ".join(
                _a("../" + portal_shard_url(s["shard"], path), text)
                for path, text in (
                    ("index.md", "首页"),
                    ("issues/index.md", "期刊"),
                    ("download.md", "数据下载"),
                )
            ),
        ]
        for s in summaries
    ]
    publishers_page = (
        "# 发布机关\n\n"
        f"共 {len(publishers)} 个发布机关、{len(summaries)} 个子站点。\n\n"
        + _table(["发布机关", "行政区划代码", "年份", "文件数", "子站点"], publisher_rows)
    )
    data_rows = [
        [
            html.escape(_shard_label(s, summaries)),
            _a("../" + portal_shard_url(s["shard"], "download.md"), "数据下载"),
        ]
        for s in summaries
    ]
    download = (
        "# 数据下载\n\n"
        "每个子站点发布自己的数据包（Frictionless Data Package：CSV 文件、zip 压缩包和 SQLite 文件），"
        "各数据包的结构完全相同，标识符（文件、期刊的 id）在全部数据包中唯一。\n\n"
        + _table(["发布机关", "数据包"], data_rows)
        + "\n## 合并各数据包\n\n"
        "同名的 CSV 文件可以直接首尾相接（只保留第一个文件的表头），例如合并各数据包的 `documents.csv`：\n\n"
        "```sh\n"
        "head -n 1 */documents.csv | head -n 2 | tail -n 1 > documents.csv\n"
        'for f in */documents.csv; do tail -n +2 "$f" >> documents.csv; done\n'
        "```\n\n"
        "或者用 Python：\n\n"
        "```python\n"
        "import glob, pandas\n"
        "documents = pandas.concat(pandas.read_csv(p, dtype=str) for p in glob.glob('*/documents.csv'))\n"
        "```\n\n"
        "SQLite 文件可以在一个连接里同时打开，用 `UNION ALL` 一起查询：\n\n"
        "```sql\n"
        "ATTACH 'yanzhou.sqlite' AS a; ATTACH 'rencheng.sqlite' AS b;\n"
        "SELECT * FROM a.documents UNION ALL SELECT * FROM b.documents;\n"
        "```\n"
    )
    issue_rows = [
        [
            html.escape(cn_date(issue["date"]) if issue.get("date") else "日期不详"),
            html.escape(_shard_label(s, summaries)),
            _a(f"../{s['shard']}/{issue['url']}", issue["title"]),
        ]
        for s, issue in latest_issues(summaries, limit=len(summaries) * LATEST)
    ]
    issues_page = (
        "# 期刊\n\n"
        "各发布机关的全部期刊在其子站点：\n\n"
        + _fan_out(summaries, "issues/index.md", "全部期刊")
        + "\n## 最新期刊\n\n"
        + _table(["出版日期", "发布机关", "期刊"], issue_rows)
    )
    years_page = "# 按年份\n\n各发布机关的文件按年份浏览：\n\n" + _fan_out(
        summaries, "years/index.md", "按年份"
    )
    types_page = "# 按文种\n\n各发布机关的文件按文种浏览：\n\n" + _fan_out(
        summaries, "types/index.md", "按文种"
    )
    return {
        "index.md": home,
        "issues/index.md": issues_page,
        "years/index.md": years_page,
        "types/index.md": types_page,
        "publishers/index.md": publishers_page,
        "download/index.md": download,
    }


def _fan_out(summaries: list[dict], path: str, text: str) -> str:
    """A table linking page ``path`` of every shard, from a page one folder below the root."""
    rows = [
        [
            html.escape(_shard_label(s, summaries)),
            _years(s),
            _a("../" + portal_shard_url(s["shard"], path), text),
        ]
        for s in summaries
    ]
    return _table(["发布机关", "年份", "子站点"], rows)


def portal_shards_json(summaries: list[dict]) -> str:
    """``shards.json`` in the portal: each shard's folder, publisher and counts, for the search box."""
    rows = [
        {
            "shard": s["shard"],
            "publisher": s["publisher"],
            "years": s.get("years") or [],
            "documents": s["documents"],
        }
        for s in summaries
    ]
    return json.dumps({"shards": rows}, ensure_ascii=False, indent=1) + "\n"


def portal_feed(summaries: list[dict], site_url: str, site_name: str, authority: str) -> bytes:
    """An Atom feed of the latest issues of all shards (absolute links from ``site_url``)."""
    base = site_url.rstrip("/") + "/"
    rows = latest_issues(summaries, limit=50)
    updated = max((issue.get("date") or "1970-01-01" for _, issue in rows), default="1970-01-01")
    entries = []
    for s, issue in rows:
        path = f"{s['shard']}/{issue['url']}"
        date = issue.get("date") or "1970-01-01"
        entries.append(
            "<entry>"
            f"<title>{escape(issue['title'])}</title>"
            f"<id>{escape(tag_uri(authority, path))}</id>"
            f"<link href={quoteattr(base + path)}/>"
            f"<updated>{date}T00:00:00Z</updated>"
            f"<author><name>{escape(s['publisher'])}</name></author>"
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-Hans">'
        f"<title>{escape(site_name)}：最新期刊</title>"
        f"<id>{escape(tag_uri(authority, ''))}</id>"
        f'<link rel="self" href={quoteattr(base + "feed.xml")}/>'
        f"<link href={quoteattr(base)}/>"
        f"<updated>{updated}T00:00:00Z</updated>" + "".join(entries) + "</feed>\n"
    ).encode("utf-8")


def render_portal(
    summaries: list[dict], config_file: Path, out_dir: Path, site_url: str | None = None
) -> None:
    """Build the portal's MkDocs site into ``out_dir`` (a new, empty folder) with the archive's
    theme and the settings of ``config_file`` (site name, theme, Markdown), its own pages only."""
    import tempfile

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.site.feed import DEFAULT_ID_AUTHORITY
    from generator.site.plugin import THEME_DIR

    with tempfile.TemporaryDirectory(prefix="gazette-portal-") as tmp:
        docs = Path(tmp)
        overrides: dict[str, Any] = {"docs_dir": str(docs), "site_dir": str(out_dir), "nav": PORTAL_NAV}
        if site_url is not None:
            overrides["site_url"] = site_url
        try:
            plugin = load_config(config_file=str(config_file), **overrides).plugins.get("gazette")
            authority = plugin.config.feed_id_authority if plugin is not None else DEFAULT_ID_AUTHORITY
            # the portal's pages are its own: no records, no other plugins
            config = load_config(config_file=str(config_file), plugins=[], **overrides)
        except MkDocsException as exc:
            raise PortalError(f"{config_file}: {exc}") from None
        config.extra["gazette_shards"] = "portal"  # the search box merges the shards' indexes
        if str(THEME_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        for rel, text in portal_pages(summaries, config.site_name).items():
            (docs / rel).parent.mkdir(parents=True, exist_ok=True)
            (docs / rel).write_text(text, encoding="utf-8")
        (docs / PORTAL_SHARDS).write_text(portal_shards_json(summaries), encoding="utf-8")
        if config.site_url:
            (docs / "feed.xml").write_bytes(
                portal_feed(summaries, config.site_url, config.site_name, authority)
            )
        try:
            mkdocs_build(config)
        except MkDocsException as exc:
            raise PortalError(f"{config_file}: portal build failed: {exc}") from None
