from __future__ import annotations

from pathlib import Path

import pytest

from moodtune.errors import InputError
from moodtune.sources.demo import DEMO_PATH, load_demo_catalogue

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


def test_demo_path_points_into_the_repo_data_folder() -> None:
    assert DEMO_PATH == ROOT / "data" / "demo_catalogue.jsonl"


def test_load_demo_catalogue_keeps_ids_and_emotions() -> None:
    tracks = load_demo_catalogue(DATA / "files_demo.jsonl")
    assert [t.track_id for t in tracks] == ["d1", "d2", "d3"]
    assert {t.source for t in tracks} == {"demo"}
    assert tracks[0].labels == ("joy", "trust")
    assert tracks[0].album == "Demo"
    assert tracks[0].year == 2024
    assert tracks[2].labels == ("anticipation", "joy")


def test_missing_catalogue_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_demo_catalogue(tmp_path / "demo_catalogue.jsonl")


@pytest.mark.skipif(not DEMO_PATH.is_file(), reason="the catalogue is merged separately")
def test_the_shipped_catalogue_loads() -> None:
    tracks = load_demo_catalogue()
    assert tracks
    assert all(t.labels for t in tracks)
    assert len({t.track_id for t in tracks}) == len(tracks)
