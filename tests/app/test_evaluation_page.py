from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from moodtune.config import Settings
from moodtune.embed import HashEmbedder
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.errors import InputError
from moodtune.feedback import FeedbackStore, Vote
from moodtune.ingest import Ingestor
from moodtune.models import Track
from moodtune.recommend import APPROACHES
from moodtune.store import Store
from moodtune.ui import evaluation
from tests.conftest import ROOT

PAGE = str(ROOT / "app_pages" / "4_Evaluation.py")


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """Each test reads its own MOODTUNE_HOME, so no cached settings or stores may leak in."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def _frame(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first dataframe on the page that has all of `columns`."""
    for element in at.dataframe:
        if set(columns) <= set(element.value.columns):
            return element.value
    raise AssertionError(f"no dataframe with columns {columns}")


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_comparison_on_the_demo_library(demo_settings: Settings) -> None:
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    assert not at.exception
    assert "No votes yet" in _texts(at)
    at.button(key="eval-run").click().run()
    assert not at.exception
    assert "ranks best by nDCG" in _texts(at)  # markdown-escaped: nDCG\\@10
    table = _frame(at, "approach", "P@5")
    assert list(table["approach"]) == [*APPROACHES.names(), "random order (expected)"]
    assert table["P@5"].between(0, 1).all()
    per_query = _frame(at, "query", "first hit: lyrics")
    assert len(per_query) >= 80
    assert "first hit: lyrics" in per_query.columns


def test_song_agreement_on_the_demo_library(demo_settings: Settings) -> None:
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    assert not at.exception
    assert "Song emotions against their labels" in [h.value for h in at.subheader]
    assert "labelled songs the strongest emotion agrees" in _texts(at)
    table = _frame(at, "analysis", "top-1", "main in top 2")
    assert len(table) == 3  # the analysis, then the majority and random baselines
    assert table["top-1"].between(0, 1).all()
    assert table["analysis"].iloc[2] == "baseline: random"
    recall = _frame(at, "main emotion", "recall")
    assert recall["songs"].sum() == 162  # every demo song has a main emotion
    heatmaps = [c for c in at.get("plotly_chart") if '"heatmap"' in c.proto.spec]
    assert len(heatmaps) == 1


def test_votes_show_without_a_library(empty_home: Path) -> None:
    votes = FeedbackStore(empty_home / "feedback.db")
    for i, up in enumerate([True, True, True, False]):
        votes.record(Vote("s", "rainy day", "lyrics", i + 1, f"t{i}", up))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    texts = _texts(at)
    assert "lyrics has the highest thumbs" in texts
    assert "No MoodTune library" in texts
    shares = at.dataframe[0].value.set_index("approach")
    assert shares.loc["lyrics", "share up"] == pytest.approx(0.75)
    assert shares.loc["lyrics", "votes"] == 4
    assert shares.loc["emotions", "votes"] == 0
    assert not at.button  # nothing to run without a library


def test_unlabelled_library_explains_why_only_votes_count(empty_home: Path) -> None:
    store = Store(empty_home / "library", create=True)
    Ingestor(store, HashEmbedder(), KeywordExtractor()).run(
        [Track("a", "A", "B", "happy dance all day")], "tiny"
    )
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert "No track in this library has emotion labels" in _texts(at)
    assert not at.button


def test_an_uploaded_file_must_be_utf8_text() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        evaluation.run_comparison(b"\xff\xfe\x00q", "queries.jsonl")
    with pytest.raises(InputError, match="larger than 2 MB"):
        evaluation.run_comparison(b"x" * 2_000_001, "big.jsonl")
