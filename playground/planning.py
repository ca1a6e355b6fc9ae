"""From the sidebar's settings to a RunSpec, without reloading the data on every rerun.

:func:`plan_run` is :func:`core.runspec.plan` with a ``prepare`` that loads uploaded files through
``st.cache_data``, so moving a model slider does not re-parse and re-encode an upload on every
rerun.

What a run will cost (:mod:`core.budget`) is estimated here from the spec and shown beside the
parameter count (:func:`show_cost`); :func:`gate` refuses a run over a hosted server's limits or
asks the user to confirm a big one before Train starts it, and :func:`check_budget` refuses a
hosted job over its memory cap wherever it is submitted from.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import streamlit as st
import torch
from streamlit.runtime.caching import cache_errors

from core.budget import MB, Budget, Estimate, Over, RunShape, Verdict, all_cores, estimate, judge, shape_of
from core.config import ConfigError, resolve
from core.models.base import count_params
from core.registry import build, get_arch, get_task
from core.runspec import RunSpec, plan, resume
from core.tasks.base import Task, TaskData
from playground.hosted import limits
from playground.i18n import field_label, t


@st.cache_data(max_entries=12, show_spinner=False)
def _prepare_cached(task_name: str, opts_json: str, seed: int, upload: bytes | None) -> TaskData:
    task = get_task(task_name)
    opts = resolve(task.options, json.loads(opts_json))
    return task.prepare(opts, seed=seed, upload=upload)


def prepare(task: type[Task], opts: Any, seed: int, upload: bytes | None) -> TaskData:
    """``task.prepare``; uploads go through ``st.cache_data`` (keyed by the file's bytes).

    The tasks keep their built-in datasets in an in-process cache of their own and hand out
    read-only objects, so those are not copied through the data cache (unpickling a 10 MB corpus
    on every rerun would make every slider sluggish, and the baselines computed on the shared
    object would be lost).
    """
    if upload is None:
        return task.prepare(opts, seed=seed, upload=None)
    opts_json = json.dumps(dataclasses.asdict(opts), sort_keys=True)
    try:
        return _prepare_cached(task.name, opts_json, int(seed), upload)
    except cache_errors.UnserializableReturnValueError:  # a TaskData that cannot be pickled
        return task.prepare(opts, seed=seed, upload=upload)


def resume_run(loaded: Any, settings: dict[str, Any], upload: bytes | None = None) -> RunSpec:
    """:func:`core.runspec.resume` with the page's training settings (the sidebar's ``train.*``
    values but the seed, which stays the saved one) and the same data loading as :func:`plan_run`."""
    train = {k: v for k, v in settings.items() if k.startswith("train.") and k != "train.seed"}
    return resume(loaded, train, upload=upload, prepare=prepare)


def plan_run(
    task_name: str,
    arch: str,
    settings: dict[str, Any] | None = None,
    *,
    preset: str | None = None,
    upload: bytes | None = None,
) -> RunSpec:
    """:func:`core.runspec.plan` with the data loaded through :func:`prepare` (uploads cached)."""
    return plan(task_name, arch, settings, preset=preset, upload=upload, prepare=prepare)


@st.cache_data(max_entries=256, show_spinner=False)
def _count(arch: str, cfg_json: str) -> int:
    cfg = resolve(get_arch(arch).config, json.loads(cfg_json))
    try:
        with torch.device("meta"):  # shapes only: no memory for the weights
            return count_params(build(arch, cfg))
    except (RuntimeError, NotImplementedError, TypeError):
        return count_params(build(arch, cfg))


def parameter_count(spec: RunSpec) -> int:
    """Parameters of the model this spec would build (without allocating its weights)."""
    return _count(spec.arch, json.dumps(dataclasses.asdict(spec.model_cfg), sort_keys=True))


def fingerprint(spec: RunSpec) -> str:
    """What identifies a trained model's settings: task, architecture, and the three configs."""
    j = spec.to_json()
    train = dict(j.get("train", {}))
    for k in ("device", "max_seconds", "max_params", "snapshots"):  # do not change the model
        train.pop(k, None)
    j["train"] = train
    return json.dumps(j, sort_keys=True, default=str)


# ---------------------------------------------------------------------------------------------
# What a run will cost: shown beside the parameter count, checked before Train starts it
# ---------------------------------------------------------------------------------------------


def worker_threads(every_core: bool = False) -> int:
    """Torch threads a run trains with on this server when it runs alone (see core.workers): the
    cores but one, or all of them for a run bound by arithmetic (``every_core``)."""
    import os

    from core.execution import cores

    fixed = os.environ.get("SEQUENCE_LAB_WORKER_THREADS", "").strip()
    if fixed.isdigit() and int(fixed) > 0:
        return int(fixed)
    return cores() if every_core else max(1, cores() - 1)


@st.cache_data(max_entries=256, show_spinner=False)
def _cost(key: str, _spec: RunSpec, threads: int, every_core: int) -> tuple[RunShape, Estimate]:
    shape = shape_of(_spec, threads)
    est = estimate(shape)
    if every_core > threads and all_cores(shape, est.seconds):  # it trains on every core when alone
        shape = dataclasses.replace(shape, threads=every_core)
        est = estimate(shape)
    return shape, est


def cost(spec: RunSpec) -> tuple[RunShape, Estimate]:
    """The run's shape and estimate (cached by its settings and the sizes of its data)."""
    sizes = {name: {k: tuple(v.shape) for k, v in part.items()} for name, part in spec.data.splits.items()}
    key = fingerprint(spec) + json.dumps(sizes, sort_keys=True)
    return _cost(key, spec, worker_threads(), worker_threads(every_core=True))


def on_all_cores(spec: RunSpec) -> bool:
    """Whether the run, alone on this server, trains on every core (core.budget.all_cores)."""
    shape, _ = cost(spec)
    return shape.threads > worker_threads()


def budget() -> Budget:
    """The limits in force: hard caps on a hosted server, confirmation thresholds elsewhere."""
    lim = limits()
    if lim.hosted:
        return Budget(int(lim.max_memory_mb * MB), lim.max_seconds, lim.max_params, hard=True)
    return Budget(int(lim.confirm_memory_mb * MB), lim.confirm_seconds, 0, hard=False)


def verdict(spec: RunSpec) -> Verdict:
    shape, est = cost(spec)
    return judge(est, budget(), shape)


def fmt_bytes(n: float) -> str:
    mb = n / MB
    return f"{mb / 1024:,.1f} GB" if mb >= 1024 else f"{max(1.0, mb):,.0f} MB"


def fmt_seconds(s: float) -> str:
    from playground.training import fmt_duration

    return fmt_duration(s)


def _join(items: list[str], key: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return t(key, first=", ".join(items[:-1]), last=items[-1])


def _settings(spec: RunSpec, overs: tuple[Over, ...] | list[Over]) -> str:
    """The settings of this page that lower what is over (at most three, taking the most effective
    of each limit in turn), in the user's language."""
    knobs = {f"model.{k.name}" for k in get_arch(spec.arch).knobs()}
    lists = [[k for k in o.lower if k in knobs or k.startswith("train.")] for o in overs]
    names: list[str] = []
    for rank in range(max((len(x) for x in lists), default=0)):
        for x in lists:
            if rank < len(x) and x[rank] not in names:
                names.append(x[rank])
    return _join([f"**{field_label(k.split('.', 1)[1])}**" for k in names[:3]], "budget.join_or")


def _value(over: Over) -> tuple[str, str]:
    if over.what == "memory":
        return fmt_bytes(over.value), fmt_bytes(over.limit)
    if over.what == "time":
        return fmt_seconds(over.value), fmt_seconds(over.limit)
    return f"{int(over.value):,}", f"{int(over.limit):,}"


def refusal(spec: RunSpec, v: Verdict) -> str:
    """Why a hosted server refuses this run, and what to lower (the first limit it passes:
    parameters, then memory; lowering those usually brings the other down too)."""
    over = v.refuse[0]
    value, limit = _value(over)
    return t(f"budget.refuse.{over.what}", value=value, limit=limit, settings=_settings(spec, [over]))


def confirmation(spec: RunSpec, v: Verdict) -> str:
    """What makes this run big, and what to lower; the run starts only if the user confirms."""
    lim = limits()
    if lim.hosted:  # only time can be over here: the trainer stops the run at the server's limit
        over = v.confirm[0]
        value, limit = _value(over)
        share = f"{100 * min(1.0, over.limit / max(over.value, 1e-9)):.0f}"
        return t(
            "budget.hosted_time", value=value, limit=limit, share=share, settings=_settings(spec, [over])
        )
    reasons = []
    for over in v.confirm:
        value, limit = _value(over)
        reasons.append(t(f"budget.reason.{over.what}", value=value, limit=limit))
    return t("budget.confirm", reasons=_join(reasons, "budget.join_and"), settings=_settings(spec, v.confirm))


def show_cost(slot: Any, n_params: int, spec: RunSpec | None) -> None:
    """The parameter count, and under it the estimated memory and time (with how they were made)."""
    box = slot.container()
    box.metric(t("settings.params"), f"{n_params:,}")
    if spec is None:
        return
    shape, est = cost(spec)
    state = est.weights + est.gradients + est.optimizer + est.copies
    help_text = t(
        "budget.beside_help",
        state=fmt_bytes(state),
        activations=fmt_bytes(est.activations),
        data=fmt_bytes(est.data),
        base=fmt_bytes(est.runtime),
        steps=f"{est.steps:,}",
        rate=f"{est.tokens_per_s:,.0f}",
    )
    box.caption(
        t("budget.beside", memory=fmt_bytes(est.total_bytes), time=fmt_seconds(est.seconds)), help=help_text
    )
    v = judge(est, budget(), shape)
    if v.refuse:
        box.caption(f":red[{t('budget.over_hard')}]")
    elif v.confirm:
        box.caption(f":orange[{t('budget.over_soft')}]")


def gate(page: str, spec: RunSpec, fp: str, pressed: bool) -> bool:
    """Whether the run may start now. Train (``pressed``) on a run over a hosted server's limits
    draws why it is refused; on a big run it draws what makes it big and asks for a confirmation
    ("Train anyway"), which stays on the page until answered or until the settings change."""
    waiting = f"{page}._confirm"
    v = verdict(spec)
    if v.refuse:
        st.session_state.pop(waiting, None)
        if pressed:
            st.error(refusal(spec, v), icon=":material/block:")
        return False
    if not v.confirm:
        st.session_state.pop(waiting, None)
        return pressed
    if pressed:
        st.session_state[waiting] = fp
    if st.session_state.get(waiting) != fp:
        st.session_state.pop(waiting, None)
        return False
    yes, no = f"{page}._confirm_yes", f"{page}._confirm_no"
    if st.session_state.get(yes) or st.session_state.get(no):  # answered: the question goes away
        st.session_state.pop(waiting, None)
        return bool(st.session_state.get(yes))
    with st.container(border=True, key=f"{page}._confirm_box"):
        st.warning(confirmation(spec, v), icon=":material/warning:")
        c1, c2, _ = st.columns([1, 1, 3])
        c1.button(t("budget.train_anyway"), key=yes, type="primary")
        c2.button(t("budget.cancel"), key=no)
    return False


def check_budget(lanes: list[tuple[str, RunSpec]]) -> None:
    """On a hosted server: ConfigError for a lane whose estimated memory or parameters are over the
    caps (called for every job before it is queued, whichever page submits it)."""
    if not limits().hosted:
        return
    for name, spec in lanes:
        v = verdict(spec)
        if v.refuse:
            message = refusal(spec, v)
            raise ConfigError(
                t("budget.refuse.lane", lane=name, message=message) if len(lanes) > 1 else message
            )
