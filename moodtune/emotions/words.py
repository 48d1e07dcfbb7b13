"""Profiles as emotion words: the vocabulary behind approaches 2 (`emotions`) and 3 (`refined`).

Pure functions over EmotionProfile. Approach 2 names the present basic emotions, strongest first
("sadness, fear"), as the original write-up did. Approach 3 refines them: an intensity variant per
emotion (serenity / joy / ecstasy ...) and a primary dyad (love, awe, remorse ...) where two
adjacent emotions are both present, so each basic emotion is counted in exactly one word.
Must not embed or do I/O: callers embed the words.
"""

from __future__ import annotations

from dataclasses import dataclass

from moodtune.emotions.base import PRESENT
from moodtune.models import DYADS, EMOTIONS, INTENSITY_VARIANTS, EmotionProfile

MILD = 0.3  # a calibrated score from here up to PRESENT is a mild trace of the emotion
INTENSE = 0.8  # from here up the intense variant is used


@dataclass(frozen=True, slots=True)
class EmotionWord:
    """One word standing for one basic emotion (or two, for a dyad) with its weight."""

    word: str
    emotions: tuple[str, ...]
    weight: float


def basic_words(profile: EmotionProfile) -> list[EmotionWord]:
    """Return the present basic emotions, strongest first; the top one if none is present."""
    present = [(e, s) for e, s in profile.ranked() if s >= PRESENT]
    if not present:
        present = profile.ranked()[:1]
    return [EmotionWord(word=e, emotions=(e,), weight=s) for e, s in present]


def intensity_word(emotion: str, score: float) -> str:
    """Pick the mild, basic or intense name of `emotion` for a calibrated score."""
    mild, basic, intense = INTENSITY_VARIANTS[emotion]
    if score >= INTENSE:
        return intense
    if score >= PRESENT:
        return basic
    return mild


def refined_words(profile: EmotionProfile) -> list[EmotionWord]:
    """Return intensity variants and dyads, one word per basic emotion, strongest first.

    Emotions at or above MILD take part. Adjacent pairs that are both present (>= PRESENT)
    merge into their dyad, strongest pair first, and each emotion joins at most one word, so
    no feeling is counted twice. A profile with nothing above MILD keeps its top emotion.
    """
    scores = profile.as_dict()
    active = {e: s for e, s in scores.items() if s >= MILD}
    if not active:
        top, score = profile.ranked()[0]
        active = {top: score}
    words: list[EmotionWord] = []
    used: set[str] = set()
    pairs = sorted(
        ((a, b, name) for (a, b), name in DYADS.items() if min(scores[a], scores[b]) >= PRESENT),
        key=lambda p: -min(scores[p[0]], scores[p[1]]),
    )
    for a, b, name in pairs:
        if a in used or b in used:
            continue
        used.update((a, b))
        words.append(EmotionWord(word=name, emotions=(a, b), weight=(scores[a] + scores[b]) / 2))
    for emotion, score in active.items():
        if emotion not in used:
            used.add(emotion)
            words.append(
                EmotionWord(word=intensity_word(emotion, score), emotions=(emotion,), weight=score)
            )
    return sorted(words, key=lambda w: -w.weight)


def words_text(words: list[EmotionWord]) -> str:
    """Join words for display and for embedding, e.g. "grief, love"."""
    return ", ".join(w.word for w in words)


def vocabulary() -> list[str]:
    """Every word approach 3 can produce: 24 intensity variants and 8 dyads."""
    out = [w for e in EMOTIONS for w in INTENSITY_VARIANTS[e]]
    return out + list(DYADS.values())
