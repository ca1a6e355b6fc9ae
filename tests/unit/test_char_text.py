"""Character-level text generation: the data, the baselines, the models' one-step generation, and
the checks a learner's text meets."""

from __future__ import annotations

import math

import pytest
import torch

from core.checkpoint import bundle, config_json, load_bundle
from core.config import ConfigError
from core.models.base import SPECIALS
from core.registry import build, make_config
from core.runspec import plan
from core.tasks.base import DataError
from core.tasks.char_text import CharTextOptions, CharTextTask, ngram_bpc, windows
from core.train import train

TINY = {"max_chars": "6000", "seq_len": "32", "epochs": "1", "hidden_size": "32", "batch_size": "32"}


def test_windows_shift_the_target_by_one_character():
    ids = torch.arange(10)
    w = windows(ids, 3)
    assert w["x"].tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert w["y"].tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_ngram_bpc_by_hand():
    # unigram on a text of two equally common characters: exactly 1 bit each (no smoothing)
    assert ngram_bpc([0, 1] * 50, [0, 1, 1, 0], 1, 2, k=0.0) == pytest.approx(1.0)
    # bigram on an alternating text: the next character is certain, 0 bits
    assert ngram_bpc([0, 1] * 50, [0, 1, 0, 1], 2, 2, k=0.0) == pytest.approx(0.0)


def test_shipped_sonnets_split_in_order_with_baselines():
    data = CharTextTask.prepare(CharTextOptions())
    assert data.texts["train"].startswith("THE SONNETS")
    total = sum(len(s) for s in data.texts.values())
    assert abs(len(data.texts["train"]) / total - 0.9) < 0.01
    assert (
        data.model_fields["vocab_size"] == len(SPECIALS) + len(data.chars)
        and data.model_fields["readout"] == "each"
    )
    b = data.baselines()
    assert b["unigram"]["bpc"] > b["bigram"]["bpc"] > b["trigram"]["bpc"] > 2.0


@pytest.mark.parametrize("arch", ["lstm", "transformer-decoder"])
def test_one_step_generation_equals_reading_the_whole_text(arch):
    spec = plan("char-text", arch, {k: v for k, v in TINY.items() if k != "hidden_size"})
    torch.manual_seed(0)
    model = spec.build().eval()
    ids = torch.randint(len(SPECIALS), spec.data.model_fields["vocab_size"], (1, 20))
    with torch.no_grad():
        whole = model({"x": ids}).logits  # (1, 20, V)
        first, state = model.generate_step(ids[:, :12], None)
        steps = [first]
        for t in range(12, 20):
            out, state = model.generate_step(ids[:, t : t + 1], state)
            steps.append(out)
    torch.testing.assert_close(torch.cat(steps, 1), whole, atol=1e-5, rtol=1e-4)


def test_the_transformer_decoder_never_looks_ahead():
    cfg = make_config(
        "transformer-decoder",
        {"d_model": 32, "n_heads": 4, "n_layers": 2},
        data_fields={"vocab_size": 20, "max_len": 16},
    )
    model = build("transformer-decoder", cfg).eval()
    a = torch.randint(4, 20, (1, 10))
    b = a.clone()
    b[0, 6:] = (b[0, 6:] + 1 - 4) % 16 + 4  # change the future only
    with torch.no_grad():
        la, lb = model({"x": a}).logits, model({"x": b}).logits
    torch.testing.assert_close(la[:, :6], lb[:, :6])
    assert not torch.allclose(la[:, 6:], lb[:, 6:])


def test_training_beats_the_character_frequencies_and_writes_after_every_epoch():
    spec = plan("char-text", "gru", {**TINY, "epochs": "3", "lr": "0.01"})
    events = list(train(spec.build(), spec.data, spec.task, spec.train_cfg))
    epochs = [e for e in events if e.type == "epoch"]
    fin = events[-1]
    assert len(epochs) == 3 and all(e.sample and e.sample.startswith("Shall I compare thee") for e in epochs)
    assert len(epochs[-1].sample) == len("Shall I compare thee") + 160
    assert fin.test["bpc"] == pytest.approx(fin.test["loss"] / math.log(2))
    assert fin.test["bpc"] < fin.baselines["unigram"]["bpc"]


def test_sampling_is_reproducible_and_temperature_zero_is_greedy():
    spec = plan("char-text", "lstm", TINY)
    model = spec.build()
    d = spec.data
    assert d.generate(model, "Shall", 40, 0.8, seed=3) == d.generate(model, "Shall", 40, 0.8, seed=3)
    greedy = d.generate(model, "Shall", 40, 0.0, seed=1)
    assert greedy == d.generate(model, "Shall", 40, 0.0, seed=2)  # no randomness at temperature 0
    assert "\ufffd" not in d.generate(model, "", 60, 1.5)  # the specials are never drawn


def test_a_saved_model_writes_again_from_its_file():
    spec = plan("char-text", "lstm", TINY)
    model = spec.build()
    raw = bundle(model, config_json(spec.to_json(), spec.data.state()))
    loaded = load_bundle(raw)
    assert loaded.data.chars == spec.data.chars and not loaded.data.splits
    out = loaded.data.predict(loaded.model, ["Shall I"], n=30, temperature=0.5, seed=0)
    assert out[0]["text"] == spec.data.generate(model.eval(), "Shall I", 30, 0.5, 0)


def test_bad_text_and_bad_settings_get_clear_messages():
    opts = CharTextOptions(source="upload", seq_len=16)
    with pytest.raises(DataError, match="no file was given"):
        CharTextTask.prepare(opts, upload=None)
    with pytest.raises(DataError, match="not UTF-8"):
        CharTextTask.prepare(opts, upload=b"\xff\xfe\x00\xd8" * 400)
    with pytest.raises(DataError, match="at least 340 are needed"):
        CharTextTask.prepare(opts, upload=b"too short")
    korean = ("동해 물과 백두산이 마르고 닳도록 하느님이 보우하사 우리나라 만세\n" * 80).encode()
    data = CharTextTask.prepare(opts, upload=korean)
    assert "물" in data.chars
    with pytest.raises(DataError, match="never read these characters: 'Q'"):
        data.generate(CharTextTask_model(data), "Q", 5)
    with pytest.raises(ConfigError, match="bidirectional"):
        plan("char-text", "lstm", {**TINY, "bidirectional": "true"})


def CharTextTask_model(data):
    cfg = make_config("gru", {"hidden_size": 8}, data_fields=data.model_fields)
    return build("gru", cfg)
