"""Events that training yields. The app draws them live, the CLI prints them, tests read them.

Every event is a small dataclass with a ``type`` tag and turns into one JSON line via
:func:`to_json` (history.jsonl).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Started:
    total_steps: int  # planned optimiser steps (epochs x batches per epoch)
    params: int
    device: str
    type: str = "started"


@dataclass
class Step:
    step: int  # 1-based optimiser step
    epoch: int  # 1-based
    loss: float
    lr: float
    items_per_s: float  # training samples per second (tokens per second where the task has tokens)
    tokens_per_s: float
    elapsed_s: float
    eta_s: float  # to the last step at this pace, or to the time budget's end if sooner
    progress: float  # 0..1
    grad_norm: float = float("nan")
    type: str = "step"


@dataclass
class Epoch:
    epoch: int
    step: int
    train_loss: float
    val: dict[str, float]  # validation metrics, includes "loss" and the primary metric
    elapsed_s: float
    sample: str | None = None  # what the model produced after this epoch (TaskData.epoch_sample)
    type: str = "epoch"


@dataclass
class Snapshot:
    """Insides of the model on a fixed probe input, taken at the end of an epoch when asked."""

    epoch: int
    attention: dict[str, Any] = field(default_factory=dict)  # name -> nested lists (L, h, Tq, Tk)
    gates: dict[str, Any] = field(default_factory=dict)  # name -> nested lists (T, H) layer 0 fwd
    states: Any = None  # nested lists (T, H) layer 0 forward
    # the backward direction of a bidirectional layer 0, in the original time order:
    # "h" -> (T, H) hidden states, and each gate's (T, H); empty for a one-directional model
    backward: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, list[str]] = field(default_factory=dict)  # axis labels ("src", "tgt", "x")
    type: str = "snapshot"


@dataclass
class Finished:
    reason: str  # "done" | "stopped" | "diverged" | "time_budget" | "early_stopping" | "target"
    message: str
    epoch: int
    step: int
    elapsed_s: float
    test: dict[str, float] = field(default_factory=dict)
    baselines: dict[str, dict[str, float]] = field(default_factory=dict)
    type: str = "finished"


@dataclass
class Measured:
    """A measurement of one model of a job before or after its training (see core.measures)."""

    lane: str
    stage: str  # "before" | "after"
    values: dict[str, Any] = field(default_factory=dict)
    type: str = "measured"


Event = Started | Step | Epoch | Snapshot | Finished | Measured


def to_json(ev: Event) -> str:
    return json.dumps(dataclasses.asdict(ev), default=float, ensure_ascii=False)
