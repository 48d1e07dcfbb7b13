"""CSV and M3U exports of a list, and reading them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from moodtune.errors import InputError
from moodtune.list_export import (
    ExportTrack,
    file_name,
    format_for,
    local_reference,
    parse_csv,
    parse_m3u,
    spotify_url,
    to_csv,
    to_m3u,
    track_id_of,
    write_list,
)

TRACKS = [
    ExportTrack(1, "spotify:4uLU6hMCjMI75M1A2tKUQC", "Never Gonna, Stop", "Rick \"R\" A",
                "Album, One", 1987, 213_573,
                "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"),
    ExportTrack(2, "demo-001", "Windows Down on Route 9", "The Marigold Ferries", year=2014),
    ExportTrack(3, "file:my songs/x#1", "Strange\x1b[2J Title", "Me", duration_ms=61_400),
]  # fmt: skip


def test_csv_parses_back_with_every_column() -> None:
    rows = parse_csv(to_csv(TRACKS))
    assert [r["position"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["title"] == "Never Gonna, Stop"
    assert rows[0]["artist"] == 'Rick "R" A'
    assert rows[0]["album"] == "Album, One"
    assert (rows[0]["year"], rows[0]["duration_s"]) == ("1987", "214")
    assert rows[0]["location"] == rows[0]["spotify_url"] == TRACKS[0].spotify_url
    assert rows[1]["spotify_url"] == ""
    assert rows[1]["location"] == "moodtune:track:demo-001"
    assert (rows[1]["year"], rows[1]["duration_s"]) == ("2014", "")
    assert rows[2]["title"] == "Strange Title"  # terminal control never reaches a file
    assert [r["track_id"] for r in rows] == [t.track_id for t in TRACKS]


def test_m3u_parses_back_with_durations_artists_titles_and_locations() -> None:
    text = to_m3u(TRACKS, "Rainy\nSunday")
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[1] == "#PLAYLIST:Rainy Sunday"
    assert lines[2] == '#EXTINF:214,Rick "R" A - Never Gonna, Stop'
    entries = parse_m3u(text)
    assert [(e.duration_s, e.artist, e.title) for e in entries] == [
        (214, 'Rick "R" A', "Never Gonna, Stop"),
        (-1, "The Marigold Ferries", "Windows Down on Route 9"),
        (61, "Me", "Strange Title"),
    ]
    assert entries[0].location == "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    assert [track_id_of(e.location) for e in entries[1:]] == ["demo-001", "file:my songs/x#1"]


def test_local_references_are_stable_and_one_token() -> None:
    ref = local_reference("file:my songs/x#1")
    assert ref == local_reference("file:my songs/x#1")
    assert " " not in ref
    assert "#" not in ref
    assert track_id_of("https://example.com") is None


def test_spotify_links_only_for_spotify_tracks() -> None:
    assert spotify_url("spotify:4uLU6hMCjMI75M1A2tKUQC") == (
        "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    )
    assert spotify_url("x", "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=1") == (
        "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    )
    assert spotify_url("x", "https://evil.example/track/4uLU6hMCjMI75M1A2tKUQC") == ""
    assert spotify_url("demo-001") == ""


def test_the_format_follows_the_file_name(tmp_path: Path) -> None:
    assert (format_for("a.CSV"), format_for("a.m3u"), format_for("a.m3u8")) == (
        "csv", "m3u", "m3u",
    )  # fmt: skip
    with pytest.raises(InputError, match=r"\.csv, \.m3u or \.m3u8"):
        format_for("list.txt")
    path = tmp_path / "list.m3u"
    assert write_list(path, TRACKS, "x") == "m3u"
    assert len(parse_m3u(path.read_text(encoding="utf-8"))) == 3
    with pytest.raises(InputError, match="Cannot write"):
        write_list(tmp_path / "missing" / "list.csv", TRACKS)


def test_a_file_that_is_not_m3u_is_refused() -> None:
    with pytest.raises(InputError, match="#EXTM3U"):
        parse_m3u("title,artist\n")


def test_download_names_are_safe() -> None:
    assert file_name("Rainy / Sunday: ../..", "m3u") == "Rainy-Sunday.m3u"
    assert file_name("***", "csv") == "moodtune.csv"
