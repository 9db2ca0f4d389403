"""`gazette init`: a new archive folder, ready for `gazette ingest FILE && gazette build` there.

The files come from ``generator/scaffold/`` inside the installed package; the project's own
mkdocs.yml and docs/about.md are the same files (a test keeps them equal).
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import GazetteError

SCAFFOLD_DIR = Path(__file__).resolve().parent / "scaffold"
# file in the scaffold → where it goes in the new archive
FILES = {
    "mkdocs.yml": "mkdocs.yml",
    "content/publishers.yml": "content/publishers.yml",
    "content/README.md": "content/README.md",
    "docs/about.md": "docs/about.md",
    "workflows/pages.yml": ".github/workflows/pages.yml",
    "gitignore": ".gitignore",
}
EMPTY_DIRS = ("content/sources", "content/records")


def init_archive(folder: Path) -> list[Path]:
    """Write a new archive into ``folder`` (made if missing); returns the files written.
    Refuses, writing nothing, when any of them exists already."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise GazetteError(f"{folder}: not a folder")
    targets = {SCAFFOLD_DIR / src: folder / dest for src, dest in FILES.items()}
    present = [t for t in targets.values() if t.exists()]
    if present:
        names = ", ".join(str(p.relative_to(folder)) for p in present)
        raise GazetteError(
            f"{folder}: already holds {names}; nothing written. "
            "Choose a new folder, or move those files away first"
        )
    written = []
    for source, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:  # never replaces a file that appeared meanwhile
            handle.write(source.read_bytes())
        written.append(target)
    for name in EMPTY_DIRS:
        (folder / name).mkdir(parents=True, exist_ok=True)
    return written
