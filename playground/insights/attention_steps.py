"""Self-attention, step by step ("Attention Is All You Need", 3.2): a sentence becomes vectors
(embedding + positional encoding), is projected to Q, K and V, compared (Q K^T), scaled by
1/sqrt(d_k), turned into weights (softmax) that mix the values (Z), and the heads are joined and
projected by W_O. Every number comes from :func:`core.analysis.attention_pipeline`, which runs the
real attention module of a freshly initialised model or of a model trained in this session.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch
from torch import nn

from core.analysis import attention_pipeline
from core.models.base import SPECIALS, UNK
from core.models.positional import POSITIONAL_KINDS
from core.models.transformer import TokenEmbedding, Transformer, TransformerEncoderModel
from core.tasks.base import TaskData
from core.tasks.sentiment import SentimentData
from core.tasks.translation import TranslationData
from core.tasks.word_order import WordOrderData
from core.text import Vocab, tokenize
from playground import charts, training
from playground.errors import guarded
from playground.i18n import t
from playground.insights.common import BIND, dims, matrix, page_header, show, subscript

PAGE = "attention_steps"
TRAINED_PAGES = ("translation", "sentiment", "word_order")  # task pages whose Transformers we can open
D_MODELS = (16, 32, 64, 128, 256, 512)
HEADS = (1, 2, 4, 8, 16)
DEFAULT_TEXT = "the animal did not cross the street because it was too tired"
MAX_TOKENS = 24


@dataclass
class Source:
    """Where the weights come from: a fresh seeded model, or a model trained on a task page."""

    key: str  # "fresh" or the task page
    model: nn.Module | None = None
    vocab: Vocab | None = None
    split_on_spaces: bool = False  # word order: tokens are case-sensitive letters split on spaces
    reverse: bool = False  # translation with reverse_source
    example: str = DEFAULT_TEXT
    arch: str = ""


def _translation_source(model: Transformer, data: TranslationData) -> Source:
    example = next((" ".join(s) for s, _ in data.pairs.get("test", []) if 5 <= len(s) <= 9), DEFAULT_TEXT)
    return Source("translation", model, data.src_vocab, reverse=data.reverse_source, example=example)


def _sentiment_source(model: TransformerEncoderModel, data: SentimentData) -> Source:
    example = next((s for s in data.texts.get("test", []) if 6 <= len(tokenize(s)) <= 16), DEFAULT_TEXT)
    return Source("sentiment", model, data.vocab, example=example)


def _word_order_source(model: TransformerEncoderModel, data: WordOrderData) -> Source:
    return Source(
        "word_order", model, Vocab.from_json(data.vocab), split_on_spaces=True, example="a A b c B d"
    )


def _source(model: nn.Module, data: TaskData) -> Source | None:
    """The source for a Transformer trained on a task page (None for any other model)."""
    if isinstance(model, Transformer) and isinstance(model.src_embed, TokenEmbedding):
        if isinstance(data, TranslationData):
            return _translation_source(model, data)
    elif isinstance(model, TransformerEncoderModel) and isinstance(model.embed, TokenEmbedding):
        if isinstance(data, SentimentData):
            return _sentiment_source(model, data)
        if isinstance(data, WordOrderData):
            return _word_order_source(model, data)
    return None


def trained_sources() -> list[Source]:
    """Transformers trained (and finished) on a task page in this session."""
    out = []
    for page in TRAINED_PAGES:
        run = training.current(page)
        if run is None or not run.usable:
            continue
        source = _source(run.model, run.spec.data)
        if source is not None:
            source.arch = run.spec.arch
            out.append(source)
    return out


def encode(source: Source, text: str) -> tuple[list[int], list[str]]:
    """Token ids the trained model reads, and their labels ("word (<unk>)" for unknown words)."""
    words = text.split() if source.split_on_spaces else tokenize(text)
    if source.reverse:
        words = words[::-1]
    assert source.vocab is not None
    ids = source.vocab.encode(words)
    names = [w if i != UNK else f"{w} ({SPECIALS[UNK]})" for w, i in zip(words, ids)]
    return ids, names


@st.cache_data(max_entries=32, show_spinner=False)
def fresh_pipeline(text: str, d_model: int, n_heads: int, seed: int, pos: str) -> dict[str, Any]:
    """The pipeline of a freshly initialised layer (deterministic in its arguments, so shared)."""
    return attention_pipeline(
        text, d_model=d_model, d_k=d_model // n_heads, n_heads=n_heads, seed=seed, pos_encoding=pos
    )


def compute(source: Source, text: str, d_model: int, n_heads: int, seed: int, pos: str) -> dict[str, Any]:
    """attention_pipeline for the chosen source (raises ValueError with a readable message)."""
    words = tokenize(text)
    if not words:
        raise ValueError(t("ins.att.empty"))
    if len(words) > MAX_TOKENS:
        raise ValueError(t("ins.att.too_long", n=MAX_TOKENS))
    if source.model is None:
        return fresh_pipeline(text, d_model, n_heads, seed, pos)
    ids, names = encode(source, text)
    if not ids:
        raise ValueError(t("ins.att.empty"))
    out = attention_pipeline(ids, model=source.model, vocab=source.vocab)
    out["tokens"] = names
    return out


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


def _settings() -> tuple[Source, int, int, int, str]:
    sb = st.sidebar
    sb.header(t("settings.header"))
    sources = {"fresh": Source("fresh")}
    sources.update({s.key: s for s in trained_sources()})
    key = sb.radio(
        t("ins.att.source"),
        list(sources),
        format_func=lambda k: t(f"ins.att.source.{k}", arch=sources[k].arch),
        key=f"{PAGE}.source",
        help=t("ins.att.source_help"),
    )
    source = sources.get(key, sources["fresh"])
    if source.model is not None:  # the trained model's own sizes; nothing to choose
        sb.caption(t("ins.att.trained_sizes"))
        return source, 0, 0, 0, ""
    d_model = sb.select_slider(
        t("field.d_model", default="d_model"),
        D_MODELS,
        value=512,
        key=f"{PAGE}.d_model",
        bind=BIND,
        help=t("ins.att.d_model_help"),
    )
    heads = [h for h in HEADS if d_model % h == 0 and d_model // h >= 2]
    n_heads = sb.select_slider(
        t("field.n_heads", default="heads"),
        heads,
        value=8 if 8 in heads else heads[-1],
        key=f"{PAGE}.n_heads",
        bind=BIND,
        help=t("ins.att.heads_help"),
    )
    pos = sb.selectbox(
        t("field.pos_encoding", default="Positional encoding"), POSITIONAL_KINDS, key=f"{PAGE}.pos", bind=BIND
    )
    seed = sb.number_input(t("field.seed", default="Seed"), 0, 2**31 - 1, 0, key=f"{PAGE}.seed", bind=BIND)
    return source, int(d_model), int(n_heads), int(seed), str(pos)


def _dims_shown(D: int) -> int:
    if D <= 64:
        return D
    return int(
        st.select_slider(
            t("ins.att.dims_shown"),
            [d for d in (32, 64, 128, 256, 512, 1024) if d <= D],
            value=64,
            key=f"{PAGE}.dims",
            help=t("ins.att.dims_help", d=D),
        )
    )


def _step(n: int, title_key: str, explain_key: str, **kw: Any) -> None:
    st.markdown(f"### {n}. {t(title_key)}")
    st.markdown(t(explain_key, **kw))


def query_table(p: dict[str, Any], head: int, q: int) -> pd.DataFrame:
    """One query's row of the computation: q.k for every key, divided by sqrt(d_k), softmax."""
    toks = p["tokens"]
    return pd.DataFrame(
        {
            t("ins.att.col.key"): toks,
            "q · k": np.round(p["scores"][head, q].numpy().astype(float), 4),
            f"÷ √{p['d_k']}": np.round(p["scaled"][head, q].numpy().astype(float), 4),
            "softmax": np.round(p["weights"][head, q].numpy().astype(float), 4),
        }
    )


def draw(p: dict[str, Any]) -> None:
    toks: list[str] = p["tokens"]
    T, D, h, d_k = len(toks), int(p["d_model"]), int(p["n_heads"]), int(p["d_k"])
    st.markdown(t("ins.att.sizes", T=T, D=D, h=h, d_k=d_k, sqrt=f"{math.sqrt(d_k):g}"))
    shown = _dims_shown(D)
    cols_shown = dims(shown)
    x_dim = t("inside.dimension")

    # 1. embeddings + positions
    _step(1, "ins.att.s1", "ins.att.s1_explain", scale=f"{p['scale']:.3g}", D=D)
    st.latex(r"X = \mathrm{Embedding}(w)\cdot\sqrt{d_{model}} + PE")
    for name, label in (
        ("scaled_embedding", t("ins.att.m.embedding")),
        ("positional", t("ins.att.m.positional")),
        ("X", "X"),
    ):
        st.markdown(f"**{label}**")
        fig = matrix(p[name][:, :shown], cols_shown, toks, name=name, x_title=x_dim, height=90 + 24 * T)
        show(fig, f"{PAGE}.fig.{name}")
    if not torch.allclose(p["attn_input"], p["X"]):
        st.markdown(f"**{t('ins.att.m.attn_input')}**")
        show(
            matrix(p["attn_input"][:, :shown], cols_shown, toks, name="attn_input", x_title=x_dim),
            f"{PAGE}.fig.attn_input",
        )

    # 2. Q, K, V for one head
    _step(2, "ins.att.s2", "ins.att.s2_explain", D=D, d_k=d_k, h=h)
    st.latex(r"Q_i = X W^Q_i,\quad K_i = X W^K_i,\quad V_i = X W^V_i")
    head = 0
    if h > 1:
        picked = st.segmented_control(
            t("ins.att.head"),
            list(range(h)),
            default=0,
            format_func=lambda i: str(i + 1),
            key=f"{PAGE}.head",
            bind=BIND,
            required=True,
        )
        head = min(int(picked or 0), h - 1)
    cols = st.columns(3)
    top = max(float(p[name][head].abs().max()) for name in ("Q", "K", "V"))  # one colour scale
    for col, name in zip(cols, ("Q", "K", "V")):
        with col:
            st.markdown(f"**{name}{subscript(head + 1)}** ({T} × {d_k})")
            fig = matrix(
                p[name][head], dims(d_k), toks, name=name, x_title=x_dim, height=110 + 24 * T,
                zmin=-top, zmax=top,
            )  # fmt: skip
            if name != "V":
                fig.update_traces(showscale=False)
            show(fig, f"{PAGE}.fig.{name}")
    with st.expander(t("ins.att.weights_expander", d=D, d_k=d_k)):
        st.caption(t("ins.att.weights_caption"))
        wcols = st.columns(3)
        for col, name in zip(wcols, ("W_Q", "W_K", "W_V")):
            with col:
                st.markdown(f"**{name}** (head {head + 1})")
                W = p[name][head][:shown].t()  # (d_k, shown)
                show(matrix(W, cols_shown, dims(d_k), name=name, height=320), f"{PAGE}.fig.{name}")

    # 3. scores -> scaled -> softmax
    _step(3, "ins.att.s3", "ins.att.s3_explain", d_k=d_k, sqrt=f"{math.sqrt(d_k):g}")
    st.latex(
        r"\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V,"
        rf"\qquad \sqrt{{d_k}}=\sqrt{{{d_k}}}={math.sqrt(d_k):.4g}"
    )
    half, values = charts.values_fit(T, charts.HALF_WIDTH), charts.values_fit(T)  # too small: no numbers
    keys_t, queries_t = t("attn.keys"), t("attn.queries")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**Q{subscript(head + 1)} K{subscript(head + 1)}ᵀ** ({T} × {T})")
        show(
            matrix(p["scores"][head], toks, toks, name="scores", show_values=half, x_title=keys_t),
            f"{PAGE}.fig.scores",
        )
    with c2:
        st.markdown(f"**÷ √{d_k} = ÷ {math.sqrt(d_k):.4g}**")
        show(
            matrix(p["scaled"][head], toks, toks, name="scaled", show_values=half, x_title=keys_t),
            f"{PAGE}.fig.scaled",
        )
    st.markdown(f"**softmax** → {t('ins.att.m.weights')}")
    show(
        matrix(
            p["weights"][head], toks, toks, name="weights", diverging=False, zmin=0.0, zmax=1.0,
            show_values=values, x_title=keys_t, y_title=queries_t, hover=t("ins.common.weight"),
            height=140 + 30 * T,
        ),
        f"{PAGE}.fig.weights",
        export=f"attention-head-{head + 1}",
    )  # fmt: skip
    q = st.selectbox(
        t("ins.att.follow"),
        list(range(T)),
        format_func=lambda i: f"{i}: {toks[i]}" if i < T else str(i),
        key=f"{PAGE}.query.{zlib.crc32(' '.join(toks).encode())}",  # a new sentence, a new list
    )
    q = min(int(q or 0), T - 1)
    st.caption(t("ins.att.follow_caption", token=toks[q]))
    st.dataframe(query_table(p, head, q), hide_index=True, width="stretch")

    # 4. Z = weights V
    _step(4, "ins.att.s4", "ins.att.s4_explain", d_k=d_k)
    show(
        matrix(p["Z"][head], dims(d_k), toks, name="Z", x_title=x_dim, height=110 + 24 * T),
        f"{PAGE}.fig.Z",
    )

    # 5. every head, concat, W_O
    _step(5, "ins.att.s5", "ins.att.s5_explain", h=h, d_k=d_k, D=D)
    st.latex(r"\mathrm{MultiHead}(X) = \mathrm{Concat}(Z_1,\dots,Z_h)\,W^O")
    grid = charts.head_grid(
        [p["weights"][i].tolist() for i in range(h)],
        toks,
        toks,
        titles=[t("inside.head_n", n=i + 1) for i in range(h)],
        cols=min(4, h),
    )
    grid.update_traces(hovertemplate="%{z:.4f}<extra></extra>")
    grid.update_layout(height=400 * math.ceil(h / min(4, h)))  # room for the angled word labels
    show(grid, f"{PAGE}.fig.heads", export="attention-all-heads")
    st.markdown(f"**Concat(Z₁, …, Z{subscript(h)})** ({T} × {D})")
    fig = matrix(p["concat"][:, :shown], cols_shown, toks, name="concat", x_title=x_dim, height=90 + 24 * T)
    for i in range(1, h):
        if i * d_k < shown:
            fig.add_vline(x=i * d_k - 0.5, line_width=1, line_color="#444")
    show(fig, f"{PAGE}.fig.concat")
    with st.expander(t("ins.att.wo_expander", D=D)):
        show(
            matrix(p["W_O"][:shown, :shown], cols_shown, cols_shown, name="W_O", height=420),
            f"{PAGE}.fig.W_O",
        )
    st.markdown(f"**{t('ins.att.m.output')}** ({T} × {D})")
    show(
        matrix(p["output"][:, :shown], cols_shown, toks, name="output", x_title=x_dim, height=90 + 24 * T),
        f"{PAGE}.fig.output",
    )
    st.caption(t("ins.att.after"))
    draw_block(p, q, shown)


# ---------------------------------------------------------------------------------------------
# The rest of the layer: Add & Norm, the position-wise FFN, Add & Norm
# ---------------------------------------------------------------------------------------------

NORM_DIMS = 8  # dimensions of one token listed in the LayerNorm table


def layer_norm_table(parts: dict[str, Any], q: int, n: int = NORM_DIMS) -> pd.DataFrame:
    """One token's LayerNorm, dimension by dimension: v, v - mean, / sqrt(var + eps), times gamma plus beta."""
    v = parts["v"][q]
    n = min(n, v.numel())
    columns = {
        "v": v[:n],
        "v − μ": v[:n] - parts["mean"][q],
        "v̂ = (v − μ) ÷ √(σ² + ε)": parts["hat"][q, :n],
        "γ": parts["gamma"][:n],
        "β": parts["beta"][:n],
        "γ · v̂ + β": parts["out"][q, :n],
    }
    table = {name: np.round(c.numpy().astype(float), 4) for name, c in columns.items()}
    return pd.DataFrame({t("ins.block.col.dim"): list(range(n)), **table})


def _norm_numbers(parts: dict[str, Any], q: int, token: str, D: int) -> None:
    """Mean and variance of one token's row, its LayerNorm dimension by dimension, and the check."""
    mean, var = float(parts["mean"][q]), float(parts["var"][q])
    hat = parts["hat"][q]
    c1, c2, c3 = st.columns(3)
    c1.metric(t("ins.block.mean", token=token), f"{mean:.4f}")
    c2.metric(t("ins.block.var", token=token), f"{var:.4f}")
    c3.metric("√(σ² + ε)", f"{math.sqrt(var + parts['eps']):.4f}")
    st.caption(
        t(
            "ins.block.norm_check",
            n=min(NORM_DIMS, D),
            D=D,
            mean=f"{float(hat.mean()):.4f}",
            var=f"{float(hat.var(unbiased=False)):.4f}",
        )
    )
    st.dataframe(layer_norm_table(parts, q), hide_index=True, width="stretch")


def draw_block(p: dict[str, Any], q: int, shown: int) -> None:
    """Steps 6-9: x + attention, LayerNorm, the FFN with its shapes, the second Add & Norm."""
    b = p["block"]
    toks: list[str] = p["tokens"]
    T, D, d_ff = len(toks), int(p["d_model"]), int(p["d_ff"])
    pre = p["norm"] == "pre"
    cols_shown, x_dim = dims(shown), t("inside.dimension")
    token = toks[q]
    height = 90 + 24 * T

    def rows(name: str, z: Any, n: int | None = None) -> None:
        n = n or shown
        show(matrix(z[:, :n], dims(n), toks, name=name, x_title=x_dim, height=height), f"{PAGE}.fig.{name}")

    st.divider()
    st.markdown(f"## {t('ins.block.title')}")
    st.markdown(t("ins.block.pre_intro" if pre else "ins.block.post_intro"))

    # 6. the residual sum
    _step(6, "ins.block.s6", "ins.block.s6_explain_pre" if pre else "ins.block.s6_explain", T=T, D=D)
    st.latex(
        r"x' = x + \mathrm{MultiHead}(\mathrm{LayerNorm}(x))" if pre else r"x' = x + \mathrm{MultiHead}(x)"
    )
    st.markdown(f"**x + {t('ins.att.m.output')}** ({T} × {D})")
    rows("sum1", b["sum1"])

    # 7. LayerNorm of it, one token in numbers
    ln = p["ln_sum1"]
    _step(7, "ins.block.s7", "ins.block.s7_explain_pre" if pre else "ins.block.s7_explain", D=D, token=token)
    st.latex(
        r"\mathrm{LayerNorm}(v) = \gamma \odot \frac{v - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta,\quad"
        r"\mu = \tfrac{1}{d}\textstyle\sum_i v_i,\quad \sigma^2 = \tfrac{1}{d}\textstyle\sum_i (v_i - \mu)^2"
    )
    _norm_numbers(ln, q, token, D)
    st.markdown(f"**LayerNorm(x + {t('ins.att.m.output')})** ({T} × {D})")
    rows("ln1", ln["out"])

    # 8. the position-wise FFN
    relu_zero = int((b["hidden"] == 0).sum())
    _step(
        8,
        "ins.block.s8",
        "ins.block.s8_explain",
        T=T,
        D=D,
        d_ff=d_ff,
        zeros=f"{relu_zero:,}",
        total=f"{T * d_ff:,}",
        share=f"{100 * relu_zero / max(1, T * d_ff):.0f}",
    )
    st.latex(r"\mathrm{FFN}(x) = \max(0,\; x W_1 + b_1)\, W_2 + b_2")
    st.markdown(t("ins.block.shapes", T=T, D=D, d_ff=d_ff))
    inner = min(d_ff, max(shown, 64))
    st.markdown(f"**max(0, x W₁ + b₁)** ({T} × {d_ff})")
    show(
        matrix(b["hidden"][:, :inner], dims(inner), toks, name="ffn_hidden", x_title=x_dim, height=height),
        f"{PAGE}.fig.ffn_hidden",
    )
    if inner < d_ff:
        st.caption(t("ins.block.inner_shown", n=inner, d_ff=d_ff))
    st.markdown(f"**FFN = max(0, x W₁ + b₁) W₂ + b₂** ({T} × {D})")
    rows("ffn", b["ffn"])
    with st.expander(t("ins.block.weights_expander", D=D, d_ff=d_ff)):
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(f"**W₁** ({D} × {d_ff})")
            show(
                matrix(p["W_1"][:shown, :inner], dims(inner), cols_shown, name="W_1", height=360),
                f"{PAGE}.fig.W_1",
            )
        with c2:
            st.markdown(f"**W₂** ({d_ff} × {D})")
            show(
                matrix(p["W_2"][:inner, :shown], cols_shown, dims(inner), name="W_2", height=360),
                f"{PAGE}.fig.W_2",
            )

    # 9. the second residual sum and LayerNorm
    _step(9, "ins.block.s9", "ins.block.s9_explain_pre" if pre else "ins.block.s9_explain", D=D, token=token)
    st.latex(
        r"x'' = x' + \mathrm{FFN}(\mathrm{LayerNorm}(x'))"
        if pre
        else r"x'' = \mathrm{LayerNorm}(x' + \mathrm{FFN}(x'))"
    )
    st.markdown(f"**x' + FFN** ({T} × {D})")
    rows("sum2", b["sum2"])
    if p["ln_sum2"] is not None:
        _norm_numbers(p["ln_sum2"], q, token, D)
    st.markdown(f"**{t('ins.block.output')}** ({T} × {D})")
    rows("block_output", b["output"])
    diff = float((b["output"] - p["layer_output"]).abs().max())
    st.success(t("ins.block.matches", diff=f"{diff:.1e}"), icon=":material/check_circle:")
    st.caption(t("ins.block.next"))


def attention_steps_page() -> None:
    page_header(PAGE)
    source, d_model, n_heads, seed, pos = _settings()
    text = st.text_input(
        t("ins.att.sentence"),
        value=source.example,
        key=f"{PAGE}.text.{source.key}",
        bind=BIND if source.model is None else None,
        help=t("ins.att.sentence_help"),
        max_chars=300,
    )
    if source.model is not None:
        st.info(
            t("ins.att.using_trained", arch=source.arch, page=t(f"nav.{source.key}")),
            icon=":material/school:",
        )
    with guarded():
        try:
            p = compute(source, text, d_model, n_heads, seed, pos)
        except ValueError as e:
            st.warning(str(e), icon=":material/edit:")
            return
        draw(p)
