"""Kill -9 between batches while a changed file is re-ingested: the committed playlist lists
exactly its stored tracks in the new order; running again finishes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import deeplake

from moodtune.playlists import parse_document
from moodtune.store import Store
from tests.conftest import PUBLIC_DOMAIN_SONGS, ROOT

FIRST = [f"pd-{i:03d}" for i in range(16)]
# The changed file: 24 new songs first (slow to embed), then 12 of the first file's, reversed;
# pd-000..pd-003 left it.
SECOND = [f"pd-{i:03d}" for i in range(39, 3, -1)]


def _write(path: Path, ids: list[str]) -> Path:
    rows = [json.loads(line) for line in PUBLIC_DOMAIN_SONGS.read_text("utf-8").splitlines()]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for tid in ids:
            row = rows[int(tid[3:])]
            record = {"id": tid, "title": row["title"], "artist": row["artist"]}
            fh.write(json.dumps({**record, "lyrics": row["lyrics"]}) + "\n")
    return path


def _ingest(home: Path, songs: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MOODTUNE_HOME": str(home), "MOODTUNE_INGEST_BATCH_SIZE": "4"}
    command = [sys.executable, "-m", "moodtune.cli", "ingest", "file", str(songs)]
    return subprocess.Popen(
        [*command, "--extractor", "lexicon"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _committed(url: str) -> tuple[list[str], tuple[str, ...]]:
    """Track ids and the playlist's members, as committed."""
    store = Store(url, read_only=True)
    [playlist] = parse_document(store.playlists_document()) or ()
    return list(store.rows()), playlist.track_ids


def test_killed_reingestion_leaves_membership_consistent_and_resumes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = str(home / "library")
    first = _ingest(home, _write(tmp_path / "v1" / "songs.jsonl", FIRST))
    assert first.wait(timeout=600) == 0, first.stderr.read().decode() if first.stderr else ""
    assert _committed(url) == (FIRST, tuple(FIRST))

    changed = _write(tmp_path / "v2" / "songs.jsonl", SECOND)  # same file name: same playlist
    proc = _ingest(home, changed)
    deadline = time.monotonic() + 300
    while len(deeplake.open_read_only(url)) < len(FIRST) + 4 and proc.poll() is None:
        assert time.monotonic() < deadline, "no batch was committed in time"
        time.sleep(0.05)
    assert proc.poll() is None, "ingestion finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    stored, members = _committed(url)
    assert len(FIRST) + 4 <= len(stored) < len(set(FIRST) | set(SECOND))
    assert len(stored) == len(set(stored))
    # Exactly the changed file's tracks that are stored, in its order; the dropped ones left.
    assert members == tuple(t for t in SECOND if t in stored)
    assert not set(members) & {"pd-000", "pd-001", "pd-002", "pd-003"}

    kept = len(members)
    resumed = _ingest(home, changed)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err.decode()
    # Tracks stored before the kill are unchanged now; the rest are added.
    assert f": {len(SECOND) - kept} added, {kept} unchanged" in out.decode()
    stored, members = _committed(url)
    assert members == tuple(SECOND)
    assert sorted(stored) == sorted(set(FIRST) | set(SECOND))  # left the playlist, not the library
