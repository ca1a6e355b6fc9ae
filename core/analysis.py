"""Measurements behind the "insight" views: vanishing gradients, positional similarity, attention step by step.

Dimension legend: B batch, T time steps (positions), H hidden size, D d_model, h heads, d_k = D / h.

Nothing here trains a model; every function reads a model (fresh or trained) on a batch and returns
tensors the app can plot. Models are run in eval mode (no dropout) and restored to the mode they had.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.models.attention import padding_mask
from core.models.base import UNK, evaluating, task_loss
from core.models.rnn import RecurrentModel
from core.models.transformer import (
    EncoderOnlyConfig,
    TokenEmbedding,
    Transformer,
    TransformerEncoderModel,
)
from core.tasks.base import model_device, to_device
from core.text import Vocab, tokenize

# --------------------------------------------------------------------------------------------
# Vanishing gradients
# --------------------------------------------------------------------------------------------


def hidden_grad_norms(model: RecurrentModel, batch: dict[str, Tensor]) -> Tensor:
    """||dL/dh_t|| for every step t of the first recurrent layer, averaged over the batch: (T,).

    L is the model's training loss on the batch (cross-entropy for classes, MSE for numbers) and h_t
    the hidden state that the recurrence carries from step t to step t+1 (for the LSTM: h_t, not
    the memory cell C_t). This is the signal backpropagation through time sends back to step t:
    when it shrinks geometrically as t moves away from the loss, early inputs cannot be learned
    (the vanishing gradient, Bengio et al. 1994; Pascanu et al. 2013).

    How: the model's own explicit path runs with a zero probe added to h_t after every step
    (``h_offset``, which changes no number), and autograd gives dL/d(probe_t) = dL/dh_t. Each
    example's own loss is differentiated (the batch's losses are summed, not averaged), so the
    value does not depend on the batch size; a step past an example's length (padding) does not
    count in that step's average. Bidirectional models: the forward direction. No parameter's
    ``.grad`` is touched.
    """
    if not isinstance(model, RecurrentModel):
        raise TypeError(
            f"hidden_grad_norms needs a recurrent model (rnn, lstm, gru), got {type(model).__name__}"
        )
    if model.cfg.readout != "last":
        raise ValueError("hidden_grad_norms measures many-to-one models (readout 'last')")
    device = model_device(model)
    batch = to_device(batch, device)
    x = batch["x"]
    B, T = x.shape[:2]
    objective = "regress" if x.is_floating_point() else "classify"
    probe = torch.zeros(B, T, model.cfg.hidden_size, device=device, requires_grad=True)  # (B, T, H)
    with evaluating(model, grad=True):
        out = model(batch, h_offset=probe)
        loss = task_loss(objective, out.logits, batch) * B  # sum of the per-example losses
        (grad,) = torch.autograd.grad(loss, probe)  # (B, T, H) = dL/dh_t per example
    norms = grad.norm(dim=-1)  # (B, T)
    mask = batch.get("mask")
    real = mask.to(norms.dtype) if mask is not None else torch.ones_like(norms)  # (B, T)
    return ((norms * real).sum(0) / real.sum(0).clamp(min=1)).detach().cpu()  # (T,)


# --------------------------------------------------------------------------------------------
# Positional encodings
# --------------------------------------------------------------------------------------------


def positional_similarity(table: Tensor, cosine: bool = False) -> Tensor:
    """How alike the position vectors are: S[i, j] = PE_i . PE_j for a (T, D) table -> (T, T).

    With sinusoids the dot product depends only on the distance |i - j| and falls off as positions
    move apart, which is what lets attention tell near from far. ``cosine`` divides by both
    lengths (S[i, j] = cos of the angle between PE_i and PE_j, 1 on the diagonal); an all-zero row
    (no positional encoding) gives 0.
    """
    if table.dim() != 2:
        raise ValueError(f"expected a (positions, d_model) table, got shape {tuple(table.shape)}")
    P = table.detach().float()
    if cosine:
        P = F.normalize(P, dim=-1)  # rows of length 1 (zero rows stay zero)
    return P @ P.t()  # (T, T)


# --------------------------------------------------------------------------------------------
# Self-attention step by step
# --------------------------------------------------------------------------------------------


def _fresh_encoder(
    vocab_size: int, T: int, d_model: int, n_heads: int, seed: int, pos_encoding: str
) -> TransformerEncoderModel:
    """A newly initialised one-layer encoder (no dropout) to take apart; d_ff = 4 D as in the paper."""
    cfg = EncoderOnlyConfig(
        vocab_size=vocab_size,
        n_out=2,
        max_len=max(T, 1),
        d_model=d_model,
        n_heads=n_heads,
        d_ff=4 * d_model,
        n_layers=1,
        dropout=0.0,
        pos_encoding=pos_encoding,
    )
    torch.manual_seed(seed)
    return TransformerEncoderModel(cfg)


def _ids_and_tokens(inputs: str | Sequence[int] | Tensor, vocab: Vocab | None) -> tuple[list[int], list[str]]:
    """Token ids and their display names; a text is split with core.text.tokenize."""
    if isinstance(inputs, str):
        words = tokenize(inputs)
        if vocab is None:
            raise ValueError("a text needs a vocabulary to be turned into token ids")
        ids = vocab.encode(words)
        return ids, [w if i != UNK else f"{w} ({vocab.itos[UNK]})" for w, i in zip(words, ids)]
    ids = [int(i) for i in (inputs.flatten().tolist() if isinstance(inputs, Tensor) else inputs)]
    names = [vocab.itos[i] if vocab is not None and 0 <= i < len(vocab) else str(i) for i in ids]
    return ids, names


def _per_head(linear: nn.Linear, n_heads: int) -> tuple[Tensor, Tensor]:
    """A D x D projection as h matrices W_i (h, D, d_k) and biases (h, d_k), so that x W_i + b_i is head i."""
    W = linear.weight.t()  # (D_in, D_out): x @ W
    D_in, D_out = W.shape
    d_k = D_out // n_heads
    return W.reshape(D_in, n_heads, d_k).permute(1, 0, 2), linear.bias.reshape(n_heads, d_k)


def attention_pipeline(
    inputs: str | Sequence[int] | Tensor,
    d_model: int = 512,
    d_k: int = 64,
    n_heads: int = 8,
    seed: int = 0,
    model: Transformer | TransformerEncoderModel | None = None,
    vocab: Vocab | Sequence[str] | None = None,
    pos_encoding: str = "sinusoidal",
) -> dict[str, Any]:
    """Every intermediate of one self-attention layer on one sentence ("Attention Is All You Need", 3.2).

    ``inputs`` is a text (split with :func:`core.text.tokenize`) or a list of token ids. Without a
    ``model``, a freshly initialised one-layer encoder (seeded; ``d_model``, ``n_heads`` with
    d_k = d_model / n_heads, ``pos_encoding``) is taken apart, and a text gets a throwaway vocabulary
    of its own words. With a trained ``Transformer`` (its encoder) or ``TransformerEncoderModel``,
    its first encoder layer is used, its sizes override the arguments, and ``vocab`` (the
    vocabulary it was trained with, a Vocab or its list of tokens) maps words to ids (unknown
    words become <unk>).

    The numbers are those of the real modules (MultiHeadAttention.steps, run in eval mode), so
    ``output`` is exactly what the layer's attention computes. Returned (batch dimension dropped):

    tokens (list of T names), ids (T,), d_model, n_heads, d_k, scale = sqrt(D);
    embedding (T, D) rows of the embedding matrix; scaled_embedding = embedding * sqrt(D);
    positional (T, D) the rows added for positions 0..T-1 (zeros for "none");
    X (T, D) = scaled_embedding + positional, the encoder's input;
    attn_input (T, D) what attention reads: X (post-norm, the paper) or LayerNorm(X) (pre-norm);
    W_Q, W_K, W_V (h, D, d_k) and b_Q, b_K, b_V (h, d_k): head i's projections, Q_i = X W_Q_i + b_Q_i;
    Q, K, V (h, T, d_k); scores = Q K^T (h, T, T); scaled = scores / sqrt(d_k);
    weights = softmax(scaled) over the keys (h, T, T), each row sums to 1; Z = weights V (h, T, d_k);
    concat (T, D) the heads side by side; W_O (D, D), b_O (D,); output = concat W_O + b_O (T, D).

    The rest of the same layer (EncoderLayer.block_steps): norm ("post" or "pre"), d_ff;
    block {x, attn_in, attn, sum1 = x + attn, out1, ffn_in, hidden_pre, hidden, ffn, sum2, output}
    (T, D) each, hidden_pre and hidden (T, d_ff); ln_sum1 the LayerNorm that reads sum1 taken apart
    (see :func:`layer_norm_parts`; its ``out`` is out1 for post-norm, ffn_in for pre-norm); ln_sum2
    the same for sum2 (post-norm; None for pre-norm, whose layer ends with sum2);
    W_1 (D, d_ff), b_1, W_2 (d_ff, D), b_2 of the FFN; layer_output (T, D) the layer's own forward.
    """
    if vocab is not None and not isinstance(vocab, Vocab):
        vocab = Vocab.from_json(list(vocab))
    if model is None:
        if n_heads < 1 or d_k < 1 or d_model != n_heads * d_k:
            raise ValueError(
                f"d_model ({d_model}) must equal n_heads ({n_heads}) x d_k ({d_k}): each head gets "
                "d_model / n_heads dimensions"
            )
        if isinstance(inputs, str) and vocab is None:
            vocab = Vocab(dict.fromkeys(tokenize(inputs)))  # throwaway: the sentence's own words
    ids, names = _ids_and_tokens(inputs, vocab)
    if not ids:
        raise ValueError("give at least one token")
    T = len(ids)
    if model is None:
        n_tokens = max(len(vocab) if vocab is not None else 0, max(ids) + 1)
        model = _fresh_encoder(n_tokens, T, d_model, n_heads, seed, pos_encoding)
    if isinstance(model, Transformer):
        embed, feed = model.src_embed, model.embed_src
        batch_keys = ("src", "src_mask")
    elif isinstance(model, TransformerEncoderModel):
        embed, feed = model.embed, model.embed_input
        batch_keys = ("x", "mask")
    else:
        raise TypeError(
            f"attention_pipeline needs a Transformer or TransformerEncoderModel, got {type(model).__name__}"
        )
    if not isinstance(embed, TokenEmbedding):
        raise ValueError("this model reads numbers, not tokens: the pipeline starts from token embeddings")
    if max(ids) >= embed.weight.size(0) or min(ids) < 0:
        raise ValueError(f"token ids must lie in 0..{embed.weight.size(0) - 1}")
    device = embed.weight.device
    x = torch.tensor([ids], dtype=torch.long, device=device)  # (1, T)
    batch = {batch_keys[0]: x, batch_keys[1]: torch.ones_like(x, dtype=torch.bool)}
    layer = model.encoder.layers[0]
    mha = layer.self_attn
    with evaluating(model):
        E = F.embedding(x, embed.weight)[0]  # (T, D)
        P = model.pos.encoding(T)  # (T, D) or None
        X = feed(x)  # (1, T, D) the model's own input path
        attn_input = layer.attn_block.sublayer_input(X)  # (1, T, D)
        steps = model.attention_steps(batch, layer=0)  # the real MultiHeadAttention.steps
        W_Q, b_Q = _per_head(mha.W_Q, mha.n_heads)
        W_K, b_K = _per_head(mha.W_K, mha.n_heads)
        W_V, b_V = _per_head(mha.W_V, mha.n_heads)
        key_mask = padding_mask(batch[batch_keys[1]])  # (1, 1, 1, T)
        block = layer.block_steps(X, key_mask)  # the rest of the layer: Add & Norm, FFN, Add & Norm
        layer_output, _ = layer(X, key_mask)  # the layer's own forward, to check the steps against
        pre = layer.attn_block.pre
        norm_1 = layer.ffn_block.norm if pre else layer.attn_block.norm  # the LayerNorm that reads sum1
    out: dict[str, Any] = {
        "tokens": names,
        "ids": x[0].cpu(),
        "d_model": mha.d_model,
        "n_heads": mha.n_heads,
        "d_k": mha.d_k,
        "scale": embed.scale,
        "embedding": E,
        "scaled_embedding": E * embed.scale,
        "positional": P if P is not None else torch.zeros_like(E),
        "X": X[0],
        "attn_input": attn_input[0],
        "W_Q": W_Q,
        "W_K": W_K,
        "W_V": W_V,
        "b_Q": b_Q,
        "b_K": b_K,
        "b_V": b_V,
        **{k: steps[k][0] for k in ("Q", "K", "V", "scores", "scaled", "weights", "Z", "concat", "output")},
        "W_O": mha.W_O.weight.t(),
        "b_O": mha.W_O.bias,
        "norm": "pre" if pre else "post",
        "d_ff": layer.ffn.W_1.out_features,
        "block": {k: v[0] for k, v in block.items()},
        "ln_sum1": layer_norm_parts(block["sum1"][0], norm_1),
        "ln_sum2": None if pre else layer_norm_parts(block["sum2"][0], layer.ffn_block.norm),
        "W_1": layer.ffn.W_1.weight.t(),
        "b_1": layer.ffn.W_1.bias,
        "W_2": layer.ffn.W_2.weight.t(),
        "b_2": layer.ffn.W_2.bias,
        "layer_output": layer_output[0],
    }
    return _detached(out)


def _detached(value: Any) -> Any:
    """Tensors (also inside dicts) detached and on the CPU."""
    if isinstance(value, Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: _detached(v) for k, v in value.items()}
    return value


def layer_norm_parts(v: Tensor, norm: nn.LayerNorm) -> dict[str, Any]:
    """LayerNorm(v) = gamma * (v - mean) / sqrt(var + eps) + beta over the last axis, every part kept.

    v (..., D) -> v itself, mean and var (...,) (the variance divides by D, as LayerNorm does), hat (..., D)
    the normalised values, gamma and beta (D,) the layer's learned scale and shift, eps, and
    out (..., D) = what ``norm(v)`` returns.
    """
    mean = v.mean(dim=-1, keepdim=True)
    var = v.var(dim=-1, unbiased=False, keepdim=True)
    hat = (v - mean) / torch.sqrt(var + norm.eps)
    out = hat * norm.weight + norm.bias if norm.weight is not None else hat
    return {
        "v": v,
        "mean": mean.squeeze(-1),
        "var": var.squeeze(-1),
        "hat": hat,
        "gamma": norm.weight,
        "beta": norm.bias,
        "eps": float(norm.eps),
        "out": out,
    }
