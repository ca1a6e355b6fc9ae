"""Word embeddings: a word becomes a row of numbers that carries its meaning. The nearest
neighbours of a word in GloVe, a 2-D PCA picture of chosen words, and the same for the word table
of the sentiment model trained in this session, before and after its training. The numbers come
from :mod:`core.embedding_view`; this module only draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.embedding_view import (
    DEFAULT_WORDS,
    MAX_WORDS,
    N_SPECIALS,
    PAIR,
    Projection,
    WordTable,
    initial_table,
    parse_words,
    project_vectors,
    starts_from_glove,
    table_of,
)
from core.text import tokenize
from core.vectors import Vectors, VectorsError, glove
from playground import charts, training
from playground.app import page_by_path
from playground.errors import guarded
from playground.i18n import t
from playground.insights.common import BIND, page_header, show

PAGE = "embeddings"
MODEL_PAGE = "sentiment"  # the task page whose trained model this page opens
K_CHOICES = (5, 10, 20, 30)
HIGHLIGHT = "#e4572e"
RANDOM_START = "#9a9a9a"


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


def neighbours_figure(rows: list[tuple[str, float]], *, name: str, height: int | None = None) -> go.Figure:
    """Horizontal bars of cosine similarity, the nearest word on top."""
    words = [w for w, _ in rows][::-1]
    sims = [round(s, 4) for _, s in rows][::-1]
    fig = go.Figure(
        go.Bar(
            x=sims,
            y=words,
            orientation="h",
            name=name,
            marker_color=charts.PALETTE["model"],
            text=[f"{s:.2f}" for s in sims],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=t("ins.emb.cosine"), range=[min(0.0, min(sims, default=0.0)), 1.08])
    fig.update_yaxes(type="category")
    fig.update_layout(
        height=height or max(220, 26 * len(rows) + 70), margin={"l": 10, "r": 10, "t": 20, "b": 10}
    )
    return fig


def projection_figure(
    p: Projection, *, name: str, highlight: str = "", grey: frozenset[str] = frozenset(), height: int = 460
) -> go.Figure:
    """The words as labelled points at their 2-D PCA coordinates."""
    colors = [
        HIGHLIGHT if w == highlight else RANDOM_START if w in grey else charts.PALETTE["model"]
        for w in p.words
    ]
    fig = go.Figure(
        go.Scatter(
            x=np.round(p.xy[:, 0], 5).tolist(),
            y=np.round(p.xy[:, 1], 5).tolist(),
            mode="markers+text",
            text=p.words,
            textposition="top center",
            name=name,
            marker={"size": 9, "color": colors},
            hovertemplate="%{text}<br>(%{x:.2f}, %{y:.2f})<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=t("ins.emb.axis", n=1), zeroline=True, zerolinecolor="#dddddd")
    fig.update_yaxes(title_text=t("ins.emb.axis", n=2), zeroline=True, zerolinecolor="#dddddd")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 20, "b": 10}, showlegend=False)
    return fig


def _skipped(words: list[str], key: str) -> None:
    if words:
        st.caption(t(key, words=", ".join(words)))


# ---------------------------------------------------------------------------------------------
# 1. Nearest neighbours in GloVe
# ---------------------------------------------------------------------------------------------


def typed_word(text: str) -> str:
    return (text or "").strip().lower()


def unknown_word_hint(word: str, known: Any) -> str:
    """Why a word may be missing and what to try instead (the parts GloVe split it into)."""
    parts = tokenize(word, style="glove")
    found = [p for p in parts if p in known]
    if len(parts) > 1 and found:
        return t("ins.emb.split_hint", parts=" + ".join(parts), found=", ".join(found))
    return t("ins.emb.unknown_tips")


def _neighbours_section(vectors: Vectors | None, word: str, k: int) -> None:
    if vectors is None or not word:
        return
    if len(word.split()) > 1:
        st.warning(t("ins.emb.one_word"), icon=":material/edit:")
        return
    if word not in vectors:
        st.warning(
            t("ins.emb.unknown", word=word, n=f"{len(vectors):,}") + " " + unknown_word_hint(word, vectors),
            icon=":material/search_off:",
        )
        return
    rows = vectors.nearest(word, k)
    st.caption(t("ins.emb.neighbours_caption", word=word, k=k, rank=f"{vectors.index(word) + 1:,}"))
    show(neighbours_figure(rows, name="glove_neighbours"), f"{PAGE}.fig.neighbours")


# ---------------------------------------------------------------------------------------------
# 2. A picture of chosen words
# ---------------------------------------------------------------------------------------------


def _words_input() -> list[str]:
    text = st.text_area(
        t("ins.emb.words"),
        value=", ".join(DEFAULT_WORDS),
        key=f"{PAGE}.words",
        bind=BIND,
        height=80,
        max_chars=2000,
        help=t("ins.emb.words_help", n=MAX_WORDS),
    )
    words = parse_words(text)
    if len(parse_words(text, limit=10**6)) > MAX_WORDS:
        st.caption(t("ins.emb.too_many", n=MAX_WORDS))
    return words


def _kept_caption(p: Projection, word: str = "") -> None:
    lines = []
    if word in p.words:
        lines.append(t("ins.emb.highlighted", word=word))
    if len(p.words) >= 3:
        lines.append(t("ins.emb.kept", share=f"{100 * p.kept:.0f}"))
    if lines:
        st.caption(" ".join(lines))


def _projection_section(vectors: Vectors | None, words: list[str], word: str) -> None:
    if vectors is None:
        return
    p = project_vectors(vectors, words)
    if len(p.words) < 2:
        st.info(t("ins.emb.need_two"), icon=":material/edit:")
    else:
        show(
            projection_figure(p, name="glove_pca", highlight=word),
            f"{PAGE}.fig.glove_pca",
            export="glove-pca",
        )
        _kept_caption(p, word)
    _skipped(p.skipped, "ins.emb.skipped_glove")


# ---------------------------------------------------------------------------------------------
# 3. The sentiment model's own table
# ---------------------------------------------------------------------------------------------


@dataclass
class ModelTables:
    """The word table of the session's sentiment model at the start and at the end of its training."""

    run: Any  # the training.Run the tables belong to
    before: WordTable
    after: WordTable
    glove_start: np.ndarray | None  # (V,) bool, rows that started from GloVe (None: no GloVe start)


def model_tables(run: Any) -> ModelTables | None:
    """The tables of a finished run, computed once per run and kept in this session."""
    slot = f"{PAGE}._tables"
    cached = st.session_state.get(slot)
    if isinstance(cached, ModelTables) and cached.run is run:
        return cached
    after = table_of(run.model)
    before = initial_table(run.spec)
    if after is None or before is None:
        return None
    itos = list(run.spec.data.vocab.itos)
    tables = ModelTables(run, WordTable(itos, before), WordTable(itos, after), starts_from_glove(run.spec))
    st.session_state[slot] = tables
    return tables


def _train_link() -> None:
    info = page_by_path(MODEL_PAGE)
    st.page_link(info.file, label=t("ins.emb.open_sentiment"), icon=":material/arrow_forward:")


def _how_before(m: ModelTables) -> str:
    spec = m.run.spec
    if spec.init is not None:
        return t("ins.emb.before_continued")
    if m.glove_start is not None:
        found = int(m.glove_start[N_SPECIALS:].sum())
        if found == m.before.n_words:
            return t("ins.emb.before_glove_all", n=f"{found:,}")
        return t(
            "ins.emb.before_glove", found=f"{found:,}", n=f"{m.before.n_words:,}", seed=spec.train_cfg.seed
        )
    return t("ins.emb.before_random", seed=spec.train_cfg.seed)


def _model_neighbours(m: ModelTables, word: str, k: int) -> None:
    if not word or len(word.split()) > 1:
        return
    if word not in m.after:
        st.warning(
            t("ins.emb.not_in_vocab", word=word, n=f"{m.after.n_words:,}"), icon=":material/search_off:"
        )
        return
    st.markdown(f"#### {t('ins.emb.model_neighbours', word=word)}")
    cols = st.columns(2)
    for col, stage, table in ((cols[0], "before", m.before), (cols[1], "after", m.after)):
        with col:
            st.markdown(f"**{t(f'ins.emb.{stage}')}**")
            rows = table.nearest(word, k)
            show(
                neighbours_figure(rows, name=f"model_{stage}_neighbours"),
                f"{PAGE}.fig.model_{stage}_neighbours",
            )


def _pair_line(m: ModelTables) -> None:
    a, b = PAIR
    if a in m.after and b in m.after:
        st.caption(
            t(
                "ins.emb.pair",
                a=a,
                b=b,
                before=f"{m.before.cosine(a, b):.2f}",
                after=f"{m.after.cosine(a, b):.2f}",
            )
        )


@st.fragment(run_every=2.0)
def _wait_for_training() -> None:
    """While the sentiment model trains: a note, and the whole page again once it has finished."""
    run = training.current(MODEL_PAGE)
    if run is None or run.done:
        st.rerun()
    st.info(t("ins.emb.model_training"), icon=":material/hourglass_top:")


def _model_section(words: list[str], word: str, k: int) -> None:
    st.markdown(f"### 3. {t('ins.emb.s3')}")
    st.markdown(t("ins.emb.s3_explain"))
    run = training.current(MODEL_PAGE)
    if run is not None and not run.done:
        _wait_for_training()
        _train_link()
        return
    if run is None or not run.usable:
        st.info(t("ins.emb.no_model"), icon=":material/school:")
        _train_link()
        return
    m = model_tables(run)
    if m is None:
        st.info(t("ins.emb.no_table", arch=run.spec.arch), icon=":material/school:")
        return
    dim = m.after.table.shape[1]
    st.info(
        t("ins.emb.using_model", arch=run.spec.arch, n=f"{m.after.n_words:,}", dim=dim),
        icon=":material/school:",
    )
    st.caption(_how_before(m))
    if run.spec.train_cfg.embedding_lr == 0:
        st.caption(t("ins.emb.frozen"))
    before, after = m.before.project(words), m.after.project(words)
    grey = frozenset()
    if m.glove_start is not None:  # chosen words whose row started random (no GloVe vector)
        grey = frozenset(w for w in before.words if not m.glove_start[m.before.index(w)])
    if len(after.words) < 2:
        st.info(t("ins.emb.need_two_vocab"), icon=":material/edit:")
    else:
        cols = st.columns(2)
        for col, stage, p in ((cols[0], "before", before), (cols[1], "after", after)):
            with col:
                st.markdown(f"**{t(f'ins.emb.{stage}')}**")
                fig = projection_figure(
                    p, name=f"model_{stage}", highlight=word, grey=grey if stage == "before" else frozenset()
                )
                show(fig, f"{PAGE}.fig.model_{stage}")
                _kept_caption(p, word)
        random_words = [w for w in before.words if w in grey]
        if random_words:
            st.caption(t("ins.emb.random_start", words=", ".join(random_words)))
        st.caption(t("ins.emb.own_axes"))
    _skipped(after.skipped, "ins.emb.skipped_vocab")
    _pair_line(m)
    _model_neighbours(m, word, k)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def _load_vectors() -> Vectors | None:
    try:
        return glove()
    except VectorsError as e:
        st.error(t("ins.emb.no_vectors", error=str(e)), icon=":material/error:")
        return None


def _about() -> None:
    with st.expander(t("ins.emb.about"), icon=":material/menu_book:"):
        for key in ("what", "glove", "pca", "transfer", "source"):
            st.markdown(t(f"ins.emb.about.{key}"))


def embeddings_page() -> None:
    page_header(PAGE)
    with guarded():
        _page()


def _page() -> None:
    _about()
    vectors = _load_vectors()

    st.markdown(f"### 1. {t('ins.emb.s1')}")
    st.markdown(t("ins.emb.s1_explain"))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    text = c1.text_input(
        t("ins.emb.word"),
        value="good",
        key=f"{PAGE}.word",
        bind=BIND,
        max_chars=60,
        help=t("ins.emb.word_help"),
    )
    k = int(c2.select_slider(t("ins.emb.k"), K_CHOICES, value=10, key=f"{PAGE}.k", bind=BIND))
    word = typed_word(text)
    if not word:
        st.info(t("ins.emb.type_word"), icon=":material/keyboard:")
    _neighbours_section(vectors, word, k)

    st.markdown(f"### 2. {t('ins.emb.s2')}")
    st.markdown(t("ins.emb.s2_explain"))
    words = _words_input()
    _projection_section(vectors, words, word)

    st.divider()
    _model_section(words, word, k)
