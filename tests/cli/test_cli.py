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
        assert item["approach"] == "hybrid"  # the app's default too


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


# -- bad input (issue 14) ----------------------------------------------------------------------


def test_damaged_library_gives_a_message_and_a_way_out(damaged_home: Path) -> None:
    library = damaged_home / "library"
    for args in (("info",), ("recommend", "rain on the window")):
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert str(library) in result.output
        assert "moodtune library check" in result.output
    check = run("library", "check")
    assert check.exit_code == 1
    assert "Damaged versions" in check.output
    version = check.output.split("moodtune library restore ")[1].split("`")[0]
    restored = run("library", "restore", version)
    assert restored.exit_code == 0, restored.output
    assert f"version {version}" in restored.output
    info = json.loads(run("info", "--json").stdout)
    assert (info["tracks"], info["version"]) == (2, version)
    assert run("library", "check").exit_code == 0
    assert run("library", "restore", "no-such-version").exit_code == 2


def test_control_sequences_in_imported_text_never_reach_the_terminal(
    empty_home: Path, tmp_path: Path
) -> None:
    rows = [
        {
            "title": "Clear\x1b[2J\x1b]0;owned\x07 Skies",
            "artist": "\x1b[31mRed\x1b[0m Band",
            "lyrics": "I cry alone\x1b[5m tonight\n\nsad tears\x9b2J falling",
        },
        {"title": "Sunny", "artist": "Plain", "lyrics": "happy dance\n\nsunshine laugh"},
    ]
    path = tmp_path / "escapes.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    ingested = run("ingest", "file", str(path), "--extractor", "keyword")
    assert ingested.exit_code == 0, ingested.output
    for args in (("recommend", "sad tears", "-k", "2"), ("recommend", "sad", "--json")):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert not any(ch in result.output for ch in "\x1b\x07\x9b"), repr(result.output)
        assert "Red Band" in result.output
        assert "Clear Skies" in result.output


def test_read_only_home_fails_before_any_work(read_only_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "songs.csv"
    path.write_text('title,artist,lyrics\nRain,Someone,"sad tears\n\nagain"\n', encoding="utf-8")
    result = run("ingest", "file", str(path), "--extractor", "keyword")
    assert result.exit_code == 1
    assert "cannot be written" in result.output
    assert "nothing was ingested" in result.output
    assert str(read_only_home / "library") in result.output


@pytest.mark.parametrize("command", ["recommend", "emotions"])
def test_a_query_over_the_limit_is_refused_like_the_app(
    demo_settings: Settings, command: str
) -> None:
    from moodtune.errors import InputError
    from moodtune.ui.actions import check_query

    huge = "so tired of waiting " * 1000
    with pytest.raises(InputError) as app_refusal:
        check_query(huge)
    result = run(command, huge)
    assert result.exit_code == 2
    assert str(app_refusal.value) in " ".join(result.output.split())
    assert "19,999 characters long" in str(app_refusal.value)


def test_emoji_carry_their_feeling(demo_settings: Settings) -> None:
    result = run("emotions", "😭💔😢", "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert max(scores, key=scores.get) == "sadness"


def test_model_loading_prints_no_bar(demo_settings: Settings) -> None:
    from moodtune.embed import get_embedder

    # A fresh process-wide embedder, so this command loads the model as a new process would.
    get_embedder.cache_clear()
    result = run("emotions", "I am so angry I could scream")
    assert result.exit_code == 0, result.output
    assert "Loading weights" not in result.stderr
    assert result.stderr == ""
