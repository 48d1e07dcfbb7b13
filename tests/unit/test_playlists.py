"""The playlist store's pure parts: membership after each batch, older libraries, look-ups,
the stored format."""

from __future__ import annotations

import pytest

from moodtune.errors import InputError, NotFoundError, StoreError
from moodtune.models import Playlist, Track
from moodtune.playlists import (
    dump_document,
    earlier_playlists,
    file_playlist,
    find_playlist,
    merge_membership,
    parse_document,
    playlists_of,
    within,
)
from moodtune.sources.demo import load_demo_playlists

OLD = Playlist("file:gym.csv", "gym.csv", "file", ("a", "b", "c", "d"))


def _declared(*ids: str) -> Playlist:
    return Playlist("file:gym.csv", "gym.csv", "file", ids)


def test_after_every_batch_a_playlist_lists_only_stored_tracks_in_the_new_order() -> None:
    new = _declared("d", "e", "b", "f")  # a and c left, e and f are new
    library = {"a", "b", "c", "d"}
    # Before any batch: old members still listed lose their place only when the source drops them.
    [before] = merge_membership([OLD], [new], set(), library, "t0")
    assert before.track_ids == ("d", "b")
    # After the first batch (d, e) stored e.
    library |= {"e"}
    [mid] = merge_membership([before], [new], {"d", "e"}, library, "t1")
    assert mid.track_ids == ("d", "e", "b")
    # After the last batch f is stored; membership is exactly the source's order.
    library |= {"f"}
    [done] = merge_membership([mid], [new], {"d", "e", "b", "f"}, library, "t2")
    assert done.track_ids == ("d", "e", "b", "f")
    assert done.updated_at == "t2"


def test_a_track_without_lyrics_is_not_a_member_until_stored() -> None:
    [result] = merge_membership([], [_declared("x", "y")], {"x", "y"}, {"y"}, "t")
    assert result.track_ids == ("y",)


def test_other_playlists_are_untouched_and_new_ones_are_added_after() -> None:
    other = Playlist("demo:a", "A", "demo", ("a",))
    merged = merge_membership(
        [other, OLD], [Playlist("file:x.csv", "x.csv", "file", ("a", "b"))], {"a", "b"}, {"a", "b"}
    )
    assert [p.playlist_id for p in merged] == ["demo:a", "file:gym.csv", "file:x.csv"]
    assert merged[0] == other
    assert merged[1] == OLD
    assert playlists_of(merged)["a"] == ("A", "gym.csv", "x.csv")


def test_file_playlist_is_named_after_the_file_and_keeps_the_first_of_repeated_ids() -> None:
    tracks = [Track("t1", "One", "X"), Track("t2", "Two", "X"), Track("t1", "One", "X")]
    playlist = file_playlist("sunday.csv", tracks)
    assert (playlist.playlist_id, playlist.name, playlist.kind) == (
        "file:sunday.csv",
        "sunday.csv",
        "file",
    )
    assert playlist.track_ids == ("t1", "t2")


def test_an_older_library_gets_the_demo_playlists_and_one_list_per_other_source() -> None:
    demo = load_demo_playlists()
    first, second = demo[0].track_ids[:2]
    sources = {"f1": "file", first: "demo", "s1": "spotify", second: "demo", "f2": "file"}
    found = earlier_playlists(sources, demo)
    by_id = {p.playlist_id: p for p in found}
    assert by_id[demo[0].playlist_id].track_ids == (first, second)
    assert by_id["earlier:file"].track_ids == ("f1", "f2")
    assert by_id["earlier:file"].name == "Earlier file imports"
    assert by_id["earlier:spotify"].track_ids == ("s1",)
    # Demo playlists with none of their songs in the library are not listed.
    assert all(p.track_ids for p in found)
    assert earlier_playlists({}, demo) == ()


def test_demo_playlists_hold_demo_songs_and_some_songs_sit_in_two() -> None:
    demo = load_demo_playlists()
    assert len(demo) >= 3
    ids = [t for p in demo for t in p.track_ids]
    assert all(t.startswith("demo-") for t in ids)
    assert len(ids) > len(set(ids))
    assert len({p.name for p in demo}) == len(demo)


def test_find_by_id_or_name_ignoring_case() -> None:
    lists = [OLD, Playlist("demo:x", "Night Shift", "demo", ())]
    assert find_playlist(lists, "night shift").playlist_id == "demo:x"
    assert find_playlist(lists, "file:gym.csv") is OLD
    with pytest.raises(NotFoundError, match=r"Available: gym\.csv, Night Shift"):
        find_playlist(lists, "nope")
    twins = [*lists, Playlist("saved:gym", "GYM.csv", "saved", ())]
    with pytest.raises(InputError, match=r"file:gym\.csv, saved:gym"):
        find_playlist(twins, "gym.csv")


def test_document_round_trips_and_rejects_bad_or_newer_documents() -> None:
    lists = (OLD, Playlist("spotify:abc", "Moods", "spotify", ("s",), "Me", "snap-1", "", "t"))
    assert parse_document(dump_document(lists)) == lists
    assert parse_document(None) is None
    with pytest.raises(StoreError, match="could not be read"):
        parse_document('{"playlists": [{"name": 3}]}')
    with pytest.raises(StoreError, match="newer MoodTune"):
        parse_document('{"format": 99, "playlists": []}')


def test_within_keeps_play_order() -> None:
    assert within(OLD, ["d", "b", "z"]).track_ids == ("b", "d")
