"""The `local` emotion extractor: offline, trained on XED English, weights shipped in the package.

Owns: reading moodtune/emotions/weights/ (a fine-tuned all-MiniLM-L6-v2 encoder with a linear
head in fp16, a logistic-regression head over the shared packaged sentence embeddings, the
ensemble weight and the dev-tuned per-emotion thresholds) and mapping each raw probability to a
calibrated score where 0.5 means "present". Models load lazily on first use, once, under a lock.
Must not download anything, train, or change the shared embedder (it only calls it).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from moodtune.config import Settings
from moodtune.embed import Embedder, get_embedder
from moodtune.errors import ExtractionError
from moodtune.models import EMOTIONS, EmotionProfile

if TYPE_CHECKING:
    import torch

ENCODER_FILE = "encoder.safetensors"
HEADS_FILE = "heads.safetensors"
META_FILE = "local_extractor.json"
METRICS_FILE = "metrics.json"
TOKENIZER_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "special_tokens_map.json",
)
_HEAD_KEYS = ("head.weight", "head.bias")


def weights_dir() -> Path:
    """Return the directory of the shipped weights inside the package."""
    return Path(__file__).resolve().parent / "weights"


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
class LocalWeights:
    """The small parts of the shipped model: read eagerly, in milliseconds."""

    path: Path
    version: str
    max_length: int
    finetuned_weight: float  # ensemble weight of the fine-tuned member; the LR gets the rest
    thresholds: np.ndarray  # (8,)
    lr_weight: np.ndarray  # (8, 384)
    lr_bias: np.ndarray  # (8,)

    @property
    def has_encoder(self) -> bool:
        return self.finetuned_weight > 0.0


def load_weights_dir(path: Path | None = None) -> LocalWeights:
    """Read the metadata and the LR head from a weights directory (the shipped one by default)."""
    from safetensors.numpy import load_file

    root = path if path is not None else weights_dir()
    try:
        meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
        heads = load_file(str(root / HEADS_FILE))
    except (OSError, ValueError) as exc:
        raise ExtractionError(
            f"The local emotion model in {root} is missing or unreadable; reinstall moodtune "
            "or rebuild it with scripts/train_local_extractor.py."
        ) from exc
    if list(meta.get("emotions", [])) != list(EMOTIONS):
        raise ExtractionError(f"The local emotion model in {root} uses a different emotion order.")
    weights = LocalWeights(
        path=root,
        version=str(meta["version"]),
        max_length=int(meta["max_length"]),
        finetuned_weight=float(meta["finetuned_weight"]),
        thresholds=np.asarray(meta["thresholds"], dtype=np.float64),
        lr_weight=heads["lr.weight"].astype(np.float32),
        lr_bias=heads["lr.bias"].astype(np.float32),
    )
    if weights.has_encoder and not (root / ENCODER_FILE).is_file():
        raise ExtractionError(f"The local emotion model in {root} lacks {ENCODER_FILE}.")
    return weights


class _FineTuned:
    """The fine-tuned encoder + linear head, built from fp16 safetensors and run in fp32."""

    def __init__(self, root: Path, max_length: int) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from safetensors.torch import load_file
        from transformers import AutoConfig, AutoModel, AutoTokenizer

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
        self.head_w = state.pop(_HEAD_KEYS[0]).float()
        self.head_b = state.pop(_HEAD_KEYS[1]).float()
        # Buffers such as position_ids are rebuilt by the model, so only weights must match.
        missing, unexpected = self.encoder.load_state_dict(
            {k: v.float() for k, v in state.items()}, strict=False
        )
        if unexpected or any(not k.endswith("position_ids") for k in missing):
            raise ExtractionError(
                f"The local emotion encoder in {root} does not match its config; "
                "reinstall moodtune."
            )
        self.encoder.eval()

    def probabilities(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Return (n, 8) sigmoid probabilities."""
        th = self._torch
        out: list[np.ndarray] = []
        with th.inference_mode():
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
                logits = pooled @ self.head_w.T + self.head_b
                out.append(th.sigmoid(logits).numpy().astype(np.float64))
        return np.concatenate(out) if out else np.zeros((0, len(EMOTIONS)))


class LocalExtractor:
    """XED-trained multi-label emotion scorer; 0.5 marks the dev-tuned decision per emotion."""

    name = "local"
    version = "local-xed-v1"

    def __init__(
        self, weights: LocalWeights, embedder: Embedder | None = None, batch_size: int = 64
    ) -> None:
        self.weights = weights
        self.batch_size = batch_size
        self._embedder = embedder
        self._finetuned: _FineTuned | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalExtractor:
        """Build from the shipped weights; the encoder loads on first use."""
        # The LR head was fitted on the packaged MiniLM vectors, whatever settings.embedder says.
        return cls(load_weights_dir())

    def _members(self) -> tuple[Embedder, _FineTuned | None]:
        with self._lock:
            if self._embedder is None:
                self._embedder = get_embedder("minilm")
            if self.weights.has_encoder and self._finetuned is None:
                self._finetuned = _FineTuned(self.weights.path, self.weights.max_length)
            return self._embedder, self._finetuned

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return the raw (n, 8) ensemble probabilities, before calibration."""
        if len(texts) == 0:
            return np.zeros((0, len(EMOTIONS)))
        embedder, finetuned = self._members()
        w = self.weights
        vectors = embedder.embed(list(texts)).astype(np.float64)
        probs = 1.0 / (1.0 + np.exp(-(vectors @ w.lr_weight.T.astype(np.float64) + w.lr_bias)))
        if finetuned is not None:
            ft = finetuned.probabilities(texts, self.batch_size)
            probs = w.finetuned_weight * ft + (1.0 - w.finetuned_weight) * probs
        return np.asarray(probs, dtype=np.float64)

    def extract(self, texts: Sequence[str]) -> list[EmotionProfile]:
        """Return one calibrated profile per text, in order."""
        scores = calibrate(self.probabilities(texts), self.weights.thresholds)
        return [EmotionProfile(tuple(float(x) for x in row)) for row in scores]
