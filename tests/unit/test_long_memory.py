"""Long-memory task: sequences, labels, chance level, accuracy by lag and the task API."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from core.models.base import PAD, SPECIALS, ModelOutput
from core.registry import build, make_config
from core.tasks.base import DataError
from core.tasks.long_memory import LongMemoryData, LongMemoryOptions, LongMemoryTask

OPTS = LongMemoryOptions(lag=20, n_train=600)
S = len(SPECIALS)


@pytest.fixture(scope="module")
def data() -> LongMemoryData:
    return LongMemoryTask.prepare(OPTS, seed=0)


class FirstToken(nn.Module):
    """Answers with the first token: the perfect memory."""

    def __init__(self, n_out: int):
        super().__init__()
        self.n_out = n_out
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, batch, *, teacher_forcing=1.0, record=False):
        key = (batch["x"][:, 0] - S).clamp(0, self.n_out - 1)
        return ModelOutput(logits=nn.functional.one_hot(key, self.n_out).float() * 10 + self.dummy)


class Constant(nn.Module):
    """Always the same answer, whatever the input: a chance-level predictor."""

    def __init__(self, n_out: int, answer: int = 0):
        super().__init__()
        self.logits = nn.Parameter(nn.functional.one_hot(torch.tensor(answer), n_out).float())

    def forward(self, batch, *, teacher_forcing=1.0, record=False):
        return ModelOutput(logits=self.logits.expand(batch["x"].size(0), -1))


def test_sequences_and_labels(data: LongMemoryData):
    K, N = OPTS.n_symbols, OPTS.n_noise
    for name in ("val", "test"):
        b = data.splits[name]
        x, y, mask = b["x"], b["y"], b["mask"]
        assert x.shape == (500, OPTS.lag + 2) and mask.all()
        assert torch.equal(x[:, 0] - S, y)  # the label is the first token
        assert ((x[:, 1:-1] >= S + K) & (x[:, 1:-1] < S + K + N)).all()  # distractors: separate alphabet
        assert (x[:, -1] == S + K + N).all()  # the query
        assert set(y.tolist()) == set(range(K))
    # training sequences (curriculum) have lags 1..lag, right-padded
    b = data.splits["train"]
    lengths = b["mask"].sum(1)
    assert torch.equal(b["x"][:, 0] - S, b["y"])
    assert int(lengths.min()) >= 3 and int(lengths.max()) == OPTS.lag + 2 and len(set(lengths.tolist())) > 10
    assert torch.equal(b["x"][torch.arange(600), lengths - 1], torch.full((600,), S + K + N))
    assert (b["x"][~b["mask"]] == PAD).all()
    fixed = LongMemoryTask.prepare(LongMemoryOptions(lag=20, n_train=600, curriculum=False), seed=0)
    assert fixed.splits["train"]["mask"].all()
    f = data.model_fields
    assert f == {"vocab_size": S + K + N + 1, "n_out": K, "max_len": 502}


def test_deterministic_given_the_seed(data: LongMemoryData):
    assert torch.equal(LongMemoryTask.prepare(OPTS, seed=0).splits["train"]["x"], data.splits["train"]["x"])
    assert not torch.equal(LongMemoryTask.prepare(OPTS, seed=1).splits["test"]["x"], data.splits["test"]["x"])


def test_chance_and_perfect_memory(data: LongMemoryData):
    K = OPTS.n_symbols
    const = Constant(K, answer=3)
    const.train()
    m = data.evaluate(const, "test")
    assert set(m) == {"loss", "accuracy"} and all(isinstance(v, float) for v in m.values())
    assert abs(m["accuracy"] - 1 / K) < 0.05 and const.training
    base = data.baselines()
    assert abs(base["most frequent key"]["accuracy"] - 1 / K) < 0.06 and base["chance"]["accuracy"] == 1 / K
    assert data.evaluate(FirstToken(K), "val")["accuracy"] == 1.0


def test_accuracy_by_lag(data: LongMemoryData):
    K = OPTS.n_symbols
    lags = [1, 5, 100, 500]
    perfect = data.accuracy_by_lag(FirstToken(K), lags, n=64)
    assert list(perfect) == lags and all(v == 1.0 for v in perfect.values())
    chance = data.accuracy_by_lag(Constant(K), lags, n=256)
    assert all(0.0 <= v <= 0.3 for v in chance.values())
    assert chance == data.accuracy_by_lag(Constant(K), lags, n=256)  # the same sets every time
    with pytest.raises(DataError):
        data.accuracy_by_lag(FirstToken(K), [0])
    with pytest.raises(DataError):
        data.accuracy_by_lag(FirstToken(K), [501])


def test_predict_examples_probe(data: LongMemoryData):
    K = OPTS.n_symbols
    [r] = data.predict(FirstToken(K), ["C a b h a ?"])
    assert r["key"] == "C" and r["tokens"] == ["C", "a", "b", "h", "a", "?"]
    assert sum(r["probabilities"].values()) == pytest.approx(1.0)
    [r] = data.predict(FirstToken(K), [["B", "a", "?"]])
    assert r["key"] == "B"
    for bad in ("", "C a Z ?", "C a 7 ?", "<pad> a ?"):
        with pytest.raises(DataError):
            data.predict(FirstToken(K), [bad])
    ex = data.examples(FirstToken(K), n=3)
    assert len(ex) == 3 and all(e["correct"] and e["prediction"] == e["key"] for e in ex)
    batch, tokens = data.probe()
    assert (
        batch["x"].shape == (1, OPTS.lag + 2) and len(tokens["x"]) == OPTS.lag + 2 and tokens["x"][-1] == "?"
    )


def test_state_restore_round_trip(data: LongMemoryData):
    restored = LongMemoryTask.restore(json.loads(json.dumps(data.state())), LongMemoryOptions())
    assert restored.opts == OPTS and restored.model_fields == data.model_fields
    torch.manual_seed(0)
    cfg = make_config("gru", {"hidden_size": 8, "embed_dim": 4}, data_fields=data.model_fields)
    model = build("gru", cfg)
    assert restored.accuracy_by_lag(model, [3, 30], n=64) == data.accuracy_by_lag(model, [3, 30], n=64)
    assert restored.predict(model, ["A a b ?"]) == data.predict(model, ["A a b ?"])


@pytest.mark.parametrize("arch", ["rnn", "lstm", "transformer-encoder"])
def test_real_models_run_through_the_task(data: LongMemoryData, arch: str):
    torch.manual_seed(0)
    small = {"transformer-encoder": {"d_model": 16, "n_heads": 2, "d_ff": 32, "n_layers": 1}}
    cfg = make_config(
        arch, small.get(arch, {"hidden_size": 8, "embed_dim": 4}), data_fields=data.model_fields
    )
    model = build(arch, cfg)
    m = data.evaluate(model, "val")
    assert 0.0 <= m["accuracy"] <= 1.0 and m["loss"] > 0
    assert set(data.accuracy_by_lag(model, [2, 40], n=32)) == {2, 40}
    # one training step on the padded curriculum batch works
    batch = {k: v[:16] for k, v in data.splits["train"].items()}
    model(batch).logits.sum().backward()


def test_task_metadata():
    assert LongMemoryTask.primary.name == "accuracy" and LongMemoryTask.objective == "classify"
    fields = {"vocab_size": 21, "n_out": 8, "max_len": 502}
    for arch in ("rnn", "lstm", "gru", "transformer-encoder"):
        model_over, train_over = LongMemoryTask.defaults(arch)
        make_config(arch, model_over, data_fields=fields)
        assert train_over["epochs"] >= 1
