"""MoodTune's entry point (`streamlit run app.py`): declares the pages and runs the chosen one.

Every page lives in app_pages/ and starts with moodtune.ui.page_setup(); this file only names
them for the sidebar (st.navigation with st.Page titles) and keeps the URLs the old pages/ layout
gave. The folder must not be called pages/: while one exists, Streamlit serves a first visit to
/Recommend in its legacy mode, without running this file, and the sidebar shows "app" again.
Must not render anything itself.
"""

from __future__ import annotations

import streamlit as st

PAGES = [
    st.Page("app_pages/0_Home.py", title="Home", icon="🎵", default=True),
    st.Page("app_pages/1_Ingest.py", title="Ingest", icon="📥", url_path="Ingest"),
    st.Page(
        "app_pages/2_Emotion_Explorer.py",
        title="Emotion Explorer",
        icon="🧭",
        url_path="Emotion_Explorer",
    ),
    st.Page("app_pages/3_Recommend.py", title="Recommend", icon="🎧", url_path="Recommend"),
    st.Page("app_pages/4_Evaluation.py", title="Evaluation", icon="📊", url_path="Evaluation"),
]

st.navigation(PAGES).run()
