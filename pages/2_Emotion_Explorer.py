"""Emotion Explorer: tracks in emotion space, one track's profile, the playlist's profile."""

from __future__ import annotations

import streamlit as st

from moodtune.charts import emotion_map
from moodtune.errors import MoodTuneError
from moodtune.explore import artist_names, build_points, filter_mask, selected_rows
from moodtune.models import EMOTIONS
from moodtune.ui import page_setup, resources, widgets

MAP_KEY, TRACK_KEY, LAST_KEY = "explorer-map", "explorer-track", "explorer-last-click"
MAPS = {"valence_arousal": "Valence / arousal", "projection": "2-D projection of the 8 emotions"}

page_setup("Emotion Explorer", "🧭")
st.title("Emotion Explorer")
try:
    library = resources.store()
    index = resources.listener_view().index
    points = build_points(index)
except MoodTuneError as exc:
    widgets.show_error(exc)
    st.caption("Open the Ingest page in the sidebar to build a library.")
    st.stop()
if not len(points):
    st.info("The library is empty: ingest some tracks first.")
    st.stop()

left, right = st.columns(2)
emotions = left.multiselect("Dominant emotion", EMOTIONS, key="explorer-emotions")
artists = right.multiselect("Artist", artist_names(points), key="explorer-artists")
view = points.subset(filter_mask(points, emotions, artists))
if not len(view):
    st.info("No track matches these filters.")
    st.stop()

# A click on the map selects that track in the box below (read before either is drawn).
state = st.session_state.get(MAP_KEY)
clicked = selected_rows(state["selection"]["points"]) if state else []
if clicked and clicked[0] != st.session_state.get(LAST_KEY):
    st.session_state[LAST_KEY] = st.session_state[TRACK_KEY] = clicked[0]
if st.session_state.get(TRACK_KEY) not in set(view.rows.tolist()):
    st.session_state[TRACK_KEY] = int(view.rows[0])

kind = st.radio("Map", list(MAPS), format_func=MAPS.get, horizontal=True, key="explorer-kind")
figure = emotion_map(
    view,
    "projection" if kind == "projection" else "valence_arousal",
    highlight=st.session_state[TRACK_KEY],
)
st.plotly_chart(figure, key=MAP_KEY, on_select="rerun", selection_mode="points")

row = st.selectbox(
    "Track",
    view.rows.tolist(),
    index=None,
    format_func=lambda r: f"{index.titles[r]} — {index.artists[r]}",
    key=TRACK_KEY,
)
widgets.track_detail(library, index, int(row))

st.subheader(f"Playlist profile ({len(view)} tracks)")
widgets.playlist_panel(view)
