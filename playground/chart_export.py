"""Charts people can take away: a plotly chart with an SVG camera button, and download buttons for
a self-contained interactive HTML file (and SVG when the server can render one)."""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from playground.i18n import t


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "figure"


def show(fig: go.Figure, key: str, *, export: str | None = None) -> None:
    """Draw a figure; with ``export`` (a file name without extension) offer it as HTML (and SVG)."""
    config: dict[str, Any] = {"displaylogo": False}
    if export:
        config["toImageButtonOptions"] = {"format": "svg", "filename": slug(export)}
    st.plotly_chart(fig, key=key, config=config)
    if export:
        export_buttons(fig, export, key)


def _has_kaleido() -> bool:
    return importlib.util.find_spec("kaleido") is not None


def export_buttons(fig: go.Figure, name: str, key: str) -> None:
    """Download buttons: a self-contained interactive HTML file (made when clicked); SVG too when
    kaleido can render it on the server, else the camera icon of the chart saves an SVG."""
    base = slug(name)
    cols = st.columns([1, 1, 3], vertical_alignment="center")
    cols[0].download_button(
        t("export.html"),
        data=lambda: fig.to_html(include_plotlyjs=True, full_html=True),
        file_name=f"{base}.html",
        mime="text/html",
        key=f"{key}.html",
        icon=":material/download:",
    )
    if _has_kaleido():
        cols[1].download_button(
            t("export.svg"),
            data=lambda: fig.to_image(format="svg"),
            file_name=f"{base}.svg",
            mime="image/svg+xml",
            key=f"{key}.svg",
            icon=":material/download:",
        )
    else:
        cols[2].caption(t("export.svg_hint"))
