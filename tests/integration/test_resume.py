"""Kill -9 in the middle of an ingestion, then run it again: no duplicates, no half tracks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import deeplake
import numpy as np

from moodtune.store import Store
from tests.conftest import PUBLIC_DOMAIN_SONGS, ROOT

N_SONGS = 48


def _songs_file(tmp_path: Path) -> Path:
    rows = [
        json.loads(line) for line in PUBLIC_DOMAIN_SONGS.read_text(encoding="utf-8").splitlines()
    ]
    path = tmp_path / "songs.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, row in enumerate(rows[:N_SONGS]):
            record = {
                "id": f"pd-{i:03d}",
                "title": row["title"],
                "artist": row["artist"],
                "lyrics": row["lyrics"],
            }
            fh.write(json.dumps(record) + "\n")
    return path


def _ingest(home: Path, songs: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MOODTUNE_HOME": str(home), "MOODTUNE_INGEST_BATCH_SIZE": "4"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "moodtune.cli",
            "ingest",
            "file",
            str(songs),
            "--extractor",
            "lexicon",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _committed_rows(url: str) -> int:
    if not deeplake.exists(url):
        return 0
    return len(deeplake.open_read_only(url))


def test_killed_ingestion_resumes_without_duplicates(tmp_path: Path) -> None:
    songs = _songs_file(tmp_path)
    home = tmp_path / "home"
    url = str(home / "library")
    proc = _ingest(home, songs)
    deadline = time.monotonic() + 240
    while _committed_rows(url) < 8 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "ingestion finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = _committed_rows(url)
    assert 8 <= partial < N_SONGS

    resumed = _ingest(home, songs)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err.decode()
    summary = out.decode()
    assert f"{partial} unchanged" in summary
    assert f"{N_SONGS - partial} added" in summary

    store = Store(url, read_only=True)
    assert len(store) == N_SONGS
    ids = list(store.rows())
    assert sorted(ids) == sorted(f"pd-{i:03d}" for i in range(N_SONGS))
    index = store.index()
    assert np.allclose(np.linalg.norm(index.song_emb, axis=1), 1.0, atol=1e-4)
    for row in range(len(store)):
        text = store.track_text(row)
        assert text.lines
        assert len(text.line_emb) == len(text.lines)
        assert text.stanzas
        assert len(text.stanza_profiles) == len(text.stanzas)
    assert set(index.extractors) == {"lexicon"}


def test_module_runs_as_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "moodtune.cli", "--help"], cwd=ROOT, capture_output=True, check=False
    )
    assert result.returncode == 0
    assert b"ingest" in result.stdout
