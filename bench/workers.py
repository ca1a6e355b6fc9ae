"""Training throughput in worker processes: one run alone (1 or 2 torch threads) and two at once.

    python bench/workers.py                      # long-memory LSTM defaults, 20 s windows, 3 rounds
    python bench/workers.py --task sentiment --arch gru --seconds 30 --rounds 5

Each round runs, one after the other (interleaved, so that every variant sees the same machine):
one job alone with 1 torch thread, one alone with 2, one alone as the app runs it (the cores but one
shared among the running workers: 1 thread on 2 cores), and two at once as the app runs them. It counts the optimiser steps each job made
in its first ``--seconds`` of training (from the events' own clocks) and prints the medians and
the share of a lone run's speed that each of two concurrent runs gets. Stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.events import Step  # noqa: E402
from core.execution import Job  # noqa: E402
from core.runspec import plan  # noqa: E402
from core.workers import LocalExecutor  # noqa: E402


def steps_in_window(ex: LocalExecutor, jobs: list[Job], seconds: float) -> list[int]:
    handles = [ex.submit(j) for j in jobs]
    deadline = time.monotonic() + seconds + 60
    try:
        while time.monotonic() < deadline:
            done = 0
            for h in handles:
                steps = [e for e in h.lane_events("model") if isinstance(e, Step)]
                if (steps and steps[-1].elapsed_s >= seconds) or h.done:
                    done += 1
            if done == len(handles):
                break
            time.sleep(0.1)
    finally:
        for h in handles:
            h.stop()
        for h in handles:
            h.wait(30)
    return [
        sum(1 for e in h.lane_events("model") if isinstance(e, Step) and e.elapsed_s <= seconds)
        for h in handles
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", default="long-memory")
    ap.add_argument("--arch", default="lstm")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    spec = plan(args.task, args.arch, {"epochs": 500})
    job = Job.single(spec)
    variants = {
        "alone, 1 thread": (LocalExecutor(slots=2, threads=1), 1),
        "alone, 2 threads": (LocalExecutor(slots=2, threads=2), 1),
        "alone, the app's default (the cores but one)": (LocalExecutor(slots=2), 1),
        "two at once, the app's default": (LocalExecutor(slots=2), 2),
    }
    for ex, _ in variants.values():
        ex.warm()
    time.sleep(5)
    load = os.getloadavg()[0]
    seen: dict[str, list[int]] = {k: [] for k in variants}
    try:
        for r in range(args.rounds):
            for name, (ex, n) in variants.items():
                counts = steps_in_window(ex, [job] * n, args.seconds)
                seen[name].extend(counts)
                print(
                    f"round {r + 1} {name}: {counts} steps in {args.seconds:g} s", file=sys.stderr, flush=True
                )
    finally:
        for ex, _ in variants.values():
            ex.shutdown()
    med = {k: statistics.median(v) for k, v in seen.items()}
    alone = med["alone, 1 thread"]
    print(f"{args.task} / {args.arch} defaults, steps in the first {args.seconds:g} s of training, "
          f"median of {args.rounds} rounds (machine load {load:.1f} when it began, {os.cpu_count()} cores)\n")  # fmt: skip
    print("| variant | steps (median) | per run vs alone with 1 thread |")
    print("| --- | --- | --- |")
    for k, v in med.items():
        print(f"| {k} | {v:.0f} | {v / alone:.2f}x |")
    if args.json:
        args.json.write_text(
            json.dumps({"steps": seen, "median": med, "seconds": args.seconds, "load": load})
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
