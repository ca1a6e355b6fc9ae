"""Attention checked against torch's own implementations and against the equations written out."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core.models.attention import (
    AdditiveAttention,
    MultiHeadAttention,
    MultiplicativeAttention,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)

ATOL = 1e-5


def _qkv(B: int = 2, h: int = 3, Tq: int = 5, Tk: int = 6, d_k: int = 4, d_v: int = 7, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(B, h, Tq, d_k, generator=g),
        torch.randn(B, h, Tk, d_k, generator=g),
        torch.randn(B, h, Tk, d_v, generator=g),
    )


KEY_MASK = torch.tensor([[True] * 6, [True, True, True, False, False, False]])  # (B=2, Tk=6)


def test_masks_shapes_and_values():
    assert padding_mask(KEY_MASK).shape == (2, 1, 1, 6)
    assert torch.equal(padding_mask(KEY_MASK)[1, 0, 0], KEY_MASK[1])
    c = causal_mask(4)
    assert c.shape == (4, 4) and c.dtype == torch.bool
    assert torch.equal(
        c, torch.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]], dtype=torch.bool)
    )


def test_sdpa_matches_torch_without_mask():
    Q, K, V = _qkv()
    Z, weights = scaled_dot_product_attention(Q, K, V)
    torch.testing.assert_close(Z, F.scaled_dot_product_attention(Q, K, V), atol=ATOL, rtol=0)
    by_hand = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)
    torch.testing.assert_close(weights, by_hand, atol=ATOL, rtol=0)


def test_sdpa_matches_torch_with_padding_mask():
    Q, K, V = _qkv()
    mask = padding_mask(KEY_MASK)  # (2, 1, 1, 6)
    Z, weights = scaled_dot_product_attention(Q, K, V, mask)
    torch.testing.assert_close(Z, F.scaled_dot_product_attention(Q, K, V, attn_mask=mask), atol=ATOL, rtol=0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5), atol=ATOL, rtol=0)
    assert torch.all(weights[1, :, :, 3:] == 0)  # padded keys get exactly zero weight
    assert torch.all(weights[1, :, :, :3] > 0)


def test_sdpa_matches_torch_with_causal_mask():
    Q, K, V = _qkv(Tq=6, Tk=6)
    mask = causal_mask(6)
    Z, weights = scaled_dot_product_attention(Q, K, V, mask)
    torch.testing.assert_close(Z, F.scaled_dot_product_attention(Q, K, V, is_causal=True), atol=ATOL, rtol=0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 6), atol=ATOL, rtol=0)
    assert torch.all(weights.masked_select(~mask) == 0)  # nothing above the diagonal


def test_sdpa_fully_masked_row_gives_zeros_not_nan():
    Q, K, V = _qkv(Tq=3, Tk=4)
    mask = torch.tensor(
        [[True, True, False, False], [False, False, False, False], [True, False, False, False]]
    )
    Q.requires_grad_(True)
    Z, weights = scaled_dot_product_attention(Q, K, V, mask)
    assert not torch.isnan(Z).any() and not torch.isnan(weights).any()
    assert torch.all(weights[:, :, 1] == 0) and torch.all(Z[:, :, 1] == 0)
    torch.testing.assert_close(weights[:, :, 2, 0], torch.ones(2, 3))
    Z.sum().backward()
    assert torch.isfinite(Q.grad).all()


def test_sdpa_dropout_only_in_training_and_weights_stay_normalised():
    Q, K, V = _qkv()
    Z_eval, _ = scaled_dot_product_attention(Q, K, V, dropout_p=0.5, training=False)
    torch.testing.assert_close(Z_eval, scaled_dot_product_attention(Q, K, V)[0])
    torch.manual_seed(0)
    Z_train, weights = scaled_dot_product_attention(Q, K, V, dropout_p=0.5, training=True)
    assert not torch.allclose(Z_train, Z_eval)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5), atol=ATOL, rtol=0)


def test_sdpa_rejects_float_mask():
    Q, K, V = _qkv()
    with pytest.raises(TypeError, match="bool"):
        scaled_dot_product_attention(Q, K, V, torch.zeros(5, 6))


def _torch_mha_copy(mha: MultiHeadAttention) -> nn.MultiheadAttention:
    ref = nn.MultiheadAttention(mha.d_model, mha.n_heads, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([mha.W_Q.weight, mha.W_K.weight, mha.W_V.weight]))
        ref.in_proj_bias.copy_(torch.cat([mha.W_Q.bias, mha.W_K.bias, mha.W_V.bias]))
        ref.out_proj.weight.copy_(mha.W_O.weight)
        ref.out_proj.bias.copy_(mha.W_O.bias)
    return ref.eval()


def test_multihead_matches_torch_self_attention_with_padding_and_causal_masks():
    torch.manual_seed(0)
    mha = MultiHeadAttention(d_model=16, n_heads=4).eval()
    ref = _torch_mha_copy(mha)
    x = torch.randn(2, 6, 16)
    mask = causal_mask(6) & padding_mask(KEY_MASK)  # (2, 1, 6, 6)
    out, weights = mha(x, x, x, mask)
    ref_out, ref_w = ref(x, x, x, key_padding_mask=~KEY_MASK, attn_mask=~causal_mask(6))
    assert out.shape == (2, 6, 16) and weights.shape == (2, 4, 6, 6)
    torch.testing.assert_close(out, ref_out, atol=ATOL, rtol=0)
    torch.testing.assert_close(weights.mean(dim=1), ref_w, atol=ATOL, rtol=0)


def test_multihead_matches_torch_cross_attention():
    torch.manual_seed(1)
    mha = MultiHeadAttention(d_model=12, n_heads=3).eval()
    ref = _torch_mha_copy(mha)
    q, kv = torch.randn(2, 4, 12), torch.randn(2, 6, 12)
    out, weights = mha(q, kv, kv, padding_mask(KEY_MASK))
    ref_out, ref_w = ref(q, kv, kv, key_padding_mask=~KEY_MASK)
    assert weights.shape == (2, 3, 4, 6)
    torch.testing.assert_close(out, ref_out, atol=ATOL, rtol=0)
    torch.testing.assert_close(weights.mean(dim=1), ref_w, atol=ATOL, rtol=0)
    ref_heads = ref(q, kv, kv, key_padding_mask=~KEY_MASK, average_attn_weights=False)[1]
    torch.testing.assert_close(weights, ref_heads, atol=ATOL, rtol=0)


def test_multihead_steps_equal_forward_and_the_equations():
    torch.manual_seed(2)
    mha = MultiHeadAttention(d_model=8, n_heads=2).eval()
    x = torch.randn(2, 6, 8)
    mask = padding_mask(KEY_MASK)
    s = mha.steps(x, mask)
    out, weights = mha(x, x, x, mask)
    torch.testing.assert_close(s["output"], out, atol=0, rtol=0)
    torch.testing.assert_close(s["weights"], weights, atol=0, rtol=0)
    assert s["Q"].shape == s["K"].shape == s["V"].shape == s["Z"].shape == (2, 2, 6, 4)
    # head 1 of Q is columns 4..7 of x W_Q^T + b
    torch.testing.assert_close(s["Q"][:, 1], mha.W_Q(x)[..., 4:8])
    torch.testing.assert_close(s["scores"], s["Q"] @ s["K"].transpose(-2, -1))
    torch.testing.assert_close(s["scaled"], s["scores"] / 2.0)  # sqrt(d_k) = sqrt(4)
    torch.testing.assert_close(s["Z"], s["weights"] @ s["V"])
    torch.testing.assert_close(s["concat"], torch.cat([s["Z"][:, 0], s["Z"][:, 1]], dim=-1))
    torch.testing.assert_close(s["output"], mha.W_O(s["concat"]))


def test_multihead_rejects_indivisible_heads():
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)


def test_additive_attention_equals_the_formula():
    torch.manual_seed(3)
    att = AdditiveAttention(query_dim=5, key_dim=7, attn_dim=4)
    q, keys, values = torch.randn(2, 5), torch.randn(2, 6, 7), torch.randn(2, 6, 3)
    context, weights = att(q, keys, values, KEY_MASK)
    assert context.shape == (2, 3) and weights.shape == (2, 6)
    W_q, W_k, v = att.W_q.weight, att.W_k.weight, att.v.weight[0]
    for b in range(2):
        n = int(KEY_MASK[b].sum())
        e = torch.stack([v @ torch.tanh(W_q @ q[b] + W_k @ keys[b, j]) for j in range(n)])
        a = torch.softmax(e, dim=0)
        torch.testing.assert_close(weights[b, :n], a, atol=ATOL, rtol=0)
        assert torch.all(weights[b, n:] == 0)
        torch.testing.assert_close(context[b], (a[:, None] * values[b, :n]).sum(0), atol=ATOL, rtol=0)


@pytest.mark.parametrize("score", ["dot", "general"])
def test_multiplicative_attention_equals_the_formula(score):
    torch.manual_seed(4)
    att = MultiplicativeAttention(query_dim=5, key_dim=5, score=score)
    q, keys, values = torch.randn(2, 5), torch.randn(2, 6, 5), torch.randn(2, 6, 3)
    context, weights = att(q, keys, values, KEY_MASK)
    W_a = att.W_a.weight if score == "general" else torch.eye(5)  # (Hq, Hk)
    for b in range(2):
        n = int(KEY_MASK[b].sum())
        e = torch.stack([q[b] @ W_a @ keys[b, j] for j in range(n)])
        a = torch.softmax(e, dim=0)
        torch.testing.assert_close(weights[b, :n], a, atol=ATOL, rtol=0)
        assert torch.all(weights[b, n:] == 0)
        torch.testing.assert_close(context[b], a @ values[b, :n], atol=ATOL, rtol=0)
    assert sum(p.numel() for p in att.parameters()) == (25 if score == "general" else 0)


def test_multiplicative_general_handles_different_sizes_and_no_mask():
    att = MultiplicativeAttention(query_dim=4, key_dim=6, score="general")
    context, weights = att(torch.randn(3, 4), torch.randn(3, 5, 6), torch.randn(3, 5, 2))
    assert context.shape == (3, 2)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3))


def test_multiplicative_rejects_bad_settings():
    with pytest.raises(ValueError, match="query_dim == key_dim"):
        MultiplicativeAttention(4, 6, score="dot")
    with pytest.raises(ValueError, match="general, dot"):
        MultiplicativeAttention(4, 4, score="concat")


def test_seq2seq_attention_fully_masked_row_is_zero():
    att = AdditiveAttention(3, 3, 4)
    mask = torch.tensor([[True, True], [False, False]])
    context, weights = att(torch.randn(2, 3), torch.randn(2, 2, 3), torch.randn(2, 2, 3), mask)
    assert torch.all(weights[1] == 0) and torch.all(context[1] == 0)
    assert not torch.isnan(context).any()
