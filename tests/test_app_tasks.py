"""AppTest: tiny trainings on the captioning, long-memory and word-order pages and their views."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_FOREGROUND", "1")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


def trained(file: str, page: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.switch_page(file).run()
    at.button(key=f"{page}._train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Training finished" in s.value for s in at.success)
    return at


def test_captioning_shows_images_with_captions_and_a_composed_scene():
    at = trained(
        "pages/captioning.py",
        "captioning",
        **{
            "captioning.task.n_images": "256",
            "captioning.model.hidden_size": "16",
            "captioning.model.embed_dim": "8",
            "captioning.train.epochs": "1",
        },
    )
    assert {m.label for m in at.metric} >= {"Exact match", "BLEU"}
    captions = [c for im in at.get("image") for c in im.captions]
    assert len([c for c in captions if c.startswith(("✓", "✗"))]) == 12  # test images with captions
    assert any(
        "The task's caption for this picture: red circle left of blue square" in c.value for c in at.caption
    )
    # inside the model: the one vector the decoder starts from
    assert any("The CNN squeezes the whole picture into 16 numbers" in c.value for c in at.caption)
    at.selectbox(key="captioning._p2").set_value((0, 0)).run()  # both shapes in one cell
    assert any("different cells" in w.value for w in at.warning)


def test_long_memory_accuracy_by_lag_and_your_own_sequence():
    at = trained(
        "pages/long_memory.py",
        "long_memory",
        **{
            "long_memory.task.n_train": "128",
            "long_memory.task.lag": "6",
            "long_memory.model.hidden_size": "8",
            "long_memory.train.epochs": "1",
        },
    )
    specs = [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]
    assert any("lag (distractors between key and question)" in s and '"chance"' in s for s in specs)
    assert any(m.label == "Model's answer" for m in at.metric)
    at.text_area(key="long_memory._seq").set_value("Q a b ?").run()
    assert not at.exception
    assert any("unknown tokens" in e.value for e in at.error)


def test_word_order_scoreboard_and_swapped_sequence():
    at = trained(
        "pages/word_order.py",
        "word_order",
        **{
            "word_order.task.n_train": "128",
            "word_order.train.epochs": "1",
            "word_order.model.pos_encoding": "none",
        },
    )
    specs = [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]
    assert any("transformer-encoder · none" in s for s in specs)
    assert any(m.label == "A and B swapped" for m in at.metric)
