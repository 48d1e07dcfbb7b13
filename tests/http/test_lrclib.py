from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tenacity import wait_fixed

from moodtune.errors import SourceError
from moodtune.sources.lrclib import USER_AGENT, LrclibClient

DATA = Path(__file__).resolve().parents[1] / "data"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


Handler = Callable[[httpx.Request], httpx.Response]


class FakeLrclib:
    """Route /api/get and /api/search to canned answers and keep every request."""

    def __init__(self, get: Handler | None = None, search: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._get = get or (lambda r: httpx.Response(404, json=load("lrclib_not_found.json")))
        self._search = search or (lambda r: httpx.Response(200, json=[]))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api/get":
            return self._get(request)
        if request.url.path == "/api/search":
            return self._search(request)
        return httpx.Response(404, json={"code": 404})

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def client(fake: FakeLrclib, sleeps: list[float] | None = None) -> LrclibClient:
    http = httpx.Client(transport=httpx.MockTransport(fake))
    record = sleeps if sleeps is not None else []
    return LrclibClient(http, wait=wait_fixed(0.5), sleep=record.append)


def ok(name: str) -> Handler:
    return lambda request: httpx.Response(200, json=load(name))


def test_get_hit_sends_normalised_keys_and_a_user_agent() -> None:
    fake = FakeLrclib(get=ok("lrclib_get.json"))
    result = client(fake).fetch_lyrics(
        "The Funeral - Remastered 2016",
        "Band of Horses",
        album="Everything All the Time",
        duration_ms=276920,
    )
    assert result is not None
    assert result.provider == "lrclib"
    assert result.text.startswith("Lanterns in the hallway")
    assert not result.instrumental
    assert result.source_url == "https://lrclib.net/api/get/3396226"
    assert fake.paths() == ["/api/get"]
    request = fake.requests[0]
    assert request.url.host == "lrclib.net"
    assert dict(request.url.params) == {
        "track_name": "The Funeral",
        "artist_name": "Band of Horses",
        "album_name": "Everything All the Time",
        "duration": "277",
    }
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("MoodTune/")


def test_miss_on_get_falls_back_to_search_and_rejects_wrong_songs() -> None:
    fake = FakeLrclib(search=ok("lrclib_search.json"))
    result = client(fake).fetch_lyrics(
        "Let It Be - Remastered 2009", "The Beatles", duration_ms=243026
    )
    assert fake.paths() == ["/api/get", "/api/search"]
    assert dict(fake.requests[1].url.params) == {
        "track_name": "Let It Be",
        "artist_name": "The Beatles",
    }
    # "Let It Bleed" is another song; the live take is 58 s longer than the studio cut.
    assert result is not None
    assert result.source_url.endswith("/503")
    assert result.text.startswith("When the kettle sings")


def test_without_duration_search_only_and_first_same_song_wins() -> None:
    fake = FakeLrclib(search=ok("lrclib_search.json"))
    result = client(fake).fetch_lyrics("Let It Be", "The Beatles")
    assert fake.paths() == ["/api/search"]
    assert result is not None
    assert result.source_url.endswith("/502")  # no duration to tell the live take apart


def test_only_wrong_songs_is_a_miss() -> None:
    fake = FakeLrclib(search=ok("lrclib_search.json"))
    assert client(fake).fetch_lyrics("Let It Go", "Idina Menzel", duration_ms=224000) is None


def test_get_hit_for_another_song_is_not_trusted() -> None:
    fake = FakeLrclib(get=ok("lrclib_get.json"))
    assert client(fake).fetch_lyrics("Hey Jude", "The Beatles", duration_ms=277000) is None
    assert fake.paths() == ["/api/get", "/api/search"]


def test_instrumental_is_marked() -> None:
    fake = FakeLrclib(get=ok("lrclib_instrumental.json"))
    result = client(fake).fetch_lyrics(
        "Flight of the Paper Crane", "Quiet Harbour", duration_ms=214500
    )
    assert result is not None
    assert result.instrumental
    assert result.text == ""


def test_synced_only_lyrics_lose_their_timestamps() -> None:
    fake = FakeLrclib(search=ok("lrclib_search_synced_only.json"))
    result = client(fake).fetch_lyrics("Static Hearts", "Nora Vale")
    assert result is not None
    assert result.text.splitlines()[:2] == [
        "Your voice is static on a line",
        "I keep the phone warm anyway",
    ]
    assert "[" not in result.text


def test_timeouts_are_retried_then_succeed() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] < 3:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json=load("lrclib_get.json"))

    sleeps: list[float] = []
    result = client(FakeLrclib(get=flaky), sleeps).fetch_lyrics(
        "The Funeral", "Band of Horses", duration_ms=277000
    )
    assert result is not None
    assert sleeps == [0.5, 0.5]


def test_persistent_timeouts_are_a_source_error() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("no route", request=request)

    sleeps: list[float] = []
    with pytest.raises(SourceError, match=r"timed out\) after 3 tries"):
        client(FakeLrclib(search=down), sleeps).fetch_lyrics("The Funeral", "Band of Horses")
    assert len(sleeps) == 2


def test_server_errors_are_retried_and_429_honours_retry_after() -> None:
    answers = [
        httpx.Response(503, text="upstream down"),
        httpx.Response(429, headers={"Retry-After": "3"}, json={"code": 429}),
        httpx.Response(200, json=load("lrclib_get.json")),
    ]
    sleeps: list[float] = []
    fake = FakeLrclib(get=lambda request: answers.pop(0))
    result = client(fake, sleeps).fetch_lyrics("The Funeral", "Band of Horses", duration_ms=277000)
    assert result is not None
    assert sleeps == [0.5, 3.0]


def test_bad_payload_and_unexpected_status_are_source_errors() -> None:
    fake = FakeLrclib(search=lambda r: httpx.Response(200, json={"not": "a list"}))
    with pytest.raises(SourceError, match="unexpected"):
        client(fake).fetch_lyrics("The Funeral", "Band of Horses")
    fake = FakeLrclib(search=lambda r: httpx.Response(418, text="teapot"))
    with pytest.raises(SourceError, match="418"):
        client(fake).fetch_lyrics("The Funeral", "Band of Horses")
    fake = FakeLrclib(search=lambda r: httpx.Response(200, text="<html>"))
    with pytest.raises(SourceError, match="not JSON"):
        client(fake).fetch_lyrics("The Funeral", "Band of Horses")
