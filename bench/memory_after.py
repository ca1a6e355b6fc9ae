"""The web server's memory around one visitor's training: before, after the run, after the tab.

    python bench/memory_after.py                       # sentiment, then long memory
    python bench/memory_after.py --pages stock --json out.json

Localhost only and bounded. It starts ``streamlit run`` on a free 127.0.0.1 port (offline data)
and, for each page in turn, in a fresh Chromium context:

1. opens the page with its defaults and waits until it is idle: the server has loaded what the
   page needs; its resident memory then is the page's idle level;
2. presses Train, waits for the results, and samples the server's memory every second for 30 s;
3. presses Train again (a second run of the same page) and does the same;
4. closes the tab and samples every second for 60 s (the session is kept for a 30 s grace, then
   closed; its memory goes back to the machine).

Prints a Markdown table: MB over the idle level 30 s after each run ended and 45 s and 60 s after
the tab closed. Training itself happens in worker processes, so what is measured here is what the
server keeps of a session: its trained model, its data views, its page state.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_test import E2E  # noqa: E402 - the browser test helpers, loaded once there


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def samples(pid: int, seconds: int) -> list[float]:
    out = []
    for _ in range(seconds):
        time.sleep(1.0)
        out.append(rss_mb(pid))
    return out


def one_page(browser: Any, server: Any, prefix: str) -> dict[str, Any]:
    ctx = browser.new_context(viewport=E2E.VIEWPORT)
    page = ctx.new_page()
    E2E.open_page(page, server, prefix)
    E2E.wait_idle(page)
    time.sleep(3.0)
    idle = rss_mb(server.pid)
    runs = []
    for _ in range(2):
        E2E.start_training(page, prefix)
        E2E.wait_trained(page, prefix, watch_chart=False, timeout_s=300)
        E2E.wait_idle(page)
        after = samples(server.pid, 30)
        runs.append({"at_end": after[0], "after_30s": after[-1], "peak": max(after)})
        print(f"{prefix}: run ended; {after[0]:.0f} MB, 30 s later {after[-1]:.0f} MB", file=sys.stderr)
    ctx.close()
    closed = samples(server.pid, 60)
    print(
        f"{prefix}: tab closed; 45 s later {closed[44]:.0f} MB, 60 s later {closed[59]:.0f} MB",
        file=sys.stderr,
    )
    return {"idle": idle, "runs": runs, "closed_45s": closed[44], "closed_60s": closed[59], "closed": closed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default="sentiment,long_memory", help="comma-separated task pages")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server = E2E.Server(dict(E2E.OFFLINE), name="memory").start()
    results: dict[str, Any] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=E2E.CHROMIUM, args=E2E.CHROMIUM_ARGS)
            for prefix in [x.strip() for x in args.pages.split(",") if x.strip()]:
                results[prefix] = one_page(browser, server, prefix)
            browser.close()
    finally:
        server.stop()
    lines = [
        "| page | idle with the page open | 30 s after run 1 / run 2 ended | 45 s / 60 s after the tab closed |",
        "| --- | --- | --- | --- |",
    ]
    for prefix, r in results.items():
        over = [f"{x['after_30s'] - r['idle']:+.0f} MB" for x in r["runs"]]
        lines.append(
            f"| {prefix} | {r['idle']:.0f} MB | {' / '.join(over)} | "
            f"{r['closed_45s'] - r['idle']:+.0f} / {r['closed_60s'] - r['idle']:+.0f} MB |"
        )
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
