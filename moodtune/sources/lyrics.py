"""Lyrics lookup: the provider protocol, song matching, and the cached provider chain.

Owns: LyricsResult and the LyricsProvider protocol that lrclib.py and genius.py implement,
title normalisation ("- Remastered 2011", "(feat. ...)", "- Live") and the same-song test that
rejects wrong matches, the LyricsChain that tries providers in order with polite per-provider
rate limiting and an on-disk SQLite cache of found and not-found answers. Providers are built
by name in providers.py (LYRICS_PROVIDERS, build_lyrics_chain); this module imports none of
them, since they import its types. Must not clean lyrics (text.py does),
and never looks at Spotify metadata beyond title, artist, album and duration used as search keys.

Matching thresholds (is_same_song), chosen on hand-made pairs in tests/http/test_lyrics_chain.py:
titles match when their normalised forms are equal, have the same words in another order, or
have a difflib ratio of at least 0.88 ("Let It Be" vs "Let It Bleed" is 0.86 and is rejected;
"Smells Like Teen Spirit" vs "Smells Like Teen Spirt" is 0.98). Artists match when any name on
one side (split on commas, "&", "and", "x", "feat.", "with") has a ratio of at least 0.85 with
any name on the other, or the whole strings do, after dropping accents, case, punctuation and a
leading "the".
"""

from __future__ import annotations

import re
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Protocol, runtime_checkable

from moodtune.errors import SourceError, StoreError
from moodtune.models import Track

# Seconds between two requests to the same provider. LRCLIB publishes no limit and asks only
# for a User-Agent; Genius pages are scraped, so we stay well below anything bot-like.
DEFAULT_MIN_INTERVAL_S: Mapping[str, float] = {"lrclib": 0.25, "genius": 1.0}
_FALLBACK_INTERVAL_S = 0.5
# Databases grow: a miss is asked again after this long.
DEFAULT_MISS_TTL_S = 30 * 24 * 3600.0
CACHE_FILE = "lyrics.sqlite3"

TITLE_THRESHOLD = 0.88
ARTIST_THRESHOLD = 0.85


@dataclass(frozen=True, slots=True)
class LyricsResult:
    """Lyrics as one provider gave them (raw), or an instrumental marker with empty text."""

    text: str
    provider: str
    instrumental: bool = False
    source_url: str = ""


@runtime_checkable
class LyricsProvider(Protocol):
    """One lyrics source. None means "not there"; SourceError means "failed after retries"."""

    name: str

    def fetch_lyrics(
        self, title: str, artist: str, album: str = "", duration_ms: int | None = None
    ) -> LyricsResult | None: ...


@dataclass(frozen=True, slots=True)
class LyricsLookup:
    """What one chain lookup found, which providers failed, and whether the cache answered."""

    result: LyricsResult | None
    errors: tuple[str, ...] = ()
    from_cache: bool = False


# Words that mark a version of a song rather than a different song; lyrics are the same.
_VERSION_WORDS = (
    r"remaster(?:ed)?|re-?master|live|version|edit|mono|stereo|mix|remix|deluxe|bonus|"
    r"explicit|clean|demo|acoustic|single|radio|anniversary|re-?recorded|from|session|take|"
    r"unplugged|mtv|bbc|spotify|original|soundtrack|\d{4}"
)
_FEAT = r"feat\.?|ft\.?|featuring|with|prod\.?|produced by"
_BRACKETED = re.compile(r"\s*[\(\[]([^\)\]]*)[\)\]]")
_VERSION_RE = re.compile(rf"\b(?:{_VERSION_WORDS})\b", re.IGNORECASE)
_FEAT_START_RE = re.compile(rf"^\s*(?:{_FEAT})\s", re.IGNORECASE)
_TRAILING_FEAT_RE = re.compile(r"\s+(?:feat\.?|ft\.|featuring)\s+.*$", re.IGNORECASE)
_DASH_SPLIT = re.compile(r"\s+[-\u2013\u2014]\s+")
_ARTIST_SPLIT = re.compile(
    r"\s*(?:,|;|&|\+|/|\band\b|\bx\b|\bfeat\.?|\bft\.|\bfeaturing\b|\bwith\b|\bvs\.?)\s*",
    re.IGNORECASE,
)


def normalise_title(title: str) -> str:
    """Drop version and featuring notes from a title ("Song - Remastered 2011" -> "Song")."""
    text = " ".join(title.split())

    def strip_group(match: re.Match[str]) -> str:
        inner = match.group(1)
        if _FEAT_START_RE.match(inner + " ") or _VERSION_RE.search(inner):
            return ""
        return match.group(0)

    text = _BRACKETED.sub(strip_group, text)
    parts = _DASH_SPLIT.split(text)
    kept = [parts[0]]
    for part in parts[1:]:
        if _VERSION_RE.search(part) or _FEAT_START_RE.match(part + " "):
            break  # everything after a version note is more of the note
        kept.append(part)
    text = " - ".join(kept)
    text = _TRAILING_FEAT_RE.sub("", text)
    text = " ".join(text.split()).strip(" -")
    return text or " ".join(title.split())


def primary_artist(artist: str) -> str:
    """Return the first artist of a joined list ("Avicii, Aloe Blacc" -> "Avicii")."""
    first = re.split(r",\s+|\s+(?:feat\.?|ft\.|featuring)\s+", artist.strip(), maxsplit=1)[0]
    return first.strip() or artist.strip()


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("&", " and ").replace("$", "s")
    plain = re.sub(r"['\u2019`]", "", plain)  # "don't" -> "dont", not "don t"
    plain = re.sub(r"[^\w\s]|_", " ", plain)
    return " ".join(plain.split())


def _artist_key(name: str) -> str:
    return re.sub(r"^the\s+", "", _key(name))


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def title_similarity(a: str, b: str) -> float:
    """Score two titles in [0, 1] after normalisation (1.0 for the same words)."""
    # Raw forms too: "Stay (With Me)" must still match "Stay With Me".
    pairs = [(_key(normalise_title(a)), _key(normalise_title(b))), (_key(a), _key(b))]
    best = 0.0
    for ka, kb in pairs:
        if not ka or not kb:
            continue
        if ka == kb or sorted(ka.split()) == sorted(kb.split()):
            return 1.0
        best = max(best, _ratio(ka, kb))
    return best


def artist_similarity(a: str, b: str) -> float:
    """Score two artist strings in [0, 1], allowing either side to list several names."""
    names_a = {_artist_key(n) for n in [a, *_ARTIST_SPLIT.split(a)] if _artist_key(n)}
    names_b = {_artist_key(n) for n in [b, *_ARTIST_SPLIT.split(b)] if _artist_key(n)}
    if not names_a or not names_b:
        return 0.0
    return max(_ratio(x, y) for x in names_a for y in names_b)


def is_same_song(
    wanted_title: str, wanted_artist: str, found_title: str, found_artist: str
) -> bool:
    """Tell whether a search hit is the song we asked for (see the module docstring)."""
    return (
        title_similarity(wanted_title, found_title) >= TITLE_THRESHOLD
        and artist_similarity(wanted_artist, found_artist) >= ARTIST_THRESHOLD
    )


def song_key(title: str, artist: str) -> str:
    """Return the cache key of a song: its primary artist and normalised title."""
    return f"{_artist_key(primary_artist(artist))}|{_key(normalise_title(title))}"


class LyricsChain:
    """Try providers in order; cache answers on disk so a re-run asks no provider twice."""

    def __init__(
        self,
        providers: Sequence[LyricsProvider],
        cache_dir: Path | str | None,
        *,
        min_interval_s: float | Mapping[str, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
        miss_ttl_s: float = DEFAULT_MISS_TTL_S,
        notes: Sequence[str] = (),
    ) -> None:
        self.providers = tuple(providers)
        self.notes = tuple(notes)
        self._intervals = min_interval_s if min_interval_s is not None else DEFAULT_MIN_INTERVAL_S
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._miss_ttl_s = miss_ttl_s
        self._last_call: dict[str, float] = {}
        self._cache_path = Path(cache_dir) / CACHE_FILE if cache_dir is not None else None
        if self._cache_path is not None:
            self._init_cache(self._cache_path)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.providers)

    def fetch(self, track: Track) -> LyricsResult | None:
        """Return the first provider's lyrics, None when none has them.

        Raises SourceError when nothing was found and at least one provider failed, so the
        caller can tell "no lyrics anywhere" from "try again later".
        """
        lookup = self.lookup(track)
        if lookup.result is None and lookup.errors:
            raise SourceError(
                f"No lyrics for '{track.title}': {'; '.join(lookup.errors)}. Try again later."
            )
        return lookup.result

    def lookup(self, track: Track) -> LyricsLookup:
        """Like fetch, but report provider failures instead of raising them."""
        key = song_key(track.title, track.artist)
        errors: list[str] = []
        asked = False
        cached = self._cached(key)
        for provider in self.providers:
            if provider.name in cached:
                hit = cached[provider.name]
                if hit is not None:
                    return LyricsLookup(hit, tuple(errors), from_cache=True)
                continue  # a recent miss: do not ask again
            asked = True
            self._wait_turn(provider.name)
            try:
                result = provider.fetch_lyrics(
                    track.title, track.artist, track.album, track.duration_ms
                )
            except SourceError as exc:
                errors.append(f"{provider.name}: {exc}")
                continue
            self._store(key, provider.name, result)
            if result is not None:
                return LyricsLookup(result, tuple(errors))
        return LyricsLookup(None, tuple(errors), from_cache=not asked)

    def _wait_turn(self, name: str) -> None:
        if isinstance(self._intervals, int | float):
            interval = float(self._intervals)
        else:
            interval = self._intervals.get(name, _FALLBACK_INTERVAL_S)
        last = self._last_call.get(name)
        if last is not None:
            wait = interval - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_call[name] = self._clock()

    @staticmethod
    def _init_cache(path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(path)) as db, db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS lyrics ("
                    " song_key TEXT NOT NULL, provider TEXT NOT NULL, found INTEGER NOT NULL,"
                    " text TEXT NOT NULL, instrumental INTEGER NOT NULL, source_url TEXT NOT NULL,"
                    " fetched_at REAL NOT NULL, PRIMARY KEY (song_key, provider))"
                )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Cannot open the lyrics cache at {path}: {exc}.") from exc

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        assert self._cache_path is not None
        try:
            with closing(sqlite3.connect(self._cache_path, timeout=10)) as db, db:
                yield db
        except sqlite3.Error as exc:
            raise StoreError(f"The lyrics cache at {self._cache_path} failed: {exc}.") from exc

    def _cached(self, key: str) -> dict[str, LyricsResult | None]:
        if self._cache_path is None:
            return {}
        with self._db() as db:
            rows = db.execute(
                "SELECT provider, found, text, instrumental, source_url, fetched_at"
                " FROM lyrics WHERE song_key = ?",
                (key,),
            ).fetchall()
        answers: dict[str, LyricsResult | None] = {}
        for provider, found, text, instrumental, source_url, fetched_at in rows:
            if found:
                answers[provider] = LyricsResult(text, provider, bool(instrumental), source_url)
            elif self._now() - fetched_at < self._miss_ttl_s:
                answers[provider] = None
        return answers

    def _store(self, key: str, provider: str, result: LyricsResult | None) -> None:
        if self._cache_path is None:
            return
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO lyrics VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    provider,
                    int(result is not None),
                    result.text if result else "",
                    int(result.instrumental) if result else 0,
                    result.source_url if result else "",
                    self._now(),
                ),
            )
