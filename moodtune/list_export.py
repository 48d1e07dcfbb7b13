"""Any list of tracks (a result list, a journey, a playlist) written as CSV or M3U, and read back.

Owns: the exported columns, each track's location (its Spotify link where known, else a stable
local reference `moodtune:track:<id>` that names the library's track), the CSV and extended-M3U
text (`#EXTM3U`, `#PLAYLIST`, `#EXTINF:<seconds>,<artist> - <title>`, then the location), the
parsers the tests (and anyone) can read them back with, and the Spotify URIs of the tracks that
came from Spotify. Must not read the store (callers pass a LibraryIndex) or import streamlit.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from moodtune.errors import InputError
from moodtune.store import LibraryIndex
from moodtune.text import one_line, strip_control

FORMATS = ("csv", "m3u")
CSV_COLUMNS = (
    "position", "title", "artist", "album", "year", "duration_s", "spotify_url", "location",
    "track_id",
)  # fmt: skip
LOCAL_PREFIX = "moodtune:track:"
SPOTIFY_PREFIX = "spotify:"  # how ingestion ids Spotify tracks (moodtune.sources.spotify)
_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_SPOTIFY_TRACK_URL = re.compile(r"^https://open\.spotify\.com/track/([0-9A-Za-z]{22})(?:[/?#].*)?$")
_EXTINF = re.compile(r"^#EXTINF:(-?\d+)\s*,(.*)$")
_MAX_TEXT = 300


@dataclass(frozen=True, slots=True)
class ExportTrack:
    """One exported track: where it sits in the list, what it is, and where it can be found."""

    position: int
    track_id: str
    title: str
    artist: str
    album: str = ""
    year: int | None = None
    duration_ms: int | None = None
    spotify_url: str = ""

    @property
    def location(self) -> str:
        """The Spotify link where known, else the library's stable reference to the track."""
        return self.spotify_url or local_reference(self.track_id)

    @property
    def duration_s(self) -> int | None:
        return round(self.duration_ms / 1000) if self.duration_ms else None


@dataclass(frozen=True, slots=True)
class M3UEntry:
    """One entry read back from an M3U file."""

    duration_s: int
    artist: str
    title: str
    location: str


def local_reference(track_id: str) -> str:
    """A stable reference to a library track: `moodtune:track:` and its percent-encoded id."""
    return LOCAL_PREFIX + quote(track_id, safe="")


def track_id_of(location: str) -> str | None:
    """The library track id a local reference names, or None for any other location."""
    if not location.startswith(LOCAL_PREFIX):
        return None
    return unquote(location[len(LOCAL_PREFIX) :])


def spotify_id(track_id: str, url: str = "") -> str | None:
    """The Spotify track id of a track: from a Spotify-ingested id, else from its track link."""
    if track_id.startswith(SPOTIFY_PREFIX) and _SPOTIFY_ID.match(track_id[len(SPOTIFY_PREFIX) :]):
        return track_id[len(SPOTIFY_PREFIX) :]
    match = _SPOTIFY_TRACK_URL.match(url.strip())
    return match.group(1) if match else None


def spotify_url(track_id: str, url: str = "") -> str:
    """The canonical open.spotify.com track link, or '' when the track is not a Spotify one."""
    found = spotify_id(track_id, url)
    return f"https://open.spotify.com/track/{found}" if found else ""


def export_tracks(index: LibraryIndex, track_ids: Sequence[str]) -> tuple[ExportTrack, ...]:
    """The tracks `track_ids` names, in that order (a track listed twice is kept once)."""
    rows = {tid: row for row, tid in enumerate(index.track_ids)}
    ids = list(dict.fromkeys(track_ids))
    missing = [t for t in ids if t not in rows]
    if missing:
        raise InputError(
            f"{len(missing)} of these tracks are no longer in the library; refresh the list and "
            "export again."
        )
    out = []
    for position, tid in enumerate(ids, 1):
        row = rows[tid]
        out.append(
            ExportTrack(
                position=position,
                track_id=tid,
                title=index.titles[row],
                artist=index.artists[row],
                album=index.albums[row],
                year=index.year(row),
                duration_ms=index.duration_ms(row),
                spotify_url=spotify_url(tid, index.urls[row]),
            )
        )
    return tuple(out)


def _text(value: str) -> str:
    return one_line(strip_control(value), _MAX_TEXT)


def to_csv(tracks: Sequence[ExportTrack]) -> str:
    """A CSV with a header row: position, title, artist, album, year, duration, links, id."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in tracks:
        writer.writerow(
            [
                t.position, _text(t.title), _text(t.artist), _text(t.album),
                "" if t.year is None else t.year, "" if t.duration_s is None else t.duration_s,
                t.spotify_url, t.location, t.track_id,
            ]
        )  # fmt: skip
    return buffer.getvalue()


def to_m3u(tracks: Sequence[ExportTrack], name: str = "") -> str:
    """Extended M3U: #EXTINF with the duration in seconds (-1 unknown) and 'artist - title'."""
    lines = ["#EXTM3U"]
    if name.strip():
        lines.append(f"#PLAYLIST:{_text(name)}")
    for t in tracks:
        seconds = t.duration_s if t.duration_s is not None else -1
        lines.append(f"#EXTINF:{seconds},{_text(t.artist)} - {_text(t.title)}")
        lines.append(t.location)
    return "\n".join(lines) + "\n"


def render(tracks: Sequence[ExportTrack], fmt: str, name: str = "") -> str:
    """The tracks as `fmt` ('csv' or 'm3u')."""
    if fmt == "csv":
        return to_csv(tracks)
    if fmt == "m3u":
        return to_m3u(tracks, name)
    raise InputError(f"Unknown export format {fmt!r}. Available: {', '.join(FORMATS)}.")


def format_for(path: str | Path) -> str:
    """'csv' or 'm3u' from a file name (.csv, .m3u, .m3u8); InputError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".m3u", ".m3u8"):
        return "m3u"
    raise InputError(
        f"Cannot tell the format of {Path(path).name!r}: name the file .csv, .m3u or .m3u8."
    )


def write_list(path: str | Path, tracks: Sequence[ExportTrack], name: str = "") -> str:
    """Write the tracks to `path` in the format its name says; return the format."""
    fmt = format_for(path)
    try:
        Path(path).write_text(render(tracks, fmt, name), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return fmt


def file_name(name: str, fmt: str) -> str:
    """A safe download name for a list: letters, digits and dashes, then the format's suffix."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:60] or "moodtune"
    return f"{stem}.{fmt}"


def parse_csv(text: str) -> list[dict[str, str]]:
    """Read an exported CSV back into one dict per track (the header's columns)."""
    return list(csv.DictReader(io.StringIO(text)))


def parse_m3u(text: str) -> list[M3UEntry]:
    """Read an extended M3U back; InputError when it does not start with #EXTM3U."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise InputError("This is not an extended M3U file: its first line is not #EXTM3U.")
    entries: list[M3UEntry] = []
    info: tuple[int, str, str] | None = None
    for line in lines[1:]:
        match = _EXTINF.match(line)
        if match:
            artist, _, title = match.group(2).partition(" - ")
            info = (int(match.group(1)), artist.strip(), title.strip())
        elif not line.startswith("#"):
            seconds, artist, title = info if info is not None else (-1, "", "")
            entries.append(M3UEntry(seconds, artist, title, line))
            info = None
    return entries
