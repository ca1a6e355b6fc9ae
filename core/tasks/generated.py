"""What the generated token-classification tasks (long memory, word order) share: sequences of
token ids in, one class out, a vocabulary made of the options, and a state that is only the
options and the seed (the data can be generated again from them).

A task's data class says what is its own: the vocabulary, the class names, how a user's sequence
becomes ids (:meth:`encode`), and how one prediction or one example is shown.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from core.models.base import task_loss
from core.tasks.base import Batch, DataError, TaskData, iterate, run_batches, split_size


@dataclass
class SequenceClassificationData(TaskData):
    opts: Any = None
    seed: int = 0

    eval_batch: ClassVar[int] = 512
    example_input: ClassVar[str] = ""  # shown when a user gives no sequence at all

    # ---- what each task defines
    @property
    def vocab(self) -> list[str]:
        raise NotImplementedError

    def encode(self, item: Any) -> list[int]:
        """A user's sequence (a string of space-separated tokens, or a list) -> token ids, or a
        DataError that says what is wrong with it."""
        raise NotImplementedError

    # ---- shared
    def accuracy_and_loss(self, model: nn.Module, data: Batch) -> tuple[float, float]:
        correct, loss_sum, n = 0, 0.0, 0
        for batch, out in run_batches(model, iterate(data, self.eval_batch)):
            b = batch["y"].size(0)
            loss_sum += float(task_loss("classify", out.logits, batch)) * b
            correct += int((out.logits.argmax(-1) == batch["y"]).sum())
            n += b
        return correct / max(n, 1), loss_sum / max(n, 1)

    def evaluate(self, model: nn.Module, split: str = "val") -> dict[str, float]:
        if split not in self.splits or split_size(self.splits[split]) == 0:
            raise DataError(f"no data for split {split!r}")
        acc, loss = self.accuracy_and_loss(model, self.splits[split])
        return {"loss": loss, "accuracy": acc}

    def probabilities(self, model: nn.Module, inputs: Any) -> list[tuple[list[int], list[float]]]:
        """(token ids, class probabilities) of each raw input; every input is checked first."""
        if isinstance(inputs, str):
            inputs = [inputs]
        if not inputs:
            raise DataError(f"give a sequence of tokens, e.g. {self.example_input}")
        encoded = [self.encode(item) for item in inputs]
        batches = []
        for ids in encoded:
            x = torch.tensor([ids], dtype=torch.long)
            batches.append({"x": x, "mask": torch.ones_like(x, dtype=torch.bool)})
        return [
            (ids, torch.softmax(out.logits[0].float(), -1).cpu().tolist())
            for ids, (_, out) in zip(encoded, run_batches(model, batches))
        ]

    def test_rows(self, model: nn.Module, n: int) -> list[tuple[list[str], int, int]]:
        """The first ``n`` test sequences as tokens, with their true and predicted class."""
        if "test" not in self.splits:
            return []
        data = {k: v[:n] for k, v in self.splits["test"].items()}
        [(_, out)] = run_batches(model, [data])
        pred = out.logits.argmax(-1).cpu().tolist()
        rows = data["x"].tolist()
        return [([self.vocab[i] for i in row], y, p) for row, y, p in zip(rows, data["y"].tolist(), pred)]

    def regenerate(self) -> SequenceClassificationData:
        """The same data generated again from the options and seed (all a checkpoint keeps)."""
        raise NotImplementedError

    def probe_for(self, model: nn.Module) -> tuple[Batch, dict[str, list[str]]] | None:
        """A loaded model's data has no splits: the probe comes from the data generated again."""
        if "test" in self.splits:
            return self.probe()
        return self.regenerate().probe()

    def probe(self) -> tuple[Batch, dict[str, list[str]]] | None:
        if "test" not in self.splits:
            return None
        batch = {k: v[:1] for k, v in self.splits["test"].items()}
        return batch, {"x": [self.vocab[i] for i in batch["x"][0].tolist()]}

    def state(self) -> dict[str, Any]:
        return {"options": dataclasses.asdict(self.opts), "seed": self.seed}


def saved_options(opts: Any, state: dict[str, Any], what: str) -> Any:
    """``opts`` with the options saved in a checkpoint's state laid over it."""
    try:
        return dataclasses.replace(opts, **(state.get("options") or {}))
    except TypeError as e:
        raise DataError(f"the saved {what} state is damaged: {e}") from None
