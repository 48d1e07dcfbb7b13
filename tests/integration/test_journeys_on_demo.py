"""Journeys on the real demo library (real embedder, extractor and Deep Lake): the issue's
done-when, a sentence target, the filters, and corrections counting through the listener view."""

from __future__ import annotations

import itertools

import pytest

from moodtune.errors import InputError
from moodtune.journey import JourneyFilters, plan_journey
from moodtune.recommend import Recommender

CRYING = "I can't stop crying since she left"


def test_crying_to_joy_meets_every_promise(recommender: Recommender) -> None:
    journey = plan_journey(recommender, CRYING, "joy")
    assert len(journey) == 8
    assert len({s.track_id for s in journey.steps}) == 8
    assert journey.query_profile.dominant == "sadness"
    first, last = journey.steps[0], journey.steps[-1]
    assert first.to_query < first.to_target  # the first track meets the query
    assert last.to_target < first.to_target  # the distance to joy falls overall ...
    d = journey.distances
    assert all(b <= a for a, b in itertools.pairwise(d))  # ... and at every step
    artists = [s.artist for s in journey.steps]
    assert all(a != b for a, b in itertools.pairwise(artists))
    assert first.profile.dominant == "sadness"
    assert last.profile.dominant == "joy"
    assert journey.checks().all
    index = recommender.view().index
    assert all(index.track_ids[s.row] == s.track_id for s in journey.steps)


def test_a_sentence_target_and_a_length(recommender: Recommender) -> None:
    journey = plan_journey(recommender, "heartbroken and alone", "hopeful about tomorrow", n=5)
    assert len(journey) == 5
    assert journey.target.emotion is None
    assert journey.target.label == "hopeful about tomorrow"
    assert journey.checks().falls_overall
    assert "hopeful about tomorrow" in journey.steps[-1].why


def test_filters_on_the_demo_library(recommender: Recommender) -> None:
    plain = plan_journey(recommender, CRYING, "joy", n=6)
    left_out = plain.steps[0].artist
    journey = plan_journey(
        recommender, CRYING, "joy", n=6, filters=JourneyFilters((left_out,), one_per_artist=True)
    )
    artists = [s.artist for s in journey.steps]
    assert left_out not in artists
    assert len(set(artists)) == 6


@pytest.mark.parametrize(
    ("query", "target", "n", "message"),
    [
        ("", "joy", 8, "query is empty"),
        (CRYING, "", 8, "Say where the journey goes"),
        (CRYING, "joy", 1, "2 to 30 tracks"),
        (CRYING, "joy", 31, "2 to 30 tracks"),
    ],
)
def test_bad_input_is_an_input_error(
    recommender: Recommender, query: str, target: str, n: int, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        plan_journey(recommender, query, target, n)
