"""Playlist pieces of the pages: the Explorer's playlist picker, a playlist's profile with its mood
in a sentence and its arc, two or three playlists compared side by side, and the Recommend
page's "only from this playlist" box.

Owns: these widgets (keys `explorer-playlist`, `explorer-compare`, `rec-playlist`), their charts'
keys and the comparison table's columns. Must not compute profiles or differences
(moodtune/playlist_profiles.py does) and must not catch errors (the pages show them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from moodtune.charts import arc_chart, distribution_bar, radar
from moodtune.errors import MoodTuneError
from moodtune.models import Playlist
from moodtune.playlist_profiles import MAX_COMPARED, PlaylistProfile, compare_playlists
from moodtune.playlists import (
    LIBRARY_ID,
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


def pick_playlist(playlists: Sequence[Playlist], index: LibraryIndex) -> Playlist:
    """A select box over the whole library and every playlist; return the chosen one."""
    choices = _choices(playlists, index)
    chosen = st.selectbox(
        "Playlist",
        list(choices),
        format_func=lambda pid: _label(choices[pid]),
        key=PICK_KEY,
        help="Spotify playlists, imported files and the demo's playlists are recorded when they "
        "are ingested; a file imported again under the same name updates its playlist.",
    )
    return choices.get(str(chosen), choices[LIBRARY_ID])


def playlist_limit() -> str:
    """A select box limiting recommendations to one playlist; '' for the whole library."""
    choices = _choices(read_playlists(resources.store()), resources.store().index())
    chosen = st.selectbox(
        "Only from",
        list(choices),
        format_func=lambda pid: _label(choices[pid]),
        key=LIMIT_KEY,
    )
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
    picked = st.multiselect(
        "Playlists to compare",
        list(choices),
        format_func=lambda pid: _label(choices[pid]),
        max_selections=MAX_COMPARED,
        key=COMPARE_KEY,
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


def selection_panel(index: LibraryIndex, rows: Sequence[int]) -> None:
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
    list_actions([index.track_ids[r] for r in picked], "Map selection", "explorer-selection")


def playlist_actions(playlist: Playlist, track_ids: Sequence[str]) -> None:
    """A saved playlist can be renamed or deleted; any playlist can be exported."""
    if playlist.kind == SAVED:
        with st.form("explorer-rename-form", border=False):
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            if st.session_state.get("explorer-rename-for") != playlist.playlist_id:
                st.session_state["explorer-rename-for"] = playlist.playlist_id
                st.session_state["explorer-rename"] = playlist.name
            name = left.text_input("New name", key="explorer-rename")
            renamed = right.form_submit_button("Rename", key="explorer-rename-go")
        if renamed:
            _change(lambda store: rename_playlist(store, playlist.playlist_id, str(name or "")))
        if st.button("Delete this playlist", key="explorer-delete"):
            _change(lambda store: delete_playlist(store, playlist.playlist_id))
    list_actions(track_ids, playlist.name, "explorer-list", save=playlist.kind != SAVED)


def _change(action: Callable[[Store], object]) -> None:
    try:
        action(open_store(resources.settings()))
    except MoodTuneError as exc:
        st.error(md_escape(str(exc), 400))
        return
    st.rerun()
