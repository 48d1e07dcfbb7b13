"""Small LibraryIndex objects built by hand for unit tests: no store, no models.

One builder, so a change to the index's fields is made once for every hand-made index.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moodtune.library_index import LibraryIndex, WordTable, memory_pack
from moodtune.models import EMOTIONS


def hand_index(
    profiles: np.ndarray | Sequence[Sequence[float]],
    *,
    song_emb: np.ndarray | None = None,
    track_ids: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    artists: Sequence[str] | None = None,
    years: Sequence[int | None] | None = None,
) -> LibraryIndex:
    """An index of len(profiles) tracks ("t0", "Song 0", "Artist 0", ...) unless given.

    Each track has one stanza, its song vector (4-d zeros unless `song_emb`); years are
    unknown unless given.
    """
    matrix = np.asarray(profiles, dtype=np.float32).reshape(-1, len(EMOTIONS))
    n = len(matrix)
    emb = np.zeros((n, 4), np.float32) if song_emb is None else np.asarray(song_emb, np.float32)
    return LibraryIndex(
        version="v",
        track_ids=tuple(track_ids) if track_ids is not None else tuple(f"t{i}" for i in range(n)),
        titles=tuple(titles) if titles is not None else tuple(f"Song {i}" for i in range(n)),
        artists=tuple(artists) if artists is not None else tuple(f"Artist {i}" for i in range(n)),
        albums=("",) * n,
        urls=("",) * n,
        labels=((),) * n,
        extractors=("local",) * n,
        extractor_versions=("1",) * n,
        emotion_words=("",) * n,
        refined_words=("",) * n,
        song_emb=emb,
        pack=memory_pack(list(emb[:, None, :]), emb.shape[1]),
        profiles=matrix,
        emotion_table=WordTable.of_rows(emb),
        years=np.array([y or 0 for y in years or []], dtype=np.int32),
    )
