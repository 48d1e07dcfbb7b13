"""Uncertainty: percentile bootstrap intervals over items and Wilson intervals for shares.

Owns the shared confidence level, resample count and seed, so every report draws its intervals
the same way. Pure functions; must not read files or run models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 13


def bootstrap_ci(
    values: Sequence[float],
    *,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean, resampling with a fixed seed.

    With the same seed and length, every call draws the same resamples, so intervals of
    several approaches over the same queries are paired.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("A bootstrap interval needs at least one value.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (got {confidence}).")
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(resamples, arr.size))].mean(axis=1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def wilson_interval(
    successes: int, total: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there are no trials.

    Unlike the normal approximation it stays inside [0, 1] and is sensible for few votes
    and for shares near 0 or 1.
    """
    if total < 0 or not 0 <= successes <= total:
        raise ValueError(f"Need 0 <= successes <= total (got {successes} of {total}).")
    if total == 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Interval:
    mean: float
    low: float
    high: float


def mean_interval(
    values: Sequence[float], confidence: float, resamples: int, seed: int
) -> Interval:
    """The mean of `values` with its percentile bootstrap interval."""
    low, high = bootstrap_ci(values, confidence=confidence, resamples=resamples, seed=seed)
    return Interval(float(np.mean(values)), low, high)
