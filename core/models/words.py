"""Two ways a text model reads words besides its recurrent or attention layers.

Pretrained vectors    the embedding table may start from word vectors of another size P (GloVe:
                      50); a Linear(P, E) then maps each vector to the model's size E.
Bag of n-grams        a linear model over the words and word pairs of the text, added to the
                      logits ("wide" path, as in fastText or Wide & Deep): it votes on words
                      like "masterpiece" or pairs like "not funny" wherever they stand, while
                      the recurrent path reads the order.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from core.config import param
from core.models.base import PAD, UNK

# The n-gram weights are multiplied by this in the forward pass. With Adam every weight moves
# about lr per step whatever its gradient's size, so the scale makes the wide path learn 10x
# faster than the deep one, as a logistic regression on these features would need.
NGRAM_SCALE = 10.0


class BagOfNgrams(nn.Module):
    """logits_wide = NGRAM_SCALE * sum_g W[g] / sqrt(#g): one learned vote per class for each n-gram.

    ``grams`` (B, G) long ids of the text's words and word pairs, 0 = padding; W starts at 0, so
    the path adds nothing until it has learned something.
    """

    def __init__(self, n_grams: int, n_out: int):
        super().__init__()
        self.W = nn.Embedding(n_grams + 1, n_out, padding_idx=PAD)
        nn.init.zeros_(self.W.weight)

    def forward(self, grams: Tensor) -> Tensor:
        m = (grams != PAD).unsqueeze(-1).to(self.W.weight.dtype)  # (B, G, 1)
        votes = (self.W(grams) * m).sum(dim=1)  # (B, n_out)
        return NGRAM_SCALE * votes / m.sum(dim=1).clamp(min=1.0).sqrt()


def vectors_dim_param(model_dim: str) -> Any:
    """The config field ``vectors_dim`` (filled from the data) of a model whose embedding size is ``model_dim``."""
    return param(
        0,
        lo=0,
        hi=1024,
        data=True,
        help="Size of the pretrained word vectors the embedding starts from (from the data); "
        f"0 = a random embedding of {model_dim}.",
    )


def n_grams_param() -> Any:
    """The config field ``n_grams`` (filled from the data): the size of the bag-of-n-grams path."""
    return param(
        0,
        lo=0,
        hi=10_000_000,
        data=True,
        help="Words and word pairs known to the bag-of-n-grams path (from the data); 0 = no such path.",
    )


def drop_words(ids: Tensor, p: float) -> Tensor:
    """Word dropout: each real token id (not padding) becomes UNK with probability ``p``."""
    hit = (torch.rand(ids.shape, device=ids.device) < p) & (ids != PAD)
    return ids.masked_fill(hit, UNK)


def vectors_projection(vectors_dim: int, dim: int) -> nn.Linear | None:
    """Linear(P, E) from pretrained vectors of size P to the model's size E (None when equal or unused)."""
    if vectors_dim and vectors_dim != dim:
        return nn.Linear(vectors_dim, dim)
    return None


def word_table(model: nn.Module) -> nn.Parameter | None:
    """The model's word-embedding table (V, P), or None when its inputs are numbers, not words."""
    fn = getattr(model, "word_table", None)
    return fn() if callable(fn) else None


@torch.no_grad()
def load_vectors(model: nn.Module, table: Tensor, found: Tensor) -> int:
    """Copy pretrained rows into the model's word table where ``found``; returns how many rows."""
    W = word_table(model)
    if W is None:
        raise ValueError("this model has no word embedding to start from pretrained vectors")
    if W.shape != table.shape:
        raise ValueError(f"the word table is {tuple(W.shape)}, the vectors are {tuple(table.shape)}")
    W[found] = table[found].to(W.dtype)
    return int(found.sum())
