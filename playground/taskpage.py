"""The frame every task page shares: settings, Train / Stop, live chart, results, try-it, insides.

A page file calls :func:`task_page` with its :class:`~playground.settings.PageConfig` and a
:class:`TaskViews` holding the task's own views (in ``playground/views``). Flow of data, one way:
widgets -> settings dict -> RunSpec (planning) -> training thread events -> charts.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st
from torch import nn

from core.checkpoint import CheckpointError
from core.tasks.base import TaskData
from playground import charts, history, look_inside, results, training
from playground.app import ensure_shell, page_for_task
from playground.errors import USER_ERRORS, guarded, show_unexpected, show_user_error, user_message
from playground.i18n import t, tn
from playground.planning import cost, fingerprint, gate, parameter_count, plan_run, resume_run, show_cost
from playground.settings import Chosen, PageConfig, apply_limits, reset_page, share_url, sidebar

if TYPE_CHECKING:
    from core.runspec import RunSpec


@dataclass
class ModelView:
    """The model a view draws: trained on this page (``run`` set) or loaded from a file."""

    page: str
    model: nn.Module
    data: TaskData  # a loaded model's data can predict but may have no splits
    arch: str
    model_cfg: Any
    task_opts: Any
    run: training.Run | None = None
    uploaded: bool = False

    @property
    def has_splits(self) -> bool:
        return bool(self.data.splits) and "test" in self.data.splits

    def memo(self, name: str, fn: Callable[[], Any]) -> Any:
        """``fn()`` computed once per model (test-set views are costly and every rerun draws every
        tab). Kept in the session, keyed weakly by the model object, so it dies with the model."""
        slot = st.session_state.get(f"{self.page}._memo")
        if not isinstance(slot, weakref.WeakKeyDictionary):
            slot = weakref.WeakKeyDictionary()
            st.session_state[f"{self.page}._memo"] = slot
        values = slot.setdefault(self.model, {})
        if name not in values:
            values[name] = fn()
        return values[name]


@dataclass(frozen=True)
class TaskViews:
    """What a task adds to the shared frame."""

    metrics: tuple[str, ...] = ()  # metric cards, in order
    vs: str | None = None  # baseline the cards compare with
    results: Callable[[ModelView], None] | None = None  # needs the test split
    try_it: Callable[[ModelView], None] | None = None  # the user's own input
    preview: Callable[[TaskData, Chosen], None] | None = None  # the data, before any training
    concepts: tuple[str, ...] = ()  # concept keys shown as badges under the title
    # a section of the task's own under the model's tabs, e.g. a race of two variants of the
    # page's settings (it keeps its job in st.session_state["<page>.job"])
    experiment: Callable[[PageConfig, Chosen, RunSpec | None], None] | None = None
    # a caption under the loss chart that explains what the task's data does to the loss curve,
    # from the data and the batch size (None: nothing to explain)
    loss_note: Callable[[TaskData, int], str | None] | None = None


def _header(pc: PageConfig, views: TaskViews, task: Any) -> None:
    st.title(t(f"page.{pc.page}.title"))
    badges = " ".join(f":blue-badge[{t(f'concept.{c}.short')}]" for c in views.concepts)
    if badges:
        st.markdown(badges)
    st.markdown(t(f"page.{pc.page}.intro", default=getattr(task, "description", "")))


def _url_path(pc: PageConfig) -> str:
    info = page_for_task(pc.task)
    return info.url_path if info else pc.page


def _share_box(pc: PageConfig, chosen: Chosen) -> None:
    url_path = _url_path(pc)
    with st.sidebar.expander(t("share.header"), expanded=False, icon=":material/link:"):
        st.caption(t("share.caption"))
        st.code(share_url(url_path, chosen.query), language=None, wrap_lines=True)
        st.button(
            t("share.reset"),
            key=f"{pc.page}._reset",
            on_click=reset_page,
            args=(pc,),
            icon=":material/restart_alt:",
            width="stretch",
        )


def _live(page: str) -> None:
    """The live view while the worker trains: the progress line every second, the charts every
    two seconds (a chart redraw costs the browser about ten times what the progress line does,
    and on a 2-core machine that is taken from training); a full rerun when the run ends shows
    the results."""
    with training.still(f"{page}._live"):
        _live_progress(page)
        _live_charts(page)


@st.fragment(run_every=training.LIVE_BEAT_S)
def _live_progress(page: str) -> None:
    run = training.current(page)
    if run is None:
        return
    if not run.done:
        training.until_beat_end(run)
    _progress_line(run)
    if run.done:
        st.rerun()


@st.fragment(run_every=training.CHART_BEAT_S)
def _live_charts(page: str) -> None:
    run = training.current(page)
    if run is None:
        return
    if not run.done:
        training.until_first_step(run)  # the first loss is drawn when it comes, not at a beat
        if run.done:  # a short run ended during that wait: its results now, not at the next beat
            st.rerun()
    _charts(run, page)


def _loss_labels() -> dict[str, str]:
    return {
        "train": t("chart.train_loss"),
        "smooth": t("chart.train_loss_smooth"),
        "val": t("chart.val_loss"),
        "x": t("chart.step"),
        "y": t("chart.loss"),
    }


def _chart_to_come(page: str) -> None:
    """Before the page's first run: the empty loss chart that Train fills. It also has the browser
    load its chart library while the learner reads the page, instead of after Train (about 1.4 s
    on 2 cores, which was most of the wait for the first loss point)."""
    fig = charts.loss_figure(
        [],
        [],
        labels=_loss_labels(),
    )
    fig.update_layout(height=220)
    fig.update_xaxes(showticklabels=False)  # no made-up scale before there is a step
    fig.update_yaxes(showticklabels=False)
    st.plotly_chart(fig, key=f"{page}._lossfig_empty")
    st.caption(t("run.chart_waiting"))


def draw_progress(run: training.Run, page: str) -> None:
    """Progress bar with ETA and throughput, the loss chart, the validation metric per epoch."""
    _progress_line(run)
    _charts(run, page)


def _progress_line(run: training.Run) -> None:
    """The progress bar, its text saying the epoch, step, ETA, throughput and the last loss."""
    started, step, fin = run.started, run.last_step, run.finished
    if started is None:
        st.progress(0.0, text=t("run.stopping" if run.handle.stop_requested else "run.building"))
    else:
        frac = 1.0 if fin is not None else (step.progress if step else 0.0)
        if fin is not None:
            text = t("run.finished_in", time=training.fmt_duration(fin.elapsed_s), steps=f"{fin.step:,}")
        elif run.handle.stop_requested:  # from the click until the results show
            text = t("run.stopping")
        elif step is None:
            text = t("run.first_step", params=f"{started.params:,}", device=started.device)
        else:
            cfg = run.spec.train_cfg  # a run that may end at the target or early: the ETA is its longest
            text = t(
                "run.progress_sooner" if cfg.stop_at_target or cfg.early_stopping else "run.progress",
                epoch=step.epoch,
                epochs=run.spec.train_cfg.epochs,
                step=f"{step.step:,}",
                total=f"{started.total_steps:,}",
                eta=training.fmt_duration(step.eta_s),
                rate=training.fmt_rate(step.tokens_per_s if step.tokens_per_s > 0 else step.items_per_s),
                unit=t("run.tokens_s") if step.tokens_per_s > 0 else t("run.items_s"),
                loss=f"{step.loss:.4f}",
            )
        st.progress(min(1.0, max(0.0, frac)), text=text)


def _charts(run: training.Run, page: str) -> None:
    """The loss chart and the validation metric per epoch, with earlier runs of the page faded."""
    started = run.started
    steps = [(s.step, s.loss) for s in run.steps]
    epochs = run.epochs
    val = [(e.step, e.val.get("loss", float("nan"))) for e in epochs]
    primary = run.spec.task.primary
    earlier = history.ghosts(page, run.history_id) if run.history_id else []
    hovers = [history.ghost_hover(page, g, run) for g in earlier]
    changed = history.changed_from_previous(page, run)
    if changed:
        st.caption(changed)
    c1, c2 = st.columns([3, 2])
    with c1:
        fig = charts.loss_figure(
            steps,
            val,
            labels=_loss_labels(),
            log_y=st.session_state.get(f"{page}._logy", False),
            total_steps=started.total_steps if started else None,
            ended_at=run.finished.step if run.finished is not None and run.finished.step else None,
            ghosts=[(history.label(g), g.loss, h) for g, h in zip(earlier, hovers, strict=True)],
        )
        st.plotly_chart(fig, key=f"{page}._lossfig")
    with c2:
        pts = [(e.epoch, e.val.get(primary.name, float("nan"))) for e in epochs]
        name = results.metric_label(primary.name)
        fig = charts.metric_curve(
            pts,
            name=t("chart.val_metric", metric=name),
            x_label=t("chart.epoch"),
            ghosts=[
                (history.label(g), g.val_metric, h)
                for g, h in zip(earlier, hovers, strict=True)
                if g.primary == primary.name
            ],
        )
        if primary.name in results.FRACTIONS:
            fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
        st.plotly_chart(fig, key=f"{page}._metricfig")


def experiment_running(page: str) -> bool:
    """The page's own experiment (a race of its settings' variants) is queued or training."""
    job = st.session_state.get(f"{page}.job")
    return bool(getattr(job, "running", False))


def _controls(pc: PageConfig, chosen: Chosen, spec: Any, n_params: int | None, fp: str | None) -> None:
    run = training.current(pc.page)
    running = run is not None and run.running
    experimenting = experiment_running(pc.page)  # one training at a time per page
    c1, c2, c3 = st.columns([1, 1, 4], vertical_alignment="center")
    clicked = c1.button(
        t("run.train"),
        type="primary",
        disabled=running or experimenting or spec is None,
        key=f"{pc.page}._train",
        icon=":material/play_arrow:",
        width="stretch",
    )
    stopping = running and run.handle.stop_requested
    c2.button(
        t("run.stopping_button") if stopping else t("run.stop"),
        disabled=not running or stopping,
        key=f"{pc.page}._stop",
        on_click=training.request_stop,
        args=(pc.page,),
        icon=":material/stop:",
        width="stretch",
    )
    if spec is not None and n_params is not None:
        c3.markdown(
            t(
                "run.summary",
                arch=spec.arch,
                params=f"{n_params:,}",
                examples=tn(
                    "count.training_examples", _n(spec.data, "train"), n=f"{_n(spec.data, 'train'):,}"
                ),
                epochs=tn("count.epochs", spec.train_cfg.epochs),
            )
        )
    autostart = st.session_state.pop(f"{pc.page}.autostart", False)
    idle = spec is not None and not running and not experimenting
    if idle and gate(pc.page, spec, fp or "", clicked or autostart):  # over a budget: refuse or confirm
        try:
            started = training.start(pc.page, spec, fp or "", n_params or 0)
            history.begin(pc.page, started, chosen)
            if started.running:
                with st.spinner(t("run.quick")):  # shown only if the wait lasts
                    training.settle(started, cost(spec)[1].seconds)  # a run of a second: its results next
                st.rerun()  # draw the whole page in its running state (Stop enabled, live chart)
        except training.Busy:
            st.warning(t("run.busy"), icon=":material/hourglass_top:")
        except USER_ERRORS as e:
            show_user_error(e)


def _continue_loaded(pc: PageConfig, chosen: Chosen, loaded: Any) -> None:
    """Train the loaded model further, from its weights, with the sidebar's training settings."""
    c1, c2 = st.columns([2, 4], vertical_alignment="center")
    clicked = c1.button(
        t("model.continue"), key=f"{pc.page}._continue", icon=":material/replay:", width="stretch"
    )
    c2.caption(t("model.continue_caption"))
    if not clicked:
        return
    try:
        with st.spinner(t("settings.loading_data")):
            spec = resume_run(loaded, apply_limits(chosen.settings), upload=chosen.upload)
        started = training.start(pc.page, spec, fingerprint(spec), parameter_count(spec))
        history.begin(pc.page, started, chosen)
        if started.running:
            st.rerun()
    except training.Busy:
        st.warning(t("run.busy"), icon=":material/hourglass_top:")
    except USER_ERRORS as e:
        show_user_error(e)


def _n(data: TaskData, split: str) -> int:
    s = data.splits.get(split)
    if not s:
        return 0
    return int(next(iter(s.values())).size(0))


def _run_status(run: training.Run) -> None:
    if run.error:
        if run.unexpected:
            show_unexpected(run.error, run.detail)
        else:
            show_user_error(run.error)
        return
    results.show_verdict(run)  # success only when the loss did not explode and the baselines are beaten


def _loss_note(views: TaskViews, run: training.Run) -> None:
    if views.loss_note is not None and run.started is not None:
        note = views.loss_note(run.spec.data, run.spec.train_cfg.batch_size)
        if note:
            st.caption(note)


def _choose_model(pc: PageConfig, run: training.Run | None, loaded: Any) -> ModelView | None:
    trained = None
    if run is not None and run.usable:
        trained = ModelView(
            pc.page, run.model, run.spec.data, run.spec.arch, run.spec.model_cfg, run.spec.task_opts, run
        )
    uploaded = None
    if loaded is not None:
        uploaded = ModelView(
            pc.page, loaded.model, loaded.data, loaded.arch, loaded.model_cfg, loaded.task_opts, None, True
        )
    if trained and uploaded:
        which = st.radio(
            t("model.which"),
            ["trained", "uploaded"],
            format_func=lambda w: t(f"model.which.{w}"),
            horizontal=True,
            key=f"{pc.page}._which",
        )
        return trained if which == "trained" else uploaded
    return trained or uploaded


def _save_tab(pc: PageConfig, view: ModelView | None) -> Any:
    run = view.run if view is not None else None
    if run is not None and run.usable:
        try:
            data = run.bundle()
            st.download_button(
                t("model.download"),
                data=data,
                file_name=f"sequence-lab-{pc.page}-{run.spec.arch}.zip",
                mime="application/zip",
                key=f"{pc.page}._download",
                icon=":material/download:",
            )
            st.caption(t("model.download_caption", size=f"{len(data) / 1024:,.0f}"))
        except USER_ERRORS as e:
            show_user_error(e)
    return results.checkpoint_uploader(pc.page, pc.task)


def task_page(pc: PageConfig, views: TaskViews) -> None:
    """Draw a whole task page (any error ends up as a message on the page, never a traceback)."""
    ensure_shell()
    with guarded():
        _task_page(pc, views)


def _task_page(pc: PageConfig, views: TaskViews) -> None:
    from core.registry import get_task

    task = get_task(pc.task)
    training.warm()
    _header(pc, views, task)
    chosen: Chosen | None = None
    with guarded():
        chosen = sidebar(pc)
    if chosen is None:
        return
    _share_box(pc, chosen)
    spec = n_params = fp = None
    if chosen.waiting_for_upload:
        st.info(t("settings.upload_needed"), icon=":material/upload_file:")
    else:
        with guarded():
            with st.spinner(t("settings.loading_data")):
                spec = plan_run(
                    pc.task,
                    chosen.arch,
                    apply_limits(chosen.settings),
                    preset=chosen.preset,
                    upload=chosen.upload,
                )
            n_params = parameter_count(spec)
            fp = fingerprint(spec)
            for note in spec.data.notices:
                st.warning(user_message(note), icon=":material/info:")
    if n_params is not None and chosen.params_slot is not None:
        show_cost(chosen.params_slot, n_params, spec)  # with the estimated memory and time

    if spec is not None and views.preview is not None:
        fresh = training.current(pc.page) is None
        with st.expander(t("page.data_preview"), expanded=fresh, icon=":material/dataset:"), guarded():
            views.preview(spec.data, chosen)

    _controls(pc, chosen, spec, n_params, fp)
    run = training.current(pc.page)
    history.record(pc.page, run)  # once, when it has ended
    if run is not None:
        if run.queued:
            with training.still(f"{pc.page}._live"):
                training.waiting(f"{pc.page}.run")
        elif run.running:
            _live(pc.page)
            _loss_note(views, run)
        else:
            if run.started is not None:
                draw_progress(run, pc.page)
                _loss_note(views, run)
            _run_status(run)
            if fp is not None and run.usable and run.fingerprint != fp:
                st.warning(t("run.settings_changed"), icon=":material/tune:")
    elif spec is not None:
        _chart_to_come(pc.page)

    if not (run is not None and run.running):
        with guarded():
            history.runs_section(pc, lambda q: share_url(_url_path(pc), q))
    _models(pc, views, chosen, run, spec)
    if views.experiment is not None:
        with guarded():
            views.experiment(pc, chosen, spec)


def _code(pc: PageConfig, spec: RunSpec | None) -> None:
    """The page's settings as one Python file (see playground.code_view)."""
    if spec is None:
        return
    wanted = f"{pc.page}._code_wanted"
    if not st.session_state.get(wanted):  # written on request: it takes a moment, then follows the settings
        st.caption(t("code.teaser"))
        if not st.button(t("code.show"), key=f"{pc.page}._code_show", icon=":material/code:"):
            return
        st.session_state[wanted] = True
    from playground.code_view import show_code

    with guarded():
        show_code(pc.page, spec)


def _models(
    pc: PageConfig, views: TaskViews, chosen: Chosen, run: training.Run | None, spec: RunSpec | None = None
) -> None:
    """The model's tabs (results, try it, inside, code, save), or how to get a model."""
    loaded_slot = st.session_state.get(f"{pc.page}.loaded")
    loaded = loaded_slot[1] if loaded_slot else None
    if loaded is None and run is None:  # the latest run's model, brought back after a reload
        loaded = history.restored_model(pc.page, pc.task)
    if loaded is not None and not (run is not None and run.running):
        _continue_loaded(pc, chosen, loaded)
    view = None if (run is not None and run.running) else _choose_model(pc, run, loaded)
    if run is not None and run.running:
        return
    if view is None:
        st.info(t("page.no_model"), icon=":material/model_training:")
        with st.expander(t("model.load_header"), icon=":material/upload:"):
            if _save_tab(pc, None) is not None:
                st.rerun()
        with st.expander(t("code.header"), icon=":material/code:"):
            _code(pc, spec)
        return

    labels = [t("tab.results"), t("tab.try"), t("tab.inside"), t("code.header"), t("tab.save")]
    tab_results, tab_try, tab_inside, tab_code, tab_save = st.tabs(labels)
    with tab_results, guarded():
        fin = view.run.finished if view.run is not None else None
        if fin is not None and fin.test:
            results.metric_cards(fin.test, fin.baselines, views.metrics, views.vs, n=_n(view.data, "test"))
        elif view.uploaded:
            meta = (loaded.meta.get("metrics") if loaded is not None else None) or {}
            if meta.get("test"):
                st.caption(t("model.saved_metrics"))
                results.metric_cards(
                    meta["test"],
                    meta.get("baselines") or {},
                    views.metrics,
                    views.vs,
                    n=_n(view.data, "test"),
                )
        if views.results is not None:
            if view.has_splits:
                views.results(view)
            else:
                st.info(t("model.no_splits"))
    with tab_try, guarded():
        if views.try_it is not None:
            views.try_it(view)
    with tab_inside, guarded():
        look_inside.inside_section(view.model, view.data, view.run, f"{pc.page}._inside", view.memo)
    with tab_code:
        _code(pc, spec)
    with tab_save, guarded():
        try:
            before = loaded
            after = _save_tab(pc, view)
            if after is not before and after is not None:
                st.rerun()
        except CheckpointError as e:
            show_user_error(e)
