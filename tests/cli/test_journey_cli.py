"""`moodtune journey` through CliRunner on the demo library: text, --json, filters, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from moodtune.cli import cli

CRYING = "I can't stop crying since she left"


def run(home: Path, *args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, ["--home", str(home), "journey", *args])


def test_journey_json_to_joy(demo_home: Path) -> None:
    result = run(demo_home, CRYING, "--to", "joy", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    steps = data["steps"]
    assert len(steps) == 8
    assert len({s["track_id"] for s in steps}) == 8
    assert data["target"]["emotion"] == "joy"
    assert steps[0]["to_query"] < steps[0]["to_target"]
    assert steps[-1]["to_target"] < steps[0]["to_target"]
    assert all(data["checks"].values())
    assert steps[0]["why"].startswith("closest to your feeling")
    assert all(s["why"] for s in steps)


def test_journey_text_to_a_sentence_with_filters(demo_home: Path) -> None:
    result = run(demo_home, "heartbroken", "--to", "hopeful again", "-n", "4", "--one-per-artist")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "From your feeling to “hopeful again”, in 4 tracks:"
    assert [ln.split(".")[0] for ln in lines[1::2]] == ["1", "2", "3", "4"]
    assert "closest to your feeling" in lines[2]


def test_bad_input_exits_2_and_an_empty_library_exits_1(demo_home: Path, empty_home: Path) -> None:
    for args, message in [
        ((CRYING, "--to", "joy", "-n", "1"), "2 to 30 tracks"),
        ((CRYING, "--to", "joy", "-n", "99"), "2 to 30 tracks"),
        (("   ", "--to", "joy"), "query is empty"),
        ((CRYING, "--to", " "), "Say where the journey goes"),
    ]:
        result = run(demo_home, *args)
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "Traceback" not in result.output
    missing = run(demo_home, CRYING)
    assert missing.exit_code == 2
    assert "--to" in missing.output
    empty = run(empty_home, CRYING, "--to", "joy")
    assert empty.exit_code == 1, empty.output
    assert "Traceback" not in empty.output
