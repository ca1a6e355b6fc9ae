"""How a run on 1 or 2 torch threads takes a neighbour that wakes up often, as a browser does.

    python bench/bursty_neighbour.py                         # captioning defaults, 2 rounds
    python bench/bursty_neighbour.py --task long-memory --arch lstm --rounds 3 --json out.json

On the 2-core machine the app's browser tab renders on the same cores as the training: short
bursts of work, many times a second. This trains the task's default settings (stopping at the
target, as the page does) in this process, on 1 and on 2 torch threads, each alone and beside a
neighbour process that spins for ``--on`` seconds and sleeps ``--off`` seconds in a loop (by
default 5 ms in every 20: a quarter of one core). Interleaved, so every variant sees the same
machine; prints the training seconds (the run's own clock) with their medians. Stops by itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NEIGHBOUR = "import time\nwhile True:\n    t = time.perf_counter()\n    while time.perf_counter() - t < {on}:\n        pass\n    time.sleep({off})\n"  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", default="captioning")
    ap.add_argument("--arch", default="captioner")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--on", type=float, default=0.005, help="seconds the neighbour spins")
    ap.add_argument("--off", type=float, default=0.015, help="seconds it then sleeps")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    import torch

    from core.events import Finished
    from core.execution import Job, make_executor
    from core.runspec import plan

    spec = plan(args.task, args.arch, {"train.stop_at_target": True})
    executor = make_executor("inline")
    seconds: dict[str, list[float]] = {}
    for _ in range(max(1, args.rounds)):
        for threads in (2, 1):
            for neighbour in (False, True):
                torch.set_num_threads(threads)
                proc = None
                if neighbour:
                    code = NEIGHBOUR.format(on=args.on, off=args.off)
                    proc = subprocess.Popen([sys.executable, "-c", code])
                time.sleep(0.5)
                try:
                    handle = executor.submit(Job.single(spec))
                    finished = [ev for _, ev in handle.follow() if isinstance(ev, Finished)]
                finally:
                    if proc is not None:
                        proc.kill()
                        proc.wait()
                name = f"{threads} thread{'s' if threads > 1 else ''}, {'beside the neighbour' if neighbour else 'alone'}"
                took = finished[-1].elapsed_s if finished else float("nan")
                seconds.setdefault(name, []).append(took)
                print(f"{name:32s} {took:6.1f} s", file=sys.stderr, flush=True)
    share = args.on / (args.on + args.off)
    print(f"\n{args.task} / {args.arch}, stopping at the target; neighbour: {share:.0%} of one core "
          f"in {1000 * args.on:.0f} ms bursts\n")  # fmt: skip
    print("| torch threads, neighbour | training seconds, median | rounds |\n| --- | --- | --- |")
    for name, vals in seconds.items():
        print(f"| {name} | {statistics.median(vals):.1f} s | {', '.join(f'{v:.1f}' for v in vals)} |")
    if args.json:
        args.json.write_text(json.dumps({"task": args.task, "arch": args.arch, "on_s": args.on,
                                         "off_s": args.off, "seconds": seconds}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
