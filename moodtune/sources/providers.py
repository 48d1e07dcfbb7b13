"""The lyrics providers, picked by name from LYRICS_PROVIDERS, and the chain they are wired into.

Names: `lrclib` (no key) and `genius` (needs GENIUS_ACCESS_TOKEN). Factories take Settings and
import their implementation module only when called, so only the chosen providers' client
libraries load. A factory that cannot build its provider from the settings raises ConfigError
with the note the chain reports. lyrics.py holds the types these modules share and imports none
of them, so there is no import circle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from moodtune.config import Settings
from moodtune.errors import ConfigError
from moodtune.registry import Registry
from moodtune.sources.lyrics import LyricsChain, LyricsProvider

LYRICS_PROVIDERS: Registry[Callable[[Settings], LyricsProvider]] = Registry("lyrics provider")
DEFAULT_PROVIDERS: tuple[str, ...] = ("lrclib", "genius")


@LYRICS_PROVIDERS.register("lrclib")
def make_lrclib(settings: Settings) -> LyricsProvider:
    from moodtune.sources.lrclib import make_lrclib_client

    return make_lrclib_client()


@LYRICS_PROVIDERS.register("genius")
def make_genius(settings: Settings) -> LyricsProvider:
    secret = settings.genius_access_token
    token = secret.get_secret_value().strip() if secret is not None else ""
    if not token:
        raise ConfigError("Genius skipped: set GENIUS_ACCESS_TOKEN to use it.")
    from moodtune.sources.genius import make_genius_provider

    return make_genius_provider(token)


def build_lyrics_chain(settings: Settings, names: Sequence[str] | None = None) -> LyricsChain:
    """Wire the providers named (default settings.lyrics_providers) into a cached chain.

    A provider whose factory raises ConfigError (Genius without a token) is left out with a note
    (chain.notes), unless no provider is left, which is a ConfigError.
    """
    wanted = [n.strip().lower() for n in (names or settings.lyrics_providers or DEFAULT_PROVIDERS)]
    wanted = [n for n in dict.fromkeys(wanted) if n]
    factories = [LYRICS_PROVIDERS.get(n) for n in wanted]  # an unknown name fails here
    providers: list[LyricsProvider] = []
    notes: list[str] = []
    for factory in factories:
        try:
            providers.append(factory(settings))
        except ConfigError as exc:
            notes.append(str(exc))
    if not providers:
        raise ConfigError(
            "No lyrics provider is usable: "
            + (" ".join(notes) or f"choose from {', '.join(LYRICS_PROVIDERS.names())}.")
        )
    return LyricsChain(providers, settings.cache_path / "lyrics", notes=notes)
