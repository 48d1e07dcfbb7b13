from __future__ import annotations

from pathlib import Path

import deeplake
import numpy as np
import pytest

from moodtune.embed import get_embedder
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.errors import NotFoundError, StoreError
from moodtune.ingest import Ingestor
from moodtune.models import Track
from moodtune.store import Store

SONGS = [
    Track(
        "t1",
        "Porch Light",
        "The Fakes",
        "Friends on the porch\nwe laugh all night\n\nSunshine in June\nwe dance",
    ),
    Track(
        "t2",
        "Dark Road",
        "The Fakes",
        "Alone on the road\nscared of the dark\n\nTears at the station\nI miss you",
    ),
    Track(
        "t3",
        "Countdown",
        "Nova",
        "Ready for tomorrow\nwaiting at the gate\n\nSoon the doors open\nsoon",
    ),
]


@pytest.fixture
def ingestor(tmp_path: Path) -> Ingestor:
    # Unit-speed fakes for the models; the store itself is a real Deep Lake dataset.
    return Ingestor(Store(tmp_path / "lib", create=True), get_embedder("hash"), KeywordExtractor())


def test_upsert_by_track_id_never_duplicates(ingestor: Ingestor) -> None:
    first = ingestor.run(SONGS, "test")
    assert first.counts == {"added": 3}
    again = ingestor.run(SONGS, "test")
    assert again.counts == {"unchanged": 3}
    assert len(ingestor.store) == 3
    changed = [Track("t2", "Dark Road", "The Fakes", "A new verse\nentirely\n\nand more")]
    assert ingestor.run(changed, "test").counts == {"updated": 1}
    assert len(ingestor.store) == 3
    assert ingestor.store.track_text(ingestor.store.rows()["t2"]).lyrics.startswith("A new verse")


def test_each_run_commits_a_version(ingestor: Ingestor) -> None:
    ingestor.run(SONGS, "test")
    before = len(ingestor.store.versions())
    report = ingestor.run(SONGS, "test")
    versions = ingestor.store.versions()
    assert len(versions) == before + 1
    assert versions[0].id == report.version
    assert "3 unchanged" in versions[0].message


def test_index_is_cached_per_version(ingestor: Ingestor) -> None:
    ingestor.run(SONGS[:2], "test")
    store = ingestor.store
    first = store.index()
    assert store.index() is first
    assert len(first) == 2
    ingestor.run(SONGS, "test")
    second = store.index()
    assert second is not first
    assert len(second) == 3
    assert second.song_emb.shape == (3, 384)
    assert np.allclose(np.linalg.norm(second.song_emb, axis=1), 1.0, atol=1e-5)
    assert second.stanza_start.tolist() == [0, 2, 4]


def test_to_pandas_has_metadata_and_scores(ingestor: Ingestor) -> None:
    ingestor.run(SONGS, "test")
    frame = ingestor.store.to_pandas()
    assert list(frame["track_id"]) == ["t1", "t2", "t3"]
    assert {"title", "artist", "dominant", "joy", "anticipation"} <= set(frame.columns)
    assert frame.loc[2, "dominant"] == "anticipation"


def test_missing_library_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=str(tmp_path / "nowhere")):
        Store(tmp_path / "nowhere")


def test_foreign_dataset_is_a_clear_error(tmp_path: Path) -> None:
    ds = deeplake.create(str(tmp_path / "other"))
    ds.add_column("x", deeplake.types.Text())
    ds.commit("other")
    with pytest.raises(StoreError, match="not a MoodTune library"):
        Store(tmp_path / "other")


def test_stale_extractor_reanalyses_without_reembedding(ingestor: Ingestor) -> None:
    ingestor.run(SONGS, "test")
    store = ingestor.store
    before = store.index().song_emb.copy()

    class OtherVersion(KeywordExtractor):
        version = "keyword-v2"

    report = Ingestor(store, ingestor.embedder, OtherVersion()).run(SONGS, "test")
    assert report.counts == {"updated": 3}
    assert all("re-analysed" in o.reason for o in report.outcomes)
    assert np.array_equal(store.index().song_emb, before)
    assert set(store.stored_state()[t.track_id][2] for t in SONGS) == {"keyword-v2"}


def test_new_extractor_reanalyses_tracks_outside_the_source(ingestor: Ingestor) -> None:
    ingestor.run(SONGS, "test")
    store = ingestor.store

    class OtherVersion(KeywordExtractor):
        version = "keyword-v2"

    report = Ingestor(store, ingestor.embedder, OtherVersion()).run(SONGS[:1], "test")
    assert report.counts == {"updated": 3}
    assert sorted(o.track_id for o in report.outcomes) == ["t1", "t2", "t3"]
    assert {v for _, _, v in store.stored_state().values()} == {"keyword-v2"}
    assert store.extractor_name == "keyword"


def test_versions_carry_each_commits_own_time_after_a_copy(
    ingestor: Ingestor, tmp_path: Path
) -> None:
    import datetime as dt
    import os
    import shutil

    ingestor.run(SONGS, "test")
    before = ingestor.store.versions()
    copy = tmp_path / "copy"
    shutil.copytree(ingestor.store.url, copy)
    # A plain `cp -r` (or a download) gives every file the time of the copy.
    copied_at = dt.datetime(2001, 1, 1, tzinfo=dt.UTC).timestamp()
    for path in copy.rglob("*"):
        os.utime(path, (copied_at, copied_at))
    after = Store(copy, read_only=True).versions()
    assert [v.timestamp for v in after] == [v.timestamp for v in before]
    assert not any(v.timestamp.startswith("2001") for v in after)
