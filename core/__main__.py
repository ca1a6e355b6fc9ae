"""Command line: the same path as the app, without the widgets.

    python -m core list [--json]
    python -m core info --arch NAME [--preset P] [--set key=value ...] [--json]
    python -m core train --task T --arch A [--preset P] [--set key=value ...] [--epochs N] [--seed S]
                         [--device D] [--max-seconds S] --out DIR
    python -m core predict --run DIR INPUT... [--beam N] [--json]
    python -m core bench [--quick] [--out FILE]
    python -m core bench --cells 1,2 [--processes 5] [--out FILE]
    python -m core export-code (--run DIR | --task T --arch A [--preset P] [--set key=value ...]) --out FILE.py

Errors (unknown names, bad values, missing files) print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from core.config import ConfigError, parse_assignments


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit 2
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m core", description="Sequence Lab: train and inspect sequence models")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    s = sub.add_parser("list", help="tasks and architectures")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("info", help="resolved config and parameter count of an architecture")
    s.add_argument("--arch", required=True)
    s.add_argument("--preset")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("train", help="train a model and write a run directory")
    s.add_argument("--task")
    s.add_argument("--arch")
    s.add_argument("--preset")
    s.add_argument("--resume", metavar="DIR", help="continue training the model saved in this run directory")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    s.add_argument("--epochs", type=int)
    s.add_argument("--seed", type=int)
    s.add_argument("--device")
    s.add_argument("--max-seconds", type=float)
    s.add_argument("--upload", help="a CSV file for tasks whose source is 'upload'")
    s.add_argument(
        "--executor",
        choices=("inline", "local", "ray"),
        help="where to train: in this process (inline, the default), a worker process (local), "
        "or a Ray cluster (ray; the default when --address or SEQUENCE_LAB_RAY_ADDRESS is given)",
    )
    s.add_argument("--address", help="a Ray cluster's address, e.g. 127.0.0.1:6379 (implies --executor ray)")
    s.add_argument("--out", required=True)
    s = sub.add_parser("sweep", help="train a grid of settings on Ray Tune; writes OUT/sweep.json")
    s.add_argument("--task", required=True)
    s.add_argument("--arch", required=True)
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="fixed settings")
    s.add_argument(
        "--grid", action="append", default=[], metavar="KEY=V1,V2,...", help="a swept setting (repeatable)"
    )
    s.add_argument("--samples", type=int, default=1, help="runs per grid point (each with its own seed)")
    s.add_argument("--scheduler", choices=("asha",), help="asha: stop the weaker trials early")
    s.add_argument("--address", help="a Ray cluster's address (default: a local Ray instance for the sweep)")
    s.add_argument("--cpus-per-trial", type=int, default=1)
    s.add_argument("--out", required=True)
    s = sub.add_parser("predict", help="predict with a trained run")
    s.add_argument("--run", required=True)
    s.add_argument("inputs", nargs="+", metavar="INPUT")
    s.add_argument("--beam", type=int, default=1, help="beam width for translation/captioning")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("export-code", help="write one self-contained Python file that reproduces a run")
    s.add_argument("--run", metavar="DIR", help="a run directory written by train --out")
    s.add_argument("--task")
    s.add_argument("--arch")
    s.add_argument("--preset")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    s.add_argument("--out", required=True, metavar="FILE.py")
    s = sub.add_parser("bench", help="measure training speed and quality; prints a table")
    s.add_argument("--quick", action="store_true")
    s.add_argument("--out", help="also write the results as JSON here")
    s.add_argument("--tasks", help="comma-separated task names (default: all)")
    s.add_argument(
        "--cells",
        metavar="THREADS",
        help="only the explicit cells against the fused kernels, on these torch thread counts (e.g. 1,2)",
    )
    s.add_argument("--processes", type=int, default=5, help="with --cells: fresh processes per thread count")
    s.add_argument(
        "--archs", help="with --seeds: comma-separated architectures (default: every compatible one)"
    )
    s.add_argument(
        "--seeds",
        type=int,
        default=0,
        help="train every architecture with seeds 0..N-1 and print mean and spread (instead of one run)",
    )
    s.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="with --seeds: also try each of these values of a setting (repeatable), e.g. embedding=random,glove",
    )
    return p


def cmd_list(args: argparse.Namespace) -> int:
    from core.registry import archs, compatible, tasks

    data = {
        "tasks": [
            {
                "name": t.name,
                "title": t.title,
                "objective": t.objective,
                "architectures": compatible(t.name),
                "metric": t.primary.name,
                "higher_is_better": t.primary.higher_is_better,
            }
            for t in tasks().values()
        ],
        "architectures": [
            {
                "name": a.name,
                "title": a.title,
                "objectives": sorted(a.objectives),
                "presets": sorted(a.presets),
            }
            for a in archs().values()
        ],
    }
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print("tasks:")
        for t in data["tasks"]:
            print(f"  {t['name']:<14} {t['metric']:<12} {', '.join(t['architectures'])}")
        print("architectures:")
        for a in data["architectures"]:
            print(f"  {a['name']:<20} {', '.join(a['objectives'])}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from core.models.base import count_params
    from core.registry import build, make_config

    cfg = make_config(args.arch, parse_assignments(args.set), preset=args.preset)
    params = count_params(build(args.arch, cfg))
    out = {"arch": args.arch, "preset": args.preset, "config": dataclasses.asdict(cfg), "params": params}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{args.arch}: {params:,} parameters")
        for k, v in out["config"].items():
            print(f"  {k} = {v}")
    return 0


def _progress(total: int):
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="step", file=sys.stderr, dynamic_ncols=True)


def _executor(args: argparse.Namespace):
    """The executor that --executor / --address (or the environment) ask for; inline by default."""
    from core.execution import make_executor

    name = args.executor or (
        "ray" if args.address or os.environ.get("SEQUENCE_LAB_RAY_ADDRESS") else "inline"
    )
    if args.address and name != "ray":
        raise ConfigError("--address is a Ray cluster's address: use it with --executor ray")
    if name == "ray":
        return make_executor(
            "ray", address=args.address or os.environ.get("SEQUENCE_LAB_RAY_ADDRESS") or None
        )
    return make_executor(name, slots=1) if name == "local" else make_executor(name)


def cmd_train(args: argparse.Namespace) -> int:
    from core.events import Epoch, Started, Step
    from core.execution import Job
    from core.runspec import plan, write_run
    from core.train import set_threads

    settings: dict[str, Any] = parse_assignments(args.set)
    for key, val in (
        ("epochs", args.epochs),
        ("seed", args.seed),
        ("device", args.device),
        ("max_seconds", args.max_seconds),
    ):
        if val is not None:
            settings[f"train.{key}"] = val
    upload = None
    if args.upload:
        path = Path(args.upload)
        if not path.is_file():
            raise ConfigError(f"--upload: no such file {path}")
        upload = path.read_bytes()
    if args.resume:
        from core.checkpoint import load_dir
        from core.runspec import resume

        if args.task or args.arch or args.preset:
            raise ConfigError("--resume takes the task, architecture and preset from the saved run")
        if args.seed is not None:
            raise ConfigError("--resume keeps the saved seed (it decides the data split)")
        spec = resume(load_dir(args.resume), settings, upload=upload)
    else:
        if not args.task or not args.arch:
            raise ConfigError("train needs --task and --arch (or --resume DIR)")
        spec = plan(args.task, args.arch, settings, preset=args.preset, upload=upload)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a directory")
    set_threads()
    executor = _executor(args)
    try:
        handle = executor.submit(Job.single(spec))
        bar = None
        events: list[Any] = []
        for _, ev in handle.follow():
            events.append(ev)
            if isinstance(ev, Started):
                bar = _progress(ev.total_steps)
            elif isinstance(ev, Step) and bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{ev.loss:.4f}", epoch=ev.epoch)
            elif isinstance(ev, Epoch) and bar is not None:
                m = spec.task.primary.name
                bar.write(
                    f"epoch {ev.epoch}: train loss {ev.train_loss:.4f}, val {m} {ev.val.get(m, float('nan')):.4f}"
                )
        if bar is not None:
            bar.close()
        if handle.error is not None:
            if handle.error.unexpected:
                print(handle.error.detail or handle.error.message, file=sys.stderr)
            raise ConfigError(handle.error.message)
    finally:
        executor.shutdown()  # a Ray instance started for this run ends with it, its agents too
    model = handle.model("model")
    finished = handle.finished("model")
    if model is None or finished is None:
        raise ConfigError("training ended before a model could be kept")
    metrics = write_run(out, spec, model, events)
    primary = spec.task.primary
    if finished.reason == "diverged":
        print(finished.message, file=sys.stderr)
    value = metrics["primary"]["value"]
    shown = f"{value:.4f}" if isinstance(value, float) else str(value)
    on = f" on {handle.where}" if handle.where else ""
    print(
        f"{spec.task.name}/{spec.arch}: test {primary.name} {shown} in {finished.elapsed_s:.1f} s{on} -> {out}"
    )
    return 0


def _read_input(task_objective: str, raw: str) -> Any:
    """A CSV path or comma-separated numbers for price series; an image file for captioning; text otherwise."""
    if task_objective == "caption":
        import numpy as np
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(raw) as im:
                return np.asarray(im.convert("RGB"))
        except (OSError, UnidentifiedImageError):
            raise ConfigError(f"{raw!r} is not an image file (PNG or JPEG)") from None
    if task_objective == "regress":
        p = Path(raw)
        if p.is_file():
            return p.read_bytes()
        try:
            return [float(v) for v in raw.replace(";", ",").split(",") if v.strip()]
        except ValueError:
            raise ConfigError(f"{raw!r} is neither a CSV file nor comma-separated prices") from None
    return raw


def cmd_predict(args: argparse.Namespace) -> int:
    from core.checkpoint import load_dir

    run = load_dir(args.run)
    inputs = [_read_input(run.task.objective, x) for x in args.inputs]
    kw = {"beam_width": args.beam} if run.task.objective in ("seq2seq",) and args.beam > 1 else {}
    results = run.data.predict(run.model, inputs, **kw)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False, default=_jsonable))
    else:
        for raw, res in zip(args.inputs, results):
            print(f"{raw} -> {_summary(res)}")
    return 0


def _jsonable(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    return str(o)


def _summary(res: dict[str, Any]) -> str:
    if "text" in res and "prompt" in res:  # written text: the start, then what the model wrote
        return res["prompt"] + res["text"]
    for key in ("translation", "caption", "label", "key", "forecast"):
        if key in res:
            val = res[key]
            probs = res.get("probs") or res.get("probabilities")
            if key in ("label", "key") and probs:
                return f"{val} ({probs.get(val, float('nan')):.1%})"
            if key == "forecast":
                return ", ".join(f"{v:.2f}" for v in val)
            return str(val)
    return json.dumps(res, default=_jsonable, ensure_ascii=False)


def cmd_bench(args: argparse.Namespace) -> int:
    from core.bench import main as bench_main
    from core.bench import main_cells, main_seeds

    tasks = args.tasks.split(",") if args.tasks else None
    if args.cells:
        try:
            threads = [int(n) for n in args.cells.split(",")]
        except ValueError:
            threads = []
        if not threads or min(threads) < 1 or args.processes < 1:
            print(
                "error: --cells takes thread counts such as 1,2 and --processes at least 1", file=sys.stderr
            )
            return 2
        return main_cells(threads, args.processes, out=args.out)
    if args.seeds > 0:
        vary: dict[str, list[str]] = {}
        for item in args.vary:
            key, sep, values = item.partition("=")
            if not sep or not key.strip() or not values.strip():
                print(f"error: --vary {item!r}: write KEY=V1,V2", file=sys.stderr)
                return 2
            vary[key.strip()] = [v.strip() for v in values.split(",") if v.strip()]
        archs = args.archs.split(",") if args.archs else None
        return main_seeds(args.seeds, vary, out=args.out, tasks=tasks, archs=archs)
    if args.vary:
        print("error: --vary needs --seeds N", file=sys.stderr)
        return 2
    return bench_main(quick=args.quick, out=args.out, tasks=tasks)


def cmd_sweep(args: argparse.Namespace) -> int:
    from core.sweep import parse_grid, tune_sweep

    base = parse_assignments(args.set)
    grid = parse_grid(args.task, args.arch, args.grid)
    res = tune_sweep(
        args.task,
        args.arch,
        base,
        grid,
        args.out,
        samples=args.samples,
        scheduler=args.scheduler,
        address=args.address,
        cpus_per_trial=args.cpus_per_trial,
    )
    name = res["metric"]["name"]
    for t in res["trials"]:
        value = (t.get("metrics") or {}).get(name)
        shown = f"{value:.4f}" if isinstance(value, float) else "-"
        print(f"{t['name']:40s} test {name} {shown:>8s}  {t['status']}")
    best = res["best"]
    if best is None:
        print("no trial finished", file=sys.stderr)
        return 1
    print(
        f"best: {best['name']} (test {name} {best['metrics'][name]:.4f}) -> {Path(args.out) / 'sweep.json'}"
    )
    return 0


def cmd_export_code(args: argparse.Namespace) -> int:
    from core.export_code import export_code, plan_for_export, plan_from_run

    if args.run:
        if args.task or args.arch or args.preset or args.set:
            raise ConfigError("--run takes the task, architecture and settings from the saved run")
        spec = plan_from_run(args.run)
    else:
        if not args.task or not args.arch:
            raise ConfigError("export-code needs --run DIR, or --task and --arch")
        spec = plan_for_export(args.task, args.arch, parse_assignments(args.set), args.preset)
    out = Path(args.out)
    if out.is_dir():
        raise ConfigError(f"--out {out} is a directory; give a file name such as run.py")
    code = export_code(spec)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(code, encoding="utf-8")
    print(f"{spec.task.name}/{spec.arch}: {len(code.splitlines()):,} lines -> {out} (run it: python {out})")
    return 0


def main(argv: list[str] | None = None) -> int:
    from core.checkpoint import CheckpointError
    from core.tasks.base import DataError

    try:
        args = _parser().parse_args(argv)
        return {
            "list": cmd_list,
            "info": cmd_info,
            "train": cmd_train,
            "predict": cmd_predict,
            "bench": cmd_bench,
            "sweep": cmd_sweep,
            "export-code": cmd_export_code,
        }[args.cmd](args)
    except (UsageError, ConfigError, DataError, CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
