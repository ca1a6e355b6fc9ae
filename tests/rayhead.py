"""A Ray head on 127.0.0.1 for the tests and the load test: started in the foreground
(``ray start --head --block``), so that ending the process it started ends the cluster."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# a head on loopback only, without the token handshake of a shared cluster
LOCAL_ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_AUTH_MODE": "disabled",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Head:
    """A Ray head on 127.0.0.1 started by this test, in the foreground (--block) so that ending its
    process ends the cluster."""

    def __init__(self, tmp: Path, num_cpus: int = 2, *, nodes_may_join: bool = False) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.proc, self.log = _ray_start(tmp, f"head-{self.port}", ["--head", "--port", str(self.port),
                                         "--num-cpus", str(num_cpus), "--include-dashboard", "false"],
                                         nodes_may_join)  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the Ray head did not start: see {self.log.name}")

    def stop(self) -> None:
        _end(self.proc, self.log)


class Node:
    """A second Ray node on this machine that joins ``head`` with CPUs of its own (a raylet and
    object store of its own, as another machine would add), stopped by the process id started."""

    def __init__(self, tmp: Path, head: Head, num_cpus: int = 1) -> None:
        self.proc, self.log = _ray_start(tmp, f"node-{head.port}-{free_port()}",
                                         ["--address", head.address, "--num-cpus", str(num_cpus)], True)  # fmt: skip

    def stop(self) -> None:
        _end(self.proc, self.log)


def _ray_start(
    tmp: Path, name: str, args: list[str], multi_node: bool = False
) -> tuple[subprocess.Popen, Any]:
    # Ray's switch for clusters of more than one node; every node is still pinned to 127.0.0.1
    env = {**os.environ, **LOCAL_ENV, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1" if multi_node else "0"}
    exe = shutil.which("ray") or str(Path(sys.executable).with_name("ray"))
    log = open(tmp / f"ray-{name}.log", "w")  # noqa: SIM115 - closed in _end()
    proc = subprocess.Popen(
        [exe, "start", "--block", *args, "--node-ip-address", "127.0.0.1", "--disable-usage-stats"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
    )  # fmt: skip
    return proc, log


def _end(proc: subprocess.Popen, log: Any) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the node and the daemons it started
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    log.close()
