"""The bundled demo catalogue: original lyrics written for the project, with intended emotions.

Owns: where the catalogue lives (DEMO_PATH, next to the package in the repo) and reading it
through files.py with source="demo". Must not fetch anything or change the catalogue.
"""

from __future__ import annotations

from pathlib import Path

from moodtune.models import Track
from moodtune.sources.files import load_tracks_file

DEMO_PATH: Path = Path(__file__).resolve().parents[2] / "data" / "demo_catalogue.jsonl"
DEMO_SOURCE = "demo"


def load_demo_catalogue(path: Path | None = None) -> list[Track]:
    """Read the demo catalogue (JSONL with id, title, artist, lyrics, emotions, ...)."""
    return load_tracks_file(path if path is not None else DEMO_PATH, source=DEMO_SOURCE)
