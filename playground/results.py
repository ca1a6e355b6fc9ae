"""Metric cards beside the baselines, what a finished run says about itself, and saving /
loading trained models.

Cards and verdicts tell the truth: a change within noise (see :func:`noise_band`) is shown grey,
with no arrow; a metric that the chosen baseline does not have (persistence makes no call on a
price's direction) is compared with the best baseline that has it; and a run whose loss exploded,
or that ended worse than its best baseline, says so instead of "Training finished".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from core.checkpoint import CheckpointError, Loaded, load_bundle
from core.metrics import METRICS, format_delta, format_metric, metric_info
from core.train import TrainConfig
from playground.errors import user_message
from playground.hosted import limits
from playground.i18n import t, tn

FRACTIONS = frozenset(n for n, m in METRICS.items() if m.scale == "share")  # drawn on a 0-100 % axis


def higher_is_better(name: str) -> bool:
    return metric_info(name).higher_is_better


fmt_metric = format_metric
fmt_delta = format_delta


def baseline_label(name: str) -> str:
    return t(f"baseline.{name}", default=name.replace("_", " "))


def metric_label(name: str) -> str:
    return t(f"metric.{name}", default=name.replace("_", " "))


# ---- noise ------------------------------------------------------------------------------------

NOISE_Z = 2.0  # a change within two standard errors (about a 95 % band) is noise
REL_TOL = 0.01  # a metric that is not a share: a change within 1 % of its size is noise
FRACTION_TOL = 0.01  # a share without a known number of test examples: within 1 point is noise
BLEU_TOL = 0.5  # BLEU points: sacrebleu scores that differ by less are the same translation quality


def noise_band(name: str, a: float, b: float, n: int | None = None) -> float:
    """Half-width of the band within which the difference ``a - b`` of two values of metric
    ``name`` is noise.

    A share (accuracy, exact match, direction...) measured on ``n`` test examples has a binomial
    standard error sqrt(p (1 - p) / n), p between the two values; the band is NOISE_Z of them, and
    never narrower than two examples (2 / n), so that 0.2 % against 0.0 % on 400 sentences is one
    sentence, not progress. Without ``n``, one point. Other metrics (RMSE, MAE, loss): REL_TOL of
    the larger value; BLEU: at least BLEU_TOL points.
    """
    if name in FRACTIONS:
        if not n or n <= 0:
            return FRACTION_TOL
        p = min(max((a + b) / 2, 0.0), 1.0)
        return NOISE_Z * math.sqrt(max(p * (1 - p), 1.0 / n) / n)
    band = REL_TOL * max(abs(a), abs(b))
    return max(band, BLEU_TOL) if name == "bleu" else band


@dataclass(frozen=True)
class Change:
    """A model's value against a baseline's: the difference, its noise band, and which is better
    (``better`` None: within noise)."""

    delta: float
    band: float
    better: bool | None


def compare(name: str, value: float, base: float, n: int | None = None) -> Change:
    delta = value - base
    band = noise_band(name, value, base, n)
    if abs(delta) <= band:
        return Change(delta, band, None)
    return Change(delta, band, (delta > 0) == higher_is_better(name))


def _finite(v: Any) -> bool:
    """A real number (numpy's included), neither NaN nor infinite."""
    try:
        return v is not None and not isinstance(v, bool) and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def reference(name: str, baselines: dict[str, dict[str, float]], vs: str | None) -> str | None:
    """The baseline a card of metric ``name`` compares with: ``vs`` when it has a value for this
    metric, else the best baseline that has one (persistence makes no call on a price's direction:
    direction is compared with the best of momentum, the moving average and chance), else None."""
    if vs is not None and _finite((baselines.get(vs) or {}).get(name)):
        return vs
    have = [(b, float(vals[name])) for b, vals in baselines.items() if _finite((vals or {}).get(name))]
    if not have:
        return None
    pick = max if higher_is_better(name) else min
    return pick(have, key=lambda bv: bv[1])[0]


def metric_cards(
    test: dict[str, float],
    baselines: dict[str, dict[str, float]],
    names: Sequence[str] | None = None,
    vs: str | None = None,
    n: int | None = None,
) -> None:
    """One card per metric (the model's test value) with the change against the baseline ``vs``
    (or, for a metric ``vs`` does not have, the best baseline that has it): green when the model
    is better beyond noise, red when worse, grey within noise (``n``: test examples, for the
    noise of shares); then a table of the model beside every baseline."""
    names = [n for n in (names or list(test)) if n in test] or [n for n in test if n != "loss"]
    if not names:
        st.info(t("results.no_metrics"))
        return
    if vs is None or vs not in baselines:
        vs = next(iter(baselines), None)
    cols = st.columns(len(names))
    for col, name in zip(cols, names):
        value = test.get(name)
        ref = reference(name, baselines, vs)
        base = (baselines.get(ref) or {}).get(name) if ref else None
        change = compare(name, float(value), float(base), n) if _finite(value) and _finite(base) else None
        helps = [t(f"metric.{name}.help", default="")]
        if change is not None:
            helps.append(t("results.noise_help", band=fmt_delta(name, change.band).lstrip("+")))
        kw: dict[str, Any] = {}
        if change is None:
            kw = {"delta": None}
        elif change.better is None:  # noise: grey, no arrow
            kw = {
                "delta": fmt_delta(name, change.delta),
                "delta_color": "off",
                "delta_arrow": "off",
                "delta_description": t("results.vs_noise", baseline=baseline_label(str(ref))),
            }
        else:
            kw = {
                "delta": fmt_delta(name, change.delta),
                "delta_color": "normal" if higher_is_better(name) else "inverse",
                "delta_description": t("results.vs", baseline=baseline_label(str(ref))),
            }
        col.metric(
            metric_label(name),
            fmt_metric(name, value),
            help="\n\n".join(h for h in helps if h) or None,
            border=True,
            **kw,
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


# ---- what a finished run says about itself ------------------------------------------------------

SPIKE = 50.0  # the loss jumped to at least this many times its starting level...
RISE = 2.0  # ...and ended at least this many times above it: the loss exploded
START_EXAMPLES = 32  # the starting level: the mean loss of the first steps that saw this many examples


@dataclass(frozen=True)
class Finding:
    """Something a run's result must not hide: ``kind`` "exploded" or "worse", with its facts."""

    kind: str
    values: dict[str, Any] = field(default_factory=dict)


def loss_exploded(losses: Sequence[float], batch_size: int = 1) -> Finding | None:
    """Whether the training loss exploded: it jumped to SPIKE times its starting level and ended
    (the median of the last tenth of the steps) still RISE times above it.

    The starting level is the mean loss of the first steps that together saw START_EXAMPLES
    examples (one step at a batch of 32 or more): the model before it learnt anything. A single
    batch holding a rare example (a stock's crash day) can spike higher than that, but the loss
    comes back down at once, so it does not count.
    """
    vals = [float(v) for v in losses if v is not None and math.isfinite(v)]
    if len(vals) < 3:
        return None
    k = max(1, math.ceil(START_EXAMPLES / max(1, batch_size)))
    start = sum(vals[:k]) / len(vals[:k])
    w = max(3, len(vals) // 10)
    end = statistics.median(vals[-w:])
    peak = max(vals)
    if start <= 0 or peak < SPIKE * start or end < RISE * start:
        return None
    step = next(i for i, v in enumerate(losses) if v is not None and math.isfinite(v) and v == peak) + 1
    return Finding("exploded", {"start": start, "peak": peak, "step": step, "end": end})


def worse_than_baseline(
    test: dict[str, float],
    baselines: dict[str, dict[str, float]],
    metric: str,
    n: int | None = None,
) -> Finding | None:
    """Whether the model's test ``metric`` is worse than the best baseline's, beyond noise."""
    value = test.get(metric)
    best = reference(metric, baselines, None)
    if best is None or not _finite(value):
        return None
    base = float(baselines[best][metric])
    if compare(metric, float(value), base, n).better is not False:
        return None
    return Finding("worse", {"baseline": best, "metric": metric, "value": float(value), "base": base})


@dataclass(frozen=True)
class Verdict:
    """How a finished run is shown: ``level`` "success" | "warning" | "error" | "info"."""

    level: str
    reason: str
    findings: tuple[Finding, ...] = ()


def verdict(
    reason: str,
    test: dict[str, float],
    baselines: dict[str, dict[str, float]],
    losses: Sequence[float],
    metric: str,
    *,
    n: int | None = None,
    batch_size: int = 1,
) -> Verdict:
    """The one judgement of a finished run. A run that ended normally ("done", "target") is a
    success only when its loss did not explode and its primary ``metric`` is not worse than the
    best baseline's; otherwise a warning that names what happened. "diverged" is an error;
    "stopped", "time_budget" and "early_stopping" are information, a warning with findings."""
    found = [
        f for f in (loss_exploded(losses, batch_size), worse_than_baseline(test, baselines, metric, n)) if f
    ]
    if reason == "diverged":
        return Verdict("error", reason, tuple(found))
    if found:
        return Verdict("warning", reason, tuple(found))
    return Verdict("success" if reason in ("done", "target") else "info", reason, ())


def _fmt_loss(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def finding_text(f: Finding, lr: float | None = None) -> str:
    v = f.values
    if f.kind == "exploded":
        return t(
            "run.verdict.exploded",
            start=_fmt_loss(v["start"]),
            peak=_fmt_loss(v["peak"]),
            step=f"{v['step']:,}",
            end=_fmt_loss(v["end"]),
            lr=f"{lr:g}" if lr is not None else "–",
        )
    return t(
        "run.verdict.worse",
        baseline=baseline_label(v["baseline"]),
        metric=metric_label(v["metric"]),
        value=fmt_metric(v["metric"], v["value"]),
        base=fmt_metric(v["metric"], v["base"]),
    )


def _reason_detail(fin: Any, cfg: TrainConfig) -> str:
    """What ended the run, in the user's language, from the run's own facts (core's English
    ``message`` says the same for the command line)."""
    reason = fin.reason
    if reason == "diverged":
        return t("run.detail.diverged", step=f"{fin.step:,}", lr=f"{cfg.lr:g}")
    if reason == "time_budget":
        return t("run.detail.time_budget", seconds=f"{cfg.max_seconds:g}")
    if reason == "early_stopping":
        return tn("run.detail.early_stopping", cfg.early_stopping)
    return ""


def show_verdict(run: Any) -> None:
    """The message under a finished run's chart (see :func:`verdict`)."""
    fin = run.finished
    if fin is None:
        return
    spec = run.spec
    cfg = spec.train_cfg
    split = (spec.data.splits or {}).get("test")
    n = int(next(iter(split.values())).size(0)) if split else None
    v = verdict(
        fin.reason,
        fin.test or {},
        fin.baselines or {},
        [s.loss for s in run.steps],
        spec.task.primary.name,
        n=n,
        batch_size=cfg.batch_size,
    )
    parts = [t(f"run.reason.{fin.reason}", default=fin.message), _reason_detail(fin, cfg)]
    parts += [finding_text(f, cfg.lr) for f in v.findings]
    if run.where:
        parts.append(t("run.where", where=run.where))
    text = " ".join(p for p in parts if p)
    if v.level == "success":
        st.success(text, icon=":material/check_circle:")
    elif v.level == "error":
        st.error(text, icon=":material/warning:")
    elif v.level == "warning":
        st.warning(text, icon=":material/warning:")
    else:
        st.info(text, icon=":material/info:")


def load_uploaded(raw: bytes, task_name: str) -> Loaded:
    """A checkpoint zip -> Loaded; CheckpointError when it is damaged or made for another task."""
    loaded = load_bundle(raw, max_params=limits().max_params)  # checked before anything is built
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
            st.error(user_message(e), icon=":material/error:")
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
