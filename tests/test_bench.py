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
    assert 290 <= sampler.peak_mb < 500  # a sum of RSS would be over 600
