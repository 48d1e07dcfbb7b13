"""AppTest fixtures: a fresh resource cache per test, no keys, private library copies."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

_KEYS = (
    "SPOTIPY_CLIENT_ID",
    "MOODTUNE_SPOTIFY_CLIENT_ID",
    "GENIUS_ACCESS_TOKEN",
    "OPENAI_API_KEY",
)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start every test with empty resource caches, no keys, and no secrets.toml in reach."""
    for name in _KEYS:
        monkeypatch.delenv(name, raising=False)
    # load_settings reads .streamlit/secrets.toml from the working directory.
    monkeypatch.chdir(tmp_path)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture
def library_home(demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo library, so votes and ingests stay out of other tests."""
    home = tmp_path / "library_home"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("feedback.db*"))
    monkeypatch.setenv("MOODTUNE_HOME", str(home))
    return home
