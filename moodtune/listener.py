"""The library as listeners hear it: stored song emotions with their corrections applied.

Owns: `listener_view`, which takes a library index and the corrections in force and returns an
index of the same shape whose corrected tracks carry the listener's emotions, whose other tracks
carry the per-library calibration when it is on (moodtune.calibration), with their emotion
words and word embeddings recomputed, and a source per row ("listener", "calibrated", "model").
Every approach, the explorer and the evaluation read this view, so a correction counts at once
and everywhere, and nothing in the Deep Lake dataset changes.
Must not write anything: corrections live in moodtune.corrections, tracks in moodtune.store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from moodtune.calibration import Calibration, apply_bias, fit_calibration
from moodtune.corrections import Correction, corrected_profile
from moodtune.emotions.vectors import WordVectors
from moodtune.emotions.words import basic_words, refined_words, words_text
from moodtune.models import EmotionProfile
from moodtune.store import LibraryIndex

LISTENER, CALIBRATED, MODEL = "listener", "calibrated", "model"


@dataclass(frozen=True, slots=True)
class ListenerView:
    """An adjusted index, the calibration behind it, and the corrections of its tracks."""

    index: LibraryIndex
    calibration: Calibration
    corrections: Mapping[str, Correction]  # only tracks that are in the library


def corrected_rows(index: LibraryIndex, corrections: Mapping[str, Correction]) -> dict[int, str]:
    """Row number -> track id of every corrected track present in `index`."""
    return {row: tid for row, tid in enumerate(index.track_ids) if tid in corrections}


def calibration_for(index: LibraryIndex, corrections: Mapping[str, Correction]) -> Calibration:
    """Fit the calibration on the model's own profiles of the corrected tracks."""
    rows = corrected_rows(index, corrections)
    order = sorted(rows)
    return fit_calibration(index.profiles[order], [corrections[rows[r]].main for r in order])


def listener_profiles(
    index: LibraryIndex, corrections: Mapping[str, Correction]
) -> tuple[np.ndarray, tuple[str, ...], Calibration]:
    """Each row's profile as listeners hear it, who set it, and the calibration behind it."""
    rows = corrected_rows(index, corrections)
    calibration = calibration_for(index, corrections)
    profiles = np.array(index.profiles, dtype=np.float32, copy=True)
    sources = [MODEL] * len(index)
    if calibration.active:
        others = np.array([r for r in range(len(index)) if r not in rows], dtype=np.int64)
        if len(others):
            profiles[others] = apply_bias(index.profiles[others], calibration.bias)
            for r in others.tolist():
                sources[r] = CALIBRATED
    for row, tid in rows.items():
        profiles[row] = corrected_profile(index.profile(row), corrections[tid]).scores
        sources[row] = LISTENER
    return profiles, tuple(sources), calibration


def listener_view(
    index: LibraryIndex, corrections: Mapping[str, Correction], words: WordVectors
) -> ListenerView:
    """Apply corrections (and the calibration they switch on) to a copy of `index`."""
    profiles, sources, calibration = listener_profiles(index, corrections)
    kept = {tid: corrections[tid] for tid in index.track_ids if tid in corrections}
    changed = [r for r, s in enumerate(sources) if s != MODEL]
    if not changed:
        return ListenerView(index, calibration, kept)
    emotion_words, refined_text = list(index.emotion_words), list(index.refined_words)
    emotion_emb = np.array(index.emotion_emb, copy=True)
    refined_emb = np.array(index.refined_emb, copy=True)
    as_profiles = [EmotionProfile(tuple(float(x) for x in profiles[r])) for r in changed]
    basic = [basic_words(p) for p in as_profiles]
    refined = [refined_words(p) for p in as_profiles]
    # Word sets repeat a lot (a few dozen distinct ones per library): embed each text once.
    texts = [words_text(b) for b in basic]
    first = {t: i for i, t in reversed(list(enumerate(texts)))}
    distinct = sorted(first)
    vectors = dict(
        zip(distinct, words.basic_vectors([basic[first[t]] for t in distinct]), strict=True)
    )
    refined_vecs = words.refined_vectors(refined)
    for i, r in enumerate(changed):
        emotion_words[r] = texts[i]
        refined_text[r] = words_text(refined[i])
        emotion_emb[r] = vectors[texts[i]]
        refined_emb[r] = refined_vecs[i]
    adjusted = dataclasses.replace(
        index,
        profiles=profiles,
        emotion_words=tuple(emotion_words),
        refined_words=tuple(refined_text),
        emotion_emb=emotion_emb,
        refined_emb=refined_emb,
        emotion_sources=sources,
    )
    return ListenerView(adjusted, calibration, kept)
