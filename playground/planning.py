"""From the sidebar's settings to a RunSpec, without reloading the data on every rerun.

:func:`plan_run` is :func:`core.runs.plan` with a ``prepare`` that loads uploaded files through
``st.cache_data``, so moving a model slider does not re-parse and re-encode an upload on every
rerun.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import streamlit as st
import torch
from streamlit.runtime.caching import cache_errors

from core.config import resolve
from core.models.base import count_params
from core.registry import build, get_arch, get_task
from core.runs import RunSpec, plan, resume
from core.tasks.base import Prepared, Task


@st.cache_data(max_entries=12, show_spinner=False)
def _prepare_cached(task_name: str, opts_json: str, seed: int, upload: bytes | None) -> Prepared:
    task = get_task(task_name)
    opts = resolve(task.options, json.loads(opts_json))
    return task.prepare(opts, seed=seed, upload=upload)


def prepare(task: type[Task], opts: Any, seed: int, upload: bytes | None) -> Prepared:
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
    except cache_errors.UnserializableReturnValueError:  # a Prepared that cannot be pickled
        return task.prepare(opts, seed=seed, upload=upload)


def resume_run(loaded: Any, settings: dict[str, Any], upload: bytes | None = None) -> RunSpec:
    """:func:`core.runs.resume` with the page's training settings (the sidebar's ``train.*``
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
    """:func:`core.runs.plan` with the data loaded through :func:`prepare` (uploads cached)."""
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
