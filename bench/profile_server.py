"""Where the web server spends its CPU while one task page trains: py-spy on the server process.

    python bench/profile_server.py                       # captioning, its defaults
    python bench/profile_server.py --page long_memory --top 40 --raw out.txt

Localhost only and bounded. It starts ``streamlit run`` on a free 127.0.0.1 port (offline data),
opens the page in Chromium (Debian's) with its defaults, starts ``py-spy record`` on the server's
process, presses Train and waits for the result tabs; then it stops py-spy and prints, for each
function, the share of the server's busy samples spent in it or below it (py-spy leaves idle
threads out), with the server's and Chromium's CPU seconds over the run. Training happens in worker
processes, so what shows here is the server's own work: script reruns, the live chart's redraws,
Streamlit's bookkeeping. This is how the garbage collection after every script run was found
(README, "The browser against the command line").

py-spy comes with requirements-dev.txt; reading another process may need root or
``kernel.yama.ptrace_scope = 0``.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_test import E2E  # noqa: E402 - the browser test helpers, loaded once there


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def total_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds of these processes so far; those that have ended count no more."""
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


def chromium_pids() -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if "chromium" in (d / "comm").read_text():
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


PLUMBING = ("threading.py", "script_runner.py", "exec_code.py")  # frames above every script run


def inclusive(raw: str) -> tuple[int, collections.Counter[str]]:
    """py-spy's raw (collapsed) stacks -> total samples, samples per function (counted once per
    stack, wherever in it the function appears; the threads' and script runner's own frames, which
    sit above everything, are left out)."""
    total = 0
    per: collections.Counter[str] = collections.Counter()
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        total += int(n)
        seen = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            file = where.split(":")[0].rsplit("/", 1)[-1]
            key = f"{name} ({file})" if where else name
            if file not in PLUMBING and key not in seen:
                seen.add(key)
                per[key] += int(n)
    return total, per


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", default="captioning", help="task page, e.g. captioning, long_memory")
    ap.add_argument("--top", type=int, default=30, help="functions to list")
    ap.add_argument("--rate", type=int, default=50, help="py-spy samples per second")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds for the run at most")
    ap.add_argument("--raw", type=Path, help="also keep py-spy's raw stacks here")
    args = ap.parse_args(argv)
    if shutil.which("py-spy") is None:
        print("py-spy is not installed: pip install -r requirements-dev.txt", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    prefix = args.page
    server = E2E.Server(E2E.OFFLINE, name="profile").start()
    spy = None
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
            browser = p.chromium.launch(executable_path=E2E.CHROMIUM, args=E2E.CHROMIUM_ARGS)
            page = browser.new_context(viewport=E2E.VIEWPORT).new_page()
            E2E.open_page(page, server, prefix)
            enabled = "(sel) => { const b = document.querySelector(sel); return !!b && !b.disabled; }"
            train = f".st-key-{prefix}-_train button"
            page.wait_for_function(enabled, arg=train, timeout=120_000)
            E2E.wait_idle(page)
            out = Path(tmp) / "stacks.txt"
            cmd = [
                "py-spy",
                "record",
                "--gil",  # only the thread holding the interpreter lock: work, not waits or sleeps
                "-p",
                str(server.pid),
                "-o",
                str(out),
                "-f",
                "raw",
                "-r",
                str(args.rate),
            ]
            spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            time.sleep(1.0)  # py-spy attaches
            if spy.poll() is not None:
                print(f"py-spy could not attach: {spy.stderr.read().strip()}", file=sys.stderr)
                return 2
            browsers = chromium_pids()
            server_cpu0 = cpu_seconds(server.pid)
            chrome_cpu0 = total_cpu_seconds(browsers)
            t0 = time.monotonic()
            E2E.by_key(page, f"{prefix}._train").locator("button").click()
            deadline = t0 + args.timeout
            while time.monotonic() < deadline:
                done = page.evaluate(enabled, train) and page.locator("[data-testid='stTab']").count()
                if done or E2E.alerts(page, "Error"):
                    break
                page.wait_for_timeout(200)
            took = time.monotonic() - t0
            server_cpu = cpu_seconds(server.pid) - server_cpu0
            chrome_cpu = total_cpu_seconds(browsers) - chrome_cpu0
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
            browser.close()
            raw = out.read_text() if out.exists() else ""
            if args.raw:
                args.raw.write_text(raw)
    finally:
        if spy is not None and spy.poll() is None:
            spy.kill()
        server.stop()
    total, per = inclusive(raw)
    print(
        f"{prefix}: Train -> results {took:.1f} s; server CPU {server_cpu:.1f} s, Chromium CPU {chrome_cpu:.1f} s"
    )
    print(f"{total} busy samples of the server at {args.rate}/s\n")
    print("| share of busy samples | function (file) |\n| --- | --- |")
    for name, n in per.most_common(args.top):
        print(f"| {100 * n / max(total, 1):.1f} % | `{name}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
