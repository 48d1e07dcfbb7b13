"""Genius lyrics through lyricsgenius: API search, then the song page scraped for its lyrics.

Owns: searching api.genius.com by normalised title and primary artist, choosing a hit only when
it is the same song (lyrics.is_same_song), marking Genius's instrumental flag, scraping the song
page with lyricsgenius, retries with backoff on timeouts, 429 and 5xx (tenacity), and turning
HTTP failures into MoodTune errors. Must not cache or rate-limit across calls (LyricsChain does)
and must not clean lyrics (section headers stay; text.py removes them).

lyricsgenius defaults to a 5 s timeout, no retries, and never checks HTTP statuses, so a
Cloudflare 403 page (common from servers) would read as "no lyrics". A response hook on its
requests session raises on 4xx/5xx so that 403 becomes SourceError("Genius blocked the
request (403)...") and retries see 429/5xx.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import lyricsgenius
import requests
from pydantic import BaseModel, ConfigDict, ValidationError
from tenacity import (
    wait_exponential_jitter,
)
from tenacity.wait import wait_base

from moodtune import __version__
from moodtune.errors import ConfigError, SourceError
from moodtune.sources.lyrics import LyricsResult, is_same_song, normalise_title, primary_artist
from moodtune.sources.retry import TransientError, parse_retry_after, transient_retrying

NAME = "genius"
SEARCH_RESULTS = 5
T = TypeVar("T")


class _HTTPStatusError(Exception):
    """Raised by the session hook for a 4xx/5xx answer, before lyricsgenius can swallow it."""

    def __init__(self, status: int, url: str, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status} for {url}")
        self.status = status
        self.url = url
        self.retry_after = retry_after


class _Artist(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = ""


class _Song(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    title: str
    url: str
    primary_artist: _Artist = _Artist()
    artist_names: str = ""
    lyrics_state: str = "complete"
    instrumental: bool = False


class _Hit(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str = "song"
    result: dict[str, Any]


class _Search(BaseModel):
    model_config = ConfigDict(extra="ignore")
    hits: list[_Hit] = []


def _raise_for_status(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    if response.status_code >= 400:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise _HTTPStatusError(response.status_code, response.url, retry_after)


class GeniusProvider:
    """Lyrics from Genius through a lyricsgenius.Genius client (real, or on a faked session)."""

    name = NAME

    def __init__(
        self,
        genius: lyricsgenius.Genius,
        *,
        attempts: int = 3,
        wait: wait_base | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._genius = genius
        self._attempts = attempts
        self._backoff = wait if wait is not None else wait_exponential_jitter(initial=1, max=10)
        self._sleep = sleep
        hooks = genius._session.hooks["response"]
        if _raise_for_status not in hooks:
            hooks.append(_raise_for_status)

    def fetch_lyrics(
        self, title: str, artist: str, album: str = "", duration_ms: int | None = None
    ) -> LyricsResult | None:
        """Return Genius's lyrics for a song, None when no search hit is the same song."""
        query = f"{normalise_title(title)} {primary_artist(artist)}".strip()
        data = self._call(lambda: self._genius.search_songs(query, per_page=SEARCH_RESULTS))
        song = self._pick(data, title, artist)
        if song is None:
            return None
        if song.instrumental:
            return LyricsResult("", NAME, instrumental=True, source_url=song.url)
        if song.lyrics_state != "complete":
            return None  # unreleased, or a page still being transcribed
        text = self._call(lambda: self._genius.lyrics(song_url=song.url), missing_ok=True)
        if not text or not text.strip():
            return None
        return LyricsResult(text, NAME, instrumental=False, source_url=song.url)

    @staticmethod
    def _pick(data: Any, title: str, artist: str) -> _Song | None:
        try:
            search = _Search.model_validate(data)
        except ValidationError as exc:
            raise SourceError("Genius sent an unexpected search answer.") from exc
        for hit in search.hits:
            if hit.type != "song":
                continue
            try:
                song = _Song.model_validate(hit.result)
            except ValidationError:
                continue  # one odd hit should not hide the others
            names = song.artist_names or song.primary_artist.name
            if is_same_song(title, artist, song.title, names) or is_same_song(
                title, artist, song.title, song.primary_artist.name
            ):
                return song
        return None

    def _call(self, request: Callable[[], T], missing_ok: bool = False) -> T | None:
        retrying = transient_retrying(self._attempts, self._backoff, self._sleep)
        try:
            result: T = retrying(self._once, request)
        except TransientError as exc:
            raise SourceError(
                f"Genius did not answer ({exc.reason}) after {self._attempts} tries."
            ) from exc
        except _HTTPStatusError as exc:
            if exc.status == 404 and missing_ok:
                return None
            if exc.status == 401:
                raise ConfigError(
                    "Genius rejected the access token (401): check GENIUS_ACCESS_TOKEN."
                ) from exc
            if exc.status == 403:
                raise SourceError(
                    "Genius blocked the request (403); it often refuses servers and cloud "
                    "machines, so use LRCLIB or run MoodTune from your own computer."
                ) from exc
            raise SourceError(f"Genius answered with an error ({exc.status}).") from exc
        return result

    @staticmethod
    def _once(request: Callable[[], T]) -> T:
        try:
            return request()
        except _HTTPStatusError as exc:
            if exc.status == 429:
                raise TransientError("rate limited (429)", exc.retry_after) from exc
            if exc.status >= 500:
                raise TransientError(f"server error {exc.status}") from exc
            raise
        except requests.exceptions.Timeout as exc:
            raise TransientError("timed out") from exc
        except requests.exceptions.ConnectionError as exc:
            raise TransientError("connection failed") from exc


def make_genius_provider(access_token: str, timeout_s: int = 10) -> GeniusProvider:
    """Build a GeniusProvider; retries and pacing are ours, so lyricsgenius does neither."""
    genius = lyricsgenius.Genius(
        access_token,
        timeout=timeout_s,
        sleep_time=0,
        retries=0,
        remove_section_headers=False,
        skip_non_songs=True,
        user_agent=f"MoodTune/{__version__}",
    )
    return GeniusProvider(genius)
