"""The run abstraction (core.execution) and its local backend (core.workers): real worker processes.

Every test trains tiny real models; none replaces the training with a stand-in.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
import torch

from core.config import ConfigError
from core.events import Finished, Measured, Started, Step
from core.execution import Handle, InlineExecutor, Job, backend_from_env, work
from core.runspec import plan
from core.workers import WORKER_NICE, LocalExecutor

TINY = {"epochs": 2, "n_train": 256, "hidden_size": 8}


def tiny(arch: str = "lstm", **extra) -> Job:
    return Job.single(plan("word-order", arch, {**TINY, **extra}))


def endless(**extra) -> Job:
    """A long-memory RNN with many epochs: runs until it is stopped (or 2 minutes pass)."""
    return Job.single(plan("long-memory", "rnn", {"epochs": 500, "hidden_size": 8, **extra}))


def until(cond, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def first_step(h: Handle) -> bool:
    return until(lambda: any(isinstance(ev, Step) for _, ev in h.events))


@pytest.fixture
def local():
    ex = LocalExecutor(slots=2, threads=1, stop_grace=2.0)
    yield ex
    ex.shutdown()


def test_a_worker_trains_exactly_what_inline_trains(local):
    job = tiny()
    inline = InlineExecutor().submit(job)
    assert inline.wait(60) and inline.status == "done"
    h = local.submit(job)
    assert h.wait(60) and h.status == "done", h.error
    a, b = inline.finished("model"), h.finished("model")
    assert a.reason == b.reason == "done"
    assert a.test == b.test and a.step == b.step
    losses_a = [ev.loss for ev in inline.lane_events("model") if isinstance(ev, Step)]
    losses_b = [ev.loss for ev in h.lane_events("model") if isinstance(ev, Step)]
    assert losses_a == losses_b  # same seed, same batches, same float arithmetic
    for (k, va), (k2, vb) in zip(
        inline.model("model").state_dict().items(), h.model("model").state_dict().items()
    ):
        assert k == k2 and torch.equal(va, vb)
    assert h.model("model") is h.model("model")  # built once from the weights


def test_the_stream_is_live_and_follow_ends_with_the_job(local):
    h = local.submit(tiny(epochs=6))
    seen = list(h.follow(timeout=60))
    assert h.done
    kinds = [ev.type for _, ev in seen]
    assert kinds[0] == "started" and kinds[-1] == "finished" and "epoch" in kinds
    assert seen == h.poll()
    assert h.poll(len(seen)) == []


def test_a_full_slot_queues_with_a_place_in_line_and_starts_by_itself():
    ex = LocalExecutor(slots=1, threads=1)
    try:
        first = ex.submit(endless())
        second = ex.submit(tiny())
        third = ex.submit(tiny("gru"))
        assert first_step(first)
        assert second.queued and second.position() == 1 and third.position() == 2
        est2, est3 = second.wait_estimate(), third.wait_estimate()
        assert est2 is not None and est3 is not None and est3 > est2 >= 0
        assert ex.counts() == {"running": 1, "queued": 2, "slots": 1}
        third.stop()  # leaving the line cancels, nothing runs
        assert third.status == "cancelled" and third.done
        first.stop()
        assert second.wait(60) and second.status == "done"
        assert first.finished("model").reason == "stopped"
        assert second.finished("model").reason == "done" and second.position() is None
        assert third.events == []
    finally:
        ex.shutdown()


def test_stop_keeps_the_weights_trained_so_far(local):
    h = local.submit(endless())
    assert first_step(h)
    t0 = time.monotonic()
    h.stop()
    assert h.wait(10)
    assert time.monotonic() - t0 < 2.5
    fin = h.finished("model")
    assert fin.reason == "stopped" and fin.step > 0
    assert h.model("model") is not None


def test_stop_ends_a_worker_that_does_not_answer_within_the_grace():
    """A step far longer than the grace (a big model): Stop still takes effect in time."""
    ex = LocalExecutor(slots=1, threads=1, stop_grace=0.3)
    try:
        big = {"epochs": 1, "n_train": 4000, "batch_size": 4000, "hidden_size": 512, "lag": 200}
        h = ex.submit(Job.single(plan("long-memory", "lstm", big)))
        assert until(lambda: any(isinstance(ev, Started) for _, ev in h.events))
        t0 = time.monotonic()
        h.stop()
        assert h.wait(10)
        assert time.monotonic() - t0 < 2.0
        fin = h.finished("model")
        assert fin is not None and fin.reason == "stopped"
        assert ex.counts()["running"] == 0 and ex.worker_pids() == []
    finally:
        ex.shutdown()


def test_a_killed_worker_is_a_clear_failure_and_the_next_run_works(local):
    h = local.submit(endless())
    assert first_step(h)
    (pid,) = local.worker_pids()
    os.kill(pid, signal.SIGKILL)
    assert h.wait(10) and h.status == "failed"
    assert "ended unexpectedly" in h.error.message and "killed" in h.error.message
    again = local.submit(tiny())
    assert again.wait(60) and again.status == "done"


def test_a_user_error_in_the_worker_comes_back_as_its_message(local):
    h = local.submit(tiny(max_params=10))  # train() refuses the model
    assert h.wait(60) and h.status == "failed"
    assert "more than the limit of 10" in h.error.message and not h.error.unexpected


def test_an_owner_that_is_gone_cancels_its_runs():
    ex = LocalExecutor(slots=1, threads=1)
    here = {"alive": True}
    try:
        running = ex.submit(endless(), alive=lambda: here["alive"])
        waiting = ex.submit(tiny(), alive=lambda: here["alive"])
        assert first_step(running) and waiting.queued
        here["alive"] = False
        assert running.wait(10) and waiting.wait(10)
        assert running.finished("model").reason == "stopped" and waiting.status == "cancelled"
    finally:
        ex.shutdown()


def test_running_workers_share_the_cores_but_one(monkeypatch):
    import core.workers

    monkeypatch.setattr(core.workers, "cores", lambda: 8)  # as on an 8-core machine
    ex = LocalExecutor(slots=2)
    try:
        assert [ex.threads_for(n) for n in (1, 2, 3)] == [7, 3, 3]  # 3 running: still 2 slots
        first = ex.submit(endless())
        assert first_step(first)
        (w1,) = ex._running.values()
        assert w1.threads.value == 7
        second = ex.submit(endless())
        assert first_step(second)
        assert [w.threads.value for w in ex._running.values()] == [3, 3]
        second.stop()
        assert second.wait(10)
        assert until(lambda: w1.threads.value == 7, 5)  # alone again
        first.stop()
        assert first.wait(10) and first.finished("model").reason == "stopped"
    finally:
        ex.shutdown()
    fixed = LocalExecutor(slots=2, threads=2)
    try:
        assert fixed.threads_for(1) == fixed.threads_for(2) == 2
    finally:
        fixed.shutdown()


def test_a_job_bound_by_arithmetic_gets_every_core_while_it_trains_alone(monkeypatch):
    """Job.all_cores: every core while alone (not the cores but one), its share once another job
    trains beside it, every core again when that one has ended."""
    import core.workers

    monkeypatch.setattr(core.workers, "cores", lambda: 8)
    ex = LocalExecutor(slots=2)
    try:
        assert [ex.threads_for(n, all_cores=True) for n in (1, 2)] == [8, 3]
        heavy = endless()
        heavy.all_cores = True
        first = ex.submit(heavy)
        assert first_step(first)
        (w1,) = ex._running.values()
        assert w1.threads.value == 8
        second = ex.submit(endless())  # an ordinary job beside it: both get their share
        assert first_step(second)
        assert sorted(w.threads.value for w in ex._running.values()) == [3, 3]
        second.stop()
        assert second.wait(10)
        assert until(lambda: w1.threads.value == 8, 5)
        first.stop()
        assert first.wait(10)
    finally:
        ex.shutdown()
    fixed = LocalExecutor(slots=2, threads=2)  # SEQUENCE_LAB_WORKER_THREADS wins
    try:
        assert fixed.threads_for(1, all_cores=True) == 2
    finally:
        fixed.shutdown()


def test_workers_run_below_the_servers_priority_with_their_share_of_threads(local):
    if os.getpriority(os.PRIO_PROCESS, 0) >= WORKER_NICE:
        pytest.skip("the tests already run at a priority as low as a worker's")
    assert local.threads == 1
    h = local.submit(endless())
    assert first_step(h)
    (pid,) = local.worker_pids()
    assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICE
    h.stop()
    assert h.wait(10)


def test_a_race_trains_its_lanes_in_order_with_measurements_in_the_worker(local):
    from core.race import race_specs

    lanes = race_specs(
        "long-memory", ["rnn", "gru"], {"epochs": 1, "n_train": 128, "lag": 5, "hidden_size": 8}
    )
    h = local.submit(Job(lanes, measure="memory"))
    assert h.wait(120) and h.status == "done", h.error
    names = [n for n, ev in h.events if isinstance(ev, Started)]
    assert names == ["rnn", "gru"]
    measured = {(ev.lane, ev.stage): ev.values for _, ev in h.events if isinstance(ev, Measured)}
    assert set(measured) == {("rnn", "before"), ("rnn", "after"), ("gru", "before"), ("gru", "after")}
    assert len(measured["gru", "before"]["grad"]) == 7  # key + 5 distractors + query
    assert set(measured["gru", "after"]["by_lag"]) == {1, 2, 5, 10, 20, 50, 100, 200}
    assert all(h.model(n) is not None for n in ("rnn", "gru"))


def test_work_stops_before_the_first_lane_with_a_clear_finish():
    msgs = list(work(tiny(), lambda: True))
    assert len(msgs) == 1
    kind, name, ev = msgs[0]
    assert kind == "event" and isinstance(ev, Finished) and ev.reason == "stopped" and ev.step == 0


def test_jobs_refuse_empty_and_duplicate_lanes():
    spec = plan("word-order", "lstm", TINY)
    with pytest.raises(ConfigError):
        Job([])
    with pytest.raises(ConfigError, match="different names"):
        Job([("a", spec), ("a", spec)])


def test_the_backend_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("SEQUENCE_LAB_EXECUTOR", raising=False)
    monkeypatch.delenv("SEQUENCE_LAB_RAY_ADDRESS", raising=False)
    assert backend_from_env() == "local"
    monkeypatch.setenv("SEQUENCE_LAB_RAY_ADDRESS", "127.0.0.1:6379")
    assert backend_from_env() == "ray"
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    assert backend_from_env() == "inline"
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "threads")
    with pytest.raises(ConfigError, match="inline, local, ray"):
        backend_from_env()


def test_the_fork_server_preloads_and_warms_up_from_any_working_directory(tmp_path):
    """A server started outside the project's folder: the workers are still forked from a fork
    server that has imported the tasks and made its first optimisers (Python 3.11's fork server
    does not apply the parent's sys.path; without the project on PYTHONPATH it skipped them)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = tmp_path / "elsewhere.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "def child(q):\n"
        "    import sys\n"
        "    q.put(sorted(m for m in ('core.worker_warmup', 'core.tasks.sentiment', 'torch._dynamo')"
        " if m in sys.modules))\n"
        "if __name__ == '__main__':\n"
        "    from core.workers import _context\n"
        "    ctx = _context()\n"
        "    q = ctx.Queue()\n"
        "    p = ctx.Process(target=child, args=(q,))\n"
        "    p.start()\n"
        "    print(q.get(timeout=120))\n"
        "    p.join()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "['core.tasks.sentiment', 'core.worker_warmup', 'torch._dynamo']", out.stdout
