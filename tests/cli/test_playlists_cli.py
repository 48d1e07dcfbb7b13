"""`moodtune playlists`, `moodtune profile` and `recommend --playlist` on the demo library."""

from __future__ import annotations

import json

import click
from click.testing import CliRunner

from moodtune.cli import cli
from moodtune.config import Settings
from moodtune.models import EMOTIONS
from moodtune.sources.demo import load_demo_playlists


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args))


def test_playlists_json_lists_the_demo_playlists_with_counts(demo_settings: Settings) -> None:
    result = run("playlists", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    demo = load_demo_playlists()
    assert [(p["id"], p["name"], p["kind"], p["tracks"]) for p in listed] == [
        (p.playlist_id, p.name, "demo", len(p.track_ids)) for p in demo
    ]
    assert [p["track_ids"] for p in listed] == [list(p.track_ids) for p in demo]


def test_playlists_text_names_each_with_its_count(demo_settings: Settings) -> None:
    result = run("playlists")
    assert result.exit_code == 0, result.output
    for playlist in load_demo_playlists():
        line = next(ln for ln in result.stdout.splitlines() if ln.startswith(playlist.name))
        assert f"{len(playlist.track_ids)} tracks" in line
        assert playlist.playlist_id in line


def test_profile_json_has_profile_counts_reading_and_arc_in_play_order(
    demo_settings: Settings,
) -> None:
    night = next(p for p in load_demo_playlists() if p.name == "Night shift")
    result = run("profile", "night shift", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["id"], data["tracks"]) == (night.playlist_id, len(night.track_ids))
    assert list(data["profile"]) == list(EMOTIONS)
    assert sum(data["dominant_counts"].values()) == len(night.track_ids)
    assert [a["track_id"] for a in data["arc"]] == list(night.track_ids)
    assert [a["position"] for a in data["arc"]] == list(range(1, len(night.track_ids) + 1))
    # The mean is the mean of the arc.
    for emotion in EMOTIONS:
        mean = sum(a["profile"][emotion] for a in data["arc"]) / len(data["arc"])
        assert abs(mean - data["profile"][emotion]) < 1e-3
    counted = {e: sum(a["dominant"] == e for a in data["arc"]) for e in EMOTIONS}
    assert counted == data["dominant_counts"]
    assert data["reading"].endswith(".")


def test_demo_playlists_have_distinct_profiles(demo_settings: Settings) -> None:
    tops = []
    for playlist in load_demo_playlists():
        data = json.loads(run("profile", playlist.playlist_id, "--json").stdout)
        tops.append(tuple(sorted(data["profile"], key=data["profile"].get)[-2:]))
    assert len(set(tops)) == len(tops), tops


def test_profile_text_and_whole_library(demo_settings: Settings) -> None:
    result = run("profile", "library")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Whole library (library, 162 tracks)")
    assert "Arc (play order)" in result.stdout
    assert "  162. " in result.stdout


def test_unknown_playlist_exits_1_with_the_names(demo_settings: Settings) -> None:
    result = run("profile", "no such list")
    assert result.exit_code == 1
    assert "Night shift" in result.output
    assert "Traceback" not in result.output


def test_recommend_within_a_playlist_names_playlists(demo_settings: Settings) -> None:
    picket = next(p for p in load_demo_playlists() if p.name == "Picket line")
    result = run(
        "recommend", "they lied to us and we will not be quiet", "--playlist", "Picket line",
        "-k", "20", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == len(picket.track_ids)  # all of it, and nothing from elsewhere
    assert {i["track_id"] for i in items} == set(picket.track_ids)
    assert all("Picket line" in i["playlists"] for i in items)
    whole = json.loads(run("recommend", "they lied to us", "-k", "40", "--json").stdout)
    assert {i["track_id"] for i in whole} - set(picket.track_ids)
