"""Fit the `local` extractor's lyrics offsets on unlabelled real songs and write them.

The extractor is trained on subtitle lines (XED) but scores song stanzas, and on stanzas it
leans to some emotions whatever the song says (disgust most: without a correction about half of
all songs come out disgust-dominant). This script measures that lean on a corpus of real lyrics
without using any label, and stores per-emotion offsets that `pool_stanzas` subtracts from every
pooled song profile:

    offset[e] = mean over songs of pooled[e] - mean over songs and emotions of pooled

so that over the corpus every emotion has the same mean score and the overall level is kept.
The rule is fixed (no strength is tuned). Queries are single sentences like XED lines and are
not corrected. The labelled demo catalogue is scored before and after, for the record only.

Usage:
    .venv/bin/python scripts/fit_song_offsets.py \
        --songs ../shared/data/public_domain_songs.jsonl --weights moodtune/emotions/weights
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from moodtune.emotions.base import extract_songs, profile_matrix
from moodtune.emotions.local import META_FILE, METRICS_FILE, LocalExtractor, load_weights_dir
from moodtune.models import EMOTIONS, Track
from moodtune.sources.demo import load_demo_catalogue
from moodtune.sources.files import parse_tracks
from moodtune.text import clean_lyrics, split_stanzas

ROOT = Path(__file__).resolve().parent.parent


def pooled(extractor: LocalExtractor, tracks: list[Track]) -> np.ndarray:
    stanzas = [split_stanzas(clean_lyrics(t.lyrics)) for t in tracks]
    return profile_matrix([song.profile for song in extract_songs(extractor, stanzas)])


def per_emotion(values: np.ndarray, digits: int = 4) -> dict[str, float]:
    return {e: round(float(v), digits) for e, v in zip(EMOTIONS, values, strict=True)}


def dominant(matrix: np.ndarray) -> dict[str, int]:
    counts = Counter(EMOTIONS[i] for i in matrix.argmax(axis=1))
    return {e: counts.get(e, 0) for e in EMOTIONS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--songs", type=Path, default=ROOT.parent / "shared/data/public_domain_songs.jsonl"
    )
    parser.add_argument("--weights", type=Path, default=ROOT / "moodtune/emotions/weights")
    args = parser.parse_args()
    started = time.time()

    raw = LocalExtractor(dataclasses.replace(load_weights_dir(args.weights), song_offsets=None))
    corpus = parse_tracks(args.songs.read_bytes(), args.songs.name)
    before = pooled(raw, corpus)
    means = before.mean(axis=0)
    offsets = means - means.mean()
    after = np.clip(before - offsets, 0.0, 1.0)

    demo = load_demo_catalogue()
    demo_labels = [t.labels for t in demo]
    demo_before = pooled(raw, demo)
    demo_after = np.clip(demo_before - offsets, 0.0, 1.0)

    def agreement(matrix: np.ndarray) -> dict[str, int]:
        top = [EMOTIONS[i] for i in matrix.argmax(axis=1)]
        pairs = list(zip(top, demo_labels, strict=True))
        return {
            "dominant_is_first_label": sum(t == lab[0] for t, lab in pairs),
            "dominant_in_labels": sum(t in lab for t, lab in pairs),
            "songs": len(pairs),
        }

    meta_path = args.weights / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["song_offsets"] = per_emotion(offsets)
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    record = {
        "rule": "offset[e] = corpus mean of pooled[e] - corpus mean over all emotions",
        "corpus": f"{args.songs.name}: {len(corpus)} real public-domain songs, no labels used",
        "offsets": meta["song_offsets"],
        "corpus_mean_before": per_emotion(means),
        "corpus_dominant_before": dominant(before),
        "corpus_dominant_after": dominant(after),
        "corpus_present_share_before": per_emotion((before >= 0.5).mean(axis=0), 3),
        "corpus_present_share_after": per_emotion((after >= 0.5).mean(axis=0), 3),
        "demo_check_before": agreement(demo_before),
        "demo_check_after": agreement(demo_after),
        "demo_dominant_before": dominant(demo_before),
        "demo_dominant_after": dominant(demo_after),
        "seconds": round(time.time() - started, 1),
    }
    metrics_path = args.weights / METRICS_FILE
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    metrics["song_offsets"] = record
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
