"""Refinement: move a query toward or away from a track, or by a follow-up sentence, and re-rank.

Owns: RefinedQuery (the query's embedding and emotion profile after each move, and the moves as
made and in words), the three moves ("more like this", "less like this", a follow-up such as
"less angry" or "more upbeat"), re-ranking a moved query through the Recommender (every
approach reads the moved embedding, the moved profile, or both), and what changed between two
lists (new, moved up or down, dropped). Must not read the store or import streamlit.

How a query moves (Rocchio-style relevance feedback, on both of the query's faces):
- more like a track: the embedding moves toward the song's (a mix of MORE_WEIGHT of the song),
  the profile toward the song's profile by the same share;
- less like a track: the embedding moves away from the song's (LESS_WEIGHT of it subtracted),
  and the emotions that stand out in the song (above its own mean) are lowered;
- a follow-up sentence: its leading "more"/"less" (and synonyms) picks the direction; the rest
  ("angry", "upbeat") is embedded and read for emotions, and the query moves toward or away
  from it: its standout emotions go up or down by FOLLOW_UP_WEIGHT at the strongest.
Then every approach also gets the profile's change as a steer (moodtune.recommend.steered), so a
move reaches `lyrics`, which reads no emotions. The weights were set by hand on a few demo
queries (the tests check the direction, not the size, of each move).
A later "more/less like this" on a song replaces the earlier one on that song (`move` rebuilds
the query from its sentence without it), so "less like X" right after "more like X" reads as
"less like X", not as the two added up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from moodtune.errors import InputError
from moodtune.models import EMOTIONS, EmotionProfile, Recommendation, RecommendFilters
from moodtune.text import one_line, validate_query

if TYPE_CHECKING:
    from moodtune.recommend import Recommender
    from moodtune.store import LibraryIndex

MORE_WEIGHT = 0.5
LESS_WEIGHT = 0.35
FOLLOW_UP_WEIGHT = 0.7
FOLLOW_UP_EMBEDDING = 0.5
MAX_STEPS = 20

Direction = Literal["more", "less"]
MoveKind = Literal["more", "less", "then"]
_LESS = re.compile(
    r"^(?:(?:a\s+(?:bit|little|lot)\s+|much\s+|way\s+|even\s+)?(?:less|fewer)|"
    r"not\s+(?:so|as|too)|no\s+more|without|no|stop(?:\s+being)?|nothing)\b\s*",
    re.IGNORECASE,
)
_MORE = re.compile(
    r"^(?:(?:a\s+(?:bit|little|lot)\s+|much\s+|way\s+|even\s+)?more|but|and|with|add|some)\b\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Move:
    """One move as made: toward ("more") or away from ("less") a track, or a follow-up ("then")."""

    kind: MoveKind
    subject: str  # the track id, or the follow-up sentence


@dataclass(frozen=True, slots=True)
class RefinedQuery:
    """A query after zero or more moves: the sentence, where it now points, and the moves."""

    text: str
    embedding: tuple[float, ...]
    profile: EmotionProfile
    steps: tuple[str, ...] = ()
    origin: EmotionProfile | None = None  # the sentence's own profile, before any move
    moves: tuple[Move, ...] = ()  # what each step did, so the query can be rebuilt without one

    def steer(self) -> np.ndarray | None:
        """How the moves changed the profile (8 weights), or None before any move."""
        if self.origin is None:
            return None
        delta = np.asarray(self.profile.scores, np.float64) - np.asarray(self.origin.scores)
        return delta if float(np.abs(delta).max()) > 1e-6 else None

    @property
    def label(self) -> str:
        """The sentence and its moves in words: 'rainy day · less angry · more like “X”'."""
        return " · ".join((self.text, *self.steps))

    def vector(self) -> np.ndarray:
        return np.asarray(self.embedding, dtype=np.float32)

    def moved(self, vector: np.ndarray, profile: np.ndarray, step: str, made: Move) -> RefinedQuery:
        """The query after one more move: a new embedding and profile (clipped to [0, 1])."""
        return RefinedQuery(
            self.text,
            tuple(float(x) for x in vector),
            EmotionProfile(tuple(float(x) for x in np.clip(profile, 0.0, 1.0))),
            (*self.steps, step),
            self.origin,
            (*self.moves, made),
        )


@dataclass(frozen=True, slots=True)
class Change:
    """Where one track of the new list stands against the list before the move."""

    track_id: str
    title: str
    artist: str
    rank: int
    before: int | None  # its rank in the earlier list; None when it is new

    @property
    def kind(self) -> str:
        if self.before is None:
            return "new"
        if self.before > self.rank:
            return "up"
        if self.before < self.rank:
            return "down"
        return "same"

    @property
    def note(self) -> str:
        """'new', 'up 3', 'down 1' or '' for a track that kept its place."""
        if self.before is None:
            return "new"
        if self.before == self.rank:
            return ""
        return f"{self.kind} {abs(self.before - self.rank)}"


@dataclass(frozen=True, slots=True)
class ListChanges:
    """Each track of the new list with its move, and the tracks the move dropped."""

    entries: tuple[Change, ...]
    dropped: tuple[tuple[str, str, str], ...]  # (track id, title, artist)

    def summary(self) -> str:
        """One sentence: how many are new, moved up, moved down, dropped."""
        counts = {k: sum(c.kind == k for c in self.entries) for k in ("new", "up", "down")}
        parts = [
            f"{counts['new']} new" if counts["new"] else "",
            f"{counts['up']} moved up" if counts["up"] else "",
            f"{counts['down']} moved down" if counts["down"] else "",
            f"{len(self.dropped)} dropped" if self.dropped else "",
        ]
        said = ", ".join(p for p in parts if p)
        return f"Changed: {said}." if said else "Nothing changed in this list."


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    out: np.ndarray = vector / norm if norm > 0 else vector
    return out


def _excess(profile: EmotionProfile) -> np.ndarray:
    """The emotions standing above the profile's own mean, scaled so the strongest is 1."""
    scores = np.asarray(profile.scores, dtype=np.float64)
    above: np.ndarray = np.clip(scores - scores.mean(), 0.0, None)
    peak = float(above.max()) if len(above) else 0.0
    return above / peak if peak > 0 else above


def _checked_steps(query: RefinedQuery) -> None:
    if len(query.steps) >= MAX_STEPS:
        raise InputError(
            f"This list has been refined {MAX_STEPS} times; start again from a new sentence."
        )


def start(recommender: Recommender, text: str) -> RefinedQuery:
    """The unmoved query: the sentence's own embedding and profile."""
    ctx = recommender.context(text)
    return RefinedQuery(
        ctx.text, tuple(float(x) for x in ctx.embedding), ctx.profile, origin=ctx.profile
    )


def toward_track(
    query: RefinedQuery, index: LibraryIndex, row: int, direction: Direction
) -> RefinedQuery:
    """Move the query toward ("more like this") or away from ("less like this") track `row`."""
    _checked_steps(query)
    if not 0 <= row < len(index):
        raise InputError("That track is not in the library any more; ask again.")
    q = query.vector().astype(np.float64)
    song = _unit(np.asarray(index.song_emb[row], dtype=np.float64))
    p = np.asarray(query.profile.scores, dtype=np.float64)
    t = np.asarray(index.profiles[row], dtype=np.float64)
    if direction == "more":
        moved = _unit((1 - MORE_WEIGHT) * _unit(q) + MORE_WEIGHT * song)
        profile = p + MORE_WEIGHT * (t - p)
        step = f"more like “{one_line(index.titles[row], 40)}”"
    else:
        moved = _unit(_unit(q) - LESS_WEIGHT * song)
        profile = p - LESS_WEIGHT * _excess(index.profile(row)) * np.maximum(p, t)
        step = f"less like “{one_line(index.titles[row], 40)}”"
    return query.moved(moved, profile, step, Move(direction, index.track_ids[row]))


def parse_follow_up(sentence: str) -> tuple[Direction, str]:
    """Split a follow-up into its direction and what it is about: 'less angry' -> less, angry."""
    text = validate_query(sentence)
    less = _LESS.match(text)
    if less:
        return "less", text[less.end() :].strip() or text
    more = _MORE.match(text)
    if more:
        return "more", text[more.end() :].strip() or text
    return "more", text


def follow_up(recommender: Recommender, query: RefinedQuery, sentence: str) -> RefinedQuery:
    """Move the query by a follow-up sentence such as "less angry" or "more upbeat"."""
    _checked_steps(query)
    direction, about = parse_follow_up(sentence)
    ctx = recommender.context(about)
    sign = 1.0 if direction == "more" else -1.0
    q = _unit(query.vector().astype(np.float64))
    e = _unit(np.asarray(ctx.embedding, dtype=np.float64))
    moved = _unit(q + sign * FOLLOW_UP_EMBEDDING * e)
    p = np.asarray(query.profile.scores, dtype=np.float64)
    excess = _excess(ctx.profile)
    if direction == "more":
        profile = p + FOLLOW_UP_WEIGHT * excess * (1.0 - p)
    else:
        profile = p - FOLLOW_UP_WEIGHT * excess * np.maximum(p, 0.3)
    step = f"{direction} {one_line(about, 40)}"
    return query.moved(moved, profile, step, Move("then", sentence))


def rank_refined(
    recommender: Recommender,
    query: RefinedQuery,
    approach: str,
    k: int,
    filters: RecommendFilters | None = None,
) -> list[Recommendation]:
    """Rank the library for a moved query (an unmoved one ranks as its sentence does)."""
    ctx = recommender.context(query.text, embedding=query.vector(), profile=query.profile)
    return recommender.rank(ctx, approach, k, filters, steer=query.steer())


def compare_lists(before: Sequence[Recommendation], after: Sequence[Recommendation]) -> ListChanges:
    """What a move changed: each new entry's earlier rank (None if new), and what was dropped."""
    earlier = {r.track_id: r.rank for r in before}
    now = {r.track_id for r in after}
    entries = tuple(
        Change(r.track_id, r.title, r.artist, r.rank, earlier.get(r.track_id)) for r in after
    )
    dropped = tuple((r.track_id, r.title, r.artist) for r in before if r.track_id not in now)
    return ListChanges(entries, dropped)


def move(
    recommender: Recommender,
    query: RefinedQuery,
    *,
    more_like: Sequence[int] = (),
    less_like: Sequence[int] = (),
    sentences: Sequence[str] = (),
) -> RefinedQuery:
    """Apply several moves in order: tracks to move toward, tracks to move away from, sentences.

    A move on a track the query was already moved toward or away from replaces that move.
    """
    index = recommender.view().index
    tracks: list[tuple[int, Direction]] = [(row, "more") for row in more_like]
    tracks += [(row, "less") for row in less_like]
    for row, direction in tracks:
        if not 0 <= row < len(index):
            raise InputError("That track is not in the library any more; ask again.")
        query = _without_track(recommender, query, index.track_ids[row])
        query = toward_track(query, index, row, direction)
    for sentence in sentences:
        query = follow_up(recommender, query, sentence)
    return query


def _without_track(recommender: Recommender, query: RefinedQuery, track_id: str) -> RefinedQuery:
    """The query rebuilt from its sentence with its other moves, in order, when one of its moves
    was on `track_id`; else the query itself."""
    if not any(m.kind != "then" and m.subject == track_id for m in query.moves):
        return query
    index = recommender.view().index
    rows = {tid: row for row, tid in enumerate(index.track_ids)}
    rebuilt = start(recommender, query.text)
    for made in query.moves:
        if made.kind == "then":
            rebuilt = follow_up(recommender, rebuilt, made.subject)
        elif made.subject != track_id:
            if made.subject not in rows:
                raise InputError(
                    "A track this list was refined by is no longer in the library; start over."
                )
            rebuilt = toward_track(rebuilt, index, rows[made.subject], made.kind)
    return rebuilt


def profile_change(before: EmotionProfile, after: EmotionProfile, n: int = 2) -> str:
    """The emotions the moves changed most, as 'anger 0.71 -> 0.32, joy 0.10 -> 0.25'."""
    moved = sorted(EMOTIONS, key=lambda e: -abs(after[e] - before[e]))[:n]
    parts = [
        f"{e} {before[e]:.2f} -> {after[e]:.2f}" for e in moved if abs(after[e] - before[e]) > 0.005
    ]
    return ", ".join(parts)
