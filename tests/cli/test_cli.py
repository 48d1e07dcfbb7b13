from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from moodtune.cli import cli
from moodtune.config import Settings
from moodtune.models import EMOTIONS


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args))


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in group.commands.items():
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out.extend(_commands(command, (*prefix, name)))
    return out


@pytest.mark.parametrize("path", _commands(cli))
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help


def test_recommend_json(demo_settings: Settings) -> None:
    result = run("recommend", "I miss my old friends", "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == 5
    for item in items:
        assert {
            "track_id",
            "title",
            "artist",
            "score",
            "approach",
            "matched_line",
            "emotions",
        } <= set(item)
        assert item["matched_line"]
        assert item["approach"] == "lyrics"


@pytest.mark.parametrize("approach", ["lyrics", "emotions", "refined", "hybrid"])
def test_recommend_each_approach_in_text(demo_settings: Settings, approach: str) -> None:
    result = run("recommend", "pumped for the match tonight", "--approach", approach, "-k", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1. ")
    assert "3. " in result.stdout


def test_blank_query_exits_2_without_traceback(demo_settings: Settings) -> None:
    result = run("recommend", "   ")
    assert result.exit_code == 2
    assert "empty" in result.output
    assert "Traceback" not in result.output


def test_bad_k_and_unknown_approach_exit_2(demo_settings: Settings) -> None:
    assert run("recommend", "rain", "-k", "0").exit_code == 2
    result = run("recommend", "rain", "--approach", "nope")
    assert result.exit_code == 2
    assert "lyrics" in result.output


def test_k_above_library_size_says_so(demo_settings: Settings) -> None:
    result = run("recommend", "rain", "-k", "100000", "--json")
    assert result.exit_code == 0
    assert "Only" in result.stderr
    assert len(json.loads(result.stdout)) > 5


def test_missing_library_exits_1_with_hint(empty_home: Path) -> None:
    result = run("recommend", "rain")
    assert result.exit_code == 1
    assert "moodtune ingest demo" in result.output


def test_info_json(demo_settings: Settings) -> None:
    result = run("info", "--json")
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert info["tracks"] >= 36
    assert info["version"]
    assert info["model"] == "minilm"
    assert info["extractor"] == "local"


def test_emotions_json_puts_anger_on_top(demo_settings: Settings) -> None:
    result = run("emotions", "I am so angry I could scream", "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert tuple(scores) == EMOTIONS
    assert max(scores, key=scores.get) == "anger"
    assert "refined words" in result.stderr


def test_reingest_keeps_count_and_adds_a_version(demo_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "copy"
    shutil.copytree(demo_home, home)
    before = json.loads(run("--home", str(home), "info", "--json").stdout)
    result = run("--home", str(home), "ingest", "demo")
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.stdout
    after = json.loads(run("--home", str(home), "info", "--json").stdout)
    assert after["tracks"] == before["tracks"]
    assert after["versions"] > before["versions"]
    assert after["version"] != before["version"]


def test_ingest_file_reports_bad_rows(empty_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "songs.csv"
    bad.write_text("title,artist,lyrics\nGood,Someone,la la\n,Nobody,\n", encoding="utf-8")
    result = run("ingest", "file", str(bad))
    assert result.exit_code == 2
    assert "Row 2" in result.output
