"""One ingestion pipeline for the CLI and the Ingest page: source tracks -> lyrics -> clean ->
embed -> extract -> store, in committed batches so an interrupted run resumes.

Owns: per-track outcomes (added / updated / unchanged / no lyrics / failed and why), the progress
callback, skipping tracks whose stored lyrics hash, embedder and extractor version already match,
and re-extracting only what is stale when the extractor changes. This is the one place that wires
collaborators together; it must not parse sources or rank.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from moodtune.config import Settings
from moodtune.embed import Embedder, get_embedder, normalize_rows
from moodtune.emotions import build_extractor
from moodtune.emotions.base import EmotionExtractor, SongEmotions, extract_songs, profile_matrix
from moodtune.emotions.vectors import WordVectors
from moodtune.emotions.words import basic_words, refined_words, words_text
from moodtune.errors import NotFoundError, SourceError
from moodtune.models import Playlist, Track
from moodtune.playlists import record_membership, start_recording
from moodtune.store import EmotionAnalysis, Store, StoredTrack, open_store
from moodtune.text import clean_lyrics, clean_name, counted, split_lines, split_stanzas

Status = Literal["added", "updated", "unchanged", "no lyrics", "failed"]
BATCH_SIZE = 16


class LyricsResultLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def instrumental(self) -> bool: ...


class LyricsFetcher(Protocol):
    def fetch(self, track: Track) -> LyricsResultLike | None: ...


# Outcomes that change what the library holds (each batch with one is committed at once).
WRITTEN = ("added", "updated")


@dataclass(frozen=True, slots=True)
class TrackOutcome:
    track_id: str
    title: str
    artist: str
    status: Status
    reason: str = ""
    lyrics_provider: str = ""
    # A stored track outside the source, redone because the library's extractor or embedder
    # changed: "re-analysed" or "re-embedded"; "" for the source's own tracks.
    redone: str = ""


@dataclass(frozen=True, slots=True)
class IngestReport:
    label: str
    outcomes: tuple[TrackOutcome, ...]
    version: str
    track_count: int

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(o.status for o in self.outcomes))

    def summary(self) -> str:
        """ "3 tracks from file x.csv: 3 added; 162 stored tracks re-embedded": the source's
        tracks first, then the stored ones redone for the library's extractor or embedder."""
        own = Counter(o.status for o in self.outcomes if not o.redone)
        parts = [
            f"{own[s]} {s}"
            for s in ("added", "updated", "unchanged", "no lyrics", "failed")
            if own.get(s)
        ]
        text = f"{counted(own.total(), 'track')} from {self.label}: " + (
            ", ".join(parts) or "nothing to do"
        )
        redone = Counter(o.redone for o in self.outcomes if o.redone)
        for how, n in sorted(redone.items()):
            text += f"; {counted(n, 'stored track')} {how}"
        return text


Progress = Callable[[int, int, TrackOutcome], None]


def lyrics_hash(lyrics: str) -> str:
    return hashlib.sha1(lyrics.encode("utf-8")).hexdigest()


@dataclass
class Ingestor:
    store: Store
    embedder: Embedder
    extractor: EmotionExtractor
    lyrics: LyricsFetcher | None = None
    batch_size: int = BATCH_SIZE

    def __post_init__(self) -> None:
        self.word_vectors = WordVectors(self.embedder)

    def run(
        self,
        tracks: Sequence[Track],
        label: str,
        progress: Progress | None = None,
        playlists: Sequence[Playlist] = (),
    ) -> IngestReport:
        """Ingest `tracks`, committing after every batch; return every track's outcome.

        `playlists` are the source's playlists (ordered track ids): each commit records their
        membership for the tracks stored so far, so tracks and membership never disagree, and
        the last one leaves each playlist exactly as the source lists it (tracks the source
        dropped leave the playlist, not the library). Stored tracks outside `tracks` whose
        analysis came from another extractor (or version) are re-analysed from their stored
        stanzas too, so the library never mixes extractors. A library that cannot be written
        fails here, before lyrics are fetched or analysed.
        """
        self.store.check_writable()
        self.store.set_extractor(self.extractor.name)
        self.store.set_embedder(self.embedder.name)
        if playlists:
            start_recording(self.store)
        # Read once per run (4 whole columns); batches keep it current as they write.
        state = self.store.stored_state()
        source_ids = {t.track_id for t in tracks}
        # Vectors of another embedder are rebuilt (which re-analyses too), so that a library
        # never mixes embedders; otherwise only another extractor's analyses are redone.
        unembedded = [
            tid
            for tid, (_, embedder, _) in state.items()
            if embedder != self.embedder.version and tid not in source_ids
        ]
        stale = [
            tid
            for tid, (_, embedder, version) in state.items()
            if version != self.extractor.version
            and embedder == self.embedder.version
            and tid not in source_ids
        ]
        size = self.batch_size
        jobs: Sequence[Callable[[], list[TrackOutcome]]] = (
            [
                functools.partial(self._process_batch, tracks[i : i + size], state)
                for i in range(0, len(tracks), size)
            ]
            + [
                functools.partial(self._reanalyse_stored, stale[i : i + size])
                for i in range(0, len(stale), size)
            ]
            + [
                functools.partial(self._reembed_stored, unembedded[i : i + size])
                for i in range(0, len(unembedded), size)
            ]
        )
        total = len(tracks) + len(stale) + len(unembedded)
        outcomes: list[TrackOutcome] = []
        processed: set[str] = set()
        for number, job in enumerate(jobs, 1):
            batch_outcomes = job()
            outcomes.extend(batch_outcomes)
            processed.update(o.track_id for o in batch_outcomes)
            record_membership(self.store, playlists, processed)
            if number == len(jobs):
                self.store.commit(f"ingest {IngestReport(label, tuple(outcomes), '', 0).summary()}")
            elif any(o.status in WRITTEN for o in batch_outcomes):
                self.store.commit(f"ingest {label}: batch {number}/{len(jobs)} (run in progress)")
            # A batch that stored nothing new is not a version of its own: its "seen" stamps
            # and membership go with the next commit (a killed run loses only those stamps).
            if progress is not None:
                done = len(outcomes) - len(batch_outcomes)
                for offset, outcome in enumerate(batch_outcomes, 1):
                    progress(done + offset, total, outcome)
        if not jobs:
            record_membership(self.store, playlists, processed)
            self.store.commit(f"ingest {label}: no tracks")
        return IngestReport(label, tuple(outcomes), self.store.version, len(self.store))

    def _reanalyse_stored(self, track_ids: Sequence[str]) -> list[TrackOutcome]:
        rows = self.store.rows()
        index = self.store.index()
        texts = [self.store.track_text(rows[tid]) for tid in track_ids]
        analyses = self._analyse([list(t.stanzas) for t in texts])
        self.store.update_analyses(list(zip(track_ids, analyses, strict=True)))
        outcomes = []
        for tid in track_ids:
            row = rows[tid]
            outcomes.append(
                TrackOutcome(
                    tid,
                    index.titles[row],
                    index.artists[row],
                    "updated",
                    f"re-analysed with {self.extractor.name} (already in the library)",
                    redone="re-analysed",
                )
            )
        return outcomes

    def _reembed_stored(self, track_ids: Sequence[str]) -> list[TrackOutcome]:
        """Rebuild stored tracks from their stored lyrics with this run's embedder."""
        rows = self.store.rows()
        tracks = [self.store.stored_track(rows[tid]) for tid in track_ids]
        built = self._build([(i, t, t.lyrics) for i, t in enumerate(tracks)])
        self.store.upsert(built)
        return [
            dataclasses.replace(
                _outcome(
                    t, "updated", f"re-embedded with {self.embedder.name} (already in the library)"
                ),
                redone="re-embedded",
            )
            for t in tracks
        ]

    def _fetch(self, track: Track) -> tuple[Track, TrackOutcome | None]:
        """Fill in lyrics when missing; return an outcome when the track cannot go on."""
        if track.lyrics.strip():
            return track, None
        if self.lyrics is None:
            return track, _outcome(track, "no lyrics", "no lyrics given and no provider configured")
        try:
            found = self.lyrics.fetch(track)
        except (SourceError, NotFoundError) as exc:
            return track, _outcome(track, "failed", str(exc))
        if found is None:
            return track, _outcome(track, "no lyrics", "no provider had lyrics for this track")
        track = dataclasses.replace(
            track,
            lyrics=found.text,
            lyrics_provider=found.provider,
            instrumental=found.instrumental,
        )
        if found.instrumental:
            return track, _outcome(track, "no lyrics", "instrumental", found.provider)
        return track, None

    def _process_batch(
        self, batch: Sequence[Track], state: dict[str, tuple[str, str, str]]
    ) -> list[TrackOutcome]:
        results: dict[int, TrackOutcome] = {}
        fresh: list[tuple[int, Track, str]] = []  # embed + extract
        stale: list[tuple[int, Track, str]] = []  # extract only
        unchanged: list[str] = []
        redetailed: list[tuple[int, Track, tuple[str, ...]]] = []  # same lyrics, new details
        rows = self.store.rows()
        for i, raw in enumerate(batch):
            track, early = self._fetch(_clean_names(raw))
            if early is not None:
                results[i] = early
                continue
            stored = (
                self.store.stored_track(rows[track.track_id]) if track.track_id in rows else None
            )
            if stored is not None:
                track = _keep_stored_details(track, stored)
            clean = clean_lyrics(track.lyrics)
            if not clean:
                results[i] = _outcome(track, "no lyrics", "lyrics were empty after cleaning")
                continue
            digest = lyrics_hash(clean)
            old = state.get(track.track_id)
            if old is not None and old[:2] == (digest, self.embedder.version):
                changed = _changed_details(track, stored) if stored is not None else ()
                if old[2] == self.extractor.version and changed:
                    redetailed.append((i, track, changed))
                elif old[2] == self.extractor.version:
                    unchanged.append(track.track_id)
                    results[i] = _outcome(track, "unchanged")
                else:
                    stale.append((i, track, clean))
                continue
            fresh.append((i, track, clean))
        self.store.touch(unchanged)
        if redetailed:
            self.store.update_details([track for _, track, _ in redetailed])
            for i, track, changed in redetailed:
                results[i] = _outcome(track, "updated", f"{', '.join(changed)} changed")
        if stale:
            analyses = self._analyse([split_stanzas(c) for _, _, c in stale])
            self.store.update_analyses(
                [(track.track_id, a) for (_, track, _), a in zip(stale, analyses, strict=True)]
            )
            for i, track, clean in stale:
                state[track.track_id] = (
                    lyrics_hash(clean),
                    self.embedder.version,
                    self.extractor.version,
                )
                results[i] = _outcome(track, "updated", f"re-analysed with {self.extractor.name}")
        if fresh:
            built = self._build(fresh)
            for (i, track, _), item, status in zip(
                fresh, built, self.store.upsert(built), strict=True
            ):
                state[track.track_id] = (
                    item.lyrics_hash,
                    item.embedder,
                    item.analysis.extractor_version,
                )
                results[i] = _outcome(track, status)
        return [results[i] for i in range(len(batch))]

    def _analyse(self, songs_stanzas: Sequence[Sequence[str]]) -> list[EmotionAnalysis]:
        emotions: list[SongEmotions] = extract_songs(self.extractor, songs_stanzas)
        basic = [basic_words(e.profile) for e in emotions]
        refined = [refined_words(e.profile) for e in emotions]
        basic_vecs = self.word_vectors.basic_vectors(basic)
        refined_vecs = self.word_vectors.refined_vectors(refined)
        return [
            EmotionAnalysis(
                extractor=self.extractor.name,
                extractor_version=self.extractor.version,
                profile=e.profile,
                stanza_profiles=profile_matrix(e.stanza_profiles),
                emotion_words=words_text(b),
                emotion_emb=bv,
                refined_words=words_text(r),
                refined_emb=rv,
                song_state=(
                    np.zeros(0, np.float32)
                    if e.state is None
                    else np.asarray(e.state, dtype=np.float32)
                ),
            )
            for e, b, r, bv, rv in zip(
                emotions, basic, refined, basic_vecs, refined_vecs, strict=True
            )
        ]

    def _build(self, items: Sequence[tuple[int, Track, str]]) -> list[StoredTrack]:
        stanzas = [split_stanzas(clean) for _, _, clean in items]
        lines = [split_lines(clean) for _, _, clean in items]
        # One embedder call per batch: stanzas and lines of every song together.
        flat = [s for ss in stanzas for s in ss] + [ln for ls in lines for ln in ls]
        vectors = self.embedder.embed(flat)
        analyses = self._analyse(stanzas)
        out: list[StoredTrack] = []
        s_at, l_at = 0, sum(len(ss) for ss in stanzas)
        for (_, track, clean), ss, ls, analysis in zip(
            items, stanzas, lines, analyses, strict=True
        ):
            stanza_emb = vectors[s_at : s_at + len(ss)]
            line_emb = vectors[l_at : l_at + len(ls)]
            s_at += len(ss)
            l_at += len(ls)
            song = normalize_rows(stanza_emb.mean(axis=0, keepdims=True))[0]
            out.append(
                StoredTrack(
                    track=track,
                    lyrics=clean,
                    lyrics_hash=lyrics_hash(clean),
                    embedder=self.embedder.version,
                    song_emb=song,
                    stanzas=tuple(ss),
                    stanza_emb=stanza_emb,
                    lines=tuple(ls),
                    line_emb=line_emb,
                    analysis=analysis,
                )
            )
        return out


def _clean_names(track: Track) -> Track:
    """Drop control characters (terminal escapes) from the names a source gave."""
    title, artist, album = (clean_name(n) for n in (track.title, track.artist, track.album))
    if (title, artist, album) == (track.title, track.artist, track.album):
        return track
    return dataclasses.replace(track, title=title, artist=artist, album=album)


# A track's details a source may correct without new lyrics, as a reader would name them.
_DETAILS = {
    "title": "title",
    "artist": "artist",
    "album": "album",
    "year": "year",
    "url": "link",
    "artwork_url": "artwork",
    "duration_ms": "duration",
    "labels": "emotion labels",
}
# Details a source may leave out: the stored ones are kept (a file without an `emotions`
# column does not erase the labels an earlier file gave).
_OPTIONAL_DETAILS = ("album", "year", "url", "artwork_url", "duration_ms", "labels")


def _keep_stored_details(track: Track, stored: Track) -> Track:
    """`track` with each detail it leaves out taken from the stored copy."""
    kept = {name: getattr(stored, name) for name in _OPTIONAL_DETAILS if not getattr(track, name)}
    return dataclasses.replace(track, **kept) if kept else track


def _changed_details(track: Track, stored: Track) -> tuple[str, ...]:
    """The details (reader's names) in which `track` differs from the stored copy."""
    return tuple(
        label for name, label in _DETAILS.items() if getattr(track, name) != getattr(stored, name)
    )


def _outcome(track: Track, status: Status, reason: str = "", provider: str = "") -> TrackOutcome:
    return TrackOutcome(
        track.track_id, track.title, track.artist, status, reason, provider or track.lyrics_provider
    )


def build_ingestor(
    settings: Settings,
    *,
    extractor_name: str | None = None,
    lyrics: LyricsFetcher | None = None,
    store: Store | None = None,
    embedder_name: str | None = None,
) -> Ingestor:
    """Wire an Ingestor for the library in `settings` (created when missing).

    The embedder: `embedder_name` when given (a switch: the library is re-embedded), else the
    one the library was built with, else settings.embedder (a new library).
    """
    # Not `store or ...`: an empty Store is falsy (it has __len__).
    store = store if store is not None else open_store(settings, create=True)
    return Ingestor(
        store=store,
        embedder=get_embedder(embedder_name or store.embedder_name or settings.embedder),
        extractor=build_extractor(extractor_name or settings.extractor, settings),
        lyrics=lyrics,
        batch_size=settings.ingest_batch_size,
    )
