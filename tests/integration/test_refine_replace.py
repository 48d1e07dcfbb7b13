"""Refinement on the real demo library: a later move on a song replaces the earlier one."""

from __future__ import annotations

import numpy as np
import pytest

from moodtune.recommend import Recommender
from moodtune.refine import follow_up, move, rank_refined, start, toward_track

FURIOUS = "they lied to us and I am furious"


def test_less_like_after_more_like_on_the_same_song_replaces_it(recommender: Recommender) -> None:
    index = recommender.view().index
    base = start(recommender, FURIOUS)
    top = rank_refined(recommender, base, "emotions", 5)[0]
    row = index.track_ids.index(top.track_id)
    more = move(recommender, base, more_like=[row])
    assert rank_refined(recommender, more, "emotions", 5)[0].track_id == top.track_id

    less = move(recommender, more, less_like=[row])
    only_less = toward_track(base, index, row, "less")
    assert less.steps == only_less.steps == (f"less like “{top.title}”",)
    np.testing.assert_allclose(less.vector(), only_less.vector(), atol=1e-6)
    assert less.profile.scores == pytest.approx(only_less.profile.scores)
    after = [r.track_id for r in rank_refined(recommender, less, "emotions", 5)]
    assert after[0] != top.track_id


def test_a_replaced_move_keeps_the_other_moves_in_order(recommender: Recommender) -> None:
    index = recommender.view().index
    base = start(recommender, FURIOUS)
    moved = move(recommender, base, more_like=[0], sentences=["less angry"])
    moved = move(recommender, moved, less_like=[1])
    moved = move(recommender, moved, less_like=[0])  # replaces "more like" on track 0
    assert moved.steps == (
        "less angry",
        f"less like “{index.titles[1]}”",
        f"less like “{index.titles[0]}”",
    )
    expected = follow_up(recommender, base, "less angry")
    expected = toward_track(expected, index, 1, "less")
    expected = toward_track(expected, index, 0, "less")
    np.testing.assert_allclose(moved.vector(), expected.vector(), atol=1e-6)
    assert moved.profile.scores == pytest.approx(expected.profile.scores)
    assert moved.origin == base.origin
