"""The `local` extractor with the real shipped weights: shapes, ranges, calibration, odd inputs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from moodtune.config import Settings
from moodtune.emotions import EXTRACTORS, PRESENT
from moodtune.emotions.base import SongReader, pool_stanzas
from moodtune.emotions.local import (
    META_FILE,
    METRICS_FILE,
    TERMS_FILE,
    LocalExtractor,
    TermMember,
    calibrate,
    load_weights_dir,
    song_profile,
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
    # Every shipped version's single test score is on record, the current one last.
    assert [h["version"] for h in metrics["test_history"]][-2:] == ["local-xed-v2", meta["version"]]
    assert metrics["test_history"][-1]["micro_f1"] == metrics["test"]["micro_f1"]


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


def test_anger_on_top_for_first_person_statement(extractor: LocalExtractor) -> None:
    # The product's acceptance sentence: v2 put sadness first; the terms member fixes it.
    (profile,) = extractor.extract(["I am so angry I could scream"])
    assert profile.dominant == "anger"
    assert profile["anger"] >= PRESENT


def test_shipped_model_uses_the_terms_member() -> None:
    weights = load_weights_dir()
    assert 0.0 < weights.terms_weight < 1.0
    assert (weights_dir() / TERMS_FILE).is_file()
    meta = json.loads((weights_dir() / META_FILE).read_text(encoding="utf-8"))
    assert meta["terms_weight"] == weights.terms_weight


@pytest.fixture(scope="module")
def terms() -> TermMember:
    return TermMember.load(weights_dir())


def _fired(member: TermMember, text: str) -> set[str]:
    return {e for e, v in zip(EMOTIONS, member.fires(text), strict=True) if v}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am so angry I could scream", {"anger"}),
        ("I'm FURIOUS with you", {"anger"}),
        ("I'm so happy and a little scared", {"joy", "fear"}),
        ("I can't wait for the weekend", {"anticipation"}),
        ("I can\u2019t believe it", {"surprise"}),
        ("You can always count on me", {"trust"}),
        ("I'm sick of this", {"disgust"}),
        ("She was crying all night", {"sadness"}),
        ("a perfectly ordinary sentence about the weather", set()),
        ("", set()),
    ],
)
def test_terms_fire(terms: TermMember, text: str, expected: set[str]) -> None:
    assert _fired(terms, text) == expected


@pytest.mark.parametrize(
    "text",
    ["I'm not happy", "I am not angry at all", "I don't trust him", "never really scared"],
)
def test_negated_terms_do_not_fire(terms: TermMember, text: str) -> None:
    assert _fired(terms, text) == set()


def test_negation_only_reaches_a_few_tokens_back(terms: TermMember) -> None:
    assert _fired(terms, "I'm not sure why, but today I am happy") == {"joy"}


def test_whole_words_and_exceptions(terms: TermMember) -> None:
    assert _fired(terms, "Let's play Angry Birds tonight") == set()
    assert _fired(terms, "the madness of madame sadie") == set()  # no substring matches
    assert _fired(terms, "Angry birds are fine but I'm angry") == {"anger"}


def test_terms_member_is_mixed_in_with_its_weight(
    extractor: LocalExtractor, terms: TermMember
) -> None:
    texts = ["I am so angry I could scream", "Get out of my house!"]
    learned = LocalExtractor(replace(extractor.weights, terms_weight=0.0)).probabilities(texts)
    w = extractor.weights.terms_weight
    expected = (1.0 - w) * learned + w * terms.probabilities(texts)
    assert np.allclose(extractor.probabilities(texts), expected, atol=1e-5)
    assert terms.probabilities(texts)[1].sum() == 0.0  # no term in the second line


def test_missing_terms_file_raises(tmp_path: Path) -> None:
    for f in weights_dir().iterdir():
        if f.name not in (TERMS_FILE, "encoder.safetensors"):
            (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "encoder.safetensors").symlink_to(weights_dir() / "encoder.safetensors")
    with pytest.raises(ExtractionError, match=TERMS_FILE):
        load_weights_dir(tmp_path)


def test_bad_lexicon_raises(tmp_path: Path) -> None:
    (tmp_path / TERMS_FILE).write_text(json.dumps({"terms": {"joy": ["happy"]}}), "utf-8")
    with pytest.raises(ExtractionError, match=TERMS_FILE):
        TermMember.load(tmp_path)


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


def test_shipped_model_reads_whole_songs(extractor: LocalExtractor) -> None:
    # The song head decides a song from its stanzas; the stanza profiles stay as extract() gives.
    head = extractor.weights.song_head
    assert head is not None
    assert head.weight.shape == (len(EMOTIONS), 384)
    assert isinstance(extractor, SongReader)
    stanzas = [
        "We buried him at sunrise on the hill above the ford,\nhis saddle on the cross,"
        " his mother's letter on the board.\nThe rain came down like sorrow, and"
        " nobody said a word.",
        "Oh the fiddle's in the kitchen and the boys are kicking high,\nthe cook has burned"
        " the biscuits and we're laughing till we cry.",
    ]
    songs = extractor.read_songs([stanzas[:1], stanzas[1:], []])
    assert [s.profile.dominant for s in songs[:2]] == ["sadness", "joy"]
    alone = extractor.extract(stanzas[:1])[0].scores
    assert songs[0].stanza_profiles[0].scores == pytest.approx(alone, abs=1e-5)
    assert songs[2].profile == EmotionProfile.zeros()  # a song without stanzas
    for song in songs[:2]:
        top = max(song.profile.scores)
        assert PRESENT <= top <= 1.0  # the top emotion is always present
        assert song.profile.scores.count(top) == 1


def test_song_profile_keeps_the_head_order_and_sets_presence_by_belief() -> None:
    scores = np.log(np.array([0.5, 0.3, 0.05, 0.05, 0.04, 0.02, 0.02, 0.02]))
    profile = song_profile(scores)
    assert profile.dominant == "joy"
    assert profile["joy"] == pytest.approx(0.75)  # 0.5 + 0.5 * belief in the top emotion
    assert profile["trust"] == pytest.approx(0.75 * 0.3 / 0.5)  # 0.45: not quite present
    assert [e for e, _ in profile.ranked()][:2] == ["joy", "trust"]
    assert song_profile(np.zeros(len(EMOTIONS))) == EmotionProfile.zeros()


def test_without_a_song_head_songs_are_pooled(extractor: LocalExtractor) -> None:
    plain = LocalExtractor(replace(extractor.weights, song_head=None))
    stanzas = ["I am so angry I could scream", "happy happy joy"]
    song = plain.read_songs([stanzas])[0]
    assert song.profile == pool_stanzas(plain.extract(stanzas))


def test_a_new_song_head_makes_a_new_analysis_version() -> None:
    # Stored song analyses are re-done when the version differs, so it must follow the head.
    weights = load_weights_dir()
    head = weights.song_head
    assert head is not None
    plain = LocalExtractor(replace(weights, song_head=None, multilingual=None))
    shipped = LocalExtractor(weights)
    other = LocalExtractor(replace(weights, song_head=replace(head, bonus=head.bonus + 0.1)))
    assert plain.version == weights.version
    assert shipped.version.startswith(f"{weights.version}+{head.version}-")
    assert len({plain.version, shipped.version, other.version}) == 3
    assert LocalExtractor(load_weights_dir()).version == shipped.version  # stable across loads


@pytest.mark.parametrize("block", [["x"], {"version": "v", "common_bonus": {"rage": 1.0}}])
def test_bad_song_head_raises(tmp_path: Path, block: object) -> None:
    for f in weights_dir().iterdir():
        if f.name != "encoder.safetensors":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "encoder.safetensors").symlink_to(weights_dir() / "encoder.safetensors")
    meta = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    meta["song_head"] = block
    (tmp_path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ExtractionError):
        load_weights_dir(tmp_path)
    del meta["song_head"]  # no song head is valid: songs are pooled from stanzas
    (tmp_path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    assert load_weights_dir(tmp_path).song_head is None
