from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from moodtune.embed import HashEmbedder
from moodtune.emotions.keyword import KeywordExtractor
from moodtune.errors import InputError, NotFoundError, UnknownNameError
from moodtune.evaluate import (
    DEFAULT_QUERIES,
    ApproachScores,
    FeedbackReport,
    FeedbackRow,
    Interval,
    LabelledQuery,
    RecommenderReport,
    bootstrap_ci,
    compare_approaches,
    dcg_at_k,
    describe_comparison,
    describe_feedback,
    evaluate_extractor,
    evaluate_recommender,
    expected_random,
    feedback_report,
    feedback_table,
    format_table,
    mrr,
    multilabel_f1,
    ndcg_at_k,
    parse_queries,
    parse_xed,
    precision_at_k,
    predicted_labels,
    read_queries,
    reciprocal_rank,
    recommender_table,
    wilson_interval,
)
from moodtune.feedback import FeedbackStore, Vote
from moodtune.ingest import Ingestor
from moodtune.models import EMOTIONS, EmotionProfile, Track
from moodtune.recommend import APPROACHES, Recommender
from moodtune.store import Store

# -- ranking metrics ----------------------------------------------------------------------------


def test_precision_at_k_counts_hits_in_the_first_k() -> None:
    assert precision_at_k([True, False, True, False, False, True], 5) == pytest.approx(0.4)
    assert precision_at_k([True], 5) == pytest.approx(0.2)  # a short list counts as misses
    with pytest.raises(ValueError, match="at least 1"):
        precision_at_k([True], 0)


def test_dcg_and_ndcg_by_hand() -> None:
    # DCG = 1/log2(2) + 0 + 1/log2(4) = 1.5; ideal [1, 1, 0] = 1 + 1/log2(3) = 1.63093
    assert dcg_at_k([1, 0, 1], 3) == pytest.approx(1.5)
    assert ndcg_at_k([True, False, True], 3) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert ndcg_at_k([False, True], 1) == 0.0
    assert ndcg_at_k([True, False, False], 10) == pytest.approx(1.0)
    assert ndcg_at_k([False, False], 5) == 0.0


def test_ndcg_accepts_graded_gains() -> None:
    # [2, 3]: 2 + 3/log2(3) = 3.89279 over ideal [3, 2]: 3 + 2/log2(3) = 4.26186
    assert ndcg_at_k([2, 3], 2) == pytest.approx(0.913401, abs=1e-6)


def test_ndcg_ideal_comes_from_the_whole_list_not_the_cutoff() -> None:
    # The hit at rank 3 is outside @2 but still counts in the ideal (one hit at rank 1).
    assert ndcg_at_k([False, False, True], 2) == 0.0
    assert ndcg_at_k([False, True, True], 2) == pytest.approx(
        (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    )


def test_reciprocal_rank_and_mrr() -> None:
    assert reciprocal_rank([False, False, True]) == pytest.approx(1 / 3)
    assert reciprocal_rank([False, False]) == 0.0
    assert mrr([[True], [False, True], [False, False]]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least one"):
        mrr([])


# -- intervals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("up", "total", "low", "high"),
    [
        (5, 10, 0.236593, 0.763407),
        (0, 10, 0.0, 0.277533),
        (10, 10, 0.722467, 1.0),
    ],
)
def test_wilson_interval_matches_published_values(
    up: int, total: int, low: float, high: float
) -> None:
    assert wilson_interval(up, total) == pytest.approx((low, high), abs=1e-5)


@pytest.mark.parametrize(("up", "total"), [(81, 100), (3, 4), (1, 37), (250, 251)])
def test_wilson_interval_agrees_with_scipy(up: int, total: int) -> None:
    from scipy.stats import binomtest

    ci = binomtest(up, total).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(up, total) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_wilson_interval_without_votes_and_bad_input() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(3, 2)
    # A wider confidence gives a wider interval.
    narrow, wide = wilson_interval(5, 10, 0.8), wilson_interval(5, 10, 0.99)
    assert wide[0] < narrow[0]
    assert wide[1] > narrow[1]


def test_bootstrap_ci_is_seeded_and_near_the_normal_interval() -> None:
    values = [0.0, 1.0] * 50  # mean 0.5, standard error 0.05
    low, high = bootstrap_ci(values, resamples=4000)
    assert (low, high) == bootstrap_ci(values, resamples=4000)
    assert low == pytest.approx(0.5 - 1.96 * 0.05, abs=0.02)
    assert high == pytest.approx(0.5 + 1.96 * 0.05, abs=0.02)
    assert bootstrap_ci([0.3] * 7) == pytest.approx((0.3, 0.3))
    spread = [i / 99 for i in range(100)]
    assert bootstrap_ci(spread, seed=1) != bootstrap_ci(spread, seed=2)
    with pytest.raises(ValueError, match="at least one"):
        bootstrap_ci([])


# -- multi-label F1 -----------------------------------------------------------------------------


def test_multilabel_f1_by_hand() -> None:
    gold = [{"joy"}, {"fear", "sadness"}, {"disgust"}]
    pred = [{"joy"}, {"fear"}, {"disgust", "anger"}]
    report = multilabel_f1(gold, pred)
    # tp 3 (joy, fear, disgust), fp 1 (anger), fn 1 (sadness)
    assert report.micro_precision == pytest.approx(0.75)
    assert report.micro_recall == pytest.approx(0.75)
    assert report.micro_f1 == pytest.approx(0.75)
    per = {s.label: s for s in report.per_label}
    assert [s.label for s in report.per_label] == list(EMOTIONS)
    assert per["joy"].f1 == 1.0
    assert per["fear"].f1 == 1.0
    assert per["disgust"].f1 == 1.0
    assert per["sadness"].f1 == 0.0
    assert per["sadness"].support == 1
    assert per["anger"].precision == 0.0
    assert per["anger"].predicted == 1
    assert report.macro_f1 == pytest.approx(3 / 8)  # labels nobody used score 0
    assert report.n == 3


def test_multilabel_f1_partial_credit() -> None:
    # joy: tp 1, fp 1, fn 1 -> p = r = f = 0.5
    report = multilabel_f1([{"joy"}, {"joy"}, set()], [{"joy"}, set(), {"joy"}], labels=["joy"])
    assert (report.micro_precision, report.micro_recall, report.micro_f1) == pytest.approx(
        (0.5, 0.5, 0.5)
    )
    assert report.macro_f1 == pytest.approx(0.5)
    with pytest.raises(ValueError, match="gold"):
        multilabel_f1([{"joy"}], [])


def test_predicted_labels_uses_the_calibrated_threshold() -> None:
    profile = EmotionProfile.from_mapping({"joy": 0.5, "fear": 0.49, "anger": 0.9})
    assert predicted_labels(profile) == ("joy", "anger")
    assert predicted_labels(profile, threshold=0.95) == ()


# -- labelled data ------------------------------------------------------------------------------


def test_parse_xed_reads_labels_and_skips_the_header() -> None:
    items = parse_xed("text\tlabels\nWell , well\tsurprise\nRun !\tfear, anger\n\n")
    assert [(i.text, i.labels) for i in items] == [
        ("Well , well", ("surprise",)),
        ("Run !", ("fear", "anger")),
    ]


def test_parse_xed_reports_every_bad_line() -> None:
    with pytest.raises(InputError, match=r"line 2: unknown emotion happiness.*line 3"):
        parse_xed("text\tlabels\nhello\thappiness\nno tab here\n")
    with pytest.raises(InputError, match="no labelled lines"):
        parse_xed("text\tlabels\n")


def test_parse_queries_validates_rows() -> None:
    good = parse_queries(
        '{"id": "a", "query": " lost my keys again ", "emotions": ["anger", "Disgust"]}\n'
        '{"query": "home at last", "emotions": ["joy"]}\n'
    )
    assert good == [
        LabelledQuery("a", "lost my keys again", ("anger", "disgust")),
        LabelledQuery("line-2", "home at last", ("joy",)),
    ]
    assert good[0].target == "anger"
    with pytest.raises(InputError, match=r"line 1: unknown emotion glee \(the eight are"):
        parse_queries('{"query": "x", "emotions": ["glee"]}')
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        parse_queries('{"query": "x", "emotions": ["joy"]}\n{oops\n')
    with pytest.raises(InputError, match="at least one expected emotion"):
        parse_queries('{"query": "x", "emotions": []}')


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Cannot read the query file"):
        read_queries(tmp_path / "nope.jsonl")


def test_the_shipped_query_set_is_large_balanced_and_valid() -> None:
    queries = read_queries(DEFAULT_QUERIES)
    assert len(queries) >= 80
    assert len({q.id for q in queries}) == len(queries)
    targets = {q.target for q in queries}
    assert targets == set(EMOTIONS)


def test_format_table_aligns_columns() -> None:
    table = format_table(["name", "score"], [["a", "1.5"], ["long name", "10.25"]])
    assert table.splitlines() == [
        "| name      | score |",
        "|-----------|------:|",
        "| a         |   1.5 |",
        "| long name | 10.25 |",
    ]


# -- runners ------------------------------------------------------------------------------------


def test_evaluate_extractor_on_a_small_file(tmp_path: Path) -> None:
    data = tmp_path / "tiny.tsv"
    data.write_text(
        "text\tlabels\n"
        "I am so happy I could dance\tjoy\n"
        "scared of the dark and alone\tfear,sadness\n"
        "a plain sentence\tanger\n",
        encoding="utf-8",
    )
    report = evaluate_extractor(KeywordExtractor(), data, batch_size=2)
    # keyword predicts joy; fear + sadness; nothing -> tp 3, fp 0, fn 1
    assert report.scores.micro_precision == pytest.approx(1.0)
    assert report.scores.micro_recall == pytest.approx(0.75)
    assert report.scores.micro_f1 == pytest.approx(6 / 7)
    assert report.extractor == "keyword"
    assert report.scores.n == 3


SONGS = [
    ("s1", "happy dance sunshine all day", ("joy",)),
    ("s2", "tears alone and I miss you", ("sadness",)),
    ("s3", "furious rage I scream and hate", ("anger",)),
    ("s4", "waiting for tomorrow soon ready", ("anticipation", "joy")),
    ("s5", "no labels on this one at all", ()),
]


@pytest.fixture(scope="module")
def tiny_recommender(tmp_path_factory: pytest.TempPathFactory) -> Recommender:
    """A five-song library with the hash embedder and the keyword extractor (no models)."""
    store = Store(tmp_path_factory.mktemp("tiny") / "library", create=True)
    tracks = [Track(tid, tid.upper(), "Band", lyrics, labels=lab) for tid, lyrics, lab in SONGS]
    Ingestor(store, HashEmbedder(), KeywordExtractor()).run(tracks, "tiny")
    return Recommender(store, HashEmbedder(), KeywordExtractor())


def test_compare_approaches_scores_rankings(tiny_recommender: Recommender) -> None:
    queries = [
        LabelledQuery("q1", "furious rage scream hate", ("anger",)),
        LabelledQuery("q2", "happy dance sunshine", ("joy", "trust")),
        LabelledQuery("q3", "my trust in you", ("trust",)),  # no song carries trust
    ]
    report = compare_approaches(tiny_recommender, queries, k=3, resamples=200)
    assert report.skipped == ("q3",)
    assert report.n_queries == 2
    assert report.tracks == 5
    assert report.labelled_tracks == 4
    assert [a.approach for a in report.approaches] == APPROACHES.names()
    lyrics = {r.query_id: r for r in report.per_query if r.approach == "lyrics"}
    # The anger song shares every query word: first, and the only hit.
    assert lyrics["q1"].top[0] == "s3"
    assert lyrics["q1"].first_hit == 1
    assert lyrics["q1"].reciprocal_rank == 1.0
    assert lyrics["q1"].ndcg == pytest.approx(1.0)
    assert lyrics["q1"].precision == pytest.approx(1 / 5)
    # Two songs carry joy: s1 first; nDCG@3 is 1 only if s4 is second.
    assert lyrics["q2"].top[0] == "s1"
    hits = [tid in ("s1", "s4") for tid in lyrics["q2"].top]
    assert lyrics["q2"].ndcg == pytest.approx(dcg_at_k(hits, 3) / dcg_at_k([1, 1], 3))
    summary = {a.approach: a for a in report.approaches}["lyrics"]
    assert summary.mrr.mean == pytest.approx(1.0)
    assert summary.precision.mean == pytest.approx((1 / 5 + 2 / 5) / 2)
    assert summary.precision.low <= summary.precision.mean <= summary.precision.high
    chance = np.mean([expected_random(5, 1, 5, 3), expected_random(5, 2, 5, 3)], axis=0)
    assert report.chance == pytest.approx(tuple(chance))
    best = {a.approach: a for a in report.approaches}[report.best]
    assert best.ndcg_vs_best.mean == 0.0
    assert "(best)" in recommender_table(report)


def test_ranking_matches_what_recommend_returns(tiny_recommender: Recommender) -> None:
    query = LabelledQuery("q", "alone with my tears tomorrow", ("sadness",))
    report = compare_approaches(tiny_recommender, [query], k=3, resamples=10)
    for approach in APPROACHES.names():
        shown = [r.track_id for r in tiny_recommender.recommend(query.query, approach, k=3)]
        ranked = next(r.top for r in report.per_query if r.approach == approach)
        assert list(ranked) == shown


def test_compare_approaches_rejects_unusable_input(tiny_recommender: Recommender) -> None:
    with pytest.raises(NotFoundError, match="first expected emotion"):
        compare_approaches(tiny_recommender, [LabelledQuery("q", "x y", ("trust",))])
    with pytest.raises(InputError, match="at least 1"):
        compare_approaches(tiny_recommender, [LabelledQuery("q", "x y", ("joy",))], k=0)
    with pytest.raises(UnknownNameError, match="Unknown approach"):
        compare_approaches(
            tiny_recommender, [LabelledQuery("q", "x y", ("joy",))], approaches=["nope"]
        )


def test_a_library_without_labels_cannot_be_scored(tmp_path: Path) -> None:
    store = Store(tmp_path / "library", create=True)
    Ingestor(store, HashEmbedder(), KeywordExtractor()).run(
        [Track("a", "A", "B", "happy dance")], "x"
    )
    recommender = Recommender(store, HashEmbedder(), KeywordExtractor())
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "1", "query": "happy", "emotions": ["joy"]}\n', encoding="utf-8")
    with pytest.raises(NotFoundError, match="has emotion labels"):
        evaluate_recommender(recommender, queries)


def test_feedback_report_shares_and_intervals(tmp_path: Path) -> None:
    votes = FeedbackStore(tmp_path / "feedback.db")
    for i, up in enumerate([True, True, True, False]):
        votes.record(Vote("s1", "rainy day", "lyrics", i + 1, f"t{i}", up))
    votes.record(Vote("s1", "rainy day", "hybrid", 1, "t0", False))
    votes.record(Vote("s2", "rainy day", "hybrid", 2, "t1", False))
    votes.record(Vote("s1", "rainy day", "legacy", 1, "t0", True))
    report = feedback_report(votes)
    rows = {r.approach: r for r in report.rows}
    assert [r.approach for r in report.rows] == [*APPROACHES.names(), "legacy"]
    assert (rows["lyrics"].up, rows["lyrics"].down, rows["lyrics"].share_up) == (3, 1, 0.75)
    assert (rows["lyrics"].low, rows["lyrics"].high) == pytest.approx(wilson_interval(3, 4))
    assert rows["hybrid"].share_up == 0.0
    assert rows["hybrid"].total == 2
    assert rows["emotions"].share_up is None
    assert (rows["emotions"].low, rows["emotions"].high) == (
        0.0,
        1.0,
    )
    assert report.total == 7
    assert "| emotions |        — |" in feedback_table(report)
    assert feedback_report(None).total == 0


def test_reports_pickle_for_streamlit_caching(tiny_recommender: Recommender) -> None:
    report = compare_approaches(
        tiny_recommender, [LabelledQuery("q", "happy", ("joy",))], resamples=10
    )
    assert pickle.loads(pickle.dumps(report)) == report


def _scores(name: str, ndcg: float, diff: tuple[float, float, float]) -> ApproachScores:
    same = Interval(ndcg, ndcg - 0.05, ndcg + 0.05)
    return ApproachScores(name, same, same, same, Interval(*diff))


def test_describe_comparison_says_which_differences_are_clear() -> None:
    report = RecommenderReport(
        "q.jsonl", 40, (), 100, 100, "v1", 5, 10, 0.95, 100,
        (
            _scores("lyrics", 0.4, (0.0, 0.0, 0.0)),
            _scores("emotions", 0.2, (-0.2, -0.25, -0.15)),
            _scores("hybrid", 0.38, (-0.02, -0.06, 0.01)),
        ),
        (),
    )  # fmt: skip
    text = describe_comparison(report)
    assert text.startswith("lyrics ranks best by nDCG@10: 0.400")
    assert "a random order would score 0.000" in text
    assert "emotions: -0.200 (95% CI -0.250 to -0.150), clearly lower." in text
    assert "hybrid: -0.020 (95% CI -0.060 to +0.010), not distinguishable" in text


def test_describe_feedback_needs_separated_intervals(tmp_path: Path) -> None:
    assert describe_feedback(feedback_report(None)).startswith("No votes yet")
    rows = (FeedbackRow("lyrics", 9, 1, *wilson_interval(9, 10)),)
    alone = describe_feedback(FeedbackReport(0.95, rows))
    assert alone.startswith("lyrics has the highest thumbs-up share: 9 of 10 (90%")
    assert "No other approach" in alone
    close = FeedbackRow("hybrid", 6, 4, *wilson_interval(6, 10))
    assert "overlaps hybrid" in describe_feedback(FeedbackReport(0.95, (*rows, close)))
    far = FeedbackRow("emotions", 2, 98, *wilson_interval(2, 100))
    many = FeedbackRow("lyrics", 90, 10, *wilson_interval(90, 100))
    assert "above every other" in describe_feedback(FeedbackReport(0.95, (many, far)))


def test_expected_random_by_hand() -> None:
    # One hit among 4: P@1 = 1/4; RR = (1 + 1/2 + 1/3 + 1/4) / 4; nDCG@2 = (1/4)(1 + 1/log2 3)
    p, ndcg, rr = expected_random(4, 1, 1, 2)
    assert p == pytest.approx(0.25)
    assert rr == pytest.approx((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4)
    assert ndcg == pytest.approx(0.25 * (1 + 1 / math.log2(3)))
    assert expected_random(5, 5, 5, 10) == pytest.approx((1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="relevant"):
        expected_random(5, 0, 5, 10)


def test_expected_random_matches_simulation() -> None:
    rng = np.random.default_rng(0)
    hits = np.array([True] * 3 + [False] * 9)
    sims = []
    for _ in range(20000):
        order = list(rng.permutation(hits))
        sims.append((precision_at_k(order, 5), ndcg_at_k(order, 10), reciprocal_rank(order)))
    assert expected_random(12, 3, 5, 10) == pytest.approx(tuple(np.mean(sims, axis=0)), abs=0.01)
