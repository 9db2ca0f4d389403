"""Measure site search in a real browser: recall/precision per query class, bytes per query.

    python -m generator.dev.search_eval --site site --content content [--builtin WORK] [--bytes-only]

The query set (``query_set``) is drawn from the records: two-character words, long terms,
person names, place names, document numbers and phrases. A record is relevant to a query
when its text (what the search indexes, whitespace removed) contains the query. Queries run
through the site's own search code (``window.gazetteSearch``) in Chromium, with the site
served under a sub-path; bytes are the network log's encoded lengths while typing into the
header box, for a fresh visitor's first query and for later ones. ``--builtin`` builds the
same archive built with Material's search plugin, measured through Material's search worker.
Not a test: it prints a Markdown report (for docs/project/search.md) and a JSON summary.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import random
import re
import statistics
import tempfile
import threading
from collections import Counter
from pathlib import Path

from generator.model.archive import Archive, load_archive
from generator.search.keys import normalise
from generator.search.records import SearchRecord, record_text, search_records

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SUB_PATH = "archive"
CLASSES = ("two-character words", "long terms", "person names", "place names", "document numbers", "phrases")
PER_CLASS = 20
BYTES_QUERIES = (
    "王骁",
    "慢性病",
    "济兖政发〔2021〕5号",
    "农田水利",
    "健康促进",
    "新质生产力",
    "人民政府",
    "兖州",
)

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")


# ---------------------------------------------------------------- query set and ground truth


def record_texts(records: list[SearchRecord]) -> dict[str, str]:
    """rid → the record's searchable text, normalised."""
    return {r.rid: normalise(record_text(r)) for r in records}


def query_set(
    archive: Archive, texts: dict[str, str], seed: int = 0, sample: int = 0
) -> list[tuple[str, str]]:
    """(class, query) pairs drawn from the records (from ``sample`` of them, when not 0, for
    large archives: jieba takes minutes over all), ``PER_CLASS`` per class, deterministic."""
    import jieba
    import jieba.posseg as posseg

    rng = random.Random(seed)
    corpus = list(texts.values())
    if sample and sample < len(corpus):
        corpus = random.Random(seed).sample(corpus, sample)
    words: Counter[str] = Counter()
    tagged: dict[str, set[str]] = {"nr": set(), "ns": set()}
    for text in corpus:
        for run in _HAN_RUN.findall(text):
            words.update(jieba.lcut(run))
    for text in sorted(set(e.text for i in archive.issues for e in i.events)) + [
        d.title for d in archive.documents
    ]:
        for pair in posseg.lcut(text):
            if pair.flag in tagged and 2 <= len(pair.word) <= 4 and _HAN_ONLY.match(pair.word):
                tagged[pair.flag].add(pair.word)

    def pick(pool, n=PER_CLASS):
        pool = sorted(set(pool))
        return rng.sample(pool, min(n, len(pool)))

    two = pick(w for w in words if len(w) == 2 and _HAN_ONLY.match(w))
    long = pick(w for w in words if len(w) >= 4 and _HAN_ONLY.match(w))
    persons = {a.person for i in archive.issues for a in i.appointments if 2 <= len(a.person) <= 4}
    names = pick(persons, PER_CLASS // 2) + pick(tagged["nr"] - persons, PER_CLASS - PER_CLASS // 2)
    places = pick(tagged["ns"])
    numbers = {d.doc_number.text for d in archive.documents if d.doc_number}
    cited = {r.cited_doc_number for d in archive.documents for r in d.references} - numbers
    docnos = [
        _written(number, i)
        for i, number in enumerate(pick(numbers, PER_CLASS // 2) + pick(cited, PER_CLASS - PER_CLASS // 2))
    ]
    phrases = []
    runs = sorted({run for text in corpus for run in _HAN_RUN.findall(text) if len(run) >= 14})
    while len(phrases) < PER_CLASS and runs:
        run = rng.choice(runs)
        size = rng.randint(5, 12)
        start = rng.randrange(0, len(run) - size)
        phrases.append(run[start : start + size])
    out = []
    for name, queries in zip(CLASSES, (two, long, names, places, docnos, phrases)):
        out += [(name, q) for q in queries]
    return out


_NUMBER_FORMS = (("〔", "〕"), ("[", "]"), ("(", ")"), ("（", "）"), ("［", "］"))


def _written(number: str, i: int) -> str:
    """A document number as a reader may type it: the i-th query gets the i-th bracket form,
    and every other one spaces around the year."""
    opening, closing = _NUMBER_FORMS[i % len(_NUMBER_FORMS)]
    spaced = " " if (i // len(_NUMBER_FORMS)) % 2 else ""
    return number.replace("〔", spaced + opening).replace("〕", closing + spaced)


def relevant(texts: dict[str, str], query: str) -> set[str]:
    needle = normalise(query)
    return {rid for rid, text in texts.items() if needle in text}


# ---------------------------------------------------------------- browser


@contextlib.contextmanager
def serve(site: Path):
    """``site`` at http://127.0.0.1:PORT/archive/ (a sub-path, as published)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / SUB_PATH).symlink_to(Path(site).resolve())

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=tmp))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/{SUB_PATH}/"
        finally:
            server.shutdown()
            server.server_close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


_RUN_QUERY = """async ([q, mode, trust]) => {
  if (mode === "native") {
    const pf = await gazetteSearch.ready();
    const results = (await pf.search(q)).results;
    const datas = await Promise.all(results.map(r => r.data()));
    return { rids: datas.map(d => d.meta.rid), count: null };
  }
  const hits = await gazetteSearch.search(q);
  if (!hits.more) {  // the search before issue 16 (no check against the text): every result, its length
    const datas = await Promise.all(hits.results.map(r => r.data()));
    return { rids: datas.map(d => d.meta.rid), count: { n: datas.length, about: false } };
  }
  const first = await hits.more();  // the first page, as the search box shows it, with its count
  const count = hits.count();
  if (trust && hits.exact) {  // the keys say it: what the count counts, without loading every text
    return { rids: first.map(d => d.meta.rid), ids: hits.candidates.slice(first.length).map(r => r.id), count };
  }
  const datas = await hits.all();  // every result a reader can page through
  return { rids: datas.map(d => d.meta.rid), count };
}"""


@contextlib.contextmanager
def pagefind_alone(site: Path, archive: Archive):
    """A copy of ``site`` whose search index is Pagefind's own, from the full text, no keys."""
    import shutil

    from generator.search.index import index_site

    with tempfile.TemporaryDirectory(prefix="gazette-alone-") as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind"))
        index_site(copy, archive, with_keys=False)
        yield copy


def run_pagefind(
    browser,
    url: str,
    queries: list[str],
    mode: str,
    counts: list | None = None,
    fragments: dict[str, str] | None = None,
) -> list[list[str]]:
    """Result record ids, in rank order, for each query (``mode`` keys = the site's search,
    native = Pagefind on the raw query); the count shown with the first page goes to ``counts``.
    With ``fragments`` (Pagefind page id → record id), results that the keys alone decide are
    not loaded one by one (``--trust-keys``)."""
    page = browser.new_page()
    page.goto(url)
    page.wait_for_function("window.gazetteSearch")
    out = []
    for q in queries:
        answer = page.evaluate(_RUN_QUERY, [q, mode, fragments is not None])
        out.append(answer["rids"] + [fragments[i] for i in answer.get("ids", [])])
        if counts is not None:
            counts.append(answer["count"])
    page.close()
    return out


_BUILTIN_QUERY = """async (queries) => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base + "/", location.href);
  const index = await (await fetch(new URL("search/search_index.json", base))).json();
  const worker = new Worker(new URL(config.search, location.href));
  const next = () => new Promise(resolve => worker.addEventListener("message", e => resolve(e.data), { once: true }));
  worker.postMessage({ type: 0, data: { ...index, options: { suggest: false } } });
  while ((await next()).type !== 1) {}
  const out = [];
  for (const q of queries) {
    worker.postMessage({ type: 2, data: q });
    let message;
    while ((message = await next()).type !== 3) {}
    out.push(message.data.items.map(item => item[0].location));
  }
  worker.terminate();
  return out;
}"""


def run_builtin(browser, url: str, queries: list[str]) -> list[list[str]]:
    """Page locations (e.g. documents/x/) Material's search worker returns for each query."""
    page = browser.new_page()
    page.goto(url)
    out = page.evaluate(_BUILTIN_QUERY, queries)
    page.close()
    return [[loc.split("#")[0] for loc in locations] for locations in out]


# The query's first results are in (data-gz-shown; the search before issue 16 had no such
# mark: its count, then the network going idle, have to do).
_SHOWN = """q => {
  const root = document.querySelector("[data-gz-search]");
  if ("shown" in root.dataset) return root.dataset.shown === q;
  return /找到|没有/.test(document.querySelector(".md-search-result__meta").textContent)
    && document.querySelector(".md-search__input").value === q;
}"""


def bytes_per_query(browser, url: str, queries: tuple[str, ...], builtin: bool = False) -> list[int]:
    """Bytes fetched (bodies and headers, workers included) for each query typed into the
    header box, in one visit. Material's search fetches its index when the page loads, so for
    it the first query also counts the search files the page load fetched."""
    context = browser.new_context()
    page = context.new_page()
    log: list[tuple[str, int]] = []

    def finished(request):
        sizes = request.sizes()
        log.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    context.on("requestfinished", finished)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    preload = sum(n for u, n in log if builtin and ("search" in u or "lunr" in u))
    out = []
    for query in queries:
        log.clear()
        box = page.locator("input.md-search__input")
        if not box.is_visible():
            page.locator(".md-header__button[for=__search]").first.click()
        box.fill("")
        box.click()
        box.type(query)
        box.press("End")
        if builtin:
            page.locator(".md-search-result__list > li").first.wait_for()
        else:
            page.wait_for_function(_SHOWN, arg=query)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        out.append(sum(n for _, n in log) + (preload if not out else 0))
    context.close()
    return out


# ---------------------------------------------------------------- scores


def scores(queries: list[tuple[str, str]], truth: list[set[str]], found: list[list[str]]) -> dict[str, dict]:
    """Per class: mean recall, mean precision, queries, and the worst misses."""
    by_class: dict[str, dict] = {}
    for (cls, query), want, got in zip(queries, truth, found):
        got_set = set(got)
        recall = len(want & got_set) / len(want) if want else 1.0
        precision = len(want & got_set) / len(got_set) if got_set else (1.0 if not want else 0.0)
        row = by_class.setdefault(cls, {"recall": [], "precision": [], "misses": []})
        row["recall"].append(recall)
        row["precision"].append(precision)
        if recall < 1:
            row["misses"].append(f"{query} ({len(want & got_set)}/{len(want)})")
    return {
        cls: {
            "queries": len(row["recall"]),
            "recall": statistics.mean(row["recall"]),
            "precision": statistics.mean(row["precision"]),
            "misses": row["misses"],
        }
        for cls, row in by_class.items()
    }


def page_of(record: SearchRecord) -> str:
    return record.url.split("#")[0].strip("/") + "/"


def fragment_rids(site: Path) -> dict[str, str]:
    """Pagefind page id (its fragment's name) → record id, from the bundle."""
    from generator.search.bundle import read_fragment

    return {
        path.name[: -len(".pf_fragment")]: read_fragment(path)["meta"]["rid"]
        for path in (Path(site) / "pagefind" / "fragment").glob("*.pf_fragment")
    }


def evaluate(
    site: Path,
    content: Path,
    builtin_site: Path | None = None,
    seed: int = 0,
    recall: bool = True,
    alone: bool = True,
    trust_keys: bool = False,
    sample_texts: int = 0,
) -> dict:
    archive = load_archive(content)

    def read_page(url: str) -> str:
        path = Path(site) / (url.strip("/") + "/index.html")
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    records = search_records(archive, read_page)
    report: dict = {
        "records": len(records),
        "documents": len(archive.documents),
        "index_bytes": _dir_bytes(Path(site) / "pagefind"),
    }
    with serve(site) as url, chromium() as browser:
        if recall:
            texts = record_texts(records)
            queries = query_set(archive, texts, seed, sample_texts)
            truth = [relevant(texts, q) for _, q in queries]
            report["queries"] = queries
            report["truth_sizes"] = [len(t) for t in truth]
            counts: list = []
            fragments = fragment_rids(site) if trust_keys else None
            found = run_pagefind(browser, url, [q for _, q in queries], "keys", counts, fragments)
            report["keys"] = scores(queries, truth, found)
            report["first_hit"] = _first_hit(queries, truth, found)
            report["first_exact_document"] = _first_exact_document(archive, records, queries, found)
            report["counts"] = _count_report(truth, counts)
            report["keys_found"] = found
            if alone:
                with pagefind_alone(site, archive) as alone_site, serve(alone_site) as alone_url:
                    found = run_pagefind(browser, alone_url, [q for _, q in queries], "native")
                    report["native"] = scores(queries, truth, found)
        report["bytes"] = bytes_per_query(browser, url, BYTES_QUERIES)
    if builtin_site:
        report["builtin_index_bytes"] = (Path(builtin_site) / "search" / "search_index.json").stat().st_size
        with serve(builtin_site) as url, chromium() as browser:
            if recall:
                page_records = {r.rid: page_of(r) for r in records}
                page_truth = [{page_records[rid] for rid in t} for t in truth]
                pages = set(page_records.values())
                found = [
                    [p for p in got if p in pages]
                    for got in run_builtin(browser, url, [q for _, q in queries])
                ]
                report["builtin"] = scores(queries, page_truth, found)
                ours = [[page_records.get(rid, "") for rid in rids] for rids in report["keys_found"]]
                report["keys_pages"] = scores(queries, page_truth, ours)
            report["builtin_bytes"] = bytes_per_query(browser, url, BYTES_QUERIES, builtin=True)
    return report


def build_builtin_site(content: Path, work: Path, config_file: Path = Path("mkdocs.yml")) -> Path:
    """The same archive built with Material's own search plugin (and header), for comparison."""
    import shutil

    from generator.build import build_site

    root = Path(config_file).resolve().parent
    theme = work / "theme"
    shutil.rmtree(theme, ignore_errors=True)
    shutil.copytree(
        root / "generator" / "theme",
        theme,
        ignore=lambda d, names: [n for n in names if n in ("header.html", "search.html")],
    )
    text = Path(config_file).read_text(encoding="utf-8")
    text = text.replace(
        "plugins:\n  - gazette:\n",
        "plugins:\n  - search:\n      separator: '[\\s\\u200b\\u3000\\-、。，．？！；：]+'"
        "\n  - gazette:\n      theme: false\n",
    )
    text = text.replace("docs_dir: docs", f"docs_dir: {root / 'docs'}")
    text = text.replace("  name: material\n", f"  name: material\n  custom_dir: {theme}\n")
    config = work / "mkdocs-builtin.yml"
    config.write_text(text, encoding="utf-8")
    site = work / "site-builtin"
    build_site(content, site, work / "datapackage", config_file=config, pages_dir=work / "pages")
    return site


def _first_hit(queries, truth, found) -> float:
    """Share of queries (with any relevant record) whose first result is relevant."""
    hits = [bool(got) and got[0] in want for (_, _), want, got in zip(queries, truth, found) if want]
    return sum(hits) / len(hits) if hits else 1.0


def _first_exact_document(archive: Archive, records, queries, found) -> tuple[int, int]:
    """(queries whose first result is the document with that number, document-number queries
    for a number some document in the archive has)."""
    own = {}
    for record in records:
        for string in record.exact:
            own.setdefault(normalise(string), set()).add(record.rid)
    hits = total = 0
    for (cls, query), got in zip(queries, found):
        want = own.get(normalise(query))
        if cls == "document numbers" and want:
            total += 1
            hits += bool(got) and got[0] in want
    return hits, total


def _count_report(truth, counts) -> dict[str, int]:
    """How the count shown with the first page compares with the number of relevant records."""
    out = {"exact and right": 0, "exact and wrong": 0, "estimate": 0}
    for want, count in zip(truth, counts):
        if count is None:
            continue
        if count["about"]:
            out["estimate"] += 1
        else:
            out["exact and right" if count["n"] == len(want) else "exact and wrong"] += 1
    return out


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


# ---------------------------------------------------------------- report


def markdown(report: dict, label: str) -> str:
    lines = [
        f"### {label}",
        "",
        f"{report['documents']:,} documents, {report['records']:,} search records; "
        f"Pagefind bundle {report['index_bytes'] / 1e6:.1f} MB on disk"
        + (
            f", built-in `search_index.json` {report['builtin_index_bytes'] / 1e6:.1f} MB."
            if "builtin_index_bytes" in report
            else "."
        ),
        "",
    ]
    if "keys" in report:
        lines += [
            "| query class | queries | recall | precision |"
            + (" Pagefind alone: recall | precision |" if "native" in report else "")
            + (
                " built-in (by page): recall | precision | this search (by page): recall |"
                if "builtin" in report
                else ""
            ),
            "| --- | --: | --: | --: |"
            + (" --: | --: |" if "native" in report else "")
            + (" --: | --: | --: |" if "builtin" in report else ""),
        ]
        for cls in CLASSES:
            k, n = report["keys"].get(cls), report.get("native", {}).get(cls)
            if not k:
                continue
            row = f"| {cls} | {k['queries']} | {k['recall']:.3f} | {k['precision']:.3f} |"
            if n:
                row += f" {n['recall']:.3f} | {n['precision']:.3f} |"
            if "builtin" in report:
                b, kp = report["builtin"][cls], report["keys_pages"][cls]
                row += f" {b['recall']:.3f} | {b['precision']:.3f} | {kp['recall']:.3f} |"
            lines.append(row)
        hits, total = report["first_exact_document"]
        counts = report["counts"]
        lines += [
            "",
            f"First result relevant: {report['first_hit']:.0%} of queries; the document with that"
            f" number first: {hits} of {total} number queries for a document in the archive.",
            "",
            f"Count shown: exact and right for {counts['exact and right']} queries, exact and wrong"
            f" for {counts['exact and wrong']}, an estimate (约) for {counts['estimate']}.",
        ]
        misses = [m for cls in CLASSES for m in report["keys"].get(cls, {}).get("misses", [])]
        lines += ["", "Missed (found/relevant): " + ("、".join(misses) if misses else "none") + "."]
    later = report["bytes"][1:]
    lines += [
        "",
        "| bytes per query (network log) | first query, library included | later queries: median | max |",
        "| --- | --: | --: | --: |",
        f"| this search (Pagefind) | {report['bytes'][0] / 1024:.0f} KB | {statistics.median(later) / 1024:.0f} KB | {max(later) / 1024:.0f} KB |",
    ]
    if "builtin_bytes" in report:
        b = report["builtin_bytes"]
        lines.append(
            f"| built-in search | {b[0] / 1024:.0f} KB | {statistics.median(b[1:]) / 1024:.0f} KB | {max(b[1:]) / 1024:.0f} KB |"
        )
    lines += [
        "",
        "Bytes per query, in order: "
        + "、".join(f"{q} {n / 1024:.0f} KB" for q, n in zip(BYTES_QUERIES, report["bytes"]))
        + " (the first with the library).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("--content", type=Path, default=Path("content"))
    parser.add_argument(
        "--builtin",
        type=Path,
        metavar="WORK",
        help="also build the archive with Material's search into WORK and measure it",
    )
    parser.add_argument("--bytes-only", action="store_true", help="skip recall (large archives)")
    parser.add_argument(
        "--no-alone", action="store_true", help="skip Pagefind alone (it needs 0.65 MB a record)"
    )
    parser.add_argument(
        "--trust-keys",
        action="store_true",
        help="take the results of queries the keys decide (numbers, two characters) without loading each",
    )
    parser.add_argument("--texts", type=int, default=0, help="draw queries from this many records (0: all)")
    parser.add_argument("--label", default="sample archive")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    builtin_site = build_builtin_site(args.content, args.builtin) if args.builtin else None
    report = evaluate(
        args.site,
        args.content,
        builtin_site,
        recall=not args.bytes_only,
        alone=not args.no_alone,
        trust_keys=args.trust_keys,
        sample_texts=args.texts,
    )
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(report, args.label))


if __name__ == "__main__":
    main()
