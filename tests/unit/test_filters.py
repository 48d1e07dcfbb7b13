"""The filters every list shares: artists left out, one song per artist, a year range."""

from __future__ import annotations

import numpy as np
import pytest

from moodtune.errors import InputError
from moodtune.filters import (
    artist_mask,
    best_rows_one_per_artist,
    check_years,
    unknown_year_note,
    year_mask,
)
from moodtune.store import LibraryIndex
from tests.unit.hand_index import hand_index


def _index(artists: list[str], years: list[int | None]) -> LibraryIndex:
    n = len(artists)
    return hand_index(
        np.zeros((n, 8)), song_emb=np.eye(n, 4, dtype=np.float32), artists=artists, years=years
    )


def test_year_range_keeps_unknown_years_and_the_bounds() -> None:
    index = _index(["a"] * 5, [1990, 2000, None, 2010, 2011])
    assert year_mask(index, 2000, 2010).tolist() == [False, True, True, True, False]
    assert year_mask(index, None, 1999).tolist() == [True, False, True, False, False]
    assert year_mask(index, None, None).all()


def test_an_index_without_years_keeps_everything() -> None:
    index = _index(["a", "b"], [])
    assert year_mask(index, 2000, 2001).all()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(2010, 2000, "runs backwards"), (99, None, "between 1000 and 2100"), (None, 3000, "2100")],
)
def test_bad_year_ranges_are_refused(start: int | None, end: int | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_years(start, end)


def test_excluded_artists_ignore_case_and_spaces() -> None:
    index = _index(["The Fakes", "Other", "the fakes "], [None] * 3)
    assert artist_mask(index, [" THE FAKES"]).tolist() == [False, True, False]
    assert artist_mask(index, ["", " "]).all()


def test_one_per_artist_keeps_each_artists_best_song() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5], dtype=np.float32)
    artists = ["A", "a", "B", "C", "B"]
    mask = np.array([True, True, True, True, True])
    assert best_rows_one_per_artist(scores, 3, mask, artists).tolist() == [0, 2, 3]
    mask[0] = False
    assert best_rows_one_per_artist(scores, 5, mask, artists).tolist() == [1, 2, 3]


def test_the_note_counts_tracks_without_a_year_only_under_a_range() -> None:
    assert unknown_year_note([2001, None, None], 2000, 2005).startswith(
        "2 listed tracks have no known year; the range 2000 to 2005 keeps"
    )
    assert "from 2000" in unknown_year_note([None], 2000, None)
    assert unknown_year_note([None], None, None) == ""
    assert unknown_year_note([2001], 2000, None) == ""
