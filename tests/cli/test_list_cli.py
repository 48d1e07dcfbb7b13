"""Lists from the command line: filters, refinement, --out/--save, and saved playlists (save,
rename, delete, export, Spotify) that survive a restart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from moodtune.cli import cli
from moodtune.list_export import parse_csv, parse_m3u, track_id_of
from moodtune.sources.demo import load_demo_catalogue

ROOT = Path(__file__).resolve().parents[2]
FURIOUS = "they lied to us and I am furious"


@pytest.fixture
def home(demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, writable copy of the demo library."""
    copy = tmp_path / "home"
    shutil.copytree(demo_home, copy, ignore=shutil.ignore_patterns("feedback.db*"))
    monkeypatch.setenv("MOODTUNE_HOME", str(copy))
    for name in ("SPOTIPY_CLIENT_ID", "SPOTIPY_REFRESH_TOKEN", "MOODTUNE_SPOTIFY_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml in reach
    return copy


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args))


def test_a_follow_up_refines_the_list_and_says_what_changed(home: Path) -> None:
    result = run("recommend", FURIOUS, "--approach", "emotions", "--then", "less angry")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Refined: {FURIOUS} · less angry"
    assert lines[1].startswith("Changed: ")
    assert "(new)" in result.stdout
    assert "dropped: " in result.stdout

    data = json.loads(run("recommend", FURIOUS, "--then", "less angry", "--json").stdout)
    assert len(data) == 5
    assert all(row["change"] in {"new", "same"} or row["change"].split()[0] in {"up", "down"}
               for row in data)  # fmt: skip


def test_more_and_less_like_a_track_by_title(home: Path) -> None:
    first = json.loads(run("recommend", "rainy Sunday, missing home", "--json").stdout)
    title = first[2]["title"]
    more = json.loads(
        run("recommend", "rainy Sunday, missing home", "--more-like", title, "--json").stdout
    )
    assert more[0]["title"] == title
    less = run("recommend", "rainy Sunday, missing home", "--less-like", title)
    assert less.exit_code == 0, less.output
    assert f"dropped: {first[2]['artist']} - {title}" in less.stdout
    missing = run("recommend", "rain", "--more-like", "no such song anywhere")
    assert missing.exit_code == 1
    assert "No track with the id or title" in missing.output


def test_filters_on_recommend(home: Path) -> None:
    data = json.loads(
        run(
            "recommend", "rainy Sunday", "-k", "8", "--one-per-artist", "--year-from", "2000",
            "--year-to", "2012", "--exclude-artist", "The Marigold Ferries", "--json",
        ).stdout
    )  # fmt: skip
    assert len(data) == 8
    assert len({r["artist"] for r in data}) == 8
    assert "The Marigold Ferries" not in {r["artist"] for r in data}
    assert all(2000 <= r["year"] <= 2012 for r in data)
    backwards = run("recommend", "rain", "--year-from", "2010", "--year-to", "2000")
    assert backwards.exit_code == 2
    assert "backwards" in backwards.output
    nothing = run("recommend", "rain", "--year-from", "2090")
    assert nothing.exit_code == 0
    assert "No track matches these filters." in nothing.stderr


def test_recommend_out_writes_csv_and_m3u_that_parse_back(home: Path, tmp_path: Path) -> None:
    csv_path, m3u_path = tmp_path / "list.csv", tmp_path / "list.m3u"
    shown = json.loads(run("recommend", "rainy Sunday", "-k", "4", "--json").stdout)
    ids = [r["track_id"] for r in shown]
    assert run("recommend", "rainy Sunday", "-k", "4", "--out", str(csv_path)).exit_code == 0
    assert run("recommend", "rainy Sunday", "-k", "4", "--out", str(m3u_path)).exit_code == 0
    rows = parse_csv(csv_path.read_text(encoding="utf-8"))
    assert [r["track_id"] for r in rows] == ids
    assert [r["title"] for r in rows] == [r["title"] for r in shown]
    entries = parse_m3u(m3u_path.read_text(encoding="utf-8"))
    assert [track_id_of(e.location) for e in entries] == ids
    assert [(e.artist, e.title) for e in entries] == [(r["artist"], r["title"]) for r in shown]
    bad = run("recommend", "rain", "--out", str(tmp_path / "list.txt"))
    assert bad.exit_code == 2
    assert ".m3u" in bad.output


def test_journey_out_and_save(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "walk.m3u8"
    result = run(
        "journey", "heartbroken", "--to", "joy", "-n", "5", "--year-from", "1990",
        "--out", str(path), "--save", "Up from the floor", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["steps"]
    entries = parse_m3u(path.read_text(encoding="utf-8"))
    assert [track_id_of(e.location) for e in entries] == [s["track_id"] for s in steps]
    listed = json.loads(run("playlists", "--json").stdout)
    saved = next(p for p in listed if p["name"] == "Up from the floor")
    assert saved["kind"] == "saved"
    assert saved["track_ids"] == [s["track_id"] for s in steps]


def _fresh_process_playlists(home: Path) -> list[dict[str, object]]:
    """`moodtune playlists --json` in a new Python process: nothing carried over in memory."""
    env = {**os.environ, "MOODTUNE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "moodtune.cli", "playlists", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    listed: list[dict[str, object]] = json.loads(done.stdout)
    return listed


def test_saved_playlists_survive_a_restart_renamed_exported_and_deleted(
    home: Path, tmp_path: Path
) -> None:
    titles = [t.title for t in load_demo_catalogue()[:3]]
    saved = run("playlists", "save", "Porch songs", *titles)
    assert saved.exit_code == 0, saved.output
    assert "with 3 tracks" in saved.stdout

    after_restart = _fresh_process_playlists(home)
    porch = next(p for p in after_restart if p["name"] == "Porch songs")
    assert porch["track_ids"] == [t.track_id for t in load_demo_catalogue()[:3]]

    assert run("playlists", "rename", "Porch songs", "Evening porch").exit_code == 0
    assert run("playlists", "save", "Evening porch", titles[0]).exit_code == 2  # name taken
    out = tmp_path / "porch.csv"
    exported = run("playlists", "export", "evening porch", str(out))
    assert exported.exit_code == 0, exported.output
    assert [r["title"] for r in parse_csv(out.read_text(encoding="utf-8"))] == titles
    m3u = tmp_path / "night.m3u"
    assert run("playlists", "export", "Night shift", str(m3u)).exit_code == 0
    assert parse_m3u(m3u.read_text(encoding="utf-8"))

    names = [p["name"] for p in _fresh_process_playlists(home)]
    assert "Evening porch" in names
    assert "Porch songs" not in names
    assert run("playlists", "delete", "Evening porch").exit_code == 0
    assert "Evening porch" not in [p["name"] for p in _fresh_process_playlists(home)]
    gone = run("playlists", "export", "Evening porch", str(out))
    assert gone.exit_code == 1


def test_spotify_without_authorization_says_what_to_configure(home: Path) -> None:
    result = run("playlists", "spotify", "Night shift")
    assert result.exit_code == 2
    assert "SPOTIPY_REFRESH_TOKEN" in result.output
    assert "Traceback" not in result.output
