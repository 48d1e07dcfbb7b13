"""A library on S3-compatible storage: ingestion and cold start against a local S3 server.

Starts moto's S3 server (`moto[server]`, offline) on 127.0.0.1, then (1) ingests the demo
catalogue with the local extractor into `s3://moodtune-bench/demo` and into a local folder,
models warm, and (2) times `moodtune recommend` from spawn to exit against each: the first
run after ingestion builds the local track pack, the next ones read it. The server runs on the
same machine, so network time is loopback only: a real object store adds its round trips.

    python bench/object_storage.py [--runs 3] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import DEFAULT_WORK, ROOT, log, machine, print_table, write_result

from moodtune.appserver import running_s3_server
from moodtune.config import load_settings
from moodtune.embed import get_embedder
from moodtune.emotions import build_extractor
from moodtune.ingest import Ingestor
from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists
from moodtune.store import open_store

BUCKET = "moodtune-bench"
QUERY = "rainy Sunday, missing home"
KEYS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1"}


def ingest(home: str, env: dict[str, str]) -> float:
    settings = load_settings(secrets_path=Path("/nonexistent"), home=home, **env)
    embedder = get_embedder(settings.embedder)
    extractor = build_extractor("local", settings)
    extractor.extract(["warm the model up"])
    embedder.embed(["warm the model up"])
    start = time.perf_counter()
    Ingestor(open_store(settings, create=True), embedder, extractor).run(
        load_demo_catalogue(), "demo", playlists=load_demo_playlists()
    )
    return time.perf_counter() - start


def cold_start(home: str, env: dict[str, str], runs: int, local: Path) -> list[float]:
    child_env = {**os.environ, **env, "MOODTUNE_HOME": home, "MOODTUNE_LOCAL_DIR": str(local)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "moodtune.cli", "recommend", QUERY, "-k", "5"],
            env=child_env, cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        times.append(round(time.perf_counter() - start, 2))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args(argv)
    info = machine()
    local_home = args.work / "s3-bench-local"
    shutil.rmtree(local_home, ignore_errors=True)
    shutil.rmtree(args.work / "s3-bench-side", ignore_errors=True)
    result: dict[str, Any] = {"machine": info}
    with running_s3_server(BUCKET, "bench", "bench") as endpoint:
        env = {**KEYS, "MOODTUNE_S3_ENDPOINT_URL": endpoint}
        os.environ.update(env)
        remote_home = f"s3://{BUCKET}/demo"
        result["ingest_s"] = {
            "s3": round(ingest(remote_home, {}), 1),
            "local": round(ingest(str(local_home), {}), 1),
        }
        log(f"ingest: {result['ingest_s']}")
        result["cold_start_s"] = {
            "s3": cold_start(remote_home, env, args.runs, args.work / "s3-bench-side"),
            "local": cold_start(str(local_home), env, args.runs, local_home),
        }
        log(f"cold start: {result['cold_start_s']}")
    path = write_result("object_storage", result)
    rows = [
        ["demo ingestion (162 songs, local extractor, models warm), s",
         result["ingest_s"]["s3"], result["ingest_s"]["local"]],
        ["`moodtune recommend` first run after ingestion (builds the pack), s",
         result["cold_start_s"]["s3"][0], result["cold_start_s"]["local"][0]],
        ["`moodtune recommend` later runs (pack on local disk), s",
         " / ".join(map(str, result["cold_start_s"]["s3"][1:])),
         " / ".join(map(str, result["cold_start_s"]["local"][1:]))],
    ]  # fmt: skip
    print_table(
        "Object storage (moto S3 server on 127.0.0.1) vs local disk",
        ["measure", "S3", "local"],
        rows,
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
