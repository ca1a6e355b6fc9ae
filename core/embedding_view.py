"""What the "Word embeddings" page computes (no UI): neighbours, 2-D projections, the starting table.

An embedding is a table with one row of numbers per word; a model reads a word by looking up its
row. Three tables are compared here, each as nearest neighbours (cosine similarity) and as a
2-D PCA picture of a few chosen words:

GloVe                 the pretrained vectors (:mod:`core.vectors`), 100,000 words x 50 numbers
a model, before       the table a sentiment model started its training from: rebuilt exactly
                      as the training built it (:func:`initial_table`)
a model, after        the same table after training (the model's ``word_table()``)

A picture of 50 numbers in 2 loses part of what sets the words apart: :func:`project` says how
much of the spread of the chosen rows its two axes keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from core.models.base import SPECIALS
from core.models.words import word_table
from core.vectors import Vectors, nearest_rows, pca_2d

if TYPE_CHECKING:
    from core.runspec import RunSpec

DEFAULT_WORDS = (
    "good", "great", "excellent", "bad", "awful", "terrible",
    "movie", "film", "actor", "king", "queen", "man", "woman",
)  # fmt: skip
PAIR = ("good", "bad")  # near in GloVe (same contexts), opposite for sentiment: does training part them?
MAX_WORDS = 60  # more labels than this make the picture unreadable
N_SPECIALS = len(SPECIALS)  # ids 0..3 of every vocabulary: <pad> <sos> <eos> <unk>

_SEPARATORS = re.compile(r"[\s,;]+")


def parse_words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """Words of a comma or space separated list: lower case, in order, each once, at most ``limit``."""
    out = dict.fromkeys(w.lower() for w in _SEPARATORS.split(text or "") if w)
    return list(out)[:limit]


def variance_kept(matrix: np.ndarray) -> float:
    """Share (0..1) of the rows' spread around their mean that the first two principal axes keep."""
    X = np.asarray(matrix, dtype=np.float64)
    if X.shape[0] < 2:
        return 1.0
    X = X - X.mean(axis=0, keepdims=True)
    s = np.linalg.svd(X, compute_uv=False) ** 2
    total = float(s.sum())
    return 1.0 if total <= 0 else float(s[:2].sum() / total)


@dataclass(frozen=True)
class Projection:
    """Chosen words placed in 2-D by PCA of their rows; the words that have no row are ``skipped``."""

    words: list[str]
    xy: np.ndarray  # (N, 2)
    kept: float  # share of the spread the two axes keep (1.0 with fewer than 3 words)
    skipped: list[str] = field(default_factory=list)


def project(rows: np.ndarray, words: list[str], skipped: list[str] | None = None) -> Projection:
    """PCA of ``rows`` (N, D) to (N, 2); the axes are those of these rows alone."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] != len(words):
        raise ValueError(f"{len(words)} words need {len(words)} rows, got an array of shape {rows.shape}")
    xy = pca_2d(rows) if len(words) else np.zeros((0, 2))
    return Projection(list(words), xy, variance_kept(rows) if len(words) else 1.0, list(skipped or []))


def project_vectors(vectors: Vectors, words: list[str]) -> Projection:
    """The GloVe vectors of ``words`` in 2-D; words GloVe does not have are skipped."""
    known = [w for w in words if w in vectors]
    rows = np.stack([vectors.vector(w) for w in known]) if known else np.zeros((0, vectors.dim))
    return project(rows, known, [w for w in words if w not in vectors])


@dataclass(frozen=True)
class WordTable:
    """A model's embedding: its vocabulary (``itos``) and one row per word (V, P)."""

    itos: list[str]
    table: np.ndarray

    def __post_init__(self) -> None:
        if self.table.ndim != 2 or self.table.shape[0] != len(self.itos):
            raise ValueError(
                f"a word table of {self.table.shape} does not fit a vocabulary of {len(self.itos)}"
            )
        object.__setattr__(self, "_stoi", {w: i for i, w in enumerate(self.itos)})

    @property
    def n_words(self) -> int:
        """How many ordinary words (the special tokens not counted)."""
        return max(0, len(self.itos) - N_SPECIALS)

    def index(self, word: str) -> int | None:
        """The id of an ordinary word of the vocabulary (None for unknown words and the specials)."""
        i = self._stoi.get(word)  # type: ignore[attr-defined]
        return i if i is not None and i >= N_SPECIALS else None

    def __contains__(self, word: str) -> bool:
        return self.index(word) is not None

    def nearest(self, word: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` vocabulary words whose rows have the highest cosine with ``word``'s (itself and
        the special tokens left out); KeyError when the word is not in the vocabulary."""
        i = self.index(word)
        if i is None:
            raise KeyError(word)
        rows = np.asarray(self.table[N_SPECIALS:], dtype=np.float64)
        unit = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        return nearest_rows(unit, rows[i - N_SPECIALS], self.itos[N_SPECIALS:], k, skip=i - N_SPECIALS)

    def cosine(self, a: str, b: str) -> float:
        i, j = self.index(a), self.index(b)
        if i is None or j is None:
            raise KeyError(a if i is None else b)
        u, v = self.table[i].astype(np.float64), self.table[j].astype(np.float64)
        return float(u @ v / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-12))

    def project(self, words: list[str]) -> Projection:
        """The rows of ``words`` in 2-D; words outside the vocabulary are skipped."""
        known = [w for w in words if w in self]
        rows = self.table[[self.index(w) for w in known]] if known else np.zeros((0, self.table.shape[1]))
        return project(rows, known, [w for w in words if w not in self])


def table_of(model: torch.nn.Module) -> np.ndarray | None:
    """A model's word table as a float array (V, P), or None for a model that reads no words."""
    W = word_table(model)
    return None if W is None else W.detach().float().cpu().numpy().copy()


def initial_table(spec: RunSpec) -> np.ndarray | None:
    """The word table the run's model started training from, rebuilt the way the training built it.

    Every executor builds a lane's model with ``torch.manual_seed(seed)`` then ``spec.build()``
    (core.execution.work): random initial weights from the seed, then the GloVe rows copied in
    (``data.init_model``), or the saved weights of a model whose training was continued. Doing the
    same here gives the same numbers; the global random state of the caller is left as it was.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(spec.train_cfg.seed)
        model = spec.build()
    return table_of(model)


def starts_from_glove(spec: RunSpec) -> np.ndarray | None:
    """(V,) bool: the vocabulary words whose row started from a GloVe vector (None: no GloVe start)."""
    found = getattr(spec.data, "found", None)
    if found is None or spec.init is not None:
        return None
    return np.asarray(found, dtype=bool)
