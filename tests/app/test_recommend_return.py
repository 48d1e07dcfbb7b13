"""AppTest: leaving the Recommend page for another page and coming back keeps its forms (and the
mode) as they made the list still shown; the app runs as in a browser, through st.navigation."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from moodtune.ui.journeys import JOURNEY
from tests.app.helpers import (
    ROOT,
    assert_match_form_shown,
    card_titles,
    fill_match_form,
    plain,
    shown,
)

RAINY = "rainy Sunday, missing home"
RECOMMEND, HOME = "app_pages/3_Recommend.py", "app_pages/0_Home.py"


def _recommend_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(RECOMMEND).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _away_and_back(at: AppTest) -> None:
    at.switch_page(HOME).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "rec-query" not in at.session_state  # Streamlit dropped the page's widget values
    at.switch_page(RECOMMEND).run()
    assert not at.exception, [e.value for e in at.exception]


def test_coming_back_keeps_the_form_that_made_the_list(library_home: Path) -> None:
    at = _recommend_page()
    artist = fill_match_form(at, RAINY)
    titles = card_titles(at)

    _away_and_back(at)
    assert_match_form_shown(at, RAINY, artist)
    assert card_titles(at) == titles
    # Once drawn, the form is the listener's again: later runs do not send values over it.
    at.run()
    assert not at.text_area(key="rec-query").proto.set_value
    assert at.text_area(key="rec-query").value == RAINY


def test_leaving_right_after_asking_keeps_the_new_lists_name(library_home: Path) -> None:
    at = _recommend_page()
    at.text_area(key="rec-query").input(RAINY)
    at.button(key="rec-submit").click().run()
    assert at.text_input(key="rec-list-name").value == RAINY  # named by the run that made it

    _away_and_back(at)
    assert shown(at.text_input(key="rec-list-name")) == RAINY


def test_coming_back_keeps_the_journey_mode_and_form(library_home: Path) -> None:
    at = _recommend_page()
    at.radio(key="rec-mode").set_value(JOURNEY).run()
    at.text_area(key="jr-query").input("heartbroken")
    at.selectbox(key="jr-target").select("trust")
    at.number_input(key="jr-n").set_value(5)
    at.button(key="jr-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]

    _away_and_back(at)
    assert shown(at.radio(key="rec-mode")) == JOURNEY
    assert shown(at.text_area(key="jr-query")) == "heartbroken"
    assert shown(at.selectbox(key="jr-target")) == "trust"
    assert shown(at.number_input(key="jr-n")) == 5
    assert "From your feeling to trust, in 5 tracks" in [plain(s.value) for s in at.subheader]
