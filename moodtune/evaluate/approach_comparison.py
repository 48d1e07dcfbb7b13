"""Approach comparison: ranking metrics per approach on a labelled query set, paired against the
best approach, and the thumbs-up share per approach from stored votes; tables and plain-language
summaries of both.

Relevance is binary: a song is a hit for a query when its labelled emotions include the
query's *first* expected emotion. nDCG uses that binary gain over the whole ranked library,
so its ideal ordering puts every hit first; MRR uses the rank of the first hit anywhere in
the ranking. Queries whose first emotion no song in the library carries are skipped (and
listed), since no ranking could score on them. Must not build its recommender or feedback store
(callers pass them in) or print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodtune.errors import InputError, NotFoundError
from moodtune.evaluate.bootstrap import (
    CONFIDENCE,
    RESAMPLES,
    SEED,
    Interval,
    mean_interval,
    wilson_interval,
)
from moodtune.evaluate.labelled_data import DEFAULT_QUERIES, LabelledQuery, read_queries
from moodtune.evaluate.metrics import expected_random, ndcg_at_k, precision_at_k, reciprocal_rank
from moodtune.evaluate.tables import format_interval, format_table
from moodtune.feedback import FeedbackStore
from moodtune.recommend import APPROACHES, QueryContext, Recommender, top_rows
from moodtune.store import LibraryIndex
from moodtune.text import counted

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class QueryResult:
    query_id: str
    query: str
    target: str  # the first expected emotion, which decides relevance
    approach: str
    first_hit: int | None  # rank of the first hit in the whole ranking
    precision: float
    ndcg: float
    reciprocal_rank: float
    top: tuple[str, ...]  # track ids of the first k results


@dataclass(frozen=True, slots=True)
class ApproachScores:
    approach: str
    precision: Interval
    ndcg: Interval
    mrr: Interval
    ndcg_vs_best: Interval  # paired difference to the approach with the best mean nDCG


@dataclass(frozen=True, slots=True)
class RecommenderReport:
    queries: str
    n_queries: int  # queries scored
    skipped: tuple[str, ...]  # query ids whose first emotion no track carries
    tracks: int
    labelled_tracks: int
    library_version: str
    precision_k: int
    ndcg_k: int
    confidence: float
    resamples: int
    approaches: tuple[ApproachScores, ...]
    per_query: tuple[QueryResult, ...]
    chance: tuple[float, float, float] = (0.0, 0.0, 0.0)  # expected P, nDCG, MRR at random

    @property
    def best(self) -> str:
        """The approach with the highest mean nDCG (the first one on a tie)."""
        return max(self.approaches, key=lambda a: a.ndcg.mean).approach


def rank_library(ctx: QueryContext, index: LibraryIndex, approach: str) -> np.ndarray:
    """Every row of `index`, best first, as Recommender.recommend orders them without filters."""
    scores = APPROACHES.get(approach)(ctx, index)
    return top_rows(scores, len(scores))


def compare_approaches(
    recommender: Recommender,
    queries: Sequence[LabelledQuery],
    k: int = 10,
    *,
    precision_k: int = 5,
    approaches: Sequence[str] | None = None,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    source: str = "",
    progress: Progress | None = None,
) -> RecommenderReport:
    """Rank the whole library for every query with every approach and score the rankings.

    Each query's vectors are computed once and shared by the approaches (as in the app, a
    recommender built without feedback gives the hybrid no votes to lean on).
    """
    names = list(approaches) if approaches else APPROACHES.names()
    for name in names:
        APPROACHES.get(name)
    if k < 1 or precision_k < 1:
        raise InputError(f"k must be at least 1 (got nDCG@{k}, precision@{precision_k}).")
    index = recommender.model_index()
    if len(index) == 0:
        raise NotFoundError("The library is empty: ingest the demo catalogue or a playlist first.")
    labelled = sum(1 for labels in index.labels if labels)
    if labelled == 0:
        raise NotFoundError(
            f"None of the {len(index)} tracks in the library has emotion labels, so there is "
            "nothing to score against: evaluate on the demo catalogue or a file with an "
            "`emotions` column, or compare approaches by thumbs-up share instead."
        )
    scored = [q for q in queries if any(q.target in labels for labels in index.labels)]
    skipped = tuple(q.id for q in queries if q not in scored)
    if not scored:
        raise NotFoundError(
            "No track in the library carries the first expected emotion of any query."
        )
    label_sets = [frozenset(labels) for labels in index.labels]
    results: list[QueryResult] = []
    for done, query in enumerate(scored, 1):
        ctx = recommender.context(query.query)
        for name in names:
            order = rank_library(ctx, index, name)
            hits = [query.target in label_sets[row] for row in order]
            first = next((rank for rank, hit in enumerate(hits, 1) if hit), None)
            results.append(
                QueryResult(
                    query_id=query.id,
                    query=query.query,
                    target=query.target,
                    approach=name,
                    first_hit=first,
                    precision=precision_at_k(hits, precision_k),
                    ndcg=ndcg_at_k(hits, k),
                    reciprocal_rank=reciprocal_rank(hits),
                    top=tuple(index.track_ids[row] for row in order[:k]),
                )
            )
        if progress is not None:
            progress(done, len(scored))
    randoms = [
        expected_random(
            len(index), sum(1 for labels in label_sets if q.target in labels), precision_k, k
        )
        for q in scored
    ]
    chance = (
        float(np.mean([r[0] for r in randoms])),
        float(np.mean([r[1] for r in randoms])),
        float(np.mean([r[2] for r in randoms])),
    )
    by_name = {name: [r for r in results if r.approach == name] for name in names}
    best = max(names, key=lambda n: float(np.mean([r.ndcg for r in by_name[n]])))
    best_ndcg = np.array([r.ndcg for r in by_name[best]])
    scores = tuple(
        ApproachScores(
            approach=name,
            precision=mean_interval([r.precision for r in rows], confidence, resamples, seed),
            ndcg=mean_interval([r.ndcg for r in rows], confidence, resamples, seed),
            mrr=mean_interval([r.reciprocal_rank for r in rows], confidence, resamples, seed),
            ndcg_vs_best=mean_interval(
                list(np.array([r.ndcg for r in rows]) - best_ndcg), confidence, resamples, seed
            ),
        )
        for name, rows in by_name.items()
    )
    return RecommenderReport(
        queries=source,
        n_queries=len(scored),
        skipped=skipped,
        tracks=len(index),
        labelled_tracks=labelled,
        library_version=index.version,
        precision_k=precision_k,
        ndcg_k=k,
        confidence=confidence,
        resamples=resamples,
        approaches=scores,
        per_query=tuple(results),
        chance=chance,
    )


def evaluate_recommender(
    recommender: Recommender,
    queries_path: str | Path = DEFAULT_QUERIES,
    k: int = 10,
    *,
    precision_k: int = 5,
    approaches: Sequence[str] | None = None,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    progress: Progress | None = None,
) -> RecommenderReport:
    """Compare approaches on a labelled query file: precision@5, nDCG@k, MRR with intervals."""
    return compare_approaches(
        recommender,
        read_queries(queries_path),
        k,
        precision_k=precision_k,
        approaches=approaches,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        source=str(queries_path),
        progress=progress,
    )


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    approach: str
    up: int
    down: int
    low: float
    high: float

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def share_up(self) -> float | None:
        return self.up / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    confidence: float
    rows: tuple[FeedbackRow, ...]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


def feedback_report(
    feedback: FeedbackStore | None,
    approaches: Sequence[str] | None = None,
    confidence: float = CONFIDENCE,
) -> FeedbackReport:
    """Thumbs-up share per approach with Wilson intervals; approaches without votes show 0/0.

    Rows follow `approaches` (default: the registered ones), then any other approach that
    has votes. `feedback=None` stands for a library nobody has voted on yet.
    """
    summary = feedback.summary() if feedback is not None else []
    counts = {s.approach: (s.up, s.down) for s in summary}
    names = list(approaches) if approaches is not None else APPROACHES.names()
    names += [name for name in counts if name not in names]
    rows = []
    for name in names:
        up, down = counts.get(name, (0, 0))
        low, high = wilson_interval(up, up + down, confidence)
        rows.append(FeedbackRow(name, up, down, low, high))
    return FeedbackReport(confidence, tuple(rows))


def recommender_table(report: RecommenderReport) -> str:
    """The approach comparison as a Markdown table (mean [low, high] per metric)."""
    pct = round(report.confidence * 100)
    headers = [
        "approach",
        f"P@{report.precision_k} [{pct}% CI]",
        f"nDCG@{report.ndcg_k} [{pct}% CI]",
        f"MRR [{pct}% CI]",
        f"nDCG@{report.ndcg_k} vs best [{pct}% CI]",
    ]
    rows = [
        [
            a.approach,
            format_interval(a.precision),
            format_interval(a.ndcg),
            format_interval(a.mrr),
            "(best)" if a.approach == report.best else format_interval(a.ndcg_vs_best),
        ]
        for a in report.approaches
    ]
    p, n, r = report.chance
    rows.append(["random order", f"{p:.3f}", f"{n:.3f}", f"{r:.3f}", "(expected)"])
    return format_table(headers, rows)


def feedback_table(report: FeedbackReport) -> str:
    """Thumbs-up share per approach with its Wilson interval and counts, as a Markdown table."""
    pct = round(report.confidence * 100)
    rows = [
        [
            r.approach,
            "—" if r.share_up is None else f"{r.share_up:.3f}",
            "—" if r.total == 0 else f"[{r.low:.3f}, {r.high:.3f}]",
            str(r.up),
            str(r.down),
            str(r.total),
        ]
        for r in report.rows
    ]
    return format_table(["approach", "share up", f"{pct}% Wilson", "up", "down", "votes"], rows)


def _verdict(diff: Interval) -> str:
    if diff.high < 0:
        return "clearly lower"
    if diff.low > 0:
        return "clearly higher"
    return "not distinguishable on these queries"


def describe_comparison(report: RecommenderReport) -> str:
    """Say which approach wins on mean nDCG and whether the others are clearly behind it.

    "Clearly" means the paired bootstrap interval of the difference excludes zero.
    """
    pct = round(report.confidence * 100)
    best = next(a for a in report.approaches if a.approach == report.best)
    lines = [
        f"{best.approach} ranks best by nDCG@{report.ndcg_k}: {best.ndcg.mean:.3f} "
        f"({pct}% CI {best.ndcg.low:.3f} to {best.ndcg.high:.3f}) over "
        f"{counted(report.n_queries, 'query', 'queries')}; "
        f"a random order would score {report.chance[1]:.3f}."
    ]
    for a in report.approaches:
        if a.approach == best.approach:
            continue
        d = a.ndcg_vs_best
        lines.append(
            f"{a.approach}: {d.mean:+.3f} ({pct}% CI {d.low:+.3f} to {d.high:+.3f}), {_verdict(d)}."
        )
    return "\n".join(lines)


def describe_feedback(report: FeedbackReport) -> str:
    """Say which approach has the highest thumbs-up share, and whether the votes can tell."""
    voted = [r for r in report.rows if r.total]
    if not voted:
        return "No votes yet: thumbs on the Recommend page are counted here."
    top = max(voted, key=lambda r: (r.share_up or 0.0, r.total))
    pct = round(report.confidence * 100)
    text = (
        f"{top.approach} has the highest thumbs-up share: {top.up} of {top.total} "
        f"({(top.share_up or 0.0):.0%}, {pct}% CI {top.low:.0%} to {top.high:.0%})."
    )
    others = [r for r in voted if r is not top]
    if not others:
        return text + " No other approach has votes yet to compare with."
    overlapping = [r.approach for r in others if r.high >= top.low]
    if overlapping:
        return text + (
            f" Its interval overlaps {', '.join(overlapping)}: more votes are needed to tell "
            "them apart."
        )
    return text + " Its interval is above every other approach's."
