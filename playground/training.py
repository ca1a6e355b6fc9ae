"""Training for the app: every run goes to core's executor, and a page keeps a handle to it.

The executor (:mod:`core.execution`) decides where training happens: in worker processes with a
queue (the app's default, ``local``), on a Ray cluster when ``SEQUENCE_LAB_RAY_ADDRESS`` is set,
or inline in the script run (``SEQUENCE_LAB_EXECUTOR=inline``, the AppTest suite). The page never
knows which: it submits a :class:`~core.execution.Job`, draws the handle's events every second
and shows the models that come back.

A task page's :class:`Run` and an insight page's Job (:mod:`playground.insights.experiments`) are two
views over the same handle and go through the same :func:`submit`: one run per page per session,
the hosted parameter cap checked before anything is queued, the session's presence checked so that
a closed tab cancels its runs. They live in ``st.session_state`` (never in a shared cache). In
hosted mode the executor's slots are the hosted concurrency; beyond them visitors wait in line.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from torch import nn

from core.checkpoint import CheckpointError, bundle, config_json
from core.events import Epoch, Finished, Snapshot, Started, Step
from core.execution import Executor, Handle, Job, QueueFull, executor_from_env
from core.runspec import RunSpec, run_metrics
from playground.hosted import limits
from playground.sessions import GRACE_S

QUEUED_REFRESH_S = 2.0  # how often a page waiting in line redraws its place
LIVE_BEAT_S = 1.0  # how often the live view of a running job redraws its progress line
CHART_BEAT_S = 2.0  # how often it redraws its charts (the browser's costliest redraw)
QUICK_S = 3.0  # a run estimated to end within this is waited for in the Train rerun
FIRST_STEP_WAIT_S = 1.5  # how long the live charts wait for a run's first loss before drawing

__all__ = ["Busy", "Run", "Tracked", "current", "executor", "request_stop", "start", "submit"]


class Busy(RuntimeError):
    """The waiting line of this server is full right now."""


def executor() -> Executor:
    """The server's executor, with the hosted concurrency as its number of slots."""
    ex = executor_from_env("local")
    if ex.name == "local":
        lim = limits()
        ex.slots = lim.max_concurrent if lim.hosted and lim.max_concurrent else ex.default_slots  # type: ignore[attr-defined]
    return ex


_warmed = False


def warm() -> None:
    """Get the executor ready on a page that can train (the local backend starts its fork server,
    which imports torch, in the background), so that the first Train starts at once."""
    global _warmed
    if _warmed:
        return
    _warmed = True
    try:
        ex = executor()
        if hasattr(ex, "warm"):
            ex.warm()
    except Exception:  # noqa: BLE001 - warming is an optimisation; Train reports real problems
        pass


@dataclass(eq=False)
class Tracked:
    """What a page keeps of a submitted job: the handle, seen through the page's eyes."""

    page: str
    handle: Handle

    @property
    def running(self) -> bool:
        """Queued or training (the page shows progress and Stop)."""
        return not self.handle.done

    @property
    def done(self) -> bool:
        return self.handle.done

    @property
    def queued(self) -> bool:
        return self.handle.queued

    def position(self) -> int | None:
        return self.handle.position()

    def wait_estimate(self) -> float | None:
        return self.handle.wait_estimate()

    @property
    def error(self) -> str | None:
        return self.handle.error.message if self.handle.error is not None else None

    @property
    def unexpected(self) -> bool:
        return bool(self.handle.error and self.handle.error.unexpected)

    @property
    def detail(self) -> str | None:
        return self.handle.error.detail if self.handle.error else None

    @property
    def where(self) -> str:
        """The machine and Ray node it trained on; empty when it trained on this server."""
        return self.handle.where

    def stop(self) -> None:
        self.handle.stop()


@dataclass(eq=False)
class Run(Tracked):
    """One training run of one task page in one session."""

    spec: RunSpec = None  # type: ignore[assignment]
    fingerprint: str = ""
    n_params: int = 0
    started_at: float = field(default_factory=time.time)
    _bundle: bytes | None = None
    # the page's history (playground.history): the run's number and the sidebar it came from
    history_id: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    preset: str | None = None
    recorded: bool = False

    LANE = "model"

    @property
    def events(self) -> list[Any]:
        return self.handle.lane_events(self.LANE)

    def _of(self, kind: str) -> list[Any]:
        # by the events' type tag rather than isinstance: still right after a module reload
        return [e for e in self.events if getattr(e, "type", None) == kind]

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
        for e in reversed(self.events):
            if getattr(e, "type", None) == "step":
                return e
        return None

    @property
    def model(self) -> nn.Module | None:
        """The trained model, built on first use from the weights the worker sent."""
        return self.handle.model(self.LANE)

    @property
    def usable(self) -> bool:
        """A model that finished (done, stopped, time budget...) and can be shown and saved."""
        return self.done and self.finished is not None and self.model is not None

    def metrics(self) -> dict[str, Any]:
        """The summary saved in the checkpoint (same shape as the CLI's metrics.json)."""
        return run_metrics(self.spec, self.started, self.finished, self.n_params)

    def bundle(self) -> bytes:
        """The trained model as a zip (model.safetensors + config.json), made once."""
        if self._bundle is None:
            model = self.model
            if model is None:
                raise CheckpointError("there is no trained model to save yet")
            cfg = config_json(self.spec.to_json(), self.spec.data.state(), self.metrics())
            self._bundle = bundle(model, cfg)
        return self._bundle


# ---------------------------------------------------------------------------------------------
# Submitting
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


def check_params(name: str, n_params: int) -> None:
    """The hosted parameter cap, before anything is queued or built in a worker."""
    from core.budget import check_params as refuse_over

    refuse_over(n_params, limits().max_params, who=name)


def _check_budget(lanes: list[tuple[str, RunSpec]]) -> None:
    """The hosted memory cap, estimated from each lane's settings (see playground.planning)."""
    from playground.planning import check_budget

    check_budget(lanes)


def submit(slot: str, job: Job, make: Callable[[Handle], Tracked], params: dict[str, int]) -> Tracked:
    """Queue ``job`` for the page whose record lives in ``st.session_state[slot]``.

    ``params`` is each lane's parameter count (checked against the hosted cap first). A page runs
    one job at a time: while one is queued or training, that one is returned. Raises Busy when
    the waiting line is full, ConfigError when a model is over the cap.
    """
    old = st.session_state.get(slot)
    if isinstance(old, Tracked) and old.running:
        return old
    for name, n in params.items():
        check_params(name if len(params) > 1 else "", n)
    _check_budget(job.lanes)
    ex = executor()
    try:
        handle = ex.submit(job, alive=session_alive_checker())
    except QueueFull as e:
        raise Busy(str(e)) from e
    tracked = make(handle)
    st.session_state[slot] = tracked
    if ex.name == "inline":
        handle.wait()  # trains here, in the script run: the page shows the result right away
    else:
        _until_started(ex, handle)
    return tracked


def _until_started(ex: Executor, handle: Handle, timeout: float = 0.5) -> None:
    """With a free slot the job leaves the line within milliseconds: wait for that, so the page
    draws its live view at once instead of a "waiting" view that only looks again later."""
    c = ex.counts()
    if c["slots"] and c["running"] >= c["slots"] and handle.queued:
        return  # every slot is taken: it really waits
    deadline = time.monotonic() + timeout
    while handle.queued and time.monotonic() < deadline:
        time.sleep(0.01)


def submit_many(
    slot: str, jobs: list[Job], make: Callable[[list[Handle]], Any], params: dict[str, int]
) -> Any:
    """Queue several jobs for one page at once (a sweep: each trial its own job, so they run side
    by side on the free slots). The same checks as :func:`submit`; when the line fills up half-way,
    the jobs already queued are withdrawn and Busy is raised."""
    old = st.session_state.get(slot)
    if old is not None and getattr(old, "running", False):
        return old
    for name, n in params.items():
        check_params(name, n)
    for job in jobs:
        _check_budget(job.lanes)
    ex = executor()
    alive = session_alive_checker()
    handles: list[Handle] = []
    try:
        for job in jobs:
            handles.append(ex.submit(job, alive=alive))
    except QueueFull as e:
        for h in handles:
            h.stop()
        raise Busy(str(e)) from e
    record = make(handles)
    st.session_state[slot] = record
    if ex.name == "inline":
        for h in handles:
            h.wait()
    return record


def start(page: str, spec: RunSpec, fingerprint: str, n_params: int) -> Run:
    """Queue training ``spec`` for a task page (replacing the page's previous run). Raises Busy."""
    from playground.planning import on_all_cores

    job = Job.single(spec, Run.LANE)
    job.label = f"{spec.task.name} / {spec.arch}"
    job.all_cores = on_all_cores(spec)  # bound by arithmetic: every core while it trains alone

    def make(handle: Handle) -> Run:
        return Run(page=page, handle=handle, spec=spec, fingerprint=fingerprint, n_params=n_params)

    return submit(f"{page}.run", job, make, {Run.LANE: n_params})  # type: ignore[return-value]


def current(page: str) -> Run | None:
    run = st.session_state.get(f"{page}.run")
    # duck-typed: a Run made before a module reload is another class object, and still our run
    return run if hasattr(run, "handle") and hasattr(run, "spec") else None


def request_stop(page: str) -> None:
    run = current(page)
    if run is not None:
        run.stop()


def wait(run: Tracked, timeout: float = 60.0) -> bool:
    """Block until the run ends (tests); True when it did."""
    return run.handle.wait(timeout)


def settle(run: Tracked, estimate_s: float) -> None:
    """After Train: a run estimated to end within :data:`QUICK_S` (a second or two of training) is
    waited for here, so the rerun that follows draws its results at once instead of a live view
    that would notice the end only at its next beat. The wait ends early once the run's own pace
    says it will not be over within :data:`QUICK_S`; then the live view takes over."""
    if estimate_s > QUICK_S or run.queued:
        return
    deadline = time.monotonic() + QUICK_S
    while not run.handle.wait(0.05):
        left = run.handle.eta()
        now = time.monotonic()
        if now >= deadline or (left is not None and now + left > deadline):
            return


def until_first_step(run: Run, timeout: float = FIRST_STEP_WAIT_S) -> None:
    """In the live view, before the run's first loss has come: wait for it a little (an idle
    wait), so the chart shows it now instead of at the next chart beat, two seconds later. A
    worker's first step comes about 1-1.5 s after Train on the 2-core machine."""
    deadline = time.monotonic() + timeout
    while not run.done and run.last_step is None and time.monotonic() < deadline:
        run.handle.wait(0.03)


def until_beat_end(run: Tracked) -> None:
    """In the live view: when the run's own pace says it ends before the next beat, wait for that
    end (a little past it, for the test evaluation), so its results come without the rest of a
    beat's delay. An idle wait on the job's end: no CPU is spent."""
    left = run.handle.eta()
    if left is not None and left < LIVE_BEAT_S:
        run.handle.wait(left + 0.4)


def key_class(key: str) -> str:
    """The CSS class Streamlit gives the element made with ``key=...``."""
    return "st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key.strip())


@contextmanager
def still(key: str) -> Iterator[None]:
    """A container for a live view whose redraws do not animate. Streamlit slides a progress bar
    to its new value (0.5 s) and fades the elements of a fragment that reruns (1 s); redrawn every
    second, that kept the browser producing frames for most of a run: about 750 thread wake-ups a
    second in Chromium, 0.2 of a core, on the cores the worker trains on. Inside this container the
    bar jumps and nothing fades (0.14 of a core, 500 wake-ups a second)."""
    css = f".{key_class(key)}, .{key_class(key)} * {{ transition: none !important; animation: none !important; }}"
    st.html(f"<style>{css}</style>")  # style only: Streamlit puts it where it takes no room
    with st.container(key=key):
        yield


@st.fragment(run_every=QUEUED_REFRESH_S)
def waiting(slot: str) -> None:
    """While the job in ``st.session_state[slot]`` waits in line: only its place, redrawn every few
    seconds (cheap for the server when many people wait); a full rerun when it starts."""
    tracked = st.session_state.get(slot)
    if tracked is None or not hasattr(tracked, "queued"):
        return
    if not tracked.queued:
        st.rerun()
    st.progress(0.0, text=queued_text(tracked))


def queued_text(run: Tracked) -> str:
    """ "Waiting ...: number 3 in line, about 1 min to go" for a queued run."""
    from playground.i18n import t

    pos = run.position()
    if not pos:  # just left the line
        return t("run.queued_next")
    return t("run.queued", pos=pos, wait=fmt_duration(run.wait_estimate()))


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
