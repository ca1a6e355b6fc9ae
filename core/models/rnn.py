"""Recurrent networks: the vanilla RNN, LSTM and GRU cells written from their equations.

Dimensions: B batch, T time steps, I input size, E embedding size, H hidden size, G gates per cell
(1 for the RNN, 4 for the LSTM, 3 for the GRU), L layers, dirs directions (1, or 2 when bidirectional).

Two ways to run the same network, sharing ONE set of parameters:

* the *explicit* path loops over time and applies a cell's equations step by step (see
  :class:`RNNCell`, :class:`LSTMCell`, :class:`GRUCell`); it can record every hidden state and gate
  activation for the "look inside" views. When nothing is recorded, padded or shifted, the LSTM and
  GRU layers run the same equations with backpropagation through time written out by hand
  (:mod:`core.models.bptt`), which is what lets them keep up with the fused kernels;
* the *fused* path calls PyTorch's ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` kernels, which are faster.

The parameters live in the fused module with PyTorch's names and layout (``weight_ih_l{k}``,
``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, suffix ``_reverse`` for the backward
direction; gate blocks stacked in the order i, f, g, o for the LSTM and r, z, n for the GRU). The
tests check that both paths give the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from core.config import ConfigError, param
from core.models.base import PAD, SPECIALS, ModelOutput
from core.models.bptt import gru_scan, lstm_scan
from core.models.words import BagOfNgrams, drop_words, n_grams_param, vectors_dim_param, vectors_projection
from core.registry import MANY_TO_ONE, Arch

POOLINGS = ("last", "max", "mean")

State = Tensor | tuple[Tensor, Tensor]  # H (B, H), or (H, C) for the LSTM


# --------------------------------------------------------------------------------------------
# Cells: one time step each
# --------------------------------------------------------------------------------------------


class _Cell(nn.Module):
    """Shared parts of the three cells: PyTorch's parameter layout and the input projection.

    ``weight_ih`` (G*H, I) stacks the input weights of the G gates (W_x* in the equations),
    ``weight_hh`` (G*H, H) the hidden-to-hidden weights (W_h*), ``bias_ih`` / ``bias_hh`` (G*H,)
    the two biases, exactly as in ``torch.nn.RNNCell`` / ``LSTMCell`` / ``GRUCell``.

    ``step`` is the cell's equation. It takes the input term already computed (``X_proj``, see
    ``input_term``), because the input does not depend on the previous state: a layer computes it
    for all T steps with one matrix product before the time loop and only the ``W_h* h_{t-1}``
    term is left inside the loop.
    """

    n_gates: ClassVar[int] = 1
    gate_names: ClassVar[tuple[str, ...]] = ()  # names of the activations ``step`` returns

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        G, H = self.n_gates, hidden_size
        self.weight_ih = nn.Parameter(torch.empty(G * H, input_size))
        self.weight_hh = nn.Parameter(torch.empty(G * H, H))
        self.bias_ih = nn.Parameter(torch.empty(G * H))
        self.bias_hh = nn.Parameter(torch.empty(G * H))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform(-1/sqrt(H), 1/sqrt(H)), PyTorch's initialisation for recurrent weights."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -k, k)

    def init_state(self, batch_size: int, like: Tensor) -> State:
        """The zero state h_0 (and c_0 for the LSTM)."""
        return like.new_zeros(batch_size, self.hidden_size)

    def forward(self, x: Tensor, state: State | None = None) -> State:
        """One step on x (B, I) from ``state`` (zeros when None); returns the new state."""
        if state is None:
            state = self.init_state(x.size(0), x)
        X_proj = self.input_term(x, self.weight_ih, self.bias_ih, self.bias_hh)  # (B, G*H)
        new_state, _ = self.step(X_proj, state, self.weight_hh, self.bias_hh)
        return new_state

    @staticmethod
    def input_term(X: Tensor, W_ih: Tensor, b_ih: Tensor, b_hh: Tensor) -> Tensor:
        """W_x* x + b_x* + b_h* (..., G*H): every term of the pre-activations but W_h* h_{t-1}.

        The two biases are simply added in these equations, so both go here, once for all steps,
        and ``step`` ignores ``b_hh`` (the GRU, where R_t multiplies b_hn, overrides this).
        """
        return nn.functional.linear(X, W_ih, b_ih + b_hh)

    @staticmethod
    def step(X_proj: Tensor, state: State, W_hh: Tensor, b_hh: Tensor) -> tuple[State, dict[str, Tensor]]:
        raise NotImplementedError


class RNNCell(_Cell):
    """Elman's vanilla RNN cell: h_t = tanh(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh)."""

    n_gates = 1
    gate_names = ()

    @staticmethod
    def step(X_proj: Tensor, H: Tensor, W_hh: Tensor, b_hh: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """X_proj = W_xh x_t + b_xh + b_hh (B, H), both biases in; H = h_{t-1} (B, H). Returns (h_t, no gates)."""
        H = torch.tanh(torch.addmm(X_proj, H, W_hh.t()))  # (B, H): tanh(X_proj + H W_hh^T)
        return H, {}


class LSTMCell(_Cell):
    """Long short-term memory cell (Hochreiter & Schmidhuber, 1997; forget gate: Gers et al., 2000).

    I_t = sigmoid(W_xi x_t + b_xi + W_hi h_{t-1} + b_hi)          input gate
    F_t = sigmoid(W_xf x_t + b_xf + W_hf h_{t-1} + b_hf)          forget gate
    C_tilde_t = tanh(W_xc x_t + b_xc + W_hc h_{t-1} + b_hc)       candidate memory ("g")
    O_t = sigmoid(W_xo x_t + b_xo + W_ho h_{t-1} + b_ho)          output gate
    C_t = F_t * C_{t-1} + I_t * C_tilde_t                         memory cell
    H_t = O_t * tanh(C_t)                                         hidden state
    """

    n_gates = 4
    gate_names = ("i", "f", "g", "o", "c")

    def init_state(self, batch_size: int, like: Tensor) -> tuple[Tensor, Tensor]:
        zeros = like.new_zeros(batch_size, self.hidden_size)
        return zeros, zeros

    @staticmethod
    def step(
        X_proj: Tensor, state: tuple[Tensor, Tensor], W_hh: Tensor, b_hh: Tensor
    ) -> tuple[tuple[Tensor, Tensor], dict[str, Tensor]]:
        """X_proj (B, 4H) = the x_t terms and biases of the four gates, stacked i, f, g, o; state = (H, C)."""
        H, C = state
        pre = torch.addmm(X_proj, H, W_hh.t())  # (B, 4H) gate pre-activations X_proj + H W_hh^T
        i, f, g, o = pre.chunk(4, dim=1)  # (B, H) each
        I, F, O = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
        C_tilde = torch.tanh(g)
        C = F * C + I * C_tilde  # (B, H)
        H = O * torch.tanh(C)  # (B, H)
        return (H, C), {"i": I, "f": F, "g": C_tilde, "o": O, "c": C}


class GRUCell(_Cell):
    """Gated recurrent unit (Cho et al., 2014), in PyTorch's convention for the candidate.

    R_t = sigmoid(W_xr x_t + b_xr + W_hr h_{t-1} + b_hr)          reset gate
    Z_t = sigmoid(W_xz x_t + b_xz + W_hz h_{t-1} + b_hz)          update gate
    N_t = tanh(W_xn x_t + b_xn + R_t * (W_hn h_{t-1} + b_hn))     candidate hidden state
    H_t = (1 - Z_t) * N_t + Z_t * H_{t-1}
    """

    n_gates = 3
    gate_names = ("r", "z", "n")

    @staticmethod
    def input_term(X: Tensor, W_ih: Tensor, b_ih: Tensor, b_hh: Tensor) -> Tensor:
        """W_x* x + b_x* (..., 3H): b_h* stays in ``step``, since R_t multiplies W_hn h_{t-1} + b_hn."""
        return nn.functional.linear(X, W_ih, b_ih)

    @staticmethod
    def step(X_proj: Tensor, H: Tensor, W_hh: Tensor, b_hh: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """X_proj (B, 3H) = the x_t terms stacked r, z, n; H = h_{t-1} (B, H)."""
        x_r, x_z, x_n = X_proj.chunk(3, dim=1)  # (B, H) each
        h_r, h_z, h_n = torch.addmm(b_hh, H, W_hh.t()).chunk(3, dim=1)  # (B, H) each
        R = torch.sigmoid(x_r + h_r)
        Z = torch.sigmoid(x_z + h_z)
        N = torch.tanh(x_n + R * h_n)
        H = torch.lerp(N, H, Z)  # (B, H): (1 - Z) * N + Z * H in one operation
        return H, {"r": R, "z": Z, "n": N}


CELLS: dict[str, type[_Cell]] = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}
FUSED: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


# --------------------------------------------------------------------------------------------
# A stack of recurrent layers, explicit or fused
# --------------------------------------------------------------------------------------------


@dataclass
class RecurrentOutput:
    """What :class:`Recurrent` returns. Padded positions (t >= length) of outputs/states/gates are 0."""

    outputs: Tensor  # (B, T, dirs*H) last layer's hidden states, directions concatenated
    h_n: Tensor  # (L*dirs, B, H) final hidden state per layer and direction (index layer*dirs + dir)
    c_n: Tensor | None = None  # (L*dirs, B, H) final memory cell, LSTM only
    states: Tensor | None = None  # (L, dirs, B, T, H) every hidden state, when recorded
    gates: dict[str, Tensor] = field(default_factory=dict)  # name -> (L, dirs, B, T, H), when recorded


def _hidden(state: State) -> Tensor:
    return state[0] if isinstance(state, tuple) else state


def _shift(state: State, offset: Tensor) -> State:
    """The state with ``offset`` (B, H) added to its hidden part h_t (the LSTM's memory C is left alone)."""
    if isinstance(state, tuple):
        return state[0] + offset, state[1]
    return state + offset


def _hold(keep_new: Tensor, new: State, old: State) -> State:
    """The new state where ``keep_new`` (B, 1) is True, the old one elsewhere (past a sequence's end)."""
    if isinstance(new, tuple):
        return tuple(torch.where(keep_new, n, o) for n, o in zip(new, old))  # type: ignore[return-value]
    return torch.where(keep_new, new, old)


def _reverse_within_lengths(X: Tensor, lengths: Tensor | None) -> Tensor:
    """Reverse each sequence of X (T, B, ...) within its own length; padding stays at the end.

    Applying it twice gives X back, so the same call maps the backward direction's outputs back
    to the original time positions.
    """
    if lengths is None:
        return X.flip(0)
    T = X.size(0)
    t = torch.arange(T, device=X.device).unsqueeze(1)  # (T, 1)
    L = lengths.to(X.device).unsqueeze(0)  # (1, B)
    idx = torch.where(t < L, L - 1 - t, t)  # (T, B) source time step of each position
    idx = idx.view(T, -1, *([1] * (X.dim() - 2))).expand_as(X)
    return X.gather(0, idx)


class Recurrent(nn.Module):
    """A stack of recurrent layers (optionally bidirectional) run by the explicit cells or PyTorch's kernels.

    The parameters are those of the fused module ``self.fused`` (an ``nn.RNN``, ``nn.LSTM`` or
    ``nn.GRU`` with ``batch_first=True``); the explicit path reads the very same tensors, so a model
    trained one way can be inspected the other way. Dropout (probability ``dropout``) is applied to
    the outputs of every layer but the last, in training mode only, as ``nn.LSTM`` does.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}; valid cells: {', '.join(CELLS)}")
        self.cell = cell
        self.Cell = CELLS[cell]
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bidirectional = bidirectional
        self.dirs = 2 if bidirectional else 1
        self.dropout = dropout
        self.fused = FUSED[cell](
            input_size,
            hidden_size,
            num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,  # nn.* warns about dropout with 1 layer
            bidirectional=bidirectional,
        )

    def weights(self, layer: int, direction: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """(W_ih (G*H, in), W_hh (G*H, H), b_ih (G*H,), b_hh (G*H,)) of one layer and direction."""
        sfx = f"l{layer}" + ("_reverse" if direction == 1 else "")
        f = self.fused
        return (
            getattr(f, f"weight_ih_{sfx}"),
            getattr(f, f"weight_hh_{sfx}"),
            getattr(f, f"bias_ih_{sfx}"),
            getattr(f, f"bias_hh_{sfx}"),
        )

    def forward(
        self,
        x: Tensor,
        lengths: Tensor | None = None,
        explicit: bool = False,
        record: bool = False,
        state: State | None = None,
        h_offset: Tensor | None = None,
    ) -> RecurrentOutput:
        """Run over x (B, T, I).

        lengths: (B,) long, the number of real steps of each right-padded sequence (>= 1), or
            None when every step is real.
        explicit: loop over time with the cells' equations instead of the fused kernels.
        record: also return every hidden state and gate activation (implies ``explicit``).
        state: initial h_0 (L*dirs, B, H), or (h_0, c_0) for the LSTM; zeros when None.
        h_offset: (B, T, H) added to the hidden state h_t of the first layer's forward direction
            right after each step, before the next step and the layers above read it (implies
            ``explicit``). Zeros change no number; give zeros with ``requires_grad`` and the
            gradient of a loss with respect to ``h_offset[:, t]`` is dL/dh_t (see core.analysis).
        """
        if lengths is not None and bool((lengths == x.size(1)).all()):
            lengths = None  # nothing is padded: skip packing and masking
        if explicit or record or h_offset is not None:
            return self._explicit(x, lengths, record, state, h_offset)
        return self._fused(x, lengths, state)

    def _fused(self, x: Tensor, lengths: Tensor | None, state: State | None) -> RecurrentOutput:
        if lengths is None:
            outputs, final = self.fused(x, state)  # (B, T, dirs*H)
        else:
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            outputs, final = self.fused(packed, state)
            outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=x.size(1))
        if isinstance(final, tuple):
            return RecurrentOutput(outputs, final[0], final[1])
        return RecurrentOutput(outputs, final)

    def _explicit(
        self,
        x: Tensor,
        lengths: Tensor | None,
        record: bool,
        state: State | None,
        h_offset: Tensor | None = None,
    ) -> RecurrentOutput:
        T = x.size(1)
        mask = None  # (T, B, 1) True at real steps
        if lengths is not None:
            mask = (torch.arange(T, device=x.device).unsqueeze(1) < lengths.to(x.device)).unsqueeze(-1)
        X = x.transpose(0, 1)  # (T, B, I): time-major inside the loop
        finals: list[State] = []  # index layer*dirs + dir, like h_n
        states: list[Tensor] = []  # per layer and direction: (T, B, H)
        gates: list[dict[str, Tensor]] = []  # per layer and direction: name -> (T, B, H)
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0:
                X = torch.dropout(X, self.dropout, self.training)  # between layers only
            outs = []
            for d in range(self.dirs):
                s0 = self._initial(state, layer * self.dirs + d, x)
                offset = h_offset.transpose(0, 1) if h_offset is not None and layer == d == 0 else None
                Hs, final, g = self._direction(X, layer, d, s0, lengths, mask, record, offset)
                outs.append(Hs)
                finals.append(final)
                gates.append(g)
            states.extend(outs)
            X = torch.cat(outs, dim=-1) if self.dirs == 2 else outs[0]  # (T, B, dirs*H)
        out = RecurrentOutput(
            outputs=X.transpose(0, 1),  # (B, T, dirs*H)
            h_n=torch.stack([_hidden(s) for s in finals]),  # (L*dirs, B, H)
            c_n=torch.stack([s[1] for s in finals]) if self.cell == "lstm" else None,  # type: ignore[index]
        )
        if record:
            out.states = self._layers_dirs(states)
            out.gates = {k: self._layers_dirs([g[k] for g in gates]) for k in self.Cell.gate_names}
        return out

    def _layers_dirs(self, per_layer_dir: list[Tensor]) -> Tensor:
        """[(T, B, H)] * (L*dirs) -> (L, dirs, B, T, H)."""
        return torch.stack(per_layer_dir).transpose(1, 2).unflatten(0, (self.num_layers, self.dirs))

    def _direction(
        self,
        X: Tensor,
        layer: int,
        d: int,
        s0: State,
        lengths: Tensor | None,
        mask: Tensor | None,
        record: bool,
        offset: Tensor | None = None,
    ) -> tuple[Tensor, State, dict[str, Tensor]]:
        """One layer in one direction over X (T, B, in): hidden states (T, B, H), final state, gates.

        The backward direction (d = 1) reads each sequence reversed within its own length, so it
        starts at the last real step; its results are put back in the original time order.
        """
        W_ih, W_hh, b_ih, b_hh = self.weights(layer, d)
        X_proj = self.Cell.input_term(X, W_ih, b_ih, b_hh)  # (T, B, G*H): input term for all steps at once
        if d == 1:
            X_proj = _reverse_within_lengths(X_proj, lengths)
        Hs, final, g = self._scan(X_proj, s0, W_hh, b_hh, mask, record, offset)
        if d == 1:
            Hs = _reverse_within_lengths(Hs, lengths)
            g = {k: _reverse_within_lengths(v, lengths) for k, v in g.items()}
        return Hs, final, g

    def _initial(self, state: State | None, index: int, x: Tensor) -> State:
        """h_0 (and c_0) of layer-direction ``index`` (= layer*dirs + dir); zeros when not given."""
        if state is None:
            zeros = x.new_zeros(x.size(0), self.hidden_size)
            return (zeros, zeros) if self.cell == "lstm" else zeros
        if isinstance(state, tuple):
            return state[0][index], state[1][index]
        return state[index]

    def _scan(
        self,
        X_proj: Tensor,
        s: State,
        W_hh: Tensor,
        b_hh: Tensor,
        mask: Tensor | None,
        record: bool,
        offset: Tensor | None = None,
    ) -> tuple[Tensor, State, dict[str, Tensor]]:
        """Apply the cell at every step of X_proj (T, B, G*H); past a sequence's length the state is held.

        ``offset`` (T, B, H), when given, is added to each new h_t (before holding, so a padded
        step's offset is discarded with its state).

        Returns the hidden states (T, B, H) (0 at padded steps), the final state and, when
        ``record``, the gate activations name -> (T, B, H).
        """
        if self.cell in ("lstm", "gru") and mask is None and offset is None and not record:
            # Nothing to record, hold or shift: the same equations over all steps, with the
            # backward pass through time written out (core.models.bptt).
            if self.cell == "lstm":
                H_all, h_T, c_T = lstm_scan(X_proj, s[0], s[1], W_hh)  # type: ignore[index]
                return H_all, (h_T, c_T), {}
            H_all, h_T = gru_scan(X_proj, s, W_hh, b_hh)  # type: ignore[arg-type]
            return H_all, h_T, {}
        step = self.Cell.step
        Hs: list[Tensor] = []
        recorded: list[dict[str, Tensor]] = []
        for t, X_t in enumerate(X_proj.unbind(0)):
            new, g = step(X_t, s, W_hh, b_hh)
            if offset is not None:
                new = _shift(new, offset[t])
            s = new if mask is None else _hold(mask[t], new, s)
            Hs.append(_hidden(s))
            if record:
                recorded.append(g)
        H_all = torch.stack(Hs)  # (T, B, H)
        g_all = {k: torch.stack([r[k] for r in recorded]) for k in self.Cell.gate_names} if record else {}
        if mask is not None:
            H_all = H_all * mask
            g_all = {k: v * mask for k, v in g_all.items()}
        return H_all, s, g_all


# --------------------------------------------------------------------------------------------
# The model the registry builds for the rnn / lstm / gru architectures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecurrentConfig:
    """Settings of a recurrent classifier or forecaster (embedding -> recurrent layers -> read-out)."""

    cell: str = param(
        "lstm",
        choices=("rnn", "lstm", "gru"),
        help="Recurrent cell: vanilla RNN (tanh), LSTM (input, forget and output gates plus a memory "
        "cell) or GRU (reset and update gates).",
    )
    vocab_size: int = param(
        0,
        lo=0,
        hi=1_000_000,
        data=True,
        help="Number of token ids in the input vocabulary; 0 means the inputs are float features.",
    )
    in_features: int = param(
        1,
        lo=1,
        hi=4096,
        data=True,
        help="Number of float features per time step (used when vocab_size is 0).",
    )
    n_out: int = param(
        2,
        lo=1,
        hi=100_000,
        data=True,
        help="Number of outputs: classes to choose from, or future values to forecast.",
    )
    embed_dim: int = param(
        64,
        lo=2,
        hi=1024,
        log=True,
        help="Size of the vector each input step is mapped to before the recurrent layers "
        "(a learned embedding for tokens, a linear layer for float features).",
    )
    hidden_size: int = param(
        128,
        lo=4,
        hi=1024,
        log=True,
        help="Size of the hidden state h_t: how much the network can remember at each step.",
    )
    num_layers: int = param(
        1,
        lo=1,
        hi=6,
        help="Number of stacked recurrent layers; each reads the hidden states of the one below.",
    )
    bidirectional: bool = param(
        False,
        help="Also read each sequence backwards with a second set of weights and join both "
        "directions, so every step sees the past and the future.",
    )
    dropout: float = param(
        0.0,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Probability of zeroing an activation during training, between stacked layers and "
        "before the output layer (never on the recurrent connection).",
    )
    word_dropout: float = param(
        0.0,
        lo=0.0,
        hi=0.5,
        step=0.05,
        help="Probability of replacing each input word by <unk> during training, so the model cannot "
        "lean on any single word (token inputs only).",
    )
    pooling: str = param(
        "last",
        choices=POOLINGS,
        help="Many-to-one: how the states become one vector for the output. 'last' = the final "
        "state (of each direction); 'max' = for each unit its largest value over all steps, so a "
        "word anywhere can decide; 'mean' = the average state over the real steps.",
    )
    vectors_dim: int = vectors_dim_param("embed_dim")
    n_grams: int = n_grams_param()
    readout: str = param(
        "last",
        choices=("last", "each"),
        data=True,  # the task's objective decides: "each" for a language model, else "last"
        help="Many-to-one ('last': one output from the final state, e.g. a class per review) or "
        "many-to-many ('each': an output at every time step, for tasks with a target per step).",
    )
    explicit: bool = param(
        False,
        help="Train with the explicit step-by-step cells instead of PyTorch's fused kernels: same "
        "numbers, slower; the gates can always be inspected either way.",
    )

    @property
    def word_dim(self) -> int:
        """The size each word's vector has inside the model (pretrained vectors are projected to it)."""
        return self.embed_dim

    def check(self) -> None:
        if 0 < self.vocab_size <= len(SPECIALS):
            raise ConfigError(
                f"vocab_size {self.vocab_size} leaves no room for tokens besides the {len(SPECIALS)} "
                "special ones; use 0 for float features"
            )


class RecurrentModel(nn.Module):
    """Embedding (tokens) or Linear (float features) -> :class:`Recurrent` -> read-out -> Linear(n_out).

    Read-out "last" (many-to-one): the top layer's hidden state at each sequence's last real step;
    when bidirectional, joined with the backward direction's final state (which has read the whole
    sequence from the end back to the first step). Read-out "each" (many-to-many): the top layer's
    states at every step, giving logits (B, T, n_out) that are 0 at padded steps.
    """

    def __init__(self, cfg: RecurrentConfig):
        super().__init__()
        self.cfg = cfg
        if cfg.vocab_size > 0:
            table_dim = cfg.vectors_dim or cfg.embed_dim
            self.embed: nn.Module = nn.Embedding(cfg.vocab_size, table_dim, padding_idx=PAD)
            self.embed_proj = vectors_projection(cfg.vectors_dim, cfg.word_dim)
        else:
            self.embed = nn.Linear(cfg.in_features, cfg.embed_dim)
            self.embed_proj = None
        self.ngrams = BagOfNgrams(cfg.n_grams, cfg.n_out) if cfg.n_grams else None
        self.rnn = Recurrent(
            cfg.cell, cfg.embed_dim, cfg.hidden_size, cfg.num_layers, cfg.bidirectional, cfg.dropout
        )
        self.drop = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(self.rnn.dirs * cfg.hidden_size, cfg.n_out)

    def forward(
        self,
        batch: dict[str, Tensor],
        *,
        teacher_forcing: float = 1.0,
        record: bool = False,
        h_offset: Tensor | None = None,
    ) -> ModelOutput:
        """batch["x"]: (B, T) long with batch["mask"] (B, T), or (B, T, F) float. ``teacher_forcing`` is unused.

        ``h_offset`` (B, T, H): a probe added to the first layer's hidden states (see :class:`Recurrent`).
        """
        x = batch["x"]
        mask = batch.get("mask")
        lengths = mask.sum(1).clamp(min=1) if mask is not None else None  # (B,)
        if self.training and self.cfg.word_dropout > 0 and self.cfg.vocab_size > 0:
            x = drop_words(x, self.cfg.word_dropout)
        E = self.embed(x)  # (B, T, E), or (B, T, P) pretrained vectors
        if self.embed_proj is not None:
            E = self.embed_proj(E)  # (B, T, E)
        r = self.rnn(E, lengths, explicit=self.cfg.explicit or record, record=record, h_offset=h_offset)
        if self.cfg.readout == "each":
            logits = self.head(self.drop(r.outputs))  # (B, T, n_out)
            if lengths is not None:
                real = torch.arange(x.size(1), device=x.device) < lengths.unsqueeze(1)  # (B, T)
                logits = logits * real.unsqueeze(-1)
        else:
            logits = self.head(self.drop(self._pool(r, x, lengths)))  # (B, n_out)
            if self.ngrams is not None and "grams" in batch:
                logits = logits + self.ngrams(batch["grams"])
        return ModelOutput(logits=logits, states=r.states, gates=r.gates)

    def _pool(self, r: RecurrentOutput, x: Tensor, lengths: Tensor | None) -> Tensor:
        """The many-to-one feature vector (B, dirs*H), see ``pooling``."""
        if self.cfg.pooling == "last":
            top = r.h_n[-self.rnn.dirs :]  # (dirs, B, H): forward final, backward final
            return torch.cat(list(top), dim=-1)
        out = r.outputs  # (B, T, dirs*H)
        if lengths is None:
            real = torch.ones(out.shape[:2], dtype=torch.bool, device=out.device)
        else:
            real = torch.arange(x.size(1), device=x.device) < lengths.unsqueeze(1)  # (B, T)
        if self.cfg.pooling == "max":
            return out.masked_fill(~real.unsqueeze(-1), float("-inf")).amax(dim=1)
        m = real.unsqueeze(-1).to(out.dtype)
        return (out * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)

    def word_table(self) -> nn.Parameter | None:
        """The (vocab, E or P) embedding table when the inputs are token ids."""
        return self.embed.weight if self.cfg.vocab_size > 0 else None

    def generate_step(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """Many-to-many, carried on from the last call: x (B, T) ids and the state the previous call
        ended in -> logits (B, T, n_out) and the state after x's last step. Generation feeds each
        drawn token back in one step at a time; h_t carries everything read so far."""
        if self.rnn.dirs != 1:
            raise ValueError("a bidirectional network reads the future: it cannot generate")
        E = self.embed(x)  # (B, T, E)
        if self.embed_proj is not None:
            E = self.embed_proj(E)
        r = self.rnn(E, None, state=state)
        after: State = (r.h_n, r.c_n) if r.c_n is not None else r.h_n
        return self.head(r.outputs), after


# the three cells share one model and differ only in the pinned cell
ARCHS = tuple(
    Arch(
        name,
        title,
        RecurrentConfig,
        RecurrentModel,
        MANY_TO_ONE | {"lm"},  # many-to-one, or many-to-many (readout "each", from the task's data)
        summary,
        {"cell": name},
        family="recurrent",
        order=order,
    )
    for name, title, summary, order in (
        ("rnn", "Vanilla RNN", "h_t = tanh(W_xh x_t + W_hh h_{t-1} + b): the plain recurrent cell", 10),
        ("lstm", "LSTM", "input/forget/output gates and a cell state that carries long-term memory", 20),
        ("gru", "GRU", "reset and update gates: LSTM's gating simplified, faster", 30),
    )
)
