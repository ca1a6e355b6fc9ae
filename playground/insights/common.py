"""What every insight page shares: the header, matrices as heatmaps with numbers on hover, and the
export of a figure (interactive HTML always; SVG from the chart's camera button in the browser,
and as a server-side file when kaleido is installed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from playground import charts
from playground.app import ensure_shell
from playground.chart_export import export_buttons, show, slug  # noqa: F401 - used by the insight pages
from playground.i18n import t

BIND = "query-params"
LANE_COLORS = ("#1f4e9c", "#e4572e", "#2a9d5c", "#c9a227", "#7b4fa3", "#17becf", "#8c564b", "#d6609f")
FIXED_COLORS = {"rnn": "#e4572e", "lstm": "#1f4e9c", "gru": "#2a9d5c", "none": "#9a9a9a"}


def page_header(page: str, intro_key: str | None = None) -> None:
    """The first lines of an insight page: run inside the shell, title, badges, introduction."""
    ensure_shell()
    st.title(t(f"ins.{page}.title"))
    st.markdown(t(intro_key or f"ins.{page}.intro"))


def lane_color(name: str, index: int) -> str:
    return FIXED_COLORS.get(name, LANE_COLORS[index % len(LANE_COLORS)])


def as_lists(x: Any, decimals: int = 6) -> list:
    """A tensor or array as nested lists of floats, rounded (keeps the page's JSON small)."""
    if hasattr(x, "detach"):
        x = x.detach().float().cpu().numpy()
    return np.round(np.asarray(x, dtype=float), decimals).tolist()


def matrix(
    z: Any,
    x_labels: Sequence[str],
    y_labels: Sequence[str],
    *,
    name: str,
    x_title: str = "",
    y_title: str = "",
    diverging: bool = True,
    show_values: bool = False,
    zmin: float | None = None,
    zmax: float | None = None,
    height: int | None = None,
    hover: str = "",
) -> go.Figure:
    """A labelled matrix (rows = ``y_labels``) with every number on hover.

    ``name`` is stored as the trace name, so a test can find the matrix a figure shows. Diverging
    matrices are centred on 0 (blue negative, red positive).
    """
    z = as_lists(z)
    if diverging and zmin is None and zmax is None:
        m = float(np.nanmax(np.abs(np.asarray(z, dtype=float)))) if len(z) else 1.0
        zmin, zmax = -max(m, 1e-9), max(m, 1e-9)
    fig = charts.heatmap(
        z,
        list(x_labels),
        list(y_labels),
        x_title=x_title,
        y_title=y_title,
        zmin=zmin,
        zmax=zmax,
        colorscale=charts.DIVERGING if diverging else charts.HEAT,
        height=height,
        show_values=show_values,
        hover=hover or t("ins.common.value"),
    )
    fig.update_traces(name=name)
    for axis, labels in (("x", x_labels), ("y", y_labels)):
        n = len(labels)
        if n > 20 and list(labels) == dims(n):  # plain dimension indices: a few numeric ticks
            getattr(fig, f"update_{axis}axes")(tickmode="auto", nticks=12, tickangle=0)
    return fig


def subscript(n: int) -> str:
    """12 -> '₁₂' (for labels such as Z₁₂)."""
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def dims(n: int) -> list[str]:
    return [str(i) for i in range(n)]
