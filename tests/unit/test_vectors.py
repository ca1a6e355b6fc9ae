"""GloVe vectors (core.vectors) and what the Word embeddings page computes from them and from a
model's word table (core.embedding_view): known facts about the shipped vectors, PCA against numpy,
neighbours, a missing or damaged file, and the starting table of a training rebuilt exactly."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.embedding_view import (
    DEFAULT_WORDS,
    MAX_WORDS,
    WordTable,
    initial_table,
    parse_words,
    project,
    project_vectors,
    starts_from_glove,
    table_of,
    variance_kept,
)
from core.execution import InlineExecutor, Job
from core.models.base import SPECIALS
from core.runspec import plan
from core.vectors import VectorsError, glove, nearest_rows, pca_2d


@pytest.fixture(scope="module")
def vectors():
    return glove()


def cosine(vectors, a: str, b: str) -> float:
    u, v = vectors.vector(a), vectors.vector(b)
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


# ---------------------------------------------------------------------------------------------
# The shipped vectors
# ---------------------------------------------------------------------------------------------


def test_the_shipped_vectors_are_glove_6b_50d(vectors):
    assert len(vectors) == 100_000 and vectors.dim == 50
    assert vectors.matrix.shape == (100_000, 50) and vectors.matrix.dtype == np.float32
    assert vectors.words[:5] == ("the", ",", ".", "of", "to")  # most frequent first, as GloVe lists them
    # the first line of glove.6B.50d.txt: "the 0.418 0.24968 -0.41242 0.1217 0.34527 ..." (kept as float16)
    np.testing.assert_allclose(
        vectors.vector("the")[:5], [0.418, 0.24968, -0.41242, 0.1217, 0.34527], atol=2e-4
    )
    assert "Pennington" in vectors.source
    assert "n't" in vectors and "'s" in vectors  # GloVe's text split contractions
    assert "Good" not in vectors and "good" in vectors  # lower case only
    with pytest.raises(KeyError):
        vectors.vector("qqzzxxqq")


def test_neighbours_are_words_used_alike(vectors):
    near = dict(vectors.nearest("good", 10))
    assert "better" in near
    assert "good" not in near  # the word itself is left out
    assert len(near) == 10
    sims = [s for _, s in vectors.nearest("good", 10)]
    assert sims == sorted(sims, reverse=True) and all(-1 <= s <= 1 for s in sims)
    assert sims[0] == pytest.approx(cosine(vectors, "good", vectors.nearest("good", 1)[0][0]), abs=1e-5)
    assert {"film", "movies"} <= {w for w, _ in vectors.nearest("movie", 5)}
    assert {"awful", "horrible"} <= {w for w, _ in vectors.nearest("terrible", 5)}
    assert "queen" in {w for w, _ in vectors.nearest("king", 5)}
    # words of the same kind are closer than unrelated ones
    assert cosine(vectors, "good", "bad") > cosine(vectors, "good", "banana")
    assert cosine(vectors, "movie", "film") > cosine(vectors, "movie", "king")
    # king - man + woman is nearest to queen (after king itself)
    analogy = vectors.vector("king") - vectors.vector("man") + vectors.vector("woman")
    unit = vectors.matrix / np.linalg.norm(vectors.matrix, axis=1, keepdims=True)
    top = [w for w, _ in nearest_rows(unit, analogy, vectors.words, 4) if w not in ("king", "man", "woman")]
    assert top[0] == "queen"
    with pytest.raises(KeyError):
        vectors.nearest("qqzzxxqq")


def test_nearest_rows_leaves_out_the_skipped_row_and_caps_k():
    unit = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]])
    words = ["a", "b", "c", "d"]
    assert [w for w, _ in nearest_rows(unit, unit[0], words, 2, skip=0)] == ["b", "c"]
    assert [w for w, _ in nearest_rows(unit, unit[0], words, 2)] == ["a", "b"]
    out = nearest_rows(unit, unit[0], words, 10, skip=0)
    assert [w for w, _ in out] == ["b", "c", "d"]
    assert [round(s, 6) for _, s in out] == [0.8, 0.0, -1.0]


# ---------------------------------------------------------------------------------------------
# PCA
# ---------------------------------------------------------------------------------------------


def test_pca_2d_matches_numpy_svd_on_a_hand_example():
    X = np.array([[2.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 3.0, 2.0], [4.0, -2.0, 0.5], [1.0, 1.0, -3.0]])
    xy = pca_2d(X)
    C = X - X.mean(axis=0)
    U, S, _ = np.linalg.svd(C, full_matrices=False)
    expected = U[:, :2] * S[:2]  # coordinates on the first two principal axes, up to each axis' sign
    assert xy.shape == (5, 2)
    for j in range(2):
        sign = np.sign(xy[:, j] @ expected[:, j])
        np.testing.assert_allclose(xy[:, j], sign * expected[:, j], atol=1e-10)
    # the largest |coordinate| of each axis is positive (the picture does not flip from run to run)
    assert all(xy[np.abs(xy[:, j]).argmax(), j] > 0 for j in range(2))
    assert variance_kept(X) == pytest.approx((S[:2] ** 2).sum() / (S**2).sum())


def test_pca_keeps_distances_of_points_on_a_plane():
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(2, 50))
    X = rng.normal(size=(8, 2)) @ plane + 3.0  # 8 points on a 2-D plane inside 50 dimensions
    xy = pca_2d(X)
    d_high = np.linalg.norm(X[:, None] - X[None], axis=-1)
    d_low = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    np.testing.assert_allclose(d_low, d_high, atol=1e-8)
    assert variance_kept(X) == pytest.approx(1.0)
    # points that spread in 3 directions lose some of it
    assert variance_kept(rng.normal(size=(20, 3)) * [3.0, 2.0, 1.0]) < 0.99


def test_project_handles_one_and_two_words():
    p = project(np.array([[1.0, 2.0, 3.0]]), ["a"])
    assert p.xy.shape == (1, 2) and p.kept == 1.0
    p = project(np.array([[1.0, 0.0], [3.0, 0.0]]), ["a", "b"])
    assert np.allclose(np.abs(p.xy[:, 0]), [1.0, 1.0]) and np.allclose(p.xy[:, 1], 0)
    p = project(np.zeros((0, 3)), [])
    assert p.xy.shape == (0, 2) and p.words == []


def test_project_vectors_skips_unknown_words(vectors):
    p = project_vectors(vectors, ["good", "qqzzxxqq", "bad", "film"])
    assert p.words == ["good", "bad", "film"] and p.skipped == ["qqzzxxqq"]
    rows = np.stack([vectors.vector(w) for w in p.words])
    np.testing.assert_allclose(p.xy, pca_2d(rows))
    assert 0 < p.kept <= 1
    d = project_vectors(vectors, list(DEFAULT_WORDS))
    assert d.words == list(DEFAULT_WORDS) and d.skipped == []


def test_parse_words():
    assert parse_words("Good, great;bad  film,\nfilm, GOOD") == ["good", "great", "bad", "film"]
    assert parse_words("  ,, ") == []
    assert len(parse_words(" ".join(f"w{i}" for i in range(200)))) == MAX_WORDS


# ---------------------------------------------------------------------------------------------
# A model's word table
# ---------------------------------------------------------------------------------------------


def test_word_table_neighbours_leave_out_the_specials_and_the_word():
    itos = [*SPECIALS, "good", "great", "bad", "film"]
    table = np.array(
        [
            [1.0, 0.0, 0.0],  # the specials point exactly like "good": they must never be listed
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],  # good
            [0.9, 0.1, 0.0],  # great
            [-1.0, 0.0, 0.0],  # bad
            [0.0, 0.0, 2.0],  # film
        ]
    )
    wt = WordTable(itos, table)
    assert wt.n_words == 4
    out = wt.nearest("good", 10)
    assert [w for w, _ in out] == ["great", "film", "bad"]
    assert out[0][1] == pytest.approx(0.9 / np.hypot(0.9, 0.1))
    assert out[2][1] == pytest.approx(-1.0)
    assert wt.cosine("good", "bad") == pytest.approx(-1.0)
    assert "<unk>" not in wt and "good" in wt and "nope" not in wt
    with pytest.raises(KeyError):
        wt.nearest("<unk>")
    with pytest.raises(KeyError):
        wt.nearest("nope")
    p = wt.project(["film", "nope", "good", "bad", "<pad>"])
    assert p.words == ["film", "good", "bad"] and p.skipped == ["nope", "<pad>"]
    with pytest.raises(ValueError):
        WordTable(itos, table[:3])


REVIEWS = "text,label\n" + "\n".join(  # zqxv0 ... zqxv6: made-up words, no GloVe vector
    f"{'a good great excellent film' if i % 2 else 'a bad awful terrible movie'} with actor zqxv{i % 7},"
    f"{'pos' if i % 2 else 'neg'}"
    for i in range(60)
)


def small_spec(**settings):
    base = {"task.source": "upload", "hidden_size": 8, "embed_dim": 8, "epochs": 2, "batch_size": 16}
    return plan("sentiment", "gru", {**base, **settings}, upload=REVIEWS.encode())


def train_inline(spec):
    h = InlineExecutor().submit(Job.single(spec))
    assert h.wait(120) and h.status == "done", h.status
    return h.model("model")


@pytest.mark.parametrize("embedding", ["random", "glove"])
def test_the_starting_table_is_the_one_training_started_from(embedding):
    """With the table frozen (embedding_lr 0) training leaves it as it started: the rebuilt
    "before" table must then equal the trained model's table exactly."""
    spec = small_spec(**{"task.embedding": embedding, "train.embedding_lr": 0.0, "train.seed": 11})
    before = initial_table(spec)
    after = table_of(train_inline(spec))
    assert before is not None and after is not None
    np.testing.assert_array_equal(before, after)
    # another seed would have drawn other random rows: the match is not an accident
    other = initial_table(small_spec(**{"task.embedding": embedding, "train.seed": 12}))
    assert not np.array_equal(before, other)


def test_a_glove_start_copies_glove_rows_and_training_moves_them(vectors):
    spec = small_spec(**{"train.seed": 3})
    found = starts_from_glove(spec)
    itos = spec.data.vocab.itos
    assert found is not None and not found[: len(SPECIALS)].any()
    assert {"good", "bad", "film", "actor"} <= {w for w, f in zip(itos, found) if f}
    assert "zqxv1" in itos and not found[itos.index("zqxv1")]  # a made-up word: a random start
    before = initial_table(spec)
    for w in ("good", "bad", "film"):
        np.testing.assert_array_equal(before[itos.index(w)], vectors.vector(w))
    after = table_of(train_inline(spec))
    assert not np.allclose(before, after)  # the table learned (embedding_lr 1)
    b, a = WordTable(itos, before), WordTable(itos, after)
    assert b.cosine("good", "bad") == pytest.approx(cosine(vectors, "good", "bad"), abs=1e-6)
    assert a.cosine("good", "bad") != pytest.approx(b.cosine("good", "bad"), abs=1e-6)
    assert starts_from_glove(small_spec(**{"task.embedding": "random"})) is None


def test_rebuilding_the_starting_table_leaves_the_random_state_alone():
    spec = small_spec(**{"task.embedding": "random"})
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    initial_table(spec)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


# ---------------------------------------------------------------------------------------------
# A missing or damaged file
# ---------------------------------------------------------------------------------------------


def test_a_missing_vectors_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_VECTORS", str(tmp_path / "nowhere.safetensors"))
    with pytest.raises(VectorsError, match="missing .*nowhere.safetensors.*glove_slice"):
        glove()


def test_a_garbage_vectors_file_is_a_clear_error(tmp_path, monkeypatch):
    bad = tmp_path / "garbage.safetensors"
    bad.write_bytes(b"\x00\x01 this is not a safetensors file \xff" * 20)
    monkeypatch.setenv("SEQUENCE_LAB_VECTORS", str(bad))
    with pytest.raises(VectorsError, match="garbage.safetensors cannot be read"):
        glove()


def test_vectors_that_do_not_match_their_words_are_refused(tmp_path, monkeypatch):
    from safetensors.numpy import save_file

    wrong = tmp_path / "wrong.safetensors"
    save_file({"vectors": np.zeros((3, 4), dtype=np.float16)}, str(wrong), metadata={"words": "a\nb"})
    monkeypatch.setenv("SEQUENCE_LAB_VECTORS", str(wrong))
    with pytest.raises(VectorsError, match="damaged"):
        glove()
    nan = tmp_path / "nan.safetensors"
    save_file({"vectors": np.full((2, 4), np.nan, dtype=np.float16)}, str(nan), metadata={"words": "a\nb"})
    monkeypatch.setenv("SEQUENCE_LAB_VECTORS", str(nan))
    with pytest.raises(VectorsError, match="NaN"):
        glove()
