"""Sequence to sequence: a recurrent encoder, a recurrent decoder and (optionally) attention between them.

Dimension legend:
    B batch, S source length, T target length, E embedding size, H hidden size, L layers,
    dirs encoder directions (1, or 2 when bidirectional), M = dirs*H size of one encoder state
    (the "memory" the decoder attends to), V target vocabulary size.

The three token streams of a translation batch (see core.models.base):
    src     (B, S)  encoder input:   x_1 .. x_S, then PAD
    tgt_in  (B, T)  decoder input:   SOS y_1 .. y_{T-1}  (the right answer so far: teacher forcing)
    tgt_out (B, T)  decoder output:  y_1 .. y_{T-1} EOS, then PAD  (what each step must predict)

Without attention (Sutskever et al. 2014; Cho et al. 2014) the encoder's final state is the
*context vector* c: the only thing the decoder knows about the source. It starts the decoder and is
also fed to every decoder step next to the previous token (Cho et al.). One fixed-size vector for a
whole sentence is a bottleneck, which is why long sentences suffer.

With attention the decoder looks back at every encoder state at every step and mixes them with
weights that sum to 1: Bahdanau et al. 2015 (additive score, queried with the previous decoder
state, the context is an input to the cell) or Luong et al. 2015 (multiplicative score, queried
with the new decoder state, the context is combined with it after the cell; here without Luong's
"input feeding", so a teacher-forced pass can run the decoder over all steps at once).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from core.config import param
from core.models.attention import AdditiveAttention, MultiplicativeAttention, masked_softmax
from core.models.base import PAD, SPECIALS, ModelOutput
from core.models.rnn import Recurrent
from core.registry import Arch

State = dict[str, Tensor]  # decoder state: h (L, B, H) [, c] [, memory, src_mask [, keys]] [, context]

ATTENTIONS = ("none", "bahdanau", "luong")
CELL_CHOICES = ("rnn", "lstm", "gru")


@dataclass(frozen=True)
class Seq2SeqConfig:
    """Settings of an encoder-decoder network built from recurrent layers."""

    src_vocab_size: int = param(
        32,
        lo=len(SPECIALS) + 1,
        hi=1_000_000,
        data=True,
        help="Number of token ids in the source vocabulary (including the 4 special tokens).",
    )
    tgt_vocab_size: int = param(
        32,
        lo=len(SPECIALS) + 1,
        hi=1_000_000,
        data=True,
        help="Number of token ids in the target vocabulary (including the 4 special tokens).",
    )
    cell: str = param(
        "gru",
        choices=CELL_CHOICES,
        help="Recurrent cell of the encoder and the decoder: vanilla RNN, LSTM or GRU.",
    )
    embed_dim: int = param(
        64,
        lo=2,
        hi=1024,
        log=True,
        help="Size of the learned vector each token is mapped to before the recurrent layers.",
    )
    hidden_size: int = param(
        128,
        lo=4,
        hi=1024,
        log=True,
        help="Size of the hidden state of the encoder and the decoder. Without attention it is "
        "also the size of the context vector that must hold the whole source sentence.",
    )
    num_layers: int = param(
        1,
        lo=1,
        hi=4,
        help="Stacked recurrent layers in the encoder and in the decoder (the same number).",
    )
    bidirectional_encoder: bool = param(
        True,
        help="Read the source both ways, so every encoder state knows the words before and after "
        "it. The two final states are joined by a learned bridge into the decoder's first state.",
    )
    dropout: float = param(
        0.0,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Probability of zeroing an activation during training (embeddings, between stacked "
        "layers, before the output layer); helps against overfitting on small data.",
    )
    attention: str = param(
        "bahdanau",
        choices=ATTENTIONS,
        help="How the decoder reads the source: 'none' = only through the one context vector; "
        "'bahdanau' = additive attention with the previous decoder state, before the cell; "
        "'luong' = multiplicative ('general') attention with the new decoder state, after the cell.",
    )


# --------------------------------------------------------------------------------------------
# Encoder
# --------------------------------------------------------------------------------------------


@dataclass
class EncoderOutput:
    memory: Tensor  # (B, S, M) every encoder state (top layer, directions joined); 0 at padding
    h: Tensor  # (L, B, H) the decoder's initial hidden state; h[-1] is the context vector
    c: Tensor | None = None  # (L, B, H) the decoder's initial memory cell (LSTM only)
    states: Tensor | None = None  # (L, dirs, B, S, H) when recorded
    gates: dict[str, Tensor] = field(default_factory=dict)  # name -> (L, dirs, B, S, H) when recorded


class Bridge(nn.Module):
    """Joins the forward and backward final states of each layer into one: h = tanh(W_b [h_fwd; h_bwd] + b).

    A bidirectional encoder ends with two states per layer, the decoder starts from one
    (Bahdanau et al. 2015 start their decoder from tanh(W_s h_1_backward), the backward half of this).
    ``squash=False`` leaves out the tanh (for the LSTM's memory cell, which is not bounded).
    """

    def __init__(self, hidden_size: int, squash: bool = True):
        super().__init__()
        self.W_b = nn.Linear(2 * hidden_size, hidden_size)
        self.squash = squash

    def forward(self, final: Tensor) -> Tensor:
        """final (L*2, B, H), index layer*2 + direction -> (L, B, H)."""
        LD, B, H = final.shape
        joined = final.view(LD // 2, 2, B, H).permute(0, 2, 1, 3).reshape(LD // 2, B, 2 * H)  # (L, B, 2H)
        out = self.W_b(joined)
        return torch.tanh(out) if self.squash else out


class Encoder(nn.Module):
    """Reads the source: embedding -> recurrent layers. Its final state is the context vector."""

    def __init__(self, cfg: Seq2SeqConfig):
        super().__init__()
        self.embed = nn.Embedding(cfg.src_vocab_size, cfg.embed_dim, padding_idx=PAD)
        self.drop = nn.Dropout(cfg.dropout)
        self.rnn = Recurrent(
            cfg.cell, cfg.embed_dim, cfg.hidden_size, cfg.num_layers, cfg.bidirectional_encoder, cfg.dropout
        )
        self.bridge_h = Bridge(cfg.hidden_size) if cfg.bidirectional_encoder else None
        self.bridge_c = (
            Bridge(cfg.hidden_size, squash=False)
            if cfg.bidirectional_encoder and cfg.cell == "lstm"
            else None
        )
        self.memory_size = self.rnn.dirs * cfg.hidden_size

    def forward(self, src: Tensor, src_mask: Tensor, record: bool = False) -> EncoderOutput:
        """src (B, S) long, src_mask (B, S) bool (True = real token). ``record`` runs the explicit cells."""
        lengths = src_mask.sum(1).clamp(min=1)  # (B,)
        X = self.drop(self.embed(src))  # (B, S, E)
        r = self.rnn(X, lengths, explicit=record, record=record)
        h, c = r.h_n, r.c_n  # (L*dirs, B, H)
        if self.bridge_h is not None:
            h = self.bridge_h(h)  # (L, B, H)
        if self.bridge_c is not None and c is not None:
            c = self.bridge_c(c)
        return EncoderOutput(memory=r.outputs, h=h, c=c, states=r.states, gates=r.gates)


# --------------------------------------------------------------------------------------------
# Decoder
# --------------------------------------------------------------------------------------------


class Decoder(nn.Module):
    """Writes the target one token at a time from the previous token and what it knows of the source.

    attention "none":     x_t = [emb(y_{t-1}); c]           s_t = cell(x_t, s_{t-1})   o_t = s_t
    attention "bahdanau": a_t, ctx_t = attend(s_{t-1}, memory)
                          x_t = [emb(y_{t-1}); ctx_t]       s_t = cell(x_t, s_{t-1})   o_t = [s_t; ctx_t]
    attention "luong":    x_t = emb(y_{t-1})                s_t = cell(x_t, s_{t-1})
                          a_t, ctx_t = attend(s_t, memory)  o_t = tanh(W_c [s_t; ctx_t])
    and always            logits_t = W_hy dropout(o_t)      (B, V)

    ``memory_size`` is M, the size of one encoder state (or of the context vector c without
    attention). The recurrent layers are a :class:`core.models.rnn.Recurrent`, run one step at a
    time or over the whole target at once.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        hidden_size: int,
        memory_size: int,
        cell: str = "gru",
        num_layers: int = 1,
        dropout: float = 0.0,
        attention: str = "bahdanau",
    ):
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"unknown attention {attention!r}; valid: {', '.join(ATTENTIONS)}")
        self.attention, self.cell = attention, cell
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        self.drop = nn.Dropout(dropout)
        feeds_context = attention in ("none", "bahdanau")
        in_size = embed_dim + (memory_size if feeds_context else 0)
        self.rnn = Recurrent(cell, in_size, hidden_size, num_layers, dropout=dropout)
        self.attn: nn.Module | None = None
        self.W_c: nn.Linear | None = None
        out_size = hidden_size
        if attention == "bahdanau":
            self.attn = AdditiveAttention(hidden_size, memory_size, hidden_size)
            out_size = hidden_size + memory_size
        elif attention == "luong":
            self.attn = MultiplicativeAttention(hidden_size, memory_size, score="general")
            self.W_c = nn.Linear(hidden_size + memory_size, hidden_size, bias=False)
        self.W_hy = nn.Linear(out_size, vocab_size)

    @property
    def fused_ok(self) -> bool:
        """Whether a teacher-forced pass can run all T steps in one call (no step depends on an
        attention read-out of the step before, as Bahdanau's does)."""
        return self.attention in ("none", "luong")

    def _rnn_state(self, state: State) -> Tensor | tuple[Tensor, Tensor]:
        return (state["h"], state["c"]) if self.cell == "lstm" else state["h"]

    def _with_rnn_state(self, state: State, h: Tensor, c: Tensor | None) -> State:
        new = dict(state)
        new["h"] = h
        if c is not None:
            new["c"] = c
        return new

    def attach_memory(self, state: State, memory: Tensor, src_mask: Tensor) -> State:
        """Add the encoder states (B, S, M) and their mask (B, S) to a state. For Bahdanau attention
        also W_k m_j for every source position j (B, S, A): it does not change from step to step."""
        state = {**state, "memory": memory, "src_mask": src_mask}
        if self.attention == "bahdanau":
            state["keys"] = self.attn.W_k(memory)  # (B, S, A)
        return state

    def additive_attention(self, s_prev: Tensor, state: State) -> tuple[Tensor, Tensor]:
        """Bahdanau et al. 2015, Eq. 5-6: e_j = v^T tanh(W_q s_{t-1} + W_k m_j), a = softmax(e),
        ctx = sum_j a_j m_j.

        The same numbers as ``self.attn(s_prev, memory, memory, src_mask)`` (AdditiveAttention),
        with W_k m_j taken from ``state["keys"]`` instead of being recomputed at every step.
        Returns ctx (B, M) and a (B, S).
        """
        e = self.attn.v(torch.tanh(self.attn.W_q(s_prev).unsqueeze(1) + state["keys"])).squeeze(-1)  # (B, S)
        a = masked_softmax(e, state["src_mask"])  # (B, S), 0 at padding
        ctx = (a.unsqueeze(1) @ state["memory"]).squeeze(1)  # (B, 1, S) @ (B, S, M) -> (B, M)
        return ctx, a

    def step(self, y_prev: Tensor, state: State) -> tuple[Tensor, State, Tensor | None]:
        """One decoder step: y_prev (B,) long, the previous token.

        Returns logits (B, V) for the next token, the new state and the attention weights (B, S)
        (None without attention).
        """
        e = self.drop(self.embed(y_prev))  # (B, E)
        weights = None
        if self.attention == "bahdanau":
            s_prev = state["h"][-1]  # (B, H) top layer's previous state is the query
            ctx, weights = self.additive_attention(s_prev, state)  # (B, M), (B, S)
            x = torch.cat([e, ctx], dim=-1)  # (B, E + M)
        elif self.attention == "none":
            x = torch.cat([e, state["context"]], dim=-1)  # (B, E + M)
        else:
            x = e
        r = self.rnn(x.unsqueeze(1), state=self._rnn_state(state))
        s_t = r.outputs[:, 0]  # (B, H)
        if self.attention == "bahdanau":
            o = torch.cat([s_t, ctx], dim=-1)  # (B, H + M)
        elif self.attention == "luong":
            ctx, weights = self.attn(s_t, state["memory"], state["memory"], state["src_mask"])
            o = torch.tanh(self.W_c(torch.cat([s_t, ctx], dim=-1)))  # (B, H)
        else:
            o = s_t
        logits = self.W_hy(self.drop(o))  # (B, V)
        return logits, self._with_rnn_state(state, r.h_n, r.c_n), weights

    def forward_fused(self, tgt_in: Tensor, state: State) -> tuple[Tensor, Tensor | None]:
        """All T teacher-forced steps at once (attention "none" or "luong").

        tgt_in (B, T) -> logits (B, T, V) and attention weights (B, T, S) (None without attention).
        """
        if not self.fused_ok:
            raise ValueError("Bahdanau attention needs the step-by-step loop")
        E = self.drop(self.embed(tgt_in))  # (B, T, E)
        B, T, _ = E.shape
        if self.attention == "none":
            c = state["context"].unsqueeze(1).expand(B, T, -1)  # (B, T, M): c fed at every step
            E = torch.cat([E, c], dim=-1)
        S_dec = self.rnn(E, state=self._rnn_state(state)).outputs  # (B, T, H) every s_t
        weights = None
        if self.attention == "luong":
            memory, key_mask = state["memory"], state["src_mask"]
            keys = self.attn.W_a(memory) if self.attn.W_a is not None else memory  # (B, S, H)
            scores = S_dec @ keys.transpose(1, 2)  # (B, T, S): score(s_t, m_j) = s_t^T W_a m_j
            weights = masked_softmax(scores, key_mask.unsqueeze(1))  # (B, T, S)
            ctx = weights @ memory  # (B, T, M)
            S_dec = torch.tanh(self.W_c(torch.cat([S_dec, ctx], dim=-1)))  # (B, T, H)
        return self.W_hy(self.drop(S_dec)), weights  # (B, T, V)


def reorder(state: State, idx: Tensor) -> State:
    """Select / repeat batch rows of a decoder state: h and c carry the batch on dim 1, the rest on dim 0."""
    return {k: v.index_select(1 if k in ("h", "c") else 0, idx) for k, v in state.items()}


def decode_loop(
    decoder: Decoder, state: State, tgt_in: Tensor, teacher_forcing: float
) -> tuple[Tensor, Tensor | None]:
    """Run the decoder step by step over tgt_in (B, T) -> logits (B, T, V), weights (B, T, S) or None.

    With ``teacher_forcing`` < 1 each example's input at step t > 0 is, with probability
    1 - teacher_forcing, the model's own previous prediction (argmax) instead of the right token
    (scheduled sampling, Bengio et al. 2015). Draws use torch's global RNG, so seeds reproduce.
    """
    B, T = tgt_in.shape
    logits_all, weights_all = [], []
    y_prev = tgt_in[:, 0]  # (B,) SOS
    for t in range(T):
        if t > 0:
            y_prev = tgt_in[:, t]
            if teacher_forcing < 1.0:
                use_gold = torch.rand(B, device=tgt_in.device) < teacher_forcing
                y_prev = torch.where(use_gold, y_prev, logits_all[-1].argmax(-1))
        logits, state, w = decoder.step(y_prev, state)
        logits_all.append(logits)
        if w is not None:
            weights_all.append(w)
    weights = torch.stack(weights_all, dim=1) if weights_all else None  # (B, T, S)
    return torch.stack(logits_all, dim=1), weights  # (B, T, V)


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


class Seq2Seq(nn.Module):
    """Encoder -> (context vector | attention) -> decoder, trained with teacher forcing.

    forward(batch) reads src, src_mask and tgt_in and returns logits (B, T, V) for tgt_out, plus
    the cross-attention weights (1, B, 1, T, S) under ``attention["cross"]`` when attention is on.
    ``record=True`` runs the encoder's explicit cells and returns its states and gates.
    """

    def __init__(self, cfg: Seq2SeqConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        memory_size = self.encoder.memory_size if cfg.attention != "none" else cfg.hidden_size
        self.decoder = Decoder(
            cfg.tgt_vocab_size,
            cfg.embed_dim,
            cfg.hidden_size,
            memory_size,
            cfg.cell,
            cfg.num_layers,
            cfg.dropout,
            cfg.attention,
        )

    def _init_state(self, enc: EncoderOutput, src_mask: Tensor) -> State:
        state: State = {"h": enc.h}
        if enc.c is not None:
            state["c"] = enc.c
        if self.cfg.attention == "none":
            state["context"] = enc.h[-1]  # (B, H) the context vector c
            return state
        return self.decoder.attach_memory(state, enc.memory, src_mask)

    def forward(
        self, batch: dict[str, Tensor], *, teacher_forcing: float = 1.0, record: bool = False
    ) -> ModelOutput:
        enc = self.encoder(batch["src"], batch["src_mask"], record=record)
        state = self._init_state(enc, batch["src_mask"])
        tgt_in = batch["tgt_in"]  # (B, T) SOS y_1 .. y_{T-1}
        if teacher_forcing >= 1.0 and self.decoder.fused_ok:
            logits, weights = self.decoder.forward_fused(tgt_in, state)  # fast path
        else:
            logits, weights = decode_loop(self.decoder, state, tgt_in, teacher_forcing)
        attention = {} if weights is None else {"cross": weights.detach()[None, :, None]}  # (1, B, 1, T, S)
        return ModelOutput(logits=logits, attention=attention, states=enc.states, gates=enc.gates)

    # decode step interface (core.decode) -------------------------------------------------------

    def encode(self, batch: dict[str, Tensor]) -> State:
        """Run the encoder once: the decoder's first state (h [, c]) and the memory or context vector."""
        return self._init_state(self.encoder(batch["src"], batch["src_mask"]), batch["src_mask"])

    def decode_step(self, state: State, ys: Tensor) -> tuple[Tensor, State, Tensor | None]:
        """ys (B, t) = SOS + tokens so far; a recurrent decoder only needs the last one."""
        return self.decoder.step(ys[:, -1], state)

    def reorder_state(self, state: State, idx: Tensor) -> State:
        return reorder(state, idx)


ARCHS = (
    Arch(
        "seq2seq",
        "Seq2Seq (GNMT-style)",
        Seq2SeqConfig,
        Seq2Seq,
        frozenset({"seq2seq"}),
        "encoder -> one context vector -> decoder",
        {"attention": "none"},
        order=60,
    ),
    Arch(
        "seq2seq-attn",
        "Seq2Seq + attention",
        Seq2SeqConfig,
        Seq2Seq,
        frozenset({"seq2seq"}),
        "the decoder looks back at every encoder state at every step (Bahdanau or Luong)",
        restrict={"attention": ("bahdanau", "luong")},
        order=70,
    ),
)
