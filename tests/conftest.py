"""Shared fixtures: a real demo library (real embedder, real local extractor, real Deep Lake),
built once per test session in a temporary MOODTUNE_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from moodtune.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """The workplace's shared folder (XED, public-domain songs): beside the checkout, or /work."""
    candidates = [ROOT.parent / "shared", Path("/work/shared")]
    if os.environ.get("MOODTUNE_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["MOODTUNE_SHARED_DIR"]))
    for candidate in candidates:
        if (candidate / "eval").is_dir():
            return candidate
    return candidates[0]


SHARED = _shared_dir()
PUBLIC_DOMAIN_SONGS = SHARED / "data" / "public_domain_songs.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MOODTUNE_HOME holding the demo catalogue and its playlists, ingested with the default
    settings."""
    from moodtune.ingest import build_ingestor
    from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists

    home = tmp_path_factory.mktemp("moodtune_home")
    settings = load_settings(secrets_path=Path("/nonexistent"), home=str(home))
    build_ingestor(settings).run(load_demo_catalogue(), "demo", playlists=load_demo_playlists())
    return home


@pytest.fixture
def demo_settings(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at the shared demo library, also exported as MOODTUNE_HOME."""
    monkeypatch.setenv("MOODTUNE_HOME", str(demo_home))
    return load_settings(secrets_path=Path("/nonexistent"), home=str(demo_home))


@pytest.fixture
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A MOODTUNE_HOME with no library yet."""
    home = tmp_path / "home"
    monkeypatch.setenv("MOODTUNE_HOME", str(home))
    return home


DAMAGED_SONGS = (
    ("t1", "Porch Light", "Friends on the porch\nwe laugh all night\n\nSunshine in June"),
    ("t2", "Dark Road", "Alone on the road\nscared of the dark\n\nTears at the station"),
    ("t3", "Countdown", "Ready for tomorrow\nwaiting at the gate\n\nSoon the doors open"),
)


def build_small_library(library: Path) -> None:
    """Two ingestion runs (two tracks, then three) with the hash embedder and keyword extractor."""
    from moodtune.embed import get_embedder
    from moodtune.emotions.keyword import KeywordExtractor
    from moodtune.ingest import Ingestor
    from moodtune.models import Track
    from moodtune.store import Store

    songs = [Track(tid, title, "The Fakes", lyrics) for tid, title, lyrics in DAMAGED_SONGS]
    ingestor = Ingestor(Store(library, create=True), get_embedder("hash"), KeywordExtractor())
    ingestor.run(songs[:2], "first")
    ingestor.run(songs, "second")


@pytest.fixture
def read_only_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A MOODTUNE_HOME holding a library, on a read-only mount (root) or without write bits."""
    source = tmp_path / "home_source"
    build_small_library(source / "library")
    home = tmp_path / "read_only_home"
    home.mkdir()
    monkeypatch.setenv("MOODTUNE_HOME", str(home))
    if os.geteuid() == 0:
        # Permission bits do not stop root; a read-only bind mount does.
        subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(home)], check=True)
        try:
            yield home
        finally:
            subprocess.run(["umount", str(home)], check=True)
    else:
        shutil.copytree(source, home, dirs_exist_ok=True)
        paths = [home, *home.rglob("*")]
        for path in paths:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            yield home
        finally:
            for path in paths:
                path.chmod(path.stat().st_mode | 0o200)


@pytest.fixture
def damaged_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A MOODTUNE_HOME whose library's newest version log was overwritten with random bytes.

    The two ingestion runs of build_small_library leave versions to roll back to. Random bytes
    over a log make Deep Lake fail in more than one way; the seed is chosen so that opening
    fails with the std::bad_alloc (MemoryError) the bad-input sweep met.
    """
    import random

    import deeplake

    home = tmp_path / "damaged_home"
    library = home / "library"
    build_small_library(library)
    newest = max(library.glob("_deeplake_log/*/*.jsonl.lz4"))
    size = newest.stat().st_size
    for seed in range(50):
        newest.write_bytes(random.Random(seed).randbytes(size))
        try:
            deeplake.open_read_only(str(library))
        except MemoryError:
            break
        except (RuntimeError, ValueError):
            continue
    else:
        raise AssertionError("No seed made Deep Lake fail with std::bad_alloc.")
    monkeypatch.setenv("MOODTUNE_HOME", str(home))
    return home
