"""Memory and vanishing gradients on the long-memory task: RNN, LSTM and GRU trained with the same
data, seed and time budget (core.race), their accuracy against the lag, and the gradient that
backpropagation through time sends to every step, ||dL/dh_t|| (core.analysis.hidden_grad_norms),
at initialisation and after training. Plus the gates of each cell epoch by epoch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.measures import GRAD_BATCH, memory_before
from core.measures import MEMORY_LAGS as LAGS
from core.race import race_lanes, race_specs
from core.tasks.long_memory import LongMemoryOptions
from playground import charts
from playground.errors import guarded
from playground.i18n import t
from playground.insights import experiment_view, experiments, timeline
from playground.insights.common import BIND, lane_color, page_header

PAGE = "memory"
TASK = "long-memory"


def _recurrent(task: str) -> tuple[str, ...]:
    from core.registry import compatible, get_arch

    return tuple(a for a in compatible(task) if get_arch(a).family == "recurrent")


CELLS = _recurrent(TASK)  # the recurrent architectures that serve the task, from the registry


def _settings() -> dict[str, Any]:
    sb = st.sidebar
    sb.header(t("settings.header"))
    return {
        "cells": sb.multiselect(
            t("ins.mem.cells"), list(CELLS), default=list(CELLS), key=f"{PAGE}.cells", bind=BIND
        ),
        "lag": int(
            sb.select_slider(
                t("field.lag", default="Lag"), [5, 10, 20, 30, 50, 75, 100, 150, 200], value=50,
                key=f"{PAGE}.lag", bind=BIND, help=t("ins.mem.lag_help"),
            )
        ),
        "hidden_size": int(
            sb.select_slider(
                t("field.hidden_size", default="Hidden size"), [8, 16, 32, 64, 128, 256], value=64,
                key=f"{PAGE}.hidden", bind=BIND,
            )
        ),
        "n_train": int(
            sb.select_slider(
                t("field.n_train", default="Training sequences"), [200, 500, 1000, 2000, 4000, 8000],
                value=2000, key=f"{PAGE}.n_train", bind=BIND,
            )
        ),
        "epochs": int(sb.slider(t("field.epochs", default="Epochs"), 1, 30, 8, key=f"{PAGE}.epochs", bind=BIND)),
        "clip": float(
            sb.select_slider(
                t("field.clip", default="Gradient clipping"), [0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0],
                value=1.0, key=f"{PAGE}.clip", bind=BIND, help=t("ins.mem.clip_help"),
                format_func=lambda v: t("ins.mem.clip_off") if v == 0 else f"{v:g}",
            )
        ),
        "budget": float(
            sb.select_slider(
                t("ins.common.budget"), [5, 10, 20, 30, 40, 60, 120, 300], value=60, key=f"{PAGE}.budget",
                bind=BIND, help=t("ins.common.budget_help"),
            )
        ),
        "seed": int(sb.number_input(t("field.seed", default="Seed"), 0, 2**31 - 1, 0, key=f"{PAGE}.seed", bind=BIND)),
    }  # fmt: skip


def race_settings(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "task.lag": s["lag"],
        "task.n_train": s["n_train"],
        "model.hidden_size": s["hidden_size"],
        "train.epochs": experiments.capped_epochs(s["epochs"]),
        "train.clip": s["clip"],
        "train.snapshots": True,
    }


@st.cache_data(max_entries=16, show_spinner=False)
def init_gradients(cells: tuple[str, ...], lag: int, hidden_size: int, n_train: int, seed: int) -> dict:
    """||dL/dh_t|| of the cells as the race builds them (same seed, so the same initial weights)."""
    s = {"lag": lag, "hidden_size": hidden_size, "n_train": n_train, "epochs": 1, "clip": 1.0}
    lanes = race_lanes(TASK, list(cells), race_settings(s), budget_seconds=0, seed=seed)
    return {lane.name: memory_before(lane.model, lane.spec) for lane in lanes}


def start_memory(s: dict[str, Any]) -> experiments.Job:
    settings = race_settings(s)
    budget = experiments.capped_seconds(s["budget"])
    cells = [c for c in CELLS if c in s["cells"]]

    lanes = race_specs(TASK, cells, settings, budget_seconds=budget, seed=s["seed"])
    return experiments.start(PAGE, TASK, s, lanes, measure="memory")


def ratio(grad: list[float]) -> float:
    """||dL/dh_0|| / ||dL/dh_T||: how much of the gradient reaches the first step (the key)."""
    if not grad or not grad[-1]:
        return float("nan")
    return float(grad[0] / grad[-1])


def grad_figure(names: list[str], extras: dict[str, dict[str, Any]], relative: bool) -> go.Figure:
    """||dL/dh_t|| per step t, log scale: dotted at initialisation, solid after training.

    ``extras``: lane -> {"before": {"grad": [...]}, "after": {"grad": [...]}} (either may be missing).
    """
    fig = go.Figure()
    for i, name in enumerate(names):
        extra = extras.get(name, {})
        color = lane_color(name, i)
        for when, dash in (("before", "dot"), ("after", "solid")):
            g = (extra.get(when) or {}).get("grad")
            if not g:
                continue
            y = np.asarray(g, dtype=float)
            if relative and y[-1] > 0:
                y = y / y[-1]
            fig.add_trace(
                go.Scatter(
                    x=list(range(len(y))),
                    y=np.maximum(y, 1e-30).tolist(),
                    mode="lines",
                    name=f"{name} · {t(f'ins.mem.{when}')}",
                    line={"color": color, "dash": dash, "width": 2.5 if when == "after" else 1.8},
                )
            )
    fig.update_xaxes(title_text=t("ins.mem.time_step"))
    fig.update_yaxes(
        title_text=t("ins.mem.grad_rel") if relative else "‖∂L/∂hₜ‖", type="log", exponentformat="power"
    )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        hovermode="x unified",
    )
    return fig


def lag_figure(job: experiments.Job) -> go.Figure:
    opts = job.lanes[0].spec.task_opts if job.lanes else None
    if not isinstance(opts, LongMemoryOptions):  # the page never changes the number of keys
        opts = LongMemoryOptions()
    curves: dict[str, dict[int, float]] = {}
    colors: dict[str, str] = {}
    for i, name in enumerate(job.names):
        by_lag = (job.extras.get(name, {}).get("after") or {}).get("by_lag")
        if by_lag:
            curves[name] = by_lag
            colors[name] = lane_color(name, i)
    return charts.accuracy_by_lag(
        LAGS,
        curves,
        chance_pct=100.0 / opts.n_symbols,
        labels=lag_labels(),
        colors=colors,
        trained_lag=job.params.get("lag"),
        height=360,
    )


def lag_labels() -> dict[str, str]:
    return {
        "chance": t("memory.chance"),
        "x": t("memory.lag"),
        "y": t("memory.accuracy_pct"),
        "trained": t("ins.mem.trained_lag"),
    }


def draw_memory(job: experiments.Job) -> None:
    st.markdown(f"#### {t('ins.mem.training')}")
    experiment_view.curves(job, f"{PAGE}.race")
    extra = {}
    for name in job.names:
        e = job.extras.get(name, {})
        b = ratio((e.get("before") or {}).get("grad", []))
        a = ratio((e.get("after") or {}).get("grad", []))
        extra[name] = {
            t("ins.mem.col.before"): f"{b:.1e}" if math.isfinite(b) else "–",
            t("ins.mem.col.after"): f"{a:.1e}" if math.isfinite(a) else "–",
        }
    experiment_view.table(job, f"{PAGE}.race", extra=extra)
    st.caption(t("ins.mem.ratio_caption"))

    st.markdown(f"#### {t('ins.mem.grads')}")
    st.markdown(t("ins.mem.grads_explain"))
    relative = st.toggle(t("ins.mem.relative"), key=f"{PAGE}.relative", help=t("ins.mem.relative_help"))
    st.plotly_chart(grad_figure(job.names, job.extras, relative), key=f"{PAGE}.fig.grads")

    if any((job.extras.get(n, {}).get("after") or {}).get("by_lag") for n in job.names):
        st.markdown(f"#### {t('ins.mem.by_lag')}")
        st.caption(t("ins.mem.by_lag_caption"))
        st.plotly_chart(lag_figure(job), key=f"{PAGE}.fig.lag")

    if job.done:
        gated = [n for n in job.names if timeline.gates_of(job.snapshots(n))]
        if gated:
            st.markdown(f"#### {t('ins.mem.gates')}")
            st.caption(t("ins.mem.gates_caption"))
            cell = st.radio(t("ins.mem.cell"), gated, horizontal=True, key=f"{PAGE}.gate_cell")
            timeline.gate_timeline(job.snapshots(cell), f"{PAGE}.tl.{cell}")


def memory_page() -> None:
    page_header(PAGE)
    with st.expander(t("ins.mem.why"), expanded=False, icon=":material/lightbulb:"):
        st.markdown(t("ins.mem.why_body"))
    s = _settings()
    experiment_view.controls(PAGE, lambda: start_memory(s), label_key="ins.mem.run", disabled=not s["cells"])
    job = experiment_view.follow(PAGE, draw_memory)
    if job is None:
        st.info(t("ins.mem.press_run"), icon=":material/science:")
        cells = tuple(c for c in CELLS if c in s["cells"])
        if cells:
            st.markdown(f"#### {t('ins.mem.at_init')}")
            st.caption(t("ins.mem.at_init_caption", n=GRAD_BATCH))
            with guarded(), st.spinner(t("ins.common.measuring")):
                before = init_gradients(cells, s["lag"], s["hidden_size"], s["n_train"], s["seed"])
                extras = {name: {"before": g} for name, g in before.items()}
                st.plotly_chart(grad_figure(list(cells), extras, False), key=f"{PAGE}.fig.init")
