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
