"""Pure logic behind the Emotion Explorer page: where each track sits in emotion space.

Owns: the valence/arousal point of every profile, a deterministic 2-D PCA projection of the 8-D
profiles (numpy SVD, no sklearn), dominant emotions, hover summaries, filters by emotion and
artist, the playlist's mean profile and dominant-emotion counts, the lyric lines that carry a
track's top emotions, and reading plotly selection events back into rows.
Must not import streamlit or plotly, read the store, or load models: callers pass arrays in.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from moodtune.models import EMOTIONS, VALENCE_AROUSAL, EmotionProfile
from moodtune.text import split_lines

if TYPE_CHECKING:
    from moodtune.store import LibraryIndex, TrackText

_VA = np.array([VALENCE_AROUSAL[e] for e in EMOTIONS], dtype=np.float64)  # (8, 2)


@dataclass(frozen=True, slots=True)
class Projection:
    """2-D coordinates of each row, the two components over EMOTIONS, their variance shares."""

    coords: np.ndarray  # (n, 2)
    components: np.ndarray  # (2, 8)
    explained: tuple[float, float]

    def axis_labels(self, n: int = 2) -> tuple[str, str]:
        """Name each component by its strongest emotions, e.g. 'PC1 (48%): +joy -sadness'."""
        labels = []
        for i in range(2):
            loadings = self.components[i]
            order = np.argsort(-np.abs(loadings), kind="stable")[:n]
            parts = [
                f"{'+' if loadings[j] >= 0 else '-'}{EMOTIONS[j]}"
                for j in order
                if abs(loadings[j]) > 1e-9
            ]
            share = f"{self.explained[i]:.0%}"
            labels.append(f"PC{i + 1} ({share})" + (": " + " ".join(parts) if parts else ""))
        return labels[0], labels[1]


@dataclass(frozen=True, slots=True)
class ExplorerPoints:
    """Everything the explorer plots, aligned by row with the library index."""

    rows: np.ndarray  # (n,) row numbers in the library index
    track_ids: tuple[str, ...]
    titles: tuple[str, ...]
    artists: tuple[str, ...]
    dominant: tuple[str, ...]
    top: tuple[str, ...]  # "joy 0.71 · trust 0.40 · fear 0.12"
    profiles: np.ndarray  # (n, 8)
    valence_arousal: np.ndarray  # (n, 2)
    projection: Projection
    # Who set each track's emotions ("model", "calibrated", "listener"); empty means all model.
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.track_ids)

    def subset(self, mask: np.ndarray) -> ExplorerPoints:
        """Keep the rows where `mask` is true (the projection is not refitted)."""
        keep = np.flatnonzero(np.asarray(mask, dtype=bool))
        return ExplorerPoints(
            rows=self.rows[keep],
            track_ids=tuple(self.track_ids[i] for i in keep),
            titles=tuple(self.titles[i] for i in keep),
            artists=tuple(self.artists[i] for i in keep),
            dominant=tuple(self.dominant[i] for i in keep),
            top=tuple(self.top[i] for i in keep),
            profiles=self.profiles[keep],
            valence_arousal=self.valence_arousal[keep],
            projection=Projection(
                self.projection.coords[keep],
                self.projection.components,
                self.projection.explained,
            ),
            sources=tuple(self.sources[i] for i in keep) if self.sources else (),
        )

    def source(self, i: int) -> str:
        """Who set the emotions of the i-th point."""
        return self.sources[i] if self.sources else "model"


@dataclass(frozen=True, slots=True)
class EmotionLine:
    """A lyric line chosen to show one of a track's top emotions."""

    emotion: str
    score: float
    line: str


def _matrix(profiles: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    matrix = np.asarray(profiles, dtype=np.float64)
    if matrix.size == 0:
        return np.zeros((0, len(EMOTIONS)))
    if matrix.ndim != 2 or matrix.shape[1] != len(EMOTIONS):
        raise ValueError(f"Profiles must be an (n, {len(EMOTIONS)}) matrix, got {matrix.shape}.")
    return matrix


def valence_arousal_points(profiles: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    """Each row's `EmotionProfile.valence_arousal`, vectorised: the emotions' points weighted by
    how far each score rises above the row's average; (0, 0) for a flat or empty row."""
    matrix = _matrix(profiles)
    weights = np.clip(matrix - matrix.mean(axis=1, keepdims=True), 0.0, None)
    totals = weights.sum(axis=1, keepdims=True)
    weighted = weights @ _VA
    points = np.divide(weighted, totals, out=np.zeros_like(weighted), where=totals > 1e-12)
    return np.asarray(points, dtype=np.float64)


def project_2d(profiles: np.ndarray | Sequence[Sequence[float]]) -> Projection:
    """Project rows onto their first two principal components (signs fixed for stable plots)."""
    matrix = _matrix(profiles)
    n = len(matrix)
    components = np.zeros((2, len(EMOTIONS)))
    explained = np.zeros(2)
    if n >= 2:
        centred = matrix - matrix.mean(axis=0)
        _, singular, vt = np.linalg.svd(centred, full_matrices=False)
        variance = singular**2
        total = variance.sum()
        k = min(2, int(np.count_nonzero(singular > 1e-12)))
        components[:k] = vt[:k]
        if total > 0:
            explained[:k] = variance[:k] / total
        # SVD signs are arbitrary; make each component's largest loading positive so the map
        # does not flip between library versions that barely differ.
        for i in range(k):
            if components[i, np.argmax(np.abs(components[i]))] < 0:
                components[i] = -components[i]
        coords = centred @ components.T
    else:
        coords = np.zeros((n, 2))
    return Projection(coords, components, (float(explained[0]), float(explained[1])))


def dominant_emotions(profiles: np.ndarray | Sequence[Sequence[float]]) -> tuple[str, ...]:
    """Return each row's highest-scoring emotion (ties go to the earlier one in EMOTIONS)."""
    matrix = _matrix(profiles)
    return tuple(EMOTIONS[i] for i in matrix.argmax(axis=1)) if len(matrix) else ()


def top_emotions_text(scores: Sequence[float] | np.ndarray, n: int = 3) -> str:
    """Summarise a profile as 'joy 0.71 · trust 0.40 · fear 0.12' (only scores above zero)."""
    profile = EmotionProfile(tuple(float(s) for s in scores))
    return " · ".join(f"{e} {s:.2f}" for e, s in profile.top(n)) or "no emotion detected"


def build_points(index: LibraryIndex) -> ExplorerPoints:
    """Compute the explorer's coordinates for every track in a library index (with who set
    each track's emotions, for a view with listeners' corrections)."""
    points = points_from_arrays(index.track_ids, index.titles, index.artists, index.profiles)
    if not index.emotion_sources:
        return points
    return dataclasses.replace(points, sources=tuple(index.emotion_sources))


def points_from_arrays(
    track_ids: Sequence[str],
    titles: Sequence[str],
    artists: Sequence[str],
    profiles: np.ndarray | Sequence[Sequence[float]],
) -> ExplorerPoints:
    """Compute the explorer's coordinates from aligned sequences."""
    matrix = _matrix(profiles)
    if not len(track_ids) == len(titles) == len(artists) == len(matrix):
        raise ValueError("track_ids, titles, artists and profiles must have the same length.")
    return ExplorerPoints(
        rows=np.arange(len(matrix)),
        track_ids=tuple(track_ids),
        titles=tuple(titles),
        artists=tuple(artists),
        dominant=dominant_emotions(matrix),
        top=tuple(top_emotions_text(row) for row in matrix),
        profiles=matrix,
        valence_arousal=valence_arousal_points(matrix),
        projection=project_2d(matrix),
    )


def filter_mask(
    points: ExplorerPoints, emotions: Sequence[str] = (), artists: Sequence[str] = ()
) -> np.ndarray:
    """Rows whose dominant emotion is in `emotions` and artist in `artists` (empty = all)."""
    unknown = set(emotions) - set(EMOTIONS)
    if unknown:
        raise ValueError(f"Unknown emotion names: {', '.join(sorted(unknown))}.")
    mask = np.ones(len(points), dtype=bool)
    if emotions:
        mask &= np.isin(np.array(points.dominant, dtype=object), list(emotions))
    if artists:
        wanted = {a.casefold() for a in artists}
        mask &= np.array([a.casefold() in wanted for a in points.artists], dtype=bool)
    return mask


def playlist_profile(profiles: np.ndarray | Sequence[Sequence[float]]) -> EmotionProfile:
    """Mean profile of the rows; zeros when there are none."""
    matrix = _matrix(profiles)
    if not len(matrix):
        return EmotionProfile.zeros()
    return EmotionProfile(tuple(float(x) for x in matrix.mean(axis=0)))


def dominant_distribution(dominant: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Count tracks per dominant emotion, in EMOTIONS order, zeros included."""
    counts = Counter(dominant)
    return tuple((e, counts.get(e, 0)) for e in EMOTIONS)


def artist_names(points: ExplorerPoints) -> list[str]:
    """Distinct artists, sorted case-insensitively (for a filter box)."""
    return sorted(set(points.artists), key=lambda a: (a.casefold(), a))


def emotion_lines(
    text: TrackText,
    profile: EmotionProfile,
    emotion_vectors: np.ndarray | None = None,
    n: int = 3,
) -> tuple[EmotionLine, ...]:
    """Pick, for each of the track's top `n` emotions, the line that carries it best.

    The stanza scoring highest for the emotion narrows the candidates; within it the line
    closest to the emotion word's vector wins (`emotion_vectors`: (8, dim), rows in EMOTIONS
    order, L2-normalised), or without vectors the line closest to the stanza's centre.
    A line already used for a stronger emotion is skipped when another one is available.
    """
    lines = list(text.lines)
    if not lines:
        return ()
    has_emb = len(text.line_emb) == len(lines) and len(lines) > 0
    stanza_ok = len(text.stanzas) > 0 and len(text.stanza_profiles) == len(text.stanzas)
    used: set[int] = set()
    found: list[EmotionLine] = []
    for emotion, score in profile.top(n):
        e = EMOTIONS.index(emotion)
        candidates = list(range(len(lines)))
        if stanza_ok:
            best = int(np.argmax(np.asarray(text.stanza_profiles)[:, e]))
            wanted = {ln.casefold() for ln in split_lines(text.stanzas[best])}
            inside = [i for i, ln in enumerate(lines) if ln.casefold() in wanted]
            candidates = inside or candidates
        ranked = _rank_lines(candidates, text.line_emb if has_emb else None, emotion_vectors, e)
        choice = next((i for i in ranked if i not in used), ranked[0])
        used.add(choice)
        found.append(EmotionLine(emotion, round(score, 3), lines[choice]))
    return tuple(found)


def _rank_lines(
    candidates: list[int],
    line_emb: np.ndarray | None,
    emotion_vectors: np.ndarray | None,
    emotion: int,
) -> list[int]:
    if line_emb is None:
        return candidates
    vectors = np.asarray(line_emb, dtype=np.float64)[candidates]
    if emotion_vectors is not None and len(emotion_vectors) == len(EMOTIONS):
        target = np.asarray(emotion_vectors, dtype=np.float64)[emotion]
    else:
        target = vectors.mean(axis=0)
    sims = vectors @ target
    return [candidates[i] for i in np.argsort(-sims, kind="stable")]


def selected_rows(points: Sequence[Mapping[str, Any]]) -> list[int]:
    """Library rows of the points in a plotly selection event (row number is customdata[0])."""
    rows: list[int] = []
    for point in points:
        data = point.get("customdata")
        value = data[0] if isinstance(data, list | tuple) and data else data
        if isinstance(value, int | float) and not isinstance(value, bool):
            row = int(value)
            if row not in rows:
                rows.append(row)
    return rows
