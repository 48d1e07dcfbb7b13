"""The bundled demo catalogue: original lyrics written for the project, with intended emotions,
and the few listeners' playlists it ships as.

Owns: where the catalogue and its playlists live (DEMO_PATH, DEMO_PLAYLISTS_PATH, next to the
package in the repo), reading the catalogue through files.py with source="demo", and validating
the playlists file. Must not fetch anything or change the catalogue.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from moodtune.errors import InputError
from moodtune.models import Playlist, Track
from moodtune.sources.files import load_tracks_file

DEMO_PATH: Path = Path(__file__).resolve().parents[2] / "data" / "demo_catalogue.jsonl"
DEMO_PLAYLISTS_PATH: Path = DEMO_PATH.with_name("demo_playlists.json")
DEMO_SOURCE = "demo"


class _DemoPlaylist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    description: str = ""
    tracks: tuple[str, ...]


class _DemoPlaylists(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    playlists: tuple[_DemoPlaylist, ...]


def load_demo_catalogue(path: Path | None = None) -> list[Track]:
    """Read the demo catalogue (JSONL with id, title, artist, lyrics, emotions, ...)."""
    return load_tracks_file(path if path is not None else DEMO_PATH, source=DEMO_SOURCE)


def load_demo_playlists(path: Path | None = None) -> tuple[Playlist, ...]:
    """Read the playlists the demo catalogue ships as (ordered demo track ids)."""
    file_path = path if path is not None else DEMO_PLAYLISTS_PATH
    try:
        data = _DemoPlaylists.model_validate_json(file_path.read_bytes())
    except OSError as exc:
        raise InputError(f"Could not read the demo playlists at {file_path}: {exc}.") from exc
    except ValidationError as exc:
        raise InputError(f"{file_path.name} is not a valid playlists file: {exc}") from exc
    return tuple(
        Playlist(p.id, p.name, DEMO_SOURCE, p.tracks, owner="MoodTune", description=p.description)
        for p in data.playlists
    )
