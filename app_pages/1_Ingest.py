"""Ingest: add tracks from the demo catalogue, a CSV/JSON file or a Spotify playlist."""

from __future__ import annotations

import dataclasses

import streamlit as st

from moodtune.errors import MoodTuneError, NotFoundError
from moodtune.ui import page_setup, resources, widgets
from moodtune.ui.actions import ingest_with_progress
from moodtune.ui.safe import md_escape
from moodtune.ui.sources import (
    DEMO,
    SOURCES,
    UPLOAD,
    demo_panel,
    embedder_panel,
    reanalysis_panel,
    spotify_panel,
    upload_panel,
)

page_setup("Ingest", "📥")
st.title("Ingest")

try:
    stale_job = reanalysis_panel()
    if stale_job is not None:
        st.session_state["ingest-report"] = ingest_with_progress(stale_job)
        st.rerun()  # redraw without the notice; the report is kept in the session
except NotFoundError:
    pass  # no library yet: nothing to re-analyse
except MoodTuneError as exc:
    widgets.show_error(exc)

source = st.radio("Source", SOURCES, horizontal=True, key="ingest-source")
try:
    embedder, job = embedder_panel()
    if job is None:
        panel = {DEMO: demo_panel, UPLOAD: upload_panel}.get(str(source), spotify_panel)
        job = panel()
        if job is not None and embedder is not None:
            job = dataclasses.replace(job, embedder=embedder)
    if job is not None:
        for note in job.notes:
            st.caption(md_escape(note))
        st.session_state["ingest-report"] = ingest_with_progress(job)
except MoodTuneError as exc:
    widgets.show_error(exc)

report = st.session_state.get("ingest-report")
if report is not None:
    st.subheader("Last run")
    widgets.ingest_report(report)

st.subheader("Library versions")
try:
    widgets.versions_table(resources.store())
except NotFoundError:
    st.info("No library yet: the first ingestion creates it.")
except MoodTuneError as exc:
    widgets.show_error(exc)
