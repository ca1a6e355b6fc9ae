"""AppTest: tiny trainings on the captioning, long-memory and word-order pages and their views."""

from __future__ import annotations

import pytest
from apptest import chart_texts, no_problems, page_test
from streamlit.testing.v1 import AppTest


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


def trained(file: str, page: str, **query: str) -> AppTest:
    at = page_test(file, **query)
    at.button(key=f"{page}._train").click().run()
    no_problems(at)
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
    specs = chart_texts(at)
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
    specs = chart_texts(at)
    assert any("transformer-encoder · none" in s for s in specs)
    assert any(m.label == "A and B swapped" for m in at.metric)
