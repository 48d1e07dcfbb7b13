"""Emotion Explorer: tracks in emotion space, one track's profile, a playlist's profile and arc,
and playlists compared side by side."""

from __future__ import annotations

import streamlit as st

from moodtune.charts import SOURCE_LEGEND, emotion_map
from moodtune.errors import MoodTuneError
from moodtune.explore import artist_names, build_points, filter_mask, selected_rows
from moodtune.models import EMOTIONS
from moodtune.playlist_profiles import profile_playlist
from moodtune.playlists import member_rows, read_playlists, within
from moodtune.ui import page_setup, resources, widgets
from moodtune.ui.playlists import (
    compare_panel,
    pick_playlist,
    playlist_actions,
    profile_panel,
    selection_panel,
)

MAP_KEY, TRACK_KEY, LAST_KEY = "explorer-map", "explorer-track", "explorer-last-click"
PLAYLIST_KEY = "explorer-last-playlist"
MAPS = {"valence_arousal": "Valence / arousal", "projection": "2-D projection of the 8 emotions"}

page_setup("Emotion Explorer", "🧭")
st.title("Emotion Explorer")
try:
    library = resources.store()
    index = resources.listener_view().index
    points = build_points(index)
    playlists = read_playlists(library)
except MoodTuneError as exc:
    widgets.show_error(exc)
    st.caption("Open the Ingest page in the sidebar to build a library.")
    st.stop()
if not len(points):
    st.info("The library is empty: ingest some tracks first.")
    st.stop()

playlist = pick_playlist(playlists, index)
left, right = st.columns(2)
emotions = left.multiselect("Dominant emotion", EMOTIONS, key="explorer-emotions")
artists = right.multiselect("Artist", artist_names(points), key="explorer-artists")
view = points.subset(filter_mask(points, emotions, artists))
if not len(view):
    st.info("No track matches these filters.")
    st.stop()
shown = within(playlist, view.track_ids)
rows = member_rows(index, shown) or view.rows.tolist()

# A new playlist starts at its first track; a click on the map selects that track in the box
# below (both read before either is drawn).
if st.session_state.get(PLAYLIST_KEY) != playlist.playlist_id:
    st.session_state[PLAYLIST_KEY], st.session_state[TRACK_KEY] = playlist.playlist_id, rows[0]
state = st.session_state.get(MAP_KEY)
clicked = selected_rows(state["selection"]["points"]) if state else []
if len(clicked) == 1 and clicked[0] != st.session_state.get(LAST_KEY):
    st.session_state[LAST_KEY] = st.session_state[TRACK_KEY] = clicked[0]
if st.session_state.get(TRACK_KEY) not in set(view.rows.tolist()):
    st.session_state[TRACK_KEY] = int(rows[0])

kind = st.radio("Map", list(MAPS), format_func=MAPS.get, horizontal=True, key="explorer-kind")
figure = emotion_map(
    view,
    "projection" if kind == "projection" else "valence_arousal",
    highlight=st.session_state[TRACK_KEY],
    members=None if playlist.kind == "library" else member_rows(index, shown),
)
st.plotly_chart(figure, key=MAP_KEY, on_select="rerun", selection_mode=("points", "box", "lasso"))
if any(source != "model" for source in points.sources):
    st.caption(SOURCE_LEGEND)
selection_panel(index, clicked, playlists)

selected = st.session_state[TRACK_KEY]
row = st.selectbox(
    "Track",
    rows if selected in rows else [*rows, selected],  # a click may pick a track outside it
    index=None,
    format_func=lambda r: f"{index.titles[r]} — {index.artists[r]}",
    key=TRACK_KEY,
)
widgets.track_detail(library, index, int(row))

profile = profile_playlist(index, shown)
st.subheader(f"{playlist.name}: profile ({len(profile)} tracks)")
if len(profile):
    profile_panel(profile)
    playlist_actions(playlist, shown.track_ids, playlists)
else:
    st.info("No track of this playlist matches these filters.")

st.subheader("Compare playlists")
try:
    compare_panel(playlists, index)
except MoodTuneError as exc:
    widgets.show_error(exc)
