"""Metrics and the comparison of extractors and approaches.

Owns: the pure metrics (precision@k, nDCG@k, reciprocal rank, multi-label F1 from label sets),
the percentile bootstrap and Wilson intervals, the readers of the two labelled formats (XED
`text<TAB>labels` files and the JSONL query set), three runners (`evaluate_extractor`,
`evaluate_recommender`, `feedback_report`) returning frozen dataclasses, and `format_table`, the
Markdown table the CLI, the docs and bench/ print. Must not print, build its own collaborators
(callers pass the extractor, recommender or feedback store in) or import streamlit.

Relevance is binary: a song is a hit for a query when its labelled emotions include the
query's *first* expected emotion. nDCG uses that binary gain over the whole ranked library,
so its ideal ordering puts every hit first; MRR uses the rank of the first hit anywhere in
the ranking. Queries whose first emotion no song in the library carries are skipped (and
listed), since no ranking could score on them.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from moodtune.emotions.base import PRESENT, EmotionExtractor
from moodtune.errors import InputError, NotFoundError
from moodtune.feedback import FeedbackStore
from moodtune.models import EMOTIONS, EmotionProfile
from moodtune.recommend import APPROACHES, QueryContext, Recommender, top_rows
from moodtune.store import LibraryIndex

DEFAULT_QUERIES: Path = Path(__file__).resolve().parents[1] / "data" / "eval_queries.jsonl"
CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 13

Progress = Callable[[int, int], None]


# -- ranking metrics ----------------------------------------------------------------------------
def precision_at_k(relevant: Sequence[bool], k: int) -> float:
    """Share of the first `k` results that are hits; a list shorter than `k` counts as misses."""
    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k}).")
    return sum(1 for r in relevant[:k] if r) / k


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first `k` gains: sum of gain / log2(rank + 1)."""
    return float(sum(g / math.log2(rank + 1) for rank, g in enumerate(gains[:k], 1)))


def ndcg_at_k(gains: Sequence[float], k: int) -> float:
    """DCG@k over the DCG@k of the ideal order; 0 when nothing is relevant.

    `gains` must cover the whole ranked list (every candidate), so that sorting it gives the
    ideal order. Binary relevance passes 0/1 (or bools); graded relevance works unchanged.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k}).")
    values = [float(g) for g in gains]
    ideal = dcg_at_k(sorted(values, reverse=True), k)
    return dcg_at_k(values, k) / ideal if ideal > 0 else 0.0


def reciprocal_rank(relevant: Sequence[bool]) -> float:
    """1 / rank of the first hit; 0 when there is none."""
    for rank, hit in enumerate(relevant, 1):
        if hit:
            return 1.0 / rank
    return 0.0


def mrr(rankings: Sequence[Sequence[bool]]) -> float:
    """Mean reciprocal rank over several queries' relevance lists."""
    if not rankings:
        raise ValueError("MRR needs at least one ranking.")
    return sum(reciprocal_rank(r) for r in rankings) / len(rankings)


def expected_random(total: int, relevant: int, precision_k: int, ndcg_k: int) -> tuple[float, ...]:
    """Expected (precision@k, nDCG@k, reciprocal rank) of a uniformly random ordering.

    `relevant` hits among `total` candidates: every rank holds a hit with probability
    relevant / total, and the first hit is at rank r with the negative-hypergeometric odds.
    """
    if not 0 < relevant <= total:
        raise ValueError(f"Need 0 < relevant <= total (got {relevant} of {total}).")
    share = relevant / total
    ideal = dcg_at_k([1.0] * relevant, ndcg_k)
    ndcg = share * dcg_at_k([1.0] * min(ndcg_k, total), ndcg_k) / ideal
    rr, none_yet = 0.0, 1.0
    for rank in range(1, total - relevant + 2):
        hit_here = relevant / (total - rank + 1)
        rr += none_yet * hit_here / rank
        none_yet *= 1 - hit_here
    return share * min(precision_k, total) / precision_k, ndcg, rr


# -- intervals ----------------------------------------------------------------------------------
def bootstrap_ci(
    values: Sequence[float],
    *,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean, resampling with a fixed seed.

    With the same seed and length, every call draws the same resamples, so intervals of
    several approaches over the same queries are paired.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("A bootstrap interval needs at least one value.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (got {confidence}).")
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(resamples, arr.size))].mean(axis=1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def wilson_interval(
    successes: int, total: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there are no trials.

    Unlike the normal approximation it stays inside [0, 1] and is sensible for few votes
    and for shares near 0 or 1.
    """
    if total < 0 or not 0 <= successes <= total:
        raise ValueError(f"Need 0 <= successes <= total (got {successes} of {total}).")
    if total == 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


# -- multi-label F1 -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LabelScores:
    label: str
    precision: float
    recall: float
    f1: float
    support: int  # gold items carrying the label
    predicted: int  # items predicted to carry it


@dataclass(frozen=True, slots=True)
class F1Report:
    n: int
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float  # unweighted mean of the per-label F1
    per_label: tuple[LabelScores, ...]


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    # An empty denominator scores 0 (scikit-learn's zero_division=0), as the training script does.
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def multilabel_f1(
    gold: Sequence[Collection[str]],
    predicted: Sequence[Collection[str]],
    labels: Sequence[str] = EMOTIONS,
) -> F1Report:
    """Micro, macro and per-label precision/recall/F1 of predicted label sets against gold."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold label sets but {len(predicted)} predictions.")
    per: list[LabelScores] = []
    total_tp = total_fp = total_fn = 0
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label not in p)
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
        p_, r_, f_ = _prf(tp, fp, fn)
        per.append(LabelScores(label, p_, r_, f_, tp + fn, tp + fp))
    micro_p, micro_r, micro_f = _prf(total_tp, total_fp, total_fn)
    macro = sum(s.f1 for s in per) / len(per) if per else 0.0
    return F1Report(len(gold), micro_p, micro_r, micro_f, macro, tuple(per))


def predicted_labels(profile: EmotionProfile, threshold: float = PRESENT) -> tuple[str, ...]:
    """The emotions a calibrated profile calls present (score >= threshold), in EMOTIONS order."""
    return tuple(e for e, s in zip(EMOTIONS, profile.scores, strict=True) if s >= threshold)


# -- labelled data ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    id: str
    query: str
    emotions: tuple[str, ...]  # expected emotions; the first one decides relevance

    @property
    def target(self) -> str:
        return self.emotions[0]


def _read_text(path: str | Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the {what} {path}: {exc}.") from exc


def _bad_rows(source: str, problems: Sequence[str]) -> InputError:
    shown = "; ".join(problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return InputError(f"{source} has rows that cannot be used: {shown}{more}.")


def parse_xed(text: str, source: str = "the XED file") -> list[LabelledText]:
    """Parse `text<TAB>labels` lines (labels comma-separated); a `text\\tlabels` header is skipped.

    There is no quoting: a line's last tab separates the text from its labels.
    """
    items: list[LabelledText] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or (number == 1 and line.strip().lower() == "text\tlabels"):
            continue
        body, tab, labels = line.rpartition("\t")
        names = tuple(dict.fromkeys(x.strip().lower() for x in labels.split(",") if x.strip()))
        unknown = [x for x in names if x not in EMOTIONS]
        if not tab or not body.strip():
            problems.append(f"line {number}: expected text, a tab, then labels")
        elif unknown:
            problems.append(f"line {number}: unknown emotion {', '.join(unknown)}")
        else:
            items.append(LabelledText(body, names))
    if problems:
        raise _bad_rows(source, problems)
    if not items:
        raise InputError(f"{source} holds no labelled lines.")
    return items


def read_xed(path: str | Path) -> list[LabelledText]:
    """Read an XED-format file (`text<TAB>labels`, the format of ../shared/eval)."""
    return parse_xed(_read_text(path, "labelled text file"), str(path))


class _QueryRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | int | None = None
    query: str
    emotions: list[str]

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty")
        return value.strip()

    @field_validator("emotions")
    @classmethod
    def _emotions(cls, value: list[str]) -> list[str]:
        names = [v.strip().lower() for v in value]
        unknown = [v for v in names if v not in EMOTIONS]
        if unknown:
            raise ValueError(f"unknown emotion {', '.join(unknown)}")
        if not names:
            raise ValueError("at least one expected emotion is needed")
        return list(dict.fromkeys(names))


def parse_queries(text: str, source: str = "the query file") -> list[LabelledQuery]:
    """Parse JSONL lines `{"id", "query", "emotions": [...]}`; the id is optional."""
    items: list[LabelledQuery] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = _QueryRow.model_validate(json.loads(line))
        except json.JSONDecodeError:
            problems.append(f"line {number}: not a JSON object")
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "row"
            problems.append(f"line {number}: {where}: {first['msg']}")
            continue
        qid = str(row.id) if row.id is not None and str(row.id) else f"line-{number}"
        items.append(LabelledQuery(qid, row.query, tuple(row.emotions)))
    if problems:
        raise _bad_rows(source, problems)
    if not items:
        raise InputError(f"{source} holds no queries.")
    return items


def read_queries(path: str | Path = DEFAULT_QUERIES) -> list[LabelledQuery]:
    """Read a labelled query file (JSONL, the format of data/eval_queries.jsonl)."""
    return parse_queries(_read_text(path, "query file"), str(path))


# -- extractors ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ExtractorReport:
    extractor: str
    version: str
    data: str
    threshold: float
    seconds: float
    scores: F1Report


def evaluate_extractor(
    extractor: EmotionExtractor,
    path: str | Path,
    *,
    batch_size: int = 128,
    threshold: float = PRESENT,
    progress: Progress | None = None,
) -> ExtractorReport:
    """Score `extractor` on an XED-format file: an emotion counts as predicted at >= threshold."""
    items = read_xed(path)
    predicted: list[tuple[str, ...]] = []
    start = time.perf_counter()
    for at in range(0, len(items), batch_size):
        batch = items[at : at + batch_size]
        profiles = extractor.extract([item.text for item in batch])
        predicted.extend(predicted_labels(p, threshold) for p in profiles)
        if progress is not None:
            progress(len(predicted), len(items))
    seconds = time.perf_counter() - start
    scores = multilabel_f1([item.labels for item in items], predicted)
    return ExtractorReport(extractor.name, extractor.version, str(path), threshold, seconds, scores)


# -- approaches ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Interval:
    mean: float
    low: float
    high: float


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


def _interval(values: Sequence[float], confidence: float, resamples: int, seed: int) -> Interval:
    low, high = bootstrap_ci(values, confidence=confidence, resamples=resamples, seed=seed)
    return Interval(float(np.mean(values)), low, high)


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
    index = recommender.store.index()
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
            precision=_interval([r.precision for r in rows], confidence, resamples, seed),
            ndcg=_interval([r.ndcg for r in rows], confidence, resamples, seed),
            mrr=_interval([r.reciprocal_rank for r in rows], confidence, resamples, seed),
            ndcg_vs_best=_interval(
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


# -- feedback -----------------------------------------------------------------------------------
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


# -- tables -------------------------------------------------------------------------------------
def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render a Markdown pipe table with padded columns (numbers right-aligned)."""
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    numeric = [
        bool(rows) and all(_looks_numeric(row[i]) for row in rows) for i in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if num else "-" * (w + 2)
            for w, num in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _looks_numeric(cell: str) -> bool:
    head = cell.split(" ")[0].lstrip("+-").replace(".", "", 1).replace(",", "")
    return head.isdigit() or cell in ("—", "")


def _ci(interval: Interval, digits: int = 3) -> str:
    return f"{interval.mean:.{digits}f} [{interval.low:.{digits}f}, {interval.high:.{digits}f}]"


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
            _ci(a.precision),
            _ci(a.ndcg),
            _ci(a.mrr),
            "(best)" if a.approach == report.best else _ci(a.ndcg_vs_best),
        ]
        for a in report.approaches
    ]
    p, n, r = report.chance
    rows.append(["random order", f"{p:.3f}", f"{n:.3f}", f"{r:.3f}", "(expected)"])
    return format_table(headers, rows)


def extractor_table(report: ExtractorReport) -> str:
    """Per-emotion precision/recall/F1 plus the micro and macro rows, as a Markdown table."""
    s = report.scores
    rows = [
        [x.label, f"{x.precision:.3f}", f"{x.recall:.3f}", f"{x.f1:.3f}", str(x.support)]
        for x in s.per_label
    ]
    rows.append(
        ["micro", f"{s.micro_precision:.3f}", f"{s.micro_recall:.3f}", f"{s.micro_f1:.3f}", ""]
    )
    rows.append(["macro", "", "", f"{s.macro_f1:.3f}", ""])
    return format_table(["emotion", "precision", "recall", "F1", "support"], rows)


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


# -- plain-language summaries -------------------------------------------------------------------
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
        f"({pct}% CI {best.ndcg.low:.3f} to {best.ndcg.high:.3f}) over {report.n_queries} queries; "
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
