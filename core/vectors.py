"""Pretrained word vectors (GloVe): a word becomes 50 numbers that already carry its meaning.

GloVe (Pennington, Socher & Manning, 2014) learns one vector per word from how often words occur
near each other in 6 billion words of Wikipedia and news: words used in the same company end up
close together ("good" near "great" and "better"). A model whose embedding starts from these
vectors knows, before it has seen a single review, that "superb" is like "excellent"; a random
embedding has to learn that from the few reviews that use the word (transfer learning).

The app ships the 100,000 most frequent words of GloVe 6B in 50 dimensions
(``core/data/glove.6B.50d.100k.safetensors``, rebuilt by ``python -m core.data.glove_slice``).
GloVe's own text was split the way :func:`core.text.tokenize` does with ``style="glove"``:
lower case, "doesn't" -> "does" "n't", "it's" -> "it" "'s".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from core.data import DATA_DIR
from core.tasks.base import DataError

GLOVE_FILE = "glove.6B.50d.100k.safetensors"


class VectorsError(DataError):
    """The vectors file is missing or unreadable; the message says so and what happens instead."""


def rows_for_vocab(
    index: dict[str, int], matrix: np.ndarray, itos: list[str]
) -> tuple[torch.Tensor, torch.Tensor]:
    """A vocabulary's rows of a vectors table: (V, D) vectors, 0 where a word has none (``index``
    maps word -> row of ``matrix``), and (V,) bool, the word has one."""
    rows = [index.get(w, -1) for w in itos]
    found = torch.tensor([j >= 0 for j in rows], dtype=torch.bool)
    table = torch.zeros(len(itos), int(matrix.shape[1]))
    hits = [j for j in rows if j >= 0]
    if hits:
        table[found] = torch.from_numpy(matrix[hits])
    return table, found


@dataclass(frozen=True)
class Vectors:
    """Words in GloVe's order (most frequent first) and their vectors (N, D) float32."""

    words: tuple[str, ...]
    matrix: np.ndarray
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(self.words)})
        object.__setattr__(self, "_unit_rows", None)

    @property
    def _unit(self) -> np.ndarray:
        """Rows scaled to length 1, made on the first neighbour query (20 MB the server needs only
        when someone asks for neighbours, not to train or predict)."""
        if self._unit_rows is None:  # type: ignore[attr-defined]
            norms = np.linalg.norm(self.matrix, axis=1, keepdims=True)
            object.__setattr__(self, "_unit_rows", self.matrix / np.maximum(norms, 1e-8))
        return self._unit_rows  # type: ignore[attr-defined]

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self._index  # type: ignore[attr-defined]

    def index(self, word: str) -> int | None:
        return self._index.get(word)  # type: ignore[attr-defined]

    def vector(self, word: str) -> np.ndarray:
        i = self.index(word)
        if i is None:
            raise KeyError(word)
        return self.matrix[i]

    def for_vocab(self, itos: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Rows for a vocabulary: (V, D) vectors (0 where the word is not in GloVe) and (V,) found."""
        return rows_for_vocab(self._index, self.matrix, itos)  # type: ignore[attr-defined]

    def nearest(self, word: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` words with the highest cosine similarity to ``word`` (itself left out)."""
        i = self.index(word)
        if i is None:
            raise KeyError(word)
        return nearest_rows(self._unit, self._unit[i], self.words, k, skip=i)  # type: ignore[attr-defined]


def nearest_rows(
    unit: np.ndarray, query: np.ndarray, words: tuple[str, ...] | list[str], k: int, skip: int | None = None
) -> list[tuple[str, float]]:
    """Top-``k`` rows of ``unit`` (rows of length 1) by cosine similarity with ``query``."""
    q = query / max(float(np.linalg.norm(query)), 1e-8)
    sims = unit @ q
    if skip is not None:
        sims[skip] = -np.inf
    k = max(0, min(k, len(words) - (skip is not None)))
    top = np.argpartition(-sims, k)[:k] if k < len(sims) else np.arange(len(sims))
    top = top[np.argsort(-sims[top])]
    return [(words[j], float(sims[j])) for j in top[:k]]


def pca_2d(matrix: np.ndarray) -> np.ndarray:
    """Project rows (N, D) onto their two principal components (N, 2), centred; N >= 1."""
    X = np.asarray(matrix, dtype=np.float64)
    X = X - X.mean(axis=0, keepdims=True)
    if X.shape[0] < 2:
        return np.zeros((X.shape[0], 2))
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    axes = vt[:2]
    out = X @ axes.T
    if out.shape[1] < 2:
        out = np.pad(out, ((0, 0), (0, 2 - out.shape[1])))
    # a fixed sign per axis (the largest |coordinate| positive), so the picture does not flip
    signs = np.sign(out[np.abs(out).argmax(axis=0), range(2)])
    return out * np.where(signs == 0, 1, signs)


def glove_path() -> Path:
    """The shipped file, or the one named by SEQUENCE_LAB_VECTORS (a deployment's own copy)."""
    return Path(os.environ.get("SEQUENCE_LAB_VECTORS") or DATA_DIR / GLOVE_FILE)


@lru_cache(maxsize=2)
def _load(path: str) -> Vectors:
    from safetensors import SafetensorError, safe_open
    from safetensors.numpy import load_file

    p = Path(path)
    if not p.is_file():
        raise VectorsError(
            f"the GloVe vectors file is missing ({p.name}); restore it from the repository or rebuild it "
            "with python -m core.data.glove_slice"
        )
    try:
        with safe_open(str(p), framework="numpy") as f:
            meta = f.metadata() or {}
        arrays = load_file(str(p))
    except (SafetensorError, OSError, ValueError) as e:
        raise VectorsError(f"the GloVe vectors file {p.name} cannot be read ({e}); rebuild it") from e
    words = tuple(meta.get("words", "").split("\n")) if meta.get("words") else ()
    matrix = arrays.get("vectors")
    if matrix is None or matrix.ndim != 2 or len(words) != matrix.shape[0] or not len(words):
        raise VectorsError(f"the GloVe vectors file {p.name} is damaged (words and vectors do not match)")
    matrix = matrix.astype(np.float32)
    if not np.isfinite(matrix).all():
        raise VectorsError(f"the GloVe vectors file {p.name} is damaged (it holds NaN or infinite numbers)")
    return Vectors(words, matrix, meta.get("source", ""))


def glove(path: Path | None = None) -> Vectors:
    """The shipped GloVe vectors (read once per process); :class:`VectorsError` when unusable."""
    return _load(str(path or glove_path()))
