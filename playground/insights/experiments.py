"""Experiments of the insight pages: several models (a race's lanes) trained one after the other
in one job of the executor, like a task page's single run (:mod:`playground.training`).

A :class:`Job` lives in ``st.session_state`` (one per page and session, never in a shared cache)
and is a view over the executor's handle: the lanes' (name, event) pairs, the measurements taken
before and after each lane's training (in the worker, by a measurement named in
:mod:`core.measures`), and each lane's trained model once its weights are back. It goes through
the task pages' :func:`~playground.training.submit`, so it shares the queue, the hosted caps and the
"session gone" check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.events import Epoch, Finished, Measured, Snapshot, Started, Step
from core.execution import Handle
from core.execution import Job as ExecJob
from core.race import Lane, summary
from core.runspec import RunSpec
from playground import training
from playground.hosted import limits
from playground.planning import parameter_count


@dataclass(eq=False)
class Job(training.Tracked):
    """One experiment of one page in one session."""

    task: str = ""  # the task name (for the summary's metric)
    params: dict[str, Any] = field(default_factory=dict)  # what the user asked for (shown with results)

    @property
    def events(self) -> list[tuple[str, Any]]:
        return [(n, ev) for n, ev in list(self.handle.events) if not isinstance(ev, Measured)]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.handle.job.lanes]

    @property
    def lanes(self) -> list[Lane]:
        """The lanes whose trained model is back (after the job, every lane that trained)."""
        out = []
        for name, spec in self.handle.job.lanes:
            model = self.handle.model(name)
            if model is not None:
                out.append(Lane(name, spec, model))
        return out

    @property
    def extras(self) -> dict[str, dict[str, Any]]:
        """lane -> {"before": values, "after": values} from the measurements so far."""
        out: dict[str, dict[str, Any]] = {}
        for name, ev in list(self.handle.events):
            if isinstance(ev, Measured):
                out.setdefault(name, {})[ev.stage] = ev.values
        return out

    @property
    def stage(self) -> str:
        """queued | training | done"""
        if self.handle.queued:
            return "queued"
        return "done" if self.done else "training"

    def spec(self, name: str) -> RunSpec:
        return self.handle.job.spec(name)

    def of(self, name: str, kind: type) -> list[Any]:
        return [ev for ev in self.handle.lane_events(name) if isinstance(ev, kind)]

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
        model = self.handle.model(name) if name in self.names else None
        return Lane(name, self.spec(name), model) if model is not None else None

    def rows(self) -> list[dict[str, Any]]:
        """The race's table (core.race.summary): one row per lane that started."""
        return summary(self.task, self.events)

    def current_lane(self) -> str | None:
        """The lane training now (the last one with events and no Finished yet)."""
        events = self.events
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


def start(
    page: str, task: str, params: dict[str, Any], lanes: list[tuple[str, RunSpec]], measure: str | None = None
) -> Job:
    """Queue an experiment for ``page`` (replacing its previous one). Raises training.Busy.

    ``lanes`` are the planned runs, (name, spec), trained one after the other in one job;
    ``measure`` names a measurement of :mod:`core.measures` taken on each model before and after
    its training (results in ``job.extras``).
    """
    job = ExecJob(list(lanes), measure=measure, label=f"{page}: {', '.join(n for n, _ in lanes)}")

    def make(handle: Handle) -> Job:
        return Job(page=page, handle=handle, task=task, params=dict(params))

    counts = {name: parameter_count(spec) for name, spec in lanes}
    return training.submit(f"{page}.job", job, make, counts)  # type: ignore[return-value]


def current(page: str) -> Job | None:
    job = st.session_state.get(f"{page}.job")
    return job if hasattr(job, "handle") and hasattr(job, "params") else None


def request_stop(page: str) -> None:
    job = current(page)
    if job is not None:
        job.stop()


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
