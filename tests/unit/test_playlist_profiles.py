"""A playlist's profile, its mood in a sentence, and comparisons, on hand-made indexes."""

from __future__ import annotations

import pytest

from moodtune.errors import InputError
from moodtune.models import EMOTIONS, Playlist
from moodtune.playlist_profiles import compare_playlists, describe_mood, profile_playlist
from moodtune.store import LibraryIndex
from tests.unit.hand_index import hand_index


def _index(profiles: dict[str, dict[str, float]]) -> LibraryIndex:
    ids = list(profiles)
    return hand_index(
        [[profiles[t].get(e, 0.0) for e in EMOTIONS] for t in ids],
        track_ids=ids,
        titles=[f"title {t}" for t in ids],
        artists=[f"artist {t}" for t in ids],
    )


@pytest.mark.parametrize(
    ("dominant", "reading"),
    [
        ([], "No tracks yet."),
        (["joy"], "A single joy song."),
        (["sadness"] * 7 + ["joy"], "Mostly sadness."),
        (
            ["sadness", "trust", "sadness", "anger", "anger", "anger", "trust", "sadness",
             "trust", "sadness"],
            "Mostly sadness and trust, with an anger streak in the middle.",
        ),
        (
            ["fear", "fear", "joy", "trust", "joy", "trust", "joy", "trust"],
            "Mostly joy and trust, with a fear streak at the start.",
        ),
        (
            ["joy", "trust", "fear", "sadness", "anger", "surprise"],
            "A mix of joy, trust and fear, opening on joy and closing on anger.",
        ),
    ],
)  # fmt: skip
def test_describe_mood(dominant: list[str], reading: str) -> None:
    assert describe_mood(dominant) == reading


def test_profile_follows_play_order_and_skips_tracks_not_stored() -> None:
    index = _index({"a": {"joy": 0.8}, "b": {"sadness": 0.6, "joy": 0.2}, "c": {"anger": 0.4}})
    profile = profile_playlist(index, Playlist("p", "P", "file", ("c", "missing", "a")))
    assert profile.track_ids == ("c", "a")
    assert profile.rows.tolist() == [2, 0]
    assert profile.dominant == ("anger", "joy")
    assert profile.arc[:, EMOTIONS.index("anger")].tolist() == pytest.approx([0.4, 0.0])
    assert profile.mean["joy"] == pytest.approx(0.4)
    assert profile.mean["anger"] == pytest.approx(0.2)
    assert dict(profile.counts) == {e: int(e in ("anger", "joy")) for e in EMOTIONS}


def test_compare_ranks_differences_and_names_the_tracks_that_drive_them() -> None:
    index = _index({
        "g1": {"anger": 0.9, "joy": 0.1}, "g2": {"anger": 0.5, "joy": 0.3},
        "shared": {"anger": 0.95}, "s1": {"joy": 0.8, "anger": 0.1}, "s2": {"joy": 0.6},
    })  # fmt: skip
    gym = Playlist("gym", "Gym", "file", ("g1", "g2", "shared"))
    sunday = Playlist("sun", "Sunday", "file", ("s1", "s2", "shared"))
    comparison = compare_playlists(index, [gym, sunday])
    top = comparison.differences[0]
    # anger: Gym (0.9 + 0.5 + 0.95) / 3 against Sunday (0.1 + 0 + 0.95) / 3.
    assert top.emotion == "anger"
    assert top.means == pytest.approx((2.35 / 3, 1.05 / 3), abs=1e-4)
    assert (top.high, top.low) == ("Gym", "Sunday")
    assert top.difference == pytest.approx(1.3 / 3, abs=1e-4)
    # The shared track lifts both means alike, so it drives nothing.
    assert [d.track_id for d in top.drivers] == ["g1", "g2"]
    joy = next(d for d in comparison.differences if d.emotion == "joy")
    assert joy.high == "Sunday"
    assert [d.track_id for d in joy.drivers] == ["s1", "s2"]
    assert comparison.summary() == (
        "Gym carries more anger than Sunday (+0.43), driven by title g1, title g2."
    )
    differences = [d.difference for d in comparison.differences]
    assert differences == sorted(differences, reverse=True)


def test_compare_needs_two_or_three_different_playlists() -> None:
    index = _index({"a": {"joy": 1.0}})
    one = Playlist("p", "P", "file", ("a",))
    with pytest.raises(InputError, match="two or three"):
        compare_playlists(index, [one])
    with pytest.raises(InputError, match="different"):
        compare_playlists(index, [one, one])


def test_emotions_leading_as_many_tracks_are_ordered_by_the_mean() -> None:
    dominant = ["fear", "joy", "sadness", "sadness", "sadness", "fear", "joy"]
    by_order = describe_mood(dominant)
    assert by_order.startswith("Mostly sadness and joy")  # joy before fear in EMOTIONS
    mean = [0.30 if e == "joy" else 0.32 if e == "fear" else 0.1 for e in EMOTIONS]
    assert describe_mood(dominant, mean).startswith("Mostly sadness and fear")


def test_the_whole_library_has_no_arc_to_read() -> None:
    dominant = ["joy", "joy", "joy", "sadness", "anger", "anger", "disgust", "disgust"]
    assert describe_mood(dominant) == "Mostly joy and disgust, with an anger streak in the middle."
    assert describe_mood(dominant, ordered=False) == "Mostly joy and disgust."
