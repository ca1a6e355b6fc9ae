"""Word order: does A come before B? A task that only a model that sees positions can solve.

Each sequence has ``length`` tokens: one ``A``, one ``B`` at two random positions, and filler
tokens from a small noise alphabet (a, b, c, ...) everywhere else. The label says which of the
two comes first. Swapping A and B turns a sequence of one class into one of the other class with
exactly the same tokens, so the two classes have the same bag of words: any model that ignores
order (counting words, or a Transformer without positional encoding, whose self-attention and
mean pooling do not change when the tokens are shuffled) is stuck at chance, 50 %. A recurrent
network reads in order, and a Transformer with sinusoidal or learned positions can compare where
A and B sit. This is the positional-encoding ablation of "Attention Is All You Need" (section 3.5)
in its smallest form.

Batches use the classify keys of :mod:`core.models.base`: ``x`` (B, T) ids, ``mask`` (B, T) all
True (every sequence has the same length), ``y`` (B,) 1 when A comes before B, else 0.
"""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import torch
from torch import nn

from core.config import param
from core.models.base import SPECIALS
from core.tasks.base import Batch, DataError, Metric, Task
from core.tasks.generated import SequenceClassificationData, saved_options

LENGTH_MAX = 64
FIRST, SECOND = "A", "B"
CLASSES = ("B first", "A first")  # class 0, class 1
SPLIT_SIZES = {"val": 500, "test": 2000}  # a large test split: chance reads as 50 % +- 1 %


@dataclass(frozen=True)
class WordOrderOptions:
    length: int = param(
        10, lo=3, hi=LENGTH_MAX, help="Tokens per sequence: one A, one B and length - 2 filler tokens."
    )
    n_noise: int = param(
        6, lo=1, hi=26, help="Size of the filler alphabet (a, b, c, ...) that surrounds A and B."
    )
    n_train: int = param(
        3000,
        lo=100,
        hi=50000,
        log=True,
        help="Training sequences (plus 500 for validation and 2000 for test).",
    )


def _names(opts: WordOrderOptions) -> list[str]:
    """Token names after the specials: A, B, then the filler letters a, b, ..."""
    return [FIRST, SECOND] + list(string.ascii_lowercase[: opts.n_noise])


def make_split(opts: WordOrderOptions, n: int, generator: torch.Generator) -> Batch:
    """``n`` sequences with one A and one B at two distinct random positions, filler elsewhere.

    The two positions are a random pair; which of them holds A is a fair coin, so the label is
    independent of everything but the order (and each class is about half of the split).
    """
    S, T = len(SPECIALS), opts.length
    x = torch.randint(0, opts.n_noise, (n, T), generator=generator) + S + 2  # (n, T) filler
    pos = torch.rand(n, T, generator=generator).argsort(dim=1)[:, :2]  # (n, 2) two distinct positions
    a_at, b_at = pos[:, 0], pos[:, 1]
    rows = torch.arange(n)
    x[rows, a_at] = S  # A
    x[rows, b_at] = S + 1  # B
    y = (a_at < b_at).long()  # (n,)
    return {"x": x, "mask": torch.ones_like(x, dtype=torch.bool), "y": y}


def _seeded(seed: int, stream: int) -> torch.Generator:
    """One generator per split, derived from the seed."""
    return torch.Generator().manual_seed(seed * 1_000_003 + stream)


def _counts(x: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """Bag of words: how often each token occurs in each sequence, (n, V)."""
    return torch.zeros(x.size(0), vocab_size).scatter_add_(1, x, torch.ones_like(x, dtype=torch.float))


def bag_of_words_accuracy(train: Batch, test: Batch, vocab_size: int, l2: float = 1e-3) -> float:
    """Test accuracy of a logistic regression on token counts (order thrown away), fit with L-BFGS."""
    X, y = _counts(train["x"], vocab_size), train["y"].float()  # (n, V), (n,)
    w = torch.zeros(vocab_size, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=100, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(X @ w + b, y) + l2 * w.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    with torch.no_grad():
        pred = (_counts(test["x"], vocab_size) @ w + b > 0).long()
    return float((pred == test["y"]).float().mean())


@dataclass
class WordOrderData(SequenceClassificationData):
    example_input: ClassVar[str] = f"'a {SECOND} c {FIRST} b'"

    def regenerate(self) -> WordOrderData:
        return WordOrderTask.prepare(self.opts, seed=self.seed)

    @property
    def vocab(self) -> list[str]:
        return list(SPECIALS) + _names(self.opts)

    def baselines(self) -> dict[str, dict[str, float]]:
        """A bag-of-words classifier (logistic regression on token counts) and the majority class.

        Both classes have the same word counts, so the bag of words lands at chance: the number to
        beat with anything that sees order.
        """
        if "train" not in self.splits or "test" not in self.splits:
            return {}
        train, test = self.splits["train"], self.splits["test"]
        majority = Counter(train["y"].tolist()).most_common(1)[0][0]
        return {
            "bag of words": {"accuracy": bag_of_words_accuracy(train, test, len(self.vocab))},
            "most frequent class": {"accuracy": float((test["y"] == majority).float().mean())},
        }

    def encode(self, item: Any) -> list[int]:
        words = item.split() if isinstance(item, str) else [str(w) for w in item]
        stoi = {w: i for i, w in enumerate(self.vocab) if w not in SPECIALS}
        unknown = sorted({w for w in words if w not in stoi})
        if unknown:
            raise DataError(
                f"unknown tokens {', '.join(unknown)}; use {FIRST}, {SECOND} and the filler letters "
                f"{' '.join(_names(self.opts)[2:])}, separated by spaces"
            )
        if words.count(FIRST) != 1 or words.count(SECOND) != 1:
            raise DataError(
                f"a sequence needs exactly one {FIRST} and one {SECOND}, e.g. 'a {SECOND} c {FIRST} b'"
            )
        if len(words) > self.opts.length:
            raise DataError(f"at most {self.opts.length} tokens (the length the model was trained on)")
        return [stoi[w] for w in words]

    def predict(self, model: nn.Module, inputs: list[Any], **kw: Any) -> list[dict[str, Any]]:
        """Which comes first in raw sequences (strings like 'a B c A d' or token lists).

        Each result: label ("A first" / "B first"), probabilities {label: p}, tokens.
        """
        return [
            {
                "label": CLASSES[int(p[1] > p[0])],
                "probabilities": dict(zip(CLASSES, p)),
                "tokens": [self.vocab[i] for i in ids],
            }
            for ids, p in self.probabilities(model, inputs)
        ]

    def examples(self, model: nn.Module, n: int = 8) -> list[dict[str, Any]]:
        """The first ``n`` test sequences, the true order and the model's answer."""
        return [
            {"sequence": " ".join(toks), "label": CLASSES[y], "prediction": CLASSES[p], "correct": p == y}
            for toks, y, p in self.test_rows(model, n)
        ]


def _fields(opts: WordOrderOptions) -> dict[str, Any]:
    return {"vocab_size": len(SPECIALS) + 2 + opts.n_noise, "n_out": len(CLASSES), "max_len": opts.length}


@lru_cache(maxsize=8)
def _prepare(opts: WordOrderOptions, seed: int) -> WordOrderData:
    splits = {"train": make_split(opts, opts.n_train, _seeded(seed, 0))}
    for i, (name, n) in enumerate(SPLIT_SIZES.items(), start=1):
        splits[name] = make_split(opts, n, _seeded(seed, i))
    return WordOrderData(splits=splits, model_fields=_fields(opts), opts=opts, seed=seed)


class WordOrderTask(Task):
    name: ClassVar[str] = "word-order"
    order: ClassVar[int] = 60  # where the app lists it (its page's PageConfig.order agrees)
    title: ClassVar[str] = "Word order (does A come before B?)"
    objective: ClassVar[str] = "classify"
    options: ClassVar[type] = WordOrderOptions
    primary: ClassVar[Metric] = Metric("accuracy", True, 0.95, "Test accuracy")
    description: ClassVar[str] = (
        "Every sequence holds one A and one B among filler letters; say which comes first. Both "
        "answers use exactly the same words, only their order differs, so a model blind to order "
        "can only guess (50 %). Train a Transformer with and without positional encoding to see "
        "why it needs one; a recurrent network reads in order and needs none."
    )

    # Small models that reach the target in a few seconds at the default length (see the report).
    tuned: ClassVar[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
        "recurrent": (
            {"embed_dim": 16, "hidden_size": 32, "num_layers": 1},
            {"epochs": 5, "batch_size": 64, "lr": 3e-3, "clip": 1.0},
        ),
        "transformer-encoder": (
            {"d_model": 32, "n_heads": 2, "d_ff": 64, "n_layers": 1, "dropout": 0.0},
            {"epochs": 6, "batch_size": 64, "lr": 3e-3},
        ),
    }

    @classmethod
    def prepare(cls, opts: WordOrderOptions, seed: int = 0, upload: bytes | None = None) -> WordOrderData:
        if upload is not None:
            raise DataError("word order does not take uploads: its sequences are generated")
        return _prepare(opts, seed).fresh()

    @classmethod
    def restore(cls, state: dict[str, Any], opts: WordOrderOptions) -> WordOrderData:
        opts = saved_options(opts, state, "word-order")
        return WordOrderData(splits={}, model_fields=_fields(opts), opts=opts, seed=int(state.get("seed", 0)))
