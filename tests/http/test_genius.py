from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lyricsgenius
import pytest
import requests
import responses
from tenacity import wait_fixed

from moodtune.errors import ConfigError, SourceError
from moodtune.sources.genius import GeniusProvider, make_genius_provider

DATA = Path(__file__).resolve().parents[1] / "data"
SEARCH = "https://api.genius.com/search"
PAGE = "https://genius.com/Band-of-horses-the-funeral-lyrics"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def html(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def provider(sleeps: list[float] | None = None) -> GeniusProvider:
    genius = lyricsgenius.Genius("fake-token", sleep_time=0, retries=0, timeout=5)
    record = sleeps if sleeps is not None else []
    return GeniusProvider(genius, wait=wait_fixed(1.0), sleep=record.append)


def query(url: str | None) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(str(url)).query))


@responses.activate
def test_hit_searches_the_api_and_scrapes_the_page() -> None:
    responses.add(responses.GET, SEARCH, json=load("genius_search.json"))
    responses.add(responses.GET, PAGE, body=html("genius_song_page.html"))
    result = provider().fetch_lyrics("The Funeral - Remastered", "Band of Horses, Guest")

    assert result is not None
    assert result.provider == "genius"
    assert result.source_url == PAGE
    assert not result.instrumental
    lines = result.text.splitlines()
    assert lines[0] == "[Verse 1]"
    assert "I wore my winter coat to say goodbye" in lines
    assert "Paper cups of coffee going cold" in result.text
    assert "Contributors" not in result.text  # the page header is not lyrics
    assert "Advertisement" not in result.text

    search = responses.calls[0].request
    assert query(search.url) == {"q": "The Funeral Band of Horses", "per_page": "5"}
    assert search.headers["authorization"] == "Bearer fake-token"
    assert len(responses.calls) == 2


@responses.activate
def test_wrong_song_matches_are_rejected_without_scraping() -> None:
    responses.add(responses.GET, SEARCH, json=load("genius_search_wrong.json"))
    assert provider().fetch_lyrics("The Funeral", "Band of Horses") is None
    assert len(responses.calls) == 1


@responses.activate
def test_no_hits_is_a_miss() -> None:
    responses.add(responses.GET, SEARCH, json=load("genius_search_empty.json"))
    assert provider().fetch_lyrics("Unknown Song", "Nobody") is None


@responses.activate
def test_instrumental_is_marked_without_scraping() -> None:
    responses.add(responses.GET, SEARCH, json=load("genius_search_instrumental.json"))
    result = provider().fetch_lyrics("Flight of the Paper Crane", "Quiet Harbour")
    assert result is not None
    assert result.instrumental
    assert result.text == ""
    assert len(responses.calls) == 1


@responses.activate
def test_cloudflare_403_on_the_page_is_a_clear_source_error() -> None:
    responses.add(responses.GET, SEARCH, json=load("genius_search.json"))
    responses.add(responses.GET, PAGE, body=html("genius_blocked.html"), status=403)
    sleeps: list[float] = []
    with pytest.raises(SourceError, match=r"Genius blocked the request \(403\)"):
        provider(sleeps).fetch_lyrics("The Funeral", "Band of Horses")
    assert sleeps == []  # a block is not retried


@responses.activate
def test_401_is_a_config_error_about_the_token() -> None:
    responses.add(
        responses.GET,
        SEARCH,
        json={"meta": {"status": 401, "message": "This call requires an access_token."}},
        status=401,
    )
    with pytest.raises(ConfigError, match="GENIUS_ACCESS_TOKEN"):
        provider().fetch_lyrics("The Funeral", "Band of Horses")


@responses.activate
def test_page_404_is_a_miss() -> None:
    responses.add(responses.GET, SEARCH, json=load("genius_search.json"))
    responses.add(responses.GET, PAGE, body="<html>Page not found</html>", status=404)
    assert provider().fetch_lyrics("The Funeral", "Band of Horses") is None


@responses.activate
def test_timeouts_and_5xx_are_retried_with_backoff() -> None:
    responses.add(responses.GET, SEARCH, body=requests.exceptions.ConnectTimeout("slow"))
    responses.add(responses.GET, SEARCH, json={"meta": {"status": 502}}, status=502)
    responses.add(responses.GET, SEARCH, json=load("genius_search.json"))
    responses.add(responses.GET, PAGE, status=429, headers={"Retry-After": "4"})
    responses.add(responses.GET, PAGE, body=html("genius_song_page.html"))
    sleeps: list[float] = []
    result = provider(sleeps).fetch_lyrics("The Funeral", "Band of Horses")
    assert result is not None
    assert sleeps == [1.0, 1.0, 4.0]


@responses.activate
def test_persistent_timeouts_are_a_source_error() -> None:
    responses.add(responses.GET, SEARCH, body=requests.exceptions.ReadTimeout("slow"))
    sleeps: list[float] = []
    with pytest.raises(SourceError, match=r"timed out\) after 3 tries"):
        provider(sleeps).fetch_lyrics("The Funeral", "Band of Horses")
    assert len(sleeps) == 2


@responses.activate
def test_unexpected_search_payload_is_a_source_error() -> None:
    responses.add(responses.GET, SEARCH, json={"response": {"hits": "nope"}})
    with pytest.raises(SourceError, match="unexpected"):
        provider().fetch_lyrics("The Funeral", "Band of Horses")


def test_factory_sets_our_own_timeout_and_no_library_retries() -> None:
    made = make_genius_provider("token-123")
    genius = made._genius
    assert genius.timeout == 10
    assert genius.retries == 0
    assert genius.sleep_time == 0
    assert "MoodTune/" in genius._session.headers["User-Agent"]
