"""The filter widgets every list form shares: artists left out, one song per artist, years.

Owns: those widgets (keys `<prefix>-exclude`, `<prefix>-one-per-artist`, `<prefix>-years`) and
reading them into one ListFilterInput. The year slider spans the library's known years; left at
its full span it filters nothing, so tracks without a year are only ever kept. Must be called
inside the caller's form, and must not filter anything itself (moodtune.filters does).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from moodtune.store import LibraryIndex


@dataclass(frozen=True, slots=True)
class ListFilterInput:
    """What the filter widgets say."""

    exclude_artists: tuple[str, ...] = ()
    one_per_artist: bool = False
    year_from: int | None = None
    year_to: int | None = None


def filter_inputs(prefix: str, index: LibraryIndex) -> ListFilterInput:
    """Draw the filter widgets (inside a form) and read them."""
    artists = sorted({a for a in index.artists if a}, key=str.casefold)
    left, right = st.columns([3, 2])
    exclude = left.multiselect("Leave out artists", artists, key=f"{prefix}-exclude")
    years = sorted({int(y) for y in index.years if y})
    span: tuple[int, int] | None = None
    if len(years) > 1:
        chosen = right.slider(
            "Years", years[0], years[-1], (years[0], years[-1]), key=f"{prefix}-years",
            help="Tracks without a known year are kept; the list says how many.",
        )  # fmt: skip
        span = (int(chosen[0]), int(chosen[1]))
    one_each = st.checkbox("At most one song per artist", key=f"{prefix}-one-per-artist")
    year_from = span[0] if span and span[0] > years[0] else None
    year_to = span[1] if span and span[1] < years[-1] else None
    return ListFilterInput(tuple(exclude), bool(one_each), year_from, year_to)
