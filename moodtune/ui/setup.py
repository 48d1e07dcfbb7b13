"""The first call of every page: page config and the per-browser-session id.

Owns: st.set_page_config for MoodTune pages and the anonymous session id that feedback votes
carry. Must not load models or open the library (a page must render even without one).
"""

from __future__ import annotations

import uuid

import streamlit as st

SESSION_KEY = "moodtune_session_id"


def page_setup(title: str, icon: str = "🎵") -> None:
    """Configure the page and make sure this browser session has an id."""
    st.set_page_config(page_title=f"{title} · MoodTune", page_icon=icon, layout="wide")
    session_id()


def session_id() -> str:
    """Return this browser session's anonymous id (random, kept for the session only)."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = uuid.uuid4().hex
    return str(st.session_state[SESSION_KEY])
