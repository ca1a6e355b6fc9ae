"""Long memory: remember the first token of a long sequence (the vanishing-gradient test).

Each sequence is ``key, d_1 .. d_lag, ?``: a key drawn from ``n_symbols`` symbols (A, B, C, ...),
then ``lag`` distractor tokens from a separate noise alphabet (a, b, c, ...), then the query
token ``?``. The label is the key. Nothing after the key says anything about it, so the network
must carry the key in its state across ``lag`` steps, and the training signal must flow back
across as many steps. In a vanilla RNN that gradient shrinks (or explodes) geometrically with the
lag (Bengio et al. 1994; Hochreiter & Schmidhuber 1997), so it stays near chance, 1 / n_symbols,
once the lag is a few dozen steps; the LSTM's and GRU's gated, additive memory keeps it.

Batches use the classify keys of :mod:`core.models.base`: ``x`` (B, T) ids, ``mask`` (B, T) all
True (every sequence has the same length, lag + 2), ``y`` (B,) the index of the key.
"""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import torch
from torch import nn

from core.config import param
from core.models.base import PAD, SPECIALS
from core.tasks.base import Batch, DataError, Metric, Task
from core.tasks.generated import SequenceClassificationData, saved_options

LAG_MAX = 500
SYMBOLS_MAX = 26
QUERY = "?"
SPLIT_SIZES = {"val": 500, "test": 500}


@dataclass(frozen=True)
class LongMemoryOptions:
    n_symbols: int = param(
        8,
        lo=2,
        hi=SYMBOLS_MAX,
        help="Number of different keys to remember (A, B, C, ...); guessing scores 1 / n_symbols.",
    )
    lag: int = param(
        50,
        lo=1,
        hi=LAG_MAX,
        log=True,
        help="Distractor tokens between the key and the query: how long the key must be remembered.",
    )
    n_noise: int = param(
        26, lo=1, hi=26, help="Size of the separate alphabet the distractors are drawn from (a, b, c, ...)."
    )
    curriculum: bool = param(
        True,
        help="Training sequences draw their lag from 1..lag, so short ones first teach the network to "
        "store the key and longer ones to keep it; validation and test always use the full lag. Off: "
        "every training sequence has the full lag, and the only learning signal has to cross it.",
    )
    n_train: int = param(
        4000,
        lo=100,
        hi=50000,
        log=True,
        help="Training sequences (plus 500 for validation and 500 for test).",
    )


def _names(opts: LongMemoryOptions) -> list[str]:
    """Token names after the specials: keys A.., noise a.., then the query '?'."""
    keys = list(string.ascii_uppercase[: opts.n_symbols])
    noise = list(string.ascii_lowercase[: opts.n_noise])
    return keys + noise + [QUERY]


def make_split(
    opts: LongMemoryOptions, n: int, lag: int, generator: torch.Generator, variable: bool = False
) -> Batch:
    """``n`` sequences ``key, lag distractors, ?`` and their labels (the key's index).

    With ``variable`` each sequence draws its own lag uniformly from 1..lag; shorter sequences
    are right-padded with PAD (mask False there).
    """
    S = len(SPECIALS)
    K, N = opts.n_symbols, opts.n_noise
    T = lag + 2
    y = torch.randint(0, K, (n,), generator=generator)  # (n,)
    x = torch.randint(0, N, (n, T), generator=generator) + S + K  # (n, T) distractors
    lags = torch.randint(1, lag + 1, (n,), generator=generator) if variable else torch.full((n,), lag)
    pos = torch.arange(T)[None, :]  # (1, T)
    query_at = (lags + 1)[:, None]  # (n, 1)
    x[:, 0] = y + S
    x = torch.where(pos == query_at, S + K + N, x)
    mask = pos <= query_at  # (n, T)
    return {"x": x.masked_fill(~mask, PAD), "mask": mask, "y": y}


def _seeded(seed: int, stream: int) -> torch.Generator:
    """One generator per purpose (train, val, test, each probe lag), all derived from the seed."""
    return torch.Generator().manual_seed(seed * 1_000_003 + stream)


@dataclass
class LongMemoryData(SequenceClassificationData):
    opts: LongMemoryOptions = field(default_factory=LongMemoryOptions)

    example_input: ClassVar[str] = "'C a b a ... ?'"

    def regenerate(self) -> LongMemoryData:
        return LongMemoryTask.prepare(self.opts, seed=self.seed)

    @property
    def vocab(self) -> list[str]:
        return list(SPECIALS) + _names(self.opts)

    def accuracy_by_lag(self, model: nn.Module, lags: list[int], n: int = 256) -> dict[int, float]:
        """Accuracy on ``n`` fresh sequences at each lag (seeded: the same sets every call), to see
        how far a trained model's memory reaches. Models with a positional table (Transformer
        encoder) cover lags up to the option's maximum, 500."""
        out: dict[int, float] = {}
        for lag in lags:
            if not 1 <= int(lag) <= LAG_MAX:
                raise DataError(f"lag {lag} is outside 1..{LAG_MAX}")
            data = make_split(self.opts, n, int(lag), _seeded(self.seed, 1000 + int(lag)))
            out[int(lag)] = self.accuracy_and_loss(model, data)[0]
        return out

    def baselines(self) -> dict[str, dict[str, float]]:
        """Always answering the key seen most often in training (chance level, about 1/n_symbols)."""
        if "train" not in self.splits or "test" not in self.splits:
            return {}
        majority = Counter(self.splits["train"]["y"].tolist()).most_common(1)[0][0]
        acc = float((self.splits["test"]["y"] == majority).float().mean())
        return {"most frequent key": {"accuracy": acc}, "chance": {"accuracy": 1.0 / self.opts.n_symbols}}

    def encode(self, item: Any) -> list[int]:
        words = item.split() if isinstance(item, str) else [str(w) for w in item]
        if not words:
            raise DataError("give a sequence of tokens, e.g. 'C a b a ... ?'")
        stoi = {w: i for i, w in enumerate(self.vocab)}
        unknown = [w for w in words if w not in stoi or w in SPECIALS]
        if unknown:
            raise DataError(
                f"unknown tokens {', '.join(sorted(set(unknown)))}; keys are "
                f"{' '.join(_names(self.opts)[: self.opts.n_symbols])}, distractors are lowercase letters, "
                f"the query is {QUERY}"
            )
        if len(words) > LAG_MAX + 2:
            raise DataError(f"at most {LAG_MAX + 2} tokens")
        return [stoi[w] for w in words]

    def predict(self, model: nn.Module, inputs: list[Any], **kw: Any) -> list[dict[str, Any]]:
        """Recall the key of raw sequences (strings like 'C a b b ... ?' or token lists).
        Each result: key (the predicted symbol), probabilities {symbol: p}, tokens."""
        keys = _names(self.opts)[: self.opts.n_symbols]
        return [
            {
                "key": keys[max(range(len(p)), key=p.__getitem__)],
                "probabilities": dict(zip(keys, p)),
                "tokens": [self.vocab[i] for i in ids],
            }
            for ids, p in self.probabilities(model, inputs)
        ]

    def examples(self, model: nn.Module, n: int = 8) -> list[dict[str, Any]]:
        """The first ``n`` test sequences (shortened for display), their key and the model's answer."""
        keys = _names(self.opts)[: self.opts.n_symbols]
        out = []
        for toks, y, p in self.test_rows(model, n):
            shown = toks if len(toks) <= 14 else toks[:6] + ["…"] + toks[-6:]
            out.append(
                {"sequence": " ".join(shown), "key": keys[y], "prediction": keys[p], "correct": p == y}
            )
        return out


@lru_cache(maxsize=8)
def _prepare(opts: LongMemoryOptions, seed: int) -> LongMemoryData:
    splits = {"train": make_split(opts, opts.n_train, opts.lag, _seeded(seed, 0), variable=opts.curriculum)}
    for i, (name, n) in enumerate(SPLIT_SIZES.items(), start=1):
        splits[name] = make_split(opts, n, opts.lag, _seeded(seed, i))
    return LongMemoryData(splits=splits, model_fields=_fields(opts), opts=opts, seed=seed)


def _fields(opts: LongMemoryOptions) -> dict[str, Any]:
    return {
        "vocab_size": len(SPECIALS) + opts.n_symbols + opts.n_noise + 1,
        "n_out": opts.n_symbols,
        "max_len": LAG_MAX + 2,  # room for accuracy_by_lag at any lag the option allows
    }


class LongMemoryTask(Task):
    name: ClassVar[str] = "long-memory"
    order: ClassVar[int] = 50  # where the app lists it (its page's PageConfig.order agrees)
    title: ClassVar[str] = "Long memory (recall the first token)"
    objective: ClassVar[str] = "classify"
    options: ClassVar[type] = LongMemoryOptions
    primary: ClassVar[Metric] = Metric("accuracy", True, 0.95, "Test accuracy")
    description: ClassVar[str] = (
        "The first token is a key (A, B, C, ...); then come many random distractors and finally a "
        "question mark: which key was it? Only a network that carries the key across all the "
        "distractors can answer. A vanilla RNN forgets (its gradient vanishes over long lags); "
        "LSTM and GRU gates keep the memory. Raise the lag to see where each one breaks."
    )

    # Settings measured at the default lag of 50: the same small budget for the three cells, so
    # the comparison is fair (LSTM and GRU pass 0.95 within it, the vanilla RNN does not).
    tuned: ClassVar[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
        "recurrent": (
            {"embed_dim": 16, "hidden_size": 64, "num_layers": 1},
            {"epochs": 6, "batch_size": 64, "lr": 5e-3, "clip": 1.0},
        ),
        "transformer-encoder": (
            {"d_model": 32, "n_heads": 2, "d_ff": 64, "n_layers": 1, "dropout": 0.0, "pooling": "last"},
            {"epochs": 2, "batch_size": 64, "lr": 3e-3, "clip": 1.0},
        ),
    }

    @classmethod
    def prepare(cls, opts: LongMemoryOptions, seed: int = 0, upload: bytes | None = None) -> LongMemoryData:
        if upload is not None:
            raise DataError("long memory does not take uploads: its sequences are generated")
        return _prepare(opts, seed).fresh()

    @classmethod
    def restore(cls, state: dict[str, Any], opts: LongMemoryOptions) -> LongMemoryData:
        opts = saved_options(opts, state, "long-memory")
        return LongMemoryData(
            splits={}, model_fields=_fields(opts), opts=opts, seed=int(state.get("seed", 0))
        )
