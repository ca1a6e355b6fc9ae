"""Long memory views: accuracy against the lag (how far back each trained model remembers), the
curves of earlier runs for comparison, and your own sequence."""

from __future__ import annotations

import streamlit as st

from core.models.rnn import RecurrentConfig
from core.models.transformer import EncoderOnlyConfig
from core.tasks.long_memory import LongMemoryData
from playground import charts
from playground.i18n import t
from playground.settings import Chosen, PageConfig
from playground.taskpage import ModelView, TaskViews
from playground.views.common import example_table, task_data

PAGE = "long_memory"
CONFIG = PageConfig(
    page=PAGE,
    task="long-memory",
    icon=":material/memory:",
    order=50,
    default_arch="lstm",
    hide=frozenset({"model.readout", "model.explicit"}),
)
LAGS = (1, 2, 5, 10, 20, 50, 100, 200, 300)
CURVES = f"{PAGE}._curves"  # session: run label -> {lag: accuracy}


def preview(data: LongMemoryData, chosen: Chosen) -> None:
    x = data.splits["test"]["x"][0].tolist() if "test" in data.splits else []
    vocab = data.vocab
    toks = [vocab[i] for i in x] if vocab else []
    shown = " ".join(toks if len(toks) <= 24 else [*toks[:12], "…", *toks[-6:]])
    n = {k: int(next(iter(v.values())).size(0)) for k, v in data.splits.items()}
    st.caption(t("memory.preview_caption", train=f"{n.get('train', 0):,}", test=f"{n.get('test', 0):,}"))
    st.code(shown, language=None, wrap_lines=True)


def _curve(view: ModelView, data: LongMemoryData) -> dict[int, float]:
    def measure() -> dict[int, float]:
        with st.spinner(t("memory.measuring")):
            return data.accuracy_by_lag(view.model, list(LAGS), n=128)

    return view.memo("accuracy_by_lag", measure)


def _width(model_cfg: object) -> int | str:
    """The size of the model's state: a recurrent model's hidden size, a Transformer's d_model."""
    if isinstance(model_cfg, RecurrentConfig):
        return model_cfg.hidden_size
    if isinstance(model_cfg, EncoderOnlyConfig):
        return model_cfg.d_model
    return "?"


def results(view: ModelView) -> None:
    data = task_data(view, LongMemoryData)
    curve = _curve(view, data)
    trained_lag = data.opts.lag
    label = f"{view.arch} (h={_width(view.model_cfg)}, lag {trained_lag})"
    curves: dict[str, dict[int, float]] = st.session_state.setdefault(CURVES, {})
    curves[label] = curve
    n_symbols = data.opts.n_symbols
    st.markdown(f"#### {t('memory.by_lag')}")
    st.caption(t("memory.by_lag_caption", lag=trained_lag))
    labels = {
        "chance": t("memory.chance"),
        "x": t("memory.lag"),
        "y": t("memory.accuracy_pct"),
        "trained": "",
    }
    fig = charts.accuracy_by_lag(LAGS, curves, chance_pct=100.0 / n_symbols, labels=labels)
    st.plotly_chart(fig, key=f"{PAGE}._lagfig")
    if len(curves) > 1 and st.button(t("memory.clear_curves"), key=f"{PAGE}._clear"):
        st.session_state[CURVES] = {label: curve}
        st.rerun()
    example_table(view, "key", t("memory.key"))


def try_it(view: ModelView) -> None:
    data = task_data(view, LongMemoryData)
    x = data.splits["test"]["x"][0].tolist() if "test" in data.splits else []
    vocab = data.vocab
    default = " ".join(vocab[i] for i in x) if x else "C a b a c ?"
    st.caption(t("memory.try_caption"))
    text = st.text_area(t("memory.your_sequence"), value=default, height=100, key=f"{view.page}._seq")
    out = data.predict(view.model, [text])[0]
    probs = out["probabilities"]
    c1, c2 = st.columns([1, 3])
    c1.metric(t("memory.model_answer"), out["key"])
    c1.caption(t("memory.length", n=len(out["tokens"])))
    c2.plotly_chart(
        charts.bars(
            list(probs),
            {t("memory.probability"): [100 * p for p in probs.values()]},
            y_title="%",
            y_range=(0, 100),
            colors={t("memory.probability"): charts.PALETTE["model"]},
            height=260,
        ),
        key=f"{view.page}._probs",
    )


VIEWS = TaskViews(
    metrics=("accuracy",),
    vs="chance",
    results=results,
    try_it=try_it,
    preview=preview,
    concepts=("rnn", "lstm", "gru", "many_to_one"),
)
