"""Sentiment task: offline corpus, seeded split, training-only vocabulary, uploads, metrics,
baselines, predict (unknown words, truncation, attention weights), state / restore."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn import metrics as skm
from torch import nn

from core.config import ConfigError, resolve
from core.models.base import PAD, SPECIALS, ModelOutput
from core.tasks import sentiment
from core.tasks.base import DataError, iterate
from core.tasks.sentiment import SentimentOptions, SentimentTask


class MeanPool(nn.Module):
    """Mean of the embeddings of the real tokens -> Linear: the smallest model that follows the contract."""

    def __init__(self, vocab_size: int, n_out: int, dim: int = 16):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim, padding_idx=PAD)
        self.out = nn.Linear(dim, n_out)

    def forward(self, batch, **kw):
        m = batch["mask"].unsqueeze(-1).float()  # (B, T, 1)
        h = (self.emb(batch["x"]) * m).sum(1) / m.sum(1).clamp(min=1)  # (B, D)
        return ModelOutput(logits=self.out(h))


class FakeAttention(MeanPool):
    """MeanPool plus made-up self-attention (L=2, h=2): head 0 of the last layer looks only at the
    first token, head 1 spreads evenly over the real tokens."""

    def forward(self, batch, **kw):
        out = super().forward(batch)
        mask = batch["mask"]
        B, T = mask.shape
        A = torch.zeros(2, B, 2, T, T)
        A[1, :, 0, :, 0] = 1.0
        uniform = mask.float() / mask.float().sum(1, keepdim=True)  # (B, T)
        A[1, :, 1] = uniform[:, None, :]
        A[0] = torch.rand(B, 2, T, T)  # the first layer must be ignored
        out.attention = {"self": A}
        return out


class Always(nn.Module):
    def __init__(self, cls: int, n_out: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(n_out))
        with torch.no_grad():
            self.bias[cls] = 5.0

    def forward(self, batch, **kw):
        return ModelOutput(logits=self.bias.expand(batch["x"].size(0), -1))


def opts(**kw) -> SentimentOptions:
    return resolve(SentimentOptions, kw)


@pytest.fixture(scope="module")
def rt():
    return SentimentTask.prepare(opts())


@pytest.fixture(scope="module")
def trained(rt):
    torch.manual_seed(0)
    model = MeanPool(rt.model_fields["vocab_size"], 2)
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    gen = torch.Generator().manual_seed(0)
    for _ in range(2):
        for b in iterate(rt.splits["train"], 256, shuffle=True, generator=gen):
            loss = nn.functional.cross_entropy(model(b).logits, b["y"])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


def csv(rows: list[tuple], header=("text", "label")) -> bytes:
    return pd.DataFrame(rows, columns=list(header)).to_csv(index=False).encode()


# ------------------------------------------------------------------------------ offline data


def test_offline_corpus_and_split_sizes(rt):
    assert rt.labels == ("fresh", "rotten")
    sizes = {k: v["y"].shape[0] for k, v in rt.splits.items()}
    assert sum(sizes.values()) == 12752  # 12,808 fresh/rotten snippets minus 56 repeats
    assert sizes["val"] == sizes["test"] == 1275
    for part in rt.splits.values():
        assert part["x"].dtype == torch.long and part["mask"].dtype == torch.bool
        assert part["x"].shape[1] <= 48
        assert torch.equal(part["mask"], part["x"] != PAD)
        assert part["mask"].sum(1).min() >= 1
    assert rt.model_fields == {
        "vocab_size": len(rt.vocab),
        "n_out": 2,
        "max_len": 48,
        "vectors_dim": 50,  # the default starts from GloVe
        "n_grams": len(rt.grams),  # and has the bag-of-n-grams path
    }
    all_texts = [t for v in rt.texts.values() for t in v]
    assert len(set(all_texts)) == len(all_texts)  # deduplicated: no snippet in two splits


def test_split_is_seeded_and_cached(rt):
    assert SentimentTask.prepare(opts(), seed=0) is rt
    corpus = sentiment._offline()
    n = len(corpus.texts)
    parts = sentiment.split_indices(n, 0.1, 0.1, seed=0)
    assert rt.texts["test"] == [corpus.texts[i] for i in parts["test"]]
    assert rt.splits["test"]["y"].tolist() == [corpus.labels[i] for i in parts["test"]]
    other = sentiment.split_indices(n, 0.1, 0.1, seed=1)
    assert not np.array_equal(other["test"], parts["test"])
    again = sentiment.split_indices(n, 0.1, 0.1, seed=0)
    assert all(np.array_equal(again[k], parts[k]) for k in parts)
    assert sorted(np.concatenate(list(parts.values())).tolist()) == list(range(n))


def test_vocabulary_is_built_on_training_texts_only(rt):
    train_words = {w for toks in rt.tokens["train"] for w in toks}
    vocab_words = set(rt.vocab.itos[len(SPECIALS) :])
    assert vocab_words <= train_words
    test_only = {w for toks in rt.tokens["test"] for w in toks} - train_words
    assert test_only and not (test_only & vocab_words)


def test_max_len_min_freq_and_max_vocab_options():
    small = SentimentTask.prepare(opts(max_len=10, min_freq=3, max_vocab=500))
    assert small.splits["train"]["x"].shape[1] == 10
    assert len(small.vocab) == 500
    with pytest.raises(ConfigError):
        opts(val_frac=0.3, test_frac=0.3)


# ------------------------------------------------------------------------------ uploads


def _rows(n, labels=("pos", "neg")):
    words = ["good", "great", "bad", "awful", "fine", "dull", "fun", "long"]
    return [(f"{words[i % 8]} film number {i}", labels[i % len(labels)]) for i in range(n)]


def test_upload_with_numeric_labels_sorted_numerically():
    rows = _rows(30, labels=(10, 2, 1))
    data = SentimentTask.prepare(opts(source="upload"), upload=csv(rows))
    assert data.labels == ("1", "2", "10")
    assert data.model_fields["n_out"] == 3
    y = torch.cat([s["y"] for s in data.splits.values()])
    assert sorted(set(y.tolist())) == [0, 1, 2]


def test_upload_custom_columns_and_empty_texts_dropped():
    rows = [*_rows(25), ("", "pos"), ("   ", "neg")]
    raw = csv(rows, header=("review", "stars"))
    data = SentimentTask.prepare(
        opts(source="upload", text_column="review", label_column="stars"), upload=raw
    )
    assert "dropped 2 row(s) with an empty text" in data.notices
    assert data.labels == ("neg", "pos")
    assert sum(s["y"].shape[0] for s in data.splits.values()) == 25


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty"),
        (bytes(range(256)) * 4, "not a CSV"),
        (b"review,label\nnice,1\n", "no text column 'text'.*'review', 'label'"),
        (b"text,sentiment\nnice,1\n", "no label column 'label'.*'text', 'sentiment'"),
    ],
)
def test_upload_malformed_files(raw, message):
    with pytest.raises(DataError, match=message):
        SentimentTask.prepare(opts(source="upload"), upload=raw)


def test_upload_one_class_or_too_few_rows():
    with pytest.raises(DataError, match="only one label"):
        SentimentTask.prepare(opts(source="upload"), upload=csv(_rows(30, labels=("pos",))))
    with pytest.raises(DataError, match="19 usable row.*at least 20"):
        SentimentTask.prepare(opts(source="upload"), upload=csv(_rows(19)))
    with pytest.raises(DataError, match="no file"):
        SentimentTask.prepare(opts(source="upload"), upload=None)


# ------------------------------------------------------------------------------ metrics


def test_evaluate_matches_sklearn_and_restores_mode(rt, trained):
    trained.train()
    m = rt.evaluate(trained, "val")
    assert trained.training
    assert set(m) == {"loss", "accuracy", "f1"} and all(type(v) is float for v in m.values())
    trained.eval()
    with torch.no_grad():
        logits = trained(rt.splits["val"]).logits
    pred, y = logits.argmax(1).numpy(), rt.splits["val"]["y"].numpy()
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert m["f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert m["loss"] == pytest.approx(
        float(nn.functional.cross_entropy(logits, rt.splits["val"]["y"])), rel=1e-5
    )
    assert m["accuracy"] > 0.65  # two epochs of a bag of embeddings beat the majority class (0.57)
    labels, matrix = rt.confusion(trained, "val")
    assert labels == ["fresh", "rotten"]
    assert matrix == skm.confusion_matrix(y, pred, labels=[0, 1]).tolist()


def test_baselines(rt):
    base = rt.baselines()
    y = rt.splits["test"]["y"].numpy()
    majority = int(np.bincount(rt.splits["train"]["y"].numpy()).argmax())
    assert base["majority"]["accuracy"] == pytest.approx(float(np.mean(y == majority)))
    assert rt.evaluate(Always(majority, 2), "test")["accuracy"] == pytest.approx(base["majority"]["accuracy"])
    assert 0.74 <= base["tfidf_logreg"]["accuracy"] <= 0.84
    assert base["tfidf_logreg"]["f1"] > base["majority"]["f1"]
    assert rt.baselines() == base  # cached


# ------------------------------------------------------------------------------ predict


def test_predict_reports_unknown_words_and_probabilities(rt, trained):
    out = rt.predict(trained, ["A moving, wonderful film.", "Zorbleflax qwertyuiop is dull"])
    assert len(out) == 2
    for o in out:
        assert set(o) == {"label", "probs", "tokens", "unknown", "no_vector", "truncated", "token_weights"}
        assert sum(o["probs"].values()) == pytest.approx(1.0)
        assert o["label"] == max(o["probs"], key=o["probs"].get)
        assert o["token_weights"] is None and o["truncated"] is False
    assert out[0]["tokens"] == ["a", "moving", ",", "wonderful", "film", "."]
    assert out[0]["unknown"] == []
    assert out[1]["unknown"] == ["zorbleflax", "qwertyuiop"]
    assert out[0]["no_vector"] == []  # every known word of the first review has a GloVe vector


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_predict_empty_text_raises(rt, trained, text):
    with pytest.raises(DataError, match="type a review first"):
        rt.predict(trained, [text])


def test_predict_truncates_long_texts(rt):
    data = SentimentTask.restore({**rt.state(), "max_len": 8}, rt.opts)
    model = MeanPool(len(data.vocab), 2)
    text = " ".join(["good"] * 20)
    (o,) = data.predict(model, [text])
    assert o["truncated"] is True and o["tokens"] == ["good"] * 8
    (o,) = data.predict(model, ["good good"])
    assert o["truncated"] is False


def test_token_weights_from_self_attention(rt):
    model = FakeAttention(len(rt.vocab), 2)
    out = rt.predict(model, ["a b c d", "great"])  # 4 real tokens, then 1 (padded to 4)
    n = 4
    expected = [(1 + 1 / n) / 2] + [1 / (2 * n)] * (n - 1)
    assert out[0]["token_weights"] == pytest.approx(expected)
    assert out[1]["token_weights"] == pytest.approx([1.0])


class WordVotes(nn.Module):
    """logits = sum of one hand-set vote per word (B, C): a model whose reasons are known."""

    def __init__(self, vocab, votes: dict[str, tuple[float, float]]):
        super().__init__()
        self.W = nn.Embedding(len(vocab), 2)
        nn.init.zeros_(self.W.weight)
        with torch.no_grad():
            for word, v in votes.items():
                self.W.weight[vocab.stoi[word]] = torch.tensor(v)

    def forward(self, batch, **kw):
        m = batch["mask"].unsqueeze(-1).float()  # (B, T, 1)
        return ModelOutput(logits=(self.W(batch["x"]) * m).sum(1))


def test_explain_finds_the_decisive_word_and_the_signs(rt):
    fresh, rotten = rt.labels.index("fresh"), rt.labels.index("rotten")

    def vote(to: int, size: float) -> tuple[float, float]:
        return (size, -size) if to == fresh else (-size, size)

    model = WordVotes(
        rt.vocab, {"terrible": vote(rotten, 3.0), "nice": vote(fresh, 0.5), "cast": vote(fresh, 0.1)}
    )
    ex = rt.explain(model, "A terrible film with a nice cast.")
    assert ex.tokens == ["a", "terrible", "film", "with", "a", "nice", "cast", "."]
    assert ex.label == "rotten" and ex.probability > 0.9
    assert ex.tokens[ex.strongest()] == "terrible"
    effects = dict(zip(ex.tokens, ex.effects, strict=True))
    assert effects["terrible"] > 0.4  # pushed toward the answer (rotten), by far the most
    assert effects["nice"] < 0 and effects["cast"] < 0  # pushed away from it (toward fresh)
    assert abs(effects["nice"]) > abs(effects["cast"])
    assert effects["film"] == pytest.approx(0.0, abs=1e-6)  # a word without a vote changes nothing
    assert ex.effects == pytest.approx([ex.probability - q for q in ex.without])
    # the word flips the answer: without "terrible" the review reads fresh
    assert ex.without[1] < 0.5


def test_explain_on_a_trained_gru_points_at_the_word_that_decides():
    """A GRU trained on reviews whose label is decided by one word among fillers: "great" (pos),
    "awful" (neg) or none of them (meh)."""
    from core.runspec import plan
    from core.train import train

    rng = np.random.default_rng(0)
    filler = ["the", "plot", "and", "cast", "were", "of", "this", "film", "quite", "story", "its", "a"]
    rows = []
    for i in range(300):
        words = list(rng.choice(filler, size=6))
        key, label = [("great", "pos"), ("awful", "neg"), (None, "meh")][i % 3]
        if key:
            words.insert(int(rng.integers(0, 7)), key)
        rows.append((" ".join(words), label))
    settings = {"source": "upload", "hidden_size": 8, "embed_dim": 8, "epochs": 6, "lr": 0.01}
    spec = plan("sentiment", "gru", {**settings, "early_stopping": 0}, upload=csv(rows))
    torch.manual_seed(0)
    model = spec.build()
    for _ in train(model, spec.data, spec.task, spec.train_cfg, baselines=False):
        pass
    for text, label in (("the plot and cast of this film were awful", "neg"), ("a great story", "pos")):
        ex = spec.data.explain(model, text)
        assert ex.label == label and ex.probability > 0.6, (text, ex)
        k = ex.strongest()
        assert ex.tokens[k] in ("awful", "great") and ex.effects[k] > 0.3, ex  # toward the answer
        assert 3 * max(abs(e) for i, e in enumerate(ex.effects) if i != k) < ex.effects[k], ex


def test_explain_agrees_with_predict_word_by_word(rt):
    """Each variant scored in the batch (padded beside longer ones) equals the text read alone."""
    from core.registry import build, make_config

    model_kw, _ = SentimentTask.defaults("gru")
    torch.manual_seed(0)
    model = build("gru", make_config("gru", model_kw, data_fields=rt.model_fields))
    text = "not a bad film at all , just too long"
    ex = rt.explain(model, text)
    (whole,) = rt.predict(model, [text])
    assert ex.label == whole["label"] and ex.probability == pytest.approx(whole["probs"][ex.label], abs=1e-5)
    words = text.split()
    assert ex.tokens == words
    alone = rt.predict(model, [" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))])
    assert ex.without == pytest.approx([o["probs"][ex.label] for o in alone], abs=1e-5)


def test_explain_long_empty_and_one_word_reviews(rt):
    data = SentimentTask.restore({**rt.state(), "max_len": 6}, rt.opts)
    model = WordVotes(data.vocab, {"good": (1.0, -1.0)})
    ex = data.explain(model, "good " * 10)
    assert ex.truncated and ex.tokens == ["good"] * 6 and len(ex.effects) == 6
    (one,) = data.explain(model, "good").effects
    assert one > 0
    with pytest.raises(DataError, match="type a review first"):
        data.explain(model, "  ")


def test_examples_and_probe(rt, trained):
    rows = rt.examples(trained, 5)
    assert len(rows) == 5
    assert set(rows[0]) == {"text", "label", "predicted", "probability", "correct"}
    assert rows[0]["text"] == rt.texts["test"][0]
    assert all(0.5 <= r["probability"] <= 1 and r["correct"] == (r["label"] == r["predicted"]) for r in rows)
    batch, labels = rt.probe()
    T = len(labels["x"])
    assert batch["x"].shape == (1, T) and batch["mask"].all()
    assert 6 <= T <= 16


def test_state_restore_round_trip_predicts_the_same(rt, trained):
    state = json.loads(json.dumps(rt.state()))
    restored = SentimentTask.restore(state, rt.opts)
    assert restored.model_fields == rt.model_fields and restored.splits == {}
    texts = ["An absorbing documentary.", "Tedious and overlong, with no jokes at all."]
    assert restored.predict(trained, texts) == rt.predict(trained, texts)
    with pytest.raises(DataError, match="restored"):
        restored.evaluate(trained, "test")


def test_real_models_follow_the_contract(rt):
    from core.registry import build, make_config

    data = rt
    for arch in ("gru", "transformer-encoder"):
        model_kw, train_kw = SentimentTask.defaults(arch)
        assert train_kw["epochs"] >= 1
        model = build(arch, make_config(arch, model_kw, data_fields=data.model_fields))
        m = data.evaluate(model, "val")
        assert math.isfinite(m["loss"]) and 0 <= m["accuracy"] <= 1
        (o,) = data.predict(model, ["not a bad film at all"])
        if arch == "transformer-encoder":
            assert len(o["token_weights"]) == 6 and sum(o["token_weights"]) == pytest.approx(1.0, abs=1e-5)
        else:
            assert o["token_weights"] is None
