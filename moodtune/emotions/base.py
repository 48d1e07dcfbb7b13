"""The extractor protocol and how a song's stanzas pool into one profile.

Every extractor maps a batch of texts to EmotionProfiles whose scores are calibrated so that
0.5 means "present" (each extractor owns that calibration). Songs are scored per stanza and
pooled by `pool_stanzas`, unless the extractor decides whole songs itself (`SongReader`: a
song's profile is what a listener would say the whole song conveys, which a pool of stanza
scores misses). Must not load models or touch the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from moodtune.models import EMOTIONS, EmotionProfile

PRESENT = 0.5  # a calibrated score at or above this means the emotion is present


class EmotionExtractor(Protocol):
    name: str
    version: str

    def extract(self, texts: Sequence[str]) -> list[EmotionProfile]:
        """Return one profile per text, in order."""
        ...


@runtime_checkable
class SongReader(Protocol):
    """An extractor with its own song-level decision over a song's stanzas."""

    def read_songs(self, songs_stanzas: Sequence[Sequence[str]]) -> list[SongEmotions]:
        """Return one SongEmotions per song, in order, with its stanzas' profiles."""
        ...


@dataclass(frozen=True, slots=True)
class SongEmotions:
    """A song's pooled profile plus the per-stanza profiles it came from."""

    profile: EmotionProfile
    stanza_profiles: tuple[EmotionProfile, ...]
    # The song's state: the mean of its stanzas' pooled encoder states, which the song head
    # read (the `local` extractor's English path); None where the extractor has none. Listeners'
    # corrections learn a per-library adjustment over it (moodtune.calibration).
    state: np.ndarray | None = field(default=None, compare=False)


def profiles_from_song_scores(scores: np.ndarray) -> np.ndarray:
    """Turn song-head scores (n, 8) into profiles (n, 8) that keep their order.

    q = softmax(scores) is the head's belief in each emotion as the song's main one. The top
    emotion scores 0.5 + 0.5 * max(q) (a sure song is intense, an unsure one plain), and the
    others that share of it that their belief is of the top one's, so an emotion at least
    about half as likely as the top one is also "present" (>= 0.5). A row of zeros stays zeros.
    """
    x = np.asarray(scores, dtype=np.float64).reshape(-1, len(EMOTIONS))
    q = np.exp(x - x.max(axis=1, keepdims=True))
    q /= q.sum(axis=1, keepdims=True)
    top = q.max(axis=1, keepdims=True)
    out: np.ndarray = (0.5 + 0.5 * top) * q / top
    out[~x.any(axis=1)] = 0.0
    return out


def pool_stanzas(stanza_profiles: Sequence[EmotionProfile]) -> EmotionProfile:
    """Pool stanza profiles: per emotion, the mean of the max and the mean over stanzas.

    The max keeps a feeling that one stanza carries strongly (a bridge of rage in a love song);
    the mean keeps what runs through the whole song, so one stray line does not dominate.
    """
    if not stanza_profiles:
        return EmotionProfile.zeros()
    matrix = np.array([p.scores for p in stanza_profiles], dtype=np.float64)
    pooled = 0.5 * matrix.max(axis=0) + 0.5 * matrix.mean(axis=0)
    return EmotionProfile(tuple(float(x) for x in pooled))


def extract_songs(
    extractor: EmotionExtractor, songs_stanzas: Sequence[Sequence[str]]
) -> list[SongEmotions]:
    """Score every stanza of every song in one batch, then decide each song.

    A SongReader decides songs itself; any other extractor's stanza profiles are pooled.
    """
    if isinstance(extractor, SongReader):
        return extractor.read_songs(songs_stanzas)
    flat = [stanza for stanzas in songs_stanzas for stanza in stanzas]
    profiles = extractor.extract(flat) if flat else []
    out: list[SongEmotions] = []
    start = 0
    for stanzas in songs_stanzas:
        chunk = tuple(profiles[start : start + len(stanzas)])
        start += len(stanzas)
        out.append(SongEmotions(profile=pool_stanzas(chunk), stanza_profiles=chunk))
    return out


def profile_matrix(profiles: Sequence[EmotionProfile]) -> np.ndarray:
    """Stack profiles into an (n, 8) float32 array."""
    if not profiles:
        return np.zeros((0, len(EMOTIONS)), dtype=np.float32)
    return np.array([p.scores for p in profiles], dtype=np.float32)
