"""Streamlit helpers shared by app.py and app_pages/: page setup, cached resources, safe text,
widgets and the actions behind buttons. The only package in moodtune that may import streamlit.
"""

from __future__ import annotations

from moodtune.ui.setup import page_setup, session_id

__all__ = ["page_setup", "session_id"]
