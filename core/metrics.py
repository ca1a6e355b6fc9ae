"""Metrics shared by the tasks: plain functions of arrays that return Python floats.

Each function takes array-likes (lists, numpy arrays, CPU tensors), never a model, so the same
code scores a trained network and a baseline. Regression metrics compare forecasts with actual
values on the original scale (prices, not standardised values); classification metrics compare
integer class ids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


def _aligned(a: Any, b: Any, dtype: type, names: tuple[str, str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Both as flat arrays of ``dtype``; ValueError naming them when their sizes differ."""
    x = np.asarray(a).reshape(-1).astype(dtype)
    y = np.asarray(b).reshape(-1).astype(dtype)
    if x.shape != y.shape:
        raise ValueError(f"{names[0]} has {x.size} {names[2]} but {names[1]} has {y.size}")
    return x, y


def _pair(actual: Any, predicted: Any) -> tuple[np.ndarray, np.ndarray]:
    return _aligned(actual, predicted, np.float64, ("actual", "predicted", "values"))


# ---------------------------------------------------------------- regression


def rmse(actual: Any, predicted: Any) -> float:
    """Root mean squared error: sqrt(mean((y - y_hat)^2)). NaN when there is nothing to score."""
    a, p = _pair(actual, predicted)
    if a.size == 0:
        return math.nan
    return float(np.sqrt(np.mean((a - p) ** 2)))


def mae(actual: Any, predicted: Any) -> float:
    """Mean absolute error: mean(|y - y_hat|)."""
    a, p = _pair(actual, predicted)
    if a.size == 0:
        return math.nan
    return float(np.mean(np.abs(a - p)))


def mape(actual: Any, predicted: Any) -> float:
    """Mean absolute percentage error, in percent: 100 * mean(|y - y_hat| / |y|).

    Points where the actual value is 0 have no defined percentage and are left out.
    """
    a, p = _pair(actual, predicted)
    keep = a != 0
    if not keep.any():
        return math.nan
    return float(100.0 * np.mean(np.abs(a[keep] - p[keep]) / np.abs(a[keep])))


def direction_accuracy(actual: Any, predicted: Any, last: Any) -> float:
    """Share of forecasts that move the right way from the last observed value.

    For every forecast step, the predicted move is ``sign(y_hat - last)`` and the real move is
    ``sign(y - last)``; the step counts as right when the two signs are equal. Steps where the
    real value did not move (``y == last``) have no direction and are left out. A forecast of
    "no change" (``y_hat == last``) is never right, because the value did move.

    ``actual`` and ``predicted`` have shape (N,) or (N, horizon); ``last`` has shape (N,) (one
    last observed value per forecast, shared by all its steps) or the same shape as ``actual``.
    """
    a = np.asarray(actual, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    if a.shape != p.shape:
        raise ValueError(f"actual has shape {a.shape} but predicted has shape {p.shape}")
    ref = np.asarray(last, dtype=np.float64)
    if ref.shape != a.shape:
        ref = ref.reshape(ref.shape + (1,) * (a.ndim - ref.ndim))
    true_move = np.sign(a - ref)
    pred_move = np.sign(p - ref)
    keep = true_move != 0
    if not keep.any():
        return math.nan
    return float(np.mean(true_move[keep] == pred_move[keep]))


# ------------------------------------------------------------ classification


def _labels(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    return _aligned(y_true, y_pred, np.int64, ("y_true", "y_pred", "labels"))


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Share of examples whose predicted class equals the true class."""
    t, p = _labels(y_true, y_pred)
    if t.size == 0:
        return math.nan
    return float(np.mean(t == p))


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None) -> list[list[int]]:
    """Counts ``M[i][j]`` of examples of true class i predicted as class j (rows: truth)."""
    t, p = _labels(y_true, y_pred)
    if n_classes is None:
        n_classes = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(m, (t, p), 1)
    return m.tolist()


def f1_per_class(y_true: Any, y_pred: Any, n_classes: int | None = None) -> list[float]:
    """F1 = 2 * precision * recall / (precision + recall) for each class (0 when undefined)."""
    m = np.asarray(confusion_matrix(y_true, y_pred, n_classes), dtype=np.float64)
    tp = np.diag(m)
    predicted = m.sum(axis=0)  # tp + fp
    actual = m.sum(axis=1)  # tp + fn
    denom = predicted + actual  # 2tp + fp + fn
    # F1 = 2tp / (2tp + fp + fn), the same as the harmonic mean of precision and recall.
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return [float(v) for v in f1]


def f1_macro(y_true: Any, y_pred: Any, n_classes: int | None = None) -> float:
    """Macro F1: the unweighted mean of the per-class F1 scores, so every class counts the same.

    Classes that appear neither in ``y_true`` nor in ``y_pred`` are left out of the mean
    (scikit-learn does the same when it is not given the full label list).
    """
    t, p = _labels(y_true, y_pred)
    if t.size == 0:
        return math.nan
    scores = f1_per_class(t, p, n_classes)
    present = set(t.tolist()) | set(p.tolist())
    vals = [s for c, s in enumerate(scores) if c in present]
    return float(np.mean(vals)) if vals else math.nan


# ---------------------------------------------------------------- what each metric is


@dataclass(frozen=True)
class MetricInfo:
    """How to read a metric: which way is better and how its value is written.

    ``scale``: "share" (a fraction 0..1, written as a percentage, changes in points), "percent"
    (already in percent, e.g. MAPE), "bleu" (0..100 points) or "value" (a plain number).
    """

    name: str
    higher_is_better: bool
    scale: str = "value"
    unit: str = ""


METRICS: dict[str, MetricInfo] = {
    m.name: m
    for m in (
        MetricInfo("loss", False),
        MetricInfo("rmse", False, unit="price"),
        MetricInfo("mae", False, unit="price"),
        MetricInfo("mse", False),
        MetricInfo("mape", False, "percent", "%"),
        MetricInfo("perplexity", False),
        MetricInfo("bpc", False, unit="bits/char"),
        MetricInfo("cer", False, "share"),
        MetricInfo("wer", False, "share"),
        MetricInfo("accuracy", True, "share"),
        MetricInfo("f1", True, "share"),
        MetricInfo("macro_f1", True, "share"),
        MetricInfo("f1_macro", True, "share"),
        MetricInfo("precision", True, "share"),
        MetricInfo("recall", True, "share"),
        MetricInfo("exact_match", True, "share"),
        MetricInfo("token_accuracy", True, "share"),
        MetricInfo("direction_accuracy", True, "share"),
        MetricInfo("bleu", True, "bleu"),
    )
}


def metric_info(name: str) -> MetricInfo:
    """What is known of ``name``; a metric not listed reads as a plain number, higher is better."""
    return METRICS.get(name) or MetricInfo(name, True)


def format_metric(name: str, value: Any) -> str:
    """``value`` of metric ``name`` as a person reads it: 81.2 %, 0.0123, 27.4 (BLEU), – when none."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    v = float(value)
    scale = metric_info(name).scale
    if scale == "share":
        return f"{100 * v:.1f} %"
    if scale == "percent":
        return f"{v:.2f} %"
    if scale == "bleu":
        return f"{v:.1f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:.4g}" if abs(v) < 1 else f"{v:.3f}"


def format_delta(name: str, delta: float) -> str:
    """A change of metric ``name``: +3.1 pt for shares and percentages, +0.012 for numbers."""
    scale = metric_info(name).scale
    if scale == "share":
        return f"{100 * delta:+.1f} pt"
    if scale == "percent":
        return f"{delta:+.3g} pt"
    if scale == "bleu":
        return f"{delta:+.1f}"
    return f"{delta:+.3g}"
