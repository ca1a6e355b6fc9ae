"""Decoding lab: how a trained translation model turns its next-word probabilities into a
sentence. Greedy decoding takes the most probable word at every step; beam search (GNMT, Wu et
al. 2016, Sec. 7) keeps the k best partial sentences and ranks the finished ones by
log P(Y|X) / lp(Y), lp(Y) = ((5 + |Y|) / 6)^alpha. The beams with their scores and the attention
map of the chosen one; and, when the model was trained with snapshots, the alignment forming
epoch by epoch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from torch import nn

from core.checkpoint import bundle, config_json
from core.decode import beam_search, gnmt_length_penalty
from core.events import Snapshot
from core.models.base import EOS, SPECIALS
from core.race import race_specs
from core.tasks.base import DataError, model_device, to_device
from core.tasks.translation import TranslationData
from core.text import pad_batch
from playground import training
from playground.errors import guarded
from playground.i18n import t
from playground.insights import experiment_view, experiments, timeline
from playground.insights.common import BIND, matrix, page_header, show

PAGE = "decoding"
TASK = "translation"
ARCHS = ("seq2seq-attn", "transformer")
DEFAULT_TEXT = "the cat eats the fish"


@dataclass
class Choice:
    """A translation model the lab can decode with."""

    key: str  # "page" (trained on the translation page), "file" (loaded there), "lab" (trained here)
    model: nn.Module
    data: TranslationData
    arch: str
    snapshots: list[Snapshot]
    spec: Any = None  # RunSpec, when known (for the download)
    metrics: dict[str, Any] | None = None


def choices() -> dict[str, Choice]:
    out: dict[str, Choice] = {}
    run = training.current("translation")
    if run is not None and run.usable and isinstance(run.spec.data, TranslationData):
        out["page"] = Choice("page", run.model, run.spec.data, run.spec.arch, run.snapshots, run.spec)
    loaded = st.session_state.get("translation.loaded")
    if loaded and isinstance(loaded[1].data, TranslationData):
        lo = loaded[1]
        out["file"] = Choice("file", lo.model, lo.data, lo.arch, [])
    job = experiments.current(PAGE)
    if job is not None and job.done and job.lanes and isinstance(job.lanes[0].spec.data, TranslationData):
        lane = job.lanes[0]
        fin = job.finished(lane.name)
        if fin is not None and fin.step > 0:
            out["lab"] = Choice(
                "lab", lane.model, lane.spec.data, lane.spec.arch, job.snapshots(lane.name), lane.spec,
                {"test": fin.test, "reason": fin.reason, "train_seconds": fin.elapsed_s},
            )  # fmt: skip
    return out


def decode(
    choice: Choice, text: str, beam_width: int, alpha: float
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """(encoded input, beams best first, greedy) for one sentence.

    The input is encoded as the task's own ``predict`` does (unknown words -> <unk>, reversed when
    the model was trained on reversed sources); greedy is beam search with one beam, whose score
    uses the same length penalty, so the two rows of the comparison are on one scale.
    """
    data = choice.data
    first = data.predict(choice.model, [text], beam_width=1)[0]  # raises DataError for empty input
    src_tokens = list(first["src_tokens"])
    ids = data.src_vocab.encode(src_tokens)
    src, src_mask = pad_batch([ids])
    batch = to_device({"src": src, "src_mask": src_mask}, model_device(choice.model))
    max_len = max(2, int(data.model_fields["max_len"]) - 1)
    beams = beam_search(choice.model, batch, beam_width, max_len, alpha)[0]
    greedy = beam_search(choice.model, batch, 1, max_len, alpha)[0][0]
    return {**first, "src_tokens": src_tokens}, beams, greedy


def words(data: TranslationData, tokens: list[int]) -> list[str]:
    """Output token ids -> words, with a visible </s> when the hypothesis ended with EOS."""
    out = data.tgt_vocab.decode(tokens)
    if tokens and tokens[-1] == EOS:
        out = [*out, SPECIALS[EOS]]
    return out


def beam_table(data: TranslationData, beams: list[dict[str, Any]], alpha: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "#": list(range(1, len(beams) + 1)),
            t("ins.dec.col.hyp"): [data.sentence(data.tgt_vocab.decode(b["tokens"])) or "∅" for b in beams],
            "|Y|": [len(b["tokens"]) for b in beams],
            "log P(Y|X)": [round(float(b["logprob"]), 4) for b in beams],
            f"lp(Y), α={alpha:g}": [round(gnmt_length_penalty(len(b["tokens"]), alpha), 4) for b in beams],
            t("ins.dec.col.score"): [round(float(b["score"]), 4) for b in beams],
        }
    )


# ---------------------------------------------------------------------------------------------
# Training a small model here
# ---------------------------------------------------------------------------------------------


def _train_settings() -> dict[str, Any]:
    sb = st.sidebar
    sb.header(t("ins.dec.train_header"))
    return {
        "arch": sb.selectbox(t("settings.arch"), ARCHS, key=f"{PAGE}.arch", bind=BIND),
        "n_pairs": int(
            sb.select_slider(
                t("field.n_pairs", default="Sentence pairs"), [500, 1000, 1500, 2000, 4000, 8000], value=1500,
                key=f"{PAGE}.n_pairs", bind=BIND, help=t("ins.dec.n_pairs_help"),
            )
        ),
        "epochs": int(sb.slider(t("field.epochs", default="Epochs"), 1, 20, 6, key=f"{PAGE}.epochs", bind=BIND)),
        "budget": float(
            sb.select_slider(
                t("ins.common.budget"), [10, 20, 30, 60, 120, 300], value=120, key=f"{PAGE}.budget", bind=BIND,
                help=t("ins.common.budget_help"),
            )
        ),
        "seed": int(sb.number_input(t("field.seed", default="Seed"), 0, 2**31 - 1, 0, key=f"{PAGE}.seed", bind=BIND)),
    }  # fmt: skip


def start_training(s: dict[str, Any]) -> experiments.Job:
    settings = {
        "task.n_pairs": s["n_pairs"],
        "train.epochs": experiments.capped_epochs(s["epochs"]),
        "train.snapshots": True,
    }
    budget = experiments.capped_seconds(s["budget"])

    lanes = race_specs(TASK, [s["arch"]], settings, budget_seconds=budget, seed=s["seed"])
    return experiments.start(PAGE, TASK, s, lanes)


def _draw_training(job: experiments.Job) -> None:
    experiment_view.curves(job, f"{PAGE}.train")
    experiment_view.table(job, f"{PAGE}.train")


def _download(choice: Choice) -> None:
    """The lab's model as the same zip the translation page saves (loadable there and in the CLI)."""
    if choice.key != "lab" or choice.spec is None:
        return

    def make() -> bytes:
        spec = choice.spec
        m = choice.metrics or {}
        metrics = {
            "task": TASK,
            "arch": choice.arch,
            "params": sum(p.numel() for p in choice.model.parameters()),
            "train_seconds": m.get("train_seconds"),
            "reason": m.get("reason"),
            "primary": {"name": "exact_match", "value": (m.get("test") or {}).get("exact_match")},
            "test": m.get("test") or {},
        }
        train = dataclasses.replace(spec.train_cfg, snapshots=False)
        spec_json = {**spec.to_json(), "train": dataclasses.asdict(train)}
        return bundle(choice.model, config_json(spec_json, choice.data.state(), metrics))

    st.download_button(
        t("model.download"),
        data=make,
        file_name=f"sequence-lab-translation-{choice.arch}.zip",
        mime="application/zip",
        key=f"{PAGE}._download",
        icon=":material/download:",
    )


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def _pick_model(models: dict[str, Choice]) -> Choice | None:
    if not models:
        return None
    keys = list(models)
    key = st.radio(
        t("ins.dec.model"),
        keys,
        index=len(keys) - 1,
        format_func=lambda k: t(f"ins.dec.model.{k}", arch=models[k].arch),
        horizontal=True,
        key=f"{PAGE}.model",
    )
    return models.get(key or keys[-1])


def _lab(choice: Choice) -> None:
    text = st.text_input(
        t("translation.your_sentence"), value=DEFAULT_TEXT, key=f"{PAGE}.text", bind=BIND, max_chars=300
    )
    c1, c2 = st.columns(2)
    width = int(c1.slider(t("translation.beam_width"), 1, 10, 4, key=f"{PAGE}.beam", bind=BIND))
    alpha = float(
        c2.slider(
            t("translation.length_penalty"), 0.0, 2.0, 0.6, step=0.1, key=f"{PAGE}.alpha", bind=BIND,
            help=t("ins.dec.alpha_help"),
        )
    )  # fmt: skip
    try:
        first, beams, greedy = decode(choice, text, width, alpha)
    except DataError as e:
        st.warning(str(e), icon=":material/edit:")
        return
    data = choice.data
    if first.get("unknown"):
        st.caption(t("translation.unknown", words=", ".join(first["unknown"])))
    g, b = st.columns(2)
    with g:
        st.markdown(f"**{t('translation.greedy')}**")
        st.markdown(f"### {data.sentence(data.tgt_vocab.decode(greedy['tokens'])) or '∅'}")
        st.caption(t("ins.dec.scored", logp=f"{greedy['logprob']:.3f}", score=f"{greedy['score']:.3f}"))
    with b:
        best = beams[0] if beams else greedy
        st.markdown(f"**{t('translation.beam', k=width)}**")
        st.markdown(f"### {data.sentence(data.tgt_vocab.decode(best['tokens'])) or '∅'}")
        st.caption(t("ins.dec.scored", logp=f"{best['logprob']:.3f}", score=f"{best['score']:.3f}"))
    if beams and beams[0]["tokens"] != greedy["tokens"]:
        better = beams[0]["score"] >= greedy["score"]
        st.info(t("ins.dec.differ" if better else "ins.dec.differ_worse"), icon=":material/compare_arrows:")
    else:
        st.caption(t("ins.dec.same"))

    st.markdown(f"#### {t('ins.dec.beams')}")
    st.caption(t("ins.dec.beams_caption"))
    st.table(beam_table(data, beams, alpha), hide_index=True)  # wraps: every hypothesis in full

    st.markdown(f"#### {t('ins.dec.attention')}")
    options = ["greedy", *range(len(beams))]
    pick = st.radio(
        t("ins.dec.which"),
        options,
        index=1 if beams else 0,
        format_func=lambda o: t("translation.greedy") if o == "greedy" else t("ins.dec.beam_n", n=int(o) + 1),
        horizontal=True,
        key=f"{PAGE}.pick",
    )
    hyp = greedy if pick == "greedy" else beams[int(pick)]
    attn = hyp.get("attention")
    if attn is None:
        st.info(t("translation.no_attention"))
    else:
        ys = words(data, hyp["tokens"])
        z = attn[: len(ys), : len(first["src_tokens"])]
        fig = matrix(
            z, first["src_tokens"], ys, name="beam_attention", diverging=False, zmin=0.0, zmax=1.0,
            x_title=t("attn.cross.keys"), y_title=t("attn.cross.queries"), hover=t("ins.common.weight"),
            show_values=len(ys) * len(first["src_tokens"]) <= 200,
        )  # fmt: skip
        st.caption(t("ins.dec.attention_caption", arch=choice.arch))
        show(fig, f"{PAGE}.fig.attn", export=f"attention-{choice.arch}")
    if data.reverse_source:
        st.caption(t("translation.reversed"))


def decoding_page() -> None:
    page_header(PAGE)
    s = _train_settings()
    with st.container(border=True):
        st.markdown(f"**{t('ins.dec.train_title')}**")
        st.caption(t("ins.dec.train_caption"))
        experiment_view.controls(PAGE, lambda: start_training(s), label_key="ins.dec.train")
        models = choices()  # after the controls: a run that just ended in this script run counts
        job = experiments.current(PAGE)
        if job is not None and (job.running or not models.get("lab")):
            experiment_view.follow(PAGE, _draw_training)
        elif job is not None:
            experiment_view.status(job)
            with st.expander(t("ins.dec.training_curves")):
                _draw_training(job)
    choice = _pick_model(models)
    if choice is None:
        st.info(t("ins.dec.no_model"), icon=":material/model_training:")
        return
    with guarded():
        _lab(choice)
    if choice.snapshots:
        st.markdown(f"#### {t('ins.dec.forming')}")
        st.caption(t("ins.dec.forming_caption"))
        with guarded():
            timeline.attention_timeline(choice.snapshots, f"{PAGE}.tl.{choice.key}", name="cross")
    with guarded():
        _download(choice)
