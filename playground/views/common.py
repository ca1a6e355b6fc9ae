"""Pieces shared by task views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import streamlit as st

from core.tasks.base import TaskData
from playground.i18n import t

if TYPE_CHECKING:
    from playground.taskpage import ModelView

D = TypeVar("D", bound=TaskData)


def task_data(view: ModelView, cls: type[D]) -> D:
    """The data of the model a view draws, as the task's own data class (the class its
    ``prepare`` and ``restore`` both return, so a trained and a loaded model alike)."""
    data = view.data
    if not isinstance(data, cls):
        raise TypeError(f"this page draws {cls.__name__}, not {type(data).__name__}")
    return data


def example_table(
    view: ModelView, truth_key: str, truth_header: str, fmt: Callable[[str], str] | None = None
) -> None:
    """The first test examples: right or not, the sequence, the true answer, the model's answer
    (``fmt`` shows an answer in the user's language)."""
    show = fmt or (lambda v: v)
    rows = view.memo("examples", lambda: view.data.examples(view.model, 8))
    if not rows:
        return
    st.markdown(f"#### {t('memory.examples')}")
    st.dataframe(
        pd.DataFrame(
            {
                t("results.correct"): [bool(r["correct"]) for r in rows],
                t("memory.answer"): [show(r["prediction"]) for r in rows],  # first: never off-screen
                truth_header: [show(r[truth_key]) for r in rows],
                t("memory.sequence"): [r["sequence"] for r in rows],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config=pinned(t("memory.answer")),
    )


def pinned(*columns: str) -> dict[str, Any]:
    """Column config that keeps the model's answer (and whether it is right) in view while a wide
    table scrolls sideways."""
    return {c: st.column_config.Column(pinned=True) for c in (t("results.correct"), *columns)}
