"""Word-order task: sequences and labels, why order-blind models are at chance, and the task API."""

from __future__ import annotations

import json

import pytest
import torch

from core.config import describe
from core.models.base import SPECIALS, ModelOutput
from core.registry import build, compatible, get_task, make_config
from core.runspec import plan
from core.tasks.base import DataError
from core.tasks.word_order import CLASSES, WordOrderData, WordOrderOptions, WordOrderTask

OPTS = WordOrderOptions(length=8, n_noise=5, n_train=600)
S = len(SPECIALS)
A, B = S, S + 1


@pytest.fixture(scope="module")
def data() -> WordOrderData:
    return WordOrderTask.prepare(OPTS, seed=0)


def test_sequences_and_labels(data: WordOrderData) -> None:
    sizes = {name: split["x"].shape for name, split in data.splits.items()}
    assert sizes == {"train": (600, 8), "val": (500, 8), "test": (2000, 8)}
    for split in data.splits.values():
        x, y = split["x"], split["y"]
        assert split["mask"].all()
        assert torch.all((x == A).sum(1) == 1) and torch.all((x == B).sum(1) == 1)
        filler = x[(x != A) & (x != B)]
        assert filler.min() >= S + 2 and filler.max() < S + 2 + OPTS.n_noise
        first_a = (x == A).float().argmax(1)
        first_b = (x == B).float().argmax(1)
        assert torch.equal(y, (first_a < first_b).long())
        assert 0.4 < y.float().mean() < 0.6  # both classes about equally often
        # A and B sit everywhere, not only at a few positions
        assert set((x == A).float().argmax(1).tolist()) == set(range(OPTS.length))
    assert data.model_fields == {"vocab_size": S + 2 + 5, "n_out": 2, "max_len": 8}


def test_deterministic_given_the_seed(data: WordOrderData) -> None:
    again = WordOrderTask.prepare(OPTS, seed=0)
    other = WordOrderTask.prepare(OPTS, seed=1)
    assert torch.equal(again.splits["train"]["x"], data.splits["train"]["x"])
    assert not torch.equal(other.splits["train"]["x"], data.splits["train"]["x"])


def test_swapping_a_and_b_keeps_the_words_and_flips_the_label(data: WordOrderData) -> None:
    """The two classes have the same bag of words, so counting words cannot tell them apart."""
    x, y = data.splits["test"]["x"], data.splits["test"]["y"]
    swapped = torch.where(x == A, B, torch.where(x == B, A, x))
    counts = torch.stack([torch.bincount(row, minlength=20) for row in x])
    counts_swapped = torch.stack([torch.bincount(row, minlength=20) for row in swapped])
    assert not torch.equal(swapped, x)
    assert torch.equal(counts, counts_swapped)  # the very same words, in another order
    relabel = ((swapped == A).float().argmax(1) < (swapped == B).float().argmax(1)).long()
    assert torch.equal(relabel, 1 - y)


def test_baselines_are_at_chance(data: WordOrderData) -> None:
    base = data.baselines()
    assert set(base) == {"bag of words", "most frequent class"}
    assert abs(base["bag of words"]["accuracy"] - 0.5) < 0.05
    assert abs(base["most frequent class"]["accuracy"] - 0.5) < 0.05


def _encoder(pos: str) -> torch.nn.Module:
    cfg = make_config(
        "transformer-encoder",
        {"d_model": 16, "n_heads": 2, "n_layers": 2, "dropout": 0.0, "pos_encoding": pos},
        data_fields={"vocab_size": S + 7, "n_out": 2, "max_len": 8},
    )
    torch.manual_seed(0)
    return build("transformer-encoder", cfg).eval()


def test_encoder_without_positions_cannot_see_order(data: WordOrderData) -> None:
    """Shuffle the tokens: no positional encoding, same logits; sinusoidal positions, other logits."""
    batch = {k: v[:32] for k, v in data.splits["test"].items()}
    perm = torch.randperm(8, generator=torch.Generator().manual_seed(0))
    shuffled = {**batch, "x": batch["x"][:, perm]}
    with torch.no_grad():
        blind = _encoder("none")
        torch.testing.assert_close(blind(shuffled).logits, blind(batch).logits, atol=1e-5, rtol=1e-5)
        seeing = _encoder("sinusoidal")
        assert not torch.allclose(seeing(shuffled).logits, seeing(batch).logits, atol=1e-3)
    # and so it answers the same for "... A ... B ..." and "... B ... A ...": chance, whatever its weights
    assert data.evaluate(blind, "test")["accuracy"] == pytest.approx(0.5, abs=0.05)


class Oracle(torch.nn.Module):
    """Looks where A and B are: always right."""

    def __init__(self) -> None:
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, batch, *, teacher_forcing=1.0, record=False):
        x = batch["x"]
        first = ((x == A).float().argmax(1) < (x == B).float().argmax(1)).long()
        return ModelOutput(logits=torch.nn.functional.one_hot(first, 2).float() * 10 + self.dummy)


def test_evaluate_predict_examples_probe(data: WordOrderData) -> None:
    oracle = Oracle()
    m = data.evaluate(oracle, "test")
    assert m["accuracy"] == 1.0 and m["loss"] < 1e-3
    res = data.predict(oracle, ["a A b B c", ["B", "e", "A"]])
    assert [r["label"] for r in res] == ["A first", "B first"]
    assert res[0]["tokens"] == ["a", "A", "b", "B", "c"]
    assert set(res[0]["probabilities"]) == set(CLASSES)
    assert sum(res[1]["probabilities"].values()) == pytest.approx(1.0)
    for bad in ("a b c", "A A B", "A B z", "A B a b c d e a b", "A <pad> B"):
        with pytest.raises(DataError):
            data.predict(oracle, [bad])
    ex = data.examples(oracle, n=4)
    assert len(ex) == 4 and all(e["correct"] for e in ex)
    assert len(ex[0]["sequence"].split()) == 8
    batch, axes = data.probe()
    assert batch["x"].shape == (1, 8) and len(axes["x"]) == 8


def test_state_restore_round_trip(data: WordOrderData) -> None:
    state = json.loads(json.dumps(data.state()))
    restored = WordOrderTask.restore(state, WordOrderOptions())
    assert restored.opts == OPTS and restored.model_fields == data.model_fields
    assert restored.predict(Oracle(), ["A b B"])[0]["label"] == "A first"
    assert restored.baselines() == {}


def test_task_metadata_and_defaults() -> None:
    assert get_task("word-order") is WordOrderTask
    assert WordOrderTask.objective == "classify"
    assert WordOrderTask.primary.name == "accuracy" and WordOrderTask.primary.target == 0.95
    assert all(f.help for f in describe(WordOrderOptions))
    with pytest.raises(DataError):
        WordOrderTask.prepare(OPTS, upload=b"x")
    for arch in compatible("word-order"):
        spec = plan("word-order", arch, {"n_train": 200})
        model = spec.build()
        batch = {k: v[:4] for k, v in spec.data.splits["val"].items()}
        assert model(batch).logits.shape == (4, 2)


def test_lstm_learns_the_order(data: WordOrderData) -> None:
    """A recurrent network reads in order: a tiny LSTM gets well above chance in a few steps."""
    from core.events import Finished
    from core.train import train

    spec = plan("word-order", "lstm", {"n_train": 600, "length": 8, "n_noise": 5, "epochs": 4})
    torch.manual_seed(0)
    model = spec.build()
    events = list(train(model, spec.data, spec.task, spec.train_cfg, baselines=False))
    assert isinstance(events[-1], Finished) and events[-1].reason == "done"
    assert events[-1].test["accuracy"] > 0.9
