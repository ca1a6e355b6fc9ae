"""What a training run will cost, estimated from its settings before anything is allocated.

:func:`estimate` is a small pure function of a :class:`RunShape` (plain numbers); :func:`shape_of`
reads those numbers off a :class:`~core.runspec.RunSpec` by building the model on PyTorch's ``meta``
device (shapes only, no memory). :func:`judge` holds an estimate against a :class:`Budget` and
names, for each limit that is passed, the settings that bring it down.

Memory: bytes the training process needs (4-byte floats; P parameters)::

    weights          4 P
    gradients        4 P
    optimiser        8 P for Adam/AdamW (two moments), 4 P for SGD with momentum
    copies           4 P  the trainer's "last good weights" (restored when a run diverges),
                          and 4 P more for the best epoch's weights with early stopping
    activations      4 B T W L k[arch]    what a batch keeps for the backward pass: B examples,
                   + 4 B h T^2 L_a 8      T padded positions, W width, L layers, k[arch] vectors
                   + 4 B T_out V 3        per position and layer; attention maps (h heads, L_a
                                          attention layers); logits, softmax and their gradient
    data             the encoded data set (the worker gets its own copy)
    working memory   RUNTIME_MB: PyTorch's kernels and buffers, the evaluations and baselines

Time::

    flops per token  (6 C + 12 L_a T W) x T_c / tokens    C parameters multiplied at each computed
                                                          position (forward and backward), T_c
                                                          positions computed per example, tokens
                                                          counted as training counts them
    tokens per s     min(reference x min(1, B / B_ref),  FLOPS / flops per token) x THREADS[threads]
    seconds          epochs x training tokens / tokens per s + START_S

The reference is the training speed measured for the task's default settings with that
architecture (:data:`REFERENCE`, evaluations included; a pair not measured takes the slowest of
its family on that task, see :func:`reference`): a run is taken to be no faster than that,
slower in proportion when its batch is smaller (each step's overhead is paid more often), and
bound by arithmetic at :data:`FLOPS` once its model is big. Measured with one torch thread (how
the app's worker trains on a 2-core machine) on the 2-core machine this project is built on. It
is an estimate: other work on the machine, or another CPU, changes the real figures; checked
against measured runs in tests/unit/test_budget.py's docstring and the README.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn

    from core.runspec import RunSpec

FLOAT = 4  # bytes per number (float32)
MB = 1024 * 1024
RUNTIME_MB = 160  # a training process's own working memory beyond the model (measured: 14-215 MB)

# Vectors of the layer's width a batch keeps per position and layer for the backward pass (gates,
# states, projections, norms, dropout masks), by architecture: fitted to the peak memory of runs
# from 0.8M to 44M parameters (within -25 %..+40 %).
KEPT = {
    "rnn": 8,
    "lstm": 16,
    "gru": 16,
    "transformer-encoder": 24,
    "seq2seq": 12,
    "seq2seq-attn": 12,
    "transformer": 16,
    "captioner": 12,
    "transformer-decoder": 24,
}
ATTENTION_KEPT = 8  # copies of each attention map (scores, softmax, dropout, their gradients)

# Training tokens per second of the task's default settings with each architecture, and the batch
# size they were measured at: one torch thread, evaluations after each epoch included.
REFERENCE: dict[tuple[str, str], tuple[float, int]] = {
    ("stock", "rnn"): (921_600, 128),
    ("stock", "lstm"): (460_800, 128),
    ("stock", "gru"): (345_600, 128),
    ("stock", "transformer-encoder"): (158_000, 128),
    ("sentiment", "rnn"): (103_900, 64),
    ("sentiment", "lstm"): (45_000, 64),
    ("sentiment", "gru"): (51_600, 64),
    ("sentiment", "transformer-encoder"): (43_000, 64),
    ("translation", "seq2seq"): (56_600, 64),
    ("translation", "seq2seq-attn"): (28_600, 64),
    ("translation", "transformer"): (24_800, 64),
    ("captioning", "captioner"): (14_400, 64),
    ("long-memory", "rnn"): (228_700, 64),
    ("long-memory", "lstm"): (65_700, 64),
    ("long-memory", "gru"): (80_900, 64),
    ("long-memory", "transformer-encoder"): (147_400, 64),
    ("word-order", "rnn"): (376_000, 64),
    ("word-order", "lstm"): (300_800, 64),
    ("word-order", "gru"): (250_700, 64),
    ("word-order", "transformer-encoder"): (180_500, 64),
    # 8 epochs of 86,144 characters, the sample written after each epoch included (10 for the
    # Transformer, measured over 6 of them)
    ("char-text", "rnn"): (130_000, 32),
    ("char-text", "lstm"): (49_600, 32),
    ("char-text", "gru"): (41_300, 32),
    ("char-text", "transformer-decoder"): (45_000, 16),
}
FLOPS = 80e9  # floating-point operations per second of a big model's training, one thread
THREADS = {1: 1.0, 2: 1.35}  # speed against one thread (README: 2 threads made 1.37x the steps)
START_S = 1.5  # building the model, the test evaluation and the baselines
# A run that keeps its arithmetic busy (its expected speed at least this share of the ceiling
# FLOPS / flops per token) and lasts long enough gains from every core, not only those the web
# server leaves over; see all_cores().
ALL_CORES_SHARE = 0.75
ALL_CORES_MIN_S = 10.0


def reference(task: str, arch: str, family: str | None = None) -> tuple[float, int]:
    """The measured (tokens/s, batch size) of a task and architecture. A pair never measured is
    taken to be as slow as the slowest measured one of its family on that task (a new recurrent
    cell, as the slowest of rnn, lstm and gru there), else as the architecture's slowest on other
    tasks, else as the slowest of all. ``family``: the registry's, when not given."""
    if (task, arch) in REFERENCE:
        return REFERENCE[(task, arch)]
    fam = family if family is not None else _family(arch)
    kin = [v for (t, a), v in REFERENCE.items() if t == task and _family(a) == fam]
    same = [v for (_, a), v in REFERENCE.items() if a == arch]
    return min(kin or same or list(REFERENCE.values()))


def _family(arch: str) -> str:
    from core.registry import archs

    a = archs().get(arch)
    return a.family if a is not None else arch


@dataclass(frozen=True)
class RunShape:
    """The numbers of a run that its cost depends on (see :func:`shape_of`)."""

    task: str  # task name, e.g. "sentiment"
    arch: str  # architecture name, e.g. "lstm"
    params: int  # trainable parameters
    compute_params: int  # parameters multiplied at each computed position (not looked-up tables)
    batch_size: int
    positions: int  # padded positions per example (source + target for sequence-to-sequence)
    computed: float  # positions computed per example (fewer than padded when batches are trimmed)
    tokens: float  # real tokens per example, counted as training counts them
    width: int  # hidden size (times directions) or d_model
    layers: int  # layers every position passes (encoder + decoder)
    n_train: int  # training examples
    epochs: int
    heads: int = 0  # attention heads per attention layer
    attention_layers: int = 0  # attention maps over the positions (a decoder layer has two)
    out_positions: int = 1  # outputs per example (the target length for sequence outputs)
    out_size: int = 1  # logits per output (classes or vocabulary)
    optimizer: str = "adam"
    early_stopping: bool = False
    data_bytes: int = 0
    threads: int = 1


@dataclass(frozen=True)
class Estimate:
    """What a run is expected to need: bytes and seconds, estimated, not measured."""

    params: int
    weights: int
    gradients: int
    optimizer: int
    copies: int
    activations: int
    data: int
    runtime: int
    steps: int
    tokens: float
    flops_per_token: float
    tokens_per_s: float
    seconds: float

    @property
    def total_bytes(self) -> int:
        return (
            self.weights + self.gradients + self.optimizer + self.copies + self.activations + self.data
        ) + self.runtime

    @property
    def state_bytes(self) -> int:
        """Weights, gradients, optimiser state and copies: what grows with the parameters."""
        return self.weights + self.gradients + self.optimizer + self.copies


def estimate(shape: RunShape) -> Estimate:
    """Memory and time of a training run, from its shape (the formulas are in the module's doc)."""
    P = shape.params
    B, T, W, L = shape.batch_size, shape.positions, shape.width, shape.layers
    moments = 2 if shape.optimizer in ("adam", "adamw") else 1
    activations = FLOAT * B * T * W * L * KEPT.get(shape.arch, max(KEPT.values()))
    activations += FLOAT * B * shape.heads * T * T * shape.attention_layers * ATTENTION_KEPT
    activations += FLOAT * B * shape.out_positions * shape.out_size * 3
    flops = _flops_per_token(shape)
    tps = _one_thread_tps(shape, flops) * THREADS.get(min(max(shape.threads, 1), 2), 1.0)
    steps = math.ceil(shape.n_train / max(1, B)) * shape.epochs
    tokens = shape.tokens * shape.n_train * shape.epochs
    return Estimate(
        params=P,
        weights=FLOAT * P,
        gradients=FLOAT * P,
        optimizer=FLOAT * P * moments,
        copies=FLOAT * P * (2 if shape.early_stopping else 1),
        activations=int(activations),
        data=int(shape.data_bytes),
        runtime=RUNTIME_MB * MB,
        steps=steps,
        tokens=tokens,
        flops_per_token=flops,
        tokens_per_s=tps,
        seconds=tokens / tps + START_S,
    )


def _flops_per_token(shape: RunShape) -> float:
    T, W = shape.positions, shape.width
    per_position = 6.0 * shape.compute_params + 12.0 * shape.attention_layers * T * W
    return per_position * shape.computed / max(shape.tokens, 1e-9)


def _one_thread_tps(shape: RunShape, flops: float) -> float:
    ref_tps, ref_batch = reference(shape.task, shape.arch)
    ceiling = ref_tps * min(1.0, shape.batch_size / ref_batch)
    return min(ceiling, FLOPS / max(flops, 1.0))


def arithmetic_share(shape: RunShape) -> float:
    """How close the run's expected speed on one thread comes to its arithmetic ceiling (FLOPS /
    flops per token), from 0 to 1. Near 1, its time goes into large products (convolutions over an
    image, wide matrix multiplications) that a second thread splits in two; far below, into the
    many small operations of each step (a recurrent cell's gates, position by position), which a
    second thread barely shortens. Captioning's image encoder is at 0.85, the sentiment and
    long-memory LSTMs at 0.2."""
    flops = _flops_per_token(shape)
    return min(1.0, _one_thread_tps(shape, flops) * flops / FLOPS)


def all_cores(shape: RunShape, seconds: float) -> bool:
    """Whether a run alone on the machine should train on every core rather than leave one to the
    web server: bound by arithmetic (:func:`arithmetic_share` at least :data:`ALL_CORES_SHARE`)
    and expected to last at least :data:`ALL_CORES_MIN_S`. Measured in the browser on 2 cores, with
    Chromium on the same machine: captioning's default reached its results in 18.0 s on two torch
    threads and 21.0 s on one, while the recurrent pages were 0.4-1.1 s slower on two
    (bench/ui_timing_gc.json)."""
    return seconds >= ALL_CORES_MIN_S and arithmetic_share(shape) >= ALL_CORES_SHARE


# ---------------------------------------------------------------------------------------------
# Budgets: what a run may cost before it is refused or must be confirmed
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """Limits for one run (0 = no limit). ``hard`` (a shared server): a run over the memory or
    parameter limit is refused. Otherwise a run over a limit needs the user's confirmation."""

    max_bytes: int = 0
    max_seconds: float = 0.0
    max_params: int = 0
    hard: bool = False


@dataclass(frozen=True)
class Over:
    """One limit a run passes: which (``params``, ``memory`` or ``time``), its estimated value, the
    limit, and the settings that bring it down, the most effective first."""

    what: str
    value: float
    limit: float
    lower: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """An estimate held against a budget: limits that refuse the run, limits it may pass only
    with the user's confirmation."""

    estimate: Estimate
    refuse: tuple[Over, ...] = ()
    confirm: tuple[Over, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.refuse and not self.confirm


def judge(est: Estimate, budget: Budget, shape: RunShape) -> Verdict:
    """Hold an estimate against a budget.

    Parameters and memory over a hard budget refuse the run; over a soft one they need a
    confirmation. Time over either needs a confirmation only: on a shared server the trainer
    itself stops every run at its time limit, so the cap holds whatever the estimate says.
    """
    refuse: list[Over] = []
    confirm: list[Over] = []
    hard = refuse if budget.hard else confirm
    if budget.max_params and est.params > budget.max_params:
        hard.append(Over("params", est.params, budget.max_params, lower_for(shape, "params", est)))
    if budget.max_bytes and est.total_bytes > budget.max_bytes:
        hard.append(Over("memory", est.total_bytes, budget.max_bytes, lower_for(shape, "memory", est)))
    if budget.max_seconds and est.seconds > budget.max_seconds:
        confirm.append(Over("time", est.seconds, budget.max_seconds, lower_for(shape, "time", est)))
    return Verdict(est, tuple(refuse), tuple(confirm))


# the model settings that make a model smaller, the most effective first (the page shows those
# its architecture has)
SIZE_SETTINGS = (
    "model.d_model",
    "model.n_enc_layers",
    "model.n_dec_layers",
    "model.n_layers",
    "model.d_ff",
    "model.hidden_size",
    "model.num_layers",
    "model.embed_dim",
)


def lower_for(shape: RunShape, what: str, est: Estimate) -> tuple[str, ...]:
    """The settings that bring ``what`` (params, memory, time) down, the most effective first."""
    if what == "params":
        return SIZE_SETTINGS
    if what == "memory":
        batch_first = est.activations > est.state_bytes
        return ("train.batch_size", *SIZE_SETTINGS) if batch_first else (*SIZE_SETTINGS, "train.batch_size")
    return ("train.epochs", *SIZE_SETTINGS)


# ---------------------------------------------------------------------------------------------
# From a run spec to its shape
# ---------------------------------------------------------------------------------------------

PADDING = 1.15  # batches trimmed to their longest example still compute ~15 % padding (sortish)


def lookup_params(model: nn.Module) -> int:
    """Parameters that are only looked up, never multiplied: embedding tables (unless tied to an
    output layer, which multiplies them at every output)."""
    from torch import nn

    table: dict[int, int] = {}
    used: set[int] = set()
    for mod in model.modules():
        is_table = isinstance(mod, nn.Embedding) or type(mod).__name__ == "TokenEmbedding"
        for name, p in mod.named_parameters(recurse=False):
            if is_table and name == "weight":
                table[id(p)] = p.numel()
            else:
                used.add(id(p))
    return sum(n for i, n in table.items() if i not in used)


def _width_layers(cfg: Any) -> tuple[int, int, int, int]:
    """(width, layers, heads, attention layers) of a model config, whatever its architecture."""
    if hasattr(cfg, "d_model"):
        enc, dec = int(getattr(cfg, "n_enc_layers", 0)), int(getattr(cfg, "n_dec_layers", 0))
        layers = int(getattr(cfg, "n_layers", 0)) or enc + dec
        return int(cfg.d_model), layers, int(cfg.n_heads), layers + dec  # a decoder layer attends twice
    bidirectional = getattr(cfg, "bidirectional", False) or getattr(cfg, "bidirectional_encoder", False)
    layers = int(getattr(cfg, "num_layers", 1))
    if hasattr(cfg, "tgt_vocab_size"):
        layers *= 2  # an encoder and a decoder
    return int(cfg.hidden_size) * (2 if bidirectional else 1), layers, 0, 0


def _counts(objective: str, split: dict[str, Any]) -> tuple[float, int, int]:
    """(real tokens per example as training counts them, padded positions, output positions)."""
    from core.models.base import PAD

    n = max(1, int(next(iter(split.values())).size(0)))
    if objective == "regress":
        T = int(split["x"].shape[1])
        return float(T), T, 1
    if objective == "classify":
        return float(split["mask"].sum()) / n, int(split["x"].shape[1]), 1
    if objective == "lm":  # an output over the vocabulary at every position
        T = int(split["x"].shape[1])
        return float(T), T, T
    T_out = int(split["tgt_out"].shape[1])
    tokens = float((split["tgt_out"] != PAD).sum()) / n
    positions = T_out
    if "src_mask" in split:
        tokens += float(split["src_mask"].sum()) / n
        positions += int(split["src_mask"].shape[1])
    return tokens, positions, T_out


def _out_size(cfg: Any) -> int:
    for name in ("tgt_vocab_size", "n_out"):
        if hasattr(cfg, name):
            return int(getattr(cfg, name))
    return 1


def shape_of(spec: RunSpec, threads: int = 1) -> RunShape:
    """The numbers of a run spec that its cost depends on; the model is built on the meta device
    (nothing allocated, whatever its size). ``threads``: torch threads the run will train with."""
    import torch

    from core.models.base import count_params
    from core.registry import build

    with torch.device("meta"):
        shell = build(spec.arch, spec.model_cfg)
    params = count_params(shell)
    compute = params - lookup_params(shell)
    objective = spec.task.objective
    if objective == "seq2seq":
        compute //= 2  # a source position passes the encoder, a target position the decoder
    train = spec.data.splits.get("train") or {}
    tokens, positions, out_positions, n_train = 1.0, 1, 1, 0
    if train:
        tokens, positions, out_positions = _counts(objective, train)
        n_train = int(next(iter(train.values())).size(0))
    trimmed = spec.train_cfg.bucket_by_length and spec.task.variable_length
    computed = min(float(positions), tokens * PADDING) if trimmed else float(positions)
    data_bytes = sum(
        t.element_size() * t.nelement() for part in spec.data.splits.values() for t in part.values()
    )
    width, layers, heads, attention_layers = _width_layers(spec.model_cfg)
    return RunShape(
        task=spec.task.name,
        arch=spec.arch,
        params=params,
        compute_params=compute,
        batch_size=int(spec.train_cfg.batch_size),
        positions=positions,
        computed=computed,
        tokens=tokens,
        width=width,
        layers=layers,
        n_train=n_train,
        epochs=int(spec.train_cfg.epochs),
        heads=heads,
        attention_layers=attention_layers,
        out_positions=out_positions if objective in ("seq2seq", "caption", "lm") else 1,
        out_size=_out_size(spec.model_cfg),
        optimizer=str(spec.train_cfg.optimizer),
        early_stopping=bool(spec.train_cfg.early_stopping),
        data_bytes=int(data_bytes),
        threads=threads,
    )


def check_params(n_params: int, limit: int, *, who: str = "") -> None:
    """Refuse a model with more than ``limit`` parameters (0 = no limit): a ConfigError that says
    how many it has and what to make smaller. The one check the trainer, the app's queue and the
    checkpoint loader all use."""
    if limit and n_params > limit:
        from core.config import ConfigError
        from core.messages import keyed

        prefix = f"{who}: " if who else ""
        raise keyed(
            ConfigError(
                f"{prefix}the model has {n_params:,} parameters, more than the limit of {limit:,}; "
                "make it smaller (hidden size, layers, d_model)"
            ),
            "limit.params",
            who=prefix,
            params=f"{n_params:,}",
            limit=f"{limit:,}",
        )
