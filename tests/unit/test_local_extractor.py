"""The `local` extractor with the real shipped weights: shapes, ranges, calibration, odd inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from moodtune.config import Settings
from moodtune.emotions import EXTRACTORS, PRESENT
from moodtune.emotions.local import (
    META_FILE,
    METRICS_FILE,
    LocalExtractor,
    calibrate,
    load_weights_dir,
    weights_dir,
)
from moodtune.errors import ExtractionError
from moodtune.models import EMOTIONS, EmotionProfile


@pytest.fixture(scope="module")
def extractor() -> LocalExtractor:
    return LocalExtractor.from_settings(Settings())


def test_registry_builds_local() -> None:
    built = EXTRACTORS.get("local")(Settings())
    assert isinstance(built, LocalExtractor)
    assert built.name == "local"
    assert built.version.startswith("local-xed")


def test_shipped_weights_are_small_and_complete() -> None:
    root = weights_dir()
    size_mb = sum(f.stat().st_size for f in root.iterdir() if f.is_file()) / 1e6
    assert size_mb <= 50
    weights = load_weights_dir()
    assert weights.thresholds.shape == (len(EMOTIONS),)
    assert np.all((weights.thresholds > 0) & (weights.thresholds < 1))
    assert weights.lr_weight.shape == (len(EMOTIONS), 384)
    meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
    assert meta["emotions"] == list(EMOTIONS)
    metrics = json.loads((root / METRICS_FILE).read_text(encoding="utf-8"))
    for split in ("dev", "test"):
        assert set(metrics[split]["per_emotion"]) == set(EMOTIONS)
        assert 0 < metrics[split]["micro_f1"] <= 1


def test_calibration_maps_threshold_to_present() -> None:
    thresholds = np.array([0.2, 0.5, 0.7, 0.35, 0.6, 0.45, 0.3, 0.8])
    at = calibrate(thresholds[None, :], thresholds)
    assert np.allclose(at, PRESENT)
    assert np.allclose(calibrate(np.zeros((1, 8)), thresholds), 0.0)
    assert np.allclose(calibrate(np.ones((1, 8)), thresholds), 1.0)
    # 0.5 * p / t below the threshold, 0.5 + 0.5 * (p - t) / (1 - t) above it.
    assert calibrate(np.array([[0.1]]), np.array([0.2]))[0, 0] == pytest.approx(0.25)
    assert calibrate(np.array([[0.6]]), np.array([0.2]))[0, 0] == pytest.approx(0.75)


def test_calibration_keeps_the_tuned_decision() -> None:
    rng = np.random.default_rng(0)
    probs = rng.random((200, 8))
    thresholds = rng.uniform(0.1, 0.9, 8)
    scores = calibrate(probs, thresholds)
    assert np.array_equal(scores >= PRESENT, probs >= thresholds)


def test_extract_shapes_and_ranges(extractor: LocalExtractor) -> None:
    texts = ["I love you so much", "Get out of my house!", "What? No way!"]
    profiles = extractor.extract(texts)
    assert len(profiles) == 3
    for profile in profiles:
        assert isinstance(profile, EmotionProfile)
        assert len(profile.scores) == len(EMOTIONS)
        assert all(0.0 <= s <= 1.0 for s in profile.scores)


def test_extract_empty_batch(extractor: LocalExtractor) -> None:
    assert extractor.extract([]) == []


@pytest.mark.parametrize("text", ["I hate you! Get out of my house!", "You make me so mad!"])
def test_anger_on_top(extractor: LocalExtractor, text: str) -> None:
    (profile,) = extractor.extract([text])
    assert profile.dominant == "anger"
    assert profile["anger"] >= PRESENT


@pytest.mark.xfail(
    strict=True,
    reason="XED annotators mostly labelled first-person 'I am angry' lines sadness/fear; the "
    "model follows them (sadness, fear, then anger). Strict: a model that fixes it must drop this.",
)
def test_anger_on_top_for_first_person_statement(extractor: LocalExtractor) -> None:
    (profile,) = extractor.extract(["I am so angry I could scream"])
    assert profile.dominant == "anger"


def test_joy_on_top(extractor: LocalExtractor) -> None:
    (profile,) = extractor.extract(["What a wonderful day, I'm so happy and everyone is laughing!"])
    assert profile.dominant == "joy"
    assert profile["joy"] >= PRESENT


def test_batch_matches_single(extractor: LocalExtractor) -> None:
    texts = ["I'm scared of the dark", "Thank you, my friend, I trust you"]
    batched = extractor.extract(texts)
    single = [extractor.extract([t])[0] for t in texts]
    for a, b in zip(batched, single, strict=True):
        assert np.allclose(a.scores, b.scores, atol=1e-4)


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "😀🔥💔🎶", "Je t'aime, mon amour, pour toujours", "愛してる", "[PERSON] !!!"],
)
def test_odd_inputs_give_valid_profiles(extractor: LocalExtractor, text: str) -> None:
    (profile,) = extractor.extract([text])
    assert len(profile.scores) == len(EMOTIONS)
    assert all(0.0 <= s <= 1.0 for s in profile.scores)


def test_huge_input_is_truncated(extractor: LocalExtractor) -> None:
    huge = "You make me so mad! " * 5000
    (profile,) = extractor.extract([huge])
    assert all(0.0 <= s <= 1.0 for s in profile.scores)
    assert profile.dominant == "anger"


def test_missing_weights_raise_extraction_error(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="missing"):
        load_weights_dir(tmp_path)
    (tmp_path / META_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(ExtractionError):
        load_weights_dir(tmp_path)


def test_blank_text_has_no_emotion_present(extractor: LocalExtractor) -> None:
    for profile in extractor.extract(["", "   \n "]):
        assert all(s < PRESENT for s in profile.scores)
