"""Batches bucketed by length and trimmed to their longest example: every example once, far less
padding, and the same model outputs as the full-width batch."""

from __future__ import annotations

import torch

from core.registry import build, make_config
from core.tasks.base import bucket_by_length, iterate, trim


def _lengths(n: int = 1000, hi: int = 48, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(1, hi + 1, (n,), generator=g)


def test_every_example_once_and_reproducible():
    lengths = _lengths()
    a = bucket_by_length(lengths, 64, torch.Generator().manual_seed(3), pool=4)
    b = bucket_by_length(lengths, 64, torch.Generator().manual_seed(3), pool=4)
    assert [x.tolist() for x in a] == [x.tolist() for x in b]
    flat = torch.cat(a)
    assert sorted(flat.tolist()) == list(range(1000))
    assert all(len(x) <= 64 for x in a) and len(a) == -(-1000 // 64)


def test_bucketed_batches_hold_far_less_padding_than_random_ones():
    lengths = _lengths()
    g = torch.Generator().manual_seed(0)
    bucketed = bucket_by_length(lengths, 64, g)
    random = torch.randperm(1000, generator=g).split(64)

    def padded_steps(batches):  # time steps computed after trimming each batch to its longest
        return sum(len(b) * int(lengths[b].max()) for b in batches)

    real = int(lengths.sum())
    assert padded_steps(random) > 1.7 * real  # random batches are padded to nearly 48
    assert padded_steps(bucketed) < 1.15 * real


def test_iterate_trims_each_key_to_its_own_longest():
    x = torch.tensor([[5, 6, 0, 0, 0], [7, 0, 0, 0, 0], [8, 9, 4, 0, 0]])
    mask = x != 0
    grams = torch.tensor([[3, 0, 0], [2, 1, 0], [1, 0, 0]])
    split = {"x": x, "mask": mask, "grams": grams, "y": torch.tensor([0, 1, 0])}
    lengths = {"x": mask.sum(1), "mask": mask.sum(1), "grams": (grams != 0).sum(1)}
    (batch,) = list(iterate(split, 3, lengths=lengths))  # one batch: cut to 3 words and 2 grams
    assert batch["x"].tolist() == [[5, 6, 0], [7, 0, 0], [8, 9, 4]]
    assert batch["mask"].shape == (3, 3) and batch["grams"].shape == (3, 2)
    assert batch["y"].tolist() == [0, 1, 0]
    first = next(iterate(split, 2, lengths=lengths))  # the first two: longest 2 words, 2 grams
    assert first["x"].shape == (2, 2) and first["grams"].tolist() == [[3, 0], [2, 1]]


def _padded_batch(n: int = 12, width: int = 20, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, 9, (n,), generator=g)  # every review is much shorter than the width
    x = torch.randint(4, 50, (n, width), generator=g)
    mask = torch.arange(width) < lengths.unsqueeze(1)
    return {"x": x * mask, "mask": mask, "y": torch.randint(0, 2, (n,), generator=g)}


def test_trimmed_batch_gives_the_same_outputs_as_the_padded_one():
    batch = _padded_batch()
    idx = torch.arange(batch["x"].size(0))
    cut = trim(batch, {"x": batch["mask"].sum(1), "mask": batch["mask"].sum(1)}, idx)
    assert cut["x"].size(1) == int(batch["mask"].sum(1).max()) < batch["x"].size(1)
    fields = {"vocab_size": 50, "n_out": 2}
    for arch, extra in [
        ("lstm", {"bidirectional": True, "pooling": "max"}),
        ("gru", {"pooling": "mean"}),
        ("rnn", {"pooling": "last"}),
        ("transformer-encoder", {}),
    ]:
        torch.manual_seed(0)
        model = build(arch, make_config(arch, extra, data_fields={**fields, "max_len": 20})).eval()
        with torch.no_grad():
            full, short = model(batch).logits, model(cut).logits
        torch.testing.assert_close(short, full, atol=1e-5, rtol=1e-5, msg=arch)


def test_trimmed_translation_batch_gives_the_same_loss():
    from core.models.base import task_loss
    from core.registry import get_task

    task = get_task("translation")
    data = task.prepare(task.options())
    split = data.splits["train"]
    lengths = data.lengths("train")
    idx = torch.arange(16)
    full = {k: v[idx] for k, v in split.items()}
    cut = trim(full, lengths, idx)
    assert cut["src"].size(1) < full["src"].size(1) and cut["tgt_in"].size(1) < full["tgt_in"].size(1)
    for arch in ("seq2seq", "seq2seq-attn", "transformer"):
        model_defaults, _ = task.defaults(arch)
        torch.manual_seed(0)
        model = build(arch, make_config(arch, model_defaults, data_fields=data.model_fields)).eval()
        with torch.no_grad():
            a = task_loss(task.objective, model(full).logits, full)
            b = task_loss(task.objective, model(cut).logits, cut)
        torch.testing.assert_close(b, a, atol=1e-5, rtol=1e-5, msg=arch)
