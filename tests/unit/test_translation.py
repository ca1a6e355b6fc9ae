"""Translation task: the toy grammar, the emoji corpora, the sequence metrics and the task API."""

from __future__ import annotations

import random

import pytest
import torch
from sacrebleu.metrics import BLEU
from torch import nn

from core.models.base import EOS, PAD, SPECIALS, UNK, ModelOutput
from core.registry import build, make_config
from core.seqmetrics import (
    bleu,
    exact_match,
    exact_match_by_length,
    length_buckets,
    sentence_bleu,
    token_accuracy,
    token_counts,
)
from core.tasks.base import DataError
from core.tasks.grammar import (
    NOUNS,
    PLACES,
    TIMES,
    VERBS,
    Sentence,
    final_consonant,
    generate_pairs,
    has_batchim,
    join_tokens,
    particle,
    sample_sentence,
)
from core.tasks.translation import TranslationData, TranslationOptions, TranslationTask, emoji_pairs

SMALL = TranslationOptions(n_pairs=400)


@pytest.fixture(scope="module")
def data() -> TranslationData:
    return TranslationTask.prepare(SMALL, seed=0)


# ---------------------------------------------------------------------------------- grammar

# hand-checked: noun -> (subject, object, topic, and) particles
EXPECTED_PARTICLES = {
    "고양이": ("가", "를", "는", "와"),
    "개": ("가", "를", "는", "와"),
    "선생님": ("이", "을", "은", "과"),
    "학생": ("이", "을", "은", "과"),
    "아이": ("가", "를", "는", "와"),
    "의사": ("가", "를", "는", "와"),
    "친구": ("가", "를", "는", "와"),
    "곰": ("이", "을", "은", "과"),
    "토끼": ("가", "를", "는", "와"),
    "소년": ("이", "을", "은", "과"),
    "소녀": ("가", "를", "는", "와"),
    "말": ("이", "을", "은", "과"),
    "생선": ("이", "을", "은", "과"),
    "사과": ("가", "를", "는", "와"),
    "빵": ("이", "을", "은", "과"),
    "책": ("이", "을", "은", "과"),
    "편지": ("가", "를", "는", "와"),
    "공": ("이", "을", "은", "과"),
    "꽃": ("이", "을", "은", "과"),
    "케이크": ("가", "를", "는", "와"),
    "그림": ("이", "을", "은", "과"),
    "자동차": ("가", "를", "는", "와"),
}


def test_every_noun_takes_the_hand_checked_particles():
    assert {n.ko for n in NOUNS} == set(EXPECTED_PARTICLES)
    for noun, (subj, obj, topic, and_) in EXPECTED_PARTICLES.items():
        assert particle(noun, "subject") == subj, noun
        assert particle(noun, "object") == obj, noun
        assert particle(noun, "topic") == topic, noun
        assert particle(noun, "and") == and_, noun


def test_batchim_from_the_syllable_code():
    assert final_consonant("책") == 1  # ㄱ
    assert final_consonant("말") == 8  # ㄹ
    assert final_consonant("밤") == 16  # ㅁ
    assert final_consonant("사과") == 0
    assert has_batchim("선생님") and not has_batchim("고양이")
    # direction particle: 으로 after a consonant, 로 after a vowel and after ㄹ
    assert particle("집", "direction") == "으로"
    assert particle("학교", "direction") == "로"
    assert particle("말", "direction") == "로"
    with pytest.raises(ValueError):
        final_consonant("cat")
    with pytest.raises(ValueError):
        particle("책", "vocative")


def _noun(en: str):
    return next(n for n in NOUNS if n.en == en)


def test_hand_written_sentences():
    eat = next(v for v in VERBS if v.en_base == "eat")
    s = Sentence(_noun("cat"), eat, _noun("fish"), "present", place="park")
    assert s.english() == "the cat eats the fish in the park".split()
    assert s.korean() == "고양이 가 공원 에서 생선 을 먹는다".split()
    yesterday = next(t for t in TIMES if t.en == ("yesterday",))
    s = Sentence(_noun("teacher"), eat, _noun("apple"), "past", negated=True, time=yesterday)
    assert s.english() == "the teacher did not eat the apple yesterday".split()
    assert s.korean() == "어제 선생님 은 사과 를 먹지 않았다".split()
    read = next(v for v in VERBS if v.en_base == "read")
    s = Sentence(_noun("girl"), read, _noun("book"), "future")
    assert s.english() == "the girl will read the book".split()
    assert s.korean() == "소녀 가 책 을 읽을 것이다".split()


def test_subject_object_verb_order():
    rng = random.Random(0)
    for _ in range(300):
        s = sample_sentence(rng)
        en, ko = s.english(), s.korean()
        # English SVO: subject, then the verb phrase, then the object
        i_subj, i_obj = en.index(s.subject.en), en.index(s.obj.en)
        assert en[i_subj + 1] in (s.verb.en_3sg, s.verb.en_past, "will", "does", "did") and i_subj + 1 < i_obj
        # Korean SOV: subject + particle, (place 에서), object + particle, verb phrase at the very end
        j_subj, j_obj = ko.index(s.subject.ko), ko.index(s.obj.ko)
        assert j_subj < j_obj
        assert ko[j_subj + 1] == particle(s.subject.ko, "topic" if s.negated else "subject")
        assert ko[j_obj + 1] == particle(s.obj.ko, "object")
        verb = ko[j_obj + 2 :]
        assert (
            verb[0] in (s.verb.ko_present, s.verb.ko_past, s.verb.ko_future, s.verb.ko_neg) and len(verb) <= 3
        )
        if s.place:
            assert ko[ko.index(PLACES[s.place]) + 1] == "에서" and j_subj < ko.index(PLACES[s.place]) < j_obj
        if s.time:  # time words move from the end of the English to the front of the Korean
            assert en[-len(s.time.en) :] == list(s.time.en) and ko[: len(s.time.ko)] == list(s.time.ko)
            assert s.tense in s.time.tenses


def test_generation_is_deterministic_and_distinct():
    a, b, c = generate_pairs(500, 3), generate_pairs(500, 3), generate_pairs(500, 4)
    assert a == b and a != c
    assert len({tuple(s) for s, _ in a}) == 500
    assert all(3 <= len(s) <= 16 and 3 <= len(t) <= 16 for s, t in a)


def test_clauses_join_sentences():
    pairs = generate_pairs(200, 0, clauses=2)
    assert all(s.count("and") == 1 and t.count("그리고") == 1 for s, t in pairs)
    for s, t in pairs:  # each clause is reordered on its own: the Korean verb ends each clause
        first_en, first_ko = s[: s.index("and")], t[: t.index("그리고")]
        assert first_ko[-1] in {"것이다", "않는다", "않았다"} or first_ko[-1].endswith("다")
        assert 5 <= len(first_en) and 5 <= len(first_ko)
    d = TranslationTask.prepare(TranslationOptions(n_pairs=300, clauses=2), seed=0)
    assert d.model_fields["max_len"] >= 12


def test_no_pair_in_two_splits(data: TranslationData):
    seen = {k: {(tuple(s), tuple(t)) for s, t in v} for k, v in data.pairs.items()}
    assert (
        not seen["train"] & seen["test"]
        and not seen["train"] & seen["val"]
        and not seen["val"] & seen["test"]
    )
    assert sum(len(v) for v in seen.values()) == 400
    # source sentences are distinct too (a test sentence never appears in training)
    assert not {s for s, _ in seen["train"]} & {s for s, _ in seen["test"]}


def test_prepare_is_deterministic_and_encodes_the_streams(data: TranslationData):
    again = TranslationTask.prepare(SMALL, seed=0)
    other = TranslationTask.prepare(SMALL, seed=1)
    assert torch.equal(again.splits["train"]["src"], data.splits["train"]["src"])
    assert not torch.equal(other.splits["train"]["src"][:50], data.splits["train"]["src"][:50])
    b = data.splits["train"]
    assert b["src_mask"].equal(b["src"] != PAD)
    assert (b["tgt_in"][:, 0] == 1).all()  # SOS first
    for i in (0, 1, 2):
        s, t = data.pairs["train"][i]
        assert data.src_vocab.decode(b["src"][i]) == s
        assert data.tgt_vocab.decode(b["tgt_in"][i]) == t and data.tgt_vocab.decode(b["tgt_out"][i]) == t
        n = len(t) + 1  # SOS + t and t + EOS have the same length
        assert b["tgt_out"][i, n - 1] == EOS and (b["tgt_out"][i, n:] == PAD).all()
    f = data.model_fields
    assert f["src_vocab_size"] == len(data.src_vocab) and f["tgt_vocab_size"] == len(data.tgt_vocab)
    assert f["max_len"] >= max(b["src"].size(1), b["tgt_in"].size(1)) + 1


def test_reverse_source_option():
    d = TranslationTask.prepare(TranslationOptions(n_pairs=400, reverse_source=True), seed=0)
    s, _ = d.pairs["train"][0]
    assert d.src_vocab.decode(d.splits["train"]["src"][0]) == s[::-1]


def test_max_len_filters_long_pairs():
    d = TranslationTask.prepare(TranslationOptions(n_pairs=400, max_len=7), seed=0)
    assert all(len(s) <= 7 and len(t) <= 7 for v in d.pairs.values() for s, t in v)
    assert d.notices


# ------------------------------------------------------------------------------------ emoji


@pytest.mark.parametrize("corpus,lang", [("emoji-en-ko", "ko"), ("emoji-en-fr", "fr")])
def test_emoji_corpora_load_offline(corpus: str, lang: str):
    pairs = emoji_pairs(lang)
    assert len(pairs) > 3000
    names = {tuple(s): t for s, t in pairs}
    assert len(names) == len(pairs)  # one pair per English name
    if lang == "ko":
        assert names[("red", "heart")] == ("빨간색", "하트")
        hangul = sum(any("\uac00" <= ch <= "\ud7a3" for ch in "".join(t)) for _, t in pairs)
        assert hangul > 0.9 * len(pairs)
    else:
        assert names[("red", "heart")] == ("cœur", "rouge")
    d = TranslationTask.prepare(TranslationOptions(corpus=corpus), seed=0)
    assert sum(len(v) for v in d.pairs.values()) > 3000
    assert d.model_fields["src_vocab_size"] > 500


# ---------------------------------------------------------------------------------- metrics


def test_bleu_equals_sacrebleus_documented_example():
    # sacrebleu's README example, tokenised as its default 13a tokenizer does: BLEU = 48.53
    hyps = ["The dog bit the man .", "It wasn't surprising .", "The man had just bitten him ."]
    refs1 = ["The dog bit the man .", "It was not unexpected .", "The man bit him first ."]
    refs2 = ["The dog had bit the man .", "No one was surprised .", "The man had bitten the dog ."]
    ours = bleu([h.split() for h in hyps], [[a.split(), b.split()] for a, b in zip(refs1, refs2)])
    assert round(ours, 2) == 48.53
    # and one reference per hypothesis agrees with sacrebleu called directly
    direct = BLEU(tokenize="none").corpus_score(hyps, [refs1]).score
    assert ours != direct and bleu([h.split() for h in hyps], [r.split() for r in refs1]) == pytest.approx(
        direct
    )


def test_sentence_bleu_exact_match_and_token_accuracy_by_hand():
    assert sentence_bleu("a b c d".split(), "a b c d".split()) == pytest.approx(100.0)
    assert sentence_bleu("x y".split(), "a b c d".split()) == pytest.approx(0.0)
    assert exact_match([["a", "b"], ["c"], []], [["a", "b"], ["c", "d"], []]) == pytest.approx(2 / 3)
    assert bleu([["a"]], [["a"]]) == pytest.approx(0.0)  # no 2-gram at all: corpus BLEU is 0
    targets = torch.tensor([[5, 6, 2, 0], [7, 2, 0, 0]])  # 5 real tokens
    logits = torch.full((2, 4, 9), -1.0)
    for (i, j), tok in {(0, 0): 5, (0, 1): 4, (0, 2): 2, (1, 0): 7, (1, 1): 3, (1, 2): 0}.items():
        logits[i, j, tok] = 1.0  # right, wrong, right, right, wrong, (padding: ignored)
    assert token_counts(logits, targets) == (3, 5)
    assert token_accuracy(logits, targets) == pytest.approx(0.6)
    with pytest.raises(ValueError):
        exact_match([["a"]], [])


def test_exact_match_by_length():
    assert length_buckets([3, 4, 7], 2) == [(3, 4), (5, 6), (7, 7)]
    rows = exact_match_by_length([["a"], ["b"], ["c"]], [["a"], ["x"], ["c"]], [3, 4, 7], 2)
    assert [(r["bucket"], r["n"], r["exact_match"]) for r in rows] == [("3-4", 2, 0.5), ("7", 1, 1.0)]


# ------------------------------------------------------------------------------- task API


class Oracle(nn.Module):
    """Knows every pair: teacher-forced logits and decode steps give the reference (or, when
    ``drop_last``, the reference without its last word). Uniform attention over real source words."""

    def __init__(self, data: TranslationData, drop_last: bool = False):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))
        self.V = len(data.tgt_vocab)
        self.table: dict[tuple[int, ...], list[int]] = {}
        for split, pairs in data.pairs.items():
            for row, (_, t) in zip(data.splits[split]["src"].tolist(), pairs):
                t = t[:-1] if drop_last else t
                self.table[tuple(i for i in row if i != PAD)] = data.tgt_vocab.encode(t, eos=True)

    def _targets(self, src: torch.Tensor, T: int) -> torch.Tensor:
        out = torch.full((src.size(0), T), EOS, dtype=torch.long)
        for b, row in enumerate(src.tolist()):
            ids = self.table.get(tuple(i for i in row if i != PAD), [UNK, EOS])[:T]
            out[b, : len(ids)] = torch.tensor(ids)
        return out

    def forward(self, batch, *, teacher_forcing=1.0, record=False):
        tgt = self._targets(batch["src"], batch["tgt_in"].size(1))
        return ModelOutput(logits=nn.functional.one_hot(tgt, self.V).float() * 10 + self.dummy)

    def encode(self, batch):
        mask = batch["src_mask"].float()
        return {"tgt": self._targets(batch["src"], 64), "attn": mask / mask.sum(1, keepdim=True)}

    def decode_step(self, state, ys):
        tok = state["tgt"][:, ys.size(1) - 1]
        return nn.functional.one_hot(tok, self.V).float() * 10, state, state["attn"]

    def reorder_state(self, state, idx):
        return {k: v[idx] for k, v in state.items()}


def test_evaluate_with_a_perfect_and_a_flawed_model(data: TranslationData):
    oracle = Oracle(data)
    oracle.train()
    m = data.evaluate(oracle, "test")
    assert set(m) >= {"loss", "exact_match", "bleu", "token_accuracy"}
    assert all(isinstance(v, float) for v in m.values())
    assert m["exact_match"] == 1.0 and m["token_accuracy"] == 1.0 and m["bleu"] == pytest.approx(100.0)
    assert oracle.training  # the mode is restored
    flawed = data.evaluate(Oracle(data, drop_last=True), "val")
    assert flawed["exact_match"] == 0.0 and 0.0 < flawed["token_accuracy"] < 1.0 and flawed["bleu"] < 100
    rows = data.by_length(oracle)
    assert sum(r["n"] for r in rows) == len(data.pairs["test"]) and all(r["exact_match"] == 1.0 for r in rows)


def test_examples_probe_and_baseline(data: TranslationData):
    ex = data.examples(Oracle(data), n=5)
    assert len(ex) == 5 and all(e["correct"] and e["bleu"] == pytest.approx(100.0) for e in ex)
    ref = data.pairs["test"][0][1]
    assert ex[0]["reference"] == data.sentence(ref) == join_tokens(ref, "ko")  # particles attached
    assert ex[0]["reference"].replace(" ", "") == "".join(ref) and len(ex[0]["reference"].split()) < len(ref)
    batch, tokens = data.probe()
    assert batch["src"].shape == (1, len(tokens["src"])) and batch["tgt_out"].shape == (1, len(tokens["tgt"]))
    assert tokens["tgt"][-1] == SPECIALS[EOS]
    base = data.baselines()["word-for-word dictionary"]
    assert base["exact_match"] < 0.1  # English word order is wrong for Korean


def test_predict_reports_unknown_words_and_refuses_empty_text(data: TranslationData):
    oracle = Oracle(data)
    s, t = data.pairs["test"][0]
    [r] = data.predict(oracle, [" ".join(s).capitalize() + "."])  # case and final "." are tolerated
    assert r["tokens"] == t and r["unknown"] == [] and not r["truncated"]
    assert r["translation"] == join_tokens(t, "ko")  # the sentence a reader sees: particles attached
    assert len(r["attention"]) == len(t) and len(r["attention"][0]) == len(s)
    [r] = data.predict(oracle, ["the zebra eats the fish"])
    assert r["unknown"] == ["zebra"] and r["src_tokens"][1] == SPECIALS[UNK]
    [r] = data.predict(oracle, [" ".join(["the cat"] * 20)])
    assert r["truncated"] and len(r["src_tokens"]) == data.max_src_len
    for bad in ("", "   "):
        with pytest.raises(DataError, match="type a sentence first"):
            data.predict(oracle, [bad])
    [r] = data.predict(oracle, [" ".join(s)], beam_width=3)
    assert r["tokens"] == t and r["beams"][0]["tokens"] == t and len(r["beams"]) >= 1


def test_state_restore_round_trip(data: TranslationData):
    import json

    state = json.loads(json.dumps(data.state(), ensure_ascii=False))
    restored = TranslationTask.restore(state, SMALL)
    assert restored.src_vocab.itos == data.src_vocab.itos and restored.tgt_vocab.itos == data.tgt_vocab.itos
    assert restored.model_fields == data.model_fields and restored.splits == {}
    torch.manual_seed(0)
    arch = "seq2seq-attn"
    model = build(arch, make_config(arch, {"hidden_size": 16, "embed_dim": 8}, data_fields=data.model_fields))
    texts = [" ".join(s) for s, _ in data.pairs["test"][:3]] + ["the cat sees the dog"]
    assert restored.predict(model, texts) == data.predict(model, texts)
    with pytest.raises(DataError):
        TranslationTask.restore({"src_vocab": ["nope"]}, SMALL)


@pytest.mark.parametrize("arch", ["seq2seq", "seq2seq-attn", "transformer"])
def test_real_models_run_through_the_task(data: TranslationData, arch: str):
    torch.manual_seed(0)
    small = {"transformer": {"d_model": 16, "n_heads": 2, "d_ff": 32, "n_enc_layers": 1, "n_dec_layers": 1}}
    cfg = make_config(
        arch, small.get(arch, {"hidden_size": 16, "embed_dim": 8}), data_fields=data.model_fields
    )
    model = build(arch, cfg)
    m = data.evaluate(model, "val")
    assert 0.0 <= m["exact_match"] <= 1.0 and m["loss"] > 0
    [r] = data.predict(model, ["the small cat eats the fish in the park"], beam_width=2)
    if arch == "seq2seq":
        assert r["attention"] is None
    else:
        attn = torch.tensor(r["attention"])
        assert attn.shape == (len(r["tokens"]), 9) or len(r["tokens"]) == 0
        if len(r["tokens"]):
            assert torch.allclose(attn.sum(-1), torch.ones(len(r["tokens"])), atol=1e-4)
    assert r["beams"] and all(isinstance(b["score"], float) for b in r["beams"])


def test_task_metadata():
    assert TranslationTask.primary.name == "exact_match" and TranslationTask.primary.higher_is_better
    for arch in ("seq2seq", "seq2seq-attn", "transformer"):
        model_over, train_over = TranslationTask.defaults(arch)
        make_config(arch, model_over, data_fields={"src_vocab_size": 50, "tgt_vocab_size": 60, "max_len": 20})
        assert train_over["epochs"] >= 1
    with pytest.raises(DataError):
        TranslationTask.prepare(SMALL, upload=b"x")
