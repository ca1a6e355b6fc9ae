"""The server gives freed heap back: after many small blocks are freed below a block still in use,
glibc keeps their pages (resident) until playground.heap.trim() returns them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground import heap

ROOT = Path(__file__).resolve().parents[2]

# In a fresh process: 80 MB of 4 kB blocks from malloc (below the mmap threshold, so on the heap),
# one more block kept in use on top of them so that free() cannot shrink the heap by itself.
PROBE = f"""
import ctypes, ctypes.util, json, os, sys
sys.path.insert(0, {str(ROOT)!r})
from playground import heap
libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
blocks = []
for _ in range(20000):
    p = libc.malloc(4096)
    ctypes.memset(p, 1, 4096)  # touch it: resident
    blocks.append(p)
keep = libc.malloc(4096)
ctypes.memset(keep, 1, 4096)
used = rss_mb()
for p in blocks:
    libc.free(p)
freed = rss_mb()
released = heap.trim()
trimmed = rss_mb()
print(json.dumps({{"used": used, "freed": freed, "trimmed": trimmed, "released": released}}))
"""


@pytest.mark.skipif(not heap.available(), reason="no glibc malloc_trim on this platform")
def test_trim_gives_the_freed_heap_back():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    r = json.loads(out.stdout)
    assert r["freed"] > r["used"] - 20  # free() alone kept (almost) all of the 80 MB resident
    assert r["released"]
    assert r["trimmed"] < r["freed"] - 60  # the trim gave at least 60 of the 80 MB back
