"""The local backend: every job trains in a worker process of its own, a few at a time, the rest wait.

Why processes and not threads: a training thread shares the web server's interpreter lock, so the
server and the trainings slow each other down, Stop must wait for the current step, and the memory
a model took stays with the server. A worker process gets its own cores (torch threads sized to
its share), can be ended at once, and gives all its memory back when it exits.

Workers are forked from a fork server that has already imported torch and this package (Python's
``forkserver`` start method: a clean single-threaded process, not the web server), so a job starts
in a fraction of a second rather than the two or three seconds of a fresh interpreter. Where that
start method does not exist (macOS, Windows) workers are spawned.

A dispatcher thread in the calling process starts queued jobs when a slot frees, moves the
workers' messages onto their handles, passes Stop on (and ends a worker that has not stopped within
``stop_grace`` seconds, keeping the weights it sent when asked to stop), cancels the jobs of an
owner that is gone, and turns a worker that died into a clear failure.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import signal
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.execution import (
    Executor,
    Handle,
    Job,
    QueueFull,
    RunError,
    cores,
    describe_error,
    work,
)
from core.workers_nice import WORKER_NICE

POLL_S = 0.05  # the dispatcher's beat while anything runs
ALIVE_EVERY_S = 1.0  # how often an owner's presence is checked
TYPICAL_RUN_S = 30.0  # the guess for a job's length before any has finished here


# imported once in the fork server, so a worker starts with them loaded: unpickling a job imports
# its task's module, and some import heavy libraries (pandas, yfinance, scikit-learn)
PRELOAD = [
    "core.worker_warmup",  # first: lowers the priority, then the first optimiser's lazy imports
    "torch",
    "core.execution",
    "core.workers",
    "core.registry",
    "core.tasks.stock",
    "core.tasks.sentiment",
    "core.tasks.translation",
    "core.tasks.captioning",
    "core.tasks.long_memory",
    "core.tasks.word_order",
    "sklearn.linear_model",
    "sklearn.feature_extraction.text",
]


def _project_on_pythonpath() -> None:
    """Put this project on PYTHONPATH for the fork server. Python 3.11's fork server is handed the
    parent's ``sys.path`` but does not apply it, so it finds ``core`` only when the server was
    started from the project's folder; from anywhere else its preload (and the warm-up in it)
    was skipped without a word, and every job paid about 1.5 s of torch's lazy imports."""
    root = str(Path(__file__).resolve().parents[1])
    parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in parts:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *parts])


def _context() -> Any:
    if "forkserver" in mp.get_all_start_methods():
        _project_on_pythonpath()
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return mp.get_context("spawn")


def _worker_main(conn: Any, stop_event: Any, job: Job, threads: Any, target_nice: int) -> None:
    """The worker process: train the job, send every message, then ("end", "", None).

    ``threads`` is a shared number that the dispatcher keeps at this worker's share of the cores
    (all of them while it trains alone, fewer when others start); it is applied between steps."""
    import torch

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C on the server is the server's to handle
    try:  # forked workers inherit the fork server's priority; spawned ones lower their own
        now = os.getpriority(os.PRIO_PROCESS, 0)
        if now < target_nice:
            os.nice(target_nice - now)
    except (AttributeError, OSError):
        pass
    now_threads = max(1, int(threads.value))
    torch.set_num_threads(now_threads)

    def stopped() -> bool:  # called before every optimiser step
        nonlocal now_threads
        want = max(1, int(threads.value))
        if want != now_threads:
            torch.set_num_threads(want)
            now_threads = want
        return stop_event.is_set()

    try:
        for msg in work(job, stopped):
            conn.send(msg)
    except Exception as e:  # noqa: BLE001 - every failure goes back to the page as a message
        message, unexpected, detail = describe_error(e)
        try:
            conn.send(("error", "", (message, unexpected, detail)))
        except Exception:  # noqa: BLE001 - e.g. the error itself cannot be pickled
            conn.send(("error", "", (message, unexpected, None)))
    conn.send(("end", "", None))
    conn.close()


@dataclass
class _Worker:
    handle: Handle
    process: Any
    conn: Any
    stop_event: Any
    threads: Any  # shared number: the worker's torch threads
    stop_sent_at: float | None = None
    ended: bool = False  # the worker said "end"


class LocalExecutor(Executor):
    """Jobs in worker processes: ``slots`` at once, up to ``max_queue`` waiting in line."""

    name = "local"

    def __init__(
        self,
        slots: int | None = None,
        threads: int | None = None,
        *,
        max_queue: int = 100,
        stop_grace: float = 2.0,
        nice: int = WORKER_NICE,
    ) -> None:
        self.slots = max(1, int(slots or cores()))
        self.default_slots = self.slots  # what it was made with (hosted mode may lower slots)
        self._threads = threads
        self.max_queue = max(0, int(max_queue))
        self.stop_grace = stop_grace
        self.nice = nice
        self._ctx = _context()
        self._lock = threading.RLock()
        self._pending: deque[Handle] = deque()
        self._running: dict[int, _Worker] = {}
        self._durations: deque[float] = deque(maxlen=20)
        self._reaping: list[tuple[Any, float]] = []  # ended workers' processes, until they exit
        self._wake = threading.Event()
        self._closed = False
        self._last_alive = 0.0
        self._thread = threading.Thread(target=self._loop, name="sequence-lab-dispatcher", daemon=True)
        self._thread.start()
        atexit.register(self.shutdown)

    @property
    def threads(self) -> int:
        """Torch threads per worker when every slot is busy."""
        return self.threads_for(self.slots)

    def threads_for(self, running: int, all_cores: bool = False) -> int:
        """Torch threads for each of ``running`` workers: the cores but one, shared among the
        workers that train (at least one each); a fixed SEQUENCE_LAB_WORKER_THREADS is kept.

        One core stays with the web server (it draws every session's live charts) and, on a
        small machine, whatever else runs there: in Chromium on the 2-core machine a run alone
        reached its results 15-25 % sooner with 1 torch thread than with 2, although without a
        browser 2 threads train 1.3x faster (bench/workers.py, bench/ui_timing.py). A job marked
        ``all_cores`` (bound by arithmetic, see core.budget.all_cores) gets every core while it
        trains alone: captioning reached its results in 18.0 s instead of 21.0 s that way."""
        if self._threads:
            return self._threads
        if all_cores and running <= 1:
            return cores()
        return max(1, (cores() - 1) // max(1, min(running, self.slots)))

    def warm(self) -> None:
        """Start the fork server now (it imports torch) so that the first job starts fast."""
        if self._ctx.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            threading.Thread(target=forkserver.ensure_running, name="forkserver-warm", daemon=True).start()

    # -- submitting --------------------------------------------------------------------------
    def submit(self, job: Job, *, alive: Callable[[], bool] | None = None) -> Handle:
        handle = Handle(job=job, executor=self, alive=alive)
        with self._lock:
            if self._closed:
                raise RuntimeError("this executor has been shut down")
            if len(self._pending) >= self.max_queue and len(self._running) >= self.slots:
                raise QueueFull(f"{len(self._pending)} trainings are already waiting")
            self._pending.append(handle)
        self._wake.set()
        return handle

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {"running": len(self._running), "queued": len(self._pending), "slots": self.slots}

    def position(self, handle: Handle) -> int | None:
        with self._lock:
            for i, h in enumerate(self._pending):
                if h is handle:
                    return i + 1
        return None

    def typical_seconds(self) -> float:
        with self._lock:
            return statistics.median(self._durations) if self._durations else TYPICAL_RUN_S

    def wait_estimate(self, handle: Handle) -> float | None:
        """Seconds until ``handle`` starts: the running jobs' own ETAs, then a typical job per place."""
        pos = self.position(handle)
        if pos is None:
            return None
        typical = self.typical_seconds()
        with self._lock:
            free_at = []
            for w in self._running.values():
                eta = w.handle.eta()
                free_at.append(eta if eta is not None else typical)
        free_at += [0.0] * (self.slots - len(free_at))
        free_at.sort()
        # each job ahead takes the slot that frees first and holds it for a typical run
        for _ in range(pos - 1):
            free_at[0] += typical
            free_at.sort()
        return max(0.0, free_at[0])

    # -- the handle's hooks ----------------------------------------------------------------------
    def _stop(self, handle: Handle) -> None:
        with self._lock:
            if handle in self._pending:
                self._pending.remove(handle)
                handle._end("cancelled")
                return
        self._wake.set()

    # -- the dispatcher ------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._closed:
            try:
                self._tick()
            except Exception:  # noqa: BLE001 - the dispatcher must outlive any one job
                import traceback

                traceback.print_exc()
            with self._lock:
                busy = bool(self._running or self._pending or self._reaping)
            self._wake.wait(POLL_S if busy else 1.0)
            self._wake.clear()

    def _tick(self) -> None:
        now = time.monotonic()
        check_alive = now - self._last_alive >= ALIVE_EVERY_S
        if check_alive:
            self._last_alive = now
        with self._lock:
            workers = list(self._running.values())
            pending = list(self._pending)
        for h in pending:
            if check_alive and _gone(h):
                h.stop()
        for w in workers:
            self._pump(w, now, check_alive)
        self._reap()
        self._start_pending()

    def _start_pending(self) -> None:
        while True:
            with self._lock:
                if self._closed or len(self._running) >= self.slots or not self._pending:
                    return
                handle = self._pending.popleft()
            self._launch(handle)

    def _launch(self, handle: Handle) -> None:
        parent, child = self._ctx.Pipe(duplex=False)
        stop_event = self._ctx.Event()
        with self._lock:
            share = self.threads_for(len(self._running) + 1, handle.job.all_cores)
        threads = self._ctx.Value("i", share, lock=False)
        proc = self._ctx.Process(
            target=_worker_main,
            args=(child, stop_event, handle.job, threads, _own_nice() + self.nice),
            name=f"sequence-lab-worker-{handle.id}",
            daemon=True,
        )
        handle._start()
        try:
            proc.start()
        except Exception as e:  # noqa: BLE001 - e.g. the job cannot be pickled, no memory for a process
            parent.close()
            child.close()
            handle._end("failed", RunError(*describe_error(e)))
            return
        child.close()  # the worker holds the other end; EOF here means it has gone
        with self._lock:
            self._running[handle.id] = _Worker(handle, proc, parent, stop_event, threads)
        self._share_cores()

    def _share_cores(self) -> None:
        """Give every running worker its share of the cores (applied by each between steps)."""
        with self._lock:
            workers = list(self._running.values())
        for w in workers:
            share = self.threads_for(len(workers), w.handle.job.all_cores)
            if w.threads.value != share:
                w.threads.value = share

    def _pump(self, w: _Worker, now: float, check_alive: bool) -> None:
        h = w.handle
        try:
            while w.conn.poll():
                kind, name, payload = w.conn.recv()
                if kind == "end":
                    w.ended = True
                    break
                if kind == "error":
                    message, unexpected, detail = payload
                    h.error = RunError(message, unexpected, detail)
                    continue
                h._take((kind, name, payload))
        except (EOFError, OSError):
            pass  # the worker is gone; decided below
        if w.ended:
            self._finish(w, "failed" if h.error else "done", h.error)
            return
        if check_alive and not h.stop_requested and _gone(h):
            h.stop_requested = True
        if h.stop_requested and w.stop_sent_at is None:
            w.stop_event.set()
            w.stop_sent_at = now
        if w.stop_sent_at is not None and now - w.stop_sent_at > self.stop_grace:
            self._end_stopped(w)
            return
        if not w.process.is_alive():
            w.process.join(0.1)
            code = w.process.exitcode
            self._finish(
                w,
                "failed",
                RunError(
                    f"the training process ended unexpectedly (exit code {code}"
                    + (", killed: perhaps out of memory" if code == -signal.SIGKILL else "")
                    + "); the server is fine: press Train to try again, or make the model smaller",
                    unexpected=False,  # not a bug to report: the message says what happened
                ),
            )

    def _end_stopped(self, w: _Worker) -> None:
        """Stop did not end the worker within the grace: end it, keep what it sent."""
        w.process.kill()
        w.process.join(5)
        h = w.handle
        try:
            while w.conn.poll():
                kind, name, payload = w.conn.recv()
                if kind in ("event", "weights", "model"):
                    h._take((kind, name, payload))
        except (EOFError, OSError):
            pass
        h._close_stopped_lane()
        self._finish(w, "done")

    def _finish(self, w: _Worker, status: str, error: RunError | None = None) -> None:
        with self._lock:
            self._running.pop(w.handle.id, None)
        self._share_cores()
        if status == "done" and not w.handle.stop_requested and w.handle.started_at:
            with self._lock:
                self._durations.append(time.time() - w.handle.started_at)
        w.handle._end(status, error)  # the page sees the result now; the process is reaped later
        with self._lock:
            idle = not self._running and not self._pending
        if idle:
            _give_back_memory()
        try:
            w.conn.close()
        except OSError:
            pass
        with self._lock:
            self._reaping.append((w.process, time.monotonic() + 5.0))
        self._wake.set()

    def _reap(self) -> None:
        """Join the workers that have ended; end one that has not exited 5 s after its job ended."""
        with self._lock:
            reaping, self._reaping = self._reaping, []
        keep = []
        for proc, deadline in reaping:
            if not proc.is_alive():
                proc.join(0)
            elif time.monotonic() > deadline:
                proc.kill()
                proc.join(1)
            else:
                keep.append((proc, deadline))
        with self._lock:
            self._reaping.extend(keep)

    def shutdown(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pending = list(self._pending)
            self._pending.clear()
            workers = list(self._running.values())
        for h in pending:
            h._end("cancelled")
        for w in workers:
            w.stop_event.set()
        deadline = time.monotonic() + 2.0
        for w in workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join(2)
            w.handle._end("cancelled")
        self._wake.set()

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (for tests and the load test)."""
        with self._lock:
            return [w.process.pid for w in self._running.values() if w.process.pid]


def _give_back_memory() -> None:
    """Hand the heap that this process has freed back to the system (glibc keeps it otherwise):
    the server's resident memory falls back once the results of the runs have been taken in."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _own_nice() -> int:
    try:
        return os.getpriority(os.PRIO_PROCESS, 0)
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return 0


def _gone(h: Handle) -> bool:
    try:
        return h.alive is not None and not h.alive()
    except Exception:  # noqa: BLE001 - a broken check must not stop the dispatcher
        return False
