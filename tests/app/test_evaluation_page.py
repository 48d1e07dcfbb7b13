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
from moodtune.evaluate.tables import EMPTY_CELL
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
    parts += [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def _plain(text: str) -> str:
    """Undo md_escape's backslashes: the words a user reads."""
    return text.replace("\\", "")


def _upload_and_run(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="eval-upload").set_value((name, data, "application/json"))
    at.run()
    return at.button(key="eval-run").click().run()


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
    # No "None" in empty cells: the baselines have no intervals, so their CI cells are a dash.
    assert list(table["top-1 CI"].iloc[1:]) == [EMPTY_CELL, EMPTY_CELL]
    assert not table.isna().any().any()
    with_intervals = [d for d in at.dataframe if "top-1 CI" in d.value.columns]
    assert len(with_intervals) == 2  # this table and the corrections' one
    assert all(d.proto.placeholder == EMPTY_CELL for d in with_intervals)
    # The analysis cell is the extractor's name; its long version string is a caption below.
    assert table["analysis"].iloc[0] == demo_settings.extractor
    assert any(_plain(c.value).startswith("Analysis: ") for c in at.caption)
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
    # A missing library is the normal first visit: an info with the next step, as on the other
    # pages, not a red error.
    assert not at.error
    assert [i.value for i in at.info] == [
        "There is no library yet, so there are no songs to evaluate. Build the demo library "
        "(original songs, labelled) on the Home page, or add tracks on the Ingest page; both "
        "are in the sidebar."
    ]
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
        evaluation.run_comparison(b"x" * (evaluation.MAX_UPLOAD_BYTES + 1), "big.jsonl")


def test_the_uploader_states_and_enforces_the_2_mb_limit(demo_settings: Settings) -> None:
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    uploader = at.file_uploader(key="eval-upload")
    # Streamlit prints "<max_upload_size>MB per file" under the widget: it must be the real limit.
    assert uploader.proto.max_upload_size_mb == 2
    assert "up to 2 MB" in uploader.label
    assert "At most 2 MB per file" in uploader.help
    assert evaluation.MAX_UPLOAD_BYTES == 2 * 1024 * 1024


def test_uploaded_queries_as_a_json_list_and_their_problems(demo_settings: Settings) -> None:
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    listed = b'[{"id":"a","query":"so happy","emotions":["joy"]}]'
    at = _upload_and_run(at, "q_list.json", listed)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert list(_frame(at, "query", "first hit: lyrics")["id"]) == ["a"]
    chance = _frame(at, "approach", "P@5").iloc[-1]
    assert chance["approach"] == "random order (expected)"
    assert chance["P@5 CI"] == chance["nDCG@10 vs best"] == EMPTY_CELL
    # One query cannot separate approaches: a plain warning says so above the verdicts.
    warning = _plain(at.warning[0].value)
    assert warning.startswith("Only 1 query was scored")
    assert "mean little" in warning

    bad = b'{"id":"u1","query":"hi"\nnot json\n{"id":"u2","query":"x","emotions":["happiness"]}\n'
    at = _upload_and_run(at, "q_bad.jsonl", bad)
    error = _plain(at.error[0].value)
    assert "line 1: not valid JSON (Expecting ',' delimiter at column 24)" in error
    assert "line 2: not valid JSON (Expecting value at column 1)" in error
    assert "line 3: unknown emotion happiness (the eight are joy, trust," in error
    assert "Value error" not in error
    assert "eval-report" not in at.session_state

    dup = b'{"id": "a", "query": "so happy", "emotions": ["joy"]}\n' * 2
    at = _upload_and_run(at, "q_dupid.jsonl", dup)
    assert "line 2: the id 'a' is already used by line 1" in _plain(at.error[0].value)


def test_a_summary_line_is_shown_whole() -> None:
    at = AppTest.from_string(
        "from moodtune.ui.evaluation import show_summary\n"
        "show_summary('On 162 labelled songs ' + 'the strongest emotion agrees ' * 12 + "
        "'Never recalled as a song strongest emotion: fear, surprise.')\n"
    ).run()
    assert not at.exception
    shown = _plain(at.markdown[0].value)
    assert len(shown) > 300
    assert shown.endswith("Never recalled as a song strongest emotion: fear, surprise.")
