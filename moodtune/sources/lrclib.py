"""LRCLIB (https://lrclib.net) lyrics over httpx: no key, a User-Agent naming the app.

Owns: the `/api/get` exact lookup (track, artist, album, duration in seconds) and the
`/api/search` fallback, choosing a search hit only when it is the same song (lyrics.is_same_song)
and close in duration, marking instrumentals, retries with backoff on timeouts, 429 and 5xx,
and wrapping httpx errors in SourceError. Must not cache or rate-limit across calls (LyricsChain
does) and must not clean lyrics.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel
from tenacity import (
    wait_exponential_jitter,
)
from tenacity.wait import wait_base

from moodtune import __version__
from moodtune.errors import SourceError
from moodtune.sources.lyrics import LyricsResult, is_same_song, normalise_title, primary_artist
from moodtune.sources.retry import TransientError, parse_retry_after, transient_retrying

LRCLIB_URL = "https://lrclib.net"
# LRCLIB asks clients to identify themselves; add the public repository URL here once known.
PROJECT_URL = ""
USER_AGENT = f"MoodTune/{__version__}" + (f" (+{PROJECT_URL})" if PROJECT_URL else "")
NAME = "lrclib"
# LRCLIB's own /api/get matches durations within about 2 s; search hits may be other releases.
DURATION_TOLERANCE_S = 5
_TIMESTAMP = re.compile(r"^\s*(?:\[\d+:\d+(?:[.:]\d+)?\]\s*)+", re.MULTILINE)


class _Record(BaseModel):
    # LRCLIB's keys are camelCase: trackName, artistName, plainLyrics, ...
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True)

    id: int
    track_name: str = ""
    artist_name: str = ""
    album_name: str | None = None
    duration: float | None = None
    instrumental: bool = False
    plain_lyrics: str | None = None
    synced_lyrics: str | None = None


_RECORDS = TypeAdapter(list[_Record])


class LrclibClient:
    """Lyrics from LRCLIB through an injected httpx.Client (real, or with a MockTransport)."""

    name = NAME

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str = LRCLIB_URL,
        attempts: int = 3,
        wait: wait_base | None = None,
        sleep: Callable[[float], None] = time.sleep,
        duration_tolerance_s: float = DURATION_TOLERANCE_S,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._attempts = attempts
        self._backoff = wait if wait is not None else wait_exponential_jitter(initial=0.5, max=8)
        self._sleep = sleep
        self._tolerance = duration_tolerance_s

    def fetch_lyrics(
        self, title: str, artist: str, album: str = "", duration_ms: int | None = None
    ) -> LyricsResult | None:
        """Return LRCLIB's lyrics for a song, None when it has none that match."""
        track_name = normalise_title(title)
        artist_name = primary_artist(artist)
        seconds = round(duration_ms / 1000) if duration_ms else None
        if seconds:
            # /api/get needs a duration to pick the right release; without one, search.
            params: dict[str, str | int] = {
                "track_name": track_name,
                "artist_name": artist_name,
                "duration": seconds,
            }
            if album:
                params["album_name"] = album
            found = self._get("/api/get", params)
            if found is not None:
                record = self._parse_one(found)
                if is_same_song(title, artist, record.track_name, record.artist_name):
                    result = _to_result(record)
                    if result is not None:
                        return result
        found = self._get("/api/search", {"track_name": track_name, "artist_name": artist_name})
        records = self._parse_many(found) if found is not None else []
        return self._best(records, title, artist, seconds)

    def _best(
        self, records: list[_Record], title: str, artist: str, seconds: int | None
    ) -> LyricsResult | None:
        same = [r for r in records if is_same_song(title, artist, r.track_name, r.artist_name)]
        if seconds:
            timed = [r for r in same if r.duration is not None]
            if timed:
                same = [r for r in timed if abs((r.duration or 0.0) - seconds) <= self._tolerance]
                same.sort(key=lambda r: abs((r.duration or 0.0) - seconds))
        for record in same:
            result = _to_result(record)
            if result is not None:
                return result
        return None

    def _get(self, path: str, params: Mapping[str, str | int]) -> Any | None:
        """GET a JSON answer; None on 404 (and on 400, LRCLIB's answer to a query it rejects)."""
        retrying = transient_retrying(self._attempts, self._backoff, self._sleep)
        try:
            response = retrying(self._send, path, params)
        except TransientError as exc:
            raise SourceError(
                f"LRCLIB did not answer ({exc.reason}) after {self._attempts} tries."
            ) from exc
        if response.status_code in (400, 404):
            return None
        if response.status_code != 200:
            raise SourceError(f"LRCLIB answered with an error ({response.status_code}).")
        try:
            return response.json()
        except ValueError as exc:
            raise SourceError("LRCLIB sent an answer that is not JSON.") from exc

    def _send(self, path: str, params: Mapping[str, str | int]) -> httpx.Response:
        try:
            response = self._http.get(
                self._base_url + path, params=dict(params), headers={"User-Agent": USER_AGENT}
            )
        except httpx.TimeoutException as exc:
            raise TransientError("timed out") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"connection failed: {type(exc).__name__}") from exc
        if response.status_code == 429:
            raise TransientError(
                "rate limited (429)", parse_retry_after(response.headers.get("Retry-After"))
            )
        if response.status_code >= 500:
            raise TransientError(f"server error {response.status_code}")
        return response

    @staticmethod
    def _parse_one(data: Any) -> _Record:
        try:
            return _Record.model_validate(data)
        except ValidationError as exc:
            raise SourceError("LRCLIB sent an unexpected answer.") from exc

    @staticmethod
    def _parse_many(data: Any) -> list[_Record]:
        try:
            return _RECORDS.validate_python(data)
        except ValidationError as exc:
            raise SourceError("LRCLIB sent an unexpected search answer.") from exc


def make_lrclib_client(timeout_s: float = 10.0) -> LrclibClient:
    """Build an LrclibClient on a fresh httpx.Client with MoodTune's User-Agent."""
    http = httpx.Client(
        base_url=LRCLIB_URL,
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(timeout_s, connect=5.0),
        follow_redirects=True,
    )
    return LrclibClient(http)


def _to_result(record: _Record) -> LyricsResult | None:
    url = f"{LRCLIB_URL}/api/get/{record.id}"
    if record.instrumental:
        return LyricsResult("", NAME, instrumental=True, source_url=url)
    text = record.plain_lyrics or ""
    if not text.strip() and record.synced_lyrics:
        # Some records only have time-synced lines; the words are the same without stamps.
        text = _TIMESTAMP.sub("", record.synced_lyrics)
    if not text.strip():
        return None
    return LyricsResult(text, NAME, instrumental=False, source_url=url)
