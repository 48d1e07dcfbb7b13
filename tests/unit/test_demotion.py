"""Thumbs-down memory: which earlier votes count for a new query, and how far a track moves."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from moodtune.demotion import DEMOTE_SHARE, demote, demotions
from moodtune.feedback import QueryVote

VECTORS = {
    "same": np.array([1.0, 0.0, 0.0]),
    "close": np.array([0.7, 0.714, 0.0]),  # cosine 0.7 with "same"
    "far": np.array([0.0, 0.0, 1.0]),
}


def embed(texts: list[str]) -> np.ndarray:
    return np.array([VECTORS[t] for t in texts])


def test_only_net_down_votes_on_similar_queries_count() -> None:
    votes = [
        QueryVote("same", "a", -1),
        QueryVote("close", "b", -2),
        QueryVote("far", "c", -1),
        QueryVote("same", "d", 1),
        QueryVote("same", "e", 0),
    ]
    weights = demotions(VECTORS["same"], votes, embed)
    assert set(weights) == {"a", "b"}
    assert weights["a"] == 1.0
    assert 0.5 < weights["b"] < 1.0
    assert demotions(VECTORS["same"], [QueryVote("same", "a", 1)], embed) == {}


def test_a_demotion_costs_a_share_of_the_score_spread() -> None:
    scores = np.linspace(1.0, 0.0, 101).astype(np.float32)
    row_of = {f"t{i}": i for i in range(101)}

    def ids(track_ids: Iterable[str]) -> np.ndarray:
        return np.array([row_of[t] for t in track_ids if t in row_of], dtype=np.int64)

    out = demote(scores, ids, {"t0": 1.0, "t1": 0.5, "gone": 1.0})
    assert np.isclose(out[0], 1.0 - DEMOTE_SHARE * 0.9, atol=1e-5)
    assert np.isclose(out[1], 0.99 - DEMOTE_SHARE * 0.45, atol=1e-5)
    assert np.array_equal(out[2:], scores[2:])
    assert demote(scores, ids, {}) is scores
