from __future__ import annotations

from pathlib import Path

import pytest

from moodtune.config import load_settings
from moodtune.embed import EMBEDDERS
from moodtune.emotions import EXTRACTORS
from moodtune.errors import UnknownNameError
from moodtune.recommend import APPROACHES
from moodtune.registry import Registry


def test_register_get_and_names() -> None:
    reg: Registry[int] = Registry("number")

    @reg.register("one")
    def one() -> int:
        return 1

    reg.register("two", lambda: 2)
    assert reg.get("one") is one
    assert reg.names() == ["one", "two"]
    assert "two" in reg


def test_duplicate_name_raises() -> None:
    reg: Registry[int] = Registry("number")
    reg.register("x", 1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("x", 2)


def test_unknown_name_lists_available() -> None:
    with pytest.raises(UnknownNameError, match="Available: lyrics, emotions, refined, hybrid"):
        APPROACHES.get("nope")


def test_registries_hold_the_documented_names() -> None:
    assert APPROACHES.names() == ["lyrics", "emotions", "refined", "hybrid"]
    assert {"local", "lexicon", "llm"} <= set(EXTRACTORS.names())
    assert "minilm" in EMBEDDERS


@pytest.mark.parametrize("name", ["keyword", "lexicon", "local"])
def test_offline_extractors_score_a_sentence(name: str) -> None:
    extractor = EXTRACTORS.get(name)(load_settings())
    [profile] = extractor.extract(["I am so angry I could scream at them"])
    assert len(profile.scores) == 8
    assert extractor.name == name
    assert extractor.version


README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("name", EXTRACTORS.names())
def test_every_extractor_the_cli_offers_is_documented(name: str) -> None:
    # `--extractor` takes its choices from EXTRACTORS.names(): each needs a row in README's table.
    rows = [ln for ln in README.read_text(encoding="utf-8").splitlines() if ln.startswith("| `")]
    assert any(row.startswith(f"| `{name}`") for row in rows), name
