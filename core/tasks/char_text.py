"""Character-level text generation: a network reads a text one character at a time and learns to
say which character comes next (many-to-many: an output at every step). Sampled one character at a
time, each draw fed back in, it writes new text in the style of what it read.

The default text is Shakespeare's sonnets (public domain, ``core/data/sonnets.txt``); a learner may
upload any plain-text file instead. The text is cut in order into train (90 %), validation (5 %)
and test (5 %), and each part into windows of ``seq_len + 1`` characters: the input is the window
without its last character, the target the window without its first.

Quality is measured in bits per character (bpc): the cross-entropy of the next character in base
2, i.e. how many yes/no questions the model still needs per character. Baselines that need no
training: the character frequencies alone (unigram) and the next character given the one before
(bigram) or the two before (trigram), counted on the training text. A model is only useful where
it beats them.

Batches use the ``lm`` keys of :mod:`core.models.base`: ``x`` (B, T) ids, ``y`` (B, T) the next id
at every step.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.config import param
from core.models.base import SPECIALS, UNK, evaluating
from core.tasks.base import Batch, DataError, Metric, Task, TaskData, iterate, model_device

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "sonnets.txt"
SOURCES = ("sonnets", "upload")
SPLIT = (0.90, 0.05, 0.05)  # train, validation, test, in the text's order
MAX_VOCAB = 400  # distinct characters kept (the most frequent); the rest read as <unk>
EPOCH_SAMPLE = 160  # characters written after each epoch, to watch the model learn
EVAL_BATCH = 256
LN2 = math.log(2.0)


@dataclass(frozen=True)
class CharTextOptions:
    source: str = param(
        "sonnets",
        choices=SOURCES,
        help="The text to learn from: Shakespeare's 154 sonnets (shipped, public domain) or a plain-text "
        "file of your own (UTF-8).",
    )
    seq_len: int = param(
        64,
        lo=8,
        hi=256,
        help="Characters per training example: how far back the training signal reaches (and the "
        "longest context a Transformer reads).",
    )
    max_chars: int = param(
        100_000,
        lo=2_000,
        hi=2_000_000,
        log=True,
        help="Characters of the text used, from its start (the sonnets have about 96,000).",
    )
    lowercase: bool = param(False, help="Read everything in lower case: fewer characters to learn.")


def read_text(opts: CharTextOptions, upload: bytes | None) -> str:
    """The text the options name, normalised (NFC, \\n line ends), cut to ``max_chars``."""
    if opts.source == "upload":
        if upload is None:
            raise DataError("source is 'upload' but no file was given: upload a plain-text (.txt) file")
        try:
            text = upload.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(
                "the file is not UTF-8 text: save it as plain text (UTF-8) and upload it again"
            ) from None
    else:
        text = DATA_FILE.read_text(encoding="utf-8")
    if "\x00" in text:
        raise DataError("the file holds binary data (NUL bytes), not text")
    text = normalise(text, opts)
    need = 20 * (opts.seq_len + 1)
    if len(text.strip()) < need:
        raise DataError(
            f"the text has {len(text.strip()):,} characters; at least {need:,} are needed for "
            f"{opts.seq_len}-character examples (lower the sequence length or use a longer text)"
        )
    return text


def normalise(text: str, opts: CharTextOptions) -> str:
    """One form for every text: composed Unicode (NFC), \\n line ends, lower case if asked, the
    first ``max_chars`` characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if opts.lowercase:
        text = text.lower()
    return text[: opts.max_chars]


def encode_chars(text: str, chars: list[str]) -> list[int]:
    """Character ids: the specials first, then ``chars`` in order; an unknown character is <unk>."""
    stoi = {c: i for i, c in enumerate(chars, start=len(SPECIALS))}
    return [stoi.get(c, UNK) for c in text]


def split_text(text: str, seq_len: int) -> tuple[dict[str, str], list[str], list[str], dict[str, Batch]]:
    """Cut the text in order into train / val / test (``SPLIT``), learn the characters on train,
    and cut each part into windows: (texts, characters, characters left out, splits)."""
    n = len(text)
    a, b = int(n * SPLIT[0]), int(n * (SPLIT[0] + SPLIT[1]))
    texts = {"train": text[:a], "val": text[a:b], "test": text[b:]}
    chars, unknown = char_vocab(texts["train"])
    splits = {
        name: windows(torch.tensor(encode_chars(part, chars), dtype=torch.long), seq_len)
        for name, part in texts.items()
    }
    return texts, chars, unknown, splits


@torch.no_grad()
def lm_metrics(model: nn.Module, split: Batch) -> dict[str, float]:
    """Mean next-token cross-entropy (loss, in nats), bits per character (loss / ln 2) and the
    share of next characters the model ranks first, over every position of a split."""
    n = split["y"].numel()
    if n == 0:
        return {"loss": math.nan, "bpc": math.nan, "accuracy": math.nan}
    device = model_device(model)
    loss_sum, correct = 0.0, 0
    with evaluating(model):
        for batch in iterate(split, EVAL_BATCH):
            x, y = batch["x"].to(device), batch["y"].to(device)
            logits = model({"x": x}).logits  # (B, T, V)
            loss_sum += float(F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum"))
            correct += int((logits.argmax(-1) == y).sum())
    loss = loss_sum / n
    return {"loss": loss, "bpc": loss / LN2, "accuracy": correct / n}


def char_vocab(text: str) -> tuple[list[str], list[str]]:
    """(kept characters by frequency then code point, characters left out as <unk>)."""
    counts = Counter(text)
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    return sorted(ranked[:MAX_VOCAB]), sorted(ranked[MAX_VOCAB:])


def windows(ids: Tensor, seq_len: int) -> Batch:
    """Non-overlapping windows of seq_len + 1 ids: x = all but the last, y = all but the first."""
    n = (ids.numel() - 1) // seq_len
    if n < 1:
        return {
            "x": torch.zeros(0, seq_len, dtype=torch.long),
            "y": torch.zeros(0, seq_len, dtype=torch.long),
        }
    idx = torch.arange(n).unsqueeze(1) * seq_len + torch.arange(seq_len + 1)  # (n, seq_len + 1)
    w = ids[idx]
    return {"x": w[:, :-1].contiguous(), "y": w[:, 1:].contiguous()}


def ngram_bpc(train: list[int], test: list[int], order: int, vocab_size: int, k: float = 0.1) -> float:
    """Bits per character of an order-``order`` character model counted on ``train`` (add-k
    smoothing over the vocabulary), on ``test``: the baseline a network has to beat."""
    if not test:
        return math.nan
    ctx_counts: Counter[tuple[int, ...]] = Counter()
    counts: Counter[tuple[int, ...]] = Counter()
    for i in range(order - 1, len(train)):
        ctx = tuple(train[i - order + 1 : i])
        ctx_counts[ctx] += 1
        counts[ctx + (train[i],)] += 1
    total, scored = 0.0, range(order - 1, len(test))  # every character with a full context
    for i in scored:
        ctx = tuple(test[i - order + 1 : i])
        p = (counts[ctx + (test[i],)] + k) / (ctx_counts[ctx] + k * vocab_size)
        total -= math.log2(p)
    return total / max(1, len(scored))


def sample(
    model: nn.Module,
    prompt: list[int],
    n: int,
    temperature: float,
    seed: int = 0,
    banned: tuple[int, ...] = (),
) -> list[int]:
    """``n`` ids drawn one at a time after ``prompt``, each fed back in (``model.generate_step``).

    Temperature divides the logits before the softmax: below 1 the likely characters get likelier
    (safer, more repetitive text), above 1 the distribution flattens (bolder, more mistakes); 0
    always takes the most likely character. ``banned`` ids (the specials) are never drawn."""
    device = model_device(model)
    gen = torch.Generator().manual_seed(seed)
    out: list[int] = []
    with evaluating(model):
        logits, state = model.generate_step(torch.tensor([prompt], device=device), None)
        for _ in range(n):
            last = logits[0, -1].float().cpu()
            if banned:
                last[list(banned)] = -math.inf
            if temperature <= 0:
                nxt = int(last.argmax())
            else:
                probs = F.softmax(last / temperature, dim=-1)
                nxt = int(torch.multinomial(probs, 1, generator=gen))
            out.append(nxt)
            logits, state = model.generate_step(torch.tensor([[nxt]], device=device), state)
    return out


@dataclass
class CharTextData(TaskData):
    opts: CharTextOptions = field(default_factory=CharTextOptions)
    chars: list[str] = field(default_factory=list)  # the vocabulary after the specials
    texts: dict[str, str] = field(default_factory=dict)  # the text of each split
    unknown: list[str] = field(default_factory=list)  # characters read as <unk>

    example_prompt: ClassVar[str] = "Shall I compare thee"

    @property
    def vocab(self) -> list[str]:
        return list(SPECIALS) + self.chars

    def encode(self, text: str, *, strict: bool = False) -> list[int]:
        """Character ids; unknown characters are <unk>, or a DataError naming them when ``strict``."""
        if strict:
            known = set(self.chars)
            missing = sorted({c for c in text if c not in known})
            if missing:
                shown = ", ".join(repr(c) for c in missing[:10])
                raise DataError(f"the model never read these characters: {shown}; use characters of its text")
        return encode_chars(text, self.chars)

    def decode(self, ids: list[int]) -> str:
        v = self.vocab
        return "".join(v[i] if i >= len(SPECIALS) else "\ufffd" for i in ids)

    def evaluate(self, model: nn.Module, split: str = "val") -> dict[str, float]:
        """Mean next-character cross-entropy (loss, in nats), bits per character, accuracy."""
        return lm_metrics(model, self.splits[split])

    def baselines(self) -> dict[str, dict[str, float]]:
        if "train" not in self.texts or not self.texts.get("test"):
            return {}
        train, test = self.encode(self.texts["train"]), self.encode(self.texts["test"])
        V = len(self.vocab)
        out = {}
        for name, order in (("trigram", 3), ("bigram", 2), ("unigram", 1)):
            out[name] = {"bpc": ngram_bpc(train, test, order, V)}
        return out

    def generate(
        self, model: nn.Module, prompt: str, n: int = 200, temperature: float = 0.8, seed: int = 0
    ) -> str:
        """``n`` characters the model writes after ``prompt`` (its characters must be known)."""
        ids = self.encode(prompt, strict=True) if prompt else [self._start_id()]
        drawn = sample(model, ids, n, temperature, seed, banned=tuple(range(len(SPECIALS))))
        return self.decode(drawn)

    def _start_id(self) -> int:
        """With no prompt, start from a line break (or the most common character)."""
        return self.encode("\n")[0] if "\n" in self.chars else len(SPECIALS)

    def epoch_sample(self, model: nn.Module) -> str | None:
        """What the model writes after each epoch: the same prompt, seed and temperature every time,
        so the difference from one epoch to the next is what it learned."""
        prompt = self.sample_prompt()
        return prompt + self.generate(model, prompt, EPOCH_SAMPLE, temperature=0.8, seed=0)

    def sample_prompt(self) -> str:
        if all(c in self.chars for c in self.example_prompt):
            return self.example_prompt
        start = self.texts.get("test") or self.texts.get("train") or ""
        return "".join(c for c in start[:20] if c in self.chars)

    def predict(self, model: nn.Module, inputs: list[Any], **kw: Any) -> list[dict[str, Any]]:
        """For each prompt: the text written after it (``n`` characters, ``temperature``, ``seed``)."""
        n = int(kw.get("n", 200))
        temperature = float(kw.get("temperature", 0.8))
        seed = int(kw.get("seed", 0))
        out = []
        for prompt in inputs:
            prompt = unicodedata.normalize("NFC", str(prompt))
            if self.opts.lowercase:
                prompt = prompt.lower()
            out.append({"prompt": prompt, "text": self.generate(model, prompt, n, temperature, seed)})
        return out

    def next_chars(self, model: nn.Module, context: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` likeliest next characters after ``context`` and their probabilities."""
        ids = self.encode(context, strict=True)[-self.opts.seq_len :] or [self._start_id()]
        device = model_device(model)
        with evaluating(model):
            logits = model({"x": torch.tensor([ids], device=device)}).logits[0, -1].float().cpu()
        logits[: len(SPECIALS)] = -math.inf
        p = F.softmax(logits, dim=-1)
        top = torch.topk(p, min(k, p.numel() - len(SPECIALS)))
        return [(self.vocab[int(i)], float(v)) for v, i in zip(top.values, top.indices, strict=True)]

    def examples(self, model: nn.Module, n: int = 8) -> list[dict[str, Any]]:
        """Test windows: the context, the real next character and the model's first guess."""
        test = self.splits.get("test")
        if not test or test["x"].size(0) == 0:
            return []
        rows = []
        for i in range(min(n, test["x"].size(0))):
            x, y = test["x"][i].tolist(), int(test["y"][i, -1])
            guess = self.next_chars(model, self.decode(x), 1)[0]
            rows.append({"context": self.decode(x), "next": self.vocab[y], "guess": guess[0], "p": guess[1]})
        return rows

    def probe(self) -> tuple[Batch, dict[str, list[str]]] | None:
        """The first 40 characters of the test text: attention maps and gates are drawn on it."""
        text = self.texts.get("test", "")[:40]
        if len(text) < 2:
            return None
        return self._probe_of(text)

    def probe_for(self, model: nn.Module) -> tuple[Batch, dict[str, list[str]]] | None:
        if self.texts.get("test"):
            return self.probe()
        return self._probe_of(self.sample_prompt() or "".join(self.chars[:20]))

    def _probe_of(self, text: str) -> tuple[Batch, dict[str, list[str]]]:
        ids = self.encode(text)[: self.opts.seq_len]
        shown = ["␣" if c == " " else "⏎" if c == "\n" else c for c in text[: len(ids)]]
        return {"x": torch.tensor([ids])}, {"x": shown}

    def state(self) -> dict[str, Any]:
        return {"chars": self.chars, "options": dataclasses.asdict(self.opts)}


def _fields(opts: CharTextOptions, chars: list[str]) -> dict[str, Any]:
    V = len(SPECIALS) + len(chars)
    return {"vocab_size": V, "n_out": V, "max_len": opts.seq_len, "readout": "each"}


def _build(opts: CharTextOptions, text: str) -> CharTextData:
    texts, chars, unknown, splits = split_text(text, opts.seq_len)
    data = CharTextData(
        splits=splits, model_fields=_fields(opts, chars), opts=opts, chars=chars, texts=texts, unknown=unknown
    )
    if data.splits["val"]["x"].size(0) == 0 or data.splits["test"]["x"].size(0) == 0:
        raise DataError(
            f"the text is too short for {opts.seq_len}-character examples in its validation and test "
            "parts (5 % each): lower the sequence length or use a longer text"
        )
    if unknown:
        data.notices.append(
            f"The text has {len(chars) + len(unknown):,} different characters; the {MAX_VOCAB} most frequent "
            f"are learned and the other {len(unknown):,} read as <unk>."
        )
    return data


@lru_cache(maxsize=4)
def _prepare_shipped(opts: CharTextOptions) -> CharTextData:
    return _build(opts, read_text(opts, None))


class CharTextTask(Task):
    name: ClassVar[str] = "char-text"
    order: ClassVar[int] = 70  # where the app lists it (its page's PageConfig.order agrees)
    title: ClassVar[str] = "Text generation (character by character)"
    objective: ClassVar[str] = "lm"
    options: ClassVar[type] = CharTextOptions
    primary: ClassVar[Metric] = Metric("bpc", higher_is_better=False, label="Test bits per character")
    description: ClassVar[str] = (
        "A network reads Shakespeare's sonnets one character at a time and learns, at every step, "
        "which character comes next. Then it writes: each character it draws is fed back in. After "
        "every epoch it writes a few lines, so you can watch spelling, words and line breaks appear."
    )

    # Measured on one thread (how the workers train): the LSTM reaches 2.65 test bpc in 14 s, the
    # GRU 2.53 in 17 s, the vanilla RNN 2.66 in 5 s, all below the trigram's 2.89. The small
    # Transformer sits near the bigram (3.4 bpc) for its first few hundred steps before attention
    # starts to pay; smaller batches (more steps) and fixed sinusoidal positions get it there
    # within the time budget: 2.87 after 6 epochs (11 s).
    tuned: ClassVar[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
        "recurrent": (
            {"embed_dim": 32, "hidden_size": 256, "num_layers": 1, "dropout": 0.0},
            {"epochs": 8, "batch_size": 32, "lr": 3e-3, "clip": 1.0},
        ),
        "transformer-decoder": (
            {
                "d_model": 64,
                "n_heads": 4,
                "d_ff": 256,
                "n_layers": 2,
                "dropout": 0.0,
                "pos_encoding": "sinusoidal",
            },
            {"epochs": 10, "batch_size": 16, "lr": 3e-3, "clip": 1.0},
        ),
    }

    @classmethod
    def prepare(cls, opts: CharTextOptions, seed: int = 0, upload: bytes | None = None) -> CharTextData:
        """Read (the shipped sonnets, or an upload), cut in order, encode; the split needs no seed."""
        if opts.source == "upload":
            return _build(opts, read_text(opts, upload))
        return _prepare_shipped(opts).fresh()

    @classmethod
    def restore(cls, state: dict[str, Any], opts: CharTextOptions) -> CharTextData:
        try:
            saved = dataclasses.replace(opts, **(state.get("options") or {}))
            chars = [str(c) for c in state["chars"]]
        except (KeyError, TypeError) as e:
            raise DataError(f"the saved text state is damaged: {e}") from None
        return CharTextData(splits={}, model_fields=_fields(saved, chars), opts=saved, chars=chars)

    @classmethod
    def check_model(cls, model_cfg: Any) -> None:
        """A language model may not read ahead: a backward direction would see the answer."""
        from core.config import ConfigError
        from core.models.rnn import RecurrentConfig

        if isinstance(model_cfg, RecurrentConfig) and model_cfg.bidirectional:
            raise ConfigError(
                "bidirectional: a bidirectional network reads each text backwards too, so it would see "
                "the next character it is asked for; text generation needs a one-way network"
            )
