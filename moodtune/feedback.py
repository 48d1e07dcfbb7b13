"""Thumbs up/down votes, durable in SQLite (WAL), and their summaries per approach.

Owns: the feedback table, recording a vote, the vote that counts for a result, per-approach
summaries and per-track net votes. A result is a (query, approach, track): the latest vote on it
counts, whoever cast it, so a listener who reloads the app (a new session id) and votes again
changes their vote rather than adding one. Earlier sessions' rows stay as the history (nothing is
deleted); a session voting again on a result replaces its own row. Every count (summary, net
votes, query votes; so `moodtune eval feedback` and the Evaluation page too) reads only the vote
that counts.
Opens one connection per call (never cached: Streamlit shares cached objects across threads).
`path` may be ":memory:" only for a single call's lifetime, so tests use a tmp file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from moodtune.errors import InputError
from moodtune.sqlite_files import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    session_id TEXT NOT NULL,
    query TEXT NOT NULL,
    approach TEXT NOT NULL,
    rank INTEGER NOT NULL,
    track_id TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (0, 1)),
    UNIQUE (session_id, query, approach, track_id)
);
CREATE INDEX IF NOT EXISTS feedback_approach ON feedback (approach);
CREATE INDEX IF NOT EXISTS feedback_result ON feedback (query, approach, track_id);
"""

# The vote that counts for each result: the latest recorded. Rows recorded since a re-vote got a
# new id (INSERT OR REPLACE) are in recording order by id; created_at comes first so that rows
# from before that, whose id a re-vote kept, still order by when they were cast.
_COUNTED = """(
    SELECT * FROM (
        SELECT *, ROW_NUMBER() OVER (
            PARTITION BY query, approach, track_id ORDER BY created_at DESC, id DESC
        ) AS nth
        FROM feedback
    ) WHERE nth = 1
)"""


@dataclass(frozen=True, slots=True)
class Vote:
    session_id: str
    query: str
    approach: str
    rank: int
    track_id: str
    up: bool
    created_at: str = ""  # set by the store; ignored when recording


@dataclass(frozen=True, slots=True)
class QueryVote:
    """Up minus down votes on one track for one query text, over approaches (the vote that
    counts for each)."""

    query: str
    track_id: str
    net: int


@dataclass(frozen=True, slots=True)
class ApproachFeedback:
    approach: str
    up: int
    down: int

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def share_up(self) -> float:
        return self.up / self.total if self.total else 0.0


class FeedbackStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path, "feedback", "NORMAL")

    def record(self, vote: Vote) -> None:
        """Store a vote durably; it becomes the vote that counts for its result."""
        if not vote.query.strip() or not vote.track_id or not vote.approach:
            raise InputError("A vote needs a query, an approach and a track.")
        with self._connect() as conn:
            # REPLACE (delete, then insert) gives this session's new vote a new, larger id.
            conn.execute(
                """INSERT OR REPLACE INTO feedback
                   (created_at, session_id, query, approach, rank, track_id, vote)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    vote.session_id,
                    vote.query,
                    vote.approach,
                    vote.rank,
                    vote.track_id,
                    int(vote.up),
                ),
            )

    def votes(self) -> list[Vote]:
        """Return every stored vote, earlier sessions' replaced ones too, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT created_at, session_id, query, approach, rank, track_id, vote "
                "FROM feedback ORDER BY id"
            ).fetchall()
        return [Vote(r[1], r[2], r[3], int(r[4]), r[5], bool(r[6]), created_at=r[0]) for r in rows]

    def vote_for(self, query: str, approach: str, track_id: str) -> bool | None:
        """Return the vote that counts for one result (True for up), None when there is none."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT vote FROM feedback WHERE query = ? AND approach = ? AND track_id = ? "
                "ORDER BY created_at DESC, id DESC LIMIT 1",
                (query, approach, track_id),
            ).fetchone()
        return None if row is None else bool(row[0])

    def summary(self) -> list[ApproachFeedback]:
        """Return thumbs up/down counts per approach (one per result), most votes first."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT approach, SUM(vote), COUNT(*) - SUM(vote) FROM {_COUNTED} "
                "GROUP BY approach ORDER BY COUNT(*) DESC, approach"
            ).fetchall()
        return [ApproachFeedback(r[0], int(r[1]), int(r[2])) for r in rows]

    def track_net_votes(self) -> dict[str, int]:
        """Return up minus down votes per track, over all approaches and queries."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT track_id, SUM(2 * vote - 1) FROM {_COUNTED} GROUP BY track_id"
            ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def query_votes(self) -> list[QueryVote]:
        """Return net votes per (query, track), for demoting tracks on similar queries."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT query, track_id, SUM(2 * vote - 1) FROM {_COUNTED} "
                "GROUP BY query, track_id ORDER BY MIN(id)"
            ).fetchall()
        return [QueryVote(r[0], r[1], int(r[2])) for r in rows]
