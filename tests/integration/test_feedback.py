from __future__ import annotations

import json
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


def test_a_vote_from_a_new_session_replaces_the_earlier_one_and_counts_once(
    tmp_path: Path,
) -> None:
    store = FeedbackStore(tmp_path / "f.db")
    store.record(vote("t1", True, session="before-reload"))
    store.record(vote("t2", True, session="before-reload"))
    store.record(vote("t1", False, session="after-reload"))
    assert store.vote_for("rainy sunday", "lyrics", "t1") is False
    assert store.vote_for("rainy sunday", "lyrics", "t2") is True
    assert store.vote_for("rainy sunday", "lyrics", "t3") is None
    assert store.vote_for("rainy sunday", "refined", "t1") is None
    [lyrics] = store.summary()
    assert (lyrics.up, lyrics.down, lyrics.total) == (1, 1, 2)
    assert store.track_net_votes() == {"t1": -1, "t2": 1}
    assert {(q.track_id, q.net) for q in store.query_votes()} == {("t1", -1), ("t2", 1)}
    # Nothing is lost: every session's vote stays on record.
    assert [(v.session_id, v.track_id, v.up) for v in store.votes()] == [
        ("before-reload", "t1", True),
        ("before-reload", "t2", True),
        ("after-reload", "t1", False),
    ]


def test_the_latest_vote_counts_even_when_an_earlier_session_changes_its_own(
    tmp_path: Path,
) -> None:
    store = FeedbackStore(tmp_path / "f.db")
    store.record(vote(up=True, session="a"))
    store.record(vote(up=False, session="b"))
    store.record(vote(up=True, session="a"))  # session a, still open, votes again: it is latest
    assert store.vote_for("rainy sunday", "lyrics", "t1") is True
    [lyrics] = store.summary()
    assert (lyrics.up, lyrics.down) == (1, 0)


def test_the_cli_and_the_evaluation_report_count_the_latest_vote_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from moodtune.cli import cli
    from moodtune.evaluate import feedback_report

    monkeypatch.setenv("MOODTUNE_HOME", str(tmp_path))
    store = FeedbackStore(tmp_path / "feedback.db")
    store.record(vote("t1", True, session="s1"))
    store.record(vote("t2", False, session="s1"))
    store.record(vote("t1", True, session="s2"))  # a reload, the same thumbs-up again
    rows = {r.approach: r for r in feedback_report(store).rows}
    assert (rows["lyrics"].up, rows["lyrics"].down, rows["lyrics"].total) == (1, 1, 2)
    result = CliRunner().invoke(cli, ["eval", "feedback", "--json"])
    assert result.exit_code == 0, result.output
    lyrics = next(r for r in json.loads(result.stdout)["rows"] if r["approach"] == "lyrics")
    assert (lyrics["up"], lyrics["down"], lyrics["total"], lyrics["share_up"]) == (1, 1, 2, 0.5)
