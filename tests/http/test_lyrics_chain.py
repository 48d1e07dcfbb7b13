from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import lyricsgenius
import pytest
import requests
import responses
from tenacity import wait_fixed

from moodtune.config import Settings
from moodtune.errors import ConfigError, SourceError, UnknownNameError
from moodtune.models import Track
from moodtune.sources.genius import GeniusProvider
from moodtune.sources.lrclib import LrclibClient
from moodtune.sources.lyrics import (
    LyricsChain,
    LyricsProvider,
    is_same_song,
    normalise_title,
    song_key,
)
from moodtune.sources.providers import LYRICS_PROVIDERS, build_lyrics_chain

DATA = Path(__file__).resolve().parents[1] / "data"
GENIUS_SEARCH = "https://api.genius.com/search"
GENIUS_PAGE = "https://genius.com/Band-of-horses-the-funeral-lyrics"

FUNERAL = Track(
    track_id="spotify:6FYAR9uWRRXUHfwlKW3pE0",
    title="The Funeral",
    artist="Band of Horses",
    album="Everything All the Time",
    duration_ms=276920,
    source="spotify",
)
CRANE = Track(track_id="file-1", title="Flight of the Paper Crane", artist="Quiet Harbour")


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class FakeLrclib:
    """An LRCLIB server: fixed answers for /api/get and /api/search, counting requests."""

    def __init__(self, get: Any = None, search: Any = None, down: bool = False) -> None:
        self.get, self.search, self.down = get, search if search is not None else [], down
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.down:
            raise httpx.ConnectTimeout("down", request=request)
        if request.url.path == "/api/get":
            if self.get is None:
                return httpx.Response(404, json=load("lrclib_not_found.json"))
            return httpx.Response(200, json=self.get)
        return httpx.Response(200, json=self.search)


def lrclib(fake: FakeLrclib) -> LrclibClient:
    return LrclibClient(
        httpx.Client(transport=httpx.MockTransport(fake)), wait=wait_fixed(0), sleep=lambda s: None
    )


def genius() -> GeniusProvider:
    client = lyricsgenius.Genius("fake-token", sleep_time=0, retries=0)
    return GeniusProvider(client, wait=wait_fixed(0), sleep=lambda s: None)


def add_genius_hit() -> None:
    responses.add(responses.GET, GENIUS_SEARCH, json=load("genius_search.json"))
    responses.add(
        responses.GET, GENIUS_PAGE, body=(DATA / "genius_song_page.html").read_text("utf-8")
    )


def chain(providers: list[LyricsProvider], cache: Path | None, **kwargs: Any) -> LyricsChain:
    kwargs.setdefault("sleep", lambda s: None)
    return LyricsChain(providers, cache, **kwargs)


@responses.activate(assert_all_requests_are_fired=False)
def test_first_provider_wins_and_later_ones_are_not_asked(tmp_path: Path) -> None:
    add_genius_hit()
    fake = FakeLrclib(get=load("lrclib_get.json"))
    result = chain([lrclib(fake), genius()], tmp_path).fetch(FUNERAL)
    assert result is not None
    assert result.provider == "lrclib"
    assert fake.calls == 1
    assert len(responses.calls) == 0


@responses.activate
def test_miss_falls_back_to_the_next_provider(tmp_path: Path) -> None:
    add_genius_hit()
    fake = FakeLrclib()  # 404 on get, [] on search
    result = chain([lrclib(fake), genius()], tmp_path).fetch(FUNERAL)
    assert result is not None
    assert result.provider == "genius"
    assert result.source_url == GENIUS_PAGE
    assert fake.calls == 2


@responses.activate
def test_order_is_configurable(tmp_path: Path) -> None:
    add_genius_hit()
    fake = FakeLrclib(get=load("lrclib_get.json"))
    result = chain([genius(), lrclib(fake)], tmp_path).fetch(FUNERAL)
    assert result is not None
    assert result.provider == "genius"
    assert fake.calls == 0


@responses.activate
def test_a_failing_provider_is_recorded_and_the_next_tried(tmp_path: Path) -> None:
    add_genius_hit()
    lookup = chain([lrclib(FakeLrclib(down=True)), genius()], tmp_path).lookup(FUNERAL)
    assert lookup.result is not None
    assert lookup.result.provider == "genius"
    assert len(lookup.errors) == 1
    assert lookup.errors[0].startswith("lrclib: LRCLIB did not answer")


@responses.activate
def test_all_failing_raises_source_error_and_is_not_cached(tmp_path: Path) -> None:
    responses.add(responses.GET, GENIUS_SEARCH, status=403, body="blocked")
    down = FakeLrclib(down=True)
    with pytest.raises(SourceError, match=r"lrclib: .*genius: Genius blocked the request \(403\)"):
        chain([lrclib(down), genius()], tmp_path).fetch(FUNERAL)
    # Failures are not answers: the next run asks again.
    up = FakeLrclib(get=load("lrclib_get.json"))
    result = chain([lrclib(up), genius()], tmp_path).fetch(FUNERAL)
    assert result is not None
    assert up.calls == 1


def test_instrumental_is_marked(tmp_path: Path) -> None:
    fake = FakeLrclib(search=[load("lrclib_instrumental.json")])
    result = chain([lrclib(fake)], tmp_path).fetch(CRANE)
    assert result is not None
    assert result.instrumental
    assert result.text == ""


@responses.activate(assert_all_requests_are_fired=False)
def test_cache_answers_a_rerun_without_any_http_call(tmp_path: Path) -> None:
    add_genius_hit()
    first_fake = FakeLrclib()
    first = chain([lrclib(first_fake), genius()], tmp_path).fetch(FUNERAL)
    assert first is not None
    calls_after_first = len(responses.calls)

    again = FakeLrclib()
    rerun = chain([lrclib(again), genius()], tmp_path)
    lookup = rerun.lookup(FUNERAL)
    assert lookup.result == first
    assert lookup.from_cache
    assert again.calls == 0  # LRCLIB's miss was cached too
    assert len(responses.calls) == calls_after_first
    # The same song from another source shares the cache entry.
    remastered = Track(track_id="file-x", title="The Funeral - Remastered", artist="Band of Horses")
    assert rerun.fetch(remastered) == first
    assert again.calls == 0


def test_misses_are_cached_until_they_expire(tmp_path: Path) -> None:
    clock = {"now": 1_000_000.0}
    fake = FakeLrclib()
    kwargs: dict[str, Any] = {"now": lambda: clock["now"], "miss_ttl_s": 3600.0}
    assert chain([lrclib(fake)], tmp_path, **kwargs).fetch(CRANE) is None
    assert fake.calls == 1
    lookup = chain([lrclib(fake)], tmp_path, **kwargs).lookup(CRANE)
    assert lookup.result is None
    assert lookup.from_cache
    assert fake.calls == 1
    clock["now"] += 3601
    chain([lrclib(fake)], tmp_path, **kwargs).fetch(CRANE)
    assert fake.calls == 2


def test_no_cache_dir_means_no_cache() -> None:
    fake = FakeLrclib(get=load("lrclib_get.json"))
    lyrics = chain([lrclib(fake)], None)
    lyrics.fetch(FUNERAL)
    lyrics.fetch(FUNERAL)
    assert fake.calls == 2


def test_requests_to_one_provider_are_spaced(tmp_path: Path) -> None:
    now = {"t": 100.0}
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now["t"] += seconds

    fake = FakeLrclib(get=load("lrclib_get.json"))
    lyrics = LyricsChain(
        [lrclib(fake)],
        None,
        min_interval_s={"lrclib": 0.25},
        clock=lambda: now["t"],
        sleep=sleep,
    )
    lyrics.fetch(FUNERAL)
    assert sleeps == []
    now["t"] += 0.1
    lyrics.fetch(FUNERAL)
    assert sleeps == [pytest.approx(0.15)]
    now["t"] += 5
    lyrics.fetch(FUNERAL)
    assert len(sleeps) == 1


def _settings(tmp_path: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "home": str(tmp_path / "home"),
        "cache_dir": str(tmp_path / "cache"),
        "genius_access_token": None,
        "lyrics_providers": ("lrclib", "genius"),
    }
    base.update(values)
    return Settings.model_validate(base)


def test_build_chain_skips_genius_without_a_token(tmp_path: Path) -> None:
    built = build_lyrics_chain(_settings(tmp_path))
    assert built.names == ("lrclib",)
    assert built.notes == ("Genius skipped: set GENIUS_ACCESS_TOKEN to use it.",)
    assert (tmp_path / "cache" / "lyrics" / "lyrics.sqlite3").is_file()


def test_build_chain_with_token_and_custom_order(tmp_path: Path) -> None:
    settings = _settings(tmp_path, genius_access_token="tok")
    assert build_lyrics_chain(settings).names == ("lrclib", "genius")
    assert build_lyrics_chain(settings, ["Genius", "lrclib"]).names == ("genius", "lrclib")
    settings = _settings(tmp_path, lyrics_providers="genius,lrclib", genius_access_token="tok")
    assert build_lyrics_chain(settings).names == ("genius", "lrclib")


def test_build_chain_errors(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="Available: lrclib, genius"):
        build_lyrics_chain(_settings(tmp_path), ["azlyrics"])
    with pytest.raises(ConfigError, match="GENIUS_ACCESS_TOKEN"):
        build_lyrics_chain(_settings(tmp_path), ["genius"])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Let It Be - Remastered 2009", "Let It Be"),
        ("Hey Jude - 2015 Remaster", "Hey Jude"),
        ("Wake Me Up - Radio Edit", "Wake Me Up"),
        ("Bohemian Rhapsody - Live Aid", "Bohemian Rhapsody"),
        ("Creep - Live", "Creep"),
        ("Señorita (feat. Camila Cabello)", "Señorita"),
        ("Stay (with Justin Bieber)", "Stay"),
        ("Old Town Road [Remix] feat. Billy Ray Cyrus", "Old Town Road"),
        ("Song ft. Somebody", "Song"),
        ("(Don't Fear) The Reaper", "(Don't Fear) The Reaper"),
        ("Ob-La-Di, Ob-La-Da - Remastered", "Ob-La-Di, Ob-La-Da"),
        ("Live Forever", "Live Forever"),
        ("Song - Part 2", "Song - Part 2"),
        ("Theme - Instrumental", "Theme - Instrumental"),
    ],
)
def test_normalise_title(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


@pytest.mark.parametrize(
    ("wanted", "found", "same"),
    [
        (("Let It Be - Remastered 2009", "The Beatles"), ("Let It Be", "Beatles"), True),
        (("Wake Me Up - Radio Edit", "Avicii, Aloe Blacc"), ("Wake Me Up", "Avicii"), True),
        (("September", "Earth, Wind & Fire"), ("September", "Earth Wind and Fire"), True),
        (("Halo", "Beyoncé"), ("Halo", "Beyonce"), True),
        (("Don't Stop Me Now", "Queen"), ("Dont Stop Me Now", "Queen"), True),
        (("Smells Like Teen Spirit", "Nirvana"), ("Smells Like Teen Spirt", "Nirvana"), True),
        (("Stay (With Me)", "Sam Smith"), ("Stay With Me", "Sam Smith"), True),
        (("Let It Be", "The Beatles"), ("Let It Bleed", "The Rolling Stones"), False),
        (("Let It Be", "The Beatles"), ("Let It Bleed", "The Beatles"), False),
        (("Hey Jude", "The Beatles"), ("Hey Jude", "Wilson Pickett"), False),
        (("Hey Jude", "The Beatles"), ("Hey You", "Pink Floyd"), False),
        (("The Funeral", "Band of Horses"), ("The Funeral (Piano Cover)", "Keys Of Ivory"), False),
        (("The Funeral", "Band of Horses"), ("Funeral for a Friend", "Band of Horses"), False),
        (("Song", "Artist"), ("Song", ""), False),
    ],
)
def test_is_same_song(wanted: tuple[str, str], found: tuple[str, str], same: bool) -> None:
    assert is_same_song(*wanted, *found) is same


def test_song_key_ignores_versions_features_and_case() -> None:
    assert song_key("Wake Me Up - Radio Edit", "Avicii, Aloe Blacc") == song_key(
        "wake me up", "AVICII"
    )
    assert song_key("Halo", "The Beatles") != song_key("Halo", "Beyoncé")


def test_genius_timeout_then_lrclib_hit(tmp_path: Path) -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, GENIUS_SEARCH, body=requests.exceptions.ConnectTimeout("slow"))
        fake = FakeLrclib(get=load("lrclib_get.json"))
        lookup = chain([genius(), lrclib(fake)], tmp_path).lookup(FUNERAL)
    assert lookup.result is not None
    assert lookup.result.provider == "lrclib"
    assert lookup.errors == ("genius: Genius did not answer (timed out) after 3 tries.",)


def test_lyrics_module_imports_no_provider_module() -> None:
    # lrclib.py and genius.py import lyrics.py's types; lyrics.py must not import them back.
    import ast

    import moodtune.sources.lyrics as lyrics

    tree = ast.parse(Path(lyrics.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"moodtune.sources.lrclib", "moodtune.sources.genius"}
    assert LYRICS_PROVIDERS.names() == ["lrclib", "genius"]
