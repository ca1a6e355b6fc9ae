"""The one interface every task implements: load -> split -> encode -> batches, metrics, display.

A task is a class with a frozen options dataclass (fields declared with ``core.config.param`` so the
app can build widgets and the CLI can validate ``--set``), and a ``prepare`` method that loads the
data (offline default, live source or an upload), splits it with the seed, encodes it once and
returns a :class:`TaskData`, which holds tensors per split and knows how to evaluate a model.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import torch
from torch import Tensor


class DataError(ValueError):
    """Bad data or bad user input (malformed CSV, unknown ticker, empty text...).

    The message is shown to the user as is, so it says what is wrong and what to do.
    """


@dataclass(frozen=True)
class Metric:
    name: str  # key in the metrics dict, e.g. "accuracy", "rmse", "exact_match"
    higher_is_better: bool
    target: float | None = None  # the benchmark's goal for the default settings
    label: str = ""  # human label, e.g. "Test accuracy"


Batch = dict[str, Tensor]


def bucket_by_length(
    lengths: Tensor, batch_size: int, generator: torch.Generator | None = None, pool: int = 50
) -> list[Tensor]:
    """A shuffled epoch in which each batch holds examples of similar length ("sortish" batches).

    The examples are shuffled, cut into pools of ``pool`` batches, sorted by length inside each
    pool and cut into batches; the batches are then shuffled. Every example is used once. A batch
    of short reviews is then trimmed to its own longest one (see :func:`iterate`), so far fewer
    padded time steps are computed than with batches drawn at random.
    """
    n = lengths.numel()
    order = torch.randperm(n, generator=generator)
    batches: list[Tensor] = []
    for start in range(0, n, batch_size * pool):
        idx = order[start : start + batch_size * pool]
        idx = idx[torch.argsort(lengths[idx], stable=True)]
        batches.extend(idx.split(batch_size))
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def trim(batch: Batch, lengths: dict[str, Tensor], idx: Tensor) -> Batch:
    """Cut the padding columns that no example of the batch uses: each key in ``lengths`` (its
    examples' real lengths along dim 1) is cut to the batch's longest. Padded positions are
    masked in every model, so a trimmed batch gives the same outputs as the full-width one."""
    out = dict(batch)
    for key, n in lengths.items():
        longest = max(1, int(n[idx].max()))
        out[key] = batch[key][:, :longest]
    return out


def iterate(
    split: Batch,
    batch_size: int,
    *,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
    lengths: dict[str, Tensor] | None = None,
) -> Iterator[Batch]:
    """Yield mini-batches (dicts of tensor slices) of a split; all tensors share dim 0.

    With ``lengths`` ({key: (N,) real lengths along dim 1}, see :meth:`TaskData.lengths`) each
    batch is trimmed to its longest example, and a shuffled epoch is bucketed by length
    (:func:`bucket_by_length`, on the first key's lengths).
    """
    n = next(iter(split.values())).size(0)
    if lengths and shuffle:
        order = bucket_by_length(next(iter(lengths.values())), batch_size, generator)
    else:
        perm = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        order = list(perm.split(batch_size))
    for idx in order:
        batch = {k: v[idx] for k, v in split.items()}
        yield trim(batch, lengths, idx) if lengths else batch


def model_device(model: torch.nn.Module) -> torch.device:
    """The device a model's parameters live on (CPU for a model without parameters)."""
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


def to_device(batch: Batch, device: torch.device) -> Batch:
    """The batch's tensors on ``device`` (``non_blocking``: a copy from pinned memory overlaps)."""
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def run_batches(model: torch.nn.Module, batches: Any) -> Iterator[tuple[Batch, Any]]:
    """Yield (batch on the model's device, ModelOutput) pairs, in eval mode without gradients, one
    batch at a time (so a split's outputs, attention maps included, are never all held at once);
    the model's previous train/eval mode is restored when the batches are done."""
    from core.models.base import evaluating

    device = model_device(model)
    with evaluating(model):
        for batch in batches:
            b = to_device(batch, device)
            out = model(b)
            yield b, out


def split_size(split: Batch) -> int:
    return next(iter(split.values())).size(0)


@dataclass
class TaskData(ABC):
    """A task's data ready for training: encoded splits plus everything needed to predict.

    Subclasses fill ``splits`` ("train", "val", "test": dicts of tensors with the batch keys of
    the task objective, see core.models.base), ``model_fields`` (config fields the model needs from the
    data: vocab_size, n_out, in_features, src_vocab_size, tgt_vocab_size, max_len, ...), and
    ``notices`` (messages the user should see, e.g. "network unreachable: using offline data").
    """

    splits: dict[str, Batch]
    model_fields: dict[str, Any]
    notices: list[str] = field(default_factory=list)

    @abstractmethod
    def evaluate(self, model: torch.nn.Module, split: str = "val") -> dict[str, float]:
        """Metrics of ``model`` on a split; includes the task's primary metric and "loss"."""

    def baselines(self) -> dict[str, dict[str, float]]:
        """Metrics on the test split of methods that need no network training."""
        return {}

    @abstractmethod
    def predict(self, model: torch.nn.Module, inputs: list[Any], **kw: Any) -> list[dict[str, Any]]:
        """Predictions for raw user inputs (texts, price series...), one dict per input."""

    def examples(self, model: torch.nn.Module, n: int = 8) -> list[dict[str, Any]]:
        """A few test examples with the model's output, for display."""
        return []

    def probe(self) -> tuple[Batch, dict[str, list[str]]] | None:
        """One fixed example (a batch of size 1, from the test split) and its axis labels
        ({"src": [...], "tgt": [...]} or {"x": [...]}) for snapshots of attention/gates while
        training. None when the task has nothing to show."""
        return None

    def probe_for(self, model: torch.nn.Module) -> tuple[Batch, dict[str, list[str]]] | None:
        """The example the "Inside the model" views draw: :meth:`probe`, or, for data restored from
        a checkpoint (no splits), an example a task can build from its vocabularies and ``model``."""
        return self.probe()

    def lengths(self, split: str) -> dict[str, Tensor] | None:
        """Real lengths of the padded keys of a split ({key: (N,)} along dim 1), so that training
        can bucket batches by length and trim their padding; None when nothing is padded."""
        return None

    def epoch_sample(self, model: torch.nn.Module) -> str | None:
        """Something the model produces after each epoch, shown beside the curves (a text model's
        writing); None for tasks without one."""
        return None

    def init_model(self, model: torch.nn.Module) -> None:
        """Set weights a new model takes from the data before training (pretrained word vectors).

        Most tasks have none: the model keeps its random initialisation."""
        return None

    @abstractmethod
    def state(self) -> dict[str, Any]:
        """JSON-able state needed to predict later (vocabularies, scaler); saved with checkpoints."""

    def fresh(self) -> Self:
        """A new TaskData around the same (cached, read-only) splits and vocabularies, with its own
        ``model_fields`` and ``notices``: what a task's ``prepare`` hands out of its cache, so a
        caller's changes never reach the cached object."""
        return dataclasses.replace(self, model_fields=dict(self.model_fields), notices=list(self.notices))


class Task(ABC):
    name: ClassVar[str]
    order: ClassVar[int] = 1000  # where the app and the CLI list the task, smallest first
    title: ClassVar[str]
    objective: ClassVar[str]  # what the model learns, one of core.models.base.OBJECTIVES: decides the loss
    options: ClassVar[type]  # frozen dataclass of the task's own settings
    primary: ClassVar[Metric]
    description: ClassVar[str] = ""
    # examples of different lengths, padded (TaskData.lengths says how long each one is)
    variable_length: ClassVar[bool] = False

    # the task's tuned defaults: architecture name or family ("recurrent", "transformer-encoder",
    # "seq2seq", ...) -> (model config overrides, train config overrides), chosen so that the
    # default settings train to a useful result in seconds on a 2-core CPU. Every architecture
    # that serves the task must find an entry (tests/unit/test_registry.py checks every pair).
    tuned: ClassVar[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {}

    @classmethod
    def defaults(cls, arch: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(model config overrides, train config overrides) for ``arch``: the entry for the
        architecture itself, else for its family; KeyError when the task has tuned neither."""
        from core.registry import get_arch

        for key in (arch, get_arch(arch).family):
            if key in cls.tuned:
                model, train = cls.tuned[key]
                return dict(model), dict(train)
        raise KeyError(f"task {cls.name!r} has no tuned defaults for architecture {arch!r}")

    @classmethod
    def check_model(cls, model_cfg: Any) -> None:
        """Refuse (ConfigError) a model configuration this task cannot use, e.g. a language model
        that would read ahead. Most tasks accept every configuration of a compatible architecture."""
        return None

    @classmethod
    @abstractmethod
    def prepare(cls, opts: Any, seed: int = 0, upload: bytes | None = None) -> TaskData:
        """Load, split, encode. ``upload`` is the bytes of a user file (CSV) when the source is
        "upload". Raises DataError with a clear message on bad input."""

    @classmethod
    @abstractmethod
    def restore(cls, state: dict[str, Any], opts: Any) -> TaskData:
        """A TaskData able to ``predict`` from a saved ``state()`` (splits may be empty)."""
