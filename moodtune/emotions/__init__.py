"""Emotion extractors behind one protocol, picked by name from EXTRACTORS.

Names: `local` (default, offline trained head), `lexicon` (NRC baseline), `llm` (any
OpenAI-compatible endpoint) and `keyword` (a fake for tests). Factories take Settings and
import their implementation module only when called, so importing this package loads no model.
"""

from __future__ import annotations

from collections.abc import Callable

from moodtune.config import Settings
from moodtune.emotions.base import (
    PRESENT,
    EmotionExtractor,
    SongEmotions,
    extract_songs,
    pool_stanzas,
)
from moodtune.registry import Registry

EXTRACTORS: Registry[Callable[[Settings], EmotionExtractor]] = Registry("extractor")


@EXTRACTORS.register("local")
def make_local(settings: Settings) -> EmotionExtractor:
    from moodtune.emotions.local import LocalExtractor

    return LocalExtractor.from_settings(settings)


@EXTRACTORS.register("lexicon")
def make_lexicon(settings: Settings) -> EmotionExtractor:
    from moodtune.emotions.lexicon import LexiconExtractor

    return LexiconExtractor()


@EXTRACTORS.register("llm")
def make_llm(settings: Settings) -> EmotionExtractor:
    from moodtune.emotions.llm import LLMExtractor

    return LLMExtractor.from_settings(settings)


@EXTRACTORS.register("keyword")
def make_keyword(settings: Settings) -> EmotionExtractor:
    from moodtune.emotions.keyword import KeywordExtractor

    return KeywordExtractor()


def build_extractor(name: str, settings: Settings) -> EmotionExtractor:
    """Build the extractor registered under `name`."""
    return EXTRACTORS.get(name)(settings)


__all__ = [
    "EXTRACTORS",
    "PRESENT",
    "EmotionExtractor",
    "SongEmotions",
    "build_extractor",
    "extract_songs",
    "pool_stanzas",
]
