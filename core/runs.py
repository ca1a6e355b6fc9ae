"""From names and key=value settings to a validated, ready-to-train run (the CLI and the app share it).

Settings live in three frozen configs: the task's options, the architecture's model config and
:class:`core.train.TrainConfig`. A key may be written plainly (``hidden_size=64``) or with its
section (``model.hidden_size=64``, ``task.lookback=20``, ``train.lr=0.001``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import nn

from core.config import ConfigError, describe, resolve
from core.registry import build, check_pair, get_arch, get_task, make_config
from core.tasks.base import Prepared, Task
from core.train import TrainConfig

SECTIONS = ("task", "model", "train")


@dataclass
class RunSpec:
    """Everything about a run except the trained weights."""

    task: type[Task]
    arch: str
    task_opts: Any
    model_cfg: Any
    train_cfg: TrainConfig
    data: Prepared
    preset: str | None = None

    def build(self) -> nn.Module:
        return build(self.arch, self.model_cfg)

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
    prepare: Callable[[type[Task], Any, int, bytes | None], Prepared] | None = None,
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
    return RunSpec(task, arch, task_opts, model_cfg, train_cfg, data, preset)
