"""The Pagefind search bundle of the built sample site, and the records it is made from."""

from __future__ import annotations

import json

import pytest

from generator.search.keys import KIND_APPOINTMENT, KIND_DOCUMENT, KIND_EVENT, bigrams, key_token, normalise


def test_built_site_ships_pagefind_and_no_builtin_index(sample_site):
    assert (sample_site / "pagefind" / "pagefind.js").is_file()
    entry = json.loads((sample_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["zh"]["page_count"] > 39  # documents plus 大事记/人事任免 entries
    assert not (sample_site / "search" / "search_index.json").exists()
    assert not list(sample_site.rglob("search_index.json"))


def test_header_has_the_pagefind_search_box_on_every_page(sample_site):
    for page in ("index.html", "documents/370812-jiyanzhengfa-2021-5/index.html"):
        html = (sample_site / page).read_text(encoding="utf-8")
        assert "data-gz-search" in html and "assets/javascripts/search.js" in html
        assert 'data-md-component="search"' not in html  # Material's own search is not attached


@pytest.mark.parametrize(
    "printed, same_as",
    [
        ("济兖政发［2021］5号", "济兖政发〔2021〕5号"),
        ("济兖政发(2021)5号", "济兖政发〔2021〕5号"),
        ("济兖政发 〔2021〕 5号", "济兖政发〔2021〕5号"),
    ],
)
def test_document_numbers_match_whatever_brackets_or_spaces_are_typed(printed, same_as):
    assert key_token(printed) == key_token(same_as)


@pytest.mark.parametrize(
    "a, b", [("王骁", "王晓"), ("慢性", "性慢"), ("济兖政发〔2021〕5号", "济兖政发〔2021〕50号")]
)
def test_different_texts_get_different_keys(a, b):
    assert key_token(a) != key_token(b)


def test_a_text_has_the_key_of_every_document_number_it_contains():
    from generator.search.keys import is_document_number, number_keys, number_token

    keys = number_keys("根据济兖政发［2021］ 5号文件，废止〔2020〕第3号")
    for contained in (
        "济兖政发〔2021〕5号",
        "兖政发(2021)5号",
        "〔2021〕5号",
        "〔2020〕第3号",
        "根据济兖政发〔2021〕5号",
    ):
        assert number_token(contained) in keys, contained
    for absent in ("济兖政发〔2021〕50号", "济兖政发〔2020〕5号", "鲁济兖政发〔2021〕5号", "〔2020〕3号"):
        assert number_token(absent) not in keys, absent
    assert is_document_number("济兖政发 [2021] 5号") and not is_document_number("济兖政发2021")


def test_keys_are_single_ascii_words():
    for text in ("慢性", "济兖政发〔2021〕5号", "𠀀字"):
        token = key_token(text)
        assert token.isascii() and token.isalnum(), token


def test_every_two_character_run_is_a_key():
    assert bigrams("慢性病防治") == {"慢性", "性病", "病防", "防治"}
    assert bigrams("5号，县") == set()
    assert bigrams("慢性 病") == bigrams("慢性\n病") == {"慢性", "性病"}  # a space in Chinese is layout
    assert normalise(" 济兖政发（2021）5号 ") == "济兖政发〔2021〕5号"


def test_normalising_drops_every_whitespace_character_and_unifies_every_bracket():
    import re

    from generator.search.keys import bigram_codes

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    brackets = str.maketrans(dict.fromkeys("［[(（【〖", "〔") | dict.fromkeys("］])）】〗", "〕"))
    assert normalise(every) == re.sub(r"\s+", "", every).translate(brackets)
    spaced = "慢性　病\u2003防\x1c治慢性"  # ideographic, em and file-separator spaces are layout
    assert [chr(c >> 16) + chr(c & 0xFFFF) for c in bigram_codes(spaced)] == sorted(bigrams(spaced))


def test_entries_are_records_of_their_own(sample_site):
    from generator.model.archive import load_archive
    from generator.search.records import search_records
    from tests.conftest import ROOT

    archive = load_archive(ROOT / "content")
    records = search_records(
        archive,
        lambda url: (
            (sample_site / (url.strip("/") + "/index.html")).read_text(encoding="utf-8")
            if (sample_site / (url.strip("/") + "/index.html")).is_file()
            else ""
        ),
    )
    kinds = {r.kind for r in records}
    assert {KIND_DOCUMENT, KIND_EVENT, KIND_APPOINTMENT} <= kinds
    events = [r for r in records if r.kind == KIND_EVENT and "王骁" in r.content]
    assert events and all(r.url.endswith("#events") for r in events)
    assert len({r.rid for r in records}) == len(records)


def _bundle(site) -> dict[str, bytes]:
    root = site / "pagefind"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _filter_files(site) -> list:
    return sorted((site / "pagefind" / "filter").glob("*.pf_filter"))


@pytest.fixture(scope="module")
def indexed_twice(fixture_site, fixture_archive, tmp_path_factory):
    """The fixture site indexed by two separate Pagefind runs."""
    import shutil

    from generator.search.index import index_site

    copies = []
    for name in ("first", "second"):
        copy = tmp_path_factory.mktemp(f"index-{name}") / "site"
        shutil.copytree(fixture_site, copy)
        index_site(copy, fixture_archive)
        copies.append(copy)
    return copies


def test_two_index_runs_of_the_same_site_write_the_same_bundle(indexed_twice):
    first, second = indexed_twice
    a, b = _bundle(first), _bundle(second)
    assert any(name.startswith("filter/") for name in a)
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []


def test_filter_values_in_any_order_give_the_same_bundle(indexed_twice, tmp_path):
    """Pagefind lists a filter's values in hash-map order, different each run; the bundle must not show it."""
    import gzip
    import shutil

    from generator.search.bundle import SIGNATURE, canonicalise_bundle, cbor_decode, cbor_encode

    site = tmp_path / "site"
    shutil.copytree(indexed_twice[0], site)
    shuffled = 0
    for path in _filter_files(site):
        name, values = cbor_decode(gzip.decompress(path.read_bytes())[len(SIGNATURE) :])
        if len(values) > 1:
            path.write_bytes(gzip.compress(SIGNATURE + cbor_encode([name, values[::-1]])))
            shuffled += 1
    assert shuffled  # the fixture has filters with several values
    canonicalise_bundle(site / "pagefind")
    assert _bundle(site) == _bundle(indexed_twice[0])


def test_the_entry_file_leads_to_every_filter_file(indexed_twice):
    """What the browser fetches: entry → pagefind.<hash>.pf_meta → filter/<hash>.pf_filter."""
    import gzip

    from generator.search.bundle import META_FILTERS, SIGNATURE, cbor_decode

    bundle = indexed_twice[0] / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta_path = bundle / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta"
    meta = cbor_decode(gzip.decompress(meta_path.read_bytes())[len(SIGNATURE) :])
    names = {name for name, _ in meta[META_FILTERS]}
    assert {"publisher", "kind", "year"} <= names
    referenced = {f"{ref}.pf_filter" for _, ref in meta[META_FILTERS]}
    assert referenced == {p.name for p in _filter_files(indexed_twice[0])}
    assert len(list(bundle.glob("pagefind.*.pf_meta"))) == 1


def test_results_download_their_text_and_the_keys_sit_in_the_word_index(sample_site):
    """Fragments carry the record's own text, nothing more; the word index holds the keys."""
    from generator.search.bundle import _read_bundle_file, read_fragment
    from generator.search.keys import key_token, number_token

    bundle = sample_site / "pagefind"
    fragments = [read_fragment(p) for p in sorted((bundle / "fragment").glob("*.pf_fragment"))]
    document = next(f for f in fragments if f["url"] == "/documents/370812-jiyanzhengfa-2021-5/")
    assert "济兖政发〔2021〕5号" in document["content"]
    assert not any(key_token("慢性") in f["content"] for f in fragments)
    words = set()
    for chunk in (bundle / "index").glob("*.pf_index"):
        words.update(entry[0] for entry in _read_bundle_file(chunk)[0])
    assert {key_token("慢性"), number_token("济兖政发〔2021〕5号"), key_token("王骁"), "2021"} <= words


def test_the_installed_pagefind_writes_the_bundle_format_the_index_extends():
    """generator/search/bundle.py writes Pagefind's private index format: a new release fails here first."""
    from importlib.metadata import version

    from generator.search.bundle import PAGEFIND_FORMAT

    assert version("pagefind").startswith(PAGEFIND_FORMAT), version("pagefind")


def test_an_incremental_index_reads_only_the_changed_issues_pages(fixture_site, fixture_archive, tmp_path):
    """Pages of unchanged issues are not read again (here: deleted), yet the bundle is the same
    as a full index's, and the changed issue's new text is found."""
    import shutil

    from generator.model import ids
    from generator.search.bundle import _read_bundle_file
    from generator.search.index import index_site

    site = tmp_path / "site"
    shutil.copytree(fixture_site, site)
    index_site(site, fixture_archive)
    full = _bundle(site)
    changed, *others = fixture_archive.issues
    assert others
    for issue in others:  # an incremental index must not need these pages
        shutil.rmtree(site / ids.issue_url(issue.issue_id))
        for document in issue.documents:
            shutil.rmtree(site / ids.document_url(document.document_id), ignore_errors=True)
    index_site(site, fixture_archive, changed_issues=[])
    assert _bundle(site) == full

    document = changed.documents[0]
    page = site / ids.document_url(document.document_id) / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</article>", "<p>鹦鹉螺号</p></article>", 1), encoding="utf-8")
    index_site(site, fixture_archive, changed_issues=[changed.issue_id])
    words = set()
    for chunk in (site / "pagefind" / "index").glob("*.pf_index"):
        words.update(entry[0] for entry in _read_bundle_file(chunk)[0])
    assert key_token("鹦鹉") in words and key_token("螺号") in words


def test_a_damaged_or_older_search_cache_is_read_again_from_the_pages(
    fixture_site, fixture_archive, tmp_path
):
    """A cache cut short, of an older layout, naming a fragment the bundle lacks, or missing
    makes an incremental index read every page again: the bundle is still the full index's,
    the cache is mended, and files of an older layout are removed."""
    import shutil

    from generator.search.index import POSTINGS_FILE, SEARCH_CACHE, index_site

    site = tmp_path / "site"
    shutil.copytree(fixture_site, site)
    index_site(site, fixture_archive)
    full, cache = _bundle(site), site / SEARCH_CACHE
    assert [p.name for p in cache.iterdir()] == [POSTINGS_FILE]
    mended = (cache / POSTINGS_FILE).read_bytes()
    fragment = next((site / "pagefind" / "fragment").iterdir())
    for damage in (
        lambda path: path.write_bytes(path.read_bytes()[:100]),
        lambda path: path.write_bytes(path.read_bytes() + b"\0\0\0\0"),
        lambda path: path.write_bytes(b"gazette-search 3\n" + path.read_bytes()[17:]),  # the layout before
        lambda path: fragment.unlink(),
        lambda path: path.unlink(),
    ):
        damage(cache / POSTINGS_FILE)
        (cache / "370812-2020-12.entries").write_bytes(b"x")  # the layout before: a file per issue
        index_site(site, fixture_archive, changed_issues=[])
        assert _bundle(site) == full
        assert {p.name: p.read_bytes() for p in cache.iterdir()} == {POSTINGS_FILE: mended}


def test_an_incremental_index_of_an_added_or_removed_issue_is_the_full_index(
    fixture_site, fixture_archive, tmp_path
):
    """The previous postings renumbered and the new issue's merged in (or a removed issue's
    dropped) give the bundle and cache a full index of the same archive gives."""
    import shutil

    from generator.model.archive import build_archive
    from generator.search.index import SEARCH_CACHE, index_site

    def indexed(archive, site, **how):
        index_site(site, archive, **how)
        return _bundle(site), _files(site / SEARCH_CACHE)

    for kept in fixture_archive.issues:
        issue = next(i for i in fixture_archive.issues if i is not kept)
        smaller = build_archive([kept])
        whole = build_archive(list(fixture_archive.issues))
        site = tmp_path / f"site-{kept.issue_id}"
        shutil.copytree(fixture_site, site)
        full_smaller = indexed(smaller, site)
        full_whole = indexed(whole, site)
        assert full_whole != full_smaller
        assert indexed(smaller, site, changed_issues=[]) == full_smaller  # removed
        assert indexed(whole, site, changed_issues=[issue.issue_id]) == full_whole  # added


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_bundle_written_from_the_records_has_the_layout_pagefind_writes(
    fixture_site, fixture_archive, tmp_path
):
    """bundle.write_bundle writes Pagefind's private format itself: Pagefind's own bundle of the
    same records (full text, search_eval's comparison) has the same meta fields, filters and
    page count. Ours lists the pages newest first and no sort: Pagefind's sort of the dates is
    ascending, so a list without a query (in page order) shows the newest first."""
    import gzip
    import shutil

    from generator.search.bundle import SIGNATURE, cbor_decode, read_fragment
    from generator.search.index import index_site
    from generator.search.records import search_records

    def read_page(url):
        path = fixture_site / (url.strip("/") + "/index.html")
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    sort_date = {r.rid: r.sort.get("date") for r in search_records(fixture_archive, read_page)}
    metas, dates = [], []
    for with_keys in (True, False):
        site = tmp_path / f"site-{with_keys}"
        shutil.copytree(fixture_site, site)
        index_site(site, fixture_archive, with_keys=with_keys)
        bundle = site / "pagefind"
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        meta = cbor_decode(
            gzip.decompress((bundle / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta").read_bytes())[
                len(SIGNATURE) :
            ]
        )
        metas.append(
            (entry["version"], entry["languages"]["zh"]["page_count"], [f for f, _ in meta[3]], meta[5])
        )
        pages = [
            sort_date[read_fragment(bundle / "fragment" / f"{name}.pf_fragment")["meta"]["rid"]]
            for name, _ in meta[1]
        ]
        if with_keys:
            assert meta[4] == []
            dates.append(pages[::-1])
        else:
            ((sort_name, order),) = meta[4]
            dates.append([pages[p] for p in order])
    assert metas[0] == metas[1]
    assert len(dates[0]) == len(dates[1]) and dates[1][0] < dates[1][-1]
    for ordered in dates:  # ascending: ours reversed, Pagefind's sort
        assert ordered == sorted(ordered)


def test_a_rebuild_keeps_the_fragments_of_unchanged_records(fixture_site, fixture_archive, tmp_path):
    """An incremental index writes only the changed records' fragments: the others stay the
    same files (hard links of the previous build stay links)."""
    import os
    import shutil

    from generator.search.index import index_site

    site = tmp_path / "site"
    shutil.copytree(fixture_site, site)
    index_site(site, fixture_archive)
    before = {p.name: os.stat(p).st_ino for p in (site / "pagefind" / "fragment").iterdir()}
    # the previous build's site holds its files (as a build's staging does): their inode numbers
    # stay taken, so a fragment written anew cannot get the old one's number back
    held = tmp_path / "previous"
    held.mkdir()
    for path in (site / "pagefind" / "fragment").iterdir():
        os.link(path, held / path.name)
    index_site(site, fixture_archive, changed_issues=[fixture_archive.issues[0].issue_id])
    after = {p.name: os.stat(p).st_ino for p in (site / "pagefind" / "fragment").iterdir()}
    assert before.keys() == after.keys()
    kept = [name for name in after if before[name] == after[name]]
    first = fixture_archive.issues[0]
    rewritten = len(after) - len(kept)
    assert 0 < rewritten <= 1 + len(first.documents) + len(first.events) + len(first.appointments)


def test_the_issues_to_index_again_are_those_whose_pages_the_build_rewrote(fixture_archive):
    from generator.model import ids
    from generator.search.index import issues_of_pages

    first, second, *_ = fixture_archive.issues
    document = second.documents[0]
    pages = [
        ids.issue_url(first.issue_id).rstrip("/") + ".md",
        ids.document_url(document.document_id).rstrip("/") + ".md",
        "years/2021.md",
    ]
    assert issues_of_pages(fixture_archive, pages) == {first.issue_id, second.issue_id}
    assert issues_of_pages(fixture_archive, ["index.md", "download.md"]) == set()


def test_word_index_entries_are_the_cbor_an_encoder_writes():
    """The word index's entries are put together from their parts: each must be the shortest
    CBOR cbor2 (like Pagefind's serde) writes for the same value."""
    import cbor2
    import numpy as np

    from generator.search.bundle import _cbor_head, _word_entries

    for major in (0, 3, 4):
        for arg in (0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32):
            head = cbor2.dumps(arg)
            assert _cbor_head(major, arg) == bytes([head[0] | major << 5]) + head[1:], (major, arg)
    for word in ("k0ab1cd", "n" + "7" * 40, "名"):
        for count in (1, 24, 300):
            rows = (5 + np.arange(count, dtype=np.uint32)) << 1  # pages 5, 6, 7 …, none weighty
            ((_, entry),) = _word_entries([word], np.array([count], np.uint32), rows)
            assert entry == cbor2.dumps([word, [[5, [0], []]] + [[1, [0], []]] * (count - 1), []])


@pytest.mark.parametrize("slice_rows", [2, 7, 1 << 19])
def test_word_index_entries_made_together_are_what_cbor2_writes(monkeypatch, slice_rows):
    """Every word's entry, [word, [[page delta, locations, []] …], []], assembled a slice of
    words at a time in one array, is what cbor2 writes for the same value: words of every
    head size (a person's name, a long number key), counts and page gaps of every width."""
    import random

    import cbor2
    import numpy as np

    from generator.search import bundle
    from generator.search.keys import KEY_WEIGHT

    monkeypatch.setattr(bundle, "POSTING_SLICE", slice_rows)
    rng = random.Random(4)
    words = sorted({"k0ab1cd", "名", "张三丰", "n" + "7" * 30, "h" + "x".join(["20000"] * 60), "2021", "z"})
    postings = []
    for word in words:
        count = 70_000 if word == "z" else rng.choice([1, 2, 23, 24, 300])
        pages = sorted(rng.sample(range(200_000), count))
        if word == "名":  # gaps at each head size's bounds
            pages = [23, 47, 302, 558, 66093, 131629]
        postings.append([(page, rng.random() < 0.3) for page in pages])
    counts = np.array([len(p) for p in postings], np.uint32)
    rows = np.array([page << 1 | weighty for p in postings for page, weighty in p], np.uint32)
    made = list(bundle._word_entries(words, counts, rows))

    title, body = [-(24 * KEY_WEIGHT + 1), 0], [0]
    assert [word for word, _ in made] == words
    for (word, entry), found in zip(made, postings):
        deltas = np.diff([0] + [page for page, _ in found]).tolist()
        value = [word, [[d, title if w else body, []] for d, (_, w) in zip(deltas, found)], []]
        assert entry == cbor2.dumps(value), word


def test_bigram_words_are_the_key_tokens_of_their_characters():
    """A bigram code's word, made for all codes at once, is ``key_token`` of its two characters,
    for characters written in three base-36 digits and those past them (CJK compatibility)."""
    import numpy as np

    from generator.search.bundle import bigram_words
    from generator.search.keys import bigram_codes, key_token

    text = "一丁公报㐀䶿鿿豈﫿公豈豈公"
    codes = bigram_codes(text)
    assert len(codes) == 12  # every neighbouring pair differs
    assert bigram_words(codes) == [key_token(chr(c >> 16) + chr(c & 0xFFFF)) for c in codes.tolist()]
    assert bigram_words(np.zeros(0, np.uint32)) == []


@pytest.mark.parametrize("slice_rows", [3, 50, 1 << 19])
def test_postings_merged_slice_by_slice_equal_those_made_whole(monkeypatch, slice_rows):
    """Renumbering the previous postings, dropping removed pages and merging new ones in, a few
    rows at a time, gives the postings (and word index) made from every entry's keys at once."""
    import random

    import numpy as np

    from generator.search import bundle
    from generator.search.bundle import Entry, Postings
    from generator.search.records import SearchRecord

    monkeypatch.setattr(bundle, "POSTING_SLICE", slice_rows)
    rng = random.Random(slice_rows)

    def entry(i):
        codes = np.array(
            sorted(rng.sample(range(0x4E00 << 16, (0x4E00 << 16) + 400), rng.randint(0, 40))), np.uint32
        )
        other = {f"w{rng.randint(0, 30)}": rng.random() < 0.3 for _ in range(rng.randint(0, 4))}
        record = SearchRecord(rid=f"r{i}", kind="document", url=f"/d/{i}/", title="")
        return Entry(record, "", codes, np.array([rng.random() < 0.2 for _ in codes], bool), other)

    pages = [entry(i) for i in range(60)]
    removed = set(rng.sample(range(60), 12))
    added = [entry(60 + i) for i in range(15)]
    before = Postings.of(enumerate(pages))
    after = [e for i, e in enumerate(pages) if i not in removed]
    for e in added:  # new pages anywhere in the order
        after.insert(rng.randint(0, len(after)), e)
    place = {id(e): n for n, e in enumerate(after)}
    renumbered = np.array([-1 if i in removed else place[id(e)] for i, e in enumerate(pages)], np.int64)
    merged = before.merged(renumbered, Postings.of((place[id(e)], e) for e in added))
    whole = Postings.of(enumerate(after))
    for name in ("codes", "code_pages", "bigram_pages", "name_pages", "other_pages"):
        assert getattr(merged, name).tolist() == getattr(whole, name).tolist(), name
    assert merged.names == whole.names
    assert merged.words() == whole.words()
