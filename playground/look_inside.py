"""Look inside a model: attention maps (every layer and head), positional encodings, recurrent
states and gates, on one fixed example of the task (its ``probe``) or on the user's own input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st
import torch
from torch import nn

from core.models.base import SOS, SPECIALS, evaluating
from core.tasks.base import TaskData, model_device, to_device
from playground import charts
from playground.chart_export import show
from playground.i18n import t
from playground.insights import recurrence

ATTN_ORDER = ("enc_self", "dec_self", "cross", "self")


def run_recorded(model: nn.Module, batch: dict[str, torch.Tensor]) -> Any:
    """One forward pass in eval mode without gradients, asking for attention / states / gates."""
    with evaluating(model):
        return model(to_device(batch, model_device(model)), record=True)


def probe_outputs(model: nn.Module, data: TaskData) -> tuple[Any, dict[str, list[str]]] | None:
    """The model's recorded output on the task's fixed probe example, with the axis labels."""
    found = probe_run(model, data)
    return None if found is None else (found[0], found[1])


def probe_run(
    model: nn.Module, data: TaskData
) -> tuple[Any, dict[str, list[str]], dict[str, torch.Tensor]] | None:
    """:func:`probe_outputs` and the probe batch itself (for views that run more of the model on it)."""
    probe = data.probe_for(model)  # a loaded model's data has no splits: a typed example then
    if probe is None:
        return None
    batch, tokens = probe
    return run_recorded(model, batch), tokens, batch


def first_example(attention: dict[str, Any]) -> dict[str, np.ndarray]:
    """ModelOutput.attention (L, B, h, Tq, Tk) tensors -> (L, h, Tq, Tk) arrays of example 0."""
    out = {}
    for k, v in attention.items():
        a = v.detach().float().cpu().numpy() if isinstance(v, torch.Tensor) else np.asarray(v, dtype=float)
        out[k] = a[:, 0] if a.ndim == 5 else a
    return out


def axis_tokens(name: str, tokens: dict[str, list[str]], tq: int, tk: int) -> tuple[list[str], list[str]]:
    """(row labels, column labels) of an attention map: queries on rows, keys on columns."""
    src = list(tokens.get("src") or tokens.get("x") or [])
    tgt = list(tokens.get("tgt") or [])
    tgt_in = [SPECIALS[SOS], *tgt[:-1]] if tgt else []
    if name == "enc_self" or name == "self":
        rows, cols = src, src
    elif name == "dec_self":
        rows, cols = tgt, tgt_in
    else:  # cross
        rows, cols = tgt, src
    rows = (rows + [str(i) for i in range(len(rows), tq)])[:tq]
    cols = (cols + [str(i) for i in range(len(cols), tk)])[:tk]
    return rows, cols


def attention_explorer(attention: dict[str, Any], tokens: dict[str, list[str]], key: str) -> None:
    """Selectors for which attention, layer and head; every head of a layer as small multiples."""
    maps = {k: np.asarray(v, dtype=float) for k, v in attention.items() if v is not None}
    names = [n for n in ATTN_ORDER if n in maps] + [n for n in maps if n not in ATTN_ORDER]
    if not names:
        st.info(t("inside.no_attention"))
        return
    c1, c2, c3 = st.columns([2, 1, 1])
    name = c1.radio(
        t("inside.which"),
        names,
        format_func=lambda n: t(f"attn.{n}", default=n),
        horizontal=True,
        key=f"{key}.which",
    )
    arr = maps[name]  # (L, h, Tq, Tk)
    if arr.ndim == 3:
        arr = arr[None]
    L, H, tq, tk = arr.shape
    layer = 0
    if L > 1:
        layer = c2.selectbox(
            t("inside.layer"), list(range(L)), format_func=lambda i: f"{i + 1}", key=f"{key}.layer"
        )
    view: Any = 0
    if H > 1:
        view = c3.selectbox(
            t("inside.head"),
            ["all", "mean", *range(H)],
            format_func=lambda v: (
                t("inside.all_heads") if v == "all" else t("inside.mean_heads") if v == "mean" else f"{v + 1}"
            ),
            key=f"{key}.head",
        )
    rows, cols = axis_tokens(name, tokens, tq, tk)
    st.caption(t(f"attn.{name}.explain", default=""))
    if view == "all":
        fig = charts.head_grid(
            [arr[layer, h].tolist() for h in range(H)],
            cols,
            rows,
            titles=[t("inside.head_n", n=h + 1) for h in range(H)],
            cols=min(4, H),
        )
    else:
        z = arr[layer].mean(axis=0) if view == "mean" else arr[layer, int(view)]
        fig = charts.heatmap(
            z.tolist(),
            cols,
            rows,
            zmin=0.0,
            zmax=float(max(1e-9, z.max())),
            x_title=t(f"attn.{name}.keys", default=t("attn.keys")),
            y_title=t(f"attn.{name}.queries", default=t("attn.queries")),
        )
    head = "all-heads" if view == "all" else "mean" if view == "mean" else f"head{int(view) + 1}"
    show(fig, f"{key}.fig.{name}.{layer}.{view}", export=f"attention-{name}-layer{layer + 1}-{head}")


def positional_view(model: nn.Module, key: str) -> None:
    table_fn = getattr(model, "positional_table", None)
    if table_fn is None:
        return
    table = table_fn()
    if table is None:
        return
    z = table.detach().float().cpu().numpy()
    st.caption(t("inside.positional_explain", n=z.shape[0], d=z.shape[1]))
    rows = st.slider(
        t("inside.positions_shown"),
        4,
        int(max(4, min(z.shape[0], 200))),
        int(min(z.shape[0], 50)),
        key=f"{key}.posrows",
    )
    show(
        charts.positional_figure(
            z[:rows].tolist(), labels={"pos": t("inside.position"), "dim": t("inside.dimension")}
        ),
        f"{key}.posfig",
        export="positional-encoding",
    )


def recorded_signals(out: Any, direction: int = 0) -> dict[str, np.ndarray]:
    """Hidden states ``h`` and gates of the first recurrent layer, (T, H) each; ``direction`` 1 is
    the backward direction of a bidirectional layer (in the original time order)."""
    items: dict[str, np.ndarray] = {}
    if getattr(out, "states", None) is not None:
        items["h"] = out.states.detach().float().cpu().numpy()[0, direction, 0]  # (T, H)
    for g, v in (getattr(out, "gates", None) or {}).items():
        items[g] = v.detach().float().cpu().numpy()[0, direction, 0]
    return items


def directions(out: Any) -> int:
    """1, or 2 for a bidirectional recurrent layer."""
    states = getattr(out, "states", None)
    return int(states.shape[1]) if states is not None and states.dim() == 5 else 1


def snapshot_signals(snap: Any, direction: int = 0) -> dict[str, np.ndarray]:
    """The same signals as :func:`recorded_signals`, from a per-epoch Snapshot event."""
    items: dict[str, np.ndarray] = {}
    if direction == 1:
        return {k: np.asarray(v, dtype=float) for k, v in (snap.backward or {}).items()}
    if getattr(snap, "states", None) is not None:
        items["h"] = np.asarray(snap.states, dtype=float)
    for g, v in (getattr(snap, "gates", None) or {}).items():
        items[g] = np.asarray(v, dtype=float)
    return items


def epoch_picker(snaps: list[Any], key: str) -> Any | None:
    """A slider over the recorded epochs plus "final"; returns the chosen snapshot (None = final)."""
    if len(snaps) < 2:
        return None
    epochs = [s.epoch for s in snaps] + ["final"]
    pick = st.select_slider(
        t("inside.epoch_snapshot"),
        epochs,
        value="final",
        format_func=lambda e: t("inside.final") if e == "final" else str(e),
        key=key,
    )
    return None if pick == "final" else next(s for s in snaps if s.epoch == pick)


def recurrent_view(items: dict[str, np.ndarray], tokens: dict[str, list[str]], key: str) -> None:
    """Heatmap (units x time) of one chosen signal: the hidden state or a gate."""
    if not items:
        st.info(t("inside.no_states"))
        return
    which = st.radio(
        t("inside.signal"),
        list(items),
        format_func=lambda g: t(f"gate.{g}", default=g),
        horizontal=True,
        key=f"{key}.gate",
    )
    z = items[which]  # (T, H)
    T, H = z.shape
    units = min(H, 64)
    xs = list(tokens.get("src") or tokens.get("x") or [])
    xs = (xs + [str(i) for i in range(len(xs), T)])[:T]
    st.caption(t(f"gate.{which}.explain", default="") + " " + t("inside.units_shown", n=units, total=H))
    lo = -1.0 if float(z.min()) < 0 else 0.0
    fig = charts.heatmap(
        z[:, :units].T.tolist(),
        xs,
        [str(i) for i in range(units)],
        zmin=lo,
        zmax=1.0 if float(np.abs(z).max()) <= 1.0 + 1e-6 else None,
        colorscale=charts.DIVERGING if lo < 0 else charts.HEAT,
        x_title=t("inside.time"),
        y_title=t("inside.unit"),
        height=420,
        hover="value",
    )
    st.plotly_chart(fig, key=f"{key}.gfig.{which}")


def inside_section(
    model: nn.Module, data: TaskData, run: Any | None, key: str, memo: Any | None = None
) -> None:
    """Everything there is to see inside ``model`` on the probe example."""
    res = memo("probe_run", lambda: probe_run(model, data)) if memo else probe_run(model, data)
    has_pos = getattr(model, "positional_table", None) is not None
    if res is None and not has_pos:
        st.info(t("inside.nothing"))
        return
    drawn = False
    if res is not None:
        out, tokens, batch = res
        attention = first_example(out.attention or {})
        snaps = [s for s in (run.snapshots if run is not None else []) if s.attention]
        if attention:
            st.markdown(f"#### {t('inside.attention')}")
            st.caption(t("inside.probe_caption"))
            snap = epoch_picker(snaps, f"{key}.snap")
            if snap is not None:
                attention = {k: np.asarray(v, dtype=float) for k, v in snap.attention.items()}
                tokens = snap.tokens or tokens
            attention_explorer(attention, tokens, key)
            drawn = True
        items = recorded_signals(out)
        if items:
            st.markdown(f"#### {t('inside.recurrent')}")
            gate_snaps = [s for s in (run.snapshots if run is not None else []) if s.gates or s.states]
            if gate_snaps:
                st.caption(t("inside.gates_over_epochs"))
            else:
                st.caption(t("inside.gates_tip"))
            snap = epoch_picker(gate_snaps, f"{key}.gsnap")
            way = 0
            if directions(out) == 2:  # both directions, at the chosen epoch or the final model
                way = int(
                    st.radio(
                        t("inside.unrolled.direction"),
                        [0, 1],
                        format_func=lambda d: t(
                            "inside.unrolled.backward" if d else "inside.unrolled.forward"
                        ),
                        horizontal=True,
                        key=f"{key}.direction",
                    )
                )
            rec_tokens = tokens
            if snap is not None:
                items = snapshot_signals(snap, way) or recorded_signals(out, way)
                rec_tokens = snap.tokens or tokens
            else:
                items = recorded_signals(out, way)
            recurrent_view(items, rec_tokens, key)
            recurrence.unrolled_view(model, out, tokens, key)
            drawn = True
        src = list(tokens.get("src") or [])
        if src and recurrence.context_view(model, batch, src, key):
            drawn = True
        if not drawn:
            drawn = image_vector_view(model, data, key)
    if has_pos:
        st.markdown(f"#### {t('inside.positional')}")
        positional_view(model, key)
        drawn = True
    if not drawn:
        st.info(t("inside.nothing"))


def image_vector_view(model: nn.Module, data: TaskData, key: str) -> bool:
    """One-to-many: the probe image and the single vector the decoder starts from."""
    probe = data.probe_for(model)
    encode = getattr(model, "encode", None)
    if probe is None or encode is None or probe[0].get("src") is None or probe[0]["src"].dim() != 4:
        return False
    batch = probe[0]
    with evaluating(model):
        state = encode(to_device(batch, model_device(model)))
    v = state.get("context") if isinstance(state, dict) else None
    if v is None:
        return False
    vec = v[0].detach().float().cpu().numpy()  # (H,)
    img = (batch["src"][0].clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype("uint8")
    st.markdown(f"#### {t('inside.image_vector')}")
    st.caption(t("inside.image_vector_caption", n=vec.size))
    c1, c2 = st.columns([1, 3])
    c1.image(np.repeat(np.repeat(img, 6, axis=0), 6, axis=1), output_format="PNG", width="stretch")
    cols = 16
    rows = int(np.ceil(vec.size / cols))
    grid = np.full(rows * cols, np.nan)
    grid[: vec.size] = vec
    lim = float(np.nanmax(np.abs(grid))) or 1.0
    fig = charts.heatmap(
        grid.reshape(rows, cols).tolist(),
        [str(i) for i in range(cols)],
        [str(r * cols) for r in range(rows)],
        zmin=-lim,
        zmax=lim,
        colorscale=charts.DIVERGING,
        height=max(220, 60 + 22 * rows),
        hover="value",
    )
    c2.plotly_chart(fig, key=f"{key}.imgvec")
    return True
