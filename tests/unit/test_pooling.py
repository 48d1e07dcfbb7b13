"""How stanza profiles pool into a song profile, unless the extractor reads whole songs."""

from __future__ import annotations

from collections.abc import Sequence

from moodtune.emotions.base import SongEmotions, SongReader, extract_songs, pool_stanzas
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.models import EMOTIONS, EmotionProfile


def profile(**scores: float) -> EmotionProfile:
    return EmotionProfile(tuple(scores.get(e, 0.0) for e in EMOTIONS))


def test_pool_is_half_max_half_mean() -> None:
    pooled = pool_stanzas([profile(joy=0.9, fear=0.2), profile(joy=0.1, fear=0.2)])
    assert pooled["joy"] == 0.5 * 0.9 + 0.5 * 0.5
    assert abs(pooled["fear"] - 0.2) < 1e-12
    assert pool_stanzas([]) == EmotionProfile.zeros()


class WholeSongs(KeywordExtractor):
    """The keyword extractor plus a song-level decision: every song is sad, whatever it says."""

    def read_songs(self, songs_stanzas: Sequence[Sequence[str]]) -> list[SongEmotions]:
        out = []
        for stanzas in songs_stanzas:
            out.append(SongEmotions(profile(sadness=0.9), tuple(self.extract(list(stanzas)))))
        return out


def test_extract_songs_lets_a_song_reader_decide_whole_songs() -> None:
    songs = [["so happy today, happy happy", "sunny and glad"], ["afraid of the dark"]]
    pooled = extract_songs(KeywordExtractor(), songs)
    read = extract_songs(WholeSongs(), songs)
    assert isinstance(WholeSongs(), SongReader)
    assert not isinstance(KeywordExtractor(), SongReader)
    assert pooled[0].profile.dominant == "joy"  # pooled from the stanzas
    for p, r in zip(pooled, read, strict=True):
        assert r.stanza_profiles == p.stanza_profiles  # stanzas are left as scored
        assert r.profile.dominant == "sadness"
