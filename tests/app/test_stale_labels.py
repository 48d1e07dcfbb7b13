"""Playlist boxes keep their choice when a picked playlist is renamed elsewhere (another session,
or the CLI): the Explorer's "Playlists to compare" and the Recommend page's "Only from".

A browser sends back the labels it holds (the ones it was last sent), where AppTest re-labels the
chosen ids with the current labels; these tests send what a browser would.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from streamlit.testing.v1 import AppTest

from moodtune.config import load_settings
from moodtune.playlists import rename_playlist, save_playlist
from moodtune.store import open_store
from tests.app.helpers import plain, run_page

COMPARE, LIMIT = "explorer-compare", "rec-playlist"


def _saved(name: str, n: int) -> str:
    """Save the library's first `n` tracks as playlist `name`; return its id."""
    store = open_store(load_settings())
    return save_playlist(store, name, store.index().track_ids[:n]).playlist_id


def _rename_elsewhere(playlist_id: str, name: str) -> None:
    """Rename a playlist outside this session, as `moodtune playlists rename` does."""
    rename_playlist(open_store(load_settings()), playlist_id, name)


def _run_as_browser(at: AppTest, held: Mapping[str, str | list[str]]) -> None:
    """Rerun with the labels a browser holds for the boxes keyed in `held`."""
    states = at._tree.get_widget_states()
    ids = {w.id: w.key for kind in ("selectbox", "multiselect") for w in at.get(kind)}
    for state in states.widgets:
        if ids.get(state.id) in held:
            labels = held[ids[state.id]]
            if isinstance(labels, list):
                state.string_array_value.data[:] = labels
            else:
                state.string_value = labels
    at._run(states)


def _held(at: AppTest, kind: str, key: str, before: str | list[str]) -> str | list[str]:
    """The labels a browser holds after this run: the new ones only if the run sent them."""
    proto = next(w for w in at.get(kind) if w.key == key).proto
    if not proto.set_value:
        return before
    return list(proto.raw_values) if kind == "multiselect" else str(proto.raw_value)


def test_compared_playlists_stay_picked_when_one_is_renamed_elsewhere(library_home: Path) -> None:
    first, second = _saved("Upbeat corner", 3), _saved("Slow end", 4)
    at = run_page("explorer")
    at.multiselect(key=COMPARE).set_value([first, second]).run()
    assert not at.exception, [e.value for e in at.exception]
    held: str | list[str] = ["Upbeat corner · 3 tracks · saved", "Slow end · 4 tracks · saved"]
    assert at.multiselect(key=COMPARE).options[-2:] == held

    _rename_elsewhere(first, "Upbeat one")
    _run_as_browser(at, {COMPARE: held})  # any click sends every box's labels
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key=COMPARE).value == [first, second]
    held = _held(at, "multiselect", COMPARE, held)
    assert held == ["Upbeat one · 3 tracks · saved", "Slow end · 4 tracks · saved"]
    assert any(plain(c.value).startswith("Upbeat one (3 tracks)") for c in at.caption)

    _run_as_browser(at, {COMPARE: held})  # the next click sends the new labels
    assert not at.exception
    assert at.multiselect(key=COMPARE).value == [first, second]


def test_only_from_stays_picked_when_its_playlist_is_renamed_elsewhere(library_home: Path) -> None:
    pid = _saved("Quiet hours", 5)
    at = run_page("recommend")
    at.selectbox(key=LIMIT).select(pid)
    at.text_area(key="rec-query").input("rainy Sunday, missing home")
    at.button(key="rec-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    held: str | list[str] = "Quiet hours · 5 tracks · saved"

    _rename_elsewhere(pid, "Late and quiet")
    at.button(key="rec-submit").click()
    _run_as_browser(at, {LIMIT: held})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key=LIMIT).value == pid
    held = _held(at, "selectbox", LIMIT, held)
    assert held == "Late and quiet · 5 tracks · saved"

    at.button(key="rec-submit").click()
    _run_as_browser(at, {LIMIT: held})
    assert not at.exception
    assert at.selectbox(key=LIMIT).value == pid
