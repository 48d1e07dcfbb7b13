"""The journey walk on small hand-made libraries: its promises, its filters, its errors."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from moodtune.charts import OTHER_COLOR, journey_map
from moodtune.errors import InputError, NotFoundError
from moodtune.explore import points_from_arrays
from moodtune.journey import (
    MAX_STEPS,
    JourneyFilters,
    emotion_target,
    resolve_target,
    walk,
)
from moodtune.models import EMOTIONS, EmotionProfile
from moodtune.store import LibraryIndex
from tests.unit.hand_index import hand_index

SAD = EmotionProfile.from_mapping({"sadness": 0.8, "fear": 0.2})


def _index(profiles: list[dict[str, float]], artists: list[str]) -> LibraryIndex:
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(len(profiles), 4)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return hand_index(
        [EmotionProfile.from_mapping(p).scores for p in profiles], song_emb=emb, artists=artists
    )


def _ladder(n: int, artists: list[str] | None = None) -> LibraryIndex:
    """`n` tracks evenly spaced from sad to joyful."""
    profiles = [
        {"sadness": 0.8 * (1 - i / (n - 1)), "joy": 0.9 * i / (n - 1), "fear": 0.1}
        for i in range(n)
    ]
    return _index(profiles, artists or [f"Artist {i % 3}" for i in range(n)])


def test_walk_goes_from_the_feeling_to_the_emotion() -> None:
    journey = walk(_ladder(20), "sad", SAD, None, emotion_target("joy"), n=6)
    assert len(journey) == 6
    assert journey.checks().all
    first, last = journey.steps[0], journey.steps[-1]
    assert first.profile.dominant == "sadness"
    assert last.profile.dominant == "joy"
    assert first.why.startswith("closest to your feeling")
    assert last.why.startswith("arrives at joy")
    assert all("step towards joy" in s.why for s in journey.steps[1:-1])
    assert [s.position for s in journey.steps] == [1, 2, 3, 4, 5, 6]


def test_why_names_the_emotions_that_moved() -> None:
    journey = walk(_ladder(10), "sad", SAD, None, emotion_target("joy"), n=4)
    second = journey.steps[1]
    assert "joy" in second.why
    assert "->" in second.why


def test_no_artist_plays_twice_in_a_row() -> None:
    # The two nearest tracks to every waypoint share an artist: the walk must alternate.
    profiles = []
    for i in range(6):
        level = {"sadness": 0.8 * (1 - i / 5), "joy": 0.9 * i / 5}
        profiles += [level, level]
    artists = ["Same"] * 12
    artists[1::4] = ["Other"] * 3
    journey = walk(_index(profiles, artists), "sad", SAD, None, emotion_target("joy"), n=5)
    names = [s.artist for s in journey.steps]
    assert all(a != b for a, b in itertools.pairwise(names))
    assert journey.checks().no_artist_back_to_back


def test_excluded_artists_and_one_song_per_artist() -> None:
    index = _ladder(18, [f"Artist {i % 6}" for i in range(18)])
    journey = walk(
        index,
        "sad",
        SAD,
        None,
        emotion_target("joy"),
        n=5,
        filters=JourneyFilters(exclude_artists=("artist 0",), one_per_artist=True),
    )
    names = [s.artist for s in journey.steps]
    assert "Artist 0" not in names
    assert len(set(names)) == 5


def test_one_song_per_artist_needs_enough_artists() -> None:
    with pytest.raises(NotFoundError, match="Only 3 artists"):
        walk(
            _ladder(12),
            "sad",
            SAD,
            None,
            emotion_target("joy"),
            n=5,
            filters=JourneyFilters(one_per_artist=True),
        )


@pytest.mark.parametrize("n", [0, 1, MAX_STEPS + 1])
def test_bad_lengths_are_input_errors(n: int) -> None:
    with pytest.raises(InputError, match="tracks"):
        walk(_ladder(40), "sad", SAD, None, emotion_target("joy"), n=n)


def test_a_library_smaller_than_the_journey() -> None:
    with pytest.raises(NotFoundError, match="fewer than the 8"):
        walk(_ladder(5), "sad", SAD, None, emotion_target("joy"), n=8)
    with pytest.raises(NotFoundError, match="exclude fewer artists"):
        walk(
            _ladder(9),
            "sad",
            SAD,
            None,
            emotion_target("joy"),
            n=8,
            filters=JourneyFilters(exclude_artists=("Artist 1",)),
        )


def test_targets_by_name_and_by_sentence() -> None:
    assert emotion_target(" Joy ").profile.dominant == "joy"
    with pytest.raises(InputError, match="Unknown emotion 'glee'"):
        emotion_target("glee")
    with pytest.raises(InputError, match="Say where the journey goes"):
        resolve_target("  ", lambda text: SAD)
    read: list[str] = []

    def extract(text: str) -> EmotionProfile:
        read.append(text)
        return EmotionProfile.from_mapping({"anticipation": 0.7, "joy": 0.4})

    target = resolve_target("  hopeful again ", extract)
    assert read == ["hopeful again"]
    assert target.emotion is None
    assert target.profile.dominant == "anticipation"
    assert target.name == "“hopeful again”"
    with pytest.raises(InputError, match="No emotion could be read"):
        resolve_target("zzz", lambda text: EmotionProfile.zeros())


def test_journey_map_draws_the_numbered_path() -> None:
    index = _ladder(12)
    journey = walk(index, "sad", SAD, None, emotion_target("joy"), n=4)
    points = points_from_arrays(index.track_ids, index.titles, index.artists, index.profiles)
    for kind in ("valence_arousal", "projection"):
        fig = journey_map(points, [s.track_id for s in journey.steps], kind)
        path = [t for t in fig.data if t.name == "journey"]
        assert len(path) == 1
        assert list(path[0].text) == ["1", "2", "3", "4"]
        assert len(path[0].x) == 4
        greyed = [t for t in fig.data if t.mode == "markers"]
        assert greyed
        assert all(t.marker.color == OTHER_COLOR for t in greyed)
    json.loads(fig.to_json())  # the figure serialises for the page


def test_every_emotion_is_a_target() -> None:
    index = _ladder(12)
    for emotion in EMOTIONS:
        journey = walk(index, "sad", SAD, None, emotion_target(emotion), n=3)
        assert len({s.track_id for s in journey.steps}) == 3


def test_the_walk_keeps_room_to_keep_falling() -> None:
    # Only two tracks lie near joy and many sit half-way: a walk that reached the near ones
    # early would have to move away again; the walk must stay monotone to the end.
    profiles = [{"sadness": 0.8 - 0.05 * i, "joy": 0.05 * i} for i in range(8)]
    profiles += [{"joy": 0.3 + 0.01 * i, "sadness": 0.4} for i in range(10)]
    profiles += [{"joy": 0.6 + 0.01 * i} for i in range(2)]
    index = _index(profiles, [f"Artist {i % 5}" for i in range(len(profiles))])
    journey = walk(index, "sad", SAD, None, emotion_target("joy"), n=8)
    assert journey.checks().monotone
    assert journey.checks().all
    assert "stays near" not in " ".join(s.why for s in journey.steps)


def test_a_step_that_must_move_away_says_so() -> None:
    # The two tracks nearest joy share an artist, and the other artist's tracks are sad: once
    # one joyful track is taken, the next step may not repeat its artist and has only a sadder
    # track left, so it moves away, and its reason must say so (not "stays near").
    profiles = [
        {"joy": 0.9},
        {"joy": 0.8, "sadness": 0.1},
        {"sadness": 0.8},
        {"sadness": 0.5, "joy": 0.3},
    ]
    index = _index(profiles, ["X", "X", "Y", "Y"])
    journey = walk(index, "sad", SAD, None, emotion_target("joy"), n=4)
    reasons = [s.why for s in journey.steps]
    away = [r for r in reasons if r.startswith("moves away from joy (")]
    assert away, reasons
    assert not journey.checks().monotone
    assert "stays near" not in " ".join(reasons)
