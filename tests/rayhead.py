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

    def __init__(self, tmp: Path) -> None:
        exe = shutil.which("ray") or str(Path(sys.executable).with_name("ray"))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.log = open(tmp / f"ray-head-{self.port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [exe, "start", "--head", "--block", "--port", str(self.port), "--num-cpus", "2",
             "--include-dashboard", "false", "--node-ip-address", "127.0.0.1", "--disable-usage-stats"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, **LOCAL_ENV},
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
        raise RuntimeError(f"the Ray head did not start: see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the head and the daemons it started
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()
