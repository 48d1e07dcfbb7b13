"""Thumbs-down memory across queries: a track voted down for one sentence moves down for similar
sentences later, under every approach.

Owns: which earlier queries count as similar (cosine of sentence embeddings at or above
SIMILAR_QUERY), how strongly a track is demoted (0..1, growing with that similarity) and how a
demotion moves a score (a share of the list's score spread, so it acts the same on cosines and on
fusion scores). Pure numpy; the votes come from moodtune.feedback through the Recommender, and
the embeddings from its embedder. `hybrid` keeps its own per-track nudge on top of this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from moodtune.feedback import QueryVote

# MiniLM cosines: rewordings of one feeling sit around 0.6-0.9, unrelated sentences below 0.4.
SIMILAR_QUERY = 0.6
# A thumbs-down on the very same sentence (or one at FULL_WEIGHT_AT or closer) costs this share
# of the spread (5th to 95th percentile) of the list's scores; one just similar costs half of it:
# enough to leave the top of a list, not the library.
DEMOTE_SHARE = 1.0
FULL_WEIGHT_AT = 0.9


def demotions(
    query_embedding: np.ndarray,
    votes: Sequence[QueryVote],
    embed: Callable[[list[str]], np.ndarray],
) -> dict[str, float]:
    """Track id -> demotion in (0, 1] from net thumbs-down votes on similar earlier queries."""
    down = [v for v in votes if v.net < 0]
    if not down:
        return {}
    texts = list(dict.fromkeys(v.query for v in down))
    vectors = np.asarray(embed(texts), dtype=np.float64)
    q = np.asarray(query_embedding, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(q) or 1.0)
    sims = np.divide(vectors @ q, norms, out=np.zeros(len(texts)), where=norms > 0)
    similarity = dict(zip(texts, sims.tolist(), strict=True))
    weights: dict[str, float] = {}
    for vote in down:
        sim = similarity[vote.query]
        if sim < SIMILAR_QUERY:
            continue
        weight = min(1.0, 0.5 + 0.5 * (sim - SIMILAR_QUERY) / (FULL_WEIGHT_AT - SIMILAR_QUERY))
        weights[vote.track_id] = max(weights.get(vote.track_id, 0.0), weight)
    return weights


def demote(
    scores: np.ndarray, rows_of: Callable[[Iterable[str]], np.ndarray], weights: dict[str, float]
) -> np.ndarray:
    """Lower each demoted track's score by its weight times DEMOTE_SHARE of the score spread.

    `rows_of` maps track ids to rows (LibraryIndex.rows_of), so the cost follows the votes, not
    the library's size.
    """
    if not weights or not len(scores):
        return scores
    low, high = np.percentile(scores, [5, 95])
    spread = float(high - low) or float(np.max(scores) - np.min(scores)) or 1.0
    out: np.ndarray = np.array(scores, dtype=np.float32)
    for track_id, weight in weights.items():
        for row in rows_of([track_id]):
            out[row] -= DEMOTE_SHARE * spread * weight
    return out
