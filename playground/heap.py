"""Memory the server has freed, given back to the machine.

A session's models and data are freed when Streamlit drops the session, but glibc's allocator
keeps the freed pages of its heap for later instead of returning them, so the server's resident
memory stays at its peak after the visitors have gone. :func:`start_trimmer` runs
``malloc_trim(0)`` (glibc: release every free page of the heap) now and then on a daemon thread;
where there is no glibc (macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
from collections.abc import Callable

INTERVAL_S = 10.0  # a trim walks the heap's free lists: a few milliseconds for a few hundred MB

_lock = threading.Lock()
_thread: threading.Thread | None = None


def _find_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _find_trim()


def available() -> bool:
    return _TRIM is not None


def trim() -> bool:
    """Give the heap's free pages back now; True when some memory was released."""
    return bool(_TRIM(0)) if _TRIM is not None else False


def start_trimmer(interval_s: float = INTERVAL_S) -> bool:
    """Trim every ``interval_s`` seconds for the life of the process (started once; later calls
    do nothing). False when this platform has nothing to trim."""
    global _thread
    if _TRIM is None:
        return False
    with _lock:
        if _thread is None:

            def loop() -> None:
                while True:
                    time.sleep(interval_s)
                    trim()

            _thread = threading.Thread(target=loop, name="sequence-lab-heap-trim", daemon=True)
            _thread.start()
    return True
