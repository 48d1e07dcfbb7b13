from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from moodtune.errors import InputError
from moodtune.feedback import FeedbackStore, Vote


def vote(track: str = "t1", up: bool = True, approach: str = "lyrics", session: str = "s1") -> Vote:
    return Vote(session, "rainy sunday", approach, 1, track, up)


def test_votes_are_durable_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "feedback.db"
    FeedbackStore(path).record(vote())
    # A second, independent instance (another process or rerun) sees the row.
    [stored] = FeedbackStore(path).votes()
    assert (stored.query, stored.approach, stored.track_id, stored.up) == (
        "rainy sunday", "lyrics", "t1", True,
    )  # fmt: skip
    assert stored.created_at
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_changed_vote_replaces_the_old_one(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.db")
    store.record(vote(up=True))
    store.record(vote(up=False))
    assert [v.up for v in store.votes()] == [False]


def test_summary_per_approach(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.db")
    store.record(vote("t1", True, "lyrics"))
    store.record(vote("t2", True, "lyrics"))
    store.record(vote("t3", False, "lyrics"))
    store.record(vote("t1", False, "refined"))
    summary = {s.approach: s for s in store.summary()}
    assert (summary["lyrics"].up, summary["lyrics"].down, summary["lyrics"].total) == (2, 1, 3)
    assert summary["lyrics"].share_up == pytest.approx(2 / 3)
    assert summary["refined"].share_up == 0.0
    assert store.track_net_votes() == {"t1": 0, "t2": 1, "t3": -1}


def test_incomplete_vote_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        FeedbackStore(tmp_path / "f.db").record(Vote("s", "  ", "lyrics", 1, "t1", True))
