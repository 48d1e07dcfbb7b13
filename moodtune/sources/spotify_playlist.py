"""A list of tracks written to Spotify as a private playlist of the authorised user, via spotipy.

Owns: whether playlist creation is configured (a client id and a refresh token with the
`playlist-modify-private` scope, from env vars or .streamlit/secrets.toml; never shown), the
sentence that says what to configure when it is not, the authorised client (the refresh token is
exchanged for an access token on first use), and the creation itself: `POST /me/playlists`
(private), then `POST /playlists/{id}/items` in chunks of 100 URIs. Only tracks that came from
Spotify can be added; the others are counted and left out.

Errors: 401 -> ConfigError (authorisation revoked or expired); 403 -> ConfigError (scope missing,
or the account is not a user of a development-mode app); 429 -> wait Retry-After and retry a few
times, then SourceError saying how far it got; timeouts are not retried, because a request that
timed out may still have created the playlist or added the tracks (a retry would duplicate
them). Must not fetch or analyse anything.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import spotipy
from pydantic import BaseModel, ConfigDict, ValidationError
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyOAuth, SpotifyOauthError, SpotifyPKCE

from moodtune.config import Settings
from moodtune.errors import ConfigError, InputError, SourceError
from moodtune.list_export import ExportTrack, spotify_id
from moodtune.sources.retry import parse_retry_after

MODIFY_SCOPE = "playlist-modify-private"
CHUNK = 100  # Spotify's limit of URIs per add-items request
MAX_RATE_LIMIT_RETRIES = 3
MAX_WAIT_S = 120.0
_DEFAULT_WAIT_S = 5.0
MAX_NAME = 100

T = TypeVar("T")

WHAT_TO_CONFIGURE = (
    "To create Spotify playlists, set SPOTIPY_CLIENT_ID (your Spotify app's client id) and "
    "SPOTIPY_REFRESH_TOKEN (a refresh token of your account granted the "
    f"{MODIFY_SCOPE} scope), as environment variables or in .streamlit/secrets.toml; "
    "SPOTIPY_CLIENT_SECRET too if your app is not a PKCE app."
)


@dataclass(frozen=True, slots=True)
class CreatedPlaylist:
    """The private playlist made on Spotify: its id and link, and what went in."""

    playlist_id: str
    name: str
    url: str
    added: int
    left_out: int  # tracks that are not Spotify tracks


def creation_configured(settings: Settings) -> bool:
    """Tell whether a client id and a refresh token are configured (nothing is checked online)."""
    token = settings.spotify_refresh_token
    return bool(settings.spotify_client_id) and token is not None and bool(token.get_secret_value())


def make_playlist_client(
    settings: Settings, session: requests.Session | None = None
) -> spotipy.Spotify:
    """A spotipy client authorised by the configured refresh token (PKCE, or with a secret)."""
    token = settings.spotify_refresh_token
    if not creation_configured(settings) or token is None or not settings.spotify_client_id:
        raise ConfigError(WHAT_TO_CONFIGURE)
    cache = MemoryCacheHandler(
        token_info={
            "access_token": "",
            "token_type": "Bearer",
            "refresh_token": token.get_secret_value(),
            "scope": MODIFY_SCOPE,
            "expires_at": 0,  # expired: the first call exchanges the refresh token
        }
    )
    auth: SpotifyOAuth | SpotifyPKCE
    if settings.spotify_client_secret is not None:
        auth = SpotifyOAuth(
            client_id=settings.spotify_client_id,
            client_secret=settings.spotify_client_secret.get_secret_value(),
            redirect_uri=settings.spotify_redirect_uri,
            scope=MODIFY_SCOPE,
            cache_handler=cache,
            open_browser=False,
            requests_session=session or True,
        )
    else:
        auth = SpotifyPKCE(
            client_id=settings.spotify_client_id,
            redirect_uri=settings.spotify_redirect_uri,
            scope=MODIFY_SCOPE,
            cache_handler=cache,
            open_browser=False,
            requests_session=session or True,
        )
    return spotipy.Spotify(
        auth_manager=auth,
        requests_session=session or True,
        requests_timeout=10,
        status_forcelist=(500, 502, 503, 504),
        retries=3,
        status_retries=3,
        backoff_factor=0.5,
    )


def spotify_uris(tracks: Sequence[ExportTrack]) -> list[str]:
    """`spotify:track:<id>` of every track that came from Spotify, in order, once each."""
    found = (spotify_id(t.track_id, t.spotify_url) for t in tracks)
    return list(dict.fromkeys(f"spotify:track:{sid}" for sid in found if sid))


class _Created(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    name: str = ""
    external_urls: dict[str, str] = {}


class PlaylistWriter:
    """Create private playlists through a spotipy client (real, or one over faked HTTP)."""

    def __init__(
        self,
        spotify: spotipy.Spotify,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_rate_limit_retries: int = MAX_RATE_LIMIT_RETRIES,
        max_wait_s: float = MAX_WAIT_S,
    ) -> None:
        self._spotify = spotify
        self._sleep = sleep
        self._max_retries = max_rate_limit_retries
        self._max_wait_s = max_wait_s

    def create(
        self, name: str, tracks: Sequence[ExportTrack], description: str = ""
    ) -> CreatedPlaylist:
        """Create a private playlist called `name` with the Spotify tracks among `tracks`."""
        title = " ".join(name.split())
        if not title:
            raise InputError("A Spotify playlist needs a name.")
        if len(title) > MAX_NAME:
            raise InputError(f"A Spotify playlist name can be at most {MAX_NAME} characters.")
        uris = spotify_uris(tracks)
        if not uris:
            raise InputError(
                "None of these tracks came from Spotify, so none can be added to a Spotify "
                "playlist: ingest a Spotify playlist to get Spotify tracks."
            )
        raw = self._call(
            "create the playlist",
            lambda: self._spotify.current_user_playlist_create(
                title, public=False, description=description[:300]
            ),
        )
        try:
            created = _Created.model_validate(raw)
        except ValidationError as exc:
            raise SourceError(
                "Spotify sent an unexpected answer when creating the playlist; check your "
                "playlists in Spotify before trying again."
            ) from exc
        url = created.external_urls.get("spotify", "")
        added = 0
        for start in range(0, len(uris), CHUNK):
            chunk = uris[start : start + CHUNK]
            try:
                self._call("add the tracks", functools.partial(self._add, created.id, chunk))
            except (SourceError, ConfigError) as exc:
                raise type(exc)(
                    f"{exc} The playlist “{title}” was created ({url or created.id}) with "
                    f"{added} of its {len(uris)} tracks."
                ) from exc
            added += len(chunk)
        return CreatedPlaylist(created.id, created.name or title, url, added, len(tracks) - added)

    def _add(self, playlist_id: str, uris: list[str]) -> Any:
        return self._spotify.playlist_add_items(playlist_id, uris)

    def _call(self, what: str, request: Callable[[], T]) -> T:
        waits = 0
        while True:
            try:
                return request()
            except spotipy.SpotifyException as exc:
                if exc.http_status != 429:
                    raise _mapped(exc, what) from exc
                wait = _retry_after(exc)
                waits += 1
                if waits > self._max_retries or wait > self._max_wait_s:
                    minutes = max(1, round(wait / 60))
                    raise SourceError(
                        f"Spotify is rate-limiting MoodTune and did not let it {what}; try again "
                        f"in about {minutes} minute(s)."
                    ) from exc
                self._sleep(wait)
            except SpotifyOauthError as exc:
                detail = exc.error_description or exc.error or "unknown error"
                raise ConfigError(
                    f"Spotify did not accept the refresh token ({detail}); create a new one "
                    f"with the {MODIFY_SCOPE} scope and set SPOTIPY_REFRESH_TOKEN."
                ) from exc
            except requests.exceptions.RequestException as exc:
                raise SourceError(
                    f"Could not reach Spotify to {what} ({type(exc).__name__}); it may have "
                    "gone through, so check your playlists in Spotify before trying again."
                ) from exc


def _retry_after(exc: spotipy.SpotifyException) -> float:
    headers: Any = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    after = parse_retry_after(str(value)) if value is not None else None
    return _DEFAULT_WAIT_S if after is None else after


def _mapped(exc: spotipy.SpotifyException, what: str) -> Exception:
    status = exc.http_status
    if status == 401:
        return ConfigError(
            f"Spotify rejected the authorisation (401) when trying to {what}: the refresh token "
            "may be revoked or expired. Create a new one and set SPOTIPY_REFRESH_TOKEN."
        )
    if status == 403:
        return ConfigError(
            f"Spotify refused to {what} (403): the authorisation lacks the {MODIFY_SCOPE} "
            "scope, or your account is not among the users of your development-mode Spotify "
            "app. Grant the scope (or add the user in the app's dashboard) and try again."
        )
    if status == 400:
        return InputError(f"Spotify did not accept the request to {what} (400).")
    return SourceError(f"Spotify answered with an error ({status}) when trying to {what}.")
