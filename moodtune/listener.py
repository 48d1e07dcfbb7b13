"""The library as listeners hear it: stored song emotions with their corrections applied.

Owns: `listener_view`, which takes a library index and the corrections in force and returns an
index of the same shape whose corrected tracks carry the listener's emotions, whose other tracks
carry the per-library calibration when it is on (moodtune.calibration, over the song states
the store reads on demand), with their emotion words and word embeddings recomputed, and a
source per row ("listener", "calibrated", "model").
Every approach, the explorer and the evaluation read this view, so a correction counts at once
and everywhere, and nothing in the Deep Lake dataset changes.
Must not write anything: corrections live in moodtune.corrections, tracks in moodtune.store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from moodtune.calibration import (
    MIN_CORRECTIONS,
    Calibration,
    apply_calibration,
    fit_calibration,
    library_frame,
    nearest_corrected,
)
from moodtune.corrections import Correction, corrected_profile
from moodtune.emotions.vectors import WordVectors
from moodtune.emotions.words import basic_words, refined_words, vocabulary, words_text
from moodtune.library_index import SongStates, WordMix, WordTable
from moodtune.models import EmotionProfile
from moodtune.store import LibraryIndex

LISTENER, CALIBRATED, MODEL = "listener", "calibrated", "model"
# Reads the library's song states (moodtune.store.Store.song_states); called only when there
# are enough corrections for the calibration to learn from.
StatesSource = Callable[[], SongStates]


@dataclass(frozen=True, slots=True)
class ListenerView:
    """An adjusted index, the calibration behind it, and the corrections of its tracks."""

    index: LibraryIndex
    calibration: Calibration
    corrections: Mapping[str, Correction]  # only tracks that are in the library


def corrected_rows(index: LibraryIndex, corrections: Mapping[str, Correction]) -> dict[int, str]:
    """Row number -> track id of every corrected track present in `index`."""
    return {row: tid for row, tid in enumerate(index.track_ids) if tid in corrections}


def _states_for(index: LibraryIndex, states: StatesSource | None) -> SongStates | None:
    """The song states aligned with `index`, or None (none given, or another version)."""
    if states is None:
        return None
    read = states()
    if read.version != index.version or len(read.present) != len(index):
        return None
    return read


def calibration_for(
    index: LibraryIndex,
    corrections: Mapping[str, Correction],
    states: StatesSource | None = None,
) -> tuple[Calibration, SongStates | None]:
    """Fit the calibration on the corrected tracks' model profiles and song states."""
    rows = corrected_rows(index, corrections)
    order = sorted(rows)
    aligned = None
    centre, scale, vectors = np.zeros(1), 1.0, np.zeros((len(order), 1))
    if len(rows) >= MIN_CORRECTIONS:  # below that it stays off: no need to read the states
        aligned = _states_for(index, states)
        order = [r for r in order if aligned is not None and aligned.present[r]]
        if aligned is not None and order:
            centre, scale = library_frame(aligned)
            vectors = aligned.vectors[order]
    calibration = fit_calibration(
        index.profiles[order],
        vectors,
        [corrections[rows[r]].main for r in order],
        centre=centre,
        scale=scale,
        corrections=len(rows),
    )
    return calibration, aligned


@dataclass(frozen=True, slots=True)
class ListenerProfiles:
    """Each row's profile as listeners hear it, who set it, the calibration behind it, and for
    each calibrated row the row of the corrected track its song most resembles (else -1)."""

    profiles: np.ndarray  # (n, 8) float32
    sources: tuple[str, ...]
    calibration: Calibration
    like: np.ndarray  # (n,) int64


def listener_profiles(
    index: LibraryIndex,
    corrections: Mapping[str, Correction],
    states: StatesSource | None = None,
) -> ListenerProfiles:
    """The library's profiles with corrections applied and, when the calibration is on, every
    uncorrected track that has a song state calibrated."""
    rows = corrected_rows(index, corrections)
    calibration, aligned = calibration_for(index, corrections, states)
    profiles = np.array(index.profiles, dtype=np.float32, copy=True)
    sources = [MODEL] * len(index)
    like = np.full(len(index), -1, dtype=np.int64)
    if calibration.active and aligned is not None:
        others = np.flatnonzero(aligned.present)
        others = others[~np.isin(others, list(rows))]
        if len(others):
            profiles[others] = apply_calibration(
                index.profiles[others], aligned.vectors[others], calibration
            )
            taught = np.array([r for r in sorted(rows) if aligned.present[r]], dtype=np.int64)
            nearest = nearest_corrected(
                aligned.vectors[others], aligned.vectors[taught], calibration
            )
            like[others] = taught[nearest]
            for r in others.tolist():
                sources[r] = CALIBRATED
    for row, tid in rows.items():
        profiles[row] = corrected_profile(index.profile(row), corrections[tid]).scores
        sources[row] = LISTENER
    return ListenerProfiles(profiles, tuple(sources), calibration, like)


def refined_weights(profiles: np.ndarray) -> np.ndarray:
    """Each profile's refined words as weights over the vocabulary: (n, V) float32."""
    position = {w: i for i, w in enumerate(vocabulary())}
    out = np.zeros((len(profiles), len(position)), dtype=np.float32)
    for row, scores in enumerate(profiles):
        profile = EmotionProfile(tuple(float(x) for x in scores))
        for w in refined_words(profile):
            out[row, position[w.word]] += w.weight
    return out


def _mix_norms(weights: np.ndarray, vocab: np.ndarray) -> np.ndarray:
    # |w @ V|^2 = w (V V^T) w^T: a 32x32 Gram matrix instead of an (n, 384) product.
    gram = vocab.astype(np.float64) @ vocab.T.astype(np.float64)
    squared = np.einsum("ij,jk,ik->i", weights.astype(np.float64), gram, weights)
    out: np.ndarray = np.sqrt(np.maximum(squared, 0.0)).astype(np.float32)
    return out


def vocab_matrix(words: WordVectors) -> np.ndarray:
    vocab = words.vocab
    return np.stack([vocab[w] for w in vocabulary()]).astype(np.float32)


def with_refined_mix(index: LibraryIndex, words: WordVectors) -> LibraryIndex:
    """`index` with every row's refined vector, as a mix of the vocabulary, from its profile.

    Equal to the refined vectors ingestion stored (the same words, weights and vocabulary
    vectors), which the store therefore never reads.
    """
    weights = refined_weights(index.profiles)
    vocab = vocab_matrix(words)
    mix = WordMix(weights, vocab, _mix_norms(weights, vocab))
    return dataclasses.replace(index, refined_mix=mix)


def listener_view(
    index: LibraryIndex,
    corrections: Mapping[str, Correction],
    words: WordVectors,
    states: StatesSource | None = None,
) -> ListenerView:
    """Apply corrections (and the calibration they switch on, from the library's song states)
    to a copy of `index`."""
    if index.refined_mix is None:
        index = with_refined_mix(index, words)
    assert index.refined_mix is not None
    heard = listener_profiles(index, corrections, states)
    profiles, sources, calibration = heard.profiles, heard.sources, heard.calibration
    kept = {tid: corrections[tid] for tid in index.track_ids if tid in corrections}
    changed = [r for r, s in enumerate(sources) if s != MODEL]
    if not changed:
        return ListenerView(index, calibration, kept)
    emotion_words, refined_text = list(index.emotion_words), list(index.refined_words)
    as_profiles = [EmotionProfile(tuple(float(x) for x in profiles[r])) for r in changed]
    basic = [basic_words(p) for p in as_profiles]
    # Word sets repeat a lot (a few dozen distinct ones per library): embed each new text once.
    texts = [words_text(b) for b in basic]
    table = index.emotion_table
    known = {emotion_words_of(index, code): code for code in range(len(table.vectors))}
    first = {t: i for i, t in reversed(list(enumerate(texts)))}
    new_texts = sorted(t for t in first if t not in known)
    vectors = table.vectors
    if new_texts:
        added = words.basic_vectors([basic[first[t]] for t in new_texts])
        vectors = np.concatenate([vectors, np.asarray(added, dtype=np.float32)])
        known.update({t: len(table.vectors) + i for i, t in enumerate(new_texts)})
    codes = np.array(table.codes, copy=True)
    mix = index.refined_mix
    weights = np.array(mix.weights, copy=True)
    rows = np.array(changed, dtype=np.int64)
    weights[rows] = refined_weights(profiles[rows])
    norms = np.array(mix.norms, copy=True)
    norms[rows] = _mix_norms(weights[rows], mix.vocab)
    for i, r in enumerate(changed):
        emotion_words[r] = texts[i]
        refined_text[r] = words_text(refined_words(as_profiles[i]))
        codes[r] = known[texts[i]]
    adjusted = dataclasses.replace(
        index,
        profiles=profiles,
        profile_norms=np.linalg.norm(profiles, axis=1).astype(np.float32),
        emotion_words=tuple(emotion_words),
        refined_words=tuple(refined_text),
        emotion_table=WordTable(vectors, codes),
        refined_mix=WordMix(weights, mix.vocab, norms),
        emotion_sources=sources,
        calibrated_like=heard.like if calibration.active else np.zeros(0, np.int64),
    )
    return ListenerView(adjusted, calibration, kept)


def emotion_words_of(index: LibraryIndex, code: int) -> str:
    """The word text of one emotion-table entry (the first row that points at it)."""
    rows = np.flatnonzero(index.emotion_table.codes == code)
    return index.emotion_words[int(rows[0])] if len(rows) else f"\0unused-{code}"
