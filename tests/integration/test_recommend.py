from __future__ import annotations

import pytest

from moodtune.config import Settings
from moodtune.errors import InputError
from moodtune.models import RecommendFilters
from moodtune.recommend import APPROACHES, Recommender


@pytest.mark.parametrize("approach", APPROACHES.names())
def test_every_approach_answers_with_explanations(recommender: Recommender, approach: str) -> None:
    results = recommender.recommend("I miss my old friends", approach, k=5)
    assert len(results) == 5
    assert [r.rank for r in results] == [1, 2, 3, 4, 5]
    assert all(r.approach == approach for r in results)
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    assert len({r.track_id for r in results}) == 5
    for r in results:
        assert r.matched_line
        assert r.matched_emotions
        lyrics = recommender.store.track_text(recommender.store.rows()[r.track_id]).lyrics
        assert r.matched_line in lyrics


def test_lyrics_approach_finds_a_literal_match(recommender: Recommender) -> None:
    index = recommender.store.index()
    row = 7
    text = recommender.store.track_text(row)
    line = max(text.lines, key=len)
    [top] = recommender.recommend(line, "lyrics", k=1)
    assert top.track_id == index.track_ids[row]
    assert top.matched_line == line


def test_emotion_approaches_follow_the_query_feeling(recommender: Recommender) -> None:
    query = "I am furious with my landlord"
    profile = recommender.context(query).profile
    assert profile.dominant == "anger"
    carried = {e for e, score in profile.as_dict().items() if score >= 0.5}  # anger, disgust
    for approach in ("emotions", "refined"):
        results = recommender.recommend(query, approach, k=5)
        # Song profiles are whole-song decisions: a song may be mostly disgust with anger in it,
        # and a disgust song may follow, disgust being the query's second feeling.
        assert results[0].matched_emotions[0].emotion == "anger"
        assert all(r.matched_emotions[0].emotion in carried for r in results)
        with_anger = [r for r in results if any(m.emotion == "anger" for m in r.matched_emotions)]
        assert len(with_anger) >= 4, [r.title for r in results]


def test_k_is_validated_and_capped(recommender: Recommender) -> None:
    with pytest.raises(InputError, match="at least 1"):
        recommender.recommend("rain", "lyrics", k=0)
    everything = recommender.recommend("rain", "lyrics", k=10_000)
    assert len(everything) == len(recommender.store)


@pytest.mark.parametrize(
    "query", ["ab " * 3000, "la pluie sur la ville, je suis seul", "🥀💔😭", "雨の日"]
)
def test_odd_queries_work(recommender: Recommender, query: str) -> None:
    assert len(recommender.recommend(query, "hybrid", k=3)) == 3


def test_blank_query_is_input_error(recommender: Recommender) -> None:
    with pytest.raises(InputError, match="empty"):
        recommender.recommend("   ", "lyrics")


def test_filters_narrow_candidates(recommender: Recommender) -> None:
    artist = recommender.store.index().artists[0]
    results = recommender.recommend(
        "dance", "lyrics", k=50, filters=RecommendFilters(artists=[artist])
    )
    assert results
    assert {r.artist for r in results} == {artist}
    sad = recommender.recommend(
        "dance", "emotions", k=50, filters=RecommendFilters(emotions=["sadness"])
    )
    dominant = dict(
        zip(recommender.store.index().track_ids, recommender.store.index().dominant, strict=True)
    )
    assert {dominant[r.track_id] for r in sad} <= {"sadness"}
    with pytest.raises(InputError, match="Unknown emotion"):
        recommender.recommend("x", "lyrics", filters=RecommendFilters(emotions=["happiness"]))


def test_hybrid_feedback_nudges_ranking(recommender: Recommender, demo_settings: Settings) -> None:
    base = recommender.recommend("a quiet evening at home", "hybrid", k=10)
    boosted_id = base[-1].track_id
    nudged = Recommender(
        recommender.store,
        recommender.embedder,
        recommender.extractor,
        net_votes=lambda: {boosted_id: 5},
    ).recommend("a quiet evening at home", "hybrid", k=10)
    assert [r.track_id for r in nudged].index(boosted_id) < 9


def test_votes_are_read_only_by_the_hybrid(recommender: Recommender) -> None:
    calls: list[int] = []

    def votes() -> dict[str, int]:
        calls.append(1)
        return {}

    engine = Recommender(recommender.store, recommender.embedder, recommender.extractor, votes)
    engine.recommend("rain on the window", "lyrics", k=3)
    engine.recommend("rain on the window", "refined", k=3)
    assert calls == []
    engine.recommend("rain on the window", "hybrid", k=3)
    assert calls == [1]


def test_every_approach_gives_one_comparable_match_figure(recommender: Recommender) -> None:
    n = len(recommender.store.index())
    by_approach = {
        a: recommender.recommend("I miss my old friends", a, k=n) for a in APPROACHES.names()
    }
    for approach, results in by_approach.items():
        matches = [r.match for r in results]
        assert matches == sorted(matches, reverse=True), approach
        # The best song outranks every other one and the last none, whatever the raw scale.
        assert (matches[0], matches[-1]) == (1.0, 0.0), approach
        assert all(0.0 <= m <= 1.0 for m in matches)
    # The raw scores stay each approach's own: hybrid's fusion score is far below a cosine.
    assert by_approach["hybrid"][0].score < 0.05 < by_approach["lyrics"][0].score


def test_hybrid_leaves_out_word_ranks_it_cannot_read(recommender: Recommender) -> None:
    """MiniLM does not cross languages: for a feeling in Spanish the hybrid fuses the two
    emotion rankings instead of lyrics (noise) with refined; an English feeling keeps lyrics."""
    import numpy as np

    from moodtune.recommend import _fused, rank_emotions, rank_hybrid, rank_refined

    index = recommender.model_index()
    spanish = recommender.context("me siento tan solo desde que te fuiste, lloro cada noche")
    english = recommender.context("I feel so alone since you left, I cry every night")
    assert not spanish.lyrics_readable
    assert english.lyrics_readable
    expected = _fused(rank_emotions(spanish, index), rank_refined(spanish, index), np.zeros(0, int))
    assert np.allclose(rank_hybrid(spanish, index), expected)
    with_lyrics = _fused(
        rank_emotions(english, index), rank_refined(english, index), np.zeros(0, int)
    )
    assert not np.allclose(rank_hybrid(english, index), with_lyrics)


def test_a_cross_lingual_embedder_keeps_the_word_ranks(recommender: Recommender) -> None:
    from moodtune.recommend import QueryContext

    class E5Named:
        name = "e5"

    ctx = QueryContext("me siento tan solo", E5Named(), recommender.extractor,  # type: ignore[arg-type]
                       recommender.word_vectors)  # fmt: skip
    assert ctx.lyrics_readable
