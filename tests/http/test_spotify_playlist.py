"""Creating a private Spotify playlist through spotipy, against HTTP fakes (`responses`) shaped
like Spotify's answers to POST /me/playlists, POST /playlists/{id}/items and the token endpoint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
import responses
import spotipy

from moodtune.config import load_settings
from moodtune.errors import ConfigError, InputError, SourceError
from moodtune.list_export import ExportTrack
from moodtune.sources.spotify_playlist import (
    WHAT_TO_CONFIGURE,
    PlaylistWriter,
    creation_configured,
    make_playlist_client,
    spotify_uris,
)

DATA = Path(__file__).resolve().parents[1] / "data"
API = "https://api.spotify.com/v1"
TOKEN_URL = "https://accounts.spotify.com/api/token"
NEW_ID = "7d2D2S200NyUE5KYs80PwO"
ITEMS = f"{API}/playlists/{NEW_ID}/items"
SECRET = "AQD-very-secret-refresh-token"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def tracks(spotify: int, local: int = 0) -> list[ExportTrack]:
    out = [ExportTrack(i + 1, f"spotify:{i:022d}", f"Song {i}", "Artist") for i in range(spotify)]
    out += [
        ExportTrack(spotify + j + 1, f"demo:song-{j}", f"Demo {j}", "Someone") for j in range(local)
    ]
    return out


def writer(sleeps: list[float] | None = None) -> PlaylistWriter:
    # A plain Session: no urllib3 retry adapter, so every status reaches our code.
    client = spotipy.Spotify(
        auth="fake-token", requests_session=requests.Session(), retries=0, status_retries=0
    )
    return PlaylistWriter(client, sleep=(sleeps if sleeps is not None else []).append)


def add_create(status: int = 201, body: Any = None, headers: dict[str, str] | None = None) -> None:
    responses.add(
        responses.POST,
        f"{API}/me/playlists",
        json=body if body is not None else load("spotify_playlist_created.json"),
        status=status,
        headers=headers,
    )


def add_items(status: int = 201, body: Any = None, headers: dict[str, str] | None = None) -> None:
    responses.add(
        responses.POST,
        ITEMS,
        json=body if body is not None else load("spotify_items_added.json"),
        status=status,
        headers=headers,
    )


def sent_uris(call: Any) -> list[str]:
    body = json.loads(call.request.body)
    return list(body["uris"] if isinstance(body, dict) else body)


@responses.activate
def test_a_private_playlist_is_created_then_filled_in_chunks_of_100() -> None:
    add_create()
    for _ in range(3):
        add_items()
    created = writer().create("Rainy Sunday", tracks(250, local=4), "From MoodTune")
    assert (created.playlist_id, created.added, created.left_out) == (NEW_ID, 250, 4)
    assert created.url == f"https://open.spotify.com/playlist/{NEW_ID}"
    create_call = responses.calls[0]
    assert create_call.request.url == f"{API}/me/playlists"
    payload = json.loads(create_call.request.body)
    assert payload["name"] == "Rainy Sunday"
    assert payload["public"] is False
    chunks = [sent_uris(c) for c in responses.calls[1:]]
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert chunks[0][0] == f"spotify:track:{0:022d}"
    assert [u for c in chunks for u in c] == [f"spotify:track:{i:022d}" for i in range(250)]


@responses.activate
def test_429_with_retry_after_waits_then_succeeds() -> None:
    add_create()
    add_items(429, load("spotify_error_429.json"), {"Retry-After": "3"})
    add_items()
    sleeps: list[float] = []
    created = writer(sleeps).create("Rainy Sunday", tracks(5))
    assert sleeps == [3.0]
    assert created.added == 5
    assert len(responses.calls) == 3


@responses.activate
def test_429_that_never_ends_gives_up_saying_how_far_it_got() -> None:
    add_create()
    add_items()  # the first chunk goes in
    add_items(429, load("spotify_error_429.json"), {"Retry-After": "2"})
    sleeps: list[float] = []
    with pytest.raises(SourceError) as info:
        writer(sleeps).create("Rainy Sunday", tracks(150))
    message = str(info.value)
    assert "rate-limiting" in message
    assert "with 100 of its 150 tracks" in message
    assert NEW_ID in message or "open.spotify.com/playlist" in message
    assert sleeps == [2.0, 2.0, 2.0]
    assert info.value.exit_code == 3


@responses.activate
def test_429_with_a_long_wait_gives_up_at_once() -> None:
    add_create(429, load("spotify_error_429.json"), {"Retry-After": "3600"})
    sleeps: list[float] = []
    with pytest.raises(SourceError, match="about 60 minute"):
        writer(sleeps).create("Rainy Sunday", tracks(3))
    assert sleeps == []


@responses.activate
def test_401_asks_for_a_new_refresh_token() -> None:
    add_create(401, load("spotify_error_401.json"))
    with pytest.raises(ConfigError, match="SPOTIPY_REFRESH_TOKEN") as info:
        writer().create("Rainy Sunday", tracks(3))
    assert info.value.exit_code == 2


@responses.activate
def test_403_names_the_missing_scope() -> None:
    add_create(403, load("spotify_error_403.json"))
    with pytest.raises(ConfigError, match="playlist-modify-private"):
        writer().create("Rainy Sunday", tracks(3))


@responses.activate
def test_a_list_without_spotify_tracks_is_refused_before_any_request() -> None:
    with pytest.raises(InputError, match="None of these tracks came from Spotify"):
        writer().create("Demo songs", tracks(0, local=3))
    assert len(responses.calls) == 0


def test_uris_come_from_spotify_ids_or_track_links_once_each() -> None:
    items = [
        ExportTrack(1, "spotify:4uLU6hMCjMI75M1A2tKUQC", "A", "X"),
        ExportTrack(2, "file-1", "B", "Y", spotify_url="https://open.spotify.com/track/1301WleyT98MSxVHPZCA6M"),
        ExportTrack(3, "demo:c", "C", "Z"),
        ExportTrack(4, "spotify:4uLU6hMCjMI75M1A2tKUQC", "A again", "X"),
    ]  # fmt: skip
    assert spotify_uris(items) == [
        "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
        "spotify:track:1301WleyT98MSxVHPZCA6M",
    ]


def _settings(tmp_path: Path, **values: str) -> Any:
    return load_settings(secrets_path=tmp_path / "none.toml", home=str(tmp_path), **values)


def test_without_a_refresh_token_it_says_what_to_configure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SPOTIPY_CLIENT_ID", "SPOTIPY_REFRESH_TOKEN", "SPOTIPY_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    settings = _settings(tmp_path, spotify_client_id="my-client-id")
    assert not creation_configured(settings)
    with pytest.raises(ConfigError) as info:
        make_playlist_client(settings)
    assert str(info.value) == WHAT_TO_CONFIGURE
    assert "SPOTIPY_REFRESH_TOKEN" in WHAT_TO_CONFIGURE


def test_the_refresh_token_comes_from_secrets_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SPOTIPY_CLIENT_ID", "SPOTIPY_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f'SPOTIPY_CLIENT_ID = "my-client-id"\nSPOTIPY_REFRESH_TOKEN = "{SECRET}"\n',
        encoding="utf-8",
    )
    settings = load_settings(secrets_path=secrets, home=str(tmp_path))
    assert creation_configured(settings)
    assert SECRET not in repr(settings)


@responses.activate
def test_the_refresh_token_is_exchanged_then_the_playlist_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPOTIPY_CLIENT_SECRET", raising=False)
    responses.add(responses.POST, TOKEN_URL, json=load("spotify_token_refreshed.json"))
    add_create()
    add_items()
    settings = _settings(tmp_path, spotify_client_id="my-client-id", spotify_refresh_token=SECRET)
    client = make_playlist_client(settings)
    created = PlaylistWriter(client, sleep=lambda s: None).create("Rainy Sunday", tracks(2))
    assert created.added == 2
    form = dict(parse_qsl(str(responses.calls[0].request.body)))
    assert form == {
        "refresh_token": SECRET,
        "grant_type": "refresh_token",
        "client_id": "my-client-id",
    }
    assert responses.calls[1].request.headers["Authorization"] == "Bearer BQD-fresh-access-token"


@responses.activate
def test_a_revoked_refresh_token_is_a_config_error_without_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPOTIPY_CLIENT_SECRET", raising=False)
    responses.add(responses.POST, TOKEN_URL, json=load("spotify_token_revoked.json"), status=400)
    settings = _settings(tmp_path, spotify_client_id="my-client-id", spotify_refresh_token=SECRET)
    with pytest.raises(ConfigError, match="Refresh token revoked") as info:
        PlaylistWriter(make_playlist_client(settings)).create("Rainy Sunday", tracks(2))
    assert SECRET not in str(info.value)
    assert not any(c.request.url.startswith(API) for c in responses.calls)
