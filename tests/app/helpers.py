"""AppTest helpers shared by the page tests: page paths, running a page, reading text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    "home": ROOT / "app.py",
    "ingest": ROOT / "app_pages" / "1_Ingest.py",
    "explorer": ROOT / "app_pages" / "2_Emotion_Explorer.py",
    "recommend": ROOT / "app_pages" / "3_Recommend.py",
}


def run_page(name: str, timeout: float = 120) -> AppTest:
    """Run one page once and return the test app."""
    return AppTest.from_file(str(PAGES[name]), default_timeout=timeout).run()


def plain(markdown: str) -> str:
    """Undo md_escape's backslashes so a test can look for the words a user reads."""
    return markdown.replace("\\", "")


def texts(at: AppTest) -> list[str]:
    """Every markdown, caption and text value on the page, as rendered source."""
    return [e.value for e in (*at.markdown, *at.caption, *at.text)]


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """Return the first dataframe on the page that has `column`."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"No dataframe with a {column!r} column on the page.")


def ask(query: str, approach: str = "emotions", k: int = 5) -> AppTest:
    """Run the Recommend page for `query` with `approach` and `k` results (no exception)."""
    at = run_page("recommend")
    at.text_area(key="rec-query").input(query)
    at.radio(key="rec-approach").set_value(approach)
    at.number_input(key="rec-k").set_value(k)
    at.button(key="rec-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def card_titles(at: AppTest) -> list[str]:
    """The titles of the Recommend page's result cards, in rank order."""
    cards = [plain(m.value) for m in at.markdown if m.value.startswith("**")]
    return [c.split("**")[1].split(". ", 1)[1] for c in cards if ". " in c.split("**")[1]]


def all_text(at: AppTest) -> str:
    """Every text element of the page, as plain text, in one string."""
    return " ".join(plain(t) for t in texts(at))


def shown(widget: Any) -> Any:
    """The value the browser shows for a widget drawn again: the server's value only when the
    run sends it (set_value); otherwise the browser shows the widget's default."""
    assert widget.proto.set_value, f"{widget.key} would show its default in the browser"
    return widget.value


# The Match form a test fills in, and reads back after the page drew it again.
MATCH_FORM = {"rec-approach": "refined", "rec-k": 7, "rec-playlist": "demo:night-shift",
              "rec-years": (1990, 2015), "rec-one-per-artist": True}  # fmt: skip


def fill_match_form(at: AppTest, query: str) -> str:
    """Fill every field of the Match form (MATCH_FORM, `query`, the first artist left out),
    ask, and name the list "Sunday, kept"; return the artist left out."""
    artist = str(at.multiselect(key="rec-exclude").options[0])
    at.text_area(key="rec-query").input(query)
    at.radio(key="rec-approach").set_value(MATCH_FORM["rec-approach"])
    at.number_input(key="rec-k").set_value(MATCH_FORM["rec-k"])
    at.selectbox(key="rec-playlist").select(MATCH_FORM["rec-playlist"])
    at.multiselect(key="rec-exclude").select(artist)
    at.slider(key="rec-years").set_value(MATCH_FORM["rec-years"])
    at.checkbox(key="rec-one-per-artist").check()
    at.button(key="rec-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="rec-list-name").input("Sunday, kept").run()
    return artist


def assert_match_form_shown(at: AppTest, query: str, artist: str) -> None:
    """The Match form filled by fill_match_form is drawn again with every value sent."""
    assert shown(at.text_area(key="rec-query")) == query
    assert shown(at.radio(key="rec-approach")) == MATCH_FORM["rec-approach"]
    assert shown(at.number_input(key="rec-k")) == MATCH_FORM["rec-k"]
    assert shown(at.selectbox(key="rec-playlist")) == MATCH_FORM["rec-playlist"]
    assert shown(at.multiselect(key="rec-exclude")) == [artist]
    assert shown(at.slider(key="rec-years")) == MATCH_FORM["rec-years"]
    assert shown(at.checkbox(key="rec-one-per-artist")) is MATCH_FORM["rec-one-per-artist"]
    assert shown(at.text_input(key="rec-list-name")) == "Sunday, kept"
