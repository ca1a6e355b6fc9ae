"""Races: train several models on the same task, data, seed and time budget, and compare them.

The app's Compare page overlays the entrants' loss curves and tabulates their final metric,
size, time and throughput; the positional-encoding page runs the same race between one
Transformer encoder with sinusoidal, learned and no positional encoding.

Every entrant is a :class:`Lane` built through the same path as a single run
(:func:`core.runspec.plan`, then the registry's builder) and trained by :func:`core.train.train`,
one after the other (so each one gets the whole machine and its timing is fair). All lanes share
one :class:`~core.tasks.base.TaskData` (identical splits), the training seed (the same batch
order for the same batch size, and a model initialisation seeded the same way) and the time budget
(``TrainConfig.max_seconds``).

A race of variants (:func:`variant_specs`) trains one architecture with a few settings changed
between the lanes, e.g. the sentiment page's "does starting from GloVe help?": the same
settings with the word embedding starting from random numbers and from GloVe.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from core.config import ConfigError, describe
from core.events import Event, Finished, Started, Step
from core.models.positional import POSITIONAL_KINDS
from core.registry import archs, get_arch, get_task
from core.runspec import RunSpec, plan
from core.tasks.base import Task, TaskData
from core.train import StopSignal, TrainConfig, train

PE_TASK, PE_ARCH = "word-order", "transformer-encoder"


def _stopped(stop: StopSignal) -> bool:
    if stop is None:
        return False
    return stop.is_set() if isinstance(stop, threading.Event) else bool(stop())


@dataclass
class Lane:
    """One entrant: its name in the race (the architecture, or a variant), its run and its model."""

    name: str
    spec: RunSpec
    model: nn.Module


def _model_fields(arch: str) -> set[str]:
    return {f.name for f in describe(get_arch(arch).config)}


def _settings_for(task_name: str, arch: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The shared settings that apply to ``arch``.

    Task and training settings apply to every entrant. A model setting applies to the entrants
    whose architecture has it (``hidden_size`` to recurrent ones, ``d_model`` to Transformers) and
    is skipped for the others; a key that no architecture knows is kept, so that plan() refuses it.
    """
    task = get_task(task_name)
    common = {f.name for f in describe(task.options)} | {f.name for f in describe(TrainConfig)}
    mine = _model_fields(arch)
    any_model = set().union(*(_model_fields(a) for a in archs()))
    out = {}
    for key, value in settings.items():
        section, _, name = key.rpartition(".")
        if section in ("task", "train") or name in common or name in mine or name not in any_model:
            out[key] = value
    return out


def _specs(
    task_name: str,
    entrants: Sequence[tuple[str, str, dict[str, Any]]],
    settings: dict[str, Any] | None,
    budget_seconds: float,
    seed: int,
) -> list[tuple[str, RunSpec]]:
    """Plan one run per (name, architecture, own overrides), all on the first one's data."""
    if not entrants:
        raise ConfigError("a race needs at least one entrant")
    names = [n for n, _, _ in entrants]
    if len(set(names)) != len(names):
        raise ConfigError(f"entrants must have different names, got {', '.join(names)}")
    if budget_seconds < 0 or not math.isfinite(budget_seconds):
        raise ConfigError(f"the time budget must be a number of seconds >= 0, got {budget_seconds}")
    specs: list[tuple[str, RunSpec]] = []
    for name, arch, own in entrants:
        shared = _settings_for(task_name, arch, dict(settings or {}))
        run = {**shared, **own, "train.seed": seed, "train.max_seconds": budget_seconds}
        run = {k: v for k, v in run.items() if k not in ("seed", "max_seconds")}
        spec = plan(task_name, arch, run)
        if specs:
            first = specs[0][1]
            if spec.task_opts != first.task_opts:
                raise ConfigError("every entrant of a race must use the same task settings")
            spec.data = first.data  # one set of splits for everyone
        specs.append((name, spec))
    return specs


def build_lanes(specs: Sequence[tuple[str, RunSpec]]) -> list[Lane]:
    """Each run's model, built after seeding with its own training seed (the same for a race's
    entrants, so each one starts from the same seeded initialisation)."""
    lanes = []
    for name, spec in specs:
        torch.manual_seed(spec.train_cfg.seed)
        lanes.append(Lane(name, spec, spec.build()))
    return lanes


def race_specs(
    task_name: str,
    archs: Sequence[str],
    settings: dict[str, Any] | None = None,
    budget_seconds: float = 60.0,
    seed: int = 0,
    *,
    per_arch: dict[str, dict[str, Any]] | None = None,
) -> list[tuple[str, RunSpec]]:
    """The runs of :func:`race`, planned (data loaded, nothing built): (architecture, spec) pairs.

    ``settings`` are shared key=value settings as in :func:`core.runspec.plan` (model settings go to
    the entrants that have them); ``per_arch`` adds settings for one architecture only. Each
    entrant starts from its task's default settings for that architecture.
    """
    per_arch = dict(per_arch or {})
    stray = sorted(set(per_arch) - set(archs))
    if stray:
        raise ConfigError(f"per_arch names {', '.join(stray)}, which are not in the race")
    return _specs(
        task_name, [(a, a, dict(per_arch.get(a, {}))) for a in archs], settings, budget_seconds, seed
    )


def race_lanes(
    task_name: str,
    archs: Sequence[str],
    settings: dict[str, Any] | None = None,
    budget_seconds: float = 60.0,
    seed: int = 0,
    *,
    per_arch: dict[str, dict[str, Any]] | None = None,
) -> list[Lane]:
    """The lanes of :func:`race`, built and ready (the caller keeps the models after training)."""
    return build_lanes(race_specs(task_name, archs, settings, budget_seconds, seed, per_arch=per_arch))


def variant_specs(
    task_name: str,
    arch: str,
    variants: Sequence[tuple[str, dict[str, Any]]],
    *,
    preset: str | None = None,
    upload: bytes | None = None,
    prepare: Callable[[type[Task], Any, int, bytes | None], TaskData] | None = None,
) -> list[tuple[str, RunSpec]]:
    """One run per (name, settings) of one architecture: variants of one setup that differ in a few
    settings (a task page's settings with its word embedding starting random or from GloVe).

    Each variant is planned as a single run would be, so the settings are used as they are (the
    caller keeps everything else equal, the seed included). A variant that changes the task's
    options gets data of its own, prepared with the same seed: the same split into train,
    validation and test; variants with equal task options share one prepared dataset.
    """
    if not variants:
        raise ConfigError("a race needs at least one entrant")
    names = [n for n, _ in variants]
    if len(set(names)) != len(names):
        raise ConfigError(f"entrants must have different names, got {', '.join(names)}")
    specs: list[tuple[str, RunSpec]] = []
    for name, settings in variants:
        spec = plan(task_name, arch, dict(settings), preset=preset, upload=upload, prepare=prepare)
        same = next((s for _, s in specs if s.task_opts == spec.task_opts), None)
        if same is not None:
            spec.data = same.data
        specs.append((name, spec))
    return specs


def pe_specs(
    settings: dict[str, Any] | None = None,
    budget_seconds: float = 30.0,
    seed: int = 0,
    kinds: Sequence[str] = POSITIONAL_KINDS,
) -> list[tuple[str, RunSpec]]:
    """The runs of :func:`pe_ablation`: one Transformer encoder per positional-encoding kind."""
    bad = [k for k in kinds if k not in POSITIONAL_KINDS]
    if bad:
        raise ConfigError(
            f"unknown positional encoding {', '.join(bad)}; valid: {', '.join(POSITIONAL_KINDS)}"
        )
    shared = {k: v for k, v in (settings or {}).items() if k.rpartition(".")[2] != "pos_encoding"}
    entrants = [(k, PE_ARCH, {"model.pos_encoding": k}) for k in kinds]
    return _specs(PE_TASK, entrants, shared, budget_seconds, seed)


def pe_lanes(
    settings: dict[str, Any] | None = None,
    budget_seconds: float = 30.0,
    seed: int = 0,
    kinds: Sequence[str] = POSITIONAL_KINDS,
) -> list[Lane]:
    """The lanes of :func:`pe_ablation`, built and ready."""
    return build_lanes(pe_specs(settings, budget_seconds, seed, kinds))


def run_lanes(lanes: Sequence[Lane], stop: StopSignal = None) -> Iterator[tuple[str, Event]]:
    """Train the lanes one after the other, yielding (lane name, event).

    Each lane's events end with its own Finished event. When ``stop`` is set, the lane in training
    finishes with reason "stopped" and the lanes after it are not run.
    """
    for lane in lanes:
        if _stopped(stop):
            return
        s = lane.spec
        for event in train(lane.model, s.data, s.task, s.train_cfg, stop):
            yield lane.name, event
        if _stopped(stop):
            return


def race(
    task_name: str,
    archs: Sequence[str],
    settings: dict[str, Any] | None = None,
    budget_seconds: float = 60.0,
    seed: int = 0,
    *,
    per_arch: dict[str, dict[str, Any]] | None = None,
    stop: StopSignal = None,
) -> Iterator[tuple[str, Event]]:
    """Train every architecture in ``archs`` on the same task, data, seed and time budget.

    Yields (architecture, event) for each training event, architecture after architecture (see
    :func:`race_lanes` for the settings and :func:`summary` for the results table). A budget of
    0 seconds means no time limit (the epochs decide).
    """
    yield from run_lanes(
        race_lanes(task_name, archs, settings, budget_seconds, seed, per_arch=per_arch), stop
    )


def pe_ablation(
    settings: dict[str, Any] | None = None,
    budget_seconds: float = 30.0,
    seed: int = 0,
    *,
    kinds: Sequence[str] = POSITIONAL_KINDS,
    stop: StopSignal = None,
) -> Iterator[tuple[str, Event]]:
    """Train the Transformer encoder on word order with each positional encoding; yields (kind, event).

    Without positions the encoder cannot tell "x A y B" from "x B y A" (same tokens), so it stays
    at chance; with sinusoidal or learned positions it learns the task.
    """
    yield from run_lanes(pe_lanes(settings, budget_seconds, seed, kinds), stop)


def summary(task_name: str, history: Iterable[tuple[str, Event]]) -> list[dict[str, Any]]:
    """One row per entrant, in order of appearance, from the (name, event) pairs of a race.

    Columns: name, metric (the task's primary test metric, NaN until finished) and metric_name
    (e.g. "accuracy"), params, seconds,
    steps, tokens_per_s (the last step's running average), final_loss (last training step),
    reason (why training ended, "" while running).
    """
    primary = get_task(task_name).primary.name
    rows: dict[str, dict[str, Any]] = {}
    for name, ev in history:
        row = rows.setdefault(
            name,
            {
                "name": name,
                "metric": float("nan"),
                "metric_name": primary,
                "params": 0,
                "seconds": 0.0,
                "steps": 0,
                "tokens_per_s": float("nan"),
                "final_loss": float("nan"),
                "reason": "",
            },
        )
        if isinstance(ev, Started):
            row["params"] = ev.params
        elif isinstance(ev, Step):
            row.update(steps=ev.step, seconds=ev.elapsed_s, tokens_per_s=ev.tokens_per_s, final_loss=ev.loss)
        elif isinstance(ev, Finished):
            row.update(seconds=ev.elapsed_s, steps=ev.step, reason=ev.reason)
            row["metric"] = ev.test.get(primary, float("nan"))
    return list(rows.values())
