"""Memory the server has freed, given back to the machine.

A session's models and data are freed when Streamlit drops the session, but glibc's allocator
keeps the freed pages of its heap for later instead of returning them, so the server's resident
memory stays at its peak after the visitors have gone. :func:`trim` runs ``malloc_trim(0)``
(glibc: release every free page of the heap) after :mod:`playground.sessions` has closed the
sessions that are gone; where there is no glibc (macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable


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
