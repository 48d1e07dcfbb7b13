"""Domain objects and the fixed emotion vocabulary.

Owns: EMOTIONS (Plutchik's eight, always in this order), intensity variants, dyads, the
valence/arousal points used for plots, and the frozen dataclasses that cross module boundaries
(Track, EmotionProfile, MatchedEmotion, Recommendation). Must not import anything from moodtune
or do I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

EMOTIONS: tuple[str, ...] = (
    "joy",
    "trust",
    "fear",
    "surprise",
    "sadness",
    "disgust",
    "anger",
    "anticipation",
)

# (mild, basic, intense) for each basic emotion.
INTENSITY_VARIANTS: dict[str, tuple[str, str, str]] = {
    "joy": ("serenity", "joy", "ecstasy"),
    "trust": ("acceptance", "trust", "admiration"),
    "fear": ("apprehension", "fear", "terror"),
    "surprise": ("distraction", "surprise", "amazement"),
    "sadness": ("pensiveness", "sadness", "grief"),
    "disgust": ("boredom", "disgust", "loathing"),
    "anger": ("annoyance", "anger", "rage"),
    "anticipation": ("interest", "anticipation", "vigilance"),
}

# Primary dyads: adjacent pairs on Plutchik's wheel.
DYADS: dict[tuple[str, str], str] = {
    ("joy", "trust"): "love",
    ("trust", "fear"): "submission",
    ("fear", "surprise"): "awe",
    ("surprise", "sadness"): "disapproval",
    ("sadness", "disgust"): "remorse",
    ("disgust", "anger"): "contempt",
    ("anger", "anticipation"): "aggressiveness",
    ("anticipation", "joy"): "optimism",
}

# Fixed (valence, arousal) in [-1, 1] for plotting profiles on a circumplex map.
VALENCE_AROUSAL: dict[str, tuple[float, float]] = {
    "joy": (0.85, 0.45),
    "trust": (0.6, -0.25),
    "fear": (-0.65, 0.6),
    "surprise": (0.15, 0.8),
    "sadness": (-0.75, -0.5),
    "disgust": (-0.7, 0.15),
    "anger": (-0.6, 0.75),
    "anticipation": (0.4, 0.35),
}


@dataclass(frozen=True, slots=True)
class EmotionProfile:
    """Eight scores in [0, 1], one per emotion in EMOTIONS order."""

    scores: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.scores) != len(EMOTIONS):
            raise ValueError(
                f"An emotion profile needs {len(EMOTIONS)} scores, got {len(self.scores)}."
            )
        clean = []
        for s in self.scores:
            v = float(s)
            if math.isnan(v):
                raise ValueError("An emotion score cannot be NaN.")
            clean.append(min(1.0, max(0.0, v)))
        object.__setattr__(self, "scores", tuple(clean))

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> EmotionProfile:
        """Build from {emotion: score}; unknown names raise, missing ones are 0."""
        unknown = set(values) - set(EMOTIONS)
        if unknown:
            raise ValueError(f"Unknown emotion names: {', '.join(sorted(unknown))}.")
        return cls(tuple(float(values.get(e, 0.0)) for e in EMOTIONS))

    @classmethod
    def zeros(cls) -> EmotionProfile:
        return cls((0.0,) * len(EMOTIONS))

    def as_dict(self) -> dict[str, float]:
        return dict(zip(EMOTIONS, self.scores, strict=True))

    def __getitem__(self, emotion: str) -> float:
        return self.scores[EMOTIONS.index(emotion)]

    def ranked(self) -> list[tuple[str, float]]:
        """Emotions sorted by score, highest first (ties keep EMOTIONS order)."""
        return sorted(self.as_dict().items(), key=lambda kv: -kv[1])

    def top(self, n: int = 3, min_score: float = 0.0) -> list[tuple[str, float]]:
        return [(e, s) for e, s in self.ranked()[:n] if s > min_score]

    @property
    def dominant(self) -> str:
        return self.ranked()[0][0]

    def valence_arousal(self) -> tuple[float, float]:
        """Where the profile sits on the valence/arousal plane.

        The mean of the emotions' points, each weighted by how far its score rises above the
        profile's own average: the emotions that stand out place the song, and eight similar
        scores do not all pull it to the centre. A flat or empty profile sits at (0, 0).
        """
        average = sum(self.scores) / len(self.scores)
        weights = [max(0.0, s - average) for s in self.scores]
        total = sum(weights)
        if total <= 1e-12:
            return (0.0, 0.0)
        v = sum(w * VALENCE_AROUSAL[e][0] for e, w in zip(EMOTIONS, weights, strict=True))
        a = sum(w * VALENCE_AROUSAL[e][1] for e, w in zip(EMOTIONS, weights, strict=True))
        return (v / total, a / total)


def mean_profile(profiles: Iterable[EmotionProfile]) -> EmotionProfile:
    """Average several profiles; zeros when there are none."""
    items = list(profiles)
    if not items:
        return EmotionProfile.zeros()
    n = len(items)
    return EmotionProfile(tuple(sum(p.scores[i] for p in items) / n for i in range(len(EMOTIONS))))


@dataclass(frozen=True, slots=True)
class Track:
    """One song as it enters the library. Only `lyrics` is ever analysed."""

    track_id: str
    title: str
    artist: str
    lyrics: str = ""
    album: str = ""
    year: int | None = None
    url: str = ""
    artwork_url: str = ""
    duration_ms: int | None = None
    source: str = ""
    lyrics_provider: str = ""
    instrumental: bool = False
    labels: tuple[str, ...] = ()  # intended emotions, for evaluation only


@dataclass(frozen=True, slots=True)
class MatchedEmotion:
    """One emotion (or refined word) that links a query to a song."""

    emotion: str
    word: str
    query_score: float
    song_score: float


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One ranked answer with everything needed to explain it.

    `score` is the approach's own number (cosines for lyrics/emotions/refined, a reciprocal
    rank fusion for hybrid), so scores of two approaches cannot be compared. `match` can: the
    share of the library's other tracks that this one outscores for the query (0..1).
    """

    track_id: str
    title: str
    artist: str
    score: float
    approach: str
    rank: int
    match: float = 0.0
    matched_line: str = ""
    matched_emotions: tuple[MatchedEmotion, ...] = ()
    url: str = ""
    album: str = ""
    details: Mapping[str, float] = field(default_factory=dict)
    # Who set the song's emotions: "model", "calibrated" (by listeners' corrections) or
    # "listener" (this track was corrected).
    emotions_by: str = "model"
    # For "calibrated": the corrected song this one most resembles, and what it was set to.
    emotions_note: str = ""
    playlists: tuple[str, ...] = ()  # names of the playlists that hold the track
    year: int | None = None  # release year, None where unknown
    # Set on a refined list: True when a thumbs-down on a similar earlier query moved it down.
    demoted: bool = False


@dataclass(frozen=True, slots=True)
class RecommendFilters:
    """Optional narrowing of the candidate tracks.

    A year range keeps tracks whose year is unknown (they cannot be judged); lists say so.
    """

    artists: Sequence[str] = ()
    emotions: Sequence[str] = ()  # dominant emotion must be one of these
    playlist: str = ""  # only tracks of this playlist (name or id)
    exclude_artists: Sequence[str] = ()
    one_per_artist: bool = False
    year_from: int | None = None
    year_to: int | None = None


@dataclass(frozen=True, slots=True)
class Playlist:
    """A named list of track ids in play order.

    `kind` says where it came from: "spotify", "file" or "demo" (recorded by ingestion), "saved"
    (a listener's own list) or "earlier" (tracks ingested before playlists were recorded).
    """

    playlist_id: str
    name: str
    kind: str
    track_ids: tuple[str, ...] = ()
    owner: str = ""
    snapshot_id: str = ""
    description: str = ""
    updated_at: str = ""
