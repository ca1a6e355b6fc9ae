"""A toy English -> Korean grammar with word-level alignments that are visibly non-monotonic.

English is subject-verb-object (SVO); Korean is subject-object-verb (SOV) and marks each noun's
role with a particle written after it. This module writes both sides of a sentence from one
abstract :class:`Sentence`, so every pair is a correct translation by construction::

    the small cat ate the fish in the park yesterday
    어제 작은 고양이 가 공원 에서 생선 을 먹었다

Korean particles are split off as their own tokens so that an attention map can show which
English words each one comes from (the role of "the cat" is signalled by its position in
English, by a particle in Korean). Particles with two forms are chosen by the last syllable of
the noun: after a final consonant (batchim) it is 은 / 이 / 을 / 과, after a vowel it is
는 / 가 / 를 / 와. Shown to a reader, a sentence has its particles attached again
(:func:`join_tokens`): 어제 작은 고양이가 공원에서 생선을 먹었다.

Rules of this toy language (all deterministic, so a model can reach 100 %):

- English: ``[the adj? subject] [verb phrase] [the adj? object] [in the place]? [time]?``
- Korean:  ``[time]? [adj? subject particle] [place 에서]? [adj? object particle] [verb phrase]``
- the subject takes 이/가, or the topic particle 은/는 when the sentence is negated (contrast);
  the object takes 을/를; the place takes 에서 ("at / in").
- present "eats" -> 먹는다, past "ate" -> 먹었다, future "will eat" -> 먹을 것이다;
  negation "does not eat" -> 먹지 않는다 (also 않았다, 않을 것이다).
- time words fix or allow a tense: yesterday -> past, tomorrow / tonight -> future,
  every day -> present, today -> any.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3  # the 11,172 precomposed syllables 가..힣
N_FINALS = 28  # syllable = 0xAC00 + (initial * 21 + medial) * 28 + final; final 0 = none
FINAL_RIEUL = 8  # index of the final consonant ㄹ

TENSES = ("present", "past", "future")


# ----------------------------------------------------------------------------------- particles


def final_consonant(word: str) -> int:
    """Index (0..27) of the final consonant of the word's last Hangul syllable; 0 means none.

    A precomposed syllable's code is ``0xAC00 + (initial * 21 + medial) * 28 + final``.
    """
    if not word:
        raise ValueError("empty word")
    code = ord(word[-1])
    if not HANGUL_FIRST <= code <= HANGUL_LAST:
        raise ValueError(f"{word!r} does not end in a Hangul syllable")
    return (code - HANGUL_FIRST) % N_FINALS


def has_batchim(word: str) -> bool:
    """True when the word ends in a consonant (받침), e.g. 책 (chaek), False for 사과 (sagwa)."""
    return final_consonant(word) != 0


# role -> (form after a consonant, form after a vowel)
PARTICLES: dict[str, tuple[str, str]] = {
    "topic": ("은", "는"),  # as for X ...
    "subject": ("이", "가"),
    "object": ("을", "를"),
    "and": ("과", "와"),  # X and Y, with X
    "direction": ("으로", "로"),  # toward / by means of (ㄹ takes 로, see particle())
}


def particle(noun: str, role: str) -> str:
    """The particle for ``noun`` in ``role`` (topic, subject, object, and, direction).

    The form depends on whether the noun ends in a consonant; the one exception is the
    direction particle, which is 로 after the consonant ㄹ as after a vowel (집으로, 학교로, 말로).
    """
    try:
        after_consonant, after_vowel = PARTICLES[role]
    except KeyError:
        raise ValueError(f"unknown particle role {role!r}; valid: {', '.join(PARTICLES)}") from None
    final = final_consonant(noun)
    if role == "direction" and final == FINAL_RIEUL:
        return after_vowel
    return after_consonant if final else after_vowel


# ------------------------------------------------------------------------------------ lexicon


@dataclass(frozen=True)
class Noun:
    en: str
    ko: str
    animate: bool  # people and animals can be subjects


@dataclass(frozen=True)
class Verb:
    """A transitive verb: English forms and the Korean plain (한다체) forms.

    ``ko_future`` is the prospective modifier used in "-(으)ㄹ 것이다" (will ...); ``ko_neg`` is the
    stem with -지 used in the long negation "-지 않다".
    """

    en_base: str  # eat (used after "will", "does not", "did not")
    en_3sg: str  # eats
    en_past: str  # ate
    ko_present: str  # 먹는다
    ko_past: str  # 먹었다
    ko_future: str  # 먹을 (+ 것이다)
    ko_neg: str  # 먹지 (+ 않는다 / 않았다 / 않을 것이다)
    objects: tuple[str, ...]  # English nouns that make sense as its object


@dataclass(frozen=True)
class Adjective:
    en: str
    ko: str  # attributive (adnominal) form, e.g. 작은 "small"
    animate: bool | None  # True: people/animals only, False: things only, None: both


@dataclass(frozen=True)
class Time:
    en: tuple[str, ...]
    ko: tuple[str, ...]
    tenses: tuple[str, ...]  # tenses this time phrase can go with


ANIMALS_AND_PEOPLE = ("cat", "dog", "teacher", "student", "child", "doctor", "friend", "bear")
ANIMALS_AND_PEOPLE += ("rabbit", "boy", "girl", "horse")
THINGS = ("fish", "apple", "bread", "book", "letter", "ball", "flower", "cake", "picture", "car")
FOOD = ("fish", "apple", "bread", "cake")

NOUNS: tuple[Noun, ...] = (
    Noun("cat", "고양이", True),
    Noun("dog", "개", True),
    Noun("teacher", "선생님", True),
    Noun("student", "학생", True),
    Noun("child", "아이", True),
    Noun("doctor", "의사", True),
    Noun("friend", "친구", True),
    Noun("bear", "곰", True),
    Noun("rabbit", "토끼", True),
    Noun("boy", "소년", True),
    Noun("girl", "소녀", True),
    Noun("horse", "말", True),
    Noun("fish", "생선", False),
    Noun("apple", "사과", False),
    Noun("bread", "빵", False),
    Noun("book", "책", False),
    Noun("letter", "편지", False),
    Noun("ball", "공", False),
    Noun("flower", "꽃", False),
    Noun("cake", "케이크", False),
    Noun("picture", "그림", False),
    Noun("car", "자동차", False),
)

VERBS: tuple[Verb, ...] = (
    Verb("eat", "eats", "ate", "먹는다", "먹었다", "먹을", "먹지", FOOD),
    Verb("see", "sees", "saw", "본다", "봤다", "볼", "보지", ANIMALS_AND_PEOPLE + THINGS),
    Verb("like", "likes", "liked", "좋아한다", "좋아했다", "좋아할", "좋아하지", ANIMALS_AND_PEOPLE + THINGS),
    Verb(
        "chase", "chases", "chased", "쫓는다", "쫓았다", "쫓을", "쫓지", ANIMALS_AND_PEOPLE + ("ball", "car")
    ),
    Verb("find", "finds", "found", "찾는다", "찾았다", "찾을", "찾지", ANIMALS_AND_PEOPLE + THINGS),
    Verb("draw", "draws", "drew", "그린다", "그렸다", "그릴", "그리지", ANIMALS_AND_PEOPLE + THINGS),
    Verb("wash", "washes", "washed", "씻는다", "씻었다", "씻을", "씻지", ("dog", "horse", "child") + FOOD),
    Verb("buy", "buys", "bought", "산다", "샀다", "살", "사지", THINGS),
    Verb("read", "reads", "read", "읽는다", "읽었다", "읽을", "읽지", ("book", "letter")),
    Verb("help", "helps", "helped", "돕는다", "도왔다", "도울", "돕지", ANIMALS_AND_PEOPLE),
)

ADJECTIVES: tuple[Adjective, ...] = (
    Adjective("small", "작은", None),
    Adjective("big", "큰", None),
    Adjective("happy", "행복한", True),
    Adjective("young", "어린", True),
    Adjective("tired", "피곤한", True),
    Adjective("red", "빨간", False),
    Adjective("blue", "파란", False),
    Adjective("new", "새", False),
    Adjective("old", "낡은", False),
)

PLACES: dict[str, str] = {  # "in the <place>" -> <place> 에서
    "park": "공원",
    "school": "학교",
    "kitchen": "부엌",
    "garden": "정원",
    "library": "도서관",
    "market": "시장",
    "house": "집",
    "forest": "숲",
}
PLACE_PARTICLE = "에서"  # location of an action; the same form after consonants and vowels

TIMES: tuple[Time, ...] = (
    Time(("yesterday",), ("어제",), ("past",)),
    Time(("today",), ("오늘",), TENSES),
    Time(("tomorrow",), ("내일",), ("future",)),
    Time(("tonight",), ("오늘", "밤"), ("future",)),
    Time(("every", "day"), ("매일",), ("present",)),
)

AND_KO = "그리고"  # "and then", joins two sentences
FUTURE_END = "것이다"  # "-(으)ㄹ 것이다": will
NEG_AUX = {"present": "않는다", "past": "않았다", "future": "않을"}  # "-지 않다": not

_NOUN = {n.en: n for n in NOUNS}


# ---------------------------------------------------------------------------------- sentences


@dataclass(frozen=True)
class Sentence:
    """One abstract sentence; :meth:`english` and :meth:`korean` render it."""

    subject: Noun
    verb: Verb
    obj: Noun
    tense: str = "present"
    negated: bool = False
    subject_adj: Adjective | None = None
    object_adj: Adjective | None = None
    place: str | None = None  # key of PLACES
    time: Time | None = None

    def english(self) -> list[str]:
        words = ["the"] + ([self.subject_adj.en] if self.subject_adj else []) + [self.subject.en]
        v = self.verb
        if self.tense == "future":
            words += ["will", "not", v.en_base] if self.negated else ["will", v.en_base]
        elif self.negated:
            words += ["does" if self.tense == "present" else "did", "not", v.en_base]
        else:
            words += [v.en_3sg if self.tense == "present" else v.en_past]
        words += ["the"] + ([self.object_adj.en] if self.object_adj else []) + [self.obj.en]
        if self.place:
            words += ["in", "the", self.place]
        if self.time:
            words += list(self.time.en)
        return words

    def korean(self) -> list[str]:
        words = list(self.time.ko) if self.time else []
        subject_role = "topic" if self.negated else "subject"
        words += ([self.subject_adj.ko] if self.subject_adj else []) + [self.subject.ko]
        words += [particle(self.subject.ko, subject_role)]
        if self.place:
            words += [PLACES[self.place], PLACE_PARTICLE]
        words += ([self.object_adj.ko] if self.object_adj else []) + [self.obj.ko]
        words += [particle(self.obj.ko, "object")]
        words += self._korean_verb()
        return words

    def _korean_verb(self) -> list[str]:
        v = self.verb
        if self.negated:
            aux = NEG_AUX[self.tense]
            return [v.ko_neg, aux, FUTURE_END] if self.tense == "future" else [v.ko_neg, aux]
        if self.tense == "future":
            return [v.ko_future, FUTURE_END]
        return [v.ko_past if self.tense == "past" else v.ko_present]


def _adjective(rng: random.Random, noun: Noun, p: float) -> Adjective | None:
    if rng.random() >= p:
        return None
    fitting = [a for a in ADJECTIVES if a.animate is None or a.animate == noun.animate]
    return rng.choice(fitting)


def sample_sentence(
    rng: random.Random,
    *,
    p_adjective: float = 0.4,
    p_place: float = 0.5,
    p_time: float = 0.4,
    p_negation: float = 0.3,
) -> Sentence:
    """Draw one sentence: verb and its fitting object, optional adjectives, place and time."""
    subject = rng.choice([n for n in NOUNS if n.animate])
    verb = rng.choice(VERBS)
    obj = _NOUN[rng.choice([o for o in verb.objects if o != subject.en])]
    time = rng.choice(TIMES) if rng.random() < p_time else None
    tense = rng.choice(time.tenses if time else TENSES)
    return Sentence(
        subject=subject,
        verb=verb,
        obj=obj,
        tense=tense,
        negated=rng.random() < p_negation,
        subject_adj=_adjective(rng, subject, p_adjective),
        object_adj=_adjective(rng, obj, p_adjective),
        place=rng.choice(sorted(PLACES)) if rng.random() < p_place else None,
        time=time,
    )


def generate_pairs(
    n: int, seed: int = 0, clauses: int = 1, max_tries_factor: int = 50
) -> list[tuple[list[str], list[str]]]:
    """``n`` distinct (English tokens, Korean tokens) pairs, the same for the same seed.

    With ``clauses`` > 1 each pair joins that many sentences with "and" / 그리고 (each clause is
    reordered on its own), which makes inputs long enough to strain a single context vector.
    Distinct English sentences give distinct pairs (the rendering is a function), so a random
    split of the result never puts one pair in two splits.
    """
    rng = random.Random(seed)
    seen: set[tuple[str, ...]] = set()
    out: list[tuple[list[str], list[str]]] = []
    for _ in range(n * max_tries_factor):
        if len(out) >= n:
            break
        en: list[str] = []
        ko: list[str] = []
        for k in range(clauses):
            s = sample_sentence(rng)
            en += (["and"] if k else []) + s.english()
            ko += ([AND_KO] if k else []) + s.korean()
        key = tuple(en)
        if key in seen:
            continue
        seen.add(key)
        out.append((en, ko))
    return out


# ------------------------------------------------------------------------------------- display

# every particle this grammar writes as a token of its own
PARTICLE_FORMS: frozenset[str] = frozenset(
    {*(f for forms in PARTICLES.values() for f in forms), PLACE_PARTICLE}
)


def join_tokens(tokens: Iterable[str], lang: str) -> str:
    """Tokens as a sentence for a reader (display only: metrics score the tokens).

    Korean (``lang`` "ko"): each particle of :data:`PARTICLE_FORMS` is attached to the word before
    it, as Korean is written: 말 이 학교 에서 -> 말이 학교에서. A particle with no word before it
    (first, or after punctuation) stays apart; every other token is kept as it is, spaces between.
    Any other language: the tokens joined with spaces.
    """
    if lang != "ko":
        return " ".join(tokens)
    words: list[str] = []
    for tok in tokens:
        if tok in PARTICLE_FORMS and words and any(ch.isalnum() for ch in words[-1]):
            words[-1] += tok
        else:
            words.append(tok)
    return " ".join(words)


def lexicon_table() -> list[dict[str, str]]:
    """English word -> Korean word rows (for the app's glossary)."""
    rows = [{"en": n.en, "ko": n.ko, "part": "noun"} for n in NOUNS]
    rows += [{"en": v.en_base, "ko": v.ko_present, "part": "verb"} for v in VERBS]
    rows += [{"en": a.en, "ko": a.ko, "part": "adjective"} for a in ADJECTIVES]
    rows += [
        {"en": f"in the {k}", "ko": join_tokens([v, PLACE_PARTICLE], "ko"), "part": "place"}
        for k, v in PLACES.items()
    ]
    rows += [{"en": " ".join(t.en), "ko": join_tokens(t.ko, "ko"), "part": "time"} for t in TIMES]
    return rows
