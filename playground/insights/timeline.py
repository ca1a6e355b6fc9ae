"""Insides over training time: the per-epoch :class:`~core.events.Snapshot` events (taken when
``TrainConfig.snapshots`` is on) scrubbed with a slider, to watch an attention alignment form and
the gates of an LSTM (i, f, o, C) or a GRU (r, z) settle, epoch by epoch, on the task's probe.

The task pages' "Inside the model" tab (playground/look_inside.py) has its own epoch slider for the
attention maps and the gates; this module's views (with a sharpness curve) serve the memory and
decoding pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.events import Snapshot
from playground import look_inside
from playground.i18n import t
from playground.insights.common import dims, matrix, show

GATE_ORDER = ("i", "f", "o", "c", "g", "r", "z", "n")
MAIN_GATES = {"i", "f", "o", "c", "r", "z"}
UNITS_SHOWN = 32


def gates_of(snaps: Sequence[Snapshot]) -> list[str]:
    names = {g for s in snaps for g in (s.gates or {})}
    return [g for g in GATE_ORDER if g in names and g in MAIN_GATES] + sorted(
        g for g in names if g not in MAIN_GATES
    )


def _epoch_slider(snaps: Sequence[Snapshot], key: str, label_key: str = "ins.tl.epoch") -> Snapshot:
    epochs = [s.epoch for s in snaps]
    if len(epochs) == 1:
        st.caption(t("ins.tl.one_epoch", epoch=epochs[0]))
        return snaps[0]
    pick = st.select_slider(t(label_key), epochs, value=epochs[-1], key=f"{key}.epoch")
    return next(s for s in snaps if s.epoch == pick)


def mean_max_weight(attention: Any) -> float:
    """How sharp an alignment is: the largest weight of each query row, averaged (1 = one-hot)."""
    a = np.asarray(attention, dtype=float)  # (L, h, Tq, Tk)
    if a.size == 0:
        return float("nan")
    return float(a.max(axis=-1).mean())


def attention_timeline(snaps: Sequence[Snapshot], key: str, name: str = "cross") -> None:
    """Slider over the epochs -> the attention map ``name`` (layer 1, mean of heads) at that epoch,
    and the mean largest weight per epoch (rising as the alignment forms)."""
    snaps = [s for s in snaps if s.attention and s.attention.get(name) is not None]
    if not snaps:
        st.info(t("ins.tl.no_snapshots"))
        return
    snap = _epoch_slider(snaps, f"{key}.att")
    arr = np.asarray(snap.attention[name], dtype=float)  # (L, h, Tq, Tk)
    z = arr[-1].mean(axis=0)  # last layer, mean over heads
    rows, cols = look_inside.axis_tokens(name, snap.tokens or {}, z.shape[0], z.shape[1])
    c1, c2 = st.columns([3, 2])
    with c1:
        fig = matrix(
            z, cols, rows, name=f"{name}@{snap.epoch}", diverging=False, zmin=0.0, zmax=1.0,
            x_title=t(f"attn.{name}.keys", default=t("attn.keys")),
            y_title=t(f"attn.{name}.queries", default=t("attn.queries")), hover=t("ins.common.weight"),
        )  # fmt: skip
        show(fig, f"{key}.att.fig", export=f"attention-epoch-{snap.epoch}")
    with c2:
        sharp = [mean_max_weight(s.attention[name]) for s in snaps]
        line = go.Figure(
            go.Scatter(x=[s.epoch for s in snaps], y=sharp, mode="lines+markers", line={"color": "#1f4e9c"})
        )
        line.add_vline(x=snap.epoch, line_dash="dot", line_color="#e4572e")
        line.update_xaxes(title_text=t("chart.epoch"), dtick=1)
        line.update_yaxes(title_text=t("ins.tl.sharpness"), range=[0, 1.02])
        line.update_layout(height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10})
        st.plotly_chart(line, key=f"{key}.att.sharp")
        st.caption(t("ins.tl.sharpness_caption"))


def gate_timeline(snaps: Sequence[Snapshot], key: str) -> None:
    """Gate radio + epoch slider -> the gate's activations (units x time steps) at that epoch."""
    snaps = [s for s in snaps if s.gates]
    if not snaps:
        st.info(t("ins.tl.no_gates"))
        return
    names = gates_of(snaps)
    gate = st.radio(
        t("inside.signal"),
        names,
        format_func=lambda g: t(f"gate.{g}", default=g),
        horizontal=True,
        key=f"{key}.gate",
    )
    snap = _epoch_slider(snaps, f"{key}.gates")
    z = np.asarray(snap.gates.get(gate), dtype=float)  # (T, H)
    if z.ndim != 2:
        st.info(t("ins.tl.no_gates"))
        return
    T, H = z.shape
    units = min(H, UNITS_SHOWN)
    xs = list((snap.tokens or {}).get("x") or (snap.tokens or {}).get("src") or [])
    xs = (xs + [str(i) for i in range(len(xs), T)])[:T]
    signed = float(z.min()) < 0
    top = max(1.0, float(np.abs(z).max())) if signed else 1.0  # the cell state C is not bounded by 1
    st.caption(t(f"gate.{gate}.explain", default="") + " " + t("inside.units_shown", n=units, total=H))
    fig = matrix(
        z[:, :units].T, xs, dims(units), name=f"{gate}@{snap.epoch}", diverging=signed,
        zmin=-top if signed else 0.0, zmax=top, x_title=t("inside.time"), y_title=t("inside.unit"),
        height=420,
    )  # fmt: skip
    show(fig, f"{key}.gates.fig")
