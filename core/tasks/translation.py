"""Translation: English sentences -> Korean (a generated toy language) or real emoji names.

Corpora (option ``corpus``):

- ``toy-en-ko`` (default): pairs written by :mod:`core.tasks.grammar`, a small English grammar
  rendered in Korean word order (subject-object-verb) with particles chosen by the noun's last
  sound. Deterministic rules, so a good model reaches 100 % exact match on unseen sentences, and
  the attention maps are visibly non-monotonic (the English verb comes second, the Korean verb
  last; "yesterday" comes last in English and first in Korean).
- ``emoji-en-ko`` / ``emoji-en-fr``: the names of about 4,000 emoji in English and their
  human-written Korean or French names from the Unicode CLDR annotations, as shipped by the
  ``emoji`` package (offline). Short, real and much harder: many words occur once.

Batches follow the seq2seq keys of :mod:`core.models.base`: ``src``/``src_mask`` (source ids),
``tgt_in`` (SOS + target) and ``tgt_out`` (target + EOS), padded with PAD.
"""

from __future__ import annotations

import importlib.util
import json
import random
import string
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import torch
from torch import nn

from core.config import param
from core.messages import keyed
from core.models.base import EOS, PAD, SOS, SPECIALS, UNK
from core.seqeval import generate, sequence_metrics
from core.seqmetrics import bleu, exact_match, exact_match_by_length, sentence_bleu
from core.tasks.base import Batch, DataError, Metric, Task, TaskData, model_device, to_device
from core.tasks.grammar import generate_pairs, join_tokens
from core.text import Vocab, pad_batch, tokenize

Pair = tuple[list[str], list[str]]
CORPORA = ("toy-en-ko", "emoji-en-ko", "emoji-en-fr")
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)  # train, val, test
PROBE_SENTENCE = "the cat eats the fish"  # what "Inside the model" shows a loaded model


@dataclass(frozen=True)
class TranslationOptions:
    corpus: str = param(
        "toy-en-ko",
        choices=CORPORA,
        help="Which sentence pairs to learn from: 'toy-en-ko' = generated English -> Korean with "
        "strict rules (learnable to 100 %); 'emoji-en-ko' / 'emoji-en-fr' = about 4,000 real "
        "emoji names translated by people (Unicode CLDR), much harder.",
    )
    n_pairs: int = param(
        4000,
        lo=200,
        hi=20000,
        log=True,
        help="Number of distinct sentence pairs to generate (toy corpus only; split 80/10/10 into "
        "train, validation and test).",
    )
    clauses: int = param(
        1,
        lo=1,
        hi=3,
        help="Sentences joined with 'and' in each toy pair: 2 or 3 make inputs of 15 to 45 words, where a "
        "Seq2Seq without attention falls behind (its one context vector has to hold everything).",
    )
    max_len: int = param(
        48,
        lo=3,
        hi=64,
        help="Leave out pairs whose source or target has more words than this.",
    )
    reverse_source: bool = param(
        False,
        help="Feed the source sentence backwards (Sutskever et al. 2014): the first source words "
        "end up close to the first target words, which helps a Seq2Seq without attention.",
    )


# ---------------------------------------------------------------------------------- corpora


def _emoji_dir() -> Path:
    spec = importlib.util.find_spec("emoji")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the emoji corpora need the 'emoji' package: pip install emoji")
    return Path(next(iter(spec.submodule_search_locations))) / "unicode_codes"


def _clean_name(name: str) -> list[str]:
    """':woman_detective_medium-dark_skin_tone:' -> ['woman', 'detective', 'medium', '-', 'dark', ...]."""
    text = name.strip(":").replace("_", " ").replace("\u2019", "'")
    return tokenize(text, lower=True)


@lru_cache(maxsize=4)
def emoji_pairs(lang: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(English name, ``lang`` name) token pairs of every fully qualified emoji, read directly from
    the emoji package's JSON files; the first pair of each English name is kept."""
    base = _emoji_dir()
    try:
        english = json.loads((base / "emoji.json").read_text(encoding="utf-8"))
        other = json.loads((base / f"emoji_{lang}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DataError(f"could not read the emoji package's data files: {e}") from None
    seen: set[tuple[str, ...]] = set()
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for char, info in english.items():
        if info.get("status") != 2 or char not in other:  # 2 = fully qualified
            continue
        src, tgt = _clean_name(info["en"]), _clean_name(other[char])
        if not src or not tgt or tuple(src) in seen:
            continue
        seen.add(tuple(src))
        out.append((tuple(src), tuple(tgt)))
    return tuple(out)


def load_pairs(opts: TranslationOptions, seed: int) -> list[Pair]:
    if opts.corpus == "toy-en-ko":
        return generate_pairs(opts.n_pairs, seed, clauses=opts.clauses)
    if opts.corpus in ("emoji-en-ko", "emoji-en-fr"):
        return [(list(s), list(t)) for s, t in emoji_pairs(opts.corpus.rsplit("-", 1)[1])]
    raise DataError(f"unknown corpus {opts.corpus!r}; valid: {', '.join(CORPORA)}")


def _ascii_punctuation(token: str) -> bool:
    return all(ch in string.punctuation for ch in token)


def split_pairs(pairs: list[Pair], seed: int) -> dict[str, list[Pair]]:
    """Shuffle with the seed and cut 80/10/10. Callers pass distinct pairs, so no pair is in two splits."""
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    n_train = int(round(SPLIT_FRACTIONS[0] * len(pairs)))
    n_val = int(round(SPLIT_FRACTIONS[1] * len(pairs)))
    cuts = {
        "train": order[:n_train],
        "val": order[n_train : n_train + n_val],
        "test": order[n_train + n_val :],
    }
    return {k: [pairs[i] for i in idx] for k, idx in cuts.items()}


def encode_pairs(pairs: list[Pair], src_vocab: Vocab, tgt_vocab: Vocab, reverse_source: bool) -> Batch:
    src_ids = [src_vocab.encode(s[::-1] if reverse_source else s) for s, _ in pairs]
    src, src_mask = pad_batch(src_ids)
    tgt_in, _ = pad_batch([tgt_vocab.encode(t, sos=True) for _, t in pairs])
    tgt_out, _ = pad_batch([tgt_vocab.encode(t, eos=True) for _, t in pairs])
    return {"src": src, "src_mask": src_mask, "tgt_in": tgt_in, "tgt_out": tgt_out}


# ------------------------------------------------------------------------------- prepared


@dataclass
class TranslationData(TaskData):
    """Encoded splits, both vocabularies and the raw token pairs (references are the raw target
    words, so a word missing from the training vocabulary counts as an error, as it should)."""

    src_vocab: Vocab = field(default_factory=lambda: Vocab([]))
    tgt_vocab: Vocab = field(default_factory=lambda: Vocab([]))
    pairs: dict[str, list[Pair]] = field(default_factory=dict)
    corpus: str = "toy-en-ko"
    reverse_source: bool = False
    max_src_len: int = 16

    def lengths(self, split: str) -> dict[str, torch.Tensor] | None:
        """Source words per sentence (src, src_mask) and target tokens (tgt_in, tgt_out)."""
        data = self.splits[split]
        src = data["src_mask"].sum(1)
        tgt = (data["tgt_out"] != PAD).sum(1)
        return {"src": src, "src_mask": src, "tgt_in": tgt, "tgt_out": tgt}

    # -- metrics --------------------------------------------------------------------------------

    def _split(self, split: str) -> Batch:
        if split not in self.splits:
            raise DataError(f"unknown split {split!r}; valid: {', '.join(self.splits) or '(none)'}")
        return self.splits[split]

    def evaluate(self, model: nn.Module, split: str = "val") -> dict[str, float]:
        refs = [t for _, t in self.pairs.get(split, [])]
        return sequence_metrics(model, self._split(split), refs, self.tgt_vocab)

    def by_length(self, model: nn.Module, split: str = "test", width: int = 2) -> list[dict[str, Any]]:
        """Exact match and BLEU per bucket of source length (rows {"bucket", "lo", "hi", "n",
        "exact_match", "bleu"}, shortest first): without attention long sentences suffer."""
        data = self._split(split)
        hyps, _ = generate(model, data, self.tgt_vocab, max_len=data["tgt_out"].size(1))
        pairs = self.pairs[split]
        return exact_match_by_length(hyps, [t for _, t in pairs], [len(s) for s, _ in pairs], width)

    def _dictionary(self) -> dict[str, str]:
        """Source word -> the target word it co-occurs with most (Dice coefficient >= 0.3)."""
        src_count: Counter[str] = Counter()
        tgt_count: Counter[str] = Counter()
        both: Counter[tuple[str, str]] = Counter()
        for s, t in self.pairs.get("train", []):
            S, T = set(s), set(t)
            src_count.update(S)
            tgt_count.update(T)
            both.update((a, b) for a in S for b in T)
        best: dict[str, tuple[float, str]] = {}
        for (a, b), n in both.items():
            dice = 2 * n / (src_count[a] + tgt_count[b])
            if dice > best.get(a, (0.0, ""))[0]:
                best[a] = (dice, b)
        return {a: b for a, (d, b) in best.items() if d >= 0.3}

    def baselines(self) -> dict[str, dict[str, float]]:
        """Word-for-word: each English word replaced by the target word it co-occurs with most in
        the training pairs, kept in English order. It shows what word order and particles add."""
        pairs = self.pairs.get("test", [])
        if not pairs:
            return {}
        table = self._dictionary()
        hyps = [[table[w] for w in s if w in table] for s, _ in pairs]
        refs = [t for _, t in pairs]
        return {
            "word-for-word dictionary": {"exact_match": exact_match(hyps, refs), "bleu": bleu(hyps, refs)}
        }

    def sentence(self, tokens: list[str]) -> str:
        """Target tokens as a reader expects the sentence (display only; metrics score tokens). The
        toy corpus writes Korean particles as tokens of their own, attached again here (말 이 ->
        말이); the emoji names were split only at spaces and punctuation, so spaces rejoin them
        (their one standalone 가, in 옳을 가, is no particle)."""
        return join_tokens(tokens, "ko") if self.corpus == "toy-en-ko" else " ".join(tokens)

    # -- prediction -------------------------------------------------------------------------------

    def _decode_len(self) -> int:
        return max(2, int(self.model_fields["max_len"]) - 1)

    def _encode_text(self, text: str) -> dict[str, Any]:
        if not isinstance(text, str) or not text.strip():
            raise keyed(DataError("type a sentence first"), "translation.empty")
        tokens = tokenize(text, lower=True)
        # punctuation and symbols the corpus never uses (a final "." or "!", an emoji) are left out
        # rather than fed as <unk>; all but ASCII punctuation are reported, so nothing vanishes unseen
        words = [w for w in tokens if w in self.src_vocab.stoi or any(ch.isalnum() for ch in w)]
        dropped = list(dict.fromkeys(w for w in tokens if w not in words and not _ascii_punctuation(w)))
        if not words:
            raise keyed(
                DataError("type a sentence first (only punctuation or symbols such as emoji were found)"),
                "translation.only_symbols",
            )
        truncated = len(words) > self.max_src_len
        words = words[: self.max_src_len]
        fed = words[::-1] if self.reverse_source else words
        return {
            "words": words,
            "src_tokens": [w if w in self.src_vocab.stoi else SPECIALS[UNK] for w in fed],
            "ids": self.src_vocab.encode(fed),
            "unknown": self.src_vocab.unknown(words),
            "dropped": dropped,
            "truncated": truncated,
        }

    def predict(
        self, model: nn.Module, inputs: list[Any], beam_width: int = 1, length_penalty: float = 0.6, **kw: Any
    ) -> list[dict[str, Any]]:
        """Translate raw sentences. Each result: translation (the output as a sentence, see
        :meth:`sentence`), tokens (output words), src_tokens (the words fed, <unk> for unknown ones,
        reversed when reverse_source), unknown (words not in the training vocabulary), dropped
        (symbols left out, such as emoji; ASCII punctuation is left out without a word), truncated
        (bool), attention ((T, S) nested list of output word over source word, or None without
        attention) and, when beam_width > 1, beams ([{"tokens", "score"}], best first)."""
        from core.decode import beam_search, greedy

        if isinstance(inputs, str):
            inputs = [inputs]
        if not inputs:
            raise keyed(DataError("type a sentence first"), "translation.empty")
        encoded = [self._encode_text(t) for t in inputs]
        src, src_mask = pad_batch([e["ids"] for e in encoded])
        device = model_device(model)
        batch = to_device({"src": src, "src_mask": src_mask}, device)
        results = []
        if beam_width <= 1:
            tokens, attention = greedy(model, batch, self._decode_len())
            rows = tokens.cpu().tolist()
            for i, e in enumerate(encoded):
                words = self.tgt_vocab.decode(rows[i])
                attn = None
                if attention is not None:
                    attn = attention[i, : len(words), : len(e["ids"])].float().cpu().tolist()
                results.append(self._result(e, words, attn))
            return results
        beams = beam_search(model, batch, beam_width, self._decode_len(), length_penalty)
        for e, hyps in zip(encoded, beams):
            best = hyps[0]
            words = self.tgt_vocab.decode(best["tokens"])
            attn = best.get("attention")
            attn = None if attn is None else attn[: len(words), : len(e["ids"])].float().cpu().tolist()
            out = self._result(e, words, attn)
            out["beams"] = [
                {"tokens": self.tgt_vocab.decode(h["tokens"]), "score": float(h["score"])} for h in hyps
            ]
            results.append(out)
        return results

    def _result(self, e: dict[str, Any], words: list[str], attn: list | None) -> dict[str, Any]:
        return {
            "translation": self.sentence(words),
            "tokens": words,
            "src_tokens": e["src_tokens"],
            "unknown": e["unknown"],
            "dropped": e["dropped"],
            "truncated": e["truncated"],
            "attention": attn,
        }

    def examples(self, model: nn.Module, n: int = 8) -> list[dict[str, Any]]:
        """The first ``n`` test pairs: source, reference, hypothesis (greedy; both as sentences, see
        :meth:`sentence`), sentence BLEU and correct (both on tokens)."""
        pairs = self.pairs.get("test", [])[:n]
        if not pairs:
            return []
        data = {k: v[: len(pairs)] for k, v in self.splits["test"].items()}
        hyps, _ = generate(model, data, self.tgt_vocab, max_len=self._decode_len())
        return [
            {
                "source": " ".join(s),
                "reference": self.sentence(t),
                "hypothesis": self.sentence(h),
                "bleu": sentence_bleu(h, t),
                "correct": h == t,
            }
            for (s, t), h in zip(pairs, hyps)
        ]

    def probe(self) -> tuple[Batch, dict[str, list[str]]] | None:
        """A fixed test pair (the first with 8-11 source words, for an interesting reordering)."""
        pairs = self.pairs.get("test", [])
        if not pairs:
            return None
        i = next((k for k, (s, _) in enumerate(pairs) if 8 <= len(s) <= 11), 0)
        s, t = pairs[i]
        batch = encode_pairs([(s, t)], self.src_vocab, self.tgt_vocab, self.reverse_source)
        fed = s[::-1] if self.reverse_source else s
        return batch, {"src": list(fed), "tgt": list(t) + [SPECIALS[EOS]]}

    def probe_for(self, model: nn.Module) -> tuple[Batch, dict[str, list[str]]] | None:
        """The fixed test pair; without test pairs (a model loaded from a file) a typed sentence,
        teacher-forced on the model's own greedy translation of it."""
        probe = self.probe()
        if probe is not None:
            return probe
        words = [w for w in PROBE_SENTENCE.split() if w in self.src_vocab.stoi]
        if len(words) < 3:  # another corpus: its most frequent source words
            words = [w for w in self.src_vocab.itos if w not in SPECIALS][:6]
        if not words:
            return None
        text = " ".join(words)
        e = self._encode_text(text)
        out = self.predict(model, [text])[0]["tokens"][: self._decode_len()]
        tgt = self.tgt_vocab.encode(out)
        batch = {
            "src": torch.tensor([e["ids"]], dtype=torch.long),
            "src_mask": torch.ones(1, len(e["ids"]), dtype=torch.bool),
            "tgt_in": torch.tensor([[SOS, *tgt]], dtype=torch.long),
            "tgt_out": torch.tensor([[*tgt, EOS]], dtype=torch.long),
        }
        return batch, {"src": list(e["src_tokens"]), "tgt": [*out, SPECIALS[EOS]]}

    def state(self) -> dict[str, Any]:
        return {
            "corpus": self.corpus,
            "src_vocab": self.src_vocab.to_json(),
            "tgt_vocab": self.tgt_vocab.to_json(),
            "reverse_source": self.reverse_source,
            "max_src_len": self.max_src_len,
            "model_fields": dict(self.model_fields),
        }


@lru_cache(maxsize=8)
def _prepare(opts: TranslationOptions, seed: int) -> TranslationData:
    pairs = load_pairs(opts, seed)
    kept = [(s, t) for s, t in pairs if len(s) <= opts.max_len and len(t) <= opts.max_len]
    notices = []
    if len(kept) < len(pairs):
        notices.append(
            f"{len(pairs) - len(kept)} of {len(pairs)} pairs are longer than {opts.max_len} words: left out"
        )
    if len(kept) < 20:
        raise DataError(f"only {len(kept)} pairs are at most {opts.max_len} words long: raise max_len")
    splits = split_pairs(kept, seed)
    src_vocab = Vocab.build(s for s, _ in splits["train"])
    tgt_vocab = Vocab.build(t for _, t in splits["train"])
    longest = max(max(len(s), len(t)) for s, t in kept)
    return TranslationData(
        splits={k: encode_pairs(v, src_vocab, tgt_vocab, opts.reverse_source) for k, v in splits.items()},
        model_fields={
            "src_vocab_size": len(src_vocab),
            "tgt_vocab_size": len(tgt_vocab),
            "max_len": longest + 2,
        },
        notices=notices,
        src_vocab=src_vocab,
        tgt_vocab=tgt_vocab,
        pairs=splits,
        corpus=opts.corpus,
        reverse_source=opts.reverse_source,
        max_src_len=max(len(s) for s, _ in kept),
    )


class TranslationTask(Task):
    name: ClassVar[str] = "translation"
    order: ClassVar[int] = 30  # where the app lists it (its page's PageConfig.order agrees)
    title: ClassVar[str] = "Translation (English -> Korean)"
    objective: ClassVar[str] = "seq2seq"
    options: ClassVar[type] = TranslationOptions
    primary: ClassVar[Metric] = Metric("exact_match", True, 0.95, "Test exact match")
    variable_length: ClassVar[bool] = True
    description: ClassVar[str] = (
        "Translate short English sentences into Korean. Korean puts the verb last "
        "(subject-object-verb) and marks subject and object with particles (이/가, 을/를, ...) whose "
        "form depends on the last sound of the noun, so the model has to reorder words and look "
        "back at the right source word: watch the attention map. The emoji corpora are real "
        "human translations of emoji names (English -> Korean or French)."
    )

    # Settings measured to pass the target on the default toy corpus (see the report).
    tuned: ClassVar[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
        "transformer": (
            {"d_model": 64, "n_heads": 4, "d_ff": 128, "n_enc_layers": 2, "n_dec_layers": 2, "dropout": 0.1},
            {"epochs": 6, "batch_size": 64, "lr": 2e-3, "clip": 1.0},
        ),
        "seq2seq-attn": (
            {"cell": "gru", "embed_dim": 64, "hidden_size": 128, "num_layers": 1},
            {"epochs": 4, "batch_size": 64, "lr": 3e-3, "clip": 1.0},
        ),
        "seq2seq": (
            {"cell": "gru", "embed_dim": 64, "hidden_size": 128, "num_layers": 1},
            {"epochs": 10, "batch_size": 64, "lr": 3e-3, "clip": 1.0},
        ),
    }

    @classmethod
    def prepare(cls, opts: TranslationOptions, seed: int = 0, upload: bytes | None = None) -> TranslationData:
        if upload is not None:
            raise DataError("translation does not take uploads; pick a corpus instead")
        return _prepare(opts, seed).fresh()

    @classmethod
    def restore(cls, state: dict[str, Any], opts: TranslationOptions) -> TranslationData:
        try:
            src_vocab = Vocab.from_json(state["src_vocab"])
            tgt_vocab = Vocab.from_json(state["tgt_vocab"])
            fields = dict(state["model_fields"])
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(f"the saved translation state is incomplete or damaged: {e}") from None
        return TranslationData(
            splits={},
            model_fields=fields,
            src_vocab=src_vocab,
            tgt_vocab=tgt_vocab,
            pairs={},
            corpus=str(state.get("corpus", opts.corpus)),
            reverse_source=bool(state.get("reverse_source", False)),
            max_src_len=int(state.get("max_src_len", opts.max_len)),
        )
