"""A library on S3-compatible object storage (issue 13), against moto's server on 127.0.0.1.

The server is `moto[server]` from PyPI (pinned in requirements.txt), started by the fixture
on a free port; it runs offline. Ingest, recommend, the explorer page, eval and corrections run
on `MOODTUNE_HOME=s3://bucket/path`; the SQLite side files land in the local folder keyed by
the URL. Two reader processes poll the library while a third writes batches: they only ever
see committed batches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from moodtune.appserver import running_s3_server
from moodtune.cli import cli
from moodtune.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BUCKET = "moodtune-test"
KEYS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free local port, with one empty bucket."""
    with running_s3_server(BUCKET, "test", "test", KEYS["AWS_REGION"]) as url:
        yield url


@pytest.fixture
def s3_env(
    s3_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> dict[str, str]:
    """MOODTUNE_HOME on the bucket (a fresh path per test); keys and endpoint from the env."""
    env = {
        **KEYS,
        "MOODTUNE_HOME": f"s3://{BUCKET}/{request.node.name}",
        "MOODTUNE_S3_ENDPOINT_URL": s3_endpoint,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The local side files go under the working directory's .moodtune/remote/.
    monkeypatch.chdir(tmp_path)
    return env


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_settings_give_deep_lake_the_endpoint_and_keys_and_a_local_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'MOODTUNE_S3_ENDPOINT_URL = "http://127.0.0.1:9"\n'
        'MOODTUNE_S3_ACCESS_KEY_ID = "id"\nMOODTUNE_S3_SECRET_ACCESS_KEY = "hush-hush"\n'
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    remote = load_settings(secrets, home="s3://bucket/team/moods")
    assert remote.library_url == "s3://bucket/team/moods/library"
    assert remote.storage_creds == {
        "endpoint_url": "http://127.0.0.1:9",
        "aws_access_key_id": "id",
        "aws_secret_access_key": "hush-hush",
        **({"aws_region": os.environ["AWS_REGION"]} if os.environ.get("AWS_REGION") else {}),
    }
    assert "hush-hush" not in repr(remote)
    other = load_settings(secrets, library="s3://bucket/elsewhere/library")
    assert remote.feedback_path.parent.parent == Path(".moodtune") / "remote"
    assert remote.feedback_path != other.feedback_path  # one local home per library URL
    assert remote.corrections_path.parent == remote.feedback_path.parent
    local = load_settings(secrets, home=str(tmp_path / "home"))
    assert local.storage_creds is None
    assert local.feedback_path == tmp_path / "home" / "feedback.db"


def test_ingest_recommend_label_and_eval_on_object_storage(s3_env: dict[str, str]) -> None:
    out = run("ingest", "file", str(DATA / "songs_labelled.jsonl"))
    assert "added" in out.lower() or "6" in out
    info = json.loads(run("info", "--json"))
    assert info["tracks"] == 6
    assert info["path"].startswith("s3://")
    answer = json.loads(run("recommend", "tears and crying alone", "--json", "-k", "3"))
    assert len(answer) == 3
    assert answer[0]["matched_line"]
    for approach in ("emotions", "refined", "hybrid"):
        assert json.loads(run("recommend", "so angry", "--approach", approach, "--json"))
    run("label", "Kitchen Floor", "sadness")
    settings = load_settings()
    assert settings.corrections_path.is_file()
    assert "remote" in settings.corrections_path.parts
    report = json.loads(run("eval", "songs", "--library", "--json"))
    assert report
    # Read-only handles keep their per-version pack on local disk.
    assert list(settings.pack_path.glob("*/v-*/done.json"))


def test_explorer_page_runs_on_object_storage(s3_env: dict[str, str]) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    run("ingest", "file", str(DATA / "songs_labelled.jsonl"))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(
            str(ROOT / "app_pages" / "2_Emotion_Explorer.py"), default_timeout=300
        ).run()
        assert not at.exception, [e.value for e in at.exception]
        assert len(at.selectbox(key="explorer-track").options) == 6
    finally:
        st.cache_resource.clear()


WRITER = """
import sys, time
import numpy as np
from moodtune.config import load_settings
from moodtune.models import EmotionProfile, Track
from moodtune.store import EmotionAnalysis, StoredTrack, open_store

batches, size = int(sys.argv[1]), int(sys.argv[2])
store = open_store(load_settings(), create=True)
rng = np.random.default_rng(0)
for b in range(batches):
    items = []
    for i in range(size):
        n = b * size + i
        v = rng.standard_normal(384).astype(np.float32)
        v /= np.linalg.norm(v)
        p = EmotionProfile(tuple(float(x) for x in rng.random(8)))
        a = EmotionAnalysis("keyword", "1", p, np.zeros((1, 8), np.float32), "joy", v,
                            "serenity", v)
        items.append(StoredTrack(Track(f"t{n:04d}", f"Song {n}", "Band"), "la la", str(n),
                                 "hash-v1", v, ("la la",), v[None, :], ("la la",), v[None, :],
                                 a))
    for item in items:  # row by row, so a half-written batch has a telltale length
        store.upsert([item])
        time.sleep(0.1)
    store.commit(f"batch {b + 1}")
print("done", flush=True)
"""

READER = """
import json, sys, time
from moodtune.config import load_settings
from moodtune.errors import NotFoundError
from moodtune.store import open_store

size, total, until = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
settings = load_settings()
store = None
seen = []
while time.time() < until:
    try:
        store = store or open_store(settings, read_only=True)
    except NotFoundError:
        time.sleep(0.05)
        continue
    store.refresh()
    index = store.index()
    ids = list(index.track_ids)
    ok = len(ids) % size == 0 and ids == [f"t{n:04d}" for n in range(len(ids))]
    ok = ok and len(index.pack.lines.get(len(ids) - 1) if ids else ()) == (1 if ids else 0)
    seen.append([index.version, len(ids), ok])
    if len(ids) == total:
        break
    time.sleep(0.05)
print(json.dumps(seen), flush=True)
"""


def test_readers_see_the_last_commit_never_a_half_written_batch(
    s3_env: dict[str, str], tmp_path: Path
) -> None:
    batches, size = 6, 5
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    until = time.time() + 120
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(size), str(batches * size), str(until)],
            stdout=subprocess.PIPE,
            env={**env, "MOODTUNE_CACHE_DIR": str(tmp_path / f"cache{i}")},
            text=True,
        )
        for i in range(2)
    ]
    writer = subprocess.run(
        [sys.executable, "-c", WRITER, str(batches), str(size)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert writer.returncode == 0, writer.stderr[-2000:]
    for reader in readers:
        out, _ = reader.communicate(timeout=300)
        assert reader.returncode == 0
        seen = json.loads(out.strip().splitlines()[-1])
        assert seen, "the reader never saw the library"
        assert all(ok for _, _, ok in seen), [s for s in seen if not s[2]]
        counts = [n for _, n, _ in seen]
        assert counts == sorted(counts)  # never goes back
        assert counts[-1] == batches * size  # and ends at the last commit
        assert len(set(counts)) >= 3  # it did see the library grow, batch by batch
