"""Train the `local` extractor's song head: what a whole song conveys, read from its stanzas.

The head is a multinomial logistic regression over the fine-tuned v3 encoder's pooled stanza
states (the encoder is not changed). Training rows: XED English train lines (one row per label)
and the stanzas of the original songs in data/lyric_songs/ (each stanza labelled with its song's
main emotion, weighted WRITTEN_WEIGHT times). A song's scores are the mean over its stanzas of
the head's log-probabilities, plus COMMON_BONUS for the emotions real songs carry most (joy,
trust = love, sadness); see moodtune/emotions/local.py for how they become a profile.

C, WRITTEN_WEIGHT and COMMON_BONUS were chosen by top-1 agreement on two development sets
(../shared/eval/pd_songs_dev.jsonl and data/demo_catalogue.jsonl) from a small grid; no weight is
fitted on either (docs/local_extractor.md has the grid). Run from the repository root:

    python scripts/train_song_head.py --data-dir ../shared/eval \
        --dev ../shared/eval/pd_songs_dev.jsonl --dev data/demo_catalogue.jsonl

It rewrites moodtune/emotions/weights/song_head.safetensors and the `song_head` block of
local_extractor.json, then prints the dev agreement of the new analysis.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from moodtune.emotions.local import (  # noqa: E402
    META_FILE,
    SONG_HEAD_FILE,
    FineTunedMember,
    LocalExtractor,
    load_weights_dir,
    weights_dir,
)
from moodtune.evaluate import read_xed  # noqa: E402
from moodtune.models import EMOTIONS  # noqa: E402
from moodtune.song_agreement import agreement_table, song_agreement  # noqa: E402
from moodtune.sources.files import load_tracks_file  # noqa: E402
from moodtune.text import clean_lyrics, split_stanzas  # noqa: E402

VERSION = "song-head-v2"
C = 0.1
WRITTEN_WEIGHT = 5.0
COMMON_BONUS = {"joy": 0.5, "trust": 0.5, "sadness": 0.5}
WRITTEN_DIRS = (ROOT / "data" / "lyric_songs", ROOT / "data" / "lyric_songs_folk")


def written_stanzas(folders: tuple[Path, ...]) -> tuple[list[str], list[int]]:
    """Every stanza of the written songs, labelled with its song's main emotion."""
    texts: list[str] = []
    labels: list[int] = []
    for path in sorted(p for folder in folders for p in folder.glob("*.jsonl")):
        for track in load_tracks_file(path):
            stanzas = split_stanzas(clean_lyrics(track.lyrics))
            texts += stanzas
            labels += [EMOTIONS.index(track.labels[0])] * len(stanzas)
    return texts, labels


def main() -> None:
    from safetensors.numpy import save_file
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--dev", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, default=weights_dir())
    args = parser.parse_args()

    weights = load_weights_dir(args.out)
    encoder = FineTunedMember(weights.path, weights.max_length)
    started = time.time()
    xed = read_xed(args.data_dir / "xed_en_train.tsv")
    xed_states = encoder.pooled([item.text for item in xed])
    rows = [i for i, item in enumerate(xed) for _ in item.labels]
    xed_y = [EMOTIONS.index(label) for item in xed for label in item.labels]
    texts, written_y = written_stanzas(WRITTEN_DIRS)
    written_states = encoder.pooled(texts)
    print(f"{len(xed)} XED lines, {len(texts)} written stanzas: {time.time() - started:.0f}s")

    x = np.vstack([xed_states[rows], written_states])
    y = np.array(xed_y + written_y)
    sample_weight = np.concatenate([np.ones(len(xed_y)), np.full(len(written_y), WRITTEN_WEIGHT)])
    model = LogisticRegression(C=C, max_iter=5000).fit(x, y, sample_weight=sample_weight)
    if list(model.classes_) != list(range(len(EMOTIONS))):
        raise SystemExit("every emotion needs training rows")
    print(f"training accuracy {model.score(x, y, sample_weight=sample_weight):.3f}")
    save_file(
        {
            # scikit-learn's coef_ is Fortran-ordered; safetensors writes the raw buffer.
            "weight": np.ascontiguousarray(model.coef_, dtype=np.float16),
            "bias": np.ascontiguousarray(model.intercept_, dtype=np.float16),
        },
        str(args.out / SONG_HEAD_FILE),
    )
    meta_path = args.out / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.pop("song_offsets", None)
    meta["song_head"] = {
        "version": VERSION,
        "common_bonus": COMMON_BONUS,
        "training": {
            "xed_lines": len(xed),
            "written_songs_dirs": [str(d.relative_to(ROOT)) for d in WRITTEN_DIRS],
            "written_stanzas": len(texts),
            "written_weight": WRITTEN_WEIGHT,
            "C": C,
        },
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    extractor = LocalExtractor(load_weights_dir(args.out))
    for path in args.dev:
        tracks = load_tracks_file(path)
        songs = extractor.read_songs([split_stanzas(clean_lyrics(t.lyrics)) for t in tracks])
        report = song_agreement(
            [s.profile for s in songs],
            [t.labels for t in tracks],
            titles=[t.title for t in tracks],
            source=str(path),
            extractor=extractor.name,
            version=extractor.version,
        )
        print(f"\n{path} (development set: tuned on, not fitted on)")
        print(agreement_table(report))


if __name__ == "__main__":
    main()
