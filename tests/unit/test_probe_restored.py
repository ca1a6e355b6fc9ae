"""A model loaded from a file gets the same "Inside the model" example as the one trained on the
page: the generated tasks make their data again from the saved options and seed."""

from __future__ import annotations

import pytest
import torch

from core.registry import get_task


@pytest.mark.parametrize("name", ["long-memory", "word-order"])
def test_restored_data_gives_the_trained_pages_probe(name):
    task = get_task(name)
    opts = task.options()
    data = task.prepare(opts, seed=3)
    restored = task.restore(data.state(), opts)
    assert restored.splits == {} and restored.probe() is None  # what a checkpoint brings back
    want, want_axes = data.probe()
    got, got_axes = restored.probe_for(torch.nn.Identity())
    assert got_axes == want_axes
    assert set(got) == set(want) and all(torch.equal(got[k], want[k]) for k in want)


def test_a_restored_stock_model_probes_the_last_window_it_was_saved_with():
    from core.registry import build, make_config

    task = get_task("stock")
    opts = task.options()
    data = task.prepare(opts)
    restored = task.restore(data.state(), opts)
    assert restored.probe() is None
    batch, axes = restored.probe_for(torch.nn.Identity())
    L = restored.lookback
    assert batch["x"].shape == (1, L, len(restored.names)) and torch.isfinite(batch["x"]).all()
    assert axes["x"] == data.last_dates[-L:]  # the days just before the forecast
    # a standardised window: about zero mean and unit spread, like the training windows
    assert batch["x"].abs().max() < 20
    model = build("lstm", make_config("lstm", {"hidden_size": 8}, data_fields=restored.model_fields)).eval()
    with torch.no_grad():
        out = model(batch)
    assert out.logits.shape == (1, restored.horizon)


def test_a_restored_captioner_probes_a_scene_drawn_again():
    task = get_task("captioning")
    opts = task.options(n_images=64)
    data = task.prepare(opts)
    restored = task.restore(data.state(), opts)
    assert restored.probe() is None
    batch, axes = restored.probe_for(torch.nn.Identity())
    size = restored.image_size
    assert batch["src"].shape == (1, 3, size, size) and 0 <= float(batch["src"].min())
    assert float(batch["src"].max()) <= 1.0 and float(batch["src"].std()) > 0  # shapes on a background
    words = axes["tgt"][:-1]
    assert restored.vocab.decode(batch["tgt_out"][0].tolist()) == words  # every word is known
    assert batch["tgt_in"].shape == batch["tgt_out"].shape
