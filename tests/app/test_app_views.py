"""AppTest and figure checks for the "Inside the model" views: a model loaded from a file gets the
same views as one trained on the page, and the views stay readable (issue 12, "Views")."""

from __future__ import annotations

import pytest
from apptest import no_problems, page_test

TINY_S2S = {
    "translation.arch": "seq2seq-attn",
    "translation.task.n_pairs": "200",
    "translation.model.hidden_size": "16",
    "translation.model.embed_dim": "16",
    "translation.train.epochs": "1",
}


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


def _inside_radios(at) -> dict[str, list]:
    return {r.key: list(r.options) for r in at.radio if r.key.startswith("translation._inside.")}


def test_a_loaded_seq2seq_attention_model_shows_attention_and_gates_inside():
    at = page_test("pages/translation.py", **TINY_S2S)
    no_problems(at)
    at.button(key="translation._train").click().run()
    no_problems(at)
    trained = _inside_radios(at)
    assert "translation._inside.which" in trained  # attention, on the page's own model
    raw = at.session_state["translation.run"].bundle()  # what the download button gives

    fresh = page_test("pages/translation.py")
    up = next(f for f in fresh.get("file_uploader") if f.key == "translation.ckpt")
    up.set_value(("model.zip", raw, "application/zip")).run()
    no_problems(fresh)
    assert any("Loaded a seq2seq-attn model" in s.value for s in fresh.success)
    assert not any("Nothing to look at" in i.value for i in fresh.info)
    loaded = _inside_radios(fresh)
    assert set(loaded) == set(trained)  # every view the trained model has
    assert loaded["translation._inside.which"] == trained["translation._inside.which"]  # cross-attention
    assert "translation._inside.gate" in loaded  # the recurrent states and gates
    # Try it on the loaded model: the beam hypotheses in a table that wraps (never cut off)
    beams = [tb for tb in fresh.table if "hypothesis" in tb.value.columns]
    assert beams and len(beams[0].value) >= 2


def test_many_hidden_units_get_fewer_labels_than_rows():
    from playground import charts

    fig = charts.heatmap([[0.0] * 12 for _ in range(64)], [str(i) for i in range(12)], [str(u) for u in range(64)],
                         height=420)  # fmt: skip
    ticks = fig.layout.yaxis.ticktext
    assert 2 <= len(ticks) <= (420 - 120) // 14 and ticks[0] == "0"  # about 14 px per label at most
    small = charts.heatmap([[0.0] * 3 for _ in range(5)], ["a", "b", "c"], list("vwxyz"))
    assert list(small.layout.yaxis.ticktext) == list("vwxyz")  # few rows: every one labelled


def test_heatmap_numbers_are_legible_or_not_drawn():
    from playground import charts
    from playground.insights.common import matrix

    fig = matrix([[0.123] * 6] * 6, list("abcdef"), list("abcdef"), name="scores", show_values=True)
    assert fig.data[0].textfont.size == charts.VALUE_FONT >= 10 and fig.data[0].texttemplate == "%{z:.2f}"
    # a 12-token sentence in half the page: cells of about 27 px, too small for "-0.12", no numbers
    assert charts.values_fit(6, charts.HALF_WIDTH) and not charts.values_fit(12, charts.HALF_WIDTH)


def test_positional_encodings_use_one_diverging_scale_with_plus_one_red():
    from playground import charts
    from playground.insights.common import matrix

    inside = charts.positional_figure([[1.0, -1.0]], labels={"pos": "p", "dim": "d"}).data[0].colorscale
    insight = matrix([[1.0, -1.0]], ["0", "1"], ["0"], name="pe", zmin=-1.0, zmax=1.0).data[0].colorscale
    assert inside == insight
    top = inside[-1][1]  # the colour of +1
    r, _, b = (int(v) for v in top[top.index("(") + 1 : -1].split(","))
    assert r > b  # red for positive, blue for negative, on every page


@pytest.mark.parametrize(
    ("file", "page", "tiny"),
    [
        ("pages/stock.py", "stock", {"stock.task.lookback": "10", "stock.model.hidden_size": "8",
                                     "stock.train.epochs": "1"}),
        ("pages/long_memory.py", "long_memory", {"long_memory.task.n_train": "128", "long_memory.task.lag": "6",
                                                 "long_memory.model.hidden_size": "8", "long_memory.train.epochs": "1"}),
    ],
)  # fmt: skip
def test_a_loaded_recurrent_model_gets_the_inside_views(file, page, tiny):
    at = page_test(file, **tiny)
    at.button(key=f"{page}._train").click().run()
    no_problems(at)
    trained = {r.key for r in at.radio if r.key.startswith(f"{page}._inside.")}
    assert trained  # the gates view of the page's own model
    raw = at.session_state[f"{page}.run"].bundle()

    fresh = page_test(file)
    up = next(f for f in fresh.get("file_uploader") if f.key == f"{page}.ckpt")
    up.set_value(("model.zip", raw, "application/zip")).run()
    no_problems(fresh)
    assert not any("Nothing to look at" in i.value for i in fresh.info)
    assert {r.key for r in fresh.radio if r.key.startswith(f"{page}._inside.")} == trained


def test_a_loaded_captioner_shows_the_vector_its_decoder_starts_from():
    tiny = {"captioning.task.n_images": "256", "captioning.model.hidden_size": "16",
            "captioning.model.embed_dim": "8", "captioning.train.epochs": "1"}  # fmt: skip
    at = page_test("pages/captioning.py", **tiny)
    at.button(key="captioning._train").click().run()
    no_problems(at)
    raw = at.session_state["captioning.run"].bundle()
    fresh = page_test("pages/captioning.py")
    up = next(f for f in fresh.get("file_uploader") if f.key == "captioning.ckpt")
    up.set_value(("model.zip", raw, "application/zip")).run()
    no_problems(fresh)
    assert not any("Nothing to look at" in i.value for i in fresh.info)
    assert any("The CNN squeezes the whole picture into 16 numbers" in c.value for c in fresh.caption)
