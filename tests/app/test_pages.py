"""Every page in AppTest: renders, answers, records votes, and explains bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from moodtune.config import load_settings
from moodtune.ingest import build_ingestor
from moodtune.playlists import parse_document
from moodtune.recommend import APPROACHES
from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists
from moodtune.store import Store
from moodtune.ui.sources import SPOTIFY, UPLOAD
from tests.app.helpers import PAGES, ROOT, frame_with, plain, run_page, texts

DATA = ROOT / "tests" / "data"
QUERY = "rainy sunday, missing home"


def _ask(at: AppTest, query: str, approach: str = "hybrid", k: int = 5) -> AppTest:
    at.text_area(key="rec-query").input(query)
    at.radio(key="rec-approach").set_value(approach)
    at.number_input(key="rec-k").set_value(k)
    return at.button(key="rec-submit").click().run()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="ingest-source").set_value(UPLOAD).run()
    at.file_uploader(key="ingest-upload").set_value((name, data, "text/plain"))
    return at.run()


def _errors(at: AppTest) -> list[str]:
    return [plain(e.value) for e in at.error]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_renders_on_the_demo_library(page: str, library_home: Path) -> None:
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, _errors(at)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_explains_a_missing_library(page: str, empty_home: Path) -> None:
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join([*_errors(at), *(w.value for w in at.warning), *(i.value for i in at.info)])
    assert "library" in shown.lower()
    if page == "home":
        assert at.button(key="home-build-demo")
    assert not empty_home.exists() or not (empty_home / "library").exists()


def test_a_query_yields_explained_results(library_home: Path) -> None:
    at = _ask(run_page("recommend"), QUERY, "hybrid", 4)
    assert not at.exception
    cards = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(cards) == 4
    # One score line per card (a card may also name the playlists its track is in).
    assert len([c for c in at.caption if "% match · " in c.value]) == 4
    assert len(at.feedback) == 4


def test_compare_shows_every_approach_side_by_side(library_home: Path) -> None:
    at = _ask(run_page("recommend"), QUERY, "compare", 3)
    assert not at.exception
    headings = [s.value for s in at.subheader]
    assert all(name in headings for name in APPROACHES.names())
    assert len(at.feedback) == 3 * len(APPROACHES.names())


def test_a_thumbs_vote_writes_a_row(library_home: Path) -> None:
    at = _ask(run_page("recommend"), QUERY, "lyrics", 3)
    at.feedback[1].set_value(1).run()
    assert not at.exception
    with sqlite3.connect(library_home / "feedback.db") as conn:
        rows = conn.execute(
            "SELECT session_id, query, approach, rank, track_id, vote, created_at FROM feedback"
        ).fetchall()
    assert len(rows) == 1
    session, query, approach, rank, track_id, vote, created = rows[0]
    assert (query, approach, rank, vote) == (QUERY, "lyrics", 2, 1)
    assert session
    assert created
    assert track_id.startswith("demo")
    # Changing the vote replaces it; the summary shows the share per approach.
    at.feedback[1].set_value(0).run()
    with sqlite3.connect(library_home / "feedback.db") as conn:
        assert conn.execute("SELECT vote FROM feedback").fetchall() == [(0,)]
    summary = frame_with(at, "share up")
    assert list(summary["approach"]) == ["lyrics"]
    assert (summary["down"].iloc[0], summary["votes"].iloc[0]) == (1, 1)


def test_an_empty_query_shows_a_message(library_home: Path) -> None:
    at = _ask(run_page("recommend"), "   ")
    assert not at.exception
    assert any("query is empty" in e for e in _errors(at))
    assert not at.feedback


def test_a_huge_query_shows_a_message_and_keeps_the_text(library_home: Path) -> None:
    huge = "so tired of waiting " * 2000
    at = _ask(run_page("recommend"), huge)
    assert not at.exception
    assert any("characters long" in e for e in _errors(at))
    assert at.text_area(key="rec-query").value == huge


def test_an_upload_with_bad_rows_names_them(empty_home: Path) -> None:
    at = _upload(run_page("ingest"), "files_bad.csv", (DATA / "files_bad.csv").read_bytes())
    assert not at.exception
    (message,) = _errors(at)
    for row in ("Row 2", "Row 3", "Row 4", "Row 5", "Row 7"):
        assert row in message
    assert "Row 1:" not in message
    assert "Row 6:" not in message
    assert not any(b.key == "ingest-upload-go" for b in at.button)


def test_an_unreadable_upload_shows_a_message(empty_home: Path) -> None:
    at = _upload(run_page("ingest"), "tracks.csv", b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    assert not at.exception
    assert any("UTF-8" in e or "binary" in e for e in _errors(at))


def test_spotify_without_keys_says_what_to_configure(empty_home: Path) -> None:
    at = run_page("ingest")
    at.radio(key="ingest-source").set_value(SPOTIFY).run()
    assert not at.exception
    help_text = plain(at.info[0].value)
    assert "SPOTIPY_CLIENT_ID" in help_text
    assert "secrets.toml" in help_text
    assert at.text_input(key="ingest-spotify-link").disabled


def test_spotify_with_a_client_id_offers_sign_in(
    empty_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", "0123456789abcdef0123456789abcdef")
    monkeypatch.setenv("MOODTUNE_CACHE_DIR", str(tmp_path / "cache"))
    at = run_page("ingest")
    at.radio(key="ingest-source").set_value(SPOTIFY).run()
    assert not at.exception
    assert not any("SPOTIPY_CLIENT_ID" in i.value for i in at.info)
    (login,) = at.link_button
    assert login.proto.url.startswith("https://accounts.spotify.com/authorize?")
    assert "code_challenge=" in login.proto.url
    # A pasted address without ?code= is explained, not a traceback.
    at.text_input(key="ingest-spotify-redirect").input("http://127.0.0.1:8888/callback")
    at.button(key="ingest-spotify-finish").click().run()
    assert not at.exception
    assert any("code" in e for e in _errors(at))


UNTRUSTED = (
    "title,artist,lyrics\n"
    '"[click me](https://evil.example) <img src=x onerror=alert(1)>",'
    '":red[Band] **bold**","We wait by the window, the rain will not stop\n'
    'I miss the kitchen light of home"\n'
    'Quiet Harbour,Nora Vale,"Boats come home, the harbour hums\nand I am calm again"\n'
)


def test_an_upload_ingests_and_outside_text_stays_text(empty_home: Path) -> None:
    at = _upload(run_page("ingest"), "mine.csv", UNTRUSTED.encode())
    assert not at.exception
    assert not at.error, _errors(at)
    at.button(key="ingest-upload-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = frame_with(at, "status")
    assert sorted(table["status"]) == ["added", "added"]
    versions = frame_with(at, "message")
    assert len(versions) >= 2
    assert "mine.csv" in " ".join(versions["message"])

    at = _ask(run_page("recommend"), "missing home on a rainy night", "lyrics", 2)
    assert not at.exception
    rendered = " ".join(texts(at))
    # Every markdown-significant character of outside text arrives backslash-escaped.
    assert "\\[click me\\]\\(https\\:\\/\\/evil\\.example\\)" in rendered
    assert "](https://evil" not in rendered
    assert "<img" not in rendered.replace("\\<img", "")
    assert ":red[" not in rendered
    assert "**bold**" not in rendered

    at = run_page("explorer")
    assert not at.exception
    assert not at.error, _errors(at)


def test_a_new_library_version_reaches_a_running_app(library_home: Path) -> None:
    # The store and recommender are cached for the process; the next run must still see a
    # version committed since (here by the Ingest page, as another session would).
    song = (
        "title,artist,lyrics\n"
        'Lighthouse Ledger,Quay Nine,"Count the lamps along the quay\n'
        'where the keeper writes the ledger of ships"\n'
    )
    first = _ask(run_page("recommend"), "the keeper writes the ledger of ships", "lyrics", 1)
    assert "Lighthouse Ledger" not in " ".join(texts(first))
    at = _upload(run_page("ingest"), "ledger.csv", song.encode())
    at.button(key="ingest-upload-go").click().run()
    assert not at.exception
    assert list(frame_with(at, "status")["status"]) == ["added"]
    again = _ask(run_page("recommend"), "the keeper writes the ledger of ships", "lyrics", 1)
    assert "Lighthouse Ledger" in plain(" ".join(texts(again)))


def test_home_answers_a_feeling_inline(library_home: Path) -> None:
    at = run_page("home")
    assert [m.label for m in at.metric][:2] == ["Tracks", "Versions"]
    at.text_input(key="home-query").input(QUERY)
    at.button(key="home-ask").click().run()
    assert not at.exception
    assert len([m for m in at.markdown if m.value.startswith("**")]) == 3
    assert not at.feedback  # votes live on the Recommend page


def test_home_empty_feeling_shows_a_message(library_home: Path) -> None:
    at = run_page("home")
    at.button(key="home-ask").click().run()
    assert any("query is empty" in e for e in _errors(at))


def test_explorer_shows_a_chosen_track_and_filters(library_home: Path) -> None:
    at = run_page("explorer")
    box = at.selectbox(key="explorer-track")
    second = box.options[1]
    box.select_index(1).run()
    assert not at.exception
    assert plain(second.split(" — ")[0]) in plain(" ".join(m.value for m in at.markdown))
    charts = at.get("plotly_chart")
    assert len(charts) >= 4  # map, track radar, playlist radar, dominant bars
    lines = [t.value for t in at.text if "“" in t.value]
    assert 1 <= len(lines) <= 3

    at.multiselect(key="explorer-emotions").select("sadness").run()
    assert not at.exception
    shown = at.selectbox(key="explorer-track").options
    assert 0 < len(shown) < len(box.options)
    assert "tracks)" in at.subheader[0].value


def test_home_builds_the_demo_library_in_one_click(empty_home: Path) -> None:
    at = run_page("home")
    at.button(key="home-build-demo").click().run(timeout=900)
    assert not at.exception, [e.value for e in at.exception]
    assert (empty_home / "library").exists()
    assert at.metric[0].label == "Tracks"
    assert int(at.metric[0].value) > 100
    # The demo catalogue is recorded as its playlists, committed with the tracks.
    stored = parse_document(Store(empty_home / "library", read_only=True).playlists_document())
    assert [p.name for p in stored or ()] == [p.name for p in load_demo_playlists()]


def test_tracks_from_another_extractor_are_offered_a_reanalysis(empty_home: Path) -> None:
    # A library scored by the `keyword` extractor, opened by an app whose extractor is `local`.
    settings = load_settings()
    build_ingestor(settings, extractor_name="keyword").run(load_demo_catalogue()[:3], "old")
    at = run_page("ingest")
    assert not at.exception
    assert any("3 of 3 tracks carry emotions from another extractor" in w.value for w in at.warning)
    at.button(key="ingest-reanalyse-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning  # redrawn without the notice
    assert sorted(frame_with(at, "status")["status"]) == ["updated"] * 3
    index = Store(settings.library_url, read_only=True).index()
    assert set(index.extractors) == {"local"}
    assert index.stale_analyses(index.extractor_versions[0]) == 0
    assert index.extractor_versions[0].startswith("local-xed")


def test_a_current_library_shows_no_reanalysis_notice(library_home: Path) -> None:
    at = run_page("ingest")
    assert not at.exception
    assert not at.warning


@pytest.mark.parametrize("page", ["home", "recommend"])
def test_a_damaged_library_shows_a_message_with_the_way_out(page: str, damaged_home: Path) -> None:
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    (message,) = _errors(at)
    assert str(damaged_home / "library") in message
    assert "moodtune library check" in message
    assert "moodtune library restore VERSION" in message


def test_hybrid_cards_show_a_match_figure_and_the_raw_score(library_home: Path) -> None:
    at = _ask(run_page("recommend"), QUERY, "hybrid", 3)
    assert not at.exception
    captions = [plain(c.value) for c in at.caption if "% match · " in plain(c.value)]
    assert len(captions) == 3
    assert captions[0].startswith("100% match · hybrid")
    for caption in captions:
        percent = caption.split("% match")[0]
        assert percent.isdigit(), caption
        assert 0 <= int(percent) <= 100
        assert "raw hybrid score 0.0" in caption


def test_lyrics_results_for_a_feeling_in_another_language_say_why_they_are_weak(
    library_home: Path,
) -> None:
    from moodtune.ui.refining import LYRICS_UNREADABLE

    at = _ask(run_page("recommend"), "me siento tan solo desde que te fuiste", "lyrics")
    assert not at.exception, [e.value for e in at.exception]
    assert plain(LYRICS_UNREADABLE) in [plain(i.value) for i in at.info]
    at = _ask(at, "me siento tan solo desde que te fuiste", "hybrid")
    assert plain(LYRICS_UNREADABLE) not in [plain(i.value) for i in at.info]
    at = _ask(at, QUERY, "lyrics")
    assert plain(LYRICS_UNREADABLE) not in [plain(i.value) for i in at.info]
