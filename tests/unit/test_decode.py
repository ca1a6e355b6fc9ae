"""Greedy and beam-search decoding: hand-computed cases on a table model, and real models."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from core.decode import beam_search, gnmt_length_penalty, greedy
from core.models.base import EOS, PAD, SOS
from core.models.captioner import Captioner, CaptionerConfig
from core.models.seq2seq import Seq2Seq, Seq2SeqConfig

A, B_, C = 4, 5, 6  # token ids of a 7-token vocabulary (0..3 are PAD SOS EOS UNK)
V = 7


class TableModel(nn.Module):
    """Next-token probabilities from a fixed table keyed by the prefix (tokens after SOS).

    Tokens missing from an entry have probability 0; a prefix missing from the table ends (EOS).
    """

    def __init__(self, table: dict[tuple[int, ...], dict[int, float]]):
        super().__init__()
        self.table = table
        self.calls = 0

    def encode(self, batch):
        return {"row": torch.arange(batch["src"].size(0))}

    def decode_step(self, state, ys):
        self.calls += 1
        logits = torch.full((ys.size(0), V), -math.inf)
        for i, prefix in enumerate(ys[:, 1:].tolist()):
            for tok, p in self.table.get(tuple(prefix), {EOS: 1.0}).items():
                logits[i, tok] = math.log(p)
        return logits, state, None

    def reorder_state(self, state, idx):
        return {k: v[idx] for k, v in state.items()}


ONE = {"src": torch.zeros(1, 1, dtype=torch.long)}

# Greedy takes A (0.5) and then EOS (0.4): P = 0.20. Beam keeps B too: B then EOS has P = 0.36.
GREEDY_TRAP = {
    (): {A: 0.5, B_: 0.4, EOS: 0.1},
    (A,): {EOS: 0.4, A: 0.3, B_: 0.3},
    (B_,): {EOS: 0.9, A: 0.1},
}


def test_greedy_takes_the_locally_best_token():
    tokens, attention = greedy(TableModel(GREEDY_TRAP), ONE, max_len=10)
    assert tokens.tolist() == [[A, EOS]]
    assert attention is None


def test_beam_finds_what_greedy_misses():
    beams = beam_search(TableModel(GREEDY_TRAP), ONE, beam_width=2, max_len=10, length_penalty=0.0)[0]
    # step 1: live A (.5), B (.4); EOS (.1) ranks 3rd, outside the beam -> dropped.
    # step 2: B EOS (.36) and A EOS (.20) rank 1st and 2nd -> two finished, done.
    assert [b["tokens"] for b in beams] == [[B_, EOS], [A, EOS]]
    assert beams[0]["logprob"] == pytest.approx(math.log(0.36))
    assert beams[1]["logprob"] == pytest.approx(math.log(0.20))
    assert beams[0]["score"] == pytest.approx(math.log(0.36))  # alpha = 0: score = logprob
    assert beams[0]["attention"] is None


def test_beam_width_three_keeps_the_short_hypothesis_and_scores_with_gnmt_penalty():
    alpha = 0.6
    beams = beam_search(TableModel(GREEDY_TRAP), ONE, beam_width=3, max_len=10, length_penalty=alpha)[0]
    assert [b["tokens"] for b in beams] == [[B_, EOS], [A, EOS], [EOS]]
    lp2 = ((5 + 2) / 6) ** alpha
    assert beams[0]["score"] == pytest.approx(math.log(0.36) / lp2)
    assert beams[1]["score"] == pytest.approx(math.log(0.20) / lp2)
    assert beams[2]["score"] == pytest.approx(math.log(0.10))  # lp(1) = 1
    assert gnmt_length_penalty(2, alpha) == pytest.approx(lp2)


# A short answer with a slightly higher probability and a longer one:
# [A, EOS] has P = .52 (length 2), [B, B, B, EOS] has P = .48 (length 4).
SHORT_VS_LONG = {
    (): {A: 0.52, B_: 0.48},
    (A,): {EOS: 1.0},
    (B_,): {B_: 1.0},
    (B_, B_): {B_: 1.0},
    (B_, B_, B_): {EOS: 1.0},
}


def test_length_penalty_changes_the_ranking():
    model = TableModel(SHORT_VS_LONG)
    raw = beam_search(model, ONE, beam_width=2, max_len=10, length_penalty=0.0)[0]
    assert [b["tokens"] for b in raw] == [[A, EOS], [B_, B_, B_, EOS]]
    assert [b["score"] for b in raw] == pytest.approx([math.log(0.52), math.log(0.48)])
    # alpha = 1: log(.52) / (7/6) = -0.5605 < log(.48) / (9/6) = -0.4893, so the long one wins
    pen = beam_search(model, ONE, beam_width=2, max_len=10, length_penalty=1.0)[0]
    assert [b["tokens"] for b in pen] == [[B_, B_, B_, EOS], [A, EOS]]
    assert [b["score"] for b in pen] == pytest.approx([math.log(0.48) / 1.5, math.log(0.52) / (7 / 6)])
    assert [b["logprob"] for b in pen] == pytest.approx([math.log(0.48), math.log(0.52)])


def test_width_one_is_greedy_on_the_table():
    beams = beam_search(TableModel(GREEDY_TRAP), ONE, beam_width=1, max_len=10)[0]
    assert len(beams) == 1
    assert beams[0]["tokens"] == [A, EOS]
    assert beams[0]["logprob"] == pytest.approx(math.log(0.2))


def test_max_len_cuts_outputs_that_never_end():
    forever = {(A,) * n: {A: 0.9, EOS: 0.1} for n in range(10)}
    tokens, _ = greedy(TableModel(forever), ONE, max_len=3)
    assert tokens.tolist() == [[A, A, A]]
    beams = beam_search(TableModel(forever), ONE, beam_width=1, max_len=3)[0]
    assert beams[0]["tokens"] == [A, A, A]
    assert beams[0]["logprob"] == pytest.approx(3 * math.log(0.9))


def test_pad_and_sos_are_never_generated():
    table = {(): {PAD: 0.6, SOS: 0.3, A: 0.1}, (A,): {EOS: 1.0}}
    assert greedy(TableModel(table), ONE, max_len=5)[0].tolist() == [[A, EOS]]
    beams = beam_search(TableModel(table), ONE, beam_width=3, max_len=5)[0]
    assert [b["tokens"] for b in beams] == [[A, EOS]]
    assert beams[0]["logprob"] == pytest.approx(0.0)  # A is the only allowed first token


def test_greedy_pads_after_eos_and_stops_when_all_rows_end():
    table = {(): {A: 1.0}, (A,): {EOS: 1.0}}
    model = TableModel(table)
    tokens, _ = greedy(model, {"src": torch.zeros(3, 1, dtype=torch.long)}, max_len=10)
    assert tokens.tolist() == [[A, EOS]] * 3
    assert model.calls == 2


# ------------------------------------------------------------------------------------------
# real models
# ------------------------------------------------------------------------------------------


def seq2seq_batch(seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(4, 15, (8, 6), generator=g)
    mask = torch.arange(6)[None, :] < torch.tensor([[6], [3], [5], [1], [2], [6], [4], [5]])
    return {"src": src.masked_fill(~mask, PAD), "src_mask": mask}


# Untrained models spread their probability thinly and rarely say EOS. Sharper output weights and
# a nudge towards EOS (chosen per attention kind) give a mix of ended and unfinished outputs of
# many lengths, so the tests below see every branch of the beam bookkeeping.
EOS_BIAS = {"none": 0.25, "bahdanau": 2.0, "luong": 0.25}


def make_seq2seq(attention: str) -> Seq2Seq:
    torch.manual_seed(1)
    cfg = Seq2SeqConfig(src_vocab_size=15, tgt_vocab_size=9, embed_dim=8, hidden_size=16, attention=attention)
    model = Seq2Seq(cfg)
    with torch.no_grad():
        model.decoder.W_hy.weight.mul_(8.0)
        model.decoder.W_hy.bias[EOS] += EOS_BIAS[attention]
    return model


def make_captioner() -> Captioner:
    torch.manual_seed(1)
    return Captioner(CaptionerConfig(image_channels=1, image_size=8, tgt_vocab_size=9, hidden_size=16))


def sequence_logprob(model, batch_row: dict[str, torch.Tensor], tokens: list[int]):
    """log P(tokens | source) and the attention (T, S) from one teacher-forced forward pass."""
    tgt_in = torch.tensor([[SOS] + tokens[:-1]])
    model.eval()
    with torch.no_grad():
        out = model({**batch_row, "tgt_in": tgt_in})
    logits = out.logits[0].clone()
    logits[:, [PAD, SOS]] = -math.inf
    logp = torch.log_softmax(logits, -1).gather(1, torch.tensor(tokens)[:, None]).sum().item()
    cross = out.attention.get("cross")
    return logp, (None if cross is None else cross[0, 0, 0])


@pytest.mark.parametrize("attention", ["none", "bahdanau", "luong"])
def test_greedy_equals_beam_width_one_on_seq2seq(attention):
    model = make_seq2seq(attention)
    batch = seq2seq_batch()
    tokens, attn = greedy(model, batch, max_len=6)
    ended = (tokens == EOS).any(1)
    assert ended.any() and not ended.all()  # both kinds of rows are covered
    beams = beam_search(model, batch, beam_width=1, max_len=6)
    for i, hyps in enumerate(beams):
        row = tokens[i].tolist()
        row = row[: row.index(EOS) + 1] if EOS in row else row
        assert hyps[0]["tokens"] == row
        if attention == "none":
            assert attn is None and hyps[0]["attention"] is None
        else:
            torch.testing.assert_close(hyps[0]["attention"], attn[i, : len(row)])
            assert torch.all(attn[i, len(row) :] == 0)  # zeros after EOS


def test_greedy_equals_beam_width_one_on_captioner():
    model = make_captioner()
    batch = {"src": torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(0))}
    tokens, _ = greedy(model, batch, max_len=6)
    for i, hyps in enumerate(beam_search(model, batch, beam_width=1, max_len=6)):
        row = tokens[i].tolist()
        assert hyps[0]["tokens"] == (row[: row.index(EOS) + 1] if EOS in row else row)


@pytest.mark.parametrize("attention", ["none", "bahdanau", "luong"])
def test_beam_hypotheses_match_teacher_forced_scoring(attention):
    """Each returned hypothesis' log-prob (and attention) is what the model assigns to it when
    scored in one teacher-forced pass: the beam bookkeeping (reorder_state) is right."""
    model = make_seq2seq(attention)
    batch = seq2seq_batch()
    alpha = 0.6
    results = beam_search(model, batch, beam_width=3, max_len=6, length_penalty=alpha)
    assert len(results) == 8
    every = [h for hyps in results for h in hyps]
    assert any(h["tokens"][-1] == EOS for h in every)  # finished hypotheses...
    assert any(len(h["tokens"]) == 6 and h["tokens"][-1] != EOS for h in every)  # ...and cut ones
    assert len({len(h["tokens"]) for h in every}) >= 3
    for i, hyps in enumerate(results):
        assert 1 <= len(hyps) <= 3
        scores = [h["score"] for h in hyps]
        assert scores == sorted(scores, reverse=True)
        assert len({tuple(h["tokens"]) for h in hyps}) == len(hyps)  # distinct hypotheses
        row = {k: v[i : i + 1] for k, v in batch.items()}
        for h in hyps:
            logp, attn = sequence_logprob(model, row, h["tokens"])
            assert h["logprob"] == pytest.approx(logp, abs=1e-4)
            assert h["score"] == pytest.approx(h["logprob"] / gnmt_length_penalty(len(h["tokens"]), alpha))
            assert EOS not in h["tokens"][:-1]
            if attn is None:
                assert h["attention"] is None
            else:
                assert h["attention"].shape == (len(h["tokens"]), 6)
                torch.testing.assert_close(h["attention"], attn, atol=1e-5, rtol=1e-4)


def test_decoders_drive_the_transformer_too():
    from core.models.transformer import Transformer, TransformerConfig

    torch.manual_seed(1)
    cfg = TransformerConfig(
        src_vocab_size=15,
        tgt_vocab_size=9,
        max_len=16,
        d_model=16,
        n_heads=2,
        d_ff=32,
        n_enc_layers=1,
        n_dec_layers=1,
        tie_embeddings=False,
    )
    model = Transformer(cfg)
    with torch.no_grad():
        model.generator.weight.mul_(4.0)
        model.generator.bias[EOS] += 1.0
    batch = seq2seq_batch()
    tokens, attn = greedy(model, batch, max_len=6)
    assert attn.shape == (8, tokens.size(1), 6)
    results = beam_search(model, batch, beam_width=1, max_len=6)
    for i, hyps in enumerate(results):
        row = tokens[i].tolist()
        assert hyps[0]["tokens"] == (row[: row.index(EOS) + 1] if EOS in row else row)
    for i, hyps in enumerate(beam_search(model, batch, beam_width=3, max_len=6)):
        row = {k: v[i : i + 1] for k, v in batch.items()}
        for h in hyps:
            assert h["logprob"] == pytest.approx(sequence_logprob(model, row, h["tokens"])[0], abs=1e-4)


def test_decoding_restores_training_mode_and_needs_no_grad():
    model = make_seq2seq("bahdanau")
    model.train()
    batch = seq2seq_batch()
    tokens, attn = greedy(model, batch, max_len=5)
    assert model.training
    assert not tokens.requires_grad and not attn.requires_grad
    beams = beam_search(model, batch, beam_width=2, max_len=5)
    assert model.training
    assert not beams[0][0]["attention"].requires_grad
    model.eval()
    greedy(model, batch, max_len=5)
    assert not model.training
