from __future__ import annotations

import numpy as np
import pytest

from moodtune.errors import InputError
from moodtune.models import EMOTIONS
from moodtune.song_agreement import (
    agreement_table,
    confusion_table,
    describe_song_agreement,
    macro_f1,
    song_agreement,
)


def one_hot(*emotions: str) -> np.ndarray:
    """A profile that scores the given emotions 0.9, 0.8, ... in order and the rest 0.05."""
    row = np.full(len(EMOTIONS), 0.05)
    for rank, emotion in enumerate(emotions):
        row[EMOTIONS.index(emotion)] = 0.9 - 0.1 * rank
    return row


# Hand-checked: three of five main emotions come first, a fourth comes second.
PROFILES = np.stack(
    [
        one_hot("joy"),
        one_hot("sadness", "fear"),
        one_hot("fear", "anger"),
        one_hot("anticipation", "trust"),
        one_hot("joy", "trust"),
    ]
)
LABELS = [("joy",), ("sadness",), ("anger", "fear"), ("sadness",), ("joy", "trust")]


def test_metrics_match_a_hand_count() -> None:
    report = song_agreement(PROFILES, LABELS, resamples=200)
    assert report.n == 5
    assert report.top1.mean == pytest.approx(3 / 5)
    assert report.top2.mean == pytest.approx(4 / 5)
    # joy F1 1, sadness 2/3 (1 of 2 found, no false alarm), anger 0.
    assert report.macro_f1.mean == pytest.approx((1 + 2 / 3 + 0) / 3)
    recalls = {r.emotion: (r.songs, r.recalled, r.predicted) for r in report.per_emotion}
    assert recalls == {"joy": (2, 2, 2), "sadness": (2, 1, 1), "anger": (1, 0, 0)}
    assert report.unreachable == ("anger",)
    confusion = np.array(report.confusion)
    assert confusion.sum() == 5
    assert confusion[EMOTIONS.index("anger"), EMOTIONS.index("fear")] == 1
    assert confusion[EMOTIONS.index("sadness"), EMOTIONS.index("anticipation")] == 1


def test_intervals_contain_the_mean_and_are_reproducible() -> None:
    a = song_agreement(PROFILES, LABELS, resamples=300, seed=3)
    b = song_agreement(PROFILES, LABELS, resamples=300, seed=3)
    assert a.top1 == b.top1
    for interval in (a.top1, a.top2, a.macro_f1):
        assert 0.0 <= interval.low <= interval.mean <= interval.high <= 1.0
    assert a.top1.low < a.top1.high


def test_baselines_majority_and_random() -> None:
    majority, chance = song_agreement(PROFILES, LABELS, resamples=50).baselines
    # joy and sadness tie at 2 songs; the first met (joy) is the majority answer.
    assert majority.name == "always joy"
    assert (majority.top1, majority.top2) == (pytest.approx(0.4), pytest.approx(0.8))
    assert majority.macro_f1 == pytest.approx((4 / 7) / 3)
    assert (chance.top1, chance.top2) == (0.125, 0.25)
    shares = (0.4, 0.4, 0.2)
    assert chance.macro_f1 == pytest.approx(np.mean([2 * s / 8 / (s + 1 / 8) for s in shares]))


def test_unlabelled_songs_are_left_out_and_ties_follow_emotion_order() -> None:
    flat = np.full((2, len(EMOTIONS)), 0.3)
    report = song_agreement(flat, [("joy",), ()], resamples=20)
    assert report.n == 1
    assert report.songs[0].predicted == "joy"
    assert report.songs[0].second == "trust"


def test_no_labels_at_all_is_bad_input() -> None:
    with pytest.raises(InputError, match="nothing to agree with"):
        song_agreement(PROFILES[:2], [(), ()])


def test_macro_f1_counts_predictions_of_absent_classes_as_false_alarms() -> None:
    assert macro_f1([0, 0], [0, 0]) == 1.0
    assert macro_f1([0, 0], [0, 3]) == pytest.approx(2 / 3)


def test_tables_and_reading() -> None:
    report = song_agreement(PROFILES, LABELS, extractor="x", version="x-1", resamples=50)
    table = agreement_table(report)
    assert "x (x-1)" in table
    assert "always joy" in table
    assert "random" in table
    rows = [line.split("|")[1].strip() for line in confusion_table(report).splitlines()[2:]]
    assert rows == ["joy", "sadness", "anger"]  # rows only for the main emotions present
    text = describe_song_agreement(report)
    assert "60%" in text
    assert "anger" in text
