"""Rewriting stored tracks never damages the library (Deep Lake 4.7.4 in-place updates can).

Found by trying the app as a user: import a small file, import it again with a song changed,
then import a larger one. With rows updated in place, the next process could not open
the library ("setting an array element with a sequence ... inhomogeneous shape"): the changed
file's rows read back as single numbers in every array column. Store now deletes a rewritten
row and appends it again (moodtune.store.Store._write_rows).
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import deeplake
import numpy as np
import pytest

from moodtune.embed import get_embedder
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.errors import StoreError
from moodtune.ingest import Ingestor
from moodtune.library_repair import check_library, restore_library
from moodtune.models import Track
from moodtune.sources.demo import load_demo_catalogue
from moodtune.store import Store

WORDS = [
    "happy",
    "tears",
    "scared",
    "angry",
    "waiting",
    "road",
    "night",
    "light",
    "home",
    "river",
    "gate",
    "morning",
]


def _song(n: int, version: int = 0) -> Track:
    rng = random.Random(n * 1_000 + version)
    stanzas = [
        "\n".join(" ".join(rng.choices(WORDS, k=6)) for _ in range(rng.randint(2, 5)))
        for _ in range(rng.randint(1, 5))
    ]
    return Track(f"t{n:03d}", f"Song {n}", f"Band {n % 7}", "\n\n".join(stanzas))


def _ingestor(path: Path) -> Ingestor:
    return Ingestor(Store(path, create=True), get_embedder("hash"), KeywordExtractor())


def _read_back(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    """Each track's profile, song vector and lyrics, read by a new read-only handle."""
    store = Store(path, read_only=True)
    index = store.index()  # raised StoreError ("inhomogeneous shape") before the fix
    assert index.profiles.shape == (len(store), 8)
    return {
        tid: (
            index.profiles[row],
            index.song_emb[row],
            store.track_text(row).lyrics,
        )
        for tid, row in store.rows().items()
    }


def test_updated_file_then_a_larger_import_keeps_the_library_readable(tmp_path: Path) -> None:
    path = tmp_path / "lib"
    ingestor = _ingestor(path)
    demo = load_demo_catalogue()
    ingestor.run(demo, "demo")
    mine = dataclasses.replace(demo[0], track_id="mine")
    ingestor.run([mine], "mine.csv")
    expected = _read_back(path)

    changed = dataclasses.replace(mine, lyrics=mine.lyrics + "\n\nOne more verse here")
    assert ingestor.run([changed], "mine.csv").counts == {"updated": 1}
    more = [dataclasses.replace(t, track_id=f"more{i}") for i, t in enumerate(demo[10:26])]
    ingestor.run(more, "more.csv")

    after = _read_back(path)
    assert len(after) == len(demo) + 17
    assert after["mine"][2].endswith("One more verse here")
    for tid, (profile, vector, lyrics) in expected.items():
        if tid != "mine":
            assert np.allclose(after[tid][0], profile), tid
            assert np.allclose(after[tid][1], vector, atol=1e-3), tid
            assert after[tid][2] == lyrics


def test_random_updates_and_appends_read_back_as_written(tmp_path: Path) -> None:
    """Before the fix about half of such random histories broke the library."""
    rng = random.Random(7)
    for trial in range(4):
        path = tmp_path / f"lib{trial}"
        ingestor = _ingestor(path)
        versions: dict[int, int] = {}
        for _ in range(12):
            if not versions or rng.random() < 0.5:
                start = max(versions, default=-1) + 1
                batch = range(start, start + rng.choice([1, 2, 3, 5, 16, 20]))
                versions.update((n, 0) for n in batch)
            else:
                batch = rng.sample(sorted(versions), min(3, len(versions)))
                versions.update((n, versions[n] + 1) for n in batch)
            ingestor.run([_song(n, versions[n]) for n in batch], "file")
        stored = _read_back(path)
        assert sorted(stored) == sorted(f"t{n:03d}" for n in versions)
        for n, version in versions.items():
            assert stored[f"t{n:03d}"][2] == _song(n, version).lyrics.strip()


def test_library_check_finds_rows_damaged_by_an_in_place_update(tmp_path: Path) -> None:
    """A library damaged the old way (before the fix) is found by `moodtune library check`,
    and restoring the version it names makes the library open again."""
    path = tmp_path / "lib"
    ingestor = _ingestor(path)
    demo = load_demo_catalogue()
    ingestor.run(demo, "demo")
    ingestor.run([dataclasses.replace(demo[0], track_id="mine")], "mine.csv")
    ds = deeplake.open(str(path))
    ds["profile"][len(demo)] = np.full(8, 0.5, np.float32)  # what Store.upsert used to do
    ds.commit("in-place update")
    del ds
    ingestor = _ingestor(path)
    ingestor.run([dataclasses.replace(t, track_id=f"m{i}") for i, t in enumerate(demo[1:17])], "x")
    with pytest.raises(StoreError, match="moodtune library check"):
        Store(path, read_only=True).index()

    check = check_library(path)
    assert not check.healthy
    assert "do not read as 8 numbers" in check.error
    good = check.newest_readable
    assert good is not None
    restore_library(path, good)
    assert len(Store(path, read_only=True).index()) == len(demo) + 1
