"""AppTest of the sentiment page's GloVe parts: the coverage in the preview, the race of a random
vs a GloVe start, Try it explaining which words pushed the answer, the settings that come with
the vectors (in the sidebar and the share link), and the notice when the vectors file is unusable.

``SEQUENCE_LAB_EXECUTOR=inline`` trains inside the script run, so results are on the page right
after the click. A small uploaded CSV keeps each training to a second or two.
"""

from __future__ import annotations

import json

import pytest
from apptest import no_problems, page_test
from streamlit.testing.v1 import AppTest

from playground import charts
from playground.i18n import EN

# "zorbleflax" is frequent in training but GloVe has no vector for it: it starts random
REVIEWS = "text,label\n" + "\n".join(
    f"{'a great fun zorbleflax film' if i % 2 else 'a dull boring mess'} number {i},{'pos' if i % 2 else 'neg'}"
    for i in range(80)
)
TINY = {
    "sentiment.task.source": "upload",
    "sentiment.model.hidden_size": "8",
    "sentiment.model.embed_dim": "8",
    "sentiment.train.epochs": "2",
}


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)
    monkeypatch.delenv("SEQUENCE_LAB_VECTORS", raising=False)


def _uploaded(**query: str) -> AppTest:
    at = page_test("pages/sentiment.py", **{**TINY, **query})
    up = next(f for f in at.get("file_uploader") if f.key == "sentiment.upload")
    up.set_value(("reviews.csv", REVIEWS.encode(), "text/csv")).run()
    no_problems(at)
    return at


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _figure(at: AppTest, key: str) -> dict:
    """The plotly figure drawn with ``key``."""
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}"))


def _share(at: AppTest) -> str:
    return next(c.value for c in at.code if c.value.startswith("http"))


def test_preview_says_which_words_start_from_glove():
    at = _uploaded()
    coverage = [c for c in _captions(at) if "start from their GloVe vector" in c]
    assert coverage and "zorbleflax" in coverage[0], _captions(at)
    at.selectbox(key="sentiment.task.embedding").set_value("random").run()
    no_problems(at)
    assert not any("GloVe vector" in c for c in _captions(at))


def test_race_random_vs_glove_with_one_click():
    at = _uploaded()
    assert not at.button(key="sentiment.race._run").disabled
    at.button(key="sentiment.race._run").click().run()
    no_problems(at)
    job = at.session_state["sentiment.job"]
    assert job.names == ["random", "glove"]
    assert all(job.finished(n).reason in ("done", "early_stopping") for n in job.names)
    rnd, glv = job.spec("random"), job.spec("glove")
    assert (rnd.task_opts.embedding, glv.task_opts.embedding) == ("random", "glove")
    assert (
        rnd.train_cfg.seed == glv.train_cfg.seed
        and rnd.model_cfg.hidden_size == glv.model_cfg.hidden_size == 8
    )
    assert rnd.data.texts["test"] == glv.data.texts["test"]  # the same split
    # both lanes in the results table, the loss curves overlaid, the verdict
    table = next(df for df in at.dataframe if "from GloVe" in df.value.columns).value
    assert list(table["model"]) == ["random", "glove"]
    assert table["test Accuracy"].str.endswith("%").all()
    assert table["from GloVe"].iloc[0] == "–" and int(table["from GloVe"].iloc[1]) > 0
    for key in ("sentiment.race.lossfig", "sentiment.race.valfig"):
        assert {tr["name"] for tr in _figure(at, key)["data"]} == {"random", "glove"}
    assert any("starting from GloVe" in m.value for m in at.markdown)
    # why the lanes differ in size: rare words with a vector keep an id; 50 numbers -> embed_dim 8
    note = next(c for c in _captions(at) if c.startswith("One seed only"))
    assert "vocabulary is larger" in note and "embedding size of 8" in note, note
    assert any(s.value.startswith(EN["ins.common.done"]) for s in at.success)
    # the page's own Train is free again; the race does not count as the page's model
    assert not at.button(key="sentiment._train").disabled
    assert "sentiment.run" not in at.session_state
    # choosing the other starting point in the sidebar changes nothing the race depends on
    at.selectbox(key="sentiment.task.embedding").set_value("random").run()
    no_problems(at)
    assert not any("race with other settings" in i.value for i in at.info)
    # changed settings: the old race's results say so
    at.select_slider(key="sentiment.model.hidden_size").set_value(16).run()
    no_problems(at)
    assert any("race with other settings" in i.value for i in at.info)


def test_try_it_explains_which_words_pushed_the_answer():
    at = _uploaded()
    at.button(key="sentiment._train").click().run()
    no_problems(at)
    at.text_area(key="sentiment._review").set_value("a great zorbleflax film, not boring").run()
    no_problems(at)
    assert any(m.value.startswith("#### Which words pushed the answer") for m in at.markdown)
    spans = next(m.value for m in at.markdown if "<span title=" in m.value and "zorbleflax" in m.value)
    assert "without this word" in spans
    bars = _figure(at, "sentiment._whybars")
    assert bars["data"][0]["customdata"] == ["a", "great", "zorbleflax", "film", ",", "not", "boring"]
    colors = set(bars["data"][0]["marker"]["color"])
    assert colors <= {charts.PALETTE["toward"], charts.PALETTE["away"]} and colors
    caps = _captions(at)
    assert any(
        c.startswith("Words the model knows but GloVe has no vector") and "zorbleflax" in c for c in caps
    )
    assert any(c.startswith("The word that mattered most") for c in caps), caps
    # the GRU has no attention: the explanation stands in for it
    assert any("Recurrent models have no attention" in c for c in caps)


def test_glove_settings_in_the_sidebar_and_the_share_link():
    at = page_test("pages/sentiment.py")
    no_problems(at)
    assert at.selectbox(key="sentiment.task.tokenizer").label == "Tokenizer"
    assert at.selectbox(key="sentiment.task.embedding").value == "glove"
    assert at.toggle(key="sentiment.task.ngrams").value is True
    assert at.selectbox(key="sentiment.model.pooling").value == "max"
    lr = at.slider(key="sentiment.train.embedding_lr")
    assert lr.label == "Embedding learning rate (x lr)" and lr.value == 1.0
    lr.set_value(0.1).run()
    at.selectbox(key="sentiment.task.tokenizer").set_value("words").run()
    at.toggle(key="sentiment.task.ngrams").set_value(False).run()
    at.selectbox(key="sentiment.model.pooling").set_value("mean").run()
    no_problems(at)
    link = _share(at)
    for part in (
        "sentiment.train.embedding_lr=0.1",
        "sentiment.task.tokenizer=words",
        "sentiment.task.ngrams=false",
        "sentiment.model.pooling=mean",
    ):
        assert part in link, link
    # a random start has no pretrained vectors to protect: no embedding learning rate
    at.selectbox(key="sentiment.task.embedding").set_value("random").run()
    no_problems(at)
    assert "sentiment.task.embedding=random" in _share(at)
    assert not [s for s in at.slider if s.key == "sentiment.train.embedding_lr"]
    assert "embedding_lr" not in _share(at)


def test_unusable_vectors_file_is_a_visible_notice(monkeypatch):
    from core.tasks import sentiment

    monkeypatch.setenv("SEQUENCE_LAB_VECTORS", "/nonexistent/glove.safetensors")
    sentiment._prepare_offline.cache_clear()  # prepared with the real vectors by earlier tests
    try:
        at = page_test("pages/sentiment.py")
        assert not at.exception
        notes = [w.value for w in at.warning]
        assert any("GloVe vectors file is missing" in n and "starts random instead" in n for n in notes), (
            notes
        )
        assert not any("start from their GloVe vector" in c for c in _captions(at))
        # racing random against a GloVe start that cannot happen is refused with a message
        at.button(key="sentiment.race._run").click().run()
        assert not at.exception
        assert any("GloVe vectors cannot be used here" in e.value for e in at.error)
        assert "sentiment.job" not in at.session_state
    finally:
        sentiment._prepare_offline.cache_clear()


def test_strings_of_the_race_in_korean():
    at = page_test("pages/sentiment.py", lang="ko")
    no_problems(at)
    assert any("GloVe에서 출발하면" in m.value for m in at.markdown)
    assert at.button(key="sentiment.race._run").label == "무작위 vs GloVe 경주"
