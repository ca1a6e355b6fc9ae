"""Greedy and beam-search decoding for any model with the decode step interface.

The interface (see :mod:`core.models.base`) is three methods::

    state = model.encode(batch)                          # run the encoder once
    logits, state, attn = model.decode_step(state, ys)   # ys (B, t): SOS + the tokens so far
    state = model.reorder_state(state, idx)              # keep / copy batch rows (beams)

so the same functions decode a Seq2Seq (with or without attention), the image captioner and the
Transformer. PAD and SOS are never generated: their scores are set to -inf before the softmax.

Beam search follows Wu et al. 2016 (GNMT), Sec. 7: hypotheses are ranked by
``log P(Y|X) / lp(Y)`` with the length penalty ``lp(Y) = ((5 + |Y|) / 6) ** alpha``; ``|Y|``
counts the generated tokens including the final EOS. ``alpha = 0`` ranks by raw log-probability,
larger ``alpha`` favours longer outputs (a raw log-probability only falls as a sentence grows).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from core.models.base import EOS, PAD, SOS, evaluating

Batch = dict[str, Tensor]


def gnmt_length_penalty(length: int, alpha: float) -> float:
    """GNMT's lp(Y) = ((5 + |Y|) / 6) ** alpha (Wu et al. 2016, Sec. 7)."""
    return ((5.0 + length) / 6.0) ** alpha


def _log_probs(logits: Tensor) -> Tensor:
    """Log-softmax over the vocabulary with PAD and SOS forbidden.  (N, V) -> (N, V)"""
    logits = logits.float().clone()
    logits[:, PAD] = -math.inf
    logits[:, SOS] = -math.inf
    return torch.log_softmax(logits, dim=-1)


def greedy(model: nn.Module, batch: Batch, max_len: int = 50) -> tuple[Tensor, Tensor | None]:
    """Pick the most probable token at every step until every row has produced EOS.

    Returns ``tokens`` (B, T) long without the leading SOS, each row ending at its EOS and then
    PAD (T <= max_len; a row that never produces EOS is cut at max_len), and the attention weights
    (B, T, S) of each generated token over the source (zeros after EOS), or None when the model
    has no attention.
    """
    with evaluating(model):
        src = batch["src"]
        B = src.size(0)
        state = model.encode(batch)
        ys = torch.full((B, 1), SOS, dtype=torch.long, device=src.device)  # (B, 1)
        finished = torch.zeros(B, dtype=torch.bool, device=src.device)
        attns: list[Tensor] = []
        for _ in range(max_len):
            logits, state, attn = model.decode_step(state, ys)  # (B, V)
            next_tok = _log_probs(logits).argmax(dim=-1)  # (B,)
            next_tok = next_tok.masked_fill(finished, PAD)
            if attn is not None:
                attns.append(attn.float().masked_fill(finished[:, None], 0.0))  # (B, S)
            ys = torch.cat([ys, next_tok[:, None]], dim=1)
            finished = finished | (next_tok == EOS)
            if bool(finished.all()):
                break
        attention = torch.stack(attns, dim=1) if attns else None  # (B, T, S)
        return ys[:, 1:], attention


def beam_search(
    model: nn.Module,
    batch: Batch,
    beam_width: int = 4,
    max_len: int = 50,
    length_penalty: float = 0.6,
) -> list[list[dict[str, Any]]]:
    """Keep the ``beam_width`` best partial outputs at every step (GNMT-style beam search).

    At each step every live beam is extended by every token and the best ``2 * beam_width``
    extensions (by summed log-probability) are looked at in order: an extension ending in EOS
    becomes a finished hypothesis if it ranks among the first ``beam_width``; the first
    ``beam_width`` extensions that do not end in EOS become the new live beams. An example is
    done when it has ``beam_width`` finished hypotheses; at ``max_len`` the live beams are
    finished as they are (without EOS). With ``beam_width=1`` this is exactly greedy decoding.

    Returns, per example, up to ``beam_width`` hypotheses sorted best first, each a dict with
    ``tokens`` (list[int], ending with EOS when the model produced it), ``logprob`` (the summed
    log-probability), ``score`` (logprob / lp(len(tokens)), the ranking key) and ``attention``
    ((len(tokens), S) tensor, or None for models without attention).
    """
    alpha = length_penalty
    if beam_width < 1:
        raise ValueError(f"beam_width must be at least 1, got {beam_width}")
    with evaluating(model):
        device = batch["src"].device
        B, K = batch["src"].size(0), beam_width
        state = model.encode(batch)
        state = model.reorder_state(state, torch.arange(B, device=device).repeat_interleave(K))  # B*K rows
        ys = torch.full((B * K, 1), SOS, dtype=torch.long, device=device)  # (B*K, t)
        beam_lp = torch.full((B, K), -math.inf, device=device)
        beam_lp[:, 0] = 0.0  # only the first beam is real at the start
        hist: Tensor | None = None  # attention history (B*K, t, S)
        finished: list[list[dict[str, Any]]] = [[] for _ in range(B)]
        done = [False] * B

        def finish(row: int, tokens: list[int], logprob: float, b: int) -> None:
            attention = hist[row, : len(tokens)].clone() if hist is not None else None
            score = logprob / gnmt_length_penalty(len(tokens), alpha)
            finished[b].append({"tokens": tokens, "score": score, "logprob": logprob, "attention": attention})

        for t in range(max_len):
            logits, state, attn = model.decode_step(state, ys)
            logp = _log_probs(logits)  # (B*K, V)
            V = logp.size(-1)
            if attn is not None:
                step_attn = attn.float()[:, None, :]  # (B*K, 1, S)
                hist = step_attn if hist is None else torch.cat([hist, step_attn], dim=1)
            cand = (beam_lp[:, :, None] + logp.view(B, K, V)).view(B, K * V)  # (B, K*V)
            top_lp, top_i = cand.topk(min(2 * K, K * V), dim=1)  # (B, 2K) best extensions
            top_lp_l, top_i_l = top_lp.tolist(), top_i.tolist()
            # the new live beams: which old beam each extends, the added token, the log-prob so far
            origin = [[0] * K for _ in range(B)]
            new_tok = [[PAD] * K for _ in range(B)]
            new_lp = [[-math.inf] * K for _ in range(B)]
            for b in range(B):
                if done[b]:
                    continue
                n_live = 0
                for rank, (lp, flat) in enumerate(zip(top_lp_l[b], top_i_l[b])):
                    if lp == -math.inf or n_live == K:
                        break
                    k, tok = divmod(flat, V)
                    if tok == EOS:
                        if rank < K:
                            row = b * K + k
                            finish(row, ys[row, 1:].tolist() + [EOS], lp, b)
                        continue
                    origin[b][n_live], new_tok[b][n_live], new_lp[b][n_live] = k, tok, lp
                    n_live += 1
                if len(finished[b]) >= K or n_live == 0:
                    done[b] = True
            if all(done):
                break
            idx = torch.tensor([b * K + k for b in range(B) for k in origin[b]], device=device)  # (B*K,)
            state = model.reorder_state(state, idx)
            ys = torch.cat([ys[idx], torch.tensor(new_tok, device=device).view(-1, 1)], dim=1)
            if hist is not None:
                hist = hist[idx]
            beam_lp = torch.tensor(new_lp, device=device)
            if t == max_len - 1:  # out of steps: the live beams finish without EOS
                for b in range(B):
                    for k in range(K):
                        if not done[b] and new_lp[b][k] > -math.inf:
                            finish(b * K + k, ys[b * K + k, 1:].tolist(), new_lp[b][k], b)
        return [sorted(f, key=lambda h: h["score"], reverse=True)[:K] for f in finished]
