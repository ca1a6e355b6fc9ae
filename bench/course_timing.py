"""How long each Course step's experiment takes with the page's own settings, on this machine.

    python bench/course_timing.py                     # every step once (about 2 minutes on 2 cores)
    python bench/course_timing.py --steps 3,5         # a subset, by step number (``?step=``)
    python bench/course_timing.py --repeat 3          # three runs per step, the median reported
    python bench/course_timing.py --json out.json     # write the figures elsewhere

The requirement it checks: every step's experiment finishes in under 30 s on 2 cores. Each step
runs exactly as the Course page runs it, through the page's own functions, with the real settings
(never the tiny ones of the tests):

- a *trained* step goes through :func:`playground.course.page.start`, the Run button's own
  function: ``plan_lanes(exp, small=False)``, then :func:`playground.insights.experiments.start`,
  which submits one job (the lanes one after the other) to the app's default executor, the
  ``local`` worker processes. Timed from the submit to the job's end (the handle's own clocks);
  the planning before it (the data prepared in the page) and the reading after it (the step's
  ``read``, which may decode the test set) are reported beside it. While it trains, the torch
  threads per run are sampled as the page's live view samples them;
- a *computed* step is its ``run(False)``, as the page's Compute button calls it, timed whole.

"answered" says whether the check came out: every lane finished (not stopped, no error) and the
Outcome holds a measured answer (one of the question's options, or a finite number).

Localhost only, nothing from the network; the variables that would change what is measured
(``SEQUENCE_LAB_EXECUTOR``, ``..._RAY_ADDRESS``, ``..._HOSTED``, ``..._WORKER_THREADS``,
``..._COURSE_TINY``) are cleared. The executor is warmed first (its fork server imports torch, as
the app does when a page that trains opens) and that time is reported, not counted. Bounded: a
step that has not ended after ``--timeout`` seconds is stopped and reported as such. Prints a
Markdown table; the JSON (default ``bench/course_timing.json``) keeps earlier entries of the
steps not run this time, each entry with its settings and when it was measured.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only the standard library at the top: every worker process runs this file again as its
# ``__mp_main__`` (multiprocessing prepares a child so), and must not import the app for nothing.
if TYPE_CHECKING:
    from playground.course.model import Outcome, Step

ROOT = Path(__file__).resolve().parents[1]
JSON = ROOT / "bench" / "course_timing.json"
LIMIT_S = 30.0  # the requirement: every step's experiment under 30 s on 2 cores
CLEARED = (  # would change what is measured: another backend, hosted caps, fixed threads, tiny runs
    "SEQUENCE_LAB_EXECUTOR",
    "SEQUENCE_LAB_RAY_ADDRESS",
    "SEQUENCE_LAB_HOSTED",
    "SEQUENCE_LAB_WORKER_THREADS",
    "SEQUENCE_LAB_COURSE_TINY",
)
BARE_MODE = ("missing ScriptRunContext", "No runtime found", "Session state does not function")


def quiet_bare_mode() -> None:
    """Leave out streamlit's warnings that it runs without a server (it does, on purpose here)."""

    def keep(record: logging.LogRecord) -> bool:
        return not any(s in record.getMessage() for s in BARE_MODE)

    for name in list(logging.Logger.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).addFilter(keep)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def is_trained(step: Step) -> bool:
    from playground.course.model import Trained

    return isinstance(step.experiment, Trained)


def first_guess(step: Step) -> Any:
    """A prediction to lock in (the page needs one before it runs; it does not change the run)."""
    from playground.course.model import Choice

    pred = step.prediction
    return pred.options[0] if isinstance(pred, Choice) else float(pred.default)


def answered(step: Step, outcome: Outcome | None) -> bool:
    """The check came out: one of the question's options, or a finite measured number."""
    from playground.course.model import Choice

    if outcome is None:
        return False
    if isinstance(step.prediction, Choice):
        return outcome.answer in step.prediction.options
    try:
        return math.isfinite(float(outcome.answer))
    except (TypeError, ValueError):
        return False


def models(step: Step) -> list[str]:
    return [lane.name for lane in step.experiment.lanes] if is_trained(step) else []


def settings_of(step: Step) -> dict[str, Any]:
    if not is_trained(step):
        return {}
    exp = step.experiment
    return {lane.name: {"arch": lane.arch, **exp.lane_settings(lane, False)} for lane in exp.lanes}


def outcome_fields(step: Step, outcome: Outcome | None) -> dict[str, Any]:
    if outcome is None:
        return {"answer": None, "answered": False, "values": {}}
    answer = outcome.answer if isinstance(outcome.answer, str) else float(outcome.answer)
    return {"answer": answer, "answered": answered(step, outcome), "values": dict(outcome.values)}


def run_trained(step: Step, timeout: float) -> dict[str, Any]:
    """One run of a trained step, as the page's Run button starts it and its live view follows it."""
    import streamlit as st

    from playground.course import machine
    from playground.course import page as course

    exp = step.experiment
    for key in list(st.session_state.keys()):  # a fresh session: nothing kept from the last run
        del st.session_state[key]
    t0 = time.time()
    job = course.start(step, first_guess(step))  # plan_lanes(exp, tiny() = False), then submit
    h = job.handle
    deadline = time.monotonic() + timeout
    timed_out = False
    while not job.done:
        course.sample_threads(job)  # as draw_live does on every redraw
        h._done.wait(0.5)
        if time.monotonic() > deadline:
            timed_out = True
            job.stop()
            h.wait(60)
            break
    end = h.ended_at or time.time()
    lanes = {}
    for name in job.names:
        f, started = job.finished(name), job.started(name)
        lanes[name] = {
            "reason": f.reason if f else None,
            "epochs": f.epoch if f else None,
            "steps": f.step if f else None,
            "train_s": round(f.elapsed_s, 2) if f else None,
            "params": started.params if started else None,
            "test": {k: round(float(v), 4) for k, v in (f.test if f else {}).items()},
        }
    # as run_trained on the page: an outcome only when every lane finished and none was stopped
    complete = not job.error and all(v["reason"] not in (None, "stopped") for v in lanes.values())
    outcome, read_s = None, math.nan
    if complete:
        t1 = time.time()
        outcome = exp.read(job)
        read_s = time.time() - t1
        outcome.machine = machine.machine_of(job, st.session_state.get(course.threads_key(step.key), ()))
    m = outcome.machine if outcome else None
    return {
        "seconds": round(end - h.submitted_at, 2),  # submit -> the job's end
        "plan_s": round(h.submitted_at - t0, 2),
        "queued_s": round((h.started_at or end) - h.submitted_at, 2),
        "read_s": round(read_s, 2),
        "status": h.status,
        "error": job.error,
        "timed_out": timed_out,
        "lanes": lanes,
        "threads": list(m.threads) if m and m.threads else None,
        "devices": list(m.devices) if m else [],
        **outcome_fields(step, outcome),
    }


def run_computed(step: Step) -> dict[str, Any]:
    """One run of a computed step, as the page's Compute button calls it (tiny() is False here)."""
    from playground.course.model import tiny

    t0 = time.time()
    outcome = step.experiment.run(tiny())
    return {"seconds": round(time.time() - t0, 2), "status": "done", **outcome_fields(step, outcome)}


def warm() -> float:
    """Get the executor ready as the app does when a page that trains opens (its fork server
    imports torch), and wait until it is: one tiny job of the first trained step, not counted."""
    from core.execution import Job, executor_from_env
    from playground.course import page as course
    from playground.course.steps import STEPS

    t0 = time.time()
    ex = executor_from_env("local")  # the one the app submits to: made once per process, shared
    if ex.name != "local":
        raise SystemExit(f"the app's default executor is local, got {ex.name}")
    ex.warm()  # type: ignore[attr-defined]
    step = next(s for s in STEPS if is_trained(s))
    handle = ex.submit(Job(course.plan_lanes(step.experiment, small=True)))
    if not handle.wait(180) or handle.status != "done":
        raise SystemExit(f"the warm-up job did not finish: {handle.status} {handle.error}")
    return time.time() - t0


def median(runs: list[dict[str, Any]], key: str) -> float:
    xs = [float(r[key]) for r in runs if r.get(key) is not None and math.isfinite(float(r[key]))]
    return round(statistics.median(xs), 2) if xs else math.nan


def parse_steps(raw: str | None, keys: list[str]) -> list[int]:
    if not raw:
        return list(range(1, len(keys) + 1))
    out = []
    for part in (p.strip() for p in raw.split(",")):
        if part.isdigit() and 1 <= int(part) <= len(keys):
            out.append(int(part))
        elif part in keys:
            out.append(keys.index(part) + 1)
        elif part:
            raise SystemExit(f"--steps: {part!r} is not a step (1..{len(keys)} or a key)")
    return out


def fmt(x: Any) -> str:
    return f"{x:.1f}" if isinstance(x, int | float) and math.isfinite(x) else "–"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", help="comma-separated step numbers (or keys); default: all 24")
    ap.add_argument("--repeat", type=int, default=1, help="runs per step; the median is reported")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per run at most, then Stop")
    ap.add_argument("--json", type=Path, default=JSON, help=f"where to write the figures ({JSON.name})")
    args = ap.parse_args(argv)
    for var in CLEARED:
        os.environ.pop(var, None)
    sys.path.insert(0, str(ROOT))
    import streamlit  # noqa: F401 - its loggers, to quieten
    import torch

    from core.execution import cores
    from playground.course.model import tiny
    from playground.course.steps import STEPS

    quiet_bare_mode()
    numbers = parse_steps(args.steps, [s.key for s in STEPS])
    assert not tiny()
    warm_s = warm()
    quiet_bare_mode()
    from core.execution import executor_from_env

    ex = executor_from_env("local")
    load = os.getloadavg()[0]
    print(f"warm-up {warm_s:.1f} s (not counted); load average {load:.2f}; {cores()} cores", file=sys.stderr)
    results: dict[str, Any] = {}
    try:
        for n in numbers:
            step = STEPS[n - 1]
            kind = "trained" if is_trained(step) else "computed"
            runs = []
            for r in range(args.repeat):
                before = os.getloadavg()[0]
                run = run_trained(step, args.timeout) if kind == "trained" else run_computed(step)
                run["load_before"] = round(before, 2)
                runs.append(run)
                print(
                    f"{n:2d} {step.key:13s} run {r + 1}: {run['seconds']:6.1f} s "
                    f"(plan {fmt(run.get('plan_s'))}, read {fmt(run.get('read_s'))}) "
                    f"answer {run['answer']!r} {run['values']}",
                    file=sys.stderr,
                    flush=True,
                )
            results[step.key] = {
                "number": n,
                "key": step.key,
                "kind": kind,
                "models": models(step),
                "settings": settings_of(step),
                "median_s": median(runs, "seconds"),
                "median_plan_s": median(runs, "plan_s") if kind == "trained" else None,
                "median_read_s": median(runs, "read_s") if kind == "trained" else None,
                "answered": all(r["answered"] for r in runs),
                "answers": [r["answer"] for r in runs],
                "runs": runs,
                "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
    finally:
        ex.shutdown()
    print(
        f"\nCourse steps with the page's settings, `local` workers, {cores()} cores ({cpu_name()}), "
        f"CPU only; median of {args.repeat}; load average {load:.2f} when it began\n"
    )
    print("| # | step | kind | models | seconds | plan s | read s | answered | answer |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for key, e in results.items():
        flag = f" (over {LIMIT_S:.0f} s)" if e["median_s"] > LIMIT_S else ""
        print(
            f"| {e['number']} | {key} | {e['kind']} | {', '.join(e['models']) or '–'} | "
            f"{fmt(e['median_s'])}{flag} | {fmt(e['median_plan_s'])} | {fmt(e['median_read_s'])} | "
            f"{'yes' if e['answered'] else 'no'} | {', '.join(map(str, e['answers']))} |"
        )
    over = [k for k, e in results.items() if not e["median_s"] <= LIMIT_S]
    print(f"\nover {LIMIT_S:.0f} s: {', '.join(over) or 'none'}")
    old: dict[str, Any] = {}
    if args.json.exists():
        try:
            old = json.loads(args.json.read_text()).get("steps", {})
        except (OSError, ValueError):
            old = {}
    order = {s.key: i for i, s in enumerate(STEPS)}
    doc = {
        "machine": {
            "cores": cores(),
            "cpu": cpu_name(),
            "gpu": torch.cuda.is_available(),
            "torch_threads_per_run_alone": ex.threads_for(1),  # type: ignore[attr-defined]
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "executor": ex.name,
        "limit_s": LIMIT_S,
        "last_run": {
            "command": " ".join(["python bench/course_timing.py", *(sys.argv[1:] if argv is None else argv)]),
            "steps": [STEPS[n - 1].key for n in numbers],
            "repeat": args.repeat,
            "warm_s": round(warm_s, 2),
            "load_avg_1min": round(load, 2),
        },
        "steps": dict(sorted({**old, **results}.items(), key=lambda kv: order.get(kv[0], 99))),
    }
    args.json.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written to {args.json}", file=sys.stderr)
    return 0 if not over and all(e["answered"] for e in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
