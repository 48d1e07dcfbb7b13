"""The embedder is a library choice: stored with the library, used by queries, and switching it
re-embeds every stored track (so a library never mixes vectors of two embedders)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moodtune.config import load_settings
from moodtune.embed import EMBEDDERS, HashEmbedder
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.ingest import Ingestor, build_ingestor
from moodtune.models import Track
from moodtune.recommend import build_recommender
from moodtune.store import Store

SONGS = [
    Track("t1", "Porch Light", "The Fakes", "Friends on the porch\nwe laugh\n\nSunshine\nwe dance"),
    Track("t2", "Dark Road", "The Fakes", "Alone on the road\nscared\n\nTears at the station"),
    Track("t3", "Countdown", "Nova", "Ready for tomorrow\nwaiting\n\nSoon the doors open"),
]


class OtherHash(HashEmbedder):
    """A second embedder with different vectors (the hash embedder, reversed)."""

    name = "other-hash"
    version = "other-hash-v1"

    def embed(self, texts):  # type: ignore[no-untyped-def]
        return super().embed(texts)[:, ::-1].copy()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "lib", create=True)


def test_the_embedder_is_stored_with_the_library(store: Store) -> None:
    assert store.embedder_name is None
    Ingestor(store, HashEmbedder(), KeywordExtractor()).run(SONGS, "test")
    assert store.embedder_name == "hash"
    assert {e for _, e, _ in store.stored_state().values()} == {"hash-v1"}


def test_switching_embedder_reembeds_tracks_outside_the_source(store: Store) -> None:
    Ingestor(store, HashEmbedder(), KeywordExtractor()).run(SONGS, "test")
    before = store.index()
    other = OtherHash()

    report = Ingestor(store, other, KeywordExtractor()).run(SONGS[:1], "test")

    assert report.counts == {"updated": 3}
    assert sorted(o.track_id for o in report.outcomes) == ["t1", "t2", "t3"]
    assert store.embedder_name == "other-hash"
    assert {e for _, e, _ in store.stored_state().values()} == {"other-hash-v1"}
    after = store.index()
    assert after.track_ids == before.track_ids
    assert not np.allclose(after.song_emb, before.song_emb)
    # Every vector now comes from the new embedder: songs, stanzas and emotion words.
    row = after.track_ids.index("t2")
    stanzas = store.track_text(row).stanzas
    expected = other.embed(list(stanzas))
    assert np.allclose(after.stanza_emb[after.stanza_owner == row], expected, atol=1e-6)
    assert np.allclose(after.emotion_emb[row], other.embed([after.emotion_words[row]])[0])
    # Titles, artists and lyrics survive the rebuild.
    assert after.titles == before.titles
    assert after.artists == before.artists
    assert store.stored_track(row).lyrics == store.track_text(row).lyrics


def test_same_embedder_again_changes_nothing(store: Store) -> None:
    Ingestor(store, HashEmbedder(), KeywordExtractor()).run(SONGS, "test")
    report = Ingestor(store, HashEmbedder(), KeywordExtractor()).run(SONGS[:1], "test")
    assert report.counts == {"unchanged": 1}


def test_queries_and_later_ingestion_use_the_library_embedder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(EMBEDDERS._items, "other-hash", OtherHash)
    settings = load_settings(secrets_path=Path("/nonexistent"), home=str(tmp_path / "home"))
    assert settings.embedder == "minilm"
    store = Store(settings.library_url, create=True)
    Ingestor(store, OtherHash(), KeywordExtractor()).run(SONGS, "test")
    # The settings still say minilm: the library's own choice wins for queries and ingestion.
    recommender = build_recommender(settings, store, extractor=KeywordExtractor())
    assert recommender.embedder.name == "other-hash"
    ingestor = build_ingestor(settings, extractor_name="keyword", store=store)
    assert ingestor.embedder.name == "other-hash"
    # An explicit choice switches it.
    switched = build_ingestor(settings, extractor_name="keyword", store=store, embedder_name="hash")
    assert switched.embedder.name == "hash"
