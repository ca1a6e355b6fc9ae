"""The concept views drawn from a real model's numbers: the unrolled recurrence (and both directions
of a bidirectional layer), the context vector of a Seq2Seq model, GNMT's three streams, and the
rest of a Transformer layer after attention (Add & Norm, FFN, Add & Norm) checked against the
layer's own forward pass. Unit tests on built models, and AppTests that train tiny ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from apptest import figures, no_problems, page_test, scan_components_once

from core.analysis import _fresh_encoder, attention_pipeline, layer_norm_parts
from core.models.attention import padding_mask
from core.models.base import EOS, SOS, SPECIALS, evaluating
from core.models.rnn import RecurrentConfig, RecurrentModel
from core.models.seq2seq import Seq2Seq, Seq2SeqConfig
from core.models.transformer import EncoderOnlyConfig, Transformer, TransformerConfig, TransformerEncoderModel
from playground import i18n
from playground.course.steps import STEPS
from playground.insights.recurrence import (
    context_of,
    joined_figure,
    shown_states,
    unrolled,
    unrolled_figure,
    vector_values,
)

pytestmark = pytest.mark.usefixtures("scan_components_once")
_ = scan_components_once


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


def _fig(at, name: str) -> dict:
    return next(f for f in figures(at) if any(tr.get("name") == name for tr in f["data"]))


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


def test_a_bidirectional_rnn_page_draws_both_directions_of_its_own_states():
    at = page_test(
        "pages/long_memory.py",
        **{
            "long_memory.arch": "rnn",
            "long_memory.model.bidirectional": "true",
            "long_memory.task.n_train": "128",
            "long_memory.task.lag": "6",
            "long_memory.model.hidden_size": "8",
            "long_memory.train.epochs": "1",
        },
    )
    at.button(key="long_memory._train").click().run()
    no_problems(at)
    run = at.session_state["long_memory.run"]
    model, data = run.model, run.spec.data
    assert model.cfg.bidirectional
    batch, _ = data.probe_for(model)
    with evaluating(model):
        states = model(batch, record=True).states[0, :, 0].numpy()  # (2, T, H)
    fig = _fig(at, "h_fwd")
    np.testing.assert_allclose(shown_states(fig, "h_fwd"), states[0], atol=1e-5)
    np.testing.assert_allclose(shown_states(fig, "h_bwd"), states[1], atol=1e-5)
    assert any(tr.get("name") == "joined" for f in figures(at) for tr in f["data"])
    # the states heatmap can show the backward direction too
    at.radio(key="long_memory._inside.direction").set_value(1).run()
    no_problems(at)
    captions = " ".join(c.value for c in at.caption)
    assert i18n.EN["inside.unrolled.joined_caption"].split("[")[0] in captions


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


def test_translation_page_shows_the_context_vector_and_the_three_streams():
    at = page_test(
        "pages/translation.py",
        **{
            "translation.arch": "seq2seq",
            "translation.task.n_pairs": "200",
            "translation.model.hidden_size": "24",
            "translation.model.embed_dim": "8",
            "translation.train.epochs": "1",
        },
    )
    at.button(key="translation._train").click().run()
    no_problems(at)
    run = at.session_state["translation.run"]
    model, data = run.model, run.spec.data
    batch, _ = data.probe_for(model)
    with evaluating(model):
        context = model.encode(batch)["context"][0].numpy()
    assert context.shape == (24,)  # hidden_size from the sidebar
    np.testing.assert_allclose(vector_values(_fig(at, "context"), "context"), context, atol=1e-5)
    captions = " ".join(c.value for c in at.caption)
    assert i18n.EN["inside.context.bridge"] in captions  # the default encoder reads both ways
    # the three streams, read back from the ids of a training batch: the shift of teacher forcing
    for which in ("own", "test"):
        at.radio(key="translation._streams.which").set_value(which).run()
        no_problems(at)
        table = next(tb.value for tb in at.table if i18n.EN["translation.streams.tgt_in"] in tb.value.index)
        rows = [
            [w for w in table.loc[i18n.EN[f"translation.streams.{k}"]] if w]
            for k in ("src", "tgt_in", "tgt_out")
        ]
        src, tgt_in, tgt_out = rows
        assert src and tgt_in[0] == SPECIALS[SOS] and tgt_out[-1] == SPECIALS[EOS]
        assert tgt_in[1:] == tgt_out[:-1] and len(tgt_in) == len(tgt_out)
        if which == "test":
            s, tg = next(p for p in data.pairs["test"] if 4 <= len(p[0]) <= 9)
            assert tgt_out[:-1] == list(tg)
            assert src == (list(s)[::-1] if data.reverse_source else list(s))


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


def test_attention_steps_page_continues_with_add_norm_and_the_ffn():
    at = page_test(
        "pages/attention_steps.py",
        **{"attention_steps.d_model": "32", "attention_steps.n_heads": "4"},
    )
    no_problems(at)
    from playground.insights.attention_steps import DEFAULT_TEXT

    ref = attention_pipeline(DEFAULT_TEXT, d_model=32, d_k=8, n_heads=4, seed=0)
    T = len(ref["tokens"])
    # the real layer of the same fresh model, run by its own forward
    model = _fresh_encoder(len(ref["tokens"]) + 4, T, 32, 4, 0, "sinusoidal")
    assert model.encoder.layers[0].ffn.W_1.out_features == ref["d_ff"] == 128
    for name, key in (("sum1", "sum1"), ("ffn", "ffn"), ("sum2", "sum2"), ("block_output", "output")):
        z = np.array(_fig(at, name)["data"][0]["z"])
        np.testing.assert_allclose(z, ref["block"][key].numpy(), atol=2e-5)
    np.testing.assert_allclose(
        np.array(_fig(at, "ln1")["data"][0]["z"]), ref["ln_sum1"]["out"].numpy(), atol=2e-5
    )
    torch.testing.assert_close(ref["block"]["output"], ref["layer_output"])
    # one token's LayerNorm in numbers: the first word by default
    table = next(df.value for df in at.dataframe if "γ · v̂ + β" in df.value.columns)
    np.testing.assert_allclose(table["γ · v̂ + β"], ref["ln_sum1"]["out"][0, :8].numpy(), atol=1e-4)
    token = ref["tokens"][0]
    means = [float(m.value) for m in at.metric if m.label == i18n.EN["ins.block.mean"].format(token=token)]
    assert means == pytest.approx(
        [float(ref["ln_sum1"]["mean"][0]), float(ref["ln_sum2"]["mean"][0])], abs=1e-4
    )
    assert any(i18n.EN["ins.block.matches"].split(":")[0] in s.value for s in at.success)


# ---------------------------------------------------------------------------- course links


def test_course_steps_point_at_the_views():
    looks = {s.key: s.look for s in STEPS if s.look}
    assert {"rnn", "birnn", "many_to_many", "seq2seq", "ffn", "residual", "add_norm"} <= set(looks)
    for key in looks.values():
        for lang in ("en", "ko"):
            assert i18n.STRINGS[lang].get(key), (lang, key)
    block = {s.key: s.link for s in STEPS if s.key in ("ffn", "residual", "add_norm")}
    assert all(link is not None and link[0] == "attention_steps" for link in block.values())
    at = page_test("pages/course.py", step="1")
    no_problems(at)
    assert i18n.EN["course.look.unrolled"] in [c.value for c in at.caption]
