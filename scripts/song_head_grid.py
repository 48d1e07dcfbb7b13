"""Compare song-head candidates on the development sets, from cached encoder states.

Encodes once (cached under --cache as .npy): XED English train lines, the stanzas of the written
songs in each --written folder, and the stanzas of each --dev file, with the fine-tuned v3
encoder that the song head reads. Then fits the head (a multinomial logistic regression over
stanza states, as scripts/train_song_head.py does) for every point of a small grid and prints
top-1 / top-2 agreement with each dev file's main emotions. Nothing is fitted on the dev files:
they only judge (development data, docs/local_extractor.md).

    python scripts/song_head_grid.py --written data/lyric_songs --written data/lyric_songs_more \
        --dev ../shared/eval/pd_songs_dev.jsonl --dev data/demo_catalogue.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from moodtune.emotions.local import FineTunedMember, load_weights_dir, weights_dir  # noqa: E402
from moodtune.evaluate import read_xed  # noqa: E402
from moodtune.models import EMOTIONS  # noqa: E402
from moodtune.sources.files import load_tracks_file  # noqa: E402
from moodtune.text import clean_lyrics, split_stanzas  # noqa: E402

COMMON = [EMOTIONS.index(e) for e in ("joy", "trust", "sadness")]


def songs_of(paths: list[Path]) -> tuple[list[list[str]], list[int]]:
    """Stanzas and main-emotion index of every labelled song in the given files/folders."""
    stanzas: list[list[str]] = []
    mains: list[int] = []
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for file in files:
            for track in load_tracks_file(file):
                if track.labels:
                    stanzas.append(split_stanzas(clean_lyrics(track.lyrics)))
                    mains.append(EMOTIONS.index(track.labels[0]))
    return stanzas, mains


def cached_states(encoder: FineTunedMember, texts: list[str], cache: Path) -> np.ndarray:
    """Pooled states of `texts`, read from or written to a cache file keyed by their digest."""
    key = hashlib.sha1("\x1e".join(texts).encode()).hexdigest()[:16]
    path = cache / f"states-{key}.npy"
    if path.exists():
        return np.load(path)
    states = encoder.pooled(texts).astype(np.float32)
    np.save(path, states)
    return states


def song_scores(model: object, states: np.ndarray, bounds: list[int]) -> np.ndarray:
    from scipy.special import log_softmax

    logits = states @ model.coef_.T + model.intercept_  # type: ignore[attr-defined]
    logp = log_softmax(logits, axis=1)
    return np.stack([logp[a:b].mean(axis=0) for a, b in itertools.pairwise(bounds)])


def agreement(scores: np.ndarray, mains: list[int]) -> tuple[float, float]:
    order = np.argsort(-scores, axis=1, kind="stable")
    y = np.array(mains)
    return float(np.mean(order[:, 0] == y)), float(np.mean((order[:, :2] == y[:, None]).any(1)))


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--written", type=Path, action="append", default=[])
    parser.add_argument("--dev", type=Path, action="append", default=[])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/moodtune-song-head-cache"))
    parser.add_argument("--C", type=float, nargs="+", default=[0.03])
    parser.add_argument("--weight", type=float, nargs="+", default=[5.0])
    parser.add_argument("--bonus", type=float, nargs="+", default=[0.5])
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)

    weights = load_weights_dir(weights_dir())
    encoder = FineTunedMember(weights.path, weights.max_length)
    xed = read_xed(args.data_dir / "xed_en_train.tsv")
    xed_x = cached_states(encoder, [item.text for item in xed], args.cache)
    rows = [i for i, item in enumerate(xed) for _ in item.labels]
    xed_y = np.array([EMOTIONS.index(label) for item in xed for label in item.labels])
    xed_x = xed_x[rows]

    written: list[tuple[np.ndarray, np.ndarray]] = []
    for folder in args.written:
        stanzas, mains = songs_of([folder])
        states = cached_states(encoder, [s for song in stanzas for s in song], args.cache)
        labels = np.array([m for song, m in zip(stanzas, mains, strict=True) for _ in song])
        written.append((states, labels))
        print(f"{folder}: {len(stanzas)} songs, {len(labels)} stanzas")

    devs = []
    for path in args.dev:
        stanzas, mains = songs_of([path])
        states = cached_states(encoder, [s for song in stanzas for s in song], args.cache)
        bounds = [0, *itertools.accumulate(len(s) for s in stanzas)]
        devs.append((path.name, states, bounds, mains))

    print("C\tweight\tbonus\t" + "\t".join(f"{name} top1/top2" for name, *_ in devs) + "\tmean")
    for c, w in itertools.product(args.C, args.weight):
        x = np.vstack([xed_x, *(s for s, _ in written)])
        y = np.concatenate([xed_y, *(lab for _, lab in written)])
        sw = np.concatenate([np.ones(len(xed_y)), *(np.full(len(lab), w) for _, lab in written)])
        model = LogisticRegression(C=c, max_iter=5000).fit(x, y, sample_weight=sw)
        raw = [song_scores(model, states, bounds) for _, states, bounds, _ in devs]
        for b in args.bonus:
            figures = []
            for scores, (_, _, _, mains) in zip(raw, devs, strict=True):
                boosted = scores.copy()
                boosted[:, COMMON] += b
                figures.append(agreement(boosted, mains))
            cells = "\t".join(f"{t1:.3f}/{t2:.3f}" for t1, t2 in figures)
            mean = np.mean([t1 for t1, _ in figures])
            print(f"{c}\t{w}\t{b}\t{cells}\t{mean:.3f}", flush=True)


if __name__ == "__main__":
    main()
