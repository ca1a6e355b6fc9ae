"""One registry that the CLI, the app and the tests all read.

architecture name -> (config dataclass, builder, task objectives it serves, pinned fields, presets):
each module of ``core/models`` declares its architectures in ``ARCHS`` beside the model
task name -> task class (see core.tasks)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from core.config import ConfigError, describe, resolve


@dataclass(frozen=True)
class Arch:
    name: str
    title: str
    config: type
    build: Callable[[Any], nn.Module]
    objectives: frozenset[str]
    summary: str = ""
    pinned: dict[str, Any] = field(default_factory=dict)  # fields this architecture fixes
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    restrict: dict[str, tuple] = field(default_factory=dict)  # narrower choices for some fields
    # architectures of one family share a task's tuned defaults unless the task names the
    # architecture itself (Task.tuned): "recurrent" for rnn/lstm/gru, else the name
    family: str = ""
    order: int = field(default=0, kw_only=True)  # its place in the app's and the CLI's lists

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", self.name)

    def default_config(self) -> Any:
        return dataclasses.replace(self.config(), **self.pinned)

    def knobs(self) -> list:
        """Config fields a user may change (not pinned by the architecture, not filled by data)."""
        return [
            dataclasses.replace(f, choices=self.restrict.get(f.name, f.choices))
            for f in describe(self.config)
            if f.name not in self.pinned and not f.data
        ]


# what the recurrent and encoder-only models serve: many-to-one (a class or numbers per sequence)
MANY_TO_ONE = frozenset({"classify", "regress"})


def _archs() -> dict[str, Arch]:
    """Every architecture a module of ``core/models`` declares in its ``ARCHS``, by ``Arch.order``:
    a new architecture is registered where its model is written."""
    import importlib
    import pkgutil

    import core.models

    found: list[Arch] = []
    for info in pkgutil.iter_modules(core.models.__path__):
        module = importlib.import_module(f"core.models.{info.name}")
        found.extend(vars(module).get("ARCHS", ()))
    names = [a.name for a in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"architectures declared twice in core/models: {', '.join(twice)}")
    return {a.name: a for a in sorted(found, key=lambda a: (a.order, a.name))}


_ARCHS: dict[str, Arch] | None = None


def archs() -> dict[str, Arch]:
    global _ARCHS
    if _ARCHS is None:
        _ARCHS = _archs()
    return _ARCHS


def get_arch(name: str) -> Arch:
    a = archs().get(name)
    if a is None:
        raise ConfigError(f"unknown architecture {name!r}; valid architectures: {', '.join(archs())}")
    return a


def tasks() -> dict[str, Any]:
    from core.tasks import task_classes

    return task_classes()


def get_task(name: str) -> Any:
    t = tasks().get(name)
    if t is None:
        raise ConfigError(f"unknown task {name!r}; valid tasks: {', '.join(tasks()) or '(none)'}")
    return t


def compatible(task_name: str) -> list[str]:
    """Architectures that serve a task, in registry order."""
    objective = get_task(task_name).objective
    return [a.name for a in archs().values() if objective in a.objectives]


def check_pair(task_name: str, arch_name: str) -> None:
    task, arch = get_task(task_name), get_arch(arch_name)
    if task.objective not in arch.objectives:
        raise ConfigError(
            f"architecture {arch_name!r} cannot serve task {task_name!r} ({task.objective}); "
            f"compatible: {', '.join(compatible(task_name))}"
        )


def make_config(
    arch_name: str,
    overrides: dict[str, Any] | None = None,
    preset: str | None = None,
    data_fields: dict[str, Any] | None = None,
) -> Any:
    """Resolve an architecture's config: defaults <- pinned <- preset <- data fields <- overrides.

    Overrides of pinned fields are refused; unknown keys and out-of-range values raise ConfigError.
    """
    arch = get_arch(arch_name)
    overrides = dict(overrides or {})
    for k in overrides:
        if k in arch.pinned and str(overrides[k]) != str(arch.pinned[k]):
            raise ConfigError(f"{k} is fixed to {arch.pinned[k]!r} by architecture {arch_name!r}")
    cfg = arch.default_config()
    if preset:
        if preset not in arch.presets:
            valid = ", ".join(arch.presets) or "(none)"
            raise ConfigError(f"unknown preset {preset!r} for {arch_name!r}; valid presets: {valid}")
        cfg = resolve(cfg, arch.presets[preset])
    if data_fields:
        names = {f.name for f in describe(cfg)}
        cfg = resolve(cfg, {k: v for k, v in data_fields.items() if k in names})
    cfg = resolve(cfg, overrides)
    for name, allowed in arch.restrict.items():
        if getattr(cfg, name) not in allowed:
            raise ConfigError(
                f"{name}: {getattr(cfg, name)!r} is not one of: {', '.join(allowed)} (for {arch_name!r})"
            )
    return cfg


def build(arch_name: str, cfg: Any) -> nn.Module:
    return get_arch(arch_name).build(cfg)
