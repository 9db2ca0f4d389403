"""Work split over both cores by forking: the forked process inherits what it needs (the
archive, say) instead of having it pickled, and sends back only its results.

Forking is safe only with no other thread in the process (``mkdocs serve`` runs some; a
thread holding a lock at the fork would leave it held in the child), with a fork start
method, and pays only with two cores. Otherwise everything runs here, in one part."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import deflate

T = TypeVar("T")
Part = tuple[int, int]  # (k, n): the k-th of n shares, items k, k + n, k + 2n …

_JOBS: dict[int, Callable] = {}  # what the forked process inherits


def can_fork() -> bool:
    return (
        (os.cpu_count() or 1) >= 2
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def in_two(job: Callable[[Part], T], shares: int = 1) -> list[T]:
    """``job`` run over ``2 * shares`` parts, ``[job((0, n)), job((1, n)), …]`` with
    n = 2 * shares: this process runs the even parts while a forked process runs the odd ones,
    each result pickled back as soon as it is done (more shares: smaller results held at once
    in the forked process). ``[job((0, 1))]`` where forking is not safe."""
    if not can_fork():
        return [job((0, 1))]
    n = 2 * shares
    key = id(job)
    _JOBS[key] = job
    try:
        with (
            frozen_for_fork(),
            ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool,
        ):
            theirs = [pool.submit(_run, key, (k, n)) for k in range(1, n, 2)]
            results: list = [None] * n
            for k in range(0, n, 2):
                results[k] = job((k, n))
            for k, future in zip(range(1, n, 2), theirs):
                results[k] = future.result()
            return results
    finally:
        _JOBS.pop(key, None)


def _run(key: int, part: Part):
    return _JOBS[key](part)


@contextmanager
def frozen_for_fork() -> Iterator[None]:
    """Around forking: every object so far moved out of the garbage collector's sight
    (``gc.freeze``, as Python's documentation advises before a fork), so that a collection in
    the forked process does not write to, and so copy, the memory it shares with this one."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a phase that allocates much and makes no cycles:
    its automatic collections would walk every object the process holds (after a MkDocs build,
    the build's), some 3 s of the search index at 10,000 documents. ``release_memory`` still
    collects where asked."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def packed(text: str) -> bytes:
    """``text`` compressed to wait in memory (a rendered page, from its conversion until the
    theme): libdeflate's level 1, about twice as fast as zlib's both ways for a few per cent
    more bytes, with the length ahead of it (``unpacked`` needs it)."""
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "little") + deflate.deflate_compress(data, 1)


def unpacked(data: bytes) -> str:
    """The text ``packed`` made ``data`` of."""
    return deflate.deflate_decompress(memoryview(data)[4:], int.from_bytes(data[:4], "little")).decode(
        "utf-8"
    )


def release_memory(collect: bool = True) -> None:
    """Free what is no longer referenced and hand the freed heap back to the system (glibc's
    ``malloc_trim``; elsewhere only the collection), before a phase that forks: a forked process
    starts from this one's size. ``collect=False`` where what was let go holds no reference
    cycle (freed already): a collection of a large heap takes up to a second, freeing nothing."""
    if collect:
        gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def python_process(code: str, *args: str) -> subprocess.Popen:
    """``python -c code args…`` started beside this process, with this package importable and
    its stderr piped as text: work with many system calls, which a thread here would do slowly
    (each call waits for the interpreter lock this process's work holds)."""
    root = str(Path(__file__).resolve().parent.parent)  # the folder generator/ is in
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-c", code, *args], stderr=subprocess.PIPE, text=True, env=env)
