"""Positional encoding, the Transformer and the encoder-only model: equations, masks, training, decoding."""

from __future__ import annotations

import math

import pytest
import torch

from core.config import ConfigError, resolve
from core.models.base import EOS, PAD, SOS, count_params, task_loss
from core.models.positional import PositionalEncoding, sinusoidal_encoding
from core.models.transformer import (
    PRESETS,
    EncoderOnlyConfig,
    Transformer,
    TransformerConfig,
    TransformerEncoderModel,
    pool,
)

SRC_V, TGT_V = 13, 11


def tiny(**kw) -> TransformerConfig:
    base = {
        "src_vocab_size": SRC_V,
        "tgt_vocab_size": TGT_V,
        "max_len": 12,
        "d_model": 16,
        "n_heads": 2,
        "d_ff": 32,
    }
    return resolve(TransformerConfig, {**base, **kw})


def seq_batch(B: int = 3, S: int = 7, T: int = 6, seed: int = 0) -> dict[str, torch.Tensor]:
    """Random source/target ids; row 1 has 3 padded source tokens, row 2 has 1."""
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(4, SRC_V, (B, S), generator=g)
    src[1, S - 3 :] = PAD
    src[2, S - 1 :] = PAD
    tgt = torch.randint(4, TGT_V, (B, T), generator=g)
    tgt_in = torch.cat([torch.full((B, 1), SOS), tgt[:, :-1]], dim=1)
    tgt_out = tgt.clone()
    tgt_out[:, -1] = EOS
    tgt_out[1, -2:] = PAD
    return {"src": src, "src_mask": src != PAD, "tgt_in": tgt_in, "tgt_out": tgt_out}


# ---------------------------------------------------------------- positional encoding


def test_sinusoidal_values_from_the_formula():
    d = 8
    P = sinusoidal_encoding(50, d)
    assert P.shape == (50, d) and P.dtype == torch.float32
    torch.testing.assert_close(P[0], torch.tensor([0.0, 1.0] * 4))  # pos 0: sin 0 = 0, cos 0 = 1
    assert P[1, 0].item() == pytest.approx(math.sin(1.0), abs=1e-6)
    assert P[1, 1].item() == pytest.approx(math.cos(1.0), abs=1e-6)
    for pos, i in [(3, 2), (17, 1), (49, 3)]:
        angle = pos / 10000 ** (2 * i / d)
        assert P[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
        assert P[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)


def test_sinusoidal_odd_d_model():
    P = sinusoidal_encoding(10, 7)
    assert P.shape == (10, 7)
    assert P[5, 6].item() == pytest.approx(math.sin(5 / 10000 ** (6 / 7)), abs=1e-6)
    assert P[5, 5].item() == pytest.approx(math.cos(5 / 10000 ** (4 / 7)), abs=1e-6)


def test_positional_encoding_kinds_and_tables():
    x = torch.randn(2, 5, 8)
    sin = PositionalEncoding("sinusoidal", 20, 8)
    torch.testing.assert_close(sin(x), x + sinusoidal_encoding(20, 8)[:5])
    torch.testing.assert_close(sin.table(), sinusoidal_encoding(20, 8))
    assert list(sin.parameters()) == [] and "P" not in sin.state_dict()  # fixed, derived

    learned = PositionalEncoding("learned", 20, 8)
    assert learned.table().shape == (20, 8) and learned.P.requires_grad
    torch.testing.assert_close(learned(x), x + learned.table()[:5])

    none = PositionalEncoding("none", 20, 8)
    torch.testing.assert_close(none(x), x)
    assert torch.equal(none.table(), torch.zeros(20, 8))

    with pytest.raises(ValueError, match="sinusoidal, learned, none"):
        PositionalEncoding("rotary", 20, 8)


def test_positional_encoding_beyond_max_len():
    long_x = torch.zeros(1, 9, 8)
    sin = PositionalEncoding("sinusoidal", 4, 8)
    torch.testing.assert_close(sin(long_x)[0], sinusoidal_encoding(9, 8))  # sinusoids extend
    with pytest.raises(ValueError, match="max_len=4"):
        PositionalEncoding("learned", 4, 8)(long_x)


# ---------------------------------------------------------------- config and presets


def test_config_checks_heads_and_ranges():
    assert resolve(TransformerConfig).d_model % resolve(TransformerConfig).n_heads == 0
    with pytest.raises(ConfigError, match="divisible"):
        resolve(TransformerConfig, {"d_model": 30, "n_heads": 4})
    with pytest.raises(ConfigError, match="divisible"):
        resolve(EncoderOnlyConfig, {"d_model": 24, "n_heads": 5})
    with pytest.raises(ConfigError, match="maximum"):
        resolve(TransformerConfig, {"n_heads": 32})
    with pytest.raises(ConfigError, match="not one of"):
        resolve(TransformerConfig, {"norm": "middle"})


@pytest.mark.parametrize(("preset", "paper_count"), [("paper-base", 65e6), ("paper-big", 213e6)])
def test_preset_parameter_counts_match_the_paper(preset, paper_count):
    cfg = resolve(TransformerConfig, PRESETS[preset])
    with torch.device("meta"):  # count without allocating 0.9 GB
        model = Transformer(cfg)
    n = count_params(model)
    assert abs(n - paper_count) / paper_count < 0.05, n


def test_weight_tying():
    same = Transformer(tiny(src_vocab_size=TGT_V, tie_embeddings=True))
    assert same.src_embed is same.tgt_embed and same.generator.weight is same.tgt_embed.weight
    diff = Transformer(tiny(tie_embeddings=True))
    assert diff.src_embed is not diff.tgt_embed and diff.generator.weight is diff.tgt_embed.weight
    untied = Transformer(tiny(src_vocab_size=TGT_V, tie_embeddings=False))
    assert untied.generator.weight is not untied.tgt_embed.weight
    assert count_params(untied) - count_params(same) == 2 * TGT_V * 16


# ---------------------------------------------------------------- Transformer


@pytest.mark.parametrize("norm", ["post", "pre"])
@pytest.mark.parametrize("pos", ["sinusoidal", "learned", "none"])
def test_transformer_shapes_and_backward(norm, pos):
    torch.manual_seed(0)
    model = Transformer(tiny(norm=norm, pos_encoding=pos))
    batch = seq_batch()
    out = model(batch)
    assert out.logits.shape == (3, 6, TGT_V)
    assert out.attention["enc_self"].shape == (2, 3, 2, 7, 7)
    assert out.attention["dec_self"].shape == (2, 3, 2, 6, 6)
    assert out.attention["cross"].shape == (2, 3, 2, 6, 7)
    task_loss("seq2seq", out.logits, batch).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert model.positional_table().shape == (12, 16)


def test_transformer_attention_respects_masks():
    model = Transformer(tiny()).eval()
    att = model(seq_batch()).attention
    assert torch.all(att["enc_self"][:, 1, :, :, 4:] == 0)  # padded source keys
    assert torch.all(att["cross"][:, 1, :, :, 4:] == 0)
    assert torch.all(att["dec_self"].triu(diagonal=1) == 0)  # no looking ahead
    torch.testing.assert_close(att["cross"].sum(-1), torch.ones(2, 3, 2, 6))


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_decoder_is_causal(norm):
    model = Transformer(tiny(norm=norm)).eval()
    batch = seq_batch()
    changed = {**batch, "tgt_in": batch["tgt_in"].clone()}
    changed["tgt_in"][:, 3] = (changed["tgt_in"][:, 3] + 1 - 4) % (TGT_V - 4) + 4
    with torch.no_grad():
        a, b = model(batch).logits, model(changed).logits
    torch.testing.assert_close(a[:, :3], b[:, :3], atol=1e-6, rtol=0)  # earlier positions unchanged
    assert not torch.allclose(a[:, 3:], b[:, 3:])  # the changed token does matter from there on


def test_padded_source_tokens_do_not_matter():
    model = Transformer(tiny()).eval()
    batch = seq_batch()
    changed = {**batch, "src": batch["src"].masked_fill(~batch["src_mask"], 7)}
    with torch.no_grad():
        a, b = model(batch).logits, model(changed).logits
    torch.testing.assert_close(a, b, atol=1e-6, rtol=0)
    real = {**batch, "src": batch["src"].clone()}
    real["src"][1, 0] = 4 if real["src"][1, 0] != 4 else 5
    with torch.no_grad():
        assert not torch.allclose(a[1], model(real).logits[1])  # a real token does


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_transformer_learns_a_fixed_batch(norm):
    torch.manual_seed(0)
    model = Transformer(tiny(norm=norm, dropout=0.0))
    batch = seq_batch(B=4)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(40):
        loss = task_loss("seq2seq", model(batch).logits, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0], losses


def _greedy(model: Transformer, batch: dict[str, torch.Tensor], steps: int):
    state = model.encode(batch)
    ys = torch.full((batch["src"].size(0), 1), SOS)
    attns = []
    for _ in range(steps):
        logits, state, attn = model.decode_step(state, ys)
        ys = torch.cat([ys, logits.argmax(-1, keepdim=True)], dim=1)
        attns.append(attn)
    return ys, torch.stack(attns, dim=1)  # (B, steps + 1), (B, steps, S)


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_greedy_decode_steps_agree_with_teacher_forced_forward(norm):
    torch.manual_seed(1)
    model = Transformer(tiny(norm=norm)).eval()
    batch = seq_batch()
    with torch.no_grad():
        ys, attns = _greedy(model, batch, steps=8)
        out = model({**batch, "tgt_in": ys[:, :-1]})
    assert torch.equal(out.logits.argmax(-1), ys[:, 1:])
    # decode_step's attention = last layer's cross-attention of each position, mean over heads
    torch.testing.assert_close(attns, out.attention["cross"][-1].mean(dim=1), atol=1e-5, rtol=0)
    assert torch.all(attns[1, :, 4:] == 0)


def test_reorder_state_picks_rows():
    model = Transformer(tiny()).eval()
    batch = seq_batch()
    idx = torch.tensor([2, 0, 0])
    ys = torch.full((3, 1), SOS)
    with torch.no_grad():
        state = model.encode(batch)
        logits, _, _ = model.decode_step(state, ys)
        re_logits, _, _ = model.decode_step(model.reorder_state(state, idx), ys)
    assert model.reorder_state(state, idx)["memory"].shape == (3, 7, 16)
    torch.testing.assert_close(re_logits, logits[idx], atol=1e-6, rtol=0)


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_attention_steps_match_forward(norm):
    model = Transformer(tiny(norm=norm)).eval()
    batch = seq_batch()
    with torch.no_grad():
        att = model(batch).attention["enc_self"]
        for layer in (0, 1):
            steps = model.attention_steps(batch, layer)
            torch.testing.assert_close(steps["weights"], att[layer], atol=0, rtol=0)
    assert steps["Q"].shape == (3, 2, 7, 8) and steps["concat"].shape == (3, 7, 16)


# ---------------------------------------------------------------- encoder-only model


def enc_cfg(**kw) -> EncoderOnlyConfig:
    base = {"vocab_size": 15, "n_out": 3, "max_len": 10, "d_model": 16, "n_heads": 4, "d_ff": 32}
    return resolve(EncoderOnlyConfig, {**base, **kw})


def cls_batch(B: int = 4, T: int = 6, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(4, 15, (B, T), generator=g)
    x[1, 4:] = PAD
    x[3, 2:] = PAD
    return {"x": x, "mask": x != PAD, "y": torch.arange(B) % 3}


def test_pool():
    h = torch.arange(2 * 3 * 2, dtype=torch.float).view(2, 3, 2)
    mask = torch.tensor([[True, True, True], [True, True, False]])
    torch.testing.assert_close(pool(h, mask, "mean"), torch.stack([h[0].mean(0), h[1, :2].mean(0)]))
    torch.testing.assert_close(pool(h, mask, "first"), h[:, 0])
    torch.testing.assert_close(pool(h, mask, "last"), torch.stack([h[0, 2], h[1, 1]]))


@pytest.mark.parametrize("pooling", ["mean", "first", "last"])
def test_encoder_classifier_shapes_and_padding(pooling):
    model = TransformerEncoderModel(enc_cfg(pooling=pooling)).eval()
    batch = cls_batch()
    with torch.no_grad():
        out = model(batch)
        changed = model({**batch, "x": batch["x"].masked_fill(~batch["mask"], 9)})
    assert out.logits.shape == (4, 3)
    assert out.attention["self"].shape == (2, 4, 4, 6, 6)
    assert torch.all(out.attention["self"][:, 3, :, :, 2:] == 0)
    torch.testing.assert_close(out.logits, changed.logits, atol=1e-6, rtol=0)
    assert model.positional_table().shape == (10, 16)


def test_encoder_classifier_learns_and_backward():
    torch.manual_seed(0)
    model = TransformerEncoderModel(enc_cfg(dropout=0.0))
    batch = cls_batch()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        loss = task_loss("classify", model(batch).logits, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(p.grad is not None for p in model.parameters())
    assert losses[-1] < 0.2 * losses[0], losses


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_encoder_regressor_float_features(norm):
    torch.manual_seed(0)
    model = TransformerEncoderModel(enc_cfg(vocab_size=0, in_features=2, n_out=1, pooling="last", norm=norm))
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 6, 2, generator=g)
    batch = {"x": x, "y": x[:, -1, :1] + x[:, 0, 1:]}  # depends on the first and the last step
    assert model(batch).logits.shape == (8, 1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(40):
        loss = task_loss("regress", model(batch).logits, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0], losses
    model.eval()
    with torch.no_grad():
        steps = model.attention_steps(batch, layer=1)
        torch.testing.assert_close(steps["weights"], model(batch).attention["self"][1], atol=0, rtol=0)
