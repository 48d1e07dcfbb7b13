"""Spotify playlists read through spotipy, for track identity only.

Owns: parsing playlist links, the OAuth PKCE client (token cache under the MoodTune cache
directory, never in the repo), paging through a playlist's items, turning them into Tracks, and
mapping Spotify's errors to MoodTune's. Must not fetch lyrics or pass any Spotify metadata to
analysis: Spotify's developer terms forbid feeding Spotify content into ML models, so Tracks from
here carry ids, names, links and artwork only, and their lyrics come from LRCLIB or Genius.

Since February 2026, development-mode apps read playlist contents from
`GET /playlists/{id}/items` (each entry's track is under `item`; the older `track` key is still
accepted) and only for playlists the signed-in user owns or collaborates on. That needs user
authorisation (PKCE), not client credentials. Other people's playlists answer 403 and
Spotify-owned editorial playlists (ids starting 37i9) answer 404.

Error mapping: 401 -> ConfigError (sign in again / check the client id); 403 -> InputError,
because the link itself cannot be used and retrying will not help; 404 -> NotFoundError;
429 -> wait for Retry-After and retry a few times, then SourceError; timeouts and connection
errors -> retry with backoff, then SourceError.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import spotipy
from pydantic import BaseModel, ConfigDict, ValidationError
from spotipy.cache_handler import CacheFileHandler
from spotipy.oauth2 import SpotifyOauthError, SpotifyPKCE

from moodtune.config import Settings
from moodtune.errors import ConfigError, InputError, NotFoundError, SourceError
from moodtune.models import Playlist as LibraryPlaylist, Track
from moodtune.sources.retry import parse_retry_after

SCOPES = "playlist-read-private playlist-read-collaborative"
TRACK_ID_PREFIX = "spotify:"
EDITORIAL_PREFIX = "37i9"
# The documented maximum page size of GET /playlists/{id}/items (spotipy's default too).
PAGE_SIZE = 50
PLAYLIST_FIELDS = "id,name,owner(id,display_name),external_urls,snapshot_id"
_TRANSIENT_ATTEMPTS = 4
_MAX_RETRY_AFTER_S = 120.0
_DEFAULT_RETRY_AFTER_S = 5.0

_ID = r"[0-9A-Za-z]{22}"
_URL_RE = re.compile(
    r"^(?:https?://)?open\.spotify\.com/(?:intl-[a-z]{2}(?:-[A-Za-z]{2})?/)?"
    r"(?:user/[^/]+/)?(?P<kind>[a-z]+)/(?P<id>[0-9A-Za-z]+)/?(?:[?#].*)?$"
)
_URI_RE = re.compile(r"^spotify:(?:user:[^:]+:)?(?P<kind>[a-z]+):(?P<id>[0-9A-Za-z]+)$")
_BARE_RE = re.compile(rf"^{_ID}$")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Playlist:
    """A playlist's identity and its usable tracks; `skipped` says what was left out and why."""

    id: str
    name: str
    owner: str
    tracks: tuple[Track, ...]
    skipped: tuple[str, ...] = ()
    url: str = ""
    snapshot_id: str = ""  # Spotify's version of the playlist's contents


def parse_playlist_id(text: str) -> str:
    """Return the playlist id in a link, URI or bare id; InputError for anything else."""
    value = text.strip()
    if not value:
        raise InputError(
            "Paste a Spotify playlist link, for example https://open.spotify.com/playlist/<id>."
        )
    match = _URL_RE.match(value) or _URI_RE.match(value)
    if match:
        kind, playlist_id = match.group("kind"), match.group("id")
        if kind != "playlist":
            raise InputError(f"That is a Spotify {kind} link; paste a playlist link instead.")
        if not _BARE_RE.match(playlist_id):
            raise InputError(
                f"{playlist_id!r} is not a valid Spotify playlist id (22 letters and digits)."
            )
        return playlist_id
    if _BARE_RE.match(value):
        return value
    if "spotify.link/" in value or "spotify.app.link/" in value:
        raise InputError(
            "Short spotify.link addresses cannot be read; open it and copy the full "
            "open.spotify.com/playlist/... link."
        )
    raise InputError(
        f"{value[:80]!r} is not a Spotify playlist link, spotify:playlist: URI or playlist id."
    )


def make_spotify_auth(settings: Settings) -> SpotifyPKCE:
    """Build the PKCE sign-in manager; its token cache lives under settings.cache_path."""
    if not settings.spotify_client_id:
        raise ConfigError(
            "Spotify is not configured: set SPOTIPY_CLIENT_ID to your app's client id and "
            "SPOTIPY_REDIRECT_URI to a redirect URI registered in the app's settings."
        )
    if not settings.spotify_redirect_uri:
        raise ConfigError(
            "SPOTIPY_REDIRECT_URI is empty: set it to a redirect URI registered in your "
            "Spotify app, such as http://127.0.0.1:8888/callback."
        )
    cache_dir = settings.cache_path / "spotify"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"Cannot create the Spotify token cache folder {cache_dir}: {exc}."
        ) from exc
    return SpotifyPKCE(
        client_id=settings.spotify_client_id,
        redirect_uri=settings.spotify_redirect_uri,
        scope=SCOPES,
        cache_handler=CacheFileHandler(cache_path=str(cache_dir / "token.json")),
        open_browser=False,
    )


def make_spotify_client(settings: Settings, auth: SpotifyPKCE | None = None) -> spotipy.Spotify:
    """Build a user-authorised spotipy client (PKCE; no client secret needed)."""
    return spotipy.Spotify(
        auth_manager=auth if auth is not None else make_spotify_auth(settings),
        requests_timeout=10,
        # urllib3 retries only server errors; 429 is left to us so Retry-After is honoured
        # and the user hears about long waits instead of a silent hang.
        status_forcelist=(500, 502, 503, 504),
        retries=3,
        status_retries=3,
        backoff_factor=0.5,
    )


def has_spotify_token(auth: SpotifyPKCE) -> bool:
    """Tell whether a sign-in token is cached (without refreshing it over the network)."""
    return auth.cache_handler.get_cached_token() is not None


def spotify_login_url(auth: SpotifyPKCE) -> str:
    """Return the Spotify page where the user approves MoodTune (for UIs that cannot prompt)."""
    return str(auth.get_authorize_url())


def complete_spotify_login(auth: SpotifyPKCE, redirected_url: str) -> None:
    """Exchange the URL Spotify redirected to for a token and cache it."""
    if not redirected_url.strip():
        raise InputError(
            "Paste the address Spotify sent you to after you agreed (it starts with the "
            "redirect URI and holds ?code=...), then finish signing in."
        )
    try:
        code = auth.parse_response_code(redirected_url.strip())
        if not code or code == redirected_url.strip():
            raise InputError(
                "That URL has no ?code=...; paste the full address Spotify redirected to."
            )
        auth.get_access_token(code=code, check_cache=False)
    except SpotifyOauthError as exc:
        raise ConfigError(_oauth_message(exc)) from exc
    except requests.exceptions.RequestException as exc:
        raise SourceError("Could not reach Spotify to finish signing in; try again.") from exc


class SpotifyPlaylistSource:
    """Read playlists through a spotipy client (real, or one with a faked HTTP session)."""

    def __init__(
        self,
        spotify: spotipy.Spotify,
        *,
        page_size: int = PAGE_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        max_rate_limit_retries: int = 3,
        max_wait_s: float = _MAX_RETRY_AFTER_S,
    ) -> None:
        self._spotify = spotify
        self._page_size = page_size
        self._sleep = sleep
        self._max_rate_limit_retries = max_rate_limit_retries
        self._max_wait_s = max_wait_s

    def fetch_playlist(self, link: str) -> Playlist:
        """Read a playlist's name and all its items; skip local files, episodes and gaps."""
        playlist_id = parse_playlist_id(link)
        meta = self._parse(
            _PlaylistMeta,
            self._call(
                playlist_id, lambda: self._spotify.playlist(playlist_id, fields=PLAYLIST_FIELDS)
            ),
            playlist_id,
        )
        tracks: list[Track] = []
        skipped: list[str] = []
        seen: set[str] = set()
        position = 0
        page_data: Any = self._call(
            playlist_id,
            lambda: self._spotify.playlist_items(
                playlist_id, limit=self._page_size, offset=0, additional_types=("track",)
            ),
        )
        while page_data is not None:
            page = self._parse(_Page, page_data, playlist_id)
            for entry in page.items:
                position += 1
                track, reason = _entry_to_track(entry, position)
                if track is None:
                    skipped.append(reason)
                elif track.track_id in seen:
                    skipped.append(f"#{position}: '{track.title}' appears again (kept once)")
                else:
                    seen.add(track.track_id)
                    tracks.append(track)
            if not page.next:
                break
            page_data = self._call(playlist_id, functools.partial(self._spotify.next, page_data))
        owner = meta.owner.display_name or meta.owner.id if meta.owner else ""
        return Playlist(
            id=meta.id or playlist_id,
            name=meta.name,
            owner=owner or "",
            tracks=tuple(tracks),
            skipped=tuple(skipped),
            url=meta.external_urls.spotify if meta.external_urls else "",
            snapshot_id=meta.snapshot_id,
        )

    def _call(self, playlist_id: str, request: Callable[[], T]) -> T:
        rate_limited = 0
        transient = 0
        while True:
            try:
                return request()
            except spotipy.SpotifyException as exc:
                if exc.http_status != 429:
                    raise _map_spotify_error(exc, playlist_id) from exc
                wait = _retry_after(exc)
                if wait is None:
                    # spotipy turns urllib3's exhausted server-error retries into a bare 429.
                    raise SourceError(
                        "Spotify kept failing after several retries; try again in a few minutes."
                    ) from exc
                rate_limited += 1
                if rate_limited > self._max_rate_limit_retries or wait > self._max_wait_s:
                    minutes = max(1, round(wait / 60))
                    raise SourceError(
                        "Spotify is rate-limiting MoodTune; try again in about "
                        f"{minutes} minute(s)."
                    ) from exc
                self._sleep(wait)
            except SpotifyOauthError as exc:
                raise ConfigError(_oauth_message(exc)) from exc
            except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
                transient += 1
                if transient >= _TRANSIENT_ATTEMPTS:
                    raise SourceError(
                        "Could not reach Spotify (timed out or connection failed); "
                        "check the network and try again."
                    ) from exc
                self._sleep(min(8.0, 0.5 * 2 ** (transient - 1)))
            except requests.exceptions.RequestException as exc:
                raise SourceError(f"The request to Spotify failed ({type(exc).__name__}).") from exc

    @staticmethod
    def _parse(model: type[_M], data: Any, playlist_id: str) -> _M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise SourceError(
                f"Spotify sent an unexpected answer for playlist {playlist_id}; try again later."
            ) from exc


def _retry_after(exc: spotipy.SpotifyException) -> float | None:
    headers = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is None:
        return None if "Max Retries" in str(exc.msg) else _DEFAULT_RETRY_AFTER_S
    after = parse_retry_after(str(value))
    return _DEFAULT_RETRY_AFTER_S if after is None else after


def _map_spotify_error(exc: spotipy.SpotifyException, playlist_id: str) -> Exception:
    status = exc.http_status
    if status == 401:
        return ConfigError(
            "Spotify rejected the sign-in (401): sign in to Spotify again, and check that "
            "SPOTIPY_CLIENT_ID belongs to your app."
        )
    if status == 403:
        return InputError(
            f"Spotify refused access to playlist {playlist_id} (403): apps can only read "
            "playlists you own or collaborate on. Copy its songs into a playlist of your own, "
            "or export them to a CSV file."
        )
    if status == 404:
        if playlist_id.startswith(EDITORIAL_PREFIX):
            return NotFoundError(
                f"Playlist {playlist_id} is a Spotify-owned editorial or algorithmic playlist "
                "(ids starting 37i9), which Spotify no longer lets apps read (404). Save its "
                "songs to a playlist of your own and use that link."
            )
        return NotFoundError(
            f"Playlist {playlist_id} was not found (404): it may be deleted or private, or a "
            "Spotify-owned editorial playlist (ids starting 37i9), which apps cannot read."
        )
    if status == 400:
        return InputError(f"Spotify did not accept playlist id {playlist_id} (400).")
    return SourceError(f"Spotify answered with an error ({status}); try again later.")


def _oauth_message(exc: SpotifyOauthError) -> str:
    if exc.error == "access_denied":
        # The listener pressed Cancel on Spotify's page: nothing is misconfigured.
        return (
            "Spotify says the sign-in was not approved (access_denied): open the sign-in link "
            "again and choose Agree to let MoodTune read your playlists."
        )
    detail = exc.error_description or exc.error or "unknown error"
    return (
        f"Spotify sign-in failed ({detail}); check SPOTIPY_CLIENT_ID and SPOTIPY_REDIRECT_URI "
        "and sign in again."
    )


def _entry_to_track(entry: _Entry | None, position: int) -> tuple[Track | None, str]:
    """Turn one playlist entry into a Track, or None with the reason it was skipped."""
    if entry is None:
        return None, f"#{position}: empty entry"
    obj = entry.item if entry.item is not None else entry.track
    if obj is None:
        return None, f"#{position}: unavailable track (removed from Spotify)"
    name = str(obj.get("name") or "untitled")
    kind = obj.get("type", "track")
    if entry.is_local or obj.get("is_local"):
        return None, f"#{position}: local file '{name}' is not on Spotify"
    if kind == "episode":
        return None, f"#{position}: podcast episode '{name}'"
    if kind != "track":
        return None, f"#{position}: '{name}' is a {kind}, not a song"
    try:
        raw = _Track.model_validate(obj)
    except ValidationError:
        return None, f"#{position}: '{name}' has incomplete details"
    if not raw.id or not raw.name or not raw.artists:
        return None, f"#{position}: '{name}' has incomplete details"
    album = raw.album
    return (
        Track(
            track_id=TRACK_ID_PREFIX + raw.id,
            title=raw.name,
            artist=", ".join(a.name for a in raw.artists if a.name),
            album=album.name if album else "",
            year=_year(album.release_date if album else None),
            url=raw.external_urls.spotify if raw.external_urls else "",
            artwork_url=_artwork(album.images if album else []),
            duration_ms=raw.duration_ms,
            source="spotify",
        ),
        "",
    )


def _year(release_date: str | None) -> int | None:
    # release_date is "YYYY", "YYYY-MM" or "YYYY-MM-DD"; very old releases can say "0000".
    if not release_date or not release_date[:4].isdigit():
        return None
    year = int(release_date[:4])
    return year if year > 0 else None


def _artwork(images: list[_Image]) -> str:
    # Spotify lists images largest first (640, 300, 64): a card needs the middle one.
    for image in images:
        if image.width is not None and image.width <= 320:
            return image.url
    return images[0].url if images else ""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


_M = TypeVar("_M", bound=_Model)


class _Urls(_Model):
    spotify: str = ""


class _Owner(_Model):
    id: str = ""
    display_name: str | None = None


class _PlaylistMeta(_Model):
    id: str = ""
    name: str = ""
    owner: _Owner | None = None
    external_urls: _Urls | None = None
    snapshot_id: str = ""


class _Image(_Model):
    url: str
    width: int | None = None
    height: int | None = None


class _Artist(_Model):
    name: str = ""


class _Album(_Model):
    name: str = ""
    release_date: str | None = None
    images: list[_Image] = []


class _Track(_Model):
    id: str | None = None
    name: str = ""
    artists: list[_Artist] = []
    album: _Album | None = None
    duration_ms: int | None = None
    external_urls: _Urls | None = None


class _Entry(_Model):
    is_local: bool = False
    item: dict[str, Any] | None = None
    track: dict[str, Any] | None = None


class _Page(_Model):
    items: list[_Entry | None]
    next: str | None = None
    total: int | None = None


def spotify_playlist(playlist: Playlist) -> LibraryPlaylist:
    """The membership a Spotify playlist declares: its usable tracks in order, with its owner
    and snapshot id (Spotify's version of its contents)."""
    return LibraryPlaylist(
        f"spotify:{playlist.id}",
        playlist.name,
        "spotify",
        tuple(dict.fromkeys(t.track_id for t in playlist.tracks)),
        owner=playlist.owner,
        snapshot_id=playlist.snapshot_id,
    )
