"""The per-library calibration learnt from corrections, and the rule that switches it on."""

from __future__ import annotations

import numpy as np
import pytest

from moodtune.calibration import (
    MAX_FOLDS,
    MIN_CORRECTIONS,
    Calibration,
    apply_calibration,
    features,
    fit_calibration,
    fit_weight,
    held_out,
    library_frame,
    log_beliefs,
    nearest_corrected,
)
from moodtune.emotions.base import profiles_from_song_scores
from moodtune.library_index import SongStates
from moodtune.models import EMOTIONS

JOY, SADNESS, TRUST = (EMOTIONS.index(e) for e in ("joy", "sadness", "trust"))
DIM = 16


def _head_profiles(scores: np.ndarray) -> np.ndarray:
    return profiles_from_song_scores(scores).astype(np.float32)


def _library(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Songs whose state carries a 'bright' direction (feature 0) when they are joy songs,
    which the model misreads as sadness; the others are sadness songs it reads right."""
    joy = rng.random(n) < 0.5
    states = rng.normal(0.0, 1.0, size=(n, DIM))
    states[:, 0] = np.where(joy, 3.0, -3.0) + rng.normal(0.0, 0.3, n)
    scores = rng.normal(0.0, 0.2, size=(n, len(EMOTIONS)))
    scores[:, SADNESS] += 1.0  # the model over-hears sadness in every song
    scores[:, JOY] += 0.6
    mains = np.where(joy, JOY, SADNESS)
    return _head_profiles(scores), states.astype(np.float32), mains


def _frame(states: np.ndarray) -> tuple[np.ndarray, float]:
    return library_frame(SongStates("v", states.astype(np.float16), np.ones(len(states), bool)))


def test_log_beliefs_sum_to_one() -> None:
    beliefs = np.exp(log_beliefs(np.array([[0.0, 0.2, 0.9, 0, 0, 0, 0, 0.1]])))
    assert beliefs.sum() == pytest.approx(1.0)


def test_the_library_frame_centres_and_scales_to_unit_rms() -> None:
    rng = np.random.default_rng(0)
    states = rng.normal(5.0, 2.0, size=(200, DIM))
    present = np.ones(200, bool)
    present[:50] = False  # rows without a state do not count
    states[:50] = 0.0
    centre, scale = library_frame(SongStates("v", states.astype(np.float16), present))
    x = features(states[50:], centre, scale)
    assert np.allclose(x.mean(axis=0), 0.0, atol=0.02)
    assert np.mean(np.sum(x * x, axis=1)) == pytest.approx(1.0, rel=0.01)


def test_corrections_teach_the_direction_that_separates_their_emotions() -> None:
    rng = np.random.default_rng(1)
    profiles, states, mains = _library(rng, 300)
    # The model reads (nearly) only the sadness songs right.
    assert abs(np.mean(np.argmax(profiles, axis=1) == mains) - np.mean(mains == SADNESS)) < 0.05
    centre, scale = _frame(states)
    taught = np.arange(20)
    result = fit_calibration(
        profiles[taught],
        states[taught],
        [EMOTIONS[m] for m in mains[taught]],
        centre=centre,
        scale=scale,
    )
    assert result.active, result.reason
    assert result.weight is not None
    # The weight on the bright direction favours joy over sadness.
    assert result.weight[JOY, 0] - result.weight[SADNESS, 0] > 0
    rest = np.arange(20, 300)
    calibrated = apply_calibration(profiles[rest], states[rest], result)
    before = np.mean(np.argmax(profiles[rest], axis=1) == mains[rest])
    after = np.mean(np.argmax(calibrated, axis=1) == mains[rest])
    assert before < 0.6 < 0.9 < after


def test_an_unchanged_belief_gives_back_the_models_profile() -> None:
    rng = np.random.default_rng(2)
    profiles, states, _ = _library(rng, 30)
    centre, scale = _frame(states)
    zero = Calibration(True, 10, 10, 0.5, 0.5, "On", np.zeros((len(EMOTIONS), DIM)), centre, scale)
    assert np.allclose(apply_calibration(profiles, states, zero), profiles, atol=1e-5)


def test_a_stronger_pull_towards_no_change_gives_smaller_weights() -> None:
    rng = np.random.default_rng(3)
    profiles, states, mains = _library(rng, 40)
    centre, scale = _frame(states)
    x = features(states, centre, scale)
    beliefs = log_beliefs(profiles)
    strong, usual = fit_weight(beliefs, x, mains, l2=30.0), fit_weight(beliefs, x, mains)
    assert np.abs(strong).max() < np.abs(usual).max()


def test_held_out_is_leave_one_out_up_to_the_fold_limit() -> None:
    rng = np.random.default_rng(4)
    profiles, states, mains = _library(rng, 12)
    centre, scale = _frame(states)
    x, beliefs = features(states, centre, scale), log_beliefs(profiles)
    hits = 0
    for i in range(12):
        keep = np.arange(12) != i
        w = fit_weight(beliefs[keep], x[keep], mains[keep])
        hits += int(np.argmax(beliefs[i] + x[i] @ w.T) == mains[i])
    assert held_out(beliefs, x, mains) == pytest.approx(hits / 12)
    # Beyond MAX_FOLDS corrections it fits MAX_FOLDS times, still judging every correction.
    big_profiles, big_states, big_mains = _library(rng, MAX_FOLDS * 3)
    big = held_out(log_beliefs(big_profiles), features(big_states, centre, scale), big_mains)
    assert big * MAX_FOLDS * 3 == pytest.approx(round(big * MAX_FOLDS * 3))


def test_too_few_corrections_keep_it_off_and_say_why() -> None:
    rng = np.random.default_rng(5)
    profiles, states, mains = _library(rng, 8)
    centre, scale = _frame(states)
    result = fit_calibration(
        profiles, states, [EMOTIONS[m] for m in mains], centre=centre, scale=scale, corrections=11
    )
    assert not result.active
    assert result.corrections == 11
    assert result.learnable == 8
    assert f"8 of the {MIN_CORRECTIONS}" in result.reason
    assert "3 more are on tracks whose analysis stored no song state" in result.reason
    assert result.weight is None


def test_one_main_emotion_is_not_enough_to_learn_from() -> None:
    rng = np.random.default_rng(6)
    profiles, states, _ = _library(rng, 12)
    centre, scale = _frame(states)
    result = fit_calibration(profiles, states, ["joy"] * 12, centre=centre, scale=scale)
    assert not result.active
    assert "1 main emotion" in result.reason


def test_it_stays_off_when_held_out_corrections_fare_worse_than_the_model() -> None:
    """Twins: two corrected songs share one state but carry different main emotions, and the
    model reads each right by a hair. Whatever is learnt from one twin misleads on the other."""
    rng = np.random.default_rng(7)
    base = rng.normal(0.0, 1.0, size=(6, DIM))
    states = np.repeat(base, 2, axis=0).astype(np.float32)
    mains = np.array([JOY, TRUST] * 6)
    scores = np.zeros((12, len(EMOTIONS)))
    scores[np.arange(12), mains] = 1.02
    scores[np.arange(12), np.where(mains == JOY, TRUST, JOY)] = 1.0
    profiles = _head_profiles(scores)
    centre, scale = _frame(states)
    result = fit_calibration(
        profiles, states, [EMOTIONS[m] for m in mains], centre=centre, scale=scale
    )
    assert result.loo_before == 1.0
    assert result.loo_after is not None
    assert result.loo_after < 1.0
    assert not result.active
    assert "no worse than the model" in result.reason
    assert result.summary()["active"] is False


def test_a_calibrated_song_is_told_which_corrected_song_it_most_resembles() -> None:
    rng = np.random.default_rng(8)
    corrected = rng.normal(0.0, 1.0, size=(3, DIM))
    others = corrected[[2, 0, 1, 2]] + rng.normal(0.0, 0.05, size=(4, DIM))
    centre, scale = _frame(np.vstack([corrected, others]))
    on = Calibration(True, 3, 3, 1.0, 1.0, "On", np.zeros((len(EMOTIONS), DIM)), centre, scale)
    assert nearest_corrected(others, corrected, on).tolist() == [2, 0, 1, 2]
    off = Calibration.off(3, 3, "Off")
    assert nearest_corrected(others, corrected, off).tolist() == [-1] * 4


def test_unusable_states_keep_it_off() -> None:
    rng = np.random.default_rng(9)
    profiles, states, mains = _library(rng, 20)
    centre, scale = _frame(states)
    states = states.copy()
    states[3, 0] = np.inf  # a state that should never reach it (the store drops those)
    result = fit_calibration(
        profiles, states, [EMOTIONS[m] for m in mains], centre=centre, scale=scale
    )
    assert not result.active
    assert result.weight is None
    assert "unusable" in result.reason
