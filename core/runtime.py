"""Process settings that make the engine fast: keep NumPy's big temporaries on the heap.

An update of a network's flat parameter buffer (~47k float64 for the reference MLP) makes temporaries of a
few hundred kB. glibc serves those from fresh mmaps and returns them to the system at every step, so each
step page-faults them in again: measured on the reference MLP, a training step took 1.2–1.4 ms with glibc's
defaults and 0.85 ms with the thresholds below (bench/bench_engine.py). Raising the thresholds keeps freed
blocks for reuse; it affects only how glibc recycles memory, never results.

One malloc arena for the whole process: glibc gives threads arenas of their own (up to 8 per core), and a server
runs every script run in a new thread. Each arena other than the main one keeps its free top (up to the trim
threshold) even through malloc_trim, so after a class had left, memory it had freed stayed with the process
(measured: 8 threads computing landscape runs, then everything freed, trimmed: 122 MB kept of a 46 MB start with
per-thread arenas, 48 MB with one arena; issue 21). The threads run Python under one lock anyway, so they hardly
ever allocate at the same moment.
"""
from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8  # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD = 16 * 2**20   # blocks below this come from the heap, not from their own mmap
TRIM_THRESHOLD = 32 * 2**20   # free memory kept at the heap's top before it is returned to the system
ARENA_MAX = 1                 # every thread allocates from the main arena, which malloc_trim empties


def tune_allocator() -> bool:
    """Set glibc's malloc thresholds and its one arena for this process (call it before starting threads); False
    (and nothing changed) where there is no glibc."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # macOS, Windows, musl: leave the allocator alone
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    arenas = bool(mallopt(_M_ARENA_MAX, ARENA_MAX))  # before the server starts its threads (ui.launch)
    return (bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
            and arenas)


def release_memory() -> bool:
    """Hand the freed memory of every malloc arena back to the system (glibc's malloc_trim); False where there is
    no glibc. The thresholds above keep freed blocks for reuse while training; a server calls this when it is idle,
    so memory a class used is returned once the class has gone."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    trim(0)
    return True
