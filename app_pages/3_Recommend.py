"""Recommend: a feeling in, explained songs out, with thumbs up/down per result."""

from __future__ import annotations

import streamlit as st

from moodtune.errors import MoodTuneError
from moodtune.models import RecommendFilters
from moodtune.ui import journeys, page_setup, resources, widgets
from moodtune.ui.actions import approach_choices, ask
from moodtune.ui.list_filters import filter_inputs
from moodtune.ui.playlists import playlist_limit
from moodtune.ui.refining import RESULT_KEY, results_section

page_setup("Recommend", "🎧")
st.title("Recommend")

try:
    resources.store()
except MoodTuneError as exc:
    widgets.show_error(exc)
    st.caption("Open the Ingest page in the sidebar to build a library.")
    st.stop()

widgets.restore_page_values()  # coming back from another page keeps the forms
mode = journeys.choose_mode()
widgets.keep_form_values(mode)  # switching modes keeps both forms as they made their lists
if mode == journeys.JOURNEY:
    journeys.journey_section()
    widgets.copy_page_values()
    st.stop()

with st.form("recommend-form"):
    query = st.text_area(
        "How do you feel?", key="rec-query", placeholder="rainy Sunday, missing home", height=90
    )
    left, right = st.columns([3, 1])
    choice = left.radio(
        "Approach", approach_choices(), index=3, horizontal=True, key="rec-approach",
        help="lyrics: words of the songs · emotions: the 8 basic emotions · refined: intensities "
        "and dyads · hybrid: fusion of lyrics and refined (of emotions and refined for a feeling "
        "the library's embedder cannot read), nudged by votes · compare: all four",
    )  # fmt: skip
    k = right.number_input("Results", min_value=1, max_value=20, value=5, key="rec-k")
    playlist = playlist_limit()
    with st.expander("Filters"):
        chosen = filter_inputs("rec", resources.listener_view().index)
    submitted = st.form_submit_button("Recommend", key="rec-submit", type="primary")

if submitted:
    filters = RecommendFilters(
        exclude_artists=chosen.exclude_artists, one_per_artist=chosen.one_per_artist,
        year_from=chosen.year_from, year_to=chosen.year_to,
    )  # fmt: skip
    try:
        st.session_state[RESULT_KEY] = ask(query, str(choice), int(k), playlist, filters)
    except MoodTuneError as exc:
        st.session_state.pop(RESULT_KEY, None)
        widgets.show_error(exc)

result = st.session_state.get(RESULT_KEY)
if result is not None:
    results_section(result)
widgets.copy_page_values()

st.divider()
st.subheader("Feedback so far")
try:
    widgets.feedback_summary()
except MoodTuneError as exc:
    widgets.show_error(exc)
