"""The Recommend page's journey mode: the form, the ordered list with each step's reason, and
the path over the explorer's emotion map.

Owns: the mode switch ("Match my feeling" / "Take me to…"), the journey's widgets and keys, and
the Journey kept in session state so a rerun (e.g. switching the map) does not re-plan it.
Must not plan or score: moodtune.journey does; the map comes from moodtune.charts.
"""

from __future__ import annotations

import streamlit as st

from moodtune.charts import journey_map
from moodtune.errors import MoodTuneError
from moodtune.explore import build_points
from moodtune.filters import unknown_year_note
from moodtune.journey import (
    DEFAULT_STEPS,
    MAX_STEPS,
    MIN_STEPS,
    Journey,
    JourneyFilters,
    plan_journey as _plan,
)
from moodtune.models import EMOTIONS
from moodtune.ui import resources
from moodtune.ui.actions import check_query
from moodtune.ui.list_actions import list_actions
from moodtune.ui.list_filters import filter_inputs
from moodtune.ui.safe import md_escape, spotify_url

MATCH, JOURNEY = "Match my feeling", "Take me to…"
IN_WORDS = "a feeling in my own words"
RESULT_KEY = "jr-result"
MAPS = {"valence_arousal": "Valence / arousal", "projection": "2-D projection of the 8 emotions"}


def choose_mode() -> str:
    """The Recommend page's mode: match the feeling, or plan a journey out of it."""
    return str(st.radio("Mode", [MATCH, JOURNEY], horizontal=True, key="rec-mode"))


def plan(
    query: str | None, emotion: str, sentence: str | None, n: int, filters: JourneyFilters
) -> Journey:
    """Plan a journey over the current library's listener view."""
    text = check_query(query)
    target = (sentence or "").strip() if emotion == IN_WORDS else emotion
    return _plan(resources.recommender(), text, target, n, filters)


def journey_section() -> None:
    """The journey form, then the last planned journey as a list and a map."""
    with st.form("journey-form"):
        query = st.text_area(
            "How do you feel?", key="jr-query", placeholder="I can't stop crying since she left",
            height=90,
        )  # fmt: skip
        left, mid, right = st.columns([2, 3, 1])
        emotion = left.selectbox("Take me to", [*EMOTIONS, IN_WORDS], key="jr-target")
        sentence = mid.text_input(
            "…or where you want to be, in words", key="jr-sentence", placeholder="hopeful again",
            help=f"Used when “{IN_WORDS}” is chosen.",
        )  # fmt: skip
        n = right.number_input(
            "Tracks", min_value=MIN_STEPS, max_value=MAX_STEPS, value=DEFAULT_STEPS, key="jr-n"
        )
        chosen = filter_inputs("jr", resources.listener_view().index)
        submitted = st.form_submit_button("Plan the journey", key="jr-submit", type="primary")
    if submitted:
        filters = JourneyFilters(
            chosen.exclude_artists, chosen.one_per_artist, chosen.year_from, chosen.year_to
        )
        try:
            st.session_state[RESULT_KEY] = plan(query, str(emotion), sentence, int(n), filters)
        except MoodTuneError as exc:
            st.session_state.pop(RESULT_KEY, None)
            st.error(md_escape(str(exc), 4000))
    result = st.session_state.get(RESULT_KEY)
    if isinstance(result, Journey):
        show_journey(result)
        st.subheader("Keep this journey")
        list_actions(
            [s.track_id for s in result.steps], f"Journey to {result.target.name}", "jr-list"
        )


def show_journey(journey: Journey) -> None:
    """The ordered steps with their reasons, then the path over the emotion map."""
    st.subheader(md_escape(f"From your feeling to {journey.target.name}, in {len(journey)} tracks"))
    index = resources.listener_view().index
    years = [index.year(s.row) if s.row < len(index) else None for s in journey.steps]
    note = unknown_year_note(years, journey.filters.year_from, journey.filters.year_to)
    if note:
        st.caption(md_escape(note, 300))
    for step in journey.steps:
        with st.container(border=True, key=f"jr-step-{step.position}"):
            st.markdown(
                f"**{step.position}\\. {md_escape(step.title)}**  \n{md_escape(step.artist)}"
            )
            st.caption(
                md_escape(
                    f"{step.why} · distance to {journey.target.name} {step.to_target:.2f}", 400
                )
            )
            link = spotify_url(step.url)
            if link is not None:
                st.link_button("Open in Spotify", link, key=f"jr-spotify-{step.position}")
    kind = st.radio("Map", list(MAPS), format_func=MAPS.get, horizontal=True, key="jr-map-kind")
    points = build_points(resources.listener_view().index)
    figure = journey_map(
        points,
        [s.track_id for s in journey.steps],
        "projection" if kind == "projection" else "valence_arousal",
    )
    st.plotly_chart(figure, key="jr-map")
