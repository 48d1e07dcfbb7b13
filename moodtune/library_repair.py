"""Checking a damaged library and rolling it back to a version that still reads.

Owns: finding which commits of a local Deep Lake library can be opened, and restoring the library
to one of them by moving the newer commits' version-log files aside (into a folder beside the
library, never deleting them). Deep Lake keeps one log file per commit in
`_deeplake_log/<branch>/<version>.jsonl.lz4`; a library opens at its newest log file, so
setting the damaged ones aside opens it at the version before. Works on local libraries only.
Must not rank, embed or ingest.
"""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import deeplake
import numpy as np

from moodtune.errors import InputError, NotFoundError, StoreError
from moodtune.store import OPEN_ERRORS, VECTOR_COLUMNS

_LOG_DIR = "_deeplake_log"
_META = "_meta"
_SUFFIX = ".jsonl.lz4"


@dataclass(frozen=True, slots=True)
class VersionCheck:
    """Whether the library opens at one commit, and what it holds there."""

    version: str
    readable: bool
    tracks: int
    message: str
    error: str


@dataclass(frozen=True, slots=True)
class LibraryCheck:
    path: str
    healthy: bool
    error: str  # why the library as a whole does not open; "" when healthy
    versions: tuple[VersionCheck, ...]  # newest first

    @property
    def damaged(self) -> tuple[str, ...]:
        """Versions that do not open, newest first."""
        return tuple(v.version for v in self.versions if not v.readable)

    @property
    def newest_readable(self) -> str | None:
        return next((v.version for v in self.versions if v.readable), None)

    def summary(self) -> str:
        """Say what is damaged and what to run next, in a few lines."""
        if self.healthy:
            newest = self.versions[0] if self.versions else None
            state = f"{newest.tracks} tracks, version {newest.version}" if newest else "empty"
            return f"The library at {self.path} reads cleanly ({state})."
        lines = [f"The library at {self.path} does not open: {self.error}"]
        if self.damaged:
            lines.append(f"Damaged versions (newest first): {', '.join(self.damaged)}.")
        good = self.newest_readable
        if good is None:
            lines.append("No version reads: move the library away and ingest again.")
        else:
            tracks = next(v.tracks for v in self.versions if v.version == good)
            lines.append(
                f"The newest version that reads is {good} ({tracks} tracks). "
                f"Run `moodtune library restore {good}` to roll back to it; the newer version "
                "files are moved aside, not deleted."
            )
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class RestoreReport:
    path: str
    version: str
    tracks: int
    moved_to: str  # where the newer log files went; "" when nothing had to move
    moved: tuple[str, ...]


def check_library(path: str | Path) -> LibraryCheck:
    """Open the library and, when it fails, every earlier commit; report which ones read."""
    root, branch = _branch_dir(path)
    versions = _log_versions(branch)
    whole = _try_open(str(root))
    if whole.readable:
        return LibraryCheck(str(root), True, "", (whole,))
    checks = []
    for index, version in enumerate(reversed(versions)):
        newer = versions[len(versions) - index :]
        checks.append(_try_open_without(root, branch, version, newer))
    return LibraryCheck(str(root), False, whole.error, tuple(checks))


def restore_library(path: str | Path, version: str) -> RestoreReport:
    """Roll the library back to `version`, moving newer commits' log files beside the library."""
    root, branch = _branch_dir(path)
    versions = _log_versions(branch)
    if version not in versions:
        raise InputError(
            f"{version!r} is not a version of the library at {root}. "
            f"Versions: {', '.join(reversed(versions))}."
        )
    newer = versions[versions.index(version) + 1 :]
    trial = _try_open_without(root, branch, version, newer)
    if not trial.readable:
        raise StoreError(
            f"Version {version} of the library at {root} does not read either ({trial.error}). "
            "Run `moodtune library check` to find one that does."
        )
    moved_to = ""
    if newer:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        aside = root.parent / f"{root.name}.set-aside-{stamp}" / branch.name
        aside.mkdir(parents=True, exist_ok=False)
        for name in newer:
            shutil.move(str(branch / f"{name}{_SUFFIX}"), str(aside / f"{name}{_SUFFIX}"))
        _write_next_base(branch, version)
        moved_to = str(aside.parent)
    after = _try_open(str(root))
    if not after.readable:
        raise StoreError(
            f"The library at {root} still does not open after the rollback ({after.error}); "
            f"the moved files are in {moved_to}."
        )
    return RestoreReport(str(root), after.version, after.tracks, moved_to, tuple(newer))


def _branch_dir(path: str | Path) -> tuple[Path, Path]:
    text = str(path)
    if "://" in text and not text.startswith("file://"):
        raise InputError(f"Checking and restoring work on local libraries only, not {text}.")
    root = Path(text.removeprefix("file://")).expanduser()
    logs = root / _LOG_DIR
    if not logs.is_dir():
        raise NotFoundError(f"No MoodTune library at {root}.")
    branches = [d for d in logs.iterdir() if d.is_dir() and d.name != _META]
    # MoodTune never creates branches, so a library has exactly the main one.
    if len(branches) != 1:
        raise StoreError(
            f"The library at {root} has {len(branches)} branch logs; expected exactly one."
        )
    return root, branches[0]


def _log_versions(branch: Path) -> list[str]:
    """Version ids with a log file in `branch`, oldest first."""
    return sorted(p.name.removesuffix(_SUFFIX) for p in branch.glob(f"*{_SUFFIX}"))


def _try_open(url: str) -> VersionCheck:
    try:
        ds = deeplake.open_read_only(url)
        history = list(ds.history)
        tracks = len(ds)
        if tracks:
            ds["track_id"][:]
            _check_vector_columns(ds, tracks)
        message = str(history[-1].message) if history else ""
        return VersionCheck(str(ds.version), True, tracks, message, "")
    except OPEN_ERRORS as exc:
        return VersionCheck("", False, 0, "", f"{type(exc).__name__}: {exc}")


def _check_vector_columns(ds: deeplake.ReadOnlyDataset, tracks: int) -> None:
    """Raise ValueError when a fixed-width vector column has a row that does not read whole.

    A library whose rows Deep Lake 4.7.4 damaged by in-place updates opens, but those rows read
    back as single numbers (tests/integration/test_store_rewrite.py), so reading the ids is not
    enough to call a version readable.
    """
    names = {col.name for col in ds.schema.columns}
    for name, width in VECTOR_COLUMNS:
        if name not in names:
            continue
        try:
            np.asarray(ds[name][:], dtype=np.float32).reshape(tracks, width)
        except ValueError as exc:
            raise ValueError(
                f"column {name!r} has rows that do not read as {width} numbers"
            ) from exc


def _try_open_without(root: Path, branch: Path, version: str, newer: Sequence[str]) -> VersionCheck:
    """Open a scratch view of the library whose log stops at `version` (data files linked)."""
    with tempfile.TemporaryDirectory(prefix="moodtune-check-") as scratch:
        view = Path(scratch) / root.name
        view.mkdir()
        for entry in root.iterdir():
            if entry.name != _LOG_DIR:
                (view / entry.name).symlink_to(entry.resolve())
        shutil.copytree(root / _LOG_DIR, view / _LOG_DIR)
        for name in newer:
            (view / _LOG_DIR / branch.name / f"{name}{_SUFFIX}").unlink()
        if newer:
            _write_next_base(view / _LOG_DIR / branch.name, version)
        result = _try_open(str(view))
    return VersionCheck(version, result.readable, result.tracks, result.message, result.error)


def _write_next_base(branch: Path, version: str) -> None:
    """Point the branch's next commit number just past `version` (ids start with its number)."""
    digits = version[:10]
    if not digits.isdigit():
        return  # an unknown id format: Deep Lake then waits ~2 s for the missing commits once
    (branch / "next_base").write_bytes(struct.pack("<Q", int(digits) + 1))
