"""A tiny keyword extractor: a deterministic fake for fast unit tests, not for users.

Scores an emotion 0.9 when one of its cue words appears, else 0.05.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from moodtune.models import EMOTIONS, EmotionProfile

CUES: dict[str, tuple[str, ...]] = {
    "joy": ("happy", "dance", "sunshine", "laugh", "joy"),
    "trust": ("friend", "promise", "faith", "trust", "loyal"),
    "fear": ("afraid", "scared", "dark", "fear", "terror"),
    "surprise": ("suddenly", "surprise", "unexpected", "wow"),
    "sadness": ("sad", "cry", "tears", "alone", "miss", "lonely"),
    "disgust": ("rotten", "gross", "disgust", "filth", "sick"),
    "anger": ("angry", "rage", "scream", "furious", "hate"),
    "anticipation": ("tomorrow", "waiting", "soon", "ready", "countdown"),
}
_WORD = re.compile(r"[a-z']+")


class KeywordExtractor:
    name = "keyword"
    version = "keyword-v1"

    def extract(self, texts: Sequence[str]) -> list[EmotionProfile]:
        out = []
        for text in texts:
            words = set(_WORD.findall(text.lower()))
            out.append(
                EmotionProfile(tuple(0.9 if words & set(CUES[e]) else 0.05 for e in EMOTIONS))
            )
        return out
