"""One-to-many: a single input (an image) -> a generated sequence (its caption).

Dimension legend:
    B batch, C image channels, Hi x Wi image height x width (Hi = Wi = image_size), H hidden size,
    L decoder layers, T caption length, E embedding size, V caption vocabulary size.

The image encoder squeezes the whole picture into ONE vector v (B, H); the recurrent decoder starts
from it (h_0 = v in every layer) and also sees it next to each previous word, then writes the
caption word by word (Vinyals et al. 2015, "Show and Tell", with the context fed at every step as
in Cho et al. 2014). It is the Seq2Seq decoder without attention, with an image instead of a
sentence on the input side.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from core.config import param
from core.models.base import SPECIALS, ModelOutput
from core.models.seq2seq import CELL_CHOICES, Decoder, State, decode_loop, reorder
from core.registry import Arch


@dataclass(frozen=True)
class CaptionerConfig:
    """Settings of the image captioner: image encoder -> one vector -> recurrent decoder."""

    image_channels: int = param(
        1, lo=1, hi=4, data=True, help="Colour channels of the input images (1 = grey, 3 = RGB)."
    )
    image_size: int = param(
        28, lo=4, hi=256, data=True, help="Height and width of the (square) input images, in pixels."
    )
    tgt_vocab_size: int = param(
        32,
        lo=len(SPECIALS) + 1,
        hi=1_000_000,
        data=True,
        help="Number of token ids in the caption vocabulary (including the 4 special tokens).",
    )
    cell: str = param(
        "gru", choices=CELL_CHOICES, help="Recurrent cell of the caption decoder: vanilla RNN, LSTM or GRU."
    )
    embed_dim: int = param(
        64, lo=2, hi=1024, log=True, help="Size of the learned vector each caption word is mapped to."
    )
    hidden_size: int = param(
        128,
        lo=4,
        hi=1024,
        log=True,
        help="Size of the image vector and of the decoder's hidden state: everything the decoder "
        "knows about the picture has to fit in this many numbers.",
    )
    num_layers: int = param(1, lo=1, hi=4, help="Stacked recurrent layers in the decoder.")
    dropout: float = param(
        0.0,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Probability of zeroing an activation during training (word embeddings, between "
        "stacked layers, before the output layer).",
    )
    encoder: str = param(
        "cnn",
        choices=("cnn", "mlp"),
        help="Image encoder: 'cnn' = three small convolution layers with pooling (looks at local "
        "patterns wherever they are); 'mlp' = the pixels flattened into a two-layer perceptron.",
    )


class ImageEncoder(nn.Module):
    """Image (B, C, Hi, Wi) -> one vector v = tanh(W_v features) (B, H), the decoder's initial state.

    cnn: [conv 3x3 -> ReLU -> max-pool 2x2] twice, conv 3x3 -> ReLU, flatten (positions kept), Linear.
    mlp: flatten -> Linear -> ReLU -> Linear.
    """

    def __init__(self, channels: int, image_size: int, hidden_size: int, kind: str = "cnn"):
        super().__init__()
        if kind == "cnn":
            side = image_size // 4  # two 2x2 poolings
            self.features: nn.Module = nn.Sequential(
                nn.Conv2d(channels, 16, 3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),  # (B, 16, Hi/2, Wi/2)
                nn.Conv2d(16, 32, 3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),  # (B, 32, Hi/4, Wi/4)
                nn.Conv2d(32, 32, 3, padding=1),
                nn.ReLU(),
                nn.Flatten(),  # (B, 32 * side * side)
            )
            n_features = 32 * side * side
        elif kind == "mlp":
            self.features = nn.Sequential(
                nn.Flatten(), nn.Linear(channels * image_size * image_size, hidden_size), nn.ReLU()
            )
            n_features = hidden_size
        else:
            raise ValueError(f"unknown image encoder {kind!r}; valid: cnn, mlp")
        self.W_v = nn.Linear(n_features, hidden_size)

    def forward(self, image: Tensor) -> Tensor:
        """image (B, C, Hi, Wi) float -> v (B, H)."""
        return torch.tanh(self.W_v(self.features(image)))


class Captioner(nn.Module):
    """ImageEncoder -> v -> recurrent Decoder (attention "none", context vector = v)."""

    def __init__(self, cfg: CaptionerConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = ImageEncoder(cfg.image_channels, cfg.image_size, cfg.hidden_size, cfg.encoder)
        self.decoder = Decoder(
            cfg.tgt_vocab_size,
            cfg.embed_dim,
            cfg.hidden_size,
            cfg.hidden_size,
            cfg.cell,
            cfg.num_layers,
            cfg.dropout,
            attention="none",
        )

    def encode(self, batch: dict[str, Tensor]) -> State:
        """The decoder's first state: h_0 = v in every layer (c_0 = 0 for the LSTM), context = v."""
        v = self.encoder(batch["src"])  # (B, H)
        state: State = {"h": v.unsqueeze(0).repeat(self.cfg.num_layers, 1, 1).contiguous(), "context": v}
        if self.cfg.cell == "lstm":
            state["c"] = torch.zeros_like(state["h"])
        return state

    def forward(
        self, batch: dict[str, Tensor], *, teacher_forcing: float = 1.0, record: bool = False
    ) -> ModelOutput:
        """batch: src (B, C, Hi, Wi) float, tgt_in (B, T) long -> logits (B, T, V). ``record`` is unused."""
        state = self.encode(batch)
        if teacher_forcing >= 1.0:
            logits, _ = self.decoder.forward_fused(batch["tgt_in"], state)
        else:
            logits, _ = decode_loop(self.decoder, state, batch["tgt_in"], teacher_forcing)
        return ModelOutput(logits=logits)

    # decode step interface (core.decode) -------------------------------------------------------

    def decode_step(self, state: State, ys: Tensor) -> tuple[Tensor, State, None]:
        logits, state, _ = self.decoder.step(ys[:, -1], state)
        return logits, state, None

    def reorder_state(self, state: State, idx: Tensor) -> State:
        return reorder(state, idx)


ARCHS = (
    Arch(
        "captioner",
        "Image captioner (one-to-many)",
        CaptionerConfig,
        Captioner,
        frozenset({"caption"}),
        "a small CNN encodes the image into one vector; a recurrent decoder writes the caption",
        order=90,
    ),
)
