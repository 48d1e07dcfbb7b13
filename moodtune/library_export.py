"""The library written back out in the import format (`moodtune export`, the Ingest page).

Owns: one row per track with id, title, artist, album, year, url, lyrics and `emotions` (a
listener's correction when there is one, main first; else the labels the track came with), and
writing those rows as CSV or JSONL, so that `moodtune ingest file` (with `--as-corrections` for
the emotions) reads them back. Must not rank or analyse.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from moodtune.corrections import Correction
from moodtune.errors import InputError
from moodtune.store import Store

COLUMNS = ("id", "title", "artist", "album", "year", "url", "emotions", "lyrics")
FORMATS = ("csv", "jsonl")


def library_rows(store: Store, corrections: Mapping[str, Correction]) -> list[dict[str, Any]]:
    """Every track of the library as an import-format row, in library order."""
    index = store.index()
    years = store.years()
    rows = []
    for row, tid in enumerate(index.track_ids):
        fixed = corrections.get(tid)
        emotions = fixed.emotions if fixed is not None else index.labels[row]
        rows.append(
            {
                "id": tid,
                "title": index.titles[row],
                "artist": index.artists[row],
                "album": index.albums[row],
                "year": years[row],
                "url": index.urls[row],
                "emotions": list(emotions),
                "lyrics": store.track_text(row).lyrics,
            }
        )
    return rows


def render_rows(rows: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """Rows as CSV (emotions comma-joined) or JSONL text."""
    if fmt not in FORMATS:
        raise InputError(f"Unknown export format {fmt!r}. Choose from: {', '.join(FORMATS)}.")
    if fmt == "jsonl":
        return "".join(json.dumps(dict(r), ensure_ascii=False) + "\n" for r in rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(
            {
                **r,
                "emotions": ",".join(r["emotions"]),
                "year": "" if r["year"] is None else r["year"],
            }
        )
    return out.getvalue()


def format_for(path: Path) -> str:
    """The export format a file name asks for: .csv or .jsonl."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InputError(f"Export to a .csv or .jsonl file (got {path.name!r}).")
    return suffix
