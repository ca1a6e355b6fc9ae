"""The Transformer of "Attention Is All You Need" (Vaswani et al. 2017), and an encoder-only variant.

Dimension legend:
    B batch, S source length, T target length (or input length for the encoder-only model),
    F input features, D d_model, h heads, d_k = D / h, d_ff inner size of the FFN, L layers,
    V vocabulary size.

Each module is one equation of the paper:
    TokenEmbedding       Embedding(ids) * sqrt(D)                       (section 3.4)
    PositionalEncoding   x + PE[:T]                                     (section 3.5, positional.py)
    MultiHeadAttention   Concat(head_1..head_h) W_O                     (section 3.2.2, attention.py)
    PositionwiseFFN      max(0, x W_1 + b_1) W_2 + b_2                  (Eq. 2)
    SublayerConnection   LayerNorm(x + Sublayer(x))                     (section 3.1)
    EncoderLayer         self-attention, then FFN
    DecoderLayer         masked self-attention, cross-attention, then FFN
    TransformerLM        decoder-only: masked self-attention and FFN, no encoder (a language model)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.config import ConfigError, param
from core.models.attention import MultiHeadAttention, causal_mask, padding_mask
from core.models.base import ModelOutput
from core.models.positional import POSITIONAL_KINDS, PositionalEncoding
from core.models.words import BagOfNgrams, n_grams_param, vectors_dim_param, vectors_projection
from core.registry import MANY_TO_ONE, Arch

NORMS = ("post", "pre")
POOLINGS = ("mean", "first", "last")

_HELP_D_MODEL = (
    "Size of every token vector inside the model (d_model); must be divisible by the number of heads."
)
_HELP_HEADS = (
    "Attention heads per layer; each head looks with its own d_model/heads-sized Q, K, V projections."
)
_HELP_D_FF = "Inner size of the position-wise feed-forward network (the paper uses 4 x d_model)."
_HELP_DROPOUT = "Dropout on embeddings, attention weights and every sub-layer output during training."
_HELP_POS = "How positions are encoded: fixed sine/cosine waves, a learned vector per position, or nothing."
_HELP_NORM = (
    "Where LayerNorm sits: 'post' = LayerNorm(x + Sublayer(x)) as in the paper; "
    "'pre' = x + Sublayer(LayerNorm(x)), which trains more easily without learning-rate warm-up."
)


def _check_heads(d_model: int, n_heads: int) -> None:
    if d_model % n_heads:
        raise ConfigError(
            f"d_model ({d_model}) must be divisible by n_heads ({n_heads}): each head gets d_model/n_heads dimensions"
        )


@dataclass(frozen=True)
class TransformerConfig:
    src_vocab_size: int = param(
        64, lo=4, hi=100000, data=True, help="Source vocabulary size (from the data)."
    )
    tgt_vocab_size: int = param(
        64, lo=4, hi=100000, data=True, help="Target vocabulary size (from the data)."
    )
    max_len: int = param(
        64,
        lo=2,
        hi=4096,
        data=True,
        help="Longest sequence (in tokens) the positional table covers (from the data).",
    )
    d_model: int = param(64, lo=8, hi=1024, step=8, help=_HELP_D_MODEL)
    n_heads: int = param(4, lo=1, hi=16, help=_HELP_HEADS)
    d_ff: int = param(128, lo=8, hi=4096, step=8, help=_HELP_D_FF)
    n_enc_layers: int = param(
        2, lo=1, hi=12, help="Encoder layers stacked on top of each other (the paper: 6)."
    )
    n_dec_layers: int = param(
        2, lo=1, hi=12, help="Decoder layers stacked on top of each other (the paper: 6)."
    )
    dropout: float = param(0.1, lo=0.0, hi=0.9, step=0.05, help=_HELP_DROPOUT)
    pos_encoding: str = param("sinusoidal", choices=POSITIONAL_KINDS, help=_HELP_POS)
    norm: str = param("post", choices=NORMS, help=_HELP_NORM)
    tie_embeddings: bool = param(
        True,
        help=(
            "Share one matrix between the target embedding and the output layer (and the source "
            "embedding too when both vocabularies have the same size), as in the paper, section 3.4."
        ),
    )

    def check(self) -> None:
        _check_heads(self.d_model, self.n_heads)


_PAPER_COMMON = {
    "src_vocab_size": 37000,  # the paper's shared byte-pair vocabulary (English-German)
    "tgt_vocab_size": 37000,
    "n_enc_layers": 6,
    "n_dec_layers": 6,
    "pos_encoding": "sinusoidal",
    "norm": "post",
    "tie_embeddings": True,
}

PRESETS: dict[str, dict] = {
    # "Attention Is All You Need", Table 3: base 65M parameters, big 213M.
    "paper-base": {**_PAPER_COMMON, "d_model": 512, "d_ff": 2048, "n_heads": 8, "dropout": 0.1},
    "paper-big": {**_PAPER_COMMON, "d_model": 1024, "d_ff": 4096, "n_heads": 16, "dropout": 0.3},
}


@dataclass(frozen=True)
class EncoderOnlyConfig:
    vocab_size: int = param(
        0,
        lo=0,
        hi=100000,
        data=True,
        help="Input vocabulary size (from the data); 0 means the inputs are numbers.",
    )
    in_features: int = param(
        1, lo=1, hi=4096, data=True, help="Numbers per time step when the inputs are numbers (from the data)."
    )
    n_out: int = param(
        2, lo=1, hi=100000, data=True, help="Outputs: classes, or values to predict (from the data)."
    )
    max_len: int = param(
        128, lo=1, hi=4096, data=True, help="Longest sequence the positional table covers (from the data)."
    )
    d_model: int = param(64, lo=8, hi=1024, step=8, help=_HELP_D_MODEL)
    n_heads: int = param(4, lo=1, hi=16, help=_HELP_HEADS)
    d_ff: int = param(128, lo=8, hi=4096, step=8, help=_HELP_D_FF)
    n_layers: int = param(2, lo=1, hi=12, help="Encoder layers stacked on top of each other.")
    dropout: float = param(0.1, lo=0.0, hi=0.9, step=0.05, help=_HELP_DROPOUT)
    pos_encoding: str = param("sinusoidal", choices=POSITIONAL_KINDS, help=_HELP_POS)
    norm: str = param("post", choices=NORMS, help=_HELP_NORM)
    pooling: str = param(
        "mean",
        choices=POOLINGS,
        help="How the sequence becomes one vector for the output: mean of the real tokens, the first, or the last.",
    )
    vectors_dim: int = vectors_dim_param("d_model")
    n_grams: int = n_grams_param()

    @property
    def word_dim(self) -> int:
        """The size each word's vector has inside the model (pretrained vectors are projected to it)."""
        return self.d_model

    def check(self) -> None:
        _check_heads(self.d_model, self.n_heads)


class TokenEmbedding(nn.Module):
    """Embedding(ids) * sqrt(D)  (section 3.4).

    Initialised N(0, 1/D), so after the sqrt(D) scale each entry has unit variance, like the
    positional signal; the same matrix can serve as the output projection (weight tying).
    """

    def __init__(self, vocab_size: int, d_model: int, vectors_dim: int = 0):
        super().__init__()
        table_dim = vectors_dim or d_model
        self.weight = nn.Parameter(torch.randn(vocab_size, table_dim) * table_dim**-0.5)
        self.proj = vectors_projection(vectors_dim, d_model)  # pretrained vectors of another size
        self.scale = math.sqrt(d_model)

    def forward(self, ids: Tensor) -> Tensor:
        """ids (B, T) long -> (B, T, D)."""
        e = F.embedding(ids, self.weight)
        if self.proj is not None:
            e = self.proj(e)
        return e * self.scale


class PositionwiseFFN(nn.Module):
    """FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, the same two layers at every position (Eq. 2)."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.W_1 = nn.Linear(d_model, d_ff)
        self.W_2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """(B, T, D) -> (B, T, d_ff) -> (B, T, D)."""
        return self.W_2(self.dropout(torch.relu(self.W_1(x))))


class SublayerConnection(nn.Module):
    """Residual connection and LayerNorm around one sub-layer (section 3.1; dropout as in 5.4).

    post (the paper): LayerNorm(x + Dropout(Sublayer(x)))
    pre:              x + Dropout(Sublayer(LayerNorm(x)))   (the stack then ends with a LayerNorm)
    """

    def __init__(self, d_model: int, dropout: float, norm: str = "post"):
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"unknown norm position {norm!r}; valid: {', '.join(NORMS)}")
        self.pre = norm == "pre"
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def sublayer_input(self, x: Tensor) -> Tensor:
        """What the sub-layer sees: LayerNorm(x) for pre-norm, x itself for post-norm."""
        return self.norm(x) if self.pre else x

    def forward(self, x: Tensor, sublayer: Callable[[Tensor], Tensor]) -> Tensor:
        """x (B, T, D) -> (B, T, D)."""
        out = x + self.dropout(sublayer(self.sublayer_input(x)))
        return out if self.pre else self.norm(out)


def _keep(result: tuple[Tensor, Tensor], store: list[Tensor]) -> Tensor:
    """Pass an attention output on and keep its weights (for the heatmaps)."""
    out, weights = result
    store.append(weights)
    return out


class EncoderLayer(nn.Module):
    """x -> x + SelfAttention(x) -> x + FFN(x), each with residual + LayerNorm (section 3.1)."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float, norm: str):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.ffn = PositionwiseFFN(d_model, d_ff, dropout)
        self.attn_block = SublayerConnection(d_model, dropout, norm)
        self.ffn_block = SublayerConnection(d_model, dropout, norm)

    def forward(self, x: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        """x (B, S, D), mask (B, 1, 1, S) -> x (B, S, D), self-attention weights (B, h, S, S)."""
        weights: list[Tensor] = []
        x = self.attn_block(x, lambda y: _keep(self.self_attn(y, y, y, mask), weights))
        return self.ffn_block(x, self.ffn), weights[0]

    def attention_steps(self, x: Tensor, mask: Tensor | None) -> dict[str, Tensor]:
        """Every intermediate of this layer's self-attention on x, as forward computes it."""
        return self.self_attn.steps(self.attn_block.sublayer_input(x), mask)

    def block_steps(self, x: Tensor, mask: Tensor | None) -> dict[str, Tensor]:
        """Every intermediate of the whole layer on x (B, S, D), in forward's order (eval mode: no dropout).

        attn_in = LayerNorm_1(x) (pre) or x (post); attn = MultiHead(attn_in); sum1 = x + attn;
        out1 = LayerNorm_1(sum1) (post) or sum1 (pre); ffn_in = LayerNorm_2(out1) (pre) or out1 (post);
        hidden_pre = ffn_in W_1 + b_1 and hidden = max(0, hidden_pre) (B, S, d_ff);
        ffn = hidden W_2 + b_2; sum2 = out1 + ffn; output = LayerNorm_2(sum2) (post) or sum2 (pre),
        which is what forward returns.
        """
        attn_in = self.attn_block.sublayer_input(x)  # (B, S, D)
        attn = self.self_attn.steps(attn_in, mask)["output"]  # (B, S, D)
        sum1 = x + self.attn_block.dropout(attn)
        out1 = sum1 if self.attn_block.pre else self.attn_block.norm(sum1)
        ffn_in = self.ffn_block.sublayer_input(out1)
        hidden_pre = self.ffn.W_1(ffn_in)  # (B, S, d_ff)
        hidden = torch.relu(hidden_pre)
        ffn = self.ffn.W_2(self.ffn.dropout(hidden))  # (B, S, D)
        sum2 = out1 + self.ffn_block.dropout(ffn)
        output = sum2 if self.ffn_block.pre else self.ffn_block.norm(sum2)
        return {
            "x": x, "attn_in": attn_in, "attn": attn, "sum1": sum1, "out1": out1, "ffn_in": ffn_in,
            "hidden_pre": hidden_pre, "hidden": hidden, "ffn": ffn, "sum2": sum2, "output": output,
        }  # fmt: skip


class DecoderLayer(nn.Module):
    """y -> y + MaskedSelfAttention(y) -> y + CrossAttention(y, memory) -> y + FFN(y)  (section 3.1).

    The self-attention is causal (a position sees only itself and earlier positions); in the
    cross-attention the queries come from the decoder and the keys and values from the encoder.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float, norm: str):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.ffn = PositionwiseFFN(d_model, d_ff, dropout)
        self.self_block = SublayerConnection(d_model, dropout, norm)
        self.cross_block = SublayerConnection(d_model, dropout, norm)
        self.ffn_block = SublayerConnection(d_model, dropout, norm)

    def forward(
        self, y: Tensor, memory: Tensor, src_mask: Tensor | None, tgt_mask: Tensor | None
    ) -> tuple[Tensor, Tensor, Tensor]:
        """y (B, T, D), memory (B, S, D), src_mask (B, 1, 1, S), tgt_mask (T, T).

        Returns y (B, T, D), self-attention weights (B, h, T, T), cross-attention weights (B, h, T, S).
        """
        self_w: list[Tensor] = []
        cross_w: list[Tensor] = []
        y = self.self_block(y, lambda z: _keep(self.self_attn(z, z, z, tgt_mask), self_w))
        y = self.cross_block(y, lambda z: _keep(self.cross_attn(z, memory, memory, src_mask), cross_w))
        return self.ffn_block(y, self.ffn), self_w[0], cross_w[0]


def _final_norm(d_model: int, norm: str) -> nn.Module:
    """Pre-norm stacks end with a LayerNorm (their residual stream is never normalised otherwise)."""
    return nn.LayerNorm(d_model) if norm == "pre" else nn.Identity()


class EncoderStack(nn.Module):
    """A stack of L encoder layers; returns the "memory" the decoder attends to."""

    def __init__(self, n_layers: int, d_model: int, n_heads: int, d_ff: int, dropout: float, norm: str):
        super().__init__()
        self.layers = nn.ModuleList(
            EncoderLayer(d_model, n_heads, d_ff, dropout, norm) for _ in range(n_layers)
        )
        self.final_norm = _final_norm(d_model, norm)

    def forward(self, x: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        """x (B, S, D), mask (B, 1, 1, S) -> memory (B, S, D), weights (L, B, h, S, S)."""
        weights = []
        for layer in self.layers:
            x, w = layer(x, mask)
            weights.append(w)
        return self.final_norm(x), torch.stack(weights)

    def attention_steps(self, x: Tensor, mask: Tensor | None, layer: int = 0) -> dict[str, Tensor]:
        """Run the layers below ``layer`` and return that layer's self-attention intermediates."""
        for below in self.layers[:layer]:
            x, _ = below(x, mask)
        return self.layers[layer].attention_steps(x, mask)


class DecoderStack(nn.Module):
    """A stack of L decoder layers, each attending to the encoder's memory."""

    def __init__(self, n_layers: int, d_model: int, n_heads: int, d_ff: int, dropout: float, norm: str):
        super().__init__()
        self.layers = nn.ModuleList(
            DecoderLayer(d_model, n_heads, d_ff, dropout, norm) for _ in range(n_layers)
        )
        self.final_norm = _final_norm(d_model, norm)

    def forward(
        self, y: Tensor, memory: Tensor, src_mask: Tensor | None, tgt_mask: Tensor | None
    ) -> tuple[Tensor, Tensor, Tensor]:
        """y (B, T, D) -> y (B, T, D), self weights (L, B, h, T, T), cross weights (L, B, h, T, S)."""
        self_ws, cross_ws = [], []
        for layer in self.layers:
            y, self_w, cross_w = layer(y, memory, src_mask, tgt_mask)
            self_ws.append(self_w)
            cross_ws.append(cross_w)
        return self.final_norm(y), torch.stack(self_ws), torch.stack(cross_ws)


def _init_linear(model: nn.Module) -> None:
    """Glorot/Xavier-uniform weights and zero biases for every Linear layer."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


class Transformer(nn.Module):
    """Encoder-decoder Transformer for sequence-to-sequence tasks (section 3, Figure 1).

    Training sees the whole target at once (teacher forcing in parallel; the causal mask stops a
    position from seeing the tokens after it), so ``teacher_forcing`` is ignored. Generation goes
    one token at a time through ``encode`` / ``decode_step`` (the prefix is re-run each step).
    """

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        D = cfg.d_model
        self.src_embed = TokenEmbedding(cfg.src_vocab_size, D)
        share_src = cfg.tie_embeddings and cfg.src_vocab_size == cfg.tgt_vocab_size
        self.tgt_embed = self.src_embed if share_src else TokenEmbedding(cfg.tgt_vocab_size, D)
        self.pos = PositionalEncoding(cfg.pos_encoding, cfg.max_len, D, cfg.dropout)
        layer_args = (D, cfg.n_heads, cfg.d_ff, cfg.dropout, cfg.norm)
        self.encoder = EncoderStack(cfg.n_enc_layers, *layer_args)
        self.decoder = DecoderStack(cfg.n_dec_layers, *layer_args)
        self.generator = nn.Linear(D, cfg.tgt_vocab_size)  # decoder output -> next-token logits
        _init_linear(self)
        if cfg.tie_embeddings:
            self.generator.weight = self.tgt_embed.weight

    def embed_src(self, src: Tensor) -> Tensor:
        """src (B, S) ids -> (B, S, D): scaled embedding + position, then dropout."""
        return self.pos(self.src_embed(src))

    def embed_tgt(self, ys: Tensor) -> Tensor:
        """ys (B, T) ids -> (B, T, D)."""
        return self.pos(self.tgt_embed(ys))

    def _encode(self, src: Tensor, src_mask: Tensor) -> tuple[Tensor, Tensor]:
        """src (B, S), src_mask (B, S) -> memory (B, S, D), weights (L, B, h, S, S)."""
        return self.encoder(self.embed_src(src), padding_mask(src_mask))

    def _decode(self, ys: Tensor, memory: Tensor, src_mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """ys (B, T) -> logits (B, T, V), self weights (L, B, h, T, T), cross weights (L, B, h, T, S)."""
        tgt_mask = causal_mask(ys.size(1), ys.device)  # (T, T)
        y, self_w, cross_w = self.decoder(self.embed_tgt(ys), memory, padding_mask(src_mask), tgt_mask)
        return self.generator(y), self_w, cross_w

    def forward(
        self, batch: dict[str, Tensor], *, teacher_forcing: float = 1.0, record: bool = False
    ) -> ModelOutput:
        """Batch keys src (B, S), src_mask (B, S), tgt_in (B, T) -> logits (B, T, V).

        attention (detached): enc_self (L, B, h, S, S), dec_self (L, B, h, T, T), cross (L, B, h, T, S).
        """
        memory, enc_w = self._encode(batch["src"], batch["src_mask"])
        logits, dec_w, cross_w = self._decode(batch["tgt_in"], memory, batch["src_mask"])
        attention = {"enc_self": enc_w.detach(), "dec_self": dec_w.detach(), "cross": cross_w.detach()}
        return ModelOutput(logits=logits, attention=attention)

    def encode(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        """Run the encoder once: state = {memory (B, S, D), src_mask (B, S)}."""
        memory, _ = self._encode(batch["src"], batch["src_mask"])
        return {"memory": memory, "src_mask": batch["src_mask"]}

    def decode_step(self, state: dict[str, Tensor], ys: Tensor) -> tuple[Tensor, dict[str, Tensor], Tensor]:
        """ys (B, t) prefix -> next-token logits (B, V), the same state, and attn (B, S): the last
        layer's cross-attention of the last position, averaged over heads."""
        logits, _, cross_w = self._decode(ys, state["memory"], state["src_mask"])
        return logits[:, -1], state, cross_w[-1, :, :, -1].mean(dim=1)

    def reorder_state(self, state: dict[str, Tensor], idx: Tensor) -> dict[str, Tensor]:
        """Pick rows of the state (beam search bookkeeping): idx (B',) long."""
        return {k: v.index_select(0, idx) for k, v in state.items()}

    def positional_table(self) -> Tensor:
        """(max_len, D) positional encoding added to source and target embeddings."""
        return self.pos.table()

    def attention_steps(self, batch: dict[str, Tensor], layer: int = 0) -> dict[str, Tensor]:
        """Intermediates (Q, K, V, scores, scaled, weights, Z, concat, output) of encoder layer
        ``layer``'s self-attention on batch["src"]; call in eval mode for dropout-free numbers."""
        x = self.embed_src(batch["src"])
        return self.encoder.attention_steps(x, padding_mask(batch["src_mask"]), layer)


def pool(h: Tensor, mask: Tensor, how: str) -> Tensor:
    """(B, T, D) token vectors -> (B, D): mean over real tokens, the first token, or the last real one."""
    if how == "mean":
        m = mask.unsqueeze(-1).to(h.dtype)  # (B, T, 1)
        return (h * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
    if how == "first":
        return h[:, 0]
    if how == "last":
        last = (mask.sum(dim=1) - 1).clamp(min=0)  # (B,) index of the last real token
        return h[torch.arange(h.size(0), device=h.device), last]
    raise ValueError(f"unknown pooling {how!r}; valid: {', '.join(POOLINGS)}")


class TransformerEncoderModel(nn.Module):
    """Encoder-only Transformer for classification and regression: encoder stack, pooling, Linear.

    Token ids are embedded (vocab_size > 0); number sequences (vocab_size == 0) are projected to
    d_model by a Linear layer. Padded tokens are masked out of attention and out of the pooling.
    """

    def __init__(self, cfg: EncoderOnlyConfig):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        D = cfg.d_model
        self.embed = (
            TokenEmbedding(cfg.vocab_size, D, cfg.vectors_dim)
            if cfg.vocab_size
            else nn.Linear(cfg.in_features, D)
        )
        self.pos = PositionalEncoding(cfg.pos_encoding, cfg.max_len, D, cfg.dropout)
        self.encoder = EncoderStack(cfg.n_layers, D, cfg.n_heads, cfg.d_ff, cfg.dropout, cfg.norm)
        self.head = nn.Linear(D, cfg.n_out)
        _init_linear(self)
        self.ngrams = BagOfNgrams(cfg.n_grams, cfg.n_out) if cfg.n_grams else None

    def word_table(self) -> nn.Parameter | None:
        """The (vocab, d_model or P) embedding table when the inputs are token ids."""
        return self.embed.weight if self.cfg.vocab_size else None

    def embed_input(self, x: Tensor) -> Tensor:
        """x (B, T) ids or (B, T, F) numbers -> (B, T, D) with positions added."""
        return self.pos(self.embed(x))

    @staticmethod
    def _mask(batch: dict[str, Tensor]) -> Tensor:
        """(B, T) bool, True = real token; all True when the batch has no mask (regression)."""
        mask = batch.get("mask")
        if mask is None:
            x = batch["x"]
            mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
        return mask

    def forward(
        self, batch: dict[str, Tensor], *, teacher_forcing: float = 1.0, record: bool = False
    ) -> ModelOutput:
        """Batch keys x (B, T) long + mask (B, T), or x (B, T, F) float -> logits (B, n_out).

        attention (detached): self (L, B, h, T, T).
        """
        mask = self._mask(batch)
        h, weights = self.encoder(self.embed_input(batch["x"]), padding_mask(mask))  # (B, T, D)
        logits = self.head(pool(h, mask, self.cfg.pooling))  # (B, n_out)
        if self.ngrams is not None and "grams" in batch:
            logits = logits + self.ngrams(batch["grams"])
        return ModelOutput(logits=logits, attention={"self": weights.detach()})

    def positional_table(self) -> Tensor:
        """(max_len, D) positional encoding added to the input embeddings."""
        return self.pos.table()

    def attention_steps(self, batch: dict[str, Tensor], layer: int = 0) -> dict[str, Tensor]:
        """Intermediates of encoder layer ``layer``'s self-attention (see MultiHeadAttention.steps)."""
        x = self.embed_input(batch["x"])
        return self.encoder.attention_steps(x, padding_mask(self._mask(batch)), layer)


@dataclass(frozen=True)
class DecoderOnlyConfig:
    """Settings of a decoder-only Transformer language model (the decoder without cross-attention)."""

    vocab_size: int = param(64, lo=5, hi=100000, data=True, help="Vocabulary size (from the data).")
    max_len: int = param(
        64, lo=1, hi=4096, data=True, help="Longest context the positional table covers (from the data)."
    )
    d_model: int = param(64, lo=8, hi=1024, step=8, help=_HELP_D_MODEL)
    n_heads: int = param(4, lo=1, hi=16, help=_HELP_HEADS)
    d_ff: int = param(256, lo=8, hi=4096, step=8, help=_HELP_D_FF)
    n_layers: int = param(2, lo=1, hi=12, help="Masked self-attention layers stacked on top of each other.")
    dropout: float = param(0.1, lo=0.0, hi=0.9, step=0.05, help=_HELP_DROPOUT)
    pos_encoding: str = param("sinusoidal", choices=POSITIONAL_KINDS, help=_HELP_POS)
    norm: str = param("pre", choices=NORMS, help=_HELP_NORM)

    def check(self) -> None:
        _check_heads(self.d_model, self.n_heads)


class TransformerLM(nn.Module):
    """Decoder-only Transformer: the next token at every position from the tokens before it.

    The decoder of "Attention Is All You Need" without its cross-attention (there is no source):
    token embedding + positions -> L layers of masked self-attention and FFN, each with residual
    and LayerNorm -> Linear to V logits at every position. The causal mask (section 3.2.3) lets
    position t attend to positions 0..t only, so one forward pass trains all T predictions at
    once, and the model can still generate one token at a time.
    """

    def __init__(self, cfg: DecoderOnlyConfig):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        D = cfg.d_model
        self.embed = TokenEmbedding(cfg.vocab_size, D)
        self.pos = PositionalEncoding(cfg.pos_encoding, cfg.max_len, D, cfg.dropout)
        # a layer is the encoder's (self-attention, FFN); the mask makes it the decoder's masked one
        self.layers = nn.ModuleList(
            EncoderLayer(D, cfg.n_heads, cfg.d_ff, cfg.dropout, cfg.norm) for _ in range(cfg.n_layers)
        )
        self.final_norm = _final_norm(D, cfg.norm)
        self.head = nn.Linear(D, cfg.vocab_size)
        _init_linear(self)

    def word_table(self) -> nn.Parameter:
        return self.embed.weight

    def positional_table(self) -> Tensor:
        """(max_len, D) positional encoding added to the input embeddings."""
        return self.pos.table()

    def generate_step(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """x (B, T) new ids after ``context`` (B, C) (the ids read so far, or None) -> logits of the
        new positions (B, T, V) and the context to pass next time: the last max_len ids, since a
        position can only attend as far back as the positional table reaches."""
        ids = x if context is None else torch.cat([context, x], dim=1)
        ids = ids[:, -self.cfg.max_len :]
        logits = self({"x": ids}).logits  # (B, C', V)
        return logits[:, -min(x.size(1), ids.size(1)) :], ids

    def forward(
        self, batch: dict[str, Tensor], *, teacher_forcing: float = 1.0, record: bool = False
    ) -> ModelOutput:
        """x (B, T) ids, T <= max_len -> logits (B, T, V); attention "self" (L, B, h, T, T) detached."""
        x = batch["x"]
        T = x.size(1)
        if T > self.cfg.max_len:
            raise ValueError(f"the context has {T} tokens; this model reads at most {self.cfg.max_len}")
        mask = causal_mask(T, x.device)[None, None]  # (1, 1, T, T): no look at later positions
        h = self.pos(self.embed(x))  # (B, T, D)
        weights = []
        for layer in self.layers:
            h, w = layer(h, mask)
            weights.append(w)
        logits = self.head(self.final_norm(h))  # (B, T, V)
        return ModelOutput(logits=logits, attention={"self": torch.stack(weights).detach()})


ARCHS = (
    Arch(
        "transformer-encoder",
        "Transformer encoder",
        EncoderOnlyConfig,
        TransformerEncoderModel,
        MANY_TO_ONE,
        "self-attention layers over the whole sequence, then a pooled read-out",
        order=40,
    ),
    Arch(
        "transformer-decoder",
        "Transformer decoder (causal)",
        DecoderOnlyConfig,
        TransformerLM,
        frozenset({"lm"}),
        "masked self-attention layers: each position sees only the tokens before it",
        order=50,
    ),
    Arch(
        "transformer",
        "Transformer",
        TransformerConfig,
        Transformer,
        frozenset({"seq2seq"}),
        "encoder and decoder stacks of multi-head attention and position-wise FFN",
        presets=PRESETS,
        order=80,
    ),
)
