"""Warm query latency per approach at 1k, 10k and 100k tracks, next to a numpy scan.

A synthetic library is written straight into Deep Lake with Store.upsert (random unit
vectors and random profiles; 4 stanzas and 8 lines per song, close to the demo catalogue's
4.2 stanzas), so no model runs over songs. Queries are the labelled feelings, each made unique
with a counter so the embedder's LRU cache never answers a timed query. Per approach:

- full: `Recommender.recommend(query, approach, k=10)`: query embedding and emotion
  extraction (and emotion-word embedding where the approach uses it), ranking, explanations;
- rank only: the ranker plus the ordering `recommend` does (`top_rows`), on precomputed
  query vectors;
- numpy scan: brute-force top-10 over the library's song vectors (`song_emb @ q` then
  argpartition), the figure the ratio is taken against;
- numpy, same matrices: the same brute force over every matrix the approach reads (lyrics also
  reads the stanza vectors; hybrid reads both lyrics' and refined's), for a like-for-like cost.

    python bench/latency.py [--quick] [--sizes 1000,10000] [--work DIR] [--rebuild]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from harness import (
    DEFAULT_WORK,
    add_queries_option,
    add_run_options,
    log,
    machine,
    percentiles,
    print_table,
    proc_status_mb,
    read_queries,
    set_torch_threads,
    write_result,
)

from moodtune.config import load_settings
from moodtune.embed import DIM, get_embedder
from moodtune.emotions import build_extractor
from moodtune.emotions.vectors import WordVectors
from moodtune.emotions.words import basic_words, refined_words, words_text
from moodtune.models import EMOTIONS, EmotionProfile, Track
from moodtune.recommend import (
    APPROACHES,
    SHORTLIST,
    QueryContext,
    best_rows,
    build_recommender,
    top_rows,
)
from moodtune.store import EmotionAnalysis, LibraryIndex, Store, StoredTrack, open_store

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
STANZAS, LINES = 4, 8
BATCH = 5_000
K = 10
SYNTH_VERSION = "2"  # 2: real emotion words and word vectors derived from each profile


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=-1, keepdims=True)).astype(np.float32)


def build_synthetic(home: Path, n: int, extractor: str, rebuild: bool) -> float | None:
    """Write an n-track synthetic library at home (reused when already built the same way)."""
    marker = home / "synthetic.json"
    spec = {"n": n, "stanzas": STANZAS, "lines": LINES, "extractor": extractor,
            "version": SYNTH_VERSION}  # fmt: skip
    if not rebuild and marker.is_file() and json.loads(marker.read_text()) == spec:
        return None
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    rng = np.random.default_rng(n)
    words = WordVectors(get_embedder("minilm"))
    start = time.perf_counter()
    store = Store(home / "library", create=True)
    store.set_extractor(extractor)
    for at in range(0, n, BATCH):
        m = min(BATCH, n - at)
        stanza = _unit(rng.standard_normal((m, STANZAS, DIM)))
        line = _unit(rng.standard_normal((m, LINES, DIM)))
        profiles = rng.beta(0.6, 1.4, size=(m, len(EMOTIONS))).astype(np.float32)
        # Words and word vectors as ingestion computes them from each profile, so the
        # emotion-word sets repeat as they do in a real library.
        as_profiles = [EmotionProfile(tuple(float(x) for x in p)) for p in profiles]
        basic = [basic_words(p) for p in as_profiles]
        refined_lists = [refined_words(p) for p in as_profiles]
        emo = words.basic_vectors(basic)
        refined = words.refined_vectors(refined_lists)
        items = []
        for i in range(m):
            tid = f"syn-{at + i:06d}"
            analysis = EmotionAnalysis(
                extractor, "synthetic", as_profiles[i],
                np.repeat(profiles[i : i + 1], STANZAS, axis=0), words_text(basic[i]), emo[i],
                words_text(refined_lists[i]), refined[i],
            )  # fmt: skip
            items.append(
                StoredTrack(
                    Track(tid, f"Synthetic song {at + i}", f"Band {(at + i) % 997}"),
                    lyrics="synthetic",
                    lyrics_hash=tid,
                    embedder="all-MiniLM-L6-v2",
                    song_emb=_unit(stanza[i].mean(axis=0)),
                    stanzas=tuple(f"stanza {j} of song {at + i}" for j in range(STANZAS)),
                    stanza_emb=stanza[i],
                    lines=tuple(f"line {j} of song {at + i}" for j in range(LINES)),
                    line_emb=line[i],
                    analysis=analysis,
                )
            )
        store.upsert(items)
        store.commit(f"synthetic batch {at // BATCH + 1}")
    seconds = time.perf_counter() - start
    marker.write_text(json.dumps(spec))
    log(f"built synthetic library of {n:,} tracks in {seconds:.1f} s")
    return seconds


def _topk(scores: np.ndarray, k: int) -> np.ndarray:
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part])]


def numpy_song_scan(index: LibraryIndex, q: np.ndarray, k: int) -> np.ndarray:
    """The textbook brute force: one matmul over the song vectors, then top-k."""
    return _topk(index.song_emb @ q, k)


def dense_matrices(index: LibraryIndex) -> dict[str, np.ndarray]:
    """Every matrix the rankers read, in full and in float32, as the index held them before
    issue 13: the baseline for "numpy, same matrices" and the full-precision reference."""
    assert index.refined_mix is not None
    return {
        "stanza": np.ascontiguousarray(index.pack.stanza_emb.every()),
        "start": index.pack.stanza_emb.start,
        "emotion": np.ascontiguousarray(index.emotion_table.dense()),
        "refined": np.ascontiguousarray(index.refined_mix.dense()),
    }


def numpy_same_matrices(
    index: LibraryIndex, dense: dict[str, np.ndarray], ctx: QueryContext, approach: str, k: int
) -> np.ndarray:
    """Brute force over every matrix `approach` reads in full: the matmuls, the per-song stanza
    max, a plain sum and a top-k partition (no profile norms, no rank fusion, no full sort)."""
    parts = []
    if approach in ("lyrics", "hybrid"):
        stanza = dense["stanza"] @ ctx.embedding
        parts += [index.song_emb @ ctx.embedding, np.maximum.reduceat(stanza, dense["start"])]
    if approach == "emotions":
        parts.append(dense["emotion"] @ ctx.emotion_embedding)
    if approach in ("refined", "hybrid"):
        parts.append(dense["refined"] @ ctx.refined_embedding)
    if approach != "lyrics":
        parts.append(index.profiles @ ctx.profile_vector)
    scores = parts[0].copy()
    for p in parts[1:]:
        scores += p
    return _topk(scores, k)


def _rrf(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (60 + ranks)


def full_precision(
    index: LibraryIndex, dense: dict[str, np.ndarray], ctx: QueryContext, approach: str
) -> np.ndarray:
    """The rankers as they were before issue 13: every stanza, dense word matrices, full sorts."""
    q = ctx.embedding
    stanza = np.maximum.reduceat(dense["stanza"] @ q, dense["start"])
    lyrics = 0.5 * (index.song_emb @ q) + 0.5 * stanza
    norms = np.linalg.norm(index.profiles, axis=1) * (np.linalg.norm(ctx.profile_vector) or 1.0)
    profile = np.divide(
        index.profiles @ ctx.profile_vector, norms, out=np.zeros(len(index), np.float32),
        where=norms > 0,
    )  # fmt: skip
    refined = 0.5 * (dense["refined"] @ ctx.refined_embedding) + 0.5 * profile
    if approach == "lyrics":
        return np.asarray(lyrics, np.float32)
    if approach == "emotions":
        return np.asarray(0.5 * (dense["emotion"] @ ctx.emotion_embedding) + 0.5 * profile)
    if approach == "refined":
        return np.asarray(refined, np.float32)
    return np.asarray(_rrf(lyrics) + _rrf(refined), np.float32)


def _rank(ctx: QueryContext, index: LibraryIndex, approach: str, mask: np.ndarray) -> np.ndarray:
    """What Recommender.recommend does between the query vectors and the explanations."""
    return top_rows(APPROACHES.get(approach)(ctx, index), K, mask)


def _time(func: Any, *args: Any) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def measure_size(
    home: Path,
    n_queries: int,
    warmup: int,
    extractor: Any,
    counter: Any,
    query_files: list[Path] | None = None,
) -> dict[str, Any]:
    settings = load_settings(secrets_path=Path("/nonexistent"), home=str(home))
    store = open_store(settings, read_only=True)
    start = time.perf_counter()
    store.index()
    index_s = time.perf_counter() - start
    recommender = build_recommender(
        settings, store, embedder=get_embedder(settings.embedder), extractor=extractor
    )
    index = recommender.model_index()
    dense = dense_matrices(index)
    texts = read_queries(query_files)
    names = APPROACHES.names()
    for i in range(warmup):
        for name in names:
            recommender.recommend(f"{texts[-1 - i % len(texts)]} #{next(counter)}", name, k=K)
    full: dict[str, list[float]] = {a: [] for a in names}
    rank: dict[str, list[float]] = {a: [] for a in names}
    same: dict[str, list[float]] = {a: [] for a in names}
    scan: list[float] = []
    for i in range(n_queries):
        base = texts[i % len(texts)]
        # Interleave approaches so background load spreads evenly over them.
        for name in names:
            full[name].append(_time(recommender.recommend, f"{base} #{next(counter)}", name, K))
    contexts = [recommender.context(texts[i % len(texts)]) for i in range(n_queries)]
    for ctx in contexts:
        for attr in ("embedding", "profile", "emotion_embedding", "refined_embedding"):
            getattr(ctx, attr)
    # torch's OpenMP threads spin for a while after inference and steal the two cores from
    # numpy: let them park, so rank-only and the numpy scans are compared on equal terms.
    time.sleep(1.0)
    everyone = np.ones(len(index), dtype=bool)  # recommend's candidate mask without filters
    for ctx in contexts:
        for name in names:
            rank[name].append(_time(_rank, ctx, index, name, everyone))
            same[name].append(_time(numpy_same_matrices, index, dense, ctx, name, K))
            scan.append(_time(numpy_song_scan, index, ctx.embedding, K))
    scan_p = percentiles(scan)
    components = _components(index, dense, contexts)
    agreement = {name: _agreement(index, dense, contexts, name) for name in names}
    approaches = {}
    for name in names:
        r, s = percentiles(rank[name]), percentiles(same[name])
        approaches[name] = {
            "full": percentiles(full[name]),
            "rank_only": r,
            "numpy_same_matrices": s,
            "ratio_rank_vs_song_scan_p50": round(r["p50_ms"] / scan_p["p50_ms"], 2),
            "ratio_rank_vs_same_matrices_p50": round(r["p50_ms"] / s["p50_ms"], 2),
            "top10_vs_full_precision": agreement[name],
        }
    return {
        "tracks": len(index),
        "stanzas": int(index.stanza_emb.shape[0]),
        "index_build_s": round(index_s, 2),
        "rss_mb": proc_status_mb(os.getpid(), "VmRSS"),
        "numpy_song_scan": scan_p,
        "components_p50_ms": components,
        "approaches": approaches,
    }


def _agreement(
    index: LibraryIndex, dense: dict[str, np.ndarray], contexts: list[QueryContext], name: str
) -> dict[str, float]:
    """Top-10 overlap of the ranker with its full-precision reference, over the queries."""
    overlap, identical = [], []
    for ctx in contexts:
        ours = top_rows(APPROACHES.get(name)(ctx, index), K).tolist()
        theirs = top_rows(full_precision(index, dense, ctx, name), K).tolist()
        overlap.append(len(set(ours) & set(theirs)) / K)
        identical.append(ours == theirs)
    return {
        "mean_overlap": round(float(np.mean(overlap)), 3),
        "min_overlap": round(float(np.min(overlap)), 3),
        "identical_order_share": round(float(np.mean(identical)), 3),
    }


def _components(
    index: LibraryIndex, dense: dict[str, np.ndarray], contexts: list[QueryContext]
) -> dict[str, float]:
    """p50 of the building blocks the rankers are made of, to say where the time goes."""
    q = [c.embedding for c in contexts]
    p = [c.profile_vector for c in contexts]
    scores = [index.song_emb @ v for v in q]
    shortlists = [best_rows(s, SHORTLIST) for s in scores]
    assert index.refined_mix is not None
    mix = index.refined_mix
    blocks = {
        "song matmul": lambda i: index.song_emb @ q[i],
        "all stanzas in memory: matmul + per-song max (before)": lambda i: np.maximum.reduceat(
            dense["stanza"] @ q[i], dense["start"]
        ),
        f"stanzas of a {SHORTLIST:,}-song shortlist, read from the pack + max": lambda i: (
            index.pack.stanza_emb.best(shortlists[i], q[i])
        ),
        "refined: dense (n, 384) matmul (before)": lambda i: dense["refined"] @ q[i],
        "refined: (n, 32) vocabulary mix": lambda i: mix.scores(q[i]),
        "emotion words: distinct-set table": lambda i: index.emotion_table.scores(q[i]),
        "profile cosine (norms per query)": lambda i: (
            (index.profiles @ p[i])
            / (np.linalg.norm(index.profiles, axis=1) * np.linalg.norm(p[i]))
        ),
        "full stable argsort": lambda i: np.argsort(-scores[i], kind="stable"),
        "argpartition top-k + sort": lambda i: _topk(scores[i], K),
        "top_rows, k=10 (recommend's order)": lambda i: top_rows(scores[i], K),
    }
    out = {}
    for label, block in blocks.items():
        times = [_time(block, i) for i in range(len(contexts))]
        out[label] = percentiles(times)["p50_ms"]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, fewer queries.")
    parser.add_argument("--sizes", help="Comma-separated track counts (overrides --quick).")
    parser.add_argument("--queries", type=int, default=None, help="Timed queries per size.")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--rebuild", action="store_true", help="Rebuild synthetic libraries.")
    add_run_options(parser, "latency")
    add_queries_option(parser)
    args = parser.parse_args(argv)
    set_torch_threads(args.torch_threads)
    sizes = (
        tuple(int(s) for s in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else SIZES)
    )
    n_queries = args.queries or (30 if args.quick else 80)
    info = machine()
    settings = load_settings(secrets_path=Path("/nonexistent"))
    extractor = build_extractor(settings.extractor, settings)
    start = time.perf_counter()
    get_embedder(settings.embedder).embed(["warm up"])
    extractor.extract(["warm up"])
    load_s = time.perf_counter() - start
    counter = itertools.count()
    results: dict[str, Any] = {}
    builds: dict[str, float | None] = {}
    for n in sizes:
        home = args.work / f"synthetic-{n}"
        builds[str(n)] = build_synthetic(home, n, extractor.name, args.rebuild)
        log(f"measuring {n:,} tracks")
        results[str(n)] = measure_size(home, n_queries, 5, extractor, counter, args.queries_files)
        gc.collect()
    from threadpoolctl import threadpool_info

    pools = [
        {k: p.get(k) for k in ("user_api", "internal_api", "num_threads")}
        for p in threadpool_info()
    ]
    result = {
        "machine": info,
        "thread_pools": pools,
        "quick": args.quick,
        "torch_threads": info["torch_threads"],
        "k": K,
        "queries_per_size": n_queries,
        "extractor": f"{extractor.name} ({extractor.version})",
        "model_load_s": round(load_s, 2),
        "synthetic": {"stanzas_per_song": STANZAS, "lines_per_song": LINES},
        "build_s": builds,
        "sizes": results,
    }
    path = write_result(args.name, result)
    rows = []
    for n, size in results.items():
        for name, a in size["approaches"].items():
            rows.append([
                f"{int(n):,}", name, a["full"]["p50_ms"], a["full"]["p95_ms"],
                a["rank_only"]["p50_ms"], a["rank_only"]["p95_ms"],
                size["numpy_song_scan"]["p50_ms"], a["ratio_rank_vs_song_scan_p50"],
                a["numpy_same_matrices"]["p50_ms"], a["ratio_rank_vs_same_matrices_p50"],
                a["top10_vs_full_precision"]["mean_overlap"],
                a["top10_vs_full_precision"]["identical_order_share"],
            ])  # fmt: skip
    print_table(
        f"Warm query latency, ms ({n_queries} queries per approach and size, k={K}, "
        f"torch threads {info['torch_threads']})",
        ["tracks", "approach", "full p50", "full p95", "rank p50", "rank p95",
         "numpy scan p50", "rank / scan", "numpy same-matrices p50", "rank / same",
         "top-10 overlap vs full precision", "identical top-10 share"],
        rows,
    )  # fmt: skip
    labels = list(next(iter(results.values()))["components_p50_ms"])
    print_table(
        "Where ranking time goes: p50 ms of the building blocks",
        ["block", *(f"{int(n):,} tracks" for n in results)],
        [[label, *(size["components_p50_ms"][label] for size in results.values())]
         for label in labels],
    )  # fmt: skip
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
