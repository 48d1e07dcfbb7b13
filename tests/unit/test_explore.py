"""The explorer's pure logic: positions, projection, filters, summaries, lines, selections."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from moodtune.explore import (
    ExplorerPoints,
    artist_names,
    dominant_distribution,
    dominant_emotions,
    emotion_lines,
    filter_mask,
    playlist_profile,
    points_from_arrays,
    project_2d,
    selected_rows,
    top_emotions_text,
    valence_arousal_points,
)
from moodtune.models import EMOTIONS, VALENCE_AROUSAL, EmotionProfile
from moodtune.store import TrackText

RNG = np.random.default_rng(7)


def _one_hot(emotion: str, score: float = 0.9) -> list[float]:
    row = [0.0] * len(EMOTIONS)
    row[EMOTIONS.index(emotion)] = score
    return row


def test_valence_arousal_matches_the_profile_method() -> None:
    profiles = RNG.random((20, len(EMOTIONS)))
    points = valence_arousal_points(profiles)
    for row, point in zip(profiles, points, strict=True):
        expected = EmotionProfile(tuple(row)).valence_arousal()
        assert point == pytest.approx(expected)


def test_a_single_emotion_sits_on_its_anchor_and_zeros_at_the_centre() -> None:
    points = valence_arousal_points([_one_hot("fear"), [0.0] * len(EMOTIONS)])
    assert tuple(points[0]) == pytest.approx(VALENCE_AROUSAL["fear"])
    assert tuple(points[1]) == (0.0, 0.0)


def test_the_emotions_that_stand_out_place_the_song() -> None:
    # Lyrics score every emotion a little; a common floor must not pull songs to the centre.
    floor = [0.35] * len(EMOTIONS)
    sad = list(floor)
    sad[EMOTIONS.index("sadness")] = 0.7
    points = valence_arousal_points([sad, floor])
    assert tuple(points[0]) == pytest.approx(VALENCE_AROUSAL["sadness"])
    assert tuple(points[1]) == (0.0, 0.0)  # nothing stands out: the centre


def test_projection_keeps_the_main_axis_of_variation() -> None:
    # Tracks vary along joy <-> sadness only: PC1 must carry (nearly) all the variance.
    t = np.linspace(0, 1, 30)
    profiles = np.zeros((30, len(EMOTIONS)))
    profiles[:, EMOTIONS.index("joy")] = t
    profiles[:, EMOTIONS.index("sadness")] = 1 - t
    proj = project_2d(profiles)
    assert proj.coords.shape == (30, 2)
    assert proj.explained[0] == pytest.approx(1.0)
    assert np.allclose(proj.coords[:, 1], 0.0)
    # Coordinates are monotone in t and centred.
    assert np.all(np.diff(proj.coords[:, 0]) != 0)
    assert proj.coords[:, 0].mean() == pytest.approx(0.0, abs=1e-9)
    x_label, _ = proj.axis_labels()
    assert "joy" in x_label
    assert "sadness" in x_label
    assert x_label.startswith("PC1 (100%)")


def test_projection_is_deterministic_and_sign_stable() -> None:
    profiles = RNG.random((40, len(EMOTIONS)))
    a, b = project_2d(profiles), project_2d(profiles.copy())
    assert np.array_equal(a.coords, b.coords)
    for component in a.components:
        assert component[np.argmax(np.abs(component))] > 0
    # Flipping the data's orientation must not flip the plot.
    c = project_2d(profiles[::-1])
    assert np.allclose(c.coords[::-1], a.coords)


@pytest.mark.parametrize("n", [0, 1])
def test_projection_of_too_few_tracks_is_the_origin(n: int) -> None:
    proj = project_2d(np.ones((n, len(EMOTIONS))))
    assert proj.coords.shape == (n, 2)
    assert not proj.coords.any()
    assert proj.explained == (0.0, 0.0)


def test_profiles_of_the_wrong_width_are_refused() -> None:
    with pytest.raises(ValueError, match="matrix"):
        project_2d(np.ones((3, 5)))


def test_dominant_and_top_emotions() -> None:
    profiles = [_one_hot("anger"), _one_hot("trust", 0.4)]
    assert dominant_emotions(profiles) == ("anger", "trust")
    assert (
        top_emotions_text([0.1, 0.7, 0, 0, 0.3, 0, 0, 0]) == "trust 0.70 · sadness 0.30 · joy 0.10"
    )
    assert top_emotions_text([0.0] * 8) == "no emotion detected"


def _points() -> ExplorerPoints:
    profiles = [_one_hot("joy"), _one_hot("sadness"), _one_hot("sadness", 0.5), _one_hot("anger")]
    return points_from_arrays(
        ["a", "b", "c", "d"],
        ["Sun", "Rain", "Fog", "Fire"],
        ["Nora Vale", "nora vale", "The Lanterns", "Copper Fox"],
        profiles,
    )


def test_filters_by_dominant_emotion_and_artist_case_insensitively() -> None:
    points = _points()
    assert filter_mask(points).all()
    assert filter_mask(points, emotions=["sadness"]).tolist() == [False, True, True, False]
    assert filter_mask(points, artists=["NORA VALE"]).tolist() == [True, True, False, False]
    both = filter_mask(points, emotions=["sadness"], artists=["Nora Vale"])
    assert both.tolist() == [False, True, False, False]
    with pytest.raises(ValueError, match="happiness"):
        filter_mask(points, emotions=["happiness"])


def test_subset_keeps_library_rows_and_the_fitted_projection() -> None:
    points = _points()
    view = points.subset(filter_mask(points, emotions=["sadness"]))
    assert view.rows.tolist() == [1, 2]
    assert view.titles == ("Rain", "Fog")
    assert np.array_equal(view.projection.coords, points.projection.coords[[1, 2]])
    assert artist_names(points) == ["Copper Fox", "Nora Vale", "nora vale", "The Lanterns"]


def test_playlist_profile_and_distribution() -> None:
    points = _points()
    mean = playlist_profile(points.profiles)
    assert mean["sadness"] == pytest.approx((0.9 + 0.5) / 4)
    assert playlist_profile(np.zeros((0, len(EMOTIONS)))) == EmotionProfile.zeros()
    counts = dict(dominant_distribution(points.dominant))
    assert list(counts) == list(EMOTIONS)
    assert (counts["sadness"], counts["joy"], counts["fear"]) == (2, 1, 0)


def _text(stanzas: list[list[str]], dim: int = 4) -> tuple[TrackText, dict[str, np.ndarray]]:
    lines = [ln for s in stanzas for ln in s]
    vectors = RNG.normal(size=(len(lines), dim))
    emb = {ln: v / np.linalg.norm(v) for ln, v in zip(lines, vectors, strict=True)}
    return (
        TrackText(
            stanzas=tuple("\n".join(s) for s in stanzas),
            lines=tuple(lines),
            stanza_profiles=np.zeros((len(stanzas), len(EMOTIONS))),
            line_emb=np.array([emb[ln] for ln in lines], dtype=np.float32),
            lyrics="\n\n".join("\n".join(s) for s in stanzas),
        ),
        emb,
    )


def test_emotion_lines_come_from_the_stanza_that_carries_each_emotion() -> None:
    text, emb = _text([["sunny morning", "we dance"], ["cold rain falls", "I miss you"]])
    profiles = np.zeros((2, len(EMOTIONS)))
    profiles[0, EMOTIONS.index("joy")] = 0.9
    profiles[1, EMOTIONS.index("sadness")] = 0.8
    text = TrackText(text.stanzas, text.lines, profiles, text.line_emb, text.lyrics)
    vectors = np.zeros((len(EMOTIONS), 4), dtype=np.float32)
    vectors[EMOTIONS.index("joy")] = emb["we dance"]
    vectors[EMOTIONS.index("sadness")] = emb["cold rain falls"]
    song = EmotionProfile.from_mapping({"joy": 0.7, "sadness": 0.6})
    found = emotion_lines(text, song, vectors)
    assert [(f.emotion, f.line) for f in found] == [
        ("joy", "we dance"),
        ("sadness", "cold rain falls"),
    ]
    assert found[0].score == pytest.approx(0.7)
    # Without word vectors a line still comes from the right stanza.
    plain = emotion_lines(text, song)
    assert plain[0].line in ("sunny morning", "we dance")
    assert plain[1].line in ("cold rain falls", "I miss you")


def test_emotion_lines_do_not_repeat_a_line_when_another_exists() -> None:
    text, _ = _text([["only stanza line one", "line two", "line three"]])
    song = EmotionProfile.from_mapping({"joy": 0.5, "trust": 0.4, "fear": 0.3})
    found = emotion_lines(text, song)
    assert len({f.line for f in found}) == 3


def test_emotion_lines_of_a_song_without_lines_is_empty() -> None:
    empty = TrackText((), (), np.zeros((0, 8)), np.zeros((0, 4)), "")
    assert emotion_lines(empty, EmotionProfile.from_mapping({"joy": 1.0})) == ()


def test_selected_rows_reads_customdata_and_ignores_other_points() -> None:
    points: list[dict[str, Any]] = [
        {"curve_number": 1, "point_index": 0, "customdata": [12, "Rain", "x", "y"]},
        {"curve_number": 2, "point_index": 3, "customdata": [4.0, "Sun"]},
        {"curve_number": 0, "point_index": 5},  # an anchor label: no customdata
        {"curve_number": 3, "customdata": [12, "Rain"]},  # the same track again
        {"customdata": ["not a row"]},
    ]
    assert selected_rows(points) == [12, 4]
    assert selected_rows([]) == []
