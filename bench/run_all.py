"""`make bench`: every benchmark in its own process, then one table against the targets.

Runs ingest.py (which also builds the demo library the others reuse), cold_start.py,
latency.py and memory.py, each writing bench/results/<name>.json, then prints the targets
table and writes bench/results/summary.json. Synthetic libraries and the demo library live
in --work (default /tmp/moodtune-bench, or MOODTUNE_BENCH_WORK) and are reused by later runs.

    python bench/run_all.py [--quick] [--only ingest,latency] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import DEFAULT_WORK, RESULTS, log, machine, machine_line, print_table, write_result

BENCH = Path(__file__).resolve().parent
ORDER = ("ingest", "cold_start", "latency", "memory")

TARGETS = {
    "p95_10k_ms": 50.0,
    "ratio_100k": 2.0,
    "demo_ingest_local_s": 60.0,
    "cold_start_s": 15.0,
    "rss_mb": 1536.0,
}


_RAN: set[str] = set()


def _load(name: str) -> dict[str, Any] | None:
    """The latest result of a section; one this invocation did not run is marked stale."""
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    data["_stale"] = name not in _RAN
    return data


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "not measured"
    if value <= target:
        return "met"
    return f"missed by {value - target:,.1f} ({value / target:.1f}x)"


def _row(
    measure: str, value: float | None, shown: str, target: float, data: dict[str, Any]
) -> list[Any]:
    verdict = _verdict(value, target)
    if data.get("_stale"):
        verdict += f" (earlier run, {data['machine']['when']})"
    return [measure, value, shown, verdict]


def targets_table(quick: bool) -> list[list[Any]]:
    """One row per target: what was measured against it and whether it was met."""
    rows: list[list[Any]] = []
    p95_target, ratio_target = TARGETS["p95_10k_ms"], TARGETS["ratio_100k"]
    for name, label in (("latency", ""), ("latency_torch1", ", torch on 1 thread")):
        data = _load(name)
        if data is None or (name.endswith("torch1") and data["_stale"]):
            continue
        sizes = data["sizes"]
        for approach, a in sizes.get("10000", {}).get("approaches", {}).items():
            rows.append(
                _row(f"p95 full query, 10k tracks, {approach}{label}", a["full"]["p95_ms"],
                     "<= 50 ms", p95_target, data)
            )  # fmt: skip
        for approach, a in sizes.get("100000", {}).get("approaches", {}).items():
            rows.append(
                _row(f"rank-only / numpy scan p50, 100k, {approach}{label}",
                     a["ratio_rank_vs_song_scan_p50"], "<= 2x", ratio_target, data)
            )  # fmt: skip
        if name == "latency" and "100000" not in sizes:
            note = "not measured (--quick)" if data.get("quick") else "not measured"
            rows.append(["rank-only / numpy scan, 100k", None, "<= 2x", note])
    for name, label in (("ingest", ""), ("ingest_torch1", ", torch on 1 thread")):
        ingest = _load(name)
        if ingest is None or (name.endswith("torch1") and ingest["_stale"]):
            continue
        for run in ingest["runs"]:
            if run["extractor"] == "local" and run["data"] == "demo catalogue":
                rows.append(
                    _row(f"demo ingestion, local extractor{label} (s)", run["seconds"], "<= 60 s",
                         TARGETS["demo_ingest_local_s"], ingest)
                )  # fmt: skip
    cold = _load("cold_start")
    if cold is not None:
        rows.append(
            _row("cold start, `moodtune recommend`, worst run (s)", cold["cli_max_s"],
                 "<= 15 s", TARGETS["cold_start_s"], cold)
        )  # fmt: skip
    memory = _load("memory")
    if memory is not None:
        demo = memory["serve"].get("demo")
        if demo:
            rows.append(
                _row("peak RSS, query-serving process, demo (MB)", demo["peak_rss_mb"],
                     "<= 1536 MB", TARGETS["rss_mb"], memory)
            )  # fmt: skip
        app = memory.get("streamlit")
        if app:
            rows.append(
                _row("peak RSS, streamlit after one query (MB)", app["peak_rss_mb"],
                     "<= 1536 MB", TARGETS["rss_mb"], memory)
            )  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="A smaller run (about 3 minutes).")
    parser.add_argument("--only", help=f"Comma-separated subset of {', '.join(ORDER)}.")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument(
        "--extras", action="store_true", help="Also ingestion and latency with torch on 1 thread."
    )
    args = parser.parse_args(argv)
    chosen = [n for n in ORDER if not args.only or n in args.only.split(",")]
    info = machine()
    print(f"Machine: {machine_line(info)}", flush=True)
    timings: dict[str, float] = {}
    failed: list[str] = []
    jobs = [(name, [str(BENCH / f"{name}.py"), *(["--quick"] if args.quick else [])])
            for name in chosen]  # fmt: skip
    if args.extras:
        # The same demo ingestion and 10k queries with torch on one thread (default: torch
        # uses every core): on two shared cores the choice matters (docs/benchmarks.md).
        queries = "20" if args.quick else "40"
        extras = {
            "ingest": ("ingest_torch1", ["ingest.py", "--extractors", "local", "--demo-only"]),
            "latency": ("latency_torch1", ["latency.py", "--sizes", "10000", "--queries", queries]),
        }
        for after, (name, (script, *rest)) in extras.items():
            if after in chosen:
                at = next(i for i, job in enumerate(jobs) if job[0] == after) + 1
                extra = [*rest, "--torch-threads", "1", "--name", name]
                jobs.insert(at, (name, [str(BENCH / script), *extra]))
    for name, script in jobs:
        command = [sys.executable, *script, "--work", str(args.work)]
        log(f"running {name}")
        start = time.perf_counter()
        done = subprocess.run(command, check=False)
        timings[name] = round(time.perf_counter() - start, 1)
        if done.returncode != 0:
            failed.append(name)
            log(f"{name} failed with exit code {done.returncode}")
    _RAN.update(name for name, _ in jobs)
    rows = targets_table(args.quick)
    print_table("Targets", ["measure", "value", "target", "verdict"], rows)
    summary = {
        "machine": info,
        "quick": args.quick,
        "ran": chosen,
        "failed": failed,
        "seconds": timings,
        "targets": [
            dict(zip(("measure", "value", "target", "verdict"), r, strict=True)) for r in rows
        ],
    }
    path = write_result("summary", summary)
    print(f"\nSections took {timings} s; wrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
