"""The approaches registry and explained recommendations.

Owns: the rankers (`lyrics`, `emotions`, `refined`, `hybrid`), registered in APPROACHES as plain
functions `(QueryContext, LibraryIndex) -> scores`, and `Recommender.recommend(query, approach,
k, filters)`, which ranks, filters and explains: matched emotions with the query's and the song's
scores, and the lyric line that matched best. Rankers are pure numpy over the in-memory index;
a query never re-reads lyrics through an extractor.

`Recommender.rank` also takes a prepared QueryContext (a refined query's moved embedding and
profile, moodtune.refine) and an emotion steer; applies the list filters (moodtune.filters) and
moves down tracks voted down on similar earlier queries (moodtune.demotion), for every approach.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from moodtune.config import Settings
from moodtune.corrections import CorrectionStore
from moodtune.demotion import demote, demotions
from moodtune.embed import Embedder, get_embedder
from moodtune.emotions import build_extractor
from moodtune.emotions.base import EmotionExtractor
from moodtune.emotions.vectors import WordVectors
from moodtune.emotions.words import MILD, basic_words, intensity_word, refined_words, words_text
from moodtune.errors import InputError, NotFoundError
from moodtune.feedback import FeedbackStore, QueryVote
from moodtune.filters import artist_mask, best_rows_one_per_artist, year_mask
from moodtune.listener import ListenerView, listener_view
from moodtune.models import (
    EMOTIONS,
    EmotionProfile,
    MatchedEmotion,
    Recommendation,
    RecommendFilters,
)
from moodtune.playlists import find_playlist, playlists_of, read_playlists
from moodtune.registry import Registry
from moodtune.store import LibraryIndex, Store
from moodtune.text import split_lines, validate_query

RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
FEEDBACK_WEIGHT = 0.002  # per net vote; about a tenth of the RRF gap between ranks 1 and 10
FEEDBACK_CAP = 5
# How far a refinement's emotion steer can move a song: this share of the scores' 5-95
# percentile spread per unit of the song's profile along the steer.
STEER_SHARE = 0.75


class QueryContext:
    """A query's vectors, each computed on first use, so a ranker pays only for what it reads."""

    def __init__(
        self,
        text: str,
        embedder: Embedder,
        extractor: EmotionExtractor,
        word_vectors: WordVectors,
        votes: Callable[[], Mapping[str, int]] | None = None,
        *,
        embedding: np.ndarray | None = None,
        profile: EmotionProfile | None = None,
    ) -> None:
        self.text = text
        self._embedder = embedder
        self._extractor = extractor
        self._words = word_vectors
        self._votes = votes
        # A refined query arrives with its moved embedding and profile; a sentence computes them.
        self._given_embedding = embedding
        self._given_profile = profile

    @functools.cached_property
    def net_votes(self) -> Mapping[str, int]:
        """Up minus down votes per track; read only by rankers that use feedback."""
        return self._votes() if self._votes is not None else {}

    @functools.cached_property
    def embedding(self) -> np.ndarray:
        if self._given_embedding is not None:
            return np.asarray(self._given_embedding, dtype=np.float32)
        return np.asarray(self._embedder.embed([self.text])[0], dtype=np.float32)

    @functools.cached_property
    def profile(self) -> EmotionProfile:
        if self._given_profile is not None:
            return self._given_profile
        return self._extractor.extract([self.text])[0]

    @functools.cached_property
    def emotion_embedding(self) -> np.ndarray:
        return np.asarray(self._words.basic_vectors([basic_words(self.profile)])[0])

    @functools.cached_property
    def refined_embedding(self) -> np.ndarray:
        return np.asarray(self._words.refined_vectors([refined_words(self.profile)])[0])

    @property
    def profile_vector(self) -> np.ndarray:
        return np.asarray(self.profile.scores, dtype=np.float32)


Ranker = Callable[[QueryContext, LibraryIndex], np.ndarray]
APPROACHES: Registry[Ranker] = Registry("approach")


def _profile_cosine(q: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(profiles, axis=1) * (np.linalg.norm(q) or 1.0)
    out: np.ndarray = np.divide(
        profiles @ q, norms, out=np.zeros(len(profiles), np.float32), where=norms > 0
    )
    return out


@APPROACHES.register("lyrics")
def rank_lyrics(ctx: QueryContext, index: LibraryIndex) -> np.ndarray:
    """Mean of the whole-song cosine and the best stanza's cosine with the query."""
    q = ctx.embedding
    song = index.song_emb @ q
    best_stanza = np.maximum.reduceat(index.stanza_emb @ q, index.stanza_start)
    return np.asarray(0.5 * song + 0.5 * best_stanza, dtype=np.float32)


@APPROACHES.register("emotions")
def rank_emotions(ctx: QueryContext, index: LibraryIndex) -> np.ndarray:
    """Mean of the emotion-word embedding cosine and the 8-D profile cosine."""
    words = index.emotion_emb @ ctx.emotion_embedding
    return np.asarray(0.5 * words + 0.5 * _profile_cosine(ctx.profile_vector, index.profiles))


@APPROACHES.register("refined")
def rank_refined(ctx: QueryContext, index: LibraryIndex) -> np.ndarray:
    """Mean of the refined-word (intensities, dyads) cosine and the 8-D profile cosine."""
    words = index.refined_emb @ ctx.refined_embedding
    return np.asarray(0.5 * words + 0.5 * _profile_cosine(ctx.profile_vector, index.profiles))


def _rrf(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (RRF_K + ranks)


@APPROACHES.register("hybrid")
def rank_hybrid(ctx: QueryContext, index: LibraryIndex) -> np.ndarray:
    """Reciprocal rank fusion of `lyrics` and `refined`, nudged by thumbs feedback."""
    fused = _rrf(rank_lyrics(ctx, index)) + _rrf(rank_refined(ctx, index))
    if ctx.net_votes:
        bias = np.array(
            [
                np.clip(ctx.net_votes.get(tid, 0), -FEEDBACK_CAP, FEEDBACK_CAP)
                for tid in index.track_ids
            ],
            dtype=np.float64,
        )
        fused = fused + FEEDBACK_WEIGHT * bias
    return np.asarray(fused, dtype=np.float32)


def top_rows(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Row numbers of the `k` best scores among `mask`'s rows, best first.

    A partial sort (argpartition) keeps a 100k-track query well under a full argsort. Ties at
    the k-th score are resolved by row order, so the answer equals a full stable sort's.
    """
    candidates = np.flatnonzero(mask) if mask is not None else np.arange(len(scores))
    values = scores[candidates]
    if k < len(candidates):
        kth = values[np.argpartition(-values, k - 1)[k - 1]]
        above = np.flatnonzero(values > kth)
        kept = np.concatenate([above, np.flatnonzero(values == kth)[: k - len(above)]])
    else:
        kept = np.arange(len(candidates))
    rows: np.ndarray = candidates[kept[np.argsort(-values[kept], kind="stable")]]
    return rows


def steered(scores: np.ndarray, profiles: np.ndarray, steer: np.ndarray) -> np.ndarray:
    """Add each song's profile along `steer` (unit length), scaled to the scores' spread."""
    norm = float(np.linalg.norm(steer))
    if norm == 0 or not len(scores):
        return scores
    low, high = np.percentile(scores, [5, 95])
    spread = float(high - low) or 1.0
    along = np.asarray(profiles, dtype=np.float64) @ (np.asarray(steer, dtype=np.float64) / norm)
    out: np.ndarray = np.asarray(scores + STEER_SHARE * spread * along, dtype=np.float32)
    return out


def match_share(scores: np.ndarray, row: int) -> float:
    """The share of the other tracks that `row` outscores: one figure every approach shares.

    Raw scores live on different scales (cosines near 0.6, fusion scores near 0.03); where a
    song stands in the library reads the same for all of them.
    """
    others = len(scores) - 1
    if others <= 0:
        return 1.0
    return round(float(np.count_nonzero(scores < scores[row])) / others, 4)


def _candidate_mask(index: LibraryIndex, filters: RecommendFilters | None) -> np.ndarray:
    mask = np.ones(len(index), dtype=bool)
    if filters is None:
        return mask
    if filters.artists:
        wanted = {a.casefold() for a in filters.artists}
        mask &= np.array([a.casefold() in wanted for a in index.artists], dtype=bool)
    if filters.emotions:
        unknown = set(filters.emotions) - set(EMOTIONS)
        if unknown:
            raise InputError(f"Unknown emotion filter: {', '.join(sorted(unknown))}.")
        mask &= np.isin(np.array(index.dominant), list(filters.emotions))
    mask &= artist_mask(index, filters.exclude_artists)
    mask &= year_mask(index, filters.year_from, filters.year_to)
    return mask


def matched_emotions(
    query: EmotionProfile, song: EmotionProfile, n: int = 3
) -> tuple[MatchedEmotion, ...]:
    """Emotions both sides carry (>= MILD), strongest shared first; else the song's top one."""
    shared = [(e, query[e], song[e]) for e in EMOTIONS if query[e] >= MILD and song[e] >= MILD]
    shared.sort(key=lambda t: -(t[1] * t[2]))
    if not shared:
        top = song.dominant
        shared = [(top, query[top], song[top])]
    return tuple(
        MatchedEmotion(
            emotion=e, word=intensity_word(e, s), query_score=round(q, 3), song_score=round(s, 3)
        )
        for e, q, s in shared[:n]
    )


@dataclass
class Recommender:
    """Answers queries over one library with one embedder and one extractor."""

    store: Store
    embedder: Embedder
    extractor: EmotionExtractor
    net_votes: Callable[[], Mapping[str, int]] | None = None
    corrections: CorrectionStore | None = None
    # Net votes per (query, track): a thumbs-down counts against the track on similar queries.
    query_votes: Callable[[], Sequence[QueryVote]] | None = None
    _words: WordVectors | None = field(default=None, repr=False)
    _view: tuple[tuple[str, int], ListenerView] | None = field(default=None, repr=False)

    @property
    def word_vectors(self) -> WordVectors:
        if self._words is None:
            self._words = WordVectors(self.embedder)
        return self._words

    def view(self) -> ListenerView:
        """The library with listeners' corrections applied, rebuilt when either changes."""
        index = self.store.index()
        key = (index.version, self.corrections.revision() if self.corrections is not None else 0)
        cached = self._view
        if cached is None or cached[0] != key:
            current = self.corrections.current() if self.corrections is not None else {}
            cached = (key, listener_view(index, current, self.word_vectors))
            self._view = cached
        return cached[1]

    def context(
        self,
        query: str,
        *,
        embedding: np.ndarray | None = None,
        profile: EmotionProfile | None = None,
    ) -> QueryContext:
        """The query's context; a refined query passes its moved embedding and profile."""
        return QueryContext(
            validate_query(query),
            self.embedder,
            self.extractor,
            self.word_vectors,
            self.net_votes,
            embedding=embedding,
            profile=profile,
        )

    def recommend(
        self,
        query: str,
        approach: str = "lyrics",
        k: int = 5,
        filters: RecommendFilters | None = None,
    ) -> list[Recommendation]:
        """Rank the library for `query` with `approach`; return the top `k`, explained."""
        APPROACHES.get(approach)  # an unknown name fails before the query is read
        if k < 1:
            raise InputError(f"k must be at least 1 (got {k}).")
        return self.rank(self.context(query), approach, k, filters)

    def rank(
        self,
        ctx: QueryContext,
        approach: str = "lyrics",
        k: int = 5,
        filters: RecommendFilters | None = None,
        steer: np.ndarray | None = None,
    ) -> list[Recommendation]:
        """Rank the library for a prepared query context (a sentence's, or a refined one's).

        `steer` (8 emotion weights, from refinement) lifts songs whose profile lies along it and
        lowers those against it, by up to STEER_SHARE of the scores' spread, so a move such as
        "less angry" reaches approaches that read only words, like `lyrics`.
        """
        ranker = APPROACHES.get(approach)
        if k < 1:
            raise InputError(f"k must be at least 1 (got {k}).")
        index = self.view().index
        if len(index) == 0:
            raise NotFoundError(
                "The library is empty: ingest the demo catalogue or a playlist first."
            )
        lists = read_playlists(self.store)
        mask = _candidate_mask(index, filters)
        if filters is not None and filters.playlist:
            chosen = find_playlist(lists, filters.playlist)
            mask &= np.isin(np.array(index.track_ids, dtype=object), list(chosen.track_ids))
        scores = ranker(ctx, index)
        if steer is not None:
            scores = steered(scores, index.profiles, steer)
        demoted = self._demotions(ctx)
        scores = demote(scores, index.track_ids, demoted)
        if filters is not None and filters.one_per_artist:
            order = best_rows_one_per_artist(scores, k, mask, index.artists)
        else:
            order = top_rows(scores, k, mask)
        held = playlists_of(lists)
        return [
            dataclasses.replace(
                self._explain(ctx, index, int(row), scores, approach, rank),
                playlists=held.get(index.track_ids[row], ()),
                year=index.year(int(row)),
                demoted=index.track_ids[row] in demoted,
            )
            for rank, row in enumerate(order, 1)
        ]

    def _demotions(self, ctx: QueryContext) -> dict[str, float]:
        if self.query_votes is None:
            return {}
        votes = self.query_votes()
        if not any(v.net < 0 for v in votes):
            return {}
        return demotions(ctx.embedding, votes, self.embedder.embed)

    def _explain(
        self,
        ctx: QueryContext,
        index: LibraryIndex,
        row: int,
        scores: np.ndarray,
        approach: str,
        rank: int,
    ) -> Recommendation:
        song = index.profile(row)
        return Recommendation(
            track_id=index.track_ids[row],
            title=index.titles[row],
            artist=index.artists[row],
            album=index.albums[row],
            url=index.urls[row],
            score=round(float(scores[row]), 4),
            approach=approach,
            rank=rank,
            match=match_share(scores, row),
            matched_line=self._best_line(ctx, row, by_emotion=approach != "lyrics"),
            matched_emotions=matched_emotions(ctx.profile, song),
            emotions_by=index.emotion_source(row),
        )

    def _best_line(self, ctx: QueryContext, row: int, *, by_emotion: bool) -> str:
        """The line closest to the query; for emotion approaches, within the stanza whose
        profile is closest to the query's profile."""
        text = self.store.track_text(row)
        if not text.lines or len(text.line_emb) != len(text.lines):
            return ""
        candidates = np.arange(len(text.lines))
        if by_emotion and len(text.stanza_profiles) == len(text.stanzas) and text.stanzas:
            best = int(np.argmax(text.stanza_profiles @ ctx.profile_vector))
            wanted = {ln.lower() for ln in split_lines(text.stanzas[best])}
            inside = [i for i, ln in enumerate(text.lines) if ln.lower() in wanted]
            if inside:
                candidates = np.array(inside)
        sims = text.line_emb[candidates] @ ctx.embedding
        return text.lines[int(candidates[int(np.argmax(sims))])]


def query_words(profile: EmotionProfile) -> dict[str, str]:
    """The basic and refined words a profile turns into, for display."""
    return {
        "emotions": words_text(basic_words(profile)),
        "refined": words_text(refined_words(profile)),
    }


def build_recommender(
    settings: Settings,
    store: Store,
    *,
    embedder: Embedder | None = None,
    extractor: EmotionExtractor | None = None,
    feedback: FeedbackStore | None = None,
    corrections: CorrectionStore | None = None,
) -> Recommender:
    """Wire a Recommender: the library's own extractor and embedder (queries must match songs)."""
    if extractor is None:
        extractor = build_extractor(store.extractor_name or settings.extractor, settings)
    return Recommender(
        store=store,
        # The library's own embedder: its vectors and the query's must come from one model.
        embedder=embedder or get_embedder(store.embedder_name or settings.embedder),
        extractor=extractor,
        net_votes=feedback.track_net_votes if feedback is not None else None,
        corrections=corrections,
        query_votes=feedback.query_votes if feedback is not None else None,
    )
