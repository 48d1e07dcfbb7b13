"""One end-to-end run in headless Debian Chromium: feeling -> results -> thumbs-up -> SQLite row
-> Emotion Explorer chart -> a track's emotions corrected -> a playlist's profile and arc -> two
playlists compared, against a real `streamlit run app.py` on a free localhost port."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from moodtune.appserver import CHROMIUM, box_select, chromium_page, running_app

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
QUERY = "rainy sunday, missing home"
STARTUP_S = 90
MODEL_S = 180_000  # ms: the first query loads the sentence and emotion models

pytestmark = pytest.mark.browser


@pytest.fixture
def app_home(demo_home: Path, tmp_path: Path) -> Path:
    """A private copy of the demo library, so the vote lands in this test's own SQLite file."""
    home = tmp_path / "home"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("feedback.db*"))
    return home


@pytest.fixture
def server(app_home: Path, tmp_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free port, stopped after the test."""
    unset = ("SPOTIPY_CLIENT_ID", "MOODTUNE_SPOTIFY_CLIENT_ID")
    log = tmp_path / "streamlit.log"
    with running_app(ROOT, app_home, log, timeout=STARTUP_S, unset=unset) as (url, _):
        yield url


def _feedback_rows(path: Path) -> list[tuple[str, str, int, str, int, str]]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        try:
            return conn.execute(
                "SELECT query, approach, rank, track_id, vote, session_id FROM feedback"
            ).fetchall()
        except sqlite3.OperationalError:  # the table is created on first use
            return []


def _corrections(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT track_id, main, who FROM corrections WHERE action = 'set'"
        ).fetchall()


def _select_box(page: Page, label: str) -> Locator:
    name = page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
    return page.locator('[data-testid="stSelectbox"]').filter(has=name)


def _pick(page: Page, box: Locator, option: Locator) -> None:
    """Open a selectbox and click an option; a rerun that redraws the box closes its list, so
    try again once the page settles."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(6):
        page.wait_for_timeout(1_000)
        box.first.click()
        try:
            option.click(timeout=5_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError("the selectbox's list never opened")


def _playlists_compared(page: Page) -> None:
    """Pick a demo playlist: its profile and arc show, the map greys the other tracks; then
    compare two playlists: a radar per playlist and the table of differences."""
    from playwright.sync_api import expect

    option = page.get_by_role("option", name=re.compile(r"^Night shift · 16 tracks"))
    _pick(page, _select_box(page, "Playlist"), option)
    expect(page.get_by_text("Night shift: profile (16 tracks)")).to_be_visible(timeout=60_000)
    # While a rerun settles Streamlit may show an element twice (the stale copy fades out).
    caption = page.get_by_text("Emotion arc: each track's emotions in play order")
    expect(caption.first).to_be_visible()
    # Streamlit marks each keyed element's container with an st-key-<key> class.
    arc = page.locator('.st-key-playlist-arc [data-testid="stPlotlyChart"]')
    expect(arc.get_by_text("position in the playlist").first).to_be_visible(timeout=30_000)
    expect(arc).to_have_count(1, timeout=30_000)
    assert arc.locator(".scatterlayer .trace").count() == 8  # one stacked area per emotion
    legend = page.locator('.st-key-explorer-map [data-testid="stPlotlyChart"] .legend')
    expect(legend.get_by_text("other tracks")).to_be_attached()

    compare = page.get_by_role("combobox", name="Playlists to compare")
    for name in ("Night shift", "Picket line"):
        compare.click()
        compare.press_sequentially(name)
        expect(page.get_by_role("option", name=re.compile(rf"^{name} · "))).to_have_count(1)
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_text("carries more", exact=False).first).to_be_visible(timeout=60_000)
    radar = page.locator('.st-key-compare-radar [data-testid="stPlotlyChart"]')
    expect(radar.locator(".legend").get_by_text("Picket line")).to_be_attached()
    expect(radar.locator(".legend").get_by_text("Night shift")).to_be_attached()
    # The differences table (the explorer shows no other table).
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)


def _journey_drawn(page: Page) -> None:
    """Take me to joy: the 8 steps are listed and drawn, numbered, over the emotion map."""
    from playwright.sync_api import expect

    page.get_by_role("radio", name="Take me to…").check(force=True)
    # By key: while the rerun settles, the stale "How do you feel?" of the other mode may linger.
    box = page.locator(".st-key-jr-query textarea")
    expect(box).to_be_visible(timeout=60_000)
    box.fill("I can't stop crying since she left")
    page.locator(".st-key-jr-submit button").click()
    expect(page.get_by_text("From your feeling to joy, in 8 tracks")).to_be_visible(timeout=MODEL_S)
    expect(page.get_by_text("closest to your feeling", exact=False).first).to_be_visible()
    chart = page.locator('.st-key-jr-map [data-testid="stPlotlyChart"]')
    expect(chart.locator(".legend").get_by_text("journey")).to_be_attached(timeout=60_000)
    # The path is the last trace (after the emotion names and the greyed tracks).
    path = chart.locator(".scatterlayer .trace").last
    expect(path.locator(".textpoint")).to_have_count(8, timeout=30_000)
    page.get_by_role("radio", name="Match my feeling").check(force=True)


def test_feeling_results_thumbs_up_and_explorer(server: str, app_home: Path) -> None:
    # Fail, never skip: .ci/run installs Debian's chromium, and a silent skip would hide it.
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)"
    from playwright.sync_api import expect

    with chromium_page(1400, 1000) as page:
        page.goto(f"{server}/Recommend")
        box = page.get_by_label("How do you feel?")
        expect(box).to_be_visible(timeout=60_000)
        # st.navigation names the entry page "Home" (the old pages/ layout showed "app").
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav.get_by_text("Home", exact=True)).to_be_visible()
        assert nav.get_by_text("app", exact=True).count() == 0
        box.fill(QUERY)
        page.get_by_role("radio", name="lyrics").check(force=True)
        page.locator('[data-testid="stFormSubmitButton"] button').click()

        thumbs_up = page.get_by_role("radio", name="Thumbs up")
        expect(thumbs_up.first).to_be_visible(timeout=MODEL_S)
        expect(thumbs_up).to_have_count(5, timeout=60_000)  # cards arrive one by one
        expect(page.get_by_text("% match", exact=False).first).to_be_visible()
        expect(page.get_by_text("raw lyrics score", exact=False).first).to_be_visible()
        thumbs_up.first.click()
        expect(page.get_by_text("Thanks, your vote is saved.")).to_be_visible(timeout=30_000)

        deadline = time.monotonic() + 20
        rows = _feedback_rows(app_home / "feedback.db")
        while not rows and time.monotonic() < deadline:
            time.sleep(0.5)
            rows = _feedback_rows(app_home / "feedback.db")
        assert len(rows) == 1
        query, approach, rank, track_id, vote, session = rows[0]
        assert (query, approach, rank, vote) == (QUERY, "lyrics", 1, 1)
        assert track_id
        assert session

        _journey_drawn(page)

        page.locator('[data-testid="stSidebarNav"]').get_by_text("Emotion Explorer").click()
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        expect(chart).to_be_visible(timeout=MODEL_S)
        points = chart.locator(".scatterlayer .point")
        expect(points.first).to_be_attached(timeout=60_000)
        assert points.count() >= 100  # every demo song is a point on the map

        # Clicking a point (another track than the one shown) shows that track's profile.
        shown = _select_box(page, "Track").inner_text()
        title, (x, y) = "", (0.0, 0.0)
        for i in range(10):
            box = points.nth(i).bounding_box()
            assert box is not None
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            hover_title = chart.locator(".hoverlayer .hovertext tspan").first
            expect(hover_title).to_be_attached(timeout=10_000)
            title = (hover_title.text_content() or "").strip()
            if title and f"{title} —" not in shown:
                break
        assert title
        page.mouse.click(x, y)
        detail = page.locator('[data-testid="stMarkdown"]').filter(has_text=f"{title} —")
        expect(detail.first).to_be_visible(timeout=30_000)

        # The listener says how that song feels; the correction lands in SQLite.
        # The form is redrawn for the clicked track: open its list once the rerun settles.
        main = page.locator('[data-testid="stSelectbox"]').filter(has_text="Main emotion")
        _pick(page, main, page.get_by_role("option", name="anticipation", exact=True))
        save = page.get_by_role("button", name="Save", exact=True)
        expect(save).to_be_enabled(timeout=30_000)
        save.click()
        expect(page.get_by_text("Emotions set by a listener.")).to_be_visible(timeout=60_000)
        fixed = _corrections(app_home / "corrections.db")
        assert [(t, m, who) for t, m, who in fixed] == [(fixed[0][0], "anticipation", "app")]

        _playlists_compared(page)


def test_a_box_selection_on_the_map_is_saved_as_a_playlist(server: str, app_home: Path) -> None:
    """Box select a corner of the explorer's map, save those tracks, find the playlist stored."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)"
    from playwright.sync_api import expect

    from moodtune.playlists import read_playlists
    from moodtune.store import Store

    with chromium_page(1400, 1400) as page:
        page.goto(f"{server}/Emotion_Explorer")
        chart = page.locator('.st-key-explorer-map [data-testid="stPlotlyChart"]')
        expect(chart.locator(".scatterlayer .point").first).to_be_attached(timeout=MODEL_S)
        box_select(page, chart)
        heading = page.get_by_text(re.compile(r"^\d+ tracks selected on the map$"))
        expect(heading).to_be_visible(timeout=60_000)
        count = int((heading.inner_text() or "0").split()[0])
        assert count >= 2
        name = page.locator(".st-key-explorer-selection-name input")
        name.fill("Bright corner")
        page.locator(".st-key-explorer-selection-save button").click()
        expect(page.get_by_text(f"Saved “Bright corner” ({count} tracks).")).to_be_visible(
            timeout=60_000
        )
        expect(page.locator(".st-key-explorer-selection-m3u button")).to_be_visible()
    saved = [
        p
        for p in read_playlists(Store(app_home / "library", read_only=True))
        if p.name == "Bright corner"
    ]
    assert len(saved) == 1
    assert len(saved[0].track_ids) == count
