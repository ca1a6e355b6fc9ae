"""The recurrence drawn out for the "Inside the model" tab: the cell once per time step (unrolled),
both directions of a bidirectional layer and how they are joined, and the vector a Seq2Seq decoder
starts from (the context vector) beside every encoder state that attention reads.

Every number is the model's own: the hidden states its explicit cells recorded on the page's
example (``ModelOutput.states``, (L, dirs, B, T, H)) and the state its ``encode`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from torch import nn

from core.models.base import evaluating
from core.tasks.base import model_device, to_device
from playground import charts
from playground.chart_export import show
from playground.i18n import t

MAX_STEPS = 12  # boxes drawn side by side; a longer sequence gets a slider over its steps
MAX_UNITS = 16  # hidden units drawn in each box (the norm counts them all)
BOX = 0.7  # half the width of a box, in steps of 2
READ_COLOR = "#e4572e"  # the boxes whose state the next part of the model reads
CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


@dataclass
class Unrolled:
    """One recurrent layer of a recorded forward pass, laid out step by step."""

    tokens: list[str]  # x_1 .. x_T as the learner reads them
    states: np.ndarray  # (dirs, T, H): h_t of each direction, in the original time order
    layer: int  # 0-based
    n_layers: int
    cell: str  # "RNN", "LSTM", "GRU" (or "" when unknown)
    read: list[tuple[int, int]]  # (direction, t) of the states the next part of the model reads

    @property
    def dirs(self) -> int:
        return int(self.states.shape[0])

    @property
    def steps(self) -> int:
        return int(self.states.shape[1])

    @property
    def hidden(self) -> int:
        return int(self.states.shape[2])

    def norms(self) -> np.ndarray:
        """(dirs, T) the length ||h_t|| of every hidden state (all H units)."""
        return np.linalg.norm(self.states, axis=-1)

    def joined(self) -> np.ndarray:
        """(T, dirs*H) the layer's output at every step: [h_fwd_t ; h_bwd_t] for two directions."""
        return np.concatenate(list(self.states), axis=-1)


def cell_name(model: nn.Module) -> str:
    cfg = getattr(model, "cfg", None)
    return CELL_NAMES.get(str(getattr(cfg, "cell", "")), "")


def read_states(model: nn.Module, layer: int, n_layers: int, dirs: int, T: int) -> list[tuple[int, int]]:
    """Which states the rest of the model reads as one summary: the final state of each direction
    (the forward one at the last step, the backward one at the first), when it does."""
    cfg = getattr(model, "cfg", None)
    finals = [(0, T - 1)] + ([(1, 0)] if dirs == 2 else [])
    if hasattr(cfg, "attention"):  # Seq2Seq: every layer's final states start the decoder's layer
        return finals
    if getattr(cfg, "readout", "last") == "last" and getattr(cfg, "pooling", "last") == "last":
        return finals if layer == n_layers - 1 else []
    return []  # many-to-many, or pooling over every step


def unrolled(model: nn.Module, out: Any, tokens: dict[str, list[str]], layer: int = 0) -> Unrolled | None:
    """The recorded states of ``layer`` for example 0 of ``out`` (None when nothing was recorded)."""
    states = getattr(out, "states", None)
    if states is None:
        return None
    s = states.detach().float().cpu().numpy()  # (L, dirs, B, T, H)
    L, dirs, _, T, _ = s.shape
    layer = min(max(layer, 0), L - 1)
    xs = list(tokens.get("src") or tokens.get("x") or [])
    xs = [str(w) for w in (xs + [str(i) for i in range(len(xs), T)])[:T]]
    read = read_states(model, layer, L, dirs, T)
    return Unrolled(xs, s[layer, :, 0], layer, L, cell_name(model), read)


def _row_base(r: int, units: int) -> float:
    """The y of the lowest unit of row r (row 0 on top); a row is ``units`` + 7 high."""
    return -r * (units + 7.0)


def unrolled_figure(u: Unrolled, start: int = 0, width: int = MAX_STEPS, units: int = MAX_UNITS) -> go.Figure:
    """A row of boxes per direction, x_t -> [cell] -> h_t, each box holding h_t as a strip of units.

    The strips are heatmap traces named ``h_fwd`` (and ``h_bwd``): column 2i is step start + i,
    odd columns are empty (the gaps between boxes), row k is unit ``units`` - 1 - k.
    """
    T, H = u.steps, u.hidden
    start = min(max(start, 0), max(T - 1, 0))
    W = min(width, T - start)
    U = min(units, H)
    norms = u.norms()
    fig = go.Figure()
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    names = ("h_fwd", "h_bwd")
    arrow = {"showarrow": True, "arrowhead": 2, "arrowsize": 1, "arrowwidth": 1.4, "arrowcolor": "#555"}
    for r in range(u.dirs):
        y0 = _row_base(r, U)
        z = np.full((U, 2 * W - 1), np.nan)
        hover = [["" for _ in range(2 * W - 1)] for _ in range(U)]
        for i in range(W):
            step = start + i
            for k in range(U):
                unit = U - 1 - k
                z[k, 2 * i] = u.states[r, step, unit]
                hover[k][2 * i] = f"t = {step + 1} · {u.tokens[step]} · unit {unit}"
        fig.add_trace(
            go.Heatmap(
                z=np.round(z, 6).tolist(),
                x=list(range(2 * W - 1)),
                y=[y0 + k for k in range(U)],
                zmin=-1.0,
                zmax=1.0,
                colorscale=charts.DIVERGING,
                showscale=r == 0,
                colorbar={"len": 0.5, "thickness": 12, "title": {"text": "h"}},
                customdata=hover,
                hovertemplate="%{customdata}<br>h %{z:.3f}<extra></extra>",
                name=names[r],
                hoverongaps=False,
            )
        )
        top, bottom, mid = y0 + U - 0.5 + 1.6, y0 - 0.5 - 0.4, y0 + (U - 1) / 2
        label = t("inside.unrolled.forward") if r == 0 else t("inside.unrolled.backward")
        annotations.append(
            {"x": -1.9, "y": top + 2.2, "text": f"<b>{label}</b>", "showarrow": False, "xanchor": "left"}
        )
        for i in range(W):
            step = start + i
            read = (r, step) in u.read
            shapes.append(
                {
                    "type": "rect",
                    "x0": 2 * i - BOX,
                    "x1": 2 * i + BOX,
                    "y0": bottom,
                    "y1": top,
                    "line": {"color": READ_COLOR if read else "#333", "width": 3 if read else 1.2},
                    "fillcolor": "rgba(0,0,0,0)",
                }
            )
            annotations.append(
                {
                    "x": 2 * i,
                    "y": top - 0.8,
                    "text": u.cell or "cell",
                    "showarrow": False,
                    "font": {"size": 10},
                }
            )
            annotations.append(
                {"x": 2 * i, "y": top + 0.9, "text": f"{norms[r, step]:.2f}", "showarrow": False,
                 "font": {"size": 10, "color": "#333"}}
            )  # fmt: skip
            # h_t carried to the next box (forward: to the right; backward: to the left)
            if i < W - 1:
                tail, head = (2 * i + BOX, 2 * i + 2 - BOX) if r == 0 else (2 * i + 2 - BOX, 2 * i + BOX)
                annotations.append({"x": head, "y": mid, "ax": tail, "ay": mid, "xref": "x", "yref": "y",
                                    "axref": "x", "ayref": "y", "text": "", **arrow})  # fmt: skip
        # where the chain comes from: h_0 = 0, or the step before the window
        first = (r == 0 and start == 0) or (r == 1 and start + W == T)
        edge_text = "h₀ = 0" if first else "…"
        if r == 0:
            annotations.append({"x": -BOX, "y": mid, "ax": -1.7, "ay": mid, "xref": "x", "yref": "y",
                                "axref": "x", "ayref": "y", "text": edge_text, **arrow})  # fmt: skip
        else:
            last = 2 * (W - 1)
            annotations.append({"x": last + BOX, "y": mid, "ax": last + 1.7, "ay": mid, "xref": "x", "yref": "y",
                                "axref": "x", "ayref": "y", "text": edge_text, **arrow})  # fmt: skip
    # the inputs x_t, under the bottom row, each pointing into its box(es)
    bottom_row = _row_base(u.dirs - 1, U) - 0.5 - 0.4
    for i in range(W):
        step = start + i
        annotations.append(
            {"x": 2 * i, "y": bottom_row, "ax": 2 * i, "ay": bottom_row - 2.6, "xref": "x", "yref": "y",
             "axref": "x", "ayref": "y", "text": u.tokens[step][:12], "font": {"size": 11}, **arrow}
        )  # fmt: skip
        if u.dirs == 2:  # the same x_t also goes up to the forward box (a thin line past the lower box)
            shapes.append(
                {"type": "line", "x0": 2 * i + BOX + 0.12, "x1": 2 * i + BOX + 0.12, "y0": bottom_row - 2.0,
                 "y1": _row_base(0, U) - 0.9, "line": {"color": "#bbb", "width": 1, "dash": "dot"}}
            )  # fmt: skip
    y_lo = bottom_row - 3.6
    y_hi = U + 4.5
    fig.update_layout(
        shapes=shapes,
        annotations=annotations,
        height=int(80 + 13 * (y_hi - y_lo)),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="white",
    )
    fig.update_xaxes(visible=False, range=[-2.2, 2 * (W - 1) + 2.2], fixedrange=True)
    fig.update_yaxes(visible=False, range=[y_lo, y_hi], fixedrange=True)
    return fig


def shown_states(fig: go.Figure | dict[str, Any], name: str = "h_fwd") -> np.ndarray:
    """(steps, units) the hidden states a figure of :func:`unrolled_figure` draws in row ``name``."""
    data = fig["data"] if isinstance(fig, dict) else [tr.to_plotly_json() for tr in fig.data]
    trace = next(tr for tr in data if tr.get("name") == name)
    z = np.asarray([[np.nan if v is None else v for v in row] for row in trace["z"]], dtype=float)
    return z[::-1, ::2].T  # rows were units top-down, columns every other one


def joined_figure(u: Unrolled, start: int, width: int, units: int = MAX_UNITS) -> go.Figure:
    """The layer's output at each step, [h_fwd_t ; h_bwd_t]: the two strips stacked, first units of each."""
    T, H = u.steps, u.hidden
    W = min(width, T - start)
    U = min(units, H)
    cols = list(range(start, start + W))
    z = np.concatenate([u.states[0, cols, :U].T, u.states[1, cols, :U].T], axis=0)  # (2U, W)
    rows = [f"→ {k}" for k in range(U)] + [f"← {k}" for k in range(U)]
    fig = charts.heatmap(
        np.round(z, 6).tolist(),
        [u.tokens[c] for c in cols],
        rows,
        zmin=-1.0,
        zmax=1.0,
        colorscale=charts.DIVERGING,
        height=max(260, 120 + 11 * 2 * U),
        hover="h",
        x_title=t("inside.time"),
    )
    fig.add_hline(y=U - 0.5, line_width=2, line_color="#333")
    fig.update_traces(name="joined")
    return fig


def unrolled_view(model: nn.Module, out: Any, tokens: dict[str, list[str]], key: str) -> bool:
    """The unrolled recurrence of the example: boxes per step, both directions, how they are joined."""
    states = getattr(out, "states", None)
    if states is None:
        return False
    L, dirs, T = int(states.shape[0]), int(states.shape[1]), int(states.shape[3])
    st.markdown(f"#### {t('inside.unrolled.title')}")
    c1, c2 = st.columns(2)
    layer = 0
    if L > 1:
        layer = int(
            c1.selectbox(
                t("inside.layer"), list(range(L)), format_func=lambda i: f"{i + 1}", key=f"{key}.unroll_layer"
            )
        )
    u = unrolled(model, out, tokens, layer)
    assert u is not None
    start = 0
    if T > MAX_STEPS:
        start = int(
            c2.slider(
                t("inside.unrolled.window"),
                1,
                T - MAX_STEPS + 1,
                1 if dirs == 2 else T - MAX_STEPS + 1,
                key=f"{key}.unroll_start",
                help=t("inside.unrolled.window_help", n=MAX_STEPS, T=T),
            )
            - 1
        )
    st.caption(
        t("inside.unrolled.caption", cell=u.cell or "cell", T=T, H=u.hidden, U=min(MAX_UNITS, u.hidden))
        + (" " + t("inside.unrolled.upper_layer", n=layer + 1, below=layer) if layer > 0 else "")
    )
    show(unrolled_figure(u, start), f"{key}.unrolled", export="unrolled-rnn")
    if u.read:
        st.caption(t("inside.unrolled.read_two" if dirs == 2 else "inside.unrolled.read_one", T=T))
    if cell_name(model) == "LSTM":
        st.caption(t("inside.unrolled.lstm_memory"))
    if dirs == 2:
        st.markdown(f"##### {t('inside.unrolled.joined_title')}")
        st.caption(t("inside.unrolled.joined_caption", H=u.hidden, H2=2 * u.hidden))
        show(joined_figure(u, start, MAX_STEPS), f"{key}.joined")
    return True


# ---------------------------------------------------------------------------------------------
# The context vector of a Seq2Seq model (and every encoder state, when attention reads them)
# ---------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What a translation model's decoder gets from the encoder for one sentence."""

    kind: str  # "context" (no attention), "attention" (Seq2Seq with attention), "transformer"
    tokens: list[str]  # the source words the encoder read
    vector: np.ndarray | None  # (H,) c, or the decoder's first state s_0 with attention
    memory: np.ndarray | None  # (S, M) every encoder state (attention) or the encoder output
    bidirectional: bool = False


def context_of(model: nn.Module, batch: dict[str, torch.Tensor], tokens: list[str]) -> Context | None:
    """Run the model's own ``encode`` on a token batch of one sentence (None for other models)."""
    encode = getattr(model, "encode", None)
    src = batch.get("src")
    if encode is None or src is None or src.dim() != 2 or "src_mask" not in batch:
        return None
    with evaluating(model):
        state = encode(to_device(batch, model_device(model)))
    if not isinstance(state, dict):
        return None
    encoder_rnn = getattr(getattr(model, "encoder", None), "rnn", None)
    bidir = bool(getattr(encoder_rnn, "bidirectional", False))

    def first(x: torch.Tensor) -> np.ndarray:
        return x.detach().float().cpu().numpy()

    if "context" in state:
        return Context("context", tokens, first(state["context"][0]), None, bidir)
    if "memory" in state and "h" in state:
        return Context("attention", tokens, first(state["h"][-1, 0]), first(state["memory"][0]), bidir)
    if "memory" in state:
        return Context("transformer", tokens, None, first(state["memory"][0]))
    return None


def vector_figure(vec: np.ndarray, name: str, cols: int = 16) -> go.Figure:
    """A vector as a strip of cells, ``cols`` to a row (a trace named ``name``, NaN past the end)."""
    rows = int(np.ceil(vec.size / cols))
    grid = np.full(rows * cols, np.nan)
    grid[: vec.size] = vec
    lim = float(np.nanmax(np.abs(grid))) if vec.size else 1.0
    lim = lim or 1.0
    fig = charts.heatmap(
        np.round(grid.reshape(rows, cols), 6).tolist(),
        [str(i) for i in range(cols)],
        [str(r * cols) for r in range(rows)],
        zmin=-lim,
        zmax=lim,
        colorscale=charts.DIVERGING,
        height=max(160, 60 + 22 * rows),
        hover="value",
    )
    fig.update_traces(name=name)
    return fig


def vector_values(fig: dict[str, Any], name: str) -> np.ndarray:
    """The values a :func:`vector_figure` shows, in order (the NaN padding left out)."""
    trace = next(tr for tr in fig["data"] if tr.get("name") == name)
    flat = [v for row in trace["z"] for v in row]
    return np.asarray([v for v in flat if v is not None and not (isinstance(v, float) and np.isnan(v))])


def context_view(model: nn.Module, batch: dict[str, torch.Tensor], tokens: list[str], key: str) -> bool:
    """The one vector the decoder starts from, its size, and the encoder states attention reads."""
    c = context_of(model, batch, tokens)
    if c is None:
        return False
    S = len(c.tokens)
    field = t("field.hidden_size", default="hidden_size")
    if c.kind == "context" and c.vector is not None:
        st.markdown(f"#### {t('inside.context.title')}")
        st.caption(t("inside.context.caption", S=S, H=c.vector.size, field=field))
        st.caption(t("inside.context.bridge" if c.bidirectional else "inside.context.last"))
        show(vector_figure(c.vector, "context"), f"{key}.context", export="context-vector")
        return True
    st.markdown(f"#### {t('inside.context.attn_title')}")
    M = int(c.memory.shape[1]) if c.memory is not None else 0
    if c.kind == "attention" and c.vector is not None:
        st.caption(t("inside.context.attn_caption", S=S, H=c.vector.size, M=M, field=field))
        st.markdown(f"**{t('inside.context.s0')}** ({c.vector.size})")
        show(vector_figure(c.vector, "s0"), f"{key}.s0")
    else:
        st.caption(t("inside.context.transformer", S=S, D=M))
    if c.memory is not None:
        shown = min(M, 64)
        st.markdown(f"**{t('inside.context.memory')}** ({S} × {M})")
        lim = float(np.abs(c.memory).max()) or 1.0
        fig = charts.heatmap(
            np.round(c.memory[:, :shown], 6).tolist(),
            [str(i) for i in range(shown)],
            c.tokens,
            zmin=-lim,
            zmax=lim,
            colorscale=charts.DIVERGING,
            height=max(200, 120 + 24 * S),
            hover="value",
            x_title=t("inside.dimension"),
        )
        fig.update_traces(name="memory")
        show(fig, f"{key}.memory")
        if shown < M:
            st.caption(t("inside.context.dims_shown", n=shown, M=M))
    return True
