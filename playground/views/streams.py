"""GNMT's three streams for one sentence: what the encoder reads, what the decoder reads, what the
decoder must write. The tokens are read back from the very id tensors a training batch holds
(core.tasks.translation.encode_pairs), so the table shows the shift the model is trained with."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.models.base import PAD
from core.tasks.translation import TranslationData, encode_pairs
from playground.i18n import t

STREAMS = ("src", "tgt_in", "tgt_out")  # encoder input, decoder input, decoder output


@dataclass
class Streams:
    """The three token rows of one pair, as the model gets them (padding left out)."""

    src: list[str]
    tgt_in: list[str]
    tgt_out: list[str]

    def rows(self) -> dict[str, list[str]]:
        return {name: getattr(self, name) for name in STREAMS}


def streams_of(data: TranslationData, source: list[str], target: list[str]) -> Streams:
    """Encode (source words, target words) exactly as a training batch does and read the ids back."""
    batch = encode_pairs([(source, target)], data.src_vocab, data.tgt_vocab, data.reverse_source)

    def words(name: str, itos: list[str]) -> list[str]:
        return [itos[i] for i in batch[name][0].tolist() if i != PAD]

    src_itos, tgt_itos = data.src_vocab.itos, data.tgt_vocab.itos
    return Streams(words("src", src_itos), words("tgt_in", tgt_itos), words("tgt_out", tgt_itos))


def streams_table(s: Streams) -> pd.DataFrame:
    """One row per stream, one column per position (empty where a stream has ended)."""
    rows = s.rows()
    n = max(len(r) for r in rows.values())
    return pd.DataFrame(
        [[*r, *[""] * (n - len(r))] for r in rows.values()],
        index=[t(f"translation.streams.{name}") for name in rows],
        columns=[str(i + 1) for i in range(n)],
    )


def _test_pair(data: TranslationData) -> tuple[list[str], list[str]] | None:
    for split in ("test", "val", "train"):
        for s, tg in data.pairs.get(split, []):
            if 4 <= len(s) <= 9:
                return list(s), list(tg)
    return None


def streams_section(data: TranslationData, own: dict | None, key: str) -> None:
    """The three streams for the learner's sentence (decoder fed its own words) or a test pair."""
    st.markdown(f"#### {t('translation.streams.title')}")
    pair = _test_pair(data)
    choices = [c for c, ok in (("own", own is not None), ("test", pair is not None)) if ok]
    if not choices:
        return
    which = st.radio(
        t("translation.streams.which"),
        choices,
        format_func=lambda c: t(f"translation.streams.{c}"),
        horizontal=True,
        key=f"{key}.which",
    )
    if which == "own" and own is not None:
        fed = list(own.get("src_tokens") or [])  # the words the encoder read (<unk> for unknown ones)
        source = fed[::-1] if data.reverse_source else fed  # encode_pairs reverses them again
        s = streams_of(data, source, list(own.get("tokens") or []))
        st.caption(t("translation.streams.own_caption"))
    else:
        assert pair is not None
        s = streams_of(data, *pair)
        st.caption(t("translation.streams.test_caption"))
    st.table(streams_table(s))
    st.caption(t("translation.streams.shift", n=len(s.tgt_in)))
    if data.reverse_source:
        st.caption(t("translation.reversed"))
