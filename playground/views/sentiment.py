"""Review sentiment views: the data with its GloVe coverage, confusion matrix, test reviews, your
own review with what each word did to the answer (and per-word attention), and a race of the
page's settings with the word embedding starting random or from GloVe."""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from core.race import variant_specs
from core.tasks.base import DataError
from core.tasks.sentiment import EMBEDDINGS, SentimentData, WordEffects
from playground import charts, planning, training
from playground.i18n import t
from playground.insights import experiment_view, experiments
from playground.settings import Chosen, PageConfig, apply_limits, shown_settings
from playground.taskpage import ModelView, TaskViews, experiment_running
from playground.views.common import pinned

if TYPE_CHECKING:
    from core.runspec import RunSpec

CONFIG = PageConfig(
    page="sentiment",
    task="sentiment",
    icon=":material/reviews:",
    order=20,
    default_arch="lstm",
    hide=frozenset({"model.readout", "model.explicit"}),
    show_if={
        "task.text_column": ("task.source", frozenset({"upload"})),
        "task.label_column": ("task.source", frozenset({"upload"})),
        # how fast the word table learns matters most for pretrained vectors (0 freezes them)
        "train.embedding_lr": ("task.embedding", frozenset({"glove"})),
    },
)


def preview(data: SentimentData, chosen: Chosen) -> None:
    texts = data.texts
    labels = list(data.labels)
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
    _coverage(data)
    rows = []
    train_y = y[:6]
    for text, yi in zip(texts.get("train", [])[:6], train_y):
        rows.append({t("sentiment.review"): text, t("sentiment.label"): labels[yi] if labels else yi})
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _coverage(data: SentimentData) -> None:
    """How many vocabulary words start from a GloVe vector, and some that start random."""
    cov = data.coverage()
    if cov is None:
        return
    words, found = cov["words"], cov["found"]
    if found == words:
        st.caption(t("sentiment.coverage_all", words=f"{words:,}"))
        return
    st.caption(
        t(
            "sentiment.coverage",
            found=f"{found:,}",
            words=f"{words:,}",
            share=f"{found / max(words, 1):.0%}",
            missing=f"{words - found:,}",
            examples=", ".join(cov["missing"][:12]),
        )
    )


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
                    t("sentiment.pred"): [r["predicted"] for r in rows],  # first: never off-screen
                    t("sentiment.prob"): [r["probability"] for r in rows],
                    t("sentiment.label"): [r["label"] for r in rows],
                    t("sentiment.review"): [r["text"] for r in rows],
                }
            )
            st.dataframe(
                df,
                hide_index=True,
                width="stretch",
                column_config={
                    **pinned(t("sentiment.pred")),
                    t("sentiment.prob"): st.column_config.ProgressColumn(
                        min_value=0.0, max_value=1.0, format="%.2f"
                    ),
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


def _effect_color(e: float) -> str:
    return charts.PALETTE["toward"] if e >= 0 else charts.PALETTE["away"]


def _signed_highlight(ex: WordEffects) -> str:
    """The words coloured by what they did: green toward the answer, red away; stronger = bigger."""
    # full colour for the biggest change, but never for less than 2 points (an untrained model's noise)
    top = max([0.02, *(abs(e) for e in ex.effects)])
    spans = []
    for w, e, q in zip(ex.tokens, ex.effects, ex.without, strict=True):
        r, g, b = (int(_effect_color(e)[i : i + 2], 16) for i in (1, 3, 5))
        alpha = 0.06 + 0.84 * abs(e) / top
        tip = t("sentiment.effect_tip", label=ex.label, p=f"{100 * q:.1f} %", delta=f"{100 * e:+.1f}")
        spans.append(
            f'<span title="{html.escape(tip)}" style="background: rgba({r},{g},{b},{alpha:.2f}); '
            f"color: {'#fff' if alpha > 0.55 else '#111'}; padding: 2px 4px; margin: 1px; "
            f'border-radius: 4px; display: inline-block">{html.escape(w)}</span>'
        )
    return " ".join(spans)


def _why(view: ModelView, ex: WordEffects) -> None:
    """Which words pushed the answer which way (occlusion, core: SentimentData.explain)."""
    if not ex.tokens:
        return
    st.markdown(f"#### {t('sentiment.why')}")
    st.caption(t("sentiment.why_caption", label=ex.label))
    st.markdown(_signed_highlight(ex), unsafe_allow_html=True)
    st.plotly_chart(
        charts.token_bars(
            ex.tokens,
            [100 * e for e in ex.effects],
            y_title=t("sentiment.effect_axis", label=ex.label),
            colors=[_effect_color(e) for e in ex.effects],
            y_format="+.1f",
        ),
        key=f"{view.page}._whybars",
    )
    k = ex.strongest()
    if k is not None and abs(ex.effects[k]) >= 0.005:
        st.caption(
            t(
                "sentiment.why_strongest",
                word=ex.tokens[k],
                label=ex.label,
                p=f"{100 * ex.probability:.1f} %",
                q=f"{100 * ex.without[k]:.1f} %",
            )
        )


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
    if out.get("no_vector"):
        notes.append(t("sentiment.no_vector", words=", ".join(out["no_vector"][:12])))
    if out.get("truncated"):
        notes.append(t("sentiment.truncated"))
    for n in notes:
        st.caption(n)
    if isinstance(view.data, SentimentData):
        _why(view, view.data.explain(view.model, text))
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


# ---------------------------------------------------------------------------------------------
# Does starting from GloVe help? The page's settings raced with each starting point
# ---------------------------------------------------------------------------------------------


def _variants(pc: PageConfig, chosen: Chosen) -> list[tuple[str, dict[str, Any]]]:
    """The page's settings once per starting point of the word embedding, as Train would use them,
    except that both train every epoch: a race compares where each start ends, and a lane stopped
    at the target would hide how far past it the other one gets."""
    settings = {**apply_limits(chosen.settings), "train.stop_at_target": False}
    return [(e, shown_settings(pc, {**settings, "task.embedding": e})) for e in EMBEDDINGS]


def _race_key(pc: PageConfig, chosen: Chosen) -> str:
    """What the race's results depend on, to say when the settings changed since: the settings
    that differ from their defaults (architecture and preset included) but the raced one, and
    the uploaded file."""
    skip = {chosen.key("task", "embedding"), "lang"}
    parts = sorted((k, v) for k, v in chosen.query.items() if k not in skip)
    return json.dumps([parts, chosen.upload_name, len(chosen.upload or b"")])


def _start_race(pc: PageConfig, chosen: Chosen) -> experiments.Job:
    with st.spinner(t("settings.loading_data")):
        lanes = variant_specs(
            pc.task,
            chosen.arch,
            _variants(pc, chosen),
            preset=chosen.preset,
            upload=chosen.upload,
            prepare=planning.prepare,
        )
    glove = dict(lanes)["glove"].data
    if not isinstance(glove, SentimentData) or glove.found is None:
        raise DataError(t("sentiment.race.no_glove"))
    return experiments.start(pc.page, pc.task, {"arch": chosen.arch, "key": _race_key(pc, chosen)}, lanes)


def _lane_words(job: experiments.Job) -> dict[str, dict[str, str]]:
    """Extra columns: each lane's vocabulary and how many of its words start from GloVe."""
    out = {}
    for name in job.names:
        data = job.spec(name).data
        cov = data.coverage() if isinstance(data, SentimentData) else None
        out[name] = {
            t("sentiment.race.col_vocab"): f"{int(data.model_fields.get('vocab_size', 0)):,}",
            t("sentiment.race.col_glove"): f"{cov['found']:,}" if cov else "–",
        }
    return out


def _draw_race(job: experiments.Job) -> None:
    key = f"{job.page}.race"
    experiment_view.curves(job, key)
    experiment_view.table(job, key, extra=_lane_words(job))
    rows = {r["name"]: r for r in job.rows()}
    done = [n for n in EMBEDDINGS if n in rows and job.finished(n) is not None]
    if job.done and len(done) == len(EMBEDDINGS) and all(math.isfinite(rows[n]["metric"]) for n in done):
        glove, rnd = rows["glove"]["metric"], rows["random"]["metric"]
        st.markdown(
            t(
                "sentiment.race.verdict",
                glove=f"{100 * glove:.1f} %",
                random=f"{100 * rnd:.1f} %",
                diff=f"{100 * (glove - rnd):+.1f}",
            )
        )
        notes = [t("sentiment.race.caveat")]
        vocab = {n: int(job.spec(n).data.model_fields.get("vocab_size", 0)) for n in EMBEDDINGS}
        if vocab["glove"] > vocab["random"]:
            notes.append(t("sentiment.race.vocab_note"))
        cfg = job.spec("glove").model_cfg
        if cfg.vectors_dim and cfg.vectors_dim != cfg.word_dim:
            notes.append(t("sentiment.race.projection_note", vectors=cfg.vectors_dim, dim=cfg.word_dim))
        st.caption(" ".join(notes))


def experiment(pc: PageConfig, chosen: Chosen, spec: RunSpec | None) -> None:
    """The race of random vs GloVe start, with the page's current settings, one click away."""
    st.divider()
    st.markdown(f"### {t('sentiment.race.title')}")
    st.markdown(t("sentiment.race.intro"))
    run = training.current(pc.page)
    page_busy = run is not None and run.running
    experiment_view.controls(
        pc.page,
        lambda: _start_race(pc, chosen),
        label_key="sentiment.race.run",
        disabled=page_busy or spec is None,
        key=f"{pc.page}.race",
    )
    if page_busy and not experiment_running(pc.page):
        st.caption(t("sentiment.race.wait_for_run"))
    job = experiment_view.follow(pc.page, _draw_race)
    if job is not None and job.done and job.params.get("key") != _race_key(pc, chosen):
        st.info(t("sentiment.race.stale"), icon=":material/tune:")


VIEWS = TaskViews(
    metrics=("accuracy", "f1"),
    vs="tfidf_logreg",
    results=results,
    try_it=try_it,
    preview=preview,
    concepts=("many_to_one", "birnn", "lstm", "gru", "transformer_encoder"),
    experiment=experiment,
)
