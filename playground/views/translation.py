"""Translation views: test sentences with BLEU, quality by sentence length, your own sentence with
greedy and beam search side by side, and its attention maps (every layer and head)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import torch

from core.models.base import EOS, SOS, SPECIALS
from core.tasks.translation import TranslationData
from playground import charts, look_inside
from playground.i18n import t
from playground.settings import Chosen, PageConfig
from playground.taskpage import ModelView, TaskViews
from playground.views.common import pinned, task_data
from playground.views.streams import streams_section

CONFIG = PageConfig(
    page="translation",
    task="translation",
    icon=":material/translate:",
    order=30,
    default_arch="seq2seq-attn",
    show_if={"task.n_pairs": ("task.corpus", frozenset({"toy-en-ko"}))},
)


def preview(data: TranslationData, chosen: Chosen) -> None:
    pairs = data.pairs
    counts = {k: len(v) for k, v in pairs.items()}
    st.caption(
        t(
            "translation.preview_caption",
            train=f"{counts.get('train', 0):,}",
            val=f"{counts.get('val', 0):,}",
            test=f"{counts.get('test', 0):,}",
            src=f"{data.model_fields.get('src_vocab_size', 0):,}",
            tgt=f"{data.model_fields.get('tgt_vocab_size', 0):,}",
        )
    )
    rows = [
        {t("translation.source"): " ".join(s), t("translation.reference"): data.sentence(tg)}
        for s, tg in pairs.get("train", [])[:6]
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def results(view: ModelView) -> None:
    data = task_data(view, TranslationData)
    st.markdown(f"#### {t('translation.samples')}")
    rows = view.memo("examples", lambda: data.examples(view.model, 10))
    if rows:
        df = pd.DataFrame(
            {
                t("results.correct"): [bool(r["correct"]) for r in rows],
                t("translation.output"): [r["hypothesis"] for r in rows],  # first: never off-screen
                "BLEU": [round(r["bleu"], 1) for r in rows],
                t("translation.reference"): [r["reference"] for r in rows],
                t("translation.source"): [r["source"] for r in rows],
            }
        )
        st.dataframe(df, hide_index=True, width="stretch", column_config=pinned(t("translation.output")))
    by_len = view.memo("by_length", lambda: data.by_length(view.model, "test"))
    if by_len:
        st.markdown(f"#### {t('translation.by_length')}")
        st.caption(t("translation.by_length_caption"))
        cats = [f"{r['bucket']} ({r['n']})" for r in by_len]
        c1, c2 = st.columns(2)
        c1.plotly_chart(
            charts.bars(
                cats,
                {t("metric.exact_match"): [100 * float(r["exact_match"]) for r in by_len]},
                y_title="%",
                x_title=t("translation.src_words"),
                y_range=(0, 100),
                colors={t("metric.exact_match"): charts.PALETTE["model"]},
            ),
            key=f"{view.page}._bylen_em",
        )
        c2.plotly_chart(
            charts.bars(
                cats,
                {"BLEU": [float(r["bleu"]) for r in by_len]},
                y_title="BLEU",
                x_title=t("translation.src_words"),
                y_range=(0, 100),
                colors={"BLEU": charts.PALETTE["val"]},
            ),
            key=f"{view.page}._bylen_bleu",
        )


def _default_sentence(data: TranslationData) -> str:
    for split in ("test", "val", "train"):
        for s, _ in data.pairs.get(split, []):
            if 5 <= len(s) <= 9:
                return " ".join(s)
    return t("translation.default_sentence")


def _full_attention(view: ModelView, data: TranslationData, result: dict) -> tuple[dict, dict] | None:
    """Every attention map of the model on the user's sentence, teacher-forced on its own output."""
    src = data.src_vocab.encode(result["src_tokens"])
    tgt = data.tgt_vocab.encode(result["tokens"])
    batch = {
        "src": torch.tensor([src], dtype=torch.long),
        "src_mask": torch.ones(1, len(src), dtype=torch.bool),
        "tgt_in": torch.tensor([[SOS, *tgt]], dtype=torch.long),
        "tgt_out": torch.tensor([[*tgt, EOS]], dtype=torch.long),
    }
    out = look_inside.run_recorded(view.model, batch)
    if not out.attention:
        return None
    tokens = {"src": list(result["src_tokens"]), "tgt": [*result["tokens"], SPECIALS[EOS]]}
    return look_inside.first_example(out.attention), tokens


def try_it(view: ModelView) -> None:
    data = task_data(view, TranslationData)
    text = st.text_input(
        t("translation.your_sentence"), value=_default_sentence(data), key=f"{view.page}._sentence"
    )
    c1, c2 = st.columns(2)
    width = c1.slider(t("translation.beam_width"), 2, 10, 4, key=f"{view.page}._beam")
    alpha = c2.slider(
        t("translation.length_penalty"),
        0.0,
        2.0,
        0.6,
        step=0.1,
        key=f"{view.page}._alpha",
        help=t("translation.lp_help"),
    )
    greedy = data.predict(view.model, [text], beam_width=1)[0]
    beam = data.predict(view.model, [text], beam_width=width, length_penalty=alpha)[0]
    g, b = st.columns(2)
    with g:
        st.markdown(f"**{t('translation.greedy')}**")
        st.markdown(f"### {greedy['translation'] or '∅'}")
    with b:
        st.markdown(f"**{t('translation.beam', k=width)}**")
        st.markdown(f"### {beam['translation'] or '∅'}")
        beams = beam.get("beams") or []
        if beams:
            st.table(  # a static table wraps long hypotheses instead of cutting them off
                pd.DataFrame(
                    {
                        t("translation.hypothesis"): [data.sentence(h["tokens"]) for h in beams],
                        t("translation.score"): [round(h["score"], 3) for h in beams],
                    }
                ),
                hide_index=True,
            )
    if greedy.get("unknown"):
        st.caption(t("translation.unknown", words=", ".join(greedy["unknown"])))
    if greedy.get("dropped"):
        st.caption(t("translation.dropped", words=" ".join(greedy["dropped"])))
    if greedy.get("truncated"):
        st.caption(t("translation.truncated"))
    if data.reverse_source:
        st.caption(t("translation.reversed"))
    if greedy.get("attention"):
        st.markdown(f"#### {t('translation.alignment')}")
        st.caption(t("translation.alignment_caption"))
        st.plotly_chart(
            charts.heatmap(
                greedy["attention"],
                greedy["src_tokens"],
                greedy["tokens"],
                x_title=t("attn.cross.keys"),
                y_title=t("attn.cross.queries"),
                zmin=0.0,
                zmax=1.0,
            ),
            key=f"{view.page}._align",
        )
    else:
        st.info(t("translation.no_attention"))
    streams_section(data, greedy, f"{view.page}._streams")
    full = _full_attention(view, data, greedy)
    if full is not None and any(k in full[0] for k in ("enc_self", "dec_self")):
        st.markdown(f"#### {t('translation.all_maps')}")
        st.caption(t("translation.all_maps_caption"))
        look_inside.attention_explorer(full[0], full[1], f"{view.page}._try")
    if data.corpus == "toy-en-ko":
        with st.expander(t("translation.lexicon")):
            from core.tasks.grammar import lexicon_table

            st.dataframe(pd.DataFrame(lexicon_table()), hide_index=True, width="stretch")


VIEWS = TaskViews(
    metrics=("exact_match", "bleu"),
    vs="word-for-word dictionary",
    results=results,
    try_it=try_it,
    preview=preview,
    concepts=("many_to_many", "seq2seq", "attention", "transformer", "multihead", "positional", "beam"),
)
