"""The Ray backend on a real local Ray cluster that the test starts (``ray start --head --block`` on
127.0.0.1, 2 CPUs, no dashboard) and stops by the process id it started."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# the test cluster lives on loopback only, without the token handshake of a shared cluster
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
ray = pytest.importorskip("ray")

from core.events import Step  # noqa: E402
from core.execution import Job  # noqa: E402
from core.ray_backend import RayExecutor  # noqa: E402
from core.runs import plan  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Head:
    """A Ray head on 127.0.0.1 started by this test, in the foreground (--block) so that ending its
    process ends the cluster."""

    def __init__(self, tmp: Path) -> None:
        exe = shutil.which("ray") or str(Path(sys.executable).with_name("ray"))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.log = open(tmp / f"ray-head-{self.port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [exe, "start", "--head", "--block", "--port", str(self.port), "--num-cpus", "2",
             "--include-dashboard", "false", "--node-ip-address", "127.0.0.1", "--disable-usage-stats"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"},
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        pytest.fail(f"the Ray head did not start: see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the head and the daemons it started
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


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
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sum(j.status == "running" for j in jobs) < 2:
            time.sleep(0.1)
        time.sleep(2.0)  # each running job takes a step or more
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
