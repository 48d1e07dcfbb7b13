"""How a result says which emotions link it to the feeling: shared ones as matches, else plainly."""

from __future__ import annotations

from moodtune.emotions.words import MILD
from moodtune.models import EmotionProfile
from moodtune.recommend import describe_emotions, is_shared, matched_emotions


def _profile(**scores: float) -> EmotionProfile:
    return EmotionProfile.from_mapping(scores)


def test_shared_emotions_are_matches_strongest_first() -> None:
    query = _profile(sadness=0.9, fear=0.5, joy=0.1)
    song = _profile(sadness=0.7, fear=0.4, joy=0.8)
    matched = matched_emotions(query, song)
    assert [m.emotion for m in matched] == ["sadness", "fear"]
    assert all(is_shared(m) for m in matched)
    text = describe_emotions(matched)
    assert "(sadness: you 0.90, song 0.70)" in text
    assert "(fear: you 0.50, song 0.40)" in text
    assert "joy" not in text


def test_a_song_sharing_nothing_is_described_plainly_not_as_a_match() -> None:
    # "estoy tan triste sin ti" against a joyful song: the feeling has almost no joy.
    query = _profile(sadness=0.85, joy=0.14)
    song = _profile(joy=0.72, sadness=0.1)
    matched = matched_emotions(query, song)
    assert [m.emotion for m in matched] == ["joy"]
    assert not is_shared(matched[0])
    text = describe_emotions(matched)
    assert text == "nothing shared strongly; the song is mostly joy"
    assert "you 0.14" not in text


def test_an_emotion_at_the_threshold_on_both_sides_is_shared() -> None:
    query = _profile(trust=MILD)
    song = _profile(trust=MILD, anger=0.9)
    matched = matched_emotions(query, song)
    assert [m.emotion for m in matched] == ["trust"]
    assert is_shared(matched[0])


def test_no_matched_emotions_say_nothing() -> None:
    assert describe_emotions(()) == ""
