"""AppTest of the Word embeddings page: GloVe neighbours and the PCA picture with the numbers core
computes, clear messages for unknown, split and empty words, a missing or damaged vectors file,
the share link's settings, and the word table of a sentiment model trained in the session, before and after.
"""

from __future__ import annotations

import numpy as np
import pytest
from apptest import figures, no_problems, page_test, scan_components_once, trace

from core.embedding_view import DEFAULT_WORDS, initial_table
from core.models.words import word_table
from core.vectors import glove, pca_2d
from playground.i18n import EN, STRINGS

pytestmark = pytest.mark.usefixtures("scan_components_once")
_ = scan_components_once  # the fixture, imported for the mark above

PAGE = "pages/embeddings.py"
TINY_SENTIMENT = {
    "sentiment.arch": "gru",
    "sentiment.task.max_len": "12",
    "sentiment.task.max_vocab": "1024",
    "sentiment.model.hidden_size": "16",
    "sentiment.model.embed_dim": "16",
    "sentiment.train.epochs": "1",
    "sentiment.train.batch_size": "64",
}


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)
    monkeypatch.delenv("SEQUENCE_LAB_VECTORS", raising=False)


def names(at) -> set[str]:
    return {tr.get("name") for fig in figures(at) for tr in fig["data"]}


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def xy(tr: dict) -> np.ndarray:
    return np.column_stack([tr["x"], tr["y"]])


def test_glove_neighbours_and_picture_show_the_numbers_of_the_vectors():
    at = page_test(PAGE)
    no_problems(at)
    v = glove()
    bars = trace(at, "glove_neighbours")
    expected = v.nearest("good", 10)
    assert bars["y"][::-1] == [w for w, _ in expected]  # the nearest on top
    assert "better" in bars["y"] and "good" not in bars["y"]
    np.testing.assert_allclose(bars["x"][::-1], [s for _, s in expected], atol=1e-4)
    pca = trace(at, "glove_pca")
    assert pca["text"] == list(DEFAULT_WORDS)
    rows = np.stack([v.vector(w) for w in DEFAULT_WORDS])
    np.testing.assert_allclose(xy(pca), pca_2d(rows), atol=1e-4)
    assert "%" in texts(at.caption)  # how much of the spread the two axes keep
    # no sentiment model in this session: an info box and a link to the page that trains one
    assert EN["ins.emb.no_model"] in texts(at.info)
    assert any(link.proto.page.endswith("sentiment") for link in at.get("page_link"))
    about = texts(at.markdown)
    assert "Pennington" in about and "PDDL" in about and "transfer learning" in about


def test_the_inputs_come_from_the_share_link():
    at = page_test(
        PAGE, **{"embeddings.word": "king", "embeddings.k": "5", "embeddings.words": "king, queen, zzqqxx"}
    )
    no_problems(at)
    assert trace(at, "glove_neighbours")["y"][::-1] == [w for w, _ in glove().nearest("king", 5)]
    assert trace(at, "glove_pca")["text"] == ["king", "queen"]
    assert "zzqqxx" in texts(at.caption)  # skipped, and said so
    assert at.text_input(key="embeddings.word").value == "king"
    assert at.select_slider(key="embeddings.k").value == 5
    # (the browser's address follows the widgets: checked in tests/e2e/test_embeddings.py)
    at.text_input(key="embeddings.word").set_value("film").run()
    no_problems(at)
    assert "film" not in trace(at, "glove_neighbours")["y"] and "movie" in trace(at, "glove_neighbours")["y"]


def test_unknown_split_several_and_empty_words_get_a_clear_message():
    at = page_test(PAGE)
    word = at.text_input(key="embeddings.word")
    word.set_value("Movie").run()  # upper case is fine
    no_problems(at)
    assert "film" in trace(at, "glove_neighbours")["y"]
    word.set_value("don't").run()
    no_problems(at)
    assert "glove_neighbours" not in names(at)
    warning = texts(at.warning)
    assert "don't" in warning and "do + n't" in warning
    word.set_value("qqzzxxqq").run()
    no_problems(at)
    assert "qqzzxxqq" in texts(at.warning) and "spelling" in texts(at.warning)
    word.set_value("good movie").run()
    no_problems(at)
    assert EN["ins.emb.one_word"] in texts(at.warning)
    word.set_value("   ").run()
    no_problems(at)
    assert EN["ins.emb.type_word"] in texts(at.info) and not at.warning
    assert "glove_pca" in names(at)  # the picture does not need the word
    at.text_area(key="embeddings.words").set_value("good").run()
    no_problems(at)
    assert EN["ins.emb.need_two"] in texts(at.info)


def test_the_page_speaks_korean():
    at = page_test(PAGE)
    at.selectbox(key="lang_picker").set_value("ko").run()
    no_problems(at)
    assert at.title[0].value == STRINGS["ko"]["ins.embeddings.title"] != EN["ins.embeddings.title"]
    assert STRINGS["ko"]["ins.embeddings.intro"] in texts(at.markdown)
    assert STRINGS["ko"]["ins.emb.no_model"] in texts(at.info)


@pytest.mark.parametrize(
    "content", [None, b"\x00\x01 not a safetensors file \xff" * 10], ids=["missing", "garbage"]
)
def test_a_missing_or_damaged_vectors_file_is_a_message_not_a_traceback(tmp_path, monkeypatch, content):
    path = tmp_path / "vectors.safetensors"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("SEQUENCE_LAB_VECTORS", str(path))
    at = page_test(PAGE)
    assert not at.exception
    errors = texts(at.error)
    assert "GloVe" in errors and ("missing" in errors if content is None else "cannot be read" in errors)
    assert "Traceback" not in errors
    assert "glove_neighbours" not in names(at) and "glove_pca" not in names(at)
    assert EN["ins.emb.no_model"] in texts(at.info)  # the rest of the page still works


def test_the_sentiment_models_table_before_and_after_training():
    at = page_test("pages/sentiment.py", **TINY_SENTIMENT)
    no_problems(at)
    at.button(key="sentiment._train").click().run()
    no_problems(at)
    run = at.session_state["sentiment.run"]
    assert run.usable and run.spec.task_opts.embedding == "glove"
    at.switch_page(PAGE).run()
    no_problems(at)
    itos = run.spec.data.vocab.itos
    assert "gru" in texts(at.info) and f"{len(itos) - 4:,} words" in texts(at.info)
    found, n = int(run.spec.data.found[4:].sum()), len(itos) - 4
    how = (
        EN["ins.emb.before_glove_all"].format(n=f"{n:,}")
        if found == n
        else EN["ins.emb.before_glove"].format(found=f"{found:,}", n=f"{n:,}", seed=0)
    )
    assert how in texts(at.caption)  # how the "before" table was obtained
    after_table = word_table(run.model).detach().numpy()
    before_table = initial_table(run.spec)
    v = glove()
    in_vocab = [w for w in DEFAULT_WORDS if w in itos]
    assert {"good", "bad", "movie", "film"} <= set(in_vocab)
    # after: the trained model's own rows
    after = trace(at, "model_after")
    assert after["text"] == in_vocab
    np.testing.assert_allclose(xy(after), pca_2d(after_table[[itos.index(w) for w in in_vocab]]), atol=1e-4)
    # before: these words started from their GloVe vectors, so the picture is GloVe's own
    before = trace(at, "model_before")
    assert before["text"] == in_vocab
    np.testing.assert_allclose(xy(before), pca_2d(np.stack([v.vector(w) for w in in_vocab])), atol=1e-4)
    assert not np.allclose(xy(before), xy(after), atol=1e-3)  # training moved the words
    skipped = [w for w in DEFAULT_WORDS if w not in itos]
    if skipped:
        assert ", ".join(skipped) in texts(at.caption)
    # neighbours of "good" in the model's table, before and after
    nb, na = trace(at, "model_before_neighbours"), trace(at, "model_after_neighbours")
    assert len(nb["y"]) == len(na["y"]) == 10
    assert not {"good", "<unk>", "<pad>"} & (set(nb["y"]) | set(na["y"]))
    row = after_table[itos.index("good")]
    best = na["y"][-1]
    cos = (
        row
        @ after_table[itos.index(best)]
        / np.linalg.norm(row)
        / np.linalg.norm(after_table[itos.index(best)])
    )
    assert na["x"][-1] == pytest.approx(float(cos), abs=1e-4)

    # how alike good and bad are, before and after
    def cos_of(table: np.ndarray) -> str:
        g, b = table[itos.index("good")], table[itos.index("bad")]
        return f"{g @ b / np.linalg.norm(g) / np.linalg.norm(b):.2f}"

    pair = EN["ins.emb.pair"].format(
        a="good", b="bad", before=cos_of(before_table), after=cos_of(after_table)
    )
    assert pair in texts(at.caption)
    # a word GloVe knows but the model's vocabulary does not
    assert "photosynthesis" not in itos
    at.text_input(key="embeddings.word").set_value("photosynthesis").run()
    no_problems(at)
    assert "glove_neighbours" in names(at) and "model_after_neighbours" not in names(at)
    assert "photosynthesis" in texts(at.warning) and "vocabulary" in texts(at.warning)


def test_a_model_still_training_or_failed_is_not_shown():
    from types import SimpleNamespace

    at = page_test(PAGE)
    at.session_state["sentiment.run"] = SimpleNamespace(handle=None, spec=None, done=False, usable=False)
    at.run()
    no_problems(at)
    assert EN["ins.emb.model_training"] in texts(at.info)
    assert "model_after" not in names(at)
    at.session_state["sentiment.run"] = SimpleNamespace(handle=None, spec=None, done=True, usable=False)
    at.run()
    no_problems(at)
    assert EN["ins.emb.no_model"] in texts(at.info)
