"""Sweep mode of the Compare page: one architecture trained over a grid of one or two settings.

Every point of the grid is its own job for the executor, so the trials run side by side on the
free slots (two at a time on a 2-core machine, as many as the cluster's CPUs on Ray) and the rest
wait in line. The page overlays every trial's loss as it trains, then shows the test metric over
the grid (a heatmap for two settings, a line for one) and a link that opens the best trial's
settings on its task page. The grid is described as in ``python -m core sweep`` (core.sweep),
which runs the same kind of grid on Ray Tune from the command line.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from core.config import describe
from core.events import Epoch, Finished, Started, Step
from core.execution import Handle
from core.execution import Job as ExecJob
from core.race import summary
from core.registry import compatible, get_arch, get_task
from core.runspec import RunSpec
from core.sweep import grid_specs, parse_grid
from core.train import TrainConfig
from playground import training
from playground.app import page_for_task
from playground.errors import show_user_error
from playground.hosted import limits
from playground.i18n import arch_title, t, tn
from playground.insights import experiment_view, experiments
from playground.insights.common import BIND
from playground.planning import parameter_count
from playground.results import metric_label
from playground.settings import field_label, model_defaults, share_url, widget_values

PAGE = "compare"
KEY = f"{PAGE}.sw"
# settings a learner is likely to sweep, in the order they are offered
SWEEPABLE = (
    "train.lr",
    "train.batch_size",
    "model.hidden_size",
    "model.d_model",
    "model.embed_dim",
    "model.num_layers",
    "model.n_layers",
    "model.dropout",
    "train.weight_decay",
)
MAX_TRIALS = 16  # points of one sweep in the app (the command line takes more)


@dataclass
class Trial:
    name: str
    point: dict[str, Any]
    spec: RunSpec
    handle: Handle


@dataclass(eq=False)
class Sweep:
    """A sweep of one page in one session: its trials, each with its own handle."""

    task: str
    arch: str
    grid: dict[str, list[Any]]
    trials: list[Trial] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return any(not tr.handle.done for tr in self.trials)

    @property
    def done(self) -> bool:
        return not self.running

    def stop(self) -> None:
        for tr in self.trials:
            tr.handle.stop()

    # the interface of experiment_view's charts and table (core.race's lanes)
    @property
    def names(self) -> list[str]:
        return [tr.name for tr in self.trials]

    def _events(self, name: str) -> list[Any]:
        tr = next((x for x in self.trials if x.name == name), None)
        return tr.handle.lane_events("model") if tr is not None else []

    def steps(self, name: str) -> list[Step]:
        return [e for e in self._events(name) if isinstance(e, Step)]

    def epochs(self, name: str) -> list[Epoch]:
        return [e for e in self._events(name) if isinstance(e, Epoch)]

    def finished(self, name: str) -> Finished | None:
        f = [e for e in self._events(name) if isinstance(e, Finished)]
        return f[-1] if f else None

    def started(self, name: str) -> Started | None:
        s = [e for e in self._events(name) if isinstance(e, Started)]
        return s[0] if s else None

    def rows(self) -> list[dict[str, Any]]:
        return summary(self.task, [(tr.name, e) for tr in self.trials for e in self._events(tr.name)])

    def counts(self) -> dict[str, int]:
        out = {"done": 0, "running": 0, "queued": 0}
        for tr in self.trials:
            h = tr.handle
            out["done" if h.done else "queued" if h.queued else "running"] += 1
        return out

    def metric(self, tr: Trial) -> float:
        fin = self.finished(tr.name)
        return float((fin.test or {}).get(get_task(self.task).primary.name, math.nan)) if fin else math.nan

    def best(self) -> Trial | None:
        higher = get_task(self.task).primary.higher_is_better
        scored = [(self.metric(tr), tr) for tr in self.trials if math.isfinite(self.metric(tr))]
        if not scored:
            return None
        return (max if higher else min)(scored, key=lambda p: p[0])[1]


def current() -> Sweep | None:
    sw = st.session_state.get(f"{KEY}.record")
    return sw if hasattr(sw, "trials") and hasattr(sw, "grid") else None


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


def sweepable(task: str, arch: str) -> dict[str, tuple[Any, list]]:
    """key -> (default value, values the task page offers) for the settings this pair can sweep."""
    lim = limits()
    defaults = {f"model.{k}": v for k, v in model_defaults(get_task(task), arch).items()}
    train_defaults = dataclasses.asdict(TrainConfig())
    train_defaults.update(get_task(task).defaults(arch)[1])
    defaults.update({f"train.{k}": v for k, v in train_defaults.items()})
    infos = {f"model.{f.name}": f for f in describe(get_arch(arch).config) if not f.data}
    infos.update({f"train.{f.name}": f for f in describe(TrainConfig)})
    out = {}
    for key in SWEEPABLE:
        if key not in infos or key not in defaults:
            continue
        values = widget_values(key.split(".")[0], infos[key], defaults[key], lim)
        if values:
            out[key] = (defaults[key], values)
    return out


def _near(values: list, default: Any, n: int = 3) -> list:
    """``n`` values around the default: the default and its neighbours in the list."""
    if default not in values:
        return values[:n]
    i = values.index(default)
    lo = max(0, min(i - n // 2, len(values) - n))
    return values[lo : lo + n]


def settings() -> dict[str, Any]:
    sb = st.sidebar
    sb.header(t("settings.header"))
    from playground.insights.compare import task_select

    task = task_select(f"{KEY}.task")
    archs = compatible(task)
    arch = sb.selectbox(
        t("settings.arch"), archs, format_func=lambda a: arch_title(get_arch(a)), key=f"{KEY}.arch", bind=BIND
    )
    if arch not in archs:  # the task changed under a bound architecture
        arch = archs[0]
    options = sweepable(task, arch)
    keys = list(options)
    label = {k: field_label(k.split(".", 1)[1]) for k in keys}
    grid: dict[str, list[Any]] = {}
    first = sb.selectbox(
        t("ins.sw.param", n=1), keys, format_func=lambda k: label[k], key=f"{KEY}.p1.{task}.{arch}"
    )
    second = sb.selectbox(
        t("ins.sw.param", n=2),
        ["", *[k for k in keys if k != first]],
        format_func=lambda k: label[k] if k else t("ins.sw.none"),
        key=f"{KEY}.p2.{task}.{arch}",
    )
    for k in (first, second):
        if not k:
            continue
        default, values = options[k]
        chosen = sb.multiselect(
            t("ins.sw.values", name=label[k]),
            values,
            default=_near(values, default),
            format_func=lambda v: f"{v:g}" if isinstance(v, float) else str(v),
            key=f"{KEY}.v.{task}.{arch}.{k}",
        )
        grid[k] = sorted(chosen)
    return {
        "task": task,
        "arch": arch,
        "grid": grid,
        "epochs": int(sb.slider(t("field.epochs", default="Epochs"), 1, 30, 5, key=f"{KEY}.epochs", bind=BIND)),
        "budget": float(
            sb.select_slider(
                t("ins.sw.budget"), [5, 10, 20, 30, 60, 120, 300], value=30, key=f"{KEY}.budget",
                bind=BIND, help=t("ins.common.budget_help"),
            )
        ),
        "seed": int(sb.number_input(t("field.seed", default="Seed"), 0, 2**31 - 1, 0, key=f"{KEY}.seed", bind=BIND)),
    }  # fmt: skip


def n_trials(s: dict[str, Any]) -> int:
    return math.prod(len(v) for v in s["grid"].values()) if s["grid"] else 0


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def start(s: dict[str, Any]) -> Sweep:
    """Plan every point and queue it as its own job. Raises training.Busy / ConfigError."""
    items = [f"{k}={','.join(map(str, v))}" for k, v in s["grid"].items()]
    grid = parse_grid(s["task"], s["arch"], items)
    base = {"train.epochs": experiments.capped_epochs(s["epochs"]), "train.seed": s["seed"]}
    budget = experiments.capped_seconds(s["budget"])
    if budget:
        base["train.max_seconds"] = budget
    planned = grid_specs(s["task"], s["arch"], base, grid)
    counts = {name: parameter_count(spec) for name, _, spec in planned}
    ex_jobs = []
    for name, _, spec in planned:
        job = ExecJob.single(spec)
        job.label = f"sweep {s['task']} / {s['arch']}: {name}"
        ex_jobs.append(job)

    def make(handles: list[Handle]) -> Sweep:
        trials = [Trial(n, p, spec, h) for (n, p, spec), h in zip(planned, handles)]
        return Sweep(task=s["task"], arch=s["arch"], grid=grid, trials=trials, params=dict(s))

    return training.submit_many(f"{KEY}.record", ex_jobs, make, counts)


def _live() -> None:
    """The trials' progress every second, their curves every two seconds (see experiment_view)."""
    with training.still(f"{KEY}._live"):
        _live_progress()
        _live_curves()


@st.fragment(run_every=training.LIVE_BEAT_S)
def _live_progress() -> None:
    sw = current()
    if sw is None:
        return
    progress(sw)
    if sw.done:
        st.rerun()


@st.fragment(run_every=training.CHART_BEAT_S)
def _live_curves() -> None:
    sw = current()
    if sw is not None:
        experiment_view.curves(sw, KEY)


def progress(sw: Sweep) -> None:
    c = sw.counts()
    n = len(sw.trials)
    waiting = [tr for tr in sw.trials if tr.handle.queued]
    text = t("ins.sw.progress", done=c["done"], n=n, running=c["running"], queued=c["queued"])
    if waiting and c["running"] == 0:
        text += " " + training.queued_text(training.Tracked(PAGE, waiting[0].handle))
    st.progress(c["done"] / max(n, 1), text=text)


def grid_figure(sw: Sweep) -> go.Figure:
    """The test metric over the grid: a heatmap for two settings, a line for one."""
    primary = get_task(sw.task).primary.name
    pct = primary in ("accuracy", "exact_match", "direction_accuracy")
    scale = 100.0 if pct else 1.0
    keys = list(sw.grid)
    fmt = [lambda v: f"{v:g}" if isinstance(v, float) else str(v)] * 2
    by_point = {tuple(tr.point[k] for k in keys): sw.metric(tr) * scale for tr in sw.trials}
    label = metric_label(primary) + (" (%)" if pct else "")
    if len(keys) == 2:
        xs, ys = sw.grid[keys[0]], sw.grid[keys[1]]
        z = [[by_point.get((x, y), math.nan) for x in xs] for y in ys]
        fig = go.Figure(
            go.Heatmap(
                z=z,
                x=[fmt[0](x) for x in xs],
                y=[fmt[1](y) for y in ys],
                colorscale="Viridis",
                reversescale=not get_task(sw.task).primary.higher_is_better,
                colorbar={"title": {"text": label}},
                text=[[("–" if math.isnan(v) else f"{v:.3g}") for v in row] for row in z],
                texttemplate="%{text}",
                hovertemplate="%{x}, %{y}: %{z:.4g}<extra></extra>",
            )
        )
        fig.update_xaxes(title_text=field_label(keys[0].split(".", 1)[1]), type="category")
        fig.update_yaxes(title_text=field_label(keys[1].split(".", 1)[1]), type="category")
    else:
        xs = sw.grid[keys[0]]
        fig = go.Figure(
            go.Scatter(
                x=[fmt[0](x) for x in xs], y=[by_point.get((x,), math.nan) for x in xs], mode="lines+markers"
            )
        )
        fig.update_xaxes(title_text=field_label(keys[0].split(".", 1)[1]), type="category")
        fig.update_yaxes(title_text=label, range=[0, 101] if pct else None)
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def best_link(sw: Sweep, tr: Trial) -> str | None:
    """The address of the trial's task page with the trial's settings (architecture, the swept
    values, the epochs and the seed)."""
    info = page_for_task(sw.task)
    if info is None:
        return None
    p = info.url_path
    query = {f"{p}.arch": sw.arch}
    for k, v in {
        **tr.point,
        "train.epochs": tr.spec.train_cfg.epochs,
        "train.seed": tr.spec.train_cfg.seed,
    }.items():
        query[f"{p}.{k}"] = f"{v:g}" if isinstance(v, float) else str(v)
    return share_url(p, query)


def results(sw: Sweep) -> None:
    experiment_view.curves(sw, KEY)
    experiment_view.table(sw, KEY)
    best = sw.best()
    if best is None:
        if sw.done:
            st.warning(t("ins.sw.no_result"), icon=":material/warning:")
        return
    st.plotly_chart(grid_figure(sw), key=f"{KEY}.grid")
    primary = get_task(sw.task).primary
    value = sw.metric(best)
    shown = f"{100 * value:.1f} %" if primary.name in ("accuracy", "exact_match") else f"{value:.4g}"
    st.success(t("ins.sw.best", name=best.name, metric=metric_label(primary.name), value=shown))
    link = best_link(sw, best)
    if link:
        st.link_button(t("ins.sw.open_best"), link, icon=":material/open_in_new:")


def sweep_mode() -> None:
    s = settings()
    n = n_trials(s)
    st.caption(
        t(
            "ins.sw.plan",
            trials=tn("count.trials", n),
            arch=arch_title(get_arch(s["arch"])),
            task=t(f"ins.task.{s['task']}", default=s["task"]),
            epochs=tn("count.epochs", s["epochs"]),
            budget=f"{s['budget']:g}",
        )
    )
    too_many = n > MAX_TRIALS
    if too_many:
        st.warning(t("ins.sw.too_many", n=n, max=MAX_TRIALS), icon=":material/warning:")
    experiment_view.controls(
        PAGE,
        lambda: start(s),
        label_key="ins.sw.run",
        disabled=n == 0 or too_many,
        key=KEY,
        slot=f"{KEY}.record",
    )
    sw = current()
    if sw is None:
        st.info(t("ins.sw.press_run"), icon=":material/science:")
        return
    if sw.running:
        _live()
        return
    for tr in sw.trials:
        if tr.handle.error is not None:
            show_user_error(f"{tr.name}: {tr.handle.error.message}")
    results(sw)
