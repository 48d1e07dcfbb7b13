"""Refinement, thumbs-down memory and list filters on the real demo library (real models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moodtune.errors import InputError
from moodtune.feedback import FeedbackStore, Vote
from moodtune.journey import JourneyFilters, plan_journey
from moodtune.models import EMOTIONS, Recommendation, RecommendFilters
from moodtune.recommend import APPROACHES, Recommender
from moodtune.refine import compare_lists, follow_up, move, rank_refined, start, toward_track

FURIOUS = "they lied to us and I am furious"
RAINY = "rainy Sunday, missing home"


def _mean(recommender: Recommender, recs: list[Recommendation], emotion: str) -> float:
    index = recommender.view().index
    rows = [index.track_ids.index(r.track_id) for r in recs]
    return float(index.profiles[rows, EMOTIONS.index(emotion)].mean())


@pytest.mark.parametrize("approach", APPROACHES.names())
def test_less_angry_lowers_the_anger_of_the_top_five(
    recommender: Recommender, approach: str
) -> None:
    base = start(recommender, FURIOUS)
    before = rank_refined(recommender, base, approach, 5)
    after = rank_refined(recommender, follow_up(recommender, base, "less angry"), approach, 5)
    assert _mean(recommender, after, "anger") < _mean(recommender, before, "anger") - 0.05


@pytest.mark.parametrize("approach", APPROACHES.names())
def test_more_upbeat_raises_the_joy_of_the_top_five(
    recommender: Recommender, approach: str
) -> None:
    base = start(recommender, RAINY)
    before = rank_refined(recommender, base, approach, 5)
    after = rank_refined(recommender, follow_up(recommender, base, "more upbeat"), approach, 5)
    assert _mean(recommender, after, "joy") > _mean(recommender, before, "joy") + 0.1


def _neighbours(recommender: Recommender, row: int, m: int = 10) -> list[str]:
    index = recommender.view().index
    distance = np.linalg.norm(index.profiles - index.profiles[row], axis=1)
    distance -= index.song_emb @ index.song_emb[row]
    distance[row] = np.inf
    return [index.track_ids[i] for i in np.argsort(distance)[:m]]


def _mean_rank(recs: list[Recommendation], ids: list[str]) -> float:
    order = [r.track_id for r in recs]
    return float(np.mean([order.index(t) for t in ids]))


@pytest.mark.parametrize("approach", APPROACHES.names())
def test_more_like_this_raises_the_track_and_its_neighbours(
    recommender: Recommender, approach: str
) -> None:
    index = recommender.view().index
    n = len(index)
    base = start(recommender, RAINY)
    before = rank_refined(recommender, base, approach, n)
    chosen = before[9]
    row = index.track_ids.index(chosen.track_id)
    near = _neighbours(recommender, row)
    more = rank_refined(recommender, toward_track(base, index, row, "more"), approach, n)
    less = rank_refined(recommender, toward_track(base, index, row, "less"), approach, n)
    assert _mean_rank(more, near) < _mean_rank(before, near)
    assert _mean_rank(less, near) > _mean_rank(before, near)
    assert [r.track_id for r in more].index(chosen.track_id) < 9
    assert chosen.track_id not in [r.track_id for r in less[:10]]


def test_the_refined_list_says_what_changed(recommender: Recommender) -> None:
    base = start(recommender, FURIOUS)
    before = rank_refined(recommender, base, "emotions", 5)
    moved = move(recommender, base, sentences=["less angry"], less_like=[0])
    assert moved.steps[0].startswith("less like “")
    assert moved.steps[1] == "less angry"
    assert moved.label.startswith(FURIOUS + " · less like")
    after = rank_refined(recommender, moved, "emotions", 5)
    changes = compare_lists(before, after)
    assert len(changes.entries) == 5
    assert {c.kind for c in changes.entries} <= {"new", "up", "down", "same"}
    assert len(changes.dropped) == sum(c.kind == "new" for c in changes.entries) > 0
    assert changes.summary().startswith("Changed: ")


def test_an_unmoved_query_ranks_as_its_sentence(recommender: Recommender) -> None:
    for approach in APPROACHES.names():
        plain = recommender.recommend(RAINY, approach, 5)
        again = rank_refined(recommender, start(recommender, RAINY), approach, 5)
        assert [r.track_id for r in again] == [r.track_id for r in plain]


@pytest.mark.parametrize("approach", APPROACHES.names())
def test_a_thumbs_down_demotes_the_track_for_similar_queries_only(
    recommender: Recommender, approach: str, tmp_path: Path
) -> None:
    votes = FeedbackStore(tmp_path / "feedback.db")
    voting = Recommender(
        recommender.store,
        recommender.embedder,
        recommender.extractor,
        query_votes=votes.query_votes,
    )
    similar, unrelated = "I feel so homesick on this rainy Sunday", "pumped for the big match"
    n = len(recommender.view().index)
    before = [r.track_id for r in voting.recommend(similar, approach, n)]
    top = voting.recommend(similar, approach, 1)[0]
    elsewhere = [r.track_id for r in voting.recommend(unrelated, approach, 20)]
    votes.record(Vote("s1", RAINY, approach, 1, top.track_id, up=False))
    after = voting.recommend(similar, approach, n)
    ids = [r.track_id for r in after]
    assert ids.index(top.track_id) > before.index(top.track_id) + 3
    assert all(r.demoted == (r.track_id == top.track_id) for r in after)
    assert [r.track_id for r in voting.recommend(unrelated, approach, 20)] == elsewhere


def test_recommend_filters_leave_out_artists_repeat_none_and_bound_years(
    recommender: Recommender,
) -> None:
    index = recommender.view().index
    n = len(index)
    first = recommender.recommend(RAINY, "lyrics", 10)
    left_out = first[0].artist
    filters = RecommendFilters(
        exclude_artists=(left_out.upper(),), one_per_artist=True, year_from=2000, year_to=2015
    )
    results = recommender.recommend(RAINY, "lyrics", 10, filters)
    assert len(results) == 10
    assert left_out not in {r.artist for r in results}
    assert len({r.artist.casefold() for r in results}) == 10
    assert all(r.year is not None and 2000 <= r.year <= 2015 for r in results)
    everything = recommender.recommend(RAINY, "lyrics", n, RecommendFilters(one_per_artist=True))
    assert len(everything) == len({a.casefold() for a in index.artists})
    with pytest.raises(InputError, match="backwards"):
        recommender.recommend(RAINY, "lyrics", 5, RecommendFilters(year_from=2020, year_to=2000))


def test_refined_lists_and_journeys_take_the_same_filters(recommender: Recommender) -> None:
    base = follow_up(recommender, start(recommender, FURIOUS), "less angry")
    filters = RecommendFilters(year_to=2005, one_per_artist=True)
    refined = rank_refined(recommender, base, "hybrid", 6, filters)
    assert all(r.year is not None and r.year <= 2005 for r in refined)
    assert len({r.artist for r in refined}) == 6
    years = dict(
        zip(recommender.view().index.track_ids, recommender.view().index.years, strict=True)
    )
    walk = plan_journey(
        recommender, FURIOUS, "joy", 6, JourneyFilters(one_per_artist=True, year_from=2010)
    )
    assert all((years[s.track_id] or 0) >= 2010 for s in walk.steps)
    assert len({s.artist for s in walk.steps}) == 6
