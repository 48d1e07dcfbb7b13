"""The playlist charts: the emotion arc and the map that highlights a playlist's tracks."""

from __future__ import annotations

import numpy as np
import pytest

from moodtune.charts import OTHER_COLOR, arc_chart, emotion_map, radar
from moodtune.explore import points_from_arrays
from moodtune.models import EMOTIONS, EmotionProfile, Playlist
from moodtune.playlist_profiles import profile_playlist
from tests.unit.test_playlist_profiles import _index


def test_arc_stacks_each_tracks_shares_in_play_order() -> None:
    index = _index({"a": {"joy": 0.6, "sadness": 0.2}, "b": {"anger": 0.5}, "c": {}})
    profile = profile_playlist(index, Playlist("p", "P", "file", ("b", "a", "c")))
    figure = arc_chart(profile)
    assert [t.name for t in figure.data] == list(EMOTIONS)
    assert {t.stackgroup for t in figure.data} == {"arc"}
    joy = figure.data[EMOTIONS.index("joy")]
    anger = figure.data[EMOTIONS.index("anger")]
    assert list(joy.x) == [1, 2, 3]
    assert list(joy.y) == pytest.approx([0.0, 0.75, 0.0])  # a: 0.6 of 0.8
    assert list(anger.y) == pytest.approx([1.0, 0.0, 0.0])  # c has no emotion: no share
    assert joy.customdata[1][0].startswith("2. title a")


def test_map_greys_the_tracks_outside_the_playlist_and_keeps_their_rows() -> None:
    profiles = np.eye(len(EMOTIONS))[:4]
    points = points_from_arrays(["a", "b", "c", "d"], list("ABCD"), list("WXYZ"), profiles)
    figure = emotion_map(points, members=[1, 3])
    grey = next(t for t in figure.data if t.name == "other tracks")
    assert grey.marker.color == OTHER_COLOR
    assert sorted(int(c[0]) for c in grey.customdata) == [0, 2]
    coloured = [t for t in figure.data if t.name in EMOTIONS]
    assert sorted(int(c[0]) for t in coloured for c in t.customdata) == [1, 3]
    # Without a playlist every track keeps its colour.
    assert all(t.name != "other tracks" for t in emotion_map(points).data)


def test_overlaid_radars_have_distinct_colours() -> None:
    figure = radar([("A", EmotionProfile.zeros()), ("B", EmotionProfile.zeros())])
    assert figure.data[0].line.color != figure.data[1].line.color
