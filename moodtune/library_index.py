"""The in-memory search index of one library version, and how little of it stays in memory.

Owns: `LibraryIndex` (rows aligned as numpy arrays), `WordTable` (emotion-word vectors held once
per distinct word set), `WordMix` (refined vectors as weights over the 32-word vocabulary),
`RaggedVectors` (a variable number of vectors per row: stanzas, lines, stanza profiles) and
`TrackPack` (those ragged vectors and the lyric units' text, in local files read on demand).
What a query reads for every row (song vectors, profiles, word codes) is in memory; what it
reads for a shortlist or the top k (stanza and line vectors, lyric units) is read from the
pack's files and let go after each read, so it never accumulates in the process.
Must not read Deep Lake (moodtune.store builds the pack) or embed (moodtune.listener builds
the WordMix).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from moodtune.models import EMOTIONS, EmotionProfile


def gather_index(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of every item of the given blocks, and where each block starts in them."""
    total = int(count.sum())
    offsets = np.zeros(len(count), dtype=np.int64)
    np.cumsum(count[:-1], out=offsets[1:])
    # Position j of block b is start[b] + (j - offsets[b]).
    idx = np.arange(total, dtype=np.int64) + np.repeat(start - offsets, count)
    return idx, offsets


@dataclass(frozen=True, slots=True)
class RaggedVectors:
    """Row i owns items start[i] : start[i] + count[i] (count may be 0) of a float32 matrix,
    held in memory or read from a file on demand.

    Files are read with pread, not mapped: mapping pulled whole 64 kB neighbourhoods of every
    touched row into the process (512 MB of resident pages to read 6 MB of stanzas at 100k
    tracks), and pread leaves the data in the page cache, outside the process.
    """

    start: np.ndarray  # (n,) int64
    count: np.ndarray  # (n,) int64
    dim: int
    matrix: np.ndarray | None = None  # (total, dim) float32 when held in memory
    fd: ReadHandle | None = field(default=None, compare=False, repr=False)

    @classmethod
    def dense(cls, blocks: Sequence[np.ndarray], dim: int) -> RaggedVectors:
        """Held in memory (small libraries built in tests, and the journey's fixtures)."""
        count = np.array([len(b) for b in blocks], dtype=np.int64)
        start = np.zeros(len(count), dtype=np.int64)
        np.cumsum(count[:-1], out=start[1:])
        kept = [np.asarray(b, dtype=np.float32).reshape(-1, dim) for b in blocks]
        matrix = np.concatenate(kept) if kept else np.zeros((0, dim), np.float32)
        return cls(start, count, dim, np.ascontiguousarray(matrix, dtype=np.float32))

    def rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vectors of `rows`, concatenated, and where each row's block starts in them."""
        count = self.count[rows]
        offsets = np.zeros(len(count), dtype=np.int64)
        if len(count):
            np.cumsum(count[:-1], out=offsets[1:])
        if self.matrix is not None:
            idx, _ = gather_index(self.start[rows], count)
            return self.matrix[idx], offsets
        assert self.fd is not None
        out = np.empty((int(count.sum()), self.dim), dtype=np.float32)
        view = out.data.cast("B")
        width = self.dim * 4
        for at, first, n in zip(
            offsets.tolist(), self.start[rows].tolist(), count.tolist(), strict=True
        ):
            if n:
                os.preadv(self.fd.fd, [view[at * width : (at + n) * width]], first * width)
        return out, offsets

    def block(self, row: int) -> np.ndarray:
        """A copy of one row's vectors."""
        out, _ = self.rows(np.array([row]))
        return np.array(out, dtype=np.float32)

    def every(self) -> np.ndarray:
        """All vectors (tests and one-off readers; a query reads only the rows it needs)."""
        out, _ = self.rows(np.arange(len(self.count)))
        return out

    def best(self, rows: np.ndarray, q: np.ndarray) -> np.ndarray:
        """The highest dot product with `q` among each row's vectors (rows must have some)."""
        block, offsets = self.rows(rows)
        out: np.ndarray = np.maximum.reduceat(block @ q, offsets)
        return out


@dataclass(frozen=True, slots=True)
class TextColumn:
    """Each row's JSON list of strings (stanzas or lines) as stored, decoded on demand."""

    at: np.ndarray  # (n + 1,) byte offsets
    data: bytes | None = None  # held in memory, or read from `fd`
    fd: ReadHandle | None = field(default=None, compare=False, repr=False)

    @classmethod
    def dense(cls, values: Sequence[str]) -> TextColumn:
        raw = [v.encode("utf-8") for v in values]
        at = np.zeros(len(raw) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in raw], out=at[1:])
        return cls(at, b"".join(raw))

    def get(self, row: int) -> tuple[str, ...]:
        first, end = int(self.at[row]), int(self.at[row + 1])
        if self.data is not None:
            raw = self.data[first:end]
        elif self.fd is not None:
            raw = os.pread(self.fd.fd, end - first, first)
        else:
            return ()
        return tuple(json.loads(raw.decode("utf-8") or "[]"))


@dataclass(frozen=True, slots=True)
class TrackPack:
    """What explanations and best-stanza matching read, per row, outside the Python heap."""

    stanza_emb: RaggedVectors  # every row has >= 1 (a song without stanzas: its song vector)
    line_emb: RaggedVectors
    stanza_profiles: RaggedVectors
    stanzas: TextColumn
    lines: TextColumn


def memory_pack(stanza_emb: Sequence[np.ndarray], dim: int) -> TrackPack:
    """A pack held in memory with the given stanza vectors and no lines (hand-made indexes)."""
    n = len(stanza_emb)
    return TrackPack(
        stanza_emb=RaggedVectors.dense(stanza_emb, dim),
        line_emb=RaggedVectors.dense([np.zeros((0, dim))] * n, dim),
        stanza_profiles=RaggedVectors.dense([np.zeros((0, len(EMOTIONS)))] * n, len(EMOTIONS)),
        stanzas=TextColumn.dense(["[]"] * n),
        lines=TextColumn.dense(["[]"] * n),
    )


@dataclass(frozen=True, slots=True)
class WordTable:
    """Emotion-word vectors held once per distinct word set; `codes` points each row at its set.

    A library has a few dozen distinct sets ("sadness, fear"), so this replaces an (n, 384)
    matrix, and a query scores each set once.
    """

    vectors: np.ndarray  # (distinct, DIM) float32
    codes: np.ndarray  # (n,) int32

    @classmethod
    def of_rows(cls, matrix: np.ndarray) -> WordTable:
        """One entry per row (small hand-made indexes)."""
        return cls(np.asarray(matrix, dtype=np.float32), np.arange(len(matrix), dtype=np.int32))

    def scores(self, q: np.ndarray) -> np.ndarray:
        out: np.ndarray = (self.vectors @ q)[self.codes]
        return out

    def dense(self) -> np.ndarray:
        out: np.ndarray = self.vectors[self.codes]
        return out


@dataclass(frozen=True, slots=True)
class WordMix:
    """Refined vectors as weights over the vocabulary: row = normalise(weights[row] @ vocab).

    The refined vector of a song is the score-weighted mean of its words' vectors (moodtune.
    emotions.vectors), so it is exactly a mix of the 32 vocabulary vectors: (n, 32) weights and
    a norm per row stand in for an (n, 384) matrix, and a query costs an (n, 32) product.
    """

    weights: np.ndarray  # (n, V) float32
    vocab: np.ndarray  # (V, DIM) float32
    norms: np.ndarray  # (n,) float32, the norm of weights[row] @ vocab

    def scores(self, q: np.ndarray) -> np.ndarray:
        raw = self.weights @ (self.vocab @ q)
        out: np.ndarray = np.divide(
            raw, self.norms, out=np.zeros(len(raw), np.float32), where=self.norms > 0
        )
        return out

    def dense(self) -> np.ndarray:
        raw = self.weights @ self.vocab
        out: np.ndarray = np.divide(
            raw,
            self.norms[:, None],
            out=np.zeros_like(raw),
            where=self.norms[:, None] > 0,
        )
        return out


@dataclass(frozen=True, slots=True)
class SongStates:
    """Each track's song state (the mean of its stanzas' encoder states, which the song head
    read), aligned with one library version's rows; read on demand by the calibration that
    listeners' corrections switch on, never kept in the serving index."""

    version: str
    vectors: np.ndarray  # (n, d) float16, zeros where a track has none
    present: np.ndarray  # (n,) bool

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @classmethod
    def none(cls, version: str, n: int, dim: int = 384) -> SongStates:
        return cls(version, np.zeros((n, dim), np.float16), np.zeros(n, bool))


@dataclass(frozen=True, slots=True)
class LibraryIndex:
    """An in-memory snapshot of one library version, as numpy arrays aligned by row."""

    version: str
    track_ids: tuple[str, ...]
    titles: tuple[str, ...]
    artists: tuple[str, ...]
    albums: tuple[str, ...]
    urls: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    extractors: tuple[str, ...]
    extractor_versions: tuple[str, ...]
    emotion_words: tuple[str, ...]
    refined_words: tuple[str, ...]
    song_emb: np.ndarray  # (n, DIM) float32
    pack: TrackPack
    profiles: np.ndarray  # (n, 8)
    emotion_table: WordTable
    # Built from the profiles and the embedder's vocabulary by moodtune.listener (the store does
    # not embed); None on an index straight from the store.
    refined_mix: WordMix | None = None
    # Who set each row's emotions: "model" (as stored), "calibrated" (the model's, calibrated by
    # listeners' corrections) or "listener". Empty means all "model"; see moodtune.listener.
    emotion_sources: tuple[str, ...] = ()
    # For a "calibrated" row, the row of the corrected track its song most resembles (-1 for
    # other rows); empty when nothing is calibrated. See moodtune.listener.
    calibrated_like: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    profile_norms: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # Release year and duration per row, 0 where unknown; empty in hand-built indexes.
    years: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    durations_ms: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    _row_of: dict[str, int] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.profile_norms) != len(self.profiles):
            norms = np.linalg.norm(np.asarray(self.profiles, dtype=np.float32), axis=1)
            object.__setattr__(self, "profile_norms", norms.astype(np.float32))

    def __len__(self) -> int:
        return len(self.track_ids)

    def year(self, row: int) -> int | None:
        """The row's release year, None where unknown."""
        return int(self.years[row]) or None if len(self.years) else None

    def duration_ms(self, row: int) -> int | None:
        """The row's duration in milliseconds, None where unknown."""
        return int(self.durations_ms[row]) or None if len(self.durations_ms) else None

    def rows_of(self, track_ids: Iterable[str]) -> np.ndarray:
        """Row numbers of those of `track_ids` that are in the index."""
        if self._row_of is None:
            object.__setattr__(self, "_row_of", {t: r for r, t in enumerate(self.track_ids)})
        assert self._row_of is not None
        found = [self._row_of[t] for t in track_ids if t in self._row_of]
        return np.array(found, dtype=np.int64)

    # Dense views of what the index keeps compact (tests and one-off readers, not the rankers).
    @property
    def stanza_emb(self) -> np.ndarray:
        return self.pack.stanza_emb.every()

    @property
    def stanza_start(self) -> np.ndarray:
        return self.pack.stanza_emb.start

    @property
    def stanza_owner(self) -> np.ndarray:
        return np.repeat(np.arange(len(self)), self.pack.stanza_emb.count)

    @property
    def emotion_emb(self) -> np.ndarray:
        return self.emotion_table.dense()

    @property
    def refined_emb(self) -> np.ndarray:
        if self.refined_mix is None:
            raise ValueError("This index has no refined vectors yet (see moodtune.listener).")
        return self.refined_mix.dense()

    def emotion_source(self, row: int) -> str:
        return self.emotion_sources[row] if self.emotion_sources else "model"

    def calibrated_note(self, row: int) -> str:
        """For a calibrated row, the corrected song it most resembles and what it was set to."""
        if not len(self.calibrated_like) or self.calibrated_like[row] < 0:
            return ""
        like = int(self.calibrated_like[row])
        return (
            f"nearest corrected song: “{self.titles[like]}” — {self.artists[like]}, "
            f"set to {EMOTIONS[int(np.argmax(self.profiles[like]))]}"
        )

    def profile(self, row: int) -> EmotionProfile:
        return EmotionProfile(tuple(float(x) for x in self.profiles[row]))

    def stale_analyses(self, extractor_version: str) -> int:
        """How many tracks were analysed by another extractor or extractor version."""
        return sum(v != extractor_version for v in self.extractor_versions)

    @property
    def dominant(self) -> tuple[str, ...]:
        if len(self) == 0:
            return ()
        return tuple(EMOTIONS[i] for i in self.profiles.argmax(axis=1))


def shared_strings(values: Sequence[Any]) -> tuple[str, ...]:
    """Text values as a tuple in which equal strings are one object (artists, words, versions)."""
    seen: dict[str, str] = {}
    return tuple(seen.setdefault(s, s) for s in ("" if v is None else str(v) for v in values))


class ReadHandle:
    """A read-only file descriptor, closed when the last index holding it is dropped.

    A pack replaced by a newer version is unlinked; an open descriptor still reads it, and its
    disk space is freed when this closes (so a long-running app that follows many commits does
    not keep every old pack alive).
    """

    __slots__ = ("fd",)

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDONLY)

    def __del__(self) -> None:
        os.close(self.fd)


def open_for_reading(path: Path) -> ReadHandle:
    return ReadHandle(path)
