"""Deep Lake's own embedding index against the numpy scan, for the song-vector shortlist.

Copies the song vectors of a synthetic library (bench/latency.py builds them) into a scratch
Deep Lake dataset with one Embedding column per index kind (none, Clustered,
ClusteredQuantized), then times `ORDER BY COSINE_SIMILARITY(...) DESC LIMIT k` through TQL,
next to the numpy scan in the same process, and how many of the numpy top k it returns.

    python bench/deeplake_index.py [--sizes 10000,100000] [--queries 20] [--k 1000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import deeplake
import numpy as np
from harness import DEFAULT_WORK, log, machine, percentiles, print_table, write_result

from moodtune.config import load_settings
from moodtune.store import open_store

KINDS: dict[str, Any] = {
    "none (TQL scan)": None,
    "Clustered": deeplake.types.Clustered,
    "ClusteredQuantized": deeplake.types.ClusteredQuantized,
}


def _song_vectors(home: Path) -> np.ndarray:
    settings = load_settings(secrets_path=Path("/nonexistent"), home=str(home))
    return np.array(open_store(settings, read_only=True).index().song_emb)


def measure(home: Path, work: Path, n_queries: int, k: int) -> dict[str, Any]:
    song = _song_vectors(home)
    rng = np.random.default_rng(7)
    queries = song[rng.choice(len(song), n_queries, replace=False)] + 0.1 * rng.standard_normal(
        (n_queries, song.shape[1])
    ).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    scan, truth = [], []
    for q in queries:
        start = time.perf_counter()
        scores = song @ q
        top = np.argpartition(-scores, k)[:k]
        scan.append(time.perf_counter() - start)
        truth.append(set(top.tolist()))
    out: dict[str, Any] = {"tracks": len(song), "numpy_scan": percentiles(scan)}
    for label, kind in KINDS.items():
        path = work / f"dl-index-{len(song)}-{label.split()[0]}"
        shutil.rmtree(path, ignore_errors=True)
        start = time.perf_counter()
        ds = deeplake.create(str(path))
        column = (
            deeplake.types.Embedding(song.shape[1])
            if kind is None
            else deeplake.types.Embedding(
                song.shape[1], index_type=deeplake.types.EmbeddingIndex(kind)
            )
        )
        ds.add_column("emb", column)
        ds.add_column("row", deeplake.types.Int64())
        for at in range(0, len(song), 10_000):
            ds.append(
                {"emb": song[at : at + 10_000], "row": np.arange(at, min(len(song), at + 10_000))}
            )
        ds.commit("vectors")
        build_s = time.perf_counter() - start
        times, recall = [], []
        for q, want in zip(queries, truth, strict=True):
            vec = ",".join(f"{x:.6f}" for x in q)
            start = time.perf_counter()
            view = ds.query(
                f"SELECT row ORDER BY COSINE_SIMILARITY(emb, ARRAY[{vec}]) DESC LIMIT {k}"
            )
            rows = np.asarray(view["row"][:]).ravel()
            times.append(time.perf_counter() - start)
            recall.append(len(want & set(rows.tolist())) / k)
        p = percentiles(times)
        out[label] = {
            "build_s": round(build_s, 1),
            "query": p,
            "ratio_vs_numpy_p50": round(p["p50_ms"] / out["numpy_scan"]["p50_ms"], 1),
            "recall_at_k": round(float(np.mean(recall)), 3),
        }
        log(f"{len(song):,} {label}: {out[label]}")
        del ds
        shutil.rmtree(path, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--k", type=int, default=1000, help="Shortlist size (SHORTLIST).")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args(argv)
    info = machine()
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        home = args.work / f"synthetic-{n}"
        if not (home / "library").exists():
            log(f"no synthetic library of {n:,} tracks: run bench/latency.py first")
            continue
        results[str(n)] = measure(home, args.work, args.queries, args.k)
    path = write_result("deeplake_index", {"machine": info, "k": args.k, "sizes": results})
    rows = []
    for n, r in results.items():
        rows.append([f"{int(n):,}", "numpy scan + argpartition", "—", r["numpy_scan"]["p50_ms"],
                     1.0, 1.0])  # fmt: skip
        for label in KINDS:
            d = r[label]
            rows.append([f"{int(n):,}", f"Deep Lake TQL, index {label}", d["build_s"],
                         d["query"]["p50_ms"], d["ratio_vs_numpy_p50"],
                         d["recall_at_k"]])  # fmt: skip
    print_table(
        f"Song-vector shortlist of {args.k}: Deep Lake's embedding index vs numpy",
        ["tracks", "how", "build s", "p50 ms", "x numpy", f"recall@{args.k}"],
        rows,
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
