"""Text generation views: the text, what the model wrote after each epoch, and writing with a
temperature of your choice."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.tasks.char_text import CharTextData
from playground import charts
from playground.i18n import field_label, t
from playground.settings import Chosen, PageConfig
from playground.taskpage import ModelView, TaskViews
from playground.views.common import task_data

PAGE = "char_text"
CONFIG = PageConfig(
    page=PAGE,
    task="char-text",
    icon=":material/edit_note:",
    order=70,
    default_arch="lstm",
    # a language model reads one way, one output per step: no read-out, pooling or backward pass
    hide=frozenset(
        {"model.readout", "model.bidirectional", "model.pooling", "model.n_grams", "model.vectors_dim"}
    ),
    upload_types=("txt",),
)


def visible(text: str) -> str:
    """The text as written, in a code block (spaces and line breaks kept)."""
    return text.replace("\t", "    ")


def preview(data: CharTextData, chosen: Chosen) -> None:
    train = data.texts.get("train", "")
    st.caption(
        t(
            "chartext.preview_caption",
            chars=f"{sum(len(s) for s in data.texts.values()):,}",
            vocab=len(data.chars),
            windows=f"{data.splits['train']['x'].size(0):,}",
            seq_len=data.opts.seq_len,
        )
    )
    st.code(visible(train[:700]), language=None, wrap_lines=True)


def _epoch_samples(view: ModelView) -> None:
    """What the model wrote after each epoch: the same prompt, seed and temperature every time."""
    samples = [(e.epoch, e.sample) for e in (view.run.epochs if view.run else []) if e.sample]
    if not samples:
        return
    st.markdown(f"#### {t('chartext.by_epoch')}")
    st.caption(t("chartext.by_epoch_caption"))
    epochs = [e for e, _ in samples]
    chosen = (
        st.select_slider(t("chart.epoch"), options=epochs, value=epochs[-1], key=f"{PAGE}._sample_epoch")
        if len(epochs) > 1
        else epochs[0]
    )
    text = dict(samples)[chosen]
    st.code(visible(text), language=None, wrap_lines=True)
    if len(epochs) > 1 and chosen != epochs[0]:
        with st.expander(t("chartext.first_epoch", epoch=epochs[0])):
            st.code(visible(dict(samples)[epochs[0]]), language=None, wrap_lines=True)


def results(view: ModelView) -> None:
    data = task_data(view, CharTextData)
    _epoch_samples(view)
    rows = view.memo("examples", lambda: data.examples(view.model, 8))
    if rows:
        st.markdown(f"#### {t('chartext.next_header')}")
        st.caption(t("chartext.next_caption"))
        st.dataframe(
            pd.DataFrame(
                {
                    t("results.correct"): [r["guess"] == r["next"] for r in rows],
                    t("chartext.guess"): [_show(r["guess"]) for r in rows],
                    t("chartext.p"): [r["p"] for r in rows],
                    t("chartext.real"): [_show(r["next"]) for r in rows],
                    t("chartext.context"): ["…" + r["context"][-40:].replace("\n", "⏎") for r in rows],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={t("chartext.p"): st.column_config.NumberColumn(format="percent")},
        )


def _show(c: str) -> str:
    """A character as a reader can see it: spaces and line breaks named."""
    return {" ": t("chartext.space"), "\n": t("chartext.newline")}.get(c, c)


def try_it(view: ModelView) -> None:
    data = task_data(view, CharTextData)
    st.caption(t("chartext.try_caption"))
    prompt = st.text_input(
        t("chartext.prompt"), value=data.sample_prompt(), key=f"{PAGE}._prompt", max_chars=500
    )
    c1, c2, c3 = st.columns(3)
    temperature = c1.slider(
        t("chartext.temperature"),
        0.0,
        2.0,
        0.8,
        0.05,
        key=f"{PAGE}._temp",
        help=t("chartext.temperature_help"),
    )
    n = c2.slider(t("chartext.length"), 20, 1000, 300, 20, key=f"{PAGE}._len")
    seed = int(c3.number_input(field_label("seed"), 0, 10_000, 0, key=f"{PAGE}._seed"))
    text = data.generate(view.model, prompt, n, temperature, seed)
    st.markdown(f"#### {t('chartext.written')}")
    st.code(visible(prompt + text), language=None, wrap_lines=True)
    if temperature == 0:
        st.caption(t("chartext.greedy_note"))
    top = data.next_chars(view.model, prompt, 10) if prompt else []
    if top:
        st.markdown(f"#### {t('chartext.next_after')}")
        fig = charts.token_bars(
            [_show(c) for c, _ in top], [p for _, p in top], y_title=t("chartext.probability"), y_format=".1%"
        )
        st.plotly_chart(fig, key=f"{PAGE}._nextfig")


VIEWS = TaskViews(
    metrics=("bpc", "accuracy"),
    vs="trigram",
    results=results,
    try_it=try_it,
    preview=preview,
    concepts=("many_to_many", "lstm", "gru", "transformer"),
)
