from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
import spotipy
from responses import matchers

from moodtune.config import Settings
from moodtune.errors import ConfigError, InputError, NotFoundError, SourceError
from moodtune.sources.spotify import (
    SpotifyPlaylistSource,
    complete_spotify_login,
    has_spotify_token,
    make_spotify_auth,
    make_spotify_client,
    parse_playlist_id,
)

DATA = Path(__file__).resolve().parents[1] / "data"
API = "https://api.spotify.com/v1"
PID = "3cEYpjA9oz9GiPac4AsH4n"
EDITORIAL = "37i9dQZF1DXcBWIGoYBM5M"
LINK = f"https://open.spotify.com/playlist/{PID}?si=2b7c9f1e0a3d4c55"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def query(url: str | None) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(str(url)).query))


def items_url(playlist_id: str = PID) -> str:
    return f"{API}/playlists/{playlist_id}/items"


def make_source(sleeps: list[float] | None = None, page_size: int = 100) -> SpotifyPlaylistSource:
    # A plain Session has no urllib3 retry adapter, so every status reaches our code.
    client = spotipy.Spotify(
        auth="fake-token", requests_session=requests.Session(), retries=0, status_retries=0
    )
    record = sleeps if sleeps is not None else []
    return SpotifyPlaylistSource(client, page_size=page_size, sleep=record.append)


def big_pages(total: int, page_size: int) -> list[dict[str, Any]]:
    template = load("spotify_track.json")
    pages = []
    for offset in range(0, total, page_size):
        entries = []
        for i in range(offset, min(total, offset + page_size)):
            track = copy.deepcopy(template)
            track["id"] = f"trk{i:019d}"
            track["name"] = f"Song {i}"
            track["external_urls"]["spotify"] = f"https://open.spotify.com/track/trk{i:019d}"
            # During Spotify's deprecation window both keys carry the same object.
            entries.append(
                {
                    "added_at": "2025-01-01T00:00:00Z",
                    "is_local": False,
                    "item": track,
                    "track": track,
                }
            )
        nxt = offset + page_size
        pages.append(
            {
                "href": f"{items_url()}?offset={offset}&limit={page_size}&additional_types=track",
                "items": entries,
                "limit": page_size,
                "next": (
                    f"{items_url()}?offset={nxt}&limit={page_size}&additional_types=track"
                    if nxt < total
                    else None
                ),
                "offset": offset,
                "previous": None,
                "total": total,
            }
        )
    return pages


def add_meta(playlist_id: str = PID, status: int = 200, body: Any = None) -> None:
    responses.add(
        responses.GET,
        f"{API}/playlists/{playlist_id}",
        json=body if body is not None else load("spotify_playlist.json"),
        status=status,
    )


@responses.activate
def test_250_track_playlist_is_read_over_three_pages() -> None:
    add_meta()
    for page in big_pages(250, 100):
        responses.add(
            responses.GET,
            items_url(),
            json=page,
            match=[
                matchers.query_param_matcher({"offset": str(page["offset"])}, strict_match=False)
            ],
        )
    playlist = make_source().fetch_playlist(LINK)

    assert playlist.id == PID
    assert playlist.name == "Rainy Sunday"
    assert playlist.owner == "Ada Listener"
    assert playlist.url == f"https://open.spotify.com/playlist/{PID}"
    assert len(playlist.tracks) == 250
    assert playlist.skipped == ()
    assert len({t.track_id for t in playlist.tracks}) == 250
    assert playlist.tracks[0].track_id == "spotify:trk0000000000000000000"
    assert playlist.tracks[-1].title == "Song 249"

    item_calls = [c for c in responses.calls if "/items" in str(c.request.url)]
    assert len(item_calls) == 3
    first = item_calls[0].request
    assert query(first.url) == {"limit": "100", "offset": "0", "additional_types": "track"}
    assert first.headers["Authorization"] == "Bearer fake-token"
    meta_query = query(responses.calls[0].request.url)
    assert meta_query["fields"] == "id,name,owner(id,display_name),external_urls,snapshot_id"


@responses.activate
def test_track_fields_and_skips() -> None:
    add_meta()
    responses.add(responses.GET, items_url(), json=load("spotify_items_mixed.json"))
    playlist = make_source().fetch_playlist(f"spotify:playlist:{PID}")

    assert [t.title for t in playlist.tracks] == [
        "Wake Me Up - Radio Edit",
        "Let It Be - Remastered 2009",
    ]
    wake = playlist.tracks[0]
    assert wake.track_id == "spotify:0nrRP2bk19rLc0orkWPQk2"
    assert wake.artist == "Avicii, Aloe Blacc"
    assert wake.album == "Wake Me Up"
    assert wake.year == 2013
    assert wake.duration_ms == 247426
    assert wake.url == "https://open.spotify.com/track/0nrRP2bk19rLc0orkWPQk2"
    assert wake.artwork_url.startswith("https://i.scdn.co/image/ab67616d00001e02")  # the 300 px one
    assert wake.source == "spotify"
    assert wake.lyrics == ""  # lyrics never come from Spotify
    # The old `track` key still works, and a single large image is used when that is all.
    let_it_be = playlist.tracks[1]
    assert let_it_be.year == 1970
    assert let_it_be.artwork_url.startswith("https://i.scdn.co/image/ab67616d0000b273")

    assert len(playlist.skipped) == 3
    assert "#2: podcast episode 'Winter Songs, Ep. 12'" in playlist.skipped
    assert "#3: local file 'Basement Demo' is not on Spotify" in playlist.skipped
    assert "#4: unavailable track (removed from Spotify)" in playlist.skipped


@responses.activate
def test_repeated_track_is_kept_once() -> None:
    add_meta()
    page = big_pages(2, 50)[0]
    page["items"].append(copy.deepcopy(page["items"][0]))
    page["total"] = 3
    responses.add(responses.GET, items_url(), json=page)
    playlist = make_source().fetch_playlist(PID)
    assert len(playlist.tracks) == 2
    assert playlist.skipped == ("#3: 'Song 0' appears again (kept once)",)


@responses.activate
def test_401_is_a_config_error_about_signing_in() -> None:
    add_meta(status=401, body=load("spotify_error_401.json"))
    with pytest.raises(ConfigError, match="sign in to Spotify again") as info:
        make_source().fetch_playlist(LINK)
    assert "SPOTIPY_CLIENT_ID" in str(info.value)


@responses.activate
def test_403_means_not_your_playlist() -> None:
    add_meta()  # since 2026, metadata of others' playlists still answers; the items do not
    responses.add(responses.GET, items_url(), json=load("spotify_error_403.json"), status=403)
    with pytest.raises(InputError, match="own or collaborate on"):
        make_source().fetch_playlist(LINK)


@responses.activate
def test_404_on_an_editorial_playlist_explains_37i9() -> None:
    add_meta(EDITORIAL, status=404, body=load("spotify_error_404.json"))
    with pytest.raises(NotFoundError, match="37i9") as info:
        make_source().fetch_playlist(f"https://open.spotify.com/playlist/{EDITORIAL}")
    assert "editorial" in str(info.value)


@responses.activate
def test_404_on_other_playlists_mentions_deleted() -> None:
    add_meta(status=404, body=load("spotify_error_404.json"))
    with pytest.raises(NotFoundError, match="deleted"):
        make_source().fetch_playlist(PID)


@responses.activate
def test_429_waits_for_retry_after_then_succeeds() -> None:
    add_meta()
    responses.add(
        responses.GET,
        items_url(),
        json=load("spotify_error_429.json"),
        status=429,
        headers={"Retry-After": "7"},
    )
    responses.add(responses.GET, items_url(), json=load("spotify_items_mixed.json"))
    sleeps: list[float] = []
    playlist = make_source(sleeps).fetch_playlist(LINK)
    assert sleeps == [7.0]
    assert len(playlist.tracks) == 2


@responses.activate
def test_429_that_never_ends_is_a_source_error() -> None:
    add_meta()
    responses.add(
        responses.GET,
        items_url(),
        json=load("spotify_error_429.json"),
        status=429,
        headers={"Retry-After": "2"},
    )
    sleeps: list[float] = []
    with pytest.raises(SourceError, match="rate-limiting") as info:
        make_source(sleeps).fetch_playlist(LINK)
    assert sleeps == [2.0, 2.0, 2.0]
    assert info.value.exit_code == 3


@responses.activate
def test_429_with_a_long_wait_gives_up_at_once() -> None:
    responses.add(
        responses.GET,
        f"{API}/playlists/{PID}",
        json=load("spotify_error_429.json"),
        status=429,
        headers={"Retry-After": "3600"},
    )
    sleeps: list[float] = []
    with pytest.raises(SourceError, match="about 60 minute"):
        make_source(sleeps).fetch_playlist(LINK)
    assert sleeps == []


@responses.activate
def test_timeouts_are_retried_with_backoff() -> None:
    add_meta()
    responses.add(responses.GET, items_url(), body=requests.exceptions.ConnectTimeout("slow"))
    responses.add(responses.GET, items_url(), body=requests.exceptions.ReadTimeout("slow"))
    responses.add(responses.GET, items_url(), json=load("spotify_items_mixed.json"))
    sleeps: list[float] = []
    playlist = make_source(sleeps).fetch_playlist(LINK)
    assert len(playlist.tracks) == 2
    assert sleeps == [0.5, 1.0]


@responses.activate
def test_persistent_timeouts_are_a_source_error() -> None:
    responses.add(
        responses.GET, f"{API}/playlists/{PID}", body=requests.exceptions.ConnectTimeout("slow")
    )
    sleeps: list[float] = []
    with pytest.raises(SourceError, match="Could not reach Spotify"):
        make_source(sleeps).fetch_playlist(LINK)
    assert len(sleeps) == 3


@responses.activate
def test_server_error_is_a_source_error() -> None:
    add_meta(status=502, body={"error": {"status": 502, "message": "Bad gateway."}})
    with pytest.raises(SourceError, match="502"):
        make_source().fetch_playlist(LINK)


@responses.activate
def test_unexpected_payload_is_a_source_error() -> None:
    add_meta()
    responses.add(responses.GET, items_url(), json={"items": "not a list"})
    with pytest.raises(SourceError, match="unexpected answer"):
        make_source().fetch_playlist(LINK)


@pytest.mark.parametrize(
    "text",
    [
        LINK,
        f"https://open.spotify.com/playlist/{PID}",
        f"open.spotify.com/playlist/{PID}/",
        f"https://open.spotify.com/intl-de/playlist/{PID}?si=abc&pt=x",
        f"https://open.spotify.com/user/ada.listener/playlist/{PID}",
        f"spotify:playlist:{PID}",
        f"spotify:user:ada.listener:playlist:{PID}",
        f"  {PID}\n",
    ],
)
def test_parse_playlist_id_accepts_links_uris_and_ids(text: str) -> None:
    assert parse_playlist_id(text) == PID


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://open.spotify.com/album/5MSQS6Nq1lI6QwzW6SXp3c", "album link"),
        ("spotify:track:6FYAR9uWRRXUHfwlKW3pE0", "track link"),
        ("https://spotify.link/AbCdEf12345", "spotify.link"),
        ("https://www.youtube.com/playlist?list=PL123", "not a Spotify playlist"),
        ("rainy sunday", "not a Spotify playlist"),
        ("https://open.spotify.com/playlist/short", "not a valid Spotify playlist id"),
        ("", "Paste a Spotify playlist link"),
    ],
)
def test_parse_playlist_id_rejects_everything_else(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        parse_playlist_id(text)


def _settings(tmp_path: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "home": str(tmp_path / "home"),
        "cache_dir": str(tmp_path / "cache"),
        "spotify_client_id": None,
    }
    base.update(values)
    return Settings.model_validate(base)


def test_make_spotify_client_needs_a_client_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SPOTIPY_CLIENT_ID") as info:
        make_spotify_client(_settings(tmp_path))
    assert "SPOTIPY_REDIRECT_URI" in str(info.value)


def test_make_spotify_client_uses_pkce_and_a_cache_outside_the_repo(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, spotify_client_id="abc123", spotify_redirect_uri="http://127.0.0.1:9000/cb"
    )
    auth = make_spotify_auth(settings)
    assert isinstance(auth, spotipy.SpotifyPKCE)
    assert auth.open_browser is False
    assert auth.redirect_uri == "http://127.0.0.1:9000/cb"
    assert "playlist-read-private" in auth.scope
    assert auth.cache_handler.cache_path == str(tmp_path / "cache" / "spotify" / "token.json")
    assert not has_spotify_token(auth)
    client = make_spotify_client(settings, auth)
    assert client.auth_manager is auth
    assert 429 not in client.status_forcelist


def test_finishing_sign_in_with_nothing_pasted_asks_for_the_address(tmp_path: Path) -> None:
    auth = make_spotify_auth(
        _settings(tmp_path, spotify_client_id="abc", spotify_redirect_uri="http://127.0.0.1:9/cb")
    )
    with pytest.raises(InputError, match="Paste the address Spotify sent you to"):
        complete_spotify_login(auth, "   ")


def test_a_cancelled_sign_in_says_so_not_to_check_the_settings(tmp_path: Path) -> None:
    auth = make_spotify_auth(
        _settings(tmp_path, spotify_client_id="abc", spotify_redirect_uri="http://127.0.0.1:9/cb")
    )
    with pytest.raises(ConfigError) as caught:
        complete_spotify_login(auth, "http://127.0.0.1:9/cb?error=access_denied&state=x")
    assert "not approved (access_denied)" in str(caught.value)
    assert "SPOTIPY_CLIENT_ID" not in str(caught.value)
