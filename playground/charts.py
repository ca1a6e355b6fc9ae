"""Plotly figures (zoomable) for the app: loss curves, heatmaps with tokens on the axes, series.

Functions here only build figures from plain numbers; drawing them is the caller's business
(``st.plotly_chart(fig)``). Token axes use positions as coordinates and the tokens as tick labels,
so a word that occurs twice keeps two rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

PALETTE = {
    "train": "#9db4d9",
    "smooth": "#1f4e9c",
    "val": "#e4572e",
    "model": "#1f4e9c",
    "actual": "#222222",
    "baseline": "#9a9a9a",
    "baseline2": "#c9a227",
    "toward": "#2a9d5c",  # a word that pushed the model toward its answer
    "away": "#e4572e",  # ... and away from it
}
HEAT = "Blues"
# the one diverging scale of every signed map (positional encodings, gates, similarities) on every
# page: blue for negative, white at 0, red for positive (plotly's "RdBu" runs the other way)
DIVERGING = "RdBu_r"


# numbers printed in heatmap cells: one readable size, and only in cells wide enough for "-0.12"
VALUE_FONT = 11
VALUE_CELL_PX = 34
FULL_WIDTH, HALF_WIDTH = 680, 320  # plot width of a chart across the page / in one of two columns


def values_fit(n_cols: int, width: int = FULL_WIDTH) -> bool:
    """Whether each of ``n_cols`` cells of a ``width``-pixel heatmap can show its number legibly."""
    return width / max(1, n_cols) >= VALUE_CELL_PX


def _layout(fig: go.Figure, *, title: str | None = None, height: int = 320, **kw: Any) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 10, "r": 10, "t": 60 if title else 36, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        **kw,
    )
    return fig


def smoothing_weight(n: int) -> float:
    """The smoothing weight w for a curve of ``n`` points: an exponential moving average averages
    over about 1 / (1 - w) points, here about n / 30 of them (at least 1, which is no smoothing,
    and at most 50), so that the trend follows the curve at every length."""
    span = min(50.0, max(1.0, n / 30))
    return 1.0 - 1.0 / span


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """Debiased exponential moving average, the way TensorBoard smooths its scalars.

    m_t = w m_(t-1) + (1 - w) v_t from m_0 = 0, shown as m_t / (1 - w^t): a weighted mean of the
    values seen so far (weight w^k for the value k steps back), so the first point is the first
    value and the start is not dragged towards an initial guess. A NaN or infinite value is left
    out (the previous smoothed value is repeated; NaN before any finite value).
    """
    out: list[float] = []
    m = 0.0
    seen = 0
    for v in values:
        if v is None or not math.isfinite(v):
            out.append(out[-1] if out else float("nan"))
            continue
        m = weight * m + (1 - weight) * v
        seen += 1
        debias = 1.0 - weight**seen
        out.append(m / debias if debias > 0 else v)
    return out


def _thin(xs: list, ys: list, limit: int = 600) -> tuple[list, list]:
    if len(xs) <= limit:
        return xs, ys
    k = math.ceil(len(xs) / limit)
    return xs[::k], ys[::k]


def _legend_below(fig: go.Figure) -> go.Figure:
    """The legend in a row under the chart (its margins: ``fixed_frame``)."""
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0})
    return fig


# room for the axes' tick labels and titles, fixed (``fixed_frame``): loss values such as "0.0005",
# percentages, "validation exact match" turned up the y axis, and the Korean labels all fit
FRAME_LEFT, FRAME_BOTTOM, FRAME_BOTTOM_LEGEND = 72, 50, 100


def fixed_frame(fig: go.Figure, *, bottom: int = FRAME_BOTTOM, top: int = 30) -> go.Figure:
    """Margins set once instead of measured by the browser at every redraw (plotly's axis
    ``automargin``). The live charts are redrawn every two seconds while a run trains; measuring
    the tick labels' sizes was 40 % of plotly's work in the browser, and the plot area shifted
    whenever the labels' widths changed. A legend below the chart may still push the bottom down."""
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    fig.update_layout(margin={"l": FRAME_LEFT, "r": 12, "t": top, "b": bottom})
    return fig


def loss_figure(
    steps: Sequence[tuple[int, float]],
    val: Sequence[tuple[int, float]],
    *,
    labels: dict[str, str],
    log_y: bool = False,
    total_steps: int | None = None,
    ended_at: int | None = None,
    ghosts: Sequence[tuple[str, Sequence[tuple[float, float]], str]] = (),
) -> go.Figure:
    """Training loss per optimiser step (faint), its moving average, validation loss per epoch.

    The step axis spans the run's planned ``total_steps`` while it trains, so the line grows
    across the chart; a run that ended sooner (at its target, early, stopped) gives ``ended_at``,
    its last step, and the axis ends there instead of leaving the rest of the plan empty.
    ``ghosts``: earlier runs as (name, training loss points, hover text), drawn faded underneath
    as their smoothed loss, so the current run reads against them."""
    fig = go.Figure()
    _ghost_traces(fig, ghosts, smoothed=True)
    xs = [s for s, _ in steps]
    ys = [v for _, v in steps]
    if xs:
        tx, ty = _thin(xs, ys)
        fig.add_trace(
            go.Scatter(
                x=tx,
                y=ty,
                mode="lines",
                name=labels["train"],
                line={"color": PALETTE["train"], "width": 1},
            )
        )
        # the weight suits the whole run's length (known from the start), so the line keeps its shape
        sx, sy = _thin(xs, smooth(ys, smoothing_weight(max(len(ys), total_steps or 0))))
        fig.add_trace(
            go.Scatter(x=sx, y=sy, mode="lines", name=labels["smooth"], line={"color": PALETTE["smooth"]})
        )
    if val:
        fig.add_trace(
            go.Scatter(
                x=[s for s, _ in val],
                y=[v for _, v in val],
                mode="lines+markers",
                name=labels["val"],
                line={"color": PALETTE["val"], "width": 2},
                marker={"size": 7},
            )
        )
    longest = max([ended_at or total_steps or 0, *(g[1][-1][0] for g in ghosts if g[1])])
    fig.update_xaxes(title_text=labels["x"], range=[0, longest * 1.02] if longest else None)
    fig.update_yaxes(title_text=labels["y"], type="log" if log_y else "linear")
    return fixed_frame(_legend_below(_layout(fig, height=340)), bottom=FRAME_BOTTOM_LEGEND)


GHOST_COLORS = ("#9aa5b1", "#c9a26b", "#8fb996", "#b39ddb", "#e0a3a3", "#90caf9")


def _ghost_traces(
    fig: go.Figure, ghosts: Sequence[tuple[str, Sequence[tuple[float, float]], str]], *, smoothed: bool
) -> None:
    for i, (name, pts, hover) in enumerate(ghosts):
        if not pts:
            continue
        xs = [x for x, _ in pts]
        ys = [y for _, y in pts]
        if smoothed:
            ys = smooth(ys, smoothing_weight(len(ys)))
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines" if smoothed else "lines+markers",
                name=name,
                opacity=0.45,
                line={"color": GHOST_COLORS[i % len(GHOST_COLORS)], "width": 1.5, "dash": "dot"},
                marker={"size": 4},
                hovertemplate=f"{hover}<br>%{{x}}: %{{y:.4g}}<extra></extra>",
                legendgroup="earlier",
            )
        )


def metric_curve(
    points: Sequence[tuple[int, float]],
    *,
    name: str,
    x_label: str,
    ghosts: Sequence[tuple[str, Sequence[tuple[float, float]], str]] = (),
) -> go.Figure:
    """The validation metric per epoch (bold), earlier runs' curves faded underneath."""
    fig = go.Figure()
    _ghost_traces(fig, ghosts, smoothed=False)
    fig.add_trace(
        go.Scatter(
            x=[e for e, _ in points],
            y=[v for _, v in points],
            mode="lines+markers",
            name=name,
            line={"color": PALETTE["val"], "width": 3 if ghosts else 2},
        )
    )
    longest = max([len(points), *(len(g[1]) for g in ghosts)]) if points or ghosts else 0
    fig.update_xaxes(title_text=x_label, dtick=max(1, longest // 10) if longest else None)
    fig.update_yaxes(title_text=name)
    fig = _layout(fig, height=340 if ghosts else 300)
    if ghosts:
        return fixed_frame(_legend_below(fig), bottom=FRAME_BOTTOM_LEGEND)
    return fixed_frame(fig, top=36)


def heatmap(
    z: Sequence[Sequence[float]],
    x_tokens: Sequence[str],
    y_tokens: Sequence[str],
    *,
    title: str | None = None,
    x_title: str = "",
    y_title: str = "",
    zmin: float | None = 0.0,
    zmax: float | None = None,
    colorscale: str = HEAT,
    height: int | None = None,
    show_values: bool = False,
    hover: str = "weight",
) -> go.Figure:
    """A heatmap with the tokens on the axes (rows = queries / outputs, columns = keys / inputs)."""
    ny, nx = len(z), len(z[0]) if len(z) else 0
    xt = [str(s) for s in list(x_tokens)[:nx]] + [str(i) for i in range(len(x_tokens), nx)]
    yt = [str(s) for s in list(y_tokens)[:ny]] + [str(i) for i in range(len(y_tokens), ny)]
    custom = [[f"{yt[i]} → {xt[j]}" for j in range(nx)] for i in range(ny)]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(nx)),
            y=list(range(ny)),
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            customdata=custom,
            hovertemplate="%{customdata}<br>" + hover + " %{z:.3f}<extra></extra>",
            texttemplate=("%{z:.2f}" if nx <= 8 else "%{z:.1f}") if show_values else None,
            textfont={"size": VALUE_FONT},
        )
    )
    h = height or max(260, min(720, 120 + 26 * ny))
    # many rows or columns (64 hidden units, a long sentence): label every k-th one so that the
    # labels never overlap (a row label needs about 14 px); hovering still names every cell
    sx, sy = _tick_step(nx), _tick_step(ny, max(2, (h - 120) // 14))
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(0, nx, sx)),
        ticktext=xt[::sx],
        title_text=x_title,
        side="top",
        tickangle=-45 if nx > 6 else 0,
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(0, ny, sy)),
        ticktext=yt[::sy],
        title_text=y_title,
        autorange="reversed",
    )
    return _layout(fig, title=title, height=h)


def _tick_step(n: int, most: int = 40) -> int:
    """Label every k-th row or column so that at most ``most`` labels are drawn."""
    return max(1, math.ceil(n / most))


def head_grid(
    maps: Sequence[Sequence[Sequence[float]]],
    x_tokens: Sequence[str],
    y_tokens: Sequence[str],
    *,
    titles: Sequence[str],
    cols: int = 4,
) -> go.Figure:
    """Every head of one layer side by side (small multiples sharing one colour scale 0..1)."""
    from plotly.subplots import make_subplots

    n = len(maps)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=list(titles), horizontal_spacing=0.04, vertical_spacing=0.12
    )
    for k, z in enumerate(maps):
        r, c = k // cols + 1, k % cols + 1
        ny, nx = len(z), len(z[0]) if len(z) else 0
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=list(range(nx)),
                y=list(range(ny)),
                colorscale=HEAT,
                zmin=0.0,
                zmax=1.0,
                showscale=k == 0,
                hovertemplate="%{z:.3f}<extra></extra>",
            ),
            row=r,
            col=c,
        )
        fig.update_xaxes(
            tickmode="array",
            tickvals=list(range(nx)),
            ticktext=[str(s) for s in x_tokens][:nx],
            tickangle=-60,
            tickfont={"size": 9},
            row=r,
            col=c,
        )
        fig.update_yaxes(
            tickmode="array",
            tickvals=list(range(ny)),
            ticktext=[str(s) for s in y_tokens][:ny],
            autorange="reversed",
            tickfont={"size": 9},
            row=r,
            col=c,
        )
    return _layout(fig, height=max(300, 280 * rows))


def positional_figure(
    table: Sequence[Sequence[float]], *, labels: dict[str, str], rows: int = 64
) -> go.Figure:
    """The positional encoding table: one row per position, one column per model dimension."""
    z = [list(r) for r in table[:rows]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=DIVERGING,
            zmid=0.0,
            hovertemplate=labels["pos"] + " %{y}, " + labels["dim"] + " %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=labels["dim"])
    fig.update_yaxes(title_text=labels["pos"], autorange="reversed")
    return _layout(fig, height=360)


def series_figure(
    x: Sequence[Any],
    lines: dict[str, Sequence[float]],
    *,
    y_title: str = "",
    colors: dict[str, str] | None = None,
    dashes: dict[str, str] | None = None,
    height: int = 380,
) -> go.Figure:
    """Several named lines over the same x (dates), with a range slider to zoom in time."""
    fig = go.Figure()
    for name, ys in lines.items():
        fig.add_trace(
            go.Scatter(
                x=list(x),
                y=list(ys),
                mode="lines",
                name=name,
                line={
                    "color": (colors or {}).get(name),
                    "dash": (dashes or {}).get(name, "solid"),
                    "width": 2 if (dashes or {}).get(name, "solid") == "solid" else 1.5,
                },
            )
        )
    fig.update_xaxes(rangeslider={"visible": True, "thickness": 0.08})
    fig.update_yaxes(title_text=y_title)
    return _layout(fig, height=height, hovermode="x unified")


def bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    y_title: str = "",
    x_title: str = "",
    y_range: tuple[float, float] | None = None,
    colors: dict[str, str] | None = None,
    height: int = 320,
) -> go.Figure:
    fig = go.Figure()
    for name, ys in series.items():
        fig.add_trace(
            go.Bar(x=list(categories), y=list(ys), name=name, marker_color=(colors or {}).get(name))
        )
    fig.update_layout(barmode="group")
    if len(categories) <= 3 and len(series) == 1:
        fig.update_traces(width=0.3)  # one or two bars should not fill the whole chart
    fig.update_xaxes(title_text=x_title, type="category")
    fig.update_yaxes(title_text=y_title, range=list(y_range) if y_range else None)
    return _layout(fig, height=height)


def lines_by(
    x: Sequence[Any],
    series: dict[str, Sequence[float]],
    *,
    x_title: str = "",
    y_title: str = "",
    y_range: tuple[float, float] | None = None,
    colors: dict[str, str] | None = None,
    dashes: dict[str, str] | None = None,
    height: int = 340,
) -> go.Figure:
    fig = go.Figure()
    for name, ys in series.items():
        fig.add_trace(
            go.Scatter(
                x=list(x),
                y=list(ys),
                mode="lines+markers",
                name=name,
                line={"color": (colors or {}).get(name), "dash": (dashes or {}).get(name, "solid")},
            )
        )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, range=list(y_range) if y_range else None)
    return _layout(fig, height=height)


def accuracy_by_lag(
    lags: Sequence[int],
    curves: dict[str, dict[int, float]],
    *,
    chance_pct: float,
    labels: dict[str, str],
    colors: dict[str, str] | None = None,
    trained_lag: int | None = None,
    height: int = 340,
) -> go.Figure:
    """Accuracy (%) against the lag, one line per model ({lag: accuracy in 0..1}), and chance
    dotted. ``labels``: "chance", "x", "y", and "trained" (the mark of ``trained_lag``, when one is given)."""
    chance = labels["chance"]
    series = {name: [100 * c.get(lag, float("nan")) for lag in lags] for name, c in curves.items()}
    series[chance] = [chance_pct] * len(lags)
    fig = lines_by(
        [str(lag) for lag in lags],
        series,
        x_title=labels["x"],
        y_title=labels["y"],
        y_range=(0, 102),
        colors={**(colors or {}), chance: PALETTE["baseline"]},
        dashes={chance: "dot"},
        height=height,
    )
    fig.update_xaxes(type="category")
    if trained_lag in lags:
        i = list(lags).index(trained_lag)
        fig.add_vline(x=i, line_dash="dash", line_color="#888")
        fig.add_annotation(x=i, y=100, text=labels.get("trained", ""), showarrow=False, yshift=8)
    return fig


def model_bars(
    values: dict[str, float],
    *,
    y_title: str = "",
    x_title: str = "",
    y_range: tuple[float, float] | None = None,
    colors: dict[str, str] | None = None,
    text: str | None = None,
    height: int = 320,
) -> go.Figure:
    """One bar per model (a single number each: tokens/s, test accuracy), every bar a trace of its
    own named after its model; ``text`` is a texttemplate printed above each bar ("%{y:.1f} %")."""
    fig = go.Figure()
    for name, v in values.items():
        fig.add_trace(
            go.Bar(
                x=[name],
                y=[v],
                name=name,
                width=0.5,
                marker_color=(colors or {}).get(name),
                texttemplate=text,
                textposition="outside" if text else None,
                cliponaxis=False,
            )
        )
    fig.update_layout(barmode="overlay", showlegend=False)  # one bar per category: no gaps for others
    fig.update_xaxes(title_text=x_title, type="category")
    fig.update_yaxes(title_text=y_title, range=list(y_range) if y_range else None)
    return _layout(fig, height=height)


def lines_xy(
    series: dict[str, tuple[Sequence[float], Sequence[float]]],
    *,
    x_title: str = "",
    y_title: str = "",
    y_range: tuple[float, float] | None = None,
    colors: dict[str, str] | None = None,
    height: int = 340,
) -> go.Figure:
    """Named lines, each over its own x (e.g. each model's validation metric by seconds trained)."""
    fig = go.Figure()
    for name, (xs, ys) in series.items():
        fig.add_trace(
            go.Scatter(
                x=list(xs),
                y=list(ys),
                mode="lines+markers",
                name=name,
                line={"color": (colors or {}).get(name)},
            )
        )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, range=list(y_range) if y_range else None)
    return _layout(fig, height=height)


def reference_line(fig: go.Figure, y: float, label: str) -> go.Figure:
    """A dotted horizontal line across the plot at ``y`` (chance, a target), labelled at its left."""
    fig.add_hline(
        y=y,
        line={"dash": "dot", "color": PALETTE["baseline"], "width": 1.5},
        annotation_text=label,
        annotation_position="top left",
        annotation_font={"color": PALETTE["baseline"], "size": 11},
    )
    return fig


def confusion_figure(
    matrix: Sequence[Sequence[int]], labels: Sequence[str], *, axis: dict[str, str]
) -> go.Figure:
    """Counts with the true class on rows and the predicted class on columns, annotated."""
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(labels),
            y=list(labels),
            colorscale=HEAT,
            texttemplate="%{z}",
            hovertemplate=axis["true"] + " %{y}, " + axis["pred"] + " %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=axis["pred"], side="top", type="category")
    fig.update_yaxes(title_text=axis["true"], autorange="reversed", type="category")
    return _layout(fig, height=340)


def token_bars(
    tokens: Sequence[str],
    weights: Sequence[float],
    *,
    y_title: str,
    colors: Sequence[str] | None = None,
    y_format: str = ".3f",
) -> go.Figure:
    """One bar per input token (in order), e.g. how much attention each word received; with
    ``colors`` (one per bar) signed values such as how far each word moved the answer."""
    fig = go.Figure(
        go.Bar(
            x=list(range(len(tokens))),
            y=list(weights),
            marker_color=list(colors) if colors is not None else PALETTE["model"],
            customdata=list(tokens),
            hovertemplate=f"%{{customdata}}: %{{y:{y_format}}}<extra></extra>",
        )
    )
    fig.update_xaxes(
        tickmode="array", tickvals=list(range(len(tokens))), ticktext=list(tokens), tickangle=-45
    )
    fig.update_yaxes(title_text=y_title, zeroline=True, zerolinecolor=PALETTE["baseline"])
    return _layout(fig, height=280)
