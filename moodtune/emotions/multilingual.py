"""The `local` extractor's multilingual path: texts that are not English.

Owns: reading `multilingual.json` / `multilingual.safetensors` / `terms_multilingual.json` from
the weights directory, and scoring with them. Over multilingual-e5-small vectors
(moodtune.embed_e5, always that embedder, whatever the library's is):
- a sentence head: one logistic regression per emotion, trained on XED English train plus XED's
  projected train lines in Spanish, German, French and Portuguese, thresholds tuned on the
  projected dev lines, mixed with a term lexicon in those four languages like the English
  `terms` member, then calibrated (0.5 = the dev-tuned decision);
- a distilled head: a ridge regression from e5 vectors of English XED lines to the English
  path's own calibrated scores of those lines, so that a sentence in another language scores
  about as its English equivalent does (e5 places translations close together);
- a sentence's scores: (1 - distilled_mix) * sentence head + distilled_mix * distilled, plus
  the term lexicon's firings times its weight, clipped to [0, 1];
- a song head: the English song head's recipe (multinomial, a song = mean stanza
  log-probabilities + bonus) over the same vectors.
Trained by scripts/train_multilingual.py. The English path (local.py) is untouched: the caller
routes by language (moodtune.lang). Loads lazily; must not download anything.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodtune.embed import Embedder, get_embedder
from moodtune.emotions.base import PRESENT, SongEmotions
from moodtune.emotions.local import SongHead, TermMember, _sigmoid, calibrate, song_profile
from moodtune.errors import ExtractionError
from moodtune.models import EMOTIONS, EmotionProfile

ML_META_FILE = "multilingual.json"
ML_WEIGHTS_FILE = "multilingual.safetensors"
ML_TERMS_FILE = "terms_multilingual.json"
EMBEDDER = "e5"

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def unicode_tokens(text: str) -> list[str]:
    """Lower-case letter tokens in any script; apostrophes inside a word are kept ("j'ai")."""
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("`", "'"))


@dataclass(frozen=True, slots=True)
class MultilingualWeights:
    path: Path
    version: str
    embedder_version: str  # the e5 build the heads were fitted on
    weight: np.ndarray  # (8, 384) one-vs-rest sentence head
    bias: np.ndarray  # (8,)
    thresholds: np.ndarray  # (8,)
    terms_weight: float
    song_head: SongHead
    distilled_weight: np.ndarray | None = None  # (8, 384)
    distilled_bias: np.ndarray | None = None  # (8,)
    distilled_mix: float = 0.0
    # (2, 8, K): per emotion, K quantiles of the mixed scores on the projected train lines
    # ("from") and of the English path's scores on English train lines ("to"); scores below
    # PRESENT are mapped through them piecewise-linearly (`map_scores`). None: as mixed.
    score_map: np.ndarray | None = None

    def digest(self) -> str:
        parts = [self.weight.ravel(), self.bias, self.thresholds, [self.terms_weight]]
        parts += [self.song_head.weight.ravel(), self.song_head.bias, self.song_head.bonus]
        if self.distilled_weight is not None and self.distilled_bias is not None:
            parts += [self.distilled_weight.ravel(), self.distilled_bias, [self.distilled_mix]]
        if self.score_map is not None:
            parts += [self.score_map.ravel()]
        blob = np.round(np.concatenate([np.asarray(p, np.float64) for p in parts]), 4)
        return hashlib.sha1(blob.tobytes()).hexdigest()[:6]


def load_multilingual(root: Path) -> MultilingualWeights | None:
    """Read the multilingual heads from a weights directory; None when it has none."""
    from safetensors.numpy import load_file

    if not (root / ML_META_FILE).is_file():
        return None
    try:
        meta = json.loads((root / ML_META_FILE).read_text(encoding="utf-8"))
        if list(meta["emotions"]) != list(EMOTIONS):
            raise ValueError("emotion order differs")
        t = load_file(str(root / ML_WEIGHTS_FILE))
        bonus = meta["song_head"].get("common_bonus", {})
        weights = MultilingualWeights(
            path=root,
            version=str(meta["version"]),
            embedder_version=str(meta["embedder_version"]),
            weight=t["sentence.weight"].astype(np.float64),
            bias=t["sentence.bias"].astype(np.float64),
            thresholds=np.asarray(meta["thresholds"], dtype=np.float64),
            terms_weight=float(meta.get("terms_weight", 0.0)),
            song_head=SongHead(
                version=str(meta["song_head"]["version"]),
                weight=t["song.weight"].astype(np.float64),
                bias=t["song.bias"].astype(np.float64),
                bonus=np.array([float(bonus.get(e, 0.0)) for e in EMOTIONS]),
            ),
            distilled_weight=(
                t["distilled.weight"].astype(np.float64) if "distilled.weight" in t else None
            ),
            distilled_bias=t["distilled.bias"].astype(np.float64)
            if "distilled.bias" in t
            else None,
            distilled_mix=float(meta.get("distilled_mix", 0.0)),
            score_map=_read_score_map(meta.get("score_map")),
        )
        if weights.distilled_mix > 0.0 and weights.distilled_weight is None:
            raise ValueError("distilled_mix without a distilled head")
        if weights.weight.shape[0] != len(EMOTIONS) or weights.thresholds.shape != (8,):
            raise ValueError("multilingual head shape differs")
        if weights.terms_weight > 0.0 and not (root / ML_TERMS_FILE).is_file():
            raise ValueError(f"{ML_TERMS_FILE} is missing")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(
            f"The multilingual emotion heads in {root} are missing, unreadable or from another "
            "version; reinstall moodtune or rebuild them with scripts/train_multilingual.py."
        ) from exc
    return weights


def _read_score_map(raw: object) -> np.ndarray | None:
    """The optional `score_map` block: {"from": 8 lists, "to": 8 lists} of rising quantiles."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("score_map must be an object")
    out = np.array([raw["from"], raw["to"]], dtype=np.float64)
    if out.ndim != 3 or out.shape[1] != len(EMOTIONS) or out.shape[2] < 2:
        raise ValueError("score_map must hold 8 quantile lists in 'from' and in 'to'")
    if np.any(np.diff(out, axis=2) < 0):
        raise ValueError("score_map quantiles must not decrease")
    return out


def map_scores(scores: np.ndarray, score_map: np.ndarray | None) -> np.ndarray:
    """Bring the scores below PRESENT to the English path's scale, per emotion, through the
    quantile map (and keep them below PRESENT); a present score stays as it is.

    The mix regresses towards the mean, so an absent emotion keeps a floor of 0.25-0.45 where
    the English path gives 0.1-0.2, and the refined words fill with mild variants
    (docs/multilingual.md). Which emotions are present is the mix's own decision, unchanged:
    mapping those too raised XED F1 but lowered the `emotions` ranking.
    """
    if score_map is None:
        return scores
    x = np.asarray(scores, dtype=np.float64)
    mapped = np.empty_like(x)
    for j in range(len(EMOTIONS)):
        mapped[:, j] = np.interp(x[:, j], score_map[0, j], score_map[1, j])
    out: np.ndarray = np.where(x >= PRESENT, x, np.minimum(mapped, np.nextafter(PRESENT, 0.0)))
    return out


def fit_score_map(mixed: np.ndarray, english: np.ndarray, knots: int = 41) -> np.ndarray:
    """Quantiles of the mixed scores and of the English path's scores, per emotion (2, 8, K)."""
    q = np.linspace(0.0, 1.0, knots)
    return np.stack([np.quantile(mixed, q, axis=0).T, np.quantile(english, q, axis=0).T])


class MultilingualMember:
    """Scores texts in any language with the e5 heads (sentences) or the song head (songs)."""

    def __init__(self, weights: MultilingualWeights, embedder: Embedder | None = None) -> None:
        self.weights = weights
        self._embedder = embedder
        self._terms: TermMember | None = None
        self._lock = threading.Lock()

    def _parts(self) -> tuple[Embedder, TermMember | None]:
        with self._lock:
            if self._embedder is None:
                self._embedder = get_embedder(EMBEDDER)
            if self.weights.terms_weight > 0.0 and self._terms is None:
                self._terms = TermMember.load(self.weights.path, ML_TERMS_FILE, unicode_tokens)
            return self._embedder, self._terms

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Raw (n, 8) probabilities: the sentence head mixed with the term lexicon."""
        if len(texts) == 0:
            return np.zeros((0, len(EMOTIONS)))
        embedder, terms = self._parts()
        x = vectors if vectors is not None else embedder.embed(list(texts))
        w = self.weights
        probs = _sigmoid(np.asarray(x, np.float64) @ w.weight.T + w.bias)
        if terms is not None:
            probs = (1.0 - w.terms_weight) * probs + w.terms_weight * terms.probabilities(texts)
        return probs

    def scores(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """(n, 8) scores: the calibrated sentence head mixed with the distilled head, mapped
        to the English path's scale (`score_map`)."""
        return map_scores(self.mixed_scores(texts, vectors), self.weights.score_map)

    def mixed_scores(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """(n, 8) scores: the calibrated sentence head mixed with the distilled head."""
        if len(texts) == 0:
            return np.zeros((0, len(EMOTIONS)))
        embedder, terms = self._parts()
        x = vectors if vectors is not None else embedder.embed(list(texts))
        w = self.weights
        head = calibrate(self.probabilities(texts, x), w.thresholds)
        if w.distilled_mix <= 0.0 or w.distilled_weight is None or w.distilled_bias is None:
            return head
        distilled = np.clip(
            np.asarray(x, np.float64) @ w.distilled_weight.T + w.distilled_bias, 0, 1
        )
        mixed = (1.0 - w.distilled_mix) * head + w.distilled_mix * distilled
        if terms is not None:
            # The English scores it imitates carry English terms; these add the four languages'
            # on top (a convex mix would shrink every score and mark fewer emotions present).
            mixed = np.clip(mixed + w.terms_weight * terms.probabilities(texts), 0.0, 1.0)
        return np.asarray(mixed, dtype=np.float64)

    def read_songs(self, songs_stanzas: Sequence[Sequence[str]]) -> list[SongEmotions]:
        """Stanza profiles from the sentence head, the song's profile from the song head."""
        flat = [s for stanzas in songs_stanzas for s in stanzas]
        bounds = [0, *itertools.accumulate(len(s) for s in songs_stanzas)]
        embedder, _ = self._parts()
        vectors = embedder.embed(flat) if flat else np.zeros((0, embedder.dim), np.float32)
        stanza_scores = self.scores(flat, vectors) if flat else np.zeros((0, len(EMOTIONS)))
        songs = self.weights.song_head.song_scores(vectors, bounds)
        out: list[SongEmotions] = []
        for i, (start, end) in enumerate(itertools.pairwise(bounds)):
            chunk = tuple(
                EmotionProfile(tuple(float(x) for x in r)) for r in stanza_scores[start:end]
            )
            out.append(SongEmotions(profile=song_profile(songs[i]), stanza_profiles=chunk))
        return out
