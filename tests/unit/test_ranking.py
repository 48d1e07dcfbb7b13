from __future__ import annotations

import numpy as np
import pytest

from moodtune.recommend import _rrf, top_rows


def test_top_rows_matches_a_full_stable_sort() -> None:
    scores = np.random.default_rng(3).random(500).astype(np.float32)
    full = np.argsort(-scores, kind="stable")
    for k in (1, 5, 37, 499, 500, 600):
        assert top_rows(scores, k).tolist() == full[:k].tolist()


def test_top_rows_respects_the_mask_and_keeps_ties_in_row_order() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.1, 0.9])
    assert top_rows(scores, 3).tolist() == [1, 4, 0]
    mask = np.array([True, False, True, True, False])
    assert top_rows(scores, 2, mask).tolist() == [0, 2]
    assert top_rows(scores, 10, np.zeros(5, dtype=bool)).tolist() == []


def test_reciprocal_rank_fusion_scores() -> None:
    fused = _rrf(np.array([0.1, 0.9, 0.5]))
    assert fused == pytest.approx([1 / 63, 1 / 61, 1 / 62])
