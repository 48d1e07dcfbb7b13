"""One SQLite connection per call, for the small databases beside the library.

Owns: opening a database file (its folder created), WAL journaling, the durability level, one
transaction per call, and turning sqlite/OS failures into StoreError naming the database.
Used by the feedback store and the corrections log. Never cached: Streamlit shares cached
objects across threads, and a connection must stay in its thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from moodtune.errors import StoreError


@contextmanager
def connect(
    path: Path, what: str, synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
) -> Iterator[sqlite3.Connection]:
    """A connection to `path` inside one transaction; `what` names it in errors."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"Cannot open the {what} database at {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        with conn:
            yield conn
    except sqlite3.Error as exc:
        raise StoreError(f"The {what} database at {path} failed: {exc}") from exc
    finally:
        conn.close()
