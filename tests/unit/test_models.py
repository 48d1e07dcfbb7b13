from __future__ import annotations

import math

import pytest

from moodtune.models import DYADS, EMOTIONS, INTENSITY_VARIANTS, EmotionProfile, mean_profile


def test_emotions_are_plutchiks_eight_in_order() -> None:
    assert EMOTIONS == (
        "joy", "trust", "fear", "surprise", "sadness", "disgust", "anger", "anticipation",
    )  # fmt: skip
    assert set(INTENSITY_VARIANTS) == set(EMOTIONS)
    assert all(INTENSITY_VARIANTS[e][1] == e for e in EMOTIONS)


def test_dyads_pair_neighbours_on_the_wheel() -> None:
    for (a, b), _name in DYADS.items():
        gap = (EMOTIONS.index(b) - EMOTIONS.index(a)) % len(EMOTIONS)
        assert gap in (1, len(EMOTIONS) - 1)
    assert DYADS[("joy", "trust")] == "love"


def test_profile_clamps_and_rejects_bad_input() -> None:
    p = EmotionProfile((1.5, -0.2, 0, 0, 0, 0, 0, 0.3))
    assert p.scores[0] == 1.0
    assert p.scores[1] == 0.0
    with pytest.raises(ValueError, match="8 scores"):
        EmotionProfile((0.1, 0.2))
    with pytest.raises(ValueError, match="NaN"):
        EmotionProfile((math.nan,) * 8)


def test_from_mapping_rejects_unknown_names() -> None:
    assert EmotionProfile.from_mapping({"anger": 0.9})["anger"] == 0.9
    with pytest.raises(ValueError, match="happiness"):
        EmotionProfile.from_mapping({"happiness": 0.5})


def test_ranked_top_and_dominant() -> None:
    p = EmotionProfile.from_mapping({"sadness": 0.8, "fear": 0.6, "joy": 0.1})
    assert p.dominant == "sadness"
    assert [e for e, _ in p.top(2)] == ["sadness", "fear"]


def test_valence_arousal_follows_the_emotions() -> None:
    joyful = EmotionProfile.from_mapping({"joy": 1.0}).valence_arousal()
    sad = EmotionProfile.from_mapping({"sadness": 1.0}).valence_arousal()
    assert joyful[0] > 0 > sad[0]
    assert EmotionProfile.zeros().valence_arousal() == (0.0, 0.0)


def test_mean_profile() -> None:
    a = EmotionProfile.from_mapping({"joy": 1.0})
    b = EmotionProfile.from_mapping({"joy": 0.0, "anger": 1.0})
    m = mean_profile([a, b])
    assert m["joy"] == 0.5
    assert m["anger"] == 0.5
    assert mean_profile([]) == EmotionProfile.zeros()
