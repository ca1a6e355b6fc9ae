"""From names and key=value settings to a validated, ready-to-train run (the CLI and the app share it).

Settings live in three frozen configs: the task's options, the architecture's model config and
:class:`core.train.TrainConfig`. A key may be written plainly (``hidden_size=64``) or with its
section (``model.hidden_size=64``, ``task.lookback=20``, ``train.lr=0.001``).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torch import Tensor, nn

from core.config import ConfigError, describe, resolve
from core.events import Event, Finished, Started, to_json
from core.registry import build, check_pair, get_arch, get_task, make_config
from core.tasks.base import Task, TaskData
from core.train import TrainConfig

if TYPE_CHECKING:
    from core.checkpoint import Loaded

SECTIONS = ("task", "model", "train")


@dataclass
class RunSpec:
    """Everything about a run except the trained weights."""

    task: type[Task]
    arch: str
    task_opts: Any
    model_cfg: Any
    train_cfg: TrainConfig
    data: TaskData
    preset: str | None = None
    init: dict[str, Tensor] | None = None  # weights to start from (continuing a saved model)

    def build(self) -> nn.Module:
        model = build(self.arch, self.model_cfg)
        if self.init is not None:
            model.load_state_dict(self.init, strict=True)
        else:
            self.data.init_model(model)
        return model

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task.name,
            "arch": self.arch,
            "preset": self.preset,
            "task_options": dataclasses.asdict(self.task_opts),
            "model": dataclasses.asdict(self.model_cfg),
            "train": dataclasses.asdict(self.train_cfg),
        }


def split_settings(task: type[Task], arch: str, settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Sort key=value settings into task / model / train sections; unknown keys are refused."""
    fields = {
        "task": {f.name for f in describe(task.options)},
        "model": {f.name for f in describe(get_arch(arch).config)},
        "train": {f.name for f in describe(TrainConfig)},
    }
    out: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    for key, value in settings.items():
        section, _, name = key.rpartition(".")
        if section:
            if section not in SECTIONS or name not in fields[section]:
                valid = (
                    ", ".join(sorted(fields.get(section, set())))
                    if section in SECTIONS
                    else ", ".join(SECTIONS)
                )
                raise ConfigError(f"unknown setting {key!r}; valid: {valid}")
            out[section][name] = value
            continue
        hits = [s for s in ("train", "task", "model") if name in fields[s]]
        if not hits:
            valid = sorted(fields["task"] | fields["model"] | fields["train"])
            raise ConfigError(f"unknown setting {key!r}; valid settings: {', '.join(valid)}")
        out[hits[0]][name] = value
    return out


def plan(
    task_name: str,
    arch: str,
    settings: dict[str, Any] | None = None,
    *,
    preset: str | None = None,
    upload: bytes | None = None,
    prepare: Callable[[type[Task], Any, int, bytes | None], TaskData] | None = None,
) -> RunSpec:
    """Resolve every setting, load and encode the data, and return a RunSpec (nothing trained).

    ``prepare(task, opts, seed, upload)`` replaces ``task.prepare`` (the app passes one that
    caches uploads across reruns).
    """
    check_pair(task_name, arch)
    task = get_task(task_name)
    parts = split_settings(task, arch, dict(settings or {}))
    model_defaults, train_defaults = task.defaults(arch)
    train_cfg = resolve(TrainConfig, {**train_defaults, **parts["train"]})
    task_opts = resolve(task.options, parts["task"])
    if prepare is None:
        data = task.prepare(task_opts, seed=train_cfg.seed, upload=upload)
    else:
        data = prepare(task, task_opts, train_cfg.seed, upload)
    data_keys = {f.name for f in describe(get_arch(arch).config) if f.data}
    clash = sorted(set(parts["model"]) & data_keys)
    if clash:
        raise ConfigError(f"{', '.join(clash)} come from the task's data and cannot be set for training")
    base = {} if preset else {k: v for k, v in model_defaults.items() if k not in get_arch(arch).pinned}
    model_cfg = make_config(arch, {**base, **parts["model"]}, preset=preset, data_fields=data.model_fields)
    task.check_model(model_cfg)
    return RunSpec(task, arch, task_opts, model_cfg, train_cfg, data, preset)


def resume(
    loaded: Loaded,
    settings: dict[str, Any] | None = None,
    *,
    upload: bytes | None = None,
    prepare: Callable[[type[Task], Any, int, bytes | None], TaskData] | None = None,
) -> RunSpec:
    """A run that continues training a saved model from its weights.

    The task options and the model config are the saved ones; the data is prepared again with
    them and the saved seed, so the split and the vocabulary (or scaler) are the ones the model
    learned with: when they come out different (another upload, new days from Yahoo Finance) the
    run is refused, since the model's token ids or scale would mean something else. ``settings``
    may change the training only (``epochs=3``, ``train.lr=0.0005``); the seed stays the saved one.
    """
    task = loaded.task
    parts = split_settings(task, loaded.arch, dict(settings or {}))
    if parts["task"] or parts["model"]:
        keys = ", ".join(sorted([*parts["task"], *parts["model"]]))
        raise ConfigError(
            f"{keys}: a saved model keeps its data and model settings; only training settings change"
        )
    train_names = {f.name for f in describe(TrainConfig)}
    saved = {k: v for k, v in (loaded.train or {}).items() if k in train_names}
    seed = int(saved.get("seed", 0))
    train_cfg = resolve(TrainConfig, {**saved, **parts["train"], "seed": seed})
    if prepare is None:
        data = task.prepare(loaded.task_opts, seed=seed, upload=upload)
    else:
        data = prepare(task, loaded.task_opts, seed, upload)
    same_fields = all(getattr(loaded.model_cfg, k, v) == v for k, v in data.model_fields.items())
    same_state = json.dumps(data.state(), sort_keys=True, default=str) == json.dumps(
        loaded.data.state(), sort_keys=True, default=str
    )
    if not (same_fields and same_state):
        raise ConfigError(
            "this model was trained on different data (its vocabulary or scale differs from what "
            "the saved settings give now); it can still predict, but it cannot continue training here"
        )
    init = {k: v.detach().clone() for k, v in loaded.model.state_dict().items()}
    preset = loaded.meta.get("preset") if isinstance(loaded.meta, dict) else None
    return RunSpec(task, loaded.arch, loaded.task_opts, loaded.model_cfg, train_cfg, data, preset, init)


def run_metrics(spec: RunSpec, started: Started | None, finished: Finished | None, n_params: int = 0) -> dict:
    """The summary of a run (metrics.json, and the checkpoint's "metrics"): what ended it, the test
    metrics, the baselines, and the primary metric with its direction."""
    primary = spec.task.primary
    return {
        "task": spec.task.name,
        "arch": spec.arch,
        "params": started.params if started else n_params,
        "train_seconds": finished.elapsed_s if finished else None,
        "device": started.device if started else None,
        "reason": finished.reason if finished else None,
        "message": finished.message if finished else None,
        "primary": {
            "name": primary.name,
            "value": (finished.test or {}).get(primary.name) if finished else None,
            "higher_is_better": primary.higher_is_better,
        },
        "test": finished.test if finished else {},
        "baselines": finished.baselines if finished else {},
    }


def write_run(out: str | Path, spec: RunSpec, model: nn.Module, events: list[Event]) -> dict[str, Any]:
    """Write a run directory: config.json + model.safetensors (the checkpoint), history.jsonl (one
    event per line) and metrics.json. Written beside ``out`` first and moved into place, so a
    run directory is never half-written. Returns the metrics."""
    from core.checkpoint import config_json, save_dir

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} exists and is not a directory")
    started = next((e for e in events if isinstance(e, Started)), None)
    finished = next((e for e in reversed(events) if isinstance(e, Finished)), None)
    metrics = run_metrics(spec, started, finished)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".run-", dir=out.parent))
    try:
        with open(tmp / "history.jsonl", "w") as hist:
            for ev in events:
                hist.write(to_json(ev) + "\n")
        save_dir(tmp, model, config_json(spec.to_json(), spec.data.state(), metrics))
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2, default=float))
        if out.exists():
            shutil.rmtree(out)
        shutil.move(str(tmp), str(out))
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return metrics
