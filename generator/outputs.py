"""Folders a command writes: which it may write, one command at a time, replaced whole.

Every command that writes a folder (the site, the data package, the page caches) asks
``check_output_dir`` first. A folder is refused when replacing it could lose work that this
program did not make: the project itself, its sources, hand-written pages, the home folder,
or any folder without the marker that our own builds leave in what they write. ``locked``
keeps two commands off the same folder; ``replace_dirs`` swaps staged folders in together,
or none of them.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import GazetteError


class OutputError(GazetteError):
    """A folder this command must not or cannot write. One line, naming the folder."""


@dataclass(frozen=True)
class Protected:
    """A folder no output may be, contain or (unless ``inside_ok``) lie inside."""

    path: Path
    what: str
    inside_ok: bool = False  # the project root: site/ inside it is fine, the root itself is not


def protected_folders(
    project_roots: list[Path],
    content_dir: Path | None = None,
    docs_dir: Path | None = None,
    datapackages: bool = False,
) -> list[Protected]:
    """The folders that hold what a person wrote: the project, its sources and pages, home and ``/``.
    ``datapackages`` protects ``datapackages/`` too (for the site, which must not land in it)."""
    folders = [
        Protected(Path("/"), "the file-system root", inside_ok=True),
        Protected(Path.home().resolve(), "your home folder", inside_ok=True),
    ]
    package_dir = Path(__file__).resolve().parent
    folders.append(Protected(package_dir, "the gazette program itself"))
    names = {
        "content": "the archive's sources and records",
        "docs": "the hand-written pages",
        "generator": "the program's code",
        "tests": "the tests",
        ".git": "the git repository",
    }
    if datapackages:
        names["datapackages"] = "the data packages"
    for root in dict.fromkeys(r.resolve() for r in project_roots):
        folders.append(Protected(root, "the project folder", inside_ok=True))
        folders += [Protected(root / name, f"{what} ({name}/)") for name, what in names.items()]
    if content_dir is not None:
        folders.append(Protected(Path(content_dir).resolve(), "the archive's sources and records"))
    if docs_dir is not None:
        folders.append(Protected(Path(docs_dir).resolve(), "the hand-written pages (docs_dir)"))
    return folders


def check_output_dir(
    target: Path, role: str, protected: list[Protected], is_ours: Callable[[Path], bool], force: bool = False
) -> Path:
    """The resolved ``target`` when ``role`` (e.g. "site") may replace it; OutputError otherwise.

    Refused, ``force`` or not: a target that is, contains or lies inside a protected folder
    (for the project root and home: is or contains). Refused unless ``force``: an existing,
    non-empty folder that ``is_ours`` does not recognise as this command's own output.
    """
    shown = str(target)
    resolved = check_not_protected(target, role, protected)
    if resolved.exists() and not resolved.is_dir():
        raise OutputError(f"{shown}: not a folder; choose a folder for the {role}")
    if resolved.is_dir():
        if os.path.ismount(resolved):
            raise OutputError(
                f"{shown}: is a mount point, which cannot be swapped for a new {role}; "
                f"write it into a folder inside it (e.g. {shown}/{role})"
            )
        mode = resolved.stat().st_mode
        if not mode & stat.S_IWUSR:
            raise OutputError(
                f"{shown}: read-only folder (mode {stat.S_IMODE(mode):o}); not replaced. "
                f"Make it writable (chmod u+w {shown}) or choose another folder"
            )
        if any(resolved.iterdir()) and not is_ours(resolved) and not force:
            remedy = (
                f"re-run with --force (the folder is then kept as {resolved.name}.replaced-<time>)"
                if role not in ("page cache", "benchmark")
                else f"delete it yourself if it is an older gazette {role}"
            )
            raise OutputError(
                f"{shown}: this folder was not made by gazette (no build marker in it); "
                f"refusing to replace it. Choose an empty or new folder, or {remedy}"
            )
    return resolved


def check_not_protected(target: Path, role: str, protected: list[Protected]) -> Path:
    """The resolved ``target`` unless it is, contains or lies inside a protected folder (for the
    project root and home: is or contains), or is a git repository; OutputError otherwise."""
    shown = str(target)
    resolved = Path(target).resolve()
    for folder in protected:
        if resolved == folder.path or folder.path.is_relative_to(resolved):
            raise OutputError(
                f"{shown}: refusing to write the {role} there: it is or contains {folder.what}, "
                f"{folder.path}; choose an empty or new folder"
            )
        if not folder.inside_ok and resolved.is_relative_to(folder.path):
            raise OutputError(
                f"{shown}: refusing to write the {role} there: it lies inside {folder.what}, "
                f"{folder.path}; choose a folder outside it"
            )
    if (resolved / ".git").exists():
        raise OutputError(f"{shown}: refusing to write the {role} there: it is a git repository")
    return resolved


def set_aside(folder: Path) -> Path:
    """Move ``folder`` (not ours, replaced with --force) to ``<name>.replaced-<time>`` beside it."""
    target = folder.with_name(f"{folder.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 2
    while target.exists():
        target, n = target.with_name(f"{folder.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}-{n}"), n + 1
    os.rename(folder, target)
    return target


# ---------------------------------------------------------------- staging and replacing


def staging_prefix(target: Path) -> str:
    return f".{target.name}.build-"


def old_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.old-{os.getpid()}")


def previous_name(target: Path) -> Path:
    """Where ``replace_dirs(..., keep=...)`` keeps a target's previous copy, for the next build
    to start from (``sync_tree``) instead of deleting it."""
    return target.with_name(f".{target.name}.previous")


def make_staging(target: Path) -> Path:
    """An empty folder beside ``target`` (same file system, so the swap is a rename), readable
    as the target would be."""
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=staging_prefix(target)))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would hide a site from a web server's user
    return staging


def clean_leftovers(target: Path, defer: bool = False) -> list[Path]:
    """Remove what an earlier run left beside ``target`` (call under ``target``'s lock): staging
    folders, and old copies set aside for a swap. An old copy (or the kept previous one,
    ``previous_name``) is put back instead when the run died between moving it aside and moving
    the new folder in. With ``defer``, old copies are returned, not deleted: the caller deletes
    them while it works."""
    parent = target.parent
    if not parent.is_dir():
        return []
    removed = []
    staged = sorted(parent.glob(f"{staging_prefix(target)}*"))
    # A run that died between moving the target aside and moving the new folder in left both;
    # a target its owner deleted is not brought back (its copies are only deleted, below).
    died_in_swap = bool(staged) and not target.exists()
    for path in sorted(parent.glob(f".{target.name}.old-*")):
        if path.is_dir() and died_in_swap and not target.exists():
            os.rename(path, target)
            continue
        if not defer:
            shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    previous = previous_name(target)
    if previous.is_dir() and died_in_swap and not target.exists():
        os.rename(previous, target)
    for path in staged:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def replace_dirs(pairs: list[tuple[Path, Path]], keep: dict[Path, Path] | None = None) -> None:
    """Swap each staged folder into its target's place, all of them or none: on failure every
    target is as it was and the staged folders are where they were. The old copy of a target in
    ``keep`` is kept where it says (``previous_name`` or ``old_name``), that of any other deleted."""
    keep = keep or {}
    moved: list[tuple[Path, Path]] = []  # (target, where its old copy went)
    placed: list[tuple[Path, Path]] = []  # (staged, target)
    try:
        for new, target in pairs:
            if target.exists():
                old = keep.get(target) or old_name(target)
                shutil.rmtree(old, ignore_errors=True)
                os.rename(target, old)
                moved.append((target, old))
            os.rename(new, target)
            placed.append((new, target))
    except OSError as exc:
        for new, target in reversed(placed):
            os.rename(target, new)
        for target, old in reversed(moved):
            os.rename(old, target)
        raise swap_error(exc, pairs) from None
    for target, old in moved:
        if target not in keep:
            shutil.rmtree(old, ignore_errors=True)


def swap_error(exc: OSError, pairs: list[tuple[Path, Path]]) -> OutputError:
    target = next(
        (t for _, t in pairs if str(t) in str(exc.filename or "") + str(exc.filename2 or "")), pairs[-1][1]
    )
    if exc.errno in (errno.EXDEV, errno.EBUSY):
        return OutputError(
            f"{target}: cannot be replaced ({exc.strerror}): is it a mount point? "
            f"Write into a folder inside it"
        )
    return OutputError(f"{target}: cannot be replaced: {exc.strerror}")


# ---------------------------------------------------------------- one command at a time

LOCK_SUFFIX = ".lock"


def lock_file(folder: Path) -> Path:
    """The lock of ``folder``: beside it, so that locking never writes into it."""
    folder = Path(folder).resolve()
    return folder.with_name(f".{folder.name}{LOCK_SUFFIX}")


@contextmanager
def locked(
    folders: list[Path], command: str, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the locks of ``folders`` (taken in one order, so two commands never deadlock).
    Another gazette command holding one: wait for it (``on_wait`` is told once), or with
    ``wait`` False refuse with OutputError."""
    paths = sorted({lock_file(f) for f in folders})
    with ExitStack() as stack:
        for path in paths:
            stack.enter_context(_flock(path, command, wait, on_wait))
        yield


@contextmanager
def _flock(path: Path, command: str, wait: bool, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """An exclusive flock on ``path``, removed on release. A lock file removed by its holder
    while we waited is no longer the path's: take the lock again on the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = f"{path.parent / path.name[1 : -len(LOCK_SUFFIX)]}: in use by another gazette command ({_holder(fd)})"
            if not wait:
                os.close(fd)
                raise OutputError(f"{message}; wait for it to finish") from None
            if not told:
                (on_wait or _say)(f"{message}; waiting for it to finish…")
                told = True
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(fd).st_ino:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {command}".encode(), 0)
        yield
    finally:
        try:
            os.unlink(path)
        finally:
            os.close(fd)


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
    except OSError:
        return "unknown"


def _say(message: str) -> None:
    print(f"等待 waiting: {message}", file=sys.stderr, flush=True)


CACHE_MARKER = ".gazette-cache"  # in every cache folder a build fills and prunes


def claim_cache_dir(folder: Path, protected: list[Protected]) -> Path:
    """``folder`` resolved and marked as a build cache, which the build may fill and prune: it
    must be new, empty, or marked by an earlier build (OutputError otherwise)."""
    resolved = check_output_dir(Path(folder), "page cache", protected, lambda p: (p / CACHE_MARKER).is_file())
    resolved.mkdir(parents=True, exist_ok=True)
    marker = resolved / CACHE_MARKER
    if not marker.is_file():
        marker.write_text("A cache of `gazette build`: safe to delete.\n", encoding="utf-8")
    return resolved


def _walk(folder: Path, passed_over: Callable[[str], bool]) -> Iterator[tuple[str, str, list[str]]]:
    """os.walk's folders as (path, path relative to ``folder`` ending in "/" or "", file names);
    the names at the top that ``passed_over`` accepts are not looked into. Names, not Paths:
    tens of thousands of files at 10,000 documents."""
    top = os.fspath(folder)
    start = len(os.path.join(top, ""))  # os.walk's paths below the top start with this
    for root, dirs, names in os.walk(top):
        if root == top:
            dirs[:] = [d for d in dirs if not passed_over(d)]
            yield root, "", [n for n in names if not passed_over(n)]
        else:
            yield root, root[start:].replace(os.sep, "/") + "/", names


def relative_files(folder: Path, passed_over: Callable[[str], bool] = lambda name: False) -> Iterator[str]:
    """Every file under ``folder`` as its path relative to it ("a/b.html"), but for the names
    at the top that ``passed_over`` accepts."""
    for _, rel, names in _walk(folder, passed_over):
        for name in names:
            yield rel + name


def remove_files_but(
    folder: Path, keep: Callable[[str], bool], passed_over: Callable[[str], bool] = lambda name: False
) -> int:
    """Remove every file under ``folder`` (a build's own) whose path relative to it ("a/b.html")
    ``keep`` refuses, then the folders left empty; the names at the top that ``passed_over``
    accepts are not looked into. Returns how many files."""
    removed = 0
    emptied: list[str] = []  # folders left without files: empty unless a subfolder stays
    for root, rel, names in _walk(folder, passed_over):
        kept = False
        for name in names:
            if keep(rel + name):
                kept = True
            else:
                os.unlink(os.path.join(root, name))
                removed += 1
        if rel and not kept:
            emptied.append(root)
    for root in reversed(emptied):  # deepest first
        if not os.listdir(root):
            os.rmdir(root)
    return removed


# ---------------------------------------------------------------- files written whole


@contextmanager
def atomic_file(path: Path) -> Iterator:
    """A binary file written in full or not at all: it is written beside ``path`` and renamed
    over it on success, so readers see the old file or the new one, never half of one."""
    path = Path(path)
    try:
        fd, tmp = _open_temp_beside(path, "tmp")
    except FileNotFoundError:  # a new folder: made only then (tens of thousands of files a build)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _open_temp_beside(path, "tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str) -> None:
    """``data`` (text is written as UTF-8, line ends as given) into ``path``, whole or not at all."""
    with atomic_file(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


# ---------------------------------------------------------------- files written together


def write_files_together(writes: list[tuple[Path, bytes]]) -> None:
    """Write every (path, bytes) or none: each is staged beside its target first, then all are
    renamed into place; on failure the targets written so far get their old bytes (or vanish
    when new) and no temporary file is left."""
    staged: list[tuple[Path, Path]] = []
    done: list[tuple[Path, Path | None]] = []  # (target, backup of its old bytes)
    try:
        for target, data in writes:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = _temp_beside(target, "tmp")
            staged.append((tmp, target))
            with open(tmp, "wb") as handle:
                handle.write(data)
        for tmp, target in staged:
            backup = None
            if target.exists():
                backup = _temp_beside(target, "bak")
                backup.unlink()
                try:
                    os.link(target, backup)
                except OSError:
                    shutil.copy2(target, backup)
            os.replace(tmp, target)
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)


def _temp_beside(target: Path, kind: str) -> Path:
    fd, path = _open_temp_beside(target, kind)
    os.close(fd)
    return path


def _open_temp_beside(target: Path, kind: str) -> tuple[int, Path]:
    """A new file beside ``target``, named after it: its descriptor, open for writing, and path."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".{kind}")
    return fd, Path(name)
