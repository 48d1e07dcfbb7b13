"""How much do listeners' corrections teach the library? A simulation on a labelled library.

Each draw picks N labelled tracks at random and corrects them with their own first label (the
catalogue plays the listener), then judges the other labelled tracks with `corrected_agreement`,
the code behind `moodtune eval songs --library`: top-1 agreement of the model alone and with the
calibration the corrections switch on. Prints, per N, the mean change over draws with a 95%
bootstrap interval, the 2.5-97.5 percentiles of the change over draws, the share of draws that
lost, and how often the calibration switched on.
Nothing is written: the corrections of each draw live in memory.

    python scripts/simulate_corrections.py --home .moodtune [--n 10,20,40] [--draws 50]

For the public-domain development songs, build their library first:
    moodtune --home /tmp/pd ingest file ../shared/eval/pd_songs_dev.jsonl
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np

from moodtune.config import load_settings
from moodtune.corrections import Correction
from moodtune.label import corrected_agreement
from moodtune.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, help="MOODTUNE_HOME of a labelled library")
    parser.add_argument("--n", default="10,20,40", help="corrections per draw (comma-separated)")
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    settings = load_settings(secrets_path=Path("/nonexistent"), home=args.home)
    library = open_store(settings, read_only=True)
    index = library.index()
    states = library.song_states()
    labelled = [r for r in range(len(index)) if index.labels[r]]
    print(f"{len(labelled)} labelled tracks in {settings.library_url}")
    print(
        "| corrections | draws | top-1 before | top-1 after | mean change [95% CI] "
        "| change [95% of draws] | draws < 0 | on |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in (int(x) for x in args.n.split(",")):
        rng = random.Random(args.seed + n)
        before, after, active = [], [], []
        for _ in range(args.draws):
            rows = rng.sample(labelled, n)
            fixes = {
                index.track_ids[r]: Correction(index.track_ids[r], index.labels[r][0]) for r in rows
            }
            result = corrected_agreement(index, fixes, resamples=1, states=lambda: states)
            before.append(result.before.top1.mean)
            after.append(result.after.top1.mean)
            active.append(result.calibration.active)
        delta = np.array(after) - np.array(before)
        low, high = np.percentile(delta, [2.5, 97.5])
        # The mean change's interval: a bootstrap over draws.
        boot = np.random.default_rng(args.seed).choice(delta, size=(2000, len(delta))).mean(1)
        mean_low, mean_high = np.percentile(boot, [2.5, 97.5])
        print(
            f"| {n} | {args.draws} | {np.mean(before):.3f} | {np.mean(after):.3f} | "
            f"{delta.mean():+.3f} [{mean_low:+.3f}, {mean_high:+.3f}] | "
            f"[{low:+.3f}, {high:+.3f}] | {np.mean(delta < 0):.0%} | {np.mean(active):.0%} |"
        )


if __name__ == "__main__":
    main()
