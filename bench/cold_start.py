"""Cold start: from process start to the first recommendation, on the demo library.

Two measures. (1) The command a user types, `moodtune recommend "..."`, timed from spawn to
exit (it exits right after printing). (2) The same work in a child process that stamps each
phase (imports, opening the library and building its in-memory index, loading the models,
the first query), so a slow start can be attributed. The OS file cache is warm after the
first run, so later runs are "cold process, warm disk"; the first run is reported too.

    python bench/cold_start.py [--quick] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from harness import DEFAULT_WORK, DEMO_HOME_NAME, log, machine, print_table, write_result

QUERY = "rainy Sunday, missing home"


def child(home: str) -> None:
    """Run in a fresh process: stamp every phase of the first recommendation."""
    stamps = {"start": time.time()}
    from moodtune.config import load_settings
    from moodtune.recommend import build_recommender
    from moodtune.store import open_store

    stamps["imports"] = time.time()
    settings = load_settings(home=home)
    store = open_store(settings, read_only=True)
    store.index()
    stamps["library"] = time.time()
    recommender = build_recommender(settings, store)
    recommender.context("warm").embedding  # noqa: B018  (loads the sentence model)
    recommender.context("warm").profile  # noqa: B018  (loads the emotion model)
    stamps["models"] = time.time()
    results = recommender.recommend(QUERY, "hybrid", k=5)
    stamps["first_recommendation"] = time.time()
    assert results
    print(json.dumps(stamps))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 runs instead of 5.")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    home = args.work / DEMO_HOME_NAME
    if not (home / "library").exists():
        log(f"no demo library in {home}: run bench/ingest.py first")
        return 1
    env = {**os.environ, "MOODTUNE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    cli = Path(sys.executable).parent / "moodtune"
    runs = 2 if args.quick else 5
    wall: list[float] = []
    for i in range(runs):
        start = time.time()
        subprocess.run(
            [str(cli), "recommend", QUERY, "--approach", "hybrid"],
            env=env,
            check=True,
            capture_output=True,
        )
        wall.append(time.time() - start)
        log(f"cli run {i + 1}: {wall[-1]:.2f} s")
    phases: list[dict[str, float]] = []
    for _ in range(2 if args.quick else 3):
        spawn = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(home)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        stamps = json.loads(out.strip().splitlines()[-1])
        phases.append({k: round(v - spawn, 3) for k, v in stamps.items()})
    median_phase = {k: round(statistics.median(p[k] for p in phases), 2) for k in phases[0]}
    result = {
        "machine": machine(),
        "quick": args.quick,
        "query": QUERY,
        "approach": "hybrid",
        "cli_wall_s": [round(w, 3) for w in wall],
        "cli_first_s": round(wall[0], 3),
        "cli_median_s": round(statistics.median(wall), 3),
        "cli_max_s": round(max(wall), 3),
        "phases_s": phases,
        "phases_median_s": median_phase,
    }
    path = write_result("cold_start", result)
    m = median_phase
    print_table(
        "Cold start: process start to first recommendation (demo library, hybrid, k=5)",
        ["measure", "seconds"],
        [
            ["`moodtune recommend` first run", result["cli_first_s"]],
            [f"`moodtune recommend` median of {runs}", result["cli_median_s"]],
            [f"`moodtune recommend` worst of {runs}", result["cli_max_s"]],
            ["phase: Python start + imports", m["imports"]],
            ["phase: open library + build index", m["library"] - m["imports"]],
            ["phase: load sentence + emotion models", m["models"] - m["library"]],
            ["phase: first query", m["first_recommendation"] - m["models"]],
            ["in-process total (median)", m["first_recommendation"]],
        ],
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
