"""Races: same data, seed and budget for every entrant; events per entrant; the positional-encoding ablation."""

from __future__ import annotations

import threading

import pytest
import torch

from core.config import ConfigError
from core.events import Epoch, Finished, Started, Step
from core.race import build_lanes, pe_ablation, pe_lanes, race, race_lanes, run_lanes, summary, variant_specs
from core.tasks.word_order import WordOrderOptions, WordOrderTask

TINY = {"n_train": 200, "length": 6, "epochs": 2, "hidden_size": 8, "embed_dim": 8, "d_model": 16, "d_ff": 32}
ARCHS = ["rnn", "lstm", "transformer-encoder"]


def _blocks(history: list[tuple[str, object]]) -> list[str]:
    """Entrant names in the order their events came, one entry per contiguous block."""
    out: list[str] = []
    for name, _ in history:
        if not out or out[-1] != name:
            out.append(name)
    return out


def test_lanes_share_data_seed_and_budget() -> None:
    lanes = race_lanes("word-order", ARCHS, TINY, budget_seconds=45, seed=3)
    assert [lane.name for lane in lanes] == ARCHS
    first = lanes[0].spec.data
    fresh = WordOrderTask.prepare(WordOrderOptions(n_train=200, length=6), seed=3)
    for lane in lanes:
        assert lane.spec.data is first  # one set of splits for everyone
        assert lane.spec.train_cfg.seed == 3 and lane.spec.train_cfg.max_seconds == 45
        assert lane.spec.train_cfg.epochs == 2
    for split in ("train", "val", "test"):
        for key in ("x", "y"):
            assert torch.equal(first.splits[split][key], fresh.splits[split][key])
    # model settings go to the entrants that have them
    assert lanes[0].spec.model_cfg.hidden_size == 8 and lanes[0].spec.model_cfg.cell == "rnn"
    assert lanes[1].spec.model_cfg.cell == "lstm"
    assert lanes[2].spec.model_cfg.d_model == 16
    # the same seed builds the same initial weights
    again = race_lanes("word-order", ["rnn"], TINY, budget_seconds=45, seed=3)[0].model
    for p, q in zip(lanes[0].model.parameters(), again.parameters()):
        assert torch.equal(p, q)


def test_race_yields_events_per_architecture() -> None:
    history = list(
        race("word-order", ARCHS, TINY, budget_seconds=60, seed=0, per_arch={"lstm": {"lr": 0.01}})
    )
    assert _blocks(history) == ARCHS  # one after the other
    for arch in ARCHS:
        events = [ev for name, ev in history if name == arch]
        assert isinstance(events[0], Started)
        assert isinstance(events[-1], Finished) and events[-1].reason == "done"
        assert sum(isinstance(ev, Finished) for ev in events) == 1
        assert sum(isinstance(ev, Epoch) for ev in events) == 2
        steps = [ev for ev in events if isinstance(ev, Step)]
        assert len(steps) == 2 * 4  # 200 examples / batch 64 -> 4 steps per epoch, 2 epochs
        assert 0.0 <= events[-1].test["accuracy"] <= 1.0
    rows = summary("word-order", history)
    assert [r["name"] for r in rows] == ARCHS
    for row in rows:
        assert row["metric_name"] == "accuracy" and 0.0 <= row["metric"] <= 1.0
        assert row["params"] > 0 and row["steps"] == 8 and row["tokens_per_s"] > 0
        assert row["seconds"] > 0 and row["reason"] == "done"
    assert rows[0]["params"] < rows[1]["params"]  # an LSTM cell has four times the RNN's weights


def test_same_seed_same_race() -> None:
    def losses() -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for name, ev in race("word-order", ["rnn", "gru"], TINY, budget_seconds=60, seed=1):
            if isinstance(ev, Step):
                out.setdefault(name, []).append(ev.loss)
        return out

    assert losses() == losses()


def test_stop_ends_the_race() -> None:
    stop = threading.Event()
    history = []
    for name, ev in race("word-order", ARCHS, TINY, budget_seconds=60, seed=0, stop=stop):
        history.append((name, ev))
        if isinstance(ev, Step):
            stop.set()
    assert _blocks(history) == ["rnn"]  # the other entrants never start
    assert isinstance(history[-1][1], Finished) and history[-1][1].reason == "stopped"
    assert list(race("word-order", ARCHS, TINY, budget_seconds=60, stop=stop)) == []


def test_bad_races_are_refused() -> None:
    with pytest.raises(ConfigError, match="hidden_sise"):
        race_lanes("word-order", ["rnn"], {"hidden_sise": 8})
    with pytest.raises(ConfigError, match="per_arch"):
        race_lanes("word-order", ["rnn"], TINY, per_arch={"gru": {"lr": 0.1}})
    with pytest.raises(ConfigError, match="same task settings"):
        race_lanes("word-order", ["rnn", "gru"], TINY, per_arch={"gru": {"length": 7}})
    with pytest.raises(ConfigError, match="different names"):
        race_lanes("word-order", ["rnn", "rnn"], TINY)
    with pytest.raises(ConfigError):
        race_lanes("word-order", ["seq2seq"], TINY)  # does not serve classification
    with pytest.raises(ConfigError, match="positional"):
        pe_lanes(TINY, kinds=("sinusoidal", "rotary"))


def test_positional_encoding_ablation_on_word_order() -> None:
    """No positions: chance. Sinusoidal or learned positions: the order is learned (seeded)."""
    settings = {"n_train": 1000, "length": 6, "epochs": 5}
    lanes = pe_lanes(settings, budget_seconds=120, seed=0)
    assert [lane.name for lane in lanes] == ["sinusoidal", "learned", "none"]
    assert [lane.model.cfg.pos_encoding for lane in lanes] == ["sinusoidal", "learned", "none"]
    assert all(lane.spec.data is lanes[0].spec.data for lane in lanes)
    history = list(run_lanes(lanes))
    final = {name: ev for name, ev in history if isinstance(ev, Finished)}
    acc = {name: ev.test["accuracy"] for name, ev in final.items()}
    assert all(ev.reason == "done" for ev in final.values())
    assert abs(acc["none"] - 0.5) < 0.1  # measured 0.47 to 0.51 over seeds 0-3
    assert acc["sinusoidal"] > 0.9 and acc["learned"] > 0.8  # learned: 0.89 to 1.0 over seeds 0-3
    assert min(acc["sinusoidal"], acc["learned"]) > acc["none"] + 0.3
    assert final["none"].baselines["bag of words"]["accuracy"] < 0.6  # counting words cannot do it either


def test_pe_ablation_generator_names_the_kinds() -> None:
    settings = {"n_train": 200, "length": 6, "epochs": 1, "d_model": 16, "d_ff": 32}
    history = list(pe_ablation(settings, budget_seconds=60, seed=0, kinds=("learned", "none")))
    assert _blocks(history) == ["learned", "none"]
    assert sum(isinstance(ev, Finished) for _, ev in history) == 2


def test_variants_of_one_setup_each_with_its_own_data() -> None:
    """Random vs GloVe start on sentiment: one split, the vocabulary and starting table per variant."""
    shared = {"task.max_len": 12, "model.hidden_size": 8, "train.epochs": 1, "train.seed": 5}
    specs = variant_specs(
        "sentiment",
        "gru",
        [(e, {**shared, "task.embedding": e}) for e in ("random", "glove")] + [("again", dict(shared))],
    )
    assert [n for n, _ in specs] == ["random", "glove", "again"]
    (_, rnd), (_, glv), (_, again) = specs
    assert rnd.task_opts.embedding == "random" and glv.task_opts.embedding == "glove"
    assert again.data is glv.data  # the same task options share one dataset
    assert rnd.data.found is None and glv.data.found is not None
    for split in ("train", "val", "test"):  # the same seeded split of the reviews
        assert rnd.data.texts[split] == glv.data.texts[split]
    assert all(s.train_cfg.seed == 5 and s.model_cfg.hidden_size == 8 for _, s in specs)
    lanes = build_lanes(specs[:2])
    found = glv.data.found
    assert torch.equal(lanes[1].model.word_table()[found], glv.data.vectors[found])
    good = glv.data.vectors[glv.data.vocab.stoi["good"]]
    assert not torch.allclose(lanes[0].model.word_table()[rnd.data.vocab.stoi["good"]], good)
    with pytest.raises(ConfigError, match="different names"):
        variant_specs("sentiment", "gru", [("a", shared), ("a", shared)])
    with pytest.raises(ConfigError, match="at least one"):
        variant_specs("sentiment", "gru", [])
