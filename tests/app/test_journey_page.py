"""AppTest: the Recommend page's journey mode, from the form to the list and the map's path."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.helpers import plain, run_page, texts

CRYING = "I can't stop crying since she left"


def _path_trace(at: object) -> dict[str, object]:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]  # type: ignore[attr-defined]
    paths = [t for spec in charts for t in spec["data"] if t.get("name") == "journey"]
    assert len(paths) == 1
    return paths[0]


def test_journey_mode_lists_the_steps_and_draws_the_path(library_home: Path) -> None:
    at = run_page("recommend")
    at.radio(key="rec-mode").set_value("Take me to…").run()
    assert not at.exception
    at.text_area(key="jr-query").input(CRYING)
    at.selectbox(key="jr-target").select("joy")
    at.number_input(key="jr-n").set_value(6)
    at.button(key="jr-submit").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    shown = " ".join(plain(t) for t in texts(at))
    assert "From your feeling to joy, in 6 tracks" in " ".join(plain(s.value) for s in at.subheader)
    assert "closest to your feeling" in shown
    assert "arrives at joy" in shown
    path = _path_trace(at)
    assert path["text"] == ["1", "2", "3", "4", "5", "6"]

    at.radio(key="jr-map-kind").set_value("projection").run()  # the journey is kept
    assert not at.exception
    assert _path_trace(at)["text"] == ["1", "2", "3", "4", "5", "6"]


def test_journey_to_a_sentence_and_its_errors(library_home: Path) -> None:
    at = run_page("recommend")
    at.radio(key="rec-mode").set_value("Take me to…").run()
    at.button(key="jr-submit").click().run()
    assert any("query is empty" in e.value for e in at.error)

    at.text_area(key="jr-query").input("heartbroken")
    at.selectbox(key="jr-target").select("a feeling in my own words")
    at.button(key="jr-submit").click().run()
    assert any("Say where the journey goes" in e.value for e in at.error)

    at.text_input(key="jr-sentence").input("hopeful again")
    at.number_input(key="jr-n").set_value(4)
    at.checkbox(key="jr-one-per-artist").check()
    at.button(key="jr-submit").click().run()
    assert not at.exception
    assert not at.error
    assert "“hopeful again”" in " ".join(plain(s.value) for s in at.subheader)
    assert len(_path_trace(at)["text"]) == 4  # type: ignore[arg-type]
