"""Write data/demo_playlists.json: the demo catalogue grouped into four listeners' playlists.

Each playlist is an ordered list of demo track ids chosen by the songs' intended main emotion
(the catalogue's own `emotions` field, written with the songs), in catalogue order within each
group, so each playlist has a recognisable mood and an arc. Some songs sit in two playlists.
Run from the repository root; the output is deterministic:

    python scripts/make_demo_playlists.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "data" / "demo_catalogue.jsonl"
OUT = ROOT / "data" / "demo_playlists.json"

# (id, name, who it was made for, [(main emotion, first, last), ...] in play order)
PLAN = [
    (
        "demo:morning-run",
        "Morning run",
        "Made for Dana: warm up on anticipation, push through an angry middle, finish in joy.",
        [("anticipation", 0, 7), ("anger", 0, 3), ("joy", 0, 7)],
    ),
    (
        "demo:night-shift",
        "Night shift",
        "Made for Theo, driving home at 3 a.m.: dread first, then the strange and surprising.",
        [("fear", 0, 8), ("surprise", 0, 6), ("sadness", 0, 2)],
    ),
    (
        "demo:after-the-move",
        "After the move",
        "Made for Priya in a new city: meet the loneliness, then the people who stayed.",
        [("sadness", 2, 11), ("trust", 0, 7)],
    ),
    (
        "demo:picket-line",
        "Picket line",
        "Made for Marcus and the warehouse union: disgust at what happened, then anger.",
        [("disgust", 0, 7), ("anger", 0, 8)],
    ),
]


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    songs = [json.loads(line) for line in CATALOGUE.read_text(encoding="utf-8").splitlines()]
    by_emotion: dict[str, list[str]] = {}
    for song in songs:
        by_emotion.setdefault(song["emotions"][0], []).append(song["id"])
    playlists = []
    for pid, name, description, parts in PLAN:
        ids = [tid for emotion, a, b in parts for tid in by_emotion[emotion][a:b]]
        playlists.append({"id": pid, "name": name, "description": description, "tracks": ids})
    OUT.write_text(json.dumps({"playlists": playlists}, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {OUT.relative_to(ROOT)}: "
        + ", ".join(f"{p['name']} ({len(p['tracks'])})" for p in playlists)
    )


if __name__ == "__main__":
    main()
