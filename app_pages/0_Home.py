"""MoodTune home: library status, a quick "try a feeling" box, and what each page is for."""

from __future__ import annotations

import streamlit as st

from moodtune.errors import MoodTuneError, NotFoundError
from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists
from moodtune.ui import page_setup, resources, widgets
from moodtune.ui.actions import IngestJob, ask, ingest_with_progress
from moodtune.ui.safe import md_escape

page_setup("Home", "🎵")
st.title("MoodTune")
st.write("Describe a feeling in a sentence; MoodTune finds songs whose lyrics carry it.")

library = None
try:
    library = resources.store()
except NotFoundError:
    st.warning("There is no library yet. Build the demo library (original songs) to start.")
    if st.button("Build the demo library", key="home-build-demo", type="primary"):
        try:
            report = ingest_with_progress(
                IngestJob(load_demo_catalogue(), "demo catalogue", playlists=load_demo_playlists())
            )
            st.session_state["home-built"] = report.summary()
            st.rerun()
        except MoodTuneError as exc:
            widgets.show_error(exc)
except MoodTuneError as exc:
    widgets.show_error(exc)

if library is not None:
    if "home-built" in st.session_state:
        st.success(md_escape(st.session_state.pop("home-built")))
    widgets.library_status(library)
    st.subheader("Try a feeling")
    with st.form("home-try", border=False):
        query = st.text_input(
            "How do you feel?", key="home-query", placeholder="rainy Sunday, missing home"
        )
        asked = st.form_submit_button("Find songs", key="home-ask")
    if asked:
        try:
            widgets.query_results(ask(query, "hybrid", 3), vote=False)
        except MoodTuneError as exc:
            widgets.show_error(exc)

st.subheader("Pages")
st.page_link(
    "app_pages/1_Ingest.py", label="Ingest: the demo catalogue, a CSV/JSON file, a playlist"
)
st.page_link("app_pages/2_Emotion_Explorer.py", label="Emotion Explorer: songs in emotion space")
st.page_link("app_pages/3_Recommend.py", label="Recommend: explained results, approaches, thumbs")
st.page_link("app_pages/4_Evaluation.py", label="Evaluation: which approach works best")
