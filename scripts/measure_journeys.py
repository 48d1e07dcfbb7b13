"""How well do mood journeys keep their promises? Every labelled feeling, walked to a target.

For each query in data/eval_queries.jsonl (104 labelled feelings), plans a journey of N tracks
to each target emotion given (default joy and sadness; a query whose label is the target is
skipped for that target) on the library at --home, and prints JSON: the share of journeys that
keep each promise (distinct tracks, the first track nearer the query than the target, the last
nearer the target than the first, no step moving away, no artist twice in a row) and the mean
profile distance to the target of the first and the last track, and the size of a step (profile
distance between consecutive tracks) against the whole walk's (first to last).

    python scripts/measure_journeys.py --home .moodtune [--targets joy,sadness] [-n 8]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from moodtune.config import load_settings
from moodtune.corrections import existing_corrections
from moodtune.journey import plan_journey
from moodtune.recommend import build_recommender
from moodtune.store import open_store

QUERIES = Path(__file__).resolve().parents[1] / "data" / "eval_queries.jsonl"
PROMISES = ("distinct", "first_meets_query", "falls_overall", "monotone", "no_artist_back_to_back")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--home", required=True, help="MOODTUNE_HOME of the library")
    parser.add_argument("--targets", default="joy,sadness", help="target emotions, comma-separated")
    parser.add_argument("-n", type=int, default=8, help="tracks per journey")
    args = parser.parse_args()

    settings = load_settings(secrets_path=Path("/nonexistent"), home=args.home)
    store = open_store(settings, read_only=True)
    engine = build_recommender(
        settings, store, corrections=existing_corrections(settings.corrections_path)
    )
    queries = [json.loads(line) for line in QUERIES.read_text("utf-8").splitlines() if line]
    report: dict[str, object] = {"library_tracks": len(store), "n": args.n}
    for target in args.targets.split(","):
        kept = {p: 0 for p in PROMISES}
        first, last, steps, spans, walked = [], [], [], [], 0
        for q in queries:
            if target in q["emotions"]:
                continue
            journey = plan_journey(engine, q["query"], target, args.n)
            checks = journey.checks()
            for p in PROMISES:
                kept[p] += bool(getattr(checks, p))
            first.append(journey.distances[0])
            last.append(journey.distances[-1])
            vectors = np.array([s.profile.scores for s in journey.steps])
            steps.extend(np.linalg.norm(np.diff(vectors, axis=0), axis=1).tolist())
            spans.append(float(np.linalg.norm(vectors[-1] - vectors[0])))
            walked += 1
        report[target] = {
            "journeys": walked,
            "share_keeping": {p: round(kept[p] / walked, 3) for p in PROMISES},
            "mean_distance_to_target_first": round(float(np.mean(first)), 3),
            "mean_distance_to_target_last": round(float(np.mean(last)), 3),
            "mean_step": round(float(np.mean(steps)), 3),
            "p95_step": round(float(np.percentile(steps, 95)), 3),
            "mean_first_to_last": round(float(np.mean(spans)), 3),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
