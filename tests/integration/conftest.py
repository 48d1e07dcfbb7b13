"""Fixtures shared by the integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from moodtune.config import load_settings
from moodtune.recommend import Recommender, build_recommender
from moodtune.store import Store


@pytest.fixture(scope="module")
def recommender(demo_home: Path) -> Recommender:
    """A recommender over the shared demo library, read-only, built once per test module."""
    settings = load_settings(secrets_path=Path("/nonexistent"), home=str(demo_home))
    return build_recommender(settings, Store(settings.library_url, read_only=True))
