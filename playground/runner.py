"""Training runs for the app: one background thread per run, events collected for the live view.

A :class:`Run` lives in ``st.session_state`` (one per page and session; never in a shared cache)
and holds the spec, the model, the events so far and the stop flag. The thread stops when the
user presses Stop, when the session has been gone for a while, or when training ends; Stop keeps
the model trained so far. A module-level counter limits concurrent trainings across sessions in
hosted mode (it holds no user data).

Under ``SEQUENCE_LAB_FOREGROUND=1`` (the AppTest suite) the run trains inside the script run
instead of a thread, so a test sees the finished run right after clicking Train.
"""

from __future__ import annotations

import atexit
import math
import os
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
import torch
from torch import nn

from core.checkpoint import CheckpointError, bundle, config_json
from core.config import ConfigError
from core.events import Epoch, Finished, Snapshot, Started, Step
from core.runs import RunSpec
from core.tasks.base import DataError
from core.train import train
from playground.hosted import limits

GRACE_S = 30.0  # a session that has been gone this long stops its training
TRAIN_NICE = 10  # CPU priority of training threads: below the server's own (0)
USER_ERRORS = (ConfigError, DataError, CheckpointError)

_lock = threading.Lock()
_active = 0
_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()  # to stop them at interpreter exit


class Busy(RuntimeError):
    """Too many trainings are running on this server right now."""


def _acquire(max_concurrent: int) -> bool:
    global _active
    with _lock:
        if max_concurrent and _active >= max_concurrent:
            return False
        _active += 1
        return True


def _release() -> None:
    global _active
    with _lock:
        _active = max(0, _active - 1)


def active_trainings() -> int:
    with _lock:
        return _active


def foreground() -> bool:
    return os.environ.get("SEQUENCE_LAB_FOREGROUND", "").strip().lower() in {"1", "true", "yes"}


@dataclass
class Run:
    """One training run of one page in one session."""

    page: str
    spec: RunSpec
    fingerprint: str
    n_params: int
    stop: threading.Event = field(default_factory=threading.Event)
    events: list[Any] = field(default_factory=list)
    model: nn.Module | None = None
    error: str | None = None
    unexpected: bool = False  # error is a bug, not a user mistake (details in ``detail``)
    detail: str | None = None
    done: bool = False
    thread: threading.Thread | None = None
    started_at: float = field(default_factory=time.time)
    _bundle: bytes | None = None

    @property
    def running(self) -> bool:
        return not self.done

    def _of(self, kind: str) -> list[Any]:
        # by the events' type tag rather than isinstance: still right after a module reload
        return [e for e in list(self.events) if getattr(e, "type", None) == kind]

    @property
    def started(self) -> Started | None:
        s = self._of("started")
        return s[0] if s else None

    @property
    def steps(self) -> list[Step]:
        return self._of("step")

    @property
    def epochs(self) -> list[Epoch]:
        return self._of("epoch")

    @property
    def snapshots(self) -> list[Snapshot]:
        return self._of("snapshot")

    @property
    def finished(self) -> Finished | None:
        f = self._of("finished")
        return f[-1] if f else None

    @property
    def last_step(self) -> Step | None:
        for e in reversed(list(self.events)):
            if getattr(e, "type", None) == "step":
                return e
        return None

    @property
    def usable(self) -> bool:
        """A model that finished (done, stopped, time budget...) and can be shown and saved."""
        return self.done and self.model is not None and self.finished is not None

    def metrics(self) -> dict[str, Any]:
        """The summary saved in the checkpoint (same shape as the CLI's metrics.json)."""
        f, s = self.finished, self.started
        primary = self.spec.task.primary
        return {
            "task": self.spec.task.name,
            "arch": self.spec.arch,
            "params": s.params if s else self.n_params,
            "train_seconds": f.elapsed_s if f else None,
            "device": s.device if s else None,
            "reason": f.reason if f else None,
            "message": f.message if f else None,
            "primary": {
                "name": primary.name,
                "value": (f.test or {}).get(primary.name) if f else None,
                "higher_is_better": primary.higher_is_better,
            },
            "test": f.test if f else {},
            "baselines": f.baselines if f else {},
        }

    def bundle(self) -> bytes:
        """The trained model as a zip (model.safetensors + config.json), made once."""
        if self._bundle is None:
            if self.model is None:
                raise CheckpointError("there is no trained model to save yet")
            cfg = config_json(self.spec.to_json(), self.spec.data.state(), self.metrics())
            self._bundle = bundle(self.model, cfg)
        return self._bundle


# ---------------------------------------------------------------------------------------------
# The work
# ---------------------------------------------------------------------------------------------


def session_alive_checker() -> Callable[[], bool]:
    """A callable, safe on any thread, that says whether this browser session is still there.

    A session that disconnects may come back (a network hiccup), so it counts as gone only after
    ``GRACE_S`` seconds without being active. Outside a real server (tests) it is always alive.
    """
    try:
        from streamlit import runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is None or not runtime.exists():
            return lambda: True
        rt = runtime.get_instance()
        session_id = ctx.session_id
    except Exception:  # noqa: BLE001 - an older/newer streamlit without these internals
        return lambda: True
    state = {"seen": time.monotonic(), "checked": 0.0, "alive": True}

    def alive() -> bool:
        now = time.monotonic()
        if now - state["checked"] < 1.0:
            return state["alive"]
        state["checked"] = now
        if rt.is_active_session(session_id):
            state["seen"] = now
        state["alive"] = now - state["seen"] < GRACE_S
        return state["alive"]

    return alive


def lower_thread_priority(nice: int = TRAIN_NICE) -> bool:
    """Run the calling thread at a lower CPU priority. On Linux the nice value belongs to each
    thread, so a training thread yields the cores to the server's own thread (health checks,
    page reruns, other people's clicks) while the machine is busy. False where it cannot."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):  # not Linux, or already lower than asked
        return False
    return True


def _work(run: Run, alive: Callable[[], bool], background: bool = False) -> None:
    if background:
        lower_thread_priority()
    try:
        torch.manual_seed(run.spec.train_cfg.seed)  # the initial weights depend on the seed too
        run.model = run.spec.build()

        def stop() -> bool:
            return run.stop.is_set() or not alive()

        for ev in train(run.model, run.spec.data, run.spec.task, run.spec.train_cfg, stop=stop):
            run.events.append(ev)
    except USER_ERRORS as e:
        run.error = str(e)
    except Exception as e:  # noqa: BLE001 - shown to the user with the details folded away
        run.error = f"{type(e).__name__}: {e}"
        run.unexpected = True
        run.detail = traceback.format_exc()
    finally:
        run.done = True
        _release()


def start(page: str, spec: RunSpec, fingerprint: str, n_params: int) -> Run:
    """Start training ``spec`` for ``page`` (replacing the page's previous run). Raises Busy."""
    lim = limits()
    old = current(page)
    if old is not None and old.running:
        return old
    if lim.max_params and n_params > lim.max_params:
        raise ConfigError(
            f"the model has {n_params:,} parameters, more than this server's limit of {lim.max_params:,}; "
            "make it smaller (hidden size, layers, d_model)"
        )
    if not _acquire(lim.max_concurrent):
        raise Busy()
    run = Run(page=page, spec=spec, fingerprint=fingerprint, n_params=n_params)
    st.session_state[f"{page}.run"] = run
    if foreground():
        _work(run, lambda: True)
    else:
        alive = session_alive_checker()
        run.thread = threading.Thread(
            target=_work, args=(run, alive, True), name=f"train-{page}", daemon=True
        )
        run.thread.stop_event = run.stop  # type: ignore[attr-defined]
        _threads.add(run.thread)
        run.thread.start()
    return run


@atexit.register
def _stop_all() -> None:
    """Server shutdown: ask every training thread to stop and give it a moment to do so."""
    threads = list(_threads)
    for th in threads:
        ev = getattr(th, "stop_event", None)
        if ev is not None:
            ev.set()
    for th in threads:
        th.join(timeout=5)


def current(page: str) -> Run | None:
    run = st.session_state.get(f"{page}.run")
    # duck-typed: a Run made before a module reload is another class object, and still our run
    return run if hasattr(run, "events") and hasattr(run, "stop") and hasattr(run, "spec") else None


def request_stop(page: str) -> None:
    run = current(page)
    if run is not None:
        run.stop.set()


def wait(run: Run, timeout: float = 60.0) -> bool:
    """Block until the run's thread ends (tests); True when it did."""
    if run.thread is not None:
        run.thread.join(timeout)
    return run.done


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    m, s = divmod(int(round(seconds)), 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def fmt_rate(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    if x >= 1e6:
        return f"{x / 1e6:.1f}M"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"
