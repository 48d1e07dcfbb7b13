"""AppTest helpers shared by the page tests: page paths, running a page, reading text."""

from __future__ import annotations

from pathlib import Path

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
