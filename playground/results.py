"""Metric cards beside the baselines, and saving / loading trained models."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from core.checkpoint import CheckpointError, Loaded, load_bundle
from playground.i18n import t

LOWER_IS_BETTER = {"loss", "rmse", "mae", "mape", "perplexity", "cer", "wer", "mse"}
FRACTIONS = {
    "accuracy",
    "f1",
    "macro_f1",
    "f1_macro",
    "exact_match",
    "direction_accuracy",
    "token_accuracy",
    "precision",
    "recall",
}


def higher_is_better(name: str) -> bool:
    return name not in LOWER_IS_BETTER


def fmt_metric(name: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    v = float(value)
    if name in FRACTIONS:
        return f"{100 * v:.1f} %"
    if name == "mape":
        return f"{v:.2f} %"
    if name == "bleu":
        return f"{v:.1f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:.4g}" if abs(v) < 1 else f"{v:.3f}"


def fmt_delta(name: str, delta: float) -> str:
    if name in FRACTIONS:
        return f"{100 * delta:+.1f} pt"
    if name == "mape":
        return f"{delta:+.3g} pt"
    if name == "bleu":
        return f"{delta:+.1f}"
    return f"{delta:+.3g}"


def baseline_label(name: str) -> str:
    return t(f"baseline.{name}", default=name.replace("_", " "))


def metric_label(name: str) -> str:
    return t(f"metric.{name}", default=name.replace("_", " "))


def metric_cards(
    test: dict[str, float],
    baselines: dict[str, dict[str, float]],
    names: Sequence[str] | None = None,
    vs: str | None = None,
) -> None:
    """One card per metric (the model's test value) with the change against the baseline ``vs``
    (green when the model is better), then a table of the model beside every baseline."""
    names = [n for n in (names or list(test)) if n in test] or [n for n in test if n != "loss"]
    if not names:
        st.info(t("results.no_metrics"))
        return
    if vs is None or vs not in baselines:
        vs = next(iter(baselines), None)
    cols = st.columns(len(names))
    for col, name in zip(cols, names):
        value = test.get(name)
        base = (baselines.get(vs) or {}).get(name) if vs else None
        delta = None
        if value is not None and base is not None and math.isfinite(value) and math.isfinite(base):
            delta = fmt_delta(name, value - base)
        col.metric(
            metric_label(name),
            fmt_metric(name, value),
            delta=delta,
            delta_color="normal" if higher_is_better(name) else "inverse",
            delta_description=t("results.vs", baseline=baseline_label(vs)) if delta is not None else None,
            help=t(f"metric.{name}.help", default="") or None,
            border=True,
        )
    if baselines:
        rows = []
        for name in names:
            row = {
                t("results.metric"): metric_label(name),
                t("results.this_model"): fmt_metric(name, test.get(name)),
            }
            for b, vals in baselines.items():
                row[baseline_label(b)] = fmt_metric(name, vals.get(name))
            rows.append(row)
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(t("results.baselines_caption"))


def load_uploaded(raw: bytes, task_name: str) -> Loaded:
    """A checkpoint zip -> Loaded; CheckpointError when it is damaged or made for another task."""
    loaded = load_bundle(raw)
    if loaded.task.name != task_name:
        raise CheckpointError(
            t("model.wrong_task", task=getattr(loaded.task, "title", loaded.task.name), here=task_name)
        )
    return loaded


def checkpoint_uploader(page: str, task_name: str) -> Loaded | None:
    """File uploader for a saved model; the loaded model is kept in the session until replaced."""
    f = st.file_uploader(t("model.upload"), type=["zip"], key=f"{page}.ckpt", help=t("model.upload_help"))
    slot = f"{page}.loaded"
    if f is None:
        st.session_state.pop(slot, None)
        return None
    ident = (f.name, f.size, getattr(f, "file_id", None))
    cached = st.session_state.get(slot)
    if cached is not None and cached[0] == ident:
        loaded = cached[1]
    else:
        try:
            loaded = load_uploaded(f.getvalue(), task_name)
        except CheckpointError as e:
            st.session_state.pop(slot, None)
            st.error(str(e), icon=":material/error:")
            return None
        st.session_state[slot] = (ident, loaded)
    meta = loaded.meta.get("metrics") or {}
    st.success(
        t(
            "model.loaded",
            arch=loaded.arch,
            params=f"{sum(p.numel() for p in loaded.model.parameters()):,}",
            primary=_primary_text(meta),
        ),
        icon=":material/check_circle:",
    )
    return loaded


def _primary_text(meta: dict[str, Any]) -> str:
    p = meta.get("primary") or {}
    if not p or p.get("value") is None:
        return ""
    return f" · {metric_label(str(p.get('name')))} {fmt_metric(str(p.get('name')), p.get('value'))}"
