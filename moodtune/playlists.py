"""The library's playlists: which tracks each source playlist or saved list holds, in order.

One store for both kinds: playlists recorded by ingestion (a Spotify playlist, an imported file,
the demo catalogue's playlists) and playlists a listener saves. They live as one JSON document in
the Deep Lake library's metadata, so the commit that writes a batch of tracks writes their
membership too, and a kill between batches leaves both at the same committed state. A track is
stored once, however many playlists hold it.

Owns: the stored format (validated with a private pydantic model), membership after each
ingestion batch (`merge_membership`), the playlists of a library that never recorded any
(`earlier_playlists`: demo tracks form the demo playlists, other tracks one list per source),
finding a playlist by id or name, which playlists hold a track, and saving, renaming and deleting
a listener's playlists. Must not embed, analyse or rank.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from moodtune.errors import InputError, NotFoundError, StoreError
from moodtune.models import Playlist, Track
from moodtune.sources.demo import load_demo_playlists

if TYPE_CHECKING:
    from moodtune.store import LibraryIndex, Store

FORMAT = 1
LIBRARY_ID = "library"  # the whole library, offered beside the playlists; never stored
LIBRARY_NAME = "Whole library"
SAVED = "saved"
MAX_NAME = 80
_EARLIER_NAMES = {
    "file": "Earlier file imports",
    "spotify": "Earlier Spotify imports",
    "demo": "Earlier demo songs",
}


class _StoredPlaylist(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    name: str
    kind: str
    tracks: tuple[str, ...] = ()
    owner: str = ""
    snapshot_id: str = ""
    description: str = ""
    updated_at: str = ""


class _Document(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    format: int = FORMAT
    playlists: tuple[_StoredPlaylist, ...] = ()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def parse_document(text: str | None) -> tuple[Playlist, ...] | None:
    """Read the stored document; None when the library has never recorded playlists."""
    if text is None or not text.strip():
        return None
    try:
        doc = _Document.model_validate_json(text)
    except ValidationError as exc:
        raise StoreError(
            f"The library's playlists could not be read ({exc.error_count()} problems); "
            "ingest a playlist again to rewrite them."
        ) from exc
    if doc.format > FORMAT:
        raise StoreError(
            f"The library's playlists were written by a newer MoodTune (format {doc.format}); "
            "update MoodTune to read them."
        )
    return tuple(
        Playlist(
            p.id, p.name, p.kind, p.tracks, p.owner, p.snapshot_id, p.description, p.updated_at
        )
        for p in doc.playlists
    )


def dump_document(playlists: Iterable[Playlist]) -> str:
    """Serialise playlists in the stored format."""
    doc = _Document(
        playlists=tuple(
            _StoredPlaylist(
                id=p.playlist_id, name=p.name, kind=p.kind, tracks=p.track_ids, owner=p.owner,
                snapshot_id=p.snapshot_id, description=p.description, updated_at=p.updated_at,
            )
            for p in playlists
        )
    )  # fmt: skip
    return doc.model_dump_json()


def earlier_playlists(
    sources: Mapping[str, str], demo: Sequence[Playlist] | None = None
) -> tuple[Playlist, ...]:
    """Playlists for a library ingested before membership was recorded.

    Demo tracks form the demo catalogue's playlists (those of its songs the library holds);
    every other track joins one list per source kind, in library order.
    """
    demo = load_demo_playlists() if demo is None else demo
    found: list[Playlist] = []
    for playlist in demo:
        members = tuple(t for t in playlist.track_ids if sources.get(t) == "demo")
        if members:
            found.append(dataclasses.replace(playlist, track_ids=members))
    covered = {t for p in found for t in p.track_ids}
    groups: dict[str, list[str]] = {}
    for tid, source in sources.items():
        if tid not in covered:
            groups.setdefault(source or "unknown", []).append(tid)
    for source, ids in groups.items():
        name = _EARLIER_NAMES.get(source, f"Earlier {source} tracks")
        found.append(Playlist(f"earlier:{source}", name, "earlier", tuple(ids)))
    return tuple(found)


def source_playlist(
    kind: str,
    key: str,
    name: str,
    tracks: Sequence[Track],
    *,
    owner: str = "",
    snapshot_id: str = "",
    description: str = "",
) -> Playlist:
    """The membership a source declares: its tracks in order, under id '<kind>:<key>'."""
    return Playlist(
        f"{kind}:{key}",
        name,
        kind,
        tuple(dict.fromkeys(t.track_id for t in tracks)),
        owner=owner,
        snapshot_id=snapshot_id,
        description=description,
    )


def file_playlist(filename: str, tracks: Sequence[Track]) -> Playlist:
    """An imported file is a playlist named after the file (the same name re-imports into it)."""
    return source_playlist("file", filename, filename, tracks)


def merge_membership(
    current: Sequence[Playlist],
    declared: Sequence[Playlist],
    processed: Set[str],
    in_library: Set[str],
    stamp: str = "",
) -> tuple[Playlist, ...]:
    """The playlists after an ingestion batch.

    Each declared playlist holds, in its declared order, the tracks that are in the library and
    either were processed by this run already or were members before it; a member the source
    no longer lists leaves (the track stays in the library). When every track was processed,
    membership is exactly the declared order. Other playlists are untouched.
    """
    old = {p.playlist_id: p for p in current}
    merged: dict[str, Playlist] = {p.playlist_id: p for p in current}
    for playlist in declared:
        before = set(old[playlist.playlist_id].track_ids) if playlist.playlist_id in old else set()
        members = tuple(
            t
            for t in dict.fromkeys(playlist.track_ids)
            if t in in_library and (t in processed or t in before)
        )
        merged[playlist.playlist_id] = dataclasses.replace(
            playlist, track_ids=members, updated_at=stamp or _now()
        )
    return tuple(merged.values())


def current_playlists(store: Store) -> tuple[Playlist, ...]:
    """The stored playlists, or those of an older library (nothing is written)."""
    stored = parse_document(store.playlists_document())
    if stored is not None:
        return stored
    return earlier_playlists(store.track_sources())


def read_playlists(store: Store) -> tuple[Playlist, ...]:
    """The library's playlists for display; a member missing from the library is not shown."""
    present = store.rows()
    return tuple(
        dataclasses.replace(p, track_ids=tuple(t for t in p.track_ids if t in present))
        for p in current_playlists(store)
    )


def start_recording(store: Store) -> None:
    """Before a run writes tracks: give an older library its playlists (committed with the
    run's first batch), so tracks stored before playlists existed keep a playlist."""
    if store.playlists_document() is None:
        store.set_playlists_document(dump_document(earlier_playlists(store.track_sources())))


def record_membership(
    store: Store, declared: Sequence[Playlist], processed: Set[str], stamp: str = ""
) -> None:
    """Write the declared playlists' membership after a batch; the caller commits.

    Call `start_recording` first, before the run writes any track.
    """
    if not declared:
        return
    merged = merge_membership(
        current_playlists(store), declared, processed, set(store.rows()), stamp
    )
    store.set_playlists_document(dump_document(merged))


def library_playlist(track_ids: Sequence[str]) -> Playlist:
    """The whole library as a playlist, in library order."""
    return Playlist(LIBRARY_ID, LIBRARY_NAME, "library", tuple(track_ids))


def resolve_playlist(store: Store, key: str) -> Playlist:
    """The playlist `key` names (id or name), or the whole library for 'library'."""
    if key.strip().casefold() in (LIBRARY_ID, LIBRARY_NAME.casefold()):
        return library_playlist(store.index().track_ids)
    return find_playlist(read_playlists(store), key)


def within(playlist: Playlist, track_ids: Iterable[str]) -> Playlist:
    """The playlist narrowed to `track_ids` (e.g. the tracks a filter shows), order kept."""
    keep = set(track_ids)
    return dataclasses.replace(
        playlist, track_ids=tuple(t for t in playlist.track_ids if t in keep)
    )


def member_rows(index: LibraryIndex, playlist: Playlist) -> list[int]:
    """Library rows of the playlist's tracks, in play order."""
    at = {tid: row for row, tid in enumerate(index.track_ids)}
    return [at[t] for t in dict.fromkeys(playlist.track_ids) if t in at]


def find_playlist(playlists: Sequence[Playlist], key: str) -> Playlist:
    """The playlist whose id is `key`, or whose name is `key` ignoring case."""
    wanted = key.strip()
    for playlist in playlists:
        if playlist.playlist_id == wanted:
            return playlist
    named = [p for p in playlists if p.name.casefold() == wanted.casefold()]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise InputError(
            f"{len(named)} playlists are called {wanted!r}; give one of their ids: "
            + ", ".join(p.playlist_id for p in named)
            + "."
        )
    available = ", ".join(p.name for p in playlists) or "none yet"
    raise NotFoundError(f"No playlist called {wanted!r}. Available: {available}.")


def playlists_of(playlists: Sequence[Playlist]) -> dict[str, tuple[str, ...]]:
    """Map track id -> names of the playlists that hold it, in playlist order."""
    found: dict[str, list[str]] = {}
    for playlist in playlists:
        for tid in dict.fromkeys(playlist.track_ids):
            found.setdefault(tid, []).append(playlist.name)
    return {tid: tuple(names) for tid, names in found.items()}


# -- a listener's own playlists (each change is its own library commit) ----------------------
def _clean_name(name: str) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise InputError("A playlist needs a name.")
    if len(text) > MAX_NAME:
        raise InputError(f"A playlist name can be at most {MAX_NAME} characters.")
    return text


def _check_free(playlists: Sequence[Playlist], name: str, keep: str = "") -> None:
    for p in playlists:
        if p.name.casefold() == name.casefold() and p.playlist_id != keep:
            raise InputError(f"There is already a playlist called {p.name!r}; pick another name.")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "playlist"


def save_playlist(store: Store, name: str, track_ids: Sequence[str]) -> Playlist:
    """Save a listener's playlist (tracks in the given order) and commit it."""
    clean = _clean_name(name)
    playlists = current_playlists(store)
    _check_free(playlists, clean)
    rows = store.rows()
    ids = tuple(dict.fromkeys(track_ids))
    missing = [t for t in ids if t not in rows]
    if missing:
        raise NotFoundError(f"{len(missing)} of these tracks are not in the library.")
    if not ids:
        raise InputError("A saved playlist needs at least one track.")
    taken = {p.playlist_id for p in playlists}
    base = f"{SAVED}:{_slug(clean)}"
    pid = next(f"{base}-{i}" if i else base for i in range(len(taken) + 1) if
               (f"{base}-{i}" if i else base) not in taken)  # fmt: skip
    saved = Playlist(pid, clean, SAVED, ids, updated_at=_now())
    _write(store, (*playlists, saved), f"playlists: save {clean!r} ({len(ids)} tracks)")
    return saved


def rename_playlist(store: Store, playlist_id: str, name: str) -> Playlist:
    """Rename a playlist (its id stays) and commit."""
    clean = _clean_name(name)
    playlists = current_playlists(store)
    target = find_playlist(playlists, playlist_id)
    _check_free(playlists, clean, keep=target.playlist_id)
    renamed = dataclasses.replace(target, name=clean, updated_at=_now())
    _write(
        store,
        tuple(renamed if p.playlist_id == target.playlist_id else p for p in playlists),
        f"playlists: rename {target.name!r} to {clean!r}",
    )
    return renamed


def delete_playlist(store: Store, playlist_id: str) -> None:
    """Delete a playlist (its tracks stay in the library) and commit."""
    playlists = current_playlists(store)
    target = find_playlist(playlists, playlist_id)
    _write(
        store,
        tuple(p for p in playlists if p.playlist_id != target.playlist_id),
        f"playlists: delete {target.name!r}",
    )


def _write(store: Store, playlists: Sequence[Playlist], message: str) -> None:
    store.set_playlists_document(dump_document(playlists))
    store.commit(message)
