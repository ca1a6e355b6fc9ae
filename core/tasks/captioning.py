"""Captioning (one-to-many): one generated image in, a short sentence out.

Each image shows two coloured shapes (circle, square, triangle in red, green, blue or yellow) on
a dark background, in two cells of a 3 x 3 grid that share a row or a column, with a small random
shift and pixel noise. The caption names both shapes and where the first is relative to the
second::

    red circle above blue square        green triangle left of yellow circle

Every image has exactly one right caption: the shapes are named in a fixed order (circle before
square before triangle, and for the same shape red before green before blue before yellow), and
the relation (above, below, left of, right of) is the first one's position relative to the second.
Batches use the caption keys of :mod:`core.models.base`: ``src`` (B, 3, H, W) floats in [0, 1],
``tgt_in`` (SOS + caption) and ``tgt_out`` (caption + EOS).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from core.config import param
from core.models.base import EOS, SPECIALS
from core.seqeval import generate, sequence_metrics
from core.seqmetrics import bleu, exact_match, sentence_bleu
from core.tasks.base import Batch, DataError, Metric, Task, TaskData, model_device, to_device
from core.text import Vocab, pad_batch

SHAPES = ("circle", "square", "triangle")
COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (1.0, 0.0, 0.0),
    "green": (0.0, 1.0, 0.0),
    "blue": (0.0, 0.0, 1.0),
    "yellow": (1.0, 1.0, 0.0),
}
COLOUR_NAMES = tuple(COLOURS)
GRID = 3  # the image is a GRID x GRID board of cells
JITTER = 1  # a shape's centre moves up to this many pixels from its cell's centre
BACKGROUND = 0.1
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)


@dataclass(frozen=True)
class CaptioningOptions:
    n_images: int = param(
        4000,
        lo=200,
        hi=20000,
        log=True,
        help="Number of distinct generated images (split 80/10/10 into train, validation and test).",
    )
    image_size: int = param(
        24, choices=(24, 36), help="Width and height of the images in pixels (a 3 x 3 grid of cells)."
    )
    noise: float = param(
        0.05,
        lo=0.0,
        hi=0.5,
        step=0.01,
        help="Standard deviation of the random noise added to every pixel (0 = clean images).",
    )


@dataclass(frozen=True)
class Scene:
    """Two shapes in two cells (row, col) of the grid, with their pixel shifts."""

    first: tuple[str, str]  # (colour, shape) named first in the caption
    second: tuple[str, str]
    cell1: tuple[int, int]
    cell2: tuple[int, int]
    shift1: tuple[int, int] = (0, 0)
    shift2: tuple[int, int] = (0, 0)

    def relation(self) -> list[str]:
        (r1, c1), (r2, c2) = self.cell1, self.cell2
        if c1 == c2:
            return ["above"] if r1 < r2 else ["below"]
        return ["left", "of"] if c1 < c2 else ["right", "of"]

    def caption(self) -> list[str]:
        return [*self.first, *self.relation(), *self.second]


def _order_key(item: tuple[str, str]) -> tuple[int, int]:
    colour, shape = item
    return SHAPES.index(shape), COLOUR_NAMES.index(colour)


@lru_cache(maxsize=4)
def _pixel_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    return y, x


def shape_mask(shape: str, cy: float, cx: float, half: float, size: int) -> np.ndarray:
    """Boolean (size, size) mask of a shape centred at (cy, cx) that fits in a (2*half+1) box."""
    y, x = _pixel_grid(size)
    dy, dx = y - cy, x - cx
    if shape == "circle":
        return dy**2 + dx**2 <= half**2
    if shape == "square":
        return (np.abs(dy) <= half - 0.5) & (np.abs(dx) <= half - 0.5)
    if shape == "triangle":  # apex up, base at the bottom: width grows linearly downwards
        return (dy >= -half) & (dy <= half) & (np.abs(dx) <= (dy + half) / 2)
    raise ValueError(f"unknown shape {shape!r}; valid: {', '.join(SHAPES)}")


@lru_cache(maxsize=4096)
def _cached_mask(shape: str, cy: float, cx: float, half: float, size: int) -> np.ndarray:
    m = shape_mask(shape, cy, cx, half, size)
    m.flags.writeable = False
    return m


def centre(cell: tuple[int, int], shift: tuple[int, int], size: int) -> tuple[int, int]:
    """Pixel (y, x) of a shape's centre: its cell's middle pixel plus the shift."""
    c = size // GRID
    return cell[0] * c + c // 2 + shift[0], cell[1] * c + c // 2 + shift[1]


def render(scene: Scene, size: int, noise: float = 0.0, rng: np.random.Generator | None = None) -> np.ndarray:
    """The scene as a float32 (3, size, size) image in [0, 1]."""
    img = np.full((3, size, size), BACKGROUND, dtype=np.float32)
    half = (size // GRID - 3) / 2  # 2.5 px for 8 px cells: a shape with its shift stays in its cell
    for (colour, shape), cell, shift in (
        (scene.first, scene.cell1, scene.shift1),
        (scene.second, scene.cell2, scene.shift2),
    ):
        cy, cx = centre(cell, shift, size)
        m = _cached_mask(shape, cy, cx, half, size)
        for ch, value in enumerate(COLOURS[colour]):
            img[ch][m] = value
    if noise > 0:
        rng = rng or np.random.default_rng(0)
        img = np.clip(img + rng.normal(0.0, noise, img.shape).astype(np.float32), 0.0, 1.0)
    return img


def _cell_pairs() -> list[tuple[tuple[int, int], tuple[int, int]]]:
    cells = [(r, c) for r in range(GRID) for c in range(GRID)]
    return [(a, b) for a in cells for b in cells if a != b and (a[0] == b[0] or a[1] == b[1])]


def sample_scenes(n: int, seed: int) -> list[Scene]:
    """``n`` distinct scenes (objects, cells and shifts), the same for the same seed."""
    rng = random.Random(seed)
    items = [(c, s) for s in SHAPES for c in COLOUR_NAMES]
    pairs = _cell_pairs()
    shifts = [(dy, dx) for dy in range(-JITTER, JITTER + 1) for dx in range(-JITTER, JITTER + 1)]
    seen: set[Scene] = set()
    out: list[Scene] = []
    for _ in range(n * 50):
        if len(out) >= n:
            break
        a, b = sorted(rng.sample(items, 2), key=_order_key)
        ca, cb = rng.choice(pairs)
        scene = Scene(a, b, ca, cb, rng.choice(shifts), rng.choice(shifts))
        if scene not in seen:
            seen.add(scene)
            out.append(scene)
    return out


def to_uint8(img: np.ndarray) -> np.ndarray:
    """(3, H, W) float in [0, 1] -> (H, W, 3) uint8 for display."""
    return (np.clip(img, 0.0, 1.0).transpose(1, 2, 0) * 255).round().astype(np.uint8)


# ----------------------------------------------------------------------------------- prepared


@dataclass
class CaptioningData(TaskData):
    vocab: Vocab = field(default_factory=lambda: Vocab([]))
    captions: dict[str, list[list[str]]] = field(default_factory=dict)
    image_size: int = 24

    def evaluate(self, model: nn.Module, split: str = "val") -> dict[str, float]:
        if split not in self.splits:
            raise DataError(f"unknown split {split!r}; valid: {', '.join(self.splits) or '(none)'}")
        return sequence_metrics(model, self.splits[split], self.captions[split], self.vocab)

    def baselines(self) -> dict[str, dict[str, float]]:
        """The caption seen most often in training, for every test image."""
        refs = self.captions.get("test", [])
        if not refs:
            return {}
        common = Counter(tuple(c) for c in self.captions["train"]).most_common(1)[0][0]
        hyps = [list(common)] * len(refs)
        return {"most common caption": {"exact_match": exact_match(hyps, refs), "bleu": bleu(hyps, refs)}}

    def _decode_len(self) -> int:
        return max(2, int(self.model_fields["max_len"]) - 1)

    def _image_tensor(self, image: Any) -> torch.Tensor:
        a = np.asarray(image)
        s = self.image_size
        if a.ndim == 3 and a.shape == (s, s, 3):
            a = a.transpose(2, 0, 1)
        if a.shape != (3, s, s):
            raise DataError(
                f"expected an RGB image of {s} x {s} pixels (H, W, 3), got shape {tuple(a.shape)}"
            )
        a = a.astype(np.float32)
        if np.asarray(image).dtype == np.uint8 or a.max() > 1.0:
            a = a / 255.0
        return torch.from_numpy(np.ascontiguousarray(a))

    def predict(self, model: nn.Module, inputs: list[Any], **kw: Any) -> list[dict[str, Any]]:
        """Caption images: each an (H, W, 3) uint8 array (or (3, H, W) floats in [0, 1]).
        Returns [{"caption": str, "tokens": [...]}]."""
        from core.decode import greedy

        if not len(inputs):
            raise DataError("give at least one image")
        src = torch.stack([self._image_tensor(im) for im in inputs])
        tokens, _ = greedy(model, to_device({"src": src}, model_device(model)), self._decode_len())
        words = [self.vocab.decode(row) for row in tokens.cpu().tolist()]
        return [{"caption": " ".join(w), "tokens": w} for w in words]

    def examples(self, model: nn.Module, n: int = 8) -> list[dict[str, Any]]:
        """The first ``n`` test images: image (H, W, 3) uint8, reference, caption, sentence BLEU, correct."""
        refs = self.captions.get("test", [])[:n]
        if not refs:
            return []
        data = {k: v[: len(refs)] for k, v in self.splits["test"].items()}
        hyps, _ = generate(model, data, self.vocab, self._decode_len())
        return [
            {
                "image": to_uint8(data["src"][i].numpy()),
                "reference": " ".join(r),
                "caption": " ".join(h),
                "bleu": sentence_bleu(h, r),
                "correct": h == r,
            }
            for i, (r, h) in enumerate(zip(refs, hyps))
        ]

    def probe(self) -> tuple[Batch, dict[str, list[str]]] | None:
        refs = self.captions.get("test", [])
        if not refs:
            return None
        batch = {k: v[:1] for k, v in self.splits["test"].items()}
        return batch, {"tgt": list(refs[0]) + [SPECIALS[EOS]]}

    def probe_for(self, model: nn.Module) -> tuple[Batch, dict[str, list[str]]] | None:
        """A loaded model has no test images: its probe is a scene drawn again at the model's image
        size (the first scene of seed 0), with its caption."""
        found = self.probe()
        if found is not None:
            return found
        scene = sample_scenes(1, seed=0)[0]
        words = scene.caption()
        tgt_in, _ = pad_batch([self.vocab.encode(words, sos=True)])
        tgt_out, _ = pad_batch([self.vocab.encode(words, eos=True)])
        src = torch.from_numpy(render(scene, self.image_size)).unsqueeze(0)
        return {"src": src, "tgt_in": tgt_in, "tgt_out": tgt_out}, {"tgt": [*words, SPECIALS[EOS]]}

    def state(self) -> dict[str, Any]:
        return {
            "vocab": self.vocab.to_json(),
            "image_size": self.image_size,
            "model_fields": dict(self.model_fields),
        }


def encode_scenes(
    opts: CaptioningOptions, seed: int
) -> tuple[dict[str, Batch], Vocab, dict[str, list[list[str]]]]:
    """Draw distinct scenes, render them with seeded pixel noise, shuffle and cut 80/10/10, build
    the vocabulary on the training captions and encode every split: (splits, vocabulary, the
    caption of every image per split)."""
    scenes = sample_scenes(opts.n_images, seed)
    images = np.stack([render(s, opts.image_size) for s in scenes])  # (N, 3, H, W)
    if opts.noise > 0:
        noise = np.random.default_rng(seed + 1).normal(0.0, opts.noise, images.shape).astype(np.float32)
        images = np.clip(images + noise, 0.0, 1.0)
    captions = [s.caption() for s in scenes]
    order = np.random.default_rng(seed + 2).permutation(len(scenes))
    n_train = int(round(SPLIT_FRACTIONS[0] * len(scenes)))
    n_val = int(round(SPLIT_FRACTIONS[1] * len(scenes)))
    idx = {
        "train": order[:n_train],
        "val": order[n_train : n_train + n_val],
        "test": order[n_train + n_val :],
    }
    vocab = Vocab.build(captions[i] for i in idx["train"])
    splits: dict[str, Batch] = {}
    caps: dict[str, list[list[str]]] = {}
    for name, ix in idx.items():
        caps[name] = [captions[i] for i in ix]
        tgt_in, _ = pad_batch([vocab.encode(c, sos=True) for c in caps[name]])
        tgt_out, _ = pad_batch([vocab.encode(c, eos=True) for c in caps[name]])
        splits[name] = {"src": torch.from_numpy(images[ix]), "tgt_in": tgt_in, "tgt_out": tgt_out}
    return splits, vocab, caps


@lru_cache(maxsize=4)
def _prepare(opts: CaptioningOptions, seed: int) -> CaptioningData:
    splits, vocab, caps = encode_scenes(opts, seed)
    return CaptioningData(
        splits=splits,
        model_fields={
            "image_channels": 3,
            "image_size": opts.image_size,
            "tgt_vocab_size": len(vocab),
            "max_len": max(len(c) for part in caps.values() for c in part) + 2,
        },
        vocab=vocab,
        captions=caps,
        image_size=opts.image_size,
    )


class CaptioningTask(Task):
    name: ClassVar[str] = "captioning"
    order: ClassVar[int] = 40  # where the app lists it (its page's PageConfig.order agrees)
    title: ClassVar[str] = "Image captioning (one-to-many)"
    objective: ClassVar[str] = "caption"
    options: ClassVar[type] = CaptioningOptions
    primary: ClassVar[Metric] = Metric("exact_match", True, 0.9, "Test exact match")
    description: ClassVar[str] = (
        "One input, many outputs: a small picture of two coloured shapes goes in, a sentence "
        "such as 'red circle above blue square' comes out word by word. The network has to find "
        "both shapes, name their colours and say where one is relative to the other."
    )

    tuned: ClassVar[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
        "captioner": (
            {"cell": "gru", "embed_dim": 32, "hidden_size": 256, "encoder": "cnn"},
            {"epochs": 20, "batch_size": 64, "lr": 3e-3, "clip": 1.0},
        ),
    }

    @classmethod
    def prepare(cls, opts: CaptioningOptions, seed: int = 0, upload: bytes | None = None) -> CaptioningData:
        if upload is not None:
            raise DataError("captioning does not take uploads: its images are generated")
        return _prepare(opts, seed).fresh()

    @classmethod
    def restore(cls, state: dict[str, Any], opts: CaptioningOptions) -> CaptioningData:
        try:
            vocab = Vocab.from_json(state["vocab"])
            fields = dict(state["model_fields"])
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(f"the saved captioning state is incomplete or damaged: {e}") from None
        return CaptioningData(
            splits={},
            model_fields=fields,
            vocab=vocab,
            captions={},
            image_size=int(state.get("image_size", opts.image_size)),
        )
