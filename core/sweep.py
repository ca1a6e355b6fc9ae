"""Hyperparameter sweeps: the same run trained over a grid of settings, and the best one found.

``python -m core sweep`` runs the grid on Ray Tune (:func:`tune_sweep`: trials spread over a Ray
cluster's CPUs, optional random repeats and ASHA early stopping); the app's Compare page runs a
grid through the executor (:func:`grid_jobs`), so it also works on one machine without Ray. Both
describe a sweep the same way (:func:`parse_grid`, :func:`points`) and summarise it in the same
shape (:func:`summary`), the content of ``sweep.json``::

    {"task": ..., "arch": ..., "metric": {"name": ..., "higher_is_better": ...},
     "grid": {key: [values]}, "trials": [{"name", "settings", "metrics", "status"}], "best": {...}}
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from core.config import ConfigError, describe, parse_value
from core.registry import get_arch, get_task
from core.runspec import SECTIONS, RunSpec, plan, split_settings
from core.train import TrainConfig

MAX_TRIALS = 256  # a grid larger than this is refused (a typo like lr=1,2,...,1000)


def parse_grid(task_name: str, arch: str, items: Sequence[str]) -> dict[str, list[Any]]:
    """``["train.lr=0.001,0.003", "hidden_size=32,64"]`` -> ``{"train.lr": [0.001, 0.003], ...}``.

    Each key must be a setting of the task, the architecture or training (as in ``--set``); each
    value is checked against the field's type and range, so a bad grid fails before anything runs.
    """
    task = get_task(task_name)
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or not raw.strip():
            raise ConfigError(f"--grid {item!r}: write it as name=value1,value2,...")
        values = [v.strip() for v in raw.split(",") if v.strip()]
        parts = split_settings(task, arch, {key: values[0]})  # unknown names are refused here
        section = next(s for s in SECTIONS if parts[s])
        name = next(iter(parts[section]))
        cls = {"task": task.options, "train": TrainConfig, "model": get_arch(arch).config}[section]
        info = {f.name: f for f in describe(cls)}[name]
        if info.data:
            raise ConfigError(f"{name} comes from the task's data and cannot be swept")
        full = f"{section}.{name}"
        if full in grid:
            raise ConfigError(f"--grid names {full} twice")
        parsed = [parse_value(info, v) for v in values]
        if len(set(map(str, parsed))) != len(parsed):
            raise ConfigError(f"--grid {full}: a value is listed twice")
        grid[full] = parsed
    if not grid:
        raise ConfigError("a sweep needs at least one --grid name=value1,value2,...")
    n = math.prod(len(v) for v in grid.values())
    if n > MAX_TRIALS:
        raise ConfigError(f"the grid has {n} points, more than {MAX_TRIALS}; use fewer values")
    return grid


def points(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, first key slowest."""
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


def trial_name(point: dict[str, Any]) -> str:
    """``lr=0.001 hidden_size=64``: the point's settings without their sections."""
    return " ".join(f"{k.rpartition('.')[2]}={_fmt(v)}" for k, v in point.items())


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def grid_specs(
    task_name: str, arch: str, base: dict[str, Any], grid: dict[str, list[Any]]
) -> list[tuple[str, dict[str, Any], RunSpec]]:
    """(name, point, planned spec) for every point of the grid (the tasks cache their built-in
    data, so points with the same task settings share it)."""
    out = []
    for point in points(grid):
        spec = plan(task_name, arch, {**base, **point})
        out.append((trial_name(point), point, spec))
    return out


def summary(
    task_name: str,
    arch: str,
    grid: dict[str, list[Any]],
    trials: Iterable[dict[str, Any]],
) -> dict[str, Any]:
    """The sweep.json content: every trial and the best one by the task's primary test metric."""
    primary = get_task(task_name).primary
    rows = list(trials)
    scored = [
        t for t in rows if t.get("status") == "done" and _finite((t.get("metrics") or {}).get(primary.name))
    ]
    best = None
    if scored:
        pick = max if primary.higher_is_better else min
        best = pick(scored, key=lambda t: t["metrics"][primary.name])
    return {
        "task": task_name,
        "arch": arch,
        "metric": {"name": primary.name, "higher_is_better": primary.higher_is_better},
        "grid": grid,
        "trials": rows,
        "best": best,
    }


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


# ---------------------------------------------------------------------------------------------
# Ray Tune
# ---------------------------------------------------------------------------------------------


def _trial(config: dict[str, Any]) -> None:  # a Ray Tune function trainable
    """Plan, train and save one trial; report the validation metric after every epoch."""
    import torch
    from ray import tune

    from core.events import Epoch, Finished
    from core.runspec import write_run
    from core.train import train

    torch.set_num_threads(max(1, int(config["_threads"])))
    point = config["point"]
    spec = plan(config["task"], config["arch"], {**config["base"], **point})
    torch.manual_seed(spec.train_cfg.seed)
    model = spec.build()
    metric = spec.task.primary.name
    events: list[Any] = []
    for ev in train(model, spec.data, spec.task, spec.train_cfg):
        events.append(ev)
        if isinstance(ev, Epoch):
            tune.report({"val_" + metric: ev.val.get(metric, float("nan")), "epoch": ev.epoch, "done": False})
        elif isinstance(ev, Finished):
            out = Path(config["out"]) / "trials" / tune.get_context().get_trial_id()
            metrics = write_run(out, spec, model, events)
            tune.report(
                {
                    "val_" + metric: events[-2].val.get(metric, float("nan"))
                    if len(events) > 1 and isinstance(events[-2], Epoch)
                    else float("nan"),
                    "test": metrics["test"],
                    "reason": ev.reason,
                    "run_dir": str(out),
                    "done": True,
                }
            )


def tune_sweep(
    task_name: str,
    arch: str,
    base: dict[str, Any],
    grid: dict[str, list[Any]],
    out: str | Path,
    *,
    samples: int = 1,
    scheduler: str | None = None,
    address: str | None = None,
    cpus_per_trial: int = 1,
) -> dict[str, Any]:
    """Run the grid on Ray Tune (``samples`` repeats of each point, each with its own seed when the
    seed is not in the grid) and write ``out/sweep.json`` and one run directory per trial under
    ``out/trials``. With no ``address`` a local Ray instance is started for the sweep."""
    if samples < 1:
        raise ConfigError("--samples must be at least 1")
    if scheduler not in (None, "asha"):
        raise ConfigError(f"unknown scheduler {scheduler!r}; valid: asha")
    grid_specs(task_name, arch, base, {k: v[:1] for k, v in grid.items()})  # settings valid: fail early
    from core.ray_backend import connected

    with connected(address):  # with no address, an instance of its own that ends with the sweep
        from ray import tune
        from ray.tune.schedulers import ASHAScheduler

        out = Path(out).resolve()
        out.mkdir(parents=True, exist_ok=True)
        primary = get_task(task_name).primary
        metric = "val_" + primary.name
        mode = "max" if primary.higher_is_better else "min"
        seeded = "train.seed" in grid
        space: dict[str, Any] = {
            "task": task_name,
            "arch": arch,
            "out": str(out),
            "_threads": cpus_per_trial,
            "point": tune.grid_search(points(grid)),
            "base": {**base} if seeded or samples == 1 else tune.sample_from(lambda _: _seeded(base)),
        }
        sched = None
        if scheduler == "asha":
            epochs = int(plan(task_name, arch, base).train_cfg.epochs)
            sched = ASHAScheduler(time_attr="epoch", max_t=max(1, epochs), grace_period=1, reduction_factor=2)
        tuner = tune.Tuner(
            tune.with_resources(_trial, {"cpu": cpus_per_trial}),
            param_space=space,
            tune_config=tune.TuneConfig(metric=metric, mode=mode, num_samples=samples, scheduler=sched),
            run_config=tune.RunConfig(
                name=f"sweep-{int(time.time())}", storage_path=str(out / "tune"), verbose=0
            ),
        )
        grid_result = tuner.fit()
        trials = []
        for r in grid_result:
            cfg = r.config or {}
            point = dict(cfg.get("point") or {})
            seed = (cfg.get("base") or {}).get("train.seed")
            settings = {**point, **({"train.seed": seed} if seed is not None and samples > 1 else {})}
            m = r.metrics or {}
            done = bool(m.get("done"))
            status = "error" if r.error else ("done" if done else "stopped early")
            trials.append(
                {
                    "name": trial_name(point),
                    "settings": settings,
                    "metrics": dict(m.get("test") or {}),
                    "val": m.get(metric),
                    "epochs": m.get("epoch"),
                    "status": status,
                    "reason": m.get("reason"),
                    "run_dir": m.get("run_dir"),
                    "error": str(r.error).splitlines()[0] if r.error else None,
                }
            )
        result = summary(task_name, arch, grid, trials)
        (out / "sweep.json").write_text(json.dumps(result, indent=2, default=str))
        return result


def _seeded(base: dict[str, Any]) -> dict[str, Any]:
    import random

    return {**base, "train.seed": random.randrange(2**31 - 1)}
