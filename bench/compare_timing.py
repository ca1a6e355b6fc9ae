"""The Compare page's race in the browser: Run -> results, and Chromium's CPU over it.

    python bench/compare_timing.py --baseline ../old-main --rounds 3 --json out.json
    python bench/compare_timing.py --query compare.task=long_memory

Localhost only and bounded, like ``bench/ui_timing.py``: one ``streamlit run`` per checkout on a
free 127.0.0.1 port, Debian's Chromium. Round by round (the order alternating, after ``--settle``
seconds of rest), it opens the Compare page with its defaults (or ``--query``), presses "Run the
race" and waits for the results (the race's table and its closing message with the Run button
enabled again), measuring the wall time and Chromium's CPU seconds in between.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from load_test import E2E  # noqa: E402 - the browser test helpers
from profile_server import chromium_pids, total_cpu_seconds  # noqa: E402

RUN = ".st-key-compare-_run button"
ENABLED = "(sel) => { const b = document.querySelector(sel); return !!b && !b.disabled; }"
DISABLED = "(sel) => { const b = document.querySelector(sel); return !!b && b.disabled; }"
DONE = """(sel) => { const b = document.querySelector(sel);
    return !!b && !b.disabled && document.querySelectorAll("[data-testid='stDataFrame']").length > 0
        && document.querySelectorAll("[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentWarning']").length > 0; }"""


def one_race(browser, server, query: dict[str, str] | None, timeout: float) -> dict[str, float]:
    ctx = browser.new_context(viewport=E2E.VIEWPORT)
    try:
        page = ctx.new_page()
        E2E.open_page(page, server, "compare", query)
        page.wait_for_function(ENABLED, arg=RUN, timeout=120_000)
        E2E.wait_idle(page)
        pids = chromium_pids()
        cpu0 = total_cpu_seconds(pids)
        t0 = time.monotonic()
        page.locator(RUN).click()
        page.wait_for_function(DISABLED, arg=RUN, timeout=30_000)  # the race has started
        page.wait_for_function(DONE, arg=RUN, timeout=timeout * 1000, polling=200)
        return {"results_s": time.monotonic() - t0, "browser_cpu_s": total_cpu_seconds(pids) - cpu0}
    finally:
        ctx.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, help="another checkout of the app to time side by side")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--settle", type=float, default=4.0, help="seconds of rest before each race")
    ap.add_argument("--query", action="append", default=[], metavar="KEY=VALUE", help="a share-link setting")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per race at most")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    query = dict(q.split("=", 1) for q in args.query) or None
    roots = {"this checkout": HERE.parent}
    if args.baseline:
        roots = {"baseline": args.baseline.resolve(), **roots}
    from playwright.sync_api import sync_playwright

    servers = {}
    rounds: dict[str, list[dict[str, float]]] = {k: [] for k in roots}
    try:
        for i, (name, root) in enumerate(roots.items()):
            servers[name] = E2E.Server(name=f"compare-timing-{i}", root=root).start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=E2E.CHROMIUM, args=E2E.CHROMIUM_ARGS)
            try:
                for r in range(args.rounds):
                    order = list(roots) if r % 2 == 0 else list(roots)[::-1]
                    for name in order:
                        time.sleep(args.settle)
                        m = one_race(browser, servers[name], query, args.timeout)
                        rounds[name].append(m)
                        print(
                            f"{name:14s} Run -> results {m['results_s']:5.1f} s (Chromium {m['browser_cpu_s']:.1f} s CPU)",
                            flush=True,
                        )
            finally:
                browser.close()
    finally:
        for s in servers.values():
            s.stop()
    medians = {
        name: {k: statistics.median(m[k] for m in ms) for k in ("results_s", "browser_cpu_s")}
        for name, ms in rounds.items()
    }
    for name, m in medians.items():
        print(
            f"{name}: Run -> results {m['results_s']:.1f} s, Chromium {m['browser_cpu_s']:.1f} s CPU (medians)"
        )
    if args.json:
        args.json.write_text(json.dumps({"query": query, "rounds": rounds, "medians": medians}, indent=1))


if __name__ == "__main__":
    main()
