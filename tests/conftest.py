"""Shared fixtures: a real demo library (real embedder, real local extractor, real Deep Lake),
built once per test session in a temporary MOODTUNE_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from moodtune.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """The workplace's shared folder (XED, public-domain songs): beside the checkout, or /work."""
    candidates = [ROOT.parent / "shared", Path("/work/shared")]
    if os.environ.get("MOODTUNE_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["MOODTUNE_SHARED_DIR"]))
    for candidate in candidates:
        if (candidate / "eval").is_dir():
            return candidate
    return candidates[0]


SHARED = _shared_dir()
PUBLIC_DOMAIN_SONGS = SHARED / "data" / "public_domain_songs.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MOODTUNE_HOME holding the demo catalogue and its playlists, ingested with the default
    settings."""
    from moodtune.ingest import build_ingestor
    from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists

    home = tmp_path_factory.mktemp("moodtune_home")
    settings = load_settings(secrets_path=Path("/nonexistent"), home=str(home))
    build_ingestor(settings).run(load_demo_catalogue(), "demo", playlists=load_demo_playlists())
    return home


@pytest.fixture
def demo_settings(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at the shared demo library, also exported as MOODTUNE_HOME."""
    monkeypatch.setenv("MOODTUNE_HOME", str(demo_home))
    return load_settings(secrets_path=Path("/nonexistent"), home=str(demo_home))


@pytest.fixture
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A MOODTUNE_HOME with no library yet."""
    home = tmp_path / "home"
    monkeypatch.setenv("MOODTUNE_HOME", str(home))
    return home
