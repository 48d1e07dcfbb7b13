"""Refinement pieces that need no library: reading a follow-up, and what changed in a list."""

from __future__ import annotations

import pytest

from moodtune.errors import InputError
from moodtune.models import Recommendation
from moodtune.refine import compare_lists, parse_follow_up


@pytest.mark.parametrize(
    ("text", "direction", "about"),
    [
        ("less angry", "less", "angry"),
        ("a bit less sad please", "less", "sad please"),
        ("not so gloomy", "less", "gloomy"),
        ("without the anger", "less", "the anger"),
        ("more upbeat", "more", "upbeat"),
        ("Much more hopeful", "more", "hopeful"),
        ("but with some hope", "more", "with some hope"),
        ("dreamier", "more", "dreamier"),
        ("moreover", "more", "moreover"),
    ],
)
def test_follow_up_direction_and_subject(text: str, direction: str, about: str) -> None:
    assert parse_follow_up(text) == (direction, about)


def test_an_empty_follow_up_is_refused() -> None:
    with pytest.raises(InputError):
        parse_follow_up("   ")


def _recs(ids: list[str]) -> list[Recommendation]:
    return [Recommendation(t, t.upper(), "A", 1.0, "lyrics", i) for i, t in enumerate(ids, 1)]


def test_changes_name_new_moved_and_dropped_tracks() -> None:
    changes = compare_lists(_recs(["a", "b", "c", "d"]), _recs(["c", "a", "e", "d"]))
    assert [(c.track_id, c.kind, c.note) for c in changes.entries] == [
        ("c", "up", "up 2"),
        ("a", "down", "down 1"),
        ("e", "new", "new"),
        ("d", "same", ""),
    ]
    assert changes.dropped == (("b", "B", "A"),)
    assert changes.summary() == "Changed: 1 new, 1 moved up, 1 moved down, 1 dropped."
    assert compare_lists(_recs(["a"]), _recs(["a"])).summary() == "Nothing changed in this list."
