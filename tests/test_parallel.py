"""Work shared with a forked process gives what it gives in one process: the search bundle and
the page sources are the same bytes either way. Each check runs in a fresh Python process: the
test session may hold threads (the browser tests'), and with threads nothing forks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]

# in a script: how many parts each in_two call ran (1: not forked)
COUNTED = """
from generator import parallel
runs = []
real_in_two = parallel.in_two
def counted(job, **options):
    parts = real_in_two(job, **options)
    runs.append(len(parts))
    return parts
"""

INDEX_BOTH_WAYS = (
    COUNTED
    + """
import json, sys
from pathlib import Path
from generator.model.archive import load_archive
from generator.search import index

index.in_two = counted
index.MIN_PARALLEL = 1
content, forked, serial = map(Path, sys.argv[1:])
parallel.can_fork = lambda: True  # even on one core: forking works there, it only does not pay
index.index_site(forked, load_archive(content))
parallel.can_fork = lambda: False
index.index_site(serial, load_archive(content))
print(json.dumps(runs))
"""
)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_search_index_read_on_two_cores_is_the_one_read_on_one(fixture_site, tmp_path):
    forked, serial = tmp_path / "forked", tmp_path / "serial"
    for site in (forked, serial):
        shutil.copytree(fixture_site, site)
        shutil.rmtree(site / "pagefind")
        shutil.rmtree(site / ".gazette-search", ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-c", INDEX_BOTH_WAYS, str(FIXTURES), str(forked), str(serial)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    forked_parts, serial_parts = json.loads(done.stdout)
    assert forked_parts > 2 and serial_parts == 1  # the first run forked, the second did not
    assert _files(forked / "pagefind") == _files(serial / "pagefind")
    assert _files(forked / ".gazette-search") == _files(serial / ".gazette-search")
    assert len(_files(forked / "pagefind")) > 10


PACKAGE_BOTH_WAYS = (
    COUNTED
    + """
import hashlib, json, sys
from pathlib import Path
from generator.data import datapackage
from generator.model.archive import load_archive

datapackage.in_two = counted
datapackage.MIN_PARALLEL = 1
content, cache = Path(sys.argv[1]), Path(sys.argv[2])
archive = load_archive(content)
made = []
for fork, cache_dir in ((True, None), (False, None), (True, cache), (False, cache)):
    parallel.can_fork = lambda: fork  # even on one core: forking works there, it only does not pay
    files = datapackage.package_files(archive, cache_dir=cache_dir)
    made.append(hashlib.sha256(json.dumps({k: v.hex() for k, v in files.items()}).encode()).hexdigest())
print(json.dumps([runs, made, len(list(cache.rglob("*.pickle"))), len(archive.issues)]))
"""
)


def test_a_data_package_made_on_two_cores_is_the_one_made_on_one(tmp_path):
    """The package's issue parts are made on both cores; the files are the same bytes, and the
    parts the forked process made are cached as those made here are."""
    done = subprocess.run(
        [sys.executable, "-c", PACKAGE_BOTH_WAYS, str(FIXTURES), str(tmp_path / "cache")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    runs, made, cached, issues = json.loads(done.stdout)
    assert runs[:3] == [4, 1, 4]  # forked, not forked, forked; the last run made no part
    assert len(set(made)) == 1
    assert cached == issues >= 2  # an issue's part each, written by whichever process made it


def test_a_page_kept_packed_comes_back_character_for_character():
    """Rendered pages wait compressed (``parallel.packed``) between their conversion and the
    theme; what comes back is every character of the page, whatever it holds."""
    from generator.parallel import packed, unpacked

    samples = FIXTURES.glob("**/*.txt")
    texts = [
        "",
        "\x00",
        "公报 \r\n\t&amp;<p>",
        "𠀀𪚥" * 3,
        "x" * 70_000,
        *(p.read_text("utf-8") for p in samples),
    ]
    for text in texts:
        data = packed(text)
        assert unpacked(data) == text
        assert len(text) < 1000 or len(data) < len(text.encode("utf-8")) / 2  # it does save memory
