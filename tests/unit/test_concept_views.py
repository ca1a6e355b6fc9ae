"""The concept views' numbers from built models: the unrolled recurrence (both directions of a
bidirectional layer), the context vector of a Seq2Seq model, and the rest of a Transformer layer
after attention (Add & Norm, FFN, Add & Norm) checked against the layer's own forward pass. The
pages that draw them: tests/app/test_app_concept_views.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.analysis import attention_pipeline, layer_norm_parts
from core.models.attention import padding_mask
from core.models.base import evaluating
from core.models.rnn import RecurrentConfig, RecurrentModel
from core.models.seq2seq import Seq2Seq, Seq2SeqConfig
from core.models.transformer import EncoderOnlyConfig, Transformer, TransformerConfig, TransformerEncoderModel
from playground.insights.recurrence import (
    context_of,
    joined_figure,
    shown_states,
    unrolled,
    unrolled_figure,
)


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


# ---------------------------------------------------------------------------- unrolled recurrence


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_the_unrolled_boxes_hold_the_recorded_hidden_states(cell, bidirectional):
    torch.manual_seed(0)
    cfg = RecurrentConfig(
        cell=cell, vocab_size=20, n_out=2, embed_dim=6, hidden_size=20, bidirectional=bidirectional
    )
    model = RecurrentModel(cfg)
    x = torch.tensor([[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]])
    batch = {"x": x, "mask": torch.ones_like(x, dtype=torch.bool)}
    with evaluating(model):
        out = model(batch, record=True)
    words = [f"w{i}" for i in range(x.size(1))]
    u = unrolled(model, out, {"x": words})
    assert u is not None and u.dirs == (2 if bidirectional else 1) and u.cell == cell.upper()
    states = out.states[0, :, 0].numpy()  # (dirs, T, H)
    fig = unrolled_figure(u, start=2, width=12, units=16)
    np.testing.assert_allclose(shown_states(fig, "h_fwd"), states[0, 2:14, :16], atol=1e-6)
    names = {tr.name for tr in fig.data}
    assert ("h_bwd" in names) == bidirectional
    if bidirectional:
        np.testing.assert_allclose(shown_states(fig, "h_bwd"), states[1, 2:14, :16], atol=1e-6)
        # the layer's output at every step is the two directions joined
        np.testing.assert_allclose(u.joined(), out_outputs(model, batch)[0], atol=1e-6)
        joined = np.array(joined_figure(u, 0, 12).data[0].z)
        np.testing.assert_allclose(joined[:16], states[0, :12, :16].T, atol=1e-6)
        np.testing.assert_allclose(joined[16:], states[1, :12, :16].T, atol=1e-6)
        # the read-out joins the forward state at the last step and the backward one at the first
        assert u.read == [(0, x.size(1) - 1), (1, 0)]
        h_n = model.rnn(model.embed(x)).h_n.detach()
        np.testing.assert_allclose(states[1, 0], h_n[1, 0].numpy(), atol=1e-5)
    np.testing.assert_allclose(u.norms()[0], np.linalg.norm(states[0], axis=-1), rtol=1e-6)
    # the norm printed above each box
    texts = [a.text for a in fig.layout.annotations]
    assert f"{np.linalg.norm(states[0, 2]):.2f}" in texts
    assert "…" in texts  # the window starts after step 1: the chain comes from the left


def out_outputs(model: RecurrentModel, batch: dict) -> np.ndarray:
    with evaluating(model):
        return model.rnn(model.embed(batch["x"])).outputs.detach().numpy()


# ---------------------------------------------------------------------------- context vector, streams


def _s2s(attention: str) -> Seq2Seq:
    torch.manual_seed(0)
    cfg = Seq2SeqConfig(
        src_vocab_size=12, tgt_vocab_size=12, embed_dim=8, hidden_size=16, attention=attention
    )
    return Seq2Seq(cfg)


def test_the_context_vector_is_the_encoders_final_state_and_attention_gets_every_state():
    src = torch.tensor([[4, 5, 6, 7]])
    batch = {"src": src, "src_mask": torch.ones_like(src, dtype=torch.bool)}
    words = ["a", "b", "c", "d"]
    plain = _s2s("none")
    c = context_of(plain, batch, words)
    assert c is not None and c.kind == "context" and c.vector.shape == (16,) and c.bidirectional
    with evaluating(plain):
        enc = plain.encoder(src, batch["src_mask"])
    np.testing.assert_allclose(c.vector, enc.h[-1, 0].detach().numpy(), atol=1e-6)
    attn = _s2s("bahdanau")
    c = context_of(attn, batch, words)
    assert c is not None and c.kind == "attention" and c.memory.shape == (4, 32)
    with evaluating(attn):
        enc = attn.encoder(src, batch["src_mask"])
    np.testing.assert_allclose(c.memory, enc.memory[0].detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(c.vector, enc.h[-1, 0].detach().numpy(), atol=1e-6)


# ---------------------------------------------------------------------------- the rest of the Transformer layer


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_the_block_step_by_step_equals_the_encoder_layers_forward(norm):
    torch.manual_seed(0)
    cfg = EncoderOnlyConfig(
        vocab_size=30, n_out=2, max_len=12, d_model=16, n_heads=2, d_ff=40, n_layers=2, norm=norm
    )
    model = TransformerEncoderModel(cfg)
    ids = [4, 9, 5, 17, 8]
    p = attention_pipeline(ids, model=model)
    layer = model.encoder.layers[0]
    x = torch.tensor([ids])
    mask = padding_mask(torch.ones_like(x, dtype=torch.bool))
    with evaluating(model):
        X = model.embed_input(x)
        expected, _ = layer(X, mask)
        ln = layer.ffn_block.norm if norm == "pre" else layer.attn_block.norm
        b = p["block"]
        torch.testing.assert_close(b["output"], expected[0])
        torch.testing.assert_close(b["sum1"], X[0] + p["output"])  # x + attention
        torch.testing.assert_close(p["ln_sum1"]["out"], ln(b["sum1"]))
        assert p["ln_sum1"]["mean"].shape == (5,)
        torch.testing.assert_close(p["ln_sum1"]["mean"], b["sum1"].mean(-1))
        torch.testing.assert_close(p["ln_sum1"]["var"], b["sum1"].var(-1, unbiased=False))
        # FFN: max(0, x W1 + b1) W2 + b2 with the layer's own weights, shapes (T, d_ff) then (T, D)
        ffn_in = b["ffn_in"]
        hidden = torch.clamp(ffn_in @ p["W_1"] + p["b_1"], min=0)
        assert hidden.shape == (5, 40) and b["ffn"].shape == (5, 16)
        torch.testing.assert_close(b["hidden"], hidden)
        torch.testing.assert_close(b["ffn"], hidden @ p["W_2"] + p["b_2"])
        torch.testing.assert_close(b["sum2"], b["out1"] + b["ffn"])
        if norm == "post":
            torch.testing.assert_close(b["out1"], p["ln_sum1"]["out"])
            torch.testing.assert_close(b["output"], p["ln_sum2"]["out"])
        else:
            torch.testing.assert_close(b["ffn_in"], p["ln_sum1"]["out"])
            torch.testing.assert_close(b["output"], b["sum2"])
            assert p["ln_sum2"] is None
        full = model.encoder(X, mask)[0]  # the stack's forward goes through the same first layer
        assert full.shape == expected.shape


def test_the_block_of_a_translation_transformer_matches_its_encoder_layer():
    torch.manual_seed(1)
    model = Transformer(
        TransformerConfig(src_vocab_size=20, tgt_vocab_size=22, d_model=16, n_heads=4, d_ff=24)
    )
    p = attention_pipeline([4, 5, 6], model=model)
    src = torch.tensor([[4, 5, 6]])
    with evaluating(model):
        expected, _ = model.encoder.layers[0](model.embed_src(src), padding_mask(torch.ones_like(src).bool()))
    torch.testing.assert_close(p["block"]["output"], expected[0])


def test_layer_norm_parts_equal_layernorm():
    torch.manual_seed(2)
    norm = torch.nn.LayerNorm(8)
    with torch.no_grad():
        norm.weight.uniform_(0.5, 1.5)
        norm.bias.uniform_(-0.5, 0.5)
    v = torch.randn(3, 8)
    parts = layer_norm_parts(v, norm)
    torch.testing.assert_close(parts["out"], norm(v))
    torch.testing.assert_close(parts["hat"].mean(-1), torch.zeros(3), atol=1e-6, rtol=0)


# ---------------------------------------------------------------------------- course links


class _Probe:
    """Just what core.train.snapshot reads from a task's data: its fixed probe example."""

    def __init__(self, batch, tokens):
        self._probe = (batch, tokens)

    def probe(self):
        return self._probe


@pytest.mark.parametrize("bidirectional", [False, True])
def test_each_epochs_snapshot_keeps_both_directions(bidirectional):
    """The epoch slider of the Inside tab can show the backward direction as it was at an epoch:
    the snapshot holds its states and gates, equal to the model's own record at that moment."""
    from core.train import snapshot
    from playground.look_inside import recorded_signals, snapshot_signals

    torch.manual_seed(1)
    model = RecurrentModel(
        RecurrentConfig(
            cell="lstm", vocab_size=20, n_out=2, embed_dim=6, hidden_size=8, bidirectional=bidirectional
        )
    )
    x = torch.tensor([[5, 6, 7, 8, 9, 10]])
    batch = {"x": x, "mask": torch.ones_like(x, dtype=torch.bool)}
    snap = snapshot(model, _Probe(batch, {"x": [f"w{i}" for i in range(6)]}), epoch=3)
    with evaluating(model):
        out = model(batch, record=True)
    for direction in (0, 1) if bidirectional else (0,):
        want = recorded_signals(out, direction)
        got = snapshot_signals(snap, direction)
        assert set(got) == set(want) and "h" in got
        for name in want:
            np.testing.assert_allclose(got[name], want[name], atol=1e-6)
    if bidirectional:  # the two directions differ: the backward one is not a copy of the forward one
        assert not np.allclose(snapshot_signals(snap, 1)["h"], snapshot_signals(snap, 0)["h"])
    else:
        assert snap.backward == {}
