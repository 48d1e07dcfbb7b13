"""The Emotion Explorer's playlist actions: a saved playlist renamed twice stays picked, deleting
asks first and says what went, a saved list shows in the Playlist box at once, and a demo
playlist is offered a free name for its copy."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from moodtune.config import load_settings
from moodtune.playlists import LIBRARY_ID, read_playlists, save_playlist
from moodtune.sources.demo import load_demo_playlists
from moodtune.store import open_store
from tests.app.helpers import plain, run_page

PICK = "explorer-playlist"


def _saved(name: str, n: int) -> str:
    """Save the library's first `n` tracks as playlist `name`; return its id."""
    store = open_store(load_settings())
    return save_playlist(store, name, store.index().track_ids[:n]).playlist_id


def _names() -> list[str]:
    return [p.name for p in read_playlists(open_store(load_settings(), read_only=True))]


def _toasts(at: AppTest) -> list[str]:
    return [plain(t.value) for t in at.toast]


def _run_as_browser(at: AppTest, picker_label: str = "", map_rows: list[int] | None = None) -> None:
    """Rerun with what a browser sends and AppTest does not.

    A browser sends back the picker's label it holds (the one it was last sent), where AppTest
    re-labels the chosen id with the current labels; and it sends the map's box selection, which
    AppTest cannot make.
    """
    states = at._tree.get_widget_states()
    for state in states.widgets:
        if picker_label and state.id == at.selectbox(key=PICK).id:
            state.string_value = picker_label
    if map_rows is not None:
        chart = WidgetState(id=at.get("plotly_chart")[0].proto.id)
        points = [{"customdata": [row]} for row in map_rows]
        selection = {"points": points, "point_indices": [], "box": [], "lasso": []}
        chart.json_value = json.dumps(json.dumps({"selection": selection}))
        states.widgets.append(chart)
    at._run(states)


def _held_label(at: AppTest, before: str) -> str:
    """The picker label a browser holds after this run: the new one only if it was sent."""
    box = at.selectbox(key=PICK).proto
    return box.raw_value if box.set_value else before


def test_a_saved_playlist_renamed_twice_stays_picked(library_home: Path) -> None:
    pid = _saved("Upbeat corner", 3)
    at = run_page("explorer")
    at.selectbox(key=PICK).select(pid).run()
    label = "Upbeat corner · 3 tracks · saved"
    assert at.selectbox(key=PICK).options[-1] == label

    at.text_input(key="explorer-rename").input("Upbeat one")
    at.button(key="explorer-rename-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value == "Upbeat one: profile (3 tracks)"
    assert "Renamed “Upbeat corner” to “Upbeat one”." in _toasts(at)
    label = _held_label(at, label)
    assert label == "Upbeat one · 3 tracks · saved"

    at.text_input(key="explorer-rename").input("Upbeat two")
    at.button(key="explorer-rename-go").click()
    _run_as_browser(at, picker_label=label)
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key=PICK).value == pid
    assert at.subheader[0].value == "Upbeat two: profile (3 tracks)"
    assert "Upbeat two" in _names()
    assert "Upbeat one" not in _names()

    # The same name again: said so, nothing changes, the playlist stays picked.
    label = _held_label(at, label)
    at.text_input(key="explorer-rename").input("Upbeat two")
    at.button(key="explorer-rename-go").click()
    _run_as_browser(at, picker_label=label)
    assert not at.exception
    assert any("already called “Upbeat two”" in plain(i.value) for i in at.info)
    assert at.selectbox(key=PICK).value == pid
    assert at.subheader[0].value == "Upbeat two: profile (3 tracks)"


def test_deleting_a_playlist_asks_first_and_says_what_was_deleted(library_home: Path) -> None:
    pid = _saved("Short lived", 4)
    at = run_page("explorer")
    at.selectbox(key=PICK).select(pid).run()
    assert at.button(key="explorer-delete").disabled  # until confirmed

    at.checkbox(key="explorer-delete-sure").check().run()
    assert not at.button(key="explorer-delete").disabled
    at.button(key="explorer-delete").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Short lived" not in _names()
    assert "Deleted “Short lived”; its tracks stay in the library." in _toasts(at)
    assert at.selectbox(key=PICK).value == LIBRARY_ID
    assert at.subheader[0].value.startswith("Whole library: profile")
    assert not any(o.startswith("Short lived") for o in at.selectbox(key=PICK).options)

    # Another saved playlist starts unconfirmed again.
    other = _saved("Second one", 2)
    at.run()
    at.selectbox(key=PICK).select(other).run()
    assert not at.checkbox(key="explorer-delete-sure").value
    assert at.button(key="explorer-delete").disabled


def test_a_map_selection_saved_shows_in_the_playlist_box_at_once(library_home: Path) -> None:
    at = run_page("explorer")
    _run_as_browser(at, map_rows=[0, 1, 2])
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.value == "**3 tracks selected on the map**" for m in at.markdown)
    at.text_input(key="explorer-selection-name").input("Upbeat corner")
    at.button(key="explorer-selection-save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "Upbeat corner · 3 tracks · saved" in at.selectbox(key=PICK).options
    assert any(t.startswith("Saved “Upbeat corner” (3 tracks).") for t in _toasts(at))


def test_a_demo_playlist_is_offered_a_free_name_for_its_copy(library_home: Path) -> None:
    night = next(p for p in load_demo_playlists() if p.name == "Night shift")
    at = run_page("explorer")
    at.selectbox(key=PICK).select(night.playlist_id).run()
    assert at.text_input(key="explorer-list-name").value == "Night shift 2"
    at.button(key="explorer-list-save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    copy = f"Night shift 2 · {len(night.track_ids)} tracks · saved"
    assert copy in at.selectbox(key=PICK).options
    assert at.selectbox(key=PICK).value == night.playlist_id  # the demo playlist stays picked
    assert at.text_input(key="explorer-list-name").value == "Night shift 3"
