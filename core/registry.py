"""One registry that the CLI, the app and the tests all read.

architecture name -> (config dataclass, builder, task objectives it serves, pinned fields, presets)
task name -> task class (see core.tasks)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from core.config import ConfigError, describe, resolve


@dataclass(frozen=True)
class Arch:
    name: str
    title: str
    config: type
    build: Callable[[Any], nn.Module]
    objectives: frozenset[str]
    summary: str = ""
    pinned: dict[str, Any] = field(default_factory=dict)  # fields this architecture fixes
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    restrict: dict[str, tuple] = field(default_factory=dict)  # narrower choices for some fields
    # architectures of one family share a task's tuned defaults unless the task names the
    # architecture itself (Task.tuned): "recurrent" for rnn/lstm/gru, else the name
    family: str = ""

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", self.name)

    def default_config(self) -> Any:
        return dataclasses.replace(self.config(), **self.pinned)

    def knobs(self) -> list:
        """Config fields a user may change (not pinned by the architecture, not filled by data)."""
        return [
            dataclasses.replace(f, choices=self.restrict.get(f.name, f.choices))
            for f in describe(self.config)
            if f.name not in self.pinned and not f.data
        ]


def _archs() -> dict[str, Arch]:
    from core.models.captioner import Captioner, CaptionerConfig
    from core.models.rnn import RecurrentConfig, RecurrentModel
    from core.models.seq2seq import Seq2Seq, Seq2SeqConfig
    from core.models.transformer import (
        PRESETS as TRANSFORMER_PRESETS,
    )
    from core.models.transformer import (
        DecoderOnlyConfig,
        EncoderOnlyConfig,
        Transformer,
        TransformerConfig,
        TransformerEncoderModel,
        TransformerLM,
    )

    seq = frozenset({"classify", "regress"})
    recurrent = seq | {"lm"}  # many-to-one, or many-to-many (readout "each", from the task's data)
    archs = [
        Arch(
            "rnn",
            "Vanilla RNN",
            RecurrentConfig,
            RecurrentModel,
            recurrent,
            "h_t = tanh(W_xh x_t + W_hh h_{t-1} + b): the plain recurrent cell",
            {"cell": "rnn"},
            family="recurrent",
        ),
        Arch(
            "lstm",
            "LSTM",
            RecurrentConfig,
            RecurrentModel,
            recurrent,
            "input/forget/output gates and a cell state that carries long-term memory",
            {"cell": "lstm"},
            family="recurrent",
        ),
        Arch(
            "gru",
            "GRU",
            RecurrentConfig,
            RecurrentModel,
            recurrent,
            "reset and update gates: LSTM's gating simplified, faster",
            {"cell": "gru"},
            family="recurrent",
        ),
        Arch(
            "transformer-encoder",
            "Transformer encoder",
            EncoderOnlyConfig,
            TransformerEncoderModel,
            seq,
            "self-attention layers over the whole sequence, then a pooled read-out",
        ),
        Arch(
            "transformer-decoder",
            "Transformer decoder (causal)",
            DecoderOnlyConfig,
            TransformerLM,
            frozenset({"lm"}),
            "masked self-attention layers: each position sees only the tokens before it",
        ),
        Arch(
            "seq2seq",
            "Seq2Seq (GNMT-style)",
            Seq2SeqConfig,
            Seq2Seq,
            frozenset({"seq2seq"}),
            "encoder -> one context vector -> decoder",
            {"attention": "none"},
        ),
        Arch(
            "seq2seq-attn",
            "Seq2Seq + attention",
            Seq2SeqConfig,
            Seq2Seq,
            frozenset({"seq2seq"}),
            "the decoder looks back at every encoder state at every step (Bahdanau or Luong)",
            restrict={"attention": ("bahdanau", "luong")},
        ),
        Arch(
            "transformer",
            "Transformer",
            TransformerConfig,
            Transformer,
            frozenset({"seq2seq"}),
            "encoder and decoder stacks of multi-head attention and position-wise FFN",
            presets=TRANSFORMER_PRESETS,
        ),
        Arch(
            "captioner",
            "Image captioner (one-to-many)",
            CaptionerConfig,
            Captioner,
            frozenset({"caption"}),
            "a small CNN encodes the image into one vector; a recurrent decoder writes the caption",
        ),
    ]
    return {a.name: a for a in archs}


_ARCHS: dict[str, Arch] | None = None


def archs() -> dict[str, Arch]:
    global _ARCHS
    if _ARCHS is None:
        _ARCHS = _archs()
    return _ARCHS


def get_arch(name: str) -> Arch:
    a = archs().get(name)
    if a is None:
        raise ConfigError(f"unknown architecture {name!r}; valid architectures: {', '.join(archs())}")
    return a


def tasks() -> dict[str, Any]:
    from core.tasks import task_classes

    return task_classes()


def get_task(name: str) -> Any:
    t = tasks().get(name)
    if t is None:
        raise ConfigError(f"unknown task {name!r}; valid tasks: {', '.join(tasks()) or '(none)'}")
    return t


def compatible(task_name: str) -> list[str]:
    """Architectures that serve a task, in registry order."""
    objective = get_task(task_name).objective
    return [a.name for a in archs().values() if objective in a.objectives]


def check_pair(task_name: str, arch_name: str) -> None:
    task, arch = get_task(task_name), get_arch(arch_name)
    if task.objective not in arch.objectives:
        raise ConfigError(
            f"architecture {arch_name!r} cannot serve task {task_name!r} ({task.objective}); "
            f"compatible: {', '.join(compatible(task_name))}"
        )


def make_config(
    arch_name: str,
    overrides: dict[str, Any] | None = None,
    preset: str | None = None,
    data_fields: dict[str, Any] | None = None,
) -> Any:
    """Resolve an architecture's config: defaults <- pinned <- preset <- data fields <- overrides.

    Overrides of pinned fields are refused; unknown keys and out-of-range values raise ConfigError.
    """
    arch = get_arch(arch_name)
    overrides = dict(overrides or {})
    for k in overrides:
        if k in arch.pinned and str(overrides[k]) != str(arch.pinned[k]):
            raise ConfigError(f"{k} is fixed to {arch.pinned[k]!r} by architecture {arch_name!r}")
    cfg = arch.default_config()
    if preset:
        if preset not in arch.presets:
            valid = ", ".join(arch.presets) or "(none)"
            raise ConfigError(f"unknown preset {preset!r} for {arch_name!r}; valid presets: {valid}")
        cfg = resolve(cfg, arch.presets[preset])
    if data_fields:
        names = {f.name for f in describe(cfg)}
        cfg = resolve(cfg, {k: v for k, v in data_fields.items() if k in names})
    cfg = resolve(cfg, overrides)
    for name, allowed in arch.restrict.items():
        if getattr(cfg, name) not in allowed:
            raise ConfigError(
                f"{name}: {getattr(cfg, name)!r} is not one of: {', '.join(allowed)} (for {arch_name!r})"
            )
    return cfg


def build(arch_name: str, cfg: Any) -> nn.Module:
    return get_arch(arch_name).build(cfg)
