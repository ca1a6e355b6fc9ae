"""The training engine: events, determinism, stop, budgets, divergence, early stopping."""

from __future__ import annotations

import math
import threading

import pytest
import torch

from core.config import ConfigError, resolve
from core.events import Epoch, Finished, Started, Step, to_json
from core.train import TrainConfig, noam_lr, pick_device, train


def run(model, data, task, **kw):
    cfg = resolve(TrainConfig, {"epochs": 3, "batch_size": 32, "lr": 0.05, **kw})
    return list(train(model, data, task, cfg))


def test_events_in_order_and_model_learns(parity, tiny_model):
    task, data = parity
    events = run(tiny_model, data, task, epochs=5)
    assert isinstance(events[0], Started) and events[0].device == "cpu"
    assert isinstance(events[-1], Finished) and events[-1].reason == "done"
    steps = [e for e in events if isinstance(e, Step)]
    epochs = [e for e in events if isinstance(e, Epoch)]
    assert len(epochs) == 5
    assert [s.step for s in steps] == list(range(1, events[0].total_steps + 1))
    assert steps[-1].progress == pytest.approx(1.0)
    assert epochs[-1].val["accuracy"] > 0.9
    assert events[-1].test["accuracy"] > 0.9
    for e in events:  # every event serialises to one JSON line
        assert "\n" not in to_json(e)


def test_same_seed_same_history(parity):
    task, data = parity
    from tests.conftest import TinyClassifier

    histories = []
    for _ in range(2):
        torch.manual_seed(0)
        ev = run(TinyClassifier(), data, task, seed=7)
        histories.append([e.loss for e in ev if isinstance(e, Step)])
    assert histories[0] == histories[1]


def test_stop_keeps_model_and_history(parity, tiny_model):
    task, data = parity
    stop = threading.Event()
    cfg = resolve(TrainConfig, {"epochs": 50, "batch_size": 8, "lr": 0.05})
    events = []
    for ev in train(tiny_model, data, task, cfg, stop):
        events.append(ev)
        if isinstance(ev, Step) and ev.step == 10:
            stop.set()
    fin = events[-1]
    assert fin.reason == "stopped" and fin.step == 10
    assert "kept" in fin.message
    assert fin.test  # the partly trained model was evaluated
    assert len([e for e in events if isinstance(e, Step)]) == 10


def test_time_budget(parity, tiny_model):
    task, data = parity
    cfg = resolve(TrainConfig, {"epochs": 500, "batch_size": 1, "max_seconds": 0.3})
    events = list(train(tiny_model, data, task, cfg))
    fin = events[-1]
    assert fin.reason == "time_budget"
    assert fin.elapsed_s < 5
    # the ETA counts down to the budget's end, not to the 500th epoch
    steps = [e for e in events if isinstance(e, Step)][1:]
    total = events[0].total_steps
    assert steps and all(s.eta_s <= max(0.0, 0.3 - s.elapsed_s) + 1e-9 for s in steps)
    assert all((total - s.step) * s.elapsed_s / s.step > 0.3 for s in steps)  # the pace alone: far longer


def test_parameter_budget_refused(parity, tiny_model):
    task, data = parity
    cfg = resolve(TrainConfig, {"max_params": 10})
    with pytest.raises(ConfigError, match="parameters"):
        list(train(tiny_model, data, task, cfg))


def test_divergence_stops_and_restores_last_good_weights(parity, tiny_model):
    task, data = parity
    before = {k: v.clone() for k, v in tiny_model.state_dict().items()}
    cfg = resolve(TrainConfig, {"epochs": 3, "batch_size": 8, "lr": 0.01})

    calls = {"n": 0}
    orig = tiny_model.forward

    def poisoned(batch, **kw):
        calls["n"] += 1
        out = orig(batch, **kw)
        if calls["n"] == 3:
            out.logits = out.logits * float("nan")
        return out

    tiny_model.forward = poisoned
    events = list(train(tiny_model, data, task, cfg))
    fin = events[-1]
    assert fin.reason == "diverged"
    assert "lower the learning rate" in fin.message
    # restored to the snapshot taken at step 1 (before its update): finite and equal to the start
    for k, v in tiny_model.state_dict().items():
        assert torch.isfinite(v).all()
        assert torch.equal(v, before[k])


def test_early_stopping_keeps_best(parity, tiny_model):
    task, data = parity
    cfg = resolve(TrainConfig, {"epochs": 200, "batch_size": 64, "lr": 0.1, "early_stopping": 2})
    events = list(train(tiny_model, data, task, cfg))
    assert events[-1].reason == "early_stopping"
    assert len([e for e in events if isinstance(e, Epoch)]) < 200


def test_warmup_schedule_matches_paper_shape():
    # rises linearly to the peak at `warmup`, then decays as 1/sqrt(step)
    assert noam_lr(1, 1.0, 100) == pytest.approx(0.01)
    assert noam_lr(100, 1.0, 100) == pytest.approx(1.0)
    assert noam_lr(400, 1.0, 100) == pytest.approx(0.5)
    # the paper's lrate = d^-0.5 * min(step^-0.5, step * warmup^-1.5) has the same shape
    d, w = 512, 4000
    paper = [d**-0.5 * min(s**-0.5, s * w**-1.5) for s in (1, 2000, 4000, 16000)]
    ours = [noam_lr(s, d**-0.5 * w**-0.5, w) for s in (1, 2000, 4000, 16000)]
    assert ours == pytest.approx(paper)


def test_device_choice():
    assert pick_device("cpu").type == "cpu"
    assert pick_device("auto").type in ("cpu", "cuda", "mps")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="cuda"):
            pick_device("cuda")


def test_bad_values_are_refused():
    with pytest.raises(ConfigError, match="lr"):
        resolve(TrainConfig, {"lr": "fast"})
    with pytest.raises(ConfigError, match="optimizer"):
        resolve(TrainConfig, {"optimizer": "rmsprop"})
    with pytest.raises(ConfigError, match="valid settings"):
        resolve(TrainConfig, {"epochz": 3})
    assert math.isclose(resolve(TrainConfig, {"lr": "1e-3"}).lr, 1e-3)


def test_stop_at_target_ends_once_the_validation_metric_gets_there(parity, tiny_model):
    task, data = parity  # target: accuracy 0.9, which the tiny model reaches within a few epochs
    events = run(tiny_model, data, task, epochs=40, stop_at_target=True)
    fin, epochs = events[-1], [e for e in events if isinstance(e, Epoch)]
    assert fin.reason == "target" and "0.9" in fin.message
    assert len(epochs) < 40 and epochs[-1].val["accuracy"] >= 0.9
    assert all(e.val["accuracy"] < 0.9 for e in epochs[:-1])  # it stopped at the first one
    assert fin.test  # the test metrics are still computed

    torch.manual_seed(0)
    from tests.conftest import TinyClassifier

    full = run(TinyClassifier(), data, task, epochs=len(epochs) + 2)
    assert full[-1].reason == "done"
    assert len([e for e in full if isinstance(e, Epoch)]) == len(epochs) + 2


def test_reached_respects_direction_and_missing_targets():
    from core.train import reached

    assert reached(0.8, 0.8, True) and not reached(0.79, 0.8, True)
    assert reached(1.0, 1.2, False) and not reached(1.3, 1.2, False)
    assert not reached(float("nan"), 0.8, True)
    assert not reached(0.99, None, True)
