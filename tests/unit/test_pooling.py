"""How stanza profiles pool into a song profile, with and without a lyrics correction."""

from __future__ import annotations

import numpy as np

from moodtune.emotions.base import LyricsCalibrated, extract_songs, pool_stanzas
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.models import EMOTIONS, EmotionProfile


def profile(**scores: float) -> EmotionProfile:
    return EmotionProfile(tuple(scores.get(e, 0.0) for e in EMOTIONS))


def test_pool_is_half_max_half_mean() -> None:
    pooled = pool_stanzas([profile(joy=0.9, fear=0.2), profile(joy=0.1, fear=0.2)])
    assert pooled["joy"] == 0.5 * 0.9 + 0.5 * 0.5
    assert abs(pooled["fear"] - 0.2) < 1e-12
    assert pool_stanzas([]) == EmotionProfile.zeros()


def test_offsets_are_subtracted_and_clipped() -> None:
    offsets = np.zeros(len(EMOTIONS))
    offsets[EMOTIONS.index("joy")] = 0.2
    offsets[EMOTIONS.index("fear")] = 0.5
    offsets[EMOTIONS.index("anger")] = -0.3
    pooled = pool_stanzas([profile(joy=0.9, fear=0.2, anger=0.9)], offsets)
    assert abs(pooled["joy"] - 0.7) < 1e-12
    assert pooled["fear"] == 0.0  # clipped at 0
    assert pooled["anger"] == 1.0  # clipped at 1


class Corrected(KeywordExtractor):
    """The keyword extractor with a known lean on lyrics: joy is over-scored by 0.25."""

    def song_offsets(self) -> np.ndarray | None:
        offsets = np.zeros(len(EMOTIONS))
        offsets[EMOTIONS.index("joy")] = 0.25
        return offsets


def test_extract_songs_applies_the_extractor_offsets_to_songs_only() -> None:
    songs = [["so happy today, happy happy", "sunny and glad"], ["afraid of the dark"]]
    plain = extract_songs(KeywordExtractor(), songs)
    corrected = extract_songs(Corrected(), songs)
    assert isinstance(Corrected(), LyricsCalibrated)
    assert not isinstance(KeywordExtractor(), LyricsCalibrated)
    for p, c in zip(plain, corrected, strict=True):
        assert c.stanza_profiles == p.stanza_profiles  # stanzas are left as scored
        expected = max(0.0, p.profile["joy"] - 0.25)
        assert abs(c.profile["joy"] - expected) < 1e-12
        for emotion in EMOTIONS[1:]:
            assert c.profile[emotion] == p.profile[emotion]
    assert plain[0].profile["joy"] > 0.25  # the test exercises a real subtraction
