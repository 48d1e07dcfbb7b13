from __future__ import annotations

from pathlib import Path

import pytest

from moodtune.embed import get_embedder
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.errors import InputError, StoreError
from moodtune.ingest import Ingestor
from moodtune.library_repair import check_library, restore_library
from moodtune.models import Track
from moodtune.store import Store


def test_damaged_library_is_a_store_error_naming_path_and_way_out(damaged_home: Path) -> None:
    library = damaged_home / "library"
    for read_only in (True, False):
        with pytest.raises(StoreError) as info:
            Store(library, read_only=read_only)
        message = str(info.value)
        assert str(library) in message
        assert "moodtune library check" in message
        assert "moodtune library restore VERSION" in message


def test_check_names_damaged_version_and_newest_readable(damaged_home: Path) -> None:
    report = check_library(damaged_home / "library")
    assert not report.healthy
    assert "MemoryError" in report.error
    newest, previous = report.versions[0], report.versions[1]
    assert report.damaged == (newest.version,)
    assert report.newest_readable == previous.version
    assert previous.tracks == 2
    assert f"moodtune library restore {previous.version}" in report.summary()


def test_restore_rolls_back_and_keeps_the_damaged_file(damaged_home: Path) -> None:
    library = damaged_home / "library"
    report = check_library(library)
    target = report.newest_readable
    assert target is not None
    restored = restore_library(library, target)
    assert restored.version == target
    assert restored.tracks == 2
    moved = list(Path(restored.moved_to).glob("*/*.jsonl.lz4"))
    assert [p.name for p in moved] == [f"{report.damaged[0]}.jsonl.lz4"]
    store = Store(library)
    assert sorted(store.rows()) == ["t1", "t2"]
    assert check_library(library).healthy
    # The restored library takes new commits.
    ingestor = Ingestor(store, get_embedder("hash"), KeywordExtractor())
    again = ingestor.run([Track("t3", "Countdown", "The Fakes", "Ready for tomorrow")], "again")
    assert again.counts == {"added": 1}
    reopened = Store(library, read_only=True)
    assert len(reopened) == 3
    assert "again" in reopened.versions()[0].message


def test_restore_refuses_an_unknown_version(damaged_home: Path) -> None:
    with pytest.raises(InputError, match="not a version"):
        restore_library(damaged_home / "library", "nope")


def test_healthy_library_checks_clean(tmp_path: Path) -> None:
    Store(tmp_path / "lib", create=True)
    report = check_library(tmp_path / "lib")
    assert report.healthy
    assert "reads cleanly" in report.summary()
