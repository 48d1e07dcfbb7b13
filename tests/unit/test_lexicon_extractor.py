from __future__ import annotations

import pytest

from moodtune.config import Settings
from moodtune.emotions import PRESENT, build_extractor
from moodtune.emotions.lexicon import LexiconExtractor, load_lexicon, tokenize
from moodtune.models import EMOTIONS, EmotionProfile


@pytest.fixture(scope="module")
def lexicon() -> LexiconExtractor:
    return LexiconExtractor()


def test_shipped_lexicon_is_read_without_any_corpus() -> None:
    words = load_lexicon()
    assert len(words) > 4000
    assert words["afraid"] == ("fear",)
    assert set(words["happy"]) == {"joy", "trust", "anticipation"}
    # 'positive'/'negative' are sentiments, not emotions
    assert all(set(tags) <= set(EMOTIONS) for tags in words.values())


def test_old_nrc_names_map_to_our_emotions() -> None:
    extractor = LexiconExtractor({"eager": ["anticip", "joy", "positive"]})
    assert extractor.lookup("eager") == ("joy", "anticipation")


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("I am so afraid", "fear"),
        ("pure rage", "anger"),
        ("I cry myself to sleep", "sadness"),
        ("waiting for tomorrow", "anticipation"),
        ("we laugh and smile", "joy"),
        ("I trust you", "trust"),
    ],
)
def test_known_words_trigger_their_emotion(
    lexicon: LexiconExtractor, text: str, emotion: str
) -> None:
    (profile,) = lexicon.extract([text])
    assert profile[emotion] >= PRESENT
    assert lexicon.explain(text)[emotion]


def test_unrelated_emotions_stay_absent(lexicon: LexiconExtractor) -> None:
    (profile,) = lexicon.extract(["I am so afraid"])
    assert profile["fear"] >= PRESENT
    for emotion in ("joy", "trust", "anticipation", "surprise"):
        assert profile[emotion] == 0.0


def test_suffix_rules_find_inflected_and_lyric_forms(lexicon: LexiconExtractor) -> None:
    assert "sadness" in lexicon.lookup("cried")
    assert "sadness" in lexicon.lookup("cryin'")
    assert "anger" in lexicon.lookup("screamed")
    assert "joy" in lexicon.lookup("loving")
    assert "joy" in lexicon.lookup("Laughing")
    assert lexicon.lookup("the") == ()


def test_words_tagged_with_nearly_every_emotion_are_ignored(lexicon: LexiconExtractor) -> None:
    (profile,) = lexicon.extract(["feeling"])
    assert profile == EmotionProfile.zeros()


def test_calibration_scales_with_length_and_stays_in_range(lexicon: LexiconExtractor) -> None:
    filler = " ".join(["the"] * 38)
    one_hit, two_hits = lexicon.extract([f"afraid {filler}", f"afraid terror {filler}"])
    # 39 tokens -> scale 4.9: one fear word is a hint, not "present"; 40 tokens -> scale 5
    assert one_hit["fear"] == pytest.approx(1 / 4.9)
    assert one_hit["fear"] < PRESENT
    assert two_hits["fear"] == pytest.approx(2 / 5.0)
    (saturated,) = lexicon.extract(["afraid terror panic fear dread"])
    assert saturated["fear"] == 1.0
    for profile in (one_hit, two_hits, saturated):
        assert all(0.0 <= s <= 1.0 for s in profile.scores)


def test_empty_and_wordless_texts_give_zeros(lexicon: LexiconExtractor) -> None:
    assert lexicon.extract(["", "   ", "123 !!"]) == [EmotionProfile.zeros()] * 3
    assert lexicon.extract([]) == []
    assert lexicon.explain("") == {e: [] for e in EMOTIONS}


def test_explain_lists_each_trigger_word_once_in_order(lexicon: LexiconExtractor) -> None:
    explained = lexicon.explain("Lonely nights, I cry and cry, afraid of the dark")
    assert list(explained) == list(EMOTIONS)
    assert explained["sadness"] == ["lonely", "cry", "dark"]
    assert explained["fear"] == ["lonely", "afraid"]
    assert explained["joy"] == []


def test_tokenize_keeps_contractions_and_dropped_g() -> None:
    assert tokenize("Don\u2019t stop cryin' now!") == ["don't", "stop", "cryin'", "now"]


def test_registry_builds_the_lexicon_extractor() -> None:
    extractor = build_extractor("lexicon", Settings())
    assert extractor.name == "lexicon"
    assert extractor.version.startswith("lexicon-")
    (profile,) = extractor.extract(["I am so afraid"])
    assert profile.dominant == "fear"
