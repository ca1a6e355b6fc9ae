"""The Ray backend: jobs run as Ray tasks on a Ray cluster, so a class can add machines.

Set ``SEQUENCE_LAB_RAY_ADDRESS`` (the app) or pass ``--address`` (the command line) and every job
becomes one Ray task that runs the same :func:`core.execution.work` generator as the local
backend. Ray streams its messages back as they are yielded (a streaming generator task), decides
from the cluster's free CPUs how many jobs run at once and keeps the rest pending; this process
only follows them.

Stop is passed through a small actor (one per executor) that the task reads at most four times a
second; when a task has not ended ``stop_grace`` seconds after Stop, it is cancelled through Ray
(``ray.cancel(force=True)``), keeping the weights it sent when it saw the request. A cluster that
goes away mid-run fails the job with a message that names the address; nothing else is lost.

Ray is an optional dependency (``requirements-ray.txt``); the project runs without it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.config import ConfigError
from core.execution import Executor, Handle, Job, QueueFull, RunError, describe_error, work

ROOT = Path(__file__).resolve().parent.parent  # the project: put on the workers' PYTHONPATH
STOP_POLL_S = 0.25


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def _stay_on_loopback(address: str | None) -> None:
    """A cluster on this machine's loopback stays there: Ray otherwise swaps 127.0.0.1 for the
    machine's network address when it connects (and binds a local instance to it). Ray reads this
    switch when it is first imported, so it is set before that."""
    host = (address or "127.0.0.1").rsplit(":", 1)[0]
    if host in LOOPBACK:
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "the ray backend needs Ray: pip install -r requirements-ray.txt (or unset SEQUENCE_LAB_RAY_ADDRESS)"
        ) from None
    return ray


def _connect_ray(address: str | None) -> Any:
    """Connect this process to the Ray cluster at ``address`` (None: start a local instance), once;
    the project goes on the workers' PYTHONPATH. Returns the ray module."""
    _stay_on_loopback(address)
    ray = _ray()
    if ray.is_initialized():
        return ray
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {"env_vars": {"PYTHONPATH": path}}
    try:
        if address:
            ray.init(address=address, runtime_env=env, log_to_driver=False)
        else:  # "local": a new instance of our own, never the cluster a past `ray start` left on record
            ray.init(address="local", include_dashboard=False, runtime_env=env, log_to_driver=False)
    except Exception as e:  # noqa: BLE001 - no cluster there, wrong version, refused token...
        raise ConfigError(f"cannot reach the Ray cluster at {address or 'a local Ray instance'}: {e}") from e
    return ray


class _StopBoard:
    """Which jobs were asked to stop (an actor: the driver writes, the tasks read)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def set(self, job_id: int) -> None:
        self.ids.add(job_id)

    def is_set(self, job_id: int) -> bool:
        return job_id in self.ids


def _run_job(job: Job, job_id: int, board: Any, threads: int):  # a Ray streaming generator task
    import ray
    import torch

    torch.set_num_threads(max(1, threads))
    # Ask the board without ever blocking, and without ray.wait or ray.get: a task in either, even
    # with a zero timeout, lends its CPU to the next pending task, and the cluster would run more
    # jobs than it has CPUs (3 on 2, measured). A future's done() is answered in this process.
    state: dict[str, Any] = {"asked": board.is_set.remote(job_id).future(), "stop": False, "checked": 0.0}

    def stopped() -> bool:
        now = time.monotonic()
        if state["stop"] or now - state["checked"] < STOP_POLL_S:
            return state["stop"]
        state["checked"] = now
        if state["asked"].done():
            try:
                state["stop"] = bool(state["asked"].result())
            except Exception:  # noqa: BLE001 - an unanswered question is not a stop request
                pass
            state["asked"] = board.is_set.remote(job_id).future()
        return state["stop"]

    node = ray.get_runtime_context().get_node_id()
    yield ("running", f"{socket.gethostname()}, Ray node {node[:8]}", None)
    try:
        yield from work(job, stopped)
    except Exception as e:  # noqa: BLE001 - every failure goes back to the page as a message
        yield ("error", "", describe_error(e))


class RayExecutor(Executor):
    """Jobs as Ray tasks on the cluster at ``address`` (None: a Ray instance started here)."""

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        *,
        cpus_per_job: int = 1,
        max_queue: int = 100,
        stop_grace: float = 2.0,
    ) -> None:
        self.address = address
        self.cpus_per_job = max(1, int(cpus_per_job))
        self.max_queue = max_queue
        self.stop_grace = stop_grace
        self._lock = threading.RLock()
        self._handles: list[Handle] = []  # submitted and not ended, in order
        self._refs: dict[int, Any] = {}
        self._board: Any = None
        self._remote: Any = None
        self._instance: list[Any] = []  # the processes of a Ray instance started here (psutil)
        self._broken = False
        self._connect_lock = threading.Lock()

    # -- connecting --------------------------------------------------------------------------
    def _connect(self) -> None:
        if self._broken:  # the cluster went away: start over (and fail clearly if it is still gone)
            self._broken = False
            self._remote = self._board = None
            _end_instance(self._instance)  # disconnects; a local instance's leftovers end too
            self._instance = []
        if self._remote is not None:
            return
        where = self.address or "a local Ray instance"
        ray, self._instance = _connect_and_note(self.address)
        try:
            self._board = ray.remote(num_cpus=0)(_StopBoard).remote()
            self._remote = ray.remote(num_cpus=self.cpus_per_job, max_retries=0)(_run_job)
        except Exception as e:  # noqa: BLE001 - a cluster that refuses actors or tasks
            raise ConfigError(f"cannot use the Ray cluster at {where}: {e}") from e

    def cluster_cpus(self) -> float:
        with self._connect_lock:
            self._connect()
        return float(_ray().cluster_resources().get("CPU", 0))

    # -- submitting --------------------------------------------------------------------------
    def submit(self, job: Job, *, alive: Callable[[], bool] | None = None) -> Handle:
        with self._lock:
            waiting = sum(1 for h in self._handles if h.queued)
            if waiting >= self.max_queue:
                raise QueueFull(f"{waiting} trainings are already waiting")
        _ray()  # no Ray installed: a clear message now, not a failed job
        handle = Handle(job=job, executor=self, alive=alive)
        with self._lock:
            self._handles.append(handle)
        threading.Thread(target=self._submit_and_follow, args=(handle,), daemon=True).start()
        return handle

    def _submit_and_follow(self, handle: Handle) -> None:
        """Connect (once; again after the cluster was lost), submit the task, follow it. In the
        background, so that a slow or absent cluster never blocks the page that submitted."""
        try:
            with self._connect_lock:
                self._connect()
            if handle.stop_requested:
                raise _Withdrawn()
            ref = self._remote.options(name=f"sequence-lab-{handle.id}").remote(
                handle.job, handle.id, self._board, self.cpus_per_job
            )
        except _Withdrawn:
            self._forget(handle)
            handle._end("cancelled")
            return
        except Exception as e:  # noqa: BLE001 - no cluster: the job fails with the reason
            self._forget(handle)
            message = str(e) if isinstance(e, ConfigError) else f"cannot use the Ray cluster: {e}"
            handle._end("failed", RunError(message))
            return
        with self._lock:
            self._refs[handle.id] = ref
        self._follow_task(handle, ref)

    def _forget(self, handle: Handle) -> None:
        with self._lock:
            if handle in self._handles:
                self._handles.remove(handle)
            self._refs.pop(handle.id, None)

    def counts(self) -> dict[str, int]:
        with self._lock:
            running = sum(1 for h in self._handles if h.status == "running")
            queued = sum(1 for h in self._handles if h.queued)
        try:
            slots = int(self.cluster_cpus() // self.cpus_per_job) if self._remote is not None else 0
        except Exception:  # noqa: BLE001
            slots = 0
        return {"running": running, "queued": queued, "slots": slots}

    def position(self, handle: Handle) -> int | None:
        with self._lock:
            queued = [h for h in self._handles if h.queued]
        return queued.index(handle) + 1 if handle in queued else None

    def wait_estimate(self, handle: Handle) -> float | None:
        pos = self.position(handle)
        if pos is None:
            return None
        with self._lock:
            etas = [h.eta() for h in self._handles if h.status == "running"]
        known = sorted(e for e in etas if e is not None)
        return known[min(pos - 1, len(known) - 1)] if known else None

    # -- following a task ----------------------------------------------------------------------
    def _follow_task(self, handle: Handle, ref: Any) -> None:
        ray = _ray()
        stop_at: float | None = None
        error: RunError | None = None
        ended = threading.Event()

        def watch() -> None:  # Stop, a gone owner, and the grace, while the task streams
            nonlocal stop_at
            while not ended.wait(0.1):
                gone = handle.alive is not None and not _safe(handle.alive)
                if (handle.stop_requested or gone) and stop_at is None:
                    handle.stop_requested = True
                    stop_at = time.monotonic()
                    try:
                        self._board.set.remote(handle.id)
                    except Exception:  # noqa: BLE001
                        pass
                if stop_at is not None and time.monotonic() - stop_at > self.stop_grace:
                    try:
                        ray.cancel(ref, force=True)
                    except Exception:  # noqa: BLE001
                        pass
                    return

        threading.Thread(target=watch, daemon=True).start()
        try:
            for msg_ref in ref:
                kind, name, payload = ray.get(msg_ref)
                if kind == "running":
                    handle._start(where=name)
                elif kind == "error":
                    error = RunError(*payload)
                else:
                    handle._take((kind, name, payload))
        except Exception as e:  # noqa: BLE001 - cancelled, or the cluster went away
            if stop_at is not None or handle.stop_requested:
                handle._close_stopped_lane()
            else:
                self._broken = True
                where = self.address or "the local Ray instance"
                error = RunError(
                    f"the Ray cluster at {where} stopped answering during training "
                    f"({type(e).__name__}); nothing else was lost: train again when the cluster is back",
                    unexpected=False,
                )
        finally:
            ended.set()
            with self._lock:
                if handle in self._handles:
                    self._handles.remove(handle)
                self._refs.pop(handle.id, None)
        if handle.queued and error is None:
            handle._end("cancelled")
        else:
            handle._end("failed" if error else "done", error)

    def _stop(self, handle: Handle) -> None:
        if handle.queued:
            ref = self._refs.get(handle.id)
            if ref is not None:
                try:
                    _ray().cancel(ref, force=True)
                except Exception:  # noqa: BLE001
                    pass

    def shutdown(self) -> None:
        with self._lock:
            handles = list(self._handles)
        for h in handles:
            h.stop()
        if self._instance:  # the Ray instance started here ends with it
            _end_instance(self._instance)
            self._instance = []


def _connect_and_note(address: str | None) -> tuple[Any, list[Any]]:
    """:func:`_connect_ray`, and the processes of the Ray instance it started here, if it started
    one (taken at once, while the instance is whole: its agents included)."""
    import psutil  # requirements-ray.txt

    started = not address and not _ray().is_initialized()
    before = {c.pid for c in psutil.Process().children()}
    ray = _connect_ray(address)
    if not started:
        return ray, []
    return ray, _tree([c for c in psutil.Process().children() if c.pid not in before])


@contextmanager
def connected(address: str | None) -> Iterator[Any]:
    """Connected to the cluster at ``address`` for the block; with no address, a Ray instance of
    its own that ends with the block, all of its processes with it."""
    ray, procs = _connect_and_note(address)
    try:
        yield ray
    finally:
        if procs:
            _end_instance(procs)


def _tree(roots: list[Any]) -> list[Any]:
    """``roots`` and all of their descendants that are still there."""
    import psutil

    procs = []
    for root in roots:
        try:
            procs += [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    return procs


def _end_instance(procs: list[Any], grace_s: float = 2.0) -> None:
    """Shut down the Ray instance this process started, and make sure that all of its processes end.

    On a busy 2-core machine the raylet of a command-line run was seen to end before its dashboard
    and runtime-env agents, which are then left waiting forever to report its end to a GCS that has
    gone too (about 90 MB each). ``procs`` were taken while the instance was whole; what is left
    ``grace_s`` after ``ray.shutdown()`` is killed."""
    import psutil

    procs = list({p.pid: p for p in [*procs, *_tree(procs)]}.values())  # with workers started since
    try:
        _ray().shutdown()
    except Exception:  # noqa: BLE001
        pass
    _, alive = psutil.wait_procs(procs, timeout=grace_s)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace_s)


class _Withdrawn(Exception):
    """Stopped before it reached the cluster."""


def _safe(fn: Callable[[], bool]) -> bool:
    try:
        return bool(fn())
    except Exception:  # noqa: BLE001
        return True
