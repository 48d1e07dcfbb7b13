"""Listeners' corrections on a real demo library: every approach ranks a corrected track by its
corrected emotions at once, and corrections survive re-ingestion, re-analysis, a restart and a
kill -9 in the middle of writing."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from moodtune.config import Settings, load_settings
from moodtune.corrections import Correction, CorrectionStore
from moodtune.ingest import build_ingestor
from moodtune.label import corrected_agreement
from moodtune.listener import CALIBRATED, LISTENER, MODEL
from moodtune.recommend import Recommender, build_recommender
from moodtune.sources.demo import load_demo_catalogue
from moodtune.store import Store

HAPPY = "I am so happy I could dance all night"


@pytest.fixture
def home(demo_home: Path, tmp_path: Path) -> Path:
    """A private copy of the demo library: these tests re-ingest and re-analyse it."""
    target = tmp_path / "home"
    shutil.copytree(demo_home, target, ignore=shutil.ignore_patterns("*.db*"))
    return target


def _settings(home: Path) -> Settings:
    return load_settings(secrets_path=Path("/nonexistent"), home=str(home))


def _engine(settings: Settings) -> Recommender:
    return build_recommender(
        settings,
        Store(settings.library_url, read_only=True),
        corrections=CorrectionStore(settings.corrections_path),
    )


def _rank(engine: Recommender, approach: str, track_id: str) -> int:
    results = engine.recommend(HAPPY, approach, k=len(engine.store))
    return next(r.rank for r in results if r.track_id == track_id)


def test_every_emotion_approach_ranks_a_corrected_track_by_its_new_emotions(home: Path) -> None:
    settings = _settings(home)
    engine = _engine(settings)
    index = engine.store.index()
    # The saddest song of the demo, heard by the listener as joy.
    row = max(range(len(index)), key=lambda r: index.profiles[r][4] - index.profiles[r][0])
    track = index.track_ids[row]
    assert index.dominant[row] == "sadness"
    before = {a: _rank(engine, a, track) for a in ("emotions", "refined", "hybrid", "lyrics")}
    assert min(before["emotions"], before["refined"]) > 60

    assert engine.corrections is not None
    engine.corrections.set(track, "joy", who="test")
    after = {a: _rank(engine, a, track) for a in ("emotions", "refined", "hybrid", "lyrics")}
    # From the bottom half to among the joy songs (a quarter of the demo carries joy).
    assert after["emotions"] <= 30
    assert after["refined"] <= 30
    assert after["hybrid"] < before["hybrid"]
    assert after["lyrics"] == before["lyrics"]  # the words of the song did not change

    top = engine.recommend(HAPPY, "emotions", k=len(index))
    result = next(r for r in top if r.track_id == track)
    assert result.emotions_by == LISTENER
    assert result.matched_emotions[0].emotion == "joy"
    others = {r.emotions_by for r in top if r.track_id != track}
    assert others == {MODEL}  # one correction is far below what the calibration needs

    engine.corrections.undo(track)
    assert _rank(engine, "emotions", track) == before["emotions"]


def test_corrections_survive_reingestion_reanalysis_and_a_restart(home: Path) -> None:
    settings = _settings(home)
    corrections = CorrectionStore(settings.corrections_path)
    index = Store(settings.library_url, read_only=True).index()
    track = index.track_ids[3]
    corrections.set(track, "anger", "disgust", who="test")

    catalogue = load_demo_catalogue()
    build_ingestor(settings).run(catalogue, "demo again")  # re-ingestion
    report = build_ingestor(settings, extractor_name="lexicon").run([], "re-analysis")
    assert report.counts.get("updated", 0) == len(index)  # every track re-analysed

    engine = _engine(settings)  # a restart: new store handle, new recommender
    view = engine.view()
    row = view.index.track_ids.index(track)
    assert set(view.index.extractors) == {"lexicon"}
    assert view.index.emotion_source(row) == LISTENER
    assert view.index.dominant[row] == "anger"
    assert view.index.emotion_words[row] == "anger, disgust"
    assert view.corrections[track].who == "test"


def test_twenty_random_corrections_raise_the_agreement_of_the_other_tracks(
    demo_home: Path,
) -> None:
    """The issue's check, over several random draws: the catalogue's own labels play the
    listener on 20 random tracks; the other labelled tracks are judged before and after."""
    store = Store(_settings(demo_home).library_url, read_only=True)
    index, states = store.index(), store.song_states()
    assert states.present.all()  # the local extractor stores every English song's state
    labelled = [r for r in range(len(index)) if index.labels[r]]
    rng = random.Random(16)
    changes, active = [], 0
    for _ in range(20):
        fixes = {
            index.track_ids[r]: Correction(index.track_ids[r], index.labels[r][0])
            for r in rng.sample(labelled, 20)
        }
        result = corrected_agreement(index, fixes, resamples=1, states=lambda: states)
        assert result.after.n == len(labelled) - 20
        changes.append(result.after.top1.mean - result.before.top1.mean)
        active += result.calibration.active
    assert np.mean(changes) > 0.005, changes
    assert active >= 10


def test_enough_corrections_calibrate_the_other_tracks_in_every_approach(home: Path) -> None:
    settings = _settings(home)
    engine = _engine(settings)
    index = engine.store.index()
    assert engine.corrections is not None
    for r in random.Random(3).sample(range(len(index)), 30):
        engine.corrections.set(index.track_ids[r], index.labels[r][0], who="test")
    view = engine.view()
    assert view.calibration.active, view.calibration.reason
    assert view.calibration.learnable == 30
    sources = set(view.index.emotion_sources)
    assert sources == {LISTENER, CALIBRATED}  # every demo song has a state to calibrate
    moved = [
        r
        for r in range(len(index))
        if view.index.emotion_sources[r] == CALIBRATED
        and view.index.dominant[r] != index.dominant[r]
    ]
    assert moved  # it changes some songs' main emotion ...
    assert len(moved) < len(index) // 3  # ... not most of them
    top = engine.recommend(HAPPY, "emotions", k=10)
    assert {r.emotions_by for r in top} <= {LISTENER, CALIBRATED}
    # A calibrated card names the corrected song it most resembles, and what it was set to.
    corrected_titles = {index.titles[index.track_ids.index(t)] for t in view.corrections}
    for r in top:
        if r.emotions_by == CALIBRATED:
            assert r.emotions_note.startswith("nearest corrected song: “")
            title = r.emotions_note.split("“")[1].split("”")[0]
            assert title in corrected_titles
            like = int(view.index.calibrated_like[view.index.track_ids.index(r.track_id)])
            assert r.emotions_note.endswith(f"set to {view.index.dominant[like]}")
        else:
            assert r.emotions_note == ""


def test_a_library_analysed_without_song_states_keeps_the_calibration_off(home: Path) -> None:
    settings = _settings(home)
    build_ingestor(settings, extractor_name="lexicon").run([], "re-analysis")
    engine = _engine(settings)
    assert not engine.store.song_states().present.any()
    index = engine.store.index()
    assert engine.corrections is not None
    for r in range(12):
        engine.corrections.set(index.track_ids[r], index.labels[r][0], who="test")
    view = engine.view()
    assert not view.calibration.active
    assert view.calibration.corrections == 12
    assert view.calibration.learnable == 0
    assert "12 more are on tracks whose analysis stored no song state" in view.calibration.reason
    assert set(view.index.emotion_sources) == {LISTENER, MODEL}


def test_an_older_library_gains_the_song_state_column_at_its_next_analysis(home: Path) -> None:
    settings = _settings(home)
    store = Store(settings.library_url)
    store.ds.remove_column("song_state")
    store.commit("a library from before song states")
    assert not Store(settings.library_url, read_only=True).song_states().present.any()
    build_ingestor(settings, extractor_name="lexicon").run([], "re-analysis")
    build_ingestor(settings).run([], "re-analysis with local")
    states = Store(settings.library_url, read_only=True).song_states()
    assert states.present.all()
    assert states.vectors.shape == (162, 384)


_WRITER = textwrap.dedent(
    """
    import sys
    from moodtune.corrections import CorrectionStore
    store = CorrectionStore(sys.argv[1])
    emotions = ("joy", "sadness", "anger", "fear")
    for i in range(100000):
        store.set(f"t{i % 50}", emotions[i % 4], who="writer")
        print(i, flush=True)
    """
)


def test_a_kill_mid_write_loses_no_acknowledged_correction(tmp_path: Path) -> None:
    path = tmp_path / "corrections.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)],
        stdout=subprocess.PIPE,
        env={**os.environ},
        text=True,
    )
    assert proc.stdout is not None
    acknowledged = -1
    deadline = time.monotonic() + 120
    while acknowledged < 200 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged = int(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert acknowledged >= 200, "the writer stopped before it could be interrupted"

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        written = conn.execute("SELECT COUNT(*) FROM corrections").fetchone()[0]
    assert written >= acknowledged + 1  # every printed write is on disk (maybe one more)
    current = CorrectionStore(path).current()
    assert len(current) == 50
    last = max(range(written), key=lambda i: i)
    assert current[f"t{last % 50}"].main == ("joy", "sadness", "anger", "fear")[last % 4]


def test_an_unusable_stored_state_reads_as_none(home: Path) -> None:
    settings = _settings(home)
    store = Store(settings.library_url)
    broken = np.full(384, np.nan, dtype=np.float32)
    store.ds["song_state"][5] = broken
    store.commit("a damaged state")
    states = Store(settings.library_url, read_only=True).song_states()
    assert not states.present[5]
    assert states.present.sum() == 161
