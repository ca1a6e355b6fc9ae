"""The one result shape every model returns, and the batch keys every model reads.

Batches are plain ``dict[str, Tensor]``; the keys depend on the task *objective*:

=========  ==================================================================================
objective  keys
=========  ==================================================================================
classify   ``x`` (B, T) long token ids (PAD = 0), ``mask`` (B, T) bool (True = real token),
           ``y`` (B,) long class ids
regress    ``x`` (B, T, F) float features, ``y`` (B, n_out) float targets (no mask)
seq2seq    ``src`` (B, S) long, ``src_mask`` (B, S) bool, ``tgt_in`` (B, T) long starting with
           SOS, ``tgt_out`` (B, T) long ending with EOS then PAD (teacher forcing streams)
caption    ``src`` (B, C, Hi, Wi) float image, ``tgt_in`` / ``tgt_out`` as for seq2seq
=========  ==================================================================================

Every model's ``forward(batch, *, teacher_forcing=1.0, record=False)`` returns a
:class:`ModelOutput`. ``record=True`` asks recurrent models to run their explicit cells and return
per-step hidden states and gate activations (for the "look inside" views).

Models whose objective is seq2seq and caption also implement the step interface used by
:mod:`core.decode`::

    state = model.encode(batch)                      # dict[str, Tensor]
    logits, state, attn = model.decode_step(state, ys)   # ys (B, t) long prefix, logits (B, V),
                                                         # attn (B, S) or None
    state = model.reorder_state(state, idx)          # idx (B',) long: beam bookkeeping
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor

PAD, SOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ("<pad>", "<sos>", "<eos>", "<unk>")

OBJECTIVES = ("classify", "regress", "seq2seq", "caption", "lm")


@dataclass
class ModelOutput:
    """What every model returns.

    logits: (B, n_out) for classify/regress, (B, T, V) for seq2seq/caption and lm (the next token
        at every step).
    attention: name -> weights (L, B, h, Tq, Tk), L layers and h heads (1 and 1 for Seq2Seq
        attention). Names: "enc_self", "dec_self", "cross" (seq2seq), "self" (encoder-only).
    states: (L, dirs, B, T, H) hidden states of the explicit recurrent path, when recorded.
    gates: gate name -> (L, dirs, B, T, H) activations, when recorded (LSTM: i, f, g, o, c;
        GRU: r, z, n).
    """

    logits: Tensor
    attention: dict[str, Tensor] = field(default_factory=dict)
    states: Tensor | None = None
    gates: dict[str, Tensor] = field(default_factory=dict)


def task_loss(
    objective: str, logits: Tensor, batch: dict[str, Tensor], label_smoothing: float = 0.0
) -> Tensor:
    """The training loss for a task objective: cross-entropy (classify, sequences, PAD ignored) or MSE."""
    if objective == "regress":
        return F.mse_loss(logits, batch["y"])
    if objective == "classify":
        return F.cross_entropy(logits, batch["y"], label_smoothing=label_smoothing)
    if objective in ("seq2seq", "caption"):
        V = logits.size(-1)
        return F.cross_entropy(
            logits.reshape(-1, V),
            batch["tgt_out"].reshape(-1),
            ignore_index=PAD,
            label_smoothing=label_smoothing,
        )
    if objective == "lm":  # next-token prediction at every step: x (B, T) -> y (B, T), x shifted by one
        V = logits.size(-1)
        return F.cross_entropy(
            logits.reshape(-1, V), batch["y"].reshape(-1), ignore_index=PAD, label_smoothing=label_smoothing
        )
    raise ValueError(f"unknown task objective {objective!r}; valid objectives: {', '.join(OBJECTIVES)}")


def count_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@contextmanager
def evaluating(model: torch.nn.Module, *, grad: bool = False) -> Iterator[torch.nn.Module]:
    """``model`` in eval mode (dropout off) and, unless ``grad``, without gradients; on exit it is
    back in the mode it was in (a model being trained stays in training mode)."""
    was_training = model.training
    model.eval()
    try:
        with torch.set_grad_enabled(grad):
            yield model
    finally:
        model.train(was_training)
