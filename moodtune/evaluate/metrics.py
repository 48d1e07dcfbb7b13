"""Pure ranking and labelling metrics: precision@k, DCG/nDCG@k, reciprocal rank, MRR, the
expected scores of a random order, and multi-label F1 from label sets.

Must not read files, run models or draw intervals (bootstrap.py does).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from moodtune.emotions.base import PRESENT
from moodtune.models import EMOTIONS, EmotionProfile


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
