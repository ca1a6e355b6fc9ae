"""Where training runs: one run abstraction for the app, the CLI and the tests.

A :class:`Job` (one model, or several trained one after the other on the same data: a race) goes
to an :class:`Executor` and comes back as a :class:`Handle`: a non-blocking stream of training
events, ``stop()``, a status (queued with a place in line, running, done, failed with a reason)
and the result (each model's weights, its events, its measurements).

Backends, chosen by configuration (:func:`executor_from_env`):

- ``inline``: in the calling thread (tests, the command line).
- ``local`` (the app's default): each job in its own worker process (:mod:`core.workers`), a fixed
  number of slots and a queue.
- ``ray``: jobs run as Ray tasks on a Ray cluster (:mod:`core.ray_backend`).

Every backend runs the same :func:`work` generator, so a run trains the same way everywhere; the
backends differ only in where it runs and how its messages travel back.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from core.checkpoint import CheckpointError, weights_bytes
from core.config import ConfigError
from core.events import Event, Finished, Measured, Started, Step
from core.measures import measure
from core.registry import build
from core.runspec import RunSpec
from core.tasks.base import DataError
from core.train import train

USER_ERRORS = (ConfigError, DataError, CheckpointError)  # the user's to fix: shown as they are


class QueueFull(RuntimeError):
    """The executor's waiting line is full; nothing was submitted."""


@dataclass
class Job:
    """What to train: one (name, spec) lane or several, trained one after the other in one worker.

    Every lane's model is built after ``torch.manual_seed(spec.train_cfg.seed)``, so a seed decides
    the initial weights as well as the batches. ``measure`` names a measurement in
    :mod:`core.measures` taken on each model before and after its training.
    """

    lanes: list[tuple[str, RunSpec]]
    measure: str | None = None
    label: str = ""  # shown in queues and logs, e.g. "sentiment / gru"
    # while it trains alone, train on every core instead of leaving one to the web server (a run
    # bound by arithmetic: core.budget.all_cores); the local backend's workers read it
    all_cores: bool = False

    def __post_init__(self) -> None:
        if not self.lanes:
            raise ConfigError("a job needs at least one model to train")
        names = [n for n, _ in self.lanes]
        if len(set(names)) != len(names):
            raise ConfigError(f"the models of a job need different names, got {', '.join(names)}")
        if not self.label:
            first = self.lanes[0][1]
            self.label = f"{first.task.name} / {', '.join(s.arch for _, s in self.lanes)}"

    @classmethod
    def single(cls, spec: RunSpec, name: str = "model") -> Job:
        return cls([(name, spec)])

    def spec(self, name: str) -> RunSpec:
        for n, s in self.lanes:
            if n == name:
                return s
        raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# The work itself: the same generator in every backend
# ---------------------------------------------------------------------------------------------

# Messages from work() to its handle: ("event", lane, Event), ("weights", lane, bytes), and in the
# inline backend ("model", lane, nn.Module) instead of bytes.
Message = tuple[str, str, Any]


def work(job: Job, stopped: Callable[[], bool], *, share_models: bool = False) -> Iterator[Message]:
    """Train the job's lanes one after the other and yield what the handle needs.

    ``stopped()`` is polled every optimiser step. When it turns true the weights trained so far
    are sent at once (so a backend that must end the worker a moment later still keeps them),
    then training ends as usual: the lane finishes with reason "stopped" and later lanes are not
    run. User errors (bad settings or data) and bugs propagate as exceptions.
    """
    probe = measure(job.measure) if job.measure else None
    for i, (name, spec) in enumerate(job.lanes):
        if stopped():
            if i == 0:
                msg = "stopped before training began; there is no model to keep"
                yield "event", name, Finished(reason="stopped", message=msg, epoch=0, step=0, elapsed_s=0.0)
            return
        torch.manual_seed(spec.train_cfg.seed)  # the initial weights depend on the seed too
        model = spec.build()
        if probe is not None:
            yield "event", name, Measured(lane=name, stage="before", values=probe.before(model, spec))
        stop = _KeepOnStop(stopped, name, model, share_models)
        last: Finished | None = None
        for ev in train(model, spec.data, spec.task, spec.train_cfg, stop):
            while stop.kept:
                yield stop.kept.pop()
            if isinstance(ev, Finished):
                last = ev
            yield "event", name, ev
        yield _weights_message(name, model, share_models)
        if probe is not None and last is not None and last.step > 0:
            yield "event", name, Measured(lane=name, stage="after", values=probe.after(model, spec))
        if stopped():
            return


class _KeepOnStop:
    """The stop signal handed to train(): the first time it is true, the weights are taken."""

    def __init__(self, stopped: Callable[[], bool], name: str, model: nn.Module, share: bool) -> None:
        self.stopped, self.name, self.model, self.share = stopped, name, model, share
        self.kept: list[Message] = []
        self._taken = False

    def __call__(self) -> bool:
        if not self.stopped():
            return False
        if not self._taken:
            self._taken = True
            self.kept.append(_weights_message(self.name, self.model, self.share))
        return True


def _weights_message(name: str, model: nn.Module, share: bool) -> Message:
    if share:
        return "model", name, model
    return "weights", name, weights_bytes(model)


def describe_error(e: BaseException) -> tuple[str, bool, str | None]:
    """(message for the user, is it a bug, details): user errors as they are, bugs with a traceback."""
    if isinstance(e, USER_ERRORS):
        return str(e), False, None
    detail = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    return f"{type(e).__name__}: {e}", True, detail


# ---------------------------------------------------------------------------------------------
# The handle
# ---------------------------------------------------------------------------------------------

_ids = itertools.count(1)


@dataclass
class RunError:
    message: str
    unexpected: bool = False  # a bug (or a crashed worker), not the user's mistake
    detail: str | None = None


@dataclass(eq=False)
class Handle:
    """A submitted job: its events so far, its status, Stop, and the trained models.

    Written by the executor (on its own thread for background backends), read by anyone: every
    list only grows, so a reader never sees a half-made state.
    """

    job: Job
    executor: Executor
    alive: Callable[[], bool] | None = None  # False once whoever submitted it is gone: cancel
    id: int = field(default_factory=lambda: next(_ids))
    status: str = "queued"
    events: list[tuple[str, Event]] = field(default_factory=list)
    weights: dict[str, bytes] = field(default_factory=dict)
    error: RunError | None = None
    stop_requested: bool = False
    submitted_at: float = field(default_factory=time.time)
    started_at: float | None = None
    ended_at: float | None = None
    where: str = ""  # the machine (and Ray node) it trains on; empty where it is this machine
    _models: dict[str, nn.Module] = field(default_factory=dict)
    _done: threading.Event = field(default_factory=threading.Event)

    # -- status ----------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """Ended one way or another (done, failed, cancelled)."""
        return self.status in ("done", "failed", "cancelled")

    @property
    def queued(self) -> bool:
        return self.status == "queued"

    def position(self) -> int | None:
        """1-based place in the waiting line while queued, else None."""
        return self.executor.position(self) if self.queued else None

    def wait_estimate(self) -> float | None:
        """Seconds until this job should start (a rough guide), while queued."""
        return self.executor.wait_estimate(self) if self.queued else None

    # -- control -----------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the job to stop: a queued job is cancelled, a running one ends keeping its weights."""
        self.stop_requested = True
        self.executor._stop(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (tests, the command line); True when it did."""
        self.executor._drive(self)
        return self._done.wait(timeout)

    def poll(self, since: int = 0) -> list[tuple[str, Event]]:
        """The (lane, event) pairs from index ``since`` on, without waiting."""
        return list(self.events[since:])

    def follow(self, timeout: float | None = None, interval: float = 0.05) -> Iterator[tuple[str, Event]]:
        """Yield (lane, event) pairs as they come, until the job ends (or ``timeout`` seconds)."""
        seen = 0
        end = None if timeout is None else time.monotonic() + timeout
        for _ in self.executor._follow(self):
            fresh = self.events[seen:]
            seen += len(fresh)
            yield from fresh
        while True:
            fresh = self.events[seen:]
            seen += len(fresh)
            yield from fresh
            if self.done and seen >= len(self.events):
                return
            if end is not None and time.monotonic() > end:
                return
            self._done.wait(interval)

    # -- results -----------------------------------------------------------------------------
    def lane_events(self, name: str) -> list[Event]:
        return [ev for n, ev in list(self.events) if n == name]

    def finished(self, name: str) -> Finished | None:
        for ev in reversed(self.lane_events(name)):
            if isinstance(ev, Finished):
                return ev
        return None

    def model(self, name: str) -> nn.Module | None:
        """The lane's trained model (built once from its weights), or None before any arrived."""
        if name in self._models:
            return self._models[name]
        raw = self.weights.get(name)
        if raw is None:
            return None
        from safetensors.torch import load

        spec = self.job.spec(name)
        model = build(spec.arch, spec.model_cfg)  # the weights come next (spec.init is not needed)
        model.load_state_dict(load(raw), strict=True)
        model.eval()
        self._models[name] = model
        return model

    # -- written by executors ------------------------------------------------------------------
    def _take(self, msg: Message) -> None:
        kind, name, payload = msg
        if kind == "event":
            self.events.append((name, payload))
        elif kind == "weights":
            self.weights[name] = payload
            self._models.pop(name, None)
        elif kind == "model":
            self._models[name] = payload

    def _close_stopped_lane(self) -> None:
        """The backend ended the job at once after Stop: close the lane that was training with a
        "stopped" finish (its weights are kept if they arrived; the test metrics are skipped)."""
        names = [n for n, _ in self.events]
        lane = names[-1] if names else self.job.lanes[0][0]
        if self.finished(lane) is not None:
            return
        steps = [ev for ev in self.lane_events(lane) if isinstance(ev, Step)]
        message = (
            "stopped at once; the weights trained so far are kept (test metrics skipped)"
            if lane in self.weights
            else "stopped at once; no step had finished, so there is no model to keep"
        )
        last = steps[-1] if steps else None
        fin = Finished(
            reason="stopped",
            message=message,
            epoch=last.epoch if last else 0,
            step=last.step if last else 0,
            elapsed_s=last.elapsed_s if last else 0.0,
        )
        self.events.append((lane, fin))

    def _start(self, where: str = "") -> None:
        self.where = where
        self.status = "running"
        self.started_at = time.time()

    def _end(self, status: str, error: RunError | None = None) -> None:
        if self.done:
            return
        self.error = error
        self.ended_at = time.time()
        self.status = status
        self._done.set()

    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        return (self.ended_at or time.time()) - self.started_at

    def eta(self) -> float | None:
        """Seconds left of the running job by its own last step (all lanes), or None."""
        if self.status != "running":
            return None
        left, names = 0.0, [n for n, _ in self.job.lanes]
        started = {n for n, ev in list(self.events) if isinstance(ev, Started)}
        for n in names:
            steps = [ev for ev in self.lane_events(n) if isinstance(ev, Step)]
            if self.finished(n) is not None:
                continue
            if steps and math.isfinite(steps[-1].eta_s):
                left += steps[-1].eta_s
            elif n in started or n == names[0]:
                return None  # training has not made a step yet: no rate to go by
        return left


# ---------------------------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------------------------


class Executor(ABC):
    """Where jobs run. ``submit`` never blocks on training (except inline, which trains when driven)."""

    name: str = ""

    @abstractmethod
    def submit(self, job: Job, *, alive: Callable[[], bool] | None = None) -> Handle: ...

    def position(self, handle: Handle) -> int | None:
        return None

    def wait_estimate(self, handle: Handle) -> float | None:
        return None

    def counts(self) -> dict[str, int]:
        """{"running": n, "queued": n, "slots": n} right now."""
        return {"running": 0, "queued": 0, "slots": 0}

    def shutdown(self) -> None:  # noqa: B027 - most backends have nothing to shut down
        """Stop whatever runs; the executor may not be used afterwards."""

    # hooks the handle calls
    @abstractmethod
    def _stop(self, handle: Handle) -> None:
        """Pass a stop request on (a queued job is cancelled)."""

    def _drive(self, handle: Handle) -> None:  # noqa: B027 - background backends drive themselves
        """Make progress on ``handle`` in the caller's thread where the backend needs it (inline)."""

    def _follow(self, handle: Handle) -> Iterator[None]:
        """Yield after each message while the caller's thread drives the job (inline); else nothing."""
        return iter(())


class InlineExecutor(Executor):
    """Runs a job in the thread that waits for it (``wait``/``follow``), not in the background.

    For tests and the command line: no process, no queue, nothing to clean up. The trained models
    are handed over as they are, without serialising their weights.
    """

    name = "inline"

    def __init__(self) -> None:
        self._gens: dict[int, Iterator[Message]] = {}

    def submit(self, job: Job, *, alive: Callable[[], bool] | None = None) -> Handle:
        handle = Handle(job=job, executor=self, alive=alive)

        def stopped() -> bool:
            return handle.stop_requested or (handle.alive is not None and not handle.alive())

        self._gens[handle.id] = work(job, stopped, share_models=True)
        return handle

    def _follow(self, handle: Handle) -> Iterator[None]:
        gen = self._gens.pop(handle.id, None)
        if gen is None:
            return
        handle._start()
        try:
            for msg in gen:
                handle._take(msg)
                yield None
        except Exception as e:  # noqa: BLE001 - recorded on the handle for the caller to show
            handle._end("failed", RunError(*describe_error(e)))
            return
        handle._end("done")

    def _drive(self, handle: Handle) -> None:
        for _ in self._follow(handle):
            pass

    def _stop(self, handle: Handle) -> None:
        if handle.queued and handle.id in self._gens:
            self._gens.pop(handle.id, None)
            handle._end("cancelled")


def cores() -> int:
    """CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


BACKENDS = ("inline", "local", "ray")
_lock = threading.Lock()
_shared: dict[str, Executor] = {}


def backend_from_env(default: str = "local") -> str:
    """``SEQUENCE_LAB_EXECUTOR`` (inline | local | ray), or ray when ``SEQUENCE_LAB_RAY_ADDRESS`` is set."""
    name = os.environ.get("SEQUENCE_LAB_EXECUTOR", "").strip().lower()
    if not name:
        name = "ray" if os.environ.get("SEQUENCE_LAB_RAY_ADDRESS", "").strip() else default
    if name not in BACKENDS:
        raise ConfigError(f"SEQUENCE_LAB_EXECUTOR={name!r} is not a backend; valid: {', '.join(BACKENDS)}")
    return name


def executor_from_env(default: str = "local") -> Executor:
    """The process's executor for the configured backend, made once and shared.

    Environment: ``SEQUENCE_LAB_EXECUTOR``, ``SEQUENCE_LAB_WORKERS`` (slots of the local backend;
    default: one per core), ``SEQUENCE_LAB_WORKER_THREADS`` (torch threads per worker; default: the
    cores divided among the slots), ``SEQUENCE_LAB_MAX_QUEUE`` (jobs waiting at most, default 100),
    ``SEQUENCE_LAB_RAY_ADDRESS``.
    """
    name = backend_from_env(default)
    with _lock:
        ex = _shared.get(name)
        if ex is None:
            ex = make_executor(name)
            _shared[name] = ex
        return ex


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None


def make_executor(name: str, **kw: Any) -> Executor:
    if name == "inline":
        return InlineExecutor()
    if name == "local":
        from core.workers import LocalExecutor

        kw.setdefault("slots", _env_int("SEQUENCE_LAB_WORKERS", cores()))
        kw.setdefault("threads", _env_int("SEQUENCE_LAB_WORKER_THREADS", 0) or None)
        kw.setdefault("max_queue", _env_int("SEQUENCE_LAB_MAX_QUEUE", 100))
        return LocalExecutor(**kw)
    if name == "ray":
        from core.ray_backend import RayExecutor

        kw.setdefault("address", os.environ.get("SEQUENCE_LAB_RAY_ADDRESS", "").strip() or None)
        kw.setdefault("max_queue", _env_int("SEQUENCE_LAB_MAX_QUEUE", 100))
        return RayExecutor(**kw)
    raise ConfigError(f"unknown executor {name!r}; valid: {', '.join(BACKENDS)}")


def shutdown_all() -> None:
    with _lock:
        for ex in _shared.values():
            ex.shutdown()
        _shared.clear()
