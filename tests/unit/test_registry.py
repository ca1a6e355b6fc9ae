"""Every registered architecture: builds from its defaults, right shapes, trains on a tiny batch."""

from __future__ import annotations

import pytest
import torch

from core.config import ConfigError
from core.models.base import EOS, SOS, ModelOutput, count_params, task_loss
from core.registry import archs, get_arch, make_config

DATA = {
    "vocab_size": 30,
    "in_features": 3,
    "n_out": 4,
    "src_vocab_size": 30,
    "tgt_vocab_size": 25,
    "max_len": 16,
    "image_channels": 3,
    "image_size": 16,
}


def tiny_batch(objective: str, in_features: bool = False) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    B, T = 6, 7
    if objective == "classify":
        x = torch.randint(4, 30, (B, T), generator=g)
        mask = torch.ones(B, T, dtype=torch.bool)
        mask[0, 5:] = False
        x[~mask] = 0
        return {"x": x, "mask": mask, "y": torch.randint(0, 4, (B,), generator=g)}
    if objective == "regress":
        return {"x": torch.randn(B, T, 3, generator=g), "y": torch.randn(B, 4, generator=g)}
    if objective == "lm":  # y is x shifted by one: the next token at every step
        seq = torch.randint(4, 30, (B, T + 1), generator=g)
        return {"x": seq[:, :-1], "y": seq[:, 1:]}
    tgt = torch.randint(4, 25, (B, 5), generator=g)
    tgt_in = torch.cat([torch.full((B, 1), SOS), tgt], 1)
    tgt_out = torch.cat([tgt, torch.full((B, 1), EOS)], 1)
    if objective == "caption":
        return {"src": torch.rand(B, 3, 16, 16, generator=g), "tgt_in": tgt_in, "tgt_out": tgt_out}
    src = torch.randint(4, 30, (B, T), generator=g)
    src_mask = torch.ones(B, T, dtype=torch.bool)
    src_mask[1, 4:] = False
    src[~src_mask] = 0
    return {"src": src, "src_mask": src_mask, "tgt_in": tgt_in, "tgt_out": tgt_out}


CASES = [(a.name, k) for a in archs().values() for k in sorted(a.objectives)]


@pytest.mark.parametrize("arch, objective", CASES)
def test_builds_runs_and_learns(arch, objective):
    data = dict(DATA)
    if objective == "regress":
        data["vocab_size"] = 0
    if objective == "lm":  # a language model predicts its own vocabulary at every step
        data.update(n_out=data["vocab_size"], readout="each")
    cfg = make_config(arch, data_fields=data)
    torch.manual_seed(0)
    model = get_arch(arch).build(cfg)
    assert count_params(model) > 0
    batch = tiny_batch(objective)
    out = model(batch)
    assert isinstance(out, ModelOutput)
    B = next(iter(batch.values())).size(0)
    if objective in ("classify", "regress"):
        assert out.logits.shape == (B, 4)
    elif objective == "lm":
        assert out.logits.shape == (B, batch["x"].size(1), 30)
    else:
        assert out.logits.shape == (B, batch["tgt_in"].size(1), 25)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    first = None
    for _ in range(25):
        loss = task_loss(objective, model(batch).logits, batch)
        first = first if first is not None else float(loss.detach())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss) < 0.7 * first


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ConfigError, match="valid architectures: rnn, lstm, gru"):
        get_arch("lstn")
    with pytest.raises(ConfigError, match="valid presets: paper-base, paper-big"):
        make_config("transformer", preset="paper-huge")


def test_pinned_and_restricted_fields():
    assert make_config("lstm").cell == "lstm"
    with pytest.raises(ConfigError, match="fixed"):
        make_config("lstm", {"cell": "gru"})
    assert make_config("seq2seq").attention == "none"
    with pytest.raises(ConfigError, match="bahdanau, luong"):
        make_config("seq2seq-attn", {"attention": "none"})
    knob = {f.name: f for f in get_arch("seq2seq-attn").knobs()}["attention"]
    assert knob.choices == ("bahdanau", "luong")
    assert "cell" not in {f.name for f in get_arch("gru").knobs()}


def test_presets_follow_the_paper():
    base = make_config("transformer", preset="paper-base")
    assert (base.d_model, base.n_heads, base.d_ff, base.n_enc_layers, base.n_dec_layers) == (
        512,
        8,
        2048,
        6,
        6,
    )
    big = make_config("transformer", preset="paper-big")
    assert (big.d_model, big.n_heads, big.d_ff, big.dropout) == (1024, 16, 4096, 0.3)


def test_every_task_has_tuned_defaults_for_every_architecture_that_serves_it():
    from core.registry import compatible, get_arch, get_task, tasks

    for name in tasks():
        task = get_task(name)
        for arch in compatible(name):
            model, train = task.defaults(arch)  # KeyError: a new architecture nobody tuned here
            fields = {f.name for f in get_arch(arch).knobs()}
            assert set(model) <= fields | set(get_arch(arch).pinned), (name, arch, set(model) - fields)
            assert train.get("epochs"), (name, arch)


def test_defaults_come_from_the_architecture_first_then_its_family():
    from core.tasks.translation import TranslationTask
    from core.tasks.word_order import WordOrderTask

    assert (
        TranslationTask.defaults("seq2seq")[1]["epochs"]
        != TranslationTask.defaults("seq2seq-attn")[1]["epochs"]
    )
    assert WordOrderTask.defaults("rnn") == WordOrderTask.defaults("gru")  # the recurrent family
    a, _ = WordOrderTask.defaults("lstm")
    a["hidden_size"] = -1  # a copy: the table itself is not changed
    assert WordOrderTask.defaults("lstm")[0]["hidden_size"] != -1


def test_architectures_are_found_in_the_modules_that_write_their_models(monkeypatch):
    import core.models.captioner as captioner
    import core.models.rnn as rnn
    import core.models.seq2seq as seq2seq
    import core.models.transformer as transformer
    import core.models.words as words
    from core import registry

    declared = [a for m in (rnn, seq2seq, transformer, captioner) for a in m.ARCHS]
    assert list(archs()) == [a.name for a in sorted(declared, key=lambda a: a.order)]
    assert len({a.order for a in declared}) == len(declared)  # every place in the lists is one's own
    assert all(
        a.build.__module__ == m.__name__ for m in (rnn, seq2seq, transformer, captioner) for a in m.ARCHS
    )
    # one more module that declares an architecture already declared: a clear error, not a silent pick
    monkeypatch.setattr(registry, "_ARCHS", None)
    monkeypatch.setattr(words, "ARCHS", (rnn.ARCHS[1],), raising=False)
    with pytest.raises(ConfigError, match="declared twice in core/models: lstm"):
        archs()
