"""The Course page: the notes' concepts in order, each as explain -> predict -> run -> check.

The step shown is ``?step=N`` in the address (so a link can share "step 7") and is kept in the
session; every step can be skipped. A prediction is locked in when its experiment starts, and the
check puts it beside what was measured. Training experiments go to the app's executor as one job
per step (:mod:`playground.insights.experiments`), like the insight pages' races; pure computations run
right here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from plotly.graph_objects import Figure

from core.config import describe
from core.registry import get_arch
from playground import charts
from playground.app import ensure_shell, page_by_path
from playground.course import machine
from playground.course.measure import num
from playground.course.model import Chart, Choice, Computed, Machine, Number, Outcome, Step, Trained, tiny
from playground.course.steps import STEPS
from playground.errors import guarded
from playground.i18n import EN, t, tn
from playground.insights import experiment_view, experiments
from playground.insights.common import LANE_COLORS, lane_color
from playground.planning import plan_run

PAGE = "course"
STEP_PARAM = "step"
# table columns that report a time or a speed: the check says which machine measured them
TIMING_COLS = frozenset(
    {"course.col.seconds", "course.col.tokens_s", "course.col.epoch_s", "course.col.to_target"}
)


# ---------------------------------------------------------------------------------------------
# Where the learner is
# ---------------------------------------------------------------------------------------------


def _parse(raw: Any) -> int | None:
    try:
        n = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return n if 1 <= n <= len(STEPS) else None


def current_number() -> int:
    """The step in the address, else the one kept in the session, else the first."""
    n = _parse(st.query_params.get(STEP_PARAM)) or _parse(st.session_state.get(f"{PAGE}.step")) or 1
    st.session_state[f"{PAGE}.step"] = n
    if st.query_params.get(STEP_PARAM) != str(n):
        st.query_params[STEP_PARAM] = str(n)
    return n


def go(n: int) -> None:
    n = min(max(1, n), len(STEPS))
    st.session_state[f"{PAGE}.step"] = n
    st.query_params[STEP_PARAM] = str(n)


def _picked() -> None:
    go(int(st.session_state[f"{PAGE}.pick"]))


def outcomes() -> dict[str, Outcome]:
    return st.session_state.setdefault(f"{PAGE}.outcomes", {})


def title(step: Step) -> str:
    return t(f"course.step.{step.key}.title")


# ---------------------------------------------------------------------------------------------
# Predicting
# ---------------------------------------------------------------------------------------------


def guess_key(step: Step) -> str:
    return f"{PAGE}.{step.key}.guess"


def locked_key(step: Step) -> str:
    return f"{PAGE}.{step.key}.locked"


def option_text(step: Step, option: str) -> str:
    return t(f"course.step.{step.key}.option.{option}")


def number_text(step: Step, x: float) -> str:
    pred = step.prediction
    unit = t(f"course.unit.{pred.unit}") if isinstance(pred, Number) and pred.unit else ""
    return f"{x:g} {unit}".strip()


def answer_text(step: Step, answer: str | float) -> str:
    if isinstance(step.prediction, Choice):
        return option_text(step, str(answer))
    return number_text(step, float(answer))


def predict(step: Step) -> Any:
    """The prediction widget; None until the learner has answered."""
    question = t(f"course.step.{step.key}.question")
    pred = step.prediction
    if isinstance(pred, Choice):
        return st.radio(
            question,
            list(pred.options),
            index=None,
            format_func=lambda o: option_text(step, o),
            key=guess_key(step),
        )
    return st.number_input(
        question,
        min_value=float(pred.lo),
        max_value=float(pred.hi),
        value=None,
        step=float(pred.step),
        key=guess_key(step),
        placeholder=t("course.number_placeholder"),
    )


def is_right(step: Step, guess: Any, answer: str | float) -> bool:
    if guess is None:
        return False
    if isinstance(step.prediction, Choice):
        return guess == answer
    return step.prediction.close(float(guess), float(answer))


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def _fit(arch: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings that apply to ``arch`` (a model setting of another family is left out)."""
    fields = {f.name for f in describe(get_arch(arch).config)}
    return {k: v for k, v in settings.items() if not (k.startswith("model.") and k[6:] not in fields)}


def plan_lanes(exp: Trained, small: bool) -> list[tuple[str, Any]]:
    """Each lane's RunSpec; lanes with the same task settings share one prepared dataset."""
    specs: list[tuple[str, Any]] = []
    for lane in exp.lanes:
        settings = _fit(lane.arch, exp.lane_settings(lane, small))
        settings["train.max_seconds"] = experiments.capped_seconds(exp.budget)
        if "train.epochs" in settings:
            settings["train.epochs"] = experiments.capped_epochs(int(settings["train.epochs"]))
        spec = plan_run(exp.task, lane.arch, settings)
        same = next((s for _, s in specs if s.task_opts == spec.task_opts), None)
        if same is not None:
            spec.data = same.data
        specs.append((lane.name, spec))
    return specs


def threads_key(step_key: str) -> str:
    return f"{PAGE}.{step_key}.threads"


def sample_threads(job: experiments.Job) -> None:
    """Note the torch threads the job's run trains with now (they change when other runs start or
    end; see playground.course.machine), while it trains."""
    if job.handle.status != "running":
        return
    n = machine.threads_now(job.handle.executor)
    if n is not None:
        st.session_state.setdefault(threads_key(str(job.params.get("step"))), set()).add(n)


def start(step: Step, guess: Any) -> experiments.Job:
    st.session_state[locked_key(step)] = guess
    outcomes().pop(step.key, None)
    st.session_state[threads_key(step.key)] = set()
    exp = step.experiment
    assert isinstance(exp, Trained)
    lanes = plan_lanes(exp, tiny())
    job = experiments.start(f"{PAGE}.{step.key}", exp.task, {"step": step.key}, lanes, measure=exp.measure)
    sample_threads(job)
    return job


def draw_live(job: experiments.Job) -> None:
    sample_threads(job)
    if any(job.steps(name) for name in job.names):
        st.plotly_chart(
            experiment_view.loss_overlay(job, f"{PAGE}.loss"), key=f"{PAGE}.{job.params.get('step')}.loss"
        )


def run_trained(step: Step, guess: Any) -> None:
    page = f"{PAGE}.{step.key}"
    experiment_view.controls(page, lambda: start(step, guess), label_key="course.run", disabled=guess is None)
    job = experiment_view.follow(page, draw_live)
    if job is None or not job.done or job.error:
        return
    finished = [job.finished(name) for name in job.names]
    if any(f is None or f.reason == "stopped" for f in finished):
        st.info(t("course.stopped"), icon=":material/info:")
        return
    exp = step.experiment
    assert isinstance(exp, Trained)
    if step.key not in outcomes():  # read once per job (start() clears it): reading may decode
        outcome = exp.read(job)
        outcome.machine = machine.machine_of(job, st.session_state.get(threads_key(step.key), ()))
        outcomes()[step.key] = outcome


def run_computed(step: Step, guess: Any) -> None:
    exp = step.experiment
    assert isinstance(exp, Computed)
    if st.button(
        t("course.compute"),
        type="primary",
        icon=":material/calculate:",
        disabled=guess is None,
        key=f"{PAGE}.{step.key}._run",
    ):
        st.session_state[locked_key(step)] = guess
        with st.spinner(t("course.computing")):
            outcomes()[step.key] = exp.run(tiny())


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------


def why(step: Step, outcome: Outcome) -> str:
    own = f"course.step.{step.key}.why_{outcome.answer}"
    key = own if own in EN else f"course.step.{step.key}.why"
    return t(key, **outcome.values)


def lane_label(name: str) -> str:
    """A lane's name as shown: its label in course.lane.<name> when it has one (the words), else
    the name itself (an architecture such as lstm reads the same in every language)."""
    return t(f"course.lane.{name.replace(' ', '_')}", default=name)


def lane_colors(names: list[str]) -> dict[str, str]:
    """Each lane's colour as in the live loss chart, unless an earlier lane has it already (rnn's
    fixed colour is also the second of the palette): then the next colour no lane has."""
    out: dict[str, str] = {}
    for i, name in enumerate(names):
        color = lane_color(name, i)
        if color in out.values():
            color = next((c for c in LANE_COLORS if c not in out.values()), color)
        out[name] = color
    return out


def chart_figure(chart: Chart) -> Figure:
    """The outcome's chart: every model in its lane colour (as in the live loss chart), labelled."""
    names = list(chart.series)
    labels = {name: lane_label(name) for name in names}
    colors = {labels[name]: color for name, color in lane_colors(names).items()}
    series = {labels[name]: v for name, v in chart.series.items()}
    titles = {"x_title": t(chart.x_title) if chart.x_title else "", "y_title": t(chart.y_title)}
    if chart.kind == "bars":
        fig = charts.model_bars(series, **titles, y_range=chart.y_range, colors=colors, text=chart.text)
    elif chart.kind == "curves":
        fig = charts.lines_xy(series, **titles, y_range=chart.y_range, colors=colors, height=320)
    else:
        fig = charts.lines_by(chart.x, series, **titles, y_range=chart.y_range, colors=colors, height=320)
    if chart.log_y:
        fig.update_yaxes(type="log", exponentformat="power")
    if chart.category:
        fig.update_xaxes(type="category")
    for ref in chart.references:
        charts.reference_line(fig, ref.y, t(ref.label, value=num(ref.y)))
    return fig


def machine_caption(m: Machine) -> str:
    """One line: CPU cores, torch threads per run, device ("Measured here: 2 CPU cores, ...")."""
    if m.threads is None:
        threads = t("course.machine_threads_unknown")
    elif m.threads[0] == m.threads[1]:
        threads = tn("course.machine_threads", m.threads[0])
    else:
        threads = t("course.machine_threads_range", lo=m.threads[0], hi=m.threads[1])
    device = ", ".join(t("course.machine_cpu") if d == "cpu" else d for d in m.devices) or "–"
    if m.cores is None:
        return t("course.machine_cluster", threads=threads, device=device)
    return t("course.machine", cores=tn("course.machine_cores", m.cores), threads=threads, device=device)


def reports_time(outcome: Outcome) -> bool:
    return any(k in TIMING_COLS for row in outcome.rows for k in row)


def check(step: Step, outcome: Outcome) -> None:
    guess = st.session_state.get(locked_key(step))
    st.subheader(t("course.check"), anchor=False)
    c1, c2 = st.columns(2)
    c1.metric(t("course.your_prediction"), answer_text(step, guess) if guess is not None else "–")
    c2.metric(t("course.measured"), answer_text(step, outcome.answer))
    if is_right(step, guess, outcome.answer):
        st.success(t("course.right"), icon=":material/check_circle:")
    else:
        st.warning(t("course.not_right"), icon=":material/lightbulb:")
    st.markdown(why(step, outcome))
    if outcome.rows:
        df = pd.DataFrame(
            [
                {t(k): lane_label(v) if k == "course.col.model" else v for k, v in row.items()}
                for row in outcome.rows
            ]
        )
        st.dataframe(df, hide_index=True, key=f"{PAGE}.{step.key}.table")
    if outcome.chart:
        st.plotly_chart(chart_figure(outcome.chart), key=f"{PAGE}.{step.key}.chart")
    if outcome.machine is not None and reports_time(outcome):
        st.caption(machine_caption(outcome.machine))


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def sidebar(n: int) -> None:
    done = outcomes()
    st.session_state[f"{PAGE}.pick"] = n
    st.sidebar.selectbox(
        t("course.jump"),
        list(range(1, len(STEPS) + 1)),
        format_func=lambda i: f"{'✓ ' if STEPS[i - 1].key in done else ''}{i}. {title(STEPS[i - 1])}",
        key=f"{PAGE}.pick",
        on_change=_picked,
    )


def progress(n: int, slot: Any) -> None:
    done = len([k for k in outcomes() if k in {s.key for s in STEPS}])
    slot.progress(n / len(STEPS), text=t("course.progress", n=n, total=len(STEPS), done=done))


def navigation(n: int, step: Step) -> None:
    c1, _, c2 = st.columns([2, 5, 2])
    c1.button(
        t("course.previous"),
        icon=":material/arrow_back:",
        disabled=n <= 1,
        key=f"{PAGE}._prev",
        on_click=go,
        args=(n - 1,),
        width="stretch",
    )
    checked = step.key in outcomes()
    c2.button(
        t("course.next") if checked else t("course.skip"),
        icon=":material/arrow_forward:",
        type="primary" if checked else "secondary",
        disabled=n >= len(STEPS),
        key=f"{PAGE}._next",
        on_click=go,
        args=(n + 1,),
        width="stretch",
    )


def deeper(step: Step) -> None:
    if step.link is None:
        return
    path, query = step.link
    info = page_by_path(path)
    st.page_link(
        info.file,
        label=t("course.deeper", page=t(info.title_key)),
        icon=":material/open_in_new:",
        query_params=query or None,
    )
    if step.look:
        st.caption(t(step.look))


def course_page() -> None:
    ensure_shell()
    with guarded():
        _course()


def _course() -> None:
    n = current_number()
    step = STEPS[n - 1]
    st.title(t("course.title"))
    st.caption(t("course.intro"))
    bar = st.empty()  # filled at the end, once this run's check is counted
    st.header(f"{n}. {title(step)}", anchor=False)
    st.markdown(t(f"course.step.{step.key}.body"))
    if step.equation:
        st.latex(step.equation)
    st.subheader(t("course.predict"), anchor=False)
    guess = predict(step)
    if guess is None:
        st.caption(t("course.predict_first"))
    if isinstance(step.experiment, Trained):
        run_trained(step, guess)
    else:
        run_computed(step, guess)
    outcome = outcomes().get(step.key)
    if outcome is not None:
        check(step, outcome)
    deeper(step)
    st.divider()
    navigation(n, step)
    progress(n, bar)
    sidebar(n)
