"""P@5 of the same feelings written in English, Spanish, German, French and Portuguese.

Usage (from the repository root, on a library holding the demo catalogue):
    .venv/bin/python scripts/compare_languages.py [--dir data/eval_queries_multilingual] [--json]

Each file in --dir holds the same 24 feelings (ids m01..m24, 3 per main emotion) in one language.
Per language and approach: P@5, nDCG@10 with 95% bootstrap intervals over queries, and the paired
difference of P@5 to the English file (same query ids) with its interval. `moodtune eval
recommend --queries data/eval_queries_multilingual/es.jsonl` gives one language's full table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moodtune.config import load_settings  # noqa: E402
from moodtune.evaluate import bootstrap_ci, compare_approaches, read_queries  # noqa: E402
from moodtune.recommend import build_recommender  # noqa: E402
from moodtune.store import open_store  # noqa: E402

LANGS = ("en", "es", "de", "fr", "pt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "data" / "eval_queries_multilingual")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    store = open_store(settings, read_only=True)
    recommender = build_recommender(settings, store)
    reports = {
        lang: compare_approaches(recommender, read_queries(args.dir / f"{lang}.jsonl"))
        for lang in LANGS
    }
    out: dict[str, dict[str, object]] = {}
    for approach in [a.approach for a in reports["en"].approaches]:
        per = {
            lang: {r.query_id: r.precision for r in rep.per_query if r.approach == approach}
            for lang, rep in reports.items()
        }
        row: dict[str, object] = {}
        for lang in LANGS:
            scores = next(a for a in reports[lang].approaches if a.approach == approach)
            ids = sorted(per[lang])
            diff = [per[lang][i] - per["en"][i] for i in ids if i in per["en"]]
            lo, hi = bootstrap_ci(diff, resamples=2000, seed=0) if lang != "en" else (0.0, 0.0)
            row[lang] = {
                "p5": round(scores.precision.mean, 3),
                "p5_ci": [round(scores.precision.low, 3), round(scores.precision.high, 3)],
                "ndcg10": round(scores.ndcg.mean, 3),
                "p5_vs_en": round(float(np.mean(diff)), 3),
                "p5_vs_en_ci": [round(lo, 3), round(hi, 3)],
            }
        out[approach] = row
    chance = reports["en"].chance[0]
    if args.json:
        print(json.dumps({"approaches": out, "random_p5": chance}, indent=2))
        return
    print(
        f"library {store.version[:10]}, {len(store)} tracks, embedder "
        f"{store.embedder_name or settings.embedder}, extractor {store.extractor_name}; "
        f"random P@5 {chance:.3f}"
    )
    for approach, row in out.items():
        cells = []
        for lang in LANGS:
            r = row[lang]
            assert isinstance(r, dict)
            cell = f"{lang} {r['p5']:.3f} [{r['p5_ci'][0]:.3f}, {r['p5_ci'][1]:.3f}]"
            if lang != "en":
                low, high = r["p5_vs_en_ci"]
                cell += f" ({r['p5_vs_en']:+.3f} [{low:+.3f}, {high:+.3f}])"
            cells.append(cell)
        print(f"{approach:9s} " + " | ".join(cells))


if __name__ == "__main__":
    main()
