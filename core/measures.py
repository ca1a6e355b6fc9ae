"""Measurements taken on a job's models in the worker, before and after their training.

A page that wants more than the training events (the memory page's gradient per step and accuracy
by lag) names a measurement here; the worker runs it on each model right where the model lives, so
only the numbers travel back. Each function takes (model, spec) and returns JSON-able values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from torch import nn

from core.analysis import hidden_grad_norms
from core.config import ConfigError

if TYPE_CHECKING:
    from core.runspec import RunSpec

MEMORY_LAGS = (1, 2, 5, 10, 20, 50, 100, 200)  # accuracy by lag after training
GRAD_BATCH = 64  # test sequences the gradient norms are averaged over


@dataclass(frozen=True)
class Measure:
    before: Callable[[nn.Module, RunSpec], dict[str, Any]]
    after: Callable[[nn.Module, RunSpec], dict[str, Any]]


def grad_batch(spec: RunSpec) -> dict[str, Any]:
    """The first test sequences (every one at the full lag) for the gradient measurement."""
    return {k: v[:GRAD_BATCH] for k, v in spec.data.splits["test"].items()}


def memory_before(model: nn.Module, spec: RunSpec) -> dict[str, Any]:
    """||dL/dh_t|| for every step t at initialisation."""
    return {"grad": hidden_grad_norms(model, grad_batch(spec)).tolist()}


def memory_after(model: nn.Module, spec: RunSpec) -> dict[str, Any]:
    """||dL/dh_t|| after training, and the accuracy at each lag of MEMORY_LAGS."""
    return {
        "grad": hidden_grad_norms(model, grad_batch(spec)).tolist(),
        "by_lag": spec.data.accuracy_by_lag(model, list(MEMORY_LAGS), n=128),
    }


MEASURES: dict[str, Measure] = {"memory": Measure(memory_before, memory_after)}


def measure(name: str) -> Measure:
    try:
        return MEASURES[name]
    except KeyError:
        raise ConfigError(f"unknown measurement {name!r}; valid: {', '.join(MEASURES)}") from None
