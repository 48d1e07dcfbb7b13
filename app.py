"""MoodTune's entry point (`streamlit run app.py`): declares the pages and runs the chosen one.

Every page lives in pages/ and starts with moodtune.ui.page_setup(); this file only names them
for the sidebar (st.navigation with st.Page titles) and keeps the URLs the pages/ layout gave.
Must not render anything itself.
"""

from __future__ import annotations

import streamlit as st

PAGES = [
    st.Page("pages/0_Home.py", title="Home", icon="🎵", default=True),
    st.Page("pages/1_Ingest.py", title="Ingest", icon="📥", url_path="Ingest"),
    st.Page(
        "pages/2_Emotion_Explorer.py",
        title="Emotion Explorer",
        icon="🧭",
        url_path="Emotion_Explorer",
    ),
    st.Page("pages/3_Recommend.py", title="Recommend", icon="🎧", url_path="Recommend"),
    st.Page("pages/4_Evaluation.py", title="Evaluation", icon="📊", url_path="Evaluation"),
]

st.navigation(PAGES).run()
