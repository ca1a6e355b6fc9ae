"""Shared test fixtures: a tiny task and a tiny model that follow the core contracts.

They let the engine and checkpoint tests run without the real tasks' data.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
for _path in (ROOT, TESTS):  # the project, and the helpers shared by the layers (apptest, rayhead)
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# Tests sit in one folder per layer, and each folder is a marker: `python -m pytest` runs the unit
# layer (pyproject's addopts), `-m app` the AppTests, `-m cluster` the Ray tests, `-m e2e` the browser.
LAYERS = ("unit", "app", "cluster", "e2e")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            layer = Path(str(item.fspath)).resolve().relative_to(TESTS).parts[0]
        except ValueError:
            continue
        if layer in LAYERS:
            item.add_marker(layer)


# Tiny test models run fastest on one thread, and it keeps timings stable when the machine is busy.
torch.set_num_threads(1)

os.environ.setdefault("SEQUENCE_LAB_CACHE", str(ROOT / ".pytest_cache" / "sequence-lab"))

from core.config import param  # noqa: E402
from core.models.base import ModelOutput, task_loss  # noqa: E402
from core.tasks.base import Metric, Task, TaskData, iterate  # noqa: E402


@dataclass(frozen=True)
class ParityOptions:
    n: int = param(256, lo=16, hi=10000, help="examples")
    length: int = param(6, lo=2, hi=50, help="tokens per example")


@dataclass
class ParityPrepared(TaskData):
    def evaluate(self, model, split="val"):
        device = next(model.parameters()).device
        was = model.training
        model.eval()
        correct = total = 0
        losses = []
        with torch.no_grad():
            for b in iterate(self.splits[split], 128):
                b = {k: v.to(device) for k, v in b.items()}
                out = model(b)
                losses.append(float(task_loss("classify", out.logits, b)))
                correct += int((out.logits.argmax(-1) == b["y"]).sum())
                total += b["y"].numel()
        model.train(was)
        return {"loss": sum(losses) / len(losses), "accuracy": correct / total}

    def predict(self, model, inputs, **kw):
        return []

    def state(self):
        return {}


class ParityTask(Task):
    """Label = whether the first token id is even: learnable in a few steps."""

    name = "parity"
    title = "Parity"
    objective = "classify"
    options = ParityOptions
    primary = Metric("accuracy", True, 0.9)

    @classmethod
    def prepare(cls, opts, seed=0, upload=None):
        g = torch.Generator().manual_seed(seed)
        x = torch.randint(4, 20, (opts.n, opts.length), generator=g)
        y = (x[:, 0] % 2 == 0).long()
        mask = torch.ones_like(x, dtype=torch.bool)
        n1, n2 = int(opts.n * 0.8), int(opts.n * 0.9)
        sl = {"train": slice(0, n1), "val": slice(n1, n2), "test": slice(n2, None)}
        splits = {k: {"x": x[s], "mask": mask[s], "y": y[s]} for k, s in sl.items()}
        return ParityPrepared(splits=splits, model_fields={"vocab_size": 20, "n_out": 2})

    @classmethod
    def restore(cls, state, opts):
        return ParityPrepared(splits={}, model_fields={})


class TinyClassifier(nn.Module):
    """Embedding of the first token -> Linear: the smallest model that follows the contract."""

    def __init__(self, vocab: int = 20, n_out: int = 2, dim: int = 8):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.out = nn.Linear(dim, n_out)

    def forward(self, batch, *, teacher_forcing=1.0, record=False):
        return ModelOutput(logits=self.out(self.emb(batch["x"][:, 0])))


@pytest.fixture
def parity():
    return ParityTask, ParityTask.prepare(ParityOptions())


@pytest.fixture
def tiny_model():
    torch.manual_seed(0)
    return TinyClassifier()
