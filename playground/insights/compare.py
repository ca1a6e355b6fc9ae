"""Compare architectures (a race): every compatible architecture of one task trained on the same
data, with the same seed, number of epochs and time budget (core.race.race_lanes), one after the
other so each gets the whole machine; the loss curves overlaid and a table of final metric,
parameters, time and throughput.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from core.race import race_specs
from core.registry import compatible, get_arch, get_task, tasks
from playground import charts
from playground.app import ensure_shell
from playground.i18n import arch_title, t, tn
from playground.insights import experiment_view, experiments
from playground.insights.common import BIND, lane_color, page_header
from playground.results import metric_label

PAGE = "compare"
DEFAULT_TASK = "word-order"
BUDGETS = [5, 10, 20, 30, 60, 120, 300]
# Seconds per model that let every lane of a task's race reach its result with the race's default
# epochs (each lane stops at the task's target). The slowest lane of a race with the defaults,
# measured on one thread of a shared 2-core CPU: translation 9.0 s (Transformer; Seq2Seq 7.5 s),
# long memory 9.7 s (LSTM), sentiment 25.4 s (Transformer encoder), stock 3.4 s, word order 0.2 s.
# The budget is about 3x that, for a busy machine and the app's single-threaded workers.
RACE_BUDGET = {"word-order": 20, "stock": 20, "long-memory": 30, "translation": 30, "sentiment": 60}


def race_epochs(task: str) -> int:
    """The race's default epochs for a task: the most any of its architectures trains by default
    (each lane still stops as soon as its validation metric reaches the task's target)."""
    return max(int(get_task(task).defaults(a)[1].get("epochs", 5)) for a in compatible(task))


def race_budget(task: str) -> int:
    return RACE_BUDGET.get(task, 60)


def race_tasks() -> list[str]:
    """Tasks that more than one architecture can serve."""
    return [name for name in tasks() if len(compatible(name)) > 1]


def _on_task_change() -> None:
    task = st.session_state.get(f"{PAGE}.task")
    if task:
        st.session_state[f"{PAGE}.archs"] = compatible(task)
        st.session_state[f"{PAGE}.epochs"] = race_epochs(task)
        st.session_state[f"{PAGE}.budget"] = race_budget(task)


def task_select(key: str, on_change: Any = None) -> str:
    """The sidebar's choice of a task that more than one architecture can serve."""
    names = race_tasks()
    return st.sidebar.selectbox(
        t("ins.cmp.task"),
        names,
        index=names.index(DEFAULT_TASK) if DEFAULT_TASK in names else 0,
        format_func=lambda n: t(f"ins.task.{n}", default=get_task(n).title),
        key=key,
        bind=BIND,
        on_change=on_change,
    )


def _settings() -> dict[str, Any]:
    sb = st.sidebar
    sb.header(t("settings.header"))
    task = task_select(f"{PAGE}.task", _on_task_change)
    options = compatible(task)
    archs = sb.multiselect(
        t("ins.cmp.archs"),
        options,
        default=options,
        format_func=lambda a: arch_title(get_arch(a)),
        key=f"{PAGE}.archs",
        help=t("ins.cmp.archs_help"),
    )
    return {
        "task": task,
        "archs": [a for a in options if a in archs],
        "epochs": int(
            sb.slider(t("field.epochs", default="Epochs"), 1, 30, race_epochs(task), key=f"{PAGE}.epochs", bind=BIND)
        ),
        "budget": float(
            sb.select_slider(
                t("ins.common.budget"), BUDGETS, value=race_budget(task), key=f"{PAGE}.budget",
                bind=BIND, help=t("ins.common.budget_help"),
            )
        ),
        "seed": int(sb.number_input(t("field.seed", default="Seed"), 0, 2**31 - 1, 0, key=f"{PAGE}.seed", bind=BIND)),
    }  # fmt: skip


def start_race(s: dict[str, Any]) -> experiments.Job:
    settings: dict[str, Any] = {"train.epochs": experiments.capped_epochs(s["epochs"])}
    if get_task(s["task"]).primary.target is not None:
        settings["train.stop_at_target"] = True  # a lane ends once it has shown what it can do
    budget = experiments.capped_seconds(s["budget"])

    lanes = race_specs(s["task"], s["archs"], settings, budget_seconds=budget, seed=s["seed"])
    return experiments.start(PAGE, s["task"], s, lanes)


def draw_race(job: experiments.Job) -> None:
    experiment_view.curves(job, f"{PAGE}.race")
    experiment_view.table(job, f"{PAGE}.race")
    rows = [r for r in job.rows() if job.finished(r["name"]) is not None and math.isfinite(r["metric"])]
    if rows and job.done:
        metric = rows[0]["metric_name"]
        pct = metric in ("accuracy", "exact_match")
        label = metric_label(metric)
        fig = charts.bars(
            [r["name"] for r in rows],
            {label: [100 * r["metric"] if pct else r["metric"] for r in rows]},
            y_title=f"{label} (%)" if pct else label,
            y_range=(0, 100) if pct else None,
            height=280,
        )
        fig.update_traces(marker_color=[lane_color(r["name"], job.names.index(r["name"])) for r in rows])
        better = t("ins.cmp.higher") if get_task(job.task).primary.higher_is_better else t("ins.cmp.lower")
        st.plotly_chart(fig, key=f"{PAGE}.fig.metric")
        st.caption(t("ins.cmp.metric_caption", metric=label, better=better))
        csv = experiment_view.results_table(job).to_csv(index=False).encode("utf-8")
        st.download_button(
            t("ins.cmp.download_csv"),
            data=csv,
            file_name=f"race-{job.task}.csv",
            mime="text/csv",
            key=f"{PAGE}.csv",
            icon=":material/download:",
        )


def compare_page() -> None:
    ensure_shell()
    sweep = st.sidebar.toggle(
        t("ins.cmp.sweep"), key=f"{PAGE}.sweep", bind=BIND, help=t("ins.cmp.sweep_help")
    )  # a toggle: its value in the address is true/false in every language
    page_header(PAGE, "ins.sw.intro" if sweep else None)
    if sweep:
        from playground.insights.sweep import sweep_mode

        sweep_mode()
        return
    s = _settings()
    st.caption(
        t(
            "ins.cmp.plan",
            archs=", ".join(s["archs"]) or "–",
            task=t(f"ins.task.{s['task']}", default=s["task"]),
            epochs=tn("count.epochs", s["epochs"]),
            budget=f"{s['budget']:g}",
            seed=s["seed"],
        )
    )
    experiment_view.controls(
        PAGE, lambda: start_race(s), label_key="ins.cmp.run", disabled=len(s["archs"]) < 1
    )
    job = experiment_view.follow(PAGE, draw_race)
    if job is None:
        st.info(t("ins.cmp.press_run"), icon=":material/science:")
