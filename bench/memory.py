"""Peak RSS of a process that serves queries, and of `streamlit run app.py` after one query.

(1) A child process opens a library, builds the recommender and answers every labelled query
with every approach (k=10, explained), then reports its peak RSS (ru_maxrss): on the demo
library and, when latency.py has built them, on the synthetic 10k/100k libraries.
(2) `streamlit run app.py` on the demo library, driven by headless Chromium: open the
Recommend page, ask one feeling, wait for the results; then the server's peak RSS (VmHWM).

    python bench/memory.py [--quick] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import (
    DEFAULT_WORK,
    DEMO_HOME_NAME,
    ROOT,
    add_queries_option,
    log,
    machine,
    print_table,
    proc_status_mb,
    read_queries,
    self_peak_rss_mb,
    write_result,
)

from moodtune.appserver import CHROMIUM, chromium_page, running_app

QUERY = "rainy sunday, missing home"
TARGET_MB = 1024  # issue 13: 100k tracks in 1 GB, everything included


def serve_child(home: str, limit: int, query_files: list[Path] | None = None) -> None:
    """Answer `limit` queries with every approach, then print the peak RSS as JSON."""
    from moodtune.config import load_settings
    from moodtune.recommend import APPROACHES, build_recommender
    from moodtune.store import open_store

    stages: dict[str, float | None] = {}

    def stage(name: str) -> None:
        stages[name] = proc_status_mb(os.getpid(), "VmRSS")

    settings = load_settings(home=home)
    store = open_store(settings, read_only=True)
    stage("library opened")
    store.index()
    stage("index built")
    recommender = build_recommender(settings, store)
    recommender.context("warm").embedding  # noqa: B018  (loads the sentence model)
    stage("sentence model")
    recommender.context("warm").profile  # noqa: B018  (loads the emotion model)
    stage("emotion model")
    recommender.view()
    stage("listener view")
    queries = read_queries(query_files)[:limit]
    start = time.perf_counter()
    for query in queries:
        for approach in APPROACHES.names():
            recommender.recommend(query, approach, k=10)
    stage("after the queries")
    print(
        json.dumps(
            {
                "tracks": len(store),
                "queries": len(queries) * len(APPROACHES.names()),
                "seconds": round(time.perf_counter() - start, 2),
                "peak_rss_mb": self_peak_rss_mb(),
                "rss_mb_by_stage": stages,
            }
        )
    )


def serve(home: Path, limit: int, query_files: list[Path] | None = None) -> dict[str, Any]:
    files = [arg for path in query_files or [] for arg in ("--queries-file", str(path))]
    out = subprocess.run(
        [sys.executable, __file__, "--serve-child", str(home), "--limit", str(limit), *files],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    ).stdout
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    log(f"serve on {home.name}: {data}")
    return data


def streamlit_after_one_query(home: Path, work: Path) -> dict[str, Any]:
    """Start the app, ask one feeling in a real browser, read the server's peak RSS."""
    from playwright.sync_api import expect

    start = time.perf_counter()
    with running_app(ROOT, home, work / "streamlit.log") as (url, proc):
        healthy_s = time.perf_counter() - start
        idle_mb = proc_status_mb(proc.pid, "VmRSS")
        with chromium_page(1400, 1000) as page:
            page.goto(f"{url}/Recommend")
            box = page.get_by_label("How do you feel?")
            expect(box).to_be_visible(timeout=120_000)
            box.fill(QUERY)
            asked = time.perf_counter()
            page.locator('[data-testid="stFormSubmitButton"] button').click()
            # Results are drawn with thumbs under each one (a radio group or buttons,
            # depending on the Streamlit version).
            thumbs = page.get_by_role("radiogroup", name="Feedback rating").or_(
                page.get_by_role("button", name="Thumbs up")
            )
            expect(thumbs.first).to_be_visible(timeout=300_000)
            first_answer_s = time.perf_counter() - asked
            first_result_s = time.perf_counter() - start
        time.sleep(1.0)
        return {
            "healthy_after_s": round(healthy_s, 2),
            "first_query_s": round(first_answer_s, 2),
            "start_to_first_result_s": round(first_result_s, 2),
            "idle_rss_mb": idle_mb,
            "rss_after_query_mb": proc_status_mb(proc.pid, "VmRSS"),
            "peak_rss_mb": proc_status_mb(proc.pid, "VmHWM"),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Fewer queries; demo only.")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--serve-child", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=104, help=argparse.SUPPRESS)
    parser.add_argument("--name", default="memory", help="Result name: bench/results/NAME.json.")
    add_queries_option(parser)
    args = parser.parse_args(argv)
    if args.serve_child:
        serve_child(args.serve_child, args.limit, args.queries_files)
        return 0
    demo = args.work / DEMO_HOME_NAME
    if not (demo / "library").exists():
        log(f"no demo library in {demo}: run bench/ingest.py first")
        return 1
    limit = 20 if args.quick else 104
    serving = {"demo": serve(demo, limit, args.queries_files)}
    sizes = ("10000",) if args.quick else ("10000", "100000")
    for n in sizes:
        home = args.work / f"synthetic-{n}"
        if (home / "library").exists():
            serving[f"synthetic {int(n) // 1000}k"] = serve(
                home, min(limit, 20), args.queries_files
            )
    app: dict[str, Any] | None = None
    if CHROMIUM.exists():
        app = streamlit_after_one_query(demo, args.work)
        log(f"streamlit: {app}")
    else:
        log("no /usr/bin/chromium: skipping the streamlit measurement")
    result = {
        "machine": machine(),
        "quick": args.quick,
        "target_mb": TARGET_MB,
        "serve": serving,
        "streamlit": app,
    }
    result["queries_files"] = [str(p) for p in args.queries_files or []]
    path = write_result(args.name, result)
    rows: list[list[Any]] = [
        [f"query-serving process, {name} ({d['tracks']:,} tracks, {d['queries']} queries)",
         d["peak_rss_mb"]]
        for name, d in serving.items()
    ]  # fmt: skip
    if app is not None:
        rows.append(["`streamlit run app.py`, idle after start", app["idle_rss_mb"]])
        rows.append(["`streamlit run app.py` after one query (peak)", app["peak_rss_mb"]])
    print_table("Peak resident memory (MB)", ["process", "peak RSS MB"], rows)
    if app is not None:
        print(
            f"\nstreamlit: healthy after {app['healthy_after_s']} s; first query answered in "
            f"{app['first_query_s']} s; server start to first result "
            f"{app['start_to_first_result_s']} s"
        )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
