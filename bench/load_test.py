"""Load test of the app in hosted mode: N people train at once on one local server.

    python bench/load_test.py                 # 4 sessions, hosted mode, about a minute
    python bench/load_test.py --sessions 8 --max-concurrent 4 --json out.json
    python bench/load_test.py --sessions 8 --ray-head      # the same app on a local Ray head

What it does (localhost only, bounded: it stops by itself after ``--deadline`` seconds):

1. starts ``streamlit run streamlit_app.py`` on a free 127.0.0.1 port with SEQUENCE_LAB_HOSTED=1
   and measures the cold start: process start -> /_stcore/health answers -> the first page is
   interactive in Chromium (its Train button enabled) -> the first training step is on screen;
2. opens N Chromium contexts (N browser sessions) on one task page with small settings and
   presses Train in all of them at once;
3. meanwhile a thread polls /_stcore/health every 0.25 s (1 s timeout) and the server's resident
   memory is sampled from /proc (psutil when installed);
4. each session must end with its result tabs (trained; a session beyond the free slots waits in
   line and starts by itself) or with the "waiting line is full" message;
5. the server process's own CPU seconds and the number of worker processes are sampled, so the
   figures show that training happens in the workers, not in the server.

Prints a Markdown table of the figures; exits 1 when a session did neither, or when the health
check ever took longer than 1 s or failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _e2e() -> Any:
    """The browser test helpers (Server, Chromium settings, small settings per page)."""
    spec = importlib.util.spec_from_file_location("e2e_helpers", ROOT / "tests" / "e2e" / "conftest.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


E2E = _e2e()


def _rayhead() -> Any:
    spec = importlib.util.spec_from_file_location("rayhead", ROOT / "tests" / "rayhead.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Sampler(threading.Thread):
    """Polls the health endpoint and the server's memory until stopped."""

    def __init__(self, url: str, pid: int, every: float = 0.25):
        super().__init__(daemon=True, name="sampler")
        self.url, self.pid, self.every = url, pid, every
        self.latencies: list[float] = []
        self.timeline: list[tuple[float, float]] = []  # (seconds since start, latency or -1 = failed)
        self.failures = 0
        self.rss_mb: list[float] = []
        self._halt = threading.Event()
        self.t_start = time.monotonic()

    def rss(self) -> float:
        try:
            import psutil  # optional

            return psutil.Process(self.pid).memory_info().rss / 2**20
        except ImportError:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except Exception:  # noqa: BLE001 - the process is gone
            pass
        return 0.0

    def run(self) -> None:
        while not self._halt.is_set():
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1.0) as r:
                    ok = r.status == 200
            except OSError:
                ok = False
            dt = time.perf_counter() - t0
            self.timeline.append((round(time.monotonic() - self.t_start, 2), round(dt if ok else -1.0, 3)))
            if ok:
                self.latencies.append(dt)
            else:
                self.failures += 1
            self.rss_mb.append(self.rss())
            self._halt.wait(max(0.0, self.every - dt))

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def peak_rss_mb(pid: int) -> float:
    """The kernel's high-water mark of the process's resident memory (VmHWM)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Session:
    n: int
    outcome: str = "pending"  # trained | busy | error | timeout
    seconds: float = 0.0  # from pressing Train to the outcome on screen
    detail: str = ""


@dataclass
class Report:
    sessions: int
    max_concurrent: int
    page: str
    cold_start: dict[str, float] = field(default_factory=dict)
    results: list[Session] = field(default_factory=list)
    health_polls: int = 0
    health_failures: int = 0
    health_p50_ms: float = 0.0
    health_p95_ms: float = 0.0
    health_max_ms: float = 0.0
    rss_start_mb: float = 0.0
    rss_peak_sampled_mb: float = 0.0
    rss_hwm_mb: float = 0.0
    wall_s: float = 0.0
    load_avg_1min: float = 0.0  # the machine's load when the run began (other work skews the figures)
    server_cpu_s: float = 0.0  # CPU seconds of the server process itself while the sessions trained
    most_workers: int = 0  # training worker processes seen at once
    backend: str = ""
    rss_after_close_mb: dict = field(default_factory=dict)  # seconds after the tabs closed -> MB
    workers_after_close: int = 0
    health_timeline: list = field(default_factory=list)  # (s since the load began, latency s or -1)
    events: list = field(default_factory=list)  # (s since the load began, session, what)

    def ok(self) -> bool:
        good = all(s.outcome in ("trained", "busy") for s in self.results)
        return good and self.health_failures == 0 and self.health_max_ms <= 1000


def first_step_on_screen(page: Any, prefix: str) -> bool:
    pts = E2E.chart_points(page, f"{prefix}._lossfig")
    return bool(pts and pts[0] > 0)


def cold_start(
    server: Any, browser: Any, prefix: str, query: dict[str, str], t_spawn: float
) -> dict[str, float]:
    """Seconds from spawning `streamlit run` to: healthy, page interactive, first step drawn."""
    out = {"healthy_s": server.started_s}
    ctx = browser.new_context(viewport=E2E.VIEWPORT)
    page = ctx.new_page()
    page.goto(E2E.page_url(server, prefix, query))
    page.wait_for_function(
        "(sel) => { const b = document.querySelector(sel); return !!b && !b.disabled; }",
        arg=f".st-key-{prefix}-_train button",
        timeout=120_000,
    )
    E2E.wait_idle(page, 120_000)
    out["interactive_s"] = time.monotonic() - t_spawn
    t_click = time.monotonic()
    E2E.by_key(page, f"{prefix}._train").locator("button").click()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not first_step_on_screen(page, prefix):
        page.wait_for_timeout(50)
    out["first_step_s"] = time.monotonic() - t_spawn
    out["click_to_first_step_s"] = time.monotonic() - t_click
    E2E.wait_trained(page, prefix, watch_chart=False, timeout_s=180)
    ctx.close()
    return out


def run(args: argparse.Namespace) -> Report:
    from playwright.sync_api import sync_playwright

    prefix = args.page
    query = dict(E2E.SMALL[prefix])
    env = {
        "SEQUENCE_LAB_HOSTED": "1",
        "SEQUENCE_LAB_MAX_CONCURRENT": str(args.max_concurrent),
        **E2E.OFFLINE,
    }
    head = None
    if args.ray_head:  # a Ray head on 127.0.0.1 started here, stopped by its process at the end
        import tempfile

        rh = _rayhead()
        head = rh.Head(Path(tempfile.mkdtemp(prefix="load-ray-")))
        env.update({**rh.LOCAL_ENV, "SEQUENCE_LAB_RAY_ADDRESS": head.address})
    report = Report(sessions=args.sessions, max_concurrent=args.max_concurrent, page=prefix)
    report.backend = "ray (local head, 2 CPUs)" if head else "local worker processes"
    report.load_avg_1min = os.getloadavg()[0]
    t_begin = time.monotonic()
    server = E2E.Server(env, name="load", root=args.app_dir.resolve() if args.app_dir else None)
    t_spawn = time.monotonic()
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=E2E.CHROMIUM, args=E2E.CHROMIUM_ARGS)
            report.cold_start = cold_start(server, browser, prefix, query, t_spawn)
            report.rss_start_mb = server.rss_mb()

            sampler = Sampler(server.url, server.pid)
            sampler.start()
            pages = []
            for _ in range(args.sessions):
                ctx = browser.new_context(viewport=E2E.VIEWPORT)
                page = ctx.new_page()
                E2E.open_page(page, server, prefix, query)
                pages.append(page)
            sessions = [Session(i + 1) for i in range(args.sessions)]
            started = {}
            events: list = []
            for s, page in zip(sessions, pages):  # everybody presses Train at (nearly) the same time
                E2E.by_key(page, f"{prefix}._train").locator("button").click()
                started[s.n] = time.monotonic()
                events.append((round(time.monotonic() - sampler.t_start, 2), s.n, "train pressed"))
            deadline = t_begin + args.deadline
            busy_text = args.busy_text
            cpu0 = E2E._cpu_s(server.pid)
            most_workers = 0
            while time.monotonic() < deadline and any(s.outcome == "pending" for s in sessions):
                for s, page in zip(sessions, pages):
                    if s.outcome != "pending":
                        continue
                    warnings = E2E.alerts(page, "Warning")
                    errors = E2E.alerts(page, "Error")
                    if any(busy_text in w for w in warnings):
                        s.outcome = "busy"
                        s.detail = next(w for w in warnings if busy_text in w).split("\n")[-1]
                    elif (
                        page.locator("[data-testid='stTab']").count()
                        and not page.locator(f".st-key-{prefix}-_train button[disabled]").count()
                    ):
                        s.outcome = "trained"
                        s.detail = page.locator("[data-testid='stProgress']").first.inner_text()
                    elif errors or page.locator(E2E.EXCEPTION).count():
                        s.outcome, s.detail = "error", " | ".join(errors)[:200]
                    if s.outcome != "pending":
                        s.seconds = time.monotonic() - started[s.n]
                        events.append((round(time.monotonic() - sampler.t_start, 2), s.n, s.outcome))
                most_workers = max(most_workers, len(server.workers()))
                pages[0].wait_for_timeout(200)
            for s in sessions:
                if s.outcome == "pending":
                    s.outcome, s.seconds = "timeout", time.monotonic() - started[s.n]
            sampler.stop()
            report.server_cpu_s = E2E._cpu_s(server.pid) - cpu0
            report.most_workers = most_workers
            report.results = sessions
            lat = sorted(sampler.latencies)
            report.health_polls = len(lat) + sampler.failures
            report.health_failures = sampler.failures
            if lat:
                report.health_p50_ms = 1000 * statistics.median(lat)
                report.health_p95_ms = 1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))]
                report.health_max_ms = 1000 * lat[-1]
            report.rss_peak_sampled_mb = max(sampler.rss_mb or [0.0])
            report.health_timeline = sampler.timeline
            report.events = events
            report.rss_hwm_mb = peak_rss_mb(server.pid)
            for page in pages:  # everybody closes their tab
                page.context.close()
            t_closed = time.monotonic()
            for after in (5.0, 35.0, 65.0):
                time.sleep(max(0.0, t_closed + after - time.monotonic()))
                report.rss_after_close_mb[f"{after:g}"] = sampler.rss()
            report.workers_after_close = len(server.workers())
            browser.close()
    finally:
        server.stop()
        if head is not None:
            head.stop()
    report.wall_s = time.monotonic() - t_begin
    return report


def markdown(r: Report) -> str:
    trained = sum(s.outcome == "trained" for s in r.results)
    busy = sum(s.outcome == "busy" for s in r.results)
    other = len(r.results) - trained - busy
    times = [s.seconds for s in r.results if s.outcome == "trained"]
    cs = r.cold_start
    rows = [
        ("backend", r.backend),
        ("sessions (browser contexts) / trainings allowed at once", f"{r.sessions} / {r.max_concurrent}"),
        ("page, settings", f"{r.page}, tests/e2e SMALL"),
        ("trained / 'waiting line is full' / other", f"{trained} / {busy} / {other}"),
        ("worker processes at once (most seen)", f"{r.most_workers}"),
        ("server process's own CPU while they trained", f"{r.server_cpu_s:.1f} s of {r.wall_s:.0f} s wall"),
        ("Train -> results on screen (trained sessions)", ", ".join(f"{x:.1f} s" for x in times) or "-"),
        ("/_stcore/health polls (every 0.25 s)", f"{r.health_polls}, {r.health_failures} failed"),
        (
            "health latency p50 / p95 / max",
            f"{r.health_p50_ms:.0f} / {r.health_p95_ms:.0f} / {r.health_max_ms:.0f} ms",
        ),
        (
            "server RSS before load / peak (sampled) / peak (VmHWM)",
            f"{r.rss_start_mb:.0f} / {r.rss_peak_sampled_mb:.0f} / {r.rss_hwm_mb:.0f} MB",
        ),
        (
            "server RSS 5 s / 35 s / 65 s after every tab closed; workers left",
            f"{r.rss_after_close_mb.get('5', 0):.0f} / {r.rss_after_close_mb.get('35', 0):.0f} / "
            f"{r.rss_after_close_mb.get('65', 0):.0f} MB; {r.workers_after_close}",
        ),
        ("cold start: spawn -> /_stcore/health", f"{cs.get('healthy_s', 0):.1f} s"),
        ("cold start: spawn -> first page interactive in Chromium", f"{cs.get('interactive_s', 0):.1f} s"),
        ("cold start: spawn -> first training step on screen", f"{cs.get('first_step_s', 0):.1f} s"),
        ("wall time of the whole run", f"{r.wall_s:.0f} s"),
        ("machine load average when it began (2 cores)", f"{r.load_avg_1min:.1f}"),
    ]
    lines = ["| measure | value |", "| --- | --- |", *[f"| {a} | {b} |" for a, b in rows]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=4, help="browser sessions training at once")
    ap.add_argument("--max-concurrent", type=int, default=2, help="SEQUENCE_LAB_MAX_CONCURRENT")
    ap.add_argument("--page", default="long_memory", choices=sorted(E2E.SMALL), help="task page")
    ap.add_argument("--deadline", type=float, default=240.0, help="stop after this many seconds")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--ray-head", action="store_true", help="train on a Ray head started here (127.0.0.1)")
    ap.add_argument("--busy-text", default="waiting line", help="text of the refusal message to look for")
    ap.add_argument(
        "--app-dir", type=Path, help="serve another checkout of the app (a before/after comparison)"
    )
    args = ap.parse_args(argv)
    report = run(args)
    print(markdown(report))
    for s in report.results:
        print(f"session {s.n}: {s.outcome} after {s.seconds:.1f} s  {s.detail}")
    if args.json:
        args.json.write_text(json.dumps(asdict(report), indent=2))
    return 0 if report.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
