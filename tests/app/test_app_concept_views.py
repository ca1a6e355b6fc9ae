"""The concept views on their pages, trained tiny: both directions of a bidirectional RNN, the
translation model's context vector and GNMT's three streams, the Transformer block after attention,
and the course's links to each. Their numbers are checked in tests/unit/test_concept_views.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from apptest import figures, no_problems, page_test, scan_components_once

from core.analysis import _fresh_encoder, attention_pipeline
from core.models.base import EOS, SOS, SPECIALS, evaluating
from playground import i18n
from playground.course.steps import STEPS
from playground.insights.recurrence import (
    shown_states,
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


def test_the_backward_direction_at_an_earlier_epoch_is_that_epochs_own():
    """Snapshots on: the epoch slider and the direction switch together show the backward states
    recorded after epoch 1, not the final model's."""
    at = page_test(
        "pages/long_memory.py",
        **{
            "long_memory.arch": "lstm",
            "long_memory.model.bidirectional": "true",
            "long_memory.task.n_train": "128",
            "long_memory.task.lag": "6",
            "long_memory.model.hidden_size": "8",
            "long_memory.train.epochs": "2",
            "long_memory.train.stop_at_target": "false",
            "long_memory.train.snapshots": "true",
        },
    )
    at.button(key="long_memory._train").click().run()
    no_problems(at)
    snaps = at.session_state["long_memory.run"].snapshots
    assert [s.epoch for s in snaps] == [1, 2] and snaps[0].backward
    at.select_slider(key="long_memory._inside.gsnap").set_value(1).run()
    at.radio(key="long_memory._inside.direction").set_value(1).run()
    no_problems(at)
    want = np.asarray(snaps[0].backward["h"]).T  # (units, time), as the heatmap draws it
    heat = [
        np.asarray(tr["z"], dtype=float)
        for f in figures(at)
        for tr in f["data"]
        if tr.get("type") == "heatmap"
    ]
    assert any(z.shape == want.shape and np.allclose(z, want, atol=1e-6) for z in heat)
    final = np.asarray(snaps[1].backward["h"]).T
    assert not np.allclose(want, final)  # epoch 1 is not the final model


# ---------------------------------------------------------------------------- context vector, streams


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
        for lang in i18n.LANGS:
            assert i18n.STRINGS[lang].get(key), (lang, key)
    block = {s.key: s.link for s in STEPS if s.key in ("ffn", "residual", "add_norm")}
    assert all(link is not None and link[0] == "attention_steps" for link in block.values())
    at = page_test("pages/course.py", step="1")
    no_problems(at)
    assert i18n.EN["course.look.unrolled"] in [c.value for c in at.caption]
