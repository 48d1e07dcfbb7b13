from __future__ import annotations

from moodtune.emotions.words import (
    basic_words,
    intensity_word,
    refined_words,
    vocabulary,
    words_text,
)
from moodtune.models import EmotionProfile


def profile(**scores: float) -> EmotionProfile:
    return EmotionProfile.from_mapping(scores)


def test_basic_words_are_present_emotions_strongest_first() -> None:
    words = basic_words(profile(sadness=0.9, fear=0.6, joy=0.2))
    assert words_text(words) == "sadness, fear"


def test_basic_words_fall_back_to_the_top_emotion() -> None:
    assert words_text(basic_words(profile(trust=0.3, joy=0.1))) == "trust"


def test_intensity_variants() -> None:
    assert intensity_word("joy", 0.35) == "serenity"
    assert intensity_word("joy", 0.6) == "joy"
    assert intensity_word("joy", 0.95) == "ecstasy"
    assert intensity_word("sadness", 0.9) == "grief"


def test_adjacent_present_emotions_merge_into_a_dyad() -> None:
    words = refined_words(profile(joy=0.8, trust=0.7))
    assert [w.word for w in words] == ["love"]
    assert words[0].emotions == ("joy", "trust")
    assert abs(words[0].weight - 0.75) < 1e-6


def test_each_emotion_counts_once() -> None:
    # fear pairs with both trust (submission) and surprise (awe); it may join only one dyad.
    words = refined_words(profile(trust=0.6, fear=0.9, surprise=0.7))
    used = [e for w in words for e in w.emotions]
    assert len(used) == len(set(used))
    assert words[0].word == "awe"
    assert "acceptance" not in [w.word for w in words]
    assert "trust" in [w.word for w in words]


def test_mild_emotions_use_mild_words_and_weights_sort() -> None:
    words = refined_words(profile(anger=0.95, anticipation=0.35, disgust=0.1))
    assert [w.word for w in words] == ["rage", "interest"]


def test_vocabulary_has_24_variants_and_8_dyads() -> None:
    vocab = vocabulary()
    assert len(vocab) == 32
    assert len(set(vocab)) == 32
