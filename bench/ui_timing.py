"""What a person waits for in the browser: each task page's defaults, from Train to the results.

    python bench/ui_timing.py                          # every task page, this checkout
    python bench/ui_timing.py --baseline ../old-main   # side by side with another checkout
    python bench/ui_timing.py --pages stock,long_memory --json out.json
    python bench/ui_timing.py --env SEQUENCE_LAB_WORKER_THREADS=1   # this checkout with and without

Localhost only and bounded (every wait has a timeout; the servers stop with the script). For each
checkout it starts ``streamlit run streamlit_app.py`` on a free 127.0.0.1 port (offline, so stock
uses the committed prices) and opens Chromium (Debian's, never a downloaded one). Then, page by
page and checkout after checkout (interleaved, so both see the same machine), it opens the page
with its default settings, presses Train and measures:

- Train -> the first training loss drawn on the live chart;
- Train -> the result tabs on screen (the run is over and the page has drawn its results);
- Chromium's CPU seconds over that time, and the training time the page reports ("Trained for").

It also records the first page's cold start (spawn -> health -> Train button enabled). Prints a
Markdown table; ``--json`` writes the figures.

``--cli`` also times, in the same rounds, what a person waits for at the command line for the
same settings: ``python -m core train`` with the page's default architecture and the page's stop
at the target, from the command to its last line (the process starts, loads the data, trains,
evaluates on the test split, writes the run). ``--rounds N`` repeats everything N times,
interleaved, and reports medians; each round starts one place further along the order (the
baseline, this checkout, the command line), so none of them always follows the same one, and every
measurement starts after ``--settle`` seconds of rest.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("stock", "sentiment", "translation", "captioning", "long_memory", "word_order")


from load_test import E2E  # noqa: E402 - the browser test helpers, loaded once there
from profile_server import chromium_pids, total_cpu_seconds  # noqa: E402


def _trained_s(progress: str) -> float:
    """Seconds of training from the finished progress line: "Trained for 18 s (500 steps)" or
    "1 min 05 s" (NaN if it says neither)."""
    m = re.search(r"(?:(\d+) min )?(\d+) s\b", progress)
    return 60 * int(m.group(1) or 0) + int(m.group(2)) if m else float("nan")


def time_page(browser: Any, server: Any, prefix: str, timeout_s: float) -> dict[str, float]:
    ctx = browser.new_context(viewport=E2E.VIEWPORT)
    page = ctx.new_page()
    try:
        t_open = time.monotonic()
        E2E.open_page(page, server, prefix)
        page.wait_for_function(
            "(sel) => { const b = document.querySelector(sel); return !!b && !b.disabled; }",
            arg=f".st-key-{prefix}-_train button",
            timeout=120_000,
        )
        opened = time.monotonic() - t_open
        browsers = chromium_pids()
        cpu0 = total_cpu_seconds(browsers)
        t0 = time.monotonic()
        E2E.by_key(page, f"{prefix}._train").locator("button").click()
        first = float("nan")
        deadline = t0 + timeout_s
        while time.monotonic() < deadline:
            if first != first:  # NaN: no point yet
                pts = E2E.chart_points(page, f"{prefix}._lossfig")
                if pts and pts[0] > 0:
                    first = time.monotonic() - t0
            ended = page.evaluate(
                "(sel) => { const b = document.querySelector(sel); return !!b && !b.disabled; }",
                f".st-key-{prefix}-_train button",
            )
            if ended and (page.locator("[data-testid='stTab']").count() or E2E.alerts(page, "Error")):
                break
            page.wait_for_timeout(100)
        else:
            nan = float("nan")
            return {"open_s": opened, "first_loss_s": first, "results_s": nan, "browser_cpu_s": nan, "trained_s": nan, "error": 1.0}  # fmt: skip
        results = time.monotonic() - t0
        browser_cpu = total_cpu_seconds(browsers) - cpu0
        if first != first:  # the results came between two looks: the first loss was drawn with them
            pts = E2E.chart_points(page, f"{prefix}._lossfig")
            first = results if pts and pts[0] > 0 else first
        E2E.wait_idle(page)
        errors = E2E.alerts(page, "Error") + E2E.exceptions(page)
        trained = _trained_s(page.locator("[data-testid='stProgress']").first.inner_text())
        return {
            "open_s": opened,
            "first_loss_s": first,
            "results_s": results,
            "browser_cpu_s": browser_cpu,  # Chromium's CPU seconds from Train to the results
            "trained_s": trained,  # the worker's own training time, as the page says it
            "error": float(bool(errors)),
        }
    finally:
        ctx.close()


CLI = "command line"  # the command line's place in a round's order


def time_cli(prefix: str, root: Path = ROOT) -> dict[str, float]:
    """Seconds from ``python -m core train`` with the page's defaults to its last line."""
    sys.path.insert(0, str(root))
    from core.registry import get_task

    cfg = importlib.import_module(f"playground.views.{prefix}").CONFIG
    stop = get_task(cfg.task).primary.target is not None  # as the page: stop at the target
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "core", "train", "--task", cfg.task, "--arch", cfg.default_arch,
               "--set", f"stop_at_target={str(stop).lower()}", "--out", out]  # fmt: skip
        t0 = time.monotonic()
        done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=600)
        took = time.monotonic() - t0
    return {"wall_s": took, "error": float(done.returncode != 0)}


def cold_start(browser: Any, server: Any, spawned: float) -> dict[str, float]:
    """A fresh server's first visitor: seconds from ``streamlit run`` until the home page is
    interactive (its script done, the "train something now" button enabled)."""
    ctx = browser.new_context(viewport=E2E.VIEWPORT)
    page = ctx.new_page()
    try:
        page.goto(server.url)
        page.wait_for_function(
            "() => { const b = document.querySelector('.st-key-home-_quick button');"
            " const idle = document.querySelector(\"[data-test-script-state='notRunning']\");"
            " return !!b && !b.disabled && !!idle; }",
            timeout=120_000,
        )
        return {"home_interactive_s": time.monotonic() - spawned}
    finally:
        ctx.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated task pages")
    ap.add_argument("--baseline", type=Path, help="another checkout of the app to time side by side")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="also time this checkout with these environment variables (a second server)")  # fmt: skip
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per page at most")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--cli", action="store_true", help="also time the command line with the same settings")
    ap.add_argument("--rounds", type=int, default=1, help="repeat N times, interleaved; report medians")
    ap.add_argument("--settle", type=float, default=5.0, help="seconds of rest before each measurement")
    args = ap.parse_args(argv)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    bad = sorted(set(pages) - set(PAGES))
    if bad:
        ap.error(f"unknown page {', '.join(bad)}; valid: {', '.join(PAGES)}")
    from playwright.sync_api import sync_playwright

    variants: list[tuple[str, Path, dict[str, str]]] = [("this checkout", ROOT, {})]
    if args.baseline:
        variants.insert(0, ("baseline", args.baseline.resolve(), {}))
    if args.env:
        extra = dict(item.split("=", 1) for item in args.env)
        variants.append((" ".join(args.env), ROOT, extra))
    servers, cold = {}, {}
    rounds: dict[str, dict[str, list[dict[str, float]]]] = {}
    cli: dict[str, list[dict[str, float]]] = {}
    load = os.getloadavg()[0]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=E2E.CHROMIUM, args=E2E.CHROMIUM_ARGS)
            for name, root, extra in variants:
                t = time.monotonic()
                env = {**E2E.OFFLINE, **extra}
                servers[name] = E2E.Server(env, name=f"timing-{len(servers)}", root=root).start()
                cold[name] = {"healthy_s": time.monotonic() - t, **cold_start(browser, servers[name], t)}
                print(f"cold start {name}: {cold[name]}", file=sys.stderr, flush=True)
            for i in range(max(1, args.rounds)):
                for prefix in pages:
                    # every round starts with the next one: a server tidying up after the previous
                    # measurement (its janitor's collection, a closed session) lands on each in turn
                    order = [name for name, _, _ in variants] + ([CLI] if args.cli else [])
                    order = order[i % len(order) :] + order[: i % len(order)]
                    for name in order:
                        time.sleep(args.settle)
                        if name == CLI:
                            r = time_cli(prefix)
                            cli.setdefault(prefix, []).append(r)
                            print(
                                f"{prefix:12s} command line   {r['wall_s']:6.1f} s",
                                file=sys.stderr,
                                flush=True,
                            )
                            continue
                        r = time_page(browser, servers[name], prefix, args.timeout)
                        rounds.setdefault(prefix, {}).setdefault(name, []).append(r)
                        print(f"{prefix:12s} {name:14s} first loss {r['first_loss_s']:6.1f} s, "
                              f"results {r['results_s']:6.1f} s (trained {r['trained_s']:.0f} s; "
                              f"Chromium {r['browser_cpu_s']:.1f} s CPU)", file=sys.stderr, flush=True)  # fmt: skip
            browser.close()
    finally:
        for s in servers.values():
            s.stop()
    names = [n for n, _, _ in variants]
    results = {p: {n: median(rs) for n, rs in by.items()} for p, by in rounds.items()}
    head = "| page | " + " | ".join(f"{n}: Train -> first loss / results (Chromium's CPU)" for n in names)
    head += " | command line, same settings | results / command line |" if args.cli else " |"
    lines = [head, "| --- |" + " --- |" * (len(names) + 2 * args.cli)]
    for prefix in pages:
        cells = []
        for n in names:
            r = results[prefix][n]
            flag = " (error)" if r["error"] else ""
            cells.append(
                f"{r['first_loss_s']:.1f} s / {r['results_s']:.1f} s ({r['browser_cpu_s']:.1f} s){flag}"
            )
        if args.cli:
            c = median(cli[prefix])
            cells.append(f"{c['wall_s']:.1f} s" + (" (error)" if c["error"] else ""))
            cells.append(f"{results[prefix][names[-1]]['results_s'] / c['wall_s']:.2f}")
        lines.append(f"| {prefix} | " + " | ".join(cells) + " |")
    cells = [f"{cold[n]['healthy_s']:.1f} s / {cold[n]['home_interactive_s']:.1f} s" for n in names]
    lines.append("| cold start: health / home page interactive | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    print(f"\nmachine load average when it began: {load:.1f} ({os.cpu_count()} cores)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"results": results, "rounds": rounds, "cli": cli, "cold": cold, "load": load}, indent=2
            )
        )
    return 0


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds (NaN when a round had none; error if any round had one)."""
    out: dict[str, float] = {}
    for key in runs[0]:
        vals = [r[key] for r in runs if r[key] == r[key]]
        out[key] = statistics.median(vals) if vals else float("nan")
    out["error"] = max(r["error"] for r in runs)
    return out


if __name__ == "__main__":
    sys.exit(main())
