"""Sessions that are gone for good: closed, and the memory they held given back to the machine.

Streamlit keeps a disconnected session (its session state: trained models, data, runs) so that a
browser that reconnects finds it again, for ``server.disconnectedSessionTTL`` seconds. But it drops
expired sessions lazily, on its next write to the session store, so after the last visitor has
gone their sessions stay in memory until somebody new arrives. A janitor thread started once per
server closes each session that has been disconnected for longer than the same grace
(:data:`GRACE_S`, after which :mod:`playground.training` also cancels its trainings), then runs a
garbage collection and :func:`playground.heap.trim`.

The same thread is the server's garbage collector: Streamlit's own collection after every script
run is turned off (``runner.postScriptGC`` in ``.streamlit/config.toml``) because a full
collection costs about 0.3 s of CPU with torch and a task's data loaded, and the live chart redraws
every second while a worker trains beside it. Instead the janitor collects once after a page was
drawn (a full script run: new settings, a run's results, a closed run's objects), at most every
:data:`INTERVAL_S`; the live chart's redraws alone never trigger it.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from typing import Any, Protocol

from playground import heap

GRACE_S = 30.0  # a session gone this long is closed, and its trainings are cancelled (training.py)
INTERVAL_S = 10.0
_LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_last_seen: dict[str, float] = {}  # session id -> when it was last seen connected (monotonic)
_thread: threading.Thread | None = None
_drawn = False  # a full script run happened since the last collection


class Runtime(Protocol):  # the two thread-safe calls of streamlit.runtime.Runtime used here
    def is_active_session(self, session_id: str) -> bool: ...

    def clear_user_info_for_session(self, session_id: str) -> None: ...


def note(session_id: str, now: float | None = None) -> None:
    """Called on every full script run: this session is here, and its page was drawn."""
    global _drawn
    with _lock:
        _last_seen[session_id] = time.monotonic() if now is None else now
        _drawn = True


def collect_if_drawn() -> bool:
    """A garbage collection (and heap trim) when a page was drawn since the last one; True if it ran."""
    global _drawn
    with _lock:
        due, _drawn = _drawn, False
    if due:
        _collect()
    return due


def _collect() -> None:
    gc.collect()
    heap.trim()


def sweep(rt: Runtime, now: float, grace_s: float = GRACE_S) -> list[str]:
    """Close the sessions disconnected for longer than ``grace_s``; returns their ids.

    ``clear_user_info_for_session`` closes a session that exists only in storage (disconnected),
    on Streamlit's event loop, and marks it so that no later connection resumes it."""
    global _drawn
    with _lock:
        known = list(_last_seen.items())
    gone = []
    for sid, seen in known:
        if rt.is_active_session(sid):
            seen = now
            with _lock:
                _last_seen[sid] = now
        if now - seen > grace_s:
            gone.append(sid)
    for sid in gone:
        rt.clear_user_info_for_session(sid)
        with _lock:
            _last_seen.pop(sid, None)
    if gone:
        with _lock:
            _drawn = False  # this collection also covers the pages drawn since the last one
        _collect()
        _LOG.info("closed %d session(s) gone for over %.0f s", len(gone), grace_s)
    return gone


def start_janitor(interval_s: float = INTERVAL_S) -> bool:
    """Sweep every ``interval_s`` seconds for the life of the server (started once). False outside
    a running Streamlit server (AppTest, bare scripts), where there is nothing to close."""
    global _thread
    try:
        from streamlit import runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is None or not runtime.exists():
            return False
        rt: Any = runtime.get_instance()
        if not hasattr(rt, "clear_user_info_for_session"):  # a Streamlit without this call
            return False
    except Exception:  # noqa: BLE001 - the runtime's internals differ: keep Streamlit's own TTL
        return False
    note(ctx.session_id)
    with _lock:
        if _thread is None:

            def loop() -> None:
                while True:
                    time.sleep(interval_s)
                    try:
                        sweep(rt, time.monotonic())
                        collect_if_drawn()
                    except Exception:  # noqa: BLE001 - never let the janitor take the server down
                        pass

            _thread = threading.Thread(target=loop, name="sequence-lab-session-janitor", daemon=True)
            _thread.start()
    return True
