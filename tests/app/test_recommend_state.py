"""AppTest: what the Recommend page keeps across reruns: both forms across a mode switch, stored
votes across a reload, one move per song, and the list's name and labels."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

import moodtune.ui.list_actions as list_actions_module
from moodtune.emotions.words import MILD
from moodtune.ui.journeys import JOURNEY, MATCH
from tests.app.helpers import (
    all_text,
    ask,
    assert_match_form_shown,
    card_titles,
    fill_match_form,
    frame_with,
    plain,
    run_page,
    shown,
    texts,
)

RAINY = "rainy Sunday, missing home"
FURIOUS = "they lied to us and I am furious"


def test_switching_mode_keeps_both_forms_as_they_made_their_lists(library_home: Path) -> None:
    at = run_page("recommend")
    artist = fill_match_form(at, RAINY)
    titles = card_titles(at)

    at.radio(key="rec-mode").set_value(JOURNEY).run()
    at.text_area(key="jr-query").input("heartbroken")
    at.selectbox(key="jr-target").select("trust")
    at.number_input(key="jr-n").set_value(5)
    at.checkbox(key="jr-one-per-artist").check()
    at.button(key="jr-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="jr-list-name").input("Towards trust").run()

    at.radio(key="rec-mode").set_value(MATCH).run()
    assert not at.exception, [e.value for e in at.exception]
    assert_match_form_shown(at, RAINY, artist)
    assert card_titles(at) == titles
    # Once drawn, the form is the listener's again: later runs do not send values over it.
    at.run()
    assert not at.text_area(key="rec-query").proto.set_value
    assert at.text_area(key="rec-query").value == RAINY

    at.radio(key="rec-mode").set_value(JOURNEY).run()
    assert not at.exception
    assert shown(at.text_area(key="jr-query")) == "heartbroken"
    assert shown(at.selectbox(key="jr-target")) == "trust"
    assert shown(at.number_input(key="jr-n")) == 5
    assert shown(at.checkbox(key="jr-one-per-artist")) is True
    assert shown(at.text_input(key="jr-list-name")) == "Towards trust"
    assert "From your feeling to trust, in 5 tracks" in [plain(s.value) for s in at.subheader]


def _rows(home: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(home / "feedback.db") as conn:
        return conn.execute("SELECT session_id, vote FROM feedback ORDER BY id").fetchall()


def test_a_stored_vote_shows_after_a_reload_and_a_new_vote_replaces_it(
    library_home: Path,
) -> None:
    at = ask(RAINY, "lyrics", 3)
    at.feedback[1].set_value(1).run()
    assert [v for _, v in _rows(library_home)] == [1]

    reloaded = ask(RAINY, "lyrics", 3)  # a new AppTest is a new browser session
    assert [f.value for f in reloaded.feedback] == [None, 1, None]
    assert not reloaded.toast  # showing a stored vote does not store it again
    assert len(_rows(library_home)) == 1
    reloaded.feedback[1].set_value(0).run()
    assert not reloaded.exception
    summary = frame_with(reloaded, "share up")
    assert list(summary["approach"]) == ["lyrics"]
    assert (summary["up"].iloc[0], summary["down"].iloc[0], summary["votes"].iloc[0]) == (0, 1, 1)


def test_less_like_after_more_like_on_one_song_replaces_the_move(library_home: Path) -> None:
    at = ask(FURIOUS, "emotions", 5)
    song = card_titles(at)[0]
    at.button(key="more-emotions-1").click().run()
    assert not at.exception
    place = card_titles(at).index(song) + 1
    at.button(key=f"less-emotions-{place}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = all_text(at)
    assert f"Refined: {FURIOUS} · less like “{song}”" in shown
    assert "more like" not in shown
    titles = card_titles(at)
    assert titles[0] != song
    if song in titles:
        card = next(plain(m.value) for m in at.markdown if f". {song}**" in plain(m.value))
        assert "_down " in card
    else:
        dropped = next(t for t in map(plain, texts(at)) if t.startswith("Dropped: "))
        assert f"{song} — " in dropped


def test_no_results_show_no_keep_this_list_heading(library_home: Path) -> None:
    at = run_page("recommend")
    at.text_area(key="rec-query").input(RAINY)
    at.multiselect(key="rec-exclude").set_value(at.multiselect(key="rec-exclude").options)
    at.button(key="rec-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "No track matches the filters." in [i.value for i in at.info]
    assert "Keep this list" not in [s.value for s in at.subheader]
    assert not at.get("download_button")


def test_downloads_and_spotify_use_the_typed_playlist_name(
    library_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named: list[str] = []
    real = list_actions_module.file_name

    def spy(name: str, fmt: str) -> str:
        named.append(name)
        return real(name, fmt)

    monkeypatch.setattr(list_actions_module, "file_name", spy)
    at = ask(RAINY, "emotions", 3)
    assert named[-2:] == [RAINY, RAINY]
    at.text_input(key="rec-list-name").input("Sunday mix").run()
    assert not at.exception
    assert named[-2:] == ["Sunday mix", "Sunday mix"]
    at.text_input(key="rec-list-name").input("").run()  # an empty box falls back to the list's
    assert named[-2:] == [RAINY, RAINY]


def test_compare_mode_cards_have_short_refine_labels_with_help(library_home: Path) -> None:
    at = ask(RAINY, "compare", 2)
    for approach in ("lyrics", "hybrid"):
        more, less = at.button(key=f"more-{approach}-1"), at.button(key=f"less-{approach}-1")
        assert len(more.label) <= 6, more.label
        assert len(less.label) <= 6, less.label
        assert "More like this" in more.help
        assert "Less like this" in less.help
    single = ask(RAINY, "lyrics", 2)
    assert single.button(key="more-lyrics-1").label == "More like this"


_MATCH = re.compile(r"\((\w+): you (\d\.\d\d), song (\d\.\d\d)\)")


def test_only_shared_emotions_are_explained_as_matches(library_home: Path) -> None:
    # By its lyrics' words, a song can rank high for a feeling it shares no emotion with.
    at = ask("estoy tan triste sin ti", "lyrics", 8)
    captions = [plain(c.value) for c in at.caption if "% match · " in plain(c.value)]
    assert len(captions) == 8
    for caption in captions:
        for _, you, song in _MATCH.findall(caption):
            assert min(float(you), float(song)) >= MILD, caption
    plainly = [c for c in captions if "nothing shared strongly; the song is mostly " in c]
    assert plainly
    for caption in plainly:
        assert not _MATCH.search(caption), caption
