"""AppTest: a task page keeps the session's runs side by side, and a reload brings them back."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest import figures, no_problems, page_test
from streamlit.testing.v1 import AppTest

from core.history import History, RunRecord, valid_token

TINY = {"word_order.task.n_train": "256", "word_order.train.epochs": "2"}


@pytest.fixture(autouse=True)
def inline(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)
    monkeypatch.setenv("SEQUENCE_LAB_RUNS_DIR", str(tmp_path / "runs"))


def _train(at: AppTest, page: str = "word_order") -> AppTest:
    at.button(key=f"{page}._train").click().run()
    no_problems(at)
    return at


def _names(at: AppTest) -> list[str]:
    return [tr.get("name") for fig in figures(at) for tr in fig["data"]]


def test_two_runs_overlay_name_the_change_and_fill_the_table():
    at = _train(page_test("pages/word_order.py", **TINY))
    h = at.session_state["word_order._history"]
    assert [r.id for r in h.records] == [1] and h.records[0].test
    assert "Run 1" not in _names(at)  # nothing earlier to draw yet
    lr = at.select_slider(key="word_order.train.lr")
    old = lr.value
    new = next(v for v in lr.options if str(v) != str(old))
    lr.set_value(type(old)(new)).run()
    _train(at)
    h = at.session_state["word_order._history"]
    assert [r.id for r in h.records] == [1, 2]
    assert h.records[1].settings["train.lr"] != h.records[0].settings["train.lr"]
    # the first run is drawn faded behind the second on the loss and the metric charts
    names = _names(at)
    assert names.count("Run 1") == 2
    ghost = next(tr for fig in figures(at) for tr in fig["data"] if tr.get("name") == "Run 1")
    assert ghost["opacity"] < 1 and "Learning rate" in ghost["hovertemplate"]
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Changed from Run 1: Learning rate") for c in captions), captions
    # the table lists both runs with the setting that differs; the CSV has the same rows
    tables = [d.value for d in at.dataframe if "name" in d.value.columns]
    assert tables, "no runs table"
    df = tables[0]
    assert list(df["name"]) == ["Run 1", "Run 2"] and "train.lr" in df.columns
    assert df["train.lr"].iloc[0] != df["train.lr"].iloc[1]
    assert "word_order.train.lr" not in df["link"].iloc[0]  # the first run had the default
    assert f"word_order.train.lr={df['train.lr'].iloc[1]}" in df["link"].iloc[1]
    assert at.download_button(key="word_order._runs_csv")


def test_load_settings_puts_a_run_back_into_the_sidebar():
    at = _train(page_test("pages/word_order.py", **TINY))
    first_lr = at.select_slider(key="word_order.train.lr").value
    lr = at.select_slider(key="word_order.train.lr")
    lr.set_value(type(first_lr)(next(v for v in lr.options if str(v) != str(first_lr)))).run()
    _train(at)
    assert at.select_slider(key="word_order.train.lr").value != first_lr
    at.selectbox(key="word_order._runs_pick").set_value(1).run()
    at.button(key="word_order._runs_load").click().run()
    no_problems(at)
    assert at.select_slider(key="word_order.train.lr").value == first_lr
    assert any("The settings of Run 1 are back" in s.value for s in at.success)


def test_a_reload_brings_the_runs_and_the_latest_model_back_and_another_key_sees_nothing():
    at = _train(page_test("pages/word_order.py", **TINY))
    token = (
        at.query_params["runs"][0] if isinstance(at.query_params["runs"], list) else at.query_params["runs"]
    )
    assert valid_token(token)
    test_metrics = at.session_state["word_order._history"].records[0].test
    # a new browser session with the same address: runs and model are back
    again = page_test("pages/word_order.py", runs=token, **TINY)
    no_problems(again)
    assert any("came back from before the reload" in i.value for i in again.info)
    h = again.session_state["word_order._history"]
    assert [r.test for r in h.records] == [test_metrics]
    assert "word_order._restored" in again.session_state  # the model, from its safetensors zip
    assert any("saved with" in c.value.lower() or "saved" in c.value.lower() for c in again.caption)
    # its own next run goes under a new key: the address it opened is never written to
    _train(again)
    mine = again.query_params["runs"]
    mine = mine[0] if isinstance(mine, list) else mine
    assert valid_token(mine) and mine != token
    # an unknown key (or a crafted one) shows an empty page, no error
    for bad in ("A" * 22, "../../etc/passwd"):
        other = page_test("pages/word_order.py", runs=bad, **TINY)
        no_problems(other)
        assert not other.session_state["word_order._history"].records


def test_the_cap_drops_the_oldest_unpinned_run_and_says_so(monkeypatch):
    import playground.history as ph

    monkeypatch.setattr(ph, "DEFAULT_CAP", 2)
    at = page_test("pages/word_order.py", **TINY)
    for _ in range(3):
        _train(at)
    h = at.session_state["word_order._history"]
    assert [r.id for r in h.records] == [2, 3]
    assert any("Run 1 left the list" in i.value for i in at.info)


def test_table_edits_pin_rename_and_delete():
    import playground.history as ph

    h = History()
    for i in (1, 2, 3):
        h.add(RunRecord(id=i, task="word-order", arch="gru", settings={"train.lr": 0.001 * i}))
    shown = list(h.records)
    edited = pd.DataFrame(
        {
            "name": ["Run 1", "fast one", "Run 3"],
            "pinned": [True, False, False],
            "delete": [False, False, True],
        }
    )
    assert ph._apply_edits("word_order", h, edited, shown)
    assert [r.id for r in h.records] == [1, 2]
    assert h.get(1).pinned and h.get(2).name == "fast one"
    assert not ph._apply_edits("word_order", h, edited.iloc[:2], list(h.records))


TINY_PAGES = {
    "stock": {
        "stock.task.start": "2012-01-01",
        "stock.task.lookback": "10",
        "stock.model.hidden_size": "8",
        "stock.model.embed_dim": "8",
        "stock.train.epochs": "1",
    },
    "sentiment": {
        "sentiment.arch": "gru",
        "sentiment.task.max_len": "12",
        "sentiment.task.max_vocab": "1024",
        "sentiment.model.hidden_size": "16",
        "sentiment.model.embed_dim": "16",
        "sentiment.train.epochs": "1",
        "sentiment.train.batch_size": "64",
    },
    "translation": {
        "translation.arch": "seq2seq-attn",
        "translation.task.n_pairs": "200",
        "translation.model.hidden_size": "16",
        "translation.model.embed_dim": "16",
        "translation.train.epochs": "1",
    },
    "captioning": {
        "captioning.task.n_images": "256",
        "captioning.model.hidden_size": "16",
        "captioning.model.embed_dim": "8",
        "captioning.train.epochs": "1",
    },
    "long_memory": {
        "long_memory.task.n_train": "128",
        "long_memory.task.lag": "6",
        "long_memory.model.hidden_size": "8",
        "long_memory.train.epochs": "1",
    },
}


@pytest.mark.parametrize("page", sorted(TINY_PAGES))
def test_every_task_page_keeps_its_runs_and_a_reload_brings_them_back(page):
    at = page_test(f"pages/{page}.py", **TINY_PAGES[page])
    for seed in ("0", "1"):
        at.number_input(key=f"{page}.train.seed").set_value(int(seed)).run()
        _train(at, page)
    h = at.session_state[f"{page}._history"]
    assert [r.id for r in h.records] == [1, 2] and all(r.loss for r in h.records)
    assert "Run 1" in _names(at)
    assert any(c.value.startswith("Changed from Run 1: Seed 0 → 1") for c in at.caption)
    token = at.query_params["runs"]
    token = token[0] if isinstance(token, list) else token
    again = page_test(f"pages/{page}.py", runs=token, **TINY_PAGES[page])
    no_problems(again)
    assert [r.id for r in again.session_state[f"{page}._history"].records] == [1, 2]
    assert f"{page}._restored" in again.session_state and len(again.tabs) >= 4
