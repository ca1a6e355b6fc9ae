"""Pretrained word vectors in the models and the sentiment task: the GloVe tokenizer, the table a
model starts from, the embedding learning rate (0 freezes it), the bag-of-n-grams path, pooling
over states, the fallback when the vectors file is unusable, and models saved before all this."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from core.events import Finished
from core.models.base import PAD, SPECIALS
from core.models.words import NGRAM_SCALE, BagOfNgrams, load_vectors, word_table
from core.registry import build, make_config
from core.runspec import plan
from core.tasks import sentiment
from core.tasks.sentiment import SentimentOptions, SentimentTask, encode_grams, ngrams
from core.text import Vocab, tokenize
from core.train import TrainConfig, param_groups, train
from core.vectors import VectorsError, glove


def test_glove_tokenizer_splits_as_glove_did():
    text = "It's always fascinating; doesn't work, can't say. The U.S. after-effects -- wow..."
    assert tokenize(text, style="glove") == [
        "it", "'s", "always", "fascinating", ";", "does", "n't", "work", ",", "ca", "n't", "say", ".",
        "the", "u.s.", "after-effects", "--", "wow", "...",
    ]  # fmt: skip
    assert tokenize("It's", style="words") == ["it's"]
    assert tokenize("don\u2019t", style="glove") == ["do", "n't"]  # a typographic apostrophe too
    assert tokenize("정말 좋아요", style="glove") == ["정말", "좋아요"]
    with pytest.raises(ValueError, match="unknown tokenizer style"):
        tokenize("x", style="bpe")


def test_every_contraction_piece_has_a_glove_vector():
    vectors = glove()
    for piece in ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m", "ca", "wo", "u.s.", "--", "..."]:
        assert piece in vectors, piece


def test_unknown_hyphenated_words_are_split_into_known_parts():
    assert sentiment.words_of("A thought-provoking, well-acted film", "glove") == [
        "a", "thought", "-", "provoking", ",", "well", "-", "acted", "film",
    ]  # fmt: skip
    assert sentiment.words_of("a well-known face", "glove") == ["a", "well-known", "face"]  # known whole


def test_vocab_keeps_rare_words_that_have_a_vector():
    texts = [["good", "good", "zzq", "superb", "qqz"]]
    plain = Vocab.build(texts, min_freq=2)
    kept = Vocab.build(texts, min_freq=2, keep=lambda w: w in {"superb"})
    assert plain.itos[len(SPECIALS) :] == ["good"]
    assert kept.itos[len(SPECIALS) :] == ["good", "superb"]


@pytest.fixture(scope="module")
def rt():
    return SentimentTask.prepare(SentimentOptions())


def test_the_table_a_model_starts_from_is_glove_where_a_word_has_a_vector(rt):
    vectors = glove()
    spec = plan("sentiment", "gru")
    assert spec.model_cfg.vectors_dim == 50 and spec.model_cfg.n_grams == len(rt.grams)
    model = spec.build()
    table = word_table(model).detach()
    for word in ["good", "film", "n't", "boring"]:
        i = rt.vocab.stoi[word]
        assert rt.found[i]
        # float16 in the file, float32 in the model
        np.testing.assert_allclose(table[i].numpy(), vectors.vector(word), rtol=0, atol=0)
    assert not rt.found[: len(SPECIALS)].any()
    cov = rt.coverage()
    assert cov["found"] / cov["words"] > 0.95  # GloVe knows almost every training word
    missing = [w for w in rt.vocab.itos[len(SPECIALS) :] if w not in vectors]
    assert cov["found"] == cov["words"] - len(missing)
    assert cov["missing"] == missing[:20]


def test_random_start_has_no_vectors(rt):
    opts = dataclasses.replace(rt.opts, embedding="random")
    data = SentimentTask.prepare(opts)
    assert data.vectors is None and data.coverage() is None
    assert "vectors_dim" not in data.model_fields
    model = plan("sentiment", "gru", {"embedding": "random"}).build()
    assert word_table(model).shape == (len(data.vocab), 50)  # the default embed_dim, random


def _short_train(spec, model, **train_overrides):
    cfg = dataclasses.replace(spec.train_cfg, epochs=1, max_seconds=2.0, early_stopping=0, **train_overrides)
    events = list(train(model, spec.data, spec.task, cfg, eval_test=False, baselines=False))
    assert isinstance(events[-1], Finished)
    return model


def test_embedding_lr_zero_freezes_the_table_and_the_rest_still_learns():
    spec = plan("sentiment", "gru", {"hidden_size": 8, "embedding_lr": 0.0})
    model = spec.build()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    _short_train(spec, model, embedding_lr=0.0)
    after = model.state_dict()
    assert torch.equal(after["embed.weight"], before["embed.weight"])
    assert not torch.equal(after["head.weight"], before["head.weight"])
    # and with the default factor the table moves
    spec = plan("sentiment", "gru", {"hidden_size": 8})
    model = spec.build()
    table = word_table(model).detach().clone()
    _short_train(spec, model)
    assert not torch.equal(word_table(model).detach(), table)


def test_embedding_lr_scales_the_tables_learning_rate():
    cfg = resolve_train(lr=0.01, embedding_lr=0.1)
    model = plan("sentiment", "gru", {"hidden_size": 8}).build()
    groups = param_groups(model, cfg)
    table = word_table(model)
    [table_group] = [g for g in groups if any(p is table for p in g["params"])]
    assert table_group["lr_scale"] == 0.1
    assert all(p is not table for g in groups if g is not table_group for p in g["params"])
    assert sum(p.numel() for g in groups for p in g["params"]) == sum(p.numel() for p in model.parameters())


def resolve_train(**kw):
    from core.config import resolve

    return resolve(TrainConfig, kw)


def test_bag_of_ngrams_matches_a_hand_computation():
    bag = BagOfNgrams(n_grams=4, n_out=2)
    with torch.no_grad():
        bag.W.weight[1] = torch.tensor([1.0, 0.0])
        bag.W.weight[3] = torch.tensor([0.5, -2.0])
    grams = torch.tensor([[1, 3, 3, PAD], [PAD, PAD, PAD, PAD]])
    out = bag(grams)
    expected0 = NGRAM_SCALE * torch.tensor([1.0 + 0.5 + 0.5, -4.0]) / 3**0.5
    torch.testing.assert_close(out[0], expected0)
    torch.testing.assert_close(out[1], torch.zeros(2))
    assert torch.equal(bag.W.weight[PAD], torch.zeros(2))  # padding never votes


def test_ngrams_are_the_words_and_their_neighbour_pairs():
    assert ngrams(["not", "funny", "at"]) == ["not", "funny", "at", "not funny", "funny at"]
    grams = Vocab(["not", "not funny"])
    ids = encode_grams([["not", "funny"], ["zz"]], grams, max_len=10)
    assert ids.tolist() == [[grams.stoi["not"], grams.stoi["not funny"]], [PAD, PAD]]


@pytest.mark.parametrize("how", ["max", "mean"])
def test_pooling_over_states_matches_a_hand_computation(how):
    cfg = make_config(
        "gru",
        {"pooling": how, "bidirectional": True, "hidden_size": 6, "embed_dim": 5},
        data_fields={"vocab_size": 20, "n_out": 2},
    )
    torch.manual_seed(0)
    model = build("gru", cfg).eval()
    x = torch.tensor([[5, 6, 7, 8], [9, 10, PAD, PAD]])
    batch = {"x": x, "mask": x != PAD}
    with torch.no_grad():
        out = model(batch).logits
        E = model.embed(x)
        r = model.rnn(E, batch["mask"].sum(1))
        feats = []
        for b, n in enumerate([4, 2]):
            states = r.outputs[b, :n]  # (n, 2H) real steps only
            feats.append(states.max(0).values if how == "max" else states.mean(0))
        expected = model.head(torch.stack(feats))
    torch.testing.assert_close(out, expected)


def test_projection_when_the_model_is_wider_than_the_vectors():
    spec = plan("sentiment", "gru", {"embed_dim": 32, "hidden_size": 8})
    model = spec.build()
    assert word_table(model).shape[1] == 50 and model.embed_proj.out_features == 32
    enc = plan("sentiment", "transformer-encoder", {"d_model": 64})
    m = enc.build()
    assert word_table(m).shape == (len(enc.data.vocab), 50) and m.embed.proj.out_features == 64
    i = enc.data.vocab.stoi["good"]
    np.testing.assert_allclose(word_table(m)[i].detach().numpy(), glove().vector("good"))


def test_load_vectors_refuses_a_table_of_another_shape():
    model = plan("sentiment", "gru", {"embedding": "random", "embed_dim": 16}).build()
    with pytest.raises(ValueError, match="word table"):
        load_vectors(model, torch.zeros(3, 50), torch.ones(3, dtype=torch.bool))


def test_a_missing_or_damaged_vectors_file_falls_back_to_random_with_a_notice(tmp_path, monkeypatch):
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"not a safetensors file at all")
    for path in [tmp_path / "missing.safetensors", bad]:
        monkeypatch.setenv("SEQUENCE_LAB_VECTORS", str(path))
        with pytest.raises(VectorsError):
            glove()
        data = SentimentTask.prepare(SentimentOptions(max_vocab=500), seed=7)  # not the cached default
        assert data.vectors is None and "vectors_dim" not in data.model_fields
        assert any("starts random instead" in n for n in data.notices), data.notices
        model = plan("sentiment", "gru", {"max_vocab": 500, "seed": 7}).build()  # still trains
        assert word_table(model).shape == (len(data.vocab), 50)
    sentiment._prepare_offline.cache_clear()


def test_a_model_saved_before_these_options_predicts_with_its_old_tokens():
    old_opts = SentimentOptions(tokenizer="words", embedding="random", ngrams=False)
    data = SentimentTask.prepare(old_opts)
    state = json.loads(json.dumps(data.state()))
    for k in ("tokenizer", "embedding", "ngrams"):
        state["options"].pop(k)  # as written by the version before
    restored = SentimentTask.restore(state, SentimentOptions())  # today's defaults
    assert restored.opts.tokenizer == "words" and restored.grams is None and restored.found is None
    assert restored.model_fields == {"vocab_size": len(data.vocab), "n_out": 2, "max_len": 48}


def test_word_dropout_replaces_real_words_only_and_only_in_training():
    from core.models.base import UNK
    from core.models.words import drop_words

    torch.manual_seed(0)
    ids = torch.tensor([[5, 6, 7, 8] * 250 + [PAD] * 100])
    out = drop_words(ids, 0.2)
    real = ids != PAD
    assert torch.equal(out[~real], ids[~real])  # padding stays padding
    changed = out != ids
    assert torch.all(out[changed] == UNK)
    assert 0.15 < changed[real].float().mean() < 0.25  # about p of the 1000 real words
    cfg = make_config("gru", {"word_dropout": 0.5}, data_fields={"vocab_size": 20, "n_out": 2})
    model = build("gru", cfg).eval()
    x = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        a, b = model({"x": x, "mask": x != PAD}).logits, model({"x": x, "mask": x != PAD}).logits
    torch.testing.assert_close(a, b)  # no dropout when predicting
