"""Listeners' corrections of a song's emotions, durable in SQLite beside the library.

Owns: the corrections log (every "this song feels like ..." and every undo is one appended row,
with who and when), the current correction per track (replaying the log: an undo withdraws that
track's latest correction and brings back the one before), and the profile a corrected track is
ranked by. Corrections are keyed by the stable track id and live outside the Deep Lake dataset,
so re-ingestion and re-analysis never touch them. Opens one connection per call (Streamlit
shares cached objects across threads); `synchronous=FULL`, so an acknowledged correction
survives a kill -9. Must not rank, embed or read the library.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from moodtune.emotions.words import MILD
from moodtune.errors import InputError, NotFoundError
from moodtune.models import EMOTIONS, EmotionProfile
from moodtune.sqlite_files import connect

MAIN_SCORE = 0.75  # a listener's main emotion: clearly present, named by its basic word
SECOND_SCORE = 0.6  # the optional second one: present, below the main one
OTHER_CAP = MILD - 0.05  # what the model saw besides stays a faint trace, below "mild"
MAX_WHO = 80

_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    track_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('set', 'undo')),
    main TEXT NOT NULL DEFAULT '',
    second TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    artist TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS corrections_track ON corrections (track_id);
"""


@dataclass(frozen=True, slots=True)
class Correction:
    """A listener's reading of one song: its main emotion and, optionally, a second."""

    track_id: str
    main: str
    second: str | None = None
    who: str = ""
    created_at: str = ""  # set by the store
    title: str = ""
    artist: str = ""

    @property
    def emotions(self) -> tuple[str, ...]:
        return (self.main,) if self.second is None else (self.main, self.second)


def check_emotions(main: str, second: str | None = None) -> tuple[str, str | None]:
    """Return (main, second) normalised; InputError for unknown or repeated names."""
    names = [main.strip().lower(), (second or "").strip().lower() or None]
    for name in names:
        if name is not None and name not in EMOTIONS:
            raise InputError(f"Unknown emotion {name!r}. Choose from: {', '.join(EMOTIONS)}.")
    if names[0] == names[1]:
        raise InputError("The second emotion must differ from the main one.")
    return str(names[0]), names[1]


def corrected_profile(model: EmotionProfile, correction: Correction) -> EmotionProfile:
    """The profile a corrected track is ranked by: the listener's emotions lead, the model's
    other readings stay as faint traces (so the profile keeps some texture for plotting)."""
    scores = {e: min(s, OTHER_CAP) for e, s in model.as_dict().items()}
    scores[correction.main] = MAIN_SCORE
    if correction.second is not None:
        scores[correction.second] = SECOND_SCORE
    return EmotionProfile.from_mapping(scores)


def current_corrections(rows: Sequence[Correction | str]) -> dict[str, Correction]:
    """Replay a log (a Correction is a 'set', a bare track id an 'undo'), oldest first."""
    stacks: dict[str, list[Correction]] = {}
    for row in rows:
        if isinstance(row, Correction):
            stacks.setdefault(row.track_id, []).append(row)
        elif stacks.get(row):
            stacks[row].pop()
    return {tid: stack[-1] for tid, stack in stacks.items() if stack}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class CorrectionStore:
    """The corrections log at `path` (a file beside the library, like the feedback store)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path, "corrections", "FULL")

    def set(
        self,
        track_id: str,
        main: str,
        second: str | None = None,
        *,
        who: str = "",
        title: str = "",
        artist: str = "",
    ) -> Correction:
        """Record that `track_id` feels like `main` (and `second`); returns what was stored."""
        if not track_id.strip():
            raise InputError("A correction needs a track.")
        main, second = check_emotions(main, second)
        stamp = _now()
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO corrections (created_at, track_id, action, main, second, who, title,"
                " artist) VALUES (?, ?, 'set', ?, ?, ?, ?, ?)",
                (stamp, track_id, main, second or "", who[:MAX_WHO], title, artist),
            )
        return Correction(track_id, main, second, who[:MAX_WHO], stamp, title, artist)

    def undo(self, track_id: str, *, who: str = "") -> Correction | None:
        """Withdraw the latest correction of `track_id`; return the one now in force, if any."""
        with self._connect() as conn:
            if track_id not in current_corrections(self._log(conn, track_id)):
                raise NotFoundError(f"No correction to undo for track {track_id}.")
            conn.execute(
                "INSERT INTO corrections (created_at, track_id, action, who) "
                "VALUES (?, ?, 'undo', ?)",
                (_now(), track_id, who[:MAX_WHO]),
            )
            return current_corrections(self._log(conn, track_id)).get(track_id)

    def current(self) -> dict[str, Correction]:
        """The correction in force for every corrected track."""
        with self._connect() as conn:
            return current_corrections(self._log(conn))

    def revision(self) -> int:
        """Grows with every write: a cache key for anything derived from the corrections."""
        with self._connect() as conn:
            row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM corrections").fetchone()
        return int(row[0])

    @staticmethod
    def _log(conn: sqlite3.Connection, track_id: str | None = None) -> list[Correction | str]:
        query = (
            "SELECT action, track_id, main, second, who, created_at, title, artist FROM corrections"
        )
        params: tuple[str, ...] = ()
        if track_id is not None:
            query += " WHERE track_id = ?"
            params = (track_id,)
        rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [
            Correction(r[1], r[2], r[3] or None, r[4], r[5], r[6], r[7]) if r[0] == "set" else r[1]
            for r in rows
        ]


def existing_corrections(path: Path) -> CorrectionStore | None:
    """The corrections store at `path` if one was ever written; reading never creates one."""
    return CorrectionStore(path) if path.is_file() else None
