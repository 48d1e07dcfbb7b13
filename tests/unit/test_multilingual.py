"""The multilingual path: language routing, the e5 embedder, the shipped multilingual heads."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from moodtune.cli import cli
from moodtune.config import Settings
from moodtune.embed import get_embedder
from moodtune.emotions import PRESENT
from moodtune.emotions.local import LocalExtractor, TermMember, load_weights_dir, weights_dir
from moodtune.emotions.multilingual import ML_TERMS_FILE, unicode_tokens
from moodtune.lang import is_english
from moodtune.models import EMOTIONS

ANGRY = {
    "es": "estoy tan enojado que podría gritar",
    "de": "ich bin so wütend, ich könnte schreien",
    "fr": "je suis tellement en colère que je pourrais crier",
    "pt": "estou com tanta raiva que poderia gritar",
}


@pytest.fixture(scope="module")
def extractor() -> LocalExtractor:
    return LocalExtractor.from_settings(Settings())


@pytest.mark.parametrize("text", list(ANGRY.values()))
def test_other_languages_are_detected(text: str) -> None:
    assert not is_english(text)


@pytest.mark.parametrize(
    "text",
    ["I am so angry I could scream", "lonely after the breakup", "pumped for the match", "joy", ""],
)
def test_english_stays_english(text: str) -> None:
    assert is_english(text)


def test_e5_vectors_cross_languages() -> None:
    e5 = get_embedder("e5")
    v = e5.embed(["I feel so sad today", "me siento tan triste hoy", "what a great party"])
    assert v.shape == (3, 384)
    assert v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]  # the Spanish sad sentence is nearer than English joy
    assert np.array_equal(e5.embed(["me siento tan triste hoy"])[0], v[1])  # cached, identical


def test_shipped_weights_have_the_multilingual_heads() -> None:
    ml = load_weights_dir().multilingual
    assert ml is not None
    assert ml.weight.shape == (len(EMOTIONS), 384)
    assert ml.song_head.weight.shape == (len(EMOTIONS), 384)
    assert np.all((ml.thresholds > 0) & (ml.thresholds < 1))
    assert (weights_dir() / ML_TERMS_FILE).is_file()


@pytest.mark.parametrize("lang", list(ANGRY))
def test_anger_on_top_in_other_languages(extractor: LocalExtractor, lang: str) -> None:
    (profile,) = extractor.extract([ANGRY[lang]])
    assert profile.dominant == "anger"
    assert profile["anger"] >= PRESENT


@pytest.mark.parametrize("lang", list(ANGRY))
def test_cli_emotions_puts_anger_on_top(lang: str) -> None:
    result = CliRunner().invoke(cli, ["emotions", ANGRY[lang], "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert max(scores, key=scores.get) == "anger"


def test_english_path_is_unchanged(extractor: LocalExtractor) -> None:
    english_only = LocalExtractor(replace(extractor.weights, multilingual=None))
    texts = ["I am so angry I could scream", "what a lovely day", "estoy tan triste que lloro"]
    routed = extractor.extract(texts)
    plain = english_only.extract(texts)
    assert routed[:2] == plain[:2]  # English texts: the very same scores
    assert routed[2] != plain[2]  # Spanish: the multilingual path
    assert routed[2].dominant == "sadness"


def test_songs_take_their_language_path(extractor: LocalExtractor) -> None:
    english = ["We buried him at sunrise on the hill,\nthe rain came down like sorrow."]
    spanish = [
        "Lloro sola en mi cuarto, te fuiste sin decir adiós,\nla casa está vacía y triste.",
        "Extraño tus manos, extraño tu voz,\nmi corazón roto no deja de llorar.",
    ]
    songs = extractor.read_songs([english, spanish, []])
    english_only = LocalExtractor(replace(extractor.weights, multilingual=None))
    alone = english_only.read_songs([english])[0]
    assert songs[0] == alone
    assert songs[0].state is not None
    assert alone.state is not None
    assert np.allclose(songs[0].state, alone.state)
    assert songs[1].profile.dominant == "sadness"
    assert len(songs[1].stanza_profiles) == 2
    assert songs[1].state is None  # the multilingual path stores no song state
    assert max(songs[2].profile.scores) == 0.0


def test_the_multilingual_heads_are_part_of_the_analysis_version() -> None:
    weights = load_weights_dir()
    assert weights.multilingual is not None
    shipped = LocalExtractor(weights).version
    english_only = LocalExtractor(replace(weights, multilingual=None)).version
    assert shipped.startswith(english_only + "+" + weights.multilingual.version + "-")


def test_unicode_tokens_and_multilingual_terms() -> None:
    assert unicode_tokens("Ich bin so WÜTEND, l\u2019orage!") == [
        "ich",
        "bin",
        "so",
        "wütend",
        "l'orage",
    ]
    terms = TermMember.load(weights_dir(), ML_TERMS_FILE, unicode_tokens)
    anger = EMOTIONS.index("anger")
    assert terms.fires("ich bin so wütend")[anger] == 1.0
    assert terms.fires("je suis en colère")[anger] == 1.0
    assert terms.fires("je ne suis pas en colère")[anger] == 0.0  # negated
    assert terms.fires("no estoy enojado")[anger] == 0.0


def test_the_score_map_brings_absent_scores_to_the_english_scale_and_keeps_present_ones() -> None:
    from moodtune.emotions.multilingual import fit_score_map, map_scores

    rng = np.random.default_rng(0)
    mixed = np.clip(rng.normal(0.35, 0.08, size=(2000, len(EMOTIONS))), 0, 1)  # a high floor
    english = np.clip(rng.beta(1.2, 5.0, size=(2000, len(EMOTIONS))), 0, 1)  # mostly low
    score_map = fit_score_map(mixed, english)
    assert score_map.shape == (2, len(EMOTIONS), 41)
    assert np.all(np.diff(score_map, axis=2) >= 0)
    scores = np.array([[0.30, 0.35, 0.40, 0.45, 0.49, 0.50, 0.70, 0.95]])
    out = map_scores(scores, score_map)
    assert np.all(out[0, :4] < scores[0, :4])  # the floor comes down ...
    assert np.all(np.diff(out[0, :5]) >= 0)  # ... keeping the order
    assert np.all(out[0, :5] < PRESENT)  # an absent emotion stays absent
    assert np.array_equal(out[0, 5:], scores[0, 5:])  # a present one is untouched
    assert map_scores(scores, None) is scores


def test_the_shipped_score_map_lowers_the_floor_of_a_feeling_in_another_language(
    extractor: LocalExtractor,
) -> None:
    weights = extractor.weights.multilingual
    assert weights is not None
    assert weights.score_map is not None
    unmapped = LocalExtractor(
        replace(extractor.weights, multilingual=replace(weights, score_map=None))
    )
    text = "estoy tan triste que no puedo dejar de llorar"
    before, after = unmapped.extract([text])[0].scores, extractor.extract([text])[0].scores
    absent = [j for j, s in enumerate(before) if s < PRESENT]
    assert absent
    assert all(after[j] <= before[j] for j in absent)
    assert np.mean([after[j] for j in absent]) < np.mean([before[j] for j in absent]) - 0.05
    assert [s >= PRESENT for s in after] == [s >= PRESENT for s in before]


@pytest.mark.parametrize(
    "raw",
    [
        "not a map",
        {"from": [[0.0, 1.0]] * 7, "to": [[0.0, 1.0]] * 7},
        {"from": [[1.0, 0.0]] * 8, "to": [[0.0, 1.0]] * 8},
    ],
)
def test_a_broken_score_map_is_refused(tmp_path: object, raw: object) -> None:
    import shutil
    from pathlib import Path

    from moodtune.emotions.multilingual import ML_META_FILE, load_multilingual
    from moodtune.errors import ExtractionError

    root = Path(str(tmp_path)) / "weights"
    shutil.copytree(weights_dir(), root)
    meta = json.loads((root / ML_META_FILE).read_text(encoding="utf-8"))
    meta["score_map"] = raw
    (root / ML_META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ExtractionError):
        load_multilingual(root)
