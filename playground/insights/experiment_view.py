"""Drawing an experiment (:class:`~playground.insights.experiments.Job`): Run / Stop, the live progress,
every lane's loss curve on one chart, the validation metric per epoch and the results table."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.registry import get_task
from playground import charts, training
from playground.errors import USER_ERRORS, show_unexpected, show_user_error
from playground.i18n import t
from playground.insights import experiments
from playground.insights.common import lane_color
from playground.results import fmt_metric, metric_label

Draw = Callable[[experiments.Job], None]


def _stop_slot(slot: str) -> None:
    record = st.session_state.get(slot)
    if record is not None and hasattr(record, "stop"):
        record.stop()


def controls(
    page: str,
    start: Callable[[], Any],
    *,
    label_key: str,
    disabled: bool = False,
    key: str | None = None,
    slot: str | None = None,
) -> None:
    """The Run and Stop buttons; ``start`` queues the page's job (called when Run is clicked).
    ``key`` prefixes the buttons' keys (the page by default) and ``slot`` names where the page
    keeps its record in ``st.session_state`` (``"<page>.job"`` by default)."""
    training.warm()
    key = key or page
    slot = slot or f"{page}.job"
    job = st.session_state.get(slot)
    running = job is not None and job.running
    stopping = running and bool(getattr(getattr(job, "handle", None), "stop_requested", False))
    c1, c2, _ = st.columns([3, 2, 5], vertical_alignment="center")
    clicked = c1.button(
        t(label_key),
        type="primary",
        disabled=running or disabled,
        key=f"{key}._run",
        icon=":material/play_arrow:",
        width="stretch",
    )
    c2.button(
        t("run.stopping_button") if stopping else t("run.stop"),
        disabled=not running or stopping,
        key=f"{key}._stop",
        on_click=_stop_slot,
        args=(slot,),
        icon=":material/stop:",
        width="stretch",
    )
    if clicked and not running:
        try:
            started = start()
            if started.running:
                st.rerun()  # draw the page in its running state (Stop enabled, live charts)
        except training.Busy:
            st.warning(t("run.busy"), icon=":material/hourglass_top:")
        except USER_ERRORS as e:
            show_user_error(e)


def _live(page: str, draw: Draw) -> None:
    """While the job runs: its progress line every second, its charts every two seconds (as on a
    task page: a chart redraw costs the browser far more); a full rerun when it ends draws the
    results."""
    with training.still(f"{page}._live"):
        _live_progress(page)
        _live_draw(page, draw)


@st.fragment(run_every=training.LIVE_BEAT_S)
def _live_progress(page: str) -> None:
    job = experiments.current(page)
    if job is None:
        return
    progress_bar(job)
    if job.done:
        st.rerun()


@st.fragment(run_every=training.CHART_BEAT_S)
def _live_draw(page: str, draw: Draw) -> None:
    job = experiments.current(page)
    if job is not None:
        draw(job)


def follow(page: str, draw: Draw) -> experiments.Job | None:
    """Draw the page's job: live while it runs, then its results and how it ended."""
    job = experiments.current(page)
    if job is None:
        return None
    if job.queued:
        training.waiting(f"{page}.job")
    elif job.running:
        _live(page, draw)
    else:
        status(job)
        draw(job)
    return job


def progress_bar(job: experiments.Job) -> None:
    frac, now, last = experiments.progress(job)
    if job.handle.stop_requested:  # from the click until the results show
        text = t("run.stopping")
    elif now and last:
        text = t(
            "ins.common.progress",
            lane=now,
            i=job.names.index(now) + 1 if now in job.names else 1,
            n=len(job.names),
            epoch=last["epoch"],
            loss=f"{last['loss']:.4f}",
            elapsed=training.fmt_duration(last["elapsed"]),
        )
    elif now:
        text = t("ins.common.lane_starting", lane=now)
    else:
        text = t("ins.common.building")
    st.progress(frac, text=text)


def status(job: experiments.Job) -> None:
    if job.error:
        if job.unexpected:
            show_unexpected(job.error, job.detail)
        else:
            show_user_error(job.error)
        return
    reasons = {n: f.reason for n in job.names if (f := job.finished(n)) is not None}
    if job.handle.stop_requested or "stopped" in reasons.values():
        st.info(t("ins.common.stopped"), icon=":material/info:")
    elif reasons and len(reasons) == len(job.names):
        budget = [n for n, r in reasons.items() if r == "time_budget"]
        if budget:  # the clock, not the models, decided these results: say so, not in green
            seconds = max(job.spec(n).train_cfg.max_seconds for n in budget)
            st.warning(
                t("ins.common.budget_hit", lanes=", ".join(budget), seconds=f"{seconds:g}"),
                icon=":material/timer_off:",
            )
        else:
            st.success(
                t("ins.common.done" if len(job.names) > 1 else "ins.common.done_one"),
                icon=":material/check_circle:",
            )
    diverged = [n for n, r in reasons.items() if r == "diverged"]
    if diverged:
        st.warning(t("ins.common.diverged", lanes=", ".join(diverged)), icon=":material/warning:")


def loss_overlay(job: experiments.Job, key: str, x_axis: str = "step", log_y: bool = False) -> go.Figure:
    """Every lane's training loss (moving average over the steps) on one chart."""
    fig = go.Figure()
    for i, name in enumerate(job.names):
        steps = job.steps(name)
        if not steps:
            continue
        xs = [s.elapsed_s if x_axis == "seconds" else s.step for s in steps]
        ys = [s.loss for s in steps]
        smooth = charts.smooth(ys, charts.smoothing_weight(len(ys)))
        color = lane_color(name, i)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", line={"color": color, "width": 1}, opacity=0.25, showlegend=False,
                name=name, hoverinfo="skip",
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=xs, y=smooth, mode="lines", name=name, line={"color": color, "width": 2.5})
        )
    fig.update_xaxes(title_text=t("ins.common.seconds") if x_axis == "seconds" else t("chart.step"))
    fig.update_yaxes(title_text=t("ins.common.train_loss"), type="log" if log_y else "linear")
    fig.update_layout(
        height=340,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        hovermode="x unified",
    )
    return charts.fixed_frame(fig, top=36)  # the legend sits above the plot


def val_overlay(job: experiments.Job) -> go.Figure:
    """Every lane's validation metric after each epoch."""
    primary = get_task(job.task).primary.name
    fig = go.Figure()
    for i, name in enumerate(job.names):
        eps = job.epochs(name)
        if not eps:
            continue
        fig.add_trace(
            go.Scatter(
                x=[e.epoch for e in eps],
                y=[e.val.get(primary, float("nan")) for e in eps],
                mode="lines+markers",
                name=name,
                line={"color": lane_color(name, i)},
            )
        )
    fig.update_xaxes(title_text=t("chart.epoch"), dtick=1)
    fig.update_yaxes(title_text=t("chart.val_metric", metric=metric_label(primary)))
    fig.update_layout(
        height=340,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
    )
    return charts.fixed_frame(fig, top=36)  # the legend sits above the plot


def curves(job: experiments.Job, key: str) -> None:
    """The loss chart (by step or by seconds) next to the validation metric chart."""
    if not any(job.steps(name) for name in job.names):
        return  # nothing to draw before the first optimiser step
    c0, c1 = st.columns([1, 1])
    x_axis = c0.segmented_control(
        t("ins.common.x_axis"),
        ["step", "seconds"],
        default="step",
        format_func=lambda v: t(f"ins.common.x.{v}"),
        key=f"{key}.xaxis",
    )
    log_y = c1.toggle(t("ins.common.log_y"), key=f"{key}.logy")
    a, b = st.columns([3, 2])
    a.plotly_chart(loss_overlay(job, key, x_axis or "step", log_y), key=f"{key}.lossfig")
    b.plotly_chart(val_overlay(job), key=f"{key}.valfig")


def results_table(job: experiments.Job, *, extra: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """The results (one row per lane) with the column names in the page's language."""
    rows = job.rows()
    if not rows:
        return pd.DataFrame()
    metric = rows[0]["metric_name"]
    data = []
    for r in rows:
        row = {
            t("ins.col.lane"): r["name"],
            t("ins.col.metric", metric=metric_label(metric)): fmt_metric(metric, r["metric"]),
            t("ins.col.params"): f"{r['params']:,}",
            t("ins.col.seconds"): f"{r['seconds']:.1f}",
            t("ins.col.steps"): f"{r['steps']:,}",
            t("ins.col.tokens_s"): training.fmt_rate(r["tokens_per_s"]),
            t("ins.col.final_loss"): f"{r['final_loss']:.4f}" if math.isfinite(r["final_loss"]) else "–",
            t("ins.col.reason"): t(f"ins.reason.{r['reason']}", default=r["reason"] or "…"),
        }
        row.update((extra or {}).get(r["name"], {}))
        data.append(row)
    return pd.DataFrame(data)


def table(job: experiments.Job, key: str, *, extra: dict[str, dict[str, Any]] | None = None) -> None:
    df = results_table(job, extra=extra)
    if not df.empty:
        st.dataframe(df, hide_index=True, width="stretch", key=f"{key}.table")
