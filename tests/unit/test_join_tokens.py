"""Korean shown as a reader writes it: the toy grammar's particles (separate tokens for the model)
attached to the word before them (core.tasks.grammar.join_tokens), hand-written examples."""

from __future__ import annotations

import pytest

from core.tasks.grammar import (
    ADJECTIVES,
    AND_KO,
    FUTURE_END,
    NEG_AUX,
    NOUNS,
    PARTICLE_FORMS,
    PARTICLES,
    PLACE_PARTICLE,
    PLACES,
    TIMES,
    VERBS,
    generate_pairs,
    join_tokens,
    lexicon_table,
)
from core.tasks.translation import TranslationData


@pytest.mark.parametrize(
    "tokens,expected",
    [
        ("말 이 학교 에서", "말이 학교에서"),
        # several particles: topic, place, object; the verb phrase keeps its own spaces
        (
            "어제 작은 고양이 는 공원 에서 생선 을 먹지 않았다",
            "어제 작은 고양이는 공원에서 생선을 먹지 않았다",
        ),
        (
            "선생님 이 책 을 읽을 것이다 그리고 개 가 공 을 쫓는다",
            "선생님이 책을 읽을 것이다 그리고 개가 공을 쫓는다",
        ),
        ("곰 과 토끼 가 집 으로", "곰과 토끼가 집으로"),
        # punctuation stays as it is, and a particle after it has no word to attach to
        ("고양이 가 , 개 를 본다 .", "고양이가 , 개를 본다 ."),
        (". 가 사과", ". 가 사과"),
        # a word the grammar does not know, and the unknown-word token, take their particle too
        ("피자 를 먹는다", "피자를 먹는다"),
        ("<unk> 이 <unk> 를 찾았다", "<unk>이 <unk>를 찾았다"),
        # a particle first has nothing to attach to
        ("가 고양이", "가 고양이"),
        ("", ""),
    ],
)
def test_korean_particles_attach_to_the_word_before(tokens: str, expected: str):
    assert join_tokens(tokens.split(), "ko") == expected


def test_other_languages_are_joined_with_spaces():
    assert join_tokens(["the", "cat", "eats", "the", "fish", "."], "en") == "the cat eats the fish ."
    assert join_tokens(["cœur", "rouge"], "fr") == "cœur rouge"
    assert join_tokens(["말", "이"], "en") == "말 이"  # only Korean attaches particles


def test_the_particle_list_is_the_grammars_own():
    assert PARTICLE_FORMS == {f for forms in PARTICLES.values() for f in forms} | {PLACE_PARTICLE}
    # no word of the toy language is spelled like a particle, so nothing but a particle is attached
    words = {n.ko for n in NOUNS} | {a.ko for a in ADJECTIVES} | set(PLACES.values()) | {AND_KO, FUTURE_END}
    words |= {w for t in TIMES for w in t.ko} | set(NEG_AUX.values())
    words |= {f for v in VERBS for f in (v.ko_present, v.ko_past, v.ko_future, v.ko_neg)}
    assert not words & PARTICLE_FORMS


def test_every_generated_sentence_keeps_its_letters_and_loses_only_particle_spaces():
    for _, ko in generate_pairs(300, seed=1, clauses=2):
        shown = join_tokens(ko, "ko")
        assert shown.replace(" ", "") == "".join(ko)
        assert len(shown.split()) == len(ko) - sum(t in PARTICLE_FORMS for t in ko)


def test_lexicon_shows_the_place_particle_attached():
    rows = {r["en"]: r["ko"] for r in lexicon_table()}
    assert rows["in the school"] == "학교에서" and rows["in the park"] == "공원에서"
    assert rows["tonight"] == "오늘 밤"


def test_translation_data_attaches_particles_only_for_the_toy_corpus():
    tokens = ["고양이", "가", "생선", "을", "먹는다"]
    assert TranslationData(splits={}, model_fields={}).sentence(tokens) == "고양이가 생선을 먹는다"
    # the emoji names were split at spaces only: 옳을 가 (the hanja name of 可) is no particle
    emoji = TranslationData(splits={}, model_fields={}, corpus="emoji-en-ko")
    assert emoji.sentence(["옳을", "가"]) == "옳을 가"
