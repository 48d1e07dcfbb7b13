"""A Spotify playlist, through faked Spotify and LRCLIB HTTP, lands in the library and is
recommendable; a second run asks no provider again."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import requests
import responses
import spotipy

from moodtune.embed import get_embedder
from moodtune.emotions.lexicon import LexiconExtractor
from moodtune.ingest import Ingestor
from moodtune.playlists import read_playlists
from moodtune.recommend import Recommender
from moodtune.sources.lrclib import LrclibClient
from moodtune.sources.lyrics import LyricsChain
from moodtune.sources.spotify import SpotifyPlaylistSource, spotify_playlist
from moodtune.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"
PID = "3cEYpjA9oz9GiPac4AsH4n"
LINK = f"https://open.spotify.com/playlist/{PID}?si=abc"
LYRICS = {
    "Harbour Lights": "Ships come home at dawn\nthe harbour lights are burning\n\n"
    "My brother waves from the pier\nthe gulls are turning",
    "Static Prayer": "Fists on the table\nthey lied to us again\n\n"
    "We will not be quiet\nnot now, not then",
}


def spotify_track(i: int, name: str) -> dict[str, Any]:
    track = copy.deepcopy(json.loads((DATA / "spotify_track.json").read_text(encoding="utf-8")))
    track["id"] = f"trk{i:019d}"
    track["name"] = name
    track["external_urls"]["spotify"] = f"https://open.spotify.com/track/trk{i:019d}"
    return track


def playlist_payload() -> dict[str, Any]:
    names = ["Harbour Lights", "Static Prayer", "Drone Study No. 4", "Unknown Song"]
    items = [
        {
            "added_at": "2025-01-01T00:00:00Z",
            "is_local": False,
            "item": spotify_track(i, n),
            "track": spotify_track(i, n),
        }
        for i, n in enumerate(names)
    ]
    return {
        "id": PID,
        "name": "Moods",
        "owner": {"id": "me", "display_name": "Me"},
        "snapshot_id": "AAAAB3snapshot",
        "external_urls": {"spotify": f"https://open.spotify.com/playlist/{PID}"},
        "items": {
            "href": "",
            "items": items,
            "limit": 100,
            "next": None,
            "offset": 0,
            "total": len(items),
        },
        "tracks": {"total": len(items)},
    }


class FakeLrclib:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        name = request.url.params.get("track_name") or request.url.params.get("q") or ""
        if request.url.path == "/api/search":
            return httpx.Response(200, json=[])
        if name == "Drone Study No. 4":
            return httpx.Response(200, json={
                "id": 9, "trackName": name, "artistName": "Band of Horses", "albumName": "",
                "duration": 276.9, "instrumental": True, "plainLyrics": None, "syncedLyrics": None,
            })  # fmt: skip
        if name in LYRICS:
            return httpx.Response(200, json={
                "id": 1, "trackName": name, "artistName": "Band of Horses", "albumName": "",
                "duration": 276.9, "instrumental": False, "plainLyrics": LYRICS[name],
                "syncedLyrics": None,
            })  # fmt: skip
        return httpx.Response(404, json={"code": 404, "name": "TrackNotFound", "message": "Failed"})


@responses.activate
def test_playlist_lands_in_library_and_is_recommendable(tmp_path: Path) -> None:
    api = "https://api.spotify.com/v1"
    responses.get(f"{api}/playlists/{PID}", json=playlist_payload())
    responses.get(f"{api}/playlists/{PID}/items", json=playlist_payload()["items"])
    spotify = spotipy.Spotify(
        auth="fake-token", requests_session=requests.Session(), retries=0, status_retries=0
    )
    playlist = SpotifyPlaylistSource(spotify).fetch_playlist(LINK)
    assert len(playlist.tracks) == 4

    fake = FakeLrclib()
    lrclib = LrclibClient(
        httpx.Client(base_url="https://lrclib.net", transport=httpx.MockTransport(fake))
    )
    chain = LyricsChain([lrclib], tmp_path / "cache", min_interval_s=0)
    store = Store(tmp_path / "library", create=True)
    ingestor = Ingestor(store, get_embedder("minilm"), LexiconExtractor(), lyrics=chain)

    report = ingestor.run(list(playlist.tracks), playlist.name)
    status = {o.title: o.status for o in report.outcomes}
    assert status == {
        "Harbour Lights": "added",
        "Static Prayer": "added",
        "Drone Study No. 4": "no lyrics",
        "Unknown Song": "no lyrics",
    }
    reasons = {o.title: o.reason for o in report.outcomes}
    assert reasons["Drone Study No. 4"] == "instrumental"
    assert {o.lyrics_provider for o in report.outcomes if o.status == "added"} == {"lrclib"}
    assert len(store) == 2

    [top] = Recommender(store, get_embedder("minilm"), LexiconExtractor()).recommend(
        "ships and the harbour at dawn", "lyrics", k=1
    )
    assert top.title == "Harbour Lights"
    assert top.url.startswith("https://open.spotify.com/track/")
    assert top.matched_line in LYRICS["Harbour Lights"]

    calls = fake.calls
    again = ingestor.run(list(playlist.tracks), playlist.name)
    assert fake.calls == calls, "lyrics must come from the cache on a re-run"
    assert again.counts == {"unchanged": 2, "no lyrics": 2}
    assert len(store) == 2


@responses.activate
def test_playlist_membership_records_owner_snapshot_and_order(tmp_path: Path) -> None:
    api = "https://api.spotify.com/v1"
    responses.get(f"{api}/playlists/{PID}", json=playlist_payload())
    responses.get(f"{api}/playlists/{PID}/items", json=playlist_payload()["items"])
    spotify = spotipy.Spotify(
        auth="fake-token", requests_session=requests.Session(), retries=0, status_retries=0
    )
    playlist = SpotifyPlaylistSource(spotify).fetch_playlist(LINK)
    assert playlist.snapshot_id == "AAAAB3snapshot"
    lrclib = LrclibClient(
        httpx.Client(base_url="https://lrclib.net", transport=httpx.MockTransport(FakeLrclib()))
    )
    store = Store(tmp_path / "library", create=True)
    ingestor = Ingestor(
        store,
        get_embedder("minilm"),
        LexiconExtractor(),
        lyrics=LyricsChain([lrclib], tmp_path / "cache", min_interval_s=0),
    )
    ingestor.run(list(playlist.tracks), playlist.name, playlists=[spotify_playlist(playlist)])
    [stored] = read_playlists(Store(tmp_path / "library", read_only=True))
    assert (stored.playlist_id, stored.name, stored.kind) == (f"spotify:{PID}", "Moods", "spotify")
    assert (stored.owner, stored.snapshot_id) == ("Me", "AAAAB3snapshot")
    # Only the two songs with lyrics are stored, so only they are members, in playlist order.
    assert stored.track_ids == tuple(t.track_id for t in playlist.tracks[:2])
