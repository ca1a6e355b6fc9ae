"""Review sentiment views: confusion matrix, test reviews, your own review with per-word attention."""

from __future__ import annotations

import html
from collections import Counter

import pandas as pd
import streamlit as st

from core.tasks.base import Prepared
from playground import charts
from playground.i18n import t
from playground.settings import Chosen, PageConfig
from playground.taskpage import ModelView, TaskViews

CONFIG = PageConfig(
    page="sentiment",
    task="sentiment",
    default_arch="gru",
    hide=frozenset({"model.readout", "model.explicit"}),
    show_if={
        "task.text_column": ("task.source", frozenset({"upload"})),
        "task.label_column": ("task.source", frozenset({"upload"})),
    },
)


def preview(data: Prepared, chosen: Chosen) -> None:
    texts = getattr(data, "texts", {}) or {}
    labels = list(getattr(data, "labels", ()))
    counts = {k: int(next(iter(v.values())).size(0)) for k, v in data.splits.items()}
    y = data.splits["train"]["y"].tolist() if "train" in data.splits else []
    dist = Counter(labels[i] for i in y) if labels else Counter()
    st.caption(
        t(
            "sentiment.preview_caption",
            train=f"{counts.get('train', 0):,}",
            val=f"{counts.get('val', 0):,}",
            test=f"{counts.get('test', 0):,}",
            vocab=f"{data.model_fields.get('vocab_size', 0):,}",
            dist=", ".join(f"{k} {v:,}" for k, v in dist.most_common()),
        )
    )
    rows = []
    train_y = y[:6]
    for text, yi in zip(texts.get("train", [])[:6], train_y):
        rows.append({t("sentiment.review"): text, t("sentiment.label"): labels[yi] if labels else yi})
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def results(view: ModelView) -> None:
    data = view.data
    names, matrix = view.memo("confusion", lambda: data.confusion(view.model, "test"))
    c1, c2 = st.columns([2, 3])
    with c1:
        st.markdown(f"#### {t('sentiment.confusion')}")
        st.plotly_chart(
            charts.confusion_figure(
                matrix, names, axis={"true": t("sentiment.true"), "pred": t("sentiment.pred")}
            ),
            key=f"{view.page}._confusion",
        )
    with c2:
        st.markdown(f"#### {t('sentiment.examples')}")
        rows = view.memo("examples", lambda: data.examples(view.model, 12))
        if rows:
            df = pd.DataFrame(
                {
                    t("results.correct"): [bool(r["correct"]) for r in rows],
                    t("sentiment.review"): [r["text"] for r in rows],
                    t("sentiment.label"): [r["label"] for r in rows],
                    t("sentiment.pred"): [r["predicted"] for r in rows],
                    t("sentiment.prob"): [r["probability"] for r in rows],
                }
            )
            st.dataframe(
                df,
                hide_index=True,
                width="stretch",
                column_config={
                    t("sentiment.prob"): st.column_config.ProgressColumn(
                        min_value=0.0, max_value=1.0, format="%.2f"
                    )
                },
            )


def _highlight(tokens: list[str], weights: list[float]) -> str:
    top = max(weights) if weights else 1.0
    spans = []
    for w, a in zip(tokens, weights):
        alpha = 0.08 + 0.8 * (a / top if top > 0 else 0)
        spans.append(
            f'<span style="background: rgba(31,78,156,{alpha:.2f}); color: {"#fff" if alpha > 0.5 else "#111"}; '
            f'padding: 2px 4px; margin: 1px; border-radius: 4px; display: inline-block">{html.escape(w)}</span>'
        )
    return " ".join(spans)


def try_it(view: ModelView) -> None:
    default = t("sentiment.default_review")
    text = st.text_area(t("sentiment.your_review"), value=default, key=f"{view.page}._review", height=90)
    out = view.data.predict(view.model, [text])[0]
    probs = out["probs"]
    label = out["label"]
    c1, c2 = st.columns([1, 2])
    c1.metric(t("sentiment.verdict"), label, help=t("sentiment.verdict_help"))
    with c2:
        for name, p in sorted(probs.items(), key=lambda kv: -kv[1]):
            st.progress(min(1.0, max(0.0, p)), text=f"{name}: {100 * p:.1f} %")
    notes = []
    if out.get("unknown"):
        notes.append(t("sentiment.unknown", words=", ".join(out["unknown"][:12])))
    if out.get("truncated"):
        notes.append(t("sentiment.truncated"))
    for n in notes:
        st.caption(n)
    weights = out.get("token_weights")
    if weights:
        st.markdown(f"#### {t('sentiment.attention')}")
        st.caption(t("sentiment.attention_caption"))
        st.markdown(_highlight(out["tokens"], weights), unsafe_allow_html=True)
        st.plotly_chart(
            charts.token_bars(out["tokens"], weights, y_title=t("sentiment.weight")),
            key=f"{view.page}._tokbars",
        )
    else:
        st.caption(t("sentiment.no_attention"))


VIEWS = TaskViews(
    metrics=("accuracy", "f1"),
    vs="tfidf_logreg",
    results=results,
    try_it=try_it,
    preview=preview,
    concepts=("many_to_one", "birnn", "lstm", "gru", "transformer_encoder"),
)
