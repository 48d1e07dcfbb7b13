"""Playlist pieces of the pages: the Explorer's playlist picker, a playlist's profile with its mood
in a sentence and its arc, two or three playlists compared side by side, and the Recommend
page's "only from this playlist" box.

Owns: these widgets (keys `explorer-playlist`, `explorer-compare`, `rec-playlist`, with the labels
each last showed under `<key>-drawn`, so that a picked playlist stays picked when its label
changes; and the rename and delete widgets `explorer-rename*`, `explorer-delete*`), their
charts' keys, the comparison table's columns, the name suggested for saving a list (one no
playlist has yet), and the rerun after a playlist is saved, renamed or deleted, with its message
shown as a toast on the next run.
Must not compute profiles or differences (moodtune/playlist_profiles.py does) and must not catch
errors (the pages show them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from moodtune.charts import arc_chart, distribution_bar, radar
from moodtune.errors import MoodTuneError
from moodtune.models import Playlist
from moodtune.playlist_profiles import MAX_COMPARED, PlaylistProfile, compare_playlists
from moodtune.playlists import (
    LIBRARY_ID,
    MAX_NAME,
    SAVED,
    delete_playlist,
    library_playlist,
    read_playlists,
    rename_playlist,
)
from moodtune.store import LibraryIndex, Store, open_store
from moodtune.ui import resources
from moodtune.ui.list_actions import list_actions
from moodtune.ui.safe import md_escape

PICK_KEY, COMPARE_KEY, LIMIT_KEY = "explorer-playlist", "explorer-compare", "rec-playlist"
NOTICE_KEY = "explorer-playlist-notice"  # what the last change did, shown on the next run
RENAME_FOR, RENAME_KEY = "explorer-rename-for", "explorer-rename"
SURE_KEY = "explorer-delete-sure"
SELECTION_KEY, LIST_KEY = "explorer-selection", "explorer-list"  # list_actions keys
KINDS = {
    "spotify": "Spotify",
    "file": "file",
    "demo": "demo",
    "saved": "saved",
    "earlier": "before playlists",
    "library": "all tracks",
}


def _choices(playlists: Sequence[Playlist], index: LibraryIndex) -> dict[str, Playlist]:
    whole = library_playlist(index.track_ids)
    return {whole.playlist_id: whole, **{p.playlist_id: p for p in playlists}}


def _label(playlist: Playlist) -> str:
    kind = KINDS.get(playlist.kind, playlist.kind)
    return f"{playlist.name} · {len(playlist.track_ids)} tracks · {kind}"


def _ids(value: object) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _playlist_box(
    widget: Callable[..., Any], label: str, choices: Mapping[str, Playlist], key: str, **kwargs: Any
) -> Any:
    """Draw `widget` (st.selectbox or st.multiselect) over the playlists in `choices`, by id;
    a picked playlist stays picked when its label changes."""
    # The browser keeps the labels it was last sent, not the ids: once a picked playlist's label
    # changes (renamed or tracks added, here or in another session) that label matches no option
    # and the next rerun would silently drop it. This run still reads the ids (through the
    # options the box was last drawn with); setting them again sends the new labels.
    drawn = st.session_state.get(f"{key}-drawn", {})
    value = st.session_state.get(key)
    picked = _ids(value)
    if any(p in choices and p in drawn and _label(choices[p]) != drawn[p] for p in picked):
        kept = [p for p in picked if p in choices]
        st.session_state[key] = kept if isinstance(value, list) else kept[0]
    chosen = widget(
        label, list(choices), format_func=lambda pid: _label(choices[pid]), key=key, **kwargs
    )
    st.session_state[f"{key}-drawn"] = {p: _label(choices[p]) for p in _ids(chosen) if p in choices}
    return chosen


def pick_playlist(playlists: Sequence[Playlist], index: LibraryIndex) -> Playlist:
    """A select box over the whole library and every playlist; return the chosen one."""
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.toast(md_escape(str(notice), 400))
    choices = _choices(playlists, index)
    chosen = _playlist_box(
        st.selectbox,
        "Playlist",
        choices,
        PICK_KEY,
        help="Spotify playlists, imported files and the demo's playlists are recorded when they "
        "are ingested; a file imported again under the same name updates its playlist.",
    )
    return choices.get(str(chosen), choices[LIBRARY_ID])


def playlist_limit() -> str:
    """A select box limiting recommendations to one playlist; '' for the whole library."""
    choices = _choices(read_playlists(resources.store()), resources.store().index())
    chosen = _playlist_box(st.selectbox, "Only from", choices, LIMIT_KEY)
    return "" if chosen in (None, LIBRARY_ID) else str(chosen)


def profile_panel(profile: PlaylistProfile) -> None:
    """The playlist's mood in a sentence, mean radar, dominant-emotion counts and arc."""
    st.markdown(f"**{md_escape(profile.reading)}**")
    left, right = st.columns(2)
    left.plotly_chart(radar([(profile.name, profile.mean)]), key="playlist-radar")
    right.plotly_chart(distribution_bar(profile.counts), key="playlist-dominant")
    st.caption("Emotion arc: each track's emotions in play order")
    st.plotly_chart(arc_chart(profile), key="playlist-arc")


def compare_panel(playlists: Sequence[Playlist], index: LibraryIndex) -> None:
    """Pick two or three playlists; overlay their radars and list the emotions that differ."""
    choices = _choices(playlists, index)
    picked = _playlist_box(
        st.multiselect,
        "Playlists to compare",
        choices,
        COMPARE_KEY,
        max_selections=MAX_COMPARED,
        placeholder="Pick two or three playlists",
    )
    if len(picked) < 2:
        st.caption("Pick two or three playlists to see their profiles side by side.")
        return
    comparison = compare_playlists(index, [choices[p] for p in picked])
    st.markdown(f"**{md_escape(comparison.summary())}**")
    left, right = st.columns([3, 2])
    left.plotly_chart(radar([(p.name, p.mean) for p in comparison.profiles]), key="compare-radar")
    with right:
        for p in comparison.profiles:
            st.caption(md_escape(f"{p.name} ({len(p)} tracks): {p.reading}"))
    names = [p.name for p in comparison.profiles]
    table = pd.DataFrame(
        [
            {
                "emotion": d.emotion,
                **dict(zip(names, d.means, strict=True)),
                "difference": d.difference,
                "higher in": d.high,
                "driven by": ", ".join(f"{x.title} ({x.score:.2f})" for x in d.drivers),
            }
            for d in comparison.differences
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        key="compare-table",
        column_config={
            name: st.column_config.NumberColumn(format="%.2f") for name in [*names, "difference"]
        },
    )


def selection_panel(
    index: LibraryIndex, rows: Sequence[int], playlists: Sequence[Playlist]
) -> None:
    """The tracks picked on the map with the box or lasso: list them; save or export them."""
    picked = [r for r in dict.fromkeys(rows) if 0 <= r < len(index)]
    if len(picked) < 2:
        st.caption(
            "Pick several tracks with the map's box or lasso select (top right of the map) to "
            "save them as a playlist."
        )
        return
    st.markdown(f"**{len(picked)} tracks selected on the map**")
    st.caption(md_escape("; ".join(f"{index.titles[r]} — {index.artists[r]}" for r in picked), 600))
    list_actions(
        [index.track_ids[r] for r in picked],
        "Map selection",
        SELECTION_KEY,
        suggested=_free_name(playlists, "Map selection"),
    )
    _after_save(SELECTION_KEY, playlists)


def playlist_actions(
    playlist: Playlist, track_ids: Sequence[str], playlists: Sequence[Playlist]
) -> None:
    """A saved playlist can be renamed or deleted (once confirmed); any playlist can be exported,
    and any other playlist saved as a copy."""
    if playlist.kind == SAVED:
        with st.form("explorer-rename-form", border=False):
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            if st.session_state.get(RENAME_FOR) != playlist.playlist_id:
                st.session_state[RENAME_FOR] = playlist.playlist_id
                st.session_state[RENAME_KEY] = playlist.name
                st.session_state[SURE_KEY] = False
            name = " ".join(str(left.text_input("New name", key=RENAME_KEY) or "").split())
            renamed = right.form_submit_button("Rename", key="explorer-rename-go")
        if renamed and name == playlist.name:
            st.info(md_escape(f"This playlist is already called “{playlist.name}”."))
        elif renamed:
            _change(lambda store: _rename(store, playlist, name))
        sure = st.checkbox(
            "Yes, delete this playlist (its tracks stay in the library)", key=SURE_KEY
        )
        if st.button("Delete this playlist", key="explorer-delete", disabled=not sure):
            _change(lambda store: _delete(store, playlist))
    # Saving a copy of a playlist offers a free name: the playlist's own is always taken.
    list_actions(
        track_ids,
        playlist.name,
        LIST_KEY,
        save=playlist.kind != SAVED,
        suggested=_free_name(playlists, playlist.name),
    )
    _after_save(LIST_KEY, playlists)


def _free_name(playlists: Sequence[Playlist], name: str) -> str:
    """`name` if no playlist is called that (ignoring case), else the first free 'name 2', ..."""
    taken = {p.name.casefold() for p in playlists}
    candidate, n = name[:MAX_NAME], 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name[: MAX_NAME - len(str(n)) - 1].rstrip()} {n}"
    return candidate


def _after_save(key: str, playlists: Sequence[Playlist]) -> None:
    # The picker above was drawn before list_actions saved: rerun so that it lists the new one.
    if not st.session_state.get(f"{key}-save"):
        return
    known = {p.playlist_id for p in playlists}
    new = [p for p in read_playlists(resources.store()) if p.playlist_id not in known]
    if not new:
        return  # nothing saved: list_actions shows why
    saved = new[-1]
    st.session_state[NOTICE_KEY] = (
        f"Saved “{saved.name}” ({len(saved.track_ids)} tracks). Pick it in the Playlist box to "
        "see its profile."
    )
    st.session_state.pop(f"{key}-for", None)  # suggest a free name again
    st.rerun()


def _rename(store: Store, playlist: Playlist, name: str) -> str:
    renamed = rename_playlist(store, playlist.playlist_id, name)
    return f"Renamed “{playlist.name}” to “{renamed.name}”."


def _delete(store: Store, playlist: Playlist) -> str:
    delete_playlist(store, playlist.playlist_id)
    return f"Deleted “{playlist.name}”; its tracks stay in the library."


def _change(action: Callable[[Store], str]) -> None:
    # Rerun so that the picker, drawn before this change, shows it; its message comes with it.
    try:
        done = action(open_store(resources.settings()))
    except MoodTuneError as exc:
        st.error(md_escape(str(exc), 400))
        return
    st.session_state[NOTICE_KEY] = done
    st.rerun()
