"""Figure builders: traces per emotion, row ids for selections, escaped outside text."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from moodtune.charts import (
    EMOTION_COLORS,
    MapKind,
    confusion_heatmap,
    distribution_bar,
    emotion_map,
    plot_text,
    radar,
    share_bar,
)
from moodtune.explore import ExplorerPoints, dominant_distribution, points_from_arrays
from moodtune.models import EMOTIONS, VALENCE_AROUSAL, EmotionProfile

EVIL = '<a href="https://evil.example">win</a><img src=x onerror=alert(1)>'


def _points() -> ExplorerPoints:
    profiles = np.zeros((4, len(EMOTIONS)))
    for row, emotion in enumerate(["joy", "sadness", "sadness", "anger"]):
        profiles[row, EMOTIONS.index(emotion)] = 0.8
        profiles[row, EMOTIONS.index("trust")] = 0.2
    return points_from_arrays(
        ["a", "b", "c", "d"],
        [EVIL, "Rain", "Fog", "Fire"],
        ["Nora", "Nora", "Fox", "Fox"],
        profiles,
    )


def _tracks(fig: go.Figure) -> list[go.Scatter]:
    return [t for t in fig.data if t.customdata is not None]


@pytest.mark.parametrize("kind", ["valence_arousal", "projection"])
def test_map_has_one_coloured_trace_per_dominant_emotion(kind: MapKind) -> None:
    fig = emotion_map(_points(), kind)
    traces = _tracks(fig)
    # Traces follow EMOTIONS order, so the legend reads like Plutchik's wheel.
    assert [t.name for t in traces] == ["joy", "sadness", "anger"]
    for trace in traces:
        assert trace.marker.color == EMOTION_COLORS[trace.name]
    rows = sorted(int(c[0]) for t in traces for c in t.customdata)
    assert rows == [0, 1, 2, 3]
    assert fig.layout.clickmode == "event+select"


def test_map_hover_text_is_escaped() -> None:
    fig = emotion_map(_points())
    joy = next(t for t in _tracks(fig) if t.name == "joy")
    title = joy.customdata[0][1]
    assert "<" not in title
    assert "&lt;a href=&quot;https://evil.example&quot;&gt;" in title
    assert "trust 0.20" in joy.customdata[0][3]


def test_valence_arousal_map_frames_the_tracks_and_labels_directions() -> None:
    points = _points()
    fig = emotion_map(points, "valence_arousal")
    anchors = [t for t in fig.data if t.mode == "text"]
    assert len(anchors) == 1
    assert list(anchors[0].text) == list(EMOTIONS)
    low, high = fig.layout.xaxis.range
    assert low == -high
    assert tuple(fig.layout.yaxis.range) == (low, high)
    assert np.abs(points.valence_arousal).max() < high <= 1.05
    # Labels keep each emotion's direction and stay inside the view.
    joy = EMOTIONS.index("joy")
    direction = np.array(VALENCE_AROUSAL["joy"])
    label = np.array([anchors[0].x[joy], anchors[0].y[joy]])
    assert np.allclose(label / np.linalg.norm(label), direction / np.linalg.norm(direction))
    assert np.abs(np.array(anchors[0].x)).max() < high


def test_projection_map_names_its_axes_by_emotions() -> None:
    fig = emotion_map(_points(), "projection")
    assert fig.layout.xaxis.title.text.startswith("PC1")
    assert any(e in fig.layout.xaxis.title.text for e in EMOTIONS)


def test_highlight_rings_the_chosen_row_only_when_shown() -> None:
    points = _points()
    fig = emotion_map(points, highlight=2)
    ring = [t for t in fig.data if t.name == "selected"]
    assert len(ring) == 1
    assert ring[0].x[0] == pytest.approx(points.valence_arousal[2, 0])
    assert not [t for t in emotion_map(points, highlight=99).data if t.name == "selected"]


def test_radar_closes_each_polygon_and_escapes_names() -> None:
    song = EmotionProfile.from_mapping({"joy": 0.6, "fear": 0.2})
    fig = radar([(EVIL, song), ("mean", EmotionProfile.zeros())], title="<b>x</b>")
    first = fig.data[0]
    assert list(first.theta) == [*EMOTIONS, EMOTIONS[0]]
    assert first.r[0] == first.r[-1] == pytest.approx(0.6)
    assert "<" not in first.name
    assert "<" not in fig.layout.title.text
    assert fig.layout.showlegend is True
    assert tuple(fig.layout.polar.radialaxis.range) == (0, 1)


def test_distribution_and_share_bars() -> None:
    bars = distribution_bar(dominant_distribution(_points().dominant)).data[0]
    assert list(bars.x) == list(EMOTIONS)
    assert bars.y[EMOTIONS.index("sadness")] == 2
    share = share_bar([("hybrid", 0.75, 4), ("lyrics", 0.0, 1)]).data[0]
    assert list(share.text) == ["75% of 4", "0% of 1"]


def test_plot_text_flattens_shortens_and_escapes() -> None:
    assert plot_text("a\n b  <c>") == "a b &lt;c&gt;"
    assert plot_text("x" * 100, 10) == "x" * 9 + "…"


def test_confusion_heatmap_keeps_main_emotion_rows_and_every_column() -> None:
    confusion = [[0] * 8 for _ in range(8)]
    confusion[0][0], confusion[0][4], confusion[4][4] = 3, 1, 2
    heat = confusion_heatmap(confusion).data[0]
    assert list(heat.y) == ["joy", "sadness"]
    assert list(heat.x) == list(EMOTIONS)
    assert heat.z[0][4] == 1
    assert heat.text[0][1] == ""  # empty cells stay blank


def test_the_map_marks_tracks_set_by_listeners_and_calibrated_ones() -> None:
    import dataclasses

    points = dataclasses.replace(_points(), sources=("listener", "calibrated", "model", "model"))
    fig = emotion_map(points)
    marks: dict[int, tuple[str, float, str]] = {}
    for trace in _tracks(fig):
        for k, data in enumerate(trace.customdata):
            marks[int(data[0])] = (trace.marker.symbol[k], trace.marker.line.width[k], data[4])
    assert marks[0] == ("diamond", 0, "<br><i>emotions set by a listener</i>")
    assert marks[1] == ("circle", 1.5, "<br><i>calibrated by listeners' corrections</i>")
    assert marks[2] == ("circle", 0, "")
    # A subset keeps who set each track's emotions.
    assert points.subset(np.array([False, True, False, True])).sources == ("calibrated", "model")
    assert _points().source(0) == "model"
