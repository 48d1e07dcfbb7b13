"""The filters every list shares (recommend, journey, refinement): artists left out, at most one
song per artist, and a release-year range.

Owns: checking a year range, the candidate masks over a LibraryIndex, picking the best rows
with at most one per artist, and the sentence that says how many listed tracks had no year (a
year range keeps them: an unknown year cannot be judged). Pure numpy; must not read the store,
rank or import streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moodtune.errors import InputError
from moodtune.store import LibraryIndex

MIN_YEAR = 1000
MAX_YEAR = 2100


def check_years(year_from: int | None, year_to: int | None) -> None:
    """InputError for a year outside MIN_YEAR..MAX_YEAR or a range that runs backwards."""
    for year in (year_from, year_to):
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise InputError(f"A year must be between {MIN_YEAR} and {MAX_YEAR} (got {year}).")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InputError(
            f"The year range runs backwards ({year_from} to {year_to}); give the earlier year "
            "first."
        )


def year_mask(index: LibraryIndex, year_from: int | None, year_to: int | None) -> np.ndarray:
    """Rows whose year is in the range, or unknown (kept: they cannot be judged)."""
    check_years(year_from, year_to)
    mask = np.ones(len(index), dtype=bool)
    if (year_from is None and year_to is None) or not len(index.years):
        return mask
    years = np.asarray(index.years)
    known = years > 0
    if year_from is not None:
        mask &= ~known | (years >= year_from)
    if year_to is not None:
        mask &= ~known | (years <= year_to)
    return mask


def artist_mask(index: LibraryIndex, exclude: Sequence[str]) -> np.ndarray:
    """Rows whose artist is not in `exclude` (ignoring case and surrounding spaces)."""
    left_out = {a.strip().casefold() for a in exclude if a.strip()}
    if not left_out:
        return np.ones(len(index), dtype=bool)
    return np.array([a.strip().casefold() not in left_out for a in index.artists], dtype=bool)


def best_rows_one_per_artist(
    scores: np.ndarray, k: int, mask: np.ndarray, artists: Sequence[str]
) -> np.ndarray:
    """The `k` best rows among `mask`, each artist's best song only, best first."""
    candidates = np.flatnonzero(mask)
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    seen: set[str] = set()
    kept: list[int] = []
    for row in order.tolist():
        artist = artists[row].strip().casefold()
        if artist in seen:
            continue
        seen.add(artist)
        kept.append(row)
        if len(kept) == k:
            break
    return np.array(kept, dtype=np.int64)


def unknown_year_note(
    years: Sequence[int | None], year_from: int | None, year_to: int | None
) -> str:
    """With a year range: how many listed tracks have no year and were kept; else ''."""
    if year_from is None and year_to is None:
        return ""
    missing = sum(y is None for y in years)
    if not missing:
        return ""
    start = "" if year_from is None else str(year_from)
    end = "" if year_to is None else str(year_to)
    span = f"{start} to {end}" if start and end else (f"from {start}" if start else f"up to {end}")
    tracks = "track has" if missing == 1 else "tracks have"
    return (
        f"{missing} listed {tracks} no known year; the range {span} keeps such tracks rather "
        "than guess."
    )
