"""The Deep Lake library: one row per track, keyed by a stable track id.

Owns: creating/opening the dataset (a local path or an object-storage URL with its
credentials), the schema, upserts (never duplicates), one commit per ingestion batch/run,
versions, a pandas view of all tracks, and the search index (`LibraryIndex`, moodtune.
library_index) cached per dataset version, with its track pack: the per-stanza and per-line
data written once per version to local files (by a child process for a large library) and read
on demand. Deep Lake's own TQL scan is 30-70x slower than a numpy matmul (bench/
deeplake_index.py), so search reads matrices once per version and serves from memory.
Must not embed, extract or rank: it stores what ingest.py computed.
Run as `python -m moodtune.store URL CACHE_DIR` it builds the current version's pack (the child).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import deeplake
import numpy as np
import pandas as pd

from moodtune.config import Settings, url_key
from moodtune.embed import DIM
from moodtune.errors import NotFoundError, StoreError
from moodtune.library_index import (
    LibraryIndex,
    RaggedVectors,
    SongStates,
    TextColumn,
    TrackPack,
    WordTable,
    open_for_reading,
    shared_strings,
)
from moodtune.models import EMOTIONS, EmotionProfile, Track

__all__ = ["LibraryIndex", "Store"]

SCHEMA_VERSION = "1"
# Playlists live in the dataset's metadata, so a commit writes them together with the tracks.
PLAYLISTS_KEY = "moodtune_playlists"
# Deep Lake's exceptions share no base class; collect them once so we wrap only theirs.
_DEEPLAKE_ERRORS: tuple[type[BaseException], ...] = (
    *(
        obj
        for name, obj in vars(deeplake).items()
        if inspect.isclass(obj) and issubclass(obj, Exception) and name.endswith("Error")
    ),
    OSError,
    RuntimeError,
    ValueError,
)
# A damaged version log makes Deep Lake's C++ reader throw std::bad_alloc, which reaches Python
# as MemoryError; only opening a library maps it (elsewhere a MemoryError stays a real one).
OPEN_ERRORS: tuple[type[BaseException], ...] = (*_DEEPLAKE_ERRORS, MemoryError)

_TEXT_COLUMNS = (
    "track_id", "title", "artist", "album", "url", "artwork_url", "source", "lyrics_provider",
    "labels", "lyrics", "lyrics_hash", "embedder", "stanzas", "lines", "extractor",
    "extractor_version", "emotion_words", "refined_words", "ingested_at",
)  # fmt: skip
_INT_COLUMNS = ("year", "duration_ms", "instrumental")
_MATRIX_COLUMNS = ("stanza_emb", "line_emb", "stanza_profiles")
# Columns every row fills at a fixed width (song_emb is Deep Lake's Embedding type).
VECTOR_COLUMNS = (
    ("song_emb", DIM),
    ("emotion_emb", DIM),
    ("refined_emb", DIM),
    ("profile", len(EMOTIONS)),
)
# Each song's state for listeners' calibration (EmotionAnalysis.song_state; empty where the
# extractor has none). Libraries created before it get the column at their next analysis write.
SONG_STATE = "song_state"
META_COLUMNS = ("track_id", "title", "artist", "album", "year", "url", "source", "labels")

_METADATA_ERRORS: tuple[type[BaseException], ...] = (KeyError, IndexError, *_DEEPLAKE_ERRORS)

UpsertOutcome = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class EmotionAnalysis:
    """What an extractor computed for one song, with the words and vectors the rankers use."""

    extractor: str
    extractor_version: str
    profile: EmotionProfile
    stanza_profiles: np.ndarray  # (stanzas, 8)
    emotion_words: str
    emotion_emb: np.ndarray  # (DIM,)
    refined_words: str
    refined_emb: np.ndarray  # (DIM,)
    # The song's state (moodtune.emotions.base.SongEmotions.state); empty where there is none.
    song_state: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))


@dataclass(frozen=True, slots=True)
class StoredTrack:
    """One fully processed track, ready to be written."""

    track: Track
    lyrics: str  # cleaned
    lyrics_hash: str
    embedder: str
    song_emb: np.ndarray  # (DIM,)
    stanzas: tuple[str, ...]
    stanza_emb: np.ndarray  # (stanzas, DIM)
    lines: tuple[str, ...]
    line_emb: np.ndarray  # (lines, DIM)
    analysis: EmotionAnalysis


@dataclass(frozen=True, slots=True)
class LibraryVersion:
    id: str
    message: str
    timestamp: str


@dataclass(frozen=True, slots=True)
class TrackText:
    """A track's lyric units, read lazily for explanations."""

    stanzas: tuple[str, ...]
    lines: tuple[str, ...]
    stanza_profiles: np.ndarray  # (stanzas, 8)
    line_emb: np.ndarray  # (lines, DIM)
    lyrics: str


def open_store(settings: Settings, *, create: bool = False, read_only: bool = False) -> Store:
    """The library the settings name, local or on object storage, with its pack cache."""
    return Store(
        settings.library_url,
        create=create,
        read_only=read_only,
        creds=settings.storage_creds,
        cache_dir=settings.pack_path,
    )


def default_pack_dir() -> Path:
    """Where track packs go when the settings name no cache folder: the machine's temp dir."""
    return Path(tempfile.gettempdir()) / f"moodtune-packs-{os.getuid()}"


def damaged_message(url: str, exc: BaseException) -> str:
    """The one sentence a user reads when the library at `url` cannot be opened."""
    return (
        f"The library at {url} could not be opened and may be damaged ({exc}). "
        "Run `moodtune library check` to see which version still reads, then "
        "`moodtune library restore VERSION`."
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _vec(value: Any, dim: int = DIM) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float32)
    return arr.reshape(-1, dim) if arr.size else np.zeros((0, dim), dtype=np.float32)


class Store:
    """The Deep Lake library at `url` (a local path or any Deep Lake URL)."""

    def __init__(
        self,
        url: str | Path,
        *,
        create: bool = False,
        read_only: bool = False,
        creds: Mapping[str, str] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.url = str(url)
        self.read_only = read_only
        # Object storage credentials (endpoint, region, keys); None for a local library.
        self._creds = dict(creds) if creds else None
        # Where read-only handles keep the per-version track pack (see `_pack`).
        self.cache_dir = cache_dir if cache_dir is not None else default_pack_dir()
        self.build_in_child = True
        # Deep Lake's stubs type columns as unions of read-only views; treat the handle as dynamic.
        self.ds: Any = None
        self._rows: dict[str, int] | None = None
        self._index: LibraryIndex | None = None
        try:
            exists = deeplake.exists(self.url, creds=self._creds)
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Cannot reach the library at {self.url}: {exc}") from exc
        if not exists:
            if not create:
                raise NotFoundError(
                    f"No MoodTune library at {self.url}. Build one with `moodtune ingest demo` "
                    "or the Ingest page."
                )
            self._create()
        else:
            try:
                self.ds = (
                    deeplake.open_read_only(self.url, creds=self._creds)
                    if read_only
                    else deeplake.open(self.url, creds=self._creds)
                )
            except OPEN_ERRORS as exc:
                raise StoreError(damaged_message(self.url, exc)) from exc
            self._check_schema()

    # -- schema -------------------------------------------------------------------------------
    def _create(self) -> None:
        t = deeplake.types
        try:
            Path(self.url).parent.mkdir(
                parents=True, exist_ok=True
            ) if "://" not in self.url else None
            ds = deeplake.create(self.url, creds=self._creds)
            for name in _TEXT_COLUMNS:
                ds.add_column(name, t.Text())
            for name in _INT_COLUMNS:
                ds.add_column(name, t.Int64())
            for name, width in VECTOR_COLUMNS:
                kind = (
                    t.Embedding(width)
                    if name == "song_emb"
                    else t.Array(t.Float32(), shape=[width])
                )
                ds.add_column(name, kind)
            for name in _MATRIX_COLUMNS:
                ds.add_column(name, t.Array(t.Float32(), dimensions=2))
            ds.add_column(SONG_STATE, t.Array(t.Float32(), dimensions=1))
            ds.metadata["moodtune_schema"] = SCHEMA_VERSION
            ds.commit("Create MoodTune library")
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not create a library at {self.url}: {exc}") from exc
        self.ds = ds

    def _check_schema(self) -> None:
        names = {col.name for col in self.ds.schema.columns}
        if not names:
            # Another process has created the dataset but not yet committed its columns.
            raise NotFoundError(
                f"The library at {self.url} is still being created; try again in a moment."
            )
        missing = {"track_id", "song_emb", "profile"} - names
        if missing:
            raise StoreError(
                f"{self.url} is a Deep Lake dataset but not a MoodTune library "
                f"(missing columns: {', '.join(sorted(missing))})."
            )

    def _has_column(self, name: str) -> bool:
        return any(col.name == name for col in self.ds.schema.columns)

    def _ensure_song_state_column(self) -> None:
        """Add the song-state column to a library created before it (rows read as none)."""
        if not self._has_column(SONG_STATE):
            t = deeplake.types
            self.ds.add_column(SONG_STATE, t.Array(t.Float32(), dimensions=1))

    # -- reading ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ds)

    @property
    def version(self) -> str:
        return str(self.ds.version)

    def refresh(self) -> None:
        """Pick up commits made by other processes."""
        try:
            self.ds.refresh()
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not refresh the library at {self.url}: {exc}") from exc
        self._rows = None

    def rows(self) -> dict[str, int]:
        """Map track id -> row number."""
        if self._rows is None:
            self._rows = {tid: i for i, tid in enumerate(self._column("track_id"))}
        return self._rows

    def _column(self, name: str) -> list[Any]:
        if len(self.ds) == 0:
            return []
        value = self.ds[name][:]
        return list(value)

    def versions(self) -> list[LibraryVersion]:
        """Return the library's commits, newest first."""
        history = list(self.ds.history)
        # `timestamp` is the log file's modification time, which a copy resets; a commit's own
        # time is `client_timestamp` (UTC). Deep Lake's root version has none of its own (it
        # reads the file time), so it takes the dataset's creation time.
        times = [h.client_timestamp for h in history]
        if history:
            times[0] = self.ds.created_time.replace(microsecond=0)
        return [
            LibraryVersion(id=str(h.id), message=str(h.message), timestamp=f"{when} UTC")
            for h, when in zip(reversed(history), reversed(times), strict=True)
        ]

    def stored_state(self) -> dict[str, tuple[str, str, str]]:
        """Map track id -> (lyrics hash, embedder, extractor version) for skip/stale checks."""
        if len(self.ds) == 0:
            return {}
        ids = self._column("track_id")
        hashes = self._column("lyrics_hash")
        embedders = self._column("embedder")
        versions = self._column("extractor_version")
        return {
            tid: (h, e, v) for tid, h, e, v in zip(ids, hashes, embedders, versions, strict=True)
        }

    def years(self) -> list[int | None]:
        """Each row's release year, None where unknown."""
        return [int(y) or None for y in self._column("year")]

    def to_pandas(self) -> pd.DataFrame:
        """All tracks with metadata, dominant emotion and the 8 scores, one row per track."""
        index = self.index()
        frame = pd.DataFrame(
            {
                "track_id": index.track_ids,
                "title": index.titles,
                "artist": index.artists,
                "album": index.albums,
                "url": index.urls,
                "dominant": index.dominant,
                "emotion_words": index.emotion_words,
                "refined_words": index.refined_words,
                "extractor": index.extractors,
            }
        )
        for i, emotion in enumerate(EMOTIONS):
            frame[emotion] = index.profiles[:, i] if len(index) else []
        return frame

    def track_text(self, row: int) -> TrackText:
        """Read one track's stanzas, lines and their vectors."""
        try:
            return TrackText(
                stanzas=tuple(json.loads(self.ds["stanzas"][row] or "[]")),
                lines=tuple(json.loads(self.ds["lines"][row] or "[]")),
                stanza_profiles=_vec(self.ds["stanza_profiles"][row], len(EMOTIONS)),
                line_emb=_vec(self.ds["line_emb"][row]),
                lyrics=str(self.ds["lyrics"][row]),
            )
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not read track row {row} from {self.url}: {exc}") from exc

    def index(self) -> LibraryIndex:
        """Return the in-memory index for the current version (built once per version)."""
        if self._index is not None and self._index.version == self.version:
            return self._index
        try:
            self._index = self._build_index()
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(damaged_message(self.url, exc)) from exc
        return self._index

    def _build_index(self) -> LibraryIndex:
        n = len(self.ds)
        version = self.version
        text = {name: shared_strings(self._column(name)) for name in (
            "track_id", "title", "artist", "album", "url", "labels", "extractor",
            "extractor_version", "emotion_words", "refined_words",
        )}  # fmt: skip
        if n:
            profiles = np.ascontiguousarray(self.ds["profile"][:], dtype=np.float32)
        else:
            profiles = np.zeros((0, len(EMOTIONS)), dtype=np.float32)
        song_emb, pack = self._song_vectors_and_pack(version)
        no_labels: tuple[str, ...] = ()
        return LibraryIndex(
            version=version,
            track_ids=text["track_id"],
            titles=text["title"],
            artists=text["artist"],
            albums=text["album"],
            urls=text["url"],
            labels=tuple(
                tuple(x for x in s.split(",") if x) if s else no_labels for s in text["labels"]
            ),
            extractors=text["extractor"],
            extractor_versions=text["extractor_version"],
            emotion_words=text["emotion_words"],
            refined_words=text["refined_words"],
            song_emb=song_emb,
            pack=pack,
            profiles=profiles,
            emotion_table=self._emotion_table(text["emotion_words"]),
            years=np.array([int(y or 0) for y in self._column("year")], dtype=np.int32),
            durations_ms=np.array(
                [int(d or 0) for d in self._column("duration_ms")], dtype=np.int64
            ),
        )

    def _emotion_table(self, words: Sequence[str]) -> WordTable:
        """One stored emotion-word vector per distinct word set (equal words, equal vectors)."""
        codes: dict[str, int] = {}
        row_codes = np.array([codes.setdefault(w, len(codes)) for w in words], dtype=np.int32)
        first: dict[str, int] = {}
        for row, w in enumerate(words):
            first.setdefault(w, row)
        rows = [first[w] for w in codes]
        vectors = (
            np.asarray(self.ds["emotion_emb"][rows], dtype=np.float32).reshape(-1, DIM)
            if rows
            else np.zeros((0, DIM), np.float32)
        )
        return WordTable(np.ascontiguousarray(vectors), row_codes)

    def song_states(self, chunk: int = 4096) -> SongStates:
        """Every row's song state for the current version (float16; absent rows are zeros)."""
        n = len(self.ds)
        version = self.version
        try:
            if not n or not self._has_column(SONG_STATE):
                return SongStates.none(version, n)
            vectors: np.ndarray | None = None
            present = np.zeros(n, dtype=bool)
            for start in range(0, n, chunk):
                for offset, value in enumerate(self.ds[SONG_STATE][start : start + chunk]):
                    arr = np.asarray(value if value is not None else (), dtype=np.float32).ravel()
                    if not arr.size or not np.all(np.isfinite(arr)):
                        continue  # none stored, or unusable: the track keeps the model's
                    if vectors is None:
                        vectors = np.zeros((n, arr.size), dtype=np.float16)
                    if arr.size == vectors.shape[1]:
                        vectors[start + offset] = arr
                        present[start + offset] = True
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not read the library at {self.url}: {exc}") from exc
        if vectors is None:
            return SongStates.none(version, n)
        return SongStates(version, vectors, present)

    # -- the track pack: stanza and line vectors, stanza profiles, lyric units ----------------
    def _read_song_vectors(self) -> np.ndarray:
        if len(self.ds) == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.ascontiguousarray(self.ds["song_emb"][:], dtype=np.float32)

    def _song_vectors_and_pack(self, version: str) -> tuple[np.ndarray, TrackPack]:
        """Song vectors in memory, and the per-stanza and per-line data in local files.

        A read-only handle shares one pack per library version between processes (a new
        version gets a new pack; a pack is written to a private folder and renamed into place,
        so a reader never reads a half-written one). The pack also keeps the song vectors, so
        a process that finds it never reads them through Deep Lake, which would keep a second
        copy in its chunk cache (150 MB at 100k tracks). A writable handle may hold uncommitted
        rows under the same version id, so it keeps its pack in memory instead.
        """
        if not self.read_only or self.cache_dir is None:
            song = self._read_song_vectors()
            return song, _dense_pack(self._pack_chunks(song))
        home = self.cache_dir / url_key(self.url)
        final = home / f"v-{version}"
        if (final / PACK_DONE).is_file():
            song = np.fromfile(final / "song_emb.bin", dtype=np.float32).reshape(-1, DIM)
            return song, _read_pack(final)
        if self.build_in_child and len(self.ds) >= CHILD_BUILD_ROWS:
            # Reading every column through Deep Lake leaves its chunk cache in the process
            # (2 GB at 100k tracks): a large pack is built by a short-lived child instead.
            _build_pack_in_child(self.url, self._creds, self.cache_dir)
            if (final / PACK_DONE).is_file():
                song = np.fromfile(final / "song_emb.bin", dtype=np.float32).reshape(-1, DIM)
                return song, _read_pack(final)
        song = self._read_song_vectors()
        try:
            home.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix=".building-", dir=home))
        except OSError:
            # A read-only home: serve from memory, as small libraries do.
            return song, _dense_pack(self._pack_chunks(song))
        try:
            song.tofile(work / "song_emb.bin")
            _write_pack(work, self._pack_chunks(song))
            (work / PACK_DONE).write_text(json.dumps({"version": version, "rows": len(self)}))
            # Another process may have finished the same pack first: then keep theirs.
            with contextlib.suppress(OSError):
                work.rename(final)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        for other in home.glob("v-*"):
            if other != final:
                # A process still reading an older pack keeps its open files.
                shutil.rmtree(other, ignore_errors=True)
        return song, _read_pack(final)

    def _pack_chunks(self, song_emb: np.ndarray) -> Iterator[_PackChunk]:
        n = len(self.ds)
        for at in range(0, n, PACK_CHUNK):
            end = min(n, at + PACK_CHUNK)
            stanza_blocks = [_vec(m) for m in self.ds["stanza_emb"][at:end]]
            # A song without stanzas keeps its whole-song vector as its only "stanza".
            stanza_blocks = [
                b if len(b) else song_emb[at + i : at + i + 1] for i, b in enumerate(stanza_blocks)
            ]
            yield _PackChunk(
                stanza_emb=stanza_blocks,
                line_emb=[_vec(m) for m in self.ds["line_emb"][at:end]],
                stanza_profiles=[
                    _vec(m, len(EMOTIONS)) for m in self.ds["stanza_profiles"][at:end]
                ],
                stanzas=["" if v is None else str(v) for v in self.ds["stanzas"][at:end]],
                lines=["" if v is None else str(v) for v in self.ds["lines"][at:end]],
            )

    # -- writing ------------------------------------------------------------------------------
    def upsert(self, items: Sequence[StoredTrack]) -> list[UpsertOutcome]:
        """Write tracks: new ids are appended, known ids rewritten whole (never duplicated).

        A track whose stored content is unchanged only gets its `ingested_at` stamp.
        """
        rows = self.rows()
        state = self.stored_state() if items else {}
        outcomes: list[UpsertOutcome] = []
        records: dict[str, dict[str, Any]] = {}  # track id -> the row to write, in order
        stamp = _now()
        try:
            if items:
                self._ensure_song_state_column()
            for item in items:
                record = _record(item, stamp)
                tid = item.track.track_id
                if tid in records:
                    # A repeated id within one batch: the later item wins.
                    del records[tid]
                    records[tid] = record
                    outcomes.append("updated")
                elif tid in rows:
                    old = state.get(tid)
                    if old == (item.lyrics_hash, item.embedder, item.analysis.extractor_version):
                        self.ds["ingested_at"][rows[tid]] = stamp
                        outcomes.append("unchanged")
                    else:
                        records[tid] = record
                        outcomes.append("updated")
                else:
                    records[tid] = record
                    outcomes.append("added")
            self._write_rows(list(records.values()))
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not write to the library at {self.url}: {exc}") from exc
        return outcomes

    def _write_rows(self, records: Sequence[dict[str, Any]]) -> None:
        """Append `records`; a track already stored loses its old row first.

        Rows are never rewritten in place: Deep Lake 4.7.4 can corrupt an array column (its rows
        read back as single numbers, and the library no longer opens) when a row of the column's
        newest chunk is assigned in place and a later append fills that chunk
        (tests/integration/test_store_rewrite.py). Deleting the row and appending the new one
        does not. A rewritten track therefore moves to the end of the library; playlists keep
        their own order.
        """
        if not records:
            return
        rows = self.rows()
        stale = sorted(
            (rows[r["track_id"]] for r in records if r["track_id"] in rows), reverse=True
        )
        for row in stale:
            self.ds.delete(row)
        self.ds.append({name: [r[name] for r in records] for name in records[0]})
        if stale:
            self._rows = None  # rows after a deleted one moved up
        else:
            start = len(self.ds) - len(records)
            rows.update((r["track_id"], start + offset) for offset, r in enumerate(records))

    def _stored_record(self, row: int) -> dict[str, Any]:
        """Every column of `row` in the form `_record` writes it (to rewrite the row whole)."""
        record: dict[str, Any] = {}
        for col in self.ds.schema.columns:
            value = self.ds[col.name][row]
            if col.name in _TEXT_COLUMNS:
                record[col.name] = "" if value is None else str(value)
            elif col.name in _INT_COLUMNS:
                record[col.name] = int(value if value is not None else 0)
            elif col.name in _MATRIX_COLUMNS:
                dim = len(EMOTIONS) if col.name == "stanza_profiles" else DIM
                record[col.name] = _vec(value if value is not None else (), dim)
            else:
                record[col.name] = np.asarray(
                    value if value is not None else (), dtype=np.float32
                ).ravel()
        return record

    @property
    def extractor_name(self) -> str | None:
        """The extractor the library was last analysed with (queries must use the same)."""
        try:
            return str(self.ds.metadata["extractor"])
        except _METADATA_ERRORS:
            return None

    def set_extractor(self, name: str) -> None:
        self.ds.metadata["extractor"] = name

    @property
    def embedder_name(self) -> str | None:
        """The embedder the library's vectors come from (queries must use the same)."""
        try:
            return str(self.ds.metadata["embedder"])
        except _METADATA_ERRORS:
            return None

    def set_embedder(self, name: str) -> None:
        self.ds.metadata["embedder"] = name

    def stored_track(self, row: int) -> Track:
        """Rebuild the Track stored at `row`, with its stored (cleaned) lyrics."""
        try:
            get = {name: self.ds[name][row] for name in (
                "track_id", "title", "artist", "album", "url", "artwork_url", "source",
                "lyrics_provider", "labels", "lyrics", "year", "duration_ms", "instrumental",
            )}  # fmt: skip
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not read track row {row} from {self.url}: {exc}") from exc
        text = {k: "" if v is None else str(v) for k, v in get.items()}
        return Track(
            track_id=text["track_id"],
            title=text["title"],
            artist=text["artist"],
            lyrics=text["lyrics"],
            album=text["album"],
            year=int(get["year"] or 0) or None,
            url=text["url"],
            artwork_url=text["artwork_url"],
            duration_ms=int(get["duration_ms"] or 0) or None,
            source=text["source"],
            lyrics_provider=text["lyrics_provider"],
            instrumental=bool(int(get["instrumental"] or 0)),
            labels=tuple(x for x in text["labels"].split(",") if x),
        )

    # -- playlists (moodtune/playlists.py owns the format) -------------------------------------
    def playlists_document(self) -> str | None:
        """The stored playlists as JSON text; None in a library that never recorded any."""
        try:
            metadata = self.ds.metadata
            # A missing key raises IndexError in Deep Lake 4.7; ask first.
            return str(metadata[PLAYLISTS_KEY]) if PLAYLISTS_KEY in metadata else None
        except _METADATA_ERRORS as exc:
            raise StoreError(f"Could not read the playlists of {self.url}: {exc}") from exc

    def set_playlists_document(self, text: str) -> None:
        """Replace the stored playlists; the next commit writes them with the tracks."""
        try:
            self.ds.metadata[PLAYLISTS_KEY] = text
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not write playlists to {self.url}: {exc}") from exc

    def track_sources(self) -> dict[str, str]:
        """Map track id -> source kind ("spotify", "file", "demo"), in row order."""
        try:
            return dict(zip(self._column("track_id"), self._column("source"), strict=True))
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not read the library at {self.url}: {exc}") from exc

    def touch(self, track_ids: Sequence[str]) -> None:
        """Mark tracks as seen by this run without rewriting their content."""
        rows = self.rows()
        stamp = _now()
        try:
            for tid in track_ids:
                if tid in rows:
                    self.ds["ingested_at"][rows[tid]] = stamp
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not write to the library at {self.url}: {exc}") from exc

    def update_details(self, tracks: Sequence[Track]) -> None:
        """Rewrite stored tracks' details (names, album, year, links, labels) from `tracks`.

        Lyrics, vectors and analysis stay as stored; `source` and `lyrics_provider` too.
        """
        self._rewrite([(t.track_id, _details(t)) for t in tracks])

    def update_analyses(self, analyses: Sequence[tuple[str, EmotionAnalysis]]) -> None:
        """Replace stored tracks' emotion analyses (after changing extractor or its version)."""
        self._rewrite([(tid, _analysis_record(a)) for tid, a in analyses], song_state=True)

    def _rewrite(
        self, changes: Sequence[tuple[str, dict[str, Any]]], *, song_state: bool = False
    ) -> None:
        """Rewrite stored tracks whole: each one's stored columns, with `changes` over them."""
        rows = self.rows()
        missing = [tid for tid, _ in changes if tid not in rows]
        if missing:
            raise NotFoundError(f"Track {missing[0]!r} is not in the library.")
        try:
            if changes and song_state:
                self._ensure_song_state_column()
            records = {tid: {**self._stored_record(rows[tid]), **new} for tid, new in changes}
            self._write_rows(list(records.values()))
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not write to the library at {self.url}: {exc}") from exc

    def check_writable(self) -> None:
        """Fail now, before any work, when a local library cannot be written (read-only home).

        Remote libraries are not probed: their first commit says so.
        """
        if "://" in self.url and not self.url.startswith("file://"):
            return
        root = Path(self.url.removeprefix("file://"))
        try:
            with tempfile.NamedTemporaryFile(dir=root, prefix=".moodtune-write-check-"):
                pass
        except OSError as exc:
            raise StoreError(
                f"The library at {self.url} cannot be written ({exc.strerror or exc}), so "
                "nothing was ingested. Point MOODTUNE_HOME at a folder you can write to, or "
                "make this one writable."
            ) from exc

    def commit(self, message: str) -> str:
        """Commit pending writes with `message`; return the new version id."""
        try:
            self.ds.commit(message)
        except _DEEPLAKE_ERRORS as exc:
            raise StoreError(f"Could not commit the library at {self.url}: {exc}") from exc
        return self.version


@dataclass(frozen=True, slots=True)
class LibraryInfo:
    tracks: int
    version: str
    versions: int
    extractor: str
    model: str
    path: str
    exists: bool


def library_info(settings: Settings) -> LibraryInfo:
    """Describe the library at settings' location; a missing one is reported, not raised."""
    try:
        store = open_store(settings, read_only=True)
    except NotFoundError:
        return LibraryInfo(
            0, "", 0, settings.extractor, settings.embedder, settings.library_url, False
        )
    return LibraryInfo(
        tracks=len(store),
        version=store.version,
        versions=len(store.versions()),
        extractor=store.extractor_name or settings.extractor,
        model=store.embedder_name or settings.embedder,
        path=settings.library_url,
        exists=True,
    )


def _analysis_record(a: EmotionAnalysis) -> dict[str, Any]:
    return {
        "extractor": a.extractor,
        "extractor_version": a.extractor_version,
        "profile": np.asarray(a.profile.scores, dtype=np.float32),
        "stanza_profiles": np.asarray(a.stanza_profiles, dtype=np.float32).reshape(
            -1, len(EMOTIONS)
        ),
        "emotion_words": a.emotion_words,
        "emotion_emb": np.asarray(a.emotion_emb, dtype=np.float32),
        "refined_words": a.refined_words,
        "refined_emb": np.asarray(a.refined_emb, dtype=np.float32),
        SONG_STATE: np.asarray(a.song_state, dtype=np.float32).ravel(),
    }


def _details(t: Track) -> dict[str, Any]:
    """The columns a track's details fill (what a source may correct without new lyrics)."""
    return {
        "title": t.title,
        "artist": t.artist,
        "album": t.album,
        "url": t.url,
        "artwork_url": t.artwork_url,
        "labels": ",".join(t.labels),
        "year": int(t.year or 0),
        "duration_ms": int(t.duration_ms or 0),
    }


def _record(item: StoredTrack, stamp: str) -> dict[str, Any]:
    t = item.track
    return {
        "track_id": t.track_id,
        **_details(t),
        "source": t.source,
        "lyrics_provider": t.lyrics_provider,
        "lyrics": item.lyrics,
        "lyrics_hash": item.lyrics_hash,
        "embedder": item.embedder,
        "stanzas": json.dumps(list(item.stanzas), ensure_ascii=False),
        "lines": json.dumps(list(item.lines), ensure_ascii=False),
        "ingested_at": stamp,
        "instrumental": int(t.instrumental),
        "song_emb": np.asarray(item.song_emb, dtype=np.float32),
        "stanza_emb": _vec(item.stanza_emb),
        "line_emb": _vec(item.line_emb),
        **_analysis_record(item.analysis),
    }


PACK_CHUNK = 2_000
CHILD_BUILD_ROWS = 20_000
# Stanza vectors up to this size stay in memory (about 10k songs of 4 stanzas: 61 MB).
IN_MEMORY_STANZA_BYTES = 64 * 2**20  # from here a pack is built by a child process (see below)
_CREDS_ENV = "MOODTUNE_PACK_CREDS"


def _build_pack_in_child(url: str, creds: Mapping[str, str] | None, cache_dir: Path) -> None:
    """Build the current version's pack in a child process (credentials through its env)."""
    env = {**os.environ, _CREDS_ENV: json.dumps(dict(creds or {}))}
    subprocess.run(
        [sys.executable, "-m", "moodtune.store", url, str(cache_dir)],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )


def _child_main(argv: Sequence[str]) -> int:
    url, cache_dir = argv
    creds = json.loads(os.environ.get(_CREDS_ENV) or "{}")
    store = Store(url, read_only=True, creds=creds or None, cache_dir=Path(cache_dir))
    store.build_in_child = False
    store.index()
    return 0


PACK_DONE = "done.json"
_RAGGED = {"stanza_emb": DIM, "line_emb": DIM, "stanza_profiles": len(EMOTIONS)}


@dataclass(frozen=True, slots=True)
class _PackChunk:
    stanza_emb: list[np.ndarray]
    line_emb: list[np.ndarray]
    stanza_profiles: list[np.ndarray]
    stanzas: list[str]
    lines: list[str]


def _dense_pack(chunks: Iterator[_PackChunk]) -> TrackPack:
    parts = list(chunks)
    ragged = {
        name: RaggedVectors.dense([b for p in parts for b in getattr(p, name)], dim)
        for name, dim in _RAGGED.items()
    }
    return TrackPack(
        stanza_emb=ragged["stanza_emb"],
        line_emb=ragged["line_emb"],
        stanza_profiles=ragged["stanza_profiles"],
        stanzas=TextColumn.dense([s for p in parts for s in p.stanzas]),
        lines=TextColumn.dense([s for p in parts for s in p.lines]),
    )


def _write_pack(folder: Path, chunks: Iterator[_PackChunk]) -> None:
    counts: dict[str, list[int]] = {name: [] for name in _RAGGED}
    sizes: dict[str, list[int]] = {"stanzas": [], "lines": []}
    names = [*_RAGGED, *sizes]
    handles = {name: (folder / f"{name}.bin").open("wb") for name in names}
    try:
        for chunk in chunks:
            for name in _RAGGED:
                blocks = getattr(chunk, name)
                counts[name] += [len(b) for b in blocks]
                if blocks:
                    handles[name].write(np.concatenate(blocks).astype(np.float32).tobytes())
            for name in sizes:
                raw = [v.encode("utf-8") for v in getattr(chunk, name)]
                sizes[name] += [len(r) for r in raw]
                handles[name].write(b"".join(raw))
    finally:
        for handle in handles.values():
            handle.close()
    arrays: dict[str, Any] = {
        **{f"{name}_count": np.array(c, dtype=np.int64) for name, c in counts.items()},
        **{f"{name}_size": np.array(c, dtype=np.int64) for name, c in sizes.items()},
    }
    np.savez(folder / "offsets.npz", **arrays)


def _starts(count: np.ndarray) -> np.ndarray:
    start = np.zeros(len(count), dtype=np.int64)
    if len(count):
        np.cumsum(count[:-1], out=start[1:])
    return start


def _read_pack(folder: Path) -> TrackPack:
    with np.load(folder / "offsets.npz") as offsets:
        arrays = {key: offsets[key] for key in offsets.files}
    ragged = {}
    for name, dim in _RAGGED.items():
        count = arrays[f"{name}_count"]
        path = folder / f"{name}.bin"
        if name == "stanza_emb" and path.stat().st_size <= IN_MEMORY_STANZA_BYTES:
            # Small enough to keep: a shortlist is then a numpy gather, not a thousand reads.
            matrix = np.fromfile(path, dtype=np.float32).reshape(-1, dim)
            ragged[name] = RaggedVectors(_starts(count), count, dim, matrix)
        else:
            ragged[name] = RaggedVectors(_starts(count), count, dim, fd=open_for_reading(path))
    texts = {}
    for name in ("stanzas", "lines"):
        size = arrays[f"{name}_size"]
        at = np.zeros(len(size) + 1, dtype=np.int64)
        np.cumsum(size, out=at[1:])
        texts[name] = TextColumn(at, fd=open_for_reading(folder / f"{name}.bin"))
    return TrackPack(
        stanza_emb=ragged["stanza_emb"],
        line_emb=ragged["line_emb"],
        stanza_profiles=ragged["stanza_profiles"],
        stanzas=texts["stanzas"],
        lines=texts["lines"],
    )


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
