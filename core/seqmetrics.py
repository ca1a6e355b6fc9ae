"""Metrics for generated token sequences: BLEU, exact match, token accuracy (pure functions).

Sequences are lists of tokens (strings); a hypothesis is what the model wrote (up to, not
including, EOS), a reference is the gold target.

- BLEU (Papineni et al., 2002): geometric mean of modified 1..4-gram precisions times a
  brevity penalty, computed with sacrebleu on space-joined tokens and ``tokenize="none"``, so the
  tokens scored are exactly the tokens the model produced (this matters for Korean, whose
  particles are separate tokens here). Reported on sacrebleu's 0..100 scale.
- exact match: share of hypotheses equal to their reference token for token.
- token accuracy: teacher-forced next-token accuracy, argmax of the logits vs the target at
  every non-PAD position.
"""

from __future__ import annotations

from collections.abc import Sequence

from sacrebleu.metrics import BLEU
from torch import Tensor

from core.models.base import PAD

Tokens = Sequence[str]
References = Sequence[Tokens] | Sequence[Sequence[Tokens]]


def _is_multi(ref: Tokens | Sequence[Tokens]) -> bool:
    return len(ref) > 0 and not isinstance(ref[0], str)


def _ref_streams(references: References) -> list[list[str]]:
    """sacrebleu wants one stream (list of strings) per reference *position*."""
    multi = [list(r) if _is_multi(r) else [r] for r in references]  # per hypothesis: its references
    n_refs = max((len(r) for r in multi), default=1)
    streams: list[list[str]] = []
    for k in range(n_refs):
        # a hypothesis with fewer references repeats its last one (sacrebleu needs full streams)
        streams.append([" ".join(r[min(k, len(r) - 1)]) for r in multi])
    return streams


def bleu(hypotheses: Sequence[Tokens], references: References) -> float:
    """Corpus BLEU (0..100) of token lists against one reference (a token list) or several
    references (a list of token lists) per hypothesis."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not hypotheses:
        return 0.0
    metric = BLEU(tokenize="none", force=True)
    return float(metric.corpus_score([" ".join(h) for h in hypotheses], _ref_streams(references)).score)


def sentence_bleu(hypothesis: Tokens, reference: Tokens | Sequence[Tokens]) -> float:
    """BLEU (0..100) of one sentence, with sacrebleu's default exponential smoothing so that a
    short sentence without a matching 4-gram does not score exactly 0."""
    refs = [list(r) for r in reference] if _is_multi(reference) else [list(reference)]
    metric = BLEU(tokenize="none", effective_order=True)
    return float(metric.sentence_score(" ".join(hypothesis), [" ".join(r) for r in refs]).score)


def exact_match(hypotheses: Sequence[Tokens], references: Sequence[Tokens]) -> float:
    """Share (0..1) of hypotheses identical to their reference."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not hypotheses:
        return 0.0
    return sum(list(h) == list(r) for h, r in zip(hypotheses, references)) / len(hypotheses)


def token_counts(logits: Tensor, targets: Tensor, pad: int = PAD) -> tuple[int, int]:
    """(correct, total) next-token predictions: argmax of logits (B, T, V) vs targets (B, T),
    counted where the target is not PAD."""
    keep = targets != pad  # (B, T)
    correct = (logits.argmax(-1) == targets) & keep
    return int(correct.sum()), int(keep.sum())


def token_accuracy(logits: Tensor, targets: Tensor, pad: int = PAD) -> float:
    """Teacher-forced token accuracy (0..1) over non-PAD target positions."""
    correct, total = token_counts(logits, targets, pad)
    return correct / total if total else 0.0


def length_buckets(lengths: Sequence[int], width: int = 2) -> list[tuple[int, int]]:
    """Consecutive (lo, hi) length ranges of ``width`` covering ``lengths`` (inclusive bounds)."""
    if not lengths:
        return []
    lo, hi = min(lengths), max(lengths)
    return [(a, min(a + width - 1, hi)) for a in range(lo, hi + 1, width)]


def exact_match_by_length(
    hypotheses: Sequence[Tokens], references: Sequence[Tokens], lengths: Sequence[int], width: int = 2
) -> list[dict[str, float | int | str]]:
    """Exact match and BLEU per bucket of ``lengths`` (usually source lengths): a list of
    {"bucket": "5-6", "lo", "hi", "n", "exact_match", "bleu"} rows, shortest first; empty
    buckets are left out."""
    rows: list[dict[str, float | int | str]] = []
    for lo, hi in length_buckets(lengths, width):
        idx = [i for i, n in enumerate(lengths) if lo <= n <= hi]
        if not idx:
            continue
        hyps = [hypotheses[i] for i in idx]
        refs = [references[i] for i in idx]
        rows.append(
            {
                "bucket": f"{lo}" if lo == hi else f"{lo}-{hi}",
                "lo": lo,
                "hi": hi,
                "n": len(idx),
                "exact_match": exact_match(hyps, refs),
                "bleu": bleu(hyps, refs),
            }
        )
    return rows
