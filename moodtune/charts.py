"""Plotly figure builders for the explorer and the recommend page.

Owns: the fixed colour of each emotion, the emotion maps (valence/arousal and the 2-D
projection), radar charts over the 8 emotions, and bar charts of counts and shares. Titles and
artists come from outside: plotly renders a small HTML subset (including links) in hover text
and legends, so every outside string is HTML-escaped here before it reaches a figure.
Must not import streamlit, read the store or compute positions (moodtune/explore.py does).
"""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from typing import Literal

import numpy as np
import plotly.graph_objects as go

from moodtune.explore import ExplorerPoints
from moodtune.models import EMOTIONS, VALENCE_AROUSAL, EmotionProfile
from moodtune.playlist_profiles import PlaylistProfile
from moodtune.text import one_line

# Plutchik's wheel colours, so a colour means the same emotion on every chart.
EMOTION_COLORS: dict[str, str] = {
    "joy": "#f2c200",
    "trust": "#7cc242",
    "fear": "#1f8a4c",
    "surprise": "#1fa3b8",
    "sadness": "#3d6fd6",
    "disgust": "#8e4fb8",
    "anger": "#d7263d",
    "anticipation": "#f08a24",
}
OTHER_COLOR = "#b8b8b8"
# Overlaid radars (compared playlists) need colours apart from each other, not the theme's.
OVERLAY_COLORS = ("#3d6fd6", "#f08a24", "#2a9d5c")
MapKind = Literal["valence_arousal", "projection"]
_HOVER = (
    "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>%{customdata[3]}%{customdata[4]}<extra></extra>"
)
# How the map marks tracks whose emotions listeners set (a diamond) or the corrections'
# calibration moved (an outline), and what their hover adds.
_SOURCE_SYMBOL = {"listener": "diamond"}
SOURCE_LEGEND = (
    "◆ diamond: emotions set by a listener · outlined: calibrated by listeners' corrections"
)
_SOURCE_HOVER = {
    "listener": "<br><i>emotions set by a listener</i>",
    "calibrated": "<br><i>calibrated by listeners' corrections</i>",
}
_MAX_LABEL = 80


def plot_text(text: str, limit: int = _MAX_LABEL) -> str:
    """Make outside text inert for plotly: one line, shortened, HTML-escaped."""
    return html.escape(one_line(text, limit), quote=True)


def emotion_map(
    points: ExplorerPoints,
    kind: MapKind = "valence_arousal",
    highlight: int | None = None,
    members: Collection[int] | None = None,
) -> go.Figure:
    """Scatter the tracks, one trace per dominant emotion; customdata[0] is the library row.

    With `members` (library rows, e.g. a playlist's), only those keep their emotion's colour;
    the other tracks stay on the map in grey, behind them, and can still be clicked.
    """
    coords = points.valence_arousal if kind == "valence_arousal" else points.projection.coords
    fig = go.Figure()
    reach = _reach(coords)
    if kind == "valence_arousal":
        _add_anchors(fig, reach)
    dominant = np.array(points.dominant, dtype=object)
    focus = (
        np.isin(points.rows, np.fromiter(members, dtype=np.int64, count=len(members)))
        if members is not None
        else np.ones(len(points), dtype=bool)
    )
    others = np.flatnonzero(~focus)
    if len(others):
        fig.add_trace(_markers(points, coords, others, "other tracks", OTHER_COLOR, 7, 0.45))
    for emotion in EMOTIONS:
        keep = np.flatnonzero((dominant == emotion) & focus)
        if not len(keep):
            continue
        fig.add_trace(_markers(points, coords, keep, emotion, EMOTION_COLORS[emotion], 10, 0.85))
    if highlight is not None:
        at = np.flatnonzero(points.rows == highlight)
        if len(at):
            i = int(at[0])
            fig.add_trace(
                go.Scatter(
                    x=[coords[i, 0]],
                    y=[coords[i, 1]],
                    mode="markers",
                    name="selected",
                    marker={
                        "size": 20,
                        "color": "rgba(0,0,0,0)",
                        "line": {"color": "#222", "width": 2},
                    },
                    hoverinfo="skip",
                )
            )
    if kind == "valence_arousal":
        x_title, y_title = "valence (unpleasant → pleasant)", "arousal (calm → intense)"
        fig.update_xaxes(range=[-reach, reach], zeroline=True)
        fig.update_yaxes(range=[-reach, reach], zeroline=True)
    else:
        x_title, y_title = points.projection.axis_labels()
    fig.update_layout(
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend_title_text="dominant emotion",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=480,
        clickmode="event+select",  # a click selects one track (Streamlit reads the event)
    )
    return fig


def journey_map(
    points: ExplorerPoints,
    track_ids: Sequence[str],
    kind: MapKind = "valence_arousal",
    name: str = "journey",
) -> go.Figure:
    """The emotion map greyed, with the tracks `track_ids` (in order) as numbered markers
    joined by a line; tracks missing from `points` are left out."""
    fig = emotion_map(points, kind, members=())
    coords = points.valence_arousal if kind == "valence_arousal" else points.projection.coords
    where = {tid: i for i, tid in enumerate(points.track_ids)}
    at = [(n, where[tid]) for n, tid in enumerate(track_ids, 1) if tid in where]
    fig.add_trace(
        go.Scatter(
            x=[coords[i, 0] for _, i in at],
            y=[coords[i, 1] for _, i in at],
            mode="lines+markers+text",
            name=plot_text(name, 40),
            text=[str(n) for n, _ in at],
            textposition="top center",
            line={"color": "#222", "width": 2},
            marker={
                "size": 16,
                "color": [EMOTION_COLORS[points.dominant[i]] for _, i in at],
                "line": {"color": "#222", "width": 1.5},
            },
            customdata=[
                [
                    int(points.rows[i]),
                    f"{n}. {plot_text(points.titles[i])}",
                    plot_text(points.artists[i]),
                    plot_text(points.top[i], 120),
                    _SOURCE_HOVER.get(points.source(i), ""),
                ]
                for n, i in at
            ],
            hovertemplate=_HOVER,
        )
    )
    fig.update_layout(legend_title_text="", clickmode="none")
    return fig


def _markers(
    points: ExplorerPoints,
    coords: np.ndarray,
    keep: np.ndarray,
    name: str,
    color: str,
    size: int,
    opacity: float,
) -> go.Scatter:
    return go.Scatter(
        x=coords[keep, 0],
        y=coords[keep, 1],
        mode="markers",
        name=name,
        marker={
            "color": color,
            "size": size,
            "opacity": opacity,
            "symbol": [_SOURCE_SYMBOL.get(points.source(i), "circle") for i in keep],
            "line": {
                "color": "#222",
                "width": [1.5 if points.source(i) == "calibrated" else 0 for i in keep],
            },
        },
        customdata=[
            [
                int(points.rows[i]),
                plot_text(points.titles[i]),
                plot_text(points.artists[i]),
                plot_text(points.top[i], 120),
                _SOURCE_HOVER.get(points.source(i), ""),
            ]
            for i in keep
        ],
        hovertemplate=_HOVER,
    )


def arc_chart(profile: PlaylistProfile, height: int = 340) -> go.Figure:
    """Stacked areas of each track's emotions in play order (shares of the track's total),
    so the colours show how the playlist's mood moves from the first track to the last."""
    arc = np.asarray(profile.arc, dtype=np.float64)
    totals = arc.sum(axis=1, keepdims=True)
    shares = np.divide(arc, totals, out=np.zeros_like(arc), where=totals > 1e-12)
    positions = list(range(1, len(arc) + 1))
    labels = [
        f"{i}. {plot_text(t, 50)} — {plot_text(a, 40)}"
        for i, (t, a) in enumerate(zip(profile.titles, profile.artists, strict=True), 1)
    ]
    fig = go.Figure()
    for e, emotion in enumerate(EMOTIONS):
        fig.add_trace(
            go.Scatter(
                x=positions,
                y=shares[:, e],
                customdata=np.column_stack([labels, arc[:, e]]) if len(arc) else None,
                mode="lines",
                name=emotion,
                stackgroup="arc",
                line={"width": 0.5, "color": EMOTION_COLORS[emotion]},
                hovertemplate=f"%{{customdata[0]}}<br>{emotion} %{{customdata[1]:.2f}}"
                "<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={"title": "position in the playlist", "dtick": 1 if len(arc) <= 30 else None},
        yaxis={"title": "share of the track's emotions", "range": [0, 1], "tickformat": ".0%"},
        hovermode="x unified",
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        height=height,
    )
    return fig


def _reach(coords: np.ndarray) -> float:
    """Half-width of a square view that holds every point with a margin (at most 1.05)."""
    extent = float(np.abs(coords).max()) if coords.size else 0.0
    return min(1.05, max(0.25, 1.25 * extent))


def _add_anchors(fig: go.Figure, reach: float) -> None:
    # Mixed profiles sit near the centre, far from the emotions' own points; drawing those at
    # full scale would squeeze the tracks into a corner. The labels mark each emotion's
    # direction instead, scaled to the edge of the view.
    largest = max(max(abs(v), abs(a)) for v, a in VALENCE_AROUSAL.values())
    scale = 0.92 * reach / largest
    fig.add_trace(
        go.Scatter(
            x=[VALENCE_AROUSAL[e][0] * scale for e in EMOTIONS],
            y=[VALENCE_AROUSAL[e][1] * scale for e in EMOTIONS],
            mode="text",
            text=list(EMOTIONS),
            textfont={"color": "#888", "size": 12},
            name="emotions",
            hoverinfo="skip",
            showlegend=False,
        )
    )


def radar(
    profiles: Sequence[tuple[str, EmotionProfile]], title: str = "", height: int = 380
) -> go.Figure:
    """Draw one closed polygon per (name, profile) over the 8 emotions, radius 0..1."""
    fig = go.Figure()
    theta = [*EMOTIONS, EMOTIONS[0]]
    for i, (name, profile) in enumerate(profiles):
        r = [*profile.scores, profile.scores[0]]
        color = OVERLAY_COLORS[i % len(OVERLAY_COLORS)]
        fig.add_trace(
            go.Scatterpolar(
                r=r,
                theta=theta,
                fill="toself",
                name=plot_text(name, 40),
                line={"color": color, "width": 2},
                fillcolor=_rgba(color, 0.15 if len(profiles) > 1 else 0.4),
                hovertemplate="%{theta}: %{r:.2f}<extra></extra>",
            )
        )
    fig.update_layout(
        title_text=plot_text(title) if title else None,
        polar={"radialaxis": {"range": [0, 1], "tickvals": [0.25, 0.5, 0.75, 1.0]}},
        showlegend=len(profiles) > 1,
        margin={"l": 60, "r": 60, "t": 40 if title else 20, "b": 20},
        height=height,
    )
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def distribution_bar(counts: Sequence[tuple[str, int]], title: str = "") -> go.Figure:
    """Bar chart of tracks per dominant emotion, coloured by emotion."""
    names = [name for name, _ in counts]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[count for _, count in counts],
            marker_color=[EMOTION_COLORS.get(n, "#999") for n in names],
            hovertemplate="%{x}: %{y} tracks<extra></extra>",
        )
    )
    fig.update_layout(
        title_text=plot_text(title) if title else None,
        yaxis_title="tracks",
        margin={"l": 10, "r": 10, "t": 40 if title else 20, "b": 10},
        height=320,
    )
    return fig


def share_bar(rows: Sequence[tuple[str, float, int]], title: str = "") -> go.Figure:
    """Horizontal bars of (label, share in 0..1, count), e.g. thumbs-up share per approach."""
    fig = go.Figure(
        go.Bar(
            x=[share for _, share, _ in rows],
            y=[plot_text(label, 40) for label, _, _ in rows],
            orientation="h",
            text=[f"{share:.0%} of {count}" for _, share, count in rows],
            textposition="auto",
            hovertemplate="%{y}: %{x:.0%}<extra></extra>",
        )
    )
    fig.update_layout(
        title_text=plot_text(title) if title else None,
        xaxis={"range": [0, 1], "tickformat": ".0%"},
        margin={"l": 10, "r": 10, "t": 40 if title else 20, "b": 10},
        height=60 + 40 * max(1, len(rows)),
    )
    return fig


def confusion_heatmap(confusion: Sequence[Sequence[int]]) -> go.Figure:
    """Heatmap of songs by labelled main emotion (rows) and analysed top emotion (columns).

    Rows for emotions that are no song's main emotion are left out; every column stays, so a
    wrong answer shows where it went.
    """
    rows = [i for i, row in enumerate(confusion) if sum(row)]
    z = [list(confusion[i]) for i in rows]
    names = list(EMOTIONS)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=[EMOTIONS[i] for i in rows],
            colorscale="Blues",
            text=[[str(v) if v else "" for v in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="labelled %{y}, analysed %{x}: %{z} songs<extra></extra>",
            showscale=False,
        )
    )
    fig.update_layout(
        xaxis={"title": "analysed top emotion", "side": "top"},
        yaxis={"title": "labelled main emotion", "autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=120 + 36 * max(1, len(rows)),
    )
    return fig
