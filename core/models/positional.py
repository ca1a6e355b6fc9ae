"""Positional encodings: how a Transformer learns where each token sits in the sequence.

Dimension legend: B batch, T positions in the batch, D d_model.

Attention itself ignores order (shuffle the tokens and each one gets the same output, shuffled),
so the model adds a vector that depends only on the position to every token embedding
("Attention Is All You Need", section 3.5).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

POSITIONAL_KINDS = ("sinusoidal", "learned", "none")


def sinusoidal_encoding(max_len: int, d_model: int) -> Tensor:
    """PE(pos, 2i) = sin(pos / 10000^(2i/D)), PE(pos, 2i+1) = cos(pos / 10000^(2i/D)); (max_len, D).

    Each pair of columns is a sine/cosine of one wavelength, from 2*pi (column 0) to 10000*2*pi, so
    PE(pos + k) is a fixed linear function of PE(pos). An odd D keeps the last column's sine only.
    """
    pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)  # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # 2i = 0, 2, 4, ...
    angle = pos / torch.pow(10000.0, two_i / d_model)  # (max_len, ceil(D/2))
    P = torch.zeros(max_len, d_model, dtype=torch.float64)
    P[:, 0::2] = torch.sin(angle)
    P[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return P.float()


class PositionalEncoding(nn.Module):
    """x + P[:T], then dropout: P is sinusoidal (fixed), learned (one trained vector per position) or 0.

    The model scales its token embeddings by sqrt(D) before this, as the paper does (section 3.4),
    so the embeddings are not drowned by the positional signal.
    """

    def __init__(self, kind: str, max_len: int, d_model: int, dropout: float = 0.0):
        super().__init__()
        if kind not in POSITIONAL_KINDS:
            raise ValueError(
                f"unknown positional encoding {kind!r}; valid kinds: {', '.join(POSITIONAL_KINDS)}"
            )
        self.kind, self.max_len, self.d_model = kind, max_len, d_model
        self.dropout = nn.Dropout(dropout)
        if kind == "sinusoidal":
            # derived from (max_len, D), so it is not saved with the weights
            self.register_buffer("P", sinusoidal_encoding(max_len, d_model), persistent=False)
        elif kind == "learned":
            self.P = nn.Parameter(0.02 * torch.randn(max_len, d_model))
        else:
            self.P = None

    def encoding(self, T: int) -> Tensor | None:
        """The (T, D) rows added to positions 0..T-1 (None for "none").

        Sinusoids extend to any length (the paper's reason for choosing them); a learned table
        has no row beyond max_len, which is an error.
        """
        if self.P is None:
            return None
        if T <= self.max_len:
            return self.P[:T]
        if self.kind == "sinusoidal":
            return sinusoidal_encoding(T, self.d_model).to(self.P.device)
        raise ValueError(
            f"sequence of {T} positions is longer than max_len={self.max_len} of the learned positional "
            "encoding; raise max_len or use sinusoidal encoding"
        )

    def forward(self, x: Tensor) -> Tensor:
        """x (B, T, D) embeddings -> (B, T, D) embeddings plus position."""
        P = self.encoding(x.size(1))
        return self.dropout(x if P is None else x + P)

    def table(self) -> Tensor:
        """The (max_len, D) matrix in use, detached (zeros for "none"), for the heatmap."""
        if self.P is None:
            return torch.zeros(self.max_len, self.d_model)
        return self.P.detach().clone()
