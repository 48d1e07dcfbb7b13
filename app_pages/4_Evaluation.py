"""Evaluation: which approach works best, on labelled queries and by the library's own votes."""

from __future__ import annotations

import streamlit as st

from moodtune.errors import MoodTuneError, NotFoundError
from moodtune.ui import evaluation, page_setup, resources, widgets

page_setup("Evaluation", "📊")
st.title("Evaluation")
st.write(
    "Does the analysis hear what listeners hear, and which approach works best? Three views: "
    "the songs' analysed emotions against their labels, your thumbs up and down on the "
    "Recommend page, and a set of labelled feelings ranked against the songs' own labels."
)

st.subheader("Your votes")
try:
    evaluation.show_feedback(evaluation.current_feedback())
except MoodTuneError as exc:
    widgets.show_error(exc)

try:
    library = resources.store()
    labelled = evaluation.labelled_tracks(library)
except NotFoundError:
    st.info(
        "There is no library yet, so there are no songs to evaluate. Build the demo library "
        "(original songs, labelled) on the Home page, or add tracks on the Ingest page; both "
        "are in the sidebar."
    )
    st.stop()
except MoodTuneError as exc:
    widgets.show_error(exc)
    st.stop()

if labelled == 0:
    st.info(
        "No track in this library has emotion labels (playlists do not come with them), so "
        "only your votes can compare approaches here. The demo catalogue is labelled."
    )
    evaluation.show_corrections_section(library)
    st.stop()

st.subheader("Song emotions against their labels")
st.caption(
    "For each labelled track: is the strongest analysed emotion the labelled main one (top-1), "
    "or at least second (top 2)? Intervals: 95% bootstrap over songs. `moodtune eval songs` "
    "does the same for any labelled file."
)
evaluation.show_song_agreement(evaluation.library_song_agreement(library))

evaluation.show_corrections_section(library)

st.subheader("Labelled queries")
st.caption(
    "Each query is a feeling with its expected emotions. A song is a hit when its labelled "
    "emotions include the query's first one. P@5: hits in the top 5; nDCG@10: hits near the top "
    "of 10; MRR: 1 / rank of the first hit. The hybrid runs without votes here."
)

upload = evaluation.query_uploader()
if st.button("Run the comparison", key="eval-run", type="primary"):
    try:
        data = upload.getvalue() if upload is not None else None
        name = upload.name if upload is not None else ""
        st.session_state["eval-report"] = evaluation.run_comparison(data, name)
    except MoodTuneError as exc:
        st.session_state.pop("eval-report", None)
        widgets.show_error(exc)

report = st.session_state.get("eval-report")
if report is not None:
    if report.library_version != library.version:
        st.caption("The library changed since this run: run the comparison again to update it.")
    evaluation.show_comparison(report)
