"""Membership in the library: files become playlists, a changed file updates its playlist, a
track in two playlists is stored once, an older library keeps working, saved playlists last."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from moodtune.cli import cli
from moodtune.config import load_settings
from moodtune.embed import get_embedder
from moodtune.emotions import build_extractor
from moodtune.errors import InputError, NotFoundError
from moodtune.ingest import Ingestor
from moodtune.models import Track
from moodtune.playlists import (
    delete_playlist,
    file_playlist,
    parse_document,
    read_playlists,
    rename_playlist,
    save_playlist,
)
from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists
from moodtune.store import Store

LYRICS = {
    "a": "we run at dawn and the joy is loud",
    "b": "rage against the gate, the anger in my fists",
    "c": "tears on the window, I miss you so",
    "d": "trust the road and the friends who stay",
    "e": "a quiet sunday, coffee and the sun",
    "f": "fear in the dark hallway, footsteps near",
}


def _track(tid: str) -> Track:
    return Track(tid, f"Song {tid.upper()}", "Tester", LYRICS[tid], source="file")


def _ingestor(store: Store, batch_size: int = 2) -> Ingestor:
    settings = load_settings(secrets_path=Path("/nonexistent"), home=str(store.url))
    return Ingestor(
        store, get_embedder("hash"), build_extractor("keyword", settings), batch_size=batch_size
    )


def _ingest_file(store: Store, name: str, ids: str) -> None:
    tracks = [_track(t) for t in ids]
    _ingestor(store).run(tracks, name, playlists=[file_playlist(name, tracks)])


def _stored(url: Path) -> dict[str, tuple[str, ...]]:
    """Playlists as committed (a fresh read-only handle sees only committed state)."""
    store = Store(url, read_only=True)
    doc = parse_document(store.playlists_document())
    assert doc is not None
    return {p.name: p.track_ids for p in doc}


def test_reingesting_a_changed_file_updates_membership_and_order(tmp_path: Path) -> None:
    url = tmp_path / "library"
    store = Store(url, create=True)
    _ingest_file(store, "gym.csv", "abcd")
    _ingest_file(store, "sunday.csv", "ce")
    assert _stored(url) == {"gym.csv": tuple("abcd"), "sunday.csv": tuple("ce")}
    assert len(store) == 5  # c is in both playlists and stored once

    _ingest_file(store, "gym.csv", "dfb")  # a and c left the file, f is new, order changed
    assert _stored(url) == {"gym.csv": tuple("dfb"), "sunday.csv": tuple("ce")}
    reopened = Store(url, read_only=True)
    assert sorted(reopened.rows()) == list("abcdef")  # a left the playlist, not the library
    gym = next(p for p in read_playlists(reopened) if p.name == "gym.csv")
    assert (gym.playlist_id, gym.kind) == ("file:gym.csv", "file")


def test_every_commit_of_a_run_holds_membership_for_its_tracks(tmp_path: Path) -> None:
    # After each batch's commit (what a kill between batches would leave), a fresh reader sees
    # the playlist list exactly the source's stored tracks, in the source's order. Deep Lake
    # 4.7 does not version metadata (an old version opens with today's), so the committed head
    # is read from the progress callback, which runs after each commit.
    url = tmp_path / "library"
    store = Store(url, create=True)
    _ingest_file(store, "mix.csv", "ab")
    tracks = [_track(t) for t in "fedcb"]
    snapshots: list[tuple[str, ...]] = []

    def committed(done: int, total: int, outcome: object) -> None:
        head = Store(url, read_only=True)
        stored = list(head.rows())
        assert len(stored) == len(head)  # no duplicates
        [playlist] = parse_document(head.playlists_document()) or ()
        assert playlist.track_ids == tuple(t for t in "fedcb" if t in stored)
        snapshots.append(playlist.track_ids)

    _ingestor(store, batch_size=1).run(
        tracks, "mix.csv", committed, playlists=[file_playlist("mix.csv", tracks)]
    )
    # The playlist grows as new tracks land; a, dropped by the source, leaves at the first commit.
    assert snapshots == [("f", "b"), ("f", "e", "b"), ("f", "e", "d", "b"), *[tuple("fedcb")] * 2]


def test_a_library_without_playlists_keeps_working_and_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A library ingested before membership was recorded: demo songs and a file, no playlists.
    url = tmp_path / "home" / "library"
    store = Store(url, create=True)
    demo = load_demo_playlists()
    wanted = set(demo[0].track_ids[:3]) | set(demo[1].track_ids[:2])
    songs = [t for t in load_demo_catalogue() if t.track_id in wanted]
    _ingestor(store, batch_size=4).run([*songs, _track("a"), _track("b")], "old run")
    assert store.playlists_document() is None

    found = {p.name: p.track_ids for p in read_playlists(Store(url, read_only=True))}
    assert found == {
        demo[0].name: demo[0].track_ids[:3],
        demo[1].name: demo[1].track_ids[:2],
        "Earlier file imports": ("a", "b"),
    }
    monkeypatch.setenv("MOODTUNE_HOME", str(tmp_path / "home"))
    listed = CliRunner().invoke(cli, ["playlists", "--json"])
    assert listed.exit_code == 0, listed.output
    assert {p["name"]: p["tracks"] for p in json.loads(listed.stdout)}["Earlier file imports"] == 2

    # The first run that records playlists keeps the earlier ones beside its own.
    _ingest_file(store, "new.csv", "cd")
    assert _stored(url) == {**found, "new.csv": ("c", "d")}


def test_saved_playlists_are_listed_renamed_deleted_and_last(tmp_path: Path) -> None:
    url = tmp_path / "library"
    store = Store(url, create=True)
    _ingest_file(store, "gym.csv", "abc")
    saved = save_playlist(store, "  Late   walk ", ["c", "a"])
    assert (saved.name, saved.kind, saved.track_ids) == ("Late walk", "saved", ("c", "a"))
    with pytest.raises(InputError, match="already a playlist"):
        save_playlist(store, "late walk", ["a"])
    with pytest.raises(NotFoundError, match="not in the library"):
        save_playlist(store, "Other", ["zz"])
    with pytest.raises(InputError, match="needs a name"):
        save_playlist(store, " ", ["a"])
    renamed = rename_playlist(store, saved.playlist_id, "Evening walk")
    assert renamed.playlist_id == saved.playlist_id
    assert _stored(url) == {"gym.csv": tuple("abc"), "Evening walk": ("c", "a")}
    # Ingestion keeps a saved playlist as it is.
    _ingest_file(store, "gym.csv", "ba")
    assert _stored(url) == {"gym.csv": tuple("ba"), "Evening walk": ("c", "a")}
    delete_playlist(store, "Evening walk")
    assert _stored(url) == {"gym.csv": tuple("ba")}
    assert sorted(Store(url, read_only=True).rows()) == list("abc")
