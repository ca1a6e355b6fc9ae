"""AppTest: training with tiny settings on the stock, translation and sentiment pages.

``SEQUENCE_LAB_EXECUTOR=inline`` makes training run inside the script run (the real app uses a
thread), so the results are on the page right after the Train click.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from apptest import chart_texts, no_problems, page_test
from streamlit.testing.v1 import AppTest

TINY_STOCK = {
    "stock.task.start": "2012-01-01",
    "stock.task.lookback": "10",
    "stock.model.hidden_size": "8",
    "stock.model.embed_dim": "8",
    "stock.train.epochs": "2",
}


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


def test_stock_training_shows_loss_chart_metrics_and_survives_setting_changes():
    at = page_test("pages/stock.py", **TINY_STOCK)
    no_problems(at)
    at.button(key="stock._train").click().run()
    no_problems(at)
    # a success, or (this tiny model against persistence) a warning that names the baseline it lost to
    status = [s.value for s in [*at.success, *at.warning] if "Training finished" in s.value]
    assert status and (
        status[0] == "Training finished." or "worse than the baseline 'persistence'" in status[0]
    )
    specs = chart_texts(at)
    assert any("training loss (per step)" in s and "validation loss (per epoch)" in s for s in specs)
    assert any('"actual"' in s and '"persistence"' in s for s in specs)  # the test-range chart
    cards = {m.label: m for m in at.metric}
    for label in ("RMSE", "MAE", "MAPE", "Direction"):
        assert label in cards and cards[label].value != "–"
    assert cards["RMSE"].proto.delta  # compared with persistence
    run = at.session_state["stock.run"]
    assert run.finished.reason == "done" and len(run.epochs) == 2
    # the download button offers the trained model; its bytes load back with core alone
    assert at.get("download_button")
    from core.checkpoint import load_bundle

    loaded = load_bundle(run.bundle())
    assert loaded.arch == "lstm" and loaded.meta["metrics"]["test"]["rmse"] > 0
    # change a setting: the trained model stays, with a notice
    at.select_slider(key="stock.model.hidden_size").set_value(16).run()
    no_problems(at)
    assert any("settings changed" in w.value for w in at.warning)
    assert [t.label for t in at.tabs][:3] == ["Results", "Try it", "Inside the model"]
    assert at.session_state["stock.run"] is run


def _tiny_stock_bundle() -> bytes:
    """A checkpoint written the way the CLI writes one (core only, no app involved)."""
    from core.checkpoint import bundle, config_json
    from core.runspec import plan
    from core.train import train

    settings = {k.split(".", 1)[1]: v for k, v in TINY_STOCK.items()}
    spec = plan("stock", "lstm", settings)
    model = spec.build()
    for _ in train(model, spec.data, spec.task, spec.train_cfg, baselines=False):
        pass
    return bundle(model, config_json(spec.to_json(), spec.data.state()))


def test_stock_checkpoint_upload_then_a_bad_file():
    at = page_test("pages/stock.py")
    up = next(f for f in at.get("file_uploader") if f.key == "stock.ckpt")
    up.set_value(("model.zip", _tiny_stock_bundle(), "application/zip")).run()
    no_problems(at)
    assert any("Loaded a lstm model" in s.value for s in at.success)
    assert any(m.label == "day +1" for m in at.metric)  # the try-it forecast of the loaded model
    # a file that is not a checkpoint: a clear error, no exception
    up = next(f for f in at.get("file_uploader") if f.key == "stock.ckpt")
    up.set_value(("model.zip", b"PK\x03\x04 definitely not a zip", "application/zip")).run()
    assert not at.exception
    assert any("not a Sequence Lab model file" in e.value or "damaged" in e.value for e in at.error)
    assert not any("Loaded a" in s.value for s in at.success)


def test_a_loaded_model_continues_training_from_its_weights():
    from core.checkpoint import load_bundle

    raw = _tiny_stock_bundle()
    saved = load_bundle(raw).model.state_dict()
    at = page_test("pages/stock.py", **{"stock.train.epochs": "1", "stock.train.lr": "0.0005"})
    up = next(f for f in at.get("file_uploader") if f.key == "stock.ckpt")
    up.set_value(("model.zip", raw, "application/zip")).run()
    no_problems(at)
    at.button(key="stock._continue").click().run()
    no_problems(at)
    run = at.session_state["stock.run"]
    assert run.finished.reason == "done" and len(run.epochs) == 1  # the sidebar's epochs
    assert run.spec.train_cfg.lr == 0.0005 and run.spec.arch == "lstm"
    # it started from the saved weights, then moved on from them
    assert all(torch.equal(run.spec.init[k], v) for k, v in saved.items())
    assert any(not torch.equal(p, saved[k]) for k, p in run.model.state_dict().items())


def test_translation_transformer_attention_for_every_layer_and_head():
    at = page_test(
        "pages/translation.py",
        **{
            "translation.arch": "transformer",
            "translation.task.n_pairs": "200",
            "translation.model.d_model": "16",
            "translation.model.n_heads": "2",
            "translation.model.d_ff": "16",
            "translation.model.n_enc_layers": "1",
            "translation.model.n_dec_layers": "2",
            "translation.train.epochs": "2",
            "translation.train.snapshots": "true",
        },
    )
    no_problems(at)
    at.button(key="translation._train").click().run()
    no_problems(at)
    assert {m.label for m in at.metric} >= {"Exact match", "BLEU"}
    specs = chart_texts(at)
    assert any("head 1" in s and "head 2" in s for s in specs)  # all heads of a layer
    assert any('"RdBu"' in s or "position" in s for s in specs)  # positional encoding table
    # the attention maps and the positional table can be taken away as interactive HTML files
    html = [d for d in at.get("download_button") if d.proto.label == "HTML"]
    assert len(html) >= 2
    radios = [r for r in at.radio if r.key == "translation._inside.which"]
    assert radios and set(radios[0].options) >= {
        "encoder self-attention",
        "decoder self-attention",
        "cross-attention (decoder → encoder)",
    }
    # attention recorded after every epoch: a slider goes back in time
    snap = next(s for s in at.select_slider if s.key == "translation._inside.snap")
    assert list(snap.options) == ["1", "2", "final"]
    # a 1-layer encoder has nothing to choose; the 2-layer decoder has a layer selector
    assert not [s for s in at.selectbox if s.key == "translation._inside.layer"]
    radios[0].set_value("dec_self").run()
    no_problems(at)
    layer = next(s for s in at.selectbox if s.key == "translation._inside.layer")
    assert len(layer.options) == 2
    # try it: greedy and beam side by side
    assert any(m.value.startswith("**Beam search (k = 4)") for m in at.markdown)
    at.slider(key="translation._beam").set_value(3).run()
    no_problems(at)
    assert any(m.value.startswith("**Beam search (k = 3)") for m in at.markdown)


def test_long_memory_gates_can_be_scrubbed_epoch_by_epoch():
    at = page_test(
        "pages/long_memory.py",
        **{
            "long_memory.arch": "lstm",
            "long_memory.task.lag": "5",
            "long_memory.task.n_train": "256",
            "long_memory.model.hidden_size": "8",
            "long_memory.train.epochs": "3",
            "long_memory.train.snapshots": "true",
        },
    )
    no_problems(at)
    at.button(key="long_memory._train").click().run()
    no_problems(at)
    run = at.session_state["long_memory.run"]
    assert len([s for s in run.snapshots if s.gates]) == 3
    gate = next(r for r in at.radio if r.key == "long_memory._inside.gate")
    labels = " ".join(gate.options)
    assert all(word in labels for word in ("input gate", "forget gate", "output gate", "cell state"))
    gate.set_value("f").run()
    snap = next(s for s in at.select_slider if s.key == "long_memory._inside.gsnap")
    assert list(snap.options) == ["1", "2", "3", "final"]
    final = gate_heatmap(at)
    snap.set_value(1).run()
    no_problems(at)
    after_one = gate_heatmap(at)
    # the heatmap shows the snapshot's numbers (units on rows, time steps on columns) ...
    recorded = np.asarray(run.snapshots[0].gates["f"], dtype=float)  # (T, H)
    np.testing.assert_allclose(after_one, recorded.T, rtol=1e-5, atol=1e-6)
    # ... which are not the trained model's
    assert not np.allclose(final, after_one)


def gate_heatmap(at: AppTest) -> np.ndarray:
    """The z matrix of the one chart under the recurrent view (the gate heatmap)."""
    for spec in chart_texts(at):
        fig = json.loads(spec)
        for trace in fig.get("data", []):
            if trace.get("type") == "heatmap" and "unit" in json.dumps(
                fig.get("layout", {}).get("yaxis", {})
            ):
                return np.asarray(trace["z"], dtype=float)
    raise AssertionError("no gate heatmap on the page")


SENTIMENT_CSV = "text,label\n" + "\n".join(
    f"{'a great fun film' if i % 2 else 'a dull boring mess'} number {i},{'pos' if i % 2 else 'neg'}"
    for i in range(80)
)


def test_sentiment_upload_training_confusion_and_empty_review():
    at = page_test(
        "pages/sentiment.py",
        **{
            "sentiment.task.source": "upload",
            "sentiment.model.hidden_size": "8",
            "sentiment.model.embed_dim": "8",
            "sentiment.train.epochs": "2",
        },
    )
    up = next(f for f in at.get("file_uploader") if f.key == "sentiment.upload")
    up.set_value(("reviews.csv", SENTIMENT_CSV.encode(), "text/csv")).run()
    no_problems(at)
    at.button(key="sentiment._train").click().run()
    no_problems(at)
    assert {m.label for m in at.metric} >= {"Accuracy", "F1", "Verdict"}
    assert any('"predicted"' in s and '"true"' in s for s in chart_texts(at))  # confusion matrix
    assert any(p.proto.text.startswith(("pos:", "neg:")) for p in at.get("progress"))
    at.text_area(key="sentiment._review").set_value("   ").run()
    assert not at.exception
    assert any("type a review first" in e.value for e in at.error)


def test_a_page_stops_its_run_once_the_target_is_reached_and_says_so():
    # word order with its default GRU reaches 0.95 validation accuracy within the first epochs
    at = page_test("pages/word_order.py", **{"word_order.train.epochs": "30"})
    assert at.toggle(key="word_order.train.stop_at_target").value is True  # the app's default
    at.button(key="word_order._train").click().run()
    no_problems(at)
    assert any("Target reached" in s.value for s in at.success)
    run = at.session_state["word_order.run"]
    epochs = [ev for ev in run.events if type(ev).__name__ == "Epoch"]
    assert 1 <= len(epochs) < 30 and epochs[-1].val["accuracy"] >= 0.95


def test_stop_at_target_is_not_offered_where_the_task_has_no_target():
    at = page_test("pages/stock.py", **TINY_STOCK)
    no_problems(at)
    keys = {w.key for w in at.toggle}
    assert "stock.train.stop_at_target" not in keys and "stock.train.bucket_by_length" not in keys
    at = page_test("pages/sentiment.py")
    keys = {w.key for w in at.toggle}
    assert {"sentiment.train.stop_at_target", "sentiment.train.bucket_by_length"} <= keys
