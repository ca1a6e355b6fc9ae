"""Word order views: the positional-encoding experiment. Every model trained on the page is kept
in a scoreboard, so a Transformer with and without positional encoding can be compared."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.models.transformer import EncoderOnlyConfig, TransformerConfig
from core.tasks.word_order import WordOrderData
from playground import charts
from playground.i18n import t
from playground.settings import Chosen, PageConfig
from playground.taskpage import ModelView, TaskViews
from playground.views.common import example_table, task_data

PAGE = "word_order"
CONFIG = PageConfig(
    page=PAGE,
    task="word-order",
    icon=":material/swap_horiz:",
    order=60,
    default_arch="transformer-encoder",
    hide=frozenset({"model.readout", "model.explicit"}),
)
BOARD = f"{PAGE}._board"  # session: model label -> test accuracy


def answer(label: str) -> str:
    """A class of core's ("A first" / "B first") in the user's language."""
    return t(f"order.{label.lower().replace(' ', '_')}", default=label)


def pos_encoding(model_cfg: object) -> str | None:
    """The positional encoding of a Transformer's config ("none", "sinusoidal", "learned"...);
    None for a model without one (a recurrent model reads the tokens in order)."""
    if isinstance(model_cfg, (EncoderOnlyConfig, TransformerConfig)):
        return model_cfg.pos_encoding
    return None


def positions(model_cfg: object, arch: str) -> str:
    """How the model can tell where a token is: "none" (a Transformer without positional
    encoding), its positional encoding ("sinusoidal", "learned"), or "recurrent" (it reads the
    tokens in order)."""
    pos = pos_encoding(model_cfg)
    if pos is not None:
        return pos
    return "recurrent" if arch in ("rnn", "lstm", "gru") else "none"


def preview(data: WordOrderData, chosen: Chosen) -> None:
    rows = []
    vocab = data.vocab
    test = data.splits.get("test")
    if test is not None and vocab:
        classes = (answer("B first"), answer("A first"))
        for row, y in zip(test["x"][:6].tolist(), test["y"][:6].tolist()):
            rows.append(
                {t("memory.sequence"): " ".join(vocab[i] for i in row), t("order.answer"): classes[y]}
            )
    st.caption(t("order.preview_caption"))
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _label(view: ModelView) -> str:
    pos = pos_encoding(view.model_cfg)
    return f"{view.arch} · {pos}" if pos else view.arch


def results(view: ModelView) -> None:
    if view.run is not None and view.run.finished is not None:
        acc = (view.run.finished.test or {}).get("accuracy")
        if acc is not None:
            st.session_state.setdefault(BOARD, {})[_label(view)] = acc
    board: dict[str, float] = st.session_state.get(BOARD, {})
    if board:
        st.markdown(f"#### {t('order.board')}")
        st.caption(t("order.board_caption"))
        names = list(board)
        fig = charts.bars(
            names,
            {t("metric.accuracy"): [100 * board[n] for n in names]},
            y_title="%",
            y_range=(0, 100),
            colors={t("metric.accuracy"): charts.PALETTE["model"]},
            height=300,
        )
        fig.add_hline(
            y=50, line_dash="dot", line_color=charts.PALETTE["baseline"], annotation_text=t("memory.chance")
        )
        st.plotly_chart(fig, key=f"{PAGE}._boardfig")
    example_table(view, "label", t("order.answer"), fmt=answer)


def try_it(view: ModelView) -> None:
    data = task_data(view, WordOrderData)
    vocab = data.vocab
    test = data.splits.get("test")
    default = " ".join(vocab[i] for i in test["x"][0].tolist()) if test is not None and vocab else "a B c A d"
    st.caption(t("order.try_caption"))
    text = st.text_input(t("memory.your_sequence"), value=default, key=f"{view.page}._seq")
    out = data.predict(view.model, [text])[0]
    swapped = " ".join({"A": "B", "B": "A"}.get(w, w) for w in text.split())
    out2 = data.predict(view.model, [swapped])[0]
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"`{' '.join(out['tokens'])}`")
        st.metric(t("memory.model_answer"), answer(out["label"]), help=t("order.prob_help"))
        for name, p in out["probabilities"].items():
            st.progress(min(1.0, max(0.0, p)), text=f"{answer(name)}: {100 * p:.1f} %")
    with c2:
        st.markdown(f"`{' '.join(out2['tokens'])}`")
        st.metric(t("order.swapped"), answer(out2["label"]))
        for name, p in out2["probabilities"].items():
            st.progress(min(1.0, max(0.0, p)), text=f"{answer(name)}: {100 * p:.1f} %")
    if out["label"] == out2["label"]:
        # blame missing positions only when the model really has none
        how = positions(view.model_cfg, view.arch)
        if how == "none":
            st.warning(t("order.same_answer"))
        else:
            st.warning(t("order.same_answer_positions", how=t(f"order.how.{how}", default=how)))


VIEWS = TaskViews(
    metrics=("accuracy",),
    vs="bag of words",
    results=results,
    try_it=try_it,
    preview=preview,
    concepts=("positional", "transformer_encoder", "rnn"),
)
