"""AppTest: the text-generation page trains, shows what it wrote after each epoch, and writes on."""

from __future__ import annotations

import pytest
from apptest import no_problems, page_test

TINY = {
    "char_text.task.max_chars": "6000",
    "char_text.task.seq_len": "32",
    "char_text.model.hidden_size": "32",
    "char_text.train.epochs": "2",
}


@pytest.fixture(autouse=True)
def inline(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)
    monkeypatch.setenv("SEQUENCE_LAB_RUNS_DIR", str(tmp_path / "runs"))


def test_train_watch_it_write_and_write_on():
    at = page_test("pages/char_text.py", **TINY)
    no_problems(at)
    assert at.title[0].value == "Text generation, character by character"
    keys = {w.key for w in [*at.slider, *at.select_slider, *at.toggle, *at.selectbox] if w.key}
    assert "char_text.model.bidirectional" not in keys  # a language model may not read ahead
    assert any(c.value.startswith("THE SONNETS") for c in at.code)  # the data preview
    at.button(key="char_text._train").click().run()
    no_problems(at)
    cards = {m.label: m for m in at.metric}
    assert "Bits per character" in cards and cards["Bits per character"].value != "–"
    # what it wrote after each epoch, from the same start
    epoch = at.select_slider(key="char_text._sample_epoch")
    assert list(epoch.options) == ["1", "2"]
    written = [c.value for c in at.code if c.value.startswith("Shall I compare thee")]
    assert written
    # try it: a start of one's own, a temperature; 0 is greedy
    at.text_input(key="char_text._prompt").set_value("When I do count").run()
    at.slider(key="char_text._len").set_value(60).run()
    at.slider(key="char_text._temp").set_value(0.0).run()
    no_problems(at)
    out = [c.value for c in at.code if c.value.startswith("When I do count")]
    assert out and len(out[0]) == len("When I do count") + 60
    assert any("repeats itself" in c.value for c in at.caption)
    # a character the model never read: a clear message, not a traceback
    at.text_input(key="char_text._prompt").set_value("When I do count ☃").run()
    assert not at.exception
    assert any("never read these characters: '☃'" in e.value for e in at.error)


def test_korean_page_and_a_bad_upload():
    at = page_test("pages/char_text.py", lang="ko", **{**TINY, "char_text.task.source": "upload"})
    no_problems(at)
    assert at.title[0].value == "한 글자씩 글 쓰기"
    assert at.info  # waiting for a file
