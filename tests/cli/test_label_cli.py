"""`moodtune label`, `--undo`, corrections in `info`, `eval songs --library`, and `export` with
`ingest file --as-corrections`, on private copies of the demo library."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from moodtune.cli import cli
from moodtune.config import load_settings
from moodtune.store import Store

TRACK = "Windows Down on Route 9"


def run(home: Path, *args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, ["--home", str(home), *args])


@pytest.fixture
def home(demo_home: Path, tmp_path: Path) -> Path:
    target = tmp_path / "home"
    shutil.copytree(demo_home, target, ignore=shutil.ignore_patterns("*.db*"))
    return target


def test_label_by_title_undo_and_info(home: Path) -> None:
    result = run(home, "label", TRACK, "joy", "trust", "--who", "ana")
    assert result.exit_code == 0, result.output
    assert f"{TRACK} — The Marigold Ferries (demo-001): joy + trust" in result.stdout
    assert run(home, "label", "demo-001", "Sadness").exit_code == 0  # by id, any case

    info = json.loads(run(home, "info", "--json").stdout)
    assert [(c["track_id"], c["main"], c["second"]) for c in info["corrections"]] == [
        ("demo-001", "sadness", None)
    ]
    text = run(home, "info").stdout
    assert "corrections  1" in text
    assert f"demo-001  {TRACK} — The Marigold Ferries: sadness" in text

    undone = run(home, "label", "--undo", TRACK)
    assert undone.exit_code == 0, undone.output
    assert "now joy + trust" in undone.stdout
    assert "back to the model's emotions" in run(home, "label", "--undo", TRACK).stdout
    again = run(home, "label", "--undo", TRACK)
    assert again.exit_code == 1
    assert "No correction to undo" in again.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("label", TRACK, "happy"), 2, "Unknown emotion 'happy'"),
        (("label", TRACK, "joy", "joy"), 2, "must differ"),
        (("label", TRACK), 2, "Name the emotion"),
        (("label", "No Such Song Anywhere", "joy"), 1, "No track with the id or title"),
        (("label", "--undo", TRACK, "joy"), 2, "--undo takes only the track"),
    ],
)
def test_label_bad_input_is_a_clear_message(
    home: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result = run(home, *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert (
        not (home / "corrections.db").exists()
        or not json.loads(run(home, "info", "--json").stdout)["corrections"]
    )


def test_an_ambiguous_title_lists_the_matches(home: Path) -> None:
    index = Store(load_settings(home=str(home)).library_url, read_only=True).index()
    word = "the"
    matches = [t for t in index.titles if word in t.casefold()]
    assert len(matches) > 1
    result = run(home, "label", word, "joy")
    assert result.exit_code == 2
    assert f"{len(matches)} tracks match 'the'" in result.output
    assert "Use the id." in result.output


def test_recommend_says_whose_emotions_a_result_carries(home: Path) -> None:
    run(home, "label", TRACK, "sadness")
    result = run(home, "recommend", "grief and tears, my heart is broken", "--approach",
                 "emotions", "-k", "40", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    by = {r["track_id"]: r["emotions_by"] for r in json.loads(result.stdout)}
    assert by.get("demo-001") == "listener"
    assert set(by.values()) == {"model", "listener"}


def test_twenty_corrections_then_eval_songs_on_the_uncorrected_tracks(home: Path) -> None:
    """The issue's check: a listener (the catalogue's own labels) corrects 20 random tracks;
    `eval songs --library` judges the other labelled tracks before and after."""
    index = Store(load_settings(home=str(home)).library_url, read_only=True).index()
    rows = random.Random(20).sample([r for r in range(len(index)) if index.labels[r]], 20)
    for r in rows:
        assert run(home, "label", index.track_ids[r], index.labels[r][0]).exit_code == 0
    result = run(home, "eval", "songs", "--library", "--resamples", "200", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    labelled = sum(1 for labels in index.labels if labels)
    assert report["corrections"] == 20
    assert report["before"]["n"] == report["after"]["n"] == labelled - 20
    judged = {s["track_id"] for s in report["after"]["songs"]}
    assert judged.isdisjoint(index.track_ids[r] for r in rows)
    calibration = report["calibration"]
    assert calibration["corrections"] == 20
    assert calibration["loo_before"] is not None
    # It is on exactly when it did no worse than the model on the held-out corrections.
    assert calibration["active"] == (calibration["loo_after"] >= calibration["loo_before"])
    if not calibration["active"]:
        assert report["after"]["top1"] == report["before"]["top1"]

    text = run(home, "eval", "songs", "--library", "--resamples", "200")
    assert "20 corrections in force" in text.stdout
    assert "Calibration: " in text.stdout
    assert "model alone" in text.stdout
    everything = run(home, "eval", "songs", "--library", "--all-tracks", "--json", "--resamples",
                     "50")  # fmt: skip
    assert json.loads(everything.stdout)["after"]["n"] == labelled


def test_eval_songs_needs_exactly_one_source(home: Path) -> None:
    result = run(home, "eval", "songs")
    assert result.exit_code == 2
    assert "Give either --data FILE or --library" in result.output


def test_export_then_import_as_corrections_restores_them(home: Path, tmp_path: Path) -> None:
    run(home, "label", TRACK, "sadness", "fear")
    target = tmp_path / "library.csv"
    result = run(home, "export", str(target))
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(Store(load_settings(home=str(home)).library_url).index())
    exported = next(r for r in rows if r["id"] == "demo-001")
    assert exported["emotions"] == "sadness,fear"
    assert exported["lyrics"].strip()
    other = next(r for r in rows if r["id"] != "demo-001")
    assert other["emotions"]  # the catalogue's labels for uncorrected tracks

    fresh = tmp_path / "fresh"
    only = tmp_path / "two.jsonl"
    assert run(home, "export", str(only)).exit_code == 0
    lines = only.read_text(encoding="utf-8").splitlines()[:2]
    only.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = run(fresh, "ingest", "file", str(only), "--as-corrections", "--extractor", "lexicon")
    assert imported.exit_code == 0, imported.output
    assert "2 corrections recorded" in imported.stdout
    info = json.loads(run(fresh, "info", "--json").stdout)
    restored = {c["track_id"]: (c["main"], c["second"]) for c in info["corrections"]}
    assert restored["demo-001"] == ("sadness", "fear")
    assert all(c["who"] == "import of two.jsonl" for c in info["corrections"])


def test_export_refuses_an_unknown_format(home: Path, tmp_path: Path) -> None:
    result = run(home, "export", str(tmp_path / "library.xlsx"))
    assert result.exit_code == 2
    assert "Export to a .csv or .jsonl file" in result.output


def test_eval_songs_on_an_unlabelled_library_says_what_the_calibration_does(home: Path) -> None:
    """A playlist from Spotify carries no labels: nothing is judged, but the owner still sees
    whether the corrections' calibration is on and how many tracks it moves."""
    store = Store(load_settings(home=str(home)).library_url)
    index = store.index()
    for r in range(len(index)):
        store.ds["labels"][r] = ""
    store.commit("forget the catalogue's labels")
    for r in random.Random(5).sample(range(len(index)), 15):
        assert run(home, "label", index.track_ids[r], index.labels[r][0]).exit_code == 0

    text = run(home, "eval", "songs", "--library")
    assert text.exit_code == 0, text.output
    assert "No track of this library has labels, so nothing is judged" in text.stdout
    data = json.loads(run(home, "eval", "songs", "--library", "--json").stdout)
    assert data["corrections"] == 15
    assert data["calibration"]["learnable"] == 15
    if data["calibration"]["active"]:
        assert data["effect"]["calibrated"] == len(index) - 15
        assert "It adjusts 147 uncorrected tracks" in text.stdout
    else:
        assert data["effect"] == {"calibrated": 0, "changed": 0}
