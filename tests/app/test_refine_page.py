"""AppTest: refining results (more/less like this, a follow-up, start over), list filters, and
saving, exporting and sending lists from the Recommend page and the explorer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.helpers import all_text, ask, card_titles, plain, run_page

FURIOUS = "they lied to us and I am furious"


def test_more_and_less_like_this_and_a_follow_up_refine_the_list(library_home: Path) -> None:
    at = ask(FURIOUS)
    first = card_titles(at)
    assert len(first) == 5

    at.button(key="less-emotions-1").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = all_text(at)
    assert f"Refined: {FURIOUS} · less like “{first[0]}”" in shown
    assert "Changed: " in shown
    assert first[0] not in card_titles(at)
    assert "Dropped: " in shown

    at.text_input(key="rec-followup").input("less angry")
    at.button(key="rec-followup-go").click().run()
    assert not at.exception
    assert "· less angry" in all_text(at)

    at.button(key="more-emotions-3").click().run()
    assert not at.exception
    assert "· more like “" in all_text(at)

    at.button(key="rec-restart").click().run()
    assert not at.exception
    assert "Refined:" not in all_text(at)
    assert card_titles(at) == first


def test_an_empty_follow_up_says_what_to_type(library_home: Path) -> None:
    at = ask(FURIOUS)
    at.button(key="rec-followup-go").click().run()
    assert not at.exception
    assert any("Say how the list should change" in e.value for e in at.error)


def test_filters_narrow_the_results(library_home: Path) -> None:
    at = run_page("recommend")
    at.text_area(key="rec-query").input("rainy Sunday, missing home")
    at.number_input(key="rec-k").set_value(6)
    at.checkbox(key="rec-one-per-artist").check()
    at.slider(key="rec-years").set_value((2000, 2010))
    at.button(key="rec-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    years = [plain(c.value).split(" · ")[0] for c in at.caption
             if plain(c.value)[:4].isdigit()]  # fmt: skip
    assert len(years) == 6
    assert all(2000 <= int(y) <= 2010 for y in years)
    artists = [plain(m.value).split("\n")[-1] for m in at.markdown if m.value.startswith("**")]
    assert len(set(artists)) == len(artists) == 6


def test_results_are_saved_as_a_playlist_the_explorer_lists_renames_and_deletes(
    library_home: Path,
) -> None:
    at = ask(FURIOUS, k=4)
    titles = card_titles(at)
    assert at.text_input(key="rec-list-name").value == FURIOUS
    at.text_input(key="rec-list-name").input("Angry but fair")
    at.button(key="rec-list-save").click().run()
    assert not at.exception
    assert any("Saved “Angry but fair” (4 tracks)" in plain(s.value) for s in at.success)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download M3U"]

    explorer = run_page("explorer")
    options = explorer.selectbox(key="explorer-playlist").options
    assert "Angry but fair · 4 tracks · saved" in options
    explorer.selectbox(key="explorer-playlist").select("saved:angry-but-fair").run()
    assert not explorer.exception
    options = explorer.selectbox(key="explorer-track").options
    track_titles = [plain(o.split(" — ")[0]) for o in options]
    assert track_titles == titles
    explorer.text_input(key="explorer-rename").input("Fair anger")
    explorer.button(key="explorer-rename-go").click().run()
    assert not explorer.exception
    assert "Fair anger · 4 tracks · saved" in explorer.selectbox(key="explorer-playlist").options
    explorer.checkbox(key="explorer-delete-sure").check().run()
    explorer.button(key="explorer-delete").click().run()
    assert not explorer.exception
    options = explorer.selectbox(key="explorer-playlist").options
    assert not any(o.startswith(("Fair anger", "Angry but fair")) for o in options)


def test_a_taken_name_is_refused_with_a_message(library_home: Path) -> None:
    at = ask(FURIOUS, k=3)
    at.text_input(key="rec-list-name").input("Night shift")
    at.button(key="rec-list-save").click().run()
    assert not at.exception
    assert any("already a playlist called" in e.value for e in at.error)


@pytest.mark.parametrize("page", ["recommend", "journey"])
def test_spotify_without_authorization_explains_what_to_configure(
    library_home: Path, page: str
) -> None:
    if page == "recommend":
        at = ask(FURIOUS, k=3)
        key = "rec-list-spotify"
    else:
        at = run_page("recommend")
        at.radio(key="rec-mode").set_value("Take me to…").run()
        at.text_area(key="jr-query").input("heartbroken")
        at.number_input(key="jr-n").set_value(4)
        at.button(key="jr-submit").click().run()
        key = "jr-list-spotify"
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    info = " ".join(plain(i.value) for i in at.info)
    assert "SPOTIPY_REFRESH_TOKEN" in info
    assert "playlist-modify-private" in info


def test_a_journey_is_saved_as_a_playlist(library_home: Path) -> None:
    at = run_page("recommend")
    at.radio(key="rec-mode").set_value("Take me to…").run()
    at.text_area(key="jr-query").input("heartbroken")
    at.number_input(key="jr-n").set_value(4)
    at.slider(key="jr-years").set_value((1990, 2020))
    at.button(key="jr-submit").click().run()
    assert not at.exception
    assert at.text_input(key="jr-list-name").value == "Journey to joy"
    at.button(key="jr-list-save").click().run()
    assert any("Saved “Journey to joy” (4 tracks)" in plain(s.value) for s in at.success)


def test_a_thumbs_down_moves_the_track_down_for_a_similar_feeling(library_home: Path) -> None:
    from moodtune.feedback import FeedbackStore, Vote

    similar = "I am furious because they lied to us"
    at = ask(similar, k=10)
    first = card_titles(at)
    top_id = at.session_state["rec-result"].results[0][1][0].track_id
    at.text_input(key="rec-list-name").input("Ten furious")
    at.button(key="rec-list-save").click().run()
    FeedbackStore(library_home / "feedback.db").record(
        Vote("earlier-session", FURIOUS, "emotions", 1, top_id, up=False)
    )
    again = ask(similar, k=3)
    assert first[0] not in card_titles(again)
    # Within the saved ten the whole list fits on the page: the track is there, lower down.
    at = run_page("recommend")
    at.text_area(key="rec-query").input(similar)
    at.radio(key="rec-approach").set_value("emotions")
    at.number_input(key="rec-k").set_value(10)
    at.selectbox(key="rec-playlist").select("saved:ten-furious")
    at.button(key="rec-submit").click().run()
    assert not at.exception
    titles = card_titles(at)
    assert sorted(titles) == sorted(first)
    assert titles.index(first[0]) > 0
    notes = [plain(c.value) for c in at.caption if "moved down" in plain(c.value)]
    assert len(notes) == 1
    assert "you gave it a thumbs-down for a similar feeling" in notes[0]
