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
from moodtune.embed import CROSS_LINGUAL, Embedder, get_embedder
from moodtune.emotions import build_extractor
from moodtune.emotions.base import EmotionExtractor
from moodtune.emotions.vectors import WordVectors
from moodtune.emotions.words import MILD, basic_words, intensity_word, refined_words, words_text
from moodtune.errors import InputError, NotFoundError
from moodtune.feedback import FeedbackStore, QueryVote
from moodtune.filters import artist_mask, best_rows_one_per_artist, year_mask
from moodtune.lang import is_english
from moodtune.listener import ListenerView, listener_view, with_refined_mix
from moodtune.models import (
    EMOTIONS,
    EmotionProfile,
    MatchedEmotion,
    Playlist,
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

    @functools.cached_property
    def lyrics_readable(self) -> bool:
        """Whether comparing the query's words with the lyrics' means anything: the embedder
        crosses languages, or the query is English like the lyrics an English-only embedder
        reads. A refined query (moved embedding) keeps its sentence's answer."""
        return self._embedder.name in CROSS_LINGUAL or is_english(self.text)


Ranker = Callable[[QueryContext, LibraryIndex], np.ndarray]
APPROACHES: Registry[Ranker] = Registry("approach")


# Past this many tracks, `lyrics` reads stanza vectors only for the songs whose whole-song
# vector is among the best SHORTLIST, and `hybrid` fuses ranks known exactly only for the union
# of its two rankers' best FUSE_DEPTH rows (its top k stays exact for k <= 120 given the two
# rankings). Libraries up to these sizes are ranked exactly.
SHORTLIST = 1_000
FUSE_DEPTH = 300


def _profile_cosine(q: np.ndarray, index: LibraryIndex) -> np.ndarray:
    norms = index.profile_norms * (np.linalg.norm(q) or 1.0)
    out: np.ndarray = np.divide(
        index.profiles @ q, norms, out=np.zeros(len(index), np.float32), where=norms > 0
    )
    return out


def best_rows(scores: np.ndarray, n: int) -> np.ndarray:
    """Row numbers of the `n` highest scores, unordered (every row when there are fewer)."""
    if n >= len(scores):
        return np.arange(len(scores))
    out: np.ndarray = np.argpartition(-scores, n - 1)[:n]
    return out


def _lyrics(ctx: QueryContext, index: LibraryIndex, also: np.ndarray | None = None) -> np.ndarray:
    q = ctx.embedding
    song = index.song_emb @ q
    rows = best_rows(song, SHORTLIST)
    if also is not None and len(rows) < len(song):
        rows = np.union1d(rows, also)
    best_stanza = index.pack.stanza_emb.best(rows, q)
    if len(rows) == len(song):
        return np.asarray(0.5 * song + 0.5 * best_stanza, dtype=np.float32)
    # Elsewhere the best stanza is estimated from the song's cosine by a line fitted to the
    # songs whose stanzas were read: it keeps other songs' `lyrics` ranks (which hybrid's
    # fusion reads) close to the full-precision ones.
    slope, intercept = (float(x) for x in np.polyfit(song[rows], best_stanza, 1))
    # One float32 pass over the library (Python floats keep the array's dtype).
    scores: np.ndarray = song * (0.5 + 0.5 * slope)
    scores += 0.5 * intercept
    scores[rows] = 0.5 * song[rows] + 0.5 * best_stanza
    return scores


@APPROACHES.register("lyrics")
def rank_lyrics(ctx: QueryContext, index: LibraryIndex) -> np.ndarray:
    """Mean of the whole-song cosine and the best stanza's cosine with the query.

    Stanzas are scored for the SHORTLIST songs closest by whole-song vector; any other song is
    scored as if its best stanza matched as well as the whole song (its cosine alone).
    """
    return _lyrics(ctx, index)


@APPROACHES.register("emotions")
def rank_emotions(ctx: QueryContext, index: LibraryIndex) -> np.ndarray:
    """Mean of the emotion-word embedding cosine and the 8-D profile cosine."""
    words = index.emotion_table.scores(ctx.emotion_embedding)
    return np.asarray(0.5 * words + 0.5 * _profile_cosine(ctx.profile_vector, index))


@APPROACHES.register("refined")
def rank_refined(ctx: QueryContext, index: LibraryIndex) -> np.ndarray:
    """Mean of the refined-word (intensities, dyads) cosine and the 8-D profile cosine."""
    if index.refined_mix is None:
        raise ValueError(
            "Rank `refined` over a listener view (moodtune.listener), not a bare index."
        )
    words = index.refined_mix.scores(ctx.refined_embedding)
    return np.asarray(0.5 * words + 0.5 * _profile_cosine(ctx.profile_vector, index))


def _rrf(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (RRF_K + ranks)


def ranks_of(scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """1-based ranks of `rows` in a full stable descending sort of `scores`, without the sort.

    Ties rank by row number, as the stable sort does.
    """
    ascending = np.sort(scores)
    values = scores[rows]
    above = len(scores) - np.searchsorted(ascending, values, side="right")
    tied = np.searchsorted(ascending, values, side="right") - np.searchsorted(
        ascending, values, side="left"
    )
    ranks = above + 1
    for i in np.flatnonzero(tied > 1):
        ranks[i] += int(np.count_nonzero(scores[: rows[i]] == values[i]))
    out: np.ndarray = ranks
    return out


def _fused(first: np.ndarray, second: np.ndarray, also: np.ndarray) -> np.ndarray:
    """Reciprocal rank fusion of two score vectors.

    Up to FUSE_DEPTH rows, from full rankings. Beyond, ranks are exact for the union of both
    rankers' best FUSE_DEPTH rows and the rows in `also`; every other row ranks below
    FUSE_DEPTH in both lists, so its fusion score is under 2 / (RRF_K + FUSE_DEPTH + 1), and it
    is given 2 / (RRF_K + n), the least it could have. The top k is exact while FUSE_DEPTH >
    2k + RRF_K (for k up to 120 at FUSE_DEPTH 300): each of the top k scores at least
    1 / (RRF_K + k), more than any row left out can.
    """
    n = len(first)
    if n <= FUSE_DEPTH:
        out: np.ndarray = _rrf(first) + _rrf(second)
        return out
    rows = np.union1d(np.union1d(best_rows(first, FUSE_DEPTH), best_rows(second, FUSE_DEPTH)), also)
    fused = np.full(n, 2.0 / (RRF_K + n), dtype=np.float64)
    fused[rows] = 1.0 / (RRF_K + ranks_of(first, rows)) + 1.0 / (RRF_K + ranks_of(second, rows))
    return fused


@APPROACHES.register("hybrid")
def rank_hybrid(ctx: QueryContext, index: LibraryIndex) -> np.ndarray:
    """Reciprocal rank fusion of `lyrics` and `refined`, nudged by thumbs feedback.

    A feeling the library's embedder cannot compare with the lyrics (another language than
    English with MiniLM) fuses `emotions` with `refined` instead: its word ranks would be noise.
    """
    voted = index.rows_of(ctx.net_votes) if ctx.net_votes else np.zeros(0, np.int64)
    refined = rank_refined(ctx, index)
    if ctx.lyrics_readable:
        # The songs `refined` ranks high get their stanzas read too: their `lyrics` rank counts.
        first = _lyrics(ctx, index, also=best_rows(refined, FUSE_DEPTH))
    else:
        first = rank_emotions(ctx, index)
    fused = _fused(first, refined, voted)
    if len(voted):
        votes = np.array([ctx.net_votes[index.track_ids[r]] for r in voted], dtype=np.float64)
        fused[voted] += FEEDBACK_WEIGHT * np.clip(votes, -FEEDBACK_CAP, FEEDBACK_CAP)
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
    """Emotions both sides carry (>= MILD), strongest shared first; else the song's top one,
    which is_shared tells apart from a shared one.

    Scores are rounded to 3 places before the threshold is applied, so that is_shared, which
    sees only the stored (rounded) scores, always agrees with the choice made here.
    """
    every = [
        MatchedEmotion(e, intensity_word(e, s), round(query[e], 3), s)
        for e, s in ((e, round(song[e], 3)) for e in EMOTIONS)
    ]
    shared = sorted((m for m in every if is_shared(m)), key=lambda m: -m.query_score * m.song_score)
    return tuple(shared[:n]) if shared else (every[EMOTIONS.index(song.dominant)],)


def is_shared(matched: MatchedEmotion) -> bool:
    """Whether the feeling and the song both carry this emotion (>= MILD on each side)."""
    return matched.query_score >= MILD and matched.song_score >= MILD


def describe_emotions(matched: Sequence[MatchedEmotion]) -> str:
    """The emotions linking a feeling to a song, in words: each shared one with both scores
    ("grief (sadness: you 0.90, song 0.85)"); when nothing is shared, that, and the emotion
    the song mostly carries instead, never formatted as a match."""
    shared = [m for m in matched if is_shared(m)]
    if shared:
        return ", ".join(
            f"{m.word} ({m.emotion}: you {m.query_score:.2f}, song {m.song_score:.2f})"
            for m in shared
        )
    if not matched:
        return ""
    return f"nothing shared strongly; the song is mostly {matched[0].emotion}"


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
    _base: LibraryIndex | None = field(default=None, repr=False)
    _lists: (
        tuple[tuple[str, str | None], tuple[Playlist, ...], dict[str, tuple[str, ...]]] | None
    ) = field(default=None, repr=False)

    @property
    def word_vectors(self) -> WordVectors:
        if self._words is None:
            self._words = WordVectors(self.embedder)
        return self._words

    def _playlists(self, version: str) -> tuple[tuple[Playlist, ...], dict[str, tuple[str, ...]]]:
        """The library's playlists and each track's, read again only when they change.

        Saving, renaming or deleting a playlist commits only the playlists document, which
        Deep Lake does not count as a new version: the cache is keyed by the version and that
        document (one metadata string). An older library's derived playlists read two whole
        columns (0.1 s at 100k tracks): not once per query.
        """
        key = (version, self.store.playlists_document())
        cached = self._lists
        if cached is None or cached[0] != key:
            lists = read_playlists(self.store)
            cached = (key, lists, playlists_of(lists))
            self._lists = cached
        return cached[1], cached[2]

    def model_index(self) -> LibraryIndex:
        """The library as stored (no corrections), ready for every ranker.

        Its refined mix is built once per library version; corrections then redo only the rows
        they change.
        """
        index = self.store.index()
        base = self._base
        if base is None or base.version != index.version:
            base = with_refined_mix(index, self.word_vectors)
            self._base = base
        return base

    def view(self) -> ListenerView:
        """The library with listeners' corrections applied, rebuilt when either changes."""
        base = self.model_index()
        key = (base.version, self.corrections.revision() if self.corrections is not None else 0)
        cached = self._view
        if cached is None or cached[0] != key:
            current = self.corrections.current() if self.corrections is not None else {}
            cached = (
                key,
                listener_view(base, current, self.word_vectors, states=self.store.song_states),
            )
            self._view = cached
        return cached[1]

    def lyrics_readable(self, query: str) -> bool:
        """Whether this library's embedder can compare `query`'s words with the lyrics."""
        return self.context(query).lyrics_readable

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
        lists, held = self._playlists(index.version)
        mask = _candidate_mask(index, filters)
        if filters is not None and filters.playlist:
            chosen = find_playlist(lists, filters.playlist)
            chosen_rows = index.rows_of(chosen.track_ids)
            mask &= np.isin(np.arange(len(index)), chosen_rows)
        scores = ranker(ctx, index)
        if steer is not None:
            scores = steered(scores, index.profiles, steer)
        demoted = self._demotions(ctx)
        scores = demote(scores, index.rows_of, demoted)
        if filters is not None and filters.one_per_artist:
            order = best_rows_one_per_artist(scores, k, mask, index.artists)
        else:
            order = top_rows(scores, k, mask)
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
            matched_line=self._best_line(ctx, index, row, by_emotion=approach != "lyrics"),
            matched_emotions=matched_emotions(ctx.profile, song),
            emotions_by=index.emotion_source(row),
            emotions_note=index.calibrated_note(row),
        )

    def _best_line(
        self, ctx: QueryContext, index: LibraryIndex, row: int, *, by_emotion: bool
    ) -> str:
        """The line closest to the query; for emotion approaches, within the stanza whose
        profile is closest to the query's profile."""
        pack = index.pack
        lines = pack.lines.get(row)
        line_emb = pack.line_emb.block(row)
        if not lines or len(line_emb) != len(lines):
            return ""
        candidates = np.arange(len(lines))
        if by_emotion:
            stanzas = pack.stanzas.get(row)
            stanza_profiles = pack.stanza_profiles.block(row)
            if len(stanza_profiles) == len(stanzas) and stanzas:
                best = int(np.argmax(stanza_profiles @ ctx.profile_vector))
                wanted = {ln.lower() for ln in split_lines(stanzas[best])}
                inside = [i for i, ln in enumerate(lines) if ln.lower() in wanted]
                if inside:
                    candidates = np.array(inside)
        sims = line_emb[candidates] @ ctx.embedding
        return lines[int(candidates[int(np.argmax(sims))])]


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
