"""Tracks from user files: CSV, JSON (a list of objects) and JSONL.

Owns: decoding and parsing those formats, validating every row with a private pydantic model,
reporting all bad rows at once in one InputError, and giving each track a stable id. Must not
clean lyrics (moodtune/text.py does that), embed, store, or touch the network.

Rows are numbered from 1 in messages: CSV data records after the header, JSON list items, and
JSONL lines (blank lines are skipped but still counted, so the number is the editor's line).
Columns: `title, artist, lyrics` are required; `id, album, year, url, emotions` are optional and
other columns are ignored. Every format has the same limits: MAX_FILE_BYTES per file,
MAX_LYRICS_CHARS for a lyrics cell and MAX_FIELD_CHARS for any other text cell (a row over them
is reported by number, like any bad row). `emotions` is a list or a comma-separated string of
names from EMOTIONS, kept in Track.labels for evaluation. A row without `id` gets "file-" plus
the first 12 hex digits of the SHA-1 of its normalised artist and title, so re-importing a file
(in any format) upserts the same tracks. When two rows share an id, the later row wins and takes the
place of the first: re-exported files often repeat a song with corrected lyrics.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from moodtune.errors import InputError
from moodtune.models import EMOTIONS, Track
from moodtune.text import counted, json_kind

REQUIRED_COLUMNS: tuple[str, ...] = ("title", "artist", "lyrics")
OPTIONAL_COLUMNS: tuple[str, ...] = ("id", "album", "year", "url", "emotions")
SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".json", ".jsonl", ".ndjson")
ID_PREFIX = "file-"

# Enough to show the pattern of a broken file without flooding a terminal or a page.
_MAX_REPORTED_ROWS = 20
_MIN_YEAR, _MAX_YEAR = 1000, 2100
# The app's upload limit (.streamlit/config.toml maxUploadSize) holds for files named on the
# command line too. A whole album in one lyrics cell (~40,000 characters) still fits; a
# 50 MB cell once took 106 s to clean and gave 164,474 stanzas.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_LYRICS_CHARS = 100_000
MAX_FIELD_CHARS = 1_000


_NOT_A_YEAR = "year {value} is not a whole year (write it like 1998)"


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str
    artist: str
    lyrics: str
    id: str = ""
    album: str = ""
    year: int | None = None
    url: str = ""
    emotions: tuple[str, ...] = ()

    @field_validator("title", "artist", "lyrics", mode="before")
    @classmethod
    def _required_text(cls, value: Any, info: ValidationInfo) -> str:
        field = info.field_name or "value"
        text = _within_limit(_as_text(value, field), field)
        if not text.strip():
            raise PydanticCustomError("empty", "{field} is empty", {"field": field})
        # Lyrics stay raw (line breaks matter to stanza chunking); names lose stray spaces.
        return text if field == "lyrics" else " ".join(text.split())

    @field_validator("id", "album", "url", mode="before")
    @classmethod
    def _optional_text(cls, value: Any, info: ValidationInfo) -> str:
        if value is None:
            return ""
        field = info.field_name or "value"
        return _within_limit(_as_text(value, field), field).strip()

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise PydanticCustomError("year", _NOT_A_YEAR, {"value": value})
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            text = value.strip()
            # Spreadsheets export whole numbers as "2011.0".
            text = text.removesuffix(".0")
            if not text.isdigit():
                raise PydanticCustomError(
                    "year",
                    _NOT_A_YEAR,
                    {"value": repr(value)},
                )
            value = int(text)
        if not isinstance(value, int):
            raise PydanticCustomError(
                "year",
                _NOT_A_YEAR,
                {"value": repr(value)},
            )
        if not _MIN_YEAR <= value <= _MAX_YEAR:
            raise PydanticCustomError(
                "year",
                "year {value} is not between {low} and {high}",
                {"value": value, "low": _MIN_YEAR, "high": _MAX_YEAR},
            )
        return value

    @field_validator("emotions", mode="before")
    @classmethod
    def _emotions(cls, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            items: list[Any] = value.replace(";", ",").replace("|", ",").split(",")
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            raise PydanticCustomError(
                "emotions", "emotions must be a list or a comma-separated string", {}
            )
        names: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise PydanticCustomError(
                    "emotions", "emotions must be names, got {value}", {"value": repr(item)}
                )
            name = item.strip().lower()
            if not name:
                continue
            if name not in EMOTIONS:
                raise PydanticCustomError(
                    "emotions",
                    "emotion {value} is not one of {allowed}",
                    {"value": repr(item.strip()), "allowed": ", ".join(EMOTIONS)},
                )
            if name not in names:
                names.append(name)
        return tuple(names)


def _within_limit(text: str, field: str) -> str:
    limit = MAX_LYRICS_CHARS if field == "lyrics" else MAX_FIELD_CHARS
    if len(text) > limit:
        raise PydanticCustomError(
            "too_long",
            "{field} is {length} characters long; the limit is {limit}",
            {"field": field, "length": f"{len(text):,}", "limit": f"{limit:,}"},
        )
    return text


def _as_text(value: Any, field: str) -> str:
    if isinstance(value, str):
        return value
    # Numbers are fine as titles ("1999") but lists and objects are a mistake.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if value is None:
        raise PydanticCustomError("missing", "{field} is missing", {"field": field})
    raise PydanticCustomError(
        "text", "{field} must be text, got {kind}", {"field": field, "kind": type(value).__name__}
    )


def load_tracks_file(path: Path | str, source: str = "file") -> list[Track]:
    """Read a CSV, JSON or JSONL file of tracks; InputError lists every bad row."""
    file_path = Path(path)
    try:
        if file_path.is_file():
            # Refuse a huge file before reading it into memory.
            _check_size(file_path.stat().st_size, file_path.name)
        data = file_path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"File {file_path} does not exist.") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{file_path} is a folder; give a CSV, JSON or JSONL file.") from exc
    except OSError as exc:
        raise InputError(f"Could not read {file_path}: {exc.strerror or exc}.") from exc
    return parse_tracks(data, file_path.name, source=source)


@dataclass(frozen=True, slots=True)
class TracksFile:
    """What a file holds: its tracks, and how many of its rows repeated a track before them."""

    tracks: list[Track]
    rows: int
    repeats: int  # rows naming a track an earlier row named (same id, or artist and title)

    def summary(self, filename: str) -> str:
        """One sentence for the reader: tracks read, and repeated rows merged."""
        read = f"{counted(len(self.tracks), 'track')} read from {filename}; every row is valid"
        if not self.repeats:
            return read + "."
        return (
            f"{read}. {counted(self.repeats, 'row')} of {self.rows} repeated a track named "
            "earlier in the file (same id, or same artist and title ignoring case); "
            "the last row of each track is kept."
        )


def parse_tracks(data: bytes, filename: str, source: str = "file") -> list[Track]:
    """Parse file contents; the filename's suffix picks the format and names the file in errors."""
    return read_tracks_file(data, filename, source).tracks


def read_tracks_file(data: bytes, filename: str, source: str = "file") -> TracksFile:
    """parse_tracks, also saying how many rows repeated a track (the last one is kept)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"{filename}: unsupported file type {suffix or '(none)'!r}; "
            f"use one of {', '.join(SUFFIXES)}."
        )
    _check_size(len(data), filename)
    text = _decode(data, filename)
    if suffix in (".csv", ".tsv"):
        records = list(_csv_records(text, filename, delimiter="\t" if suffix == ".tsv" else None))
    elif suffix == ".json":
        records = list(_json_records(text, filename))
    else:
        records = list(_jsonl_records(text, filename))
    if not records:
        raise InputError(f"{filename} has no tracks in it.")
    tracks = _build_tracks(records, filename, source)
    return TracksFile(tracks, len(records), len(records) - len(tracks))


def _check_size(size: int, filename: str) -> None:
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{filename} is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB per file. Split it into smaller files."
        )


def track_id_for(artist: str, title: str) -> str:
    """Return the stable id of a song given by artist and title."""
    key = f"{_normalise(artist)}\x1f{_normalise(title)}"
    return ID_PREFIX + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _decode(data: bytes, filename: str) -> str:
    if not data.strip():
        raise InputError(f"{filename} is empty.")
    try:
        # utf-8-sig: Excel writes a byte-order mark in front of "UTF-8 CSV" files.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{filename} is not UTF-8 text (bad byte at position {exc.start}); "
            "save it as UTF-8 and try again."
        ) from exc
    if "\x00" in text:
        raise InputError(f"{filename} looks like a binary file, not CSV or JSON text.")
    return text


# A record is (row number, mapping) or (row number, problem text) for rows that are not objects.
_Record = tuple[int, Mapping[str, Any] | str]


def _csv_records(text: str, filename: str, delimiter: str | None) -> Iterator[_Record]:
    header_line = text.lstrip().splitlines()[0]
    if delimiter is None:
        # Some spreadsheet locales export with ";"; pick whichever splits out the title column.
        delimiter = max(",;\t", key=lambda d: ("title" in header_line.lower().split(d), d == ","))
    # Cells are held to the same limits as JSON values when rows are validated, with the row's
    # number in the message; csv's own (smaller) default limit would stop at the first one.
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"{filename}: the header row is not valid CSV ({exc}).") from exc
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError(
            f"{filename} is missing the column(s) {', '.join(missing)}; "
            f"the header must include {', '.join(REQUIRED_COLUMNS)}."
        )
    row_number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{filename}: Row {row_number + 1} is not valid CSV ({exc}).") from exc
        if not any(v.strip() for v in values):
            continue  # blank separator lines are not rows
        row_number += 1
        if len(values) < len(columns) and any("\n" in v for v in values) and text.count('"') % 2:
            # An unclosed quote runs the rest of the file into one cell of this (short) row.
            yield (
                row_number,
                (
                    'a quote (") opened in this row is never closed, so the rest of the file ran '
                    "into one cell: close the quote or remove it"
                ),
            )
            continue
        # Short rows leave trailing columns missing; extra cells beyond the header are ignored.
        yield (
            row_number,
            {col: values[i] for i, col in enumerate(columns) if i < len(values) and col},
        )


def _json_records(text: str, filename: str) -> Iterator[_Record]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{filename} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    if not isinstance(payload, list):
        raise InputError(
            f"{filename} must hold a JSON list of track objects, not {json_kind(payload)}."
        )
    for number, item in enumerate(payload, start=1):
        yield number, (item if isinstance(item, dict) else _not_object(item))


def _jsonl_records(text: str, filename: str) -> Iterator[_Record]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        yield number, (item if isinstance(item, dict) else _not_object(item))


def _not_object(item: object) -> str:
    return f"expected an object with title, artist and lyrics, got {json_kind(item)}"


def _build_tracks(records: list[_Record], filename: str, source: str) -> list[Track]:
    problems: list[str] = []
    tracks: dict[str, Track] = {}
    for number, record in records:
        if isinstance(record, str):
            problems.append(f"Row {number}: {record}")
            continue
        cleaned = {str(k).strip().lower(): v for k, v in record.items()}
        for column in REQUIRED_COLUMNS:
            # Report "missing" in our words rather than pydantic's "Field required".
            cleaned.setdefault(column, None)
        try:
            row = _Row.model_validate(cleaned)
        except ValidationError as exc:
            problems.extend(f"Row {number}: {err['msg']}" for err in exc.errors())
            continue
        track_id = row.id or track_id_for(row.artist, row.title)
        tracks[track_id] = Track(
            track_id=track_id,
            title=row.title,
            artist=row.artist,
            lyrics=row.lyrics,
            album=row.album,
            year=row.year,
            url=row.url,
            source=source,
            labels=row.emotions,
        )
    if problems:
        shown = problems[:_MAX_REPORTED_ROWS]
        more = len(problems) - len(shown)
        tail = f"; and {more} more" if more else ""
        raise InputError(
            f"{filename} has {counted(len(problems), 'problem')}: {'; '.join(shown)}{tail}. "
            "Fix those rows and try again."
        )
    return list(tracks.values())
