"""Attention: the scaled dot-product function, multi-head attention, and the Seq2Seq scores.

Dimension legend:
    B batch, Tq query positions, Tk key positions, S source length, D d_model, h heads,
    d_k = d_v = D / h (per-head size), Hq / Hk / Hv query / key / value sizes of Seq2Seq attention.

Masks are boolean and say where attention is *allowed*: True = this query may look at this key.
A masked key gets weight exactly 0. A query row with no allowed key at all gets all-zero weights
(and so a zero output) instead of the NaN that softmax over nothing but -inf would give.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def masked_softmax(scores: Tensor, mask: Tensor | None = None) -> Tensor:
    """Softmax over the last axis (the keys) with masked keys set to -inf first, so their weight is 0.

    scores (..., Tq, Tk); mask bool broadcastable to it, True = may attend. Fully masked rows -> zeros.
    """
    if mask is None:
        return torch.softmax(scores, dim=-1)
    if mask.dtype != torch.bool:
        raise TypeError(f"attention masks must be bool (True = may attend), got {mask.dtype}")
    scores = scores.masked_fill(~mask, float("-inf"))
    empty = ~mask.any(dim=-1, keepdim=True)  # rows with nothing to attend to
    weights = torch.softmax(scores.masked_fill(empty, 0.0), dim=-1)
    return weights.masked_fill(empty, 0.0)


def attention_steps(
    Q: Tensor,
    K: Tensor,
    V: Tensor,
    mask: Tensor | None = None,
    dropout_p: float = 0.0,
    training: bool = False,
) -> dict[str, Tensor]:
    """Scaled dot-product attention, keeping every intermediate (for the step-by-step view).

    Returns scores = Q K^T, scaled = scores / sqrt(d_k), weights = softmax(scaled) over the keys
    (before dropout, so each row sums to 1), and Z = dropout(weights) V.
    """
    d_k = Q.size(-1)
    scores = Q @ K.transpose(-2, -1)  # (..., Tq, Tk)
    scaled = scores / math.sqrt(d_k)
    weights = masked_softmax(scaled, mask)  # (..., Tq, Tk)
    Z = F.dropout(weights, dropout_p, training) @ V  # (..., Tq, d_v)
    return {"scores": scores, "scaled": scaled, "weights": weights, "Z": Z}


def scaled_dot_product_attention(
    Q: Tensor,
    K: Tensor,
    V: Tensor,
    mask: Tensor | None = None,
    dropout_p: float = 0.0,
    training: bool = False,
) -> tuple[Tensor, Tensor]:
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V  ("Attention Is All You Need", Eq. 1).

    Q (..., Tq, d_k), K (..., Tk, d_k), V (..., Tk, d_v); mask bool broadcastable to (..., Tq, Tk),
    True = may attend. Returns Z (..., Tq, d_v) and the weights (..., Tq, Tk) before dropout.
    """
    s = attention_steps(Q, K, V, mask, dropout_p, training)
    return s["Z"], s["weights"]


def padding_mask(key_mask: Tensor) -> Tensor:
    """(B, Tk) bool, True = real token -> (B, 1, 1, Tk): every head and query may look at real keys only."""
    return key_mask[:, None, None, :]


def causal_mask(T: int, device: torch.device | str | None = None) -> Tensor:
    """(T, T) lower-triangular bool: position t may attend to positions 0..t, never to the future."""
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


class MultiHeadAttention(nn.Module):
    """MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W_O, head_i = Attention(Q W_Q_i, K W_K_i, V W_V_i).

    The h projections of size d_k = D / h are computed as one D x D matrix each (W_Q, W_K, W_V) and
    then split into heads, which is the same as h separate D x d_k matrices ("Attention Is All You
    Need", section 3.2.2).
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        self.d_model, self.n_heads, self.d_k = d_model, n_heads, d_model // n_heads
        self.dropout = dropout
        self.W_Q = nn.Linear(d_model, d_model)
        self.W_K = nn.Linear(d_model, d_model)
        self.W_V = nn.Linear(d_model, d_model)
        self.W_O = nn.Linear(d_model, d_model)

    def split_heads(self, x: Tensor) -> Tensor:
        """(B, T, D) -> (B, h, T, d_k)."""
        B, T, _ = x.shape
        return x.view(B, T, self.n_heads, self.d_k).transpose(1, 2)

    def _attend(self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> dict[str, Tensor]:
        """Every step of multi-head attention; forward and steps both run this."""
        Q = self.split_heads(self.W_Q(q))  # (B, h, Tq, d_k)
        K = self.split_heads(self.W_K(k))  # (B, h, Tk, d_k)
        V = self.split_heads(self.W_V(v))  # (B, h, Tk, d_k)
        s = attention_steps(Q, K, V, mask, self.dropout, self.training)
        B, _, Tq, _ = s["Z"].shape
        concat = s["Z"].transpose(1, 2).reshape(B, Tq, self.d_model)  # (B, Tq, D)
        return {"Q": Q, "K": K, "V": V, **s, "concat": concat, "output": self.W_O(concat)}

    def forward(self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """q (B, Tq, D), k and v (B, Tk, D), mask bool broadcastable to (B, h, Tq, Tk).

        Returns the output (B, Tq, D) and the attention weights of every head (B, h, Tq, Tk).
        """
        s = self._attend(q, k, v, mask)
        return s["output"], s["weights"]

    def steps(self, x: Tensor, mask: Tensor | None = None) -> dict[str, Tensor]:
        """Self-attention on x (B, T, D) with every intermediate, computed exactly as forward does.

        Keys: Q, K, V (B, h, T, d_k); scores = Q K^T, scaled = scores / sqrt(d_k), weights
        (B, h, T, T); Z (B, h, T, d_k) per head; concat (B, T, D); output = concat W_O (B, T, D).
        """
        return self._attend(x, x, x, mask)


def _read_out(scores: Tensor, values: Tensor, key_mask: Tensor | None) -> tuple[Tensor, Tensor]:
    """scores (B, S) -> weights = softmax over the unmasked keys (B, S), context = sum_j w_j v_j (B, Hv)."""
    weights = masked_softmax(scores, key_mask)
    context = (weights.unsqueeze(1) @ values).squeeze(1)  # (B, 1, S) @ (B, S, Hv) -> (B, Hv)
    return context, weights


class AdditiveAttention(nn.Module):
    """Bahdanau attention: score(q, k_j) = v^T tanh(W_q q + W_k k_j)  (Bahdanau et al. 2015, Eq. 6).

    The query (a decoder state) and each key (an encoder state) are projected to attn_dim, added,
    squashed with tanh and read out by the vector v, so query and keys may have different sizes.
    """

    def __init__(self, query_dim: int, key_dim: int, attn_dim: int):
        super().__init__()
        self.W_q = nn.Linear(query_dim, attn_dim, bias=False)
        self.W_k = nn.Linear(key_dim, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(
        self, query: Tensor, keys: Tensor, values: Tensor, key_mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """query (B, Hq), keys (B, S, Hk), values (B, S, Hv), key_mask (B, S) True = real.

        Returns the context vector (B, Hv) and the attention weights (B, S).
        """
        features = torch.tanh(self.W_q(query).unsqueeze(1) + self.W_k(keys))  # (B, S, attn_dim)
        scores = self.v(features).squeeze(-1)  # (B, S)
        return _read_out(scores, values, key_mask)


class MultiplicativeAttention(nn.Module):
    """Luong attention: score(q, k_j) = q^T k_j ("dot") or q^T W_a k_j ("general")  (Luong et al. 2015).

    "dot" has no parameters and needs query_dim == key_dim; "general" learns W_a (Hq x Hk).
    """

    SCORES = ("general", "dot")

    def __init__(self, query_dim: int, key_dim: int, score: str = "general"):
        super().__init__()
        if score not in self.SCORES:
            raise ValueError(f"unknown Luong score {score!r}; valid scores: {', '.join(self.SCORES)}")
        if score == "dot" and query_dim != key_dim:
            raise ValueError(f"dot attention needs query_dim == key_dim, got {query_dim} and {key_dim}")
        self.score = score
        self.W_a = nn.Linear(key_dim, query_dim, bias=False) if score == "general" else None

    def forward(
        self, query: Tensor, keys: Tensor, values: Tensor, key_mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """query (B, Hq), keys (B, S, Hk), values (B, S, Hv), key_mask (B, S) True = real.

        Returns the context vector (B, Hv) and the attention weights (B, S).
        """
        if self.W_a is not None:
            keys = self.W_a(keys)  # (B, S, Hq)
        scores = (keys @ query.unsqueeze(-1)).squeeze(-1)  # (B, S)
        return _read_out(scores, values, key_mask)
