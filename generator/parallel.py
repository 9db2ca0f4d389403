"""Work split over both cores by forking: the forked process inherits what it needs (the
archive, say) instead of having it pickled, and sends back only its results.

Forking is safe only with no other thread in the process (``mkdocs serve`` runs some; a
thread holding a lock at the fork would leave it held in the child), with a fork start
method, and pays only with two cores. Otherwise everything runs here, in one part."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
Part = tuple[int, int]  # (k, n): the k-th of n shares, items k, k + n, k + 2n …

_JOBS: dict[int, Callable] = {}  # what the forked process inherits


def can_fork() -> bool:
    return (
        (os.cpu_count() or 1) >= 2
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def in_two(job: Callable[[Part], T]) -> list[T]:
    """``[job((0, 2)), job((1, 2))]``, the second run in a forked process while this one runs
    the first; ``[job((0, 1))]`` where forking is not safe. ``job``'s result is pickled back."""
    if not can_fork():
        return [job((0, 1))]
    key = id(job)
    _JOBS[key] = job
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            other = pool.submit(_run, key, (1, 2))
            mine = job((0, 2))
            return [mine, other.result()]
    finally:
        _JOBS.pop(key, None)


def _run(key: int, part: Part):
    return _JOBS[key](part)
