"""Every script and benchmark still starts: `--help` imports it and parses its options.

They are run by hand (training, grids, benchmarks), so a renamed name they import would
otherwise go unnoticed until someone needs them; this caught train_multilingual.py importing
a constant the song head's v2 had renamed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_MODULES = {"harness.py"}  # imported by the benchmarks, not run
SCRIPTS = sorted(
    p
    for folder in ("scripts", "bench")
    for p in (ROOT / folder).glob("*.py")
    if p.name not in LIBRARY_MODULES
)


def test_there_are_scripts_to_check() -> None:
    assert len(SCRIPTS) >= 15


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_script_starts(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(path), "--help"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "usage:" in result.stdout.lower()
