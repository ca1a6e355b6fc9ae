"""The Ray backend on a real local Ray cluster that the test starts (``ray start --head --block`` on
127.0.0.1, 2 CPUs, no dashboard) and stops by the process id it started."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

# the test cluster lives on loopback only, without the token handshake of a shared cluster
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
ray = pytest.importorskip("ray")

from rayhead import Head  # noqa: E402

from core.events import Step  # noqa: E402
from core.execution import Job  # noqa: E402
from core.ray_backend import RayExecutor  # noqa: E402
from core.runspec import plan  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def head(tmp_path_factory):
    h = Head(tmp_path_factory.mktemp("ray"))
    yield h
    h.stop()


@pytest.fixture(scope="module")
def executor(head):
    ex = RayExecutor(address=head.address)
    yield ex
    ex.shutdown()
    ray.shutdown()


def tiny() -> Job:
    return Job.single(plan("word-order", "lstm", {"epochs": 2, "n_train": 256, "hidden_size": 8}))


def test_a_job_trains_on_the_cluster_like_it_does_inline(executor):
    from core.execution import InlineExecutor

    job = tiny()
    h = executor.submit(job)
    assert h.wait(180) and h.status == "done", h.error
    here = InlineExecutor().submit(job)
    here.wait()
    assert h.finished("model").test == here.finished("model").test
    assert [e.loss for e in h.lane_events("model") if isinstance(e, Step)] == [
        e.loss for e in here.lane_events("model") if isinstance(e, Step)
    ]
    assert h.model("model") is not None
    assert executor.cluster_cpus() == 2


def test_the_cluster_decides_how_many_run_and_stop_keeps_the_weights(executor):
    long = {"epochs": 500, "hidden_size": 8}
    jobs = [executor.submit(Job.single(plan("long-memory", "rnn", long))) for _ in range(3)]
    try:
        # both running jobs past their setup (a step taken), so that Stop is seen at the next step
        def stepping(j) -> bool:
            return j.status == "running" and any(isinstance(e, Step) for e in j.lane_events("model"))

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sum(stepping(j) for j in jobs) < 2:
            time.sleep(0.1)
        # and it stays at two while they train and look for Stop: a task that asks in a way that
        # lends its CPU to the next pending one (ray.wait, ray.get) would let the third one start
        at_once = []
        for _ in range(30):
            at_once.append(sum(j.status == "running" for j in jobs))
            time.sleep(0.1)
        assert max(at_once) == 2, at_once
        running = [j for j in jobs if j.status == "running"]
        waiting = [j for j in jobs if j.queued]
        assert len(running) == 2 and len(waiting) == 1  # 2 CPUs, one CPU per job
        assert waiting[0].position() == 1
        t0 = time.monotonic()
        running[0].stop()
        assert running[0].wait(10) and time.monotonic() - t0 < 2.5
        assert running[0].finished("model").reason == "stopped" and running[0].model("model") is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and waiting[0].queued:
            time.sleep(0.1)
        assert waiting[0].status == "running"  # started by itself when a CPU freed
    finally:
        for j in jobs:
            j.stop()
        for j in jobs:
            j.wait(30)
    assert all(j.done for j in jobs)


def test_the_command_line_trains_on_the_cluster(head, tmp_path):
    out = tmp_path / "run"
    r = subprocess.run(
        [sys.executable, "-m", "core", "train", "--task", "word-order", "--arch", "gru", "--epochs", "1",
         "--set", "n_train=256", "--set", "hidden_size=8", "--address", head.address, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    assert (out / "model.safetensors").is_file() and (out / "metrics.json").is_file()
    assert "word-order/gru: test accuracy" in r.stdout


def test_a_sweep_on_ray_tune_writes_sweep_json_and_a_run_per_trial(head, tmp_path):
    import json

    out = tmp_path / "sweep"
    r = subprocess.run(
        [sys.executable, "-m", "core", "sweep", "--task", "word-order", "--arch", "gru",
         "--set", "epochs=2", "--set", "n_train=256", "--set", "hidden_size=8",
         "--grid", "train.lr=0.0001,0.01", "--address", head.address, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((out / "sweep.json").read_text())
    assert res["grid"] == {"train.lr": [0.0001, 0.01]}
    assert [t["settings"] for t in res["trials"]] in (
        [{"train.lr": 0.0001}, {"train.lr": 0.01}],
        [{"train.lr": 0.01}, {"train.lr": 0.0001}],
    )
    for t in res["trials"]:
        assert t["status"] == "done" and 0.0 <= t["metrics"]["accuracy"] <= 1.0
        run = Path(t["run_dir"])
        assert (run / "model.safetensors").is_file() and (run / "metrics.json").is_file()
        saved = json.loads((run / "config.json").read_text())
        assert saved["train"]["lr"] == t["settings"]["train.lr"]  # the trial trained what it says
    best = res["best"]
    assert best["metrics"]["accuracy"] == max(t["metrics"]["accuracy"] for t in res["trials"])
    assert "best: lr=" in r.stdout


def test_a_cluster_that_goes_away_mid_run_is_a_clear_message(tmp_path):
    """The command line trains on a head of its own; the head is stopped while the job trains."""
    lost = Head(tmp_path)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "core", "train", "--task", "long-memory", "--arch", "rnn",
             "--epochs", "300", "--address", lost.address, "--out", str(tmp_path / "run")],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(15)  # connected, and the job trains (300 epochs take minutes)
        assert proc.poll() is None
    finally:
        lost.stop()
    try:
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2
    assert f"the Ray cluster at {lost.address} stopped answering" in err
    assert "Traceback" not in err
    assert not (tmp_path / "run").exists()  # nothing half-written


def test_without_an_address_a_local_instance_of_its_own_even_after_a_stopped_ray_start(tmp_path):
    """`ray start` writes the cluster it started to ray_current_cluster and a stopped head leaves it
    there; a run with no address still starts a Ray instance of its own rather than waiting on it."""
    import tempfile

    from rayhead import LOCAL_ENV, free_port

    ray_tmp = Path(tempfile.mkdtemp(prefix="rl", dir="/tmp"))  # short: Ray's socket paths go under it
    proc = None
    try:
        (ray_tmp / "ray").mkdir()
        (ray_tmp / "ray" / "ray_current_cluster").write_text(f"127.0.0.1:{free_port()}")  # nobody there
        out = tmp_path / "run"
        env = {**os.environ, **LOCAL_ENV, "RAY_TMPDIR": str(ray_tmp)}
        env.pop("SEQUENCE_LAB_RAY_ADDRESS", None)
        env.pop("RAY_ADDRESS", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "core", "train", "--task", "word-order", "--arch", "gru", "--epochs", "1",
             "--set", "n_train=256", "--set", "hidden_size=8", "--executor", "ray", "--out", str(out)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            start_new_session=True,  # every process it starts stays in this session unless it leaves
        )  # fmt: skip
        stdout, stderr = proc.communicate(timeout=240)
        assert proc.returncode == 0, stderr[-2000:]
        assert "word-order/gru: test accuracy" in stdout and (out / "model.safetensors").is_file()
        # and the instance ended with the run: none of its processes (raylet, GCS, agents) is left
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _in_session(proc.pid):
            time.sleep(0.5)
        assert not _in_session(proc.pid), _in_session(proc.pid)
    finally:
        if proc is not None:
            for left in _in_session(proc.pid):  # a failed run leaves nothing behind either
                os.kill(int(left.split()[0]), 9)
        shutil.rmtree(ray_tmp, ignore_errors=True)


def _in_session(sid: int) -> list[str]:
    """The processes left in session ``sid`` (Ray renames its own, e.g. ray::DashboardAgent)."""
    import psutil

    found = []
    for p in psutil.process_iter(["name", "status"]):
        try:
            if os.getsid(p.pid) == sid and p.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(f"{p.pid} {p.info['name']}")
        except (ProcessLookupError, PermissionError):
            pass
    return found
