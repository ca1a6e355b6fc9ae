"""Evaluating a model that writes token sequences (translation, captioning): greedy outputs for a
whole split, and the metrics of :mod:`core.seqmetrics` on them.

:mod:`core.seqmetrics` scores token lists (pure functions, no model); this module runs the model
to get those lists. Both work on tokens: what a reader sees (Korean particles attached to their
word, see :func:`core.tasks.grammar.join_tokens`) is for display only and never scored.
"""

from __future__ import annotations

from torch import nn

from core.decode import greedy
from core.models.base import evaluating, task_loss
from core.seqmetrics import bleu, exact_match, token_counts
from core.tasks.base import Batch, DataError, iterate, model_device, split_size, to_device
from core.text import Vocab

EVAL_BATCH = 256


def generate(
    model: nn.Module, split: Batch, tgt_vocab: Vocab, max_len: int
) -> tuple[list[list[str]], dict[str, float]]:
    """Greedy outputs (token lists, up to EOS) for every row of a split, plus the teacher-forced
    loss (token-weighted mean) and token accuracy. Eval mode and no_grad; the mode is restored."""
    objective = "seq2seq" if "src_mask" in split else "caption"
    device = model_device(model)
    hyps: list[list[str]] = []
    loss_sum, correct, total = 0.0, 0, 0
    with evaluating(model):
        for batch in iterate(split, EVAL_BATCH):
            batch = to_device(batch, device)
            out = model(batch)
            c, n = token_counts(out.logits, batch["tgt_out"])
            loss_sum += float(task_loss(objective, out.logits, batch)) * n
            correct, total = correct + c, total + n
            tokens, _ = greedy(model, batch, max_len)  # (B, T') ids
            hyps += [tgt_vocab.decode(row) for row in tokens.cpu().tolist()]
    stats = {"loss": loss_sum / max(total, 1), "token_accuracy": correct / max(total, 1)}
    return hyps, stats


def sequence_metrics(
    model: nn.Module, split: Batch, references: list[list[str]], tgt_vocab: Vocab
) -> dict[str, float]:
    """loss, token_accuracy, exact_match and bleu of greedy outputs against ``references``."""
    if split_size(split) == 0:
        raise DataError("this split is empty (a restored task has no data to evaluate on)")
    hyps, stats = generate(model, split, tgt_vocab, max_len=split["tgt_out"].size(1))
    return {**stats, "exact_match": exact_match(hyps, references), "bleu": bleu(hyps, references)}
