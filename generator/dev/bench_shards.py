"""The sharded benchmark (issue 18): a synthetic archive of N documents over K publishers, built
with `gazette build --shards` in J local processes: time and peak memory per shard, the portal's
time, the site's bytes, and what a search from the portal loads with every shard merged (bytes
per query, a first query and the ones after it, in Chromium).

    python -m generator.dev.bench_shards --docs 1000 --shards 4 --jobs 2 --out build/bench-shards

Kept apart from bench.py (the one-site benchmark); it reuses its synthetic archive.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import math
import threading
import time
from pathlib import Path

from generator.dev.bench import ROOT, load_samples, registry_text
from generator.model.records import dump_issue
from generator.outputs import write_atomic

CHROMIUM = "/usr/bin/chromium"
QUERIES = ("人民政府", "安全生产", "通知", "教育", "济兖政发〔2021〕5号", "城市管理")


def prepare_sharded(n_docs: int, n_shards: int, work: Path, seed: int = 0) -> Path:
    """A synthetic archive of about ``n_docs`` documents, all of them of ``n_shards`` publishers
    (the samples' and the synthetic extra ones), under ``work/content``."""
    from generator.dev.synthetic import publishers_for, synthetic_issues

    samples, _ = load_samples(ROOT)
    publishers = publishers_for(samples)
    if n_shards > len(publishers):
        raise SystemExit(
            f"--shards {n_shards}: the synthetic archive has {len(publishers)} publishers at most"
        )
    chosen = {p.region_code for p in publishers[:n_shards]}
    spread = math.ceil(n_docs * len(publishers) / n_shards) + 100
    issues, total = [], 0
    for issue in synthetic_issues(samples, spread, seed):
        if issue.region_code in chosen and total < n_docs:
            issues.append(issue)
            total += len(issue.documents)
    content = work / "content"
    write_atomic(content / "publishers.yml", registry_text(ROOT, samples))
    for issue in issues:
        write_atomic(content / "records" / f"{issue.issue_id}.yml", dump_issue(issue))
    return content


def site_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def search_bytes(site_dir: Path, queries=QUERIES, start: str = "") -> dict:
    """Bytes a search from the portal loads (every shard merged), in Chromium: for each query, a
    fresh browser context (nothing cached) and the first page of results shown; then the same
    queries one after another in one page (what a reader typing on pays)."""
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site_dir))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/{start}"  # the portal, or a shard (its own index)
    search = """async query => {
        await window.gazetteSearch.ready();
        const hits = await window.gazetteSearch.search(query);
        await hits.more(5);
        return hits.candidates.length;
    }"""
    loaded: list[int] = []  # bytes of every response, the search worker's included

    def count(response) -> None:
        loaded.append(int(response.headers.get("content-length") or 0))

    def measure(page, query: str) -> dict:
        before = sum(loaded)
        candidates = page.evaluate(search, query)
        page.wait_for_timeout(300)  # the last responses' events
        return {"bytes": sum(loaded) - before, "candidates": candidates}

    def open_portal(context):
        context.on("response", count)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("window.gazetteSearch !== undefined")
        page.wait_for_timeout(300)
        return page

    out: dict = {"first": {}, "next": {}}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for query in queries:
                context = browser.new_context()
                out["first"][query] = measure(open_portal(context), query)
                context.close()
            context = browser.new_context()
            page = open_portal(context)
            measure(page, "公报")  # the library, entries and metas, loaded once
            for query in queries:
                out["next"][query] = measure(page, query)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    for kind in ("first", "next"):
        values = [v["bytes"] for v in out[kind].values()]
        out[f"{kind}_median"] = sorted(values)[len(values) // 2]
    return out


def run(n_docs: int, n_shards: int, jobs: int, out: Path, seed: int = 0, search: bool = True) -> dict:
    from generator.shards import build_shards

    out = Path(out)
    work = out / f"{n_docs}-{n_shards}"
    content = prepare_sharded(n_docs, n_shards, work, seed)
    start = time.perf_counter()
    lines: list[str] = []
    results, portal = build_shards(
        content,
        work / "public",
        ROOT / "mkdocs.yml",
        work / "shards",
        jobs=jobs,
        full=True,
        progress=lambda line: (lines.append(line), print(line, flush=True)),
    )
    wall = time.perf_counter() - start
    report = {
        "documents": sum(r.documents for r in results),
        "shards": n_shards,
        "jobs": jobs,
        "wall_seconds": round(wall, 1),
        "portal_seconds": round(portal.seconds, 1),
        "per_shard": [
            {
                "shard": r.shard,
                "documents": r.documents,
                "seconds": round(r.seconds, 1),
                "peak_rss_mb": round(r.peak_rss_mb),
            }
            for r in results
        ],
        "site_bytes": site_bytes(work / "public"),
    }
    if search:
        report["search"] = search_bytes(work / "public")
        report["search_one_shard"] = search_bytes(work / "public", start=f"{results[0].shard}/")
    write_atomic(work / "bench-shards.json", json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--shards", type=int, nargs="+", default=[4, 12])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("build/bench-shards"))
    parser.add_argument("--no-search", action="store_true", help="Skip the browser's bytes per query.")
    args = parser.parse_args()
    for n_shards in args.shards:
        report = run(args.docs, n_shards, args.jobs, args.out, search=not args.no_search)
        shown = {k: v for k, v in report.items() if k != "search"}
        print(json.dumps(shown, ensure_ascii=False))
        if "search" in report:
            s = report["search"]
            print(
                f"bytes per query, {n_shards} shards merged: first {s['first_median']:,}, next {s['next_median']:,}"
            )
            for query in s["first"]:
                print(
                    f"  {query}: first {s['first'][query]['bytes']:,} B, next {s['next'][query]['bytes']:,} B"
                )


if __name__ == "__main__":
    main()
