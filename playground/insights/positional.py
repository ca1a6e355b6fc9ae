"""Positional encoding ("Attention Is All You Need", 3.5): the sinusoidal table, its waves, how
alike two positions look to a dot product, and the ablation that trains the same Transformer
encoder on word order with sinusoidal, learned and no positional encoding (core.race.pe_ablation).
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from core.analysis import positional_similarity
from core.models.positional import POSITIONAL_KINDS, sinusoidal_encoding
from core.race import pe_specs
from playground import charts
from playground.i18n import t
from playground.insights import experiment_view, experiments
from playground.insights.common import BIND, dims, lane_color, matrix, page_header, show

PAGE = "positional"
D_MODELS = (8, 16, 32, 64, 128, 256, 512)


def wavelength(dim: int, d_model: int) -> float:
    """Column ``dim`` of the sinusoidal table repeats every 2*pi*10000^(2i/D) positions (2i = dim - dim % 2)."""
    return 2 * math.pi * 10000.0 ** ((dim - dim % 2) / d_model)


def curves_figure(P: Any, chosen: list[int], d_model: int) -> go.Figure:
    fig = go.Figure()
    n = P.shape[0]
    for k, d in enumerate(chosen):
        kind = "sin" if d % 2 == 0 else "cos"
        fig.add_trace(
            go.Scatter(
                x=list(range(n)),
                y=P[:, d].tolist(),
                mode="lines+markers" if n <= 64 else "lines",
                marker={"size": 4},
                name=t("ins.pos.curve_name", d=d, kind=kind, wl=f"{wavelength(d, d_model):.3g}"),
                line={"color": lane_color(str(d), k)},
            )
        )
    fig.update_xaxes(title_text=t("inside.position"))
    fig.update_yaxes(title_text="PE", range=[-1.1, 1.1])
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        hovermode="x unified",
    )
    return fig


def _table_section() -> None:
    sb = st.sidebar
    sb.header(t("ins.pos.table_settings"))
    n = int(sb.slider(t("ins.pos.positions"), 8, 256, 64, key=f"{PAGE}.n", bind=BIND))
    D = int(sb.select_slider("d_model", D_MODELS, value=128, key=f"{PAGE}.d", bind=BIND))
    P = sinusoidal_encoding(n, D)  # (n, D)

    st.markdown(f"### 1. {t('ins.pos.s1')}")
    st.markdown(t("ins.pos.s1_explain", D=D))
    st.latex(
        r"PE_{(pos,\,2i)} = \sin\!\left(\frac{pos}{10000^{2i/d_{model}}}\right),\quad "
        r"PE_{(pos,\,2i+1)} = \cos\!\left(\frac{pos}{10000^{2i/d_{model}}}\right)"
    )
    show(
        matrix(
            P, dims(D), dims(n), name="pe", x_title=t("inside.dimension"), y_title=t("inside.position"),
            zmin=-1.0, zmax=1.0, height=420, diverging=True,
        ),
        f"{PAGE}.fig.table",
        export="sinusoidal-positional-encoding",
    )  # fmt: skip

    st.markdown(f"### 2. {t('ins.pos.s2')}")
    st.markdown(t("ins.pos.s2_explain"))
    default = [d for d in (0, D // 8, D // 8 + 1, D // 4) if d < D]  # fast, a sin/cos pair, slow
    chosen = st.multiselect(
        t("ins.pos.dims"), list(range(D)), default=sorted(set(default)), key=f"{PAGE}.dims", max_selections=8
    )
    if chosen:
        st.plotly_chart(curves_figure(P, sorted(chosen), D), key=f"{PAGE}.fig.curves")

    st.markdown(f"### 3. {t('ins.pos.s3')}")
    st.markdown(t("ins.pos.s3_explain", half=D // 2))
    cosine = st.toggle(t("ins.pos.cosine"), key=f"{PAGE}.cosine", help=t("ins.pos.cosine_help"))
    S = positional_similarity(P, cosine=cosine)
    show(
        matrix(
            S, dims(n), dims(n), name="similarity", diverging=True, x_title=t("inside.position"),
            y_title=t("inside.position"), height=460, hover=t("ins.pos.similarity"),
        ),
        f"{PAGE}.fig.similarity",
        export="positional-similarity",
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The ablation
# ---------------------------------------------------------------------------------------------


def _ablation_settings() -> dict[str, Any]:
    sb = st.sidebar
    sb.header(t("ins.pos.ablation_settings"))
    return {
        "length": int(sb.slider(t("field.length", default="Length"), 4, 32, 10, key=f"{PAGE}.length", bind=BIND)),
        "n_train": int(
            sb.select_slider(
                t("field.n_train", default="Training sequences"),
                [200, 500, 1000, 2000, 3000, 5000],
                value=3000,
                key=f"{PAGE}.n_train",
                bind=BIND,
            )
        ),
        "epochs": int(sb.slider(t("field.epochs", default="Epochs"), 1, 20, 6, key=f"{PAGE}.epochs", bind=BIND)),
        "budget": float(
            sb.select_slider(
                t("ins.common.budget"),
                [5, 10, 20, 30, 60, 120],
                value=30,
                key=f"{PAGE}.budget",
                bind=BIND,
                help=t("ins.common.budget_help"),
            )
        ),
        "seed": int(sb.number_input(t("field.seed", default="Seed"), 0, 2**31 - 1, 0, key=f"{PAGE}.seed", bind=BIND)),
    }  # fmt: skip


def start_ablation(s: dict[str, Any]) -> experiments.Job:
    settings = {
        "task.length": s["length"],
        "task.n_train": s["n_train"],
        "train.epochs": experiments.capped_epochs(s["epochs"]),
    }
    budget = experiments.capped_seconds(s["budget"])

    lanes = pe_specs(settings, budget_seconds=budget, seed=s["seed"])
    return experiments.start(PAGE, "word-order", s, lanes)


def draw_ablation(job: experiments.Job) -> None:
    experiment_view.curves(job, f"{PAGE}.race")
    experiment_view.table(job, f"{PAGE}.race")
    rows = {r["name"]: r for r in job.rows()}
    done = [k for k in POSITIONAL_KINDS if k in rows and job.finished(k) is not None]
    if done:
        fig = charts.bars(
            [t(f"ins.pos.kind.{k}") for k in done],
            {t("metric.accuracy", default="accuracy"): [100 * rows[k]["metric"] for k in done]},
            y_title="%",
            y_range=(0, 100),
            colors={t("metric.accuracy", default="accuracy"): charts.PALETTE["model"]},
            height=260,
        )
        fig.add_hline(y=50, line_dash="dot", annotation_text=t("ins.pos.chance"), line_color="#9a9a9a")
        st.plotly_chart(fig, key=f"{PAGE}.fig.acc")
    learned = job.lane("learned")
    if job.done and learned is not None and job.finished("learned") is not None:
        st.markdown(f"#### {t('ins.pos.learned_title')}")
        st.caption(t("ins.pos.learned_caption"))
        table = learned.model.positional_table()[: int(job.params.get("length", 10))]
        S = positional_similarity(table, cosine=True)
        n = table.shape[0]
        show(
            matrix(S, dims(n), dims(n), name="learned_similarity", zmin=-1.0, zmax=1.0, height=360, diverging=True,
                   x_title=t("inside.position"), y_title=t("inside.position")),
            f"{PAGE}.fig.learned",
        )  # fmt: skip


def positional_page() -> None:
    page_header(PAGE)
    _table_section()
    st.divider()
    st.markdown(f"### 4. {t('ins.pos.s4')}")
    st.markdown(t("ins.pos.s4_explain"))
    s = _ablation_settings()
    experiment_view.controls(PAGE, lambda: start_ablation(s), label_key="ins.pos.run")
    job = experiment_view.follow(PAGE, draw_ablation)
    if job is None:
        st.info(t("ins.pos.press_run"), icon=":material/science:")
