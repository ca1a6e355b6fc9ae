"""Experiments of the insight pages: several models (lanes of :mod:`core.race`) trained one after
the other in a background thread, like the task pages' runner does for one model.

A :class:`Job` lives in ``st.session_state`` (one per page and session, never in a shared cache)
and holds the lanes, their (name, event) pairs, per-lane measurements taken before and after
training, and the stop flag. It shares the runner's limits: the hosted concurrency counter, the
parameter and time caps, and the "session gone" check. Under ``SEQUENCE_LAB_FOREGROUND=1`` (the
AppTest suite) it runs inside the script run.
"""

from __future__ import annotations

import math
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.config import ConfigError
from core.events import Epoch, Finished, Snapshot, Started, Step
from core.models.base import count_params
from core.race import Lane, run_lanes, summary
from playground import runner
from playground.hosted import limits

Measure = Callable[[Lane], dict[str, Any]]


@dataclass
class Job:
    """One experiment of one page in one session."""

    page: str
    task: str  # the task name (for the summary's metric)
    params: dict[str, Any]  # what the user asked for (shown with the results)
    stop: threading.Event = field(default_factory=threading.Event)
    lanes: list[Lane] = field(default_factory=list)
    events: list[tuple[str, Any]] = field(default_factory=list)
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)  # lane -> {"before": .., "after": ..}
    stage: str = "building"  # building | training | measuring | done
    error: str | None = None
    unexpected: bool = False
    detail: str | None = None
    done: bool = False
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return not self.done

    @property
    def names(self) -> list[str]:
        if self.lanes:
            return [lane.name for lane in self.lanes]
        seen: list[str] = []
        for name, _ in list(self.events):
            if name not in seen:
                seen.append(name)
        return seen

    def of(self, name: str, kind: type) -> list[Any]:
        return [ev for n, ev in list(self.events) if n == name and isinstance(ev, kind)]

    def steps(self, name: str) -> list[Step]:
        return self.of(name, Step)

    def epochs(self, name: str) -> list[Epoch]:
        return self.of(name, Epoch)

    def snapshots(self, name: str) -> list[Snapshot]:
        return self.of(name, Snapshot)

    def finished(self, name: str) -> Finished | None:
        f = self.of(name, Finished)
        return f[-1] if f else None

    def started(self, name: str) -> Started | None:
        s = self.of(name, Started)
        return s[0] if s else None

    def lane(self, name: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.name == name), None)

    def rows(self) -> list[dict[str, Any]]:
        """The race's table (core.race.summary): one row per lane that started."""
        return summary(self.task, list(self.events))

    def current_lane(self) -> str | None:
        """The lane training now (the last one with events and no Finished yet)."""
        events = list(self.events)
        if not events:
            return None
        name, ev = events[-1]
        return None if isinstance(ev, Finished) else name


def capped_seconds(seconds: float) -> float:
    """A lane's time budget under the hosted cap (0 = no limit becomes the cap)."""
    lim = limits()
    if lim.hosted and lim.max_seconds:
        return min(seconds, lim.max_seconds) if seconds > 0 else lim.max_seconds
    return seconds


def capped_epochs(epochs: int) -> int:
    lim = limits()
    return min(epochs, lim.max_epochs) if lim.hosted and lim.max_epochs else epochs


def _work(
    job: Job,
    build: Callable[[], list[Lane]],
    before: Measure | None,
    after: Measure | None,
    alive: Callable[[], bool],
) -> None:
    try:
        lanes = build()
        lim = limits()
        for lane in lanes:
            n = count_params(lane.model)
            if lim.max_params and n > lim.max_params:
                raise ConfigError(
                    f"{lane.name}: the model has {n:,} parameters, more than this server's limit of "
                    f"{lim.max_params:,}; make it smaller"
                )
        job.lanes = lanes
        if before is not None:
            job.stage = "measuring"
            for lane in lanes:
                job.extras.setdefault(lane.name, {})["before"] = before(lane)
        job.stage = "training"

        def stop() -> bool:
            return job.stop.is_set() or not alive()

        for name, ev in run_lanes(lanes, stop):
            job.events.append((name, ev))
            if isinstance(ev, Finished) and after is not None and ev.step > 0:
                job.stage = "measuring"
                lane = job.lane(name)
                if lane is not None:
                    job.extras.setdefault(name, {})["after"] = after(lane)
                job.stage = "training"
    except runner.USER_ERRORS as e:
        job.error = str(e)
    except Exception as e:  # noqa: BLE001 - shown to the user with the details folded away
        job.error = f"{type(e).__name__}: {e}"
        job.unexpected = True
        job.detail = traceback.format_exc()
    finally:
        job.stage = "done"
        job.done = True
        runner._release()


def start(
    page: str,
    task: str,
    params: dict[str, Any],
    build: Callable[[], list[Lane]],
    *,
    before: Measure | None = None,
    after: Measure | None = None,
) -> Job:
    """Start an experiment for ``page`` (replacing its previous one). Raises runner.Busy.

    ``build`` makes the lanes (in the thread: it may load data); ``before`` / ``after`` measure a
    lane before any training and right after its own training ends (results in ``job.extras``).
    """
    old = current(page)
    if old is not None and old.running:
        return old
    if not runner._acquire(limits().max_concurrent):  # one counter for every training on the server
        raise runner.Busy()
    job = Job(page=page, task=task, params=dict(params))
    st.session_state[f"{page}.job"] = job
    if runner.foreground():
        _work(job, build, before, after, lambda: True)
    else:
        alive = runner.session_alive_checker()
        job.thread = threading.Thread(
            target=_work, args=(job, build, before, after, alive), name=f"insight-{page}", daemon=True
        )
        job.thread.stop_event = job.stop  # type: ignore[attr-defined]
        runner._threads.add(job.thread)  # stopped with the others when the server shuts down
        job.thread.start()
    return job


def current(page: str) -> Job | None:
    job = st.session_state.get(f"{page}.job")
    return job if isinstance(job, Job) else None


def request_stop(page: str) -> None:
    job = current(page)
    if job is not None:
        job.stop.set()


def progress(job: Job) -> tuple[float, str, dict[str, Any]]:
    """(fraction done over all lanes, the lane training now, its last Step as a dict or {})."""
    names = job.names
    if not names:
        return 0.0, "", {}
    done = sum(1 for n in names if job.finished(n) is not None)
    now = job.current_lane() or ""
    frac = done / len(names)
    last: dict[str, Any] = {}
    if now:
        steps = job.steps(now)
        if steps:
            s = steps[-1]
            frac += min(1.0, s.progress) / len(names)
            last = {"epoch": s.epoch, "loss": s.loss, "eta": s.eta_s, "elapsed": s.elapsed_s}
    return min(1.0, frac), now, last


def finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)
