"""The emotion profile of a playlist, and how two or three playlists differ.

Owns: a playlist's mean profile, its dominant-emotion counts, its emotion arc (each track's
profile in play order), the one-sentence reading of its mood ("mostly sadness and trust, with an
anger streak in the middle"), and the comparison of playlists: per-emotion means, the largest
differences, and the tracks that drive each one. Pure functions over a LibraryIndex.
Must not read the store, plot, or import streamlit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from moodtune.errors import InputError
from moodtune.models import EMOTIONS, EmotionProfile, Playlist

if TYPE_CHECKING:
    from moodtune.store import LibraryIndex

MOSTLY_ONE = 0.6  # one emotion leads this share of the tracks: "mostly X"
MOSTLY_TWO = 0.6  # two together: "mostly X and Y"
MAX_COMPARED = 3
DRIVERS = 3


@dataclass(frozen=True, slots=True)
class PlaylistProfile:
    """One playlist read through its tracks' profiles, aligned in play order."""

    playlist_id: str
    name: str
    kind: str
    track_ids: tuple[str, ...]
    titles: tuple[str, ...]
    artists: tuple[str, ...]
    rows: np.ndarray  # (n,) library rows
    arc: np.ndarray  # (n, 8) each track's profile, in play order
    mean: EmotionProfile
    dominant: tuple[str, ...]  # each track's dominant emotion, in play order
    counts: tuple[tuple[str, int], ...]  # tracks per dominant emotion, EMOTIONS order
    reading: str

    def __len__(self) -> int:
        return len(self.track_ids)


@dataclass(frozen=True, slots=True)
class Driver:
    """A track that pulls its playlist's mean of one emotion above the other playlist's."""

    track_id: str
    title: str
    artist: str
    score: float


@dataclass(frozen=True, slots=True)
class EmotionDifference:
    """How far apart the compared playlists sit on one emotion."""

    emotion: str
    means: tuple[float, ...]  # one per compared playlist, in the order given
    high: str  # name of the playlist with the highest mean
    low: str
    difference: float  # high mean minus low mean
    drivers: tuple[Driver, ...]  # the high playlist's tracks (not in the low one) that lift it


@dataclass(frozen=True, slots=True)
class Comparison:
    profiles: tuple[PlaylistProfile, ...]
    differences: tuple[EmotionDifference, ...]  # largest difference first

    def summary(self) -> str:
        """One sentence on the largest difference."""
        if not self.differences:
            return "Nothing to compare."
        top = self.differences[0]
        if top.difference < 0.01:
            return "These playlists carry the same emotions in nearly the same measure."
        driven = ", ".join(d.title for d in top.drivers[:2])
        tail = f", driven by {driven}" if driven else ""
        return (
            f"{top.high} carries more {top.emotion} than {top.low} (+{top.difference:.2f}){tail}."
        )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _runs(items: Sequence[str]) -> list[tuple[str, int, int]]:
    """(value, start, length) of each run of equal neighbours."""
    runs: list[tuple[str, int, int]] = []
    for i, item in enumerate(items):
        if runs and runs[-1][0] == item:
            value, start, length = runs[-1]
            runs[-1] = (value, start, length + 1)
        else:
            runs.append((item, i, 1))
    return runs


def _where(start: int, length: int, n: int) -> str:
    centre = (start + (length - 1) / 2) / max(1, n - 1)
    if centre < 1 / 3:
        return "at the start"
    if centre > 2 / 3:
        return "at the end"
    return "in the middle"


def describe_mood(
    dominant: Sequence[str], mean: Sequence[float] | None = None, *, ordered: bool = True
) -> str:
    """One sentence on a playlist's mood from its tracks' dominant emotions in play order.

    The head names what leads ("mostly sadness", "mostly sadness and trust", or "a mix of ...");
    emotions leading as many tracks are ordered by the playlist's `mean` score (then by
    EMOTIONS order). The tail names the longest run of another emotion and where it sits ("with
    an anger streak in the middle"), or, without one, how the start and the end differ; it is
    left out when the tracks are not `ordered` (the whole library has no play order).
    """
    n = len(dominant)
    if n == 0:
        return "No tracks yet."
    strength = dict(zip(EMOTIONS, mean, strict=True)) if mean is not None else {}
    ranked = sorted(
        Counter(dominant).items(),
        key=lambda kv: (-kv[1], -strength.get(kv[0], 0.0), EMOTIONS.index(kv[0])),
    )
    if n == 1:
        return f"A single {ranked[0][0]} song."
    (first, c1), *rest = ranked
    second, c2 = rest[0] if rest else ("", 0)
    if c1 / n >= MOSTLY_ONE or not rest:
        head, leading = f"Mostly {first}", {first}
    elif (c1 + c2) / n >= MOSTLY_TWO and c2 >= 2:
        head, leading = f"Mostly {first} and {second}", {first, second}
    else:
        names = [e for e, _ in ranked[:3]]
        head, leading = f"A mix of {', '.join(names[:-1])} and {names[-1]}", set(names)
    if not ordered:
        return f"{head}."
    shortest = 2 if n <= 8 else max(2, math.ceil(0.12 * n))
    streaks = [r for r in _runs(dominant) if r[0] not in leading and r[2] >= shortest]
    if streaks:
        emotion, start, length = max(streaks, key=lambda r: (r[2], -r[1]))
        return f"{head}, with {_article(emotion)} {emotion} streak {_where(start, length, n)}."
    third = max(1, n // 3)
    opening = Counter(dominant[:third]).most_common(1)[0][0]
    closing = Counter(dominant[-third:]).most_common(1)[0][0]
    if n >= 6 and opening != closing:
        return f"{head}, opening on {opening} and closing on {closing}."
    return f"{head}."


def profile_playlist(index: LibraryIndex, playlist: Playlist) -> PlaylistProfile:
    """Read a playlist's tracks from the index, in play order (tracks not stored are skipped)."""
    at = {tid: row for row, tid in enumerate(index.track_ids)}
    ids = tuple(t for t in dict.fromkeys(playlist.track_ids) if t in at)
    rows = np.array([at[t] for t in ids], dtype=np.int64)
    arc = (
        np.asarray(index.profiles[rows], dtype=np.float64)
        if len(rows)
        else np.zeros((0, len(EMOTIONS)))
    )
    dominant = tuple(EMOTIONS[i] for i in arc.argmax(axis=1)) if len(arc) else ()
    counts = Counter(dominant)
    mean = (
        EmotionProfile(tuple(float(x) for x in arc.mean(axis=0)))
        if len(arc)
        else EmotionProfile.zeros()
    )
    return PlaylistProfile(
        playlist_id=playlist.playlist_id,
        name=playlist.name,
        kind=playlist.kind,
        track_ids=ids,
        titles=tuple(index.titles[r] for r in rows),
        artists=tuple(index.artists[r] for r in rows),
        rows=rows,
        arc=arc,
        mean=mean,
        dominant=dominant,
        counts=tuple((e, counts.get(e, 0)) for e in EMOTIONS),
        reading=describe_mood(dominant, mean.scores, ordered=playlist.kind != "library"),
    )


def compare_playlists(index: LibraryIndex, playlists: Sequence[Playlist]) -> Comparison:
    """Compare two or three playlists emotion by emotion, largest difference first."""
    if not 2 <= len(playlists) <= MAX_COMPARED:
        raise InputError(f"Compare two or three playlists (got {len(playlists)}).")
    if len({p.playlist_id for p in playlists}) != len(playlists):
        raise InputError("Pick different playlists to compare.")
    profiles = tuple(profile_playlist(index, p) for p in playlists)
    differences = []
    for e, emotion in enumerate(EMOTIONS):
        means = tuple(p.mean.scores[e] for p in profiles)
        hi = max(range(len(means)), key=lambda i: (means[i], -i))
        lo = min(range(len(means)), key=lambda i: (means[i], i))
        differences.append(
            EmotionDifference(
                emotion=emotion,
                means=tuple(round(m, 4) for m in means),
                high=profiles[hi].name,
                low=profiles[lo].name,
                difference=round(means[hi] - means[lo], 4),
                drivers=_drivers(profiles[hi], profiles[lo], e) if hi != lo else (),
            )
        )
    differences.sort(key=lambda d: (-d.difference, EMOTIONS.index(d.emotion)))
    return Comparison(profiles, tuple(differences))


def _drivers(high: PlaylistProfile, low: PlaylistProfile, emotion: int) -> tuple[Driver, ...]:
    """The high playlist's tracks, not shared with the low one, that sit furthest above the
    low playlist's mean on `emotion` (a shared track moves both means alike)."""
    shared = set(low.track_ids)
    floor = low.mean.scores[emotion]
    order = np.argsort(-high.arc[:, emotion], kind="stable") if len(high) else np.array([], int)
    found = []
    for i in order:
        score = float(high.arc[i, emotion])
        if score <= floor:
            break
        if high.track_ids[i] in shared:
            continue
        found.append(Driver(high.track_ids[i], high.titles[i], high.artists[i], round(score, 3)))
        if len(found) == DRIVERS:
            break
    return tuple(found)
