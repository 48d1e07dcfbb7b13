"""A per-library calibration of the model's song emotions, learnt from listeners' corrections.

Owns: fitting one bias per emotion on the log of the model's song profiles, so that the
corrected tracks' main emotions come out on top (a multinomial likelihood with an L2 pull
towards no change); judging it by leave-one-out over the corrections (each correction predicted
by a calibration fitted on the others, against the uncalibrated model); the rule that switches
it on; and applying it to profiles.

The rule: at least MIN_CORRECTIONS corrections covering at least MIN_EMOTIONS main emotions, and
a leave-one-out agreement that gets at least MIN_GAIN more corrections right than the
uncalibrated model does. Below
that the calibration stays off and `Calibration.reason` says why. On the development sets a
bias fitted on 20 random corrections lowered the agreement of the other tracks about as often
as it raised it (docs/corrections.md), so the leave-one-out check is what keeps it honest.
Must not read stores or embed: callers pass arrays in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moodtune.models import EMOTIONS

MIN_CORRECTIONS = 10
MIN_EMOTIONS = 2
MIN_GAIN = 2  # corrections that leave-one-out must win over the model alone, to switch on
L2 = 3.0  # pull towards no change, chosen on the development sets (docs/corrections.md)
FLOOR = 1e-4  # profiles are clipped here before the log: a zero score stays very unlikely
_ITERATIONS = 100


@dataclass(frozen=True, slots=True)
class Calibration:
    """What the corrections taught: a bias per emotion, and whether it is in use and why."""

    active: bool
    bias: tuple[float, ...]  # in EMOTIONS order; zeros when inactive
    corrections: int  # corrections whose track is in the library
    loo_before: float | None  # leave-one-out agreement of the uncalibrated model
    loo_after: float | None  # ... and of the calibration fitted without each correction
    reason: str

    @classmethod
    def off(cls, corrections: int, reason: str) -> Calibration:
        return cls(False, (0.0,) * len(EMOTIONS), corrections, None, None, reason)


def log_beliefs(profiles: np.ndarray) -> np.ndarray:
    """Log of each profile, normalised to sum to one: the model's belief in each main emotion."""
    x = np.log(np.maximum(np.asarray(profiles, dtype=np.float64).reshape(-1, len(EMOTIONS)), FLOOR))
    out: np.ndarray = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    return out


def fit_bias(profiles: np.ndarray, mains: Sequence[int], l2: float = L2) -> np.ndarray:
    """The bias per emotion that makes `mains` most likely, shrunk towards zero by `l2`.

    A convex problem in 8 unknowns: Newton steps with the diagonal of the Hessian converge in
    a few dozen iterations.
    """
    x = log_beliefs(profiles)
    target = np.eye(len(EMOTIONS))[np.asarray(mains, dtype=np.int64)]
    bias = np.zeros(len(EMOTIONS))
    for _ in range(_ITERATIONS):
        z = x + bias
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        gradient = (p - target).sum(axis=0) + l2 * bias
        bias -= gradient / ((p * (1 - p)).sum(axis=0) + l2)
    return bias


def apply_bias(profiles: np.ndarray, bias: Sequence[float] | np.ndarray) -> np.ndarray:
    """Scale each emotion by exp(bias), keeping each profile's strongest score where it was."""
    p = np.maximum(np.asarray(profiles, dtype=np.float64).reshape(-1, len(EMOTIONS)), 0.0)
    scaled = p * np.exp(np.asarray(bias, dtype=np.float64))
    top = scaled.max(axis=1, keepdims=True)
    out = np.divide(scaled * p.max(axis=1, keepdims=True), top, out=np.zeros_like(p), where=top > 0)
    clipped: np.ndarray = np.clip(out, 0.0, 1.0).astype(np.float32)
    return clipped


def leave_one_out(profiles: np.ndarray, mains: Sequence[int], l2: float = L2) -> float:
    """Share of corrections whose main emotion tops a calibration fitted on the others."""
    x = np.asarray(profiles, dtype=np.float64).reshape(-1, len(EMOTIONS))
    y = np.asarray(mains, dtype=np.int64)
    hits = 0
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        calibrated = log_beliefs(x[i : i + 1])[0] + fit_bias(x[keep], y[keep], l2)
        hits += int(np.argmax(calibrated) == y[i])
    return hits / len(y) if len(y) else 0.0


def fit_calibration(
    profiles: np.ndarray,
    mains: Sequence[str],
    *,
    minimum: int = MIN_CORRECTIONS,
    min_gain: int = MIN_GAIN,
) -> Calibration:
    """Learn from the model's profiles of corrected tracks and the listeners' main emotions."""
    n = len(mains)
    if n < minimum:
        return Calibration.off(
            n, f"Off: {n} of the {minimum} corrections it needs before it can learn anything."
        )
    distinct = len(set(mains))
    if distinct < MIN_EMOTIONS:
        return Calibration.off(
            n, f"Off: the corrections name {distinct} main emotion; it needs {MIN_EMOTIONS}."
        )
    y = [EMOTIONS.index(m) for m in mains]
    x = np.asarray(profiles, dtype=np.float64).reshape(-1, len(EMOTIONS))
    before = float(np.mean(np.argmax(x, axis=1) == np.asarray(y)))
    after = leave_one_out(x, y)
    if round((after - before) * n) < min_gain:
        return Calibration(
            False,
            (0.0,) * len(EMOTIONS),
            n,
            before,
            after,
            f"Off: tried on each correction in turn it agrees with {after:.0%} of them, the "
            f"model alone with {before:.0%}; it switches on only when it gets at least "
            f"{min_gain} more of them right.",
        )
    bias = fit_bias(x, y)
    return Calibration(
        True,
        tuple(float(b) for b in bias),
        n,
        before,
        after,
        f"On: tried on each correction in turn it agrees with {after:.0%} of them, the model "
        f"alone with {before:.0%}.",
    )
