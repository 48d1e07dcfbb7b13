"""Ingestion throughput (songs/s) of each offline extractor on the demo catalogue and on the
public-domain songs, into a fresh Deep Lake library each time.

Models are loaded and warmed before the clock starts (their load time is reported apart and
is part of the cold-start benchmark), so a figure is the steady cost of cleaning, embedding
every stanza and line, extracting emotions per stanza, and writing committed batches.
The demo library built with the local extractor is kept for cold_start.py and memory.py.

    python bench/ingest.py [--quick] [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from harness import (
    DEFAULT_WORK,
    DEMO_HOME_NAME,
    PUBLIC_DOMAIN_SONGS,
    add_run_options,
    log,
    machine,
    print_table,
    self_peak_rss_mb,
    set_torch_threads,
    write_result,
)

from moodtune.config import load_settings
from moodtune.embed import get_embedder
from moodtune.emotions import build_extractor
from moodtune.ingest import Ingestor
from moodtune.models import Track
from moodtune.sources.demo import load_demo_catalogue
from moodtune.sources.files import load_tracks_file
from moodtune.store import open_store
from moodtune.text import clean_lyrics, split_lines, split_stanzas

EXTRACTORS = ("local", "lexicon")  # the offline ones; `llm` needs a server, `keyword` is a fake
QUICK_PUBLIC_DOMAIN = 100


def _units(tracks: list[Track]) -> tuple[int, int]:
    stanzas = lines = 0
    for t in tracks:
        clean = clean_lyrics(t.lyrics)
        stanzas += len(split_stanzas(clean))
        lines += len(split_lines(clean))
    return stanzas, lines


def measure(extractor_name: str, label: str, tracks: list[Track], home: Path) -> dict[str, Any]:
    """Ingest `tracks` into a fresh library at `home` and time it."""
    if home.exists():
        shutil.rmtree(home)
    settings = load_settings(secrets_path=Path("/nonexistent"), home=str(home))
    embedder = get_embedder(settings.embedder)
    start = time.perf_counter()
    extractor = build_extractor(extractor_name, settings)
    extractor.extract(["warm the model up"])  # loads lazily-built models
    embedder.embed(["warm the model up"])
    load_s = time.perf_counter() - start
    ingestor = Ingestor(open_store(settings, create=True), embedder, extractor)
    start = time.perf_counter()
    report = ingestor.run(tracks, label)
    seconds = time.perf_counter() - start
    stanzas, lines = _units(tracks)
    counts = report.counts
    log(f"{extractor_name} on {label}: {len(tracks)} songs in {seconds:.1f} s ({counts})")
    return {
        "extractor": extractor_name,
        "extractor_version": extractor.version,
        "data": label,
        "songs": len(tracks),
        "stanzas": stanzas,
        "lines": lines,
        "seconds": round(seconds, 2),
        "songs_per_s": round(len(tracks) / seconds, 2),
        "texts_embedded_per_s": round((stanzas + lines) / seconds, 1),
        "model_load_s": round(load_s, 2),
        "outcomes": counts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Public-domain subset only.")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--extractors", default=",".join(EXTRACTORS), help="Comma-separated.")
    parser.add_argument("--demo-only", action="store_true", help="Skip the public-domain songs.")
    add_run_options(parser, "ingest")
    args = parser.parse_args(argv)
    set_torch_threads(args.torch_threads)
    args.work.mkdir(parents=True, exist_ok=True)
    info = machine()
    demo = load_demo_catalogue()
    public = load_tracks_file(PUBLIC_DOMAIN_SONGS)
    if args.quick:
        public = public[:QUICK_PUBLIC_DOMAIN]
    datasets = [("demo catalogue", demo), (f"public-domain songs ({len(public)})", public)]
    if args.demo_only:
        datasets = datasets[:1]
    runs = []
    for name in args.extractors.split(","):
        for label, tracks in datasets:
            home = args.work / (
                DEMO_HOME_NAME
                if (name, label) == ("local", "demo catalogue")
                else f"ingest-{name}-{len(tracks)}"
            )
            runs.append(measure(name, label, tracks, home))
            if home.name != DEMO_HOME_NAME:
                shutil.rmtree(home, ignore_errors=True)
    result = {
        "machine": info,
        "quick": args.quick,
        "runs": runs,
        "demo_home": str(args.work / DEMO_HOME_NAME),
        "peak_rss_mb": self_peak_rss_mb(),
    }
    path = write_result(args.name, result)
    print_table(
        f"Ingestion throughput (models warm; fresh library per run; torch threads "
        f"{info['torch_threads']})",
        ["extractor", "data", "songs", "stanzas + lines", "seconds", "songs/s", "model load s"],
        [
            [r["extractor"], r["data"], r["songs"], r["stanzas"] + r["lines"], r["seconds"],
             r["songs_per_s"], r["model_load_s"]]
            for r in runs
        ],
    )  # fmt: skip
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
