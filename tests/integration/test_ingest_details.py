"""Re-importing a track with the same lyrics but corrected details (labels, year, album)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from moodtune.embed import get_embedder
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.ingest import Ingestor
from moodtune.models import Track
from moodtune.store import Store

SONG = Track(
    "s1",
    "Lab Joy",
    "The Fakes",
    "Sunshine in June\nwe dance all night\n\nhappy on the porch\nlaughing",
    album="Porch",
    year=2001,
    labels=("joy",),
)
OTHER = Track("s2", "Dark Road", "The Fakes", "Alone on the road\nscared of the dark")


@pytest.fixture
def ingestor(tmp_path: Path) -> Ingestor:
    ingestor = Ingestor(
        Store(tmp_path / "lib", create=True), get_embedder("hash"), KeywordExtractor()
    )
    ingestor.run([SONG, OTHER], "labelled.csv")
    return ingestor


def _stored(ingestor: Ingestor, track_id: str) -> Track:
    store = Store(ingestor.store.url, read_only=True)
    return store.stored_track(store.rows()[track_id])


def test_a_changed_label_is_saved_and_reported(ingestor: Ingestor) -> None:
    before = Store(ingestor.store.url, read_only=True)
    vector = before.index().song_emb[before.rows()["s1"]].copy()
    relabelled = dataclasses.replace(SONG, labels=("trust", "joy"))
    report = ingestor.run([relabelled, OTHER], "labelled.csv")
    assert report.counts == {"updated": 1, "unchanged": 1}
    outcome = next(o for o in report.outcomes if o.track_id == "s1")
    assert outcome.reason == "emotion labels changed"
    assert _stored(ingestor, "s1").labels == ("trust", "joy")
    # Lyrics, vectors and analysis are kept, not rebuilt.
    after = Store(ingestor.store.url, read_only=True)
    assert np.allclose(after.index().song_emb[after.rows()["s1"]], vector)
    assert _stored(ingestor, "s1").lyrics == SONG.lyrics.strip()
    assert len(ingestor.store) == 2


def test_details_a_file_leaves_out_are_kept(ingestor: Ingestor) -> None:
    bare = dataclasses.replace(SONG, labels=(), album="", year=None)
    assert ingestor.run([bare], "unlabelled.csv").counts == {"unchanged": 1}
    kept = _stored(ingestor, "s1")
    assert (kept.labels, kept.album, kept.year) == (("joy",), "Porch", 2001)


def test_new_lyrics_without_labels_keep_the_stored_labels(ingestor: Ingestor) -> None:
    rewritten = dataclasses.replace(SONG, lyrics=SONG.lyrics + "\n\nOne more verse", labels=())
    assert ingestor.run([rewritten], "labelled.csv").counts == {"updated": 1}
    stored = _stored(ingestor, "s1")
    assert stored.labels == ("joy",)
    assert stored.lyrics.endswith("One more verse")


def test_a_corrected_year_and_album_are_saved(ingestor: Ingestor) -> None:
    fixed = dataclasses.replace(SONG, year=2003, album="Porch (Deluxe)")
    report = ingestor.run([fixed], "labelled.csv")
    assert [o.reason for o in report.outcomes] == ["album, year changed"]
    stored = _stored(ingestor, "s1")
    assert (stored.year, stored.album) == (2003, "Porch (Deluxe)")


def test_an_unchanged_import_adds_one_version_not_one_per_batch(ingestor: Ingestor) -> None:
    ingestor.batch_size = 1
    before = len(ingestor.store.versions())
    report = ingestor.run([SONG, OTHER], "labelled.csv")
    assert report.counts == {"unchanged": 2}
    versions = ingestor.store.versions()
    assert len(versions) == before + 1
    assert "2 unchanged" in versions[0].message


def test_a_batch_that_writes_is_committed_before_the_run_ends(ingestor: Ingestor) -> None:
    ingestor.batch_size = 1
    before = len(ingestor.store.versions())
    new = Track("s3", "Countdown", "Nova", "Ready for tomorrow\nwaiting at the gate")
    ingestor.run([new, SONG, OTHER], "labelled.csv")
    messages = [
        v.message for v in ingestor.store.versions()[: len(ingestor.store.versions()) - before]
    ]
    assert len(messages) == 2  # batch 1 (added) and the run's last commit
    assert "batch 1/3" in messages[1]


def test_the_summary_keeps_stored_tracks_redone_apart_from_the_source(ingestor: Ingestor) -> None:
    class OtherVersion(KeywordExtractor):
        version = "keyword-v2"

    new = Track("s3", "Countdown", "Nova", "Ready for tomorrow\nwaiting at the gate")
    report = Ingestor(ingestor.store, ingestor.embedder, OtherVersion()).run([new], "new.csv")
    assert report.counts == {"added": 1, "updated": 2}
    assert report.summary() == "1 track from new.csv: 1 added; 2 stored tracks re-analysed"
