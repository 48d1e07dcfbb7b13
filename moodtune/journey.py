"""Mood journeys: a playlist that meets the listener's feeling, then walks to where they want to be.

Owns: reading a target (one of the 8 emotions, or a second sentence), the walk itself, and the
checks a journey should pass. The walk follows the iso principle of music therapy: the first
track matches the query, each next track is the unused one nearest the next waypoint on the
straight line from the query's profile to the target's, it stays close to the track before it,
its distance to the target never grows while a candidate allows it, and no artist plays twice in
a row. Every step carries one sentence saying why it was chosen.
Pure numpy over a LibraryIndex (pass the listener view's, so corrections count); must not read
the store, load models or import streamlit: `plan_journey` takes a Recommender for that.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from moodtune.errors import InputError, NotFoundError
from moodtune.filters import artist_mask, year_mask
from moodtune.models import EMOTIONS, EmotionProfile
from moodtune.text import one_line, validate_query

if TYPE_CHECKING:
    from moodtune.recommend import Recommender
    from moodtune.store import LibraryIndex

DEFAULT_STEPS = 8
MIN_STEPS = 2
MAX_STEPS = 30
# An emotion target is that emotion alone, as strong as a clearly-felt sentence scores it.
TARGET_PEAK = 0.9
# Weights of the step score: nearness to the waypoint, nearness to the previous track, and (fading
# out after the start) the lyrics' similarity to the query, so the first song also *says* it.
STAY_CLOSE = 0.35
LYRICS_AT_START = 0.25
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class JourneyTarget:
    """Where the journey goes: an emotion name or a sentence, and its profile."""

    label: str
    profile: EmotionProfile
    emotion: str | None = None  # set when the target is one of the 8 emotions

    @property
    def name(self) -> str:
        """How a step names the destination: the emotion, or the quoted sentence."""
        return self.emotion if self.emotion else f"“{one_line(self.label, 40)}”"


@dataclass(frozen=True, slots=True)
class JourneyFilters:
    """Narrowing of the journey's candidates: artists left out, at most one song each, and a
    release-year range (tracks without a year are kept)."""

    exclude_artists: Sequence[str] = ()
    one_per_artist: bool = False
    year_from: int | None = None
    year_to: int | None = None


@dataclass(frozen=True, slots=True)
class JourneyStep:
    """One track of the journey, with its distances and the reason it was chosen."""

    position: int  # 1-based
    row: int  # row in the library index the journey was planned on
    track_id: str
    title: str
    artist: str
    album: str
    url: str
    profile: EmotionProfile
    to_query: float  # profile distance to the query's profile
    to_target: float  # profile distance to the target's profile
    why: str
    emotions_by: str = "model"


@dataclass(frozen=True, slots=True)
class JourneyChecks:
    """The properties a journey promises, each true or false, for tests and the README figures."""

    distinct: bool  # no track twice
    first_meets_query: bool  # the first track is closer to the query than to the target
    falls_overall: bool  # the last track is closer to the target than the first
    monotone: bool  # no step moves away from the target
    no_artist_back_to_back: bool

    @property
    def all(self) -> bool:
        return (
            self.distinct
            and self.first_meets_query
            and self.falls_overall
            and self.monotone
            and self.no_artist_back_to_back
        )


@dataclass(frozen=True, slots=True)
class Journey:
    """An ordered walk from the query's feeling to the target."""

    query: str
    query_profile: EmotionProfile
    target: JourneyTarget
    steps: tuple[JourneyStep, ...]
    filters: JourneyFilters = JourneyFilters()

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def distances(self) -> tuple[float, ...]:
        """Each step's profile distance to the target, in order."""
        return tuple(s.to_target for s in self.steps)

    def checks(self) -> JourneyChecks:
        d = self.distances
        artists = [s.artist.casefold() for s in self.steps]
        return JourneyChecks(
            distinct=len({s.track_id for s in self.steps}) == len(self.steps),
            first_meets_query=bool(self.steps) and self.steps[0].to_query < self.steps[0].to_target,
            falls_overall=len(d) >= 2 and d[-1] < d[0],
            monotone=all(b <= a + _EPS for a, b in itertools.pairwise(d)),
            no_artist_back_to_back=all(a != b for a, b in itertools.pairwise(artists)),
        )


def profile_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance between profiles over the 8 emotions (rows of `a` against `b`)."""
    out: np.ndarray = np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64), axis=-1)
    return out


def emotion_target(emotion: str) -> JourneyTarget:
    """The target for one of the 8 emotions: that emotion alone, at TARGET_PEAK."""
    name = emotion.strip().casefold()
    if name not in EMOTIONS:
        raise InputError(f"Unknown emotion '{emotion}'. Available: {', '.join(EMOTIONS)}.")
    return JourneyTarget(name, EmotionProfile.from_mapping({name: TARGET_PEAK}), name)


def resolve_target(target: str | None, extract: Callable[[str], EmotionProfile]) -> JourneyTarget:
    """An emotion name becomes that emotion; any other text is a sentence read by `extract`."""
    if target is None or not target.strip():
        raise InputError(
            f"Say where the journey goes: one of {', '.join(EMOTIONS)}, or a sentence."
        )
    if target.strip().casefold() in EMOTIONS:
        return emotion_target(target)
    text = validate_query(target)
    profile = extract(text)
    if max(profile.scores) <= 0.0:
        raise InputError(
            f"No emotion could be read in the target '{one_line(text, 60)}'; name one of "
            f"{', '.join(EMOTIONS)} or describe the feeling in other words."
        )
    return JourneyTarget(text, profile)


def check_steps(n: int, library_size: int) -> None:
    """InputError for a length outside MIN_STEPS..MAX_STEPS; NotFoundError for a small library."""
    if not MIN_STEPS <= n <= MAX_STEPS:
        raise InputError(
            f"A journey has {MIN_STEPS} to {MAX_STEPS} tracks (got {n}): it needs a start and "
            "an arrival."
        )
    if library_size == 0:
        raise NotFoundError("The library is empty: ingest the demo catalogue or a playlist first.")
    if library_size < n:
        raise NotFoundError(
            f"The library has {library_size} tracks, fewer than the {n} a journey needs: ingest "
            "more tracks or ask for a shorter journey."
        )


def _moves(before: EmotionProfile, after: EmotionProfile, target: EmotionProfile) -> str:
    """The (at most two) emotions that moved most towards the target, as 'sadness 0.62 -> 0.41'."""
    gains = []
    for e in EMOTIONS:
        change = after[e] - before[e]
        towards = change * np.sign(target[e] - before[e]) if target[e] != before[e] else 0.0
        gains.append((float(towards), e))
    gains.sort(key=lambda t: -t[0])
    parts = [f"{e} {before[e]:.2f} -> {after[e]:.2f}" for g, e in gains[:2] if g > 0.005]
    return ", ".join(parts)


def _why_first(profile: EmotionProfile, lyrics: float) -> str:
    top = ", ".join(f"{e} {s:.2f}" for e, s in profile.top(2) if s > 0)
    said = f"; its lyrics are close to your words ({lyrics:.2f})" if lyrics > 0 else ""
    return f"closest to your feeling: {top}{said}" if top else f"closest to your feeling{said}"


def _why_step(
    before: EmotionProfile,
    after: EmotionProfile,
    target: JourneyTarget,
    last: bool,
    distances: tuple[float, float] | None = None,
) -> str:
    """Why a step was taken; `distances` (to the target, before and after) when no unused
    track was as near the target as the previous one, so the step holds or moves away."""
    moves = _moves(before, after, target.profile)
    head = f"arrives at {target.name}" if last else f"a step towards {target.name}"
    if distances is not None:
        was, now = distances
        if now > was + _EPS:
            # Said plainly: a long journey can run out of tracks as near the target.
            head = (
                f"moves away from {target.name} ({was:.2f} -> {now:.2f} from it): no unused "
                "track the rules allow was as near"
            )
        else:
            head = f"stays near {target.name} (no unused track was closer)"
    return f"{head}: {moves}" if moves else head


def walk(
    index: LibraryIndex,
    query: str,
    query_profile: EmotionProfile,
    query_embedding: np.ndarray | None,
    target: JourneyTarget,
    n: int = DEFAULT_STEPS,
    filters: JourneyFilters | None = None,
) -> Journey:
    """Plan a journey of `n` tracks over `index` from `query_profile` to `target`.

    Greedy along waypoints evenly spaced from the query's profile to the target's: step i takes
    the allowed unused track that best balances nearness to waypoint i and to the previous track
    (plus, fading out, lyric similarity to the query). Allowed: not the previous artist (nor any
    used artist with `one_per_artist`), not an excluded artist, and no farther from the target
    than the previous track, and leaving at least as many unused tracks no farther from the
    target as steps remain; when nothing passes the distance rule, the nearest-to-target track
    is taken and its reason says so. The first track is also held to be nearer the query than the
    target whenever some track is.
    """
    filters = filters or JourneyFilters()
    artists = [a.casefold() for a in index.artists]
    allowed = artist_mask(index, filters.exclude_artists)
    allowed &= year_mask(index, filters.year_from, filters.year_to)
    available = int(allowed.sum())
    if available < n and len(index) >= n:
        raise NotFoundError(
            f"Only {available} tracks are left once those artists or years are excluded, fewer "
            f"than the {n} the journey needs: exclude fewer artists, widen the years or ask for "
            "a shorter journey."
        )
    check_steps(n, available)
    if filters.one_per_artist:
        distinct_artists = len({a for a, ok in zip(artists, allowed, strict=True) if ok})
        if distinct_artists < n:
            raise NotFoundError(
                f"Only {distinct_artists} artists are available, fewer than the {n} tracks of a "
                "one-song-per-artist journey: ask for a shorter journey or allow repeats."
            )

    profiles = np.asarray(index.profiles, dtype=np.float64)
    q = np.asarray(query_profile.scores, dtype=np.float64)
    t = np.asarray(target.profile.scores, dtype=np.float64)
    to_query = profile_distance(profiles, q)
    to_target = profile_distance(profiles, t)
    if query_embedding is not None and len(index.song_emb):
        lyrics = np.asarray(index.song_emb @ query_embedding, dtype=np.float64)
    else:
        lyrics = np.zeros(len(index))
    used = np.zeros(len(index), dtype=bool)
    used_artists: set[str] = set()
    steps: list[JourneyStep] = []
    prev: int | None = None
    for i in range(n):
        share = i / (n - 1)
        waypoint = q + share * (t - q)
        ok = allowed & ~used
        if filters.one_per_artist:
            ok &= np.array([a not in used_artists for a in artists], dtype=bool)
        elif prev is not None:
            ok &= np.array([a != artists[prev] for a in artists], dtype=bool)
        if not ok.any():
            raise NotFoundError(
                f"No track is left for step {i + 1} of {n} without repeating an artist back to "
                "back: ask for a shorter journey."
            )
        score = -profile_distance(profiles, waypoint) + LYRICS_AT_START * (1 - share) * lyrics
        held = False
        # Keep the rest of the walk possible: a track is taken only if at least as many unused
        # tracks as steps remain are no farther from the target, so later steps never have to
        # move away (the nearest tracks to a target are few; a greedy walk reaches them early).
        remaining = n - 1 - i
        pool = np.sort(to_target[allowed & ~used])
        behind = np.searchsorted(pool, to_target + _EPS, side="right") - 1
        room = ok & (behind >= remaining)
        if room.any():
            ok = room
        if prev is None:
            meets = ok & (to_query < to_target)
            if meets.any():
                ok = meets
        else:
            score -= STAY_CLOSE * profile_distance(profiles, profiles[prev])
            nearer = ok & (to_target <= to_target[prev] + _EPS)
            if nearer.any():
                ok = nearer
            else:
                held = True
                score = -to_target
        row = int(np.flatnonzero(ok)[np.argmax(score[ok])])
        profile = index.profile(row)
        if prev is None:
            why = _why_first(profile, float(lyrics[row]))
        else:
            distances = (float(to_target[prev]), float(to_target[row])) if held else None
            why = _why_step(index.profile(prev), profile, target, i == n - 1, distances)
        steps.append(
            JourneyStep(
                position=i + 1,
                row=row,
                track_id=index.track_ids[row],
                title=index.titles[row],
                artist=index.artists[row],
                album=index.albums[row],
                url=index.urls[row],
                profile=profile,
                to_query=round(float(to_query[row]), 4),
                to_target=round(float(to_target[row]), 4),
                why=why,
                emotions_by=index.emotion_source(row),
            )
        )
        used[row] = True
        used_artists.add(artists[row])
        prev = row
    return Journey(query, query_profile, target, tuple(steps), filters)


def plan_journey(
    recommender: Recommender,
    query: str,
    target: str | None,
    n: int = DEFAULT_STEPS,
    filters: JourneyFilters | None = None,
) -> Journey:
    """Plan a journey over the listener view (corrections count) of `recommender`'s library."""
    if not MIN_STEPS <= n <= MAX_STEPS:
        check_steps(n, n)
    ctx = recommender.context(query)
    goal = resolve_target(target, lambda text: recommender.extractor.extract([text])[0])
    index = recommender.view().index
    return walk(index, ctx.text, ctx.profile, ctx.embedding, goal, n, filters)


def journey_json(journey: Journey) -> dict[str, object]:
    """A JSON-ready summary: query, target, the checks, and each step with its reason."""
    checks = journey.checks()
    return {
        "query": journey.query,
        "query_profile": {e: round(s, 4) for e, s in journey.query_profile.as_dict().items()},
        "target": {
            "label": journey.target.label,
            "emotion": journey.target.emotion,
            "profile": {e: round(s, 4) for e, s in journey.target.profile.as_dict().items()},
        },
        "checks": {
            "distinct": checks.distinct,
            "first_meets_query": checks.first_meets_query,
            "falls_overall": checks.falls_overall,
            "monotone": checks.monotone,
            "no_artist_back_to_back": checks.no_artist_back_to_back,
        },
        "steps": [
            {
                "position": s.position,
                "track_id": s.track_id,
                "title": s.title,
                "artist": s.artist,
                "album": s.album,
                "url": s.url,
                "to_query": s.to_query,
                "to_target": s.to_target,
                "why": s.why,
                "emotions_by": s.emotions_by,
                "profile": {e: round(v, 4) for e, v in s.profile.as_dict().items()},
            }
            for s in journey.steps
        ],
    }
