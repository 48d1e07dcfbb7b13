"""The per-library calibration learnt from corrections, and the rule that switches it on."""

from __future__ import annotations

import numpy as np
import pytest

from moodtune.calibration import (
    MIN_CORRECTIONS,
    apply_bias,
    fit_bias,
    fit_calibration,
    leave_one_out,
    log_beliefs,
)
from moodtune.models import EMOTIONS

JOY, SADNESS = EMOTIONS.index("joy"), EMOTIONS.index("sadness")


def _profiles(rng: np.random.Generator, mains: list[int], lean_to: int | None) -> np.ndarray:
    """Profiles that carry their main emotion, with sadness a little higher when `lean_to`."""
    out = rng.uniform(0.05, 0.3, size=(len(mains), len(EMOTIONS)))
    for i, m in enumerate(mains):
        out[i, m] = 0.7
        if lean_to is not None and m != lean_to:
            out[i, lean_to] = 0.8  # the model over-hears this emotion
    return out


def test_the_bias_undoes_a_model_that_over_hears_one_emotion() -> None:
    rng = np.random.default_rng(0)
    mains = [JOY, EMOTIONS.index("trust"), EMOTIONS.index("anger")] * 6
    profiles = _profiles(rng, mains, lean_to=SADNESS)
    assert not np.any(np.argmax(profiles, axis=1) == np.array(mains))
    bias = fit_bias(profiles, mains)
    assert bias[SADNESS] == min(bias)
    calibrated = apply_bias(profiles, bias)
    assert np.mean(np.argmax(calibrated, axis=1) == np.array(mains)) > 0.9
    # The strongest score of each profile stays where it was: only the shape changes.
    assert np.allclose(calibrated.max(axis=1), profiles.max(axis=1), atol=1e-6)


def test_a_stronger_pull_towards_no_change_gives_a_smaller_bias() -> None:
    rng = np.random.default_rng(1)
    mains = [JOY] * 12
    profiles = _profiles(rng, mains, lean_to=SADNESS)
    strong, usual = fit_bias(profiles, mains, l2=30.0), fit_bias(profiles, mains)
    assert np.abs(strong).max() < np.abs(usual).max()


def test_log_beliefs_sum_to_one() -> None:
    beliefs = np.exp(log_beliefs(np.array([[0.0, 0.2, 0.9, 0, 0, 0, 0, 0.1]])))
    assert beliefs.sum() == pytest.approx(1.0)


def test_too_few_corrections_keep_it_off_and_say_why() -> None:
    rng = np.random.default_rng(2)
    mains = [JOY, SADNESS] * 4
    result = fit_calibration(_profiles(rng, mains, SADNESS), [EMOTIONS[m] for m in mains])
    assert not result.active
    assert result.corrections == 8
    assert f"8 of the {MIN_CORRECTIONS}" in result.reason
    assert result.bias == (0.0,) * 8


def test_one_main_emotion_is_not_enough_to_learn_from() -> None:
    rng = np.random.default_rng(3)
    mains = [JOY] * 12
    result = fit_calibration(_profiles(rng, mains, SADNESS), ["joy"] * 12)
    assert not result.active
    assert "1 main emotion" in result.reason


def test_it_switches_on_only_when_leave_one_out_beats_the_model() -> None:
    rng = np.random.default_rng(4)
    mains = [JOY, EMOTIONS.index("trust"), EMOTIONS.index("anger")] * 5
    leaning = _profiles(rng, mains, lean_to=SADNESS)
    on = fit_calibration(leaning, [EMOTIONS[m] for m in mains])
    assert on.active
    assert on.loo_before == 0.0
    assert on.loo_after == pytest.approx(leave_one_out(leaning, mains))
    assert on.loo_after is not None
    assert on.loo_after > 0.5
    assert "On:" in on.reason

    right = _profiles(rng, mains, lean_to=None)  # the model already agrees with every one
    off = fit_calibration(right, [EMOTIONS[m] for m in mains])
    assert not off.active
    assert off.loo_before == 1.0
    assert "at least 2 more of them right" in off.reason
