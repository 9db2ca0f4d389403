"""The benchmark's memory figure: every process of a stage counted, shared pages once."""

from __future__ import annotations

import subprocess
import sys

from generator.dev.bench import TreeMemory


def test_tree_memory_counts_what_a_child_process_holds():
    sampler = TreeMemory()
    sampler.start()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; x = bytearray(300_000_000); x[::4096] = b'1' * len(x[::4096]); time.sleep(1)",
        ],
        check=True,
    )
    sampler.stop()
    assert sampler.peak_mb >= 290


def test_tree_memory_counts_pages_shared_by_a_fork_once():
    import os

    before = TreeMemory()  # this test process as it is (its size depends on the tests before it)
    before.start()
    before.stop()
    data = bytearray(300_000_000)
    data[::4096] = b"1" * len(data[::4096])  # resident in this process
    sampler = TreeMemory()
    sampler.start()
    pid = os.fork()
    if pid == 0:  # the child only reads: its pages stay shared with the parent
        import time

        time.sleep(1)
        os._exit(0)
    os.waitpid(pid, 0)
    sampler.stop()
    grown = sampler.peak_mb - before.peak_mb
    assert 270 <= grown < 450  # the 300 MB once; a sum of RSS would count them twice (600)
