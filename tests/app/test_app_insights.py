"""AppTest of the insight pages: each renders without errors, shows the numbers core computes,
runs its experiment with a tiny budget, and switches to Korean.

``SEQUENCE_LAB_EXECUTOR=inline`` makes the experiments train inside the script run, so the results
are on the page right after the click. Streamlit scans every installed package for components on
each AppTest run (seconds on a busy machine); the scan is done once per module here.
"""

from __future__ import annotations

import numpy as np
import pytest
from apptest import ROOT, figures, no_problems, page_test, scan_components_once, trace
from streamlit.testing.v1 import AppTest

from core.analysis import attention_pipeline
from core.models.transformer import TransformerEncoderModel
from playground.i18n import EN, STRINGS
from playground.insights.attention_steps import DEFAULT_TEXT

pytestmark = pytest.mark.usefixtures("scan_components_once")
_ = scan_components_once  # the fixture, imported for the mark above


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


def trace_names(at: AppTest) -> set[str]:
    return {tr.get("name") for fig in figures(at) for tr in fig["data"] if tr.get("name")}


def speaks_korean(at: AppTest, page: str) -> None:
    """Switch the language: the title and the page's texts change to Korean."""
    assert at.title[0].value == EN[f"ins.{page}.title"]
    at.selectbox(key="lang_picker").set_value("ko").run()
    no_problems(at)
    assert at.title[0].value == STRINGS["ko"][f"ins.{page}.title"] != EN[f"ins.{page}.title"]
    text = " ".join(m.value for m in at.markdown)
    assert STRINGS["ko"][f"ins.{page}.intro"] in text


def test_attention_steps_shows_the_numbers_of_the_pipeline():
    at = page_test("pages/attention_steps.py")
    no_problems(at)
    ref = attention_pipeline(DEFAULT_TEXT, d_model=512, d_k=64, n_heads=8, seed=0)
    T = len(ref["tokens"])
    assert "√d_k = 8" in " ".join(m.value for m in at.markdown)  # sqrt(64), the paper's scale
    for name in ("Q", "K", "V", "scores", "scaled", "weights", "Z"):  # head 1 by default
        np.testing.assert_allclose(np.array(trace(at, name)["z"]), ref[name][0].numpy(), atol=2e-6)
    np.testing.assert_allclose(np.array(trace(at, "scaled")["z"]) * 8, ref["scores"][0].numpy(), atol=2e-5)
    for name in ("X", "positional", "concat", "output"):  # the first 64 of 512 dimensions
        np.testing.assert_allclose(np.array(trace(at, name)["z"]), ref[name][:, :64].numpy(), atol=2e-6)
    rows = np.array(trace(at, "weights")["z"])
    np.testing.assert_allclose(rows.sum(axis=1), np.ones(T), atol=1e-5)
    row = at.dataframe[0].value  # "follow one query": the first word's row
    np.testing.assert_allclose(row["q · k"], ref["scores"][0, 0].numpy(), atol=1e-4)
    np.testing.assert_allclose(row["softmax"], ref["weights"][0, 0].numpy(), atol=1e-4)
    # another head, fewer dimensions: the page follows
    at.segmented_control(key="attention_steps.head").set_value(3).run()
    no_problems(at)
    np.testing.assert_allclose(np.array(trace(at, "weights")["z"]), ref["weights"][3].numpy(), atol=2e-6)
    assert len(figures(at)) > 10
    assert any(el.proto.label == "HTML" for el in at.get("download_button"))  # attention as HTML
    speaks_korean(at, "attention_steps")


def test_attention_steps_opens_a_transformer_trained_on_word_order():
    at = page_test(
        "pages/word_order.py",
        **{
            "word_order.task.n_train": "200",
            "word_order.train.epochs": "1",
            "word_order.model.d_model": "16",
        },
    )
    at.button(key="word_order._train").click().run()
    no_problems(at)
    model = at.session_state["word_order.run"].model
    assert isinstance(model, TransformerEncoderModel)
    at.switch_page("pages/attention_steps.py").run()
    no_problems(at)
    at.radio(key="attention_steps.source").set_value("word_order").run()
    no_problems(at)
    assert at.text_input(key="attention_steps.text.word_order").value == "a A b c B d"
    vocab = at.session_state["word_order.run"].spec.data.vocab
    ids = [vocab.index(w) for w in "a A b c B d".split()]
    ref = attention_pipeline(ids, model=model, vocab=vocab)
    assert ref["d_model"] == 16
    for name in ("scores", "weights", "Z"):
        np.testing.assert_allclose(np.array(trace(at, name)["z"]), ref[name][0].numpy(), atol=2e-6)
    assert trace(at, "weights")["y"] == list(range(6))


def test_positional_page_and_the_ablation():
    at = page_test(
        "pages/positional.py",
        **{"positional.n": "20", "positional.d": "16", "positional.n_train": "200", "positional.epochs": "1"},
    )
    no_problems(at)
    from core.models.positional import sinusoidal_encoding

    P = sinusoidal_encoding(20, 16)
    np.testing.assert_allclose(np.array(trace(at, "pe")["z"]), P.numpy(), atol=1e-6)
    np.testing.assert_allclose(np.array(trace(at, "similarity")["z"]), (P @ P.t()).numpy(), atol=1e-5)
    at.button(key="positional._run").click().run()
    no_problems(at)
    job = at.session_state["positional.job"]
    assert job.done and job.names == ["sinusoidal", "learned", "none"]
    assert {"sinusoidal", "learned", "none"} <= trace_names(at)  # one loss curve per encoding
    table = at.dataframe[0].value
    assert list(table["model"]) == ["sinusoidal", "learned", "none"]
    assert all(v.endswith("%") for v in table["test Accuracy"])
    assert trace(at, "learned_similarity")  # what the learned table became
    speaks_korean(at, "positional")
    assert "모델" in at.dataframe[0].value.columns  # the table speaks Korean too


def test_memory_page_races_the_cells_and_measures_gradients():
    at = page_test(
        "pages/memory.py",
        **{"memory.lag": "5", "memory.hidden": "8", "memory.n_train": "200", "memory.epochs": "2"},
    )
    no_problems(at)
    at.multiselect(key="memory.cells").set_value(["rnn", "gru"]).run()
    no_problems(at)
    at_init = trace(at, "rnn · init")["y"]  # shown before any training
    at.button(key="memory._run").click().run()
    no_problems(at)
    job = at.session_state["memory.job"]
    assert job.names == ["rnn", "gru"]
    for name in job.names:
        before, after = job.extras[name]["before"]["grad"], job.extras[name]["after"]["grad"]
        assert len(before) == len(after) == 7  # lag 5 + key + "?"
        assert all(g > 0 for g in before + after)
        assert set(job.extras[name]["after"]["by_lag"]) == {1, 2, 5, 10, 20, 50, 100, 200}
        assert job.lane(name).spec.train_cfg.clip == 1.0
    names = trace_names(at)
    assert {"rnn · init", "rnn · trained", "gru · init", "gru · trained"} <= names
    grads = trace(at, "rnn · init")["y"]
    assert grads == pytest.approx(job.extras["rnn"]["before"]["grad"], rel=1e-6)
    assert at_init == pytest.approx(grads, rel=1e-6)  # the preview is the race's own initialisation
    assert grads[0] < grads[-1]  # at initialisation the gradient shrinks on its way back to the key
    assert len(at.dataframe[0].value) == 2
    # the gates of the GRU, per epoch (snapshots were recorded)
    assert len(job.snapshots("gru")) == 2
    assert any(n.startswith("z@") or n.startswith("r@") for n in trace_names(at))
    speaks_korean(at, "memory")


def test_compare_page_races_architectures():
    at = page_test("pages/compare.py", **{"compare.epochs": "1", "compare.budget": "5"})
    no_problems(at)
    assert at.selectbox(key="compare.task").value == "word-order"
    at.multiselect(key="compare.archs").set_value(["rnn", "transformer-encoder"]).run()
    at.button(key="compare._run").click().run()
    no_problems(at)
    table = at.dataframe[0].value
    assert list(table["model"]) == ["rnn", "transformer-encoder"]
    assert all(int(p.replace(",", "")) > 0 for p in table["parameters"])
    assert {"rnn", "transformer-encoder"} <= trace_names(at)
    rows = at.session_state["compare.job"].rows()
    assert all(r["steps"] > 0 and r["tokens_per_s"] > 0 for r in rows)
    speaks_korean(at, "compare")


def test_decoding_lab_trains_and_compares_greedy_with_beam_search():
    at = page_test(
        "pages/decoding.py",
        **{"decoding.n_pairs": "500", "decoding.epochs": "1", "decoding.beam": "3"},
    )
    no_problems(at)
    assert EN["ins.dec.no_model"].split(":")[0] in " ".join(i.value for i in at.info)
    at.button(key="decoding._run").click().run()
    no_problems(at)
    job = at.session_state["decoding.job"]
    assert job.done and job.lanes[0].spec.arch == "seq2seq-attn"
    beams = at.table[-1].value  # a static table: every hypothesis in full
    assert 1 <= len(beams) <= 3
    scores = list(beams["score"])
    assert scores == sorted(scores, reverse=True)  # best first
    attn = np.array(trace(at, "beam_attention")["z"])
    np.testing.assert_allclose(attn.sum(axis=1), np.ones(attn.shape[0]), atol=1e-4)  # rows sum to 1
    assert any(n.startswith("cross@") for n in trace_names(at))  # the alignment, epoch by epoch
    speaks_korean(at, "decoding")


def test_insight_pages_are_in_the_navigation():
    from playground.app import ALL_PAGES, INSIGHT_PAGES

    assert {p.url_path for p in INSIGHT_PAGES} == {
        "embeddings",
        "attention_steps",
        "positional",
        "memory",
        "compare",
        "decoding",
    }
    assert set(INSIGHT_PAGES) <= set(ALL_PAGES)
    for p in INSIGHT_PAGES:
        assert (ROOT / p.file).exists()
        assert EN[p.title_key] and STRINGS["ko"][p.title_key] != EN[p.title_key]


def test_hosted_caps_apply_to_experiments(monkeypatch):
    from playground.insights import experiments

    monkeypatch.setenv("SEQUENCE_LAB_HOSTED", "1")
    monkeypatch.setenv("SEQUENCE_LAB_MAX_SECONDS", "30")
    monkeypatch.setenv("SEQUENCE_LAB_MAX_EPOCHS", "3")
    assert (
        experiments.capped_seconds(120) == 30
        and experiments.capped_seconds(0) == 30
        and experiments.capped_seconds(10) == 10
    )
    assert experiments.capped_epochs(10) == 3 and experiments.capped_epochs(2) == 2
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED")
    assert (
        experiments.capped_seconds(120) == 120
        and experiments.capped_seconds(0) == 0
        and experiments.capped_epochs(10) == 10
    )


def test_compare_page_sweeps_two_settings_and_links_the_best_trial():
    at = page_test(
        "pages/compare.py",
        **{"compare.sweep": "true", "compare.sw.epochs": "1", "compare.sw.budget": "5"},
    )
    no_problems(at)
    assert at.selectbox(key="compare.sw.task").value == "word-order"
    arch = at.selectbox(key="compare.sw.arch").value
    at.selectbox(key=f"compare.sw.p1.word-order.{arch}").set_value("train.lr").run()
    at.selectbox(key=f"compare.sw.p2.word-order.{arch}").set_value("model.hidden_size").run()
    at.multiselect(key=f"compare.sw.v.word-order.{arch}.train.lr").set_value([0.001, 0.01]).run()
    at.multiselect(key=f"compare.sw.v.word-order.{arch}.model.hidden_size").set_value([8, 16]).run()
    at.button(key="compare.sw._run").click().run()
    no_problems(at)
    sw = at.session_state["compare.sw.record"]
    assert sw.done and len(sw.trials) == 4
    assert sorted(tr.name for tr in sw.trials) == sorted(
        [
            "lr=0.001 hidden_size=8",
            "lr=0.001 hidden_size=16",
            "lr=0.01 hidden_size=8",
            "lr=0.01 hidden_size=16",
        ]
    )
    # each trial trained with its own settings
    for tr in sw.trials:
        assert tr.spec.train_cfg.lr == tr.point["train.lr"]
        assert tr.spec.model_cfg.hidden_size == tr.point["model.hidden_size"]
        assert sw.finished(tr.name).step > 0
    heat = [f for f in figures(at) if f["data"] and f["data"][0]["type"] == "heatmap"]
    assert heat and len(heat[0]["data"][0]["z"]) == 2 and len(heat[0]["data"][0]["z"][0]) == 2
    best = sw.best()
    link = next(b for b in at.get("link_button"))
    assert f"word_order.arch={arch}" in link.proto.url
    assert "word_order.train.lr=" + (f"{best.point['train.lr']:g}") in link.proto.url
    assert f"word_order.model.hidden_size={best.point['model.hidden_size']}" in link.proto.url
