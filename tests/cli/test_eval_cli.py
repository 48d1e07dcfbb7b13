from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from moodtune.cli import cli
from moodtune.config import Settings
from moodtune.feedback import FeedbackStore, Vote
from moodtune.recommend import APPROACHES
from tests.conftest import SHARED


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def tiny_xed(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.tsv"
    path.write_text(
        "text\tlabels\n"
        "I am so happy I could dance\tjoy\n"
        "scared of the dark and alone\tfear,sadness\n"
        "a plain sentence\tanger\n",
        encoding="utf-8",
    )
    return path


def test_eval_extract_prints_a_table(tiny_xed: Path) -> None:
    result = run("eval", "extract", "--extractor", "keyword", "--data", str(tiny_xed))
    assert result.exit_code == 0, result.output
    assert "keyword (keyword-v1)" in result.stdout
    assert "3 texts" in result.stdout
    lines = result.stdout.splitlines()
    assert any(line.startswith("| micro ") and "0.857" in line for line in lines)
    assert any(line.startswith("| joy ") and "1.000" in line for line in lines)


def test_eval_extract_json(tiny_xed: Path) -> None:
    result = run("eval", "extract", "--extractor", "keyword", "--data", str(tiny_xed), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["extractor"] == "keyword"
    assert data["scores"]["n"] == 3
    assert data["scores"]["micro_f1"] == pytest.approx(6 / 7)
    assert [row["label"] for row in data["scores"]["per_label"]][:2] == ["joy", "trust"]


def test_eval_extract_lexicon_runs_on_real_xed_lines(tmp_path: Path) -> None:
    head = (SHARED / "eval" / "xed_en_test.tsv").read_text(encoding="utf-8").splitlines()[:41]
    sample = tmp_path / "sample.tsv"
    sample.write_text("\n".join(head) + "\n", encoding="utf-8")
    result = run("eval", "extract", "--extractor", "lexicon", "--data", str(sample), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)["scores"]
    assert scores["n"] == 40
    assert 0.0 <= scores["macro_f1"] <= scores["micro_f1"] + 1.0


def test_eval_extract_bad_input_exits_2(tmp_path: Path, tiny_xed: Path) -> None:
    missing = run("eval", "extract", "--extractor", "keyword", "--data", str(tmp_path / "x.tsv"))
    assert missing.exit_code == 2
    assert "Cannot read" in missing.output
    assert "Traceback" not in missing.output
    bad = tmp_path / "bad.tsv"
    bad.write_text("text\tlabels\nhello\tglee\n", encoding="utf-8")
    result = run("eval", "extract", "--extractor", "keyword", "--data", str(bad))
    assert result.exit_code == 2
    assert "line 2: unknown emotion glee" in result.output
    unknown = run("eval", "extract", "--extractor", "nope", "--data", str(tiny_xed))
    assert unknown.exit_code == 2


def test_eval_recommend_json_on_the_demo_library(demo_settings: Settings) -> None:
    result = run("eval", "recommend", "--json", "--resamples", "300")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_queries"] >= 80
    assert data["skipped"] == []
    assert data["tracks"] == data["labelled_tracks"] == 162
    assert [a["approach"] for a in data["approaches"]] == APPROACHES.names()
    assert data["best"] in APPROACHES.names()
    for a in data["approaches"]:
        for metric in ("precision", "ndcg", "mrr"):
            m = a[metric]
            assert 0.0 <= m["low"] <= m["mean"] <= m["high"] <= 1.0
    assert len(data["per_query"]) == data["n_queries"] * len(APPROACHES.names())
    # Far better than chance: about 1 song in 6 carries a given first emotion.
    best = next(a for a in data["approaches"] if a["approach"] == data["best"])
    assert best["precision"]["mean"] > 0.3


def test_eval_recommend_takes_any_query_file(demo_settings: Settings, tmp_path: Path) -> None:
    queries = tmp_path / "mine.jsonl"
    queries.write_text(
        '{"id": "a", "query": "my dog ran off and I cannot stop crying", '
        '"emotions": ["sadness"]}\n'
        '{"id": "b", "query": "they lied to my face, I am livid", "emotions": ["anger"]}\n',
        encoding="utf-8",
    )
    result = run(
        "eval", "recommend", "--queries", str(queries), "--approach", "lyrics",
        "--approach", "hybrid", "-k", "5", "--resamples", "100",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"2 queries from {queries} on 162 tracks" in result.stdout
    assert "| approach " in result.stdout
    assert "| random order " in result.stdout
    assert "nDCG@5" in result.stdout
    assert "| lyrics " in result.stdout
    assert "| emotions " not in result.stdout
    assert "ranks best by nDCG@5" in result.stdout
    assert "over 2 queries;" in result.stdout
    # Two queries prove little, and the command says so under its verdicts.
    assert "Only 2 queries were scored" in result.stdout


def test_eval_recommend_bad_queries_exit_2(demo_settings: Settings, tmp_path: Path) -> None:
    queries = tmp_path / "bad.jsonl"
    queries.write_text('{"query": "fine", "emotions": ["glee"]}\n', encoding="utf-8")
    result = run("eval", "recommend", "--queries", str(queries))
    assert result.exit_code == 2
    assert "unknown emotion glee" in result.output
    assert "Traceback" not in result.output


def test_eval_recommend_without_a_library_exits_1(empty_home: Path) -> None:
    result = run("eval", "recommend")
    assert result.exit_code == 1
    assert "No MoodTune library" in result.output


def test_eval_feedback_without_votes_creates_nothing(empty_home: Path) -> None:
    result = run("eval", "feedback")
    assert result.exit_code == 0, result.output
    assert "0 votes" in result.stdout
    assert "No votes yet" in result.stdout
    assert not (empty_home / "feedback.db").exists()


def test_eval_feedback_counts_votes(empty_home: Path) -> None:
    votes = FeedbackStore(empty_home / "feedback.db")
    for i, up in enumerate([True, True, False]):
        votes.record(Vote("s", "rainy day", "lyrics", i + 1, f"t{i}", up))
    votes.record(Vote("s", "rainy day", "hybrid", 1, "t0", True))
    text = run("eval", "feedback")
    assert text.exit_code == 0, text.output
    assert "4 votes" in text.stdout
    assert "| lyrics   |    0.667 | [0.208, 0.939] |  2 |    1 |     3 |" in text.stdout
    data = json.loads(run("eval", "feedback", "--json").stdout)
    rows = {r["approach"]: r for r in data["rows"]}
    assert rows["hybrid"]["share_up"] == 1.0
    assert rows["emotions"]["total"] == 0
    assert rows["emotions"]["share_up"] is None


SONGS = Path(__file__).resolve().parents[1] / "data" / "songs_labelled.jsonl"


def test_eval_songs_scores_a_hand_made_file_without_touching_the_library(
    empty_home: Path,
) -> None:
    result = run("eval", "songs", "--data", str(SONGS), "--extractor", "keyword", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 5  # the unlabelled song is left out
    assert data["extractor"] == "keyword"
    # Kitchen Floor, Empty Chair and Plain Words (a tie goes to joy) agree; Night Road has
    # anger second after fear; Platform Four reads as anticipation.
    assert data["top1"]["mean"] == pytest.approx(3 / 5)
    assert data["top2"]["mean"] == pytest.approx(4 / 5)
    assert data["macro_f1"]["mean"] == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert data["unreachable"] == ["anger"]
    by_title = {s["title"]: s for s in data["songs"]}
    assert by_title["Platform Four"]["predicted"] == "anticipation"
    assert by_title["Night Road"]["second"] == "anger"
    assert not empty_home.exists()  # a scratch library, never the user's


def test_eval_songs_prints_tables(empty_home: Path) -> None:
    result = run("eval", "songs", "--data", str(SONGS), "--extractor", "keyword")
    assert result.exit_code == 0, result.output
    assert "5 labelled songs" in result.stdout
    assert "always joy" in result.stdout
    assert "| main emotion |" in result.stdout
    assert "Never recalled as a song's strongest emotion: anger." in result.stdout


def test_eval_songs_needs_labels(tmp_path: Path, empty_home: Path) -> None:
    path = tmp_path / "plain.jsonl"
    path.write_text('{"title": "a", "artist": "b", "lyrics": "happy dance"}\n', encoding="utf-8")
    result = run("eval", "songs", "--data", str(path), "--extractor", "keyword")
    assert result.exit_code == 2
    assert "emotions" in result.output


def test_eval_songs_missing_file_is_bad_input(empty_home: Path) -> None:
    result = run("eval", "songs", "--data", "/nonexistent/songs.jsonl")
    assert result.exit_code == 2
    assert "does not exist" in result.output
