"""Seq2Seq (with and without attention) and the one-to-many image captioner."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from core.config import ConfigError, resolve
from core.decode import greedy
from core.models.base import EOS, PAD, SOS, task_loss
from core.models.captioner import Captioner, CaptionerConfig
from core.models.seq2seq import Bridge, Seq2Seq, Seq2SeqConfig

V_SRC, V_TGT = 17, 13
CELLS = ("rnn", "lstm", "gru")
ATTENTIONS = ("none", "bahdanau", "luong")


def make_batch(B: int = 3, S: int = 6, T: int = 5, seed: int = 0) -> dict[str, torch.Tensor]:
    """Random tokens; source lengths 6, 4, 2 (right-padded), targets SOS y.. / y.. EOS PAD."""
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(4, V_SRC, (B, S), generator=g)
    lengths = torch.tensor([S, 4, 2, 5, 3, 1][:B])
    src_mask = torch.arange(S)[None, :] < lengths[:, None]
    src = src.masked_fill(~src_mask, PAD)
    y = torch.randint(4, V_TGT, (B, T - 1), generator=g)
    tgt_in = torch.cat([torch.full((B, 1), SOS), y], dim=1)
    tgt_out = torch.cat([y, torch.full((B, 1), EOS)], dim=1)
    tgt_out[1, 3:] = PAD  # a shorter target
    tgt_out[1, 2] = EOS
    return {"src": src, "src_mask": src_mask, "tgt_in": tgt_in, "tgt_out": tgt_out}


def make_model(seed: int = 0, **kw) -> Seq2Seq:
    torch.manual_seed(seed)
    base = {"src_vocab_size": V_SRC, "tgt_vocab_size": V_TGT, "embed_dim": 8, "hidden_size": 12}
    return Seq2Seq(Seq2SeqConfig(**{**base, **kw}))


def step_by_step(model, batch):
    """Logits (B, T, V) and weights (B, T, S) from the decode step interface, fed tgt_in's prefixes."""
    state = model.encode(batch)
    logits, weights = [], []
    for t in range(batch["tgt_in"].size(1)):
        lg, state, w = model.decode_step(state, batch["tgt_in"][:, : t + 1])
        logits.append(lg)
        weights.append(w)
    return torch.stack(logits, 1), (None if weights[0] is None else torch.stack(weights, 1))


ALL_COMBOS = [(c, a, bi) for c in CELLS for a in ATTENTIONS for bi in (False, True)]


# ------------------------------------------------------------------------------------------
# config
# ------------------------------------------------------------------------------------------


def test_config_defaults_and_validation():
    cfg = Seq2SeqConfig()
    assert cfg.attention == "bahdanau" and cfg.cell == "gru"
    assert (cfg.embed_dim, cfg.hidden_size, cfg.num_layers) == (64, 128, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.hidden_size = 3  # type: ignore[misc]
    assert resolve(Seq2SeqConfig, {"attention": "luong", "cell": "lstm"}).attention == "luong"
    with pytest.raises(ConfigError):
        resolve(Seq2SeqConfig, {"attention": "transformer"})
    with pytest.raises(ConfigError):
        resolve(CaptionerConfig, {"encoder": "resnet"})


# ------------------------------------------------------------------------------------------
# shapes, gradients, training
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell,attention,bidirectional", ALL_COMBOS)
def test_shapes(cell, attention, bidirectional):
    model = make_model(cell=cell, attention=attention, bidirectional_encoder=bidirectional, num_layers=2)
    batch = make_batch()
    B, S = batch["src"].shape
    T = batch["tgt_in"].size(1)
    out = model(batch)
    assert out.logits.shape == (B, T, V_TGT)
    if attention == "none":
        assert out.attention == {}
    else:
        assert out.attention["cross"].shape == (1, B, 1, T, S)
    state = model.encode(batch)
    assert state["h"].shape == (2, B, 12)
    assert ("c" in state) == (cell == "lstm")
    logits, state, attn = model.decode_step(state, batch["tgt_in"][:, :1])
    assert logits.shape == (B, V_TGT)
    assert (attn is None) == (attention == "none")
    if attn is not None:
        assert attn.shape == (B, S)
    idx = torch.tensor([2, 2, 0, 1])
    reordered = model.reorder_state(state, idx)
    assert reordered["h"].shape == (2, 4, 12)
    assert torch.equal(reordered["h"][:, 0], state["h"][:, 2])


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_backward_reaches_every_parameter(attention):
    model = make_model(cell="lstm", attention=attention, bidirectional_encoder=True, num_layers=2)
    batch = make_batch()
    task_loss("seq2seq", model(batch).logits, batch).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, name
        assert torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, name


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_adam_steps_reduce_loss(attention):
    model = make_model(attention=attention)
    batch = make_batch(B=4)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        loss = task_loss("seq2seq", model(batch).logits, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# ------------------------------------------------------------------------------------------
# the two decoder paths agree; attention behaves; padding is ignored
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell,attention,bidirectional", ALL_COMBOS)
def test_teacher_forced_forward_equals_decode_steps(cell, attention, bidirectional):
    model = make_model(cell=cell, attention=attention, bidirectional_encoder=bidirectional, num_layers=2)
    model.eval()
    batch = make_batch()
    with torch.no_grad():
        out = model(batch)
        logits, weights = step_by_step(model, batch)
        looped = model(batch, teacher_forcing=1.0 - 1e-12)  # the step loop, never actually sampling
    torch.testing.assert_close(out.logits, logits, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(looped.logits, logits, atol=1e-5, rtol=1e-4)
    if attention != "none":
        torch.testing.assert_close(out.attention["cross"][0, :, 0], weights, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("attention", ["bahdanau", "luong"])
def test_attention_weights_sum_to_one_and_skip_padding(attention):
    model = make_model(attention=attention)
    batch = make_batch()
    w = model(batch).attention["cross"][0, :, 0]  # (B, T, S)
    torch.testing.assert_close(w.sum(-1), torch.ones(w.shape[:2]))
    pad = ~batch["src_mask"][:, None, :].expand_as(w)
    assert pad.any()
    assert torch.all(w[pad] == 0)
    assert torch.all(w[~pad] > 0)


@pytest.mark.parametrize("cell,attention,bidirectional", [c for c in ALL_COMBOS if c[0] != "rnn"])
def test_padded_source_tokens_do_not_matter(cell, attention, bidirectional):
    model = make_model(cell=cell, attention=attention, bidirectional_encoder=bidirectional)
    model.eval()
    batch = make_batch()
    changed = dict(batch)
    changed["src"] = batch["src"].masked_fill(~batch["src_mask"], 7)  # garbage where the mask is False
    with torch.no_grad():
        for record in (False, True):
            a, b = model(batch, record=record), model(changed, record=record)
            torch.testing.assert_close(a.logits, b.logits, atol=1e-6, rtol=1e-5)
            if attention != "none":
                torch.testing.assert_close(a.attention["cross"], b.attention["cross"])


def test_record_returns_encoder_insides_and_same_logits():
    model = make_model(cell="lstm", bidirectional_encoder=True, num_layers=2)
    model.eval()
    batch = make_batch()
    with torch.no_grad():
        plain, rec = model(batch), model(batch, record=True)
    B, S = batch["src"].shape
    assert rec.states.shape == (2, 2, B, S, 12)
    assert set(rec.gates) == {"i", "f", "g", "o", "c"}
    torch.testing.assert_close(plain.logits, rec.logits, atol=1e-5, rtol=1e-4)


def test_bahdanau_step_with_precomputed_keys_equals_the_attention_module():
    model = make_model(attention="bahdanau", bidirectional_encoder=True)
    batch = make_batch()
    state = model.encode(batch)
    s_prev = torch.randn(3, 12)
    ctx, a = model.decoder.additive_attention(s_prev, state)
    ref_ctx, ref_a = model.decoder.attn(s_prev, state["memory"], state["memory"], batch["src_mask"])
    torch.testing.assert_close(ctx, ref_ctx)
    torch.testing.assert_close(a, ref_a)


def test_bridge_joins_forward_and_backward_final_states_per_layer():
    torch.manual_seed(0)
    bridge = Bridge(5)
    final = torch.randn(3 * 2, 4, 5)  # 3 layers x 2 directions, index layer*2 + dir
    out = bridge(final)
    for layer in range(3):
        expected = torch.tanh(bridge.W_b(torch.cat([final[2 * layer], final[2 * layer + 1]], dim=-1)))
        torch.testing.assert_close(out[layer], expected)


def test_no_attention_decoder_sees_source_only_through_context_vector():
    """Without attention, two sources with the same context vector give the same outputs."""
    model = make_model(attention="none", bidirectional_encoder=False)
    model.eval()
    batch = make_batch()
    with torch.no_grad():
        state = model.encode(batch)
        torch.testing.assert_close(state["context"], state["h"][-1])
        assert "memory" not in state
        # zero the context vector: the outputs change, so the decoder does depend on it
        zeroed = {k: (torch.zeros_like(v) if k in ("h", "context") else v) for k, v in state.items()}
        a, _, _ = model.decode_step(state, batch["tgt_in"][:, :1])
        b, _, _ = model.decode_step(zeroed, batch["tgt_in"][:, :1])
    assert not torch.allclose(a, b)


# ------------------------------------------------------------------------------------------
# teacher forcing ratio
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("attention", ["none", "bahdanau"])
def test_no_teacher_forcing_feeds_own_predictions(attention):
    model = make_model(attention=attention)
    model.eval()
    batch = make_batch()
    with torch.no_grad():
        free = model(batch, teacher_forcing=0.0).logits
        state = model.encode(batch)
        ys = batch["tgt_in"][:, :1]
        expected = []
        for _ in range(batch["tgt_in"].size(1)):
            lg, state, _ = model.decode_step(state, ys)
            expected.append(lg)
            ys = torch.cat([ys, lg.argmax(-1, keepdim=True)], dim=1)
    torch.testing.assert_close(free, torch.stack(expected, 1), atol=1e-5, rtol=1e-4)


def test_partial_teacher_forcing_is_seeded():
    model = make_model(attention="bahdanau")
    model.eval()
    batch = make_batch(B=6, S=6, T=8)
    with torch.no_grad():
        torch.manual_seed(3)
        a = model(batch, teacher_forcing=0.5).logits
        torch.manual_seed(3)
        b = model(batch, teacher_forcing=0.5).logits
        full = model(batch).logits
        free = model(batch, teacher_forcing=0.0).logits
    assert torch.equal(a, b)
    assert not torch.allclose(a, full) and not torch.allclose(a, free)


# ------------------------------------------------------------------------------------------
# it learns
# ------------------------------------------------------------------------------------------


def reversal_batch(n: int, g: torch.Generator, length: int = 5) -> dict[str, torch.Tensor]:
    x = torch.randint(4, 14, (n, length), generator=g)  # 10 symbols
    y = x.flip(1)
    return {
        "src": x,
        "src_mask": torch.ones_like(x, dtype=torch.bool),
        "tgt_in": torch.cat([torch.full((n, 1), SOS), y], dim=1),
        "tgt_out": torch.cat([y, torch.full((n, 1), EOS)], dim=1),
    }


def test_attention_seq2seq_learns_to_reverse():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(src_vocab_size=14, tgt_vocab_size=14, embed_dim=32, hidden_size=64))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(150):
        batch = reversal_batch(32, g)
        loss = task_loss("seq2seq", model(batch).logits, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    test = reversal_batch(300, g)
    tokens, attention = greedy(model, test, max_len=6)
    accuracy = (tokens == test["tgt_out"]).float().mean().item()
    assert accuracy > 0.9
    # reversing: output position t mostly attends to source position 4 - t
    peaks = attention[:, :5].argmax(-1)  # (N, 5)
    assert (peaks == torch.arange(4, -1, -1)).float().mean() > 0.8


# ------------------------------------------------------------------------------------------
# captioner (one-to-many)
# ------------------------------------------------------------------------------------------


def caption_batch(B: int = 3, C: int = 1, size: int = 12, T: int = 4, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(4, V_TGT, (B, T - 1), generator=g)
    return {
        "src": torch.randn(B, C, size, size, generator=g),
        "tgt_in": torch.cat([torch.full((B, 1), SOS), y], dim=1),
        "tgt_out": torch.cat([y, torch.full((B, 1), EOS)], dim=1),
    }


def make_captioner(seed: int = 0, **kw) -> Captioner:
    torch.manual_seed(seed)
    base = {"image_channels": 1, "image_size": 12, "tgt_vocab_size": V_TGT, "embed_dim": 8, "hidden_size": 12}
    return Captioner(CaptionerConfig(**{**base, **kw}))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("encoder", ["cnn", "mlp"])
def test_captioner_shapes_and_paths_agree(cell, encoder):
    model = make_captioner(cell=cell, encoder=encoder, num_layers=2, image_channels=3)
    model.eval()
    batch = caption_batch(C=3)
    with torch.no_grad():
        out = model(batch)
        logits, weights = step_by_step(model, batch)
        looped = model(batch, teacher_forcing=1.0 - 1e-12)
    assert out.logits.shape == (3, 4, V_TGT)
    assert weights is None and out.attention == {}
    torch.testing.assert_close(out.logits, logits, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(looped.logits, logits, atol=1e-5, rtol=1e-4)
    state = model.encode(batch)
    assert state["h"].shape == (2, 3, 12)
    torch.testing.assert_close(state["h"][0], state["context"])  # h_0 = v in every layer
    torch.testing.assert_close(state["h"][1], state["context"])


def test_captioner_memorises_captions_of_distinct_images():
    """Four images, four different captions: the image vector alone must pick the caption."""
    torch.manual_seed(0)
    images = torch.zeros(4, 1, 8, 8)
    for i in range(4):  # a bright quadrant at a different place in each image
        r, c = divmod(i, 2)
        images[i, 0, 4 * r : 4 * r + 4, 4 * c : 4 * c + 4] = 1.0
    caps = torch.tensor([[4, 5, 6], [4, 6, 5], [7, 5, 6], [7, 7, 7]])
    batch = {
        "src": images,
        "tgt_in": torch.cat([torch.full((4, 1), SOS), caps], 1),
        "tgt_out": torch.cat([caps, torch.full((4, 1), EOS)], 1),
    }
    model = make_captioner(image_size=8, tgt_vocab_size=8)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(80):
        loss = task_loss("caption", model(batch).logits, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    tokens, attention = greedy(model, batch, max_len=6)
    assert attention is None
    assert torch.equal(tokens, batch["tgt_out"])
