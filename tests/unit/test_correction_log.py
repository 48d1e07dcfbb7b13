"""Listeners' corrections: the durable log, undo, validation and the corrected profile."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from moodtune.corrections import (
    MAIN_SCORE,
    OTHER_CAP,
    SECOND_SCORE,
    Correction,
    CorrectionStore,
    corrected_profile,
    current_corrections,
    existing_corrections,
)
from moodtune.emotions.words import basic_words, refined_words
from moodtune.errors import InputError, NotFoundError
from moodtune.models import EmotionProfile


def test_a_correction_is_stored_with_who_and_when_and_read_back(tmp_path: Path) -> None:
    store = CorrectionStore(tmp_path / "corrections.db")
    saved = store.set("t1", "Joy", "trust", who="ana", title="Song", artist="Band")
    assert (saved.main, saved.second, saved.who) == ("joy", "trust", "ana")
    assert saved.created_at.startswith("20")
    again = CorrectionStore(tmp_path / "corrections.db").current()  # a restart
    assert again == {"t1": saved}
    assert again["t1"].emotions == ("joy", "trust")


def test_undo_brings_back_the_previous_correction_then_the_model(tmp_path: Path) -> None:
    store = CorrectionStore(tmp_path / "c.db")
    store.set("t1", "fear")
    store.set("t1", "joy")
    store.set("t2", "anger")
    before = store.revision()
    now = store.undo("t1")
    assert now is not None
    assert now.main == "fear"
    assert store.revision() > before
    assert store.undo("t1") is None
    assert set(store.current()) == {"t2"}
    with pytest.raises(NotFoundError, match="No correction to undo"):
        store.undo("t1")


def test_replaying_the_log_ignores_undos_with_nothing_to_undo() -> None:
    a, b = Correction("t1", "joy"), Correction("t1", "sadness")
    assert current_corrections(["t1", a, b, "t1"]) == {"t1": a}
    assert current_corrections([a, "t1", "t1"]) == {}


@pytest.mark.parametrize(
    ("main", "second", "message"),
    [
        ("happiness", None, "Unknown emotion 'happiness'"),
        ("joy", "joy", "must differ"),
        ("joy", "bliss", "Unknown emotion 'bliss'"),
    ],
)
def test_bad_emotions_are_refused_and_nothing_is_stored(
    tmp_path: Path, main: str, second: str | None, message: str
) -> None:
    store = CorrectionStore(tmp_path / "c.db")
    with pytest.raises(InputError, match=message):
        store.set("t1", main, second)
    assert store.current() == {}
    with pytest.raises(InputError, match="needs a track"):
        store.set("  ", "joy")


def test_every_write_is_one_appended_row(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = CorrectionStore(path)
    store.set("t1", "joy", who="x" * 500)
    store.undo("t1")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT action, length(who) FROM corrections ORDER BY id").fetchall()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert rows == [("set", 80), ("undo", 0)]
    assert mode == "wal"


def test_reading_never_creates_a_database(tmp_path: Path) -> None:
    assert existing_corrections(tmp_path / "none.db") is None
    assert not (tmp_path / "none.db").exists()


def test_a_corrected_profile_leads_with_the_listeners_emotions() -> None:
    model = EmotionProfile.from_mapping({"fear": 0.9, "surprise": 0.6, "joy": 0.1})
    fixed = corrected_profile(model, Correction("t", "joy", "trust"))
    assert fixed["joy"] == pytest.approx(MAIN_SCORE)
    assert fixed["trust"] == pytest.approx(SECOND_SCORE)
    assert fixed["fear"] == pytest.approx(OTHER_CAP)
    assert fixed.dominant == "joy"
    assert [w.word for w in basic_words(fixed)] == ["joy", "trust"]
    assert [w.word for w in refined_words(fixed)] == ["love"]  # joy + trust: its dyad
    alone = corrected_profile(model, Correction("t", "sadness"))
    assert [w.word for w in basic_words(alone)] == ["sadness"]
