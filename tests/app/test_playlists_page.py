"""Playlists in the app: the demo's playlists in the explorer, two uploaded files become two
playlists that are profiled and compared, a changed file updates its playlist, Recommend can be
limited to one playlist, and a library from before playlists still opens."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from moodtune.config import load_settings
from moodtune.ingest import build_ingestor
from moodtune.models import Track
from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists
from moodtune.ui.sources import UPLOAD
from tests.app.helpers import plain, run_page, texts

GYM = [
    ("Iron Bell", "Rust Choir", "Hit it again, hit it harder, I am furious and loud\n"
     "the rage in my arms is a fire I cannot put out\n\n"
     "They lied to my face so I lift until I shake\n"
     "every rep is a fist for the promise they broke"),
    ("Last Set", "Rust Choir", "Count me down, I am ready, I can taste the finish line\n"
     "tomorrow I will win it, I can feel it coming, one more time\n\n"
     "Hands on the bar and my heart is racing fast\n"
     "this is the moment I have waited for at last"),
    ("Red Line", "Rust Choir", "I hate the way they laugh at us, I hate the empty hall\n"
     "I will break the door down, I will tear down every wall\n\n"
     "Anger in the engine, anger in the street\n"
     "I am done with being quiet, I am done with my defeat"),
]  # fmt: skip
SUNDAY = [
    ("Slow Kettle", "Linen Porch", "Sunlight on the table and the kettle singing low\n"
     "you are laughing in the kitchen and I never want to go\n\n"
     "Warm bread and the radio, the cat asleep in June\n"
     "the happiest of mornings, and we are dancing out of tune"),
    ("Porch Swing", "Linen Porch", "Old friends on the porch swing, we trust the quiet air\n"
     "you always kept your promise, you were always there\n\n"
     "Lemonade and laughter as the evening settles in\n"
     "I am glad of every summer that I spent with you again"),
]  # fmt: skip


def _csv(songs: list[tuple[str, str, str]]) -> bytes:
    lines = ["title,artist,lyrics"]
    lines += [f'{t},{a},"{lyrics}"' for t, a, lyrics in songs]
    return ("\n".join(lines) + "\n").encode()


def _ingest_upload(name: str, data: bytes) -> AppTest:
    at = run_page("ingest")
    at.radio(key="ingest-source").set_value(UPLOAD).run()
    at.file_uploader(key="ingest-upload").set_value((name, data, "text/plain"))
    at.run()
    at.button(key="ingest-upload-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _titles(at: AppTest) -> list[str]:
    return [plain(o.split(" — ")[0]) for o in at.selectbox(key="explorer-track").options]


def _arc(at: AppTest) -> dict[str, object]:
    """The arc figure (the stacked-area chart): its traces are the 8 emotions."""
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        if any(t.get("stackgroup") == "arc" for t in figure["data"]):
            return figure
    raise AssertionError("No arc chart on the page.")


def test_explorer_offers_the_demo_playlists_with_profile_and_arc(library_home: Path) -> None:
    at = run_page("explorer")
    demo = load_demo_playlists()
    options = at.selectbox(key="explorer-playlist").options
    assert options[0].startswith("Whole library · 162 tracks")
    assert [o.split(" · ")[0] for o in options[1:]] == [p.name for p in demo]

    night = next(p for p in demo if p.name == "Night shift")
    at.selectbox(key="explorer-playlist").select(night.playlist_id).run()
    assert not at.exception
    assert at.subheader[0].value == f"Night shift: profile ({len(night.track_ids)} tracks)"
    titles = {t.track_id: t.title for t in load_demo_catalogue()}
    assert _titles(at) == [titles[t] for t in night.track_ids]  # play order
    reading = plain(at.markdown[1].value)
    assert reading.startswith(("**Mostly", "**A mix of")), reading
    arc = _arc(at)
    assert len(arc["data"]) == 8
    assert all(len(trace["x"]) == len(night.track_ids) for trace in arc["data"])
    # The map greys out the other tracks.
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(t.get("name") == "other tracks" for t in charts[0]["data"])


def test_two_files_become_two_playlists_shown_and_compared(library_home: Path) -> None:
    _ingest_upload("gym.csv", _csv(GYM))
    _ingest_upload("sunday.csv", _csv(SUNDAY))
    at = run_page("explorer")
    labels = at.selectbox(key="explorer-playlist").options
    assert "gym.csv · 3 tracks · file" in labels
    assert "sunday.csv · 2 tracks · file" in labels

    at.selectbox(key="explorer-playlist").select("file:gym.csv").run()
    assert at.subheader[0].value == "gym.csv: profile (3 tracks)"
    assert _titles(at) == [t for t, _, _ in GYM]

    at.multiselect(key="explorer-compare").select("file:gym.csv").select("file:sunday.csv").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(f.value for f in at.dataframe if "higher in" in f.value.columns)
    assert list(table.columns[:3]) == ["emotion", "gym.csv", "sunday.csv"]
    assert set(table["higher in"]) <= {"gym.csv", "sunday.csv"}
    by_emotion = table.set_index("emotion")
    # The files were written to differ: anger in the gym, joy on Sunday.
    assert by_emotion.loc["anger", "higher in"] == "gym.csv"
    assert by_emotion.loc["joy", "higher in"] == "sunday.csv"
    assert "Iron Bell" in by_emotion.loc["anger", "driven by"] or (
        "Red Line" in by_emotion.loc["anger", "driven by"]
    )
    summary = plain(" ".join(m.value for m in at.markdown))
    assert "carries more" in summary
    radar = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart")
        if sum(t.get("type") == "scatterpolar" for t in json.loads(c.proto.spec)["data"]) == 2
    )  # fmt: skip
    assert [t["name"] for t in radar["data"]] == ["gym.csv", "sunday.csv"]

    # The changed file: one song left, the order changed; its playlist follows.
    _ingest_upload("gym.csv", _csv([GYM[2], GYM[0]]))
    at = run_page("explorer")
    at.selectbox(key="explorer-playlist").select("file:gym.csv").run()
    assert _titles(at) == ["Red Line", "Iron Bell"]
    assert at.subheader[0].value == "gym.csv: profile (2 tracks)"


def test_recommend_can_be_limited_to_one_playlist(library_home: Path) -> None:
    picket = next(p for p in load_demo_playlists() if p.name == "Picket line")
    at = run_page("recommend")
    at.text_area(key="rec-query").input("they lied to us and we will not be quiet")
    at.number_input(key="rec-k").set_value(5)
    at.selectbox(key="rec-playlist").select(picket.playlist_id)
    at.button(key="rec-submit").click().run()
    assert not at.exception
    places = [plain(c.value) for c in at.caption if plain(c.value).startswith("in ")]
    assert len(places) == 5
    assert all("Picket line" in p for p in places)
    titles = {t.title for t in load_demo_catalogue() if t.track_id in picket.track_ids}
    shown = [plain(m.value).split("**")[1].split(". ", 1)[1] for m in at.markdown
             if m.value.startswith("**")]  # fmt: skip
    assert len(shown) == 5
    assert set(shown) <= titles


def test_a_library_from_before_playlists_opens_with_playlists_by_source(
    empty_home: Path,
) -> None:
    demo = load_demo_playlists()
    songs = [t for t in load_demo_catalogue() if t.track_id in demo[0].track_ids[:3]]
    mine = Track("file-x", "Kettle Song", "Me", "the kettle sings and I am glad", source="file")
    build_ingestor(load_settings()).run([*songs, mine], "before playlists")
    at = run_page("explorer")
    assert not at.exception, [e.value for e in at.exception]
    labels = [o.split(" · ")[0] for o in at.selectbox(key="explorer-playlist").options]
    assert labels == ["Whole library", demo[0].name, "Earlier file imports"]
    at.selectbox(key="explorer-playlist").select("earlier:file").run()
    assert not at.exception
    assert "Kettle Song" in plain(" ".join(texts(at)))
