"""The `local` emotion extractor: offline, trained on XED English, weights shipped in the package.

Owns: reading moodtune/emotions/weights/ and running its members. Three learned members are
averaged with dev-tuned weights: a fine-tuned all-MiniLM-L6-v2 encoder with a linear head (fp16
on disk), a logistic-regression head over the shared packaged sentence embeddings, and a
logistic-regression head over word + character TF-IDF. A fourth, the `terms` member, is a small
curated lexicon of words that name an emotion (1.0 if one fires, unless negated, else 0.0); it is
mixed in as `(1 - w) * learned + w * terms` with w tuned on dev. Each raw probability then maps
to a calibrated score where 0.5 means "present" (dev-tuned thresholds). Members load lazily on
first use, once, under a lock.
Must not download anything, train, or change the shared embedder (it only calls it).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from moodtune.config import Settings
from moodtune.embed import THREADS, Embedder, get_embedder, quiet_model_loading
from moodtune.emotions.base import SongEmotions, pool_stanzas, profiles_from_song_scores
from moodtune.errors import ExtractionError
from moodtune.models import EMOTIONS, EmotionProfile

if TYPE_CHECKING:
    import torch

    from moodtune.emotions.multilingual import MultilingualMember, MultilingualWeights

ENCODER_FILE = "encoder.safetensors"
HEADS_FILE = "heads.safetensors"
META_FILE = "local_extractor.json"
MODEL_VERSION = "local-xed-v3"  # the trained weights (XED scores are reported per version)
TFIDF_FILE = "tfidf.json"
TERMS_FILE = "terms.json"
METRICS_FILE = "metrics.json"
SONG_HEAD_FILE = "song_head.safetensors"
# Analyses that store each song's state (SongEmotions.state), which listeners' corrections learn
# from; part of the analysis version, so older libraries re-analyse once to gain it.
SONG_STATE_VERSION = "state1"
TOKENIZER_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "special_tokens_map.json",
)
_HEAD_KEYS = ("head.weight", "head.bias")
# TfidfVectorizer settings shared by training and inference (vocabulary and idf are stored).
TFIDF_PARAMS: dict[str, dict[str, Any]] = {
    "word": {"ngram_range": (1, 2), "sublinear_tf": True, "lowercase": True},
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True},
}
MEMBERS = ("finetuned", "frozen_lr", "tfidf")


def weights_dir() -> Path:
    """Return the directory of the shipped weights inside the package."""
    return Path(__file__).resolve().parent / "weights"


def analysis_version(weights: LocalWeights) -> str:
    """The trained model's version, plus the song head's and the multilingual heads' versions
    and digests of their weights."""
    head = weights.song_head
    version = weights.version
    if head is not None:
        digest = hashlib.sha1(
            np.round(np.concatenate([head.weight.ravel(), head.bias, head.bonus]), 4).tobytes()
        ).hexdigest()[:6]
        version = f"{version}+{head.version}-{digest}+{SONG_STATE_VERSION}"
    ml = weights.multilingual
    if ml is not None:
        version = f"{version}+{ml.version}-{ml.digest()}"
    return version


def calibrate(probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Map raw probabilities piecewise-linearly so that each threshold lands on 0.5.

    Below the threshold t: 0.5 * p / t; at or above: 0.5 + 0.5 * (p - t) / (1 - t). So
    `score >= 0.5` is exactly the dev-tuned decision `p >= t`, and order within an emotion
    is kept.
    """
    p = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    t = np.clip(np.asarray(thresholds, dtype=np.float64), 1e-6, 1.0 - 1e-6)
    low = 0.5 * p / t
    high = 0.5 + 0.5 * (p - t) / (1.0 - t)
    return np.clip(np.where(p < t, low, high), 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class SongHead:
    """What a whole song conveys, from its stanzas' pooled encoder states.

    Per stanza a multinomial head gives log-probabilities over the 8 emotions as a song's main
    one; a song scores their mean over its stanzas plus `bonus` (the emotions real songs carry
    most). Trained by scripts/train_song_head.py.
    """

    version: str
    weight: np.ndarray  # (8, 384)
    bias: np.ndarray  # (8,)
    bonus: np.ndarray  # (8,)

    def song_scores(self, pooled: np.ndarray, bounds: Sequence[int]) -> np.ndarray:
        """Return (songs, 8) scores; song i owns pooled rows bounds[i]:bounds[i + 1]."""
        from scipy.special import log_softmax

        logp = log_softmax(np.asarray(pooled, np.float64) @ self.weight.T + self.bias, axis=1)
        out = np.zeros((len(bounds) - 1, len(EMOTIONS)), dtype=np.float64)
        for i, (start, end) in enumerate(itertools.pairwise(bounds)):
            if end > start:
                out[i] = logp[start:end].mean(axis=0) + self.bonus
        return out


def song_profile(scores: np.ndarray) -> EmotionProfile:
    """Turn a song's head scores into a profile that keeps their order (see
    `profiles_from_song_scores`)."""
    return EmotionProfile(tuple(float(x) for x in profiles_from_song_scores(scores)[0]))


@dataclass(frozen=True, slots=True)
class LocalWeights:
    """The small parts of the shipped model: read eagerly, in milliseconds."""

    path: Path
    version: str
    max_length: int
    member_weights: dict[str, float]  # one weight per name in MEMBERS, summing to 1
    thresholds: np.ndarray  # (8,)
    lr_weight: np.ndarray  # (8, 384)
    lr_bias: np.ndarray  # (8,)
    tfidf_weight: np.ndarray  # (8, vocabulary size)
    tfidf_bias: np.ndarray  # (8,)
    terms_weight: float = 0.0  # w in (1 - w) * learned + w * terms; 0 means no lexicon
    song_head: SongHead | None = None  # None: songs are pooled from stanza profiles
    multilingual: MultilingualWeights | None = None  # None: every text is read as English

    def uses(self, member: str) -> bool:
        return self.member_weights.get(member, 0.0) > 0.0


def _read_song_head(root: Path, raw: object) -> SongHead | None:
    """Read the optional `song_head` block of the metadata and its weights file."""
    from safetensors.numpy import load_file

    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("song_head must be an object")
    bonus = raw.get("common_bonus", {})
    if not isinstance(bonus, dict) or not set(bonus) <= set(EMOTIONS):
        raise ValueError("song_head.common_bonus must map emotion names to numbers")
    tensors = load_file(str(root / SONG_HEAD_FILE))
    head = SongHead(
        version=str(raw["version"]),
        weight=tensors["weight"].astype(np.float64),
        bias=tensors["bias"].astype(np.float64),
        bonus=np.array([float(bonus.get(e, 0.0)) for e in EMOTIONS]),
    )
    if head.weight.shape[0] != len(EMOTIONS) or head.bias.shape != (len(EMOTIONS),):
        raise ValueError("song head shape differs")
    return head


def load_weights_dir(path: Path | None = None) -> LocalWeights:
    """Read the metadata and the LR head from a weights directory (the shipped one by default)."""
    from safetensors.numpy import load_file

    from moodtune.emotions.multilingual import load_multilingual

    root = path if path is not None else weights_dir()
    try:
        meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
        heads = load_file(str(root / HEADS_FILE))
        if list(meta["emotions"]) != list(EMOTIONS):
            raise ValueError("emotion order differs")
        weights = LocalWeights(
            path=root,
            version=str(meta["version"]),
            max_length=int(meta["max_length"]),
            member_weights={m: float(meta["member_weights"].get(m, 0.0)) for m in MEMBERS},
            thresholds=np.asarray(meta["thresholds"], dtype=np.float64),
            lr_weight=heads["lr.weight"].astype(np.float64),
            lr_bias=heads["lr.bias"].astype(np.float64),
            tfidf_weight=heads["tfidf.weight"].astype(np.float64),
            tfidf_bias=heads["tfidf.bias"].astype(np.float64),
            terms_weight=float(meta.get("terms_weight", 0.0)),
            song_head=_read_song_head(root, meta.get("song_head")),
            multilingual=load_multilingual(root),
        )
        if not 0.0 <= weights.terms_weight < 1.0:
            raise ValueError("terms_weight out of range")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(
            f"The local emotion model in {root} is missing, unreadable or from another version; "
            "reinstall moodtune or rebuild it with scripts/train_local_extractor.py."
        ) from exc
    for member, needed in (("finetuned", ENCODER_FILE), ("tfidf", TFIDF_FILE)):
        if weights.uses(member) and not (root / needed).is_file():
            raise ExtractionError(f"The local emotion model in {root} lacks {needed}.")
    if weights.terms_weight > 0.0 and not (root / TERMS_FILE).is_file():
        raise ExtractionError(f"The local emotion model in {root} lacks {TERMS_FILE}.")
    return weights


def _sigmoid(x: np.ndarray) -> np.ndarray:
    from scipy.special import expit  # no overflow warnings for large logits

    return np.asarray(expit(x), dtype=np.float64)


class TfidfMember:
    """Word + char_wb TF-IDF with a linear head, rebuilt from the stored vocabularies and idf."""

    def __init__(self, spec: dict[str, Any], weight: np.ndarray, bias: np.ndarray) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizers = []
        for name in ("word", "char"):
            vec = TfidfVectorizer(**TFIDF_PARAMS[name], vocabulary=spec[name]["vocabulary"])
            vec.idf_ = np.asarray(spec[name]["idf"], dtype=np.float64)
            self._vectorizers.append(vec)
        self.weight = np.asarray(weight, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)

    @classmethod
    def load(cls, weights: LocalWeights) -> TfidfMember:
        """Read the vocabularies from the weights directory."""
        try:
            spec = json.loads((weights.path / TFIDF_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExtractionError(
                f"Could not read {TFIDF_FILE} in {weights.path}; reinstall moodtune."
            ) from exc
        return cls(spec, weights.tfidf_weight, weights.tfidf_bias)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return (n, 8) probabilities."""
        from scipy.sparse import hstack

        x = hstack([vec.transform(list(texts)) for vec in self._vectorizers]).tocsr()
        return _sigmoid(np.asarray(x @ self.weight.T) + self.bias)


_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _english_tokens(text: str) -> list[str]:
    """Lower-case word tokens, keeping contractions such as "can't" whole."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'").replace("`", "'"))


class TermMember:
    """Explicit emotion-term lexicon: 1.0 for an emotion when one of its terms occurs un-negated.

    Terms are whole-word token sequences ("angry", "can't wait"). A term is negated when a negator
    ("not", "never", "don't", ...) is among the `negation_window` tokens before it, so "not happy"
    fires nothing; negation does not flip the emotion (no "not happy" -> sadness). Exception
    phrases ("angry birds") are blanked before matching.
    """

    def __init__(
        self,
        terms: dict[str, list[str]],
        negators: Sequence[str] = (),
        exceptions: Sequence[str] = (),
        negation_window: int = 3,
        tokenize: Callable[[str], list[str]] | None = None,
    ) -> None:
        _tokens = tokenize or _english_tokens
        self._tokenize = _tokens
        if set(terms) != set(EMOTIONS):
            raise ValueError("the term lexicon must list every emotion")
        # Longest first so that a phrase is matched before a word it starts with.
        self._terms: list[tuple[tuple[str, ...], int]] = sorted(
            (
                (tuple(_tokens(term)), EMOTIONS.index(emotion))
                for emotion, words in terms.items()
                for term in words
                if _tokens(term)
            ),
            key=lambda item: -len(item[0]),
        )
        self._negators = frozenset(negators)
        self._exceptions = [tuple(_tokens(x)) for x in exceptions if _tokens(x)]
        self.negation_window = negation_window

    @classmethod
    def load(
        cls,
        root: Path,
        filename: str = TERMS_FILE,
        tokenize: Callable[[str], list[str]] | None = None,
    ) -> TermMember:
        """Read a term lexicon (TERMS_FILE by default) from a weights directory."""
        try:
            spec = json.loads((root / filename).read_text(encoding="utf-8"))
            return cls(
                {e: list(spec["terms"][e]) for e in EMOTIONS},
                list(spec.get("negators", [])),
                list(spec.get("exceptions", [])),
                int(spec.get("negation_window", 3)),
                tokenize,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ExtractionError(
                f"Could not read {filename} in {root}; reinstall moodtune."
            ) from exc

    def fires(self, text: str) -> np.ndarray:
        """Return an (8,) 0/1 vector: which emotions have an un-negated term in the text."""
        toks: list[str] = self._tokenize(text)
        for phrase in self._exceptions:
            n = len(phrase)
            for i in range(len(toks) - n + 1):
                if tuple(toks[i : i + n]) == phrase:
                    toks[i : i + n] = [""] * n
        out = np.zeros(len(EMOTIONS), dtype=np.float64)
        for phrase, j in self._terms:
            n = len(phrase)
            for i in range(len(toks) - n + 1):
                if tuple(toks[i : i + n]) != phrase:
                    continue
                before = toks[max(0, i - self.negation_window) : i]
                if not self._negators.intersection(before):
                    out[j] = 1.0
                    break
        return out

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return (n, 8) 0/1 term firings."""
        if len(texts) == 0:
            return np.zeros((0, len(EMOTIONS)))
        return np.stack([self.fires(t) for t in texts])


class FineTunedMember:
    """The fine-tuned encoder + linear head, built from fp16 safetensors and run in fp32."""

    def __init__(self, root: Path, max_length: int) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from safetensors.torch import load_file
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        quiet_model_loading()
        self._torch = torch
        self.max_length = max_length
        try:
            self.tokenizer: Any = AutoTokenizer.from_pretrained(str(root))
            config = AutoConfig.from_pretrained(str(root))
            state = load_file(str(root / ENCODER_FILE))
        except (OSError, ValueError) as exc:
            raise ExtractionError(
                f"Could not load the local emotion encoder from {root}; reinstall moodtune."
            ) from exc
        self.encoder: Any = AutoModel.from_config(config)  # type: ignore[no-untyped-call]
        # The linear head runs in numpy over the pooled states; convert it once, not per call.
        self.head_w = state.pop(_HEAD_KEYS[0]).float().numpy().astype(np.float64)
        self.head_b = state.pop(_HEAD_KEYS[1]).float().numpy().astype(np.float64)
        # Buffers such as position_ids are rebuilt by the model, so only weights must match.
        # Copy tensor by tensor (fp16 -> fp32 in place) rather than through an fp32 copy of the
        # whole state: that copy was a 90 MB spike in every serving process's peak memory.
        own = self.encoder.state_dict()
        unexpected = [k for k in state if k not in own]
        missing = [k for k in own if k not in state]
        with torch.no_grad():
            for key in [k for k in state if k in own]:
                own[key].copy_(state.pop(key))
        if unexpected or any(not k.endswith("position_ids") for k in missing):
            raise ExtractionError(
                f"The local emotion encoder in {root} does not match its config; "
                "reinstall moodtune."
            )
        self.encoder.eval()

    def pooled(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Return the (n, 384) mean-pooled last hidden states (what the heads read)."""
        th = self._torch
        out: list[np.ndarray] = []
        with th.inference_mode(), THREADS.for_texts(len(texts)):
            for i in range(0, len(texts), batch_size):
                enc = self.tokenizer(
                    list(texts[i : i + batch_size]),
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden: torch.Tensor = self.encoder(
                    input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]
                ).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                out.append(pooled.numpy().astype(np.float64))
        return np.concatenate(out) if out else np.zeros((0, int(self.head_w.shape[1])))

    def probabilities_from(self, pooled: np.ndarray) -> np.ndarray:
        """Return (n, 8) sigmoid probabilities of the emotion head over pooled states."""
        return _sigmoid(np.asarray(pooled, dtype=np.float64) @ self.head_w.T + self.head_b)

    def probabilities(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Return (n, 8) sigmoid probabilities."""
        return self.probabilities_from(self.pooled(texts, batch_size))


class LocalExtractor:
    """XED-trained multi-label emotion scorer; 0.5 marks the dev-tuned decision per emotion."""

    name = "local"
    version = MODEL_VERSION

    def __init__(
        self, weights: LocalWeights, embedder: Embedder | None = None, batch_size: int = 64
    ) -> None:
        self.weights = weights
        # Stored song analyses carry this: a new song head makes them stale like new weights do.
        self.version = analysis_version(weights)
        self.batch_size = batch_size
        self._embedder = embedder
        self._finetuned: FineTunedMember | None = None
        self._tfidf: TfidfMember | None = None
        self._terms: TermMember | None = None
        self._multilingual: MultilingualMember | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalExtractor:
        """Build from the shipped weights; the encoder loads on first use."""
        # The LR head was fitted on the packaged MiniLM vectors, whatever settings.embedder says.
        return cls(load_weights_dir())

    def _members(self) -> tuple[Embedder | None, FineTunedMember | None, TfidfMember | None]:
        w = self.weights
        with self._lock:
            if w.uses("frozen_lr") and self._embedder is None:
                self._embedder = get_embedder("minilm")
            # The song head reads the encoder's states even if the ensemble gave it no weight.
            needs_encoder = w.uses("finetuned") or w.song_head is not None
            if needs_encoder and self._finetuned is None:
                self._finetuned = FineTunedMember(w.path, w.max_length)
            if w.uses("tfidf") and self._tfidf is None:
                self._tfidf = TfidfMember.load(w)
            if w.terms_weight > 0.0 and self._terms is None:
                self._terms = TermMember.load(w.path)
            return self._embedder, self._finetuned, self._tfidf

    def probabilities(self, texts: Sequence[str], pooled: np.ndarray | None = None) -> np.ndarray:
        """Return the raw (n, 8) ensemble probabilities, before calibration.

        `pooled`: the fine-tuned encoder's states of `texts`, when the caller already has them.
        """
        if len(texts) == 0:
            return np.zeros((0, len(EMOTIONS)))
        embedder, finetuned, tfidf = self._members()
        w = self.weights.member_weights
        probs = np.zeros((len(texts), len(EMOTIONS)), dtype=np.float64)
        if embedder is not None:
            vectors = embedder.embed(list(texts)).astype(np.float64)
            lr = _sigmoid(vectors @ self.weights.lr_weight.T + self.weights.lr_bias)
            probs += w["frozen_lr"] * lr
        if finetuned is not None and w["finetuned"] > 0.0:
            states = pooled if pooled is not None else finetuned.pooled(texts, self.batch_size)
            probs += w["finetuned"] * finetuned.probabilities_from(states)
        if tfidf is not None:
            probs += w["tfidf"] * tfidf.probabilities(texts)
        if self._terms is not None:
            tw = self.weights.terms_weight
            probs = (1.0 - tw) * probs + tw * self._terms.probabilities(texts)
        return probs

    def _other_language(self, texts: Sequence[str]) -> list[bool]:
        """Which texts go down the multilingual path (none without multilingual weights)."""
        if self.weights.multilingual is None:
            return [False] * len(texts)
        from moodtune.lang import is_english

        return [not is_english(t) for t in texts]

    def _multilingual_member(self) -> MultilingualMember:
        from moodtune.emotions.multilingual import MultilingualMember

        assert self.weights.multilingual is not None
        with self._lock:
            if self._multilingual is None:
                self._multilingual = MultilingualMember(self.weights.multilingual)
            return self._multilingual

    def read_songs(self, songs_stanzas: Sequence[Sequence[str]]) -> list[SongEmotions]:
        """Read English songs with the English path and the others with the multilingual one.

        A song's language is decided on its whole lyrics, so all its stanzas take one path.
        """
        other = self._other_language(["\n\n".join(stanzas) for stanzas in songs_stanzas])
        if not any(other):
            return self._read_english_songs(songs_stanzas)
        english = [i for i, o in enumerate(other) if not o]
        foreign = [i for i, o in enumerate(other) if o]
        out: dict[int, SongEmotions] = {}
        read = self._read_english_songs([songs_stanzas[i] for i in english]) if english else []
        out.update(zip(english, read, strict=True))
        member = self._multilingual_member()
        out.update(
            zip(foreign, member.read_songs([songs_stanzas[i] for i in foreign]), strict=True)
        )
        return [out[i] for i in range(len(songs_stanzas))]

    def _read_english_songs(self, songs_stanzas: Sequence[Sequence[str]]) -> list[SongEmotions]:
        """Profile every stanza, then decide each whole song with the song head.

        The encoder runs once per stanza: the stanza profiles and the song head read the same
        pooled states. Without a song head (older weights) stanza profiles are pooled.
        """
        flat = [stanza for stanzas in songs_stanzas for stanza in stanzas]
        bounds = [0, *itertools.accumulate(len(s) for s in songs_stanzas)]
        head = self.weights.song_head
        _, finetuned, _ = self._members()
        pooled = None
        if flat and head is not None and finetuned is not None:
            pooled = finetuned.pooled(flat, self.batch_size)
        probs = self.probabilities(flat, pooled) if flat else np.zeros((0, len(EMOTIONS)))
        stanza_scores = calibrate(probs, self.weights.thresholds)
        stanza_profiles = [EmotionProfile(tuple(float(x) for x in row)) for row in stanza_scores]
        songs = (
            head.song_scores(pooled, bounds) if head is not None and pooled is not None else None
        )
        out: list[SongEmotions] = []
        for i, (start, end) in enumerate(itertools.pairwise(bounds)):
            chunk = tuple(stanza_profiles[start:end])
            if songs is None or pooled is None:
                out.append(SongEmotions(profile=pool_stanzas(chunk), stanza_profiles=chunk))
                continue
            state = pooled[start:end].mean(axis=0).astype(np.float32) if end > start else None
            out.append(SongEmotions(song_profile(songs[i]), chunk, state))
        return out

    def extract(self, texts: Sequence[str]) -> list[EmotionProfile]:
        """Return one calibrated profile per text, in order (each text in its language's path)."""
        other = self._other_language(texts)
        scores = np.zeros((len(texts), len(EMOTIONS)), dtype=np.float64)
        english = [i for i, o in enumerate(other) if not o]
        foreign = [i for i, o in enumerate(other) if o]
        if english:
            probs = self.probabilities([texts[i] for i in english])
            scores[english] = calibrate(probs, self.weights.thresholds)
        if foreign:
            scores[foreign] = self._multilingual_member().scores([texts[i] for i in foreign])
        return [EmotionProfile(tuple(float(x) for x in row)) for row in scores]
