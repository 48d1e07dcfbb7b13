"""Shared pieces of the benchmark scripts: paths, the machine description, timing helpers,
peak-RSS readers, and writing results as JSON beside a printed table.

Benchmarks are scripts, not tests: they call MoodTune's public API and print. Nothing here
downloads anything; the embedding model comes from the installed package.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _shared_dir() -> Path:
    """The workplace's shared folder (XED, public-domain songs): beside the checkout, or /work."""
    candidates = [ROOT.parent / "shared", Path("/work/shared")]
    if os.environ.get("MOODTUNE_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["MOODTUNE_SHARED_DIR"]))
    return next((c for c in candidates if (c / "data").is_dir()), candidates[0])


SHARED = _shared_dir()
PUBLIC_DOMAIN_SONGS = SHARED / "data" / "public_domain_songs.jsonl"
QUERIES = ROOT / "data" / "eval_queries.jsonl"
DEFAULT_WORK = Path(os.environ.get("MOODTUNE_BENCH_WORK", "/tmp/moodtune-bench"))
DEMO_HOME_NAME = "demo-home"  # the demo library ingest.py builds and the others reuse


def machine() -> dict[str, Any]:
    """Describe the machine and the software the numbers came from."""
    import deeplake
    import torch

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "deeplake": deeplake.__version__,
        "git": _git_head(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def machine_line(info: dict[str, Any]) -> str:
    """One line for a table caption."""
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, {info['os']}, "
        f"Python {info['python']}, torch {info['torch']} ({info['torch_threads']} threads), "
        f"load average {info['load_average_1m']} at start, commit {info['git']}, {info['when']}"
    )


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def _git_head() -> str:
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def add_run_options(parser: argparse.ArgumentParser, name: str) -> None:
    """The options every timing script shares: torch's thread count and the result's name."""
    parser.add_argument(
        "--torch-threads", type=int, default=None, help="torch.set_num_threads (default: torch's)."
    )
    parser.add_argument("--name", default=name, help="Result name: bench/results/NAME.json.")


def set_torch_threads(threads: int | None) -> None:
    """Apply --torch-threads, when given."""
    if threads:
        import torch

        torch.set_num_threads(threads)


def percentiles(samples_s: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean of durations in seconds, returned in milliseconds."""
    arr = np.asarray(samples_s, dtype=np.float64) * 1000.0
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p95_ms": round(float(np.percentile(arr, 95)), 3),
        "mean_ms": round(float(arr.mean()), 3),
        "n": int(arr.size),
    }


def timed(func: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """Call func and return (result, seconds)."""
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - start


def self_peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def proc_status_mb(pid: int, field: str) -> float | None:
    """VmRSS / VmHWM (peak) of a running process from /proc, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def read_queries(files: Sequence[Path] | None = None) -> list[str]:
    """Query texts used as realistic load: the labelled feelings, or those of `files`
    (the same JSONL format, e.g. data/eval_queries_multilingual/es.jsonl)."""
    return [
        json.loads(line)["query"]
        for path in files or [QUERIES]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def add_queries_option(parser: argparse.ArgumentParser) -> None:
    """--queries-file FILE (repeatable): these feelings instead of data/eval_queries.jsonl."""
    parser.add_argument(
        "--queries-file",
        dest="queries_files",
        type=Path,
        action="append",
        default=None,
        help="JSONL feelings to time instead of data/eval_queries.jsonl (repeatable).",
    )


def write_result(name: str, data: dict[str, Any]) -> Path:
    """Write bench/results/<name>.json (atomically, so a killed run leaves the old file)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a Markdown table (the same renderer as `moodtune eval`)."""
    from moodtune.evaluate import format_table

    print(f"\n### {title}\n", flush=True)
    print(format_table(headers, [[_cell(c) for c in row] for row in rows]), flush=True)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
