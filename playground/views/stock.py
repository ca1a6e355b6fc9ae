"""Stock forecast views: the time split, actual vs predicted vs persistence, your own prices."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core.tasks.base import DataError
from core.tasks.stock import StockData
from playground import charts
from playground.i18n import t
from playground.settings import Chosen, PageConfig
from playground.taskpage import ModelView, TaskViews
from playground.views.common import task_data

SPLIT_COLORS = {"train": "#1f4e9c", "val": "#c9a227", "test": "#e4572e"}

CONFIG = PageConfig(
    page="stock",
    task="stock",
    icon=":material/show_chart:",
    order=10,
    default_arch="lstm",
    hide=frozenset({"model.readout", "model.explicit"}),
    show_if={
        "task.date_column": ("task.source", frozenset({"upload"})),
        "task.value_column": ("task.source", frozenset({"upload"})),
        "task.ticker": ("task.source", frozenset({"offline", "yfinance"})),
    },
)


def preview(data: StockData, chosen: Chosen) -> None:
    """The closing prices, coloured by the part of the time line they belong to."""
    windows = data.windows
    if not windows:
        return
    fig = None
    lines: dict[str, Any] = {}
    for part in ("train", "val", "test"):
        w = windows.get(part)
        if w is None or len(w.last) == 0:
            continue
        lines[part] = ([str(d) for d in w.dates[:, 0]], [float(v) for v in w.future[:, 0]])
    import plotly.graph_objects as go

    fig = go.Figure()
    for part, (xs, ys) in lines.items():
        fig.add_trace(
            go.Scatter(x=xs, y=ys, mode="lines", name=t(f"split.{part}"), line={"color": SPLIT_COLORS[part]})
        )
    fig.update_layout(height=260, margin={"l": 10, "r": 10, "t": 10, "b": 10}, hovermode="x unified")
    fig.update_yaxes(title_text=t("stock.price"))
    st.caption(t("stock.preview_caption"))
    st.plotly_chart(fig, key="stock._preview")


SPIKE_NOTE_AT = 2.0  # explain the spike when it at least doubles an ordinary batch's loss (~1)


def loss_note(data: StockData, batch_size: int) -> str | None:
    """Why the training loss jumps once every epoch, when a day of the training data makes it jump:
    its largest daily move (for AAPL the 52 % fall of 2000-09-29, 21 standard deviations) lifts the
    loss of the batch that holds it to about 4.5, once per epoch (see StockData.largest_move)."""
    move = data.largest_move(batch_size)
    if move is None or move.batch_loss < SPIKE_NOTE_AT:
        return None
    return t(
        "stock.loss_spike",
        date=move.date,
        change=f"{100 * move.change:+.0f} %",
        z=f"{abs(move.z):.0f}",
        loss=f"{move.batch_loss:.1f}",
    )


def results(view: ModelView) -> None:
    rows = view.memo("examples", lambda: view.data.examples(view.model, 0))
    if not rows:
        return
    st.markdown(f"#### {t('stock.test_range')}")
    st.caption(t("stock.test_caption"))
    x = [r["date"] for r in rows]
    fig = charts.series_figure(
        x,
        {
            t("stock.actual"): [r["actual"] for r in rows],
            t("stock.predicted"): [r["predicted"] for r in rows],
            t("stock.persistence"): [r["persistence"] for r in rows],
        },
        y_title=t("stock.price"),
        colors={
            t("stock.actual"): charts.PALETTE["actual"],
            t("stock.predicted"): charts.PALETTE["model"],
            t("stock.persistence"): charts.PALETTE["baseline"],
        },
        dashes={t("stock.persistence"): "dot"},
    )
    st.plotly_chart(fig, key="stock._testfig")
    err_model = np.abs(np.array([r["predicted"] - r["actual"] for r in rows]))
    err_base = np.abs(np.array([r["persistence"] - r["actual"] for r in rows]))
    share = float(np.mean(err_model < err_base)) if len(rows) else float("nan")
    st.caption(t("stock.closer_share", share=f"{100 * share:.0f}"))


def _parse_prices(text: str) -> list[float]:
    parts = [p for p in text.replace(";", ",").replace("\n", ",").replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise DataError(t("stock.no_prices"))
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise DataError(t("stock.bad_prices")) from None


def try_it(view: ModelView) -> None:
    data = task_data(view, StockData)
    names = data.names
    need = data.lookback + data.skip
    st.caption(t("stock.try_caption", n=need))
    last = data.last_window
    ci = names.index("close") if "close" in names else 0
    default = ", ".join(f"{row[ci]:.2f}" for row in last[-need:]) if last else ""
    if names != ("close",):
        st.info(t("stock.ohlcv_try"))
    text = st.text_area(t("stock.prices_label"), value=default, height=120, key=f"{view.page}._prices")
    prices = _parse_prices(text)
    item: Any = prices
    if names != ("close",):
        # the model reads OHLCV: repeat the close as open/high/low and leave the volume at the last known
        vol = last[-1][names.index("volume")] if last and "volume" in names else 0.0
        rows = [[p if n != "volume" else vol for n in names] for p in prices]
        import io

        buf = io.StringIO()
        buf.write("date," + ",".join(names) + "\n")
        day0 = np.datetime64("2000-01-03")
        for i, r in enumerate(rows):
            buf.write(f"{day0 + np.timedelta64(i, 'D')}," + ",".join(str(v) for v in r) + "\n")
        item = buf.getvalue().encode()
    out = data.predict(view.model, [item])[0]
    forecast = out["forecast"]
    hist_x = list(range(-len(prices) + 1, 1))
    fut_x = list(range(0, len(forecast) + 1))
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=hist_x, y=prices, mode="lines", name=t("stock.your_prices"), line={"color": "#222"})
    )
    fig.add_trace(
        go.Scatter(
            x=fut_x,
            y=[out["last"], *forecast],
            mode="lines+markers",
            name=t("stock.forecast_line"),
            line={"color": charts.PALETTE["model"], "dash": "dash"},
        )
    )
    fig.update_xaxes(title_text=t("stock.days_from_last"))
    fig.update_yaxes(title_text=t("stock.price"))
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(fig, key=f"{view.page}._tryfig")
    cols = st.columns(min(len(forecast), 6))
    for i, (c, v) in enumerate(zip(cols, forecast)):
        c.metric(t("stock.day_n", n=i + 1), f"{v:,.2f}", delta=f"{v - out['last']:+,.2f}")


VIEWS = TaskViews(
    metrics=("rmse", "mae", "mape", "direction_accuracy"),
    vs="persistence",
    results=results,
    try_it=try_it,
    preview=preview,
    concepts=("many_to_one", "lstm", "gru", "transformer_encoder"),
    loss_note=loss_note,
)
