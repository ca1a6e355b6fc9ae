"""Word-level tokenisation and vocabularies with the special tokens <pad> <sos> <eos> <unk>.

Word level on purpose: the app shows tokens on the axes of attention maps, and whole words are
what a learner expects to see there.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

import torch

from core.models.base import EOS, PAD, SOS, SPECIALS, UNK

_WORD = re.compile(r"[\w']+|[^\w\s]", re.UNICODE)
# GloVe's corpus was split like the Penn Treebank: "doesn't" -> "does" "n't", "it's" -> "it" "'s",
# "u.s." and "after-effects" stay whole, "--" and "..." are one token each.
_GLOVE = re.compile(
    r"\w+(?:\.\w+)+\.?"  # abbreviations: u.s., e.g.
    r"|\w+(?:-\w+)*(?=n't\b)"  # the word before n't
    r"|n't\b|'(?:s|re|ve|ll|d|m)\b"  # contractions
    r"|\w+(?:-\w+)*"  # words, hyphenated ones whole
    r"|--|\.\.\.|[^\w\s]",
    re.UNICODE,
)
STYLES = ("words", "glove")


def tokenize(text: str, lower: bool = True, style: str = "words") -> list[str]:
    """Split text into words and punctuation marks (Unicode aware, so Korean works).

    ``style="words"`` keeps contractions whole ("it's"); ``style="glove"`` splits them as the
    GloVe vectors' corpus was split ("it" "'s"), so that they are found in the vectors.
    """
    text = unicodedata.normalize("NFC", text)
    if lower:
        text = text.lower()
    if style == "glove":
        return _GLOVE.findall(text.replace("\u2019", "'"))
    if style != "words":
        raise ValueError(f"unknown tokenizer style {style!r}; use one of {STYLES}")
    return _WORD.findall(text)


class Vocab:
    """Token <-> id mapping; ids 0..3 are the specials (PAD, SOS, EOS, UNK)."""

    def __init__(self, tokens: Iterable[str]):
        self.itos: list[str] = list(SPECIALS) + [t for t in tokens if t not in SPECIALS]
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(
        cls,
        texts: Iterable[list[str]],
        max_size: int | None = None,
        min_freq: int = 1,
        keep: Callable[[str], bool] | None = None,
    ) -> Vocab:
        """Most frequent tokens first (ties broken alphabetically, so it is deterministic).

        Tokens for which ``keep`` is true get an id even when rarer than ``min_freq`` (words that
        pretrained vectors already know).
        """
        counts = Counter(t for toks in texts for t in toks)
        items = sorted(
            ((t, c) for t, c in counts.items() if c >= min_freq or (keep is not None and keep(t))),
            key=lambda tc: (-tc[1], tc[0]),
        )
        if max_size is not None:
            items = items[: max(0, max_size - len(SPECIALS))]
        return cls(t for t, _ in items)

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: list[str], *, sos: bool = False, eos: bool = False) -> list[int]:
        ids = [self.stoi.get(t, UNK) for t in tokens]
        return ([SOS] if sos else []) + ids + ([EOS] if eos else [])

    def decode(self, ids: Iterable[int], *, strip: bool = True) -> list[str]:
        """Ids -> tokens; with ``strip`` stops at EOS and drops PAD/SOS."""
        out = []
        for i in ids:
            i = int(i)
            if strip and i == EOS:
                break
            if strip and i in (PAD, SOS):
                continue
            out.append(self.itos[i] if 0 <= i < len(self.itos) else SPECIALS[UNK])
        return out

    def unknown(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t not in self.stoi]

    def to_json(self) -> list[str]:
        return list(self.itos)

    @classmethod
    def from_json(cls, itos: list[str]) -> Vocab:
        if list(itos[: len(SPECIALS)]) != list(SPECIALS):
            raise ValueError("vocabulary does not start with the special tokens")
        return cls(itos[len(SPECIALS) :])


def pad_batch(seqs: list[list[int]], max_len: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad id lists to one length (truncating to ``max_len``): ids (N, T) and mask (N, T)."""
    if max_len is not None:
        seqs = [s[:max_len] for s in seqs]
    T = max(1, max((len(s) for s in seqs), default=1))
    ids = torch.tensor([list(s) + [PAD] * (T - len(s)) for s in seqs], dtype=torch.long).reshape(len(seqs), T)
    return ids, ids != PAD
