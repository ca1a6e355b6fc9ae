"""Captioning task: generated images match their captions, and the task API works end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from core.models.base import EOS, SPECIALS, ModelOutput
from core.registry import build, make_config
from core.tasks.base import DataError
from core.tasks.captioning import (
    COLOURS,
    SHAPES,
    CaptioningData,
    CaptioningOptions,
    CaptioningTask,
    Scene,
    centre,
    render,
    sample_scenes,
    to_uint8,
)

SMALL = CaptioningOptions(n_images=300)


@pytest.fixture(scope="module")
def data() -> CaptioningData:
    return CaptioningTask.prepare(SMALL, seed=0)


AREA = {"circle": 21, "square": 25, "triangle": 13}  # pixels of each shape in an 8-pixel cell


def test_rendered_scenes_show_what_the_caption_says():
    for scene in sample_scenes(200, seed=0):
        img = render(scene, 24)  # (3, 24, 24), no noise
        c1, c2 = centre(scene.cell1, scene.shift1, 24), centre(scene.cell2, scene.shift2, 24)
        for (colour, shape), (cy, cx), cell in (
            (scene.first, c1, scene.cell1),
            (scene.second, c2, scene.cell2),
        ):
            assert tuple(img[:, cy, cx]) == COLOURS[colour]  # the named colour at the shape's centre
            r, c = cell  # the named shape's area inside its own cell
            patch = img[:, r * 8 : r * 8 + 8, c * 8 : c * 8 + 8]
            lit = np.all(patch == np.array(COLOURS[colour], dtype=np.float32)[:, None, None], axis=0)
            assert lit.sum() == AREA[shape]
        words = scene.caption()
        assert words[:2] == list(scene.first) and words[-2:] == list(scene.second)
        rel = " ".join(words[2:-2])
        (y1, x1), (y2, x2) = c1, c2
        expected = {
            "above": y1 < y2 - 3,
            "below": y1 > y2 + 3,
            "left of": x1 < x2 - 3,
            "right of": x1 > x2 + 3,
        }
        assert expected[rel], (words, c1, c2)
        # fixed naming order: circle < square < triangle, then red < green < blue < yellow
        k1 = (SHAPES.index(scene.first[1]), list(COLOURS).index(scene.first[0]))
        k2 = (SHAPES.index(scene.second[1]), list(COLOURS).index(scene.second[0]))
        assert k1 < k2


def test_prepared_images_match_their_captions():
    d = CaptioningTask.prepare(CaptioningOptions(n_images=200, noise=0.0), seed=3)
    images = d.splits["train"]["src"].numpy()
    for img, cap in zip(images, d.captions["train"]):
        colour1, colour2 = cap[0], cap[-2]
        where = {}
        for colour in (colour1, colour2):
            hit = np.all(img == np.array(COLOURS[colour], dtype=np.float32)[:, None, None], axis=0)
            assert hit.any(), cap
            where[colour] = np.argwhere(hit).mean(0)  # centroid (y, x)
        if colour1 != colour2:
            (y1, x1), (y2, x2) = where[colour1], where[colour2]
            rel = " ".join(cap[2:-2])
            ok = {"above": y1 < y2, "below": y1 > y2, "left of": x1 < x2, "right of": x1 > x2}[rel]
            assert ok, cap


def test_prepare_shapes_determinism_and_fields(data: CaptioningData):
    src = data.splits["train"]["src"]
    assert src.shape == (240, 3, 24, 24) and src.dtype == torch.float32
    assert float(src.min()) >= 0.0 and float(src.max()) <= 1.0
    assert sum(split["src"].size(0) for split in data.splits.values()) == 300
    again = CaptioningTask.prepare(SMALL, seed=0)
    assert torch.equal(again.splits["test"]["src"], data.splits["test"]["src"])
    assert not torch.equal(
        CaptioningTask.prepare(SMALL, seed=1).splits["test"]["src"], data.splits["test"]["src"]
    )
    f = data.model_fields
    assert (f["image_channels"], f["image_size"], f["tgt_vocab_size"]) == (3, 24, len(data.vocab))
    assert f["max_len"] >= data.splits["train"]["tgt_in"].size(1) + 1
    for i in range(3):
        cap = data.captions["train"][i]
        assert data.vocab.decode(data.splits["train"]["tgt_out"][i]) == cap
        assert data.vocab.decode(data.splits["train"]["tgt_in"][i]) == cap
    big = CaptioningTask.prepare(CaptioningOptions(n_images=200, image_size=36), seed=0)
    assert big.splits["train"]["src"].shape[-2:] == (36, 36) and big.model_fields["image_size"] == 36


def test_scenes_are_distinct():
    scenes = sample_scenes(500, seed=0)
    assert len(set(scenes)) == 500 and isinstance(scenes[0], Scene)


class Oracle(nn.Module):
    """Reads the answer from a table keyed by the image bytes."""

    def __init__(self, data: CaptioningData):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))
        self.V = len(data.vocab)
        self.table = {}
        for split, caps in data.captions.items():
            for img, cap in zip(data.splits[split]["src"], caps):
                self.table[img.numpy().tobytes()] = data.vocab.encode(cap, eos=True)

    def _targets(self, src, T):
        out = torch.full((src.size(0), T), EOS, dtype=torch.long)
        for b, img in enumerate(src):
            ids = self.table[img.numpy().tobytes()][:T]
            out[b, : len(ids)] = torch.tensor(ids)
        return out

    def forward(self, batch, *, teacher_forcing=1.0, record=False):
        tgt = self._targets(batch["src"], batch["tgt_in"].size(1))
        return ModelOutput(logits=nn.functional.one_hot(tgt, self.V).float() * 10 + self.dummy)

    def encode(self, batch):
        return {"tgt": self._targets(batch["src"], 16)}

    def decode_step(self, state, ys):
        return nn.functional.one_hot(state["tgt"][:, ys.size(1) - 1], self.V).float() * 10, state, None

    def reorder_state(self, state, idx):
        return {k: v[idx] for k, v in state.items()}


def test_evaluate_examples_predict_with_an_oracle(data: CaptioningData):
    oracle = Oracle(data)
    m = data.evaluate(oracle, "test")
    assert m["exact_match"] == 1.0 and m["token_accuracy"] == 1.0 and m["bleu"] == pytest.approx(100.0)
    assert all(isinstance(v, float) for v in m.values()) and oracle.training
    ex = data.examples(oracle, n=4)
    assert len(ex) == 4 and all(e["correct"] for e in ex)
    assert ex[0]["image"].shape == (24, 24, 3) and ex[0]["image"].dtype == np.uint8
    # predict from the uint8 display image round-trips only approximately: use the float array
    img = data.splits["test"]["src"][0].numpy()
    [r] = data.predict(oracle, [img])
    assert r["tokens"] == data.captions["test"][0] and r["caption"] == " ".join(r["tokens"])
    with pytest.raises(DataError):
        data.predict(oracle, [np.zeros((10, 10, 3), dtype=np.uint8)])
    batch, tokens = data.probe()
    assert batch["src"].shape == (1, 3, 24, 24) and tokens["tgt"][-1] == SPECIALS[EOS]
    assert data.baselines()["most common caption"]["exact_match"] < 0.1


def test_state_restore_and_a_real_captioner(data: CaptioningData):
    restored = CaptioningTask.restore(json.loads(json.dumps(data.state())), SMALL)
    assert restored.vocab.itos == data.vocab.itos and restored.model_fields == data.model_fields
    torch.manual_seed(0)
    cfg = make_config("captioner", {"hidden_size": 16, "embed_dim": 8}, data_fields=data.model_fields)
    model = build("captioner", cfg)
    m = data.evaluate(model, "val")
    assert 0.0 <= m["exact_match"] <= 1.0 and m["loss"] > 0
    images = [to_uint8(data.splits["test"]["src"][i].numpy()) for i in range(2)]
    assert restored.predict(model, images) == data.predict(model, images)
    out = data.predict(model, images)
    assert len(out) == 2 and all(set(o) >= {"caption", "tokens"} for o in out)
